// Processes (address space, descriptors, cwd, signal actions) and their threads (a CPU each).
import type { GuestCpu } from "./machine.ts";
import type { AddressSpace } from "./vm.ts";
import type { FdTable } from "./fd.ts";
import type { Inode } from "./vfs.ts";
import { NSIG, SIGCHLD, SIG_DFL } from "./signals.ts";
import type { SigAction, SigInfo } from "./signals.ts";

/** A syscall that cannot finish yet. The scheduler polls it; a number is the syscall's result. */
export interface Blocked {
  poll(): number | undefined;
  /** Monotonic ns at which poll() will succeed by itself (sleeps, timeouts): lets an idle kernel skip ahead. */
  deadline?: bigint;
  /** Called when a signal interrupts the wait; returns the syscall result (usually -EINTR). */
  interrupt?(): number;
  /** True for waits that a signal handler installed with SA_RESTART must not restart (sleeps, poll, sigsuspend). */
  noRestart?: boolean;
}

export type ThreadState = "runnable" | "blocked" | "dead";

export class Thread {
  state: ThreadState = "runnable";
  block: Blocked | null = null;
  sigmask = 0n;
  pending = 0n;
  readonly pendingInfo = new Map<number, SigInfo>();
  /** set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken when the thread exits. */
  clearChildTid = 0;
  /** cpu.instret when the kernel last accounted this thread's instructions. */
  lastInstret = 0;
  /** The mask to restore once a handler runs after rt_sigsuspend/ppoll/pselect swapped in a temporary one. */
  savedMask: bigint | null = null;
  /** sigaltstack: the alternate signal stack (size 0: none). */
  altStack = { sp: 0, size: 0 };
  constructor(readonly tid: number, public proc: Process, public cpu: GuestCpu) {}
}

export interface ExitStatus {
  code: number;
  signal: number;
  core: boolean;
}

export class Process {
  pgid: number;
  threads: Thread[] = [];
  state: "live" | "zombie" = "live";
  exit: ExitStatus | null = null;
  readonly sigactions: SigAction[];
  pending = 0n;
  readonly pendingInfo = new Map<number, SigInfo>();
  /** Signal sent to the parent at exit (clone's low byte; SIGCHLD for fork). */
  exitSignal = SIGCHLD;
  /** Set by a successful execve (ends a vfork wait). */
  execed = false;
  /** Instructions retired by all of its threads (CPU-time clocks). */
  insns = 0;
  /** Session id (setsid); inherited at fork. */
  sid: number;
  /** File-mode creation mask (umask); inherited at fork. */
  umask = 0o022;
  /** The running program (/proc/self/exe) and the path it was started by. */
  exe: Inode | null = null;
  exePath = "";
  /** Instructions of waited-for children (getrusage RUSAGE_CHILDREN, times). */
  childInsns = 0;
  /** setitimer(ITIMER_REAL): SIGALRM when the monotonic clock reaches `at`, then every `interval` ns (0: once). */
  realTimer: { at: bigint; interval: bigint } | null = null;
  constructor(
    readonly pid: number,
    public ppid: number,
    public vm: AddressSpace,
    public fds: FdTable,
    public cwd: Inode,
  ) {
    this.pgid = pid;
    this.sid = pid;
    this.sigactions = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n }));
  }
  get liveThreads(): Thread[] {
    return this.threads.filter((t) => t.state !== "dead");
  }
}
