// The generator's entry points: check a spec directory, generate (or verify) every output.
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { formatDiagnostic, type Diagnostic } from "./diagnostics.ts";
import { generateAll } from "./generate.ts";
import { checkSpec, REPO_ROOT } from "./check.ts";

export { checkSpec, REPO_ROOT, type CheckResult } from "./check.ts";

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
