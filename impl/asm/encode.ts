// Instruction format encoders, register and CSR names (shared by assembler, disassembler and tests).

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

export const CSR_NAMES: ReadonlyMap<number, string> = new Map([
  [0xc00, "cycle"],
  [0xc01, "time"],
  [0xc02, "instret"],
  [0xc80, "cycleh"],
  [0xc81, "timeh"],
  [0xc82, "instreth"],
  [0x001, "fflags"],
  [0x002, "frm"],
  [0x003, "fcsr"],
]);
const CSR_BY_NAME = new Map([...CSR_NAMES].map(([n, s]) => [s, n] as const));
export function csrNumber(name: string): number | undefined {
  return CSR_BY_NAME.get(name.toLowerCase());
}

const chkReg = (r: number): number => {
  if (!Number.isInteger(r) || r < 0 || r > 31) throw new RangeError(`register number ${r} out of range`);
  return r;
};

export function encR(opcode: number, f3: number, f7: number, rd: number, rs1: number, rs2: number): number {
  return ((f7 << 25) | (chkReg(rs2) << 20) | (chkReg(rs1) << 15) | (f3 << 12) | (chkReg(rd) << 7) | opcode) >>> 0;
}
export function encI(opcode: number, f3: number, rd: number, rs1: number, imm: number): number {
  return (((imm & 0xfff) << 20) | (chkReg(rs1) << 15) | (f3 << 12) | (chkReg(rd) << 7) | opcode) >>> 0;
}
export function encS(opcode: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return ((((imm >> 5) & 0x7f) << 25) | (chkReg(rs2) << 20) | (chkReg(rs1) << 15) | (f3 << 12) | ((imm & 31) << 7) | opcode) >>> 0;
}
export function encB(opcode: number, f3: number, rs1: number, rs2: number, off: number): number {
  return (
    ((((off >> 12) & 1) << 31) |
      (((off >> 5) & 63) << 25) |
      (chkReg(rs2) << 20) |
      (chkReg(rs1) << 15) |
      (f3 << 12) |
      (((off >> 1) & 15) << 8) |
      (((off >> 11) & 1) << 7) |
      opcode) >>>
    0
  );
}
export function encU(opcode: number, rd: number, imm20: number): number {
  return (((imm20 & 0xfffff) << 12) | (chkReg(rd) << 7) | opcode) >>> 0;
}
export function encJ(opcode: number, rd: number, off: number): number {
  return (
    ((((off >> 20) & 1) << 31) |
      (((off >> 1) & 1023) << 21) |
      (((off >> 11) & 1) << 20) |
      (((off >> 12) & 255) << 12) |
      (chkReg(rd) << 7) |
      opcode) >>>
    0
  );
}

/** Convenience encoders for tests: a few common instructions. */
export const enc = {
  addi: (rd: number, rs1: number, imm: number) => encI(0x13, 0, rd, rs1, imm),
  add: (rd: number, rs1: number, rs2: number) => encR(0x33, 0, 0, rd, rs1, rs2),
  lui: (rd: number, imm20: number) => encU(0x37, rd, imm20),
  jal: (rd: number, off: number) => encJ(0x6f, rd, off),
  jalr: (rd: number, rs1: number, imm: number) => encI(0x67, 0, rd, rs1, imm),
  beq: (rs1: number, rs2: number, off: number) => encB(0x63, 0, rs1, rs2, off),
  bne: (rs1: number, rs2: number, off: number) => encB(0x63, 1, rs1, rs2, off),
  lw: (rd: number, rs1: number, imm: number) => encI(0x03, 2, rd, rs1, imm),
  sw: (rs2: number, rs1: number, imm: number) => encS(0x23, 2, rs1, rs2, imm),
  ecall: () => 0x00000073,
  ebreak: () => 0x00100073,
};
