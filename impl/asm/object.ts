// The relocatable object that the assembler produces and the ELF linker (impl/elf) consumes.

export type SectionKind = "progbits" | "nobits" | "note";

export interface ObjSection {
  readonly name: string;
  readonly kind: SectionKind;
  readonly alloc: boolean;
  readonly write: boolean;
  readonly exec: boolean;
  /** Alignment in bytes, a power of two. */
  readonly align: number;
  /** Contents; empty for nobits. */
  readonly data: Uint8Array;
  /** Size in memory (data.length for progbits/note, the reserved size for nobits). */
  readonly size: number;
  readonly relocs: readonly Reloc[];
}

/**
 * Relocation kinds, named after the RISC-V psABI relocations they correspond to.
 * The value stored is computed from S (symbol address), A (addend) and P (address of the patched place).
 */
export type RelocType =
  | "abs32" //        R_RISCV_32:        S + A (a .word)
  | "hi20" //         R_RISCV_HI20:      %hi(S + A) into lui
  | "lo12_i" //       R_RISCV_LO12_I:    %lo(S + A) into an I-type immediate
  | "lo12_s" //       R_RISCV_LO12_S:    %lo(S + A) into an S-type immediate
  | "pcrel_hi20" //   R_RISCV_PCREL_HI20: %pcrel_hi(S + A - P) into auipc
  | "pcrel_lo12_i" // R_RISCV_PCREL_LO12_I: low part matching the auipc at symbol (label of the auipc)
  | "pcrel_lo12_s" // R_RISCV_PCREL_LO12_S
  | "branch" //       R_RISCV_BRANCH:    S + A - P into a B-type offset
  | "jal" //          R_RISCV_JAL:       S + A - P into a J-type offset
  | "call"; //        R_RISCV_CALL:      auipc+jalr pair, S + A - P

export interface Reloc {
  /** Byte offset of the patched place within its section. */
  readonly offset: number;
  readonly type: RelocType;
  readonly symbol: string;
  readonly addend: number;
}

export interface ObjSymbol {
  readonly name: string;
  /** Section name, or null for an absolute symbol (`.equ`). */
  readonly section: string | null;
  readonly value: number;
  readonly global: boolean;
  readonly size?: number;
  readonly type?: "func" | "object" | "notype";
}

export interface ObjectModule {
  readonly sections: readonly ObjSection[];
  readonly symbols: readonly ObjSymbol[];
}
