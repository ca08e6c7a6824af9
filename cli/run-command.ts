// `kiln run`: runs a guest ELF on the kiln kernel under one kernel ABI.
//
// Exit status: the guest's exit status; 128+N when a signal N killed it; 124 when --max-insns ran
// out; 125 when every guest thread blocked for good (deadlock); 126 when the program cannot be
// loaded (not an RV32 executable, garbage); 127 when the file does not exist; 2 for bad options.
import { installLayers, layersFromDir } from "../impl/layer/install.ts";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, type Command } from "commander";
import type { KernelDispatch } from "../impl/abi/types.ts";
import { Kernel } from "../impl/kernel/kernel.ts";
import { LoadError } from "../impl/kernel/loader.ts";
import { Vfs } from "../impl/kernel/vfs.ts";
import { formatCall, LayerTracer } from "../impl/layer/trace.ts";

const SIGNAMES: Record<number, string> = {
  1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
  9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
};

const GENERATED_KERNELS = fileURLToPath(new URL("../generated/kernel/", import.meta.url));

function kernelNames(): string[] {
  try {
    return fs.readdirSync(GENERATED_KERNELS).filter((f) => /^k\d+\.ts$/.test(f)).map((f) => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}

async function loadDispatch(name: string): Promise<KernelDispatch | string> {
  const names = kernelNames();
  if (!/^k\d+$/.test(name) || !names.includes(name)) {
    return `unknown kernel ABI '${name}' (available: ${names.join(", ") || "none — run 'kiln gen' first"})`;
  }
  const mod = (await import(new URL(`../generated/kernel/${name}.ts`, import.meta.url).href)) as { dispatch: KernelDispatch };
  return mod.dispatch;
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
  kernel: string;
  root?: string;
  layers?: string | false;
  maxInsns?: number;
  count?: boolean;
  env?: string[];
  hostTime?: boolean;
  memory?: number;
  strace?: boolean;
  trace?: boolean;
}

export function registerRun(program: Command): void {
  program.enablePositionalOptions();
  program
    .command("run")
    .description("run a RISC-V (RV32IMA) ELF executable on the kiln kernel")
    .argument("<program>", "the guest ELF executable (a host file)")
    .argument("[args...]", "arguments for the guest (argv[1]…); options after <program> go to the guest")
    .passThroughOptions()
    .option("-k, --kernel <abi>", "kernel ABI version to run (generated/kernel/<abi>.ts)", "k1")
    .option("--root <dir>", "copy this host directory in as the guest's / (never written back)")
    .option("--layers <dir>", "take the layer images from this directory (written by `kiln build-layers`) instead of building them")
    .option("--no-layers", "install no layer images: layered programs then fail to exec, raw ones run")
    .option("--max-insns <n>", "stop after n retired instructions (all threads), 0 for no bound; exit status 124", budget, DEFAULT_MAX_INSNS)
    .option("--count", "print the number of retired instructions to stderr at exit")
    .option("-e, --env <KEY=VALUE>", "add a guest environment variable (repeatable; default: empty environment)", (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("--host-time", "CLOCK_REALTIME from the host clock (default: deterministic, starting 2000-01-01)")
    .option("--memory <mib>", "cap on guest memory in MiB, all processes together (default 512)", positiveInt("--memory"))
    .option("--strace", "trace every system call to stderr")
    .option("--trace", "trace every call through the layer's stub table to stderr (see below)")
    .addHelpText(
      "after",
      `
Exit status: the guest's own status; 128+N if signal N killed it; 124 if --max-insns ran out;
125 on deadlock (every guest thread blocked); 126 if the file is not a runnable RV32 executable;
127 if it does not exist. Guest stdin/stdout/stderr are kiln's own. Time is deterministic:
clocks advance 1 ns per retired instruction. Besides --root's files the guest sees /dev/null,
/dev/zero, /dev/urandom and /dev/random, and /proc/self/exe names the running program.

--trace prints one line per call a layered program makes through its stub table, when it returns:
  [tid] pN.slot(args) = result  <route what; T traps, I insns[; via calls{messages}]>
args are decoded by the program ABI's slot signature (ints signed, pointers hex, strings quoted and
cut at 32 bytes, AT_FDCWD by name); a failed call shows "-1 errno=ENAME" (errno read through tp+4);
"?" is a call that never returned (exit, a successful execve shows 0). route is the pair's route
(direct, renumbered, translated, userspace, emulated, message); what is the recipe, or the kernel
call as id#number, or the message. I counts the guest instructions from the jal into the slot
(included) through its return; T the traps (ecalls) taken meanwhile. "via" lists the kernel calls
and ring messages made when they are not just the one named (ring_enter{read×64}).
Example: [1] p2.openat(AT_FDCWD, "/data/x", 0x0, 0) = 3  <message openat; 1 trap, 48 insns>`,
    )
    .action(async (prog: string, args: string[], opts: RunOpts) => {
      process.exitCode = await runCommand(prog, args, opts);
    });
}

function fail(msg: string, status: number): number {
  process.stderr.write(`kiln run: ${msg}\n`);
  return status;
}

async function runCommand(prog: string, args: string[], opts: RunOpts): Promise<number> {
  const dispatch = await loadDispatch(opts.kernel);
  if (typeof dispatch === "string") return fail(dispatch, 2);
  let image: Uint8Array;
  try {
    image = fs.readFileSync(prog);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(`${prog}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`, code === "ENOENT" ? 127 : 126);
  }
  const env = opts.env ?? [];
  for (const kv of env) if (!kv.includes("=")) return fail(`--env expects KEY=VALUE, got '${kv}'`, 2);
  let kernel: Kernel;
  let tracer: LayerTracer | null = null;
  try {
    const opt = {
      dispatch,
      hostRealtime: opts.hostTime ?? false,
      ...(opts.maxInsns ? { maxInsns: opts.maxInsns } : {}),
      ...(opts.memory !== undefined ? { memoryCap: opts.memory * 1024 * 1024 } : {}),
      ...(opts.strace ? { trace: (l: string) => void process.stderr.write(`[strace] ${l}\n`) } : {}),
    };
    tracer = opts.trace ? new LayerTracer({ keep: false, onCall: (c) => void process.stderr.write(`${formatCall(c)}\n`) }) : null;
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
  if (opts.count) process.stderr.write(`kiln: ${r.insns} instructions retired\n`);
  const o = r.outcome;
  if (o.kind === "limit") process.stderr.write(`kiln run: ${prog}: ${o.message}\n`);
  else if (o.kind === "signaled") {
    process.stderr.write(`kiln run: ${prog}: killed by signal ${o.signal} (${SIGNAMES[o.signal] ?? "SIG" + o.signal})\n`);
  }
  return r.status;
}
