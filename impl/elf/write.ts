// ELF32 writer: lays out a static RISC-V executable from addressed sections and the segments
// that cover them, and `strip`, which removes the section headers of an executable.
//
// File layout: ELF header, program header table, then the sections in the order given (each
// allocated section at a file offset congruent to its address modulo the page size, so every
// PT_LOAD can be mapped page by page), then .symtab/.strtab/.shstrtab and the section header
// table. Output is a pure function of the input: no timestamps, no host state.

import {
  EHDR_SIZE,
  ELFCLASS32,
  ELFDATA2LSB,
  EM_RISCV,
  ET_EXEC,
  EV_CURRENT,
  ElfError,
  PAGE_SIZE,
  PHDR_SIZE,
  PT_LOAD,
  SHDR_SIZE,
  SHF_ALLOC,
  SHN_ABS,
  SHN_UNDEF,
  SHT_NOBITS,
  SHT_NULL,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_LOCAL,
  SYM_SIZE,
  hex,
} from "./types.ts";
import { readElf } from "./read.ts";

export interface WriteSection {
  name: string;
  /** SHT_* */
  type: number;
  /** SHF_* */
  flags: number;
  /** Virtual address (0 for non-allocated sections). */
  addr: number;
  /** Alignment, a power of two (0 or 1 for none). */
  align: number;
  /** Contents; ignored (may be empty) for SHT_NOBITS. */
  data: Uint8Array;
  /** Size in memory; defaults to data.length. Required for SHT_NOBITS. */
  size?: number;
  link?: number;
  info?: number;
  entsize?: number;
}

export interface WriteSegment {
  /** PT_* */
  type: number;
  /** PF_* */
  flags: number;
  /** p_align; defaults to 4096 for PT_LOAD, 4 otherwise. */
  align?: number;
  /**
   * Indices into WriteOptions.sections that this segment covers, in ascending address order.
   * vaddr, offset, filesz and memsz are derived from them; NOBITS sections must come last.
   * An empty list gives a segment of size 0 (e.g. PT_GNU_STACK).
   */
  sections: number[];
}

export interface WriteSymbol {
  name: string;
  value: number;
  size: number;
  /** STB_* */
  bind: number;
  /** STT_* */
  type: number;
  /** Index into WriteOptions.sections, or "abs" (SHN_ABS), or "undef" (SHN_UNDEF). */
  section: number | "abs" | "undef";
}

export interface WriteOptions {
  /** ET_EXEC (default) or ET_DYN. */
  type?: number;
  entry: number;
  /** e_flags; default 0 (no RVC, soft-float ABI). */
  flags?: number;
  sections: WriteSection[];
  segments: WriteSegment[];
  /** Written as .symtab/.strtab when given (locals are moved before globals, order otherwise kept). */
  symbols?: WriteSymbol[];
  /** Emit section headers (default true). With false, no sections, names or symbols are written. */
  sectionHeaders?: boolean;
}

