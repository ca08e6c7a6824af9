import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkSpec, formatDiagnostic, REPO_ROOT } from "../../gen/main.ts";
import { BROKEN_EDITS } from "./broken-edits.ts";

const SPEC = join(REPO_ROOT, "spec");
const work = mkdtempSync(join(tmpdir(), "kiln-spec-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("kiln check on the real spec", () => {
  it("finds no error", () => {
    const { diagnostics } = checkSpec(SPEC, "spec");
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
  });
});

describe("kiln check rejects each broken edit with file:line:col and its rule", () => {
  for (const edit of BROKEN_EDITS) {
    it(edit.name, () => {
      const dir = join(work, edit.name.replace(/\W+/g, "-"));
      cpSync(SPEC, dir, { recursive: true });
      const path = join(dir, edit.file);
      const original = readFileSync(path, "utf8");
      expect(original, `the corpus edit must apply to ${edit.file}`).toContain(edit.find);
      const edited = original.replace(edit.find, edit.replace);
      writeFileSync(path, edited);
      const errorFile = edit.errorFile ?? edit.file;
      const lines = (errorFile === edit.file ? edited : readFileSync(join(dir, errorFile), "utf8")).split("\n");
      const lineIdx = lines.findIndex((l) => l.includes(edit.line));
      expect(lineIdx, `line containing ${edit.line}`).toBeGreaterThanOrEqual(0);
      const col = lines[lineIdx]!.indexOf(edit.column, lines[lineIdx]!.indexOf(edit.line)) + 1;
      const { diagnostics } = checkSpec(dir, "spec");
      const text = diagnostics.map(formatDiagnostic);
      const want = `spec/${errorFile}:${lineIdx + 1}:${col}: error: `;
      const hit = text.find((d) => d.startsWith(want) && d.endsWith(`[${edit.rule}]`));
      expect(hit, `expected ${want}… [${edit.rule}] among:\n${text.join("\n")}`).toBeDefined();
      if (edit.alone) expect(text, "one error for one cause").toEqual([hit]);
    });
  }
});

describe("realise rows are inherited from the base kernel", () => {
  it("k3 without its own fork row realises fork as k2 does, with k3's numbers", async () => {
    const { realise } = await import("../../gen/resolve.ts");
    const dir = join(work, "inherit");
    cpSync(SPEC, dir, { recursive: true });
    const k3 = join(dir, "abi/k3.md");
    const row = "| fork | renumbered | clone | SIGCHLD, 0, 0, 0, 0 | — | — |\n";
    const text = readFileSync(k3, "utf8");
    expect(text).toContain(row);
    writeFileSync(k3, text.replace(row, ""));
    const { spec, diagnostics } = checkSpec(dir, "spec");
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    const p1 = spec.programs.find((p) => p.version === "p1")!;
    const kernel = spec.kernels.find((k) => k.version === "k3")!;
    const fork = realise(spec, p1, kernel, null).find((s) => s.id === "fork")!;
    const clone = kernel.syscalls.find((s) => s.id === "clone")!;
    expect(fork).toMatchObject({ route: "renumbered", call: "clone", nr: clone.nr });
    expect(fork.src).toMatch(/^spec\/abi\/k2\.md:\d+$/);
  });
});

describe("kiln publish", () => {
  it("freezes a draft program ABI: after publishing the newest, an edit to it is rejected", async () => {
    const { execFileSync, spawnSync } = await import("node:child_process");
    const dir = join(work, "publish");
    cpSync(SPEC, dir, { recursive: true });
    const kiln = join(REPO_ROOT, "bin/kiln");
    // The newest program ABI is a draft (no later one repeats it): adding to it is fine while its
    // base is respected. A structure of its own is added, then edited after publishing.
    const newest = checkSpec(dir, "spec").spec.programs.map((p) => p.version).sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)))[0]!;
    const p3 = join(dir, `abi/${newest}.md`);
    const probe = ["", "<!-- kiln:table struct publish_probe -->", "| field | offset | size | type |", "| --- | --- | --- | --- |", "| op | 0 | 4 | u32 |", "| flags | 4 | 4 | u32 |", ""].join("\n");
    const edited = `${readFileSync(p3, "utf8").trimEnd()}\n${probe}`;
    writeFileSync(p3, edited);
    expect(checkSpec(dir, "spec").diagnostics.map(formatDiagnostic)).toEqual([]);
    const slots = checkSpec(dir, "spec").spec.programs.find((p) => p.version === newest)!.slots.length;
    expect(execFileSync("node", [kiln, "publish", newest, "--spec", dir], { encoding: "utf8" })).toMatch(new RegExp(`${newest} is published: ${slots} slots`));
    writeFileSync(p3, edited.replace("| flags | 4 | 4 | u32 |", "| flags | 4 | 4 | i32 |"));
    const r = spawnSync("node", [kiln, "check", "--spec", dir], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${newest}\\.md:\\d+:\\d+: error: ${newest} is published and frozen: field 2 of \`publish_probe\` has type i32, published as u32 .* \\[changed-published\\]`));
  });
});

