// RV32 instruction fields: where each operand lives in a 32-bit word, how to read it and how to
// put it back. The instruction table (table.ts) names fields; decode, encode, the assembler and
// the disassembler go through these functions only.

export const rdOf = (w: number): number => (w >>> 7) & 31;
export const rs1Of = (w: number): number => (w >>> 15) & 31;
export const rs2Of = (w: number): number => (w >>> 20) & 31;
export const f3Of = (w: number): number => (w >>> 12) & 7;
export const f7Of = (w: number): number => w >>> 25;

export const immI = (w: number): number => w >> 20;
export const immS = (w: number): number => ((w >> 25) << 5) | ((w >>> 7) & 31);
export const immB = (w: number): number =>
  ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 63) << 5) | (((w >>> 8) & 15) << 1);
export const immU = (w: number): number => w & ~0xfff;
export const immJ = (w: number): number =>
  ((w >> 31) << 20) | (((w >>> 12) & 255) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 1023) << 1);

/** Placing a format's immediate into a word (the reverse of immI … immJ; U takes the 20-bit field). */
export const putI = (imm: number): number => (imm & 0xfff) << 20;
export const putS = (imm: number): number => (((imm >> 5) & 0x7f) << 25) | ((imm & 31) << 7);
export const putB = (off: number): number =>
  (((off >> 12) & 1) << 31) | (((off >> 5) & 63) << 25) | (((off >> 1) & 15) << 8) | (((off >> 11) & 1) << 7);
export const putU = (imm20: number): number => (imm20 & 0xfffff) << 12;
export const putJ = (off: number): number =>
  (((off >> 20) & 1) << 31) | (((off >> 1) & 1023) << 21) | (((off >> 11) & 1) << 20) | (((off >> 12) & 255) << 12);

/** Encoding formats: which immediate the word carries (R: none). */
export type Format = "R" | "I" | "S" | "B" | "U" | "J";

/**
 * The named fields an instruction's operands fill. `imm` is the format's immediate (I, S: the
 * signed value; B, J: the pc offset; U: the 20-bit field); the others are plain bit ranges.
 */
export type Field = "rd" | "rs1" | "rs2" | "imm" | "shamt" | "zimm" | "csr" | "pred" | "succ" | "aq" | "rl";
export type Fields = Partial<Record<Field, number>>;

/** Plain bit-range fields: [low bit, width]. */
export const BIT_FIELDS: Readonly<Record<Exclude<Field, "imm">, readonly [number, number]>> = {
  rd: [7, 5],
  rs1: [15, 5],
  rs2: [20, 5],
  shamt: [20, 5],
  zimm: [15, 5],
  csr: [20, 12],
  pred: [24, 4],
  succ: [20, 4],
  aq: [26, 1],
  rl: [25, 1],
};

const IMM_READ: Record<Format, (w: number) => number> = {
  R: () => 0,
  I: immI,
  S: immS,
  B: immB,
  U: (w) => w >>> 12,
  J: immJ,
};
const IMM_PUT: Record<Format, (v: number) => number> = { R: () => 0, I: putI, S: putS, B: putB, U: putU, J: putJ };
/** Bits the immediate of each format occupies. */
export const IMM_MASK: Readonly<Record<Format, number>> = { R: 0, I: 0xfff00000, S: 0xfe000f80, B: 0xfe000f80, U: 0xfffff000, J: 0xfffff000 };
/** Range of each format's immediate value: [min, max, alignment]. */
export const IMM_RANGE: Readonly<Record<Format, readonly [number, number, number]>> = {
  R: [0, 0, 1],
  I: [-2048, 2047, 1],
  S: [-2048, 2047, 1],
  B: [-4096, 4094, 2],
  U: [0, 0xfffff, 1],
  J: [-(1 << 20), (1 << 20) - 2, 2],
};

/** Read field `f` of word `w` (format `fmt` says what `imm` is). */
export function getField(w: number, f: Field, fmt: Format): number {
  if (f === "imm") return IMM_READ[fmt](w);
  const [lo, n] = BIT_FIELDS[f];
  return (w >>> lo) & ((1 << n) - 1);
}

/** Bits of field `f` in format `fmt`. */
export function fieldMask(f: Field, fmt: Format): number {
  if (f === "imm") return IMM_MASK[fmt];
  const [lo, n] = BIT_FIELDS[f];
  return (((1 << n) - 1) << lo) >>> 0;
}

/** Does value `v` fit field `f` of format `fmt`? */
export function fits(f: Field, fmt: Format, v: number): boolean {
  if (!Number.isInteger(v)) return false;
  if (f === "imm") {
    const [min, max, align] = IMM_RANGE[fmt];
    return v >= min && v <= max && v % align === 0;
  }
  return v >= 0 && v < 1 << BIT_FIELDS[f][1];
}

/** The word `base` with field `f` set to `v` (no range check: see `fits`). */
export function putField(base: number, f: Field, fmt: Format, v: number): number {
  if (f === "imm") return (base | IMM_PUT[fmt](v)) >>> 0;
  const [lo, n] = BIT_FIELDS[f];
  return (base | ((v & ((1 << n) - 1)) << lo)) >>> 0;
}

/** The values field `f` takes, for messages: "-2048..2047", "0..0xfffff", "0..31". */
export function rangeText(f: Field, fmt: Format): string {
  if (f === "imm") {
    const [min, max] = IMM_RANGE[fmt];
    return fmt === "U" ? `${min}..0x${max.toString(16)}` : `${min}..${max}`;
  }
  const max = (1 << BIT_FIELDS[f][1]) - 1;
  return max > 255 ? `0..0x${max.toString(16)}` : `0..${max}`;
}

// ---- fence sets: the letters i, o, r, w for bits 3..0 of pred and succ

const FENCE_LETTERS = "iorw";
/** A fence set as text ("rw"); "" for the empty set. */
export function fenceSetText(v: number): string {
  let t = "";
  for (let i = 0; i < 4; i++) if (v & (8 >> i)) t += FENCE_LETTERS[i];
  return t;
}
/** A fence set's value from its text, or null when it has a letter outside iorw. */
export function fenceSetValue(t: string): number | null {
  let v = 0;
  for (const ch of t.toLowerCase()) {
    const i = FENCE_LETTERS.indexOf(ch);
    if (i < 0) return null;
    v |= 8 >> i;
  }
  return v;
}

// ---- registers

export const ABI_NAMES = [
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
] as const;

const REGS = new Map<string, number>();
ABI_NAMES.forEach((n, i) => REGS.set(n, i));
for (let i = 0; i < 32; i++) REGS.set(`x${i}`, i);
REGS.set("fp", 8);

/** Register number for an x-name or ABI name, or undefined. */
export function regNumber(name: string): number | undefined {
  return REGS.get(name.toLowerCase());
}
