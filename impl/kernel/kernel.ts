// The kernel: processes and threads, a deterministic round-robin scheduler (a fixed quantum of
// retired instructions), syscall dispatch from a generated KernelDispatch, signal delivery and
// the limits that keep a guest from hanging or exhausting the host.
import type { KernelDispatch, StructLayout, SyscallRow } from "../../gen/types.ts";
import { readElf } from "../elf/read.ts";
import { ElfError } from "../elf/types.ts";
import type { ElfFile } from "../elf/types.ts";
import { buildTable, decodeArgs } from "./dispatch.ts";
import type { Entry } from "./dispatch.ts";
import { Errno, EFAULT, ENAMETOOLONG, ENOENT, ENOSYS, ENOMEM, ENOTDIR, EINTR } from "./errno.ts";
import { FdTable, OpenFile, O_RDONLY, O_WRONLY } from "./fd.ts";
import { handlers as defaultHandlers } from "./handlers/index.ts";
import { NORETURN } from "./handlers/types.ts";
import type { Ctx, Handler } from "./handlers/types.ts";
import { decodeStruct, encodeStruct } from "./layout.ts";
import type { FieldValues } from "./layout.ts";
import { LoadError, SIGTRAMP_ADDR, STACK_TOP, loadSegments, trampolineCode } from "./loader.ts";
import { PAGE_SIZE, PERM_R, PERM_X } from "./machine.ts";
import type { GuestCpu, GuestMemory, Machine } from "./machine.ts";
import type { FramePool } from "../cpu/memory.ts";
import { Process, Thread } from "./process.ts";
import type { ExitStatus } from "./process.ts";
import {
  BUS_ADRALN, CLD_DUMPED, CLD_EXITED, CLD_KILLED, ILL_ILLOPC, SA_NODEFER, SA_RESETHAND, SEGV_ACCERR, SEGV_MAPERR,
  NSIG, SIGBUS, SIGILL, SIGKILL, SIGSEGV, SIGTRAP, SIG_DFL, SIG_IGN, TRAP_BRKPT, UNBLOCKABLE, bit, defaultAction, firstSignal,
  SA_ONSTACK, SA_RESTART, SIGALRM, SIGCHLD, SI_KERNEL,
} from "./signals.ts";
import type { SigInfo } from "./signals.ts";
import {
  AT_BASE, AT_EGID, AT_ENTRY, AT_EUID, AT_FLAGS, AT_GID, AT_HWCAP, AT_CLKTCK, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM,
  AT_SECURE, AT_UID, buildInitialStack,
} from "./stack.ts";
import type { Auxv } from "./stack.ts";
import { hostStdio } from "./stdio.ts";
import type { Stdio } from "./stdio.ts";
import { Vfs, guestBytes } from "./vfs.ts";
import type { Inode } from "./vfs.ts";
import { AddressSpace, pageCharge, pageWork, spaceCharge } from "./vm.ts";
import { newCpuMachine } from "./cpu-machine.ts";
import { NS_PER_INSN, RDTIME_DIVISOR } from "./clock.ts";
import { deferSignals, imageStarted, layerLoaderHook, threadExited } from "./layered.ts";
import { constants } from "../../generated/index.ts";

const { SYSCALL_COST, WAIT_COST, COPY_COST, INTERNAL_STATUS: STATUS_INTERNAL } = constants.limits;
const { AT_FDCWD } = constants.files;
/** Host work of copying `len` bytes between guest memory and the kernel. */
const copyWork = (len: number): number => Math.ceil(len / 1024) * COPY_COST;

const layerHook = layerLoaderHook();

/** Deterministic CLOCK_REALTIME origin: 2000-01-01T00:00:00Z (unless hostRealtime). */
export const REALTIME_EPOCH_NS = 946_684_800n * 1_000_000_000n;
/** misa-style letters I, M, A. */
const HWCAP_IMA = (1 << 8) | (1 << 12) | (1 << 0);

/** What the layer engineer's loader hook sees (and may change) while a program is loaded. */
export interface LoadContext {
  readonly kernel: Kernel;
  readonly elf: ElfFile;
  readonly image: Uint8Array;
  readonly mem: GuestMemory;
  readonly vm: AddressSpace;
  readonly cpu: GuestCpu;
  readonly argv: readonly string[];
  readonly envp: readonly string[];
  /** Extra auxv entries go here (before AT_RANDOM/AT_EXECFN/AT_NULL). */
  readonly auxv: Auxv;
  /** Where the first instruction runs; a hook may point it into the layer. */
  entry: number;
}
/** Runs after the segments, stack area and trampoline are mapped, before the initial stack is written. Throw LoadError to refuse. */
export type LoaderHook = (ctx: LoadContext) => void;

export interface KernelOptions {
  dispatch: KernelDispatch;
  machine?: Machine;
  stdio?: Stdio;
  vfs?: Vfs;
  /** CLOCK_REALTIME from the host clock instead of the deterministic epoch. */
  hostRealtime?: boolean;
  /** Total instructions (all threads) before the run stops with kind "limit". */
  maxInsns?: number;
  /** Instructions a thread runs before the scheduler switches (default 10000). */
  quantum?: number;
  /** Bytes of guest memory mapped across all processes (default 512 MiB). */
  memoryCap?: number;
  maxProcesses?: number;
  maxThreads?: number;
  maxFds?: number;
  /** Seed of the AT_RANDOM bytes. */
  seed?: number;
  loaderHooks?: LoaderHook[];
  /** Extra or replacement handlers by name (tests, the layer). */
  handlers?: Record<string, Handler>;
  /** Called with one line per syscall (strace-like). */
  trace?: (line: string) => void;
  /** Called after every dispatched syscall with its row, decoded arguments and result (`kiln run --strace`). */
  onSyscall?: (t: Thread, row: Pick<SyscallRow, "id" | "args" | "ret">, args: readonly number[], result: number | "blocked" | "noreturn") => void;
  /** Called when a thread's CPU stops on its entry watch (impl/cpu Cpu.watch; harness/trace.ts). */
  onWatch?: (t: Thread) => void;
}

