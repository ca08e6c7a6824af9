// The linker on real assembler output (impl/asm): multi-object programs with a stub region.

import { describe, expect, it } from "vitest";
import { assemble } from "../../impl/asm/index.ts";
import { link } from "../../impl/elf/link.ts";
import { readElf } from "../../impl/elf/read.ts";
import { findAbiNote } from "../../impl/elf/note.ts";
import { strip } from "../../impl/elf/write.ts";
import { ElfError, PF_R, PF_W, PF_X, PT_LOAD, PT_NOTE } from "../../impl/elf/types.ts";
import type { ElfFile } from "../../impl/elf/types.ts";
import { dec, u32at } from "./helpers.ts";

const MAIN = `
  .section .kiln.stubs,"aw",@nobits
  .balign 4096
  .globl stubs
stubs:
  .zero 4096

  .text
  .globl _start
_start:
  la a0, message
  li a1, 14
  call print
  lui t0, %hi(counter)
  lw t1, %lo(counter)(t0)
  addi t1, t1, 1
  sw t1, %lo(counter)(t0)
  la t2, stubs
  jalr ra, 8(t2)
  j _start

  .section .rodata
message:
  .asciz "hello, world!\\n"

  .data
  .globl table
table:
  .word message, print, counter

  .bss
  .globl counter
counter:
  .zero 4
`;

const PRINT = `
  .text
  .globl print
print:
  mv a2, a1
  mv a1, a0
  li a0, 1
  li a7, 64
  ecall
  ret
`;

function symbol(elf: ElfFile, name: string): number {
  const s = elf.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}
function word(elf: ElfFile, addr: number): number {
  const seg = elf.segments.find((s) => s.type === PT_LOAD && addr >= s.vaddr && addr + 4 <= s.vaddr + s.filesz)!;
  return u32at(seg.data, addr - seg.vaddr);
}

describe("link(assemble(...))", () => {
  const objs = [assemble(MAIN, { file: "main.s" }), assemble(PRINT, { file: "print.s" })];
  const bytes = link(objs, { programAbi: 1, names: ["main.s", "print.s"] });
  const elf = readElf(bytes);

  it("produces the kiln layout", () => {
    const loads = elf.segments.filter((s) => s.type === PT_LOAD);
    expect(loads.map((s) => s.flags)).toEqual([PF_R | PF_X, PF_R, PF_R | PF_W, PF_R | PF_W]);
    const stubs = elf.sections.find((s) => s.name === ".kiln.stubs")!;
    expect(stubs.addr % 4096).toBe(0);
    expect(symbol(elf, "stubs")).toBe(stubs.addr);
    expect(findAbiNote(elf)).toEqual({ programAbi: 1, stubAddr: stubs.addr, stubSize: 4096 });
    expect(elf.segments.filter((s) => s.type === PT_NOTE)).toHaveLength(1);
    expect(findAbiNote(readElf(strip(bytes)))).toEqual(findAbiNote(elf));
    expect(elf.entry).toBe(symbol(elf, "_start"));
  });

  it("resolves cross-object references", () => {
    const start = symbol(elf, "_start");
    // la a0, message = auipc + addi
    expect(start + dec.u(word(elf, start)) + dec.i(word(elf, start + 4))).toBe(symbol(elf, "message"));
    // .word message, print, counter
    const table = symbol(elf, "table");
    expect([word(elf, table), word(elf, table + 4), word(elf, table + 8)]).toEqual([
      symbol(elf, "message"),
      symbol(elf, "print"),
      symbol(elf, "counter"),
    ]);
  });

  it("names undefined symbols", () => {
    expect(() => link([objs[0]!], { programAbi: 1, names: ["main.s"] })).toThrow(/undefined symbol 'print'/);
    expect(() => link(objs)).toThrow(ElfError);
  });
});
