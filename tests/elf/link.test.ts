import { describe, expect, it } from "vitest";
import { link } from "../../impl/elf/link.ts";
import { readElf } from "../../impl/elf/read.ts";
import { findAbiNote } from "../../impl/elf/note.ts";
import { strip } from "../../impl/elf/write.ts";
import { ElfError, PF_R, PF_W, PF_X, PT_LOAD, PT_NOTE, SHT_NOBITS, SHT_NOTE, STB_GLOBAL, STB_LOCAL } from "../../impl/elf/types.ts";
import type { ElfFile } from "../../impl/elf/types.ts";
import { dec, helperObject, mainObject, section, stubObject, sym, u32at, words, enc } from "./helpers.ts";

function symAddr(elf: ElfFile, name: string): number {
  const s = elf.symbols.filter((x) => x.name === name);
  expect(s.length, `symbol ${name}`).toBeGreaterThanOrEqual(1);
  return s[0]!.value;
}

/** The bytes at a virtual address, from the PT_LOAD segments. */
function at(elf: ElfFile, addr: number): number {
  const seg = elf.segments.find((s) => s.type === PT_LOAD && addr >= s.vaddr && addr + 4 <= s.vaddr + s.filesz)!;
  expect(seg, `segment for ${addr.toString(16)}`).toBeDefined();
  return u32at(seg.data, addr - seg.vaddr);
}

