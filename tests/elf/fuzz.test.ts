// Fuzz corpus for readElf: mutated and truncated ELF files from a few valid seeds, generated
// with a seeded PRNG so the corpus is the same on every run. readElf must return or throw an
// ElfError with a message, never another exception, never an "internal reader error".

import { describe, expect, it } from "vitest";
import { readElf } from "../../impl/elf/read.ts";
import { link } from "../../impl/elf/link.ts";
import { strip, writeElf } from "../../impl/elf/write.ts";
import { ET_DYN, ElfError, PF_R, PF_W, PT_LOAD, PT_NOTE, SHF_ALLOC, SHF_WRITE, SHT_NOBITS, SHT_NOTE } from "../../impl/elf/types.ts";
import { serializeNotes } from "../../impl/elf/note.ts";
import { helperObject, mainObject, sampleOptions, stubObject } from "./helpers.ts";
import { unitPrng as prng } from "../support/prng.ts";
import { fuzzBudget } from "../support/budget.ts";
import { buildC, haveCrossCompiler } from "../c/build.ts";
import { readFileSync } from "node:fs";
import type { ObjectModule, Reloc, RelocType } from "../../impl/asm/object.ts";

function seeds(): { name: string; bytes: Uint8Array }[] {
  const linked = link([mainObject(), helperObject(), stubObject(8192)], { programAbi: 2 });
  const sample = writeElf(sampleOptions());
  // ET_DYN with an 8-aligned note segment holding several notes, and no section headers.
  const notes = serializeNotes([
    { owner: "kiln", type: 1, desc: new Uint8Array([1, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x10, 0, 0]) },
    { owner: "", type: 7, desc: new Uint8Array(0) },
    { owner: "GNU", type: 1, desc: new Uint8Array(16) },
  ]);
  const dyn = writeElf({
    type: ET_DYN,
    entry: 0x1000,
    sectionHeaders: false,
    sections: [
      { name: ".note", type: SHT_NOTE, flags: SHF_ALLOC, addr: 0x1000, align: 4, data: notes },
      { name: ".kiln.stubs", type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, addr: 0x2000, align: 4096, data: new Uint8Array(0), size: 4096 },
    ],
    segments: [
      { type: PT_LOAD, flags: PF_R, sections: [0] },
      { type: PT_LOAD, flags: PF_R | PF_W, sections: [1] },
      { type: PT_NOTE, flags: PF_R, sections: [0] },
    ],
  });
  return [
    { name: "linked", bytes: linked },
    { name: "stripped", bytes: strip(linked) },
    { name: "sample", bytes: sample },
    { name: "dyn", bytes: dyn },
  ];
}

/** Offsets (and widths) of the interesting fields of a seed: header, phdrs, shdrs, symbols, notes. */
function fields(b: Uint8Array): { off: number; width: 1 | 2 | 4 }[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: { off: number; width: 1 | 2 | 4 }[] = [];
  for (let o = 4; o < 16; o++) out.push({ off: o, width: 1 });
  for (const [o, w] of [[16, 2], [18, 2], [20, 4], [24, 4], [28, 4], [32, 4], [36, 4], [40, 2], [42, 2], [44, 2], [46, 2], [48, 2], [50, 2]] as const) {
    out.push({ off: o, width: w });
  }
  const phoff = v.getUint32(28, true);
  const phnum = v.getUint16(44, true);
  for (let i = 0; i < phnum; i++) for (let f = 0; f < 8; f++) out.push({ off: phoff + i * 32 + f * 4, width: 4 });
  const shoff = v.getUint32(32, true);
  const shnum = v.getUint16(48, true);
  for (let i = 0; i < shnum; i++) {
    for (let f = 0; f < 10; f++) out.push({ off: shoff + i * 40 + f * 4, width: 4 });
    const type = v.getUint32(shoff + i * 40 + 4, true);
    const off = v.getUint32(shoff + i * 40 + 16, true);
    const size = v.getUint32(shoff + i * 40 + 20, true);
    if (type === 2) {
      for (let s = 16; s + 16 <= size; s += 16) {
        out.push({ off: off + s, width: 4 }, { off: off + s + 4, width: 4 }, { off: off + s + 12, width: 1 }, { off: off + s + 14, width: 2 });
      }
    }
  }
  for (let i = 0; i < phnum; i++) {
    if (v.getUint32(phoff + i * 32, true) !== PT_NOTE) continue;
    const off = v.getUint32(phoff + i * 32 + 4, true);
    for (let f = 0; f < 3; f++) out.push({ off: off + f * 4, width: 4 });
  }
  return out;
}

