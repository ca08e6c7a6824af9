import { describe, expect, it } from "vitest";
import { readElf } from "../../impl/elf/read.ts";
import { decodeAbiNote, encodeAbiNote, findAbiNote, serializeNotes } from "../../impl/elf/note.ts";
import { strip, writeElf } from "../../impl/elf/write.ts";
import {
  ET_DYN,
  ElfError,
  PF_R,
  PF_W,
  PF_X,
  PT_GNU_STACK,
  PT_LOAD,
  PT_NOTE,
  SHN_ABS,
  SHT_NOBITS,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FUNC,
  STT_OBJECT,
} from "../../impl/elf/types.ts";
import { sampleOptions } from "./helpers.ts";

function patch32(b: Uint8Array, off: number, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(off, v >>> 0, true);
  return c;
}
function patch16(b: Uint8Array, off: number, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint16(off, v, true);
  return c;
}
const PH = (i: number, field: number) => 52 + i * 32 + field;

describe("writer/reader round trip", () => {
  const opts = sampleOptions();
  const bytes = writeElf(opts);
  const elf = readElf(bytes);

  it("reads back the header, segments and sections", () => {
    expect(elf.type).toBe(2);
    expect(elf.machine).toBe(243);
    expect(elf.entry).toBe(0x10000);
    expect(elf.flags).toBe(0);
    expect(elf.segments.map((s) => [s.type, s.flags, s.vaddr, s.filesz, s.memsz])).toEqual([
      [PT_LOAD, PF_R | PF_X, 0x10000, 8, 8],
      [PT_LOAD, PF_R, 0x11000, 0x38 + 3, 0x38 + 3],
      [PT_LOAD, PF_R | PF_W, 0x12000, 4, 0x104],
      [PT_LOAD, PF_R | PF_W, 0x13000, 0, 4096],
      [PT_NOTE, PF_R, 0x11000, 0x38, 0x38],
      [PT_GNU_STACK, PF_R | PF_W, 0, 0, 0],
    ]);
    for (const s of elf.segments.filter((x) => x.type === PT_LOAD)) expect(s.offset % 4096).toBe(s.vaddr % 4096);
    expect(Array.from(elf.segments[0]!.data)).toEqual(Array.from(opts.sections[0]!.data));
    expect(elf.sections.map((s) => s.name)).toEqual([
      "",
      ".text",
      ".note.kiln.abi",
      ".rodata",
      ".data",
      ".bss",
      ".kiln.stubs",
      ".comment",
      ".symtab",
      ".strtab",
      ".shstrtab",
    ]);
    for (const [i, w] of opts.sections.entries()) {
      const r = elf.sections[i + 1]!;
      expect([r.type, r.flags, r.addr, r.align, r.size]).toEqual([w.type, w.flags, w.addr, w.align, w.size ?? w.data.length]);
      if (w.type !== SHT_NOBITS) expect(Array.from(r.data)).toEqual(Array.from(w.data));
      else expect(r.data.length).toBe(0);
    }
  });

  it("reads back symbols (locals first) and notes", () => {
    expect(elf.symbols).toEqual([
      { name: "value", value: 0x12000, size: 4, bind: STB_LOCAL, type: STT_OBJECT, shndx: 4 },
      { name: "_start", value: 0x10000, size: 8, bind: STB_GLOBAL, type: STT_FUNC, shndx: 1 },
      { name: "answer", value: 42, size: 0, bind: STB_GLOBAL, type: 0, shndx: SHN_ABS },
    ]);
    expect(elf.notes.map((n) => [n.owner, n.type, Array.from(n.desc)])).toEqual([
      ["kiln", 1, [1, 0, 0, 0, 0, 0x30, 1, 0, 0, 0x10, 0, 0]],
      ["GNU", 3, [1, 2, 3, 4, 5]],
    ]);
    expect(findAbiNote(elf)).toEqual({ programAbi: 1, stubAddr: 0x13000, stubSize: 4096 });
  });

  it("strip removes section headers but keeps segments and the note", () => {
    const s = strip(bytes);
    const e = readElf(s);
    expect(e.sections).toEqual([]);
    expect(e.symbols).toEqual([]);
    expect(e.segments.map((x) => [x.type, x.vaddr, x.filesz, x.memsz])).toEqual(elf.segments.map((x) => [x.type, x.vaddr, x.filesz, x.memsz]));
    expect(findAbiNote(e)).toEqual({ programAbi: 1, stubAddr: 0x13000, stubSize: 4096 });
    expect(s.length).toBeLessThan(bytes.length);
    expect(strip(s)).toEqual(s);
  });

  it("falls back to SHT_NOTE sections when there is no PT_NOTE", () => {
    const o = sampleOptions();
    o.segments = o.segments.filter((s) => s.type !== PT_NOTE);
    const e = readElf(writeElf(o));
    expect(findAbiNote(e)).toEqual({ programAbi: 1, stubAddr: 0x13000, stubSize: 4096 });
    expect(e.notes).toHaveLength(2);
    // ...and stripping such a file loses the note: why the PT_NOTE matters.
    expect(findAbiNote(readElf(strip(writeElf(o))))).toBeNull();
  });

  it("writes ET_DYN, e_flags and files without section headers", () => {
    const o = sampleOptions();
    const e = readElf(writeElf({ ...o, type: ET_DYN, flags: 1, sectionHeaders: false }));
    expect(e.type).toBe(ET_DYN);
    expect(e.flags).toBe(1);
    expect(e.sections).toEqual([]);
    expect(findAbiNote(e)).not.toBeNull();
  });

  it("rejects inconsistent writer input", () => {
    const o = sampleOptions();
    o.sections[3] = { ...o.sections[3]!, addr: 0x12002 };
    expect(() => writeElf(o)).toThrow(/not aligned/);
    const p = sampleOptions();
    p.segments[2] = { type: PT_LOAD, flags: PF_R, sections: [4, 3] };
    expect(() => writeElf(p)).toThrow(ElfError);
  });
});

