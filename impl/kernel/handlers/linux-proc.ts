// Linux process, signal, memory and time calls of k1 beyond the basic set (spec/linux.md): the
// start-up calls of a static C library, the waits a shell needs (rt_sigsuspend,
// rt_sigtimedwait_time64, ppoll_time64, pselect6_time64), sessions, resource use and limits.
import { constants } from "../../../generated/index.ts";
import { Errno, EAGAIN, EBADF, EFAULT, EINTR, EINVAL, ENOMEM, EPERM, ESRCH } from "../errno.ts";
import type { OpenFile } from "../fd.ts";
import type { Kernel } from "../kernel.ts";
import { NS_PER_INSN } from "../clock.ts";
import { PAGE_SIZE, pageUp } from "../machine.ts";
import type { Blocked, Process, Thread } from "../process.ts";
import { MASK64, NSIG, UNBLOCKABLE, bit, firstSignal } from "../signals.ts";
import type { SigInfo } from "../signals.ts";
import { clockNs } from "./time.ts";
import type { Ctx, Handler, SyscallResult } from "./types.ts";
import { randomBytes } from "./util.ts";

const R = constants.resources;
const { POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLWRNORM, FD_SETSIZE } = constants.poll;
const { MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP, MS_ASYNC, MS_INVALIDATE, MS_SYNC, MADV_DONTNEED } = constants.vm;
const NS = 1_000_000_000n;
/** Bytes of a signal set: NSIG bits (spec/signals.md). */
const SIGSET_SIZE = NSIG / 8;

// ---- identity and start-up

const zero: Handler = () => 0;
const getuid = zero, geteuid = zero, getgid = zero, getegid = zero;

const set_robust_list: Handler = (_ctx, _head, len) => {
  if (len !== 12) throw new Errno(EINVAL); // sizeof(struct robust_list_head) on rv32
  return 0;
};

const getgroups: Handler = (_ctx, size) => {
  if (size < 0) throw new Errno(EINVAL);
  return 0; // no supplementary groups
};

const UTS: Record<string, string> = {
  sysname: "Linux", nodename: "kiln", release: "6.1.0-kiln", version: "#1 kiln", machine: "riscv32", domainname: "(none)",
};

const uname: Handler = ({ k, t }, buf) => {
  const layout = k.struct("utsname");
  const out = new Uint8Array(layout.size);
  for (const f of layout.fields) {
    const s = new TextEncoder().encode(UTS[f.name] ?? "").subarray(0, f.size - 1);
    out.set(s, f.offset);
  }
  k.copyOut(t, buf, out);
  return 0;
};

const getrandom: Handler = ({ k, t }, buf, count, flags) => {
  if (flags & ~(R.GRND_NONBLOCK | R.GRND_RANDOM | R.GRND_INSECURE)) throw new Errno(EINVAL);
  if ((flags & (R.GRND_RANDOM | R.GRND_INSECURE)) === (R.GRND_RANDOM | R.GRND_INSECURE)) throw new Errno(EINVAL);
  // Linux fills up to 32 MiB per call and callers loop on a short count; kiln gives at most 1 KiB
  // per call (Linux's promise that up to 256 bytes never come back short still holds).
  const n = Math.min(count, 1024);
  k.copyOut(t, buf, randomBytes(k, n));
  return n;
};

const membarrier: Handler = (_ctx, cmd, flags) => {
  if (flags !== 0) throw new Errno(EINVAL);
  const supported = R.MEMBARRIER_CMD_GLOBAL | R.MEMBARRIER_CMD_PRIVATE_EXPEDITED | R.MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
  if (cmd === R.MEMBARRIER_CMD_QUERY) return supported;
  if (cmd & supported && (cmd & (cmd - 1)) === 0) return 0; // one hart: every barrier already holds
  throw new Errno(EINVAL);
};

/** The CPU has no instruction cache to flush (and fence.i is a no-op): only the flags are checked. */
const riscv_flush_icache: Handler = (_ctx, _start, _end, flags) => {
  if (flags & ~1) throw new Errno(EINVAL);
  return 0;
};

const sched_yield: Handler = () => 0;

function procOf(k: Kernel, p: Process, pid: number): Process {
  const q = pid === 0 ? p : k.procs.get(pid);
  if (!q || q.state !== "live") throw new Errno(ESRCH);
  return q;
}