function mutate(seed: Uint8Array, rnd: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const b = seed.slice();
  const v = new DataView(b.buffer);
  const len = b.length;
  const interesting = [0, 1, 2, 3, 4, 7, 8, 16, 32, 52, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000, len - 1, len, len + 1, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
  const kind = Math.floor(rnd() * 6);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    switch (kind) {
      case 0: // random bytes
        b[Math.floor(rnd() * len)] = Math.floor(rnd() * 256);
        break;
      case 1: // bit flips
        b[Math.floor(rnd() * len)]! ^= 1 << Math.floor(rnd() * 8);
        break;
      default: {
        // field-targeted
        const f = pick(fields(seed));
        if (f.off + f.width > len) break;
        const base = f.width === 1 ? v.getUint8(f.off) : f.width === 2 ? v.getUint16(f.off, true) : v.getUint32(f.off, true);
        const choice = rnd();
        let x: number;
        if (choice < 0.5) x = pick(interesting);
        else if (choice < 0.75) x = base + Math.floor(rnd() * 17) - 8;
        else x = Math.floor(rnd() * 0x100000000);
        if (f.width === 1) v.setUint8(f.off, x & 0xff);
        else if (f.width === 2) v.setUint16(f.off, x & 0xffff, true);
        else v.setUint32(f.off, x >>> 0, true);
      }
    }
  }
  // Huge counts and offsets now and then.
  if (rnd() < 0.08) v.setUint16(44, pick([0xfffe, 0xffff, 0x8000, 0x1000]), true);
  if (rnd() < 0.08) v.setUint16(48, pick([0xfeff, 0xffff, 0x8000, 0x1000]), true);
  if (rnd() < 0.05) v.setUint32(pick([28, 32]), pick([0xffffffe0, 0x80000000, len - 4]), true);
  // Truncation.
  if (rnd() < 0.25) return b.subarray(0, Math.floor(rnd() * len));
  return b;
}

interface Outcome {
  ok: number;
  rejected: number;
  messages: Set<string>;
}

function check(bytes: Uint8Array, out: Outcome, label: string): void {
  let elf;
  try {
    elf = readElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) {
      throw new Error(`${label}: readElf threw ${String(e)} (not an ElfError)`);
    }
    if (typeof e.message !== "string" || e.message.length === 0) throw new Error(`${label}: ElfError without a message`);
    if (e.message.includes("internal reader error")) throw new Error(`${label}: ${e.message}`);
    out.rejected++;
    out.messages.add(e.message.replace(/0x[0-9a-f]+|\d+/g, "N"));
    return;
  }
  out.ok++;
  // Whatever is accepted is internally consistent.
  for (const s of elf.segments) {
    if (s.data.length !== s.filesz || s.offset + s.filesz > bytes.length) throw new Error(`${label}: segment outside the file`);
  }
  for (const s of elf.sections) if (s.type !== SHT_NOBITS && s.type !== 0 && s.data.length !== s.size) throw new Error(`${label}: section data size`);
}

