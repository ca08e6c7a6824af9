// Compiled regions are shared by every Memory of the host process, keyed by their generated
// source: a second Memory holding the same code at the same address reuses the function; other
// code at that address (or a rewrite of it) never does; the cache stays under its bound.
import { afterEach, describe, expect, it } from "vitest";
import { jitStats, setJitSharedLimit } from "../../impl/cpu/jit.ts";
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
    old = setJitSharedLimit(2000);
    expect(jitStats().sharedChars).toBeLessThanOrEqual(2000);
    for (let step = 1; step < 8; step++) {
      const l = load(prog(50, step));
      expect(l.cpu.run(1e6)).toEqual({ kind: "ecall" });
      expect(l.cpu.regs[10]).toBe(sum(50, step));
      expect(jitStats().sharedChars).toBeLessThanOrEqual(2000);
    }
  });
});