/** One CPU: the mask has bit 0; the result is the kernel's mask size (one long). */
const sched_getaffinity: Handler = ({ k, t, p }, pid, len, mask) => {
  procOf(k, p, pid);
  if (len < 4 || len & 3) throw new Errno(EINVAL);
  k.copyOut(t, mask, new Uint8Array([1, 0, 0, 0]));
  return 4;
};

const getcpu: Handler = ({ k, t }, cpu, node) => {
  if (cpu) k.writeU32(t, cpu, 0);
  if (node) k.writeU32(t, node, 0);
  return 0;
};

// ---- prctl: names and the few flags C libraries and shells touch

const threadNames = new WeakMap<Thread, Uint8Array>();
const procFlags = new WeakMap<Process, { pdeathsig: number; dumpable: number }>();

const prctl: Handler = ({ k, t, p }, option, arg2) => {
  let f = procFlags.get(p);
  if (!f) procFlags.set(p, (f = { pdeathsig: 0, dumpable: 1 }));
  switch (option) {
    case R.PR_SET_NAME: {
      const name = Buffer.from(k.readString(t, arg2, 4096), "latin1").subarray(0, 15);
      threadNames.set(t, name);
      return 0;
    }
    case R.PR_GET_NAME: {
      const out = new Uint8Array(16);
      out.set(threadNames.get(t) ?? Buffer.from(p.exePath.slice(p.exePath.lastIndexOf("/") + 1), "latin1").subarray(0, 15));
      k.copyOut(t, arg2, out);
      return 0;
    }
    case R.PR_SET_PDEATHSIG:
      if (arg2 > NSIG) throw new Errno(EINVAL);
      f.pdeathsig = arg2;
      return 0;
    case R.PR_GET_PDEATHSIG:
      k.writeU32(t, arg2, f.pdeathsig);
      return 0;
    case R.PR_GET_DUMPABLE:
      return f.dumpable;
    case R.PR_SET_DUMPABLE:
      if (arg2 > 1) throw new Errno(EINVAL);
      f.dumpable = arg2;
      return 0;
    default:
      throw new Errno(EINVAL);
  }
};

// ---- sessions

const getsid: Handler = ({ k, p }, pid) => procOf(k, p, pid).sid;

const setsid: Handler = ({ k, p }) => {
  if ([...k.procs.values()].some((q) => q.state === "live" && q.pgid === p.pid)) throw new Errno(EPERM);
  p.sid = p.pgid = p.pid;
  return p.pid;
};

// ---- resources

const limitsOf = new WeakMap<Process, Map<number, [bigint, bigint]>>();
const INF = (1n << 64n) - 1n;

function defaultLimit(k: Kernel, r: number): [bigint, bigint] {
  if (r === R.RLIMIT_NOFILE) return [BigInt(k.maxFds), BigInt(k.maxFds)];
  if (r === R.RLIMIT_STACK) return [8n << 20n, INF];
  if (r === R.RLIMIT_CORE) return [0n, INF];
  return [INF, INF];
}

/** Limits live with the process and pass to children made after they were set. */
function limits(p: Process): Map<number, [bigint, bigint]> {
  let m = limitsOf.get(p);
  if (!m) limitsOf.set(p, (m = new Map()));
  return m;
}

export function inheritLimits(parent: Process, child: Process): void {
  const m = limitsOf.get(parent);
  if (m) limitsOf.set(child, new Map(m));
}

const prlimit64: Handler = ({ k, t, p }, pid, resource, newp, oldp) => {
  const q = procOf(k, p, pid);
  if (resource >= R.RLIMIT_NLIMITS) throw new Errno(EINVAL);
  const m = limits(q);
  const cur = m.get(resource) ?? defaultLimit(k, resource);
  let next: [bigint, bigint] | null = null;
  if (newp) {
    const v = k.readStruct(t, "rlimit64", newp);
    next = [BigInt(v["rlim_cur"] ?? 0), BigInt(v["rlim_max"] ?? 0)];
    if (next[0] > next[1]) throw new Errno(EINVAL);
  }
  if (oldp) k.writeStruct(t, "rlimit64", oldp, { rlim_cur: cur[0], rlim_max: cur[1] });
  if (next) m.set(resource, next);
  return 0;
};

