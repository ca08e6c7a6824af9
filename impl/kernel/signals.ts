// Signal numbers, Linux default actions, and sigset helpers (64-bit masks as bigint).
import { constants } from "../../generated/index.ts";

// Every number here is the spec's (spec/signals.md, spec/errors.md).
export const { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM,
  SIGTERM, SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
  SIGIO, SIGPWR, SIGSYS } = constants.signals;
export const { NSIG, SIG_DFL, SIG_IGN, SA_SIGINFO, SA_ONSTACK, SA_RESTART, SA_NODEFER, SA_RESETHAND, SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK } = constants.sigaction;

// si_code values
export const { SI_USER, SI_KERNEL, SI_TKILL, SEGV_MAPERR, SEGV_ACCERR, ILL_ILLOPC, BUS_ADRALN, TRAP_BRKPT } = constants.siginfo;
export const { CLD_EXITED, CLD_KILLED, CLD_DUMPED } = constants.processes;

export type DefaultAction = "term" | "core" | "ignore" | "stop" | "cont";

export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH: return "ignore";
    case SIGCONT: return "cont";
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU: return "stop";
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE: case SIGSEGV:
    case SIGXCPU: case SIGXFSZ: case SIGSYS: return "core";
    default: return "term";
  }
}

export const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
/** Signals that can never be blocked, caught or ignored. */
export const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);
export const MASK64 = (1n << 64n) - 1n;

export interface SigAction {
  handler: number;
  flags: number;
  mask: bigint;
}

export interface SigInfo {
  signo: number;
  code: number;
  pid?: number;
  uid?: number;
  status?: number;
  addr?: number;
}

/** Lowest-numbered signal in a mask (synchronous/low signals first, as Linux does), or 0. */
export function firstSignal(mask: bigint): number {
  for (let s = 1; s <= NSIG; s++) if (mask & bit(s)) return s;
  return 0;
}