describe("readElf fuzz corpus", () => {
  const all = seeds();

  it("accepts every seed", () => {
    for (const s of all) expect(() => readElf(s.bytes), s.name).not.toThrow();
  });

  it("never throws anything but ElfError on 4000 mutated files", () => {
    const out: Outcome = { ok: 0, rejected: 0, messages: new Set() };
    const rnd = prng(0x6b696c6e);
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const s = all[i % all.length]!;
      check(mutate(s.bytes, rnd), out, `mutation ${i} of ${s.name}`);
    }
    expect(out.ok + out.rejected).toBe(N);
    // The corpus exercises both paths and many distinct checks.
    expect(out.ok).toBeGreaterThan(100);
    expect(out.rejected).toBeGreaterThan(1000);
    expect(out.messages.size).toBeGreaterThan(30);
    if (process.env["KILN_FUZZ_VERBOSE"]) console.log(out.ok, out.rejected, [...out.messages].sort().join("\n"));
  });

  it("handles every truncation of every seed", () => {
    const out: Outcome = { ok: 0, rejected: 0, messages: new Set() };
    let n = 0;
    for (const s of all) {
      // all prefixes up to 512 bytes, then every 7th length
      for (let len = 0; len < s.bytes.length; len += len < 512 ? 1 : 7) {
        check(s.bytes.subarray(0, len), out, `${s.name} truncated to ${len}`);
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
    expect(out.rejected).toBeGreaterThan(0);
  });

  it("bounds work on adversarial tables (many note headers, long names)", () => {
    // 60000 PT_NOTE program headers, each covering the same 64 KiB of tiny notes.
    const notesLen = 65536;
    const phnum = 60000;
    const phoff = 52;
    const noteOff = phoff + phnum * 32;
    const b = new Uint8Array(noteOff + notesLen);
    const v = new DataView(b.buffer);
    b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    v.setUint16(16, 2, true);
    v.setUint16(18, 243, true);
    v.setUint32(20, 1, true);
    v.setUint32(28, phoff, true);
    v.setUint16(40, 52, true);
    v.setUint16(42, 32, true);
    v.setUint16(44, phnum, true);
    for (let i = 0; i < phnum; i++) {
      v.setUint32(phoff + i * 32, PT_NOTE, true);
      v.setUint32(phoff + i * 32 + 4, noteOff, true);
      v.setUint32(phoff + i * 32 + 16, notesLen, true);
    }
    // notes with namesz 0, descsz 0: 12 bytes each (zero bytes already)
    expect(() => readElf(b)).toThrow(/more than 4096 notes/);

    // 16000 sections all named by a 32 KiB string at offset 0 of the name table.
    const shnum = 16000;
    const strLen = 32768;
    const shoff = 52;
    const strOff = shoff + shnum * 40;
    const c = new Uint8Array(strOff + strLen + 1);
    const w = new DataView(c.buffer);
    c.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    w.setUint16(16, 2, true);
    w.setUint16(18, 243, true);
    w.setUint32(20, 1, true);
    w.setUint32(32, shoff, true);
    w.setUint16(40, 52, true);
    w.setUint16(46, 40, true);
    w.setUint16(48, shnum, true);
    w.setUint16(50, 1, true);
    c.fill(0x41, strOff, strOff + strLen);
    for (let i = 1; i < shnum; i++) {
      const o = shoff + i * 40;
      w.setUint32(o, i % 2 === 0 ? 0 : (i * 2) % strLen, true); // distinct offsets defeat caching
      w.setUint32(o + 4, 3, true); // SHT_STRTAB
      w.setUint32(o + 16, strOff, true);
      w.setUint32(o + 20, strLen + 1, true);
    }
    let err: unknown;
    try {
      readElf(c);
    } catch (e) {
      err = e;
    }
    // Either it decodes within budget or refuses; never hangs or exhausts memory.
    if (err !== undefined) {
      expect(err).toBeInstanceOf(ElfError);
      expect((err as Error).message).toMatch(/too many name bytes/);
    }
  });

  const GCC_MUTATIONS = fuzzBudget(600, 15_000);
  it.skipIf(!haveCrossCompiler())(`never throws anything but ElfError on ${GCC_MUTATIONS} mutations of gcc output`, () => {
    const out: Outcome = { ok: 0, rejected: 0, messages: new Set() };
    const gcc = ["hello", "primes", "echo"].map((n) => new Uint8Array(readFileSync(buildC([`${n}.c`], n))));
    const rnd = prng(243);
    for (let i = 0; i < GCC_MUTATIONS; i++) check(mutate(gcc[i % gcc.length]!, rnd), out, `gcc mutation ${i}`);
    expect(out.rejected).toBeGreaterThan(100);
  });
});

describe("link fuzz", () => {
  it("throws only ElfError on 1000 perturbed object sets, and its output always reads back", () => {
    const rnd = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const types: RelocType[] = ["abs32", "hi20", "lo12_i", "lo12_s", "pcrel_hi20", "pcrel_lo12_i", "pcrel_lo12_s", "branch", "jal", "call"];
    let ok = 0;
    let rejected = 0;
    for (let i = 0; i < 1000; i++) {
      const objs: ObjectModule[] = [mainObject(), helperObject(), ...(rnd() < 0.5 ? [stubObject(4096 * (1 + Math.floor(rnd() * 3)))] : [])];
      const k = Math.floor(rnd() * 2);
      const o = objs[k]!;
      const secs = o.sections.map((x) => ({ ...x, relocs: [...x.relocs] as Reloc[] }));
      const syms = [...o.symbols];
      const what = Math.floor(rnd() * 7);
      const si = Math.floor(rnd() * secs.length);
      const sec = secs[si]!;
      if (what === 0 && sec.relocs.length > 0) {
        const r = Math.floor(rnd() * sec.relocs.length);
        sec.relocs[r] = { ...sec.relocs[r]!, offset: pick([0, 2, sec.data.length - 2, sec.data.length, 0x7fffffff, -4]) };
      } else if (what === 1 && sec.relocs.length > 0) {
        const r = Math.floor(rnd() * sec.relocs.length);
        sec.relocs[r] = { ...sec.relocs[r]!, type: pick(types), addend: pick([0, 1, -1, 0x7ffff000, -0x80000000]) };
      } else if (what === 2) {
        sec.relocs.push({ offset: 0, type: pick(types), symbol: pick(["nowhere", "_start", "msg", "counter", "stub_slots"]), addend: 0 });
      } else if (what === 3) {
        secs[si] = { ...sec, align: pick([0, 1, 3, 4096, 0x10000]) };
      } else if (what === 4 && syms.length > 0) {
        const j = Math.floor(rnd() * syms.length);
        syms[j] = { ...syms[j]!, global: !syms[j]!.global, section: pick([syms[j]!.section, null, ".nosuch"]) };
      } else if (what === 5) {
        secs[si] = { ...sec, size: pick([0, sec.size + 1, 0x100000]) };
      } else {
        syms.push({ name: pick(["_start", "helper", "x"]), section: ".text", value: 0, global: true });
      }
      objs[k] = { sections: secs, symbols: syms };
      let bytes: Uint8Array;
      try {
        bytes = link(objs, { programAbi: 1, stubSize: rnd() < 0.3 ? 8192 : undefined });
      } catch (e) {
        if (!(e instanceof ElfError)) throw new Error(`link fuzz ${i}: threw ${String(e)}`);
        expect(e.message.length).toBeGreaterThan(0);
        rejected++;
        continue;
      }
      readElf(bytes);
      ok++;
    }
    expect(ok).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });
});