/** Instructions as time: 1 ns each (impl/kernel/kernel.ts). */
function usage(ns: bigint): { sec: number; usec: number } {
  return { sec: Number(ns / NS), usec: Number((ns % NS) / 1000n) };
}

function threadInsns(t: Thread): number {
  return Number(t.cpu.instret);
}

function procInsns(t: Thread): number {
  return t.proc.insns + Number(t.cpu.instret) - t.lastInstret;
}

/** A `rusage` for `insns` instructions of user time (waitid's rusage argument); nothing on a kernel ABI without the structure. */
export function writeUsage(k: Kernel, t: Thread, addr: number, insns: number): void {
  if (!k.dispatch.structs["rusage"]) return;
  const u = usage(BigInt(insns) * NS_PER_INSN);
  k.writeStruct(t, "rusage", addr, { "ru_utime.tv_sec": u.sec, "ru_utime.tv_usec": u.usec });
}

const getrusage: Handler = ({ k, t, p }, who, buf) => {
  let insns: number;
  if (who === R.RUSAGE_SELF) insns = procInsns(t);
  else if (who === R.RUSAGE_CHILDREN) insns = p.childInsns;
  else if (who === R.RUSAGE_THREAD) insns = threadInsns(t);
  else throw new Errno(EINVAL);
  const u = usage(BigInt(insns) * NS_PER_INSN);
  k.writeStruct(t, "rusage", buf, {
    "ru_utime.tv_sec": u.sec, "ru_utime.tv_usec": u.usec,
    ru_maxrss: Math.ceil(p.vm.mappedBytes() / 1024),
  });
  return 0;
};

const times: Handler = ({ k, t, p }, buf) => {
  const tick = NS / BigInt(R.CLK_TCK);
  const ticks = (insns: number): number => Number((BigInt(insns) * NS_PER_INSN) / tick) | 0;
  if (buf) k.writeStruct(t, "tms", buf, { tms_utime: ticks(procInsns(t)), tms_stime: 0, tms_cutime: ticks(p.childInsns), tms_cstime: 0 });
  return Number(k.monotonicNs() / tick) | 0;
};

const sysinfo: Handler = ({ k, t }, buf) => {
  const cap = k.opts.memoryCap ?? 512 * 1024 * 1024;
  const used = k.memoryUsed();
  k.writeStruct(t, "sysinfo", buf, {
    uptime: Number(k.monotonicNs() / NS), totalram: cap, freeram: Math.max(0, cap - used), procs: k.procs.size, mem_unit: 1,
  });
  return 0;
};

// ---- time

/** ITIMER_VIRTUAL and ITIMER_PROF: kept and read back, never fired (see spec/linux.md). */
const otherTimers = new WeakMap<Process, Map<number, { at: bigint; interval: bigint }>>();

function readTimeval(v: Record<string, number | bigint>, prefix: string): bigint {
  const sec = BigInt(v[`${prefix}.tv_sec`] ?? 0);
  const usec = BigInt(v[`${prefix}.tv_usec`] ?? 0);
  if (sec < 0n || usec < 0n || usec >= 1_000_000n) throw new Errno(EINVAL);
  return sec * NS + usec * 1000n;
}

function timerValues(k: Kernel, tm: { at: bigint; interval: bigint } | null | undefined): Record<string, number> {
  const left = tm ? (tm.at > k.monotonicNs() ? tm.at - k.monotonicNs() : 1000n) : 0n;
  const us = (ns: bigint): bigint => (ns + 999n) / 1000n; // Linux rounds up to a microsecond
  const iv = tm ? us(tm.interval) : 0n;
  const lv = us(left);
  return {
    "it_interval.tv_sec": Number(iv / 1_000_000n), "it_interval.tv_usec": Number(iv % 1_000_000n),
    "it_value.tv_sec": Number(lv / 1_000_000n), "it_value.tv_usec": Number(lv % 1_000_000n),
  };
}

function timerOf(p: Process, which: number): { at: bigint; interval: bigint } | null | undefined {
  if (which === R.ITIMER_REAL) return p.realTimer;
  if (which === R.ITIMER_VIRTUAL || which === R.ITIMER_PROF) return otherTimers.get(p)?.get(which);
  throw new Errno(EINVAL);
}

