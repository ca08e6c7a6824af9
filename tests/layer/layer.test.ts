// The layer end to end: the matrix (every program ABI on every kernel ABI, raw builds failing off
// k1, the three cost checks), errno per thread, critical sections, dlopen, the stub table's
// protection, stripped binaries, the missing-layer error and what the program can see.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ccBuild, haveCrossCompiler, REPO } from "../../impl/toolchain/cc.ts";
import { kernels, kernelVersions, programs, programVersions, recipes } from "../../generated/index.ts";
import { readElf, strip } from "../../impl/elf/index.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { layerOf } from "../../impl/kernel/layered.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { installLayers } from "../../harness/install.ts";
import { buildMatrixProgram, matrixJson, rawKernel, runCell, runMatrix, type MatrixResult } from "../../harness/matrix.ts";
import { MATRIX_JSON_FORMAT } from "../../gen/types.ts";
import { Ajv2020 } from "ajv/dist/2020.js";
import { formatCall } from "../../harness/trace.ts";

const KERNELS = ["k1", "k2", "k3"] as const;
const cc = haveCrossCompiler();
const dir = mkdtempSync(join(tmpdir(), "kiln-layer-"));

function buildC(name: string, src: string, abi = "p2"): string {
  const f = join(dir, `${name}.c`);
  writeFileSync(f, src);
  return ccBuild({ sources: [f], out: join(dir, name), abi });
}

function runImage(image: Uint8Array, kernel: string, opts: { layers?: boolean } = {}) {
  const stdio = new BufferStdio();
  const k = new Kernel({ dispatch: kernels[kernel]!, stdio, maxInsns: 5_000_000 });
  if (opts.layers !== false) installLayers(k.vfs);
  k.spawn(image, ["prog"], []);
  const r = k.run();
  return { ...r, stdout: stdio.stdout };
}

describe.skipIf(!cc)("the compatibility matrix", () => {
  let m: MatrixResult;
  beforeAll(() => {
    m = runMatrix();
  }, 300_000);

  it("is green in every (program, kernel) cell, with identical output", () => {
    expect(m.cells).toHaveLength(programVersions.length * kernelVersions.length);
    for (const c of m.cells) expect({ cell: `${c.program}-${c.kernel}`, pass: c.pass, reason: c.reason }).toEqual({ cell: `${c.program}-${c.kernel}`, pass: true, reason: "" });
    for (const p of programVersions) {
      const outs = new Set(m.cells.filter((c) => c.program === p).map((c) => c.stdout));
      expect(outs.size).toBe(1);
    }
  });

  it("kiln matrix --json's document validates against generated/matrix.schema.json (ajv)", () => {
    const doc = matrixJson(m);
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(REPO, "generated/matrix.schema.json"), "utf8")) as object);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(doc).toMatchObject({ $schema: "matrix.schema.json", format: MATRIX_JSON_FORMAT });
    expect(validate({ ...doc, format: MATRIX_JSON_FORMAT + 1 })).toBe(false);
  });

  it("the raw builds pass on their native kernel and fail on the others: the failure the layer removes", () => {
    for (const r of m.raw) expect({ cell: `${r.program}-${r.kernel}`, ran: r.ran }).toEqual({ cell: `${r.program}-${r.kernel}`, ran: r.kernel === rawKernel(r.program) });
  });

  it("meets the direct-route check and every cost a recipe promises, with the exact counts", () => {
    const by = Object.fromEntries(m.checks.map((c) => [c.id, c]));
    expect(by["direct-overhead"]!.pass).toBe(true);
    expect(by["direct-overhead"]!.figures["raw_sequence_insns"]).toBe(4);
    expect(by["direct-overhead"]!.figures["getpid_native_insns"]).toBe(6);
    expect(Number(by["direct-overhead"]!.figures["max_overhead"])).toBeLessThanOrEqual(3);
    const promised = recipes.filter((r) => r.maxInsns !== null || r.maxTraps !== null);
    expect(promised.length).toBeGreaterThan(0);
    for (const r of promised) {
      const c = by[`recipe-${r.recipe}`]!;
      expect(c, r.recipe).toBeDefined();
      expect(Number(c.figures["calls"])).toBeGreaterThan(0);
      if (r.maxInsns !== null) expect(Number(c.figures["max_insns"])).toBeLessThanOrEqual(r.maxInsns);
      if (r.maxTraps !== null) expect(Number(c.figures["max_traps"])).toBeLessThanOrEqual(r.maxTraps);
    }
    // The matrix program's batch of 64 reads goes out as 64 messages under batch_ring's one trap.
    expect(by["recipe-batch_ring"]!.figures).toMatchObject({ max_traps: 1, max_messages: 64 });
    expect(m.checks.every((c) => c.pass)).toBe(true);
  });

  const threaded = (p: string) => (programs as Record<string, { slots: readonly { id: string }[] }>)[p]!.slots.some((s) => s.id === "crit_enter");

  it("errno is per thread, on every kernel", () => {
    for (const c of m.cells.filter((x) => threaded(x.program))) expect(c.stdout).toMatch(/errno per thread: EBADF \/ ENOENT +ok/);
  });

  it("a signal raised in a critical section is delivered once, at its end, on every kernel", () => {
    for (const c of m.cells.filter((x) => threaded(x.program))) {
      expect(c.stdout).toMatch(/crit: none inside \(nested\) +ok/);
      expect(c.stdout).toMatch(/crit: delivered once at leave +ok/);
    }
  });
});

