// Property tests: ALU and M-extension results against an independent BigInt reference model,
// over thousands of seeded random operands (plus corner values), in both JIT and interpreter.
import { describe, expect, it } from "vitest";
import { load, prng } from "./helpers.ts";

const N = 2000;
const s32 = (x: bigint) => BigInt.asIntN(32, x);
const u32 = (x: bigint) => BigInt.asUintN(32, x);
const sh = (b: bigint) => u32(b) & 31n;

const REF: Record<string, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => s32(a + b),
  sub: (a, b) => s32(a - b),
  sll: (a, b) => s32(a << sh(b)),
  slt: (a, b) => (a < b ? 1n : 0n),
  sltu: (a, b) => (u32(a) < u32(b) ? 1n : 0n),
  xor: (a, b) => s32(a ^ b),
  srl: (a, b) => s32(u32(a) >> sh(b)),
  sra: (a, b) => s32(a >> sh(b)),
  or: (a, b) => s32(a | b),
  and: (a, b) => s32(a & b),
  mul: (a, b) => s32(a * b),
  mulh: (a, b) => s32((a * b) >> 32n),
  mulhsu: (a, b) => s32((a * u32(b)) >> 32n),
  mulhu: (a, b) => s32((u32(a) * u32(b)) >> 32n),
  div: (a, b) => (b === 0n ? -1n : a === -(2n ** 31n) && b === -1n ? a : s32(a / b)),
  divu: (a, b) => (b === 0n ? -1n : s32(u32(a) / u32(b))),
  rem: (a, b) => (b === 0n ? a : a === -(2n ** 31n) && b === -1n ? 0n : s32(a % b)),
  remu: (a, b) => (b === 0n ? a : s32(u32(a) % u32(b))),
};

const SPECIAL = [0, 1, -1, 2, -2, 31, 32, 33, 0x7fffffff, -0x80000000, 0x80000001 | 0, 0xffff, 0x10000, -0x10000];

function operands(seed: number): Int32Array {
  const rnd = prng(seed);
  const out = new Int32Array(2 * N);
  for (let i = 0; i < 2 * N; i++) {
    const k = rnd() % 8;
    if (k === 0) out[i] = SPECIAL[rnd() % SPECIAL.length]!;
    else if (k === 1) out[i] = (rnd() % 64) - 32;
    else out[i] = rnd() | 0;
  }
  return out;
}

describe.each([
  ["jit", true],
  ["interpreter", false],
])("ALU/M vs BigInt reference (%s)", (_n, jit) => {
  for (const [op, ref] of Object.entries(REF)) {
    it(`${op} over ${N} operand pairs`, () => {
      const l = load(
        `
        la s0, ops
        la s1, out
        li s2, ${N}
      1: lw t0, 0(s0)
        lw t1, 4(s0)
        ${op} t2, t0, t1
        sw t2, 0(s1)
        addi s0, s0, 8
        addi s1, s1, 4
        addi s2, s2, -1
        bnez s2, 1b
        ecall
        .bss
      ops: .zero ${8 * N}
      out: .zero ${4 * N}`,
        { jit },
      );
      const opsArr = operands(op.length * 7919 + op.charCodeAt(0));
      l.img.mem.writeBytes(l.sym("ops"), new Uint8Array(opsArr.buffer));
      expect(l.cpu.run(1e7)).toEqual({ kind: "ecall" });
      const got = new Int32Array(l.img.mem.readBytes(l.sym("out"), 4 * N)!.buffer);
      for (let i = 0; i < N; i++) {
        const a = opsArr[2 * i]!;
        const b = opsArr[2 * i + 1]!;
        const want = Number(ref(BigInt(a), BigInt(b)));
        if (got[i] !== want) expect(`${op} ${a}, ${b} = ${got[i]}`).toBe(`${op} ${a}, ${b} = ${want}`);
      }
    });
  }

  it("immediate forms (addi/slti/sltiu/xori/ori/andi/slli/srli/srai) over random operands", () => {
    const rnd = prng(4242);
    const IMM: Record<string, (a: bigint, i: bigint) => bigint> = {
      addi: REF.add!, slti: REF.slt!, sltiu: REF.sltu!, xori: REF.xor!, ori: REF.or!, andi: REF.and!,
      slli: REF.sll!, srli: REF.srl!, srai: REF.sra!,
    };
    const names = Object.keys(IMM);
    const cases: Array<{ op: string; a: number; imm: number }> = [];
    const lines: string[] = ["la s1, out"];
    for (let i = 0; i < 600; i++) {
      const op = names[rnd() % names.length]!;
      const a = rnd() % 4 === 0 ? SPECIAL[rnd() % SPECIAL.length]! : rnd() | 0;
      const imm = op.endsWith("li") || op === "srai" ? rnd() % 32 : (rnd() % 4096) - 2048;
      cases.push({ op, a, imm });
      lines.push(`li t0, ${a}`, `${op} t1, t0, ${imm}`, `sw t1, ${(i % 500) * 4}(s1)`);
      if (i % 500 === 499) lines.push("addi s1, s1, 2000");
    }
    lines.push("ecall", ".bss", "out: .zero 2400");
    const l = load(lines.join("\n"), { jit });
    expect(l.cpu.run(1e6)).toEqual({ kind: "ecall" });
    const got = new Int32Array(l.img.mem.readBytes(l.sym("out"), 2400)!.buffer);
    cases.forEach(({ op, a, imm }, i) => {
      expect([op, a, imm, got[i]]).toEqual([op, a, imm, Number(IMM[op]!(BigInt(a), BigInt(imm)))]);
    });
  });

  it("li materialises any 32-bit value", () => {
    const rnd = prng(7);
    const vals = [...SPECIAL, 0x800, 0x7ff, -0x800, -0x801, 0xfffff800 | 0, 0x12345800, 0x7ffff800];
    for (let i = 0; i < 300; i++) vals.push(rnd() | 0);
    const lines = ["la s1, out"];
    vals.forEach((v, i) => lines.push(`li t0, ${v}`, `sw t0, ${i * 4}(s1)`));
    lines.push("ecall", ".bss", `out: .zero ${vals.length * 4}`);
    const l = load(lines.join("\n"), { jit });
    expect(l.cpu.run(1e6)).toEqual({ kind: "ecall" });
    const got = new Int32Array(l.img.mem.readBytes(l.sym("out"), vals.length * 4)!.buffer);
    expect([...got]).toEqual(vals);
  });
});
