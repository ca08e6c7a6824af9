// The validator: every rule a spec must satisfy before anything is generated from it. Each rule
// has a stable id (in brackets after the message) that tests and users can rely on.
import { Reporter, type Position } from "./diagnostics.ts";
import { SCALARS, shapeOf } from "./layout.ts";
import { versionNumber, type KernelAbi, type ProgramAbi, type Realise, type Spec, type Struct } from "./model.ts";
import { resolveFieldPath } from "./abi-load.ts";
import { effectiveRealise, kernelById, layoutOf, realise, structScope } from "./resolve.ts";
import type { AccessRole, Arg } from "./schema.ts";
import { programRecordMatches, type Published } from "./published.ts";
import { validateArguments } from "./arguments.ts";

/** Scalar signature types; `ptr<T>` must name a scalar or a structure in scope. */
const SIGNATURE_TYPES = new Set(["int", "uint", "usize", "ssize", "fd", "pid", "cstr", "ptr", "noreturn", ...Object.keys(SCALARS)]);

/**
 * Check that structure `s` has every field the `access` tables (spec chapters) say the layer or the
 * kernel reads or writes for `role`, as a scalar of exactly the accessed width.
 */
function checkAccess(spec: Spec, role: AccessRole, s: Struct, lookup: (n: string) => Struct | undefined, owner: string, report: Reporter): void {
  for (const a of spec.access.filter((x) => x.structure === role)) {
    const f = s.fields.find((x) => x.name === a.field);
    if (!f) {
      report.error(s.at, "missing-field", `structure \`${s.name}\` of ${owner} needs a field \`${a.field}\` (${a.usedBy}: ${a.at.file}:${a.at.line})`);
      continue;
    }
    const shape = shapeOf(f.type, sizer(lookup, s.name));
    if (!SCALARS[f.type] || !shape || shape.size !== a.size || f.size !== a.size) {
      report.error(f.cellAt.type ?? f.at, "access-size", `field \`${a.field}\` of \`${s.name}\` is ${f.type} (${f.size} bytes), but it is accessed as a ${a.size}-byte scalar (${a.usedBy}: ${a.at.file}:${a.at.line}); declare it as a ${a.size}-byte integer (u${a.size * 8} or i${a.size * 8}) — or change the access table and the code that reads it`);
    }
  }
}

export function validate(spec: Spec, report: Reporter, published: Published = {}): void {
  const kernels = [...spec.kernels].sort((a, b) => versionNumber(a.version) - versionNumber(b.version));
  const programs = [...spec.programs].sort((a, b) => versionNumber(a.version) - versionNumber(b.version));
  checkVersions(spec, kernels, programs, report);
  for (const k of kernels) checkKernel(spec, k, report);
  checkKernelHistory(kernels, report);
  for (const p of programs) checkProgram(spec, p, report);
  checkAppendOnly(spec, programs, report, published);
  checkStructs(spec, report);
  checkChapters(spec, kernels, report);
  for (const p of programs) {
    // A slot added to or changed in a published program ABI is reported once, as changed-published;
    // the pairs are checked without it so that it does not also fail on every kernel.
    const trusted = programRecordMatches(published, p);
    const view: ProgramAbi = { ...p, slots: p.slots.filter(trusted.slot) };
    for (const k of kernels) checkPair(spec, view, k, report);
  }
  validateArguments(spec, report);
}

