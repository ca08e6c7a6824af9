// Loads a spec directory: every Markdown file, every marked table, into the typed model.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Position } from "./diagnostics.ts";
import { Reporter } from "./diagnostics.ts";
import { readTables, type RawTable } from "./markdown.ts";
import type { FieldMap, KernelAbi, Located, ProgramAbi, Spec, Struct } from "./model.ts";
import { parseTable, type ParsedRow } from "./schema.ts";

/** Which table kinds may appear in which kind of file. */
const PLACEMENT: Record<"kernel" | "program" | "chapter", readonly string[]> = {
  kernel: ["kernel", "syscalls", "messages", "struct", "realise", "fieldmap"],
  program: ["program", "slots", "struct"],
  chapter: ["struct", "recipes", "selection", "errno", "constants", "access", "arguments", "types", "convention"],
};

function listMarkdown(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listMarkdown(path));
    else if (name.endsWith(".md")) out.push(path);
  }
  return out;
}

function located(row: ParsedRow): Located {
  const cellAt: Record<string, Position> = {};
  for (const [k, c] of Object.entries(row.cells)) cellAt[k] = { file: c.file, line: c.line, column: c.column };
  return { at: row.at, cellAt };
}

const v = <T>(row: ParsedRow, col: string): T => row.values[col] as T;

export interface LoadResult {
  readonly spec: Spec;
  readonly report: Reporter;
}

/**
 * Load `specDir`. `displayRoot` is how paths appear in diagnostics and `src` (default: relative to
 * the current directory).
 */
export function loadSpec(specDir: string | null, displayRoot?: string): LoadResult {
  const report = new Reporter();
  const display = (p: string) => (displayRoot ? join(displayRoot, relative(specDir ?? ".", p)) : relative(process.cwd(), p) || p);
  const spec: Spec = {
    root: displayRoot ?? (relative(process.cwd(), specDir ?? ".") || "."),
    files: [],
    kernels: [],
    programs: [],
    structs: new Map(),
    recipes: [],
    selection: [],
    errno: [],
    constants: [],
    access: [],
    arguments: [],
    types: [],
    convention: [],
    published: new Set(),
  };
  // null: an empty spec (the directory does not exist; the caller reports it).
  const files = specDir === null ? [] : listMarkdown(specDir);
  for (const path of files) {
    const file = display(path);
    (spec.files as string[]).push(file);
    const base = path.slice(path.lastIndexOf("/") + 1, -3);
    const inAbi = relative(specDir!, path).startsWith("abi/");
    const fileKind = inAbi && /^k\d+$/.test(base) ? "kernel" : inAbi && /^p\d+$/.test(base) ? "program" : "chapter";
    const tables = readTablesCached(file, readFileSync(path, "utf8"), report);
    loadFile(spec, report, file, base, fileKind, tables);
  }
  return { spec, report };
}

/**
 * Parsing Markdown is most of a check's time, and a check of an edited copy of spec/ (kiln check
 * --spec, the broken-edit corpus) re-reads files that did not change: keep each file's tables
 * (and what reading them reported) by name and content.
 */
const parsed = new Map<string, { tables: RawTable[]; diagnostics: Reporter["diagnostics"] }>();
function readTablesCached(file: string, text: string, report: Reporter): RawTable[] {
  const key = `${file}\0${text}`;
  let hit = parsed.get(key);
  if (!hit) {
    const own = new Reporter();
    hit = { tables: readTables(file, text, own), diagnostics: own.diagnostics };
    if (parsed.size > 256) parsed.clear();
    parsed.set(key, hit);
  }
  report.diagnostics.push(...hit.diagnostics);
  return hit.tables;
}

