// The ABI data (generated/abi/*.json) and what gen/abi-load.ts derives from it, checked against
// the implementation and against itself for every version and pair the spec has, whatever they
// are: each dispatch row reaches its handler, each route agrees with the kernel's and the
// program's tables, each recipe a route names exists, and the index holds what the spec says.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedData } from "../../gen/generate.ts";
import { checkSpec, REPO_ROOT } from "../../gen/main.ts";
import * as index from "../../generated/index.ts";
import { kernels, kernelVersions, programs, programVersions, realisations } from "../../generated/index.ts";
import { loadAbi } from "../../gen/abi-load.ts";
import type { ChaptersData, KernelData, ProgramData } from "../../gen/types.ts";
import { buildMessageTable, buildTable } from "../../impl/kernel/dispatch.ts";
import { handlers } from "../../impl/kernel/handlers/index.ts";
import { RECIPES } from "../../impl/layer/recipes.ts";

const { spec, diagnostics } = checkSpec(join(REPO_ROOT, "spec"), "spec");
const data = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, "generated/abi", `${name}.json`), "utf8")) as unknown;

describe("generated/index.ts", () => {
  it("holds every version of the spec, and what the loader derives from the spec's own tables", () => {
    expect(diagnostics).toEqual([]);
    expect(kernelVersions).toEqual(spec.kernels.map((k) => k.version).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    expect(programVersions).toEqual(spec.programs.map((p) => p.version).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    const fresh = generatedData(spec);
    for (const [name, value] of Object.entries(fresh)) expect((index as Record<string, unknown>)[name], name).toEqual(value);
  });

  it("is the data files loaded: each file read alone gives the same tables", () => {
    const loaded = loadAbi({
      chapters: data("chapters") as ChaptersData,
      kernels: kernelVersions.map((v) => data(v) as KernelData),
      programs: programVersions.map((v) => data(v) as ProgramData),
    });
    expect(loaded.kernels).toEqual(kernels);
    expect(loaded.realisations).toEqual(realisations);
  });

  it("a data file stores a kernel's own structures only; inherited ones come from its base on load", () => {
    for (const v of kernelVersions) {
      const own = data(v) as KernelData;
      const base = own.base ? (data(own.base) as KernelData) : null;
      expect(Object.keys(own.structs).sort(), `${v}'s own structures`).toEqual([...spec.kernels.find((k) => k.version === v)!.structs.keys()].sort());
      if (base) for (const name of Object.keys(kernels[own.base!]!.structs)) expect(kernels[v]!.structs[name], `${v} sees ${name}`).toBeDefined();
    }
  });
});

describe.each(kernelVersions.map((v) => [v]))("kernel ABI %s", (v) => {
  const d = kernels[v]!;
  it("every call's number dispatches to the handler its row names", () => {
    const table = buildTable(d, handlers);
    expect(d.syscalls.length).toBeGreaterThan(0);
    for (const row of d.syscalls) {
      expect(typeof handlers[row.handler], `${v}.${row.id}: handler ${row.handler}`).toBe("function");
      expect(table.get(row.nr)?.row.id, `${v}.${row.id}: nr ${row.nr}`).toBe(row.id);
      expect(table.get(row.nr)?.fn, `${v}.${row.id}`).toBe(handlers[row.handler]);
    }
  });

  it("every message's opcode dispatches to the handler its row names", () => {
    const table = buildMessageTable(d, handlers);
    for (const row of d.messages) {
      expect(typeof handlers[row.handler], `${v}.msg.${row.id}: handler ${row.handler}`).toBe("function");
      expect(table.get(row.opcode)?.row.id, `${v}.msg.${row.id}: opcode ${row.opcode}`).toBe(row.id);
    }
  });

  it("its shared page and ring name structures it has", () => {
    if (d.sharedPage) expect(d.structs[d.sharedPage], `${v} shared page ${d.sharedPage}`).toBeDefined();
    if (d.ring) expect(d.structs[d.ring], `${v} ring ${d.ring}`).toBeDefined();
  });
});

const pairs = Object.values(realisations).map((r) => [`${r.program}-${r.kernel}`] as const);

describe.each(pairs)("layer %s", (pair) => {
  const r = realisations[pair]!;
  const p = programs[r.program]!;
  const k = kernels[r.kernel]!;
  const native = kernels[p.nativeKernel]!;

  it("realises every slot of the program, in slot order", () => {
    expect(r.slots.map((s) => [s.slot, s.id])).toEqual(p.slots.map((s) => [s.slot, s.id]));
  });

  it("each route agrees with the kernel's and the program's tables", () => {
    for (const s of r.slots) {
      const what = `${r.program}.${s.id} on ${r.kernel} (${s.by})`;
      const call = k.syscalls.find((c) => c.id === s.call);
      const msg = k.messages.find((m) => m.id === s.call);
      if (s.route === "direct" || s.route === "renumbered") {
        expect(call, what).toBeDefined();
        expect(s.nr, what).toBe(call!.nr);
        const nativeNr = native.syscalls.find((c) => c.id === s.id)?.nr;
        if (s.by === `${r.kernel}.${s.id}`) expect(s.route, what).toBe(nativeNr === s.nr ? "direct" : "renumbered");
      }
      if (s.route === "translated") {
        expect(call, what).toBeDefined();
        expect(s.nr, what).toBe(call!.nr);
        expect(s.translate.length, what).toBeGreaterThan(0);
      }
      if (s.route === "message" && s.call !== null) {
        expect(msg, what).toBeDefined();
        expect(s.opcode, what).toBe(msg!.opcode);
      }
      // A message route without a call is a recipe's (a batch: one ring_enter for many messages).
      if (s.route === "message") expect(s.call !== null || s.recipe !== null, what).toBe(true);
      if (s.route === "message") expect(s.nr, what).toBeNull();
      for (const t of s.translate) {
        expect(t.toSize, `${what}: ${t.to}`).toBe(p.structs[t.to]!.size);
        expect(t.fromSize, `${what}: ${t.from}`).toBe(k.structs[t.from]!.size);
        const slot = p.slots.find((x) => x.id === s.id)!;
        expect(slot.args[t.argIndex]?.name, `${what}: ${t.arg}`).toBe(t.arg);
      }
      for (const op of s.args) if (op.kind === "arg") expect(op.index, `${what}: operand ${op.name}`).toBeGreaterThanOrEqual(0);
    }
  });

  it("each route cites the row that decided it by stable id, and that row exists", () => {
    for (const s of r.slots) {
      const [owner, kind, id] = s.by.split(".");
      const ownerData = data(owner!) as KernelData;
      if (kind === "realise") expect(ownerData.realise.some((x) => x.slot === id), s.by).toBe(true);
      else if (kind === "msg") expect(ownerData.messages.some((x) => x.id === id), s.by).toBe(true);
      else expect(ownerData.syscalls.some((x) => x.id === kind), s.by).toBe(true);
    }
  });

  it("every recipe a route names is implemented by the layer", () => {
    for (const s of r.slots.filter((x) => x.recipe)) expect(typeof RECIPES[s.recipe!], `${r.program}.${s.id} on ${r.kernel}: ${s.recipe}`).toBe("function");
  });
});
