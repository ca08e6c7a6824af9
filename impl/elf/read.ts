// ELF32 reader: parses and validates a RISC-V little-endian ELF executable.
//
// readElf never throws anything but ElfError, never loops more than a bounded number of times
// proportional to the input size, and never copies file contents: segment, section and note data
// are views into the input buffer.

import {
  ELFCLASS32,
  ELFDATA2LSB,
  EM_RISCV,
  EHDR_SIZE,
  ET_DYN,
  ET_EXEC,
  ET_REL,
  EV_CURRENT,
  ElfError,
  PHDR_SIZE,
  PT_LOAD,
  PT_NOTE,
  SHDR_SIZE,
  SHF_ALLOC,
  SHN_LORESERVE,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_NULL,
  SHT_STRTAB,
  SHT_SYMTAB,
  SYM_SIZE,
  hex,
} from "./types.ts";
import type { ElfFile, ElfNote, ElfSection, ElfSegment, ElfSymbol } from "./types.ts";

export { ElfError } from "./types.ts";
export type { ElfFile, ElfNote, ElfSection, ElfSegment, ElfSymbol, AbiNote } from "./types.ts";
export { encodeAbiNote, decodeAbiNote, findAbiNote } from "./note.ts";

/** Upper bound on notes parsed from one file (across all note segments or sections). */
const MAX_NOTES = 4096;
/** Upper bound on a note's owner-name size (namesz). */
const MAX_NOTE_NAME = 256;
/** Upper bound on the total bytes of names decoded from string tables, beyond 4x the file size. */
const NAME_BUDGET_MIN = 16 << 20;

const utf8 = new TextDecoder("utf-8", { fatal: false });

function isPow2OrZero(n: number): boolean {
  // n is a u32; the bitwise test works on its int32 image for every u32 value.
  return (n & (n - 1)) === 0;
}

class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(off: number): number {
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    return this.view.getUint16(off, true);
  }
  u32(off: number): number {
    return this.view.getUint32(off, true);
  }
}

/** Decodes names out of one string table, with a shared budget so no input can cost absurd work. */
class StringTable {
  private readonly cache = new Map<number, string>();
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
    private readonly budget: { left: number },
  ) {}
  get(index: number, user: string): string {
    if (index === 0 && this.data.length === 0) return "";
    const hit = this.cache.get(index);
    if (hit !== undefined) return hit;
    if (index >= this.data.length) {
      throw new ElfError(
        `ELF: ${user} has name index ${hex(index)} past the end of ${this.what} (size ${hex(this.data.length)})`,
      );
    }
    const end = this.data.indexOf(0, index);
    if (end < 0) {
      throw new ElfError(`ELF: ${user} has a name at ${hex(index)} in ${this.what} that is not NUL-terminated`);
    }
    this.budget.left -= end - index + 1;
    if (this.budget.left < 0) {
      throw new ElfError(`ELF: string tables reference too many name bytes (${user}); the file is malformed`);
    }
    const s = utf8.decode(this.data.subarray(index, end));
    this.cache.set(index, s);
    return s;
  }
}

/**
 * Parses the notes in one note area (a PT_NOTE segment or a SHT_NOTE section).
 * `align` is 4 (the ELF32 norm) or 8 (when the segment/section says so).
 */
function parseNotes(data: Uint8Array, align: number, where: string, out: ElfNote[]): void {
  const r = new Reader(data);
  const pad = (n: number) => (n + align - 1) & ~(align - 1);
  let off = 0;
  while (off < data.length) {
    if (out.length >= MAX_NOTES) throw new ElfError(`ELF: more than ${MAX_NOTES} notes; the file is malformed`);
    if (data.length - off < 12) {
      throw new ElfError(
        `ELF: ${where}: truncated note header at offset ${hex(off)} (${data.length - off} bytes left, need 12)`,
      );
    }
    const namesz = r.u32(off);
    const descsz = r.u32(off + 4);
    const type = r.u32(off + 8);
    const nameOff = off + 12;
    if (namesz > MAX_NOTE_NAME) {
      throw new ElfError(`ELF: ${where}: note at offset ${hex(off)} has name size ${hex(namesz)} (limit ${MAX_NOTE_NAME})`);
    }
    if (namesz > data.length - nameOff) {
      throw new ElfError(
        `ELF: ${where}: note at offset ${hex(off)} has a name (size ${hex(namesz)}) past the end of the note area (size ${hex(data.length)})`,
      );
    }
    const descOff = nameOff + pad(namesz);
    if (descOff > data.length || descsz > data.length - descOff) {
      throw new ElfError(
        `ELF: ${where}: note at offset ${hex(off)} has a descriptor (size ${hex(descsz)}) past the end of the note area (size ${hex(data.length)})`,
      );
    }
    let owner = "";
    if (namesz > 0) {
      if (data[nameOff + namesz - 1] !== 0) {
        throw new ElfError(`ELF: ${where}: note at offset ${hex(off)} has an owner name that is not NUL-terminated`);
      }
      owner = utf8.decode(data.subarray(nameOff, nameOff + namesz - 1));
    }
    out.push({ owner, type, desc: data.subarray(descOff, descOff + descsz) });
    const next = descOff + pad(descsz);
    // The last note's descriptor padding may be missing at the very end of the area.
    off = next > data.length ? data.length : next;
  }
}

