// The RV32IMA + Zicsr + Zifencei instruction table: one clause per instruction, in the manner of
// Sail's per-instruction clauses and rv32emu's instruction list.
//
// Each entry gives the mnemonic, the encoding format, the fixed bits (match/mask: opcode, funct3,
// funct7, funct5), the assembly operand syntax, the interpreter semantics (`alu`, `cond`
// functions, or the load/store width) and the JIT template (`js`: JavaScript text of the same
// semantics). Everything that reads or writes instructions derives from it: the decoder
// (codec.ts), the interpreter (impl/cpu/cpu.ts `step`), the JIT (impl/cpu/jit.ts), the encoder
// and the assembler's operand parsing (impl/asm/encoder.ts), and the disassembler
// (impl/asm/disasm.ts). Compressed forms are in rvc.ts, each one a named entry of this table with
// fields read from the halfword. Pseudo-instructions (`mv`, `ret`, `beqz`, `rdcycle`, …) are
// ALIASES: a base entry with some fields fixed and its own syntax.

import type { Field, Fields, Format } from "./fields.ts";

/** What the interpreter and the JIT do with an instruction (a small number: `step` switches on it). */
export const K_ALU = 0; // rd = alu(rs1 value, second operand, pc)
export const K_BRANCH = 1; // if cond(rs1 value, rs2 value) pc += imm
export const K_LOAD = 2;
export const K_STORE = 3;
export const K_JAL = 4;
export const K_JALR = 5;
export const K_FENCE = 6;
export const K_FENCE_I = 7;
export const K_ECALL = 8;
export const K_EBREAK = 9;
export const K_CSR = 10;
export const K_LR = 11;
export const K_SC = 12;
export const K_AMO = 13;

/** The second operand of an ALU instruction. */
export const SRC_RS2 = 0; // the rs2 register
export const SRC_IMM = 1; // the I immediate
export const SRC_SHAMT = 2; // the shift amount (rs2 field)
export const SRC_UPPER = 3; // the U immediate as a value (imm20 << 12)

/**
 * An operand of the assembly syntax: a register field; `imm` the format's immediate; `shamt`,
 * `zimm` (5-bit CSR immediate), `csr` (name or number), `pred`/`succ` (fence sets) their fields;
 * `mem` is `imm(rs1)`; `addr` is `(rs1)`; `target` is the B/J immediate written as an address.
 */
export type Operand = "rd" | "rs1" | "rs2" | "imm" | "shamt" | "zimm" | "csr" | "pred" | "succ" | "mem" | "addr" | "target";

/** The fields each operand fills. */
export const OPERAND_FIELDS: Readonly<Record<Operand, readonly Field[]>> = {
  rd: ["rd"],
  rs1: ["rs1"],
  rs2: ["rs2"],
  imm: ["imm"],
  shamt: ["shamt"],
  zimm: ["zimm"],
  csr: ["csr"],
  pred: ["pred"],
  succ: ["succ"],
  mem: ["imm", "rs1"],
  addr: ["rs1"],
  target: ["imm"],
};

export interface Insn {
  readonly name: string;
  readonly ext: "I" | "M" | "A" | "Zicsr" | "Zifencei";
  readonly format: Format;
  /** Fixed bits: a word is this instruction when (w & mask) === match. */
  readonly match: number;
  readonly mask: number;
  /** Operands in assembly order. */
  readonly syntax: readonly Operand[];
  readonly kind: number;
  /** K_ALU: where the second operand comes from. */
  readonly src: number;
  /** K_ALU: the result; K_AMO: the value stored (a: loaded word, b: rs2). */
  readonly alu?: (a: number, b: number, pc: number) => number;
  /** K_BRANCH: taken? */
  readonly cond?: (a: number, b: number) => boolean;
  /** JIT template: the same as `alu` / `cond` as JavaScript text over operand texts (H: helpers). */
  readonly js?: (a: string, b: string, pc: number) => string;
  /** K_LOAD / K_STORE: access width in bytes; loads: sign-extended? */
  readonly size?: 1 | 2 | 4;
  readonly signed?: boolean;
  /** AMOs: takes an ordering suffix (.aq, .rl, .aqrl) setting the aq and rl bits. */
  readonly ordering?: boolean;
  /** K_CSR: writes the CSR even when its source field is zero (csrrw, csrrwi). */
  readonly csrAlwaysWrites?: boolean;
  /** U and J formats: the immediate is relative to the instruction's address (auipc). */
  readonly pcrel?: boolean;
}

