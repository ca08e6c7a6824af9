// Diagnostics: every problem found in a spec carries file:line:col and a stable rule id.

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Diagnostic extends Position {
  readonly rule: string;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: error: ${d.message} [${d.rule}]`;
}

/**
 * Causes before their consequences: a table that cannot be read, then an ABI's own rows (ids,
 * numbers, history, publication), then layouts, then what follows for every (program, kernel)
 * pair. Rules not listed sort with the pairs.
 */
const RULE_STAGES: readonly (readonly string[])[] = [
  ["no-spec", "malformed-marker", "malformed-table", "unknown-table", "unknown-column", "missing-column", "missing-cell", "bad-cell", "misplaced-table", "missing-table", "duplicate-table", "version-mismatch", "bad-published"],
  ["changed-published", "unknown-version", "duplicate-id", "duplicate-number", "duplicate-arg", "since-mismatch", "removed-mismatch", "reused-id", "renumbered-slot", "reused-slot", "changed-slot", "missing-slot", "slot-since", "stub-size", "layer-name"],
  ["overlapping-fields", "misaligned-field", "field-size", "struct-size", "duplicate-field", "changed-layout", "missing-struct", "unknown-struct", "unknown-type", "unknown-field", "missing-field", "access-size"],
];
const stageOf = (rule: string) => {
  const i = RULE_STAGES.findIndex((s) => s.includes(rule));
  return i < 0 ? RULE_STAGES.length : i;
};

/**
 * Diagnostics ordered by cause (RULE_STAGES), then by file, line, column and rule, so output is
 * stable; exact repeats dropped.
 */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = ds.filter((d) => {
    const key = formatDiagnostic(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      stageOf(a.rule) - stageOf(b.rule) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
}

/** Collects diagnostics while loading and validating. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  error(at: Position, rule: string, message: string): void {
    this.diagnostics.push({ file: at.file, line: at.line, column: at.column, rule, message });
  }
}

/** "spec/abi/k1.md:41" — the source reference carried by generated rows. */
export function srcOf(p: Position): string {
  return `${p.file}:${p.line}`;
}