const getitimer: Handler = ({ k, t, p }, which, value) => {
  const tm = timerOf(p, which);
  k.writeStruct(t, "itimerval", value, timerValues(k, tm));
  return 0;
};

const setitimer: Handler = ({ k, t, p }, which, newValue, oldValue) => {
  const cur = timerOf(p, which);
  let next: { at: bigint; interval: bigint } | null = null;
  if (newValue) {
    const v = k.readStruct(t, "itimerval", newValue);
    const value = readTimeval(v, "it_value");
    const interval = readTimeval(v, "it_interval");
    if (value > 0n) next = { at: k.monotonicNs() + value, interval };
  }
  if (oldValue) k.writeStruct(t, "itimerval", oldValue, timerValues(k, cur));
  if (which === R.ITIMER_REAL) p.realTimer = next;
  else {
    let m = otherTimers.get(p);
    if (!m) otherTimers.set(p, (m = new Map()));
    if (next) m.set(which, next);
    else m.delete(which);
  }
  return 0;
};

const clock_getres_time64: Handler = ({ k, t }, clock, res) => {
  clockNs(k, t, clock); // EINVAL for an unknown clock
  if (res) k.writeStruct(t, "timespec64", res, { tv_sec: 0, tv_nsec: NS_PER_INSN });
  return 0;
};

function readTimeout(k: Kernel, t: Thread, addr: number): bigint {
  const v = k.readStruct(t, "timespec64", addr);
  const sec = BigInt(v["tv_sec"] ?? 0);
  const nsec = BigInt(BigInt.asIntN(32, BigInt(v["tv_nsec"] ?? 0)));
  if (sec < 0n || nsec < 0n || nsec >= NS) throw new Errno(EINVAL);
  return sec * NS + nsec;
}

// ---- signals

function readSigset(k: Kernel, t: Thread, addr: number): bigint {
  const layout = k.struct("sigset");
  const v = k.readStruct(t, "sigset", addr);
  return BigInt(v[layout.fields[0]!.name] ?? 0) & MASK64;
}

function writeSigset(k: Kernel, t: Thread, addr: number, set: bigint): void {
  const layout = k.struct("sigset");
  k.writeStruct(t, "sigset", addr, { [layout.fields[0]!.name]: set });
}

const rt_sigpending: Handler = ({ k, t, p }, set, size) => {
  if (size > SIGSET_SIZE) throw new Errno(EINVAL);
  writeSigset(k, t, set, (t.pending | p.pending) & t.sigmask);
  return 0;
};

/** Swaps in a temporary mask until the call ends; a handler that runs meanwhile restores the old one on return. */
function tempMask(t: Thread, mask: bigint): void {
  t.savedMask = t.sigmask;
  t.sigmask = mask & ~UNBLOCKABLE;
}

function endTempMask(t: Thread): void {
  if (t.savedMask !== null) {
    t.sigmask = t.savedMask;
    t.savedMask = null;
  }
}

const rt_sigsuspend: Handler = ({ k, t }, mask, size) => {
  if (size !== SIGSET_SIZE) throw new Errno(EINVAL);
  tempMask(t, readSigset(k, t, mask));
  return { poll: () => undefined, noRestart: true };
};

/** Takes the lowest pending signal of `set` off the thread or its process. */
function dequeue(t: Thread, set: bigint): { sig: number; info: SigInfo } | null {
  const p = t.proc;
  const m = (t.pending | p.pending) & set;
  if (m === 0n) return null;
  const sig = firstSignal(m);
  let info: SigInfo | undefined;
  if (t.pending & bit(sig)) {
    t.pending &= ~bit(sig);
    info = t.pendingInfo.get(sig);
    t.pendingInfo.delete(sig);
  } else {
    p.pending &= ~bit(sig);
    info = p.pendingInfo.get(sig);
    p.pendingInfo.delete(sig);
  }
  return { sig, info: info ?? { signo: sig, code: 0 } };
}

