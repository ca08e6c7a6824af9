// Sizes and alignments of field types, the computed size of each structure (ilp32 rules:
// 64-bit scalars align to 8, pointers are 4 bytes), and the structures each ABI sees.

import { SCALARS } from "./scalars.ts";
import type { AbiField, AbiStruct } from "./types.ts";
import { srcOf } from "./diagnostics.ts";
import type { KernelAbi, ProgramAbi, Spec, Struct } from "./model.ts";

export { SCALARS };

export interface TypeShape {
  /** Size of one field of this type; for a flexible array `T[]`, 0. */
  readonly size: number;
  readonly align: number;
  readonly element: string;
  /** Array length, null for a scalar or structure, "flex" for `T[]`. */
  readonly count: number | "flex" | null;
}

export type StructSizer = (name: string) => { size: number; align: number } | null;

/** Resolve a field type to its shape, or null if it names an unknown structure. */
export function shapeOf(type: string, structs: StructSizer): TypeShape | null {
  const m = /^([a-z_][a-z0-9_]*)(?:\[(\d*)\])?$/.exec(type);
  if (!m) return null;
  const element = m[1]!;
  const base = SCALARS[element] ?? structs(element);
  if (!base) return null;
  if (m[2] === undefined) return { size: base.size, align: base.align, element, count: null };
  if (m[2] === "") return { size: 0, align: base.align, element, count: "flex" };
  const n = Number(m[2]);
  return { size: base.size * n, align: base.align, element, count: n };
}

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export function kernelById(spec: Spec, version: string): KernelAbi | undefined {
  return spec.kernels.find((k) => k.version === version);
}

/** The structure namespaces an ABI sees, nearest first: its own, its base kernels' (kernels inherit), the chapters'. */
export function scopeChain(spec: Spec, abi: KernelAbi | ProgramAbi | null): Map<string, Struct>[] {
  const chain: Map<string, Struct>[] = [];
  const seen = new Set<string>();
  let cur: KernelAbi | ProgramAbi | undefined | null = abi;
  while (cur && !seen.has(cur.version)) {
    seen.add(cur.version);
    chain.push(cur.structs);
    // Kernel ABIs inherit their base's structures; program ABIs repeat theirs (append-only, checked).
    cur = spec.kernels.includes(cur as KernelAbi) && cur.base ? kernelById(spec, cur.base) : null;
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
): AbiStruct | null {
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
  const fields: AbiField[] = [];
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

export function layoutsOf(spec: Spec, abi: KernelAbi | ProgramAbi | null): Record<string, AbiStruct> {
  const lookup = structScope(spec, abi);
  const names = new Set<string>(scopeChain(spec, abi).flatMap((m) => [...m.keys()]));
  const out: Record<string, AbiStruct> = {};
  for (const name of [...names].sort()) {
    const l = layoutOf(lookup(name)!, lookup);
    if (l) out[name] = l;
  }
  return out;
}

