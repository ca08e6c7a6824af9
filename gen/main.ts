// The generator's entry points: check a spec directory, generate (or verify) every output.
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { generateAll } from "./generate.ts";
import { loadSpec } from "./load.ts";
import type { Spec } from "./model.ts";
import { validate } from "./validate.ts";
import { checkPublished, readPublished } from "./published.ts";

/** The repository root (this file lives in gen/). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface CheckResult {
  readonly spec: Spec;
  readonly diagnostics: Diagnostic[];
}

/** Load and validate; diagnostics sorted. `display` is how the directory is named in messages. */
export function checkSpec(specDir: string, display?: string): CheckResult {
  if (!existsSync(specDir) || !statSync(specDir).isDirectory()) {
    const { spec } = loadSpec(null, display ?? specDir);
    const file = display ?? specDir;
    return { spec, diagnostics: [{ file, line: 1, column: 1, rule: "no-spec", message: `${file} is not a directory; give the spec directory (the one holding abi/ and the chapters)` }] };
  }
  if (!existsSync(join(specDir, "abi")) || !statSync(join(specDir, "abi")).isDirectory()) {
    const { spec } = loadSpec(null, display ?? specDir);
    const file = display ?? specDir;
    const hint = existsSync(join(specDir, "spec", "abi")) ? ` (did you mean ${join(file, "spec")}?)` : "";
    return { spec, diagnostics: [{ file, line: 1, column: 1, rule: "no-spec", message: `${file} is not a spec directory: it has no abi/ folder of program and kernel ABI files${hint}` }] };
  }
  const { spec, report } = loadSpec(specDir, display);
  // A table that could not be read (a marker typo, a missing column, a row with a bad cell) is
  // reported alone: validating what is left would only add follow-on errors from the same cause.
  if (report.diagnostics.length > 0) return { spec, diagnostics: sortDiagnostics(report.diagnostics) };
  const published = readPublished(specDir, report, spec.root);
  validate(spec, report, published);
  checkPublished(spec, published, report);
  for (const v of Object.keys(published)) spec.published.add(v);
  return { spec, diagnostics: sortDiagnostics(report.diagnostics) };
}

export interface GenResult {
  readonly diagnostics: Diagnostic[];
  /** Outputs whose content differs from what is on disk (written unless checking). */
  readonly changed: string[];
  /** Files in generated/ that no longer correspond to any output. */
  readonly stale: string[];
  readonly outputs: number;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * Generate everything under `root` (its generated/) from `specDir` (default `root/spec`). With
 * `check`, write nothing and report staleness.
 */
export function runGen(root: string = REPO_ROOT, check = false, specDir: string = join(root, "spec"), display = "spec"): GenResult {
  const { spec, diagnostics } = checkSpec(specDir, display);
  if (diagnostics.length > 0) return { diagnostics, changed: [], stale: [], outputs: 0 };
  const outputs = generateAll(spec);
  const changed: string[] = [];
  for (const [path, text] of outputs) {
    const full = join(root, path);
    const old = existsSync(full) ? readFileSync(full, "utf8") : null;
    if (old === text) continue;
    changed.push(path);
    if (!check) {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  const stale = listFiles(join(root, "generated"))
    .map((f) => relative(root, f))
    .filter((f) => !outputs.has(f))
    .sort();
  if (!check) for (const f of stale) rmSync(join(root, f));
  return { diagnostics, changed, stale, outputs: outputs.size };
}

export { formatDiagnostic };
