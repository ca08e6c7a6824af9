// The site builder: pages, row anchors, rewritten links, the matrix page with and without run
// results, abi.json, determinism, and the CLI commands around it.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.ts";
import { Reporter } from "../../gen/diagnostics.ts";
import { generateAll } from "../../gen/generate.ts";
import { checkSpec, REPO_ROOT } from "../../gen/main.ts";
import { readTables } from "../../gen/markdown.ts";
import { rowAnchor } from "../../web/anchors.ts";
import { renderMarkdown } from "../../web/markdown.ts";
import { readMatrix } from "../../web/matrix-data.ts";
import { relHref, sitePathOf } from "../../web/paths.ts";
import { abiJsonText, buildSite, SiteOutError, type SiteResult } from "../../web/site.ts";
import { kernels, kernelVersions, programs, programVersions } from "../../generated/index.ts";
import { sharedSite } from "../support/shared-site.ts";

const work = mkdtempSync(join(tmpdir(), "kiln-site-"));
let out = "";
let result: SiteResult;
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  ({ out, result } = sharedSite()); // built once per test run (tests/support/shared-site.ts)
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}
const page = (p: string) => readFileSync(join(out, p), "utf8");
const specFiles = (dir: string) => readdirSync(join(REPO_ROOT, dir)).filter((n) => n.endsWith(".md")).sort();

