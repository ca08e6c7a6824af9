// The JIT's code cache is bounded: a guest that runs through many distinct code addresses makes
// the cache flush instead of growing, and runs exactly as the interpreter does.
import { afterEach, describe, expect, it } from "vitest";
import { encodeInstruction } from "../../impl/asm/assembler.ts";
import { Cpu } from "../../impl/cpu/cpu.ts";
import { jitCodeSize, jitStats, setJitCodeLimit } from "../../impl/cpu/jit.ts";
import { Memory, PERM_R, PERM_X } from "../../impl/cpu/memory.ts";

const BASE = 0x100000;
const PAGES = 400;

/** Each page: 6 x `addi a0, a0, 1`, then a jump to the next page; the last page ends with ecall. */
function program(): Memory {
  const mem = new Memory();
  mem.map(BASE, PAGES * 4096, PERM_R | PERM_X);
  const [addi] = encodeInstruction("addi a0, a0, 1");
  for (let p = 0; p < PAGES; p++) {
    const at = BASE + p * 4096;
    const words = Array.from({ length: 6 }, () => addi!);
    words.push(p === PAGES - 1 ? 0x73 : encodeInstruction(`jal zero, ${at + 4096}`, at + 24)[0]!);
    const bytes = new Uint8Array(words.length * 4);
    new DataView(bytes.buffer).setUint32(0, 0, true);
    words.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w, true));
    mem.writeBytes(at, bytes, true);
  }
  return mem;
}

describe("JIT code cache bound", () => {
  let old = 0;
  afterEach(() => setJitCodeLimit(old));

  it("flushes instead of growing past its limit, with exact results and counts", () => {
    old = setJitCodeLimit(500);
    const before = jitStats().flushes;
    const mem = program();
    const cpu = new Cpu(mem);
    let maxHeld = 0;
    for (let round = 0; round < 3; round++) {
      cpu.pc = BASE;
      cpu.regs[10] = 0;
      for (;;) {
        const e = cpu.run(97); // small slices: many entries, many compiles
        maxHeld = Math.max(maxHeld, jitCodeSize(mem));
        if (e.kind === "ecall") break;
        expect(e.kind).toBe("budget");
      }
      expect(cpu.regs[10]).toBe(PAGES * 6);
    }
    expect(cpu.instret).toBe(3 * PAGES * 7);
    expect(jitStats().flushes).toBeGreaterThan(before);
    expect(maxHeld).toBeLessThanOrEqual(500 + 2 * 64); // the limit plus the last region's halfwords
  });

  it("the interpreter agrees", () => {
    const cpu = new Cpu(program(), { jit: false });
    cpu.pc = BASE;
    expect(cpu.run(1e6)).toEqual({ kind: "ecall" });
    expect(cpu.regs[10]).toBe(PAGES * 6);
    expect(cpu.instret).toBe(PAGES * 7);
  });
});
