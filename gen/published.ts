// The record of published ABIs (spec/abi/published.json). A published version is frozen: programs
// (or kernels) exist that were built against it, so `kiln check` compares its tables with the
// record and rejects any change. For a program ABI: a renumbered or reused slot, a changed
// signature, a structure changed in place, even an added slot. For a kernel ABI: a call or
// message added, removed, renumbered or with another signature, a structure changed in place, the
// shared page or ring structure swapped. `kiln publish pN` / `kiln publish kN` add a version.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Position, Reporter } from "./diagnostics.ts";
import type { KernelAbi, ProgramAbi, Spec, Struct } from "./model.ts";

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
interface PublishedCall {
  readonly id: string;
  /** The syscall number, or the message opcode. */
  readonly nr: number;
  readonly signature: string;
}
export interface PublishedKernel {
  readonly kernel: true;
  readonly base: string | null;
  readonly sharedPage: string | null;
  readonly ring: string | null;
  readonly syscalls: readonly PublishedCall[];
  readonly messages: readonly PublishedCall[];
  readonly structs: PublishedAbi["structs"];
}
export type Published = Readonly<Record<string, PublishedAbi | PublishedKernel>>;

const isKernelRecord = (r: PublishedAbi | PublishedKernel): r is PublishedKernel => "kernel" in r;

const structRecord = (structs: Map<string, Struct>) =>
  Object.fromEntries(
    [...structs.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => [s.name, { size: s.declaredSize, fields: s.fields.map((f) => ({ field: f.name, offset: f.offset, size: f.size, type: f.type })) }]),
  );

const callSig = (c: { args: readonly { name: string; type: string }[]; ret: string }) => `(${c.args.map((a) => `${a.name}: ${a.type}`).join(", ")}) -> ${c.ret}`;

/** The record of one kernel ABI as its tables stand now. */
export function snapshotKernel(k: KernelAbi): PublishedKernel {
  return {
    kernel: true,
    base: k.base,
    sharedPage: k.sharedPage,
    ring: k.ring,
    syscalls: [...k.syscalls].sort((a, b) => a.nr - b.nr).map((c) => ({ id: c.id, nr: c.nr, signature: callSig(c) })),
    messages: [...k.messages].sort((a, b) => a.opcode - b.opcode).map((m) => ({ id: m.id, nr: m.opcode, signature: callSig(m) })),
    structs: structRecord(k.structs),
  };
}

/**
 * Which parts of a program ABI still match its published record (everything, when unpublished):
 * what a later version may be compared against without blaming it for a change to its base.
 */
export function programRecordMatches(published: Published, p: ProgramAbi): { slot: (s: ProgramAbi["slots"][number]) => boolean; struct: (s: Struct) => boolean } {
  const rec = published[p.version];
  if (!rec || isKernelRecord(rec)) return { slot: () => true, struct: () => true };
  return {
    slot: (s) => rec.slots.some((r) => r.slot === s.slot && r.id === s.id && r.signature === signature(s)),
    struct: (s) => JSON.stringify(structRecord(new Map([[s.name, s]]))[s.name]) === JSON.stringify(rec.structs[s.name]),
  };
}

const signature = (s: ProgramAbi["slots"][number]) => `(${s.args.map((a) => `${a.name}: ${a.type}`).join(", ")}) -> ${s.ret}`;

