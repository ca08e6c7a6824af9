// Differences between two ABI versions of one family (p1 → p2, k1 → k2): calls or slots added,
// removed, renumbered and changed; structures field by field; the shared page and the ring; and,
// between kernels, the route every affected program slot takes on each side and why it changed.
import type { AbiStruct as StructLayout, ArgSpec } from "./types.ts";
import type { KernelAbi, ProgramAbi, Spec } from "./model.ts";
import { versionNumber } from "./model.ts";
import { layoutsOf, realise, type Realisation } from "./resolve.ts";
import { ARROWS } from "./schema.ts";

export type Family = "program" | "kernel";

/** A diff that cannot be made: unknown version, or two versions of different families. */
export class DiffError extends Error {}

/** A call (kernel), message (kernel) or slot (program) as the diff shows it. */
export interface Entry {
  readonly id: string;
  /** Syscall number, message opcode or slot index. */
  readonly number: number;
  readonly args: readonly ArgSpec[];
  readonly ret: string;
  readonly errors: readonly string[];
  readonly src: string;
}

export interface Renumbered {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly src: string;
}

export type EntryAspect = "args" | "ret" | "errors";

export interface Changed {
  readonly id: string;
  /** What differs; `args` and `ret` are the signature. */
  readonly aspects: readonly EntryAspect[];
  readonly from: Entry;
  readonly to: Entry;
}

export interface TableDiff {
  readonly added: readonly Entry[];
  readonly removed: readonly Entry[];
  readonly renumbered: readonly Renumbered[];
  readonly changed: readonly Changed[];
}

export type FieldChangeKind = "added" | "removed" | "moved" | "resized" | "retyped";

export interface FieldChange {
  readonly field: string;
  readonly kinds: readonly FieldChangeKind[];
  readonly from: { readonly offset: number; readonly size: number; readonly type: string } | null;
  readonly to: { readonly offset: number; readonly size: number; readonly type: string } | null;
}

export interface StructChange {
  readonly name: string;
  readonly size: { readonly from: number; readonly to: number } | null;
  readonly align: { readonly from: number; readonly to: number } | null;
  readonly fields: readonly FieldChange[];
  readonly srcFrom: string;
  readonly srcTo: string;
}

export interface StructsDiff {
  readonly added: readonly { readonly name: string; readonly size: number; readonly src: string }[];
  readonly removed: readonly { readonly name: string; readonly size: number; readonly src: string }[];
  readonly changed: readonly StructChange[];
}

/** The shared page or the ring: which structure the kernel names, and how it changed. */
export interface RegionDiff {
  readonly from: string | null;
  readonly to: string | null;
  /** "added", "removed", "changed" (layout differs), "renamed" (another structure) or "same". */
  readonly status: "added" | "removed" | "changed" | "renamed" | "same" | "none";
  readonly layout: StructChange | null;
}

export interface HeaderChange {
  readonly column: string;
  readonly from: string | number | null;
  readonly to: string | number | null;
}

/** One side of a route change. */
export interface RouteSide {
  readonly route: string;
  readonly call: string | null;
  readonly nr: number | null;
  readonly opcode: number | null;
  readonly args: readonly string[];
  readonly translate: readonly string[];
  readonly recipe: string | null;
  readonly src: string;
  /** One-line description: `renumbered write #4`. */
  readonly summary: string;
}

export interface RouteChange {
  readonly program: string;
  readonly slot: number;
  readonly id: string;
  readonly from: RouteSide | null;
  readonly to: RouteSide | null;
  /** Keys of the changes in this diff that force it (see `changeKey`), e.g. `call.removed:llseek`. */
  readonly causes: readonly string[];
  /** The route is the same on both kernels, but a structure or the shared page it reads changed layout. */
  readonly sameRoute: boolean;
}

/** The version of `kiln diff --json`'s shape; generated/diff.schema.json describes it. */
export const DIFF_JSON_FORMAT = 1;

/** What `kiln diff --json` prints: the diff with its format and schema. */
export interface AbiDiffJson extends AbiDiff {
  /** `diff.schema.json`. */
  readonly $schema: string;
  readonly format: typeof DIFF_JSON_FORMAT;
}

/** `kiln diff --json`'s document for a diff. */
export function diffJson(d: AbiDiff): AbiDiffJson {
  return { $schema: "diff.schema.json", format: DIFF_JSON_FORMAT, ...d };
}

