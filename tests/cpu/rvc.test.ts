// The C extension: every compressed form against its 32-bit expansion, on the interpreter and
// the JIT; 2-byte aligned targets; 32-bit instructions straddling a page; assembler and
// disassembler round trips.
import { describe, expect, it } from "vitest";
import { encodeInstruction } from "../../impl/asm/assembler.ts";
import { disassemble } from "../../impl/asm/disasm.ts";
import { Cpu } from "../../impl/cpu/cpu.ts";
import type { CpuExit } from "../../impl/cpu/cpu.ts";
import { Memory, PERM_R, PERM_W, PERM_X } from "../../impl/cpu/memory.ts";
import { C_FORMS, compressedForm, expandC } from "../../impl/isa/rvc.ts";
import { prng, run } from "./helpers.ts";

const CODE = 0x10000;
const DATA = 0x20000;

/** Halfwords of a form: every one when few, else a seeded sample (always including the edges). */
function samplesOf(name: string, n: number, seed: number): number[] {
  const all: number[] = [];
  for (let h = 0; h < 65536; h++) if (compressedForm(h)?.name === name) all.push(h);
  if (all.length <= n) return all;
  const r = prng(seed);
  const out = [all[0]!, all[all.length - 1]!];
  while (out.length < n) out.push(all[r() % all.length]!);
  return out;
}

interface Outcome {
  exit: CpuExit;
  pc: number;
  regs: number[];
  data: string;
  instret: number;
}

const DATA_INIT = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff);
const mem1 = new Memory();
mem1.map(CODE, 0x1000, PERM_R | PERM_X);
mem1.map(DATA, 0x1000, PERM_R | PERM_W);

/** Run one instruction (bytes at `at`) with the interpreter from a given machine state. */
function one(bytes: number[], regs: Int32Array, at = CODE + 0x800): Outcome {
  const mem = mem1;
  mem.writeBytes(at, Uint8Array.from([...bytes, 0, 0, 0, 0].slice(0, 4)), true);
  mem.writeBytes(DATA, DATA_INIT);
  const cpu = new Cpu(mem, { jit: false });
  cpu.regs.set(regs);
  cpu.regs[0] = 0;
  cpu.pc = at;
  const exit = cpu.run(1);
  return { exit, pc: cpu.pc, regs: [...cpu.regs], data: Buffer.from(mem.readBytes(DATA, 4096)!).toString("hex"), instret: cpu.instret };
}

function randomRegs(r: () => number): Int32Array {
  const x = new Int32Array(32);
  for (let i = 1; i < 32; i++) x[i] = r() % 3 === 0 ? r() | 0 : DATA + 4 * (r() % 700);
  x[2] = DATA + 2048; // sp: in the data page, 4-aligned
  return x;
}

describe("RV32C: every compressed form behaves as its 32-bit expansion", () => {
  const words = (w: number): number[] => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24];
  for (const form of C_FORMS) {
    it(`${form.name}`, () => {
      const r = prng(form.name.length * 7919 + form.match);
      for (const h of samplesOf(form.name, 40, form.match)) {
        const w = expandC(h);
        expect(w).not.toBe(0);
        const regs = randomRegs(r);
        {
          const at = CODE + 0x800;
          const c = one([h & 0xff, h >>> 8], regs, at);
          const e = one(words(w), regs, at);
          // The same effect, with a length of 2: fall-through and link are pc+2 instead of pc+4.
          const link = form.name === "c.jal" || form.name === "c.jalr";
          const expRegs = [...e.regs];
          if (link) expRegs[1] = (at + 2) | 0;
          expect(c.exit, `${form.name} 0x${h.toString(16)}`).toEqual(e.exit);
          expect(c.regs).toEqual(expRegs);
          expect(c.data).toEqual(e.data);
          expect(c.instret).toBe(e.instret);
          if (c.exit.kind === "budget") expect(c.pc).toBe(e.pc === at + 4 ? at + 2 : e.pc);
        }
      }
    });
  }

  it("random halfwords: each is illegal or does what its expansion does", () => {
    const r = prng(1234);
    for (let i = 0; i < 3000; i++) {
      const h = r() & 0xffff;
      if ((h & 3) === 3) continue;
      const regs = randomRegs(r);
      {
        const c = one([h & 0xff, h >>> 8], regs);
        const w = expandC(h);
        if (w === 0) {
          expect(c.exit).toEqual({ kind: "fault", cause: "illegal", addr: CODE + 0x800, pc: CODE + 0x800 });
          continue;
        }
        const e = one([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24], regs);
        expect(c.exit).toEqual(e.exit);
        expect(c.data).toEqual(e.data);
        expect(c.instret).toBe(e.instret);
      }
    }
  });

  it("the JIT runs random straight-line compressed code exactly as the interpreter does", () => {
    const r = prng(4242);
    const straight = C_FORMS.filter((f) => !["c.j", "c.jal", "c.jr", "c.jalr", "c.beqz", "c.bnez", "c.ebreak"].includes(f.name));
    const pool: number[] = [];
    for (const f of straight) pool.push(...samplesOf(f.name, 30, f.match));
    const mem = new Memory();
    mem.map(CODE, 0x1000, PERM_R | PERM_X);
    mem.map(DATA, 0x1000, PERM_R | PERM_W);
    for (let round = 0; round < 60; round++) {
      const code: number[] = [];
      const n = 5 + (r() % 40);
      for (let i = 0; i < n; i++) {
        if (r() % 4 === 0) code.push(0x13, 0x05, 0x15, 0x00); // addi a0, a0, 1 (a 32-bit one, maybe 2-aligned)
        const h = pool[r() % pool.length]!;
        code.push(h & 0xff, h >>> 8);
      }
      code.push(0x73, 0, 0, 0); // ecall
      const regs = randomRegs(r);
      const res = [false, true].map((jit) => {
        mem.writeBytes(CODE, new Uint8Array(4096), true);
        mem.writeBytes(CODE, Uint8Array.from(code), true);
        mem.writeBytes(DATA, DATA_INIT);
        const cpu = new Cpu(mem, { jit });
        cpu.regs.set(regs);
        cpu.regs[0] = 0;
        cpu.pc = CODE;
        const exit = cpu.run(1000);
        return { exit, pc: cpu.pc, instret: cpu.instret, regs: [...cpu.regs], data: Buffer.from(mem.readBytes(DATA, 4096)!).toString("hex") };
      });
      expect(res[1]).toEqual(res[0]);
    }
  });

  it("reserved encodings are illegal: c.addi4spn 0, c.lui/c.addi16sp 0, c.lwsp x0, c.jr x0, shamt[5] on RV32, F/D forms", () => {
    expect(expandC(0x0000)).toBe(0); // c.unimp
    expect(expandC(0x6101)).toBe(0); // c.addi16sp sp, 0
    expect(expandC(0x6501)).toBe(0); // c.lui a0, 0
    expect(expandC(0x4002)).toBe(0); // c.lwsp x0
    expect(expandC(0x8002)).toBe(0); // c.jr x0
    expect(expandC(0x1002)).toBe(0); // c.slli x0, 32 (shamt[5])
    expect(expandC(0x2000)).toBe(0); // c.fld
    expect(expandC(0x9c01)).toBe(0); // c.subw (RV64)
  });
});

