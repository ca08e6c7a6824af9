// RV32IMA instruction field extraction and validity (shared by the interpreter, the JIT and the disassembler).

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

/** AMO funct5 values. */
export const AMO_LR = 0x02;
export const AMO_SC = 0x03;
export const AMO_SWAP = 0x01;
export const AMO_ADD = 0x00;
export const AMO_XOR = 0x04;
export const AMO_AND = 0x0c;
export const AMO_OR = 0x08;
export const AMO_MIN = 0x10;
export const AMO_MAX = 0x14;
export const AMO_MINU = 0x18;
export const AMO_MAXU = 0x1c;

const AMO_OK = new Set([AMO_LR, AMO_SC, AMO_SWAP, AMO_ADD, AMO_XOR, AMO_AND, AMO_OR, AMO_MIN, AMO_MAX, AMO_MINU, AMO_MAXU]);

/** True when the word is a valid RV32IMA (+Zicsr encoding, Zifencei) user-mode instruction encoding. */
export function isValid(w: number): boolean {
  const op = w & 0x7f;
  const f3 = f3Of(w);
  const f7 = f7Of(w);
  switch (op) {
    case OP_LUI:
    case OP_AUIPC:
    case OP_JAL:
      return true;
    case OP_JALR:
      return f3 === 0;
    case OP_BRANCH:
      return f3 !== 2 && f3 !== 3;
    case OP_LOAD:
      return f3 !== 3 && f3 < 6;
    case OP_STORE:
      return f3 < 3;
    case OP_IMM:
      if (f3 === 1) return f7 === 0;
      if (f3 === 5) return f7 === 0 || f7 === 0x20;
      return true;
    case OP_OP:
      if (f7 === 0 || f7 === 1) return true;
      if (f7 === 0x20) return f3 === 0 || f3 === 5;
      return false;
    case OP_MISC_MEM:
      return f3 === 0 || f3 === 1;
    case OP_SYSTEM:
      if (f3 === 0) return (w >>> 0) === 0x00000073 || (w >>> 0) === 0x00100073;
      return f3 !== 4;
    case OP_AMO: {
      if (f3 !== 2) return false;
      const f5 = w >>> 27;
      if (!AMO_OK.has(f5)) return false;
      if (f5 === AMO_LR && rs2Of(w) !== 0) return false;
      return true;
    }
    default:
      return false;
  }
}