// ---- high halves of 64-bit products (the M extension); the JIT calls them as H.mulh etc.

/** High 32 bits of the unsigned 64-bit product. */
export function mulhu(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}
/** High 32 bits of the signed x signed product. */
export function mulh(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}
/** High 32 bits of the signed x unsigned product. */
export function mulhsu(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
}
/** The functions JIT templates call through `H`. */
export const JIT_HELPERS = { mulh, mulhsu, mulhu };

// ---- constructors: one per encoding group, so each clause below states only what differs.

/** Major opcodes (bits 6:0). */
export const OP_LUI = 0x37;
export const OP_AUIPC = 0x17;
export const OP_JAL = 0x6f;
export const OP_JALR = 0x67;
export const OP_BRANCH = 0x63;
export const OP_LOAD = 0x03;
export const OP_STORE = 0x23;
export const OP_IMM = 0x13;
export const OP_OP = 0x33;
export const OP_MISC_MEM = 0x0f;
export const OP_SYSTEM = 0x73;
export const OP_AMO = 0x2f;
const OPC = {
  LUI: OP_LUI, AUIPC: OP_AUIPC, JAL: OP_JAL, JALR: OP_JALR, BRANCH: OP_BRANCH, LOAD: OP_LOAD, STORE: OP_STORE,
  OP_IMM, OP: OP_OP, MISC_MEM: OP_MISC_MEM, SYSTEM: OP_SYSTEM, AMO: OP_AMO,
} as const;
const M_OP = 0x7f;
const M_F3 = 0x7000 | M_OP;
const M_F7 = 0xfe000000 | M_F3;
const M_F5 = 0xf8000000 | M_F3;
const f3 = (v: number): number => v << 12;
const f7 = (v: number): number => (v << 25) >>> 0;
const f5 = (v: number): number => (v << 27) >>> 0;

type Sem = (a: number, b: number, pc: number) => number;
type Js = (a: string, b: string, pc: number) => string;

const base = (name: string, ext: Insn["ext"], format: Format, match: number, mask: number, syntax: readonly Operand[], kind: number): Insn => ({
  name, ext, format, match: match >>> 0, mask: mask >>> 0, syntax, kind, src: SRC_RS2,
});
/** R-type register-register ALU instruction (OP). */
const op = (name: string, ext: Insn["ext"], fn3: number, fn7: number, alu: Sem, js: Js): Insn => ({
  ...base(name, ext, "R", OPC.OP | f3(fn3) | f7(fn7), M_F7, ["rd", "rs1", "rs2"], K_ALU), alu, js,
});
/** I-type register-immediate ALU instruction (OP-IMM). */
const opImm = (name: string, fn3: number, alu: Sem, js: Js): Insn => ({
  ...base(name, "I", "I", OPC.OP_IMM | f3(fn3), M_F3, ["rd", "rs1", "imm"], K_ALU), src: SRC_IMM, alu, js,
});
/** Shift by an immediate (OP-IMM with funct7). */
const shiftImm = (name: string, fn3: number, fn7: number, alu: Sem, js: Js): Insn => ({
  ...base(name, "I", "I", OPC.OP_IMM | f3(fn3) | f7(fn7), M_F7, ["rd", "rs1", "shamt"], K_ALU), src: SRC_SHAMT, alu, js,
});
const branch = (name: string, fn3: number, cond: (a: number, b: number) => boolean, js: Js): Insn => ({
  ...base(name, "I", "B", OPC.BRANCH | f3(fn3), M_F3, ["rs1", "rs2", "target"], K_BRANCH), cond, js, pcrel: true,
});
const load = (name: string, fn3: number, size: 1 | 2 | 4, signed: boolean): Insn => ({
  ...base(name, "I", "I", OPC.LOAD | f3(fn3), M_F3, ["rd", "mem"], K_LOAD), size, signed,
});
const store = (name: string, fn3: number, size: 1 | 2 | 4): Insn => ({
  ...base(name, "I", "S", OPC.STORE | f3(fn3), M_F3, ["rs2", "mem"], K_STORE), size,
});
const csr = (name: string, fn3: number, imm: boolean): Insn => ({
  ...base(name, "Zicsr", "I", OPC.SYSTEM | f3(fn3), M_F3, ["rd", "csr", imm ? "zimm" : "rs1"], K_CSR), csrAlwaysWrites: fn3 === 1 || fn3 === 5,
});
/** A (non-LR/SC) AMO: loads the word at rs1, stores alu(loaded, rs2), rd = loaded. */
const amo = (name: string, fn5: number, alu: Sem): Insn => ({
  ...base(name, "A", "R", OPC.AMO | f3(2) | f5(fn5), M_F5, ["rd", "rs2", "addr"], K_AMO), alu, ordering: true,
});

