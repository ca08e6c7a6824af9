// A new program ABI and a new kernel ABI written in Markdown alone, on a copy of spec/: kiln check
// accepts them, and the matrix — built and run from that copy (what `--spec DIR` does) — is green
// for the new program ABI on its native kernel and on the new kernel, and for the oldest program
// ABI on the new kernel. No file outside the copied spec/ is written or needed.
//
// The new kernel also reorders `timespec64`, a structure programs pass in both directions: the
// clock is read out of it (clock_gettime, and time() through a recipe), a sleep's request is read
// by the kernel and its remainder written back (nanosleep: two translated arguments, one in, one
// out), a futex timeout only read. Realise rows with `→` and `←` say so, in Markdown.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveCrossCompiler } from "../../impl/toolchain/cc.ts";
import { checkSpec, formatDiagnostic, REPO_ROOT } from "../../gen/main.ts";
import { loadSpec } from "../../gen/load.ts";
import { versionNumber } from "../../gen/model.ts";

const work = mkdtempSync(join(tmpdir(), "kiln-newabi-"));
const dir = join(work, "spec");
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The newest versions of the spec as it stands, whatever they are.
const { spec: current } = loadSpec(join(REPO_ROOT, "spec"), "spec");
const newest = <T extends { version: string }>(xs: T[]) => [...xs].sort((a, b) => versionNumber(b.version) - versionNumber(a.version))[0]!;
const P = newest(current.programs);
const K = newest(current.kernels);
const oldestP = [...current.programs].sort((a, b) => versionNumber(a.version) - versionNumber(b.version))[0]!;
const NEW_P = `p${versionNumber(P.version) + 1}`;
const NEW_K = `k${versionNumber(K.version) + 1}`;

/** A call every kernel has under the same id that is not yet a slot: the new program ABI's new slot. */
const newSlotCall = current.kernels[0]!.syscalls.find(
  (c) => current.kernels.every((k) => k.syscalls.some((x) => x.id === c.id && JSON.stringify(x.args) === JSON.stringify(c.args))) && !current.programs.some((p) => p.slots.some((s) => s.id === c.id)) && c.args.every((a) => !a.type.startsWith("ptr<")),
)!;

/** timespec64 with its fields swapped, and the rows that translate it for every slot that passes one. */
const REORDERED = [
  "<!-- kiln:table struct timespec64 -->",
  "| field | offset | size | type |",
  "| --- | --- | --- | --- |",
  "| tv_nsec | 0 | 8 | i64 |",
  "| tv_sec | 8 | 8 | i64 |",
  "",
  "<!-- kiln:table realise -->",
  "| slot | route | call | args | translate | recipe |",
  "| --- | --- | --- | --- | --- | --- |",
  "| clock_gettime | translated | clock_gettime64 | — | tp: timespec64 ← timespec64 | — |",
  "| nanosleep | translated | clock_nanosleep_time64 | CLOCK_MONOTONIC, 0, req, rem | req: timespec64 → timespec64, rem: timespec64 ← timespec64 | — |",
  "| futex | translated | futex_time64 | — | timeout: timespec64 → timespec64 | — |",
  // A slot passing an array of timespec64 (utimensat's two times) cannot be translated by one
  // structure copy: on this kernel it is ENOSYS, which the matrix program accepts.
  ...[...new Set(current.programs.flatMap((p) => p.slots))]
    .filter((s) => !["clock_gettime", "nanosleep", "futex"].includes(s.id) && s.args.some((a) => a.type === "ptr<timespec64>"))
    .map((s) => s.id)
    .filter((id, i, all) => all.indexOf(id) === i)
    .map((id) => `| ${id} | emulated | — | — | — | enosys |`),
  "",
];
// The reordering applies when the spec's kernels agree on timespec64 and the slots that pass it.
const reorder =
  current.kernels.filter((k) => k.structs.has("timespec64")).length === 1 &&
  ["clock_gettime", "nanosleep", "futex"].every((id) => current.programs.some((p) => p.slots.some((s) => s.id === id)));

