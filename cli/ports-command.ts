// `kiln ports build`: the command line over impl/toolchain/ports.ts.
import type { Command } from "commander";
import { CcError } from "../impl/toolchain/cc.ts";
import { buildPorts, DEFAULT_PORTS_OUT, PORTS_CACHE, PortError } from "../impl/toolchain/ports.ts";

interface PortsCliOpts {
  out: string;
  program?: string[];
  only?: string[];
  jobs?: string;
}

export function registerPorts(program: Command): void {
  const ports = program.command("ports").description("build real programs from Debian's sources (Lua 5.4, the SQLite shell) as layered programs");
  ports
    .command("build")
    .description("build DIR/<pN>/lua and DIR/<pN>/sqlite3 for every program ABI that has the slots they need")
    .option("--out <dir>", "output directory", DEFAULT_PORTS_OUT)
    .option("-p, --program <abi>", "only this program ABI (repeatable)", (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("--only <port>", "only this port: lua or sqlite3 (repeatable)", (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("-j, --jobs <n>", "compile at most n files at a time (default 2)")
    .addHelpText(
      "after",
      `
Sources: Debian bookworm's source packages lua5.4 and sqlite3, fetched by
scripts/fetch-port-sources.sh (pinned versions, .dsc SHA-256 checked) into
~/.cache/kiln/sources (override with KILN_SOURCES); SQLite's amalgamation is generated there
once (needs cc, tclsh, make). Objects are cached in ${PORTS_CACHE} (override with
KILN_PORTS_CACHE). A program ABI that lacks a slot a port needs is skipped with a message naming
the slots. Writes DIR/ports.json (what was built, what was skipped and why).

Exit status: 0 built (skips included); 1 a fetch, compile or link error; 2 bad options.`,
    )
    .action(async (opts: PortsCliOpts) => {
      if (opts.jobs !== undefined && !/^[1-9]\d*$/.test(opts.jobs)) {
        process.stderr.write(`kiln ports build: --jobs expects a positive number, got '${opts.jobs}'\n`);
        process.exitCode = 2;
        return;
      }
      try {
        const t0 = Date.now();
        const res = await buildPorts({
          out: opts.out,
          ...(opts.program ? { abis: opts.program } : {}),
          ...(opts.only ? { ports: opts.only } : {}),
          jobs: opts.jobs ? Number(opts.jobs) : 2,
          log: (s) => process.stdout.write(`${s}\n`),
        });
        const built = res.filter((r) => r.path).length;
        process.stdout.write(`kiln ports build: ${built} built, ${res.length - built} skipped, in ${opts.out} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
        process.exitCode = 0;
      } catch (e) {
        if (e instanceof PortError) {
          process.stderr.write(`kiln ports build: ${e.message}\n`);
          process.exitCode = /^no (port|program ABI)/.test(e.message) ? 2 : 1;
          return;
        }
        if (e instanceof CcError) {
          process.stderr.write(`kiln ports build: ${e.message}\n`);
          process.exitCode = e.status === 2 ? 1 : e.status;
          return;
        }
        throw e;
      }
    });
}
