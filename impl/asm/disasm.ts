// RV32IMAC disassembler, GNU (objdump) syntax with ABI register names and the usual aliases
// (li, mv, nop, ret, j, beqz, csrr, rdcycle, ...). Output is "mnemonic op1,op2,...".
// Branch and jump targets are printed as absolute hex addresses computed from `pc`.
// Words that are not a valid instruction, or use reserved fields, print as `.word 0x........`.
// Every output reassembles (assemble with origin = pc) to the same word.

import { ABI_NAMES, CSR_NAMES } from "./encode.ts";
import { f3Of, f7Of, immB, immI, immJ, immS, isValid, rdOf, rs1Of, rs2Of } from "../isa/index.ts";
import { cOperands, compressedForm, expandC } from "../isa/rvc.ts";

const R = (n: number): string => ABI_NAMES[n]!;
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const word = (w: number): string => `.word 0x${(w >>> 0).toString(16).padStart(8, "0")}`;

const AMO_NAMES: Record<number, string> = {
  0x02: "lr.w", 0x03: "sc.w", 0x01: "amoswap.w", 0x00: "amoadd.w", 0x04: "amoxor.w", 0x0c: "amoand.w",
  0x08: "amoor.w", 0x10: "amomin.w", 0x14: "amomax.w", 0x18: "amominu.w", 0x1c: "amomaxu.w",
};
const COUNTER_ALIASES: Record<number, string> = { 0xc00: "rdcycle", 0xc01: "rdtime", 0xc02: "rdinstret", 0xc80: "rdcycleh", 0xc81: "rdtimeh", 0xc82: "rdinstreth" };

function fenceSet(v: number): string {
  return (v & 8 ? "i" : "") + (v & 4 ? "o" : "") + (v & 2 ? "r" : "") + (v & 1 ? "w" : "");
}

const ins = (mn: string, ...ops: string[]): string => (ops.length ? `${mn} ${ops.join(",")}` : mn);

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
      return ins(f.name, R(o[0]!), f.name === "c.slli" || f.name === "c.srli" || f.name === "c.srai" ? hex(o[1]!) : String(o[1]));
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
 * its low 16 bits are used (see `instructionLength`).
 */