/** Parses and validates an ELF32 little-endian RISC-V executable (ET_EXEC or ET_DYN). */
export function readElf(bytes: Uint8Array): ElfFile {
  try {
    return readElfUnchecked(bytes);
  } catch (e) {
    if (e instanceof ElfError) throw e;
    // A bug in the reader: keep the contract (only ElfError) but make it recognisable.
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new ElfError(`ELF: internal reader error (${msg})`);
  }
}

function readElfUnchecked(bytes: Uint8Array): ElfFile {
  if (!(bytes instanceof Uint8Array)) throw new ElfError("ELF: input is not a byte array");
  const len = bytes.length;
  if (len < EHDR_SIZE) {
    throw new ElfError(`ELF: file is ${len} bytes, shorter than the 52-byte ELF32 header`);
  }
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError("ELF: bad magic (not an ELF file: expected 7f 45 4c 46)");
  }
  const r = new Reader(bytes);
  if (bytes[4] !== ELFCLASS32) {
    throw new ElfError(
      bytes[4] === 2 ? "ELF: 64-bit (ELFCLASS64) file; kiln runs 32-bit RISC-V (ELFCLASS32) only" : `ELF: bad class ${bytes[4]} (expected ELFCLASS32 = 1)`,
    );
  }
  if (bytes[5] !== ELFDATA2LSB) {
    throw new ElfError(
      bytes[5] === 2 ? "ELF: big-endian file; kiln runs little-endian RISC-V only" : `ELF: bad data encoding ${bytes[5]} (expected little endian = 1)`,
    );
  }
  if (bytes[6] !== EV_CURRENT) throw new ElfError(`ELF: bad ident version ${bytes[6]} (expected 1)`);
  const type = r.u16(16);
  const machine = r.u16(18);
  const version = r.u32(20);
  const entry = r.u32(24);
  const phoff = r.u32(28);
  const shoff = r.u32(32);
  const flags = r.u32(36);
  const ehsize = r.u16(40);
  const phentsize = r.u16(42);
  const phnum = r.u16(44);
  const shentsize = r.u16(46);
  const shnum = r.u16(48);
  const shstrndx = r.u16(50);

  if (type !== ET_EXEC && type !== ET_DYN) {
    throw new ElfError(
      type === ET_REL
        ? "ELF: relocatable object (ET_REL); link it into an executable first"
        : `ELF: unsupported file type ${type} (expected ET_EXEC = 2 or ET_DYN = 3)`,
    );
  }
  if (machine !== EM_RISCV) throw new ElfError(`ELF: machine ${machine} is not RISC-V (EM_RISCV = 243)`);
  if (version !== EV_CURRENT) throw new ElfError(`ELF: bad version ${version} (expected 1)`);
  if (ehsize < EHDR_SIZE || ehsize > len) {
    throw new ElfError(`ELF: bad header size e_ehsize = ${ehsize} (expected 52)`);
  }

  // ---- program headers ----
  const segments: ElfSegment[] = [];
  if (phnum === 0xffff) throw new ElfError("ELF: extended program header numbering (e_phnum = PN_XNUM) is not supported");
  if (phnum > 0) {
    if (phentsize !== PHDR_SIZE) throw new ElfError(`ELF: bad program header entry size ${phentsize} (expected 32)`);
    if (phoff % 4 !== 0) throw new ElfError(`ELF: program header table offset ${hex(phoff)} is not 4-byte aligned`);
    if (phoff < EHDR_SIZE && phoff !== 0) {
      throw new ElfError(`ELF: program header table at ${hex(phoff)} overlaps the ELF header`);
    }
    if (phoff === 0) throw new ElfError(`ELF: ${phnum} program headers but e_phoff is 0`);
    if (phoff + phnum * PHDR_SIZE > len) {
      throw new ElfError(
        `ELF: program header table extends past end of file (offset ${hex(phoff)} + ${phnum} * 32 > ${hex(len)})`,
      );
    }
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * PHDR_SIZE;
      const ptype = r.u32(o);
      const offset = r.u32(o + 4);
      const vaddr = r.u32(o + 8);
      const filesz = r.u32(o + 16);
      const memsz = r.u32(o + 20);
      const pflags = r.u32(o + 24);
      const align = r.u32(o + 28);
      if (offset + filesz > len) {
        throw new ElfError(
          `ELF: program header ${i} extends past end of file (offset ${hex(offset)} + ${hex(filesz)} > ${hex(len)})`,
        );
      }
      if (!isPow2OrZero(align)) {
        throw new ElfError(`ELF: program header ${i} has alignment ${hex(align)}, which is not a power of two`);
      }
      if (ptype === PT_LOAD) {
        if (filesz > memsz) {
          throw new ElfError(
            `ELF: program header ${i} (PT_LOAD) has file size ${hex(filesz)} larger than memory size ${hex(memsz)}`,
          );
        }
        if (vaddr + memsz > 0x100000000) {
          throw new ElfError(
            `ELF: program header ${i} (PT_LOAD) wraps around the address space (vaddr ${hex(vaddr)} + ${hex(memsz)})`,
          );
        }
        if (align > 1 && filesz > 0 && vaddr % align !== offset % align) {
          throw new ElfError(
            `ELF: program header ${i} (PT_LOAD) has vaddr ${hex(vaddr)} and offset ${hex(offset)} not congruent modulo its alignment ${hex(align)}`,
          );
        }
      }
      segments.push({
        type: ptype,
        flags: pflags,
        offset,
        vaddr,
        filesz,
        memsz,
        align,
        data: bytes.subarray(offset, offset + filesz),
      });
    }
    // PT_LOAD segments must not overlap in memory.
    const loads = segments
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.type === PT_LOAD && s.memsz > 0)
      .sort((a, b) => a.s.vaddr - b.s.vaddr || a.i - b.i);
    for (let k = 1; k < loads.length; k++) {
      const a = loads[k - 1]!;
      const b = loads[k]!;
      if (a.s.vaddr + a.s.memsz > b.s.vaddr) {
        throw new ElfError(
          `ELF: PT_LOAD program headers ${a.i} [${hex(a.s.vaddr)}, ${hex(a.s.vaddr + a.s.memsz)}) and ${b.i} [${hex(b.s.vaddr)}, ${hex(b.s.vaddr + b.s.memsz)}) overlap`,
        );
      }
    }
  }

  // ---- section headers ----
  const sections: ElfSection[] = [];
  const budget = { left: Math.max(NAME_BUDGET_MIN, 4 * len) };
  if (shoff === 0) {
    if (shnum !== 0) throw new ElfError(`ELF: e_shnum is ${shnum} but e_shoff is 0`);
  } else {
    if (shnum === 0) {
      throw new ElfError("ELF: extended section numbering (e_shnum = 0 with e_shoff set) is not supported");
    }
    if (shentsize !== SHDR_SIZE) throw new ElfError(`ELF: bad section header entry size ${shentsize} (expected 40)`);
    if (shoff % 4 !== 0) throw new ElfError(`ELF: section header table offset ${hex(shoff)} is not 4-byte aligned`);
    if (shoff < EHDR_SIZE) throw new ElfError(`ELF: section header table at ${hex(shoff)} overlaps the ELF header`);
    if (shoff + shnum * SHDR_SIZE > len) {
      throw new ElfError(
        `ELF: section header table extends past end of file (offset ${hex(shoff)} + ${shnum} * 40 > ${hex(len)})`,
      );
    }
    if (shstrndx === SHN_XINDEX) throw new ElfError("ELF: extended section name table index (SHN_XINDEX) is not supported");
    if (shstrndx >= shnum) {
      throw new ElfError(`ELF: section name table index e_shstrndx = ${shstrndx} is out of range (${shnum} sections)`);
    }
    const nameIdx: number[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * SHDR_SIZE;
      const stype = r.u32(o + 4);
      const sflags = r.u32(o + 8);
      const addr = r.u32(o + 12);
      const offset = r.u32(o + 16);
      const size = r.u32(o + 20);
      const link = r.u32(o + 24);
      const info = r.u32(o + 28);
      const align = r.u32(o + 32);
      const entsize = r.u32(o + 36);
      nameIdx.push(r.u32(o));
      if (i === 0 && stype !== SHT_NULL) throw new ElfError(`ELF: section 0 has type ${stype} (must be SHT_NULL)`);
      if (stype !== SHT_NOBITS && stype !== SHT_NULL && offset + size > len) {
        throw new ElfError(
          `ELF: section header ${i} extends past end of file (offset ${hex(offset)} + ${hex(size)} > ${hex(len)})`,
        );
      }
      if (!isPow2OrZero(align)) {
        throw new ElfError(`ELF: section header ${i} has alignment ${hex(align)}, which is not a power of two`);
      }
      if ((sflags & SHF_ALLOC) !== 0) {
        if (align > 1 && addr % align !== 0) {
          throw new ElfError(`ELF: section header ${i} has address ${hex(addr)} not aligned to ${hex(align)}`);
        }
        if (addr + size > 0x100000000) {
          throw new ElfError(`ELF: section header ${i} wraps around the address space (addr ${hex(addr)} + ${hex(size)})`);
        }
      }
      if (link >= shnum && (stype === SHT_SYMTAB || stype === 11 /* SHT_DYNSYM */ || stype === 4 /* SHT_RELA */)) {
        throw new ElfError(`ELF: section header ${i} links to section ${link}, out of range (${shnum} sections)`);
      }
      const hasData = stype !== SHT_NOBITS && stype !== SHT_NULL;
      sections.push({
        name: "",
        type: stype,
        flags: sflags,
        addr,
        offset,
        size,
        align,
        data: hasData ? bytes.subarray(offset, offset + size) : bytes.subarray(0, 0),
        link,
        info,
        entsize,
      });
    }
    // Names.
    if (shstrndx !== 0) {
      const strsec = sections[shstrndx]!;
      if (strsec.type !== SHT_STRTAB) {
        throw new ElfError(`ELF: section name table (section ${shstrndx}) has type ${strsec.type}, not SHT_STRTAB`);
      }
      const names = new StringTable(strsec.data, `the section name table (section ${shstrndx})`, budget);
      for (let i = 0; i < shnum; i++) sections[i]!.name = names.get(nameIdx[i]!, `section header ${i}`);
    }
  }

  // ---- symbols ----
  const symbols: ElfSymbol[] = [];
  const symtabs = sections.map((s, i) => ({ s, i })).filter(({ s }) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) throw new ElfError(`ELF: ${symtabs.length} symbol tables (SHT_SYMTAB); expected at most one`);
  if (symtabs.length === 1) {
    const { s: st, i: si } = symtabs[0]!;
    if (st.entsize !== SYM_SIZE) {
      throw new ElfError(`ELF: symbol table (section ${si}) has entry size ${st.entsize} (expected 16)`);
    }
    if (st.size % SYM_SIZE !== 0) {
      throw new ElfError(`ELF: symbol table (section ${si}) size ${hex(st.size)} is not a multiple of 16`);
    }
    const strsec = sections[st.link!]!;
    if (strsec.type !== SHT_STRTAB) {
      throw new ElfError(`ELF: symbol table (section ${si}) links to section ${st.link}, which is not SHT_STRTAB`);
    }
    const names = new StringTable(strsec.data, `the symbol string table (section ${st.link})`, budget);
    const sr = new Reader(st.data);
    const count = st.size / SYM_SIZE;
    for (let k = 1; k < count; k++) {
      const o = k * SYM_SIZE;
      const info = sr.u8(o + 12);
      const shndx = sr.u16(o + 14);
      if (shndx !== 0 && shndx < SHN_LORESERVE && shndx >= sections.length) {
        throw new ElfError(`ELF: symbol ${k} refers to section ${shndx}, out of range (${sections.length} sections)`);
      }
      symbols.push({
        name: names.get(sr.u32(o), `symbol ${k}`),
        value: sr.u32(o + 4),
        size: sr.u32(o + 8),
        bind: info >> 4,
        type: info & 0xf,
        shndx,
      });
    }
  }

  // ---- notes ----
  const notes: ElfNote[] = [];
  const noteSegs = segments.map((s, i) => ({ s, i })).filter(({ s }) => s.type === PT_NOTE);
  if (noteSegs.length > 0) {
    for (const { s, i } of noteSegs) parseNotes(s.data, s.align === 8 ? 8 : 4, `PT_NOTE program header ${i}`, notes);
  } else {
    sections.forEach((s, i) => {
      if (s.type === SHT_NOTE) parseNotes(s.data, s.align === 8 ? 8 : 4, `note section ${i} (${s.name || "unnamed"})`, notes);
    });
  }

  return { type, machine, entry, segments, sections, notes, symbols, flags };
}