export type RunOutcome =
  | { kind: "exited"; code: number }
  | { kind: "signaled"; signal: number; core: boolean }
  | { kind: "limit"; reason: "insns" | "deadlock" | "internal"; message: string };

export interface RunResult {
  outcome: RunOutcome;
  /** Shell-style status: exit code, 128+signal, 123 for an internal kernel error, 124 for the instruction limit, 125 for deadlock. */
  status: number;
  /** Instructions retired by all threads. */
  insns: number;
  /** Host work charged to the budget besides them (spec/limits.md), in instruction units. */
  hostWork: number;
}

interface FutexWaiter {
  mem: GuestMemory;
  addr: number;
  bitset: number;
  thread: Thread;
  woken: boolean;
}

/** Shell-style status of each limit outcome (123: internal kernel error, see spec/errors.md). */
const INTERNAL_STATUS = { insns: 124, deadlock: 125, internal: STATUS_INTERNAL } as const;

export class Kernel {
  readonly dispatch: KernelDispatch;
  readonly vfs: Vfs;
  readonly stdio: Stdio;
  readonly machine: Machine;
  readonly opts: KernelOptions;
  readonly procs = new Map<number, Process>();
  /** Live threads in creation order: the round-robin order. */
  threads: Thread[] = [];
  readonly futexWaiters: FutexWaiter[] = [];
  readonly maxFds: number;
  private readonly table: Map<number, Entry>;
  /** Every handler by name (the defaults and opts.handlers): messages on the ring find theirs here. */
  readonly handlers: Readonly<Record<string, Handler>>;
  private nextId = 1;
  private rr = 0;
  private init: Process | null = null;
  private result: RunOutcome | null = null;
  /** Instructions retired (all threads) and virtual time skipped while everyone slept. */
  insns = 0;
  /** Host work done for the guest, in budget units (spec/limits.md): counts against maxInsns, not the clocks. */
  hostWork = 0;
  private idleNs = 0n;
  private running: Thread | null = null;
  private execCount = 0;
  /** The row id of the call being run, for the one-line internal error. */
  private lastCall = "";

  constructor(opts: KernelOptions) {
    this.opts = opts;
    this.dispatch = opts.dispatch;
    this.stdio = opts.stdio ?? hostStdio;
    this.vfs = opts.vfs ?? new Vfs({ now: () => this.realtimeNs() });
    // one frame pool for guest memory and file data: what one frees, the other reuses
    this.machine = opts.machine ?? newCpuMachine(this.vfs.pool);
    this.maxFds = opts.maxFds ?? 256;
    this.handlers = { ...defaultHandlers, ...(opts.handlers ?? {}) };
    this.table = buildTable(opts.dispatch, this.handlers);
    this.vfs.reserve = (bytes) => this.chargeMemory(bytes);
    this.vfs.addDevices();
  }

  // ------------------------------------------------------------------ clocks

  /** CLOCK_MONOTONIC in ns: retired instructions (including the running slice) plus skipped idle time. */
  monotonicNs(): bigint {
    let n = this.insns;
    const t = this.running;
    if (t) n += Number(t.cpu.instret) - t.lastInstret;
    return BigInt(n) * NS_PER_INSN + this.idleNs;
  }

  realtimeNs(): bigint {
    if (this.opts.hostRealtime) return BigInt(Date.now()) * 1_000_000n;
    return REALTIME_EPOCH_NS + this.monotonicNs();
  }

  // ------------------------------------------------------------------ structures

  struct(name: string): StructLayout {
    const s = this.dispatch.structs[name];
    if (!s) throw new Error(`kernel ABI ${this.dispatch.version} has no structure '${name}'`);
    return s;
  }

  encode(name: string, values: FieldValues): Uint8Array {
    return encodeStruct(this.struct(name), values, this.dispatch.structs);
  }

  writeStruct(t: Thread, name: string, addr: number, values: FieldValues): void {
    this.copyOut(t, addr, encodeStruct(this.struct(name), values, this.dispatch.structs));
  }

  readStruct(t: Thread, name: string, addr: number): Record<string, number | bigint> {
    const layout = this.struct(name);
    return decodeStruct(layout, this.copyIn(t, addr, layout.size), this.dispatch.structs);
  }

  // ------------------------------------------------------------------ user memory

  /** Copies guest memory in; EFAULT unless all of it is readable (the stack grows on demand). */
  copyIn(t: Thread, addr: number, len: number): Uint8Array {
    const vm = t.proc.vm;
    this.hostWork += copyWork(len);
    let b = vm.mem.readBytes(addr, len);
    if (b === null && vm.growStack(addr, len)) b = vm.mem.readBytes(addr, len);
    if (b === null) throw new Errno(EFAULT);
    return b;
  }

  copyOut(t: Thread, addr: number, bytes: Uint8Array): void {
    const vm = t.proc.vm;
    this.hostWork += copyWork(bytes.length);
    if (vm.mem.writeBytes(addr, bytes)) return;
    if (vm.growStack(addr, bytes.length) && vm.mem.writeBytes(addr, bytes)) return;
    throw new Errno(EFAULT);
  }