class StrTab {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private readonly index = new Map<string, number>();
  private static readonly enc = new TextEncoder();
  add(s: string): number {
    if (s === "") return 0;
    const hit = this.index.get(s);
    if (hit !== undefined) return hit;
    const b = StrTab.enc.encode(s);
    if (b.includes(0)) throw new ElfError(`ELF write: name ${JSON.stringify(s)} contains a NUL byte`);
    const off = this.size;
    const withNul = new Uint8Array(b.length + 1);
    withNul.set(b);
    this.parts.push(withNul);
    this.size += withNul.length;
    this.index.set(s, off);
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

const alignUp = (n: number, a: number) => (a > 1 ? Math.ceil(n / a) * a : n);
const isPow2 = (n: number) => n > 0 && n <= 0x80000000 && (n & (n - 1)) === 0;

function secSize(s: WriteSection): number {
  return s.size ?? s.data.length;
}

/** Writes an ELF32 little-endian RISC-V executable. Throws ElfError on inconsistent input. */
export function writeElf(opts: WriteOptions): Uint8Array {
  const withShdrs = opts.sectionHeaders ?? true;
  const secs = opts.sections;
  for (const [i, s] of secs.entries()) {
    if (s.type !== SHT_NOBITS && s.size !== undefined && s.size !== s.data.length) {
      throw new ElfError(`ELF write: section ${i} (${s.name}) has size ${s.size} but ${s.data.length} bytes of data`);
    }
    if (s.align > 1 && !isPow2(s.align)) throw new ElfError(`ELF write: section ${s.name} alignment ${s.align} is not a power of two`);
    if (s.align > 1 && s.addr % s.align !== 0) {
      throw new ElfError(`ELF write: section ${s.name} address ${hex(s.addr)} is not aligned to ${s.align}`);
    }
    if (s.addr < 0 || s.addr + secSize(s) > 0x100000000) throw new ElfError(`ELF write: section ${s.name} does not fit in 32 bits`);
  }

  // Which PT_LOAD (if any) each section belongs to, to keep file offsets consistent within a segment.
  const loadOf = new Map<number, number>();
  for (const [k, seg] of opts.segments.entries()) {
    let prevEnd = -1;
    let sawNobits = false;
    for (const i of seg.sections) {
      const s = secs[i];
      if (s === undefined) throw new ElfError(`ELF write: segment ${k} refers to section ${i}, which does not exist`);
      if ((s.flags & SHF_ALLOC) === 0) throw new ElfError(`ELF write: segment ${k} covers non-allocated section ${s.name}`);
      if (s.addr < prevEnd) throw new ElfError(`ELF write: segment ${k}: section ${s.name} is out of address order or overlaps`);
      if (s.type === SHT_NOBITS) sawNobits = true;
      else if (sawNobits && seg.type === PT_LOAD) {
        throw new ElfError(`ELF write: segment ${k}: file-backed section ${s.name} follows a NOBITS section`);
      }
      prevEnd = s.addr + secSize(s);
      if (seg.type === PT_LOAD) {
        if (loadOf.has(i)) throw new ElfError(`ELF write: section ${s.name} is in two PT_LOAD segments`);
        loadOf.set(i, k);
      }
    }
  }

  // ---- layout ----
  const phnum = opts.segments.length;
  let cur = EHDR_SIZE + phnum * PHDR_SIZE;
  const offsets: number[] = new Array<number>(secs.length).fill(0);
  const anchor = new Map<number, { off: number; addr: number }>(); // PT_LOAD index -> first placed section
  for (const [i, s] of secs.entries()) {
    const k = loadOf.get(i);
    const a = k === undefined ? undefined : anchor.get(k);
    const alloc = (s.flags & SHF_ALLOC) !== 0;
    let off: number;
    if (a !== undefined) {
      off = a.off + (s.addr - a.addr);
      if (s.type !== SHT_NOBITS && off < cur) {
        throw new ElfError(`ELF write: section ${s.name} would overlap earlier file contents; list sections in address order`);
      }
    } else if (alloc) {
      // Congruent to the address modulo the page size.
      const want = s.addr % PAGE_SIZE;
      if (s.type === SHT_NOBITS) {
        // Occupies no file space: the congruent offset at or below cur, so it never points past the end.
        off = cur - ((cur - want + PAGE_SIZE) % PAGE_SIZE);
        if (off < 0) off += PAGE_SIZE;
      } else {
        off = cur + ((want - (cur % PAGE_SIZE) + PAGE_SIZE) % PAGE_SIZE);
      }
    } else {
      off = alignUp(cur, Math.max(1, s.align));
    }
    if (k !== undefined && a === undefined) anchor.set(k, { off, addr: s.addr });
    offsets[i] = off;
    if (s.type !== SHT_NOBITS) cur = off + s.data.length;
  }

  // ---- symbol and name tables ----
  const shstr = new StrTab();
  const extra: { name: string; type: number; data: Uint8Array; link: number; info: number; align: number; entsize: number }[] = [];
  if (withShdrs && opts.symbols !== undefined) {
    const strtab = new StrTab();
    const syms = [...opts.symbols.filter((s) => s.bind === STB_LOCAL), ...opts.symbols.filter((s) => s.bind !== STB_LOCAL)];
    const firstGlobal = 1 + syms.filter((s) => s.bind === STB_LOCAL).length;
    const data = new Uint8Array((syms.length + 1) * SYM_SIZE);
    const v = new DataView(data.buffer);
    syms.forEach((s, j) => {
      const o = (j + 1) * SYM_SIZE;
      let shndx: number;
      if (s.section === "abs") shndx = SHN_ABS;
      else if (s.section === "undef") shndx = SHN_UNDEF;
      else {
        if (secs[s.section] === undefined) throw new ElfError(`ELF write: symbol ${s.name} refers to section ${s.section}, which does not exist`);
        shndx = s.section + 1;
      }
      v.setUint32(o, strtab.add(s.name), true);
      v.setUint32(o + 4, s.value >>> 0, true);
      v.setUint32(o + 8, s.size >>> 0, true);
      v.setUint8(o + 12, ((s.bind & 0xf) << 4) | (s.type & 0xf));
      v.setUint8(o + 13, 0);
      v.setUint16(o + 14, shndx, true);
    });
    const symIdx = secs.length + 1;
    extra.push({ name: ".symtab", type: SHT_SYMTAB, data, link: symIdx + 1, info: firstGlobal, align: 4, entsize: SYM_SIZE });
    extra.push({ name: ".strtab", type: SHT_STRTAB, data: strtab.bytes(), link: 0, info: 0, align: 1, entsize: 0 });
  }
  const shstrIdx = secs.length + 1 + extra.length;
  const nameOffs = secs.map((s) => shstr.add(s.name));
  const extraNameOffs = extra.map((e) => shstr.add(e.name));
  const shstrNameOff = shstr.add(".shstrtab");
  const shstrBytes = shstr.bytes();

  const extraOffs: number[] = [];
  let shoff = 0;
  let shnum = 0;
  let shstrOff = 0;
  if (withShdrs) {
    for (const e of extra) {
      cur = alignUp(cur, e.align);
      extraOffs.push(cur);
      cur += e.data.length;
    }
    shstrOff = cur;
    cur += shstrBytes.length;
    cur = alignUp(cur, 4);
    shoff = cur;
    shnum = secs.length + 1 + extra.length + 1;
    cur += shnum * SHDR_SIZE;
  }
  const total = cur;

  // ---- emit ----
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, ELFCLASS32, ELFDATA2LSB, EV_CURRENT], 0);
  v.setUint16(16, opts.type ?? ET_EXEC, true);
  v.setUint16(18, EM_RISCV, true);
  v.setUint32(20, EV_CURRENT, true);
  v.setUint32(24, opts.entry >>> 0, true);
  v.setUint32(28, phnum > 0 ? EHDR_SIZE : 0, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, (opts.flags ?? 0) >>> 0, true);
  v.setUint16(40, EHDR_SIZE, true);
  v.setUint16(42, PHDR_SIZE, true);
  v.setUint16(44, phnum, true);
  v.setUint16(46, SHDR_SIZE, true);
  v.setUint16(48, shnum, true);
  v.setUint16(50, withShdrs ? shstrIdx : 0, true);