const rt_sigtimedwait_time64: Handler = ({ k, t }, setPtr, info, timeout, size) => {
  if (size !== SIGSET_SIZE) throw new Errno(EINVAL);
  const set = readSigset(k, t, setPtr) & ~UNBLOCKABLE;
  const ns = timeout ? readTimeout(k, t, timeout) : null;
  const take = (): number | undefined => {
    const got = dequeue(t, set);
    if (!got) return undefined;
    if (info) {
      try {
        k.writeStruct(t, "siginfo", info, k.siginfoValues(got.info));
      } catch {
        return -EFAULT;
      }
    }
    return got.sig;
  };
  const r = take();
  if (r !== undefined) return r;
  if (ns === 0n) throw new Errno(EAGAIN);
  const deadline = ns === null ? undefined : k.monotonicNs() + ns;
  const b: Blocked = {
    poll: () => take() ?? (deadline !== undefined && k.monotonicNs() >= deadline ? -EAGAIN : undefined),
    noRestart: true,
  };
  if (deadline !== undefined) b.deadline = deadline;
  return b;
};

const sigaltstack: Handler = ({ k, t }, ss, old) => {
  const { SS_ONSTACK, SS_DISABLE, MINSIGSTKSZ } = R;
  const sp = t.cpu.regs[2]! >>> 0;
  const alt = t.altStack;
  const on = alt.size > 0 && sp > alt.sp && sp <= alt.sp + alt.size;
  let next: { sp: number; size: number } | null = null;
  if (ss) {
    const v = k.readStruct(t, "stack_t", ss);
    const flags = Number(v["ss_flags"] ?? 0);
    if (on) throw new Errno(EPERM);
    if (flags & ~(SS_DISABLE | SS_ONSTACK | (1 << 31))) throw new Errno(EINVAL);
    if (flags & SS_DISABLE) next = { sp: 0, size: 0 };
    else {
      const size = Number(v["ss_size"] ?? 0);
      if (size < MINSIGSTKSZ) throw new Errno(ENOMEM);
      next = { sp: Number(v["ss_sp"] ?? 0) >>> 0, size };
    }
  }
  if (old) {
    k.writeStruct(t, "stack_t", old, {
      ss_sp: alt.sp, ss_size: alt.size, ss_flags: alt.size === 0 ? SS_DISABLE : on ? SS_ONSTACK : 0,
    });
  }
  if (next) t.altStack = next;
  return 0;
};

// ---- ppoll and pselect

/** What poll would report for one open file (POLLERR/POLLHUP are reported whatever was asked). */
function readiness(k: Kernel, f: OpenFile): number {
  switch (f.kind) {
    case "pipe": {
      const pipe = f.pipe!;
      let r = 0;
      if (f.readable) {
        if (pipe.length > 0) r |= POLLIN | POLLRDNORM;
        if (pipe.writers === 0) r |= POLLHUP;
      }
      if (f.writable) {
        if (pipe.readers === 0) r |= POLLERR;
        else if (pipe.space > 0) r |= POLLOUT | POLLWRNORM;
      }
      return r;
    }
    case "host":
      // Reading the host's stdin waits for the host (the machine stops meanwhile): always "ready".
      return f.hostFd === 0 ? POLLIN | POLLRDNORM : POLLOUT | POLLWRNORM;
    default:
      void k;
      return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
  }
}

function withTimeout(
  k: Kernel, t: Thread, timeout: number, mask: bigint | null, attempt: () => number | undefined, remaining: (left: bigint) => void,
): SyscallResult {
  const ns = timeout ? readTimeout(k, t, timeout) : null;
  if (mask !== null) tempMask(t, mask);
  const r = attempt();
  if (r !== undefined || ns === 0n) {
    endTempMask(t);
    if (ns !== null) remaining(ns);
    return r ?? 0;
  }
  const start = k.monotonicNs();
  const deadline = ns === null ? undefined : start + ns;
  const b: Blocked = {
    poll: () => {
      let v = attempt();
      if (v === undefined && deadline !== undefined && k.monotonicNs() >= deadline) v = 0;
      if (v === undefined) return undefined;
      endTempMask(t);
      if (deadline !== undefined) remaining(deadline > k.monotonicNs() ? deadline - k.monotonicNs() : 0n);
      return v;
    },
    interrupt: () => {
      if (deadline !== undefined) remaining(deadline > k.monotonicNs() ? deadline - k.monotonicNs() : 0n);
      return -EINTR; // the temporary mask stays until the handler has run
    },
    noRestart: true,
  };
  if (deadline !== undefined) b.deadline = deadline;
  return b;
}

