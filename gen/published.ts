// The record of published program ABIs (spec/abi/published.json). A published version is frozen:
// programs exist that were built against it, so `kiln check` compares its tables with the record
// and rejects any change — a renumbered or reused slot, a changed signature, a structure changed
// in place, even an added slot. `kiln publish pN` adds a version to the record.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Position, Reporter } from "./diagnostics.ts";
import type { ProgramAbi, Spec } from "./model.ts";

export const PUBLISHED_FILE = "abi/published.json";

interface PublishedSlot {
  readonly slot: number;
  readonly id: string;
  readonly signature: string;
}
interface PublishedField {
  readonly field: string;
  readonly offset: number;
  readonly size: number;
  readonly type: string;
}
export interface PublishedAbi {
  readonly stubSize: number;
  readonly slotSize: number;
  readonly slots: readonly PublishedSlot[];
  readonly structs: Readonly<Record<string, { readonly size: number | null; readonly fields: readonly PublishedField[] }>>;
}
export type Published = Readonly<Record<string, PublishedAbi>>;

const signature = (s: ProgramAbi["slots"][number]) => `(${s.args.map((a) => `${a.name}: ${a.type}`).join(", ")}) -> ${s.ret}`;

/** The record of one program ABI as its tables stand now. */
export function snapshot(p: ProgramAbi): PublishedAbi {
  return {
    stubSize: p.stubSize,
    slotSize: p.slotSize,
    slots: [...p.slots].sort((a, b) => a.slot - b.slot).map((s) => ({ slot: s.slot, id: s.id, signature: signature(s) })),
    structs: Object.fromEntries(
      [...p.structs.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => [s.name, { size: s.declaredSize, fields: s.fields.map((f) => ({ field: f.name, offset: f.offset, size: f.size, type: f.type })) }]),
    ),
  };
}

export function readPublished(specDir: string, report: Reporter, display: string): Published {
  const path = join(specDir, PUBLISHED_FILE);
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Published;
  } catch (e) {
    report.error({ file: `${display}/${PUBLISHED_FILE}`, line: 1, column: 1 }, "bad-published", `cannot read the published-ABI record: ${(e as Error).message}`);
    return {};
  }
}

export function writePublished(specDir: string, published: Published): void {
  const sorted = Object.fromEntries(Object.keys(published).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).map((k) => [k, published[k]]));
  writeFileSync(join(specDir, PUBLISHED_FILE), `${JSON.stringify(sorted, null, 2)}\n`);
}

/** Every difference between a published program ABI and its tables now is an error. */
export function checkPublished(spec: Spec, published: Published, report: Reporter): void {
  for (const [version, rec] of Object.entries(published)) {
    const p = spec.programs.find((x) => x.version === version);
    const record = `the record in ${PUBLISHED_FILE}`;
    if (!p) {
      report.error({ file: `${spec.root}/${PUBLISHED_FILE}`, line: 1, column: 1 }, "changed-published", `program ABI ${version} was published, but spec/abi/${version}.md is gone; a published ABI is never removed`);
      continue;
    }
    const err = (at: Position, what: string) => report.error(at, "changed-published", `${version} is published and frozen: ${what} (${record}); make the change in a new program ABI`);
    if (p.stubSize !== rec.stubSize) err(p.cellAt["stub size"] ?? p.at, `stub size ${p.stubSize} was published as ${rec.stubSize}`);
    if (p.slotSize !== rec.slotSize) err(p.cellAt["slot size"] ?? p.at, `slot size ${p.slotSize} was published as ${rec.slotSize}`);
    for (const r of rec.slots) {
      const byIndex = p.slots.find((s) => s.slot === r.slot);
      if (!byIndex) err(p.at, `slot ${r.slot} \`${r.id}\` is missing`);
      else if (byIndex.id !== r.id) err(byIndex.cellAt.id ?? byIndex.at, `slot ${r.slot} is \`${byIndex.id}\`, published as \`${r.id}\``);
      else if (signature(byIndex) !== r.signature) err(byIndex.cellAt.args ?? byIndex.at, `slot ${r.id} has signature ${signature(byIndex)}, published as ${r.signature}`);
    }
    for (const s of p.slots) if (!rec.slots.some((r) => r.slot === s.slot)) err(s.cellAt.slot ?? s.at, `slot ${s.slot} \`${s.id}\` was added after publication`);
    for (const [name, rs] of Object.entries(rec.structs)) {
      const s = p.structs.get(name);
      if (!s) {
        err(p.at, `structure \`${name}\` is missing`);
        continue;
      }
      if (s.declaredSize !== rs.size) err(s.at, `structure \`${name}\` has size=${s.declaredSize ?? "(computed)"}, published as ${rs.size ?? "(computed)"}`);
      const n = Math.max(s.fields.length, rs.fields.length);
      for (let i = 0; i < n; i++) {
        const f = s.fields[i];
        const g = rs.fields[i];
        if (!f || !g) {
          err(f?.at ?? s.at, `structure \`${name}\` has ${s.fields.length} fields, published with ${rs.fields.length}`);
          break;
        }
        for (const col of ["field", "offset", "size", "type"] as const) {
          const now = col === "field" ? f.name : f[col];
          if (now !== g[col]) {
            err(f.cellAt[col] ?? f.at, `field ${i + 1} of \`${name}\` has ${col} ${now}, published as ${g[col]}`);
            break;
          }
        }
      }
    }
    for (const name of p.structs.keys()) if (!(name in rec.structs)) err(p.structs.get(name)!.at, `structure \`${name}\` was added after publication`);
  }
}
