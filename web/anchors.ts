// The stable anchor of every row of every marked table: `abi/k2.html#k2.openat` names one row.
// The rules, by table kind (`<v>` is the ABI version whose file holds the table):
//   syscalls  <k>.<id>            messages  <k>.msg.<id>        slots     <p>.<id>
//   struct    <v>.<struct>.<field> in an ABI file, <struct>.<field> in a chapter
//   realise   <k>.realise.<slot>   fieldmap  <k>.fieldmap.<struct>.<field>
//   recipes   recipe.<name>        selection <p>-<k>            errno     errno.<NAME>
//   constants const.<NAME>         kernel / program (the version's own row)  <v>.version
//   arguments arg.<call>.<arg>     (`arg.any.<arg>` for the `*` rows)
//   types     type.<type>          convention convention.<kind>
// A marked table itself gets `<v>.<kind>[.<arg>]` (chapters: `table.<kind>[.<arg>]`), e.g. `k1.struct.statx`.

export interface TableContext {
  readonly kind: string;
  readonly args: readonly string[];
  /** The ABI version whose file holds the table (`k2`), or null in a chapter. */
  readonly version: string | null;
}

/** Cell text by lower-case column name. */
export type RowCells = Readonly<Record<string, string>>;

/** The anchor id of one row, or null when the row lacks the column its id comes from. */
export function rowAnchor(t: TableContext, cells: RowCells): string | null {
  const c = (name: string) => {
    const v = cells[name]?.trim();
    return v ? v : null;
  };
  const v = t.version;
  const join = (...parts: (string | null)[]) => (parts.every((p) => p !== null) ? parts.join(".") : null);
  switch (t.kind) {
    case "syscalls":
      return join(v, c("id"));
    case "messages":
      return join(v, "msg", c("id"));
    case "slots":
      return join(v, c("id"));
    case "struct":
      return v ? join(v, t.args[0] ?? null, c("field")) : join(t.args[0] ?? null, c("field"));
    case "realise":
      return join(v, "realise", c("slot"));
    case "fieldmap":
      return join(v, "fieldmap", t.args[0] ?? null, c("field"));
    case "recipes":
      return join("recipe", c("recipe"));
    case "selection":
      return c("program") && c("kernel") ? `${c("program")}-${c("kernel")}` : null;
    case "errno":
      return join("errno", c("name"));
    case "constants":
      return join("const", c("name"));
    case "access":
      return join("access", c("structure")?.replace(/\s+/g, "-") ?? null, c("field"));
    case "types":
      return join("type", c("type"));
    case "convention":
      return join("convention", c("kind"));
    case "arguments":
      return join("arg", c("call") === "*" ? "any" : c("call"), c("arg"));
    case "kernel":
    case "program":
      return join(c("version"), "version");
    default:
      return null;
  }
}

/** The anchor id of a marked table as a whole. */
export function tableAnchor(t: TableContext): string {
  // In a chapter, `table.` keeps the id apart from the slug of a heading of the same name
  // (routes.html's "Recipes" heading and its recipes table were both #recipes).
  return [t.version ?? "table", t.kind, ...t.args].filter((x): x is string => !!x).join(".");
}
