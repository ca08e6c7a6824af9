// RV32C: the compressed (16-bit) instructions, as one table of forms.
//
// Each form names its 16-bit pattern (match/mask), the assembler/disassembler operand syntax, and
// its expansion: the 32-bit table entry it stands for (`base`) and that entry's fields read from
// the halfword, encoded by the instruction table. Everything else derives from
// the table: the CPU's decoder (`expandC`: interpreter and JIT run the expansion with a length of
// 2), the disassembler (`compressedForm` + `cOperands`, the operand values read from the
// expansion), and the assembler (`encodeC`: the reverse of `cOperands`, built once from all
// 65,536 halfwords). Reserved encodings and the F/D forms expand to 0, an illegal
// instruction. HINT encodings (e.g. `c.li x0, 5`) are legal and execute as their expansion (no
// effect).

import { encode } from "./codec.ts";
import { type Field, type Fields, getField } from "./fields.ts";
import { type Insn, SRC_SHAMT, insnByName } from "./table.ts";

/** A compressed form. */
export interface CForm {
  /** Mnemonic, e.g. "c.addi". */
  readonly name: string;
  readonly match: number;
  readonly mask: number;
  /**
   * Operand syntax, shared by the assembler and the disassembler:
   * "" none; "rd,imm" rd and the I immediate (or shift amount) of the expansion; "rd,lui" rd and the
   * 20-bit U immediate; "sp,imm" (c.addi16sp); "rd,sp,imm" (c.addi4spn); "rd,mem" rd, imm(rs1);
   * "rs2,mem" rs2, imm(rs1); "target" a jump target; "rs1" a register (c.jr, c.jalr);
   * "rs1,target" a register and a branch target; "rd,rs2" two registers.
   */
  readonly syntax: "" | "rd,imm" | "rd,lui" | "sp,imm" | "rd,sp,imm" | "rd,mem" | "rs2,mem" | "target" | "rs1" | "rs1,target" | "rd,rs2";
  /** The table entry (impl/isa/table.ts) this form is a short encoding of. */
  readonly base: string;
  /** The 32-bit expansion of a halfword matching this form, or 0 when this encoding is reserved. */
  readonly expand: (h: number) => number;
}

// ---- fields
const rdp = (h: number): number => 8 + ((h >>> 2) & 7); // rd' / rs2' at bits 4:2
const rs1p = (h: number): number => 8 + ((h >>> 7) & 7); // rs1' / rd' at bits 9:7
const rdF = (h: number): number => (h >>> 7) & 31;
const rs2F = (h: number): number => (h >>> 2) & 31;
const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);
const imm6 = (h: number): number => sext(((h >>> 7) & 0x20) | ((h >>> 2) & 0x1f), 6);
const uimmLw = (h: number): number => ((h >>> 7) & 0x38) | ((h >>> 4) & 4) | ((h << 1) & 0x40);
const uimm4spn = (h: number): number => ((h >>> 7) & 0x30) | ((h >>> 1) & 0x3c0) | ((h >>> 4) & 4) | ((h >>> 2) & 8);
const imm16sp = (h: number): number =>
  sext(((h >>> 3) & 0x200) | ((h >>> 2) & 0x10) | ((h << 1) & 0x40) | ((h << 4) & 0x180) | ((h << 3) & 0x20), 10);
const uimmLwsp = (h: number): number => ((h >>> 7) & 0x20) | ((h >>> 2) & 0x1c) | ((h << 4) & 0xc0);
const uimmSwsp = (h: number): number => ((h >>> 7) & 0x3c) | ((h >>> 1) & 0xc0);
const offJ = (h: number): number =>
  sext(
    ((h >>> 1) & 0x800) | ((h >>> 7) & 0x10) | ((h >>> 1) & 0x300) | ((h << 2) & 0x400) |
      ((h >>> 1) & 0x40) | ((h << 1) & 0x80) | ((h >>> 2) & 0xe) | ((h << 3) & 0x20),
    12,
  );
const offB = (h: number): number =>
  sext(((h >>> 4) & 0x100) | ((h >>> 7) & 0x18) | ((h << 1) & 0xc0) | ((h >>> 2) & 6) | ((h << 3) & 0x20), 9);

/** Pattern helper: quadrant (bits 1:0), funct3 (bits 15:13), plus extra fixed bits. */
const pat = (q: number, f3: number, extraMatch = 0, extraMask = 0): { match: number; mask: number } => ({
  match: (f3 << 13) | q | extraMatch,
  mask: 0xe003 | extraMask,
});

/** A form: its pattern, syntax, and the 32-bit instruction (table entry and fields) it stands for; null fields: reserved. */
const form = (name: string, p: { match: number; mask: number }, syntax: CForm["syntax"], baseName: string, fields: (h: number) => Fields | null): CForm => {
  const d = insnByName(baseName);
  if (d === undefined) throw new Error(`rvc: ${name} expands to unknown instruction ${baseName}`);
  return {
    name, ...p, syntax, base: baseName,
    expand: (h) => {
      const f = fields(h);
      return f === null ? 0 : encode(d, f);
    },
  };
};

