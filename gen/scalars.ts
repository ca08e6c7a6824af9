// The scalar field types of structure layouts (ilp32: 64-bit scalars align to 8, pointers are 4
// bytes). Shared by the generator (layouts, the C header) and the loader (translation plans).

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
