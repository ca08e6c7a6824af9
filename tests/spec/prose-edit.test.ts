// A prose edit in spec/ changes no generated file: generated/ cites rows by stable id, never by
// Markdown line, so a paragraph added at the top of every spec file (which moves every table and
// row down three lines) regenerates byte-identical outputs. A table edit, by contrast, does change them.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runGen } from "../../gen/main.ts";

const work = mkdtempSync(join(tmpdir(), "kiln-prose-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
}

/** Regenerate from `specDir` into a fresh out dir; path → text of every file written under generated/. */
function generate(specDir: string, name: string): Map<string, string> {
  const root = join(work, name);
  const r = runGen(root, false, specDir, "spec");
  expect(r.diagnostics).toEqual([]);
  return new Map(walk(join(root, "generated")).map((f) => [relative(root, f), readFileSync(f, "utf8")]));
}

/** Put a paragraph at the top of every spec file, above every table. */
function addProse(dir: string): number {
  const files = walk(dir).filter((f) => f.endsWith(".md"));
  for (const f of files) writeFileSync(f, `A paragraph of prose, added by a test:\nit says nothing the tables say, and spans two lines.\n\n${readFileSync(f, "utf8")}`);
  return files.length;
}

describe("a prose edit in spec/", () => {
  it("changes no generated file", () => {
    const before = generate(join(REPO_ROOT, "spec"), "before");
    const edited = join(work, "spec");
    cpSync(join(REPO_ROOT, "spec"), edited, { recursive: true });
    expect(addProse(edited)).toBeGreaterThan(10);
    const after = generate(edited, "after");
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...before].filter(([path, text]) => after.get(path) !== text).map(([path]) => path);
    expect(changed).toEqual([]);
  });

  it("while a table edit does change the data (the test can fail)", () => {
    const edited = join(work, "spec-table");
    cpSync(join(REPO_ROOT, "spec"), edited, { recursive: true });
    const errors = join(edited, "errors.md");
    const text = readFileSync(errors, "utf8");
    const row = /^\| ENOENT \| (\d+) \| ([^|]+) \|$/m.exec(text)!;
    writeFileSync(errors, text.replace(row[0], `| ENOENT | ${row[1]} | ${row[2]!.trim()}, edited |`));
    const before = generate(join(REPO_ROOT, "spec"), "before-table");
    const after = generate(edited, "after-table");
    expect([...before].filter(([path, t]) => after.get(path) !== t).map(([path]) => path)).toContain("generated/abi/chapters.json");
  });
});
