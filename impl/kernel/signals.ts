// Signal numbers, Linux default actions, and sigset helpers (64-bit masks as bigint).
export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
  SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
  SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21,
  SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28,
  SIGIO = 29, SIGPWR = 30, SIGSYS = 31;
export const NSIG = 64;

export const SIG_DFL = 0;
export const SIG_IGN = 1;

export const SA_SIGINFO = 0x4;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;

export const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

// si_code values
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_TKILL = -6;
export const SEGV_MAPERR = 1, SEGV_ACCERR = 2;
export const ILL_ILLOPC = 1;
export const BUS_ADRALN = 1;
export const TRAP_BRKPT = 1;
export const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

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
