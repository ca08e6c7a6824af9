// Regression: code above 2 GiB (e.g. a kernel trampoline at 0xBFFFF000) once compiled into an
// empty JIT block because the page base was compared signed, and run() never returned.
import { describe, expect, it } from "vitest";
import { assemble } from "../../impl/asm/assembler.ts";
import { loadFlat } from "../../impl/asm/flat.ts";
import { Cpu } from "../../impl/cpu/cpu.ts";

describe("code at addresses of 2 GiB and above", () => {
  for (const jit of [true, false]) {
    it(`runs and counts exactly (${jit ? "JIT" : "interpreter"})`, () => {
      const img = loadFlat(assemble("_start:\n li a0, 5\n li a1, 0\n1: add a1, a1, a0\n addi a0, a0, -1\n bnez a0, 1b\n ecall\n"), 0xbfff0000);
      const cpu = new Cpu(img.mem, { jit });
      cpu.pc = img.entry;
      // Run it many times so the block is hot and compiled.
      for (let i = 0; i < 50; i++) {
        cpu.pc = img.entry;
        const exit = cpu.run(1000);
        expect(exit.kind).toBe("ecall");
        expect(cpu.regs[11]).toBe(15);
        expect(cpu.pc).toBe(0xbfff0000 + 5 * 4 + 4 * 0);
      }
      expect(cpu.instret).toBe(50 * (2 + 3 * 5 + 1));
    });
  }
});