describe("kiln publish kN", () => {
  it("freezes a kernel ABI: after publishing the newest kernel, renumbering one of its calls is rejected at the row", async () => {
    const { execFileSync, spawnSync } = await import("node:child_process");
    const { spec } = checkSpec(SPEC, "spec");
    const k = [...spec.kernels].sort((a, b) => Number(b.version.slice(1)) - Number(a.version.slice(1)))[0]!;
    const call = k.syscalls[0]!;
    const dir = join(work, "publish-kernel");
    cpSync(SPEC, dir, { recursive: true });
    const kiln = join(REPO_ROOT, "bin/kiln");
    expect(execFileSync("node", [kiln, "publish", k.version, "--spec", dir], { encoding: "utf8" })).toMatch(new RegExp(`${k.version} is published: ${k.syscalls.length} calls, ${k.messages.length} messages`));
    const file = join(dir, "abi", `${k.version}.md`);
    const row = `| ${call.id} | ${call.nr} | ${call.handler} |`;
    const text = readFileSync(file, "utf8");
    expect(text).toContain(row);
    const free = Math.max(...k.syscalls.map((c) => c.nr)) + 1;
    writeFileSync(file, text.replace(row, `| ${call.id} | ${free} | ${call.handler} |`));
    const r = spawnSync("node", [kiln, "check", "--spec", dir], { encoding: "utf8" });
    expect(r.status).toBe(1);
    const line = text.split("\n").findIndex((l) => l.startsWith(row)) + 1;
    expect(r.stdout.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`abi/${k.version}\\.md:${line}:\\d+: error: ${k.version} is published and frozen: call \`${call.id}\` has number ${free}, published as ${call.nr} .*\\[changed-published\\]$`))]);
  });
});

describe("kiln check from any directory", () => {
  it("checks the checkout's spec from another directory, and a missing --spec directory is one line, no stack trace", async () => {
    const { spawnSync } = await import("node:child_process");
    const kiln = join(REPO_ROOT, "bin/kiln");
    const ok = spawnSync("node", [kiln, "check"], { encoding: "utf8", cwd: tmpdir() });
    expect({ status: ok.status, out: ok.stdout + ok.stderr }).toEqual({ status: 0, out: "" });
    const missing = spawnSync("node", [kiln, "check", "--spec", join(work, "no-such-spec")], { encoding: "utf8", cwd: tmpdir() });
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/^kiln check: .*no-such-spec: no such spec directory.*\n$/);
  });
});

describe("an argument list changed under an unchanged slot, with its mapping", () => {
  it("kill(sig, pid) on the newest kernel with a realise row `sig, pid` passes the slot's pid and sig swapped", async () => {
    const { realise } = await import("../../gen/resolve.ts");
    const { spec: current } = checkSpec(SPEC, "spec");
    const k = [...current.kernels].sort((a, b) => Number(b.version.slice(1)) - Number(a.version.slice(1)))[0]!;
    const kill = k.syscalls.find((c) => c.id === "kill")!;
    const dir = join(work, "kill-mapping");
    cpSync(SPEC, dir, { recursive: true });
    const file = join(dir, "abi", `${k.version}.md`);
    const text = readFileSync(file, "utf8");
    const row = `| kill | ${kill.nr} | kill | \`pid: pid, sig: int\` |`;
    expect(text).toContain(row);
    const swapped = text.replace(row, `| kill | ${kill.nr} | kill | \`sig: int, pid: pid\` |`);
    writeFileSync(file, swapped);
    // Without a mapping: rejected at the call's args cell.
    expect(checkSpec(dir, "spec").diagnostics.map((d) => d.rule)).toEqual(["arg-mismatch"]);
    // With one, in the kernel's own realise table (or a new one): accepted, and the operands swap.
    const hasTable = /<!-- kiln:table realise -->\n\| slot \| route \| call \| args \| translate \| recipe \|\n\| --- \| --- \| --- \| --- \| --- \| --- \|\n/.exec(swapped);
    const mapping = "| kill | renumbered | kill | sig, pid | — | — |\n";
    writeFileSync(file, hasTable ? swapped.replace(hasTable[0], hasTable[0] + mapping) : `${swapped.trimEnd()}\n\n<!-- kiln:table realise -->\n| slot | route | call | args | translate | recipe |\n| --- | --- | --- | --- | --- | --- |\n${mapping}`);
    const { spec, diagnostics } = checkSpec(dir, "spec");
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    for (const p of spec.programs.filter((x) => x.slots.some((s) => s.id === "kill"))) {
      const r = realise(spec, p, spec.kernels.find((x) => x.version === k.version)!, null).find((s) => s.id === "kill")!;
      expect(r.args).toEqual([{ kind: "arg", name: "sig", index: 1 }, { kind: "arg", name: "pid", index: 0 }]);
    }
  });
});
