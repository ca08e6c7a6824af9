// ELF32 loader: maps PT_LOAD segments with their permissions (bss zeroed), the signal trampoline
// page and the stack. The address-space plan (spec/loader.md, impl/kernel/README.md):
//
//   0x00010000…          program segments, then the brk heap (past the layer reserve for layered programs)
//   …0x7FFFF000          mmap area, allocated top-down (layer mappings land here too)
//   0x7FFFF000–80000000  signal trampoline page (R+X), supplied by the kernel
//   0xBF800000–C0000000  8 MiB stack (RW), 128 KiB mapped at exec, the rest grown on demand

import type { ElfFile } from "../elf/types.ts";
import { EM_RISCV, ET_DYN, ET_EXEC, PT_INTERP, PT_LOAD, PT_PHDR, PF_R, PF_W, PF_X } from "../elf/types.ts";
import { PAGE_SIZE, PERM_R, PERM_W, PERM_X, pageDown, pageUp } from "./machine.ts";
import type { GuestMemory } from "./machine.ts";
import { type Fields, encode, insnByName, regNumber } from "../isa/index.ts";

export const SIGTRAMP_ADDR = 0x7fff_f000;
export const MMAP_TOP = SIGTRAMP_ADDR;
export const STACK_TOP = 0xc000_0000;
export const STACK_SIZE = 8 * 1024 * 1024;
export const STACK_BOTTOM = STACK_TOP - STACK_SIZE;
/** Load bias for position-independent (ET_DYN) executables. */
export const PIE_BASE = 0x0040_0000;
const USER_LOW = 0x1000;

export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoadError";
  }
}

export interface LoadedImage {
  entry: number;
  /** AT_PHDR: address of the program headers in memory (0 if not mapped). */
  phdr: number;
  phent: number;
  phnum: number;
  /** Initial program break: first page after the highest segment. */
  brk: number;
  bias: number;
}

/** Checks that the ELF is something this machine can run, with a reason if not. */
export function checkRunnable(elf: ElfFile): void {
  if (elf.machine !== EM_RISCV) throw new LoadError(`not a RISC-V executable (e_machine ${elf.machine})`);
  if (elf.type !== ET_EXEC && elf.type !== ET_DYN) throw new LoadError(`not an executable (e_type ${elf.type})`);
  if (elf.segments.some((s) => s.type === PT_INTERP)) {
    throw new LoadError("dynamically linked (PT_INTERP); kiln runs static executables only");
  }
  if (!elf.segments.some((s) => s.type === PT_LOAD)) throw new LoadError("has no PT_LOAD segment");
}

function permsOf(flags: number): number {
  return (flags & PF_R ? PERM_R : 0) | (flags & PF_W ? PERM_W : 0) | (flags & PF_X ? PERM_X : 0);
}

/**
 * Maps the program into `mem`. `raw` is the file (for the ELF header fields the parsed form
 * omits: e_phoff/e_phentsize/e_phnum). `reserve(bytes)` is asked before mapping (memory cap).
 */
export function loadSegments(mem: GuestMemory, elf: ElfFile, raw: Uint8Array, reserve: (bytes: number) => void): LoadedImage {
  checkRunnable(elf);
  const bias = elf.type === ET_DYN ? PIE_BASE : 0;
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0);
  let hi = 0;
  for (const s of loads) {
    const start = s.vaddr + bias;
    const end = start + s.memsz;
    if (s.filesz > s.memsz) throw new LoadError(`segment at 0x${start.toString(16)} has filesz > memsz`);
    if (start < USER_LOW || end > STACK_BOTTOM || end < start) {
      throw new LoadError(`segment 0x${start.toString(16)}+0x${s.memsz.toString(16)} lies outside user space`);
    }
    hi = Math.max(hi, end);
  }
  // The pages the segments cover, counted from their merged ranges and asked of the memory cap
  // before any page loop (a hostile memsz costs time only once it is paid for).
  const ranges = loads.map((s) => [pageDown(s.vaddr + bias), pageUp(s.vaddr + bias + s.memsz)] as const).sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let upTo = 0;
  for (const [a, b] of ranges) {
    const from = Math.max(a, upTo);
    if (b > from) covered += b - from;
    upTo = Math.max(upTo, b);
  }
  reserve(covered);
  // Union of permissions per page: neighbouring segments often share a page.
  const pages = new Map<number, number>();
  for (const s of loads) {
    const start = s.vaddr + bias;
    const end = start + s.memsz;
    for (let p = pageDown(start); p < end; p += PAGE_SIZE) pages.set(p, (pages.get(p) ?? 0) | permsOf(s.flags));
  }
  // Map runs of consecutive pages that share permissions.
  const sorted = [...pages.keys()].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    const start = sorted[i]!;
    const perms = pages.get(start)!;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[j - 1]! + PAGE_SIZE && pages.get(sorted[j]!) === perms) j++;
    mem.map(start, (j - i) * PAGE_SIZE, perms);
    i = j;
  }
  for (const s of loads) {
    if (s.filesz > 0 && !mem.writeBytes(s.vaddr + bias, s.data.subarray(0, s.filesz), true)) {
      throw new LoadError(`cannot write segment at 0x${(s.vaddr + bias).toString(16)}`);
    }
  }

  // AT_PHDR: PT_PHDR if present, else the load segment that covers e_phoff in the file.
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const phoff = raw.length >= 52 ? dv.getUint32(28, true) : 0;
  const phent = raw.length >= 52 ? dv.getUint16(42, true) : 32;
  const phnum = raw.length >= 52 ? dv.getUint16(44, true) : 0;
  let phdr = 0;
  const pt = elf.segments.find((s) => s.type === PT_PHDR);
  if (pt) phdr = pt.vaddr + bias;
  else {
    const seg = loads.find((s) => phoff >= s.offset && phoff + phent * phnum <= s.offset + s.filesz);
    if (seg) phdr = seg.vaddr + bias + (phoff - seg.offset);
  }
  return { entry: elf.entry + bias, phdr, phent, phnum, brk: pageUp(hi), bias };
}

/** Encodes the trampoline: `li a7, nr; ecall` (words from the instruction table). */
export function trampolineCode(sigreturnNr: number): Uint8Array {
  const words: number[] = [];
  const a7 = regNumber("a7")!;
  const enc = (name: string, f: Fields): number => encode(insnByName(name)!, f);
  if (sigreturnNr >= -2048 && sigreturnNr < 2048) {
    words.push(enc("addi", { rd: a7, rs1: 0, imm: sigreturnNr }));
  } else {
    const lo = (sigreturnNr << 20) >> 20;
    const hi = (sigreturnNr - lo) >>> 0;
    words.push(enc("lui", { rd: a7, imm: hi >>> 12 }));
    words.push(enc("addi", { rd: a7, rs1: a7, imm: lo }));
  }
  words.push(enc("ecall", {}));
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}
