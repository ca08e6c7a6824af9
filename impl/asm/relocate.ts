// RISC-V relocation patching (psABI semantics, RV32), used by the assembler for fixups it can
// resolve itself and by the ELF linker.
//
// applyRelocation(data, offset, type, S, A, P) patches the instruction or word at `offset`.
// For "pcrel_lo12_i"/"pcrel_lo12_s" pass S + A of the *matching pcrel_hi20* relocation as S,
// 0 as A and the address of the auipc as P: the value is always S + A - P.
// Throws RangeError when the value does not fit the field (branch/jal range, odd offsets).

import type { RelocType } from "./object.ts";

function rd32(d: Uint8Array, o: number): number {
  if (o < 0 || o + 4 > d.length) throw new RangeError(`relocation at offset ${o} is outside its section (size ${d.length})`);
  return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;
}
function wr32(d: Uint8Array, o: number, x: number): void {
  d[o] = x & 0xff;
  d[o + 1] = (x >>> 8) & 0xff;
  d[o + 2] = (x >>> 16) & 0xff;
  d[o + 3] = (x >>> 24) & 0xff;
}

/** %hi: upper 20 bits, rounded so that hi20(v) << 12 plus sign-extended lo12(v) equals v. */
export const hi20 = (v: number): number => ((v + 0x800) >>> 12) & 0xfffff;
/** %lo: sign-extended low 12 bits. */
export const lo12 = (v: number): number => ((v | 0) << 20) >> 20;

export function patchI(d: Uint8Array, o: number, imm: number): void {
  wr32(d, o, ((rd32(d, o) & 0x000fffff) | ((imm & 0xfff) << 20)) >>> 0);
}
export function patchS(d: Uint8Array, o: number, imm: number): void {
  wr32(d, o, ((rd32(d, o) & 0x01fff07f) | ((imm & 0xfe0) << 20) | ((imm & 0x1f) << 7)) >>> 0);
}
export function patchU(d: Uint8Array, o: number, imm20: number): void {
  wr32(d, o, ((rd32(d, o) & 0xfff) | ((imm20 & 0xfffff) << 12)) >>> 0);
}
export function patchB(d: Uint8Array, o: number, off: number): void {
  if (off & 1 || off < -4096 || off > 4094) throw new RangeError(`branch offset ${off} does not fit (even, -4096..4094)`);
  const b =
    (((off >> 12) & 1) << 31) | (((off >> 5) & 63) << 25) | (((off >> 1) & 15) << 8) | (((off >> 11) & 1) << 7);
  wr32(d, o, ((rd32(d, o) & 0x01fff07f) | b) >>> 0);
}
export function patchJ(d: Uint8Array, o: number, off: number): void {
  if (off & 1 || off < -(1 << 20) || off > (1 << 20) - 2) throw new RangeError(`jump offset ${off} does not fit (even, +-1 MiB)`);
  const j =
    (((off >> 20) & 1) << 31) | (((off >> 1) & 1023) << 21) | (((off >> 11) & 1) << 20) | (((off >> 12) & 255) << 12);
  wr32(d, o, ((rd32(d, o) & 0xfff) | j) >>> 0);
}

export function applyRelocation(data: Uint8Array, offset: number, type: RelocType, S: number, A: number, P: number): void {
  const abs = (S + A) | 0;
  const rel = (S + A - P) | 0;
  switch (type) {
    case "abs32":
      rd32(data, offset);
      wr32(data, offset, abs >>> 0);
      return;
    case "hi20":
      patchU(data, offset, hi20(abs));
      return;
    case "lo12_i":
      patchI(data, offset, lo12(abs));
      return;
    case "lo12_s":
      patchS(data, offset, lo12(abs));
      return;
    case "pcrel_hi20":
      patchU(data, offset, hi20(rel));
      return;
    case "pcrel_lo12_i":
      patchI(data, offset, lo12(rel));
      return;
    case "pcrel_lo12_s":
      patchS(data, offset, lo12(rel));
      return;
    case "branch":
      patchB(data, offset, rel);
      return;
    case "jal":
      patchJ(data, offset, rel);
      return;
    case "call":
      patchU(data, offset, hi20(rel));
      patchI(data, offset + 4, lo12(rel));
      return;
  }
}
