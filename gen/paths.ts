// Field paths (`stx_mtime.tv_sec`) inside structure layouts.
import { SCALARS } from "./layout.ts";
import type { Struct } from "./model.ts";

/** A dotted path to a scalar field inside a structure: its offset and type, or null. */
export function resolvePath(s: Struct, path: string, lookup: (n: string) => Struct | undefined): { offset: number; type: string } | null {
  let cur: Struct | undefined = s;
  let offset = 0;
  const parts = path.split(".");
  for (let i = 0; i < parts.length; i++) {
    const f: Struct["fields"][number] | undefined = cur?.fields.find((x) => x.name === parts[i]);
    if (!f) return null;
    offset += f.offset;
    if (i === parts.length - 1) return SCALARS[f.type] ? { offset, type: f.type } : null;
    cur = lookup(f.type);
  }
  return null;
}