function checkVersions(spec: Spec, kernels: KernelAbi[], programs: ProgramAbi[], report: Reporter): void {
  const hasKernel = (v: string): boolean => kernels.some((k) => k.version === v);
  for (const k of kernels) {
    if (k.base && !hasKernel(k.base)) report.error(k.cellAt.base!, "unknown-version", `base ${k.base} of ${k.version} does not exist`);
    if (k.base && versionNumber(k.base) >= versionNumber(k.version)) report.error(k.cellAt.base!, "unknown-version", `base ${k.base} of ${k.version} must be an older version`);
  }
  for (const p of programs) {
    if (p.base && !programs.some((b) => b.version === p.base)) report.error(p.cellAt.base!, "unknown-version", `base ${p.base} of ${p.version} does not exist`);
    if (p.base && versionNumber(p.base) >= versionNumber(p.version)) report.error(p.cellAt.base!, "unknown-version", `base ${p.base} of ${p.version} must be an older version`);
    if (!hasKernel(p.nativeKernel)) report.error(p.cellAt["native kernel"]!, "unknown-version", `native kernel ${p.nativeKernel} of ${p.version} does not exist`);
    if (p.stubSize === 0 || p.stubSize % 4096 !== 0) report.error(p.cellAt["stub size"]!, "stub-size", `stub size ${p.stubSize} of ${p.version} must be a positive multiple of 4096`);
    if (p.slotSize < 8 || p.slotSize % 4 !== 0 || (p.slotSize & (p.slotSize - 1)) !== 0) report.error(p.cellAt["slot size"]!, "stub-size", `slot size ${p.slotSize} must be a power of two of at least 8`);
    const maxSlot = Math.max(-1, ...p.slots.map((s) => s.slot));
    if ((maxSlot + 1) * p.slotSize > p.stubSize) report.error(p.cellAt["stub size"]!, "stub-size", `${maxSlot + 1} slots of ${p.slotSize} bytes do not fit in a stub section of ${p.stubSize} bytes`);
  }
  for (const s of spec.selection) {
    if (s.layer !== `${s.program}-${s.kernel}`) report.error(s.cellAt.layer ?? s.at, "layer-name", `the layer for (${s.program}, ${s.kernel}) is named \`${s.layer}\`; a layer is named after its pair: write \`${s.program}-${s.kernel}\``);
    if (!programs.some((p) => p.version === s.program)) report.error(s.cellAt.program!, "unknown-version", `selection names program ABI ${s.program}, which does not exist`);
    if (!hasKernel(s.kernel)) report.error(s.cellAt.kernel!, "unknown-version", `selection names kernel ABI ${s.kernel}, which does not exist`);
  }
}

/** Report a second occurrence of a key within one table family. */
function uniqueBy<T extends { at: Position; cellAt: Readonly<Record<string, Position>> }>(
  rows: readonly T[],
  key: (r: T) => string | number,
  col: string,
  rule: string,
  what: (r: T, first: T) => string,
  report: Reporter,
): void {
  const seen = new Map<string | number, T>();
  for (const r of rows) {
    const k = key(r);
    const first = seen.get(k);
    if (first) report.error(r.cellAt[col] ?? r.at, rule, what(r, first));
    else seen.set(k, r);
  }
}

/**
 * Like uniqueBy, but when some rows of a clash are unchanged from the base version (`isOld`) and
 * others are not, the error goes on the new rows: the edit, not the untouched row, is the cause.
 */
function uniqueNew<T extends { at: Position; cellAt: Readonly<Record<string, Position>> }>(
  rows: readonly T[],
  key: (r: T) => string | number,
  col: string,
  rule: string,
  isOld: (r: T) => boolean,
  what: (r: T, other: T) => string,
  report: Reporter,
): void {
  const groups = new Map<string | number, T[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const fresh = group.filter((r) => !isOld(r));
    const old = group.filter(isOld);
    if (fresh.length > 0 && old.length > 0) for (const r of fresh) report.error(r.cellAt[col] ?? r.at, rule, what(r, old[0]!));
    else for (const r of group.slice(1)) report.error(r.cellAt[col] ?? r.at, rule, what(r, group[0]!));
  }
}

function checkSignature(spec: Spec, abi: KernelAbi | ProgramAbi, args: readonly Arg[], ret: string, at: Position, report: Reporter): void {
  const lookup = structScope(spec, abi);
  for (const t of [...args.map((a) => a.type), ret]) {
    const m = /^ptr<(.+)>$/.exec(t);
    if (m) {
      const target = m[1]!;
      if (!SIGNATURE_TYPES.has(target) && !lookup(target)) report.error(at, "unknown-struct", `\`${t}\` refers to structure \`${target}\`, which ${abi.version} does not define`);
    } else if (!SIGNATURE_TYPES.has(t)) {
      report.error(at, "unknown-type", `unknown type \`${t}\`; use ${[...SIGNATURE_TYPES].join(", ")} or ptr<T>`);
    }
  }
  const names = new Set<string>();
  for (const a of args) {
    if (names.has(a.name)) report.error(at, "duplicate-arg", `argument \`${a.name}\` appears twice`);
    names.add(a.name);
  }
}

function checkErrors(spec: Spec, errors: readonly string[], at: Position, report: Reporter): void {
  for (const e of errors) if (!spec.errno.some((x) => x.name === e)) report.error(at, "unknown-errno", `error \`${e}\` is not in the errno table (spec/errors.md)`);
}