beforeAll(() => {
  cpSync(join(REPO_ROOT, "spec"), dir, { recursive: true });
  // The new program ABI: the newest one repeated, plus one slot appended.
  const ptext = readFileSync(join(dir, "abi", `${P.version}.md`), "utf8").split("\n");
  const headIdx = ptext.findIndex((l) => l.startsWith(`| ${P.version} |`));
  ptext[headIdx] = `| ${NEW_P} | ${P.title}, and ${newSlotCall.id} | ${P.version} | ${P.stubSize} | ${P.slotSize} | ${P.nativeKernel} |`;
  const last = Math.max(...P.slots.map((s) => s.slot));
  const lastIdx = ptext.findIndex((l) => l.startsWith(`| ${last} |`));
  const args = newSlotCall.args.map((a) => `${a.name}: ${a.type}`).join(", ") || "—";
  ptext.splice(lastIdx + 1, 0, `| ${last + 1} | ${newSlotCall.id} | \`${args}\` | ${newSlotCall.ret} | ${newSlotCall.errors.join(", ") || "—"} | ${NEW_P} |`);
  writeFileSync(join(dir, "abi", `${NEW_P}.md`), [`# Program ABI ${NEW_P}`, "", ...ptext.slice(1)].join("\n"));
  // The new kernel ABI: the newest kernel's calls, two of them renumbered; everything else inherited.
  const ktext = readFileSync(join(dir, "abi", `${K.version}.md`), "utf8");
  const kernelRow = `| ${NEW_K} | Renumbered again | ${K.version} | ${K.sharedPage ?? "—"} | ${K.ring ?? "—"} |`;
  const top = Math.max(...K.syscalls.map((c) => c.nr));
  const moved = [newSlotCall.id, "getppid"];
  const syscalls = K.syscalls.map((c) => {
    const nr = moved.includes(c.id) ? top + 1 + moved.indexOf(c.id) : c.nr;
    return `| ${c.id} | ${nr} | ${c.handler} | ${c.args.length ? `\`${c.args.map((a) => `${a.name}: ${a.type}`).join(", ")}\`` : "—"} | ${c.ret} | ${c.errors.join(", ") || "—"} | ${c.since} | — |`;
  });
  const messages = K.messages.map((m) => `| ${m.id} | ${m.opcode} | ${m.handler} | \`${m.args.map((a) => `${a.name}: ${a.type}`).join(", ")}\` | ${m.ret} | ${m.errors.join(", ") || "—"} | ${m.since} |`);
  writeFileSync(
    join(dir, "abi", `${NEW_K}.md`),
    [
      `# Kernel ABI ${NEW_K}`,
      "",
      `${NEW_K} is ${K.version} with \`${moved.join("` and `")}\` renumbered.`,
      "",
      "<!-- kiln:table kernel -->",
      "| version | title | base | shared page | ring |",
      "| --- | --- | --- | --- | --- |",
      kernelRow,
      "",
      "<!-- kiln:table syscalls -->",
      "| id | nr | handler | args | ret | errors | since | removed |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...syscalls,
      "",
      ...(messages.length
        ? ["<!-- kiln:table messages -->", "| id | opcode | handler | args | ret | errors | since |", "| --- | --- | --- | --- | --- | --- | --- |", ...messages, ""]
        : []),
      ...(reorder ? REORDERED : []),
    ].join("\n"),
  );
  void ktext;
  // Selection rows for every new pair.
  const loader = join(dir, "loader.md");
  const pairs = [...current.programs.map((p) => [p.version, NEW_K]), ...current.kernels.map((k) => [NEW_P, k.version]), [NEW_P, NEW_K]];
  const rows = pairs.map(([p, k]) => `| ${p} | ${k} | ${p}-${k} | /lib/kiln/${p}-${k}.layer |`).join("\n");
  writeFileSync(loader, `${readFileSync(loader, "utf8").trimEnd()}\n${rows}\n`);
});

describe(`a new program ABI and a new kernel ABI in Markdown only`, () => {
  it("kiln check accepts them", () => {
    expect(newSlotCall, "a call to add as a slot").toBeDefined();
    expect(checkSpec(dir, "spec").diagnostics.map(formatDiagnostic)).toEqual([]);
  });

  it.skipIf(!haveCrossCompiler())("the matrix built from the copy is green on them", async () => {
    const { useSpec } = await import("../../cli/spec-option.ts");
    await useSpec(dir);
    const { runMatrix, formatMatrix } = await import("../../harness/matrix.ts");
    const { realisations } = await import("../../generated/index.ts");
    // The new slot is realised on the new kernel under its new number.
    const slot = realisations[`${NEW_P}-${NEW_K}`]!.slots.find((s) => s.id === newSlotCall.id)!;
    expect(slot).toMatchObject({ route: "renumbered", nr: Math.max(...K.syscalls.map((c) => c.nr)) + 1 });
    if (reorder) {
      const rows = realisations[`${NEW_P}-${NEW_K}`]!.slots;
      expect(rows.find((s) => s.id === "nanosleep")!.translate.map((t) => `${t.arg} ${t.direction} @${t.scratchOffset}`)).toEqual(["req in @0", "rem out @16"]);
    }
    const r = runMatrix({ programs: [NEW_P, oldestP.version], kernels: [P.nativeKernel, NEW_K] });
    expect(r.cells.map((c) => `${c.program}-${c.kernel}`).sort()).toEqual([`${NEW_P}-${P.nativeKernel}`, `${NEW_P}-${NEW_K}`, `${oldestP.version}-${P.nativeKernel}`, `${oldestP.version}-${NEW_K}`].sort());
    expect(r.pass, formatMatrix(r)).toBe(true);
  }, 600_000);
});