function writeRemaining(k: Kernel, t: Thread, addr: number, left: bigint): void {
  try {
    k.writeStruct(t, "timespec64", addr, { tv_sec: left / NS, tv_nsec: left % NS });
  } catch {
    /* a read-only timeout is not an error once the wait is over */
  }
}

const ppoll_time64: Handler = ({ k, t, p }, fds, nfds, timeout, sigmask, size) => {
  if (nfds > k.maxFds) throw new Errno(EINVAL);
  const layout = k.struct("pollfd");
  const entries: { fd: number; events: number }[] = [];
  for (let i = 0; i < nfds; i++) {
    const v = k.readStruct(t, "pollfd", fds + i * layout.size);
    entries.push({ fd: Number(v["fd"] ?? -1), events: Number(v["events"] ?? 0) & 0xffff });
  }
  let mask: bigint | null = null;
  if (sigmask) {
    if (size !== SIGSET_SIZE) throw new Errno(EINVAL);
    mask = readSigset(k, t, sigmask);
  }
  const attempt = (): number | undefined => {
    let ready = 0;
    const revents = entries.map((e) => {
      if (e.fd < 0) return 0;
      if (!p.fds.has(e.fd)) return POLLNVAL;
      const r = readiness(k, p.fds.get(e.fd)) & (e.events | POLLERR | POLLHUP);
      return r;
    });
    for (const r of revents) if (r) ready++;
    if (ready === 0) return undefined;
    revents.forEach((r, i) => k.writeStruct(t, "pollfd", fds + i * layout.size, { fd: entries[i]!.fd, events: entries[i]!.events, revents: r }));
    return ready;
  };
  const zeroRevents = (): void => entries.forEach((e, i) => k.writeStruct(t, "pollfd", fds + i * layout.size, { fd: e.fd, events: e.events, revents: 0 }));
  const r = withTimeout(k, t, timeout, mask, attempt, (left) => timeout && writeRemaining(k, t, timeout, left));
  if (r === 0) zeroRevents();
  return r;
};

const pselect6_time64: Handler = ({ k, t, p }, nfds, rp, wp, ep, timeout, sigmaskArg) => {
  if (nfds < 0) throw new Errno(EINVAL);
  const n = Math.min(nfds, FD_SETSIZE);
  const words = Math.ceil(n / 32);
  const readSet = (addr: number): number[] => (addr ? Array.from({ length: words }, (_, i) => k.readU32(t, addr + i * 4)) : []);
  const sets = [readSet(rp), readSet(wp), readSet(ep)];
  const has = (s: number[], fd: number): boolean => s.length > 0 && ((s[fd >> 5]! >>> (fd & 31)) & 1) === 1;
  for (let fd = 0; fd < n; fd++) if (sets.some((s) => has(s, fd)) && !p.fds.has(fd)) throw new Errno(EBADF);
  let mask: bigint | null = null;
  if (sigmaskArg) {
    // The sixth argument points at { const sigset_t *ss; size_t ss_len; }.
    const ss = k.readU32(t, sigmaskArg);
    const len = k.readU32(t, sigmaskArg + 4);
    if (ss) {
      if (len !== SIGSET_SIZE) throw new Errno(EINVAL);
      mask = readSigset(k, t, ss);
    }
  }
  const out = (): number[][] => [0, 1, 2].map(() => new Array<number>(words).fill(0));
  let result = out();
  const attempt = (): number | undefined => {
    const res = out();
    let count = 0;
    for (let fd = 0; fd < n; fd++) {
      if (!sets.some((s) => has(s, fd))) continue;
      const r = readiness(k, p.fds.get(fd));
      const hits = [
        has(sets[0]!, fd) && r & (POLLIN | POLLHUP | POLLERR),
        has(sets[1]!, fd) && r & (POLLOUT | POLLERR),
        has(sets[2]!, fd) && false,
      ];
      hits.forEach((h, i) => {
        if (h) { res[i]![fd >> 5]! |= 1 << (fd & 31); count++; }
      });
    }
    if (count === 0) return undefined;
    result = res;
    return count;
  };
  const r = withTimeout(k, t, timeout, mask, attempt, (left) => timeout && writeRemaining(k, t, timeout, left));
  const writeSets = (): void => {
    [rp, wp, ep].forEach((addr, i) => {
      if (!addr) return;
      result[i]!.forEach((w, j) => k.writeU32(t, addr + j * 4, w >>> 0));
    });
  };
  if (typeof r === "number") {
    writeSets();
    return r;
  }
  if (typeof r !== "object") return r;
  const inner = r;
  return {
    ...inner,
    poll: () => {
      const v = inner.poll();
      if (v !== undefined && v >= 0) writeSets();
      return v;
    },
  };
};