function checkKernel(spec: Spec, k: KernelAbi, report: Reporter): void {
  const v = k.version;
  uniqueBy(k.syscalls, (s) => s.id, "id", "duplicate-id", (s, f) => `call id ${v}.${s.id} is defined twice (first at line ${f.at.line})`, report);
  const base = k.base ? kernelById(spec, k.base) : undefined;
  const oldCall = (s: { id: string; nr: number }) => !!base?.syscalls.some((b) => b.id === s.id && b.nr === s.nr);
  const oldMsg = (m: { id: string; opcode: number }) => !!base?.messages.some((b) => b.id === m.id && b.opcode === m.opcode);
  uniqueNew(k.syscalls, (s) => s.nr, "nr", "duplicate-number", oldCall, (s, f) => `syscall number ${s.nr} of ${v}.${s.id} already used by ${v}.${f.id} (line ${f.at.line})`, report);
  uniqueBy(k.messages, (m) => m.id, "id", "duplicate-id", (m, f) => `message id ${v}.${m.id} is defined twice (first at line ${f.at.line})`, report);
  uniqueNew(k.messages, (m) => m.opcode, "opcode", "duplicate-number", oldMsg, (m, f) => `opcode ${m.opcode} of message ${v}.${m.id} already used by ${v}.${f.id} (line ${f.at.line})`, report);
  uniqueBy(k.realise, (r) => r.slot, "slot", "duplicate-id", (r, f) => `slot \`${r.slot}\` is realised twice in ${v} (first at line ${f.at.line}); keep one realise row per slot`, report);
  for (const s of k.syscalls) {
    checkSignature(spec, k, s.args, s.ret, s.cellAt.args ?? s.at, report);
    checkErrors(spec, s.errors, s.cellAt.errors ?? s.at, report);
  }
  for (const m of k.messages) {
    checkSignature(spec, k, m.args, m.ret, m.cellAt.args ?? m.at, report);
    checkErrors(spec, m.errors, m.cellAt.errors ?? m.at, report);
  }
  if (!k.ring && k.messages.length > 0) report.error(k.messages[0]!.at, "no-ring", `${v} defines messages but names no ring structure in its kernel table`);
  const lookup = structScope(spec, k);
  const need = (name: string | null, role: AccessRole, col: string) => {
    if (!name) return;
    const s = lookup(name);
    if (!s) return report.error(k.cellAt[col]!, "unknown-struct", `${col} structure \`${name}\` is not defined for ${v}`);
    // Only the kernel that defines (or redefines) the structure is told about it: inheritors repeat nothing.
    if (k.structs.get(name) === s) checkAccess(spec, role, s, lookup, v, report);
  };
  need(k.sharedPage, "shared page", "shared page");
  if (k.sharedPage) need("shared_thread", "shared_thread", "shared page");
  need(k.ring, "ring", "ring");
  for (const fm of k.fieldmaps) {
    const s = lookup(fm.struct);
    if (!s) {
      report.error(fm.at, "unknown-struct", `field map for \`${fm.struct}\`, which ${v} does not define`);
      continue;
    }
    uniqueBy(fm.entries, (e) => e.field, "field", "duplicate-field", (e) => `field \`${e.field}\` is mapped twice`, report);
    for (const e of fm.entries) if (!resolveFieldPath(s, e.from, lookup)) report.error(e.cellAt.from ?? e.at, "unknown-field", `\`${e.from}\` is not a scalar field of \`${fm.struct}\``);
  }
}

/**
 * since = first version with the id; removed = first later version without it; no id comes back.
 * The same history rules hold for calls and for ring messages.
 */
function checkKernelHistory(kernels: KernelAbi[], report: Reporter): void {
  checkHistory(kernels, (k) => k.syscalls, "call", report);
  checkHistory(kernels, (k) => k.messages, "message", report);
}

interface HistoryRow {
  readonly id: string;
  readonly since: string;
  readonly removed: string | null;
  readonly at: Position;
  readonly cellAt: Readonly<Record<string, Position>>;
}

function checkHistory(kernels: KernelAbi[], rowsOf: (k: KernelAbi) => readonly HistoryRow[], what: "call" | "message", report: Reporter): void {
  const ids = new Set(kernels.flatMap((k) => rowsOf(k).map((s) => s.id)));
  for (const id of [...ids].sort()) {
    const present = kernels.map((k) => rowsOf(k).find((s) => s.id === id));
    const first = present.findIndex(Boolean);
    const firstGone = present.findIndex((s, i) => i > first && !s);
    const back = firstGone >= 0 ? present.findIndex((s, i) => i > firstGone && s) : -1;
    if (back >= 0) {
      const row = present[back]!;
      report.error(row.cellAt.id ?? row.at, "reused-id", `${what} id \`${id}\` was removed in ${kernels[firstGone]!.version} and comes back in ${kernels[back]!.version}; a removed id is never reused — give the new ${what} a new id`);
    }
    present.forEach((row, i) => {
      if (!row) return;
      const since = kernels[first]!.version;
      if (row.since !== since) report.error(row.cellAt.since ?? row.at, "since-mismatch", `${kernels[i]!.version}.${id}${what === "message" ? " message" : ""} says since ${row.since}, but ${id} first appears in ${since}`);
      const removed = firstGone >= 0 && back < 0 ? kernels[firstGone]!.version : null;
      if (back < 0 && row.removed !== removed) {
        const fix = row.cellAt.removed ? "" : ` (add a \`removed\` column to the ${what === "call" ? "syscalls" : "messages"} table and write ${removed} there)`;
        report.error(row.cellAt.removed ?? row.at, "removed-mismatch", removed ? `${kernels[i]!.version}.${id} says removed ${row.removed ?? "—"}, but ${kernels[firstGone]!.version} is the first version without it${fix}` : `${kernels[i]!.version}.${id} says removed ${row.removed}, but every later version has it`);
      }
    });
  }
}

