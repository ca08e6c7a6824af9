// Where a kiln command's streams go. On the command line: the host's (process.stdout/stderr, fds
// 0-2 for the guest). In process (runKiln, for tests and embedding): an in-memory Stdio for the
// guest and for kiln's own messages, and an exit status of its own, so several runs may be in
// flight at once (the context follows each run across awaits).
import { AsyncLocalStorage } from "node:async_hooks";
import { hostStdio, type Stdio } from "../impl/kernel/stdio.ts";

export interface CliIo {
  /** The guest's stdin/stdout/stderr; kiln's own messages go to its fd 2 and reports to fd 1. */
  readonly stdio: Stdio;
  /** The exit status the command set (process.exitCode is left alone in process). */
  exitCode?: number;
}

const context = new AsyncLocalStorage<CliIo>();

/** Runs `fn` with `io` as the current streams. */
export function withIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  return context.run(io, fn);
}

/** The in-process streams, or undefined on the command line. */
export function currentIo(): CliIo | undefined {
  return context.getStore();
}

/** The guest's standard streams. */
export function guestStdio(): Stdio {
  return context.getStore()?.stdio ?? hostStdio;
}

const enc = new TextEncoder();

/** Writes kiln's own message to stderr (the in-process Stdio's fd 2 when there is one). */
export function writeErr(text: string): void {
  const io = context.getStore();
  if (io) io.stdio.write(2, enc.encode(text));
  else process.stderr.write(text);
}

/** Writes a report to stdout (the in-process Stdio's fd 1 when there is one). */
export function writeOut(text: string): void {
  const io = context.getStore();
  if (io) io.stdio.write(1, enc.encode(text));
  else process.stdout.write(text);
}

/**
 * `kiln … | head` closes the pipe early: every command then ends quietly with its status instead of
 * crashing with EPIPE (as a C program killed by SIGPIPE would stop, without the signal's status).
 */
let pipeGuard = false;
export function quietOnClosedPipe(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    throw err;
  });
}

/** Sets the command's exit status. */
export function setExitCode(code: number): void {
  const io = context.getStore();
  if (io) io.exitCode = code;
  else process.exitCode = code;
}
