// Static linker: relocatable objects from kiln's assembler -> ELF32 RISC-V executable.
//
// Layout (addresses from opts.base, default 0x10000), each group in its own page-aligned PT_LOAD:
//   text   (R+X)  allocated executable sections
//   rodata (R)    allocated read-only sections; note sections first, covered by a PT_NOTE
//   data   (R+W)  allocated writable PROGBITS, then NOBITS (bss)
//   stubs  (R+W)  .kiln.stubs alone (NOBITS, filesz 0), when an object has it or opts.stubSize is set
// Input sections with the same name are merged in object order; output sections appear in order
// of first appearance within their group. Non-allocated input sections are dropped.
// The ABI note (.note.kiln.abi, owner "kiln", type 1) is emitted when there is a stub region.
//
// Linker-defined symbols (only if no object defines them): __kiln_stubs (no end symbol: the
// layer's code is mapped right after the stub region, and no symbol may lead there),
// _etext, _edata, __bss_start, _end, __global_pointer$ (= start of the data group + 0x800).

import type { ObjSection, ObjSymbol, ObjectModule, RelocType } from "../asm/object.ts";
import { applyRelocation } from "../asm/relocate.ts";
import { encodeAbiNote, serializeNotes } from "./note.ts";
import {
  ElfError,
  KILN_ABI_NOTE_SECTION,
  KILN_STUB_SECTION,
  PAGE_SIZE,
  PF_R,
  PF_W,
  PF_X,
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
  STT_NOTYPE,
  STT_OBJECT,
  hex,
} from "./types.ts";
import { writeElf } from "./write.ts";
import type { WriteSection, WriteSegment, WriteSymbol } from "./write.ts";

export interface LinkOptions {
  /** Entry symbol; default "_start". */
  entry?: string;
  /** Address of the first (text) segment, page aligned; default 0x10000. */
  base?: number;
  /** Program ABI number for the ABI note; required when there is a stub region. */
  programAbi?: number;
  /** Size of the stub region (a multiple of 4096); creates .kiln.stubs if no object has one. */
  stubSize?: number;
  /** Names of the objects (e.g. source file names), for error messages. */
  names?: string[];
  /** Emit section headers and .symtab (default true). */
  sectionHeaders?: boolean;
}

export class LinkError extends ElfError {
  constructor(message: string) {
    super(message);
    this.name = "LinkError";
  }
}

type Group = "text" | "rodata" | "data" | "bss" | "notes" | "stubs";

interface Placed {
  obj: number;
  sec: ObjSection;
  out: number; // index of the output section
  addr: number; // final address of this input section
}

interface OutSec {
  name: string;
  group: Group;
  kind: "progbits" | "nobits" | "note";
  write: boolean;
  exec: boolean;
  align: number;
  inputs: { obj: number; sec: ObjSection; off: number }[];
  size: number;
  addr: number;
  data: Uint8Array;
}

interface Def {
  obj: number;
  sym: ObjSymbol;
}

const alignUp = (n: number, a: number) => (a > 1 ? Math.ceil(n / a) * a : n);

function groupOf(s: ObjSection, objName: string): Group | null {
  if (s.name === KILN_STUB_SECTION) return "stubs";
  if (!s.alloc) return null;
  if (s.kind === "note") return "notes";
  if (s.exec && s.write) throw new LinkError(`link: section ${s.name} in ${objName} is both writable and executable; kiln does not link W+X sections`);
  if (s.exec) return "text";
  if (s.write) return s.kind === "nobits" ? "bss" : "data";
  return s.kind === "nobits" ? "bss" : "rodata";
}

