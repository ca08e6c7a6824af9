// kiln gen and kiln check: the spec pipeline's commands.
import { resolve } from "node:path";
import type { Command } from "commander";
import { checkSpec, formatDiagnostic, REPO_ROOT, runGen } from "../gen/main.ts";

export function registerGen(program: Command): void {
  program
    .command("gen")
    .description("validate spec/ and regenerate everything under generated/ (dispatch tables, layer tables, tests, abi.json)")
    .option("--check", "write nothing; exit 1 if any generated file is stale or missing")
    .action((opts: { check?: boolean }) => {
      const started = performance.now();
      const r = runGen(REPO_ROOT, opts.check ?? false);
      for (const d of r.diagnostics) console.error(formatDiagnostic(d));
      if (r.diagnostics.length > 0) {
        console.error(`kiln gen: ${r.diagnostics.length} error(s) in the spec; nothing generated`);
        process.exitCode = 1;
        return;
      }
      const ms = (performance.now() - started).toFixed(0);
      if (opts.check) {
        for (const f of r.changed) console.error(`stale: ${f} (run \`npm run gen\`)`);
        for (const f of r.stale) console.error(`stale: ${f} is no longer generated (run \`npm run gen\`)`);
        if (r.changed.length + r.stale.length > 0) {
          process.exitCode = 1;
          return;
        }
        console.log(`kiln gen --check: ${r.outputs} generated files are fresh (${ms} ms)`);
      } else {
        console.log(`kiln gen: ${r.outputs} files, ${r.changed.length} changed, ${r.stale.length} removed (${ms} ms)`);
      }
    });
}

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("validate a spec directory and print every error as file:line:col; exit 1 on any error, 0 and silence otherwise")
    .option("--spec <dir>", "the spec directory", "spec")
    .action((opts: { spec: string }) => {
      const { diagnostics } = checkSpec(resolve(opts.spec), opts.spec.replace(/\/+$/, ""));
      for (const d of diagnostics) console.log(formatDiagnostic(d));
      if (diagnostics.length > 0) process.exitCode = 1;
    });
}