describe("RV32C: control flow, alignment and page boundaries", () => {
  for (const jit of [true, false]) {
    const mode = jit ? "jit" : "interpreter";

    it(`2-byte aligned jump and branch targets execute (${mode})`, () => {
      const r = run(
        `
        li a0, 0
        la t0, 1f
        addi t0, t0, 2
        jalr ra, 0(t0)
      1: c.nop
        c.addi a0, 1
        c.beqz a0, 9f
        c.addi a0, 2
        c.j 2f
        c.addi a0, 16
      2: c.addi a0, 4
      9: ecall`,
        { jit },
      );
      expect(r.exit).toEqual({ kind: "ecall" });
      expect(r.cpu.regs[10]).toBe(7);
      expect(r.cpu.regs[1]).toBe(r.img.entry + 20);
    });

    it(`a 32-bit instruction straddling two executable pages runs (${mode})`, () => {
      const mem = new Memory();
      mem.map(CODE, 0x2000, PERM_R | PERM_W | PERM_X);
      const put = (a: number, bs: number[]) => mem.writeBytes(a, Uint8Array.from(bs), true);
      const [addi] = encodeInstruction("addi a0, a0, 77");
      const [ecall] = encodeInstruction("ecall");
      const w = (x: number) => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24];
      put(CODE + 0xffc, [0x01, 0x00]); // c.nop at 0xffc
      put(CODE + 0xffe, w(addi!)); // straddles 0x1000
      put(CODE + 0x1002, w(ecall!));
      const cpu = new Cpu(mem, { jit });
      cpu.pc = CODE + 0xffc;
      for (let i = 0; i < 3; i++) {
        cpu.pc = CODE + 0xffc;
        cpu.regs[10] = 0;
        expect(cpu.run(100)).toEqual({ kind: "ecall" });
        expect(cpu.regs[10]).toBe(77);
        expect(cpu.pc).toBe(CODE + 0x1002);
      }
      expect(cpu.instret).toBe(9);
    });

    it(`a straddling instruction whose second page is not executable is a fetch fault at that page (${mode})`, () => {
      const mem = new Memory();
      mem.map(CODE, 0x1000, PERM_R | PERM_X);
      mem.map(CODE + 0x1000, 0x1000, PERM_R);
      mem.writeBytes(CODE + 0xffc, Uint8Array.from([0x05, 0x05, 0x13, 0x05]), true); // c.addi a0,1; then the low half of addi
      const cpu = new Cpu(mem, { jit });
      cpu.pc = CODE + 0xffc;
      expect(cpu.run(100)).toEqual({ kind: "fault", cause: "fetch", addr: CODE + 0x1000, pc: CODE + 0xffe });
      expect(cpu.regs[10]).toBe(1);
      expect(cpu.instret).toBe(1);
    });

    it(`a compressed instruction in the last halfword of a page runs with no next page (${mode})`, () => {
      const mem = new Memory();
      mem.map(CODE, 0x1000, PERM_R | PERM_X);
      mem.writeBytes(CODE + 0xffa, Uint8Array.from([0x05, 0x05, 0x05, 0x05, 0x05, 0x05]), true); // 3 x c.addi a0,1
      const cpu = new Cpu(mem, { jit });
      cpu.pc = CODE + 0xffa;
      expect(cpu.run(100)).toEqual({ kind: "fault", cause: "fetch", addr: CODE + 0x1000, pc: CODE + 0x1000 });
      expect(cpu.regs[10]).toBe(3);
      expect(cpu.instret).toBe(3);
    });

    it(`an odd pc is a misaligned fetch (${mode})`, () => {
      const mem = new Memory();
      mem.map(CODE, 0x1000, PERM_R | PERM_X);
      const cpu = new Cpu(mem, { jit });
      cpu.pc = CODE + 3;
      expect(cpu.run(10)).toEqual({ kind: "fault", cause: "misaligned-fetch", addr: CODE + 3, pc: CODE + 3 });
    });

    it(`mixed 16/32-bit loops give the same registers and counts as the rv32 program (${mode})`, () => {
      const body = (c: boolean) => `
        li a0, 0
        li s0, 1000
        li s1, 3
      1: ${c ? "c.add a0, s1" : "add a0, a0, s1"}
        ${c ? "c.slli s1, 1" : "slli s1, s1, 1"}
        ${c ? "c.andi s1, 15" : "andi s1, s1, 15"}
        xor a0, a0, s0
        ${c ? "c.addi s0, -1" : "addi s0, s0, -1"}
        ${c ? "c.bnez s0, 1b" : "bnez s0, 1b"}
        ecall`;
      const a = run(body(true), { jit });
      const b = run(body(false), { jit });
      expect(a.exit).toEqual({ kind: "ecall" });
      expect(a.cpu.regs[10]).toBe(b.cpu.regs[10]);
      expect(a.cpu.instret).toBe(b.cpu.instret);
    });
  }
});