  for (const [k, seg] of opts.segments.entries()) {
    const o = EHDR_SIZE + k * PHDR_SIZE;
    let vaddr = 0;
    let offset = 0;
    let filesz = 0;
    let memsz = 0;
    if (seg.sections.length > 0) {
      const first = secs[seg.sections[0]!]!;
      vaddr = first.addr;
      offset = offsets[seg.sections[0]!]!;
      for (const i of seg.sections) {
        const s = secs[i]!;
        memsz = s.addr + secSize(s) - vaddr;
        if (s.type !== SHT_NOBITS) filesz = s.addr + s.data.length - vaddr;
      }
      if (seg.type !== PT_LOAD) {
        // A non-load segment (PT_NOTE) maps file bytes 1:1; its sections must be contiguous in the file.
        for (const i of seg.sections) {
          if (offsets[i]! - offset !== secs[i]!.addr - vaddr) {
            throw new ElfError(`ELF write: segment ${k}: sections are not laid out contiguously in the file`);
          }
        }
      }
    }
    const align = seg.align ?? (seg.type === PT_LOAD ? PAGE_SIZE : 4);
    v.setUint32(o, seg.type >>> 0, true);
    v.setUint32(o + 4, offset, true);
    v.setUint32(o + 8, vaddr, true);
    v.setUint32(o + 12, vaddr, true);
    v.setUint32(o + 16, filesz, true);
    v.setUint32(o + 20, memsz, true);
    v.setUint32(o + 24, seg.flags >>> 0, true);
    v.setUint32(o + 28, align, true);
  }

  for (const [i, s] of secs.entries()) if (s.type !== SHT_NOBITS) out.set(s.data, offsets[i]!);

  if (withShdrs) {
    extra.forEach((e, j) => out.set(e.data, extraOffs[j]!));
    out.set(shstrBytes, shstrOff);
    const put = (idx: number, f: number[]) => f.forEach((x, j) => v.setUint32(shoff + idx * SHDR_SIZE + j * 4, x >>> 0, true));
    put(0, [0, SHT_NULL, 0, 0, 0, 0, 0, 0, 0, 0]);
    secs.forEach((s, i) => {
      put(i + 1, [nameOffs[i]!, s.type, s.flags, s.addr, offsets[i]!, secSize(s), s.link ?? 0, s.info ?? 0, s.align, s.entsize ?? 0]);
    });
    extra.forEach((e, j) => {
      put(secs.length + 1 + j, [extraNameOffs[j]!, e.type, 0, 0, extraOffs[j]!, e.data.length, e.link, e.info, e.align, e.entsize]);
    });
    put(shstrIdx, [shstrNameOff, SHT_STRTAB, 0, 0, shstrOff, shstrBytes.length, 0, 0, 1, 0]);
  }
  return out;
}

/**
 * Removes the section headers from an executable: e_shoff, e_shnum and e_shstrndx become 0,
 * and the file is truncated after the last byte that the ELF header, the program header table
 * or a segment needs (which drops .symtab, .strtab, .shstrtab and the section header table when,
 * as in kiln's writer, they follow all segment contents). Returns a new array.
 */
export function strip(bytes: Uint8Array): Uint8Array {
  const elf = readElf(bytes); // validates
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = v.getUint32(28, true);
  let end = Math.max(EHDR_SIZE, phoff + elf.segments.length * PHDR_SIZE);
  for (const s of elf.segments) if (s.filesz > 0) end = Math.max(end, s.offset + s.filesz);
  const out = bytes.slice(0, end);
  const ov = new DataView(out.buffer);
  ov.setUint32(32, 0, true);
  ov.setUint16(46, 0, true);
  ov.setUint16(48, 0, true);
  ov.setUint16(50, 0, true);
  return out;
}