const I32_MIN = -2147483648;

/**
 * Every entry with the same properties in the same order: one hidden class, so the interpreter's
 * reads of `kind`, `src`, `alu` stay monomorphic (entries built by different constructors would not).
 */
function uniform(d: Insn): Insn {
  return {
    name: d.name, ext: d.ext, format: d.format, match: d.match, mask: d.mask, syntax: d.syntax, kind: d.kind, src: d.src,
    alu: d.alu, cond: d.cond, js: d.js, size: d.size, signed: d.signed, ordering: d.ordering, csrAlwaysWrites: d.csrAlwaysWrites, pcrel: d.pcrel,
  };
}

/** Every RV32IMA + Zicsr + Zifencei instruction. Order matters only where masks overlap: the most specific wins. */
export const INSNS: readonly Insn[] = ([
  // ---- RV32I
  { ...base("lui", "I", "U", OPC.LUI, M_OP, ["rd", "imm"], K_ALU), src: SRC_UPPER, alu: (_a, b) => b, js: (_a, b) => b },
  { ...base("auipc", "I", "U", OPC.AUIPC, M_OP, ["rd", "imm"], K_ALU), src: SRC_UPPER, pcrel: true, alu: (_a, b, pc) => (pc + b) | 0, js: (_a, b, pc) => `(${pc | 0} + ${b}) | 0` },
  { ...base("jal", "I", "J", OPC.JAL, M_OP, ["rd", "target"], K_JAL), pcrel: true },
  { ...base("jalr", "I", "I", OPC.JALR | f3(0), M_F3, ["rd", "mem"], K_JALR) },
  branch("beq", 0, (a, b) => a === b, (a, b) => `${a} === ${b}`),
  branch("bne", 1, (a, b) => a !== b, (a, b) => `${a} !== ${b}`),
  branch("blt", 4, (a, b) => a < b, (a, b) => `${a} < ${b}`),
  branch("bge", 5, (a, b) => a >= b, (a, b) => `${a} >= ${b}`),
  branch("bltu", 6, (a, b) => a >>> 0 < b >>> 0, (a, b) => `(${a} >>> 0) < (${b} >>> 0)`),
  branch("bgeu", 7, (a, b) => a >>> 0 >= b >>> 0, (a, b) => `(${a} >>> 0) >= (${b} >>> 0)`),
  load("lb", 0, 1, true),
  load("lh", 1, 2, true),
  load("lw", 2, 4, true),
  load("lbu", 4, 1, false),
  load("lhu", 5, 2, false),
  store("sb", 0, 1),
  store("sh", 1, 2),
  store("sw", 2, 4),
  opImm("addi", 0, (a, b) => (a + b) | 0, (a, b) => (a === "0" ? b : `(${a} + ${b}) | 0`)),
  opImm("slti", 2, (a, b) => (a < b ? 1 : 0), (a, b) => `${a} < ${b} ? 1 : 0`),
  opImm("sltiu", 3, (a, b) => (a >>> 0 < b >>> 0 ? 1 : 0), (a, b) => `(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`),
  opImm("xori", 4, (a, b) => a ^ b, (a, b) => `${a} ^ ${b}`),
  opImm("ori", 6, (a, b) => a | b, (a, b) => `${a} | ${b}`),
  opImm("andi", 7, (a, b) => a & b, (a, b) => `${a} & ${b}`),
  shiftImm("slli", 1, 0, (a, b) => a << b, (a, b) => `${a} << ${b}`),
  shiftImm("srli", 5, 0, (a, b) => (a >>> b) | 0, (a, b) => `(${a} >>> ${b}) | 0`),
  shiftImm("srai", 5, 0x20, (a, b) => a >> b, (a, b) => `${a} >> ${b}`),
  op("add", "I", 0, 0, (a, b) => (a + b) | 0, (a, b) => `(${a} + ${b}) | 0`),
  op("sub", "I", 0, 0x20, (a, b) => (a - b) | 0, (a, b) => `(${a} - ${b}) | 0`),
  op("sll", "I", 1, 0, (a, b) => a << b, (a, b) => `${a} << ${b}`),
  op("slt", "I", 2, 0, (a, b) => (a < b ? 1 : 0), (a, b) => `${a} < ${b} ? 1 : 0`),
  op("sltu", "I", 3, 0, (a, b) => (a >>> 0 < b >>> 0 ? 1 : 0), (a, b) => `(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`),
  op("xor", "I", 4, 0, (a, b) => a ^ b, (a, b) => `${a} ^ ${b}`),
  op("srl", "I", 5, 0, (a, b) => (a >>> b) | 0, (a, b) => `(${a} >>> ${b}) | 0`),
  op("sra", "I", 5, 0x20, (a, b) => a >> b, (a, b) => `${a} >> ${b}`),
  op("or", "I", 6, 0, (a, b) => a | b, (a, b) => `${a} | ${b}`),
  op("and", "I", 7, 0, (a, b) => a & b, (a, b) => `${a} & ${b}`),
  // fence: any rd/rs1/fm are legal (executed as a full fence); fence.tso is its one named fm
  { ...base("fence", "I", "I", OPC.MISC_MEM | f3(0), M_F3, ["pred", "succ"], K_FENCE) },
  { ...base("fence.tso", "I", "I", 0x8330000f, 0xffffffff, [], K_FENCE) },
  { ...base("ecall", "I", "I", 0x00000073, 0xffffffff, [], K_ECALL) },
  { ...base("ebreak", "I", "I", 0x00100073, 0xffffffff, [], K_EBREAK) },
  // ---- Zifencei (any rd/rs1/imm accepted, as the fence)
  { ...base("fence.i", "Zifencei", "I", OPC.MISC_MEM | f3(1), M_F3, [], K_FENCE_I) },
  // ---- Zicsr
  csr("csrrw", 1, false),
  csr("csrrs", 2, false),
  csr("csrrc", 3, false),
  csr("csrrwi", 5, true),
  csr("csrrsi", 6, true),
  csr("csrrci", 7, true),
  // ---- M
  op("mul", "M", 0, 1, (a, b) => Math.imul(a, b), (a, b) => `Math.imul(${a}, ${b})`),
  op("mulh", "M", 1, 1, mulh, (a, b) => `H.mulh(${a}, ${b})`),
  op("mulhsu", "M", 2, 1, mulhsu, (a, b) => `H.mulhsu(${a}, ${b})`),
  op("mulhu", "M", 3, 1, mulhu, (a, b) => `H.mulhu(${a}, ${b})`),
  op("div", "M", 4, 1, (a, b) => (b === 0 ? -1 : a === I32_MIN && b === -1 ? a : (a / b) | 0),
    (a, b) => `${b} === 0 ? -1 : (${a} === ${I32_MIN} && ${b} === -1) ? ${I32_MIN} : (${a} / ${b}) | 0`),
  op("divu", "M", 5, 1, (a, b) => (b === 0 ? -1 : ((a >>> 0) / (b >>> 0)) | 0), (a, b) => `${b} === 0 ? -1 : ((${a} >>> 0) / (${b} >>> 0)) | 0`),
  op("rem", "M", 6, 1, (a, b) => (b === 0 ? a : b === -1 ? 0 : (a % b) | 0), (a, b) => `${b} === 0 ? ${a} : ${b} === -1 ? 0 : (${a} % ${b}) | 0`),
  op("remu", "M", 7, 1, (a, b) => (b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0), (a, b) => `${b} === 0 ? ${a} : ((${a} >>> 0) % (${b} >>> 0)) | 0`),
  // ---- A (all .w; funct5 in bits 31:27)
  { ...base("lr.w", "A", "R", OPC.AMO | f3(2) | f5(0x02), M_F5 | (31 << 20), ["rd", "addr"], K_LR), ordering: true },
  { ...base("sc.w", "A", "R", OPC.AMO | f3(2) | f5(0x03), M_F5, ["rd", "rs2", "addr"], K_SC), ordering: true },
  amo("amoswap.w", 0x01, (_x, b) => b),
  amo("amoadd.w", 0x00, (x, b) => (x + b) | 0),
  amo("amoxor.w", 0x04, (x, b) => x ^ b),
  amo("amoand.w", 0x0c, (x, b) => x & b),
  amo("amoor.w", 0x08, (x, b) => x | b),
  amo("amomin.w", 0x10, (x, b) => (x < b ? x : b)),
  amo("amomax.w", 0x14, (x, b) => (x > b ? x : b)),
  amo("amominu.w", 0x18, (x, b) => (x >>> 0 < b >>> 0 ? x : b)),
  amo("amomaxu.w", 0x1c, (x, b) => (x >>> 0 > b >>> 0 ? x : b)),
] as Insn[]).map(uniform);