describe("RV32C: assembler and disassembler", () => {
  it("encodings checked against GNU as", () => {
    const cases: Array<[string, number]> = [
      ["c.addi a0, 1", 0x0505],
      ["c.li a5, -1", 0x57fd],
      ["c.lui t6, 0xfffff", 0x7ffd],
      ["c.addi16sp sp, -16", 0x717d],
      ["c.addi4spn a5, sp, 1020", 0x1ffc],
      ["c.lw a5, 124(a5)", 0x5ffc],
      ["c.sw a5, 124(a5)", 0xdffc],
      ["c.lwsp ra, 0(sp)", 0x4082],
      ["c.swsp t6, 252(sp)", 0xdffe],
      ["c.srli a5, 0x1f", 0x83fd],
      ["c.srai s0, 1", 0x8405],
      ["c.andi a5, -1", 0x9bfd],
      ["c.sub s0, s0", 0x8c01],
      ["c.mv a0, a1", 0x852e],
      ["c.add a0, a1", 0x952e],
      ["c.jr ra", 0x8082],
      ["c.jalr t6", 0x9f82],
      ["c.ebreak", 0x9002],
      ["c.nop", 0x0001],
      ["c.slli t6, 0x1f", 0x0ffe],
    ];
    for (const [src, h] of cases) expect(encodeInstruction(src), src).toEqual([h]);
    expect(encodeInstruction("c.j 0xf002", 0xf002)).toEqual([0xa001]);
    expect(encodeInstruction("c.beqz a5, 0x14ffa", 0x14ffc)).toEqual([0xdffd]);
  });

  it("rejects operands a form cannot encode", () => {
    expect(() => encodeInstruction("c.addi a0, 32")).toThrow(/no c.addi encoding/);
    expect(() => encodeInstruction("c.lw a0, 0(a6)")).toThrow(/no c.lw encoding/);
    expect(() => encodeInstruction("c.lw a0, 2(a1)")).toThrow(/no c.lw encoding/);
    expect(() => encodeInstruction("c.lwsp a0, 0(a1)")).toThrow(/no c.lwsp encoding/);
    expect(() => encodeInstruction("c.beqz a0, 0x1000", 0)).toThrow(/out of range/);
    expect(() => encodeInstruction("c.frob a0")).toThrow(/unknown instruction/);
  });

  it("every legal halfword disassembles (objdump -M no-aliases syntax) and reassembles to itself", () => {
    const r = prng(99);
    const pcs = [0x10000, 0x20002];
    let n = 0;
    for (let h = 0; h < 65536; h++) {
      if ((h & 3) === 3 || compressedForm(h) === undefined) continue;
      if (r() % 8 !== 0 && (h & 0x1f) !== 1) continue; // a sample: 1/8 of them plus every register/immediate edge
      const pc = pcs[n++ % 2]!;
      expect(encodeInstruction(disassemble(h, pc), pc), disassemble(h, pc)).toEqual([h]);
    }
    expect(n).toBeGreaterThan(3000);
    expect(disassemble(0x0000)).toBe(".half 0x0000");
  });
});
