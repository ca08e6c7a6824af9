// The column schema of every table kind. A table whose header differs from its schema, a row with
// a missing cell, or a cell that does not parse as its column's type is an error.
import type { Position, Reporter } from "./diagnostics.ts";
import type { Cell, RawTable } from "./markdown.ts";

export type CellParser<T> = (text: string) => T | { error: string };

export interface Column<T = unknown> {
  readonly name: string;
  readonly parse: CellParser<T>;
  /** Optional columns may be left out of a table's header entirely. */
  readonly optional?: boolean;
}

export interface TableSchema {
  readonly kind: string;
  /** Marker arguments: `struct` takes the structure's name. */
  readonly args: readonly string[];
  /** Marker options allowed (`size=256`). */
  readonly options: readonly string[];
  readonly columns: readonly Column[];
  readonly description: string;
}

const NONE = new Set(["—", "-", "–", ""]);
export const isNone = (t: string): boolean => NONE.has(t.trim());

const err = (error: string) => ({ error });

export const identifier: CellParser<string> = (t) =>
  /^[a-z_][a-z0-9_]*$/.test(t) ? t : err(`\`${t}\` is not an identifier (lower case, digits, _)`);

export const upperName: CellParser<string> = (t) =>
  /^[A-Z_][A-Z0-9_]*$/.test(t) ? t : err(`\`${t}\` is not a constant name (upper case, digits, _)`);

export const text: CellParser<string> = (t) => (t.length > 0 ? t : err("empty cell"));

export const integer: CellParser<number> = (t) => {
  const s = t.replace(/_/g, "");
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return Number.parseInt(s.slice(2), 16);
  return err(`\`${t}\` is not an integer`);
};

export const nonNegative: CellParser<number> = (t) => {
  const v = integer(t);
  if (typeof v !== "number") return v;
  return v >= 0 ? v : err(`\`${t}\` must not be negative`);
};

export function versionOf(family: "p" | "k"): CellParser<string> {
  return (t) => (new RegExp(`^${family}\\d+$`).test(t) ? t : err(`\`${t}\` is not a ${family === "p" ? "program" : "kernel"} ABI version (${family}1, ${family}2, …)`));
}

export function optional<T>(p: CellParser<T>): CellParser<T | null> {
  return (t) => (isNone(t) ? null : p(t));
}

export function oneOf<T extends string>(values: readonly T[]): CellParser<T> {
  return (t) => ((values as readonly string[]).includes(t) ? (t as T) : err(`\`${t}\` is not one of ${values.join(", ")}`));
}

export function listOf<T>(p: CellParser<T>): CellParser<T[]> {
  return (t) => {
    if (isNone(t)) return [];
    const out: T[] = [];
    for (const part of t.split(",").map((s) => s.trim())) {
      const v = p(part);
      if (v && typeof v === "object" && "error" in v) return v;
      out.push(v as T);
    }
    return out;
  };
}

/** A type in a signature: scalar names, `cstr`, `ptr`, `ptr<T>`. */
export const typeName: CellParser<string> = (t) =>
  /^(?:[a-z_][a-z0-9_]*|ptr<[a-z_][a-z0-9_]*>)$/.test(t) ? t : err(`\`${t}\` is not a type (e.g. int, usize, cstr, ptr<stat>)`);

export interface Arg {
  readonly name: string;
  readonly type: string;
}

/** `fd: fd, buf: ptr<u8>, count: usize`, or `—` for no arguments. */
export const signature: CellParser<Arg[]> = (t) => {
  if (isNone(t)) return [];
  const args: Arg[] = [];
  for (const part of t.split(",").map((s) => s.trim())) {
    const m = /^([a-z_][a-z0-9_]*)\s*:\s*(\S+)$/.exec(part);
    if (!m) return err(`\`${part}\` is not an argument; write \`name: type\``);
    const ty = typeName(m[2]!);
    if (typeof ty !== "string") return ty;
    args.push({ name: m[1]!, type: ty });
  }
  if (args.length > 6) return err(`${args.length} arguments; a call takes at most 6 (a0–a5)`);
  return args;
};

/** A field type in a layout table: u8…u64, i8…i64, ptr, T[N], T[] (flexible), or a structure name. */
export const fieldType: CellParser<string> = (t) =>
  /^[a-z_][a-z0-9_]*(?:\[\d*\])?$/.test(t) ? t : err(`\`${t}\` is not a field type (u32, i64, ptr, u8[16], u8[], or a structure name)`);

