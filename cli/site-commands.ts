// kiln diff, kiln abi-json and kiln site: reading the spec rather than running it.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { DiffError, diffAbis, diffJson, formatDiff } from "../gen/diff.ts";
import { formatDiagnostic } from "../gen/diagnostics.ts";
import { checkSpec, REPO_ROOT } from "../gen/check.ts";
import type { Spec } from "../gen/model.ts";
import type { SiteResult } from "../web/site.ts";
import { paintDiagnostic, paintDiffSigns, painter } from "./term.ts";

/** Load and validate the spec; on errors print them and return null (exit code 1 set). */
function loadValid(command: string, specDir?: string): Spec | null {
  const dir = specDir ? resolve(specDir) : join(REPO_ROOT, "spec");
  const display = specDir ? specDir.replace(/\/+$/, "") : "spec";
  const { spec, diagnostics } = checkSpec(dir, display);
  if (diagnostics.length > 0) {
    const paint = painter(process.stderr);
    for (const d of diagnostics) console.error(paintDiagnostic(formatDiagnostic(d), paint));
    console.error(`kiln ${command}: ${diagnostics.length} error(s) in the spec; fix them first (\`kiln check\`)`);
    process.exitCode = 1;
    return null;
  }
  return spec;
}

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description("show what changed between two program ABIs (p1 p2) or two kernel ABIs (k1 k2): calls or slots, structures, shared page, ring, and for kernels the route of every affected program slot")
    .argument("<from>", "the older version, e.g. k1")
    .argument("<to>", "the newer version, e.g. k2")
    .option("--json", "print the diff as JSON ($schema diff.schema.json, format 1; see docs/abi-json.md)")
    .option("--spec <dir>", "the spec directory (default: the repository's spec/)")
    .action((from: string, to: string, opts: { json?: boolean; spec?: string }) => {
      const spec = loadValid("diff", opts.spec);
      if (!spec) return;
      try {
        const d = diffAbis(spec, from, to);
        process.stdout.write(opts.json ? `${JSON.stringify(diffJson(d), null, 2)}\n` : paintDiffSigns(formatDiff(d), painter(process.stdout)));
      } catch (err) {
        if (err instanceof DiffError) {
          console.error(`kiln diff: ${err.message}`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    });
}

export function registerAbiJson(program: Command): void {
  program
    .command("abi-json")
    .description("print (or write) the whole ABI as JSON (abi.json, as the site publishes it) from the current spec")
    .option("--out <file>", "write to this file instead of standard output")
    .option("--spec <dir>", "the spec directory (default: the repository's spec/)")
    .action(async (opts: { out?: string; spec?: string }) => {
      const { abiJsonText } = await import("../web/site.ts");
      const spec = loadValid("abi-json", opts.spec);
      if (!spec) return;
      // The same text the site publishes (a test holds them equal).
      const text = abiJsonText(spec);
      if (opts.out) {
        mkdirSync(dirname(resolve(opts.out)), { recursive: true });
        writeFileSync(opts.out, text);
        console.error(`kiln abi-json: wrote ${opts.out} (${text.length} bytes)`);
      } else process.stdout.write(text);
    });
}

export function registerSite(program: Command): void {
  program
    .command("site")
    .description("build the static spec site (chapters, ABI pages with row anchors, diffs, compatibility matrix, abi.json)")
    .option("--out <dir>", "output directory", "out/site")
    .option("--matrix <file>", "run results to render on the matrix page (default: out/matrix.json when it exists)")
    .action(async (opts: { out: string; matrix?: string }) => {
      const started = performance.now();
      // The site builder (and esbuild, for the playground) loads only for this command.
      const { buildSite, SiteOutError } = await import("../web/site.ts");
      const out = resolve(opts.out);
      let r: SiteResult;
      try {
        r = buildSite({ root: REPO_ROOT, out, matrixFile: opts.matrix ? resolve(opts.matrix) : undefined });
      } catch (err) {
        if (!(err instanceof SiteOutError)) throw err;
        console.error(`kiln site: ${err.message}`);
        process.exitCode = 2;
        return;
      }
      if (!r.ok) {
        for (const d of r.diagnostics) console.error(paintDiagnostic(formatDiagnostic(d), painter(process.stderr)));
        console.error(`kiln site: ${r.diagnostics.length} error(s) in the spec; nothing built`);
        process.exitCode = 1;
        return;
      }
      for (const w of r.warnings) console.error(`kiln site: warning: ${w}`);
      const ms = (performance.now() - started).toFixed(0);
      const shown = relative(process.cwd(), out) || ".";
      console.log(`kiln site: ${r.pages} pages, ${r.files} files in ${shown}/ (${ms} ms)${r.matrixFrom ? `; matrix from ${relative(process.cwd(), r.matrixFrom)}` : "; no run results (matrix shows routes)"}`);
    });
}
