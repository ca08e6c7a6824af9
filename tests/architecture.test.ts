// The folder graph (docs/architecture.md): imports point one way, spec → gen → generated → impl →
// harness → cli, web, and no two files import each other, directly or around a circle.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../gen/main.ts";
import { cycles, folderOf, importGraph, importsOf, layerOf, sourceFiles, upwardImports, type ImportEdge } from "./support/imports.ts";

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