/** The entry named `name`, or undefined. */
export function insnByName(name: string): Insn | undefined {
  return BY_NAME.get(name);
}
const BY_NAME = new Map(INSNS.map((i) => [i.name, i] as const));

// ---- CSRs

export interface Csr {
  readonly name: string;
  readonly number: number;
  /** Zicntr counters: which 64-bit count, and whether this CSR reads its high half. */
  readonly counter?: "cycle" | "time" | "instret";
  readonly high?: boolean;
}

/** CSRs known by name (the F ones only for the assembler and disassembler: reading them is illegal here). */
export const CSRS: readonly Csr[] = [
  { name: "cycle", number: 0xc00, counter: "cycle", high: false },
  { name: "time", number: 0xc01, counter: "time", high: false },
  { name: "instret", number: 0xc02, counter: "instret", high: false },
  { name: "cycleh", number: 0xc80, counter: "cycle", high: true },
  { name: "timeh", number: 0xc81, counter: "time", high: true },
  { name: "instreth", number: 0xc82, counter: "instret", high: true },
  { name: "fflags", number: 0x001 },
  { name: "frm", number: 0x002 },
  { name: "fcsr", number: 0x003 },
];
export const CSR_BY_NUMBER: ReadonlyMap<number, Csr> = new Map(CSRS.map((c) => [c.number, c] as const));
const CSR_BY_NAME = new Map(CSRS.map((c) => [c.name, c] as const));
export function csrNumber(name: string): number | undefined {
  return CSR_BY_NAME.get(name.toLowerCase())?.number;
}