function loadFile(
  spec: Spec,
  report: Reporter,
  file: string,
  base: string,
  fileKind: "kernel" | "program" | "chapter",
  tables: RawTable[],
): void {
  const parsed: { table: RawTable; rows: ParsedRow[] }[] = [];
  for (const table of tables) {
    const rows = parseTable(table, report);
    if (!rows) continue;
    if (!PLACEMENT[fileKind].includes(table.kind)) {
      report.error(table.at, "misplaced-table", `a ${table.kind} table does not belong in ${fileKind === "chapter" ? "a chapter" : `a ${fileKind} ABI file`}; it goes in ${placesFor(table.kind)}`);
      continue;
    }
    if (table.kind === "constants" && table.options["scope"] !== undefined && table.options["scope"] !== "kernel") {
      report.error(table.at, "malformed-marker", `scope=${table.options["scope"]}: a constants table's scope is \`kernel\` (the kernel's own values) or left out (ABI)`);
    }
    parsed.push({ table, rows });
  }
  const structs = new Map<string, Struct>();
  const owner = fileKind === "chapter" ? "spec" : base;
  for (const { table, rows } of parsed.filter((p) => p.table.kind === "struct")) {
    const name = table.args[0]!;
    const target = fileKind === "chapter" ? spec.structs : structs;
    if (target.has(name) || (fileKind === "chapter" && spec.structs.has(name))) {
      report.error(table.at, "duplicate-struct", `structure \`${name}\` is defined twice (first at line ${target.get(name)!.at.line})`);
      continue;
    }
    const num = (key: string): number | null => {
      const raw = table.options[key];
      if (raw === undefined) return null;
      if (!/^\d+$/.test(raw)) {
        report.error(table.at, "malformed-marker", `${key}=${raw} is not a whole number`);
        return null;
      }
      return Number(raw);
    };
    target.set(name, {
      name,
      at: table.at,
      declaredSize: num("size"),
      declaredAlign: num("align"),
      owner,
      fields: rows.map((r) => ({ ...located(r), name: v(r, "field"), offset: v(r, "offset"), size: v(r, "size"), type: v(r, "type") })),
    });
  }
  const one = (kind: string) => {
    const ts = parsed.filter((p) => p.table.kind === kind);
    if (ts.length > 1) report.error(ts[1]!.table.at, "duplicate-table", `a file has at most one ${kind} table (first at line ${ts[0]!.table.at.line})`);
    return ts[0];
  };
  const all = (kind: string) => parsed.filter((p) => p.table.kind === kind).flatMap((p) => p.rows);

  if (fileKind === "kernel") {
    const head = one("kernel");
    const row = head?.rows[0];
    if (!head || !row || head.rows.length !== 1) {
      // One row whose bad cell was already reported is the same cause: no follow-on error.
      const droppedOne = head !== undefined && head.table.rows.length === 1 && head.rows.length === 0;
      if (!droppedOne) report.error(head?.table.at ?? { file, line: 1, column: 1 }, "missing-table", `kernel ABI file ${file} needs a kernel table with exactly one row`);
      return;
    }
    const version = v<string>(row, "version");
    if (version !== base) report.error(row.cells.version!, "version-mismatch", `kernel table names ${version} but the file is ${base}.md`);
    const fieldmaps: FieldMap[] = parsed
      .filter((p) => p.table.kind === "fieldmap")
      .map(({ table, rows }) => ({ struct: table.args[0]!, at: table.at, entries: rows.map((r) => ({ ...located(r), field: v(r, "field"), from: v(r, "from") })) }));
    const k: KernelAbi = {
      version: base,
      title: v(row, "title"),
      base: v(row, "base"),
      sharedPage: v(row, "shared page"),
      ring: v(row, "ring"),
      file,
      ...located(row),
      syscalls: all("syscalls").map((r) => ({ ...located(r), id: v(r, "id"), nr: v(r, "nr"), handler: v(r, "handler"), args: v(r, "args"), ret: v(r, "ret"), errors: v(r, "errors"), since: v(r, "since"), removed: v(r, "removed") })),
      messages: all("messages").map((r) => ({ ...located(r), id: v(r, "id"), opcode: v(r, "opcode"), handler: v(r, "handler"), args: v(r, "args"), ret: v(r, "ret"), errors: v(r, "errors"), since: v(r, "since"), removed: v<string | null | undefined>(r, "removed") ?? null })),
      structs,
      realise: all("realise").map((r) => ({ ...located(r), slot: v(r, "slot"), route: v(r, "route"), call: v(r, "call"), args: v(r, "args"), translate: v(r, "translate"), recipe: v(r, "recipe") })),
      fieldmaps,
    };
    spec.kernels.push(k);
  } else if (fileKind === "program") {
    const head = one("program");
    const row = head?.rows[0];
    if (!head || !row || head.rows.length !== 1) {
      // One row whose bad cell was already reported is the same cause: no follow-on error.
      const droppedOne = head !== undefined && head.table.rows.length === 1 && head.rows.length === 0;
      if (!droppedOne) report.error(head?.table.at ?? { file, line: 1, column: 1 }, "missing-table", `program ABI file ${file} needs a program table with exactly one row`);
      return;
    }
    const version = v<string>(row, "version");
    if (version !== base) report.error(row.cells.version!, "version-mismatch", `program table names ${version} but the file is ${base}.md`);
    const p: ProgramAbi = {
      version: base,
      title: v(row, "title"),
      base: v(row, "base"),
      stubSize: v(row, "stub size"),
      slotSize: v(row, "slot size"),
      nativeKernel: v(row, "native kernel"),
      file,
      ...located(row),
      slots: all("slots").map((r) => ({ ...located(r), slot: v(r, "slot"), id: v(r, "id"), args: v(r, "args"), ret: v(r, "ret"), errors: v(r, "errors"), since: v(r, "since") })),
      structs,
    };
    spec.programs.push(p);
  } else {
    for (const { table, rows } of parsed) {
      for (const r of rows) {
        const loc = located(r);
        if (table.kind === "recipes") spec.recipes.push({ ...loc, name: v(r, "recipe"), route: v(r, "route"), uses: v(r, "uses"), description: v(r, "description"), maxInsns: v<number | null | undefined>(r, "max insns") ?? null, maxTraps: v<number | null | undefined>(r, "max traps") ?? null });
        else if (table.kind === "selection") spec.selection.push({ ...loc, program: v(r, "program"), kernel: v(r, "kernel"), layer: v(r, "layer"), path: v(r, "path") });
        else if (table.kind === "errno") spec.errno.push({ ...loc, name: v(r, "name"), value: v(r, "value"), meaning: v(r, "meaning") });
        else if (table.kind === "access") spec.access.push({ ...loc, structure: v(r, "structure"), field: v(r, "field"), size: v(r, "size"), usedBy: v(r, "used by") });
        else if (table.kind === "types") spec.types.push({ ...loc, type: v(r, "type"), size: v(r, "size"), signed: v(r, "signed") === "yes", pointer: v(r, "pointer") === "yes", meaning: v(r, "meaning") });
        else if (table.kind === "convention") spec.convention.push({ ...loc, kind: v(r, "kind"), number: v(r, "number"), args: v(r, "args"), result: v(r, "result"), failure: v(r, "failure") });
        else if (table.kind === "arguments") spec.arguments.push({ ...loc, call: v(r, "call"), arg: v(r, "arg"), direction: v(r, "direction"), length: v(r, "length"), format: v(r, "format"), constants: v(r, "constants"), mask: v(r, "mask") });
        else if (table.kind === "constants") spec.constants.push({ ...loc, group: table.args[0]!, name: v(r, "name"), value: v(r, "value"), meaning: v(r, "meaning"), kernelOnly: table.options["scope"] === "kernel" });
      }
    }
  }
}

function placesFor(kind: string): string {
  const where = (Object.keys(PLACEMENT) as (keyof typeof PLACEMENT)[]).filter((k) => PLACEMENT[k].includes(kind));
  return where.map((w) => (w === "chapter" ? "a chapter (spec/*.md)" : `a ${w} ABI file (spec/abi/${w[0]}N.md)`)).join(" or ");
}
