// Processes and threads: exit, exit_group, getpid/getppid/gettid, setpgid/getpgid, set_tid_address,
// clone (fork, vfork and threads), execve, waitid, kill and tgkill.
import { constants } from "../../../generated/index.ts";
import { Errno, E2BIG, EACCES, EAGAIN, ECHILD, EINVAL, ELOOP, ENOEXEC, ENOMEM, EPERM, ESRCH } from "../errno.ts";
import { cloned, imageStarted } from "../layered.ts";
import { LoadError } from "../loader.ts";
import { pageWork, spaceCharge } from "../vm.ts";
import { RDTIME_DIVISOR } from "../clock.ts";
import type { Process, Thread } from "../process.ts";
import { Process as ProcessClass } from "../process.ts";
import { NSIG, SIG_DFL, SIG_IGN, SI_TKILL, SI_USER } from "../signals.ts";
import { NORETURN } from "./types.ts";
import { inheritLimits, writeUsage } from "./linux-proc.ts";
import type { Ctx, Handler } from "./types.ts";

const exit: Handler = ({ k, t }, status) => {
  k.exitThread(t, { code: status & 0xff, signal: 0, core: false });
  return NORETURN;
};

const exit_group: Handler = ({ k, p }, status) => {
  k.exitProcess(p, { code: status & 0xff, signal: 0, core: false });
  return NORETURN;
};

const getpid: Handler = ({ p }) => p.pid;
const getppid: Handler = ({ p }) => p.ppid;
const gettid: Handler = ({ t }) => t.tid;

const set_tid_address: Handler = ({ t }, tidptr) => {
  t.clearChildTid = tidptr;
  return t.tid;
};

const setpgid: Handler = ({ k, p }, pid, pgid) => {
  if (pgid < 0) throw new Errno(EINVAL);
  const target = pid === 0 ? p : k.procs.get(pid);
  if (!target || target.state !== "live" || (target !== p && target.ppid !== p.pid)) throw new Errno(ESRCH);
  const g = pgid === 0 ? target.pid : pgid;
  if (g !== target.pid && ![...k.procs.values()].some((q) => q.pgid === g && q.state === "live")) throw new Errno(EPERM);
  target.pgid = g;
  return 0;
};

const getpgid: Handler = ({ k, p }, pid) => {
  const target = pid === 0 ? p : k.procs.get(pid);
  if (!target || target.state !== "live") throw new Errno(ESRCH);
  return target.pgid;
};

// ---- clone

const { CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_VFORK, CLONE_PARENT, CLONE_THREAD, CLONE_SETTLS, CLONE_PARENT_SETTID } = constants.processes;
const { CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID } = constants.processes;
const { AT_FDCWD } = constants.files;
void CLONE_FS;

const clone: Handler = ({ k, t, p }, flags, stack, ptid, tls, ctid) => {
  const maxThreads = k.opts.maxThreads ?? 256;
  const maxProcs = k.opts.maxProcesses ?? 64;
  if (flags & CLONE_THREAD && (flags & (CLONE_VM | CLONE_SIGHAND)) !== (CLONE_VM | CLONE_SIGHAND)) throw new Errno(EINVAL);
  if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) throw new Errno(EINVAL);
  if (k.threads.length >= maxThreads) throw new Errno(EAGAIN);
  // Check what can fail before anything is made: a bad ptid is EFAULT and no child (spec/limits.md).
  if (flags & CLONE_PARENT_SETTID) k.writeU32(t, ptid, 0);

  let child: Thread;
  if (flags & CLONE_THREAD) {
    const cpu = k.machine.newCpu(p.vm.mem);
    child = k.addThread(p, cpu);
  } else {
    if (k.liveProcessCount() >= maxProcs) throw new Errno(EAGAIN);
    const vm = flags & CLONE_VM ? p.vm : cloneVm(k, p);
    const fds = flags & CLONE_FILES ? p.fds : p.fds.clone();
    const ppid = flags & CLONE_PARENT ? p.ppid : p.pid;
    const id = k.newId();
    const c = new ProcessClass(id, ppid, vm, fds, p.cwd);
    c.pgid = p.pgid;
    c.sid = p.sid;
    c.umask = p.umask;
    c.exe = p.exe;
    c.exePath = p.exePath;
    inheritLimits(p, c);
    c.exitSignal = flags & 0xff;
    p.sigactions.forEach((a, i) => (c.sigactions[i] = { ...a }));
    k.procs.set(id, c);
    child = k.addThread(c, k.machine.newCpu(vm.mem), id);
  }
  // The child resumes after the ecall with a0 = 0 (pc was already advanced).
  child.cpu.regs.set(t.cpu.regs);
  child.cpu.pc = t.cpu.pc;
  child.cpu.regs[10] = 0;
  if (stack) child.cpu.regs[2] = stack | 0;
  if (flags & CLONE_SETTLS) child.cpu.regs[4] = tls | 0;
  child.sigmask = t.sigmask;
  const tid = child.tid;
  try {
    cloned(k, t, child, flags, tls);
  } catch (e) {
    // The layer could not give the thread its areas (a TLS block the program cannot write, no
    // room): the call fails and no child is left behind.
    if (e instanceof Errno) {
      discard(k, p, child);
      throw e;
    }
    // The layer's bookkeeping is done before it publishes the new ids in the shared page; a guest
    // that unmapped its shared page only misses those (was a host exception).
    if (!(e instanceof Error) || !e.message.startsWith("kernel: cannot write layer data")) throw e;
  }
  if (flags & CLONE_PARENT_SETTID) k.writeU32(t, ptid, tid);
  if (flags & CLONE_CHILD_SETTID) child.proc.vm.mem.writeBytes(ctid, u32(tid));
  if (flags & CLONE_CHILD_CLEARTID) child.clearChildTid = ctid;
  if (flags & CLONE_VFORK && !(flags & CLONE_THREAD)) {
    const c = child.proc;
    return { poll: () => (c.state !== "live" || c.execed ? tid : undefined), interrupt: () => tid };
  }
  return tid;
};