describe("kiln site", () => {
  it("builds without warnings", () => {
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.matrixFrom).toBeNull();
  });

  it("offers the Lua sample on the playground: its script to edit, and the port embedded for every program ABI", () => {
    const html = page("playground.html");
    expect(html).toContain('<option value="lua">');
    expect(html).toMatch(/<textarea id="pg-script"[^>]*>-- Edit this script[^]*coroutine\.wrap[^]*io\.open[^]*<\/textarea>/);
    const data = JSON.parse(page("playground-samples.js").replace(/^[^]*?globalThis\.KILN_SAMPLES = /, "").replace(/;\s*$/, "")) as { samples: { id: string; elf: Record<string, string>; script?: { path: string } }[] };
    const lua = data.samples.find((x) => x.id === "lua")!;
    expect(lua.script?.path).toBe("/main.lua");
    // An RV32 ELF for every program ABI.
    for (const p of programVersions) expect(Buffer.from(lua.elf[p]!, "base64").subarray(0, 4).toString("latin1"), p).toBe("\x7fELF");
  });

  const consecutive = (vs: readonly string[]) => vs.slice(1).map((v, i) => [vs[i]!, v] as const);

  it("has a page for every chapter, ABI version, guide, call and slot, the diffs, the matrix, abi.json, its schema, the search index and the CSS", () => {
    const files = walk(out).map((f) => relative(out, f)).sort();
    const want = [
      ...specFiles("spec").map((n) => n.replace(/\.md$/, ".html")),
      ...specFiles("spec/abi").map((n) => `abi/${n.replace(/\.md$/, ".html")}`),
      ...specFiles("docs").map((n) => `docs/${n.replace(/\.md$/, ".html")}`),
      ...consecutive(programVersions).map(([a, b]) => `diff/${a}-${b}.html`),
      ...consecutive(kernelVersions).map(([a, b]) => `diff/${a}-${b}.html`),
      ...[...new Set(Object.values(kernels).flatMap((k) => [...k.syscalls, ...k.messages].map((c) => `calls/${c.id}.html`)))],
      ...[...new Set(Object.values(programs).flatMap((p) => p.slots.map((s) => `slots/${s.id}.html`)))],
      "calls.html", "search.js", "search-index.js",
      "matrix.html", "abi.json", "abi.schema.json", "style.css", "playground.html", "playground.js", "playground-samples.js",
    ].sort();
    expect(files).toEqual(want);
  });

  it("gives every row of every marked table its stable anchor", () => {
    const k2 = page("abi/k2.html");
    expect(k2).toContain('<tr id="k2.openat" class="row">');
    expect(k2).toContain('id="k2.realise.fstat"');
    expect(k2).toContain('id="k2.stat.st_size"');
    expect(k2).toContain('<a href="#k2.openat" title="Link to k2.openat" class="self" aria-label="Link to k2.openat">¶</a>');
    expect(page("abi/k3.html")).toContain('id="k3.msg.read"');
    expect(page("abi/k1.html")).toContain('id="k1.fieldmap.statx.st_dev"');
    expect(page("abi/k1.html")).toContain('id="k1.struct.statx"');
    expect(page("abi/p1.html")).toContain('id="p1.write"');
    expect(page("abi/p1.html")).toContain('id="p1.stat.st_size"');
    expect(page("abi/p1.html")).toContain('id="p1.version"');
    expect(page("tls.html")).toContain('id="layer_private.scratch"');
    expect(page("routes.html")).toContain('id="recipe.lseek_llseek"');
    expect(page("loader.html")).toContain('id="p1-k2"');
    expect(page("errors.html")).toContain('id="errno.EBADF"');
    expect(page("errors.html")).toContain('id="const.AT_FDCWD"');
  });

  it("anchors exactly the rows the generator reads, with the id rule of their kind", () => {
    const files = [...specFiles("spec").map((n) => `spec/${n}`), ...specFiles("spec/abi").map((n) => `spec/abi/${n}`)];
    let total = 0;
    for (const f of files) {
      const text = readFileSync(join(REPO_ROOT, f), "utf8");
      const tables = readTables(f, text, new Reporter());
      const doc = renderMarkdown(f, text, () => true);
      const version = /abi\/([kp]\d+)\.md$/.exec(f)?.[1] ?? null;
      const want = tables.flatMap((t) =>
        t.rows.map((r) => rowAnchor({ kind: t.kind, args: t.args, version }, Object.fromEntries(t.header.map((h, i) => [h.text.toLowerCase(), r[i]?.text ?? ""])))),
      );
      expect(doc.rowIds, f).toEqual(want);
      // Each row's source line maps to its anchor, so generated `src` references link to the row.
      for (const t of tables) t.rowAt.forEach((at) => expect(doc.rowsBySrc.has(`${f}:${at.line}`), `${f}:${at.line}`).toBe(true));
      total += want.length;
    }
    expect(total).toBeGreaterThan(500);
  });

  it("rewrites every link between Markdown files to the HTML pages, fragments included", () => {
    for (const f of walk(out).filter((x) => x.endsWith(".html"))) {
      const html = readFileSync(f, "utf8");
      expect(html, relative(out, f)).not.toMatch(/href="[^"]*\.md(#[^"]*)?"/);
      expect(html, relative(out, f)).not.toMatch(/href="\//); // relative links only
      expect(html, relative(out, f)).not.toMatch(/(src|href)="https?:/); // nothing external
    }
    const index = page("index.html");
    expect(index).toContain('href="abi/p1.html"');
    expect(index).toContain('href="docs/spec-format.html"');
    expect(index).toContain('href="abi.json"');
    expect(page("routes.html")).toContain('href="abi/k1.html#field-maps"');
    expect(page("abi/k1.html")).toContain('href="../errors.html"');
    expect(page("abi/k1.html")).toContain('id="field-maps"');
    expect(page("abi/k1.html")).toContain('<link rel="stylesheet" href="../style.css">');
  });

  it("links ids, errors, versions and recipes in the marked tables, and has a page per call and slot", () => {
    const k2 = page("abi/k2.html");
    expect(k2).toMatch(/<tr id="k2\.openat" class="row">\s*<td><a href="\.\.\/calls\/openat\.html">openat<\/a><a href="#k2\.openat"/);
    expect(k2).toContain('<a href="../errors.html#errno.ENOENT">ENOENT</a>');
    expect(k2).toContain('<a href="k1.html">k1</a>');
    expect(k2).toMatch(/<a class="version-link" href="k3\.html" data-version="k3">k3<\/a>/);
    expect(page("abi/p1.html")).toMatch(/<td><a href="\.\.\/slots\/write\.html">write<\/a>/);
    expect(page("abi/k1.html")).toContain('href="../routes.html#recipe.lseek_llseek"');
    const slot = page("slots/lseek.html");
    for (const p of programVersions) for (const k of kernelVersions) expect(slot).toContain(`id="route.${p}-${k}"`);
    expect(slot).toContain('href="../routes.html#recipe.lseek_llseek"');
    const call = page("calls/write.html");
    expect(call).toContain("k2: renumbered 64 → 4");
    expect(call).toContain('href="../errors.html#errno.EPIPE"');
    const index = readFileSync(join(out, "search-index.js"), "utf8");
    const entries = JSON.parse(index.slice(index.indexOf("["), index.lastIndexOf("]") + 1)) as { t: string; u: string; n: string | null }[];
    expect(entries).toContainEqual(expect.objectContaining({ t: "k2.openat", n: "5", u: "abi/k2.html#k2.openat" }));
    expect(entries).toContainEqual(expect.objectContaining({ t: "openat", u: "calls/openat.html" }));
    expect(entries).toContainEqual(expect.objectContaining({ t: "errno.ENOENT", u: "errors.html#errno.ENOENT" }));
    expect(entries.some((e) => e.u === "routes.html#recipes")).toBe(true);
  });

  it("does not show the table markers or any raw HTML comment", () => {
    for (const f of walk(out).filter((x) => x.endsWith(".html"))) expect(readFileSync(f, "utf8")).not.toContain("<!--");
  });

  it("lists chapters in the order of spec/index.md", () => {
    const nav = page("abi/k2.html");
    const order = ["layer.html", "stub-section.html", "loader.html", "layer-image.html", "tls.html", "shared-page.html", "routes.html", "ring.html", "signals.html", "errors.html"];
    const pos = order.map((p) => nav.indexOf(`href="../${p}"`));
    expect(pos.every((p) => p > 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
  });

  it("diff pages show renumbering, removals and forced routes with links into the ABI pages", () => {
    const d = page("diff/k1-k2.html");
    expect(d).toContain('id="call.renumbered:write"');
    expect(d).toMatch(/id="call\.renumbered:write"[^]*?<td>64<\/td><td><strong>4<\/strong><\/td>/);
    expect(d).toContain('id="call.removed:statx"');
    expect(d).toContain('id="route.p1.lseek"');
    expect(d).toContain('href="../abi/k2.html#k2.write"');
    expect(d).toContain('href="../abi/k1.html#k1.realise.lseek"');
    expect(page("diff/k2-k3.html")).toContain('id="shared-page:changed"');
    expect(page("diff/p1-p2.html")).toContain('id="slot.added:fstat64"');
  });

  it("without run results the matrix page shows every p × k cell of routes and says so", () => {
    const m = page("matrix.html");
    expect(m).toContain("No run results are present.");
    for (const p of programVersions) for (const k of kernelVersions) expect(m).toContain(`id="matrix.${p}-${k}" data-program="${p}" data-kernel="${k}"`);
    expect(m).toContain('id="slot.p1.lseek"');
  });

  it("with run results the matrix page shows pass, fail, not run and route costs", () => {
    const file = join(work, "matrix.json");
    writeFileSync(file, JSON.stringify([
      { program: "p1", kernel: "k1", pass: true, routes: { direct: { calls: 12, instructions: 345, traps: 12 }, emulated: { calls: 2, instructions: 80, traps: 2 } } },
      { program: "p2", kernel: "k3", pass: false, routes: { message: { calls: 3, instructions: 900, traps: 3 } } },
    ]));
    expect(readMatrix(file)).toHaveLength(2);
    expect(readMatrix(join(work, "absent.json"))).toBeNull();
    const dir = join(work, "with-matrix");
    const r = buildSite({ root: REPO_ROOT, out: dir, matrixFile: file });
    expect(r.ok && r.matrixFrom).toBe(file);
    const m = readFileSync(join(dir, "matrix.html"), "utf8");
    expect(m).not.toContain("No run results are present.");
    expect(m).toMatch(/id="matrix\.p1-k1"[^]*?<div class="verdict pass">pass<\/div>[^]*?345 insn/);
    expect(m).toMatch(/id="matrix\.p2-k3"[^]*?<div class="verdict fail">FAIL<\/div>/);
    expect(m).toMatch(/id="matrix\.p3-k3"[^]*?not run/);
    // Two cells only: kiln site says loudly that the results lack versions, on the page too.
    expect(r.ok && r.warnings.some((w) => w.startsWith("INCOMPLETE RUN RESULTS"))).toBe(true);
    expect(m).toContain('<p class="note stale"><strong>Warning: </strong>');
  }, 180_000);

  it("writes abi.json as `kiln abi-json` prints it, its rows citing spec lines, and generated/ holds no copy", () => {
    const { spec } = checkSpec(join(REPO_ROOT, "spec"), "spec");
    const text = abiJsonText(spec);
    expect(page("abi.json")).toBe(text);
    const abi = JSON.parse(text) as { kernels: { syscalls: { src: string }[] }[] };
    for (const k of abi.kernels) for (const s of k.syscalls) expect(s.src).toMatch(/^spec\/abi\/k\d+\.md:\d+$/);
    expect([...generateAll(spec).keys()].filter((p) => p.endsWith("abi.json"))).toEqual([]);
  });

  it("is deterministic", () => {
    const again = join(work, "again");
    const second = buildSite({ root: REPO_ROOT, out: again, matrixFile: join(work, "no-matrix.json") });
    // The second build takes the samples, the Lua port's binaries included, from the cache.
    expect(second.ok && second.playground.samplesCached).toBe(true);
    const files = walk(out).map((f) => relative(out, f)).sort();
    expect(walk(again).map((f) => relative(again, f)).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(again, f), "utf8"), f).toBe(readFileSync(join(out, f), "utf8"));
  }, 180_000);
});

describe("site paths", () => {
  it("maps sources to pages and makes relative links", () => {
    expect(sitePathOf("spec/index.md")).toBe("index.html");
    expect(sitePathOf("spec/abi/k2.md")).toBe("abi/k2.html");
    expect(sitePathOf("docs/spec-format.md")).toBe("docs/spec-format.html");
    expect(sitePathOf("README.md")).toBeNull();
    expect(relHref("abi/k1.html", "errors.html")).toBe("../errors.html");
    expect(relHref("abi/k1.html", "abi/k2.html", "k2.openat")).toBe("k2.html#k2.openat");
    expect(relHref("diff/k1-k2.html", "abi/k2.html", "k2.write")).toBe("../abi/k2.html#k2.write");
  });
});

describe("kiln CLI: diff, abi-json, site", () => {
  /** Run the CLI in this process (fast), capturing what it prints. */
  async function kiln(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const spies = [
      vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)),
      vi.spyOn(console, "log").mockImplementation((...xs: unknown[]) => void (stdout += `${xs.join(" ")}\n`)),
      vi.spyOn(console, "error").mockImplementation((...xs: unknown[]) => void (stderr += `${xs.join(" ")}\n`)),
    ];
    try {
      const status = await main(args);
      return { status, stdout, stderr };
    } finally {
      for (const s of spies) s.mockRestore();
      process.exitCode = undefined;
    }
  }

  it("kiln diff prints text and JSON, and exits 2 on unknown versions or mixed families", async () => {
    const text = await kiln("diff", "k1", "k2");
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("  ~ write 64 → 4\n");
    const json = await kiln("diff", "k1", "k2", "--json");
    expect(json.status).toBe(0);
    // Every k1 call that says `removed k2` (llseek, statx and k1's Linux-only calls), in k1's order.
    const goneInK2 = kernels.k1!.syscalls.filter((r) => r.removed === "k2").map((r) => r.id);
    expect(goneInK2).toEqual(expect.arrayContaining(["llseek", "statx"]));
    expect(JSON.parse(json.stdout).calls.removed.map((c: { id: string }) => c.id).sort()).toEqual([...goneInK2].sort());
    const mixed = await kiln("diff", "p1", "k2");
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toContain("kiln diff: cannot diff a program ABI (p1) against a kernel ABI (k2)");
    const unknown = await kiln("diff", "k1", "k7");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown ABI version `k7`");
  });

  it("kiln abi-json prints or writes abi.json", async () => {
    const { spec } = checkSpec(join(REPO_ROOT, "spec"), "spec");
    const printed = await kiln("abi-json");
    expect(printed.status).toBe(0);
    expect(printed.stdout).toBe(abiJsonText(spec));
    const file = join(work, "abi-out/abi.json");
    expect((await kiln("abi-json", "--out", file)).status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(abiJsonText(spec));
  });

  it("kiln site, abi-json and diff refuse a spec with errors and print them as file:line:col", async () => {
    const root = join(work, "broken");
    cpSync(join(REPO_ROOT, "spec"), join(root, "spec"), { recursive: true });
    const k2 = join(root, "spec/abi/k2.md");
    writeFileSync(k2, readFileSync(k2, "utf8").replace("| write | 4 | write |", "| write | 3 | write |"));
    const r = buildSite({ root, out: join(root, "out") });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.diagnostics.map((d) => `${d.file}:${d.line}`)).toContain("spec/abi/k2.md:26");
    expect(existsSync(join(root, "out"))).toBe(false);
    for (const args of [["abi-json"], ["diff", "k1", "k2"]]) {
      const res = await kiln(...args, "--spec", join(root, "spec"));
      expect(res.status, args.join(" ")).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/k2\.md:26:\d+: error: /);
      expect(res.stderr).toContain("error(s) in the spec; fix them first");
    }
  });

  it("kiln site refuses to empty a directory that is not an earlier site", async () => {
    const dir = join(work, "precious");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "keep me");
    const r = await kiln("site", "--out", dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("refusing to empty");
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("keep me");
    expect(() => buildSite({ root: REPO_ROOT, out: REPO_ROOT })).toThrow(SiteOutError);
  });

  it("bin/kiln site builds into --out and prints the time and the path", () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin/kiln"), "site", "--out", "cli-site"], { cwd: work, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    // The matrix page uses out/matrix.json when `kiln matrix` has written it (CI runs it first).
    expect(r.stdout).toMatch(/^kiln site: \d+ pages, \d+ files in cli-site\/ \(\d+ ms\); (no run results|matrix from \S*out\/matrix\.json)/);
    expect(readFileSync(join(work, "cli-site/index.html"), "utf8")).toContain("<title>kiln specification</title>");
  }, 240_000);
});
