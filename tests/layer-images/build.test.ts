// Layer images: built for every pair of the selection table, deterministic, well formed, and the
// stub of each route is what the spec says it is.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assemble, disassemble } from "../../impl/asm/index.ts";
import { link } from "../../impl/elf/link.ts";
import { buildLayer } from "../../impl/layer/build.ts";
import { decodeImage } from "../../impl/image/image.ts";
import { kernelVersions, programs, realisations, selection } from "../../generated/index.ts";

const KILN = join(import.meta.dirname, "../../bin/kiln");
// A p1 program: write(1, "hello\n", 6) through slot 3, exit_group(0) through slot 1.
const HELLO = `
.text
.globl _start
_start:
  li a0, 1
  la a1, msg
  li a2, 6
  call __kiln_stubs + 3*32
  li a0, 0
  call __kiln_stubs + 1*32
.data
msg: .ascii "hello\\n"
.section .kiln.stubs,"aw",@nobits
.balign 4096
.zero 4096
`;
const tmp = mkdtempSync(join(tmpdir(), "kiln-layers-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function slotWords(stubs: Uint8Array, slot: number, n: number): string[] {
  const dv = new DataView(stubs.buffer, stubs.byteOffset, stubs.byteLength);
  return Array.from({ length: n }, (_, i) => disassemble(dv.getUint32(slot * 32 + i * 4, true), slot * 32 + i * 4));
}

describe("layer images", () => {
  for (const s of selection) {
    it(`${s.program}-${s.kernel} builds, decodes and matches its program ABI`, () => {
      const a = buildLayer(s.program, s.kernel);
      const b = buildLayer(s.program, s.kernel);
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
      const img = decodeImage(a.bytes);
      const prog = programs[s.program]!;
      expect(img.stubs.length).toBe(prog.stubSize);
      expect(`p${img.programAbi}`).toBe(s.program);
      expect(`k${img.kernelAbi}`).toBe(s.kernel);
      expect(img.slotCount).toBe(Math.max(...prog.slots.map((x) => x.slot)) + 1);
    });
  }

  it("a direct slot is the raw trap sequence: li a7, N; ecall; error check; ret", () => {
    const img = decodeImage(buildLayer("p1", "k1").bytes);
    const write = realisations["p1-k1"]!.slots.find((x) => x.id === "write")!;
    expect(write.route).toBe("direct");
    const [li, ecall, lim, check, ret] = slotWords(img.stubs, write.slot, 5);
    expect(li).toBe("li a7,64");
    expect(ecall).toBe("ecall");
    expect(lim).toBe("lui t0,0xfffff"); // -4096
    expect(check).toBe("bltu t0,a0,0x1000"); // __err: the first word after the stub table
    expect(ret).toBe("ret");
  });

  it("a renumbered slot traps under the kernel's own number", () => {
    const img = decodeImage(buildLayer("p1", "k2").bytes);
    const write = realisations["p1-k2"]!.slots.find((x) => x.id === "write")!;
    expect(write.route).toBe("renumbered");
    expect(slotWords(img.stubs, write.slot, 1)[0]).toBe("li a7,4");
  });

  it("getpid on k2 is three loads and no trap", () => {
    const img = decodeImage(buildLayer("p2", "k2").bytes);
    const getpid = realisations["p2-k2"]!.slots.find((x) => x.id === "getpid")!;
    expect(getpid.route).toBe("userspace");
    const words = slotWords(img.stubs, getpid.slot, 4);
    expect(words.slice(0, 3).every((w) => w.startsWith("lw "))).toBe(true);
    expect(words[3]).toBe("ret");
  });

  it("a hole in the stub table is an illegal instruction", () => {
    const img = decodeImage(buildLayer("p1", "k1").bytes);
    const dv = new DataView(img.stubs.buffer, img.stubs.byteOffset);
    // Past the last slot, up to the end of the stub section: zero words.
    expect(dv.getUint32(img.slotCount * 32, true)).toBe(0);
  });

  it("kiln build-layers writes every image, and kiln run --layers uses them", () => {
    const out = execFileSync("node", [KILN, "build-layers", "--out", tmp], { encoding: "utf8" });
    expect(out).toContain(`${selection.length} of ${selection.length} layers`);
    expect(readdirSync(tmp).sort()).toEqual(selection.map((s) => s.path.slice(s.path.lastIndexOf("/") + 1)).sort());
    const elf = join(tmp, "hello.elf");
    writeFileSync(elf, link([assemble(HELLO, { file: "hello.s" })], { programAbi: 1 }));
    for (const k of kernelVersions) {
      expect(execFileSync("node", [KILN, "run", "--kernel", k, "--layers", tmp, elf], { encoding: "utf8" })).toBe("hello\n");
    }
  });

  it("kiln build-layers --only rejects an unknown pair", () => {
    let status = 0;
    try {
      execFileSync("node", [KILN, "build-layers", "--only", "p9-k9", "--out", tmp], { stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
