// Sizes and alignments of field types, and the computed size of each structure (ilp32 rules:
// 64-bit scalars align to 8, pointers are 4 bytes).

export const SCALARS: Readonly<Record<string, { size: number; align: number }>> = {
  u8: { size: 1, align: 1 },
  i8: { size: 1, align: 1 },
  u16: { size: 2, align: 2 },
  i16: { size: 2, align: 2 },
  u32: { size: 4, align: 4 },
  i32: { size: 4, align: 4 },
  u64: { size: 8, align: 8 },
  i64: { size: 8, align: 8 },
  ptr: { size: 4, align: 4 },
};

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