function checkProgram(spec: Spec, p: ProgramAbi, report: Reporter): void {
  const v = p.version;
  uniqueBy(p.slots, (s) => s.id, "id", "duplicate-id", (s, f) => `slot id ${v}.${s.id} is defined twice (first at line ${f.at.line})`, report);
  uniqueBy(p.slots, (s) => s.slot, "slot", "duplicate-number", (s, f) => `slot ${s.slot} of ${v}.${s.id} already used by ${v}.${f.id} (line ${f.at.line})`, report);
  for (const s of p.slots) {
    checkSignature(spec, p, s.args, s.ret, s.cellAt.args ?? s.at, report);
    checkErrors(spec, s.errors, s.cellAt.errors ?? s.at, report);
    if (s.since !== v && !(p.base && versionNumber(s.since) <= versionNumber(p.base))) report.error(s.cellAt.since ?? s.at, "slot-since", `slot ${v}.${s.id} says since ${s.since}, which is not ${v} or one of its bases`);
  }
  const tls = structScope(spec, p)("tls");
  if (!tls) report.error(p.at, "missing-struct", `program ABI ${v} defines no \`tls\` structure (the TLS block)`);
  else checkAccess(spec, "tls", tls, structScope(spec, p), v, report);
}

const sigText = (args: readonly Arg[], ret: string) => `(${args.map((a) => `${a.name}: ${a.type}`).join(", ")}) -> ${ret}`;

/** Where structure `a` first differs from the published `b`, or null when they are the same. */
function firstDifference(a: Struct, b: Struct): Position | null {
  for (let i = 0; i < Math.max(a.fields.length, b.fields.length); i++) {
    const f = a.fields[i];
    const g = b.fields[i];
    if (!f || !g) return f?.at ?? a.at;
    for (const col of ["field", "offset", "size", "type"] as const) {
      const key = col === "field" ? "name" : col;
      if (f[key] !== g[key]) return f.cellAt[col] ?? f.at;
    }
  }
  return a.declaredSize !== b.declaredSize || a.declaredAlign !== b.declaredAlign ? a.at : null;
}

/**
 * A program ABI repeats its base exactly and only appends. When the base is published, only what
 * still matches its record is compared: a change to the published base is reported once, at the
 * base (changed-published), not again on every version built on it.
 */
function checkAppendOnly(spec: Spec, programs: ProgramAbi[], report: Reporter, published: Published): void {
  for (const p of programs) {
    const base = p.base ? programs.find((b) => b.version === p.base) : undefined;
    if (!base) continue;
    const trusted = programRecordMatches(published, base);
    const baseSlots = base.slots.filter(trusted.slot);
    const baseMax = Math.max(-1, ...baseSlots.map((s) => s.slot));
    for (const b of baseSlots) {
      const byId = p.slots.find((s) => s.id === b.id);
      const byIndex = p.slots.find((s) => s.slot === b.slot);
      if (byId && byId.slot !== b.slot) report.error(byId.cellAt.slot ?? byId.at, "renumbered-slot", `slot ${p.version}.${b.id} is ${byId.slot}, but ${base.version} published it as slot ${b.slot} (${base.file}:${b.at.line}); a slot is never renumbered`);
      else if (byIndex && byIndex.id !== b.id) report.error(byIndex.cellAt.id ?? byIndex.at, "reused-slot", `slot ${b.slot} of ${p.version} is \`${byIndex.id}\`, but ${base.version} published slot ${b.slot} as \`${b.id}\`; a slot is never reused`);
      else if (!byId) report.error(p.at, "missing-slot", `${p.version} drops slot ${b.slot} \`${b.id}\` of ${base.version}; program ABIs are append-only`);
      else if (sigText(byId.args, byId.ret) !== sigText(b.args, b.ret)) report.error(byId.cellAt.args ?? byId.at, "changed-slot", `slot ${p.version}.${b.id} has signature ${sigText(byId.args, byId.ret)}, but ${base.version} published ${sigText(b.args, b.ret)}`);
    }
    for (const s of p.slots) {
      if (base.slots.some((b) => b.id === s.id || b.slot === s.slot)) continue;
      if (s.slot <= baseMax) report.error(s.cellAt.slot ?? s.at, "reused-slot", `new slot ${p.version}.${s.id} takes index ${s.slot}, inside ${base.version}'s table (up to ${baseMax}); append after it`);
      if (s.since !== p.version) report.error(s.cellAt.since ?? s.at, "slot-since", `new slot ${p.version}.${s.id} must say since ${p.version}`);
    }
    for (const [name, b] of base.structs) {
      if (!trusted.struct(b)) continue;
      const s = p.structs.get(name);
      if (!s) report.error(p.at, "missing-struct", `${p.version} drops structure \`${name}\` of ${base.version}; program ABIs are append-only`);
      else if (firstDifference(s, b)) report.error(firstDifference(s, b)!, "changed-layout", `structure \`${name}\` of ${p.version} differs from the layout ${base.version} published (${base.file}:${b.at.line}); a published layout never changes in place — add a new structure`);
    }
  }
  void spec;
}

