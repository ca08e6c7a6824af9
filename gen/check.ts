// Checking a spec directory: load and validate, without the emitters (so `kiln check` never loads
// ts-morph). gen/main.ts re-exports all of this.
import { existsSync, statSync } from "node:fs";
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
