// impl/cpu's entry watch (Cpu.watch): stops with pc AT the first instruction of a range reached
// from outside it, without executing it, with an exact instret, under the JIT and the interpreter.
import { describe, expect, it } from "vitest";
import { load } from "../cpu/helpers.ts";
import type { Loaded } from "../cpu/helpers.ts";

// main calls f three times in a loop (f is in the same page as main, so a compiled trace would
// otherwise run straight into it), then falls through into g; f loops internally.
const PROGRAM = `
  .text
  .globl _start
_start:
  li s0, 3
  li s1, 0
loop:
  jal ra, f
after:
  addi s0, s0, -1
  bnez s0, loop
  li t0, 100
g:
  addi s1, s1, 1000
  ecall
f:
  li t1, 4
1:
  addi s1, s1, 1
  addi t1, t1, -1
  bnez t1, 1b
  ret
f_end:
`;

interface Stop {
  kind: string;
  pc: number;
  instret: number;
}

function runWith(l: Loaded, watches: (stop: number) => { lo: number; hi: number } | null, budget = 1_000_000): Stop[] {
  const stops: Stop[] = [];
  l.cpu.watch = watches(0);
  for (let i = 0; i < 100; i++) {
    const e = l.cpu.run(budget);
    stops.push({ kind: e.kind, pc: l.cpu.pc, instret: l.cpu.instret });
    if (e.kind !== "watch") break;
    l.cpu.watch = watches(stops.length);
  }
  return stops;
}

describe.each([
  ["jit", true],
  ["interpreter", false],
])("Cpu.watch (%s)", (_n, jit) => {
  it("stops at every call into a function, before its first instruction, with exact counts", () => {
    const l = load(PROGRAM, { jit });
    const f = l.sym("f");
    const stops = runWith(l, () => ({ lo: f, hi: l.sym("f_end") }));
    // 2 (li, li) + 1 (jal) before the first entry; each call is 1 + 4*3 + 1 = 14 insns; the
    // loop back (addi, bnez) + jal = 3 between calls.
    expect(stops.slice(0, 3)).toEqual([
      { kind: "watch", pc: f, instret: 3 },
      { kind: "watch", pc: f, instret: 3 + 14 + 3 },
      { kind: "watch", pc: f, instret: 3 + 2 * (14 + 3) },
    ]);
    expect(stops[3]!.kind).toBe("ecall");
    expect(l.cpu.regs[9]).toBe(3 * 4 + 1000);
    // The total is what an unwatched run retires.
    const plain = load(PROGRAM, { jit });
    plain.cpu.run(1_000_000);
    expect(stops[3]!.instret).toBe(plain.cpu.instret);
  });

  it("stops at the return address when the callee returns to it", () => {
    const l = load(PROGRAM, { jit });
    const after = l.sym("after");
    const stops = runWith(l, () => ({ lo: after, hi: after + 4 }));
    expect(stops.filter((s) => s.kind === "watch")).toEqual([
      { kind: "watch", pc: after, instret: 3 + 14 },
      { kind: "watch", pc: after, instret: 3 + 2 * 14 + 3 },
      { kind: "watch", pc: after, instret: 3 + 3 * 14 + 6 },
    ]);
  });

  it("catches a fall-through into the range and never a loop inside it", () => {
    const l = load(PROGRAM, { jit });
    const g = l.sym("g");
    const stops = runWith(l, () => ({ lo: g, hi: g + 8 }));
    expect(stops.map((s) => s.kind)).toEqual(["watch", "ecall"]);
    expect(stops[0]!.pc).toBe(g);
    expect(l.cpu.regs[5]).toBe(100); // the li before g ran, g itself had not
    const inner = load(PROGRAM, { jit });
    const f = inner.sym("f");
    // [f+4, f_end): the loop body; entered once per call from the li at f, looping inside.
    expect(runWith(inner, () => ({ lo: f + 4, hi: inner.sym("f_end") })).filter((s) => s.kind === "watch")).toHaveLength(3);
  });

  it("switching ranges between runs (call, then return) gives an exact per-call count", () => {
    const l = load(PROGRAM, { jit });
    const f = l.sym("f");
    let ra = 0;
    const counts: number[] = [];
    let entered = 0;
    l.cpu.watch = { lo: f, hi: l.sym("f_end") };
    for (let i = 0; i < 20; i++) {
      const e = l.cpu.run(1_000_000);
      if (e.kind !== "watch") break;
      if (l.cpu.pc === f) {
        ra = l.cpu.regs[1]! >>> 0;
        entered = l.cpu.instret;
        l.cpu.watch = { lo: ra, hi: ra + 4 };
      } else {
        counts.push(l.cpu.instret - entered + 1); // + the jal
        l.cpu.watch = { lo: f, hi: l.sym("f_end") };
      }
    }
    expect(counts).toEqual([15, 15, 15]);
  });

  it("respects the budget and resumes to the same stops", () => {
    const l = load(PROGRAM, { jit });
    const f = l.sym("f");
    l.cpu.watch = { lo: f, hi: l.sym("f_end") };
    const kinds: string[] = [];
    const at: number[] = [];
    for (let i = 0; i < 200; i++) {
      const e = l.cpu.run(2);
      kinds.push(e.kind);
      if (e.kind === "watch") at.push(l.cpu.instret);
      if (e.kind === "ecall") break;
    }
    expect(at).toEqual([3, 20, 37]);
  });
});