export interface AbiDiff {
  readonly family: Family;
  readonly from: string;
  readonly to: string;
  readonly header: readonly HeaderChange[];
  /** Kernel syscalls, or program slots. */
  readonly calls: TableDiff;
  /** Kernel messages (empty for programs). */
  readonly messages: TableDiff;
  readonly structs: StructsDiff;
  readonly sharedPage: RegionDiff | null;
  readonly ring: RegionDiff | null;
  /**
   * Kernel diffs only: every (program, slot) whose realisation differs between the two kernels, and
   * those whose route is the same but reads a structure or shared page whose layout changed.
   */
  readonly routes: readonly RouteChange[];
}

// ---------------------------------------------------------------------------------------------

function familyOf(spec: Spec, version: string): { family: Family; abi: KernelAbi | ProgramAbi } | null {
  const k = spec.kernels.find((x) => x.version === version);
  if (k) return { family: "kernel", abi: k };
  const p = spec.programs.find((x) => x.version === version);
  if (p) return { family: "program", abi: p };
  return null;
}

/** Every version of the spec, by family, in numeric order. */
export function versionsOf(spec: Spec): { programs: string[]; kernels: string[] } {
  const sort = (xs: string[]) => xs.sort((a, b) => versionNumber(a) - versionNumber(b));
  return { programs: sort(spec.programs.map((p) => p.version)), kernels: sort(spec.kernels.map((k) => k.version)) };
}

/** Consecutive pairs of each family: p1→p2, p2→p3, k1→k2, k2→k3. */
export function consecutivePairs(spec: Spec): [string, string][] {
  const { programs, kernels } = versionsOf(spec);
  const pairs = (xs: string[]) => xs.slice(1).map((v, i) => [xs[i]!, v] as [string, string]);
  return [...pairs(programs), ...pairs(kernels)];
}

const sameArgs = (a: readonly ArgSpec[], b: readonly ArgSpec[]) =>
  a.length === b.length && a.every((x, i) => x.name === b[i]!.name && x.type === b[i]!.type);
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const srcOf = (at: { file: string; line: number }) => `${at.file}:${at.line}`;

function diffTable(a: readonly Entry[], b: readonly Entry[]): TableDiff {
  const byId = (xs: readonly Entry[]) => new Map(xs.map((e) => [e.id, e]));
  const ma = byId(a);
  const mb = byId(b);
  const order = (xs: Entry[]) => xs.sort((x, y) => x.number - y.number || x.id.localeCompare(y.id));
  const added = order(b.filter((e) => !ma.has(e.id)));
  const removed = order(a.filter((e) => !mb.has(e.id)));
  const renumbered: Renumbered[] = [];
  const changed: Changed[] = [];
  for (const e of [...a].sort((x, y) => x.number - y.number)) {
    const f = mb.get(e.id);
    if (!f) continue;
    if (e.number !== f.number) renumbered.push({ id: e.id, from: e.number, to: f.number, src: f.src });
    const aspects: EntryAspect[] = [];
    if (!sameArgs(e.args, f.args)) aspects.push("args");
    if (e.ret !== f.ret) aspects.push("ret");
    if (!sameList(e.errors, f.errors)) aspects.push("errors");
    if (aspects.length > 0) changed.push({ id: e.id, aspects, from: e, to: f });
  }
  return { added, removed, renumbered, changed };
}

export function diffStruct(a: StructLayout, b: StructLayout): StructChange | null {
  const fields: FieldChange[] = [];
  const fb = new Map(b.fields.map((f) => [f.name, f]));
  const fa = new Map(a.fields.map((f) => [f.name, f]));
  const shape = (f: { offset: number; size: number; type: string }) => ({ offset: f.offset, size: f.size, type: f.type });
  for (const f of a.fields) {
    const g = fb.get(f.name);
    if (!g) {
      fields.push({ field: f.name, kinds: ["removed"], from: shape(f), to: null });
      continue;
    }
    const kinds: FieldChangeKind[] = [];
    if (f.offset !== g.offset) kinds.push("moved");
    if (f.size !== g.size) kinds.push("resized");
    if (f.type !== g.type) kinds.push("retyped");
    if (kinds.length > 0) fields.push({ field: f.name, kinds, from: shape(f), to: shape(g) });
  }
  for (const g of b.fields) if (!fa.has(g.name)) fields.push({ field: g.name, kinds: ["added"], from: null, to: shape(g) });
  const size = a.size !== b.size ? { from: a.size, to: b.size } : null;
  const align = a.align !== b.align ? { from: a.align, to: b.align } : null;
  if (fields.length === 0 && !size && !align) return null;
  // Fields in the order of the newer layout (removed ones where they were), so the change reads top-down.
  const pos = (c: FieldChange) => (c.to ? c.to.offset : c.from!.offset);
  fields.sort((x, y) => pos(x) - pos(y) || x.field.localeCompare(y.field));
  return { name: a.name, size, align, fields, srcFrom: a.src, srcTo: b.src };
}