export function disassemble(word32: number, pc = 0): string {
  if ((word32 & 3) !== 3) return disassembleCompressed(word32, pc);
  const w = word32 | 0;
  if (!isValid(w)) return word(w);
  const rd = rdOf(w);
  const rs1 = rs1Of(w);
  const rs2 = rs2Of(w);
  const f3 = f3Of(w);
  const f7 = f7Of(w);
  switch (w & 0x7f) {
    case 0x37:
      return ins("lui", R(rd), hex(w >>> 12));
    case 0x17:
      return ins("auipc", R(rd), hex(w >>> 12));
    case 0x6f: {
      const t = hex(pc + immJ(w));
      if (rd === 0) return ins("j", t);
      if (rd === 1) return ins("jal", t);
      return ins("jal", R(rd), t);
    }
    case 0x67: {
      const imm = immI(w);
      if (rd === 0 && rs1 === 1 && imm === 0) return "ret";
      if (rd === 0) return imm === 0 ? ins("jr", R(rs1)) : ins("jr", `${imm}(${R(rs1)})`);
      if (rd === 1 && imm === 0) return ins("jalr", R(rs1));
      return ins("jalr", R(rd), `${imm}(${R(rs1)})`);
    }
    case 0x63: {
      const t = hex(pc + immB(w));
      const names = ["beq", "bne", "", "", "blt", "bge", "bltu", "bgeu"];
      if (rs2 === 0 && f3 === 0) return ins("beqz", R(rs1), t);
      if (rs2 === 0 && f3 === 1) return ins("bnez", R(rs1), t);
      if (rs2 === 0 && f3 === 4) return ins("bltz", R(rs1), t);
      if (rs2 === 0 && f3 === 5) return ins("bgez", R(rs1), t);
      if (rs1 === 0 && f3 === 4) return ins("bgtz", R(rs2), t);
      if (rs1 === 0 && f3 === 5) return ins("blez", R(rs2), t);
      return ins(names[f3]!, R(rs1), R(rs2), t);
    }
    case 0x03: {
      const names = ["lb", "lh", "lw", "", "lbu", "lhu"];
      return ins(names[f3]!, R(rd), `${immI(w)}(${R(rs1)})`);
    }
    case 0x23:
      return ins(["sb", "sh", "sw"][f3]!, R(rs2), `${immS(w)}(${R(rs1)})`);
    case 0x13: {
      const imm = immI(w);
      switch (f3) {
        case 0:
          if (rd === 0 && rs1 === 0 && imm === 0) return "nop";
          if (rs1 === 0) return ins("li", R(rd), String(imm));
          if (imm === 0) return ins("mv", R(rd), R(rs1));
          return ins("addi", R(rd), R(rs1), String(imm));
        case 1:
          return ins("slli", R(rd), R(rs1), String(rs2));
        case 2:
          return ins("slti", R(rd), R(rs1), String(imm));
        case 3:
          if (imm === 1) return ins("seqz", R(rd), R(rs1));
          return ins("sltiu", R(rd), R(rs1), String(imm));
        case 4:
          if (imm === -1) return ins("not", R(rd), R(rs1));
          return ins("xori", R(rd), R(rs1), String(imm));
        case 5:
          return ins(f7 === 0 ? "srli" : "srai", R(rd), R(rs1), String(rs2));
        case 6:
          return ins("ori", R(rd), R(rs1), String(imm));
        default:
          return ins("andi", R(rd), R(rs1), String(imm));
      }
    }
    case 0x33: {
      if (f7 === 0x20 && f3 === 0 && rs1 === 0) return ins("neg", R(rd), R(rs2));
      if (f7 === 0 && f3 === 3 && rs1 === 0) return ins("snez", R(rd), R(rs2));
      if (f7 === 0 && f3 === 2 && rs2 === 0) return ins("sltz", R(rd), R(rs1));
      if (f7 === 0 && f3 === 2 && rs1 === 0) return ins("sgtz", R(rd), R(rs2));
      let mn: string;
      if (f7 === 1) mn = ["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"][f3]!;
      else if (f7 === 0x20) mn = f3 === 0 ? "sub" : "sra";
      else mn = ["add", "sll", "slt", "sltu", "xor", "srl", "or", "and"][f3]!;
      return ins(mn, R(rd), R(rs1), R(rs2));
    }
    case 0x0f: {
      if (f3 === 1) return (w >>> 0) === 0x0000100f ? "fence.i" : word(w);
      if ((w >>> 0) === 0x8330000f) return "fence.tso";
      if (rd !== 0 || rs1 !== 0 || w >>> 28 !== 0) return word(w);
      const pred = (w >>> 24) & 15;
      const succ = (w >>> 20) & 15;
      if (pred === 15 && succ === 15) return "fence";
      if (pred === 0 || succ === 0) return word(w);
      return ins("fence", fenceSet(pred), fenceSet(succ));
    }
    case 0x73: {
      if (f3 === 0) return (w >>> 0) === 0x73 ? "ecall" : "ebreak";
      const csrN = w >>> 20;
      const csr = CSR_NAMES.get(csrN) ?? hex(csrN);
      if (f3 === 2 && rs1 === 0 && COUNTER_ALIASES[csrN]) return ins(COUNTER_ALIASES[csrN]!, R(rd));
      if (f3 === 2 && rs1 === 0) return ins("csrr", R(rd), csr);
      if (rd === 0 && f3 <= 3) return ins(["", "csrw", "csrs", "csrc"][f3]!, csr, R(rs1));
      if (rd === 0 && f3 >= 5) return ins(["", "", "", "", "", "csrwi", "csrsi", "csrci"][f3]!, csr, String(rs1));
      const mn = ["", "csrrw", "csrrs", "csrrc", "", "csrrwi", "csrrsi", "csrrci"][f3]!;
      return ins(mn, R(rd), csr, f3 >= 5 ? String(rs1) : R(rs1));
    }
    case 0x2f: {
      const f5 = w >>> 27;
      const aq = (w >>> 26) & 1;
      const rl = (w >>> 25) & 1;
      const mn = AMO_NAMES[f5]! + (aq && rl ? ".aqrl" : aq ? ".aq" : rl ? ".rl" : "");
      if (f5 === 0x02) return ins(mn, R(rd), `(${R(rs1)})`);
      return ins(mn, R(rd), R(rs2), `(${R(rs1)})`);
    }
  }
  return word(w);
}
