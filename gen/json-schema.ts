// The JSON Schema of abi.json, generated from the TypeScript interfaces in gen/types.ts (the
// same types the generator's abiJson() is checked against), so the published schema cannot drift
// from the document: `kiln gen` writes it to generated/abi.schema.json and the site beside
// abi.json; tests validate abi.json against it with a real validator (ajv).
//
// The converter covers what those interfaces use: interfaces (with `extends`), readonly arrays,
// `Readonly<Record<string, T>>`, unions of literals and of null, string/number/boolean, and type
// aliases of unions; each interface is one entry of `$defs`, referenced by name; JSDoc comments
// become descriptions; optional properties are not required. Anything else is an error here, not
// a silently loose schema.
import { fileURLToPath } from "node:url";
import { Node, Project, type Type } from "ts-morph";

const TYPES_FILE = fileURLToPath(new URL("./types.ts", import.meta.url));
/** The schema's own id: the file name beside abi.json. */
export const ABI_SCHEMA_ID = "abi.schema.json";

type Schema = Record<string, unknown>;

let cached: Schema | null = null;
/** One project for every schema of a run: the type checker is the expensive part. */
let PROJECT: Project | null = null;

/** The schema of abi.json (the `AbiJson` interface and everything it refers to). */
export function abiJsonSchema(): Schema {
  cached ??= schemaOf([TYPES_FILE], "AbiJson", ABI_SCHEMA_ID, "kiln abi.json");
  return cached;
}

/**
 * The schema of interface `rootName`, declared in the first of `files`; the interfaces and type
 * aliases of every file listed become `$defs`. Files are read from disk, so imports between them
 * resolve.
 */
export function schemaOf(files: readonly string[], rootName: string, id: string, title: string): Schema {
  const project = (PROJECT ??= new Project({ compilerOptions: { strict: true, allowImportingTsExtensions: true, noEmit: true }, skipAddingFilesFromTsConfig: true }));
  const sources = files.map((f) => project.getSourceFile(f) ?? project.addSourceFileAtPath(f));
  project.resolveSourceFileDependencies();
  const defs: Record<string, Schema> = {};
  const interfaces = new Map(sources.flatMap((file) => file.getInterfaces().map((i) => [i.getName(), i] as const)));
  const aliases = new Map(sources.flatMap((file) => file.getTypeAliases().map((a) => [a.getName(), a] as const)));

  const describe = (node: Node): string | undefined => {
    const docs = Node.isJSDocable(node) ? node.getJsDocs().map((d) => d.getDescription().trim()).filter(Boolean) : [];
    return docs.length ? docs.join("\n") : undefined;
  };

  const convert = (t: Type, where: string, asAlias = false): Schema => {
    const sym = t.getAliasSymbol() ?? t.getSymbol();
    const name = sym?.getName();
    if (name && interfaces.has(name) && t.isInterface()) {
      define(name);
      return { $ref: `#/$defs/${name}` };
    }
    if (name && aliases.has(name) && t.getAliasSymbol() && !asAlias) {
      defineAlias(name);
      return { $ref: `#/$defs/${name}` };
    }
    if (t.isString()) return { type: "string" };
    if (t.isNumber()) return { type: "number" };
    if (t.isBoolean()) return { type: "boolean" };
    if (t.isNull()) return { type: "null" };
    if (t.isStringLiteral() || t.isNumberLiteral()) return { const: t.getLiteralValue() };
    if (t.isArray() || t.isReadonlyArray?.()) {
      const el = t.getArrayElementType() ?? t.getTypeArguments()[0];
      if (!el) throw new Error(`json-schema: array without element type at ${where}`);
      return { type: "array", items: convert(el, `${where}[]`) };
    }
    if (t.isUnion()) {
      const parts = t.getUnionTypes().filter((p) => !p.isUndefined()); // optional properties: not required instead
      // boolean shows up as true | false
      if (parts.every((p) => p.isBooleanLiteral())) return { type: "boolean" };
      const lits = parts.filter((p) => p.isStringLiteral());
      const rest = parts.filter((p) => !p.isStringLiteral());
      const schemas: Schema[] = [];
      if (lits.length) schemas.push({ enum: lits.map((p) => p.getLiteralValue()) });
      for (const p of rest) schemas.push(convert(p, where));
      return schemas.length === 1 ? schemas[0]! : { anyOf: schemas };
    }
    const index = t.getStringIndexType();
    if (index && t.getProperties().length === 0) return { type: "object", additionalProperties: convert(index, `${where}{}`) };
    if (t.isObject()) return objectSchema(t, where);
    throw new Error(`json-schema: cannot express \`${t.getText()}\` at ${where}`);
  };

  const objectSchema = (t: Type, where: string): Schema => {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const p of t.getProperties()) {
      const decl = p.getDeclarations()[0];
      if (!decl) throw new Error(`json-schema: property ${p.getName()} of ${where} has no declaration`);
      const s = convert(p.getTypeAtLocation(decl), `${where}.${p.getName()}`);
      const d = describe(decl);
      properties[p.getName()] = d ? { description: d, ...s } : s;
      if (!p.isOptional()) required.push(p.getName());
    }
    return { type: "object", properties, required, additionalProperties: false };
  };

  const define = (name: string): void => {
    if (defs[name]) return;
    defs[name] = {}; // placeholder against cycles
    const iface = interfaces.get(name)!;
    const s = objectSchema(iface.getType(), name);
    const d = describe(iface);
    defs[name] = d ? { description: d, ...s } : s;
  };
  const defineAlias = (name: string): void => {
    if (defs[name]) return;
    defs[name] = {};
    const a = aliases.get(name)!;
    const s = convert(a.getType(), name, true);
    const d = describe(a);
    defs[name] = d ? { description: d, ...s } : s;
  };

  define(rootName);
  const root = defs[rootName]!;
  const sorted = Object.fromEntries(Object.keys(defs).filter((k) => k !== rootName).sort().map((k) => [k, defs[k]]));
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: id,
    title,
    ...root,
    $defs: sorted,
  };
}

const DIFF_FILE = fileURLToPath(new URL("./diff.ts", import.meta.url));

/** The schema of `kiln diff --json` (gen/diff.ts `AbiDiffJson`). */
export function diffJsonSchema(): Schema {
  return schemaOf([DIFF_FILE], "AbiDiffJson", "diff.schema.json", "kiln diff --json");
}

/** The schema of `kiln matrix --json` and out/matrix.json (gen/types.ts `MatrixJson`). */
export function matrixJsonSchema(): Schema {
  return schemaOf([TYPES_FILE], "MatrixJson", "matrix.schema.json", "kiln matrix --json");
}