/** A realisation's argument list: slot argument names, integers, constant names or "" (empty string). */
export const argExprs: CellParser<string[]> = (t) => {
  if (isNone(t)) return [];
  const parts = t.split(",").map((s) => s.trim());
  for (const p of parts) {
    if (!/^(?:[a-z_][a-z0-9_]*|[A-Z_][A-Z0-9_]*|-?\d+|0x[0-9a-fA-F]+|"")$/.test(p)) {
      return err(`\`${p}\` is not an argument expression (a slot argument, an integer, a constant name or "")`);
    }
  }
  if (parts.length > 6) return err("a call takes at most 6 arguments");
  return parts;
};

export const ROUTES = ["direct", "renumbered", "translated", "userspace", "emulated", "message"] as const;
export type Route = (typeof ROUTES)[number];

/**
 * `buf: stat ← statx` — copy the kernel's structure into the program's after the call (out);
 * `req: timespec → timespec64` — the program's into the kernel's before the call (in);
 * `ts: timespec ↔ timespec64` — both (in-out). ASCII `<-`, `->`, `<->` work too.
 */
export type Direction = "out" | "in" | "inout";
export interface Translation {
  readonly arg: string;
  readonly to: string;
  readonly from: string;
  readonly direction: Direction;
}
export const ARROWS: Readonly<Record<Direction, string>> = { out: "←", in: "→", inout: "↔" };
export const translations: CellParser<Translation[]> = (t) => {
  if (isNone(t)) return [];
  const out: Translation[] = [];
  for (const part of t.split(",").map((s) => s.trim())) {
    const m = /^([a-z_][a-z0-9_]*)\s*:\s*([a-z_][a-z0-9_]*)\s*(←|<-|→|->|↔|<->)\s*([a-z_][a-z0-9_]*)$/.exec(part);
    if (!m) return err(`\`${part}\` is not a translation; write \`arg: program_struct ← kernel_struct\` (out), \`→\` (in) or \`↔\` (both)`);
    const arrow = m[3]!;
    const direction: Direction = arrow === "←" || arrow === "<-" ? "out" : arrow === "→" || arrow === "->" ? "in" : "inout";
    out.push({ arg: m[1]!, to: m[2]!, from: m[4]!, direction });
  }
  return out;
};

/**
 * The structures an `access` table speaks of: the kernel table's `shared page` and `ring`
 * structures, the shared page's per-thread record `shared_thread`, and each program ABI's `tls`.
 */
export const ACCESS_ROLES = ["shared page", "shared_thread", "ring", "tls"] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

export const DIRECTIONS = ["in", "out", "inout"] as const;
export const ARG_FORMATS = ["bytes", "string", "flags", "enum", "octal"] as const;

/** `group`, `group:PREFIX*` or `group:NAME`: which constants show an argument's value. */
export const constantSelector: CellParser<string> = (t) =>
  /^[a-z_][a-z0-9_]*(?::[A-Z_][A-Z0-9_]*\*?)?$/.test(t) ? t : err(`\`${t}\` is not a constant selector (group, group:PREFIX* or group:NAME)`);