function diffStructs(a: Record<string, StructLayout>, b: Record<string, StructLayout>): StructsDiff {
  const names = (r: Record<string, StructLayout>) => Object.keys(r).sort();
  const added = names(b).filter((n) => !(n in a)).map((n) => ({ name: n, size: b[n]!.size, src: b[n]!.src }));
  const removed = names(a).filter((n) => !(n in b)).map((n) => ({ name: n, size: a[n]!.size, src: a[n]!.src }));
  const changed = names(a)
    .filter((n) => n in b)
    .map((n) => diffStruct(a[n]!, b[n]!))
    .filter((c): c is StructChange => c !== null);
  return { added, removed, changed };
}

function diffRegion(
  nameA: string | null,
  nameB: string | null,
  la: Record<string, StructLayout>,
  lb: Record<string, StructLayout>,
): RegionDiff {
  if (!nameA && !nameB) return { from: null, to: null, status: "none", layout: null };
  if (!nameA) return { from: null, to: nameB, status: "added", layout: null };
  if (!nameB) return { from: nameA, to: null, status: "removed", layout: null };
  const a = la[nameA];
  const b = lb[nameB];
  const layout = a && b ? diffStruct(a, b) : null;
  if (nameA !== nameB) return { from: nameA, to: nameB, status: "renamed", layout };
  return { from: nameA, to: nameB, status: layout ? "changed" : "same", layout };
}

function header(pairs: [string, string | number | null, string | number | null][]): HeaderChange[] {
  return pairs.filter(([, a, b]) => a !== b).map(([column, from, to]) => ({ column, from, to }));
}

// ---- routes --------------------------------------------------------------------------------

export function routeSummary(r: Realisation): string {
  const parts: string[] = [r.route];
  if (r.call) parts.push(r.call);
  if (r.nr !== null) parts.push(`#${r.nr}`);
  if (r.opcode !== null) parts.push(`op ${r.opcode}`);
  if (r.recipe) parts.push(`(${r.recipe})`);
  for (const t of r.translate) parts.push(`[${t.arg}: ${t.to} ${ARROWS[t.direction]} ${t.from}]`);
  return parts.join(" ");
}

/** An argument of a realisation as the spec writes it: a slot argument, an integer or constant, "". */
function operandText(a: unknown): string {
  if (typeof a === "string") return a;
  const o = a as { kind?: string; name?: string; value?: unknown };
  if (o.kind === "arg") return o.name ?? "?";
  if (o.kind === "int") return o.name ?? String(o.value);
  if (o.kind === "string") return JSON.stringify(o.value ?? "");
  return JSON.stringify(a);
}

function side(r: Realisation | undefined): RouteSide | null {
  if (!r) return null;
  return {
    route: r.route,
    call: r.call,
    nr: r.nr,
    opcode: r.opcode,
    args: (r.args as readonly unknown[]).map(operandText),
    translate: r.translate.map((t) => `${t.arg}: ${t.to} ${ARROWS[t.direction]} ${t.from}`),
    recipe: r.recipe,
    src: r.src,
    summary: routeSummary(r),
  };
}

const sameSide = (a: RouteSide | null, b: RouteSide | null) =>
  !!a &&
  !!b &&
  a.route === b.route &&
  a.call === b.call &&
  a.nr === b.nr &&
  a.opcode === b.opcode &&
  a.recipe === b.recipe &&
  sameList(a.args, b.args) &&
  sameList(a.translate, b.translate);

/** Stable keys of the changes a diff lists, used as route-change causes and as anchors. */
export function changeKey(kind: string, subject: string): string {
  return `${kind}:${subject}`;
}