// ---- memory

const mremap: Handler = ({ p }, oldAddr, oldSize, newSize, flags, newAddr) => {
  if (oldAddr % PAGE_SIZE) throw new Errno(EINVAL);
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) throw new Errno(EINVAL);
  if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) throw new Errno(EINVAL);
  if (flags & MREMAP_DONTUNMAP) throw new Errno(EINVAL); // anonymous private only, and kiln does not keep the old pages
  if (newSize === 0) throw new Errno(EINVAL);
  const vm = p.vm;
  const oldLen = pageUp(oldSize);
  const newLen = pageUp(newSize);
  if (oldLen === 0 || !vm.mem.isRangeMapped(oldAddr, oldLen, 0)) throw new Errno(EFAULT);
  const perms = vm.mem.permsAt(oldAddr) ?? 0;
  if (!(flags & MREMAP_FIXED)) {
    if (newLen <= oldLen) {
      if (newLen < oldLen) vm.mem.unmap(oldAddr + newLen, oldLen - newLen);
      return oldAddr | 0;
    }
    if (oldAddr + newLen <= 0x7fff_f000 && vm.isFree(oldAddr + oldLen, newLen - oldLen)) {
      vm.map(oldAddr + oldLen, newLen - oldLen, perms);
      return oldAddr | 0;
    }
    if (!(flags & MREMAP_MAYMOVE)) throw new Errno(ENOMEM);
  }
  let at: number;
  if (flags & MREMAP_FIXED) {
    if (newAddr % PAGE_SIZE) throw new Errno(EINVAL);
    if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) throw new Errno(EINVAL);
    at = newAddr;
  } else {
    at = vm.findFree(newLen);
  }
  const data = vm.mem.readBytes(oldAddr, Math.min(oldLen, newLen));
  if (!data) throw new Errno(EFAULT);
  vm.map(at, newLen, perms);
  vm.mem.writeBytes(at, data, true);
  vm.mem.unmap(oldAddr, oldLen);
  return at | 0;
};

const msync: Handler = ({ p }, addr, len, flags) => {
  if (addr % PAGE_SIZE || flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) throw new Errno(EINVAL);
  if (flags & MS_ASYNC && flags & MS_SYNC) throw new Errno(EINVAL);
  if (len && !p.vm.mem.isRangeMapped(addr, pageUp(len), 0)) throw new Errno(ENOMEM);
  return 0;
};

const madvise: Handler = ({ p }, addr, len, advice) => {
  if (addr % PAGE_SIZE || advice < 0) throw new Errno(EINVAL);
  if (len === 0) return 0;
  const size = pageUp(len);
  if (!p.vm.mem.isRangeMapped(addr, size, 0)) throw new Errno(ENOMEM);
  // MADV_DONTNEED on a private mapping: the pages read as zero afterwards (what allocators rely on).
  // Each page is dropped and mapped afresh with its permissions.
  if (advice === MADV_DONTNEED) {
    for (let a = addr; a < addr + size; a += PAGE_SIZE) {
      const perms = p.vm.mem.permsAt(a) ?? 0;
      p.vm.mem.unmap(a, PAGE_SIZE);
      p.vm.mem.map(a, PAGE_SIZE, perms);
    }
  }
  return 0;
};

export const linuxProcHandlers: Record<string, Handler> = {
  getuid, geteuid, getgid, getegid, set_robust_list, getgroups, uname, getrandom, membarrier, riscv_flush_icache,
  sched_yield, sched_getaffinity, getcpu, getsid, setsid, prlimit64, getrusage, times, sysinfo, clock_getres_time64,
  prctl, getitimer, setitimer, rt_sigpending, rt_sigsuspend, rt_sigtimedwait_time64, sigaltstack, ppoll_time64, pselect6_time64, mremap, msync, madvise,
};

export type { Ctx };
