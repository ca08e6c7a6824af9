// Resolves the model into what the generator emits: computed structure layouts and, for every
// (program ABI, kernel ABI) pair, how each slot is realised. Problems go to the reporter.
import type { FieldCopy, FieldLayout, Operand, SlotRealisation, StructLayout, TranslationPlan } from "./types.ts";
import { srcOf, type Reporter } from "./diagnostics.ts";
import { alignUp, shapeOf } from "./layout.ts";
import { resolvePath } from "./paths.ts";
import type { KernelAbi, ProgramAbi, Realise, Spec, Struct } from "./model.ts";
import { SCALARS } from "./layout.ts";
import type { Translation } from "./schema.ts";

/** The structure namespaces an ABI sees, nearest first: its own, its base kernels' (kernels inherit), the chapters'. */
export function scopeChain(spec: Spec, abi: KernelAbi | ProgramAbi | null): Map<string, Struct>[] {
  const chain: Map<string, Struct>[] = [];
  const seen = new Set<string>();
  let cur: KernelAbi | ProgramAbi | undefined | null = abi;
  while (cur && !seen.has(cur.version)) {
    seen.add(cur.version);
    chain.push(cur.structs);
    // Kernel ABIs inherit their base's structures; program ABIs repeat theirs (append-only, checked).
    cur = cur.version.startsWith("k") && cur.base ? kernelById(spec, cur.base) : null;
  }
  chain.push(spec.structs);
  return chain;
}

export function structScope(spec: Spec, abi: KernelAbi | ProgramAbi | null): (name: string) => Struct | undefined {
  const chain = scopeChain(spec, abi);
  return (name) => chain.find((m) => m.has(name))?.get(name);
}

/** Compute layouts; cycles and unknown field types are reported by the validator, here they yield null. */
export function layoutOf(
  struct: Struct,
  lookup: (name: string) => Struct | undefined,
  seen: Set<string> = new Set(),
): StructLayout | null {
  if (seen.has(struct.name)) return null;
  seen.add(struct.name);
  const sizer = (name: string) => {
    const s = lookup(name);
    if (!s) return null;
    const l = layoutOf(s, lookup, new Set(seen));
    return l ? { size: l.size, align: l.align } : null;
  };
  let align = struct.declaredAlign ?? 1;
  let end = 0;
  const fields: FieldLayout[] = [];
  for (const f of struct.fields) {
    const shape = shapeOf(f.type, sizer);
    if (!shape) return null;
    if (!struct.declaredAlign) align = Math.max(align, shape.align);
    end = Math.max(end, f.offset + f.size);
    fields.push({ name: f.name, offset: f.offset, size: f.size, type: f.type, src: srcOf(f.at) });
  }
  const size = struct.declaredSize ?? alignUp(end, align);
  return { name: struct.name, size, align, fields, src: srcOf(struct.at) };
}

export function layoutsOf(spec: Spec, abi: KernelAbi | ProgramAbi | null): Record<string, StructLayout> {
  const lookup = structScope(spec, abi);
  const names = new Set<string>(scopeChain(spec, abi).flatMap((m) => [...m.keys()]));
  const out: Record<string, StructLayout> = {};
  for (const name of [...names].sort()) {
    const l = layoutOf(lookup(name)!, lookup);
    if (l) out[name] = l;
  }
  return out;
}

export type Realisation = SlotRealisation;

export function kernelById(spec: Spec, version: string): KernelAbi | undefined {
  return spec.kernels.find((k) => k.version === version);
}

/**
 * The realise rows that apply to kernel `k`: its own, then its bases' (nearest first). A base's row
 * lapses when it worked around a call the base lacked and `k` has that call: then the call is used.
 */
export function effectiveRealise(spec: Spec, k: KernelAbi): Map<string, Realise> {
  const rows = new Map<string, Realise>();
  for (const r of k.realise) if (!rows.has(r.slot)) rows.set(r.slot, r);
  const seen = new Set<string>([k.version]);
  let base = k.base ? kernelById(spec, k.base) : undefined;
  while (base && !seen.has(base.version)) {
    seen.add(base.version);
    for (const r of base.realise) {
      // A row that worked around a call its kernel lacked lapses once this kernel has the call; a
      // row its kernel chose over a call it had (getpid from the shared page) is inherited.
      const has = (kk: KernelAbi) => kk.syscalls.some((c) => c.id === r.slot) || kk.messages.some((m) => m.id === r.slot);
      const lapsed = has(k) && !has(base);
      if (!rows.has(r.slot) && !lapsed) rows.set(r.slot, r);
    }
    base = base.base ? kernelById(spec, base.base) : undefined;
  }
  return rows;
}

/**
 * How kernel `k` realises every slot of program `p`. A slot without a realise row is realised by the
 * kernel's call of the same id (direct when its number equals the native kernel's, else renumbered),
 * or by its message of the same id; otherwise it has no route.
 */