/** Every cause key a diff lists, with a one-line description. */
export function changeIndex(d: AbiDiff): Map<string, string> {
  const out = new Map<string, string>();
  const what = d.family === "kernel" ? "call" : "slot";
  for (const e of d.calls.added) out.set(changeKey(`${what}.added`, e.id), `${what} ${e.id} added (${d.family === "kernel" ? "nr" : "slot"} ${e.number})`);
  for (const e of d.calls.removed) out.set(changeKey(`${what}.removed`, e.id), `${what} ${e.id} removed (was ${e.number})`);
  for (const r of d.calls.renumbered) out.set(changeKey(`${what}.renumbered`, r.id), `${what} ${r.id} renumbered ${r.from} → ${r.to}`);
  for (const c of d.calls.changed) out.set(changeKey(`${what}.changed`, c.id), `${what} ${c.id}: ${c.aspects.join(", ")} changed`);
  for (const e of d.messages.added) out.set(changeKey("message.added", e.id), `message ${e.id} added (opcode ${e.number})`);
  for (const e of d.messages.removed) out.set(changeKey("message.removed", e.id), `message ${e.id} removed (was opcode ${e.number})`);
  for (const r of d.messages.renumbered) out.set(changeKey("message.renumbered", r.id), `message ${r.id} opcode ${r.from} → ${r.to}`);
  for (const c of d.messages.changed) out.set(changeKey("message.changed", c.id), `message ${c.id}: ${c.aspects.join(", ")} changed`);
  for (const s of d.structs.added) out.set(changeKey("struct.added", s.name), `structure ${s.name} added`);
  for (const s of d.structs.removed) out.set(changeKey("struct.removed", s.name), `structure ${s.name} removed`);
  for (const s of d.structs.changed) out.set(changeKey("struct.changed", s.name), `structure ${s.name} changed`);
  if (d.sharedPage && d.sharedPage.status !== "same" && d.sharedPage.status !== "none") out.set(changeKey("shared-page", d.sharedPage.status), `shared page ${d.sharedPage.status}`);
  if (d.ring && d.ring.status !== "same" && d.ring.status !== "none") out.set(changeKey("ring", d.ring.status), `message ring ${d.ring.status}`);
  out.set(changeKey("realise", "row"), "the kernel's realise table says so");
  return out;
}

function routeChanges(spec: Spec, a: KernelAbi, b: KernelAbi, d: Omit<AbiDiff, "routes">): RouteChange[] {
  const out: RouteChange[] = [];
  const recipes = new Map(spec.recipes.map((r) => [r.name, r]));
  const keys = changeIndex({ ...d, routes: [] });
  const has = (k: string) => keys.has(k);
  const programs = [...spec.programs].sort((x, y) => versionNumber(x.version) - versionNumber(y.version));
  for (const p of programs) {
    const ra = new Map(realise(spec, p, a, null).map((r) => [r.id, r]));
    const rb = new Map(realise(spec, p, b, null).map((r) => [r.id, r]));
    for (const slot of [...p.slots].sort((x, y) => x.slot - y.slot)) {
      const x = ra.get(slot.id);
      const y = rb.get(slot.id);
      const sx = side(x);
      const sy = side(y);
      const same = sameSide(sx, sy);
      // What each side depends on: the calls and messages it traps to or its recipe uses, the
      // structures it translates, the shared page (userspace recipes), the ring (messages). A call
      // removed forces the slots that used it; one added, those that use it now; a renumbering or
      // signature change, those that use it on both sides.
      const uses = (r: Realisation | undefined) => {
        const calls = new Set<string>();
        const structs = new Set<string>();
        if (r?.call) calls.add(r.call);
        for (const u of (r?.recipe ? recipes.get(r.recipe)?.uses : undefined) ?? []) calls.add(u);
        for (const t of r?.translate ?? []) structs.add(t.from);
        return { calls, structs, page: r?.route === "userspace", ring: r?.route === "message" };
      };
      const ua = uses(x);
      const ub = uses(y);
      const causes: string[] = [];
      const all = [...new Set([...ua.calls, ...ub.calls])].sort();
      for (const c of all) {
        const inA = ua.calls.has(c);
        const inB = ub.calls.has(c);
        for (const fam of ["call", "message"]) {
          if (inA && has(changeKey(`${fam}.removed`, c))) causes.push(changeKey(`${fam}.removed`, c));
          if (inB && has(changeKey(`${fam}.added`, c))) causes.push(changeKey(`${fam}.added`, c));
          if (inA && inB && has(changeKey(`${fam}.renumbered`, c))) causes.push(changeKey(`${fam}.renumbered`, c));
          if (inA && inB && has(changeKey(`${fam}.changed`, c))) causes.push(changeKey(`${fam}.changed`, c));
        }
      }
      for (const s of [...new Set([...ua.structs, ...ub.structs])].sort()) {
        for (const kind of ["struct.added", "struct.removed", "struct.changed"]) if (has(changeKey(kind, s))) causes.push(changeKey(kind, s));
      }
      if (ua.page || ub.page) for (const k of keys.keys()) if (k.startsWith("shared-page:")) causes.push(k);
      if (ua.ring || ub.ring) for (const k of keys.keys()) if (k.startsWith("ring:")) causes.push(k);
      if (same) {
        // Same route, but what it reads moved: the layer's code for the slot changes all the same.
        const layout = causes.filter((c) => c.startsWith("struct.changed:") || c === changeKey("shared-page", "changed"));
        if (layout.length > 0) out.push({ program: p.version, slot: slot.slot, id: slot.id, from: sx, to: sy, causes: layout, sameRoute: true });
        continue;
      }
      const fromRow = x && x.src.startsWith(a.file + ":") && a.realise.some((r) => r.slot === slot.id);
      const toRow = y && y.src.startsWith(b.file + ":") && b.realise.some((r) => r.slot === slot.id);
      if (fromRow || toRow) causes.push(changeKey("realise", "row"));
      out.push({ program: p.version, slot: slot.slot, id: slot.id, from: sx, to: sy, causes, sameRoute: false });
    }
  }
  return out;
}

