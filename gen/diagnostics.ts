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

/** Diagnostics sorted by file, line, column, then rule, so output is stable; exact repeats dropped. */
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
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
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
