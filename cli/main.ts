// The kiln command: one subcommand per job, each in its own module under cli/. Only the module of
// the subcommand being run is loaded, so `kiln gen` and `kiln check` work even when generated code
// that other commands import is stale or missing, and `kiln run` never loads the generator or the
// site builder.
//
// Conventions every subcommand follows: messages start with `kiln <command>:`; a usage error is one
// line and a hint, exit 2; an unexpected error is one line too (KILN_DEBUG=1 adds the stack).
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { currentIo, quietOnClosedPipe, withIo, type CliIo } from "./io.ts";

type Register = (program: Command) => void;

/** Subcommand name → loader of the function that registers it. */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  gen: async () => (await import("./spec-commands.ts")).registerGen,
  check: async () => (await import("./spec-commands.ts")).registerCheck,
  publish: async () => (await import("./spec-commands.ts")).registerPublish,
  run: async () => (await import("./run-command.ts")).registerRun,
  diff: async () => (await import("./site-commands.ts")).registerDiff,
  "abi-json": async () => (await import("./site-commands.ts")).registerAbiJson,
  site: async () => (await import("./site-commands.ts")).registerSite,
  "build-layers": async () => (await import("./layer-commands.ts")).registerBuildLayers,
  bench: async () => (await import("./bench-command.ts")).registerBench,
  cc: async () => (await import("./cc-command.ts")).registerCc,
  matrix: async () => (await import("./matrix-command.ts")).registerMatrix,
  ports: async () => (await import("./ports-command.ts")).registerPorts,
};

/** kiln's version, from its package.json. */
export function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

const ENV_HELP = `
Environment:
  KILN_CACHE_DIR   the build cache (default $XDG_CACHE_HOME/kiln, else ~/.cache/kiln)
  NO_COLOR         no colour; FORCE_COLOR=1 colour even when not on a terminal
  KILN_SOURCE=1    run the TypeScript sources, not the bundle in dist/ (npm run build)
  KILN_DEBUG=1     print the stack trace of an unexpected error`;

/** Runs the kiln command with these arguments; resolves to its exit status. */
export async function main(argv: string[]): Promise<number> {
  const first = argv.find((a) => !a.startsWith("-"));
  const sub = first && COMMANDS[first] ? first : undefined;
  const prefix = sub ? `kiln ${sub}` : "kiln";
  const io = currentIo();
  if (!io) quietOnClosedPipe();
  const write = (fd: 1 | 2) => (s: string) => {
    if (io) io.stdio.write(fd, new TextEncoder().encode(s));
    else (fd === 1 ? process.stdout : process.stderr).write(s);
  };
  const program = new Command("kiln")
    .description("kiln: an executable specification of a kernel-interfacing library layer")
    .version(version(), "-V, --version", "print kiln's version")
    .addHelpText("after", ENV_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: write(1),
      writeErr: write(2),
      // One line, with the command's prefix, then one hint; never the whole help.
      outputError: (str, w) => w(`${prefix}: ${str.replace(/^error: /, "").trimEnd()}\n`),
    })
    .showHelpAfterError(`(run '${prefix} --help' for usage)`);
  // `kiln --version` loads no subcommand; `kiln --help`, `kiln help` and unknown commands load them all (to list them).
  const versionOnly = !sub && first === undefined && argv.some((a) => a === "--version" || a === "-V");
  const wanted = versionOnly ? [] : sub && first !== "help" ? [sub] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]!())(program);
  for (const c of program.commands) {
    c.exitOverride().showHelpAfterError(`(run 'kiln ${c.name()} --help' for usage)`);
    c.configureOutput({ ...program.configureOutput(), outputError: (str, w) => w(`kiln ${c.name()}: ${str.replace(/^error: /, "").trimEnd()}\n`) });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    const code = io ? io.exitCode : process.exitCode;
    return typeof code === "number" ? code : 0;
  } catch (err) {
    // Usage errors exit 2 (as the commands' --help says); --help and --version exit 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const e = err as Error;
    write(2)(`${prefix}: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env["KILN_DEBUG"] === "1" && e?.stack) write(2)(`${e.stack}\n`);
    else write(2)(`${prefix}: (KILN_DEBUG=1 shows where)\n`);
    return 70;
  }
}

/**
 * Runs a kiln command in this process with in-memory streams: the guest's and kiln's output land
 * in `stdio` (a BufferStdio in the tests), the status is returned, process.exitCode is untouched.
 * Tests use it instead of starting a node process per run.
 */
export function runKiln(argv: string[], stdio: CliIo["stdio"]): Promise<number> {
  return withIo({ stdio }, () => main(argv));
}
