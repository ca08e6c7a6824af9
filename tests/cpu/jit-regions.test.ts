// Region shapes the compiler must get right: a loop block whose exit falls into the next block's
// case, a jump into the middle of code another region covers (compiled as a region of its own),
// a hot loop behind forward branches to cold code. Each runs compiled and interpreted, whole and
// in budget slices of every size: registers, memory and instruction counts must agree exactly.
import { describe, expect, it } from "vitest";
import { load } from "./helpers.ts";

const PROGRAMS: Record<string, { src: string; a0: number }> = {
  "self-loop falling into the next block": {
    src: `
      li a0, 0
      li s0, 20
    outer:
      li t0, 37
    1: addi a0, a0, 3
      addi t0, t0, -1
      bnez t0, 1b          # loops in place; not taken falls into the next block
      addi a0, a0, 1
      addi s0, s0, -1
      bnez s0, outer
      ecall`,
    a0: 20 * (37 * 3 + 1),
  },
  "jump into the middle of another region's block": {
    src: `
      li a0, 0
      li s0, 30
    top:
      addi a0, a0, 1
    mid:                   # mid-block for the region at top; entered from below
      addi a0, a0, 2
      slli t1, a0, 1
      xor a0, a0, t1
      andi a0, a0, 1023
      addi s0, s0, -1
      beqz s0, done
      andi t2, s0, 1
      bnez t2, top
      j mid
    done:
      ecall`,
    a0: (() => {
      let a = 0;
      let s = 30;
      let at = "top";
      for (;;) {
        if (at === "top") a = (a + 1) | 0;
        a = (a + 2) | 0;
        a = (a ^ (a << 1)) & 1023;
        s--;
        if (s === 0) return a;
        at = s & 1 ? "top" : "mid";
      }
    })(),
  },
  "hot loop behind forward branches to cold code": {
    src: `
      li a0, 0
      li t0, 500
      la s1, buf
    loop:
      bltz t0, cold1       # never taken
      lw t1, 0(s1)
      add t1, t1, t0
      sw t1, 0(s1)
      add a0, a0, t0
      beqz a0, cold2       # never taken
      addi t0, t0, -1
      bnez t0, loop
      lw t1, 0(s1)
      add a0, a0, t1
      ecall
    cold1:
      ${Array.from({ length: 40 }, () => "addi a0, a0, 7").join("\n      ")}
      j loop
    cold2:
      ${Array.from({ length: 40 }, () => "addi a0, a0, 11").join("\n      ")}
      j loop
      .data
    buf: .word 5`,
    a0: 2 * ((500 * 501) / 2) + 5,
  },
};

describe("JIT region shapes", () => {
  for (const [name, p] of Object.entries(PROGRAMS)) {
    it(`${name}: compiled and interpreted agree, whole and in budget slices`, () => {
      const ref = load(p.src, { jit: false });
      expect(ref.cpu.run(1e7)).toEqual({ kind: "ecall" });
      expect(ref.cpu.regs[10]).toBe(p.a0);
      for (const slice of [0, 1, 2, 3, 5, 13, 64]) {
        const l = load(p.src);
        let exit;
        if (slice === 0) exit = l.cpu.run(1e7);
        else {
          for (;;) {
            const before = l.cpu.instret;
            exit = l.cpu.run(slice);
            if (exit.kind !== "budget") break;
            expect(l.cpu.instret - before).toBe(slice);
          }
        }
        expect(exit).toEqual({ kind: "ecall" });
        expect(l.cpu.instret).toBe(ref.cpu.instret);
        expect([...l.cpu.regs]).toEqual([...ref.cpu.regs]);
        if (p.src.includes("buf:")) expect(l.img.mem.readU32(l.sym("buf"))).toBe(ref.img.mem.readU32(ref.sym("buf")));
      }
    });
  }
});
