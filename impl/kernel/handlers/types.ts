// The shape of a system-call handler. Handlers get decoded arguments in the row's order and return
// the value for a0 (negative errno on failure), a Blocked wait, or NORETURN when they have set the
// thread's registers themselves (execve, rt_sigreturn) or ended it (exit).
import type { MessageRow, SyscallRow } from "../../../gen/types.ts";
import type { Kernel } from "../kernel.ts";
import type { Blocked, Process, Thread } from "../process.ts";

export const NORETURN: unique symbol = Symbol("noreturn");
export type SyscallResult = number | Blocked | typeof NORETURN;

export interface Ctx {
  readonly k: Kernel;
  readonly t: Thread;
  readonly p: Process;
  readonly row: SyscallRow | MessageRow;
}

export type Handler = (ctx: Ctx, ...args: number[]) => SyscallResult;