/** Every RV32C form (F/D forms are absent: they are illegal on this hart). Order matters only for overlaps (first match wins). */
export const C_FORMS: readonly CForm[] = [
  // quadrant 0
  form("c.addi4spn", pat(0, 0), "rd,sp,imm", "addi", (h) => (uimm4spn(h) === 0 ? null : { rd: rdp(h), rs1: 2, imm: uimm4spn(h) })),
  form("c.lw", pat(0, 2), "rd,mem", "lw", (h) => ({ rd: rdp(h), rs1: rs1p(h), imm: uimmLw(h) })),
  form("c.sw", pat(0, 6), "rs2,mem", "sw", (h) => ({ rs1: rs1p(h), rs2: rdp(h), imm: uimmLw(h) })),
  // quadrant 1
  form("c.nop", pat(1, 0, 0, 0x1ffc), "", "addi", () => ({ rd: 0, rs1: 0, imm: 0 })),
  form("c.addi", pat(1, 0), "rd,imm", "addi", (h) => ({ rd: rdF(h), rs1: rdF(h), imm: imm6(h) })),
  form("c.jal", pat(1, 1), "target", "jal", (h) => ({ rd: 1, imm: offJ(h) })),
  form("c.li", pat(1, 2), "rd,imm", "addi", (h) => ({ rd: rdF(h), rs1: 0, imm: imm6(h) })),
  form("c.addi16sp", pat(1, 3, 2 << 7, 31 << 7), "sp,imm", "addi", (h) => (imm16sp(h) === 0 ? null : { rd: 2, rs1: 2, imm: imm16sp(h) })),
  form("c.lui", pat(1, 3), "rd,lui", "lui", (h) => (imm6(h) === 0 ? null : { rd: rdF(h), imm: imm6(h) & 0xfffff })),
  form("c.srli", pat(1, 4, 0, 0x0c00), "rd,imm", "srli", (h) => (h & 0x1000 ? null : { rd: rs1p(h), rs1: rs1p(h), shamt: rs2F(h) })),
  form("c.srai", pat(1, 4, 0x0400, 0x0c00), "rd,imm", "srai", (h) => (h & 0x1000 ? null : { rd: rs1p(h), rs1: rs1p(h), shamt: rs2F(h) })),
  form("c.andi", pat(1, 4, 0x0800, 0x0c00), "rd,imm", "andi", (h) => ({ rd: rs1p(h), rs1: rs1p(h), imm: imm6(h) })),
  form("c.sub", pat(1, 4, 0x0c00, 0x1c60), "rd,rs2", "sub", (h) => ({ rd: rs1p(h), rs1: rs1p(h), rs2: rdp(h) })),
  form("c.xor", pat(1, 4, 0x0c20, 0x1c60), "rd,rs2", "xor", (h) => ({ rd: rs1p(h), rs1: rs1p(h), rs2: rdp(h) })),
  form("c.or", pat(1, 4, 0x0c40, 0x1c60), "rd,rs2", "or", (h) => ({ rd: rs1p(h), rs1: rs1p(h), rs2: rdp(h) })),
  form("c.and", pat(1, 4, 0x0c60, 0x1c60), "rd,rs2", "and", (h) => ({ rd: rs1p(h), rs1: rs1p(h), rs2: rdp(h) })),
  form("c.j", pat(1, 5), "target", "jal", (h) => ({ rd: 0, imm: offJ(h) })),
  form("c.beqz", pat(1, 6), "rs1,target", "beq", (h) => ({ rs1: rs1p(h), rs2: 0, imm: offB(h) })),
  form("c.bnez", pat(1, 7), "rs1,target", "bne", (h) => ({ rs1: rs1p(h), rs2: 0, imm: offB(h) })),
  // quadrant 2
  form("c.slli", pat(2, 0), "rd,imm", "slli", (h) => (h & 0x1000 ? null : { rd: rdF(h), rs1: rdF(h), shamt: rs2F(h) })),
  form("c.lwsp", pat(2, 2), "rd,mem", "lw", (h) => (rdF(h) === 0 ? null : { rd: rdF(h), rs1: 2, imm: uimmLwsp(h) })),
  form("c.jr", pat(2, 4, 0, 0x107c), "rs1", "jalr", (h) => (rdF(h) === 0 ? null : { rd: 0, rs1: rdF(h), imm: 0 })),
  form("c.mv", pat(2, 4, 0, 0x1000), "rd,rs2", "add", (h) => ({ rd: rdF(h), rs1: 0, rs2: rs2F(h) })),
  form("c.ebreak", pat(2, 4, 0x1000, 0x1ffc), "", "ebreak", () => ({})),
  form("c.jalr", pat(2, 4, 0x1000, 0x107c), "rs1", "jalr", (h) => ({ rd: 1, rs1: rdF(h), imm: 0 })),
  form("c.add", pat(2, 4, 0x1000, 0x1000), "rd,rs2", "add", (h) => ({ rd: rdF(h), rs1: rdF(h), rs2: rs2F(h) })),
  form("c.swsp", pat(2, 6), "rs2,mem", "sw", (h) => ({ rs1: 2, rs2: rs2F(h), imm: uimmSwsp(h) })),
];