describe("link", () => {
  const bytes = link([mainObject(), helperObject()], { names: ["main.s", "helper.s"] });
  const elf = readElf(bytes);

  it("lays out text, rodata, data+bss in separate page-aligned PT_LOADs", () => {
    const loads = elf.segments.filter((s) => s.type === PT_LOAD);
    expect(loads.map((s) => s.flags)).toEqual([PF_R | PF_X, PF_R, PF_R | PF_W]);
    for (const s of loads) {
      expect(s.vaddr % 4096).toBe(0);
      expect(s.offset % 4096).toBe(0);
      expect(s.align).toBe(4096);
    }
    expect(loads[0]!.vaddr).toBe(0x10000);
    // text = 40 bytes of main + 8 of helper
    expect(loads[0]!.filesz).toBe(48);
    // data segment: 4 bytes file, 8 bytes memory (bss follows)
    expect(loads[2]!.filesz).toBe(4);
    expect(loads[2]!.memsz).toBe(8);
    expect(elf.notes).toEqual([]);
    expect(findAbiNote(elf)).toBeNull();
  });

  it("resolves the entry and symbols", () => {
    expect(elf.entry).toBe(0x10000);
    expect(symAddr(elf, "_start")).toBe(0x10000);
    expect(symAddr(elf, "helper")).toBe(0x10028);
    const msg = symAddr(elf, "msg");
    expect(msg).toBe(0x11000);
    expect(symAddr(elf, "counter")).toBe(0x12004);
    // locals before globals, both objects' local 'done' kept
    const binds = elf.symbols.map((s) => s.bind);
    expect(binds.indexOf(STB_GLOBAL)).toBeGreaterThan(binds.lastIndexOf(STB_LOCAL));
    expect(elf.symbols.filter((s) => s.name === "done").map((s) => s.value)).toEqual([0x10024, 0x1002c]);
    expect(elf.symbols.some((s) => s.name === ".Lpc0")).toBe(false);
    expect(symAddr(elf, "_end")).toBe(0x12008);
    expect(symAddr(elf, "__global_pointer$")).toBe(0x12800);
  });

  it("applies every relocation type", () => {
    const msg = 0x11000;
    const counter = 0x12004;
    // pcrel_hi20 + pcrel_lo12_i: auipc at 0x10000 + addi = msg
    expect(0x10000 + dec.u(at(elf, 0x10000)) + dec.i(at(elf, 0x10004))).toBe(msg);
    // hi20 + lo12_i / lo12_s
    expect(dec.u(at(elf, 0x10008)) + dec.i(at(elf, 0x1000c))).toBe(counter);
    expect(dec.u(at(elf, 0x10008)) + dec.s(at(elf, 0x10010))).toBe(counter);
    // call: auipc ra at 0x10014 + jalr = helper
    expect(0x10014 + dec.u(at(elf, 0x10014)) + dec.i(at(elf, 0x10018))).toBe(0x10028);
    // branch at 0x1001c and jal at 0x10020 both to done (0x10024), in this object
    expect(0x1001c + dec.b(at(elf, 0x1001c))).toBe(0x10024);
    expect(0x10020 + dec.j(at(elf, 0x10020))).toBe(0x10024);
    // registers and opcodes untouched
    expect(at(elf, 0x10000) & 0xfff).toBe(enc.auipc(11, 0) & 0xfff);
    expect(at(elf, 0x10010) & 0x01fff07f).toBe(enc.sw(13, 12, 0));
    // abs32 with addend in .data
    expect(at(elf, 0x12000)).toBe(msg + 1);
  });

  it("handles low parts that round the high part up (sign of %lo)", () => {
    // Put msg at an address whose low 12 bits are >= 0x800 by padding rodata.
    const o = mainObject();
    const pad = section(".rodata.pad", "progbits", "a", new Uint8Array(0x900), { align: 1 });
    const padded = { sections: [o.sections[0]!, pad, ...o.sections.slice(1)], symbols: o.symbols };
    // .rodata.pad comes first in the rodata group, so msg = 0x11900.
    const e = readElf(link([padded, helperObject()]));
    const msg = symAddr(e, "msg");
    expect(msg).toBe(0x11900);
    expect(0x10000 + dec.u(at(e, 0x10000)) + dec.i(at(e, 0x10004))).toBe(msg);
  });

  it("is deterministic", () => {
    const again = link([mainObject(), helperObject()], { names: ["main.s", "helper.s"] });
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it("honours base and entry options", () => {
    const e = readElf(link([mainObject(), helperObject()], { base: 0x400000, entry: "helper" }));
    expect(e.entry).toBe(0x400028);
    expect(e.segments.find((s) => s.type === PT_LOAD)!.vaddr).toBe(0x400000);
  });

  it("rejects undefined and duplicate symbols by name", () => {
    expect(() => link([mainObject()], { names: ["main.s"] })).toThrow(/undefined symbol 'helper'.*main\.s section \.text offset 0x14/);
    expect(() => link([mainObject(), helperObject(), helperObject()], { names: ["a.s", "b.s", "c.s"] })).toThrow(
      /duplicate symbol 'helper': defined in b\.s and in c\.s/,
    );
    expect(() => link([helperObject()])).toThrow(/entry symbol '_start' is undefined/);
    expect(() => link([mainObject(), helperObject()], { base: 0x10001 })).toThrow(ElfError);
  });

  it("rejects out-of-range branches", () => {
    const far = {
      sections: [
        section(".text", "progbits", "ax", new Uint8Array(8192), {
          relocs: [{ offset: 0, type: "branch", symbol: "end", addend: 0 }],
        }),
      ],
      symbols: [sym("_start", ".text", 0, true), sym("end", ".text", 8188)],
    };
    expect(() => link([far])).toThrow(/branch relocation against 'end'.*does not fit/);
  });

  it("places the stub section in its own PT_LOAD and emits the ABI note", () => {
    const b = link([mainObject(), helperObject(), stubObject(8192)], { programAbi: 2 });
    const e = readElf(b);
    const stubs = e.sections.find((s) => s.name === ".kiln.stubs")!;
    expect(stubs.type).toBe(SHT_NOBITS);
    expect(stubs.flags).toBe(3);
    expect(stubs.addr % 4096).toBe(0);
    expect(stubs.size).toBe(8192);
    expect(stubs.align).toBe(4096);
    const seg = e.segments.find((s) => s.type === PT_LOAD && s.vaddr === stubs.addr)!;
    expect(seg).toMatchObject({ flags: PF_R | PF_W, filesz: 0, memsz: 8192 });
    // no other PT_LOAD touches the stub pages
    for (const s of e.segments.filter((x) => x.type === PT_LOAD && x !== seg)) {
      const lastPage = Math.floor((s.vaddr + s.memsz - 1) / 4096);
      expect(lastPage < stubs.addr / 4096 || Math.floor(s.vaddr / 4096) >= (stubs.addr + 8192) / 4096).toBe(true);
    }
    expect(symAddr(e, "stub_slots")).toBe(stubs.addr);
    expect(symAddr(e, "__kiln_stubs")).toBe(stubs.addr);
    const noteSec = e.sections.find((s) => s.name === ".note.kiln.abi")!;
    expect(noteSec.type).toBe(SHT_NOTE);
    const pn = e.segments.filter((s) => s.type === PT_NOTE);
    expect(pn).toHaveLength(1);
    expect(pn[0]!.vaddr).toBe(noteSec.addr);
    expect(pn[0]!.filesz).toBe(32);
    expect(findAbiNote(e)).toEqual({ programAbi: 2, stubAddr: stubs.addr, stubSize: 8192 });
    // the note survives strip
    const s = readElf(strip(b));
    expect(s.sections).toEqual([]);
    expect(s.symbols).toEqual([]);
    expect(findAbiNote(s)).toEqual({ programAbi: 2, stubAddr: stubs.addr, stubSize: 8192 });
    expect(strip(b).length).toBeLessThan(b.length);
  });

  it("creates the stub region from opts.stubSize and requires programAbi", () => {
    const e = readElf(link([mainObject(), helperObject()], { programAbi: 1, stubSize: 4096 }));
    expect(findAbiNote(e)).toMatchObject({ programAbi: 1, stubSize: 4096 });
    expect(() => link([mainObject(), helperObject(), stubObject()])).toThrow(/no program ABI was given/);
    expect(() => link([mainObject(), helperObject()], { programAbi: 1 })).toThrow(/no stub region/);
    expect(() => link([mainObject(), helperObject(), stubObject(8192)], { programAbi: 1, stubSize: 4096 })).toThrow(/larger than stubSize/);
    expect(() => link([mainObject(), helperObject()], { programAbi: 1, stubSize: 100 })).toThrow(/multiple of 4096/);
    expect(() => link([mainObject(), helperObject(), stubObject(), stubObject()], { programAbi: 1 })).toThrow(ElfError);
  });

  it("drops non-allocated sections and their symbols", () => {
    const o = mainObject([section(".comment", "progbits", "", new TextEncoder().encode("made by hand\0"), { align: 1 })]);
    const withComment = { sections: o.sections, symbols: [...o.symbols, sym("note_label", ".comment", 0)] };
    const e = readElf(link([withComment, helperObject()]));
    expect(e.sections.some((s) => s.name === ".comment")).toBe(false);
    expect(e.symbols.some((s) => s.name === "note_label")).toBe(false);
  });

  it("keeps the layout when an object has only text", () => {
    const o = { sections: [section(".text", "progbits", "ax", words([enc.ecall()]))], symbols: [sym("_start", ".text", 0, true)] };
    const e = readElf(link([o], { programAbi: 1, stubSize: 4096 }));
    expect(e.segments.filter((s) => s.type === PT_LOAD).map((s) => [s.vaddr, s.flags])).toEqual([
      [0x10000, PF_R | PF_X],
      [0x11000, PF_R],
      [0x12000, PF_R | PF_W],
    ]);
  });
});
