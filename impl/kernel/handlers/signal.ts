// Signal calls: rt_sigaction, rt_sigprocmask, rt_sigreturn. Layouts come from the dispatch's
// `sigaction` and `sigset` structures.
import { Errno, EINVAL } from "../errno.ts";
import { MASK64, NSIG, SIGKILL, SIGSTOP, SIG_BLOCK, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK, UNBLOCKABLE, bit } from "../signals.ts";
import { NORETURN } from "./types.ts";
import type { Handler } from "./types.ts";
import { SIGSEGV } from "../signals.ts";

/** Bytes of a signal set: NSIG bits (spec/signals.md). */
const SIGSET_SIZE = NSIG / 8;

const rt_sigaction: Handler = ({ k, t, p }, sig, act, oact, sigsetsize) => {
  if (sigsetsize !== SIGSET_SIZE || sig < 1 || sig > NSIG) throw new Errno(EINVAL);
  if (act && (sig === SIGKILL || sig === SIGSTOP)) throw new Errno(EINVAL);
  let next = null;
  if (act) {
    const v = k.readStruct(t, "sigaction", act);
    next = { handler: Number(v["sa_handler"] ?? 0), flags: Number(v["sa_flags"] ?? 0), mask: BigInt(v["sa_mask"] ?? 0) & MASK64 };
  }
  if (oact) {
    const cur = p.sigactions[sig]!;
    k.writeStruct(t, "sigaction", oact, { sa_handler: cur.handler, sa_flags: cur.flags, sa_mask: cur.mask });
  }
  if (next) {
    p.sigactions[sig] = next;
    if (next.handler === SIG_IGN) {
      p.pending &= ~bit(sig);
      for (const th of p.threads) th.pending &= ~bit(sig);
    }
  }
  return 0;
};

const rt_sigprocmask: Handler = ({ k, t }, how, set, oset, sigsetsize) => {
  if (sigsetsize !== SIGSET_SIZE) throw new Errno(EINVAL);
  let next: bigint | null = null;
  if (set) {
    const v = k.readStruct(t, "sigset", set);
    const m = BigInt(Object.values(v)[0] ?? 0) & MASK64;
    switch (how) {
      case SIG_BLOCK: next = t.sigmask | m; break;
      case SIG_UNBLOCK: next = t.sigmask & ~m; break;
      case SIG_SETMASK: next = m; break;
      default: throw new Errno(EINVAL);
    }
  }
  if (oset) {
    const layout = k.struct("sigset");
    k.writeStruct(t, "sigset", oset, { [layout.fields[0]!.name]: t.sigmask });
  }
  if (next !== null) t.sigmask = next & ~UNBLOCKABLE;
  return 0;
};

const rt_sigreturn: Handler = ({ k, t }) => {
  if (!k.sigreturn(t)) k.forceSignal(t, SIGSEGV, { signo: SIGSEGV, code: 1, addr: t.cpu.regs[2]! >>> 0 });
  return NORETURN;
};

export const signalHandlers: Record<string, Handler> = { rt_sigaction, rt_sigprocmask, rt_sigreturn };
