// `kiln run`: runs a guest ELF on the kiln kernel under one kernel ABI.
//
// Exit status: the guest's exit status; 128+N when a signal N killed it; 124 when --max-insns ran
// out; 125 when every guest thread blocked for good (deadlock); 126 when the program cannot be
// loaded (not an RV32 executable, garbage, not a regular file); 127 when the file does not exist;
// 123 when a host exception escaped a kernel call (an internal error, spec/limits.md; KILN_DEBUG=1
// prints its stack); 2 for bad options.
import { installLayers, layersFromDir } from "../harness/install.ts";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import type { KernelDispatch, SyscallRow } from "../gen/types.ts";
import type { Thread } from "../impl/kernel/process.ts";
import { Kernel } from "../impl/kernel/kernel.ts";
import { LoadError } from "../impl/kernel/loader.ts";
import { MAX_FILE_SIZE, Vfs } from "../impl/kernel/vfs.ts";
import { CallSummary, formatCall, formatSyscall, LayerTracer, SyscallSummary, TraceSink } from "../harness/trace.ts";
import { hostStdio, type Stdio } from "../impl/kernel/stdio.ts";
import { constants } from "../generated/index.ts";
import { currentIo, guestStdio, setExitCode, writeErr } from "./io.ts";
import { usePrebuiltLayers } from "./prebuilt.ts";

/** Signal number → name, from the spec's signal constants. */
const SIGNAMES: Record<number, string> = Object.fromEntries(Object.entries(constants.signals).map(([name, nr]) => [nr, name]));

/**
 * A kernel ABI by name (with --spec, that spec's: useSpec has put its tables into generated/index.ts's
 * objects by then).
 */
async function loadDispatch(name: string, fromSpec: boolean): Promise<KernelDispatch | string> {
  const { kernels, kernelVersions } = await import("../generated/index.ts");
  return kernels[name] ?? `unknown kernel ABI '${name}'${fromSpec ? " in that spec" : ""} (available: ${kernelVersions.join(", ")})`;
}

/** The kernel `kiln run` uses without --kernel: the newest program ABI's native kernel (its program table). */
async function defaultKernel(): Promise<string> {
  const { programs, programVersions } = await import("../generated/index.ts");
  const newest = programVersions[programVersions.length - 1];
  const table = newest === undefined ? undefined : (programs as Readonly<Record<string, { readonly nativeKernel: string }>>)[newest];
  return table?.nativeKernel ?? "";
}

/**
 * The default instruction budget: a guest that loops forever must not hang the host. Ten billion
 * instructions is tens of seconds of emulation; real work sets its own bound (0 lifts it).
 */
const DEFAULT_MAX_INSNS = 10_000_000_000;

function budget(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`expects a whole number of instructions, got '${v}'`);
  return Number(v);
}

function positiveInt(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) <= 0 || !Number.isSafeInteger(Number(v))) {
      throw new InvalidArgumentError(`${flag} expects a positive integer, got '${v}'`);
    }
    return Number(v);
  };
}

interface RunOpts {
  kernel?: string;
  root?: string;
  layers?: string | false;
  maxInsns?: number;
  count?: boolean;
  env?: string[];
  hostTime?: boolean;
  memory?: number;
  strace?: boolean;
  trace?: boolean;
  spec?: string;
  traceOutput?: string;
  traceCalls?: string[];
  summary?: boolean;
}