export function realise(spec: Spec, p: ProgramAbi, k: KernelAbi, report: Reporter | null): Realisation[] {
  const native = kernelById(spec, p.nativeKernel);
  const out: Realisation[] = [];
  for (const slot of [...p.slots].sort((a, b) => a.slot - b.slot)) {
    const row = effectiveRealise(spec, k).get(slot.id);
    const identity = slot.args.map((a) => a.name);
    if (row) {
      const call = row.call ? k.syscalls.find((s) => s.id === row.call) : undefined;
      const msg = row.call && row.route === "message" ? k.messages.find((m) => m.id === row.call) : undefined;
      out.push({
        slot: slot.slot,
        id: slot.id,
        route: row.route,
        call: row.call,
        nr: row.route === "message" ? null : (call?.nr ?? null),
        opcode: msg?.opcode ?? null,
        args: operands(spec, slot.args, row.args.length > 0 ? row.args : row.call ? identity : []),
        translate: plans(spec, p, k, slot.args, row.translate),
        recipe: row.recipe,
        src: srcOf(row.at),
      });
      continue;
    }
    const call = k.syscalls.find((s) => s.id === slot.id);
    if (call) {
      const nativeNr = native?.syscalls.find((s) => s.id === slot.id)?.nr;
      out.push({ slot: slot.slot, id: slot.id, route: nativeNr === call.nr ? "direct" : "renumbered", call: call.id, nr: call.nr, opcode: null, args: operands(spec, slot.args, identity), translate: [], recipe: null, src: srcOf(call.at) });
      continue;
    }
    const msg = k.messages.find((m) => m.id === slot.id);
    if (msg) {
      out.push({ slot: slot.slot, id: slot.id, route: "message", call: msg.id, nr: null, opcode: msg.opcode, args: operands(spec, slot.args, identity), translate: [], recipe: null, src: srcOf(msg.at) });
      continue;
    }
    report?.error(k.cellAt.version ?? k.at, "no-route", `slot ${p.version}.${slot.id} (${p.file}:${slot.at.line}) has no route on ${k.version}: no call or message \`${slot.id}\` and no realise row for it`);
  }
  return out;
}

function operands(spec: Spec, slotArgs: readonly { name: string }[], exprs: readonly string[]): Operand[] {
  return exprs.map((e): Operand => {
    if (e === '""') return { kind: "string", value: "" };
    if (/^-?\d+$/.test(e)) return { kind: "int", value: Number(e) };
    if (/^0x/i.test(e)) return { kind: "int", value: Number.parseInt(e.slice(2), 16) };
    const c = spec.constants.find((x) => x.name === e);
    if (c) return { kind: "int", value: c.value, name: c.name };
    return { kind: "arg", name: e, index: slotArgs.findIndex((a) => a.name === e) };
  });
}

/** The copy plans of a row's translations, each given its own 8-aligned place in the scratch buffer. */
export function plans(spec: Spec, p: ProgramAbi, k: KernelAbi, slotArgs: readonly { name: string }[], ts: readonly Translation[]): TranslationPlan[] {
  const out: TranslationPlan[] = [];
  let at = 0;
  for (const t of ts) {
    const one = plan(spec, p, k, slotArgs, t, at);
    if (!one) continue;
    out.push(one);
    at = alignUp(at + one.fromSize, 8);
  }
  return out;
}

/** The copy plan for `arg: to ← from` (or → / ↔): fields matched by name, or through the kernel's field map. */
function plan(spec: Spec, p: ProgramAbi, k: KernelAbi, slotArgs: readonly { name: string }[], t: Translation, scratchOffset: number): TranslationPlan | null {
  const to = structScope(spec, p)(t.to);
  const lookupK = structScope(spec, k);
  const from = lookupK(t.from);
  if (!to || !from) return null;
  const toLayout = layoutOf(to, structScope(spec, p));
  const fromLayout = layoutOf(from, lookupK);
  if (!toLayout || !fromLayout) return null;
  const map = fieldmapFor(spec, k, t.from);
  const copies: FieldCopy[] = [];
  const zero: { field: string; offset: number; size: number }[] = [];
  for (const f of to.fields) {
    if (!SCALARS[f.type]) {
      zero.push({ field: f.name, offset: f.offset, size: f.size });
      continue;
    }
    const path = map ? map.entries.find((e) => e.field === f.name)?.from : f.name;
    const src = path ? resolvePath(from, path, lookupK) : null;
    if (src) copies.push({ field: f.name, toOffset: f.offset, toType: f.type, fromOffset: src.offset, fromType: src.type });
    else zero.push({ field: f.name, offset: f.offset, size: f.size });
  }
  return { arg: t.arg, argIndex: slotArgs.findIndex((a) => a.name === t.arg), direction: t.direction, scratchOffset, to: t.to, toSize: toLayout.size, from: t.from, fromSize: fromLayout.size, copies, zero };
}

/** A kernel's field map for a structure, inherited from its base kernels like structures are. */
export function fieldmapFor(spec: Spec, k: KernelAbi, struct: string) {
  const seen = new Set<string>();
  let cur: KernelAbi | undefined = k;
  while (cur && !seen.has(cur.version)) {
    seen.add(cur.version);
    if (cur.structs.has(struct)) return cur.fieldmaps.find((m) => m.struct === struct);
    const m = cur.fieldmaps.find((x) => x.struct === struct);
    if (m) return m;
    cur = cur.base ? kernelById(spec, cur.base) : undefined;
  }
  return undefined;
}