function checkStructs(spec: Spec, report: Reporter): void {
  const scopes: [KernelAbi | ProgramAbi | null, Map<string, Struct>][] = [
    ...spec.kernels.map((k) => [k, k.structs] as [KernelAbi, Map<string, Struct>]),
    ...spec.programs.map((p) => [p, p.structs] as [ProgramAbi, Map<string, Struct>]),
    [null, spec.structs],
  ];
  for (const [abi, own] of scopes) {
    const lookup = structScope(spec, abi);
    for (const s of own.values()) checkStruct(s, lookup, report);
  }
}

function checkStruct(s: Struct, lookup: (n: string) => Struct | undefined, report: Reporter): void {
  uniqueBy(s.fields, (f) => f.name, "field", "duplicate-field", (f) => `field \`${f.name}\` appears twice in \`${s.name}\``, report);
  if (!layoutOf(s, lookup) && s.fields.every((f) => shapeOf(f.type, sizer(lookup, s.name)))) report.error(s.at, "unknown-struct", `structure \`${s.name}\` contains itself`);
  let prevEnd = 0;
  let prev: Struct["fields"][number] | null = null;
  let align = 1;
  const sorted = [...s.fields].sort((a, b) => a.offset - b.offset || a.size - b.size);
  for (const f of s.fields) {
    const shape = shapeOf(f.type, sizer(lookup, s.name));
    if (!shape) {
      report.error(f.cellAt.type ?? f.at, "unknown-struct", `field \`${f.name}\` of \`${s.name}\` has type \`${f.type}\`, which is neither a scalar nor a known structure`);
      continue;
    }
    align = Math.max(align, shape.align);
    if (shape.count === "flex" && f !== s.fields[s.fields.length - 1]) report.error(f.cellAt.type ?? f.at, "field-size", `flexible array \`${f.name}\` must be the last field of \`${s.name}\``);
    if (f.size !== shape.size) report.error(f.cellAt.size ?? f.at, "field-size", `field \`${f.name}\` of \`${s.name}\` has size ${f.size}, but type ${f.type} is ${shape.size} bytes`);
    if (f.offset % shape.align !== 0) report.error(f.cellAt.offset ?? f.at, "misaligned-field", `field \`${f.name}\` of \`${s.name}\` at offset ${f.offset} is not aligned to ${shape.align} as its type ${f.type} requires`);
  }
  for (const f of sorted) {
    if (prev && f.offset < prevEnd && f.size > 0) report.error(f.cellAt.offset ?? f.at, "overlapping-fields", `field \`${f.name}\` of \`${s.name}\` (offset ${f.offset}, size ${f.size}) overlaps \`${prev.name}\` (offset ${prev.offset}, size ${prev.size})`);
    if (f.offset + f.size >= prevEnd) {
      prevEnd = f.offset + f.size;
      prev = f;
    }
  }
  if (s.declaredAlign !== null && (s.declaredAlign & (s.declaredAlign - 1)) !== 0) report.error(s.at, "struct-size", `align=${s.declaredAlign} of \`${s.name}\` is not a power of two`);
  if (s.declaredSize !== null) {
    const a = s.declaredAlign ?? align;
    if (s.declaredSize < prevEnd) report.error(s.at, "struct-size", `size=${s.declaredSize} of \`${s.name}\` is smaller than its fields (${prevEnd} bytes)`);
    else if (s.declaredSize % a !== 0) report.error(s.at, "struct-size", `size=${s.declaredSize} of \`${s.name}\` is not a multiple of its alignment ${a}`);
  }
}

