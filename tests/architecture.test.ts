// The folder graph (docs/architecture.md): imports point one way, spec → gen → generated → impl →
// harness → cli, web, and no two files import each other, directly or around a circle.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../gen/main.ts";
import { readFileSync } from "node:fs";
import { cycles, folderOf, importGraph, importsOf, layerOf, sourceFiles, upwardImports, versionLiterals, type ImportEdge } from "./support/imports.ts";

/**
 * Allowed exceptions, each with its reason. Only type-only imports may close these cycles: the
 * value graph has no cycle at all.
 */
const TYPE_CYCLE_EXCEPTIONS: readonly { readonly folder: string; readonly reason: string }[] = [
  {
    folder: "impl/kernel/",
    reason:
      "handlers, the loader hook and the lock table take the Kernel they run on (`import type { Kernel }`), " +
      "while kernel.ts builds its dispatch table from the handlers; an interface restating the Kernel class's members would be a second copy of it",
  },
];

const graph = importGraph(REPO_ROOT);
const files = sourceFiles(REPO_ROOT);

describe("the import checker", () => {
  it("sees every form of import, and no import written inside a string", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      'export { c } from "./c.ts";',
      'export type { D } from "./d.ts";',
      'const e = await import("./e.ts");',
      'let f: import("./f.ts").F;',
      'import { readFileSync } from "node:fs";',
      'const emitted = `import { g } from "./g.ts";`;',
    ].join("\n");
    const got = importsOf("impl/x/y.ts", text).map((e) => `${e.to}${e.typeOnly ? " (type)" : ""}`);
    expect(got).toEqual(["impl/x/a.ts", "impl/b.ts (type)", "impl/x/c.ts", "impl/x/d.ts (type)", "impl/x/e.ts", "impl/x/f.ts (type)"]);
  });

  it("reports an upward import and a circle", () => {
    const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly, line: 1 });
    expect(upwardImports([edge("impl/layer/a.ts", "cli/b.ts"), edge("cli/b.ts", "impl/layer/a.ts"), edge("gen/x.ts", "impl/y.ts", true)])).toEqual([
      "impl/layer/a.ts:1 → cli/b.ts (impl → cli, web)",
      "gen/x.ts:1 → impl/y.ts (gen → impl, type only)",
    ]);
    expect(cycles(["a", "b", "c", "d"], [edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "d")])).toEqual([["a", "b", "c"]]);
    expect(layerOf("generated/tests/kernel-k1.test.ts").name).toBe("tests");
  });
});

describe("the repository's imports", () => {
  it("read a few hundred files", () => {
    expect(files.length).toBeGreaterThan(200);
    expect(graph.length).toBeGreaterThan(500);
  });

  it("each name an existing file", () => {
    expect(graph.filter((e) => !existsSync(join(REPO_ROOT, e.to))).map((e) => `${e.from}:${e.line} → ${e.to}`)).toEqual([]);
  });

  it("point only down: spec → gen → generated → impl → harness → cli, web (type imports too)", () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it("make no circle between files at run time", () => {
    expect(cycles(files, graph.filter((e) => !e.typeOnly))).toEqual([]);
  });

  it("make type-only circles only where an exception says why", () => {
    const found = cycles(files, graph);
    const unexplained = found.filter((c) => !TYPE_CYCLE_EXCEPTIONS.some((x) => c.every((f) => f.startsWith(x.folder))));
    expect(unexplained).toEqual([]);
    for (const x of TYPE_CYCLE_EXCEPTIONS) {
      expect(found.some((c) => c[0]?.startsWith(x.folder)), `the exception for ${x.folder} is no longer needed: remove it`).toBe(true);
    }
  });

  it("make no circle between folders (impl/<part> and the top folders)", () => {
    const folderEdges = graph.map((e) => ({ from: folderOf(e.from), to: folderOf(e.to) })).filter((e) => e.from !== e.to);
    const folders = new Set(files.map(folderOf));
    expect(cycles(folders, folderEdges)).toEqual([]);
  });
});

/** Where a version name may decide something, and why. */
const VERSION_NAME_EXCEPTIONS: readonly { readonly file: string; readonly reason: string }[] = [
  { file: "gen/load.ts", reason: "the spec format: a file under spec/abi/ is a kernel or program ABI by its name (kN.md, pN.md), docs/spec-format.md" },
];

describe("code in impl/, gen/, harness/ and cli/", () => {
  it("the version-literal finder sees names and regular expressions, not prose", () => {
    const text = 'if (k === "k1") x();\nconst r = /-k[23]$/;\nconst s = /^p\\d+$/;\nhelp("run on k1 or k2");\nconst pair = `p3-k3`;';
    expect(versionLiterals("impl/x.ts", text)).toEqual(['impl/x.ts:1: "k1"', "impl/x.ts:2: /-k[23]$/", "impl/x.ts:3: /^p\\d+$/", "impl/x.ts:5: `p3-k3`"]);
  });

  it("lets no ABI version name decide anything (a spec column or the tables' order does)", () => {
    const allowed = new Set(VERSION_NAME_EXCEPTIONS.map((x) => x.file));
    const code = files.filter((f) => /^(impl|gen|harness|cli)\//.test(f) && f.endsWith(".ts") && !allowed.has(f));
    expect(code.flatMap((f) => versionLiterals(f, readFileSync(join(REPO_ROOT, f), "utf8")))).toEqual([]);
    for (const x of VERSION_NAME_EXCEPTIONS) expect(versionLiterals(x.file, readFileSync(join(REPO_ROOT, x.file), "utf8")).length, `${x.file}: exception no longer needed`).toBeGreaterThan(0);
  });
});