// ---- entry point -----------------------------------------------------------------------------

/** Diff two versions of one family. Throws DiffError for unknown versions or mixed families. */
export function diffAbis(spec: Spec, from: string, to: string): AbiDiff {
  const fa = familyOf(spec, from);
  const fb = familyOf(spec, to);
  const { programs, kernels } = versionsOf(spec);
  const known = `known versions: ${[...programs, ...kernels].join(", ")}`;
  if (!fa) throw new DiffError(`unknown ABI version \`${from}\`; ${known}`);
  if (!fb) throw new DiffError(`unknown ABI version \`${to}\`; ${known}`);
  if (fa.family !== fb.family) {
    throw new DiffError(`cannot diff a ${fa.family} ABI (${from}) against a ${fb.family} ABI (${to}); diff two program ABIs (p1 p2) or two kernel ABIs (k1 k2)`);
  }
  const la = layoutsOf(spec, fa.abi);
  const lb = layoutsOf(spec, fb.abi);
  const structs = diffStructs(la, lb);
  if (fa.family === "program") {
    const a = fa.abi as ProgramAbi;
    const b = fb.abi as ProgramAbi;
    const entries = (p: ProgramAbi): Entry[] =>
      p.slots.map((s) => ({ id: s.id, number: s.slot, args: s.args, ret: s.ret, errors: s.errors, src: srcOf(s.at) }));
    return {
      family: "program",
      from,
      to,
      header: header([
        ["title", a.title, b.title],
        ["base", a.base, b.base],
        ["stub size", a.stubSize, b.stubSize],
        ["slot size", a.slotSize, b.slotSize],
        ["native kernel", a.nativeKernel, b.nativeKernel],
      ]),
      calls: diffTable(entries(a), entries(b)),
      messages: { added: [], removed: [], renumbered: [], changed: [] },
      structs,
      sharedPage: null,
      ring: null,
      routes: [],
    };
  }
  const a = fa.abi as KernelAbi;
  const b = fb.abi as KernelAbi;
  const calls = (k: KernelAbi): Entry[] =>
    k.syscalls.map((s) => ({ id: s.id, number: s.nr, args: s.args, ret: s.ret, errors: s.errors, src: srcOf(s.at) }));
  const messages = (k: KernelAbi): Entry[] =>
    k.messages.map((m) => ({ id: m.id, number: m.opcode, args: m.args, ret: m.ret, errors: m.errors, src: srcOf(m.at) }));
  const partial = {
    family: "kernel" as const,
    from,
    to,
    header: header([
      ["title", a.title, b.title],
      ["base", a.base, b.base],
      ["shared page", a.sharedPage, b.sharedPage],
      ["ring", a.ring, b.ring],
    ]),
    calls: diffTable(calls(a), calls(b)),
    messages: diffTable(messages(a), messages(b)),
    structs,
    sharedPage: diffRegion(a.sharedPage, b.sharedPage, la, lb),
    ring: diffRegion(a.ring, b.ring, la, lb),
  };
  return { ...partial, routes: routeChanges(spec, a, b, partial) };
}

// ---- human text ----------------------------------------------------------------------------

const sig = (e: Entry) => `(${e.args.map((x) => `${x.name}: ${x.type}`).join(", ")}) → ${e.ret}`;
const shapeText = (s: { offset: number; size: number; type: string } | null) => (s ? `@${s.offset} ${s.size}B ${s.type}` : "—");