export const SCHEMAS: readonly TableSchema[] = [
  {
    kind: "kernel",
    args: [],
    options: [],
    description: "One row naming a kernel ABI version: its base version, its shared-page and ring structures.",
    columns: [
      { name: "version", parse: versionOf("k") },
      { name: "title", parse: text },
      { name: "base", parse: optional(versionOf("k")) },
      { name: "shared page", parse: optional(identifier) },
      { name: "ring", parse: optional(identifier) },
    ],
  },
  {
    kind: "program",
    args: [],
    options: [],
    description: "One row naming a program ABI version: its base, stub section size, slot size and native kernel.",
    columns: [
      { name: "version", parse: versionOf("p") },
      { name: "title", parse: text },
      { name: "base", parse: optional(versionOf("p")) },
      { name: "stub size", parse: nonNegative },
      { name: "slot size", parse: nonNegative },
      { name: "native kernel", parse: versionOf("k") },
    ],
  },
  {
    kind: "syscalls",
    args: [],
    options: [],
    description: "The system calls of a kernel ABI.",
    columns: [
      { name: "id", parse: identifier },
      { name: "nr", parse: nonNegative },
      { name: "handler", parse: identifier },
      { name: "args", parse: signature },
      { name: "ret", parse: typeName },
      { name: "errors", parse: listOf(upperName) },
      { name: "since", parse: versionOf("k") },
      { name: "removed", parse: optional(versionOf("k")) },
    ],
  },
  {
    kind: "messages",
    args: [],
    options: [],
    description: "The message-ring operations of a kernel ABI.",
    columns: [
      { name: "id", parse: identifier },
      { name: "opcode", parse: nonNegative },
      { name: "handler", parse: identifier },
      { name: "args", parse: signature },
      { name: "ret", parse: typeName },
      { name: "errors", parse: listOf(upperName) },
      { name: "since", parse: versionOf("k") },
      { name: "removed", parse: optional(versionOf("k")), optional: true },
    ],
  },
  {
    kind: "slots",
    args: [],
    options: [],
    description: "The stub slots of a program ABI: append-only, never renumbered.",
    columns: [
      { name: "slot", parse: nonNegative },
      { name: "id", parse: identifier },
      { name: "args", parse: signature },
      { name: "ret", parse: typeName },
      { name: "errors", parse: listOf(upperName) },
      { name: "since", parse: versionOf("p") },
    ],
  },
  {
    kind: "struct",
    args: ["name"],
    options: ["size", "align"],
    description: "A structure layout: field, offset, size, type.",
    columns: [
      { name: "field", parse: identifier },
      { name: "offset", parse: nonNegative },
      { name: "size", parse: nonNegative },
      { name: "type", parse: fieldType },
    ],
  },
  {
    kind: "fieldmap",
    args: ["struct"],
    options: [],
    description: "Where the canonical fields (the program structures' names) live in a kernel structure whose names differ.",
    columns: [
      { name: "field", parse: identifier },
      { name: "from", parse: (t: string) => (/^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*$/.test(t) ? t : err(`\`${t}\` is not a field path`)) },
    ],
  },
  {
    kind: "realise",
    args: [],
    options: [],
    description: "How a kernel ABI realises program slots that it does not offer as a call of the same id.",
    columns: [
      { name: "slot", parse: identifier },
      { name: "route", parse: oneOf(ROUTES) },
      { name: "call", parse: optional(identifier) },
      { name: "args", parse: argExprs },
      { name: "translate", parse: translations },
      { name: "recipe", parse: optional(identifier) },
    ],
  },
  {
    kind: "recipes",
    args: [],
    options: [],
    description: "Named recipes: handwritten layer code that routes refer to.",
    columns: [
      { name: "recipe", parse: identifier },
      { name: "route", parse: oneOf(ROUTES) },
      { name: "uses", parse: listOf(identifier) },
      { name: "description", parse: text },
      { name: "max insns", parse: optional(nonNegative), optional: true },
      { name: "max traps", parse: optional(nonNegative), optional: true },
    ],
  },
  {
    kind: "selection",
    args: [],
    options: [],
    description: "Which layer file the loader maps for a (program ABI, kernel ABI) pair.",
    columns: [
      { name: "program", parse: versionOf("p") },
      { name: "kernel", parse: versionOf("k") },
      { name: "layer", parse: text },
      { name: "path", parse: (t: string) => (/^\/[\w./-]+$/.test(t) ? t : err(`\`${t}\` is not an absolute guest path`)) },
    ],
  },
  {
    kind: "access",
    args: [],
    options: [],
    description: "Fields of the shared page, its thread records, the ring and the TLS block that the layer and the kernel read or write, and the width they access them with.",
    columns: [
      { name: "structure", parse: oneOf(ACCESS_ROLES) },
      { name: "field", parse: identifier },
      { name: "size", parse: nonNegative },
      { name: "used by", parse: text },
    ],
  },
  {
    kind: "errno",
    args: [],
    options: [],
    description: "Error numbers.",
    columns: [
      { name: "name", parse: upperName },
      { name: "value", parse: nonNegative },
      { name: "meaning", parse: text },
    ],
  },
  {
    kind: "convention",
    args: [],
    options: [],
    description: "The calling convention of kernel calls and program slots, for other tools.",
    columns: [
      { name: "kind", parse: oneOf(["call", "slot"] as const) },
      { name: "number", parse: text },
      { name: "args", parse: listOf(identifier) },
      { name: "result", parse: text },
      { name: "failure", parse: text },
    ],
  },
  {
    kind: "types",
    args: [],
    options: [],
    description: "The types signatures and fields use: size, signedness, pointer-ness.",
    columns: [
      { name: "type", parse: identifier },
      { name: "size", parse: nonNegative },
      { name: "signed", parse: oneOf(["yes", "no"] as const) },
      { name: "pointer", parse: oneOf(["yes", "no"] as const) },
      { name: "meaning", parse: text },
    ],
  },
  {
    kind: "arguments",
    args: [],
    options: [],
    description: "How tools read a call's arguments: direction, length argument, format and constants.",
    columns: [
      { name: "call", parse: (t: string) => (t === "*" ? t : identifier(t)) },
      { name: "arg", parse: identifier },
      { name: "direction", parse: oneOf(DIRECTIONS) },
      { name: "length", parse: optional(identifier) },
      { name: "format", parse: optional(oneOf(ARG_FORMATS)) },
      { name: "constants", parse: optional(constantSelector) },
      { name: "mask", parse: optional(upperName) },
    ],
  },
  {
    kind: "constants",
    args: ["group"],
    options: ["scope"],
    description: "Named constants, in groups.",
    columns: [
      { name: "name", parse: upperName },
      { name: "value", parse: integer },
      { name: "meaning", parse: text },
    ],
  },
];

