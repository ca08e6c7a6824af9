// Checking a spec directory: load and validate, without the emitters (so `kiln check` never loads
// ts-morph). gen/main.ts re-exports all of this.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
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
  const { spec, report } = loadSpec(specDir, display);
  validate(spec, report);
  checkPublished(spec, readPublished(specDir, report, spec.root), report);
  return { spec, diagnostics: sortDiagnostics(report.diagnostics) };
}