/** The record of one program ABI as its tables stand now. */
export function snapshot(p: ProgramAbi): PublishedAbi {
  return {
    stubSize: p.stubSize,
    slotSize: p.slotSize,
    slots: [...p.slots].sort((a, b) => a.slot - b.slot).map((s) => ({ slot: s.slot, id: s.id, signature: signature(s) })),
    structs: structRecord(p.structs),
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
  const sorted = Object.fromEntries(Object.keys(published).sort((a, b) => a.slice(0, 1).localeCompare(b.slice(0, 1)) || Number(a.slice(1)) - Number(b.slice(1))).map((k) => [k, published[k]]));
  writeFileSync(join(specDir, PUBLISHED_FILE), `${JSON.stringify(sorted, null, 2)}\n`);
}

/** Every difference between a published ABI and its tables now is an error. */
export function checkPublished(spec: Spec, published: Published, report: Reporter): void {
  for (const [version, rec] of Object.entries(published)) {
    if (isKernelRecord(rec)) {
      checkPublishedKernel(spec, version, rec, report);
      continue;
    }
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
    checkStructRecords(p.structs, rec.structs, p.at, err);
    for (const name of p.structs.keys()) if (!(name in rec.structs)) err(p.structs.get(name)!.at, `structure \`${name}\` was added after publication`);
  }
}

type Err = (at: Position, what: string) => void;

function checkStructRecords(structs: Map<string, Struct>, rec: PublishedAbi["structs"], fileAt: Position, err: Err): void {
  for (const [name, rs] of Object.entries(rec)) {
    const s = structs.get(name);
    if (!s) {
      err(fileAt, `structure \`${name}\` is missing`);
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
}

/**
 * A published kernel ABI is frozen like a program ABI: kernels and layers exist that implement it.
 * Only the `removed` column of its calls and messages may still be filled in (a later kernel's
 * history); every other change belongs in a new kernel ABI.
 */
function checkPublishedKernel(spec: Spec, version: string, rec: PublishedKernel, report: Reporter): void {
  const k = spec.kernels.find((x) => x.version === version);
  if (!k) {
    report.error({ file: `${spec.root}/${PUBLISHED_FILE}`, line: 1, column: 1 }, "changed-published", `kernel ABI ${version} was published, but spec/abi/${version}.md is gone; a published ABI is never removed`);
    return;
  }
  const err: Err = (at, what) => report.error(at, "changed-published", `${version} is published and frozen: ${what} (the record in ${PUBLISHED_FILE}); make the change in a new kernel ABI whose base is ${version}`);
  if (k.base !== rec.base) err(k.cellAt.base ?? k.at, `base ${k.base ?? "—"} was published as ${rec.base ?? "—"}`);
  if (k.sharedPage !== rec.sharedPage) err(k.cellAt["shared page"] ?? k.at, `shared page ${k.sharedPage ?? "—"} was published as ${rec.sharedPage ?? "—"}`);
  if (k.ring !== rec.ring) err(k.cellAt.ring ?? k.at, `ring ${k.ring ?? "—"} was published as ${rec.ring ?? "—"}`);
  const calls = (what: string, now: readonly { id: string; nr: number; args: readonly { name: string; type: string }[]; ret: string; at: Position; cellAt: Readonly<Record<string, Position>> }[], was: readonly PublishedCall[], nrCol: string, label: string) => {
    for (const r of was) {
      const c = now.find((x) => x.id === r.id);
      if (!c) err(k.at, `${what} \`${r.id}\` (${label} ${r.nr}) is missing`);
      else if (c.nr !== r.nr) err(c.cellAt[nrCol] ?? c.at, `${what} \`${r.id}\` has ${label} ${c.nr}, published as ${r.nr}`);
      else if (callSig(c) !== r.signature) err(c.cellAt.args ?? c.at, `${what} \`${r.id}\` has signature ${callSig(c)}, published as ${r.signature}`);
    }
    for (const c of now) if (!was.some((r) => r.id === c.id)) err(c.cellAt.id ?? c.at, `${what} \`${c.id}\` was added after publication`);
  };
  calls("call", k.syscalls, rec.syscalls, "nr", "number");
  calls("message", k.messages.map((m) => ({ ...m, nr: m.opcode, cellAt: { ...m.cellAt, nr: m.cellAt.opcode ?? m.at } })), rec.messages, "nr", "opcode");
  checkStructRecords(k.structs, rec.structs, k.at, err);
  for (const name of k.structs.keys()) if (!(name in rec.structs)) err(k.structs.get(name)!.at, `structure \`${name}\` was added after publication`);
}
