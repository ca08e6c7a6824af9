// Decode and encode, built from the instruction table (table.ts).
//
// decode: a direct lookup on the opcode, funct3 and funct7 bits (17 bits, 128K entries built once
// at load), with a short list check only where an entry fixes more bits than those (ecall, ebreak,
// fence.tso, lr.w's zero rs2). No linear scan per instruction.

import { type Field, type Fields, putField } from "./fields.ts";
import { INSNS, type Insn } from "./table.ts";

const KEY_MASK = 0xfe00707f;
const keyOf = (w: number): number => ((w >>> 15) & 0x1fc00) | ((w >>> 5) & 0x380) | (w & 0x7f);

/** Per key: the entry, when the key alone decides it; else null. */
const DIRECT: Array<Insn | null> = new Array<Insn | null>(1 << 17).fill(null);
/** Per key whose entries fix more bits than the key: candidates, most specific first. */
const LISTS: Array<readonly Insn[] | null> = new Array<readonly Insn[] | null>(1 << 17).fill(null);

const popcount = (x: number): number => {
  let n = 0;
  for (x >>>= 0; x !== 0; x &= x - 1) n++;
  return n;
};

(function build(): void {
  const perKey = new Map<number, Insn[]>();
  for (const d of INSNS) {
    // the key bits this entry leaves free: enumerate every key it covers
    const free = KEY_MASK & ~d.mask;
    const bits: number[] = [];
    for (let b = 0; b < 32; b++) if ((free >>> b) & 1) bits.push(b);
    for (let i = 0; i < 1 << bits.length; i++) {
      let w = d.match;
      bits.forEach((b, j) => {
        if ((i >>> j) & 1) w |= 1 << b;
      });
      const k = keyOf(w >>> 0);
      const l = perKey.get(k);
      if (l === undefined) perKey.set(k, [d]);
      else l.push(d);
    }
  }
  for (const [k, l] of perKey) {
    const only = l[0]!;
    if (l.length === 1 && (only.mask & ~KEY_MASK) === 0) DIRECT[k] = only;
    else LISTS[k] = [...l].sort((a, b) => popcount(b.mask) - popcount(a.mask));
  }
})();

/** The table entry of a 32-bit instruction word, or undefined when it is not a valid RV32IMA/Zicsr/Zifencei encoding. */
export function decode(w: number): Insn | undefined {
  const k = ((w >>> 15) & 0x1fc00) | ((w >>> 5) & 0x380) | (w & 0x7f);
  const d = DIRECT[k]!;
  if (d !== null) return d;
  const l = LISTS[k]!;
  if (l === null) return undefined;
  for (let i = 0; i < l.length; i++) {
    const c = l[i]!;
    if ((w & c.mask) === (c.match | 0)) return c;
  }
  return undefined;
}

/** True when the word is a valid RV32IMA (+Zicsr, Zifencei) user-mode instruction encoding. */
export const isValid = (w: number): boolean => decode(w) !== undefined;

/** The word of entry `d` with these field values (no range checks: the assembler checks with `fits`). */
export function encode(d: Insn, f: Fields): number {
  let w = d.match;
  for (const k in f) {
    const v = f[k as Field];
    if (v !== undefined) w = putField(w, k as Field, d.format, v);
  }
  return w >>> 0;
}