/** Undoes a clone whose child never ran. */
function discard(k: Ctx["k"], parent: Process, child: Thread): void {
  const c = child.proc;
  child.state = "dead";
  k.threads = k.threads.filter((x) => x !== child);
  c.threads = c.threads.filter((x) => x !== child);
  if (c !== parent && c.threads.length === 0) {
    if (c.fds !== parent.fds) c.fds.closeAll();
    k.procs.delete(c.pid);
  }
}

function cloneVm(k: Ctx["k"], p: Process) {
  // Charge the copy against the memory cap before making it.
  k.chargeMemory(spaceCharge(p.vm.mem));
  k.chargeWork(pageWork(p.vm.mappedBytes()));
  const vm = k.newAddressSpace(p.vm.mem.clone());
  vm.copyFieldsFrom(p.vm);
  return vm;
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

// ---- execve

const ARG_MAX = 128 * 1024;

function readStringArray(ctx: Ctx, addr: number, budget: { left: number }): string[] {
  const out: string[] = [];
  if (addr === 0) return out;
  for (let i = 0; ; i++) {
    if (i > 4096) throw new Errno(E2BIG);
    const ptr = ctx.k.readU32(ctx.t, addr + i * 4);
    if (ptr === 0) return out;
    const s = ctx.k.readString(ctx.t, ptr, ARG_MAX, E2BIG);
    budget.left -= s.length + 1; // a byte string
    if (budget.left < 0) throw new Errno(E2BIG);
    out.push(s);
  }
}

const execve: Handler = (ctx, pathPtr, argvPtr, envpPtr) => {
  const { k, t, p } = ctx;
  const path = k.readString(t, pathPtr);
  const budget = { left: ARG_MAX };
  let argv = readStringArray(ctx, argvPtr, budget);
  const envp = readStringArray(ctx, envpPtr, budget);
  let node = k.resolve(p, AT_FDCWD, path);
  const viaProc = k.procPath(p, path);
  let exePath = viaProc ? viaProc.proc.exePath : k.absolutePath(p.cwd, path);
  if (node.kind !== "file" || (node.mode & 0o111) === 0) throw new Errno(EACCES);
  let image = k.vfs.contents(node);
  // A script ("#!interpreter [arg]" in its first 256 bytes) runs its interpreter with
  // argv = interpreter, [arg], the script's path, argv[1..], as Linux's binfmt_script does.
  for (let depth = 0, script = path; image[0] === 0x23 && image[1] === 0x21; depth++) {
    if (depth >= 4) throw new Errno(ELOOP);
    const head = Buffer.from(image.subarray(2, 256)).toString("latin1");
    const line = head.split("\n")[0]!.trim();
    const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(line);
    if (!m || head.indexOf("\n") < 0 && image.length > 256) throw new Errno(ENOEXEC);
    argv = [m[1]!, ...(m[2] ? [m[2].trim()] : []), script, ...argv.slice(1)];
    script = m[1]!;
    node = k.resolve(p, AT_FDCWD, script);
    if (node.kind !== "file" || (node.mode & 0o111) === 0) throw new Errno(EACCES);
    const viaProcScript = k.procPath(p, script);
    exePath = viaProcScript ? viaProcScript.proc.exePath : k.absolutePath(p.cwd, script);
    image = k.vfs.contents(node);
  }
  let loaded;
  try {
    loaded = k.prepareImage(image, argv, envp, path);
  } catch (e) {
    if (e instanceof LoadError) throw new Errno(/out of memory/.test(e.message) ? ENOMEM : ENOEXEC);
    throw e;
  }
  // Point of no return: the new image replaces the process's threads and address space.
  k.killOtherThreads(t);
  k.cancelFutex(t);
  p.vm = loaded.vm;
  t.cpu = loaded.cpu;
  t.lastInstret = Number(loaded.cpu.instret);
  loaded.cpu.timeSource = () => k.monotonicNs() / RDTIME_DIVISOR;
  t.clearChildTid = 0;
  p.fds.closeOnExec();
  for (let s = 1; s <= NSIG; s++) {
    if (p.sigactions[s]!.handler !== SIG_IGN) p.sigactions[s] = { handler: SIG_DFL, flags: 0, mask: 0n };
  }
  p.execed = true;
  p.exe = node;
  p.exePath = exePath;
  imageStarted(k, t);
  return NORETURN;
};

// ---- waitid

const { P_ALL, P_PID, P_PGID, WNOHANG, WSTOPPED, WEXITED, WCONTINUED, WNOWAIT, WALL, WCLONE, WNOTHREAD } = constants.processes;

const waitid: Handler = ({ k, t, p }, idtype, id, info, options, rusage) => {
  if (options & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | WALL | WCLONE | WNOTHREAD)) throw new Errno(EINVAL);
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) throw new Errno(EINVAL);
  if (idtype !== P_ALL && idtype !== P_PID && idtype !== P_PGID) throw new Errno(EINVAL);
  if (idtype !== P_ALL && id <= 0) throw new Errno(EINVAL);
  const matches = (c: Process): boolean =>
    c.ppid === p.pid && (idtype === P_ALL || (idtype === P_PID && c.pid === id) || (idtype === P_PGID && c.pgid === id));
  const attempt = (): number | undefined => {
    const children = [...k.procs.values()].filter(matches);
    if (children.length === 0) return -ECHILD;
    const z = children.find((c) => c.state === "zombie");
    if (z) {
      if (info) k.writeStruct(t, "siginfo", info, k.siginfoValues(k.childInfo(z)));
      if (rusage) writeUsage(k, t, rusage, z.insns + z.childInsns);
      if (!(options & WNOWAIT)) {
        k.procs.delete(z.pid);
        p.childInsns += z.insns + z.childInsns;
      }
      return 0;
    }
    if (!(options & WEXITED) || options & WNOHANG) {
      if (info) k.writeStruct(t, "siginfo", info, {});
      if (rusage) writeUsage(k, t, rusage, 0);
      return 0;
    }
    return undefined;
  };
  const r = attempt();
  if (r !== undefined) return r;
  return {
    poll: () => {
      try {
        return attempt();
      } catch (e) {
        if (e instanceof Errno) return -e.errno;
        throw e;
      }
    },
  };
};

