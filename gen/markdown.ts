// Reads the marked tables out of a Markdown file with unified + remark-parse + remark-gfm.
// A table is part of the ABI when an HTML comment `<!-- kiln:table KIND [ARG…] [key=value…] -->`
// stands immediately before it; every other table is prose.
import type { Root, RootContent, Table, TableCell } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { toString } from "mdast-util-to-string";
import { unified } from "unified";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cachedJson, hashOf } from "./cache.ts";
import { Reporter, type Diagnostic, type Position } from "./diagnostics.ts";

export interface Cell extends Position {
  readonly text: string;
}

export interface RawTable {
  readonly kind: string;
  /** Positional marker arguments, e.g. the structure name in `kiln:table struct stat`. */
  readonly args: readonly string[];
  /** `key=value` marker options, e.g. `size=256`. */
  readonly options: Readonly<Record<string, string>>;
  readonly at: Position;
  readonly header: readonly Cell[];
  readonly rows: readonly (readonly Cell[])[];
  /** Where each row starts (its first cell). */
  readonly rowAt: readonly Position[];
}

const MARKER = /^<!--\s*kiln:table\b(.*?)-->$/s;

const processor = unified().use(remarkParse).use(remarkGfm);

export function parseMarkdown(text: string): Root {
  return processor.runSync(processor.parse(text)) as Root;
}

function posOf(file: string, node: { position?: { start: { line: number; column: number } } }): Position {
  const start = node.position?.start ?? { line: 1, column: 1 };
  return { file, line: start.line, column: start.column };
}

/** A cell's position is where its content starts (past `| `), so errors point at the value. */
function cellOf(file: string, cell: TableCell): Cell {
  const first = cell.children[0];
  const at = first ? posOf(file, first) : posOf(file, cell);
  return { ...at, text: toString(cell).trim() };
}

/** This module's own source: part of every cache key, so a change to the reader invalidates the cache. */
let readerVersion: string | null | undefined;
function readerSource(): string | null {
  if (readerVersion === undefined) {
    try {
      readerVersion = readFileSync(fileURLToPath(import.meta.url), "utf8");
    } catch {
      readerVersion = null;
    }
  }
  return readerVersion;
}

/**
 * Extract every marked table of one file. Parsing Markdown is most of `kiln check`'s time, so the
 * tables (and the diagnostics found reading them) are cached in the user's cache directory
 * (gen/cache.ts), keyed by the file's name and text and this module's source.
 */
export function readTables(file: string, text: string, report: Reporter): RawTable[] {
  const version = readerSource();
  if (version === null || process.env["KILN_NO_CACHE"] === "1") return readTablesUncached(file, text, report);
  const r = cachedJson("tables", hashOf(version, file, text), () => {
    const local = new Reporter();
    const tables = readTablesUncached(file, text, local);
    return { tables, diagnostics: local.diagnostics as Diagnostic[] };
  });
  for (const d of r.diagnostics) report.error(d, d.rule, d.message);
  return r.tables;
}

function readTablesUncached(file: string, text: string, report: Reporter): RawTable[] {
  const tree = parseMarkdown(text);
  const tables: RawTable[] = [];
  const children: RootContent[] = tree.children;
  children.forEach((node, i) => {
    if (node.type !== "html") return;
    const m = MARKER.exec(node.value.trim());
    if (!m) {
      const typo = /kiln\s*:\s*([\w-]*)/.exec(node.value);
      if (typo) {
        const what = typo[1] && typo[1] !== "table" ? `\`kiln:${typo[1]}\` is not a marker` : "malformed table marker";
        const next = children[i + 1];
        const lost = next?.type === "table" ? "; the table after it is not read until the marker is fixed" : "";
        report.error(posOf(file, node), "malformed-marker", `${what}; write \`<!-- kiln:table KIND [ARG] [key=value] -->\`${lost}`);
      }
      return;
    }
    const at = posOf(file, node);
    const words = m[1]!.trim().split(/\s+/).filter(Boolean);
    const kind = words.shift();
    if (!kind) {
      report.error(at, "malformed-marker", "table marker names no table kind");
      return;
    }
    const args: string[] = [];
    const options: Record<string, string> = {};
    for (const w of words) {
      const eq = w.indexOf("=");
      if (eq > 0) options[w.slice(0, eq)] = w.slice(eq + 1);
      else args.push(w);
    }
    const next = children[i + 1];
    if (!next || next.type !== "table") {
      report.error(at, "malformed-table", `marker for a ${kind} table is not followed by a table (a table needs a header row and a delimiter row \`| --- |\`)`);
      return;
    }
    const table = next as Table;
    const [head, ...body] = table.children;
    const header = head ? head.children.map((c) => cellOf(file, c)) : [];
    const rows = body.map((r) => r.children.map((c) => cellOf(file, c)));
    const rowAt = body.map((r) => posOf(file, r));
    tables.push({ kind, args, options, at: posOf(file, table), header, rows, rowAt });
  });
  return tables;
}