function sizer(lookup: (n: string) => Struct | undefined, self: string) {
  return (name: string) => {
    if (name === self) return null;
    const s = lookup(name);
    const l = s ? layoutOf(s, lookup) : null;
    return l ? { size: l.size, align: l.align } : null;
  };
}

function checkChapters(spec: Spec, kernels: KernelAbi[], report: Reporter): void {
  uniqueBy(spec.errno, (e) => e.name, "name", "duplicate-id", (e, f) => `errno ${e.name} is defined twice (first at ${f.at.file}:${f.at.line})`, report);
  uniqueBy(spec.errno, (e) => e.value, "value", "duplicate-number", (e, f) => `errno value ${e.value} of ${e.name} already used by ${f.name}`, report);
  uniqueBy(spec.constants, (c) => c.name, "name", "duplicate-id", (c, f) => `constant ${c.name} is defined twice (first at ${f.at.file}:${f.at.line})`, report);
  uniqueBy(spec.recipes, (r) => r.name, "recipe", "duplicate-id", (r, f) => `recipe ${r.name} is defined twice (first at line ${f.at.line})`, report);
  uniqueBy(spec.selection, (s) => `${s.program}/${s.kernel}`, "program", "duplicate-id", (s, f) => `the pair (${s.program}, ${s.kernel}) is selected twice (first at line ${f.at.line})`, report);
  uniqueBy(spec.selection, (s) => s.path, "path", "duplicate-id", (s, f) => `path ${s.path} is used for two pairs (first at line ${f.at.line})`, report);
  for (const r of spec.recipes) {
    for (const u of r.uses) {
      if (!kernels.some((k) => k.syscalls.some((s) => s.id === u) || k.messages.some((m) => m.id === u))) report.error(r.cellAt.uses ?? r.at, "unknown-call", `recipe ${r.name} uses \`${u}\`, which no kernel ABI has as a call or message`);
    }
  }
}

function checkPair(spec: Spec, p: ProgramAbi, k: KernelAbi, report: Reporter): void {
  const pair = `(${p.version}, ${k.version})`;
  if (!spec.selection.some((s) => s.program === p.version && s.kernel === k.version)) {
    report.error(p.at, "no-layer", `the selection table (spec/loader.md) has no layer for ${pair}; add a row`);
  }
  const rows = effectiveRealise(spec, k);
  for (const row of rows.values()) {
    const owner = spec.kernels.find((x) => x.realise.includes(row));
    if (!owner || owner === k) {
      checkRow(spec, p, k, row, report);
      continue;
    }
    // An inherited row: what is wrong with it only on this kernel is this kernel's to fix, with a
    // realise row of its own; what is wrong with it on its own kernel is reported there, once.
    const there = new Reporter();
    checkRow(spec, p, owner, row, there);
    const here = new Reporter();
    checkRow(spec, p, k, row, here);
    for (const d of here.diagnostics) {
      if (there.diagnostics.some((x) => x.rule === d.rule)) continue;
      report.error(k.cellAt.version ?? k.at, d.rule, `${d.message} — ${k.version} inherits this realise row of \`${row.slot}\` from ${owner.version} (${d.file}:${d.line}); the fix is a realise row for \`${row.slot}\` in ${k.file}`);
    }
  }
  // A slot realised by a call or message of its own id, with no realise row: the call must take
  // the slot's arguments as they are, by name, type and count.
  for (const slot of p.slots) {
    if (rows.has(slot.id)) continue;
    const call = k.syscalls.find((c) => c.id === slot.id) ?? k.messages.find((m) => m.id === slot.id);
    if (call) checkArgMapping(k, slot, call, null, call.cellAt.args ?? call.at, report);
  }
  checkStructArgs(spec, p, k, report);
}

const argList = (args: readonly Arg[]) => `(${args.map((a) => `${a.name}: ${a.type}`).join(", ")})`;

/**
 * The slot's own arguments passed unchanged to a call or message: the lists must agree by name,
 * type and count. A pointer to a structure may differ in its structure (translation-needed
 * checks the layouts, or the row translates it).
 */