// ---- aliases (pseudo-instructions that are one base instruction)

export interface Alias {
  readonly name: string;
  /** The base entry's name. */
  readonly base: string;
  readonly syntax: readonly Operand[];
  /** Fields the alias fixes (the rest come from its operands). */
  readonly fixed: Fields;
  /** Only the assembler accepts it (the disassembler never prints it). */
  readonly asmOnly?: boolean;
  /** Only the disassembler prints it (the assembler has a macro of this name, e.g. `li`). */
  readonly disOnly?: boolean;
}

const al = (name: string, baseName: string, syntax: readonly Operand[], fixed: Fields, more: Partial<Alias> = {}): Alias => ({
  name, base: baseName, syntax, fixed, ...more,
});

/**
 * Every alias, in the disassembler's order of preference for one base (the first whose fixed
 * fields match prints), which is GNU objdump's.
 */
export const ALIASES: readonly Alias[] = [
  al("j", "jal", ["target"], { rd: 0 }),
  al("jal", "jal", ["target"], { rd: 1 }),
  al("ret", "jalr", [], { rd: 0, rs1: 1, imm: 0 }),
  al("jr", "jalr", ["rs1"], { rd: 0, imm: 0 }),
  al("jr", "jalr", ["mem"], { rd: 0 }),
  al("jalr", "jalr", ["rs1"], { rd: 1, imm: 0 }),
  al("jalr", "jalr", ["mem"], { rd: 1 }, { asmOnly: true }),
  al("jalr", "jalr", ["rd", "rs1"], { imm: 0 }, { asmOnly: true }),
  al("jalr", "jalr", ["rd", "rs1", "imm"], {}, { asmOnly: true }),
  al("beqz", "beq", ["rs1", "target"], { rs2: 0 }),
  al("bnez", "bne", ["rs1", "target"], { rs2: 0 }),
  al("bltz", "blt", ["rs1", "target"], { rs2: 0 }),
  al("bgez", "bge", ["rs1", "target"], { rs2: 0 }),
  al("bgtz", "blt", ["rs2", "target"], { rs1: 0 }),
  al("blez", "bge", ["rs2", "target"], { rs1: 0 }),
  al("bgt", "blt", ["rs2", "rs1", "target"], {}, { asmOnly: true }),
  al("ble", "bge", ["rs2", "rs1", "target"], {}, { asmOnly: true }),
  al("bgtu", "bltu", ["rs2", "rs1", "target"], {}, { asmOnly: true }),
  al("bleu", "bgeu", ["rs2", "rs1", "target"], {}, { asmOnly: true }),
  al("nop", "addi", [], { rd: 0, rs1: 0, imm: 0 }),
  al("li", "addi", ["rd", "imm"], { rs1: 0 }, { disOnly: true }),
  al("mv", "addi", ["rd", "rs1"], { imm: 0 }),
  al("seqz", "sltiu", ["rd", "rs1"], { imm: 1 }),
  al("not", "xori", ["rd", "rs1"], { imm: -1 }),
  al("zext.b", "andi", ["rd", "rs1"], { imm: 255 }, { asmOnly: true }),
  al("neg", "sub", ["rd", "rs2"], { rs1: 0 }),
  al("snez", "sltu", ["rd", "rs2"], { rs1: 0 }),
  al("sltz", "slt", ["rd", "rs1"], { rs2: 0 }),
  al("sgtz", "slt", ["rd", "rs2"], { rs1: 0 }),
  al("fence", "fence", [], { pred: 15, succ: 15 }),
  al("scall", "ecall", [], {}, { asmOnly: true }),
  al("sbreak", "ebreak", [], {}, { asmOnly: true }),
  // rdcycle, rdtime, … one per counter CSR
  ...CSRS.filter((c) => c.counter !== undefined).map((c) => al(`rd${c.name}`, "csrrs", ["rd"], { csr: c.number, rs1: 0 })),
  al("csrr", "csrrs", ["rd", "csr"], { rs1: 0 }),
  al("csrw", "csrrw", ["csr", "rs1"], { rd: 0 }),
  al("csrs", "csrrs", ["csr", "rs1"], { rd: 0 }),
  al("csrc", "csrrc", ["csr", "rs1"], { rd: 0 }),
  al("csrwi", "csrrwi", ["csr", "zimm"], { rd: 0 }),
  al("csrsi", "csrrsi", ["csr", "zimm"], { rd: 0 }),
  al("csrci", "csrrci", ["csr", "zimm"], { rd: 0 }),
];
