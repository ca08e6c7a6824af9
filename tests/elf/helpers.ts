// Test helpers: RV32 instruction encoders/decoders and hand-built relocatable objects, used until
// (and alongside) the real assembler in impl/asm.

import type { ObjSection, ObjSymbol, ObjectModule, Reloc } from "../../impl/asm/object.ts";
import { encodeAbiNote, serializeNotes } from "../../impl/elf/note.ts";
import type { WriteOptions } from "../../impl/elf/write.ts";
import {
  PF_R,
  PF_W,
  PF_X,
  PT_GNU_STACK,
  PT_LOAD,
  PT_NOTE,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_PROGBITS,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FUNC,
  STT_OBJECT,
} from "../../impl/elf/types.ts";
import { encode } from "../../impl/isa/codec.ts";
import { immB, immI, immJ, immS, immU, type Fields } from "../../impl/isa/fields.ts";
import { insnByName } from "../../impl/isa/table.ts";

/** Instruction words from the instruction table (impl/isa), in the shapes these tests use. */
const word = (name: string, f: Fields): number => encode(insnByName(name)!, f);
export const enc = {
  addi: (rd: number, rs1: number, imm: number) => word("addi", { rd, rs1, imm }),
  lui: (rd: number, imm20: number) => word("lui", { rd, imm: imm20 }),
  auipc: (rd: number, imm20: number) => word("auipc", { rd, imm: imm20 }),
  jal: (rd: number) => word("jal", { rd, imm: 0 }),
  jalr: (rd: number, rs1: number, imm: number) => word("jalr", { rd, rs1, imm }),
  beq: (rs1: number, rs2: number) => word("beq", { rs1, rs2, imm: 0 }),
  lw: (rd: number, rs1: number, imm: number) => word("lw", { rd, rs1, imm }),
  sw: (rs2: number, rs1: number, imm: number) => word("sw", { rs2, rs1, imm }),
  ecall: () => word("ecall", {}),
};

/** Immediate fields of a word (impl/isa/fields.ts); u is the upper immediate, already shifted. */
export const dec = { u: immU, i: immI, s: immS, b: immB, j: immJ };

export function words(ws: number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const v = new DataView(b.buffer);
  ws.forEach((w, k) => v.setUint32(k * 4, w >>> 0, true));
  return b;
}

export function u32at(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}

export function section(
  name: string,
  kind: ObjSection["kind"],
  flags: string,
  data: Uint8Array,
  opts: { align?: number; size?: number; relocs?: Reloc[] } = {},
): ObjSection {
  return {
    name,
    kind,
    alloc: flags.includes("a"),
    write: flags.includes("w"),
    exec: flags.includes("x"),
    align: opts.align ?? 4,
    data: kind === "nobits" ? new Uint8Array(0) : data,
    size: opts.size ?? data.length,
    relocs: opts.relocs ?? [],
  };
}

export function sym(name: string, sectionName: string | null, value: number, global = false, type: ObjSymbol["type"] = "notype"): ObjSymbol {
  return { name, section: sectionName, value, global, type };
}

/**
 * Object 0 of the reference program:
 *   _start: auipc a1, %pcrel_hi(msg)     ; .Lpc0
 *           addi  a1, a1, %pcrel_lo(.Lpc0)
 *           lui   a2, %hi(counter)
 *           lw    a3, %lo(counter)(a2)
 *           sw    a3, %lo(counter)(a2)
 *           call  helper                 ; auipc ra + jalr ra
 *           beq   a0, a0, done
 *           jal   zero, done
 *   done:   ecall
 *   .rodata msg: "hi\n\0"   .data ptr: .word msg+1   .bss counter: 4
 */