function checkArgMapping(k: KernelAbi, slot: ProgramAbi["slots"][number], call: { id: string; args: readonly Arg[] }, row: Realise | null, at: Position, report: Reporter): void {
  const isMsg = k.messages.some((m) => m === call);
  const what = `${k.version}.${call.id}${isMsg ? " (message)" : ""}`;
  const sa = slot.args;
  const ca = call.args;
  const same =
    sa.length === ca.length &&
    sa.every((a, i) => {
      const b = ca[i]!;
      if (a.name !== b.name) return false;
      if (a.type === b.type) return true;
      return /^ptr<\w+>$/.test(a.type) && /^ptr<\w+>$/.test(b.type);
    });
  if (same) return;
  const fix = row
    ? `write the mapping in this row's \`args\`: one slot argument, constant or integer per argument of ${call.id}, in ${call.id}'s order`
    : `add a realise row for \`${slot.id}\` in ${k.file} whose \`args\` maps the slot's arguments onto ${call.id}'s, in ${call.id}'s order (or give the changed ${isMsg ? "message" : "call"} a new id)`;
  report.error(at, "arg-mismatch", `slot \`${slot.id}${argList(sa)}\` is passed unchanged to ${what}, which takes ${argList(ca)}; an argument list that changes under an unchanged slot needs an explicit mapping: ${fix}`);
}

/** The checks of one realise row, on kernel `k` (its own, or one that inherits it). */
function checkRow(spec: Spec, p: ProgramAbi, k: KernelAbi, row: Realise, report: Reporter): void {
  const pair = `(${p.version}, ${k.version})`;
  const constants = new Set(spec.constants.map((c) => c.name));
  const native = kernelById(spec, p.nativeKernel);
  const lookupK = structScope(spec, k);
  const lookupP = structScope(spec, p);
  {
    const slot = p.slots.find((s) => s.id === row.slot);
    if (!slot) {
      if (!spec.programs.some((pp) => pp.slots.some((s) => s.id === row.slot))) report.error(row.cellAt.slot ?? row.at, "unknown-slot", `${k.version} realises slot \`${row.slot}\`, which no program ABI has`);
      return;
    }
    const at = (c: string) => row.cellAt[c] ?? row.at;
    const recipe = row.recipe ? spec.recipes.find((r) => r.name === row.recipe) : undefined;
    if (row.recipe && !recipe) report.error(at("recipe"), "unknown-recipe", `recipe \`${row.recipe}\` is not in the recipes table (spec/routes.md)`);
    if (recipe && recipe.route !== row.route) report.error(at("route"), "route-mismatch", `recipe ${recipe.name} is a ${recipe.route} recipe, but this row says ${row.route}`);
    if (recipe) for (const u of recipe.uses) if (!k.syscalls.some((s) => s.id === u) && !k.messages.some((m) => m.id === u)) report.error(at("recipe"), "unknown-call", `recipe ${recipe.name} uses \`${u}\`, which ${k.version} has neither as a call nor as a message`);
    if ((row.route === "userspace" || row.route === "emulated") && !row.recipe) report.error(at("route"), "missing-recipe", `a ${row.route} route needs a recipe`);
    if (row.route === "userspace" && !k.sharedPage && recipe && recipe.uses.length === 0) report.error(at("route"), "route-mismatch", `${k.version} has no shared page for the userspace recipe ${recipe.name} to read`);
    if (row.route === "message" && !k.ring) report.error(at("route"), "route-mismatch", `${k.version} has no message ring`);
    if (row.call) {
      const call = row.route === "message" ? k.messages.find((m) => m.id === row.call) : k.syscalls.find((s) => s.id === row.call);
      if (!call) {
        report.error(at("call"), "unknown-call", `${k.version} has no ${row.route === "message" ? "message" : "call"} \`${row.call}\``);
        return;
      }
      if (row.route === "direct" || row.route === "renumbered") {
        const nativeNr = native?.syscalls.find((s) => s.id === row.call)?.nr;
        const nr = (call as { nr: number }).nr;
        if (row.route === "direct" && nativeNr !== nr) report.error(at("route"), "route-mismatch", `direct route for ${pair}.${slot.id}, but ${k.version}.${row.call} is ${nr} and ${p.nativeKernel} numbers it ${nativeNr ?? "not at all"}: say renumbered`);
        if (row.route === "renumbered" && nativeNr === nr) report.error(at("route"), "route-mismatch", `renumbered route for ${pair}.${slot.id}, but ${k.version}.${row.call} has the native number ${nr}: say direct`);
      }
      if (row.args.length === 0) checkArgMapping(k, slot, call, row, at("args"), report);
      const exprs = row.args.length > 0 ? row.args : slot.args.map((a) => a.name);
      if (row.args.length > 0 && exprs.length !== call.args.length) report.error(at("args"), "arg-count", `${k.version}.${row.call} takes ${call.args.length} arguments, the realisation of ${slot.id} passes ${exprs.length}`);
      for (const e of exprs) {
        if (/^[a-z_]/.test(e) && !slot.args.some((a) => a.name === e)) report.error(at("args"), "unknown-arg", `\`${e}\` is not an argument of slot ${slot.id}`);
        if (/^[A-Z_]/.test(e) && !constants.has(e)) report.error(at("args"), "unknown-constant", `constant \`${e}\` is not defined in any constants table`);
      }
    } else if (row.route === "direct" || row.route === "renumbered" || row.route === "translated") {
      report.error(at("call"), "unknown-call", `a ${row.route} route needs a call`);
    }
    uniqueBy(row.translate.map((t) => ({ ...t, at: at("translate"), cellAt: {} })), (t) => t.arg, "translate", "duplicate-arg", (t) => `argument \`${t.arg}\` is translated twice in one row; write one translation per argument (↔ for both directions)`, report);
    let scratch = 0;
    for (const t of row.translate) {
      const fromLayout = lookupK(t.from) ? layoutOf(lookupK(t.from)!, lookupK) : null;
      if (fromLayout) scratch = Math.ceil(scratch / 8) * 8 + fromLayout.size;
      if (!slot.args.some((a) => a.name === t.arg && a.type === `ptr<${t.to}>`)) report.error(at("translate"), "unknown-arg", `slot ${slot.id} has no argument \`${t.arg}: ptr<${t.to}>\` to translate`);
      const from = lookupK(t.from);
      const to = lookupP(t.to);
      if (!from) report.error(at("translate"), "unknown-struct", `${k.version} defines no structure \`${t.from}\``);
      if (!to) report.error(at("translate"), "unknown-struct", `${p.version} defines no structure \`${t.to}\``);
      if (from && to) {
        const map = k.fieldmaps.find((m) => m.struct === t.from);
        const matched = to.fields.filter((f) => SCALARS[f.type] && (map ? map.entries.some((e) => e.field === f.name) : from.fields.some((g) => g.name === f.name && SCALARS[g.type])));
        if (matched.length === 0) report.error(at("translate"), "unknown-field", `no field of ${p.version}.${t.to} has a source in ${k.version}.${t.from}`);
      }
    }
    const lp = spec.structs.get("layer_private");
    const room = lp?.fields.find((f) => f.name === "scratch")?.size;
    if (room !== undefined && scratch > room) report.error(at("translate"), "scratch-size", `the kernel structures this row translates take ${scratch} bytes of the layer's scratch buffer, which holds ${room} (layer_private.scratch in spec/tls.md); translate fewer arguments or grow the buffer`);
  }
}

