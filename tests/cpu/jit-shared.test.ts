// Compiled regions are shared by every Memory of the host process, keyed by their generated
// source: a second Memory holding the same code at the same address reuses the function; other
// code at that address (or a rewrite of it) never does; the cache stays under its bound.
import { afterEach, describe, expect, it } from "vitest";
import { jitStats, setJitSharedLimit } from "../../impl/cpu/jit.ts";
import { encodeInstruction } from "../../impl/asm/assembler.ts";
import { load } from "./helpers.ts";

/** A loop summing 1..n into a0, calling a leaf through a return (a jalr inside the region). */
const prog = (n: number, step: number): string => `
    li a0, 0
    li t0, ${n}
  1: mv a1, t0
    call add1
    addi t0, t0, -1
    bnez t0, 1b
    ecall
  add1:
    add a0, a0, a1
    addi a0, a0, ${step - 1}
    ret
`;

function sum(n: number, step: number): number {
  let s = 0;
  for (let i = 1; i <= n; i++) s += i + step - 1;
  return s;
}

describe("JIT shared region cache", () => {
  let old = -1;
  afterEach(() => {
    if (old >= 0) setJitSharedLimit(old);
    old = -1;
  });

  it("a second Memory with the same code reuses the compiled regions and gets the same result and count", () => {
    const a = load(prog(1000, 1));
    expect(a.cpu.run(1e6)).toEqual({ kind: "ecall" });
    const before = jitStats();
    const b = load(prog(1000, 1));
    expect(b.cpu.run(1e6)).toEqual({ kind: "ecall" });
    const after = jitStats();
    expect(after.shared).toBeGreaterThan(before.shared);
    expect(after.compiled).toBe(before.compiled);
    expect(b.cpu.regs[10]).toBe(sum(1000, 1));
    expect(b.cpu.instret).toBe(a.cpu.instret);
  });

  it("different code at the same address is compiled anew and runs as itself", () => {
    const a = load(prog(500, 1));
    expect(a.cpu.run(1e6)).toEqual({ kind: "ecall" });
    const before = jitStats().compiled;
    const b = load(prog(500, 3)); // one immediate differs
    expect(b.cpu.run(1e6)).toEqual({ kind: "ecall" });
    expect(jitStats().compiled).toBeGreaterThan(before);
    expect(a.cpu.regs[10]).toBe(sum(500, 1));
    expect(b.cpu.regs[10]).toBe(sum(500, 3));
  });

  it("stays within its bound", () => {
    old = setJitSharedLimit(12_000);
    expect(jitStats().sharedBytes).toBeLessThanOrEqual(12_000);
    const compiled: number[] = [];
    for (let round = 0; round < 2; round++) {
      compiled.push(jitStats().compiled);
      for (let step = 1; step < 8; step++) {
        const l = load(prog(50, step));
        expect(l.cpu.run(1e6)).toEqual({ kind: "ecall" });
        expect(l.cpu.regs[10]).toBe(sum(50, step));
        expect(jitStats().sharedBytes).toBeLessThanOrEqual(12_000);
      }
    }
    // the second round found the first round's regions evicted: each program's main region compiled again
    expect(jitStats().compiled - compiled[1]!).toBeGreaterThanOrEqual(7);
  });

  it("self-modifying code in one Memory never changes what another Memory sharing the region runs", () => {
    const src = `
      .section .text.rwx, "awx", @progbits
      .globl _start
    _start:
      li s0, 0
      li s1, 50
    1: jal ra, patch
      add s0, s0, a0
      addi s1, s1, -1
      bnez s1, 1b
      la t0, patch
      lw t1, newinsn
      sw t1, 0(t0)        # patch becomes li a0, 2 (no fence.i)
      jal ra, patch
      add s0, s0, a0
      ecall
    patch:
      li a0, 1
      ret
    newinsn: .word 0x00200513
    `;
    const first = load(src);
    expect(first.cpu.run(1e6)).toEqual({ kind: "ecall" });
    expect(first.cpu.regs[8]).toBe(50 + 2);
    // the same program again: takes the shared regions, and its own rewrite still takes effect
    const before = jitStats().shared;
    const again = load(src);
    expect(again.cpu.run(1e6)).toEqual({ kind: "ecall" });
    expect(jitStats().shared).toBeGreaterThan(before);
    expect(again.cpu.regs[8]).toBe(50 + 2);
    expect(again.cpu.instret).toBe(first.cpu.instret);
    // patched by the kernel before it runs: other code, other regions
    const patched = load(src);
    const li2 = new Uint8Array(new Uint32Array(encodeInstruction("li a0, 2")).buffer);
    patched.img.mem.writeBytes(patched.sym("patch"), li2, true);
    expect(patched.cpu.run(1e6)).toEqual({ kind: "ecall" });
    expect(patched.cpu.regs[8]).toBe(50 * 2 + 2);
    // and the original still runs as itself
    const third = load(src);
    expect(third.cpu.run(1e6)).toEqual({ kind: "ecall" });
    expect(third.cpu.regs[8]).toBe(50 + 2);
  });

  it("a budget that runs out inside a shared region stops at the exact instruction", () => {
    const whole = load(prog(300, 2));
    expect(whole.cpu.run(1e6)).toEqual({ kind: "ecall" });
    const total = whole.cpu.instret;
    for (const slice of [1, 3, 7, 64, 1000]) {
      const l = load(prog(300, 2));
      let exit;
      for (;;) {
        const before = l.cpu.instret;
        exit = l.cpu.run(slice);
        if (exit.kind !== "budget") break;
        expect(l.cpu.instret - before).toBe(slice);
      }
      expect(exit).toEqual({ kind: "ecall" });
      expect(l.cpu.instret).toBe(total);
      expect(l.cpu.regs[10]).toBe(sum(300, 2));
    }
  });
});
