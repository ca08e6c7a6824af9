// The instruction table (impl/isa) against everything derived from it: every entry's syntax
// assembles, encodes, decodes back to that entry and disassembles to the same text; every alias
// assembles to its base with its fixed fields; the fast decoder agrees with a scan of the table;
// each JIT template computes what the interpreter's function does; every compressed form expands
// to the entry it names and executes as that 32-bit instruction, interpreted and compiled.
import { describe, expect, it } from "vitest";
import { encodeInstruction } from "../../impl/asm/assembler.ts";
import { disassemble } from "../../impl/asm/disasm.ts";
import { Cpu } from "../../impl/cpu/cpu.ts";
import { Memory, PERM_R, PERM_W, PERM_X } from "../../impl/cpu/memory.ts";
import {
  ABI_NAMES,
  ALIASES,
  C_FORMS,
  CSRS,
  type Fields,
  INSNS,
  type Insn,
  JIT_HELPERS,
  K_ALU,
  K_BRANCH,
  K_JAL,
  K_JALR,
  type Operand,
  SRC_IMM,
  SRC_RS2,
  SRC_SHAMT,
  compressedForm,
  decode,
  encode,
  expandC,
  getField,
} from "../../impl/isa/index.ts";
import { trampolineCode } from "../../impl/kernel/loader.ts";
import { prng } from "../support/prng.ts";

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const FENCE_SETS = ["w", "r", "rw", "o", "ow", "or", "orw", "i", "iw", "ir", "irw", "io", "iow", "ior", "iorw"];

/** Random operand text for one syntax operand, and the fields it sets. */
function randomOperand(r: () => number, o: Operand, d: Insn, pc: number): { text: string; fields: Fields } {
  const reg = (): number => r() % 32;
  const imm12 = (): number => (r() % 4096) - 2048;
  switch (o) {
    case "rd":
    case "rs1":
    case "rs2": {
      const v = reg();
      return { text: ABI_NAMES[v]!, fields: { [o]: v } };
    }
    case "imm": {
      if (d.format === "U") {
        const v = r() % 0x100000;
        return { text: hex(v), fields: { imm: v } };
      }
      const v = imm12();
      return { text: String(v), fields: { imm: v } };
    }
    case "shamt":
    case "zimm": {
      const v = r() % 32;
      return { text: String(v), fields: { [o]: v } };
    }
    case "csr": {
      if (r() % 2) {
        const c = CSRS[r() % CSRS.length]!;
        return { text: c.name, fields: { csr: c.number } };
      }
      let v = r() % 4096;
      while (CSRS.some((c) => c.number === v)) v = (v + 1) % 4096;
      return { text: hex(v), fields: { csr: v } };
    }
    case "pred":
    case "succ": {
      const v = 1 + (r() % 15);
      return { text: FENCE_SETS[v - 1]!, fields: { [o]: v } };
    }
    case "mem": {
      const imm = imm12();
      const base = reg();
      return { text: `${imm}(${ABI_NAMES[base]})`, fields: { imm, rs1: base } };
    }
    case "addr": {
      const base = reg();
      return { text: `(${ABI_NAMES[base]})`, fields: { rs1: base } };
    }
    case "target": {
      const span = d.format === "B" ? 4096 : 1 << 20;
      const off = ((r() % span) - span / 2) & ~1;
      return { text: hex(pc + off), fields: { imm: off } };
    }
  }
}

function randomInstance(r: () => number, d: Insn, syntax: readonly Operand[], pc: number): { ops: string[]; fields: Fields } {
  const ops: string[] = [];
  const fields: Fields = {};
  for (const o of syntax) {
    const x = randomOperand(r, o, d, pc);
    ops.push(x.text);
    Object.assign(fields, x.fields);
  }
  return { ops, fields };
}

const text = (mn: string, ops: string[]): string => (ops.length ? `${mn} ${ops.join(",")}` : mn);