export function mainObject(extraSections: ObjSection[] = []): ObjectModule {
  const text = words([
    enc.auipc(11, 0),
    enc.addi(11, 11, 0),
    enc.lui(12, 0),
    enc.lw(13, 12, 0),
    enc.sw(13, 12, 0),
    enc.auipc(1, 0),
    enc.jalr(1, 1, 0),
    enc.beq(10, 10),
    enc.jal(0),
    enc.ecall(),
  ]);
  return {
    sections: [
      section(".text", "progbits", "ax", text, {
        relocs: [
          { offset: 0, type: "pcrel_hi20", symbol: "msg", addend: 0 },
          { offset: 4, type: "pcrel_lo12_i", symbol: ".Lpc0", addend: 0 },
          { offset: 8, type: "hi20", symbol: "counter", addend: 0 },
          { offset: 12, type: "lo12_i", symbol: "counter", addend: 0 },
          { offset: 16, type: "lo12_s", symbol: "counter", addend: 0 },
          { offset: 20, type: "call", symbol: "helper", addend: 0 },
          { offset: 28, type: "branch", symbol: "done", addend: 0 },
          { offset: 32, type: "jal", symbol: "done", addend: 0 },
        ],
      }),
      section(".rodata", "progbits", "a", new TextEncoder().encode("hi\n\0"), { align: 1 }),
      section(".data", "progbits", "aw", words([0]), { relocs: [{ offset: 0, type: "abs32", symbol: "msg", addend: 1 }] }),
      section(".bss", "nobits", "aw", new Uint8Array(0), { size: 4 }),
      ...extraSections,
    ],
    symbols: [
      sym("_start", ".text", 0, true, "func"),
      sym(".Lpc0", ".text", 0),
      sym("done", ".text", 36),
      sym("msg", ".rodata", 0, false, "object"),
      sym("ptr", ".data", 0, true, "object"),
      sym("counter", ".bss", 0, true, "object"),
    ],
  };
}

/** Object 1: `helper: addi a0, zero, 7; jalr zero, ra, 0` (global), plus its own local `done`. */
export function helperObject(): ObjectModule {
  return {
    sections: [section(".text", "progbits", "ax", words([enc.addi(10, 0, 7), enc.jalr(0, 1, 0)]))],
    symbols: [sym("helper", ".text", 0, true, "func"), sym("done", ".text", 4)],
  };
}

/** A stub-region object: `.section .kiln.stubs,"aw",@nobits; .balign 4096; __stubs: .zero size`. */
export function stubObject(size = 4096): ObjectModule {
  return {
    sections: [section(".kiln.stubs", "nobits", "aw", new Uint8Array(0), { align: 4096, size })],
    symbols: [sym("stub_slots", ".kiln.stubs", 0, true, "object")],
  };
}

/** A small executable built directly with the writer: text, rodata+note, data+bss, stubs. */
export function sampleOptions(): WriteOptions {
  const note = serializeNotes([
    encodeAbiNote({ programAbi: 1, stubAddr: 0x13000, stubSize: 4096 }),
    { owner: "GNU", type: 3, desc: new Uint8Array([1, 2, 3, 4, 5]) },
  ]);
  return {
    entry: 0x10000,
    sections: [
      { name: ".text", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, addr: 0x10000, align: 4, data: words([enc.addi(10, 0, 3), enc.ecall()]) },
      { name: ".note.kiln.abi", type: SHT_NOTE, flags: SHF_ALLOC, addr: 0x11000, align: 4, data: note },
      { name: ".rodata", type: SHT_PROGBITS, flags: SHF_ALLOC, addr: 0x11000 + note.length, align: 1, data: new Uint8Array([104, 105, 0]) },
      { name: ".data", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addr: 0x12000, align: 4, data: words([0xdeadbeef]) },
      { name: ".bss", type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, addr: 0x12004, align: 4, data: new Uint8Array(0), size: 0x100 },
      { name: ".kiln.stubs", type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, addr: 0x13000, align: 4096, data: new Uint8Array(0), size: 4096 },
      { name: ".comment", type: SHT_PROGBITS, flags: 0, addr: 0, align: 1, data: new TextEncoder().encode("kiln test\0") },
    ],
    segments: [
      { type: PT_LOAD, flags: PF_R | PF_X, sections: [0] },
      { type: PT_LOAD, flags: PF_R, sections: [1, 2] },
      { type: PT_LOAD, flags: PF_R | PF_W, sections: [3, 4] },
      { type: PT_LOAD, flags: PF_R | PF_W, sections: [5] },
      { type: PT_NOTE, flags: PF_R, sections: [1] },
      { type: PT_GNU_STACK, flags: PF_R | PF_W, align: 16, sections: [] },
    ],
    symbols: [
      { name: "_start", value: 0x10000, size: 8, bind: STB_GLOBAL, type: STT_FUNC, section: 0 },
      { name: "value", value: 0x12000, size: 4, bind: STB_LOCAL, type: STT_OBJECT, section: 3 },
      { name: "answer", value: 42, size: 0, bind: STB_GLOBAL, type: 0, section: "abs" },
    ],
  };
}

