// The repository's import graph, read with the TypeScript parser (so an import written inside a
// string, as gen/generate.ts emits them, is not one), and the layer rules of docs/architecture.md:
// spec → gen → generated → impl → harness → cli, web, with tests and entry points on top.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { ts } from "ts-morph";

export interface ImportEdge {
  readonly from: string;
  /** Repository-relative path of the imported file. */
  readonly to: string;
  /** `import type`, `export type` or `import("x").T`: erased at run time. */
  readonly typeOnly: boolean;
  readonly line: number;
}

/** Folders whose sources take part in the graph. */
export const SOURCE_ROOTS = ["bin", "bench", "cli", "gen", "generated", "harness", "impl", "scripts", "tests", "web"];

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules") walk(p);
      } else if (/\.(ts|mts|mjs)$/.test(e.name) && !e.name.endsWith(".d.mts") && !e.name.endsWith(".d.ts")) out.push(relative(root, p).split(sep).join("/"));
    }
  };
  for (const r of SOURCE_ROOTS) if (existsSync(join(root, r))) walk(join(root, r));
  return out.sort();
}

/** Every relative import of one source text (static, re-export, dynamic with a literal, import types). */
export function importsOf(file: string, text: string): ImportEdge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: ImportEdge[] = [];
  const add = (spec: ts.Expression | ts.LiteralTypeNode | undefined, typeOnly: boolean, at: ts.Node): void => {
    const lit = spec && ts.isLiteralTypeNode(spec) ? spec.literal : spec;
    if (!lit || !ts.isStringLiteralLike(lit) || !lit.text.startsWith(".")) return;
    const to = normalize(join(dirname(file), lit.text)).split(sep).join("/");
    out.push({ from: file, to, typeOnly, line: sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1 });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) add(n.moduleSpecifier, n.importClause?.isTypeOnly ?? false, n);
    else if (ts.isExportDeclaration(n)) add(n.moduleSpecifier, n.isTypeOnly, n);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) add(n.arguments[0], false, n);
    else if (ts.isImportTypeNode(n)) add(n.argument as ts.LiteralTypeNode, true, n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

export function importGraph(root: string): ImportEdge[] {
  return sourceFiles(root).flatMap((f) => importsOf(f, readFileSync(join(root, f), "utf8")));
}

/**
 * The layer of a file: an import may only point to the same layer or a lower one. Tests (any
 * `*.test.ts`, and tests/) and entry points sit on top; bench/ is host tooling beside harness/.
 */
export const LAYERS: readonly { readonly name: string; readonly level: number; readonly match: (f: string) => boolean }[] = [
  { name: "tests", level: 6, match: (f) => f.startsWith("tests/") || /\.test\.ts$/.test(f) },
  { name: "bin, scripts", level: 6, match: (f) => f.startsWith("bin/") || f.startsWith("scripts/") },
  { name: "cli, web", level: 5, match: (f) => f.startsWith("cli/") || f.startsWith("web/") },
  { name: "harness", level: 4, match: (f) => f.startsWith("harness/") || f.startsWith("bench/") },
  { name: "impl", level: 3, match: (f) => f.startsWith("impl/") },
  { name: "generated", level: 2, match: (f) => f.startsWith("generated/") },
  { name: "gen", level: 1, match: (f) => f.startsWith("gen/") },
];

export function layerOf(file: string): { name: string; level: number } {
  const l = LAYERS.find((x) => x.match(file));
  if (!l) throw new Error(`${file}: in no layer of tests/support/imports.ts LAYERS`);
  return l;
}

/** Imports that point to a higher layer, as "from:line → to (layer → layer)". */
export function upwardImports(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((e) => layerOf(e.to).level > layerOf(e.from).level)
    .map((e) => `${e.from}:${e.line} → ${e.to} (${layerOf(e.from).name} → ${layerOf(e.to).name}${e.typeOnly ? ", type only" : ""})`);
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
export function cycles(nodes: Iterable<string>, edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const list = next.get(e.from) ?? [];
    list.push(e.to);
    next.set(e.from, list);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      const wi = index.get(w);
      if (wi === undefined) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, wi));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) connect(n);
  return found.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/** A file's folder unit: impl/<part>, else its top folder; a test file counts with tests/ wherever it lives. */
export function folderOf(file: string): string {
  if (layerOf(file).name === "tests") return "tests";
  const parts = file.split("/");
  if (parts[0] === "impl" && parts.length > 2) return `impl/${parts[1]}`;
  return parts[0] ?? file;
}

/**
 * Literals that name an ABI version in code: a string that is exactly a version (`"k1"`, `'p2'`,
 * `` `p3` ``, or a pair `"p3-k3"`) and a regular expression over version names (`/-k[23]$/`,
 * `/^p\\d+$/`). Text that mentions a version inside a sentence is not one.
 */
export function versionLiterals(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    const line = (): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /^[pk]\d+(-[pk]\d+)?$/.test(n.text)) out.push(`${file}:${line()}: ${n.getText(sf)}`);
    else if (ts.isRegularExpressionLiteral(n) && /[pk](\\d|\[\d)/.test(n.text)) out.push(`${file}:${line()}: ${n.text}`);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