/**
 * A structure passed by pointer must mean the same bytes on both sides: when the program's layout
 * and the kernel's differ, the realisation must translate that argument.
 */
function checkStructArgs(spec: Spec, p: ProgramAbi, k: KernelAbi, report: Reporter): void {
  const lookupP = structScope(spec, p);
  const lookupK = structScope(spec, k);
  const same = (a: Struct, b: Struct) => {
    const la = layoutOf(a, lookupP);
    const lb = layoutOf(b, lookupK);
    return !!la && !!lb && la.size === lb.size && la.fields.length === lb.fields.length && la.fields.every((f, i) => {
      const g = lb.fields[i]!;
      return f.name === g.name && f.offset === g.offset && f.size === g.size && f.type === g.type;
    });
  };
  for (const r of realise(spec, p, k, report)) {
    if (!r.call || r.route === "userspace" || r.route === "emulated") continue;
    const slot = p.slots.find((s) => s.id === r.id)!;
    const call = r.route === "message" ? k.messages.find((m) => m.id === r.call) : k.syscalls.find((c) => c.id === r.call);
    if (!call) continue;
    r.args.forEach((op, j) => {
      if (op.kind !== "arg" || r.translate.some((t) => t.argIndex === op.index)) return;
      const pm = /^ptr<(\w+)>$/.exec(slot.args[op.index]?.type ?? "");
      const km = /^ptr<(\w+)>$/.exec(call.args[j]?.type ?? "");
      const ps = pm ? lookupP(pm[1]!) : undefined;
      const ks = km ? lookupK(km[1]!) : undefined;
      if (ps && ks && !same(ps, ks)) {
        const row = effectiveRealise(spec, k).get(r.id);
        report.error(row?.cellAt.translate ?? row?.at ?? k.cellAt.version ?? k.at, "translation-needed", `${p.version}.${r.id} passes \`${slot.args[op.index]!.name}\` as ${p.version}'s \`${ps.name}\` to ${k.version}.${call.id}, whose \`${ks.name}\` has another layout; realise it with \`translate ${slot.args[op.index]!.name}: ${ps.name} ← ${ks.name}\``);
      }
    });
  }
}