export function fieldChangeText(f: FieldChange): string {
  if (f.kinds.includes("added")) return `+ ${f.field} ${shapeText(f.to)}`;
  if (f.kinds.includes("removed")) return `- ${f.field} ${shapeText(f.from)}`;
  return `~ ${f.field} ${f.kinds.join(", ")}: ${shapeText(f.from)} → ${shapeText(f.to)}`;
}

function structText(c: StructChange, indent: string): string[] {
  const lines: string[] = [];
  const bits: string[] = [];
  if (c.size) bits.push(`size ${c.size.from} → ${c.size.to}`);
  if (c.align) bits.push(`align ${c.align.from} → ${c.align.to}`);
  lines.push(`${indent}${c.name}${bits.length ? ` (${bits.join(", ")})` : ""}`);
  for (const f of c.fields) lines.push(`${indent}  ${fieldChangeText(f)}`);
  return lines;
}

/** The diff as human-readable text, one section per kind of change; empty sections are left out. */
export function formatDiff(d: AbiDiff): string {
  const out: string[] = [`${d.family} ABI ${d.from} → ${d.to}`];
  const section = (title: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.push("", `${title}:`, ...lines.map((l) => `  ${l}`));
  };
  const what = d.family === "kernel" ? "calls" : "slots";
  const num = d.family === "kernel" ? "nr" : "slot";
  section("header", d.header.map((h) => `${h.column}: ${h.from ?? "—"} → ${h.to ?? "—"}`));
  section(`${what} added`, d.calls.added.map((e) => `+ ${e.id} (${num} ${e.number}) ${sig(e)}  [${e.src}]`));
  section(`${what} removed`, d.calls.removed.map((e) => `- ${e.id} (${num} ${e.number})  [${e.src}]`));
  section(`${what} renumbered`, d.calls.renumbered.map((r) => `~ ${r.id} ${r.from} → ${r.to}`));
  section(
    `${what} changed`,
    d.calls.changed.map((c) => `~ ${c.id}: ${c.aspects.join(", ")}: ${sig(c.from)} [${c.from.errors.join(", ") || "—"}] → ${sig(c.to)} [${c.to.errors.join(", ") || "—"}]`),
  );
  section("messages added", d.messages.added.map((e) => `+ ${e.id} (opcode ${e.number}) ${sig(e)}  [${e.src}]`));
  section("messages removed", d.messages.removed.map((e) => `- ${e.id} (opcode ${e.number})`));
  section("messages renumbered", d.messages.renumbered.map((r) => `~ ${r.id} ${r.from} → ${r.to}`));
  section("messages changed", d.messages.changed.map((c) => `~ ${c.id}: ${c.aspects.join(", ")}`));
  section("structures added", d.structs.added.map((s) => `+ ${s.name} (${s.size} bytes)  [${s.src}]`));
  section("structures removed", d.structs.removed.map((s) => `- ${s.name} (${s.size} bytes)`));
  const regions = new Set([d.sharedPage?.layout?.name, d.ring?.layout?.name].filter(Boolean));
  section("structures changed", d.structs.changed.flatMap((c) => (regions.has(c.name) ? [`${c.name} (see below)`] : structText(c, ""))));
  for (const [title, r] of [["shared page", d.sharedPage], ["message ring", d.ring]] as const) {
    if (!r || r.status === "none" || r.status === "same") continue;
    const head = r.status === "added" ? `added: ${r.to}` : r.status === "removed" ? `removed (was ${r.from})` : r.status === "renamed" ? `now ${r.to} (was ${r.from})` : "layout changed:";
    section(title, [head, ...(r.layout ? structText(r.layout, "  ") : [])]);
  }
  if (d.family === "kernel") {
    const idx = changeIndex(d);
    section(
      "routes forced (program slot: route on " + d.from + " → route on " + d.to + ")",
      d.routes.map((r) =>
        r.sameRoute
          ? `${r.program}.${r.id}: ${r.to?.summary ?? "no route"} (same route, new layout)  because ${r.causes.map((c) => idx.get(c) ?? c).join("; ")}`
          : `${r.program}.${r.id}: ${r.from?.summary ?? "no route"} → ${r.to?.summary ?? "no route"}${r.causes.length ? `  because ${r.causes.map((c) => idx.get(c) ?? c).join("; ")}` : ""}`,
      ),
    );
  }
  if (out.length === 1) out.push("", "no differences");
  return `${out.join("\n")}\n`;
}