describe("readElf rejections", () => {
  const good = writeElf(sampleOptions());
  const cases: [string, Uint8Array, RegExp][] = [
    ["empty", new Uint8Array(0), /shorter than the 52-byte ELF32 header/],
    ["bad magic", patch32(good, 0, 0x464c457e), /bad magic/],
    ["ELF64", (() => { const c = good.slice(); c[4] = 2; return c; })(), /64-bit/],
    ["big endian", (() => { const c = good.slice(); c[5] = 2; return c; })(), /big-endian/],
    ["ident version", (() => { const c = good.slice(); c[6] = 0; return c; })(), /ident version/],
    ["ET_REL", patch16(good, 16, 1), /relocatable object/],
    ["ET_CORE", patch16(good, 16, 4), /unsupported file type 4/],
    ["x86", patch16(good, 18, 3), /machine 3 is not RISC-V/],
    ["e_version", patch32(good, 20, 2), /bad version 2/],
    ["phentsize", patch16(good, 42, 56), /program header entry size 56/],
    ["phoff past end", patch32(good, 28, good.length - 16), /program header table extends past end of file/],
    ["phoff unaligned", patch32(good, 28, 53), /not 4-byte aligned/],
    ["PN_XNUM", patch16(good, 44, 0xffff), /PN_XNUM/],
    ["segment past end", patch32(good, PH(0, 16), 0x10000), /program header 0 extends past end of file \(offset 0x1000 \+ 0x10000 > 0x[0-9a-f]+\)/],
    ["segment offset overflow", patch32(good, PH(0, 4), 0xfffffff8), /program header 0 extends past end of file/],
    ["filesz > memsz", patch32(good, PH(2, 20), 2), /file size 0x4 larger than memory size 0x2/],
    ["alignment", patch32(good, PH(0, 28), 3000), /not a power of two/],
    ["congruence", patch32(good, PH(0, 8), 0x10010), /not congruent/],
    ["wraparound", patch32(good, PH(3, 8), 0xffffff00), /wraps around/],
    ["PT_LOAD overlap", patch32(good, PH(1, 8), 0x10000), /PT_LOAD program headers 0 .* and 1 .* overlap/],
    ["note name size", patch32(good, 0x2000, 0x40), /name size 0x40|past the end of the note area/],
    ["note desc size", patch32(good, 0x2004, 0xfffffff0), /descriptor \(size 0xfffffff0\) past the end/],
    ["note truncated", patch32(good, PH(4, 16), 0x38 - 4), /descriptor|truncated note/],
    ["shentsize", patch16(good, 46, 64), /section header entry size 64/],
    ["shoff past end", patch32(good, 32, 0xfffffff0), /section header table extends past end of file/],
    ["shstrndx", patch16(good, 50, 200), /e_shstrndx = 200 is out of range/],
    ["shnum without shoff", patch32(good, 32, 0), /e_shnum is 11 but e_shoff is 0/],
  ];
  for (const [name, bytes, re] of cases) {
    it(name, () => {
      let err: unknown;
      try {
        readElf(bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ElfError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message.startsWith("ELF: ")).toBe(true);
    });
  }

  it("rejects bad string-table indices and unterminated names", () => {
    const v = new DataView(good.buffer, good.byteOffset);
    const shoff = v.getUint32(32, true);
    // section 1's sh_name far out of the name table
    expect(() => readElf(patch32(good, shoff + 40, 0x100000))).toThrow(/section header 1 has name index 0x100000 past the end/);
    // the name table with its last byte non-NUL, naming the last section into it
    const shnum = v.getUint16(48, true);
    const strOff = v.getUint32(shoff + (shnum - 1) * 40 + 16, true);
    const strSize = v.getUint32(shoff + (shnum - 1) * 40 + 20, true);
    const c = good.slice();
    c[strOff + strSize - 1] = 0x41;
    expect(() => readElf(c)).toThrow(/not NUL-terminated/);
  });

  it("rejects non-byte input with an ElfError", () => {
    expect(() => readElf("nope" as unknown as Uint8Array)).toThrow(ElfError);
    expect(() => readElf(null as unknown as Uint8Array)).toThrow(ElfError);
  });

  it("reads from a subarray at a non-zero byte offset", () => {
    const big = new Uint8Array(good.length + 3);
    big.set(good, 3);
    expect(readElf(big.subarray(3)).entry).toBe(0x10000);
  });
});

describe("ABI note helpers", () => {
  it("round-trips and validates", () => {
    const n = encodeAbiNote({ programAbi: 3, stubAddr: 0x7000, stubSize: 0x2000 });
    expect(n.owner).toBe("kiln");
    expect(n.type).toBe(1);
    expect(n.desc.length).toBe(12);
    expect(decodeAbiNote(n)).toEqual({ programAbi: 3, stubAddr: 0x7000, stubSize: 0x2000 });
    // serialised form: namesz 5, padded to 8
    const b = serializeNotes([n]);
    expect(Array.from(b.subarray(0, 20))).toEqual([5, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0x6b, 0x69, 0x6c, 0x6e, 0, 0, 0, 0]);
    expect(b.length).toBe(32);
  });
  it("rejects malformed notes", () => {
    const n = encodeAbiNote({ programAbi: 1, stubAddr: 0x7000, stubSize: 0x1000 });
    expect(() => decodeAbiNote({ ...n, owner: "GNU" })).toThrow(/not a kiln ABI note/);
    expect(() => decodeAbiNote({ ...n, desc: n.desc.subarray(0, 8) })).toThrow(/8 bytes \(expected 12\)/);
    expect(() => decodeAbiNote({ ...n, desc: new Uint8Array(12) })).toThrow(/program ABI 0/);
    expect(() => decodeAbiNote(encodeAbiNote({ programAbi: 1, stubAddr: 0x7004, stubSize: 0x1000 }))).toThrow(/not page aligned/);
    expect(() => decodeAbiNote(encodeAbiNote({ programAbi: 1, stubAddr: 0x7000, stubSize: 0x1001 }))).toThrow(/multiple of 4096/);
    expect(() => encodeAbiNote({ programAbi: -1, stubAddr: 0, stubSize: 0 })).toThrow(ElfError);
    const two = { type: 2, machine: 243, entry: 0, segments: [], sections: [], symbols: [], notes: [n, n] };
    expect(() => findAbiNote(two)).toThrow(/2 kiln ABI notes/);
  });
});
