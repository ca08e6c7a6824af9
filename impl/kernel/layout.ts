// Reads and writes guest structures through the generated layouts (generated/index.ts `kernels`), so a
// kernel ABI that reorders or resizes a structure needs no kernel change. Fields a layout lacks are
// simply not written; fields the kernel does not supply stay zero. Nested structures are addressed
// with dotted names ("stx_mtime.tv_sec").
import type { StructLayout } from "../../gen/types.ts";

export type FieldValues = Record<string, number | bigint>;
export type Structs = Readonly<Record<string, StructLayout>>;

/** Byte size of a field read as one little-endian integer, or null for names/arrays we don't scalarise. */
function intSize(type: string, size: number): number | null {
  const m = /^[ui](8|16|32|64)$/.exec(type);
  if (m) return Number(m[1]) / 8;
  if (type === "ptr" || /^[ui]\d+\[\d+\]$/.test(type)) return size === 1 || size === 2 || size === 4 || size === 8 ? size : null;
  return null;
}

function put(dv: DataView, off: number, size: number, v: number | bigint): void {
  const b = BigInt.asUintN(size * 8, BigInt(v));
  switch (size) {
    case 1: dv.setUint8(off, Number(b)); break;
    case 2: dv.setUint16(off, Number(b), true); break;
    case 4: dv.setUint32(off, Number(b), true); break;
    case 8: dv.setBigUint64(off, b, true); break;
  }
}

function encodeInto(dv: DataView, base: number, layout: StructLayout, values: FieldValues, structs: Structs, prefix: string): void {
  for (const f of layout.fields) {
    const nested = structs[f.type];
    if (nested) {
      encodeInto(dv, base + f.offset, nested, values, structs, `${prefix}${f.name}.`);
      continue;
    }
    const v = values[prefix + f.name];
    if (v === undefined) continue;
    const size = intSize(f.type, f.size);
    if (size === null || base + f.offset + size > dv.byteLength) continue;
    put(dv, base + f.offset, size, v);
  }
}

/** Encodes `values` into a fresh zeroed buffer of layout.size bytes. */
export function encodeStruct(layout: StructLayout, values: FieldValues, structs: Structs = {}): Uint8Array {
  const buf = new Uint8Array(layout.size);
  encodeInto(new DataView(buf.buffer), 0, layout, values, structs, "");
  return buf;
}

/** Decodes integer fields; iN types are sign-extended; 8-byte fields come back as bigint. */
export function decodeStruct(layout: StructLayout, bytes: Uint8Array, structs: Structs = {}, prefix = "", base = 0): Record<string, number | bigint> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, number | bigint> = {};
  for (const f of layout.fields) {
    const nested = structs[f.type];
    if (nested) {
      Object.assign(out, decodeStruct(nested, bytes, structs, `${prefix}${f.name}.`, base + f.offset));
      continue;
    }
    const size = intSize(f.type, f.size);
    const off = base + f.offset;
    if (size === null || off + size > bytes.length) continue;
    const signed = f.type.startsWith("i");
    const key = prefix + f.name;
    switch (size) {
      case 1: out[key] = signed ? dv.getInt8(off) : dv.getUint8(off); break;
      case 2: out[key] = signed ? dv.getInt16(off, true) : dv.getUint16(off, true); break;
      case 4: out[key] = signed ? dv.getInt32(off, true) : dv.getUint32(off, true); break;
      case 8: out[key] = signed ? dv.getBigInt64(off, true) : dv.getBigUint64(off, true); break;
    }
  }
  return out;
}

/** Offset of a (possibly dotted) field, or null when the layout lacks it. */
export function fieldOffset(layout: StructLayout, name: string, structs: Structs = {}): number | null {
  const [head, ...rest] = name.split(".");
  const f = layout.fields.find((x) => x.name === head);
  if (!f) return null;
  if (rest.length === 0) return f.offset;
  const nested = structs[f.type];
  if (!nested) return null;
  const inner = fieldOffset(nested, rest.join("."), structs);
  return inner === null ? null : f.offset + inner;
}
