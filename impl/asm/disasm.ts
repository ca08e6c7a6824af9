// RV32IMAC disassembler, GNU (objdump) syntax with ABI register names and the usual aliases
// (li, mv, nop, ret, j, beqz, csrr, rdcycle, ...). Output is "mnemonic op1,op2,...".
// Names, operand syntax and aliases come from the instruction table (impl/isa/table.ts, rvc.ts).
// Branch and jump targets are printed as absolute hex addresses computed from `pc`.
// Words that are not a valid instruction, or use reserved fields, print as `.word 0x........`.
// Every output reassembles (assemble with origin = pc) to the same word.

import {
  ABI_NAMES,
  ALIASES,
  type Alias,
  CSR_BY_NUMBER,
  type Fields,
  type Insn,
  OPERAND_FIELDS,
  type Operand,
  cOperands,
  cShift,
  compressedForm,
  decode,
  expandC,
  fenceSetText,
  fieldMask,
  getField,
} from "../isa/index.ts";

const R = (n: number): string => ABI_NAMES[n]!;
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const word = (w: number): string => `.word 0x${(w >>> 0).toString(16).padStart(8, "0")}`;

const ins = (mn: string, ...ops: string[]): string => (ops.length ? `${mn} ${ops.join(",")}` : mn);

/** Aliases the disassembler may print, per base instruction, in order of preference. */
const PRINTED = new Map<string, Alias[]>();
for (const a of ALIASES) {
  if (a.asmOnly) continue;
  const l = PRINTED.get(a.base);
  if (l === undefined) PRINTED.set(a.base, [a]);
  else l.push(a);
}

/** One operand as text, or null when its value has no text form (an empty fence set). */
function operandText(o: Operand, d: Insn, w: number, pc: number): string | null {
  const f = (name: Parameters<typeof getField>[1]): number => getField(w, name, d.format);
  switch (o) {
    case "rd":
    case "rs1":
    case "rs2":
      return R(f(o));
    case "imm":
      return d.format === "U" ? hex(f("imm")) : String(f("imm"));
    case "shamt":
    case "zimm":
      return String(f(o));
    case "csr": {
      const n = f("csr");
      return CSR_BY_NUMBER.get(n)?.name ?? hex(n);
    }
    case "pred":
    case "succ":
      return f(o) === 0 ? null : fenceSetText(f(o));
    case "mem":
      return `${f("imm")}(${R(f("rs1"))})`;
    case "addr":
      return `(${R(f("rs1"))})`;
    case "target":
      return hex(pc + f("imm"));
  }
}

/**
 * `mn` with these operands, or null when the text would not say everything the word does: a bit
 * neither fixed by the entry or the alias nor held by an operand is set (e.g. a fence's rd).
 */
function render(mn: string, syntax: readonly Operand[], fixed: Fields, d: Insn, w: number, pc: number): string | null {
  let covered = d.mask | (d.ordering ? fieldMask("aq", d.format) | fieldMask("rl", d.format) : 0);
  for (const k of Object.keys(fixed) as (keyof Fields)[]) covered |= fieldMask(k, d.format);
  for (const o of syntax) for (const k of OPERAND_FIELDS[o]) covered |= fieldMask(k, d.format);
  if ((w & ~covered) !== 0) return null;
  const ops: string[] = [];
  for (const o of syntax) {
    const t = operandText(o, d, w, pc);
    if (t === null) return null;
    ops.push(t);
  }
  return ins(mn, ...ops);
}

/** Length in bytes (2 or 4) of the instruction whose first halfword is `h`. */
export function instructionLength(h: number): 2 | 4 {
  return (h & 3) === 3 ? 4 : 2;
}

/**
 * A compressed instruction (the low 16 bits of `h`) in GNU `objdump -M no-aliases` syntax
 * (`c.addi a0,1`, `c.lw a0,4(a1)`, `c.j 0x1002`), operands read from its 32-bit expansion.
 * Reserved encodings print as `.half 0x....`.
 */
export function disassembleCompressed(h: number, pc = 0): string {
  h &= 0xffff;
  const f = compressedForm(h);
  if (f === undefined) return `.half 0x${h.toString(16).padStart(4, "0")}`;
  const o = cOperands(f, expandC(h));
  switch (f.syntax) {
    case "":
      return f.name;
    case "rd,imm":
      return ins(f.name, R(o[0]!), cShift(f) ? hex(o[1]!) : String(o[1]));
    case "rd,lui":
      return ins(f.name, R(o[0]!), hex(o[1]!));
    case "sp,imm":
      return ins(f.name, "sp", String(o[0]));
    case "rd,sp,imm":
      return ins(f.name, R(o[0]!), "sp", String(o[1]));
    case "rd,mem":
    case "rs2,mem":
      return ins(f.name, R(o[0]!), `${o[1]}(${R(o[2]!)})`);
    case "target":
      return ins(f.name, hex(pc + o[0]!));
    case "rs1":
      return ins(f.name, R(o[0]!));
    case "rs1,target":
      return ins(f.name, R(o[0]!), hex(pc + o[1]!));
    case "rd,rs2":
      return ins(f.name, R(o[0]!), R(o[1]!));
  }
}

/**
 * Disassemble one instruction located at `pc` (default 0). `word32` holds the instruction's
 * bytes little-endian: when its low two bits are not 11 it is a compressed instruction and only
 * its low 16 bits are used (see `instructionLength`). `aliases: false` prints every 32-bit
 * instruction under its own name (objdump's `-M no-aliases`).
 */
export function disassemble(word32: number, pc = 0, opts: { aliases?: boolean } = {}): string {
  if ((word32 & 3) !== 3) return disassembleCompressed(word32, pc);
  const w = word32 | 0;
  const d = decode(w);
  if (d === undefined) return word(w);
  for (const a of opts.aliases === false ? [] : PRINTED.get(d.name) ?? []) {
    let match = true;
    for (const [k, v] of Object.entries(a.fixed) as [keyof Fields, number][]) if (getField(w, k, d.format) !== v) match = false;
    if (!match) continue;
    const t = render(a.name, a.syntax, a.fixed, d, w, pc);
    if (t !== null) return t;
  }
  let mn = d.name;
  if (d.ordering) {
    const aq = getField(w, "aq", d.format);
    const rl = getField(w, "rl", d.format);
    mn += aq && rl ? ".aqrl" : aq ? ".aq" : rl ? ".rl" : "";
  }
  return render(mn, d.syntax, {}, d, w, pc) ?? word(w);
}