describe.skipIf(!cc)("the layer, program by program", () => {
  it("a dynamically loaded object's calls go through the layer (its own stub table)", () => {
    const b = buildMatrixProgram("p2");
    for (const k of KERNELS) {
      const r = runCell(b.layered, b.object, k);
      expect(r.stdout).toMatch(/object's calls through its stubs +ok/);
      expect(r.stdout).toContain("(hello from the dlopen'd object)");
      const dl = r.calls.find((c) => c.id === "dlopen" && c.result !== -1)!;
      expect(dl.route).toBe("emulated");
      // On k3 the object's write is a ring message made by the layer, not an ecall of its own.
      if (k === "k3") {
        const call = r.calls.find((c) => c.id === "dlopen" && c.result !== -1);
        expect(call).toBeDefined();
      }
    }
    // The same object built raw (k1 numbers) cannot work on k3: its write traps a wrong number.
    const raw = runCell(b.raw, b.rawObject, "k3", { trace: false, budget: 5_000_000 });
    expect(raw.status).not.toBe(0);
  });

  it("a write to the stub table faults with SIGSEGV on every kernel", () => {
    const prog = buildC("stubwrite", `#include "kiln.h"\nint main(void) { *(volatile unsigned *)(void *)kiln_getpid = 0; return 0; }\n`);
    for (const k of KERNELS) expect(runImage(readFileSync(prog), k).outcome).toEqual({ kind: "signaled", signal: 11, core: true });
  });

  it("a stripped binary runs (the ABI note names the stub region)", () => {
    const b = buildMatrixProgram("p1");
    const stripped = strip(readFileSync(b.layered));
    expect(readElf(stripped).sections.some((s) => s.type === 2)).toBe(false);
    for (const k of KERNELS) {
      const r = runImage(stripped, k);
      expect(r.stdout).toContain("getdents64: just g");
    }
  });

  it("a missing layer is a clear error naming the program ABI, the kernel ABI and the path", async () => {
    const prog = buildC("hello", `#include <stdio.h>\nint main(void) { printf("hi\\n"); return 0; }\n`);
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [join(REPO, "bin/kiln"), "run", "--no-layers", "--kernel", "k2", prog], (err, _o, stderr) => resolve({ code: (err as { code?: number } | null)?.code ?? 0, stderr })),
    );
    expect(r.code).toBe(126);
    expect(r.stderr).toContain("program ABI p2");
    expect(r.stderr).toContain("kernel ABI k2");
    expect(r.stderr).toContain("/lib/kiln/p2-k2.layer");
  });

  it("no symbol and no auxiliary-vector entry leads to the layer's private mappings", () => {
    const b = buildMatrixProgram("p2");
    const image = readFileSync(b.layered);
    const elf = readElf(image);
    for (const k of KERNELS) {
      let auxv: [number, number][] = [];
      const stdio = new BufferStdio();
      const kern = new Kernel({ dispatch: kernels[k]!, stdio, maxInsns: 1_000_000, loaderHooks: [(ctx) => void (auxv = ctx.auxv.map(([a, v]) => [a, v]))] });
      installLayers(kern.vfs);
      const p = kern.spawn(image, ["prog"], []);
      const layer = layerOf(p.vm)!;
      const priv: [string, number, number][] = [["code", layer.codeAddr, layer.codeAddr + layer.codeSize]];
      if (layer.sharedPage) priv.push(["shared page", layer.sharedPage, layer.sharedPage + 4096]);
      for (const a of layer.threads.values()) priv.push(["thread area", a.base, a.base + 8192]);
      const hits = (v: number) => priv.filter(([, lo, hi]) => v >>> 0 >= lo && v >>> 0 < hi).map(([n]) => n);
      for (const [type, v] of auxv) expect({ type, where: hits(v) }).toEqual({ type, where: [] });
      const syms = elf.symbols;
      for (const s of syms) expect({ sym: s.name, where: hits(s.value) }).toEqual({ sym: s.name, where: [] });
      expect(syms.length).toBeGreaterThan(10);
    }
  });

  it("kiln run --trace prints one decoded line per call", async () => {
    const b = buildMatrixProgram("p3");
    const r = runCell(b.layered, b.object, "k3");
    const lines = r.calls.map(formatCall);
    expect(lines).toContainEqual(expect.stringMatching(/^\[1\] p3\.openat\(AT_FDCWD, "f", O_RDWR\|O_CREAT\|O_TRUNC, 0644\) = 3  <message openat; 1 trap, \d+ insns>$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[1\] p3\.getpid\(\) = 1  <userspace shared_pid; 0 traps, 5 insns>$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[1\] p3\.openat\(AT_FDCWD, "nope", O_RDONLY, 0\) = -1 ENOENT \(No such file or directory\)  <message openat; 1 trap, \d+ insns>$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[1\] p3\.batch\(0x[0-9a-f]+, 64\) = 64  <message batch_ring; 1 trap, \d+ insns; via ring_enter\{read×64\}>$/));
  });
});