/** Each form's table entry. */
const BASE = new Map<string, Insn>(C_FORMS.map((f) => [f.name, insnByName(f.base)!] as const));

/** Form of each halfword (index: the 16-bit value), or undefined (illegal or not compressed). */
let formTable: (CForm | undefined)[] | null = null;
/** Expansion of each halfword (0: illegal). */
let expTable: Uint32Array | null = null;

function build(): void {
  const forms = new Array<CForm | undefined>(65536);
  const exp = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    if ((h & 3) === 3) continue;
    const f = C_FORMS.find((c) => (h & c.mask) === c.match);
    if (f === undefined) continue;
    const w = f.expand(h);
    if (w === 0) continue;
    forms[h] = f;
    exp[h] = w;
  }
  formTable = forms;
  expTable = exp;
}

/** True when the halfword starts a compressed (16-bit) instruction. */
export const isCompressed = (h: number): boolean => (h & 3) !== 3;

/** The 32-bit expansion of a compressed instruction halfword; 0 when it is illegal/reserved. */
export function expandC(h: number): number {
  if (expTable === null) build();
  return expTable![h & 0xffff]!;
}

/** The table form of a legal compressed halfword, or undefined. */
export function compressedForm(h: number): CForm | undefined {
  if (formTable === null) build();
  return formTable![h & 0xffff];
}

/**
 * The operand values of a compressed instruction, read from its 32-bit expansion `w`, in the
 * order of the form's syntax: "rd,imm" [rd, imm or shift amount]; "rd,lui" [rd, 20-bit field];
 * "sp,imm" [imm]; "rd,sp,imm" [rd, imm]; "rd,mem" [rd, offset, rs1]; "rs2,mem" [rs2, offset, rs1];
 * "target" [pc offset]; "rs1" [rs1]; "rs1,target" [rs1, pc offset]; "rd,rs2" [rd, rs2].
 * The disassembler prints these; the assembler looks them up (`encodeC`).
 */
export function cOperands(f: CForm, w: number): number[] {
  const d = BASE.get(f.name)!;
  const g = (k: Field): number => getField(w, k, d.format);
  switch (f.syntax) {
    case "":
      return [];
    case "rd,imm":
      return [g("rd"), d.src === SRC_SHAMT ? g("shamt") : g("imm")];
    case "rd,lui":
      return [g("rd"), g("imm")];
    case "sp,imm":
      return [g("imm")];
    case "rd,sp,imm":
      return [g("rd"), g("imm")];
    case "rd,mem":
      return [g("rd"), g("imm"), g("rs1")];
    case "rs2,mem":
      return [g("rs2"), g("imm"), g("rs1")];
    case "target":
      return [g("imm")];
    case "rs1":
      return [g("rs1")];
    case "rs1,target":
      return [g("rs1"), g("imm")];
    case "rd,rs2":
      return [g("rd"), g("rs2")];
  }
}

/** Does this form's operand print as a shift amount (c.slli, c.srli, c.srai)? */
export const cShift = (f: CForm): boolean => BASE.get(f.name)!.src === SRC_SHAMT;

/** Per form name: operand key -> halfword (built on first use from the whole table). */
let byOperands: Map<string, Map<string, number>> | null = null;

/**
 * The halfword of the compressed form `name` with these operand values (as `cOperands` lists
 * them), or undefined when the form cannot encode them (out of range, misaligned offset, a
 * register outside x8..x15 where the form needs one, a reserved value). Throws for an unknown name.
 */
export function encodeC(name: string, operands: readonly number[]): number | undefined {
  if (byOperands === null) {
    if (formTable === null) build();
    byOperands = new Map(C_FORMS.map((f) => [f.name, new Map<string, number>()]));
    for (let h = 0; h < 65536; h++) {
      const f = formTable![h];
      if (f === undefined) continue;
      const m = byOperands.get(f.name)!;
      const key = cOperands(f, expTable![h]!).join(",");
      if (!m.has(key)) m.set(key, h);
    }
  }
  const m = byOperands.get(name);
  if (m === undefined) throw new RangeError(`unknown compressed instruction ${name}`);
  return m.get(operands.join(","));
}

/** The form named `name`, or undefined. */
export function cForm(name: string): CForm | undefined {
  return C_FORMS.find((f) => f.name === name);
}