// ---- kill / tgkill

function checkSig(sig: number): void {
  if (sig < 0 || sig > NSIG) throw new Errno(EINVAL);
}

const kill: Handler = ({ k, p }, pid, sig) => {
  checkSig(sig);
  let targets: Process[];
  const live = [...k.procs.values()].filter((q) => q.state === "live");
  if (pid > 0) targets = live.filter((q) => q.pid === pid);
  else if (pid === 0) targets = live.filter((q) => q.pgid === p.pgid);
  else if (pid === -1) targets = live.filter((q) => q.pid !== 1 && q !== p);
  else targets = live.filter((q) => q.pgid === -pid);
  if (targets.length === 0) throw new Errno(ESRCH);
  for (const q of targets) k.sendSignal(q, null, sig, { signo: sig, code: SI_USER, pid: p.pid, uid: 0 });
  return 0;
};

const tgkill: Handler = ({ k, p }, tgid, tid, sig) => {
  checkSig(sig);
  if (tgid <= 0 || tid <= 0) throw new Errno(EINVAL);
  const q = k.procs.get(tgid);
  const th = q?.threads.find((x) => x.tid === tid && x.state !== "dead");
  if (!q || q.state !== "live" || !th) throw new Errno(ESRCH);
  k.sendSignal(q, th, sig, { signo: sig, code: SI_TKILL, pid: p.pid, uid: 0 });
  return 0;
};

export const procHandlers: Record<string, Handler> = {
  exit, exit_group, getpid, getppid, gettid, set_tid_address, setpgid, getpgid, clone, execve, waitid, kill, tgkill,
};