export function registerRun(program: Command): void {
  program.enablePositionalOptions();
  program
    .command("run")
    .description("run a RISC-V (RV32IMA) ELF executable on the kiln kernel")
    .argument("<program>", "the guest ELF executable (a host file)")
    .argument("[args...]", "arguments for the guest (argv[1]…); options after <program> go to the guest")
    .passThroughOptions()
    .option("-k, --kernel <abi>", "kernel ABI version to run (k1, k2, …: the spec's kernel ABIs; default: the native kernel of the newest program ABI)")
    .option("--root <dir>", "copy this host directory in as the guest's / (never written back)")
    .option("--layers <dir>", "take the layer images from this directory (written by `kiln build-layers`) instead of building them")
    .option("--no-layers", "install no layer images: layered programs then fail to exec, raw ones run")
    .option("--max-insns <n>", "stop after a budget of n instructions (retired by all threads, plus host work), 0 for no bound; exit status 124", budget, DEFAULT_MAX_INSNS)
    .option("--count", "print the number of retired instructions to stderr at exit")
    .option("-e, --env <KEY=VALUE>", "add a guest environment variable (repeatable; default: empty environment)", (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("--host-time", "CLOCK_REALTIME from the host clock (default: deterministic, starting 2000-01-01)")
    .option("--memory <mib>", "cap in MiB on what the guests make the host hold: memory of all processes, files they write, pipes (default 512)", positiveInt("--memory"))
    .option("--strace", "trace every system call to stderr")
    .option("--trace", "trace every call through the layer's stub table to stderr (see below)")
    .option("--spec <dir>", "run on the kernel ABIs and layers of this spec directory (e.g. an edited copy of spec/) instead of the checkout's generated tables")
    .option("--trace-output <file>", "write --trace, --strace and --summary output to this file instead of stderr (strace's -o)")
    .option("--trace-calls <ids>", "trace only these calls: comma-separated slot or call ids, e.g. openat,read (strace's -e trace=)", (v: string) => v.split(",").map((x) => x.trim()).filter(Boolean))
    .option("--summary", "at exit, print calls, errors, traps and instructions per slot and route, then calls and errors per kernel call (strace's -c)")
    .addHelpText(
      "after",
      `
Exit status: the guest's own status; 128+N if signal N killed it; 124 if --max-insns ran out;
125 on deadlock (every guest thread blocked); 126 if the file is not a runnable RV32 executable;
127 if it does not exist; 123 on an internal kernel error (one line; KILN_DEBUG=1 adds the stack).
The budget (--max-insns) counts retired instructions plus the host work the kernel does for the
guest (each call, each page mapped or copied: spec/limits.md); --memory caps everything the guest
makes the host hold (memory, files it writes, pipes). Guest stdin/stdout/stderr are kiln's own.
Time is deterministic: clocks advance 1 ns per retired instruction. Besides --root's files the guest
sees /dev/null, /dev/zero, /dev/urandom and /dev/random, and /proc/self/exe names the running program.

--trace prints one line per call a layered program makes through its stub table, when it returns:
  [tid] pN.slot(args) = result  <route what; T traps, I insns[; via calls{messages}]>
args are decoded as the spec says (spec/errors.md, "How arguments read"): strings and buffers
quoted and cut at 32 bytes (a buffer the call fills shown after it), flags by the names of their
constant group (O_RDONLY|O_CLOEXEC), modes in octal, AT_FDCWD and other enums by name, pointers in
hex; a failed call shows "-1 ENOENT (No such file or directory)" (errno read through tp+4, the text
from the spec's errno table); "?" is a call that never returned (exit, a successful execve shows
0). --strace prints every kernel call the same way, prefixed [strace]. Trace lines never split a
line of the guest's own output: while the guest's line is open they wait for its end. route is the pair's route
(direct, renumbered, translated, userspace, emulated, message); what is the recipe, or the kernel
call as id#number, or the message. I counts the guest instructions from the jal into the slot
(included) through its return; T the traps (ecalls) taken meanwhile. "via" lists the kernel calls
and ring messages made when they are not just the one named (ring_enter{read×64}).
Example: [1] p2.openat(AT_FDCWD, "/data/x", O_RDONLY|O_CLOEXEC, 0) = 3  <message openat; 1 trap, 48 insns>`,
    )
    .action(async (prog: string, args: string[], opts: RunOpts) => {
      setExitCode(await runCommand(prog, args, opts));
    });
}

function fail(msg: string, status: number): number {
  writeErr(`kiln run: ${msg}\n`);
  return status;
}

async function runCommand(prog: string, args: string[], opts: RunOpts): Promise<number> {
  if (opts.spec !== undefined) {
    const { SpecError, useSpec } = await import("./spec-option.ts");
    try {
      await useSpec(opts.spec);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      return fail(e.message, e.status);
    }
  }
  const dispatch = await loadDispatch(opts.kernel ?? (await defaultKernel()), opts.spec !== undefined);
  if (typeof dispatch === "string") return fail(dispatch, 2);
  let image: Uint8Array;
  try {
    // Only a regular file of a sane size is read: a FIFO would block, /dev/zero never end.
    const st = fs.statSync(prog);
    if (st.isFile() && st.size > MAX_FILE_SIZE) return fail(`${prog}: cannot run: ${st.size} bytes is larger than the largest guest file (${MAX_FILE_SIZE} bytes)`, 126);
    if (!st.isFile() && !st.isDirectory()) return fail(`${prog}: cannot run: not a regular file`, 126);
    image = fs.readFileSync(prog);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(`${prog}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`, code === "ENOENT" ? 127 : 126);
  }
  const env = opts.env ?? [];
  for (const kv of env) if (!kv.includes("=")) return fail(`--env expects KEY=VALUE, got '${kv}'`, 2);
  let kernel: Kernel;
  let tracer: LayerTracer | null = null;
  // Where trace lines go: stderr, sharing it (and stdout, when both are the same file or terminal)
  // with the guest line by line; or a file of their own.
  let traceFd = 2;
  if (opts.traceOutput !== undefined) {
    try {
      traceFd = fs.openSync(opts.traceOutput, "w");
    } catch (e) {
      return fail(`--trace-output ${opts.traceOutput}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
    }
  }
  // The guest's streams: the host's on the command line, the caller's in process (runKiln).
  const base = guestStdio();
  const inProcess = currentIo() !== undefined;
  const sink = new TraceSink((text) => void (traceFd === 2 ? base : hostStdio).write(traceFd, new TextEncoder().encode(text)));
  const shared = new Set<number>(traceFd === 2 ? [2, ...(!inProcess && sameFile(1, 2) ? [1] : [])] : []);
  const stdio: Stdio = {
    read: (max) => base.read(max),
    write: (fd, bytes) => (shared.has(fd) ? sink.guestWrite(bytes, (b) => base.write(fd, b)) : base.write(fd, bytes)),
  };
  const only = opts.traceCalls ? new Set(opts.traceCalls) : null;
  const summary = opts.summary ? new CallSummary() : null;
  const kernelSummary = opts.summary ? new SyscallSummary() : null;
  try {
    const opt = {
      dispatch,
      stdio,
      hostRealtime: opts.hostTime ?? false,
      ...(opts.maxInsns ? { maxInsns: opts.maxInsns } : {}),
      ...(opts.memory !== undefined ? { memoryCap: opts.memory * 1024 * 1024 } : {}),
      ...(opts.strace || kernelSummary
        ? {
            onSyscall: (t: Thread, row: Pick<SyscallRow, "id" | "args" | "ret">, args: readonly number[], r: number | "blocked" | "noreturn") => {
              kernelSummary?.add(row.id, r);
              if (opts.strace && (!only || only.has(row.id))) sink.line(`[strace] ${formatSyscall(t.tid, t.proc.vm.mem, row, args, r)}`);
            },
          }
        : {}),
    };
    tracer =
      opts.trace || summary
        ? new LayerTracer({
            keep: false,
            onCall: (c) => {
              summary?.add(c);
              if (opts.trace && (!only || only.has(c.id))) sink.line(formatCall(c));
            },
          })
        : null;
    kernel = new Kernel(tracer ? tracer.kernelOptions(opt) : opt);
    if (opts.root) {
      try {
        kernel.vfs.importHostDir(path.resolve(opts.root));
      } catch (e) {
        return fail(`--root ${opts.root}: ${(e as Error).message}`, 2);
      }
    }
    void Vfs;
    if (opts.layers !== false) {
      try {
        if (opts.layers === undefined) usePrebuiltLayers();
        installLayers(kernel.vfs, typeof opts.layers === "string" ? layersFromDir(path.resolve(opts.layers)) : undefined);
      } catch (e) {
        return fail(`--layers ${String(opts.layers)}: ${(e as Error).message}`, 2);
      }
    }
    kernel.spawn(image, [prog, ...args], env);
  } catch (e) {
    if (e instanceof LoadError) return fail(`${prog}: cannot run: ${e.message}`, 126);
    throw e;
  }
  const r = kernel.run();
  tracer?.finish();
  sink.close();
  if (summary) for (const l of summary.lines()) sink.line(l);
  if (kernelSummary) for (const l of kernelSummary.lines()) sink.line(l);
  if (traceFd !== 2) fs.closeSync(traceFd);
  if (opts.count) writeErr(`kiln run: ${r.insns} instructions retired\n`);
  const o = r.outcome;
  if (o.kind === "limit") writeErr(`kiln run: ${prog}: ${o.message}\n`);
  // A guest killed by SIGPIPE wrote into a closed pipe (`kiln run prog | head`): the reader chose to
  // stop, so there is nothing to report (as in a shell); the status still says 128+SIGPIPE.
  else if (o.kind === "signaled" && o.signal !== constants.signals.SIGPIPE) {
    writeErr(`kiln run: ${prog}: killed by signal ${o.signal} (${SIGNAMES[o.signal] ?? "SIG" + o.signal})\n`);
  }
  return r.status;
}

/** Are two host descriptors the same file, pipe or terminal? */
function sameFile(a: number, b: number): boolean {
  try {
    const x = fs.fstatSync(a);
    const y = fs.fstatSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
