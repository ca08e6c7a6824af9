// The kiln command: one subcommand per job, each in its own module under cli/. Only the module of
// the subcommand being run is loaded, so `kiln gen` and `kiln check` work even when generated code
// that other commands import is stale or missing.
import { Command, CommanderError } from "commander";

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

export async function main(argv: string[]): Promise<number> {
  const program = new Command("kiln")
    .description("kiln: an executable specification of a kernel-interfacing library layer")
    .showHelpAfterError()
    .exitOverride();
  const first = argv.find((a) => !a.startsWith("-"));
  const wanted = first && first !== "help" && COMMANDS[first] ? [first] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]!())(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    // Usage errors exit 2 (as the commands' --help says); --help and --version exit 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
}