export const SCHEMA_BY_KIND: ReadonlyMap<string, TableSchema> = new Map(SCHEMAS.map((s) => [s.kind, s]));

export interface ParsedRow {
  readonly at: Position;
  readonly cells: Readonly<Record<string, Cell>>;
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * Check a raw table against its schema and parse its cells. Returns null when the header itself is
 * unusable; rows with bad cells are dropped after reporting.
 */
export function parseTable(table: RawTable, report: Reporter): ParsedRow[] | null {
  const schema = SCHEMA_BY_KIND.get(table.kind);
  if (!schema) {
    report.error(table.at, "unknown-table", `unknown table kind \`${table.kind}\`; known kinds: ${SCHEMAS.map((s) => s.kind).join(", ")}`);
    return null;
  }
  if (table.args.length !== schema.args.length) {
    report.error(table.at, "malformed-marker", `a ${schema.kind} table marker takes ${schema.args.length ? schema.args.join(" and ") : "no argument"}, got ${table.args.length ? table.args.join(" ") : "none"}`);
    return null;
  }
  for (const key of Object.keys(table.options)) {
    if (!schema.options.includes(key)) {
      report.error(table.at, "malformed-marker", `unknown option \`${key}\` for a ${schema.kind} table${schema.options.length ? `; allowed: ${schema.options.join(", ")}` : ""}`);
    }
  }
  const names = table.header.map((c) => c.text.toLowerCase());
  let ok = true;
  table.header.forEach((cell, i) => {
    if (!schema.columns.some((c) => c.name === names[i])) {
      report.error(cell, "unknown-column", `unknown column \`${cell.text}\` in a ${schema.kind} table; expected ${schema.columns.map((c) => c.name).join(", ")}`);
      ok = false;
    } else if (names.indexOf(names[i]!) !== i) {
      report.error(cell, "unknown-column", `column \`${cell.text}\` appears twice`);
      ok = false;
    }
  });
  for (const col of schema.columns) {
    if (!col.optional && !names.includes(col.name)) {
      report.error(table.at, "missing-column", `a ${schema.kind} table needs a \`${col.name}\` column`);
      ok = false;
    }
  }
  if (!ok) return null;
  const rows: ParsedRow[] = [];
  table.rows.forEach((row, r) => {
    const at = table.rowAt[r]!;
    if (row.length < names.length) {
      report.error(at, "missing-cell", `row has ${row.length} cells, the ${schema.kind} table has ${names.length} columns (missing \`${names[row.length]}\`)`);
      return;
    }
    const cells: Record<string, Cell> = {};
    const values: Record<string, unknown> = {};
    let rowOk = true;
    names.forEach((name, i) => {
      const col = schema.columns.find((c) => c.name === name)!;
      const cell = row[i]!;
      cells[name] = cell;
      const v = col.parse(cell.text);
      if (v !== null && typeof v === "object" && "error" in (v as object) && !Array.isArray(v)) {
        report.error(cell, "bad-cell", `${col.name}: ${(v as { error: string }).error}`);
        rowOk = false;
      } else values[name] = v;
    });
    if (rowOk) rows.push({ at, cells, values });
  });
  return rows;
}