  readU32(t: Thread, addr: number): number {
    const b = this.copyIn(t, addr, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  writeU32(t: Thread, addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.copyOut(t, addr, b);
  }

  /** NUL-terminated string of at most `max` bytes, as a byte string (one char per byte); EFAULT if unreadable, ENAMETOOLONG if too long. */
  readString(t: Thread, addr: number, max = 4096, tooLong = ENAMETOOLONG): string {
    const mem = t.proc.vm.mem;
    const bytes: Uint8Array[] = [];
    let total = 0;
    let a = addr >>> 0;
    for (;;) {
      const n = PAGE_SIZE - (a % PAGE_SIZE);
      const chunk = mem.readBytes(a, n);
      if (chunk === null) throw new Errno(EFAULT);
      const z = chunk.indexOf(0);
      const part = z >= 0 ? chunk.subarray(0, z) : chunk;
      bytes.push(part);
      total += part.length;
      if (total > max) throw new Errno(tooLong);
      if (z >= 0) break;
      a += n;
      if (a > 0xffffffff) throw new Errno(EFAULT);
    }
    // Names are byte strings (spec/limits.md): one char per byte, never UTF-8 decoded, so two
    // different byte strings never alias one file.
    return Buffer.concat(bytes).toString("latin1");
  }

  // ------------------------------------------------------------------ processes

  newId(): number {
    return this.nextId++;
  }

  /** Charges `bytes` of fresh mappings to the kernel-wide memory cap. */
  private charge = (bytes: number): void => this.chargeMemory(bytes);
  /** Charges host work to the run's budget. */
  readonly chargeWork = (units: number): void => {
    this.hostWork += units;
  };

  get memoryCap(): number {
    return this.opts.memoryCap ?? 512 * 1024 * 1024;
  }

  /**
   * Host memory the guests hold now (spec/limits.md): every live address space, the file data,
   * directory entries and pipe buffers they made.
   */
  memoryUsed(): number {
    const seen = new Set<GuestMemory>();
    let used = this.vfs.guestBytes() + this.pipeBytes;
    for (const p of this.procs.values()) {
      if (p.state === "live" && !seen.has(p.vm.mem)) {
        seen.add(p.vm.mem);
        used += spaceCharge(p.vm.mem);
      }
    }
    return used;
  }

  /** Throws ENOMEM unless `bytes` more may be held under the kernel-wide cap. */
  chargeMemory(bytes: number): void {
    if (bytes <= 0) return;
    if (this.memoryUsed() + bytes > this.memoryCap) throw new Errno(ENOMEM);
  }

  /** Bytes held by pipe buffers (kept by fd.ts's Pipe through the kernel's pipe account). */
  pipeBytes = 0;
  readonly pipeAccount = {
    hold: (bytes: number): void => {
      this.chargeMemory(bytes);
      this.pipeBytes += bytes;
    },
    free: (bytes: number): void => {
      this.pipeBytes -= bytes;
    },
    frames: (): FramePool => this.vfs.pool,
  };

  newAddressSpace(mem: GuestMemory): AddressSpace {
    return new AddressSpace(mem, this.charge, this.chargeWork);
  }

  /**
   * Loads an executable into a fresh address space and CPU, ready to run. Throws LoadError with a
   * one-line reason for anything that is not a runnable RV32 executable or does not fit.
   */
  prepareImage(image: Uint8Array, argv: readonly string[], envp: readonly string[], execfn: string): { vm: AddressSpace; cpu: GuestCpu } {
    let elf: ElfFile;
    try {
      elf = readElf(image);
    } catch (e) {
      if (e instanceof ElfError) throw new LoadError(e.message);
      throw e;
    }
    const mem = this.machine.newMemory();
    const vm = this.newAddressSpace(mem);
    try {
      const img = loadSegments(mem, elf, image, (n) => {
        this.charge(pageCharge(n));
        this.chargeWork(pageWork(n));
      });
      vm.brkStart = vm.brk = img.brk;
      const sigreturn = this.dispatch.syscalls.find((r) => r.handler === "rt_sigreturn");
      if (sigreturn) {
        if (!vm.isFree(SIGTRAMP_ADDR, PAGE_SIZE)) {
          throw new LoadError(`a PT_LOAD segment covers the signal trampoline page at 0x${SIGTRAMP_ADDR.toString(16)} (spec/loader.md)`);
        }
        vm.map(SIGTRAMP_ADDR, PAGE_SIZE, PERM_R | PERM_X);
        mem.writeBytes(SIGTRAMP_ADDR, trampolineCode(sigreturn.nr), true);
      }
      vm.mapStack();
      const cpu = this.machine.newCpu(mem);
      const auxv: Auxv = [
        [AT_HWCAP, HWCAP_IMA], [AT_PAGESZ, PAGE_SIZE], [AT_CLKTCK, 100],
        [AT_PHDR, img.phdr], [AT_PHENT, img.phent], [AT_PHNUM, img.phnum],
        [AT_BASE, 0], [AT_FLAGS, 0], [AT_ENTRY, img.entry],
        [AT_UID, 0], [AT_EUID, 0], [AT_GID, 0], [AT_EGID, 0], [AT_SECURE, 0],
      ];
      const ctx: LoadContext = { kernel: this, elf, image, mem, vm, cpu, argv, envp, auxv, entry: img.entry };
      for (const hook of [layerHook, ...(this.opts.loaderHooks ?? [])]) hook(ctx);
      const stack = buildInitialStack(STACK_TOP, argv, envp, auxv, this.randomBytes(), execfn);
      if (stack.base < vm.stackLow && !vm.growStack(stack.base, STACK_TOP - stack.base)) {
        throw new LoadError("arguments and environment do not fit on the stack");
      }
      mem.writeBytes(stack.base, stack.bytes);
      cpu.pc = ctx.entry >>> 0;
      cpu.regs[2] = stack.sp;
      return { vm, cpu };
    } catch (e) {
      if (e instanceof Errno && e.errno === ENOMEM) throw new LoadError("out of memory (memory cap reached while loading)");
      throw e;
    }
  }

  /** Deterministic AT_RANDOM bytes (xorshift from the seed and the exec count). */
  private randomBytes(): Uint8Array {
    let x = ((this.opts.seed ?? 0x6b696c6e) ^ (++this.execCount * 0x9e3779b9)) >>> 0 || 1;
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  }

  /**
   * Creates a process running `image` (the first one becomes init, pid 1, whose exit ends run()).
   * Descriptors 0-2 are the kernel's stdio. Throws LoadError.
   */
  spawn(image: Uint8Array, argv: readonly string[], envp: readonly string[] = [], opts: { cwd?: string } = {}): Process {
    // What the host put in the file system before the first program is not the guests' to pay for.
    if (!this.init) this.vfs.startAccounting();
    // Loading the first programs is the host's work, not the guest's (spec/limits.md).
    const work = this.hostWork;
    const { vm, cpu } = this.prepareImage(image, argv.map(guestBytes), envp.map(guestBytes), guestBytes(argv[0] ?? ""));
    this.hostWork = work;
    const fds = new FdTable(this.maxFds);
    fds.alloc(new OpenFile("host", O_RDONLY, null, null, 0));
    fds.alloc(new OpenFile("host", O_WRONLY, null, null, 1));
    fds.alloc(new OpenFile("host", O_WRONLY, null, null, 2));
    const cwd = opts.cwd ? this.vfs.lookup(this.vfs.root, guestBytes(opts.cwd)) : this.vfs.root;
    const p = new Process(this.newId(), this.init ? this.init.pid : 0, vm, fds, cwd);
    // /proc/self/exe: the program, which need not be in the guest's file system.
    p.exe = this.vfs.newNode("file", 0o755);
    this.vfs.setHostContents(p.exe, image);
    // as if a directory held it: closing it never frees the image (it is the host's, not charged)
    p.exe.nlink = 1;
    p.exePath = this.absolutePath(cwd, argv[0] ?? "");
    this.procs.set(p.pid, p);
    imageStarted(this, this.addThread(p, cpu, p.pid));
    this.init ??= p;
    return p;
  }

  addThread(p: Process, cpu: GuestCpu, tid = this.newId()): Thread {
    const t = new Thread(tid, p, cpu);
    t.lastInstret = Number(cpu.instret);
    cpu.timeSource = () => this.monotonicNs() / RDTIME_DIVISOR;
    p.threads.push(t);
    this.threads.push(t);
    return t;
  }

  liveProcessCount(): number {
    return this.procs.size;
  }

  /** Ends one thread; the last one ends its process with `status`. */
  exitThread(t: Thread, status: ExitStatus): void {
    const p = t.proc;
    if (p.liveThreads.length <= 1) {
      this.exitProcess(p, status);
      return;
    }
    this.killThread(t, true);
  }

  private killThread(t: Thread, clearTid: boolean): void {
    if (t.state === "dead") return;
    if (clearTid && t.clearChildTid) {
      // CLONE_CHILD_CLEARTID: zero the word and wake one futex waiter, as pthread_join expects.
      if (t.proc.vm.mem.writeBytes(t.clearChildTid, new Uint8Array(4))) this.futexWake(t.proc.vm.mem, t.clearChildTid, 1, 0xffffffff);
    }
    threadExited(t);
    t.state = "dead";
    t.block = null;
    this.threads = this.threads.filter((x) => x !== t);
    for (let i = this.futexWaiters.length - 1; i >= 0; i--) if (this.futexWaiters[i]!.thread === t) this.futexWaiters.splice(i, 1);
  }

  /** Kills every other thread of t's process (execve, exit_group). */
  killOtherThreads(t: Thread): void {
    for (const o of t.proc.threads) if (o !== t) this.killThread(o, false);
    t.proc.threads = [t];
  }

  exitProcess(p: Process, status: ExitStatus): void {
    if (p.state !== "live") return;
    for (const t of p.threads) this.killThread(t, true);
    p.threads = [];
    p.fds.closeAll();
    p.state = "zombie";
    p.exit = status;
    // A zombie keeps only its exit status: its memory is freed now, not when it is reaped, unless
    // a live process still shares it (vfork, CLONE_VM). init's exit ends the run: its memory stays
    // for whoever looks at the finished run (a tracer completing its last call).
    if (p !== this.init && ![...this.procs.values()].some((q) => q !== p && q.state === "live" && q.vm.mem === p.vm.mem)) p.vm.release();
    // Orphans go to init; an orphan zombie with no one to reap it is released.
    for (const c of this.procs.values()) {
      if (c.ppid === p.pid) {
        c.ppid = this.init && this.init !== p && this.init.state === "live" ? this.init.pid : 0;
        if (c.ppid === 0 && c.state === "zombie") this.procs.delete(c.pid);
      }
    }
    const parent = this.procs.get(p.ppid);
    if (!parent || parent.state !== "live") {
      if (p !== this.init) this.procs.delete(p.pid);
    } else if (p.exitSignal) {
      const act = parent.sigactions[p.exitSignal];
      if (p.exitSignal === SIGCHLD && act && act.handler === SIG_IGN) this.procs.delete(p.pid); // SIGCHLD ignored: auto-reap
      else this.sendSignal(parent, null, p.exitSignal, this.childInfo(p));
    }
    if (p === this.init) {
      this.result = status.signal ? { kind: "signaled", signal: status.signal, core: status.core } : { kind: "exited", code: status.code };
    }
  }

  /** The SIGCHLD siginfo of a finished child (waitid's view). */
  childInfo(c: Process): SigInfo {
    const e = c.exit!;
    return e.signal
      ? { signo: SIGCHLD, code: e.core ? CLD_DUMPED : CLD_KILLED, pid: c.pid, uid: 0, status: e.signal }
      : { signo: SIGCHLD, code: CLD_EXITED, pid: c.pid, uid: 0, status: e.code & 0xff };
  }

  siginfoValues(info: SigInfo): FieldValues {
    const v: FieldValues = { si_signo: info.signo, si_errno: 0, si_code: info.code };
    if (info.pid !== undefined) v["si_pid"] = info.pid;
    if (info.uid !== undefined) v["si_uid"] = info.uid;
    if (info.status !== undefined) v["si_status"] = info.status;
    // si_addr shares si_pid's offset (Linux's union); a layout without the field gets it there.
    if (info.addr !== undefined) v[this.struct("siginfo").fields.some((f) => f.name === "si_addr") ? "si_addr" : "si_pid"] = info.addr;
    return v;
  }

  // ------------------------------------------------------------------ signals

  /** Queues a signal for a process (thread = null) or one thread. Ignored signals are dropped now. */
  sendSignal(p: Process, thread: Thread | null, sig: number, info: SigInfo): void {
    // A number past the last signal is no signal (clone's exit signal may be any byte, as on Linux).
    if (p.state !== "live" || sig <= 0 || sig > NSIG) return;
    if (sig === SIGKILL) {
      this.exitProcess(p, { code: 0, signal: SIGKILL, core: false });
      return;
    }
    const act = p.sigactions[sig]!;
    const ignored = act.handler === SIG_IGN || (act.handler === SIG_DFL && ["ignore", "stop", "cont"].includes(defaultAction(sig)));
    // A blocked signal stays pending even if its action is to ignore it (Linux's sig_ignored):
    // sigtimedwait and sigpending see it, and the action is looked at again when it is delivered.
    const blocked = (thread ? [thread] : p.liveThreads).every((x) => (x.sigmask & bit(sig)) !== 0n);
    if (ignored && !(blocked && p.liveThreads.length > 0)) return;
    if (thread) {
      thread.pending |= bit(sig);
      if (!thread.pendingInfo.has(sig)) thread.pendingInfo.set(sig, info);
    } else {
      p.pending |= bit(sig);
      if (!p.pendingInfo.has(sig)) p.pendingInfo.set(sig, info);
    }
  }

  /** A synchronous fault signal: blocked or ignored means death, as Linux's force_sig does. */
  forceSignal(t: Thread, sig: number, info: SigInfo): void {
    const act = t.proc.sigactions[sig]!;
    if (act.handler === SIG_IGN || (t.sigmask & bit(sig)) !== 0n) {
      this.exitProcess(t.proc, { code: 0, signal: sig, core: defaultAction(sig) === "core" });
      return;
    }
    t.pending |= bit(sig);
    t.pendingInfo.set(sig, info);
    this.deliverSignals(t, true);
  }

  /** Forgets pending signals that are deliverable now but whose action is to ignore them (they interrupt nothing). */
  private dropIgnored(t: Thread): void {
    const p = t.proc;
    let m = this.deliverable(t);
    while (m !== 0n) {
      const sig = firstSignal(m);
      m &= ~bit(sig);
      const act = p.sigactions[sig]!;
      if (act.handler === SIG_IGN || (act.handler === SIG_DFL && ["ignore", "stop", "cont"].includes(defaultAction(sig)))) {
        t.pending &= ~bit(sig);
        p.pending &= ~bit(sig);
        t.pendingInfo.delete(sig);
        p.pendingInfo.delete(sig);
      }
    }
  }

  private deliverable(t: Thread): bigint {
    // nothing pending (the common case, checked between every slice): no BigInt arithmetic
    if (t.pending === 0n && t.proc.pending === 0n) return 0n;
    return (t.pending | t.proc.pending) & ~(t.sigmask & ~UNBLOCKABLE);
  }

  /**
   * Delivers one pending, unblocked signal to t (before it returns to user mode). Asynchronous
   * signals wait while the thread holds a critical section of the layer (spec/signals.md);
   * a forced fault signal never waits.
   */
  deliverSignals(t: Thread, forced = false): void {
    const p = t.proc;
    if (!forced && this.deliverable(t) !== 0n && deferSignals(this, t)) return;
    while (t.state !== "dead" && p.state === "live") {
      const mask = this.deliverable(t);
      if (mask === 0n) {
        // rt_sigsuspend/ppoll/pselect's temporary mask ends when no handler took it over.
        if (t.savedMask !== null) {
          t.sigmask = t.savedMask;
          t.savedMask = null;
        }
        return;
      }
      const sig = firstSignal(mask);
      let info: SigInfo;
      if (t.pending & bit(sig)) {
        t.pending &= ~bit(sig);
        info = t.pendingInfo.get(sig) ?? { signo: sig, code: 0 };
        t.pendingInfo.delete(sig);
      } else {
        p.pending &= ~bit(sig);
        info = p.pendingInfo.get(sig) ?? { signo: sig, code: 0 };
        p.pendingInfo.delete(sig);
      }
      const act = p.sigactions[sig]!;
      if (act.handler === SIG_IGN) continue;
      if (act.handler === SIG_DFL) {
        const d = defaultAction(sig);
        if (d === "term" || d === "core") {
          this.exitProcess(p, { code: 0, signal: sig, core: d === "core" });
          return;
        }
        continue; // ignore, stop and continue: no job control in kiln
      }
      if (!this.setupFrame(t, sig, info, act.handler, act.mask, act.flags)) {
        t.savedMask = null;
        this.exitProcess(p, { code: 0, signal: SIGSEGV, core: true });
        return;
      }
      if (act.flags & SA_RESETHAND) p.sigactions[sig] = { handler: SIG_DFL, flags: 0, mask: 0n };
      return;
    }
  }

  /**
   * Linux's RISC-V rt_sigframe: siginfo (128 bytes) then ucontext { uc_flags, uc_link, uc_stack[12],
   * uc_sigmask (8, padded to 128), uc_mcontext at +160: pc, x1..x31, then FP state (528) }.
   */
  static readonly UC_OFF = 128;
  static readonly UC_SIGMASK = 20;
  static readonly UC_MCONTEXT = 160;
  static readonly FRAME_SIZE = 128 + 816;

  private setupFrame(t: Thread, sig: number, info: SigInfo, handler: number, mask: bigint, flags: number): boolean {
    const cpu = t.cpu;
    // SA_ONSTACK: the frame goes on the alternate stack unless the thread is already on it.
    const sp = cpu.regs[2]! >>> 0;
    const alt = t.altStack;
    const onAlt = alt.size > 0 && sp > alt.sp && sp <= alt.sp + alt.size;
    const top = flags & SA_ONSTACK && alt.size > 0 && !onAlt ? (alt.sp + alt.size) >>> 0 : sp;
    const frame = ((top - Kernel.FRAME_SIZE) & ~15) >>> 0;
    const bytes = new Uint8Array(Kernel.FRAME_SIZE);
    const dv = new DataView(bytes.buffer);
    const si = encodeStruct(this.struct("siginfo"), this.siginfoValues(info), this.dispatch.structs);
    bytes.set(si.subarray(0, 128), 0);
    dv.setBigUint64(Kernel.UC_OFF + Kernel.UC_SIGMASK, t.savedMask ?? t.sigmask, true);
    const mc = Kernel.UC_OFF + Kernel.UC_MCONTEXT;
    dv.setUint32(mc, cpu.pc >>> 0, true);
    for (let i = 1; i < 32; i++) dv.setUint32(mc + i * 4, cpu.regs[i]! >>> 0, true);
    try {
      this.copyOut(t, frame >>> 0, bytes);
    } catch {
      return false;
    }
    if (t.savedMask !== null) {
      t.sigmask = t.savedMask;
      t.savedMask = null;
    }
    t.sigmask |= mask & ~UNBLOCKABLE;
    if (!(flags & SA_NODEFER)) t.sigmask |= bit(sig);
    cpu.regs[10] = sig;
    cpu.regs[11] = frame;
    cpu.regs[12] = frame + Kernel.UC_OFF;
    cpu.regs[1] = SIGTRAMP_ADDR | 0;
    cpu.regs[2] = frame;
    cpu.pc = handler >>> 0;
    return true;
  }

  /** rt_sigreturn: restores registers and mask from the frame at sp. */
  sigreturn(t: Thread): boolean {
    const cpu = t.cpu;
    const frame = cpu.regs[2]! >>> 0;
    const b = t.proc.vm.mem.readBytes(frame, Kernel.FRAME_SIZE);
    if (!b) return false;
    const dv = new DataView(b.buffer);
    const mc = Kernel.UC_OFF + Kernel.UC_MCONTEXT;
    cpu.pc = dv.getUint32(mc, true);
    for (let i = 1; i < 32; i++) cpu.regs[i] = dv.getInt32(mc + i * 4, true);
    t.sigmask = dv.getBigUint64(Kernel.UC_OFF + Kernel.UC_SIGMASK, true) & ~UNBLOCKABLE;
    return true;
  }

  // ------------------------------------------------------------------ futex

  futexWake(mem: GuestMemory, addr: number, n: number, bitset: number): number {
    let woken = 0;
    for (let i = 0; i < this.futexWaiters.length && woken < n; ) {
      const w = this.futexWaiters[i]!;
      if (w.mem === mem && w.addr === addr && (w.bitset & bitset) !== 0) {
        w.woken = true;
        this.futexWaiters.splice(i, 1);
        woken++;
      } else i++;
    }
    return woken;
  }

  futexWait(t: Thread, addr: number, bitset: number): FutexWaiter {
    const w: FutexWaiter = { mem: t.proc.vm.mem, addr, bitset, thread: t, woken: false };
    this.futexWaiters.push(w);
    return w;
  }

  futexRequeue(mem: GuestMemory, from: number, to: number, nWake: number, nMove: number): number {
    const woken = this.futexWake(mem, from, nWake, 0xffffffff);
    let moved = 0;
    for (const w of this.futexWaiters) {
      if (moved >= nMove) break;
      if (w.mem === mem && w.addr === from) { w.addr = to; moved++; }
    }
    return woken + moved;
  }

  cancelFutex(t: Thread): void {
    for (let i = this.futexWaiters.length - 1; i >= 0; i--) if (this.futexWaiters[i]!.thread === t) this.futexWaiters.splice(i, 1);
  }

  // ------------------------------------------------------------------ the run loop

  /** Runs until init exits, a limit is hit, or every thread is blocked for good. */
  run(): RunResult {
    const max = this.opts.maxInsns ?? Number.MAX_SAFE_INTEGER;
    while (!this.result) {
      if (this.insns + this.hostWork >= max) {
        const work = this.hostWork > 0 ? `; ${this.hostWork} of them host work (spec/limits.md)` : "";
        this.result = { kind: "limit", reason: "insns", message: `instruction limit reached (${max} instructions)${work}` };
        break;
      }
      this.fireTimers();
      const t = this.pickNext();
      if (!t) {
        if (!this.skipIdle()) {
          this.result = { kind: "limit", reason: "deadlock", message: "deadlock: every thread is blocked and none can be woken" };
        }
        continue;
      }
      try {
        this.runSlice(t, max);
      } catch (e) {
        this.result = this.internalError(e);
      }
    }
    const o = this.result;
    const status = o.kind === "exited" ? o.code & 0xff : o.kind === "signaled" ? 128 + o.signal : INTERNAL_STATUS[o.reason];
    return { outcome: o, status, insns: this.insns, hostWork: this.hostWork };
  }

  /**
   * The containment rule (spec/errors.md): a host exception that escapes a call is a kernel bug,
   * never the guest's way out. The run ends with one line and status 123; KILN_DEBUG=1 adds the
   * host stack to the message.
   */
  private internalError(e: unknown): RunOutcome {
    const err = e instanceof Error ? e : new Error(String(e));
    const where = this.lastCall ? ` in ${this.lastCall}` : "";
    const line = `internal kernel error${where}: ${err.message.split("\n")[0]}`;
    const debug = typeof process !== "undefined" && process.env?.["KILN_DEBUG"] ? `\n${err.stack ?? ""}` : "";
    return { kind: "limit", reason: "internal", message: line + debug };
  }

  /** The next runnable thread in round-robin order, waking blocked threads whose wait is over. */
  private pickNext(): Thread | null {
    const n = this.threads.length;
    for (let i = 0; i < n; i++) {
      const idx = (this.rr + i) % n;
      const t = this.threads[idx]!;
      if (t.state === "blocked") this.tryWake(t);
      if (t.state === "runnable") {
        this.rr = idx + 1;
        return t;
      }
    }
    return null;
  }

  private tryWake(t: Thread): void {
    const b = t.block!;
    let r: number | undefined;
    try {
      r = b.poll();
    } catch (e) {
      // A wait whose memory the guest changed meanwhile (a ring unmapped by another thread) ends
      // with the error, as the call would have returned it.
      if (!(e instanceof Errno)) throw e;
      r = -e.errno;
    }
    if (r !== undefined) {
      this.finishBlock(t, r);
      return;
    }
    this.dropIgnored(t);
    if (this.deliverable(t) !== 0n) {
      // Take a process-directed signal for this thread so no other sleeper is also interrupted.
      const sig = firstSignal(this.deliverable(t));
      if (!(t.pending & bit(sig))) {
        t.proc.pending &= ~bit(sig);
        t.pending |= bit(sig);
        const info = t.proc.pendingInfo.get(sig);
        t.proc.pendingInfo.delete(sig);
        if (info) t.pendingInfo.set(sig, info);
      }
      this.cancelFutex(t);
      let r: number;
      try {
        r = b.interrupt ? b.interrupt() : -EINTR;
      } catch (e) {
        if (!(e instanceof Errno)) throw e;
        r = -e.errno;
      }
      const act = t.proc.sigactions[sig]!;
      if (r === -EINTR && !b.noRestart && act.flags & SA_RESTART && act.handler !== SIG_DFL && act.handler !== SIG_IGN) {
        // SA_RESTART: the handler runs, then the call starts again (the ecall is re-executed).
        t.cpu.pc = (t.cpu.pc - 4) >>> 0;
        t.block = null;
        t.state = "runnable";
        return;
      }
      this.finishBlock(t, r);
    }
  }

  private finishBlock(t: Thread, r: number): void {
    t.cpu.regs[10] = r;
    t.block = null;
    t.state = "runnable";
  }

  /** setitimer(ITIMER_REAL): SIGALRM to every process whose timer is due (checked between slices). */
  private fireTimers(): void {
    let now: bigint | undefined;
    for (const p of this.procs.values()) {
      const tm = p.realTimer;
      if (!tm || p.state !== "live") continue;
      now ??= this.monotonicNs();
      if (now < tm.at) continue;
      if (tm.interval > 0n) tm.at += ((now - tm.at) / tm.interval + 1n) * tm.interval;
      else p.realTimer = null;
      this.sendSignal(p, null, SIGALRM, { signo: SIGALRM, code: SI_KERNEL });
    }
  }

  /** Nothing can run: jump the clock to the earliest sleeper's deadline (or interval timer). */
  private skipIdle(): boolean {
    let best: bigint | undefined;
    for (const t of this.threads) {
      const d = t.block?.deadline;
      if (d !== undefined && (best === undefined || d < best)) best = d;
    }
    for (const p of this.procs.values()) {
      const d = p.realTimer?.at;
      if (d !== undefined && p.state === "live" && (best === undefined || d < best)) best = d;
    }
    if (best === undefined) return false;
    const now = this.monotonicNs();
    if (best > now) this.idleNs += best - now;
    return true;
  }

  private runSlice(t: Thread, max: number): void {
    const quantum = this.opts.quantum ?? 10_000;
    let left = quantum;
    t.cpu.clearReservation();
    this.running = t;
    try {
      this.deliverSignals(t);
      while (left > 0 && t.state === "runnable" && !this.result) {
        const budget = Math.min(left, max - this.insns - this.hostWork);
        if (budget <= 0) return;
        const cpu = t.cpu; // execve replaces it
        const exit = cpu.run(budget);
        const now = Number(cpu.instret);
        const used = now - t.lastInstret;
        t.lastInstret = now;
        this.insns += used;
        t.proc.insns += used;
        // A watch exit (a tracer's Cpu.watch) changes nothing: no quantum charge beyond what
        // retired and no signal delivery, so a traced run schedules exactly like an untraced one.
        if (exit.kind === "watch") {
          left -= used;
          this.opts.onWatch?.(t);
          continue;
        }
        left -= Math.max(used, 1);
        switch (exit.kind) {
          case "budget":
            break;
          case "ecall":
            this.syscall(t);
            break;
          case "ebreak":
            this.forceSignal(t, SIGTRAP, { signo: SIGTRAP, code: TRAP_BRKPT, addr: cpu.pc >>> 0 });
            break;
          case "fault":
            this.fault(t, exit.cause, exit.addr, exit.pc);
            break;
        }
        if (t.state === "runnable") this.deliverSignals(t);
      }
    } finally {
      this.running = null;
    }
  }

  private fault(t: Thread, cause: string, addr: number, pc: number): void {
    const vm = t.proc.vm;
    if ((cause === "load" || cause === "store") && !vm.mem.permsAt(addr) && vm.growStack(addr)) {
      t.cpu.pc = pc; // stack grown: retry the access
      return;
    }
    switch (cause) {
      case "illegal":
        this.forceSignal(t, SIGILL, { signo: SIGILL, code: ILL_ILLOPC, addr: pc });
        break;
      case "misaligned-fetch":
        this.forceSignal(t, SIGBUS, { signo: SIGBUS, code: BUS_ADRALN, addr });
        break;
      default:
        this.forceSignal(t, SIGSEGV, { signo: SIGSEGV, code: vm.mem.permsAt(addr) ? SEGV_ACCERR : SEGV_MAPERR, addr });
    }
  }

  private syscall(t: Thread): void {
    const cpu = t.cpu;
    const regs = cpu.regs;
    const nr = regs[17]! >>> 0;
    cpu.pc = (cpu.pc + 4) >>> 0;
    this.hostWork += SYSCALL_COST;
    const e = this.table.get(nr);
    if (!e || !e.fn) {
      regs[10] = -ENOSYS;
      this.opts.trace?.(`[${t.tid}] syscall ${nr} = -ENOSYS`);
      return;
    }
    const args = decodeArgs(e, regs);
    const ctx: Ctx = { k: this, t, p: t.proc, row: e.row };
    this.lastCall = `${this.dispatch.version}.${e.row.id}`;
    let r;
    try {
      r = e.fn(ctx, ...args);
    } catch (err) {
      if (!(err instanceof Errno)) throw err;
      r = -err.errno;
    }
    this.opts.onSyscall?.(t, e.row, args, typeof r === "number" ? r : r === NORETURN ? "noreturn" : "blocked");
    this.lastCall = "";
    if (this.opts.trace) {
      const shown = typeof r === "number" ? String(r) : r === NORETURN ? "?" : "<blocked>";
      this.opts.trace(`[${t.tid}] ${e.row.id}(${args.map((a) => (a > 0xffff ? "0x" + (a >>> 0).toString(16) : String(a))).join(", ")}) = ${shown}`);
    }
    if (typeof r === "number") regs[10] = r;
    else if (r !== NORETURN && t.state !== "dead") {
      this.hostWork += WAIT_COST;
      t.state = "blocked";
      t.block = r;
    }
  }

  /** `name` made absolute against the directory `cwd`, with "." and ".." folded. */
  absolutePath(cwd: Inode, name: string): string {
    const parts = (name.startsWith("/") ? name : `${this.vfs.pathOf(cwd)}/${name}`).split("/");
    const out: string[] = [];
    for (const s of parts) {
      if (s === "" || s === ".") continue;
      if (s === "..") out.pop();
      else out.push(s);
    }
    return "/" + out.join("/");
  }

  /**
   * The process a `/proc/self/…` or `/proc/PID/…` path names, and the rest of the path; null for
   * any other path. kiln's /proc has only `exe`: a link to the running program.
   */
  procPath(p: Process, name: string): { proc: Process; rest: string } | null {
    const m = /^\/+proc\/+(self|\d+)\/+(.*?)\/*$/.exec(name);
    if (!m) return null;
    const proc = m[1] === "self" ? p : this.procs.get(Number(m[1]));
    if (!proc || proc.state !== "live") throw new Errno(ENOENT);
    return { proc, rest: m[2]! };
  }

  /**
   * Resolves a path for a *at() call: /proc/self/exe (followed) is the running program's file;
   * everything else is the VFS's lookup from `dirfd`.
   */
  resolve(p: Process, dirfd: number, name: string, follow = true): Inode {
    const proc = this.procPath(p, name);
    if (proc) {
      if (proc.rest !== "exe" || !proc.proc.exe) throw new Errno(ENOENT);
      if (follow) return proc.proc.exe;
      const link = this.vfs.newNode("symlink", 0o777);
      link.target = proc.proc.exePath;
      link.size = Buffer.byteLength(link.target);
      return link;
    }
    if (name.length === 0) throw new Errno(ENOENT);
    return this.vfs.lookup(name.startsWith("/") ? this.vfs.root : this.dirFor(p, dirfd), name, follow);
  }

  /** The current directory inode of a process (AT_FDCWD), or of an fd for *at() calls. */
  dirFor(p: Process, dirfd: number): Inode {
    if (dirfd === AT_FDCWD) return p.cwd;
    const f = p.fds.get(dirfd);
    if (!f.inode || !f.inode.isDir) throw new Errno(ENOTDIR);
    return f.inode;
  }
}