/** Links relocatable objects into a static executable. Throws LinkError (an ElfError) with the symbol or section at fault. */
export function link(objects: ObjectModule[], opts: LinkOptions = {}): Uint8Array {
  const base = opts.base ?? 0x10000;
  const entryName = opts.entry ?? "_start";
  const nameOf = (i: number) => opts.names?.[i] ?? `object ${i}`;
  if (!Number.isInteger(base) || base < 0 || base % PAGE_SIZE !== 0 || base >= 0x100000000) {
    throw new LinkError(`link: base address ${hex(base)} is not a page-aligned 32-bit address`);
  }
  if (objects.length === 0) throw new LinkError("link: no objects to link");

  // ---- symbols ----
  const globals = new Map<string, Def>();
  const locals: Map<string, Def>[] = objects.map(() => new Map());
  objects.forEach((o, i) => {
    const secNames = new Set(o.sections.map((s) => s.name));
    for (const sym of o.symbols) {
      if (sym.section !== null && !secNames.has(sym.section)) {
        throw new LinkError(`link: symbol '${sym.name}' in ${nameOf(i)} is defined in section ${sym.section}, which the object does not have`);
      }
      if (sym.global) {
        const prev = globals.get(sym.name);
        if (prev !== undefined) {
          throw new LinkError(`link: duplicate symbol '${sym.name}': defined in ${nameOf(prev.obj)} and in ${nameOf(i)}`);
        }
        globals.set(sym.name, { obj: i, sym });
      } else {
        if (locals[i]!.has(sym.name)) throw new LinkError(`link: duplicate local symbol '${sym.name}' in ${nameOf(i)}`);
        locals[i]!.set(sym.name, { obj: i, sym });
      }
    }
    const dup = new Set<string>();
    for (const s of o.sections) {
      if (dup.has(s.name)) throw new LinkError(`link: ${nameOf(i)} has two sections named ${s.name}`);
      dup.add(s.name);
    }
  });

  // ---- sections into groups ----
  const outs: OutSec[] = [];
  const outByName = new Map<string, OutSec>();
  const placedOf = new Map<string, Placed>(); // `${obj}\0${section}` -> placement (filled after layout)
  let stubInput: { obj: number; sec: ObjSection } | null = null;
  objects.forEach((o, i) => {
    for (const s of o.sections) {
      const g = groupOf(s, nameOf(i));
      if (g === null) continue;
      if (g === "stubs") {
        if (s.kind !== "nobits") throw new LinkError(`link: ${KILN_STUB_SECTION} in ${nameOf(i)} must be NOBITS (@nobits), not ${s.kind}`);
        if (stubInput !== null) throw new LinkError(`link: both ${nameOf(stubInput.obj)} and ${nameOf(i)} define ${KILN_STUB_SECTION}; a program has one stub region`);
        if (s.relocs.length > 0) throw new LinkError(`link: ${KILN_STUB_SECTION} in ${nameOf(i)} has relocations`);
        stubInput = { obj: i, sec: s };
        continue;
      }
      if (s.kind === "nobits" && s.relocs.length > 0) throw new LinkError(`link: NOBITS section ${s.name} in ${nameOf(i)} has relocations`);
      if (s.name === KILN_ABI_NOTE_SECTION && (opts.stubSize !== undefined || objects.some((x) => x.sections.some((y) => y.name === KILN_STUB_SECTION)))) {
        throw new LinkError(`link: ${nameOf(i)} has its own ${KILN_ABI_NOTE_SECTION}; the linker writes the ABI note itself when there is a stub region`);
      }
      let out = outByName.get(s.name);
      if (out === undefined) {
        out = { name: s.name, group: g, kind: s.kind, write: s.write, exec: s.exec, align: 1, inputs: [], size: 0, addr: 0, data: new Uint8Array(0) };
        outByName.set(s.name, out);
        outs.push(out);
      } else if (out.group !== g) {
        throw new LinkError(`link: section ${s.name} in ${nameOf(i)} has different flags or type than in ${nameOf(out.inputs[0]?.obj ?? 0)}`);
      }
      const align = Math.max(1, s.align);
      if ((align & (align - 1)) !== 0) throw new LinkError(`link: section ${s.name} in ${nameOf(i)} has alignment ${s.align}, not a power of two`);
      if (s.kind !== "nobits" && s.data.length !== s.size) {
        throw new LinkError(`link: section ${s.name} in ${nameOf(i)} has size ${s.size} but ${s.data.length} bytes of data`);
      }
      out.align = Math.max(out.align, align);
      out.size = alignUp(out.size, align);
      out.inputs.push({ obj: i, sec: s, off: out.size });
      out.size += s.size;
    }
  });

  // ---- ABI note ----
  const stubInputSec = stubInput as { obj: number; sec: ObjSection } | null;
  const hasStubs = stubInputSec !== null || opts.stubSize !== undefined;
  let stubSize = 0;
  let noteOut: OutSec | null = null;
  if (hasStubs) {
    if (opts.programAbi === undefined) {
      throw new LinkError(
        `link: the program has a stub region (${KILN_STUB_SECTION}) but no program ABI was given; pass { programAbi: N } (1 for p1, 2 for p2, ...)`,
      );
    }
    if (!Number.isInteger(opts.programAbi) || opts.programAbi < 1 || opts.programAbi > 0xffffffff) {
      throw new LinkError(`link: programAbi ${opts.programAbi} is not a positive 32-bit integer`);
    }
    const inSize = stubInputSec?.sec.size ?? 0;
    stubSize = opts.stubSize ?? inSize;
    if (!Number.isInteger(stubSize) || stubSize <= 0 || stubSize % PAGE_SIZE !== 0) {
      throw new LinkError(`link: stub region size ${stubSize} is not a positive multiple of ${PAGE_SIZE}`);
    }
    if (inSize > stubSize) {
      throw new LinkError(`link: ${KILN_STUB_SECTION} in ${nameOf(stubInputSec!.obj)} is ${inSize} bytes, larger than stubSize ${stubSize}`);
    }
    // The note's size does not depend on its contents; the stub address is filled in after layout.
    const noteSize = serializeNotes([encodeAbiNote({ programAbi: opts.programAbi, stubAddr: 0, stubSize })]).length;
    noteOut = { name: KILN_ABI_NOTE_SECTION, group: "notes", kind: "note", write: false, exec: false, align: 4, inputs: [], size: noteSize, addr: 0, data: new Uint8Array(0) };
    outs.unshift(noteOut);
  } else if (opts.programAbi !== undefined) {
    throw new LinkError(`link: programAbi ${opts.programAbi} given but the program has no stub region; add a ${KILN_STUB_SECTION} section or pass stubSize`);
  }

  // ---- addresses ----
  const order: Group[][] = [["text"], ["notes", "rodata"], ["data", "bss"]];
  const segments: { flags: number; outs: OutSec[] }[] = [];
  let addr = base;
  const lastOf: Record<string, number> = {};
  for (const groups of order) {
    const segOuts = groups.flatMap((g) => outs.filter((o) => o.group === g));
    if (segOuts.length === 0) continue;
    addr = alignUp(addr, PAGE_SIZE);
    for (const o of segOuts) {
      addr = alignUp(addr, o.align);
      o.addr = addr;
      addr += o.size;
      if (addr > 0x100000000) throw new LinkError("link: the program does not fit in the 32-bit address space");
    }
    lastOf[groups[0]!] = addr;
    const flags = groups[0] === "text" ? PF_R | PF_X : groups[0] === "notes" ? PF_R : PF_R | PF_W;
    segments.push({ flags, outs: segOuts });
  }
  const textEnd = lastOf["text"] ?? base;
  const dataOuts = outs.filter((o) => o.group === "data");
  const bssOuts = outs.filter((o) => o.group === "bss");
  const dataStart = dataOuts[0]?.addr ?? bssOuts[0]?.addr ?? alignUp(addr, PAGE_SIZE);
  const edata = dataOuts.length > 0 ? dataOuts[dataOuts.length - 1]!.addr + dataOuts[dataOuts.length - 1]!.size : dataStart;
  const bssStart = bssOuts[0]?.addr ?? edata;
  const end = addr;
  let stubAddr = 0;
  if (hasStubs) {
    stubAddr = alignUp(addr, PAGE_SIZE);
    if (stubAddr + stubSize > 0x100000000) throw new LinkError("link: the stub region does not fit in the 32-bit address space");
    addr = stubAddr + stubSize;
  }
  if (noteOut !== null) {
    noteOut.data = serializeNotes([encodeAbiNote({ programAbi: opts.programAbi!, stubAddr, stubSize })]);
  }

  // ---- symbol addresses ----
  const placed = (obj: number, secName: string): Placed | undefined => placedOf.get(`${obj}\0${secName}`);
  for (const o of outs) for (const inp of o.inputs) placedOf.set(`${inp.obj}\0${inp.sec.name}`, { obj: inp.obj, sec: inp.sec, out: outs.indexOf(o), addr: o.addr + inp.off });
  if (stubInputSec !== null) placedOf.set(`${stubInputSec.obj}\0${KILN_STUB_SECTION}`, { obj: stubInputSec.obj, sec: stubInputSec.sec, out: -1, addr: stubAddr });

  const synthetic = new Map<string, number>();
  const addSynthetic = (name: string, value: number) => {
    if (!globals.has(name)) synthetic.set(name, value >>> 0);
  };
  if (hasStubs) {
    addSynthetic("__kiln_stubs", stubAddr);
  }
  addSynthetic("_etext", textEnd);
  addSynthetic("_edata", edata);
  addSynthetic("__bss_start", bssStart);
  addSynthetic("_end", end);
  addSynthetic("__global_pointer$", dataStart + 0x800);

  const valueOf = (d: Def): number => {
    if (d.sym.section === null) return d.sym.value >>> 0;
    const p = placed(d.obj, d.sym.section);
    if (p === undefined) {
      throw new LinkError(`link: symbol '${d.sym.name}' in ${nameOf(d.obj)} is in section ${d.sym.section}, which is not allocated (not loaded)`);
    }
    return (p.addr + d.sym.value) >>> 0;
  };
  const resolve = (obj: number, name: string, where: string): number => {
    const d = locals[obj]!.get(name) ?? globals.get(name);
    if (d !== undefined) return valueOf(d);
    const s = synthetic.get(name);
    if (s !== undefined) return s;
    throw new LinkError(`link: undefined symbol '${name}' (referenced from ${where})`);
  };

  // ---- contents and relocations ----
  for (const o of outs) {
    if (o === noteOut || o.kind === "nobits") continue;
    o.data = new Uint8Array(o.size);
    for (const inp of o.inputs) {
      const buf = inp.sec.data.slice();
      const secAddr = o.addr + inp.off;
      const hiAt = new Map<number, { symbol: string; addend: number }>();
      for (const r of inp.sec.relocs) if (r.type === "pcrel_hi20") hiAt.set(r.offset, { symbol: r.symbol, addend: r.addend });
      for (const r of inp.sec.relocs) {
        const where = `${nameOf(inp.obj)} section ${inp.sec.name} offset ${hex(r.offset)}`;
        try {
          if (r.offset < 0 || r.offset + (r.type === "call" ? 8 : 4) > buf.length) {
            throw new LinkError(`relocation is outside the section (size ${hex(buf.length)})`);
          }
          const P = (secAddr + r.offset) >>> 0;
          if (r.type === "pcrel_lo12_i" || r.type === "pcrel_lo12_s") {
            // The symbol labels the auipc; use its pcrel_hi20 relocation's target.
            const label = locals[inp.obj]!.get(r.symbol) ?? globals.get(r.symbol);
            if (label === undefined || label.obj !== inp.obj || label.sym.section !== inp.sec.name) {
              throw new LinkError(`${r.type} refers to '${r.symbol}', which is not a label in the same section`);
            }
            const hiOff = label.sym.value + r.addend;
            const hi = hiAt.get(hiOff);
            if (hi === undefined) throw new LinkError(`${r.type} refers to '${r.symbol}', but there is no pcrel_hi20 relocation at that label`);
            const S = resolve(inp.obj, hi.symbol, where) + hi.addend;
            applyRelocation(buf, r.offset, r.type as RelocType, S >>> 0, 0, (secAddr + hiOff) >>> 0);
          } else {
            const S = resolve(inp.obj, r.symbol, where);
            applyRelocation(buf, r.offset, r.type, S, r.addend, P);
          }
        } catch (e) {
          if (e instanceof LinkError && e.message.startsWith("link:")) throw e;
          const msg = e instanceof Error ? e.message : String(e);
          throw new LinkError(`link: ${where}: ${r.type} relocation against '${r.symbol}': ${msg}`);
        }
      }
      o.data.set(buf, inp.off);
    }
  }

  // ---- entry ----
  let entry: number;
  const g = globals.get(entryName);
  if (g !== undefined) entry = valueOf(g);
  else {
    const ls = locals.flatMap((m) => (m.has(entryName) ? [m.get(entryName)!] : []));
    if (ls.length === 1) entry = valueOf(ls[0]!);
    else if (ls.length > 1) throw new LinkError(`link: entry symbol '${entryName}' is defined locally in several objects; make one global`);
    else throw new LinkError(`link: entry symbol '${entryName}' is undefined (define it, or pass { entry: "name" })`);
  }

  // ---- write ----
  const wsecs: WriteSection[] = [];
  const widx = new Map<OutSec, number>();
  for (const seg of segments) {
    for (const o of seg.outs) {
      widx.set(o, wsecs.length);
      const flags = SHF_ALLOC | (o.write ? SHF_WRITE : 0) | (o.exec ? SHF_EXECINSTR : 0);
      const type = o.kind === "nobits" ? SHT_NOBITS : o.kind === "note" ? SHT_NOTE : SHT_PROGBITS;
      wsecs.push({ name: o.name, type, flags, addr: o.addr, align: o.align, data: o.kind === "nobits" ? new Uint8Array(0) : o.data, size: o.size });
    }
  }
  let stubIdx = -1;
  if (hasStubs) {
    stubIdx = wsecs.length;
    wsecs.push({ name: KILN_STUB_SECTION, type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, addr: stubAddr, align: PAGE_SIZE, data: new Uint8Array(0), size: stubSize });
  }
  const wsegs: WriteSegment[] = segments.map((s) => ({ type: PT_LOAD, flags: s.flags, align: PAGE_SIZE, sections: s.outs.map((o) => widx.get(o)!) }));
  if (hasStubs) wsegs.push({ type: PT_LOAD, flags: PF_R | PF_W, align: PAGE_SIZE, sections: [stubIdx] });
  const noteIdx = outs.filter((o) => o.group === "notes").map((o) => widx.get(o)!);
  if (noteIdx.length > 0) wsegs.push({ type: PT_NOTE, flags: PF_R, align: 4, sections: noteIdx });

  const secIndexOf = (d: Def): number | "abs" => {
    if (d.sym.section === null) return "abs";
    if (d.sym.section === KILN_STUB_SECTION) return stubIdx;
    const p = placed(d.obj, d.sym.section)!;
    return widx.get(outs[p.out]!)!;
  };
  const symType = (t: ObjSymbol["type"]) => (t === "func" ? STT_FUNC : t === "object" ? STT_OBJECT : STT_NOTYPE);
  const wsyms: WriteSymbol[] = [];
  // Symbols in dropped (non-allocated) sections and assembler-local .L labels stay out of .symtab.
  const listed = (d: Def) => d.sym.section === null || placed(d.obj, d.sym.section) !== undefined;
  locals.forEach((m) => {
    for (const d of m.values()) {
      if (!listed(d) || d.sym.name.startsWith(".L")) continue;
      wsyms.push({ name: d.sym.name, value: valueOf(d), size: d.sym.size ?? 0, bind: STB_LOCAL, type: symType(d.sym.type), section: secIndexOf(d) });
    }
  });
  for (const d of globals.values()) {
    if (!listed(d)) continue;
    wsyms.push({ name: d.sym.name, value: valueOf(d), size: d.sym.size ?? 0, bind: STB_GLOBAL, type: symType(d.sym.type), section: secIndexOf(d) });
  }
  for (const [name, value] of synthetic) wsyms.push({ name, value, size: 0, bind: STB_GLOBAL, type: STT_NOTYPE, section: "abs" });

  return writeElf({
    entry,
    sections: wsecs,
    segments: wsegs,
    symbols: wsyms,
    ...(opts.sectionHeaders !== undefined ? { sectionHeaders: opts.sectionHeaders } : {}),
  });
}
