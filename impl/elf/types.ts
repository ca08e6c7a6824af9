// ELF32 (RISC-V, little endian) data model shared by the reader, writer, linker and the kernel's loader.
// Only what kiln needs: static executables (ET_EXEC) and position-independent images (ET_DYN).
import { constants } from "../../generated/index.ts";

/** Every rejection of an ELF file (or of linker input) is an ElfError with a human-readable message. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ElfError";
  }
}

// ---- e_ident / header ----
export const ELFCLASS32 = 1;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_RISCV = 243;
/** e_flags bit: the file uses compressed (RVC) instructions (kiln's CPU is RV32IMAC: such files load). */
export const EF_RISCV_RVC = 0x1;
export const EF_RISCV_FLOAT_ABI_MASK = 0x6;

export const EHDR_SIZE = 52;
export const PHDR_SIZE = 32;
export const SHDR_SIZE = 40;
export const SYM_SIZE = 16;

// ---- program headers ----
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PT_RISCV_ATTRIBUTES = 0x70000003;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

// ---- sections ----
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

// ---- symbols ----
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

// ---- kiln conventions ----

/** The NOBITS section of stubs that the kernel's loader maps the layer's stub table over. */
export const KILN_STUB_SECTION = ".kiln.stubs";
/** The section holding the ABI note (also covered by a PT_NOTE so it survives stripping). */
export const KILN_ABI_NOTE_SECTION = ".note.kiln.abi";
export const KILN_NOTE_OWNER = "kiln";
/** The ABI note's type (spec/stub-section.md). */
export const { NT_KILN_ABI } = constants.note;
export const PAGE_SIZE = 4096;

export interface ElfSegment {
  type: number;
  /** PF_R=4, PF_W=2, PF_X=1 */
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
  /** The filesz bytes (a view into the input buffer, not a copy). */
  data: Uint8Array;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  align: number;
  /** The section's bytes (a view into the input buffer); empty for NOBITS. */
  data: Uint8Array;
  /** sh_link, sh_info, sh_entsize: always set by readElf, optional for callers that build sections. */
  link?: number;
  info?: number;
  entsize?: number;
}

export interface ElfNote {
  owner: string;
  type: number;
  desc: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STB_* */
  bind: number;
  /** STT_* */
  type: number;
  shndx: number;
}

export interface ElfFile {
  /** ET_EXEC=2, ET_DYN=3 */
  type: number;
  machine: number;
  entry: number;
  segments: ElfSegment[];
  /** [] when stripped of section headers. */
  sections: ElfSection[];
  /** From PT_NOTE segments, else SHT_NOTE sections. */
  notes: ElfNote[];
  /** The .symtab entries, without the null symbol at index 0; [] when there is none. */
  symbols: ElfSymbol[];
  /** e_flags (EF_RISCV_RVC, float ABI); always set by readElf. */
  flags?: number;
}

/** The contents of the kiln ABI note (NT_KILN_ABI, owner "kiln"). */
export interface AbiNote {
  /** Program ABI number: 1 for p1, 2 for p2, ... */
  programAbi: number;
  /** Address of the stub region (the .kiln.stubs section). */
  stubAddr: number;
  /** Size of the stub region in bytes, a multiple of 4096. */
  stubSize: number;
}

/** Formats a number as 0x-prefixed lowercase hex, for error messages. */
export function hex(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}