describe("the instruction table round-trips through every consumer", () => {
  it("every entry: syntax → assemble → encode → decode → disassemble gives the same text", () => {
    const r = prng(15);
    const done = new Set<string>();
    for (const d of INSNS) {
      for (let i = 0; i < 40; i++) {
        const pc = (r() & 0x7ffffc) + 0x100000;
        const { ops, fields } = randomInstance(r, d, d.syntax, pc);
        let mn = d.name;
        if (d.ordering) {
          const o = r() % 4;
          mn += ["", ".aq", ".rl", ".aqrl"][o]!;
          fields.aq = o === 1 || o === 3 ? 1 : 0;
          fields.rl = o === 2 || o === 3 ? 1 : 0;
        }
        const t = text(mn, ops);
        const words = encodeInstruction(t, pc);
        expect(words, t).toHaveLength(1);
        const w = words[0]!;
        // the assembler's word is the table's encoding of these fields
        expect(hex(w), t).toBe(hex(encode(d, fields)));
        expect(decode(w)?.name, t).toBe(d.name);
        for (const [k, v] of Object.entries(fields)) expect(getField(w, k as keyof Fields, d.format), `${t} ${k}`).toBe(v);
        expect(disassemble(w, pc, { aliases: false })).toBe(t);
        done.add(d.name);
      }
    }
    expect(done.size).toBe(INSNS.length);
  });

  it("every alias assembles to its base entry with its fixed fields, and what the disassembler prints reassembles", () => {
    const r = prng(1515);
    const printed = new Set<string>();
    for (const a of ALIASES) {
      if (a.disOnly) continue; // `li` is the assembler's macro
      const d = INSNS.find((x) => x.name === a.base)!;
      for (let i = 0; i < 30; i++) {
        const pc = (r() & 0x7ffffc) + 0x100000;
        const { ops, fields } = randomInstance(r, d, a.syntax, pc);
        const t = text(a.name, ops);
        const [w] = encodeInstruction(t, pc);
        expect(decode(w!)?.name, t).toBe(a.base);
        for (const [k, v] of Object.entries({ ...fields, ...a.fixed })) expect(getField(w!, k as keyof Fields, d.format), `${t} ${k}`).toBe(v);
        const back = disassemble(w!, pc);
        expect(encodeInstruction(back, pc), `${t} -> ${back}`).toEqual([w]);
        if (back === t) printed.add(a.name);
      }
    }
    // each alias the disassembler may print is printed for some operands
    const printable = ALIASES.filter((a) => !a.asmOnly && !a.disOnly).map((a) => a.name);
    expect(printable.filter((n) => !printed.has(n))).toEqual([]);
  });

  it("the direct decoder agrees with a scan of the table (most specific match) on 300,000 words", () => {
    const bySpecificity = [...INSNS].sort((a, b) => popcount(b.mask) - popcount(a.mask));
    const scan = (w: number): string | undefined => bySpecificity.find((d) => (w & d.mask) === (d.match | 0))?.name;
    const opcodes = [...new Set(INSNS.map((d) => d.match & 0x7f))];
    const r = prng(77);
    const wrong: string[] = [];
    for (let i = 0; i < 300_000; i++) {
      let w = r() | 0;
      if (i % 2 === 0) w = (w & ~0x7f) | opcodes[r() % opcodes.length]!;
      if (i % 5 === 0) w &= ~(31 << 20); // zero rs2 (lr.w)
      if (i % 7 === 0) w = INSNS[r() % INSNS.length]!.match | 0; // the fixed bits alone
      if (decode(w)?.name !== scan(w)) wrong.push(`${hex(w)}: ${decode(w)?.name} != ${scan(w)}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it("no two entries match the same word unless one is strictly more specific", () => {
    for (const a of INSNS)
      for (const b of INSNS) {
        if (a === b) continue;
        const common = a.mask & b.mask;
        if ((a.match & common) !== (b.match & common)) continue; // disjoint
        // overlapping: one must fix every bit the other fixes (fence.tso within fence)
        const aInB = (a.mask & b.mask) === b.mask && a.mask !== b.mask;
        const bInA = (a.mask & b.mask) === a.mask && a.mask !== b.mask;
        expect(aInB || bInA, `${a.name} / ${b.name}`).toBe(true);
      }
  });
});

function popcount(x: number): number {
  let n = 0;
  for (x >>>= 0; x !== 0; x &= x - 1) n++;
  return n;
}

describe("each entry's JIT template computes what its interpreter function does", () => {
  const EDGES = [0, 1, -1, 2, 31, 32, 33, -2147483648, 2147483647, -2147483647, 0x55555555, -0x55555556, 4095, -4096, 65535];
  for (const d of INSNS.filter((x) => x.kind === K_ALU || x.kind === K_BRANCH)) {
    it(d.name, () => {
      const r = prng(d.match);
      const pc = 0x10000 + 4 * (r() % 1000);
      const bs = (): number[] => {
        if (d.kind === K_BRANCH || d.src === SRC_RS2) return [...EDGES, r() | 0, r() | 0];
        if (d.src === SRC_IMM) return [0, 1, -1, 2047, -2048, (r() % 4096) - 2048];
        if (d.src === SRC_SHAMT) return [0, 1, 15, 31, r() % 32];
        return [0, 4096, -4096, -2147483648, (r() << 12) | 0];
      };
      const compile = (ta: string, tb: string): ((H: unknown, a: number, b: number) => number) =>
        new Function("H", "a", "b", `return ${d.kind === K_ALU ? "" : "+"}(${d.js!(ta, tb, pc)});`) as (H: unknown, a: number, b: number) => number;
      const vars = compile("a", "b");
      const wrong: string[] = [];
      for (const a of [...EDGES, r() | 0]) {
        for (const b of bs()) {
          const want = d.kind === K_ALU ? d.alu!(a, b, pc) : d.cond!(a, b) ? 1 : 0;
          // the template over variables (registers), and over literals (constants, x0) for a few
          if (vars(JIT_HELPERS, a, b) !== want) wrong.push(`${d.name}(${a}, ${b}) = ${vars(JIT_HELPERS, a, b)}, want ${want}`);
          if ((a === 0 || r() % 8 === 0) && compile(String(a), String(b))(JIT_HELPERS, a, b) !== want) wrong.push(`${d.name}(${a}, ${b}) as literals`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe("compressed forms: each expands to the table entry it names and runs as it", () => {
  const CODE = 0x10000;
  const DATA = 0x20000;
  const at = CODE + 0x800;
  const bytes = (w: number, n: number): number[] => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24].slice(0, n);
  const run1 = (code: number[], regs: Int32Array, jit: boolean): { exit: unknown; pc: number; regs: number[]; data: string; instret: number } => {
    const m = new Memory();
    m.map(CODE, 0x1000, PERM_R | PERM_X);
    m.map(DATA, 0x1000, PERM_R | PERM_W);
    m.writeBytes(at, Uint8Array.from(code), true);
    m.writeBytes(DATA, Uint8Array.from({ length: 4096 }, (_, i) => (i * 13 + 5) & 0xff));
    const c = new Cpu(m, { jit });
    c.regs.set(regs);
    c.regs[0] = 0;
    c.pc = at;
    const exit = c.run(1);
    return { exit, pc: c.pc, regs: [...c.regs], data: Buffer.from(m.readBytes(DATA, 4096)!).toString("hex"), instret: c.instret };
  };

  for (const f of C_FORMS) {
    it(f.name, () => {
      const all: number[] = [];
      for (let h = 0; h < 65536; h++) if (compressedForm(h)?.name === f.name) all.push(h);
      expect(all.length).toBeGreaterThan(0);
      const r = prng(f.match + 1);
      const sample = all.length <= 24 ? all : [all[0]!, all[all.length - 1]!, ...Array.from({ length: 22 }, () => all[r() % all.length]!)];
      for (const h of sample) {
        const w = expandC(h);
        expect(decode(w)?.name, `${f.name} 0x${h.toString(16)}`).toBe(f.base);
        const regs = new Int32Array(32);
        for (let i = 1; i < 32; i++) regs[i] = r() % 2 ? r() | 0 : DATA + 4 * (r() % 1000);
        regs[2] = DATA + 2048;
        for (const jit of [false, true]) {
          const c = run1(bytes(h, 2), regs, jit);
          const e = run1(bytes(w, 4), regs, jit);
          // the same effect with a length of 2: the link and the fall-through are pc+2, not pc+4
          const d = decode(w)!;
          if (f.name === "c.jal" || f.name === "c.jalr") e.regs[1] = (at + 2) | 0;
          const jump = d.kind === K_JAL || d.kind === K_JALR;
          const taken = d.kind === K_BRANCH && e.pc === at + getField(w, "imm", d.format);
          if (!jump && !taken && e.pc === at + 4) e.pc = at + 2;
          expect(c, `${f.name} 0x${h.toString(16)} jit=${jit}`).toEqual(e);
        }
      }
    });
  }
});

describe("other users of the table", () => {
  it("the kernel's signal trampoline is `li a7, nr; ecall` for small and large numbers", () => {
    const dis = (b: Uint8Array): string[] => {
      const dv = new DataView(b.buffer);
      return Array.from({ length: b.length / 4 }, (_, i) => disassemble(dv.getUint32(i * 4, true)));
    };
    expect(dis(trampolineCode(139))).toEqual(["li a7,139", "ecall"]);
    expect(dis(trampolineCode(-2048))).toEqual(["li a7,-2048", "ecall"]);
    expect(dis(trampolineCode(0x12345))).toEqual(["lui a7,0x12", "addi a7,a7,837", "ecall"]);
    expect(dis(trampolineCode(0x12fff))).toEqual(["lui a7,0x13", "addi a7,a7,-1", "ecall"]);
  });
});
