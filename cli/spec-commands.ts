// kiln gen and kiln check: the spec pipeline's commands.
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { formatDiagnostic, Reporter } from "../gen/diagnostics.ts";
import { checkSpec, REPO_ROOT } from "../gen/check.ts";
import { paintDiagnostic, painter } from "./term.ts";
import { PUBLISHED_FILE, readPublished, snapshot, snapshotKernel, writePublished } from "../gen/published.ts";

export function registerGen(program: Command): void {
  program
    .command("gen")
    .description("validate spec/ and regenerate everything under generated/ (the ABI data files, their index, the C headers, the JSON Schemas)")
    .option("--check", "write nothing; exit 1 if any generated file is stale or missing")
    .option("--spec <dir>", "the spec directory (default: the checkout's spec/); its generated/ goes beside it unless --out says otherwise")
    .option("--out <root>", "the directory whose generated/ is written (default: the spec directory's parent)")
    .action(async (opts: { check?: boolean; spec?: string; out?: string }) => {
      const started = performance.now();
      const where = specDir("gen", opts.spec);
      if (!where) return;
      const root = opts.out ? resolve(opts.out) : opts.spec ? dirname(where.dir) : REPO_ROOT;
      // The generator (ts-morph) loads only here: kiln check and the others never pay for it.
      const { runGen } = await import("../gen/main.ts");
      const r = runGen(root, opts.check ?? false, where.dir, opts.spec ? where.display : "spec");
      for (const d of r.diagnostics) console.error(paintDiagnostic(formatDiagnostic(d), painter(process.stderr)));
      if (r.diagnostics.length > 0) {
        console.error(`kiln gen: ${r.diagnostics.length} error(s) in the spec; nothing generated`);
        process.exitCode = 1;
        return;
      }
      const ms = (performance.now() - started).toFixed(0);
      if (opts.check) {
        for (const f of r.changed) console.error(`kiln gen: stale: ${f} (run \`kiln gen\`)`);
        for (const f of r.stale) console.error(`kiln gen: stale: ${f} is no longer generated (run \`kiln gen\`)`);
        if (r.changed.length + r.stale.length > 0) {
          process.exitCode = 1;
          return;
        }
        console.log(`kiln gen --check: ${r.outputs} generated files are fresh (${ms} ms)`);
      } else {
        const where = root === REPO_ROOT ? "" : ` in ${join(root, "generated")}`;
        console.log(`kiln gen: ${r.outputs} files${where}, ${r.changed.length} changed, ${r.stale.length} removed (${ms} ms)`);
      }
    });
}

/**
 * The spec directory a command works on: --spec, else kiln's own spec/ (so the command works from
 * any directory); its display name is relative to the current directory. null (exit 2, message
 * printed) when it is not a directory.
 */
function specDir(command: string, given: string | undefined): { dir: string; display: string } | null {
  const dir = given !== undefined ? resolve(given) : join(REPO_ROOT, "spec");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`kiln ${command}: ${given ?? dir}: no such spec directory${given === undefined ? "" : " (--spec names a directory of Markdown files, like kiln's spec/)"}`);
    process.exitCode = 2;
    return null;
  }
  const display = given !== undefined ? given.replace(/\/+$/, "") : relative(process.cwd(), dir) || ".";
  return { dir, display };
}

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("validate a spec directory and print every error as file:line:col; exit 1 on any error, 0 and silence otherwise")
    .option("--spec <dir>", "the spec directory (default: kiln's own spec/)")
    .action((opts: { spec?: string }) => {
      const where = specDir("check", opts.spec);
      if (!where) return;
      const { diagnostics } = checkSpec(where.dir, where.display);
      const paint = painter(process.stdout);
      for (const d of diagnostics) console.log(paintDiagnostic(formatDiagnostic(d), paint));
      if (diagnostics.length > 0) process.exitCode = 1;
    });
}

export function registerPublish(program: Command): void {
  program
    .command("publish")
    .description("freeze a program ABI (its slots and structures) or a kernel ABI (its calls, messages and structures): record it in spec/abi/published.json, after which `kiln check` rejects any change to it")
    .argument("<version>", "the program ABI or kernel ABI to publish, e.g. p3 or k4")
    .option("--spec <dir>", "the spec directory (default: kiln's own spec/)")
    .action((version: string, opts: { spec?: string }) => {
      const where = specDir("publish", opts.spec);
      if (!where) return;
      const dir = where.dir;
      const { spec, diagnostics } = checkSpec(dir, where.display);
      for (const d of diagnostics) console.error(paintDiagnostic(formatDiagnostic(d), painter(process.stderr)));
      if (diagnostics.length > 0) {
        console.error(`kiln publish: fix the spec first (${diagnostics.length} error(s))`);
        process.exitCode = 1;
        return;
      }
      const p = spec.programs.find((x) => x.version === version);
      const k = spec.kernels.find((x) => x.version === version);
      if (!p && !k) {
        console.error(`kiln publish: no ABI ${version}; program ABIs: ${spec.programs.map((x) => x.version).join(", ")}; kernel ABIs: ${spec.kernels.map((x) => x.version).join(", ")}`);
        process.exitCode = 2;
        return;
      }
      const report = new Reporter();
      const published = readPublished(dir, report, where.display);
      if (published[version]) {
        console.log(`kiln publish: ${version} is already published (${PUBLISHED_FILE}); nothing to do`);
        return;
      }
      if (p) {
        writePublished(dir, { ...published, [version]: snapshot(p) });
        console.log(`kiln publish: ${version} is published: ${p.slots.length} slots and ${p.structs.size} structures recorded in ${where.display}/${PUBLISHED_FILE}`);
      } else if (k) {
        writePublished(dir, { ...published, [version]: snapshotKernel(k) });
        console.log(`kiln publish: ${version} is published: ${k.syscalls.length} calls, ${k.messages.length} messages and ${k.structs.size} structures recorded in ${where.display}/${PUBLISHED_FILE}`);
      }
    });
}
