// A minimal in-memory "link and load" for tests and benchmarks (no ELF): places the sections of
// one ObjectModule on consecutive pages from `base`, applies relocations, maps them into a Memory
// with permissions from the section flags (R, +W if write, +X if exec), and returns the symbol addresses.
// Undefined symbols are an error.

import type { ObjectModule } from "./object.ts";
import { applyRelocation } from "./relocate.ts";
import { Memory, PAGE_SIZE, PERM_R, PERM_W, PERM_X } from "../cpu/memory.ts";

export interface FlatImage {
  readonly mem: Memory;
  /** Address of every symbol (labels and absolute symbols). */
  readonly symbols: ReadonlyMap<string, number>;
  /** Start address of every section. */
  readonly sections: ReadonlyMap<string, number>;
  /** Address of `_start` if defined, else of the first non-empty executable section. */
  readonly entry: number;
}

export function loadFlat(obj: ObjectModule, base = 0x10000, mem: Memory = new Memory()): FlatImage {
  const secAddr = new Map<string, number>();
  let at = base;
  for (const s of obj.sections) {
    if (!s.alloc) continue;
    at = Math.ceil(at / PAGE_SIZE) * PAGE_SIZE;
    secAddr.set(s.name, at);
    at += Math.max(s.size, 1);
  }
  const syms = new Map<string, number>();
  for (const sym of obj.symbols) {
    if (sym.section === null) syms.set(sym.name, sym.value >>> 0);
    else {
      const a = secAddr.get(sym.section);
      if (a !== undefined) syms.set(sym.name, (a + sym.value) >>> 0);
    }
  }
  for (const s of obj.sections) {
    const addr = secAddr.get(s.name);
    if (addr === undefined) continue;
    const data = s.kind === "nobits" ? new Uint8Array(0) : new Uint8Array(s.data);
    // pcrel_lo relocations name the auipc label; find the matching hi20 reloc target
    const hiBySite = new Map<number, number>();
    for (const r of s.relocs) {
      if (r.type !== "pcrel_hi20") continue;
      const S = syms.get(r.symbol);
      if (S === undefined) throw new Error(`loadFlat: undefined symbol '${r.symbol}'`);
      hiBySite.set(r.offset, S + r.addend);
    }
    for (const r of s.relocs) {
      const S = syms.get(r.symbol);
      if (S === undefined) throw new Error(`loadFlat: undefined symbol '${r.symbol}'`);
      const P = addr + r.offset;
      if (r.type === "pcrel_lo12_i" || r.type === "pcrel_lo12_s") {
        const site = S - addr;
        const tgt = hiBySite.get(site);
        if (tgt === undefined) throw new Error(`loadFlat: %pcrel_lo at ${r.offset} without matching %pcrel_hi`);
        applyRelocation(data, r.offset, r.type, tgt, 0, S);
      } else applyRelocation(data, r.offset, r.type, S, r.addend, P);
    }
    const perms = PERM_R | (s.write ? PERM_W : 0) | (s.exec ? PERM_X : 0);
    mem.map(addr, Math.max(PAGE_SIZE, Math.ceil(s.size / PAGE_SIZE) * PAGE_SIZE), perms);
    if (data.length) mem.writeBytes(addr, data, true);
  }
  const firstCode = obj.sections.find((s) => s.exec && s.size > 0 && secAddr.has(s.name));
  const entry = syms.get("_start") ?? (firstCode ? secAddr.get(firstCode.name)! : base);
  return { mem, symbols: syms, sections: secAddr, entry };
}
