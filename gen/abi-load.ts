// Derives what handwritten code reads from the ABI's data (generated/abi/*.json, each fact stored
// once): every kernel's dispatch table with the structures it inherits, every program's tables,
// how every (program, kernel) pair realises each slot, structure offsets, and the chapters'
// lookups. generated/index.ts calls loadAbi once at import; the generator calls the same code
// (abi.json, `--spec DIR`), so there is one implementation of the route rules.
import { SCALARS } from "./scalars.ts";
import type {
  ChaptersData,
  FieldCopy,
  KernelData,
  KernelDispatch,
  Operand,
  PairRealisation,
  ProgramData,
  ProgramTables,
  RecipeRow,
  ResolvedArgumentRule,
  SelectionRow,
  SlotRealisation,
  SlotRow,
  StructData,
  StructLayout,
  TranslationPlan,
} from "./types.ts";

/** Every data file of a spec: the chapters' tables and one file per ABI version. */
export interface AbiData {
  readonly chapters: ChaptersData;
  readonly kernels: readonly KernelData[];
  readonly programs: readonly ProgramData[];
}

/** Numeric order of versions: k2 < k10. */
export const byVersion = <T extends { readonly version: string }>(xs: readonly T[]): T[] =>
  [...xs].sort((a, b) => Number(a.version.slice(1)) - Number(b.version.slice(1)));

export function structLayout(name: string, s: StructData): StructLayout {
  return { name, size: s.size, align: s.align, fields: Object.entries(s.fields).map(([f, v]) => ({ name: f, offset: v.offset, size: v.size, type: v.type })) };
}

/** Layouts of the structures seen through `scopes` (nearest first), sorted by name. */
function layoutsIn(scopes: readonly Readonly<Record<string, StructData>>[]): Record<string, StructLayout> {
  const names = [...new Set(scopes.flatMap((s) => Object.keys(s)))].sort();
  return Object.fromEntries(names.map((n) => [n, structLayout(n, scopes.find((s) => n in s)![n]!)]));
}

/** A kernel and its bases, nearest first (a cycle stops the walk; the validator reports it). */
function kernelChain(data: AbiData, k: KernelData): KernelData[] {
  const chain: KernelData[] = [];
  const seen = new Set<string>();
  let cur: KernelData | undefined = k;
  while (cur && !seen.has(cur.version)) {
    seen.add(cur.version);
    chain.push(cur);
    cur = cur.base ? data.kernels.find((x) => x.version === cur!.base) : undefined;
  }
  return chain;
}

/** Every structure kernel `k` sees: its own, its bases' (kernels inherit), the chapters'. */
export function kernelStructs(data: AbiData, k: KernelData): Record<string, StructLayout> {
  return layoutsIn([...kernelChain(data, k).map((x) => x.structs), data.chapters.structs]);
}

/** Every structure program `p` sees: its own (program ABIs repeat theirs) and the chapters'. */
export function programStructs(data: AbiData, p: ProgramData): Record<string, StructLayout> {
  return layoutsIn([p.structs, data.chapters.structs]);
}

/** structure → field → offset, plus each structure's size under `SIZE` (no spec field is upper case). */
export function offsetsOf(layouts: Readonly<Record<string, StructLayout>>): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(layouts).map(([n, l]) => {
      const out: Record<string, number> = {};
      for (const f of l.fields) out[f.name] = f.offset;
      out.SIZE = l.size;
      return [n, out];
    }),
  );
}

/** What effectiveRealise needs of a kernel: the spec model and the data files both have it. */
export interface RealiseScope<R extends { readonly slot: string }> {
  readonly version: string;
  readonly base: string | null;
  readonly realise: readonly R[];
  readonly syscalls: readonly { readonly id: string }[];
  readonly messages: readonly { readonly id: string }[];
}

/**
 * The realise rows that apply to kernel `k`, by slot, with the version whose table holds each: its
 * own, then its bases' (nearest first). A base's row lapses when it worked around a call the base
 * lacked and `k` has that call; a row its kernel chose over a call it had (getpid from the shared
 * page) is inherited.
 */
export function effectiveRealise<R extends { readonly slot: string }>(
  k: RealiseScope<R>,
  kernelOf: (version: string) => RealiseScope<R> | undefined,
): Map<string, { readonly row: R; readonly owner: string }> {
  const rows = new Map<string, { row: R; owner: string }>();
  for (const r of k.realise) if (!rows.has(r.slot)) rows.set(r.slot, { row: r, owner: k.version });
  const seen = new Set<string>([k.version]);
  const has = (kk: RealiseScope<R>, id: string) => kk.syscalls.some((c) => c.id === id) || kk.messages.some((m) => m.id === id);
  let base = k.base ? kernelOf(k.base) : undefined;
  while (base && !seen.has(base.version)) {
    seen.add(base.version);
    for (const r of base.realise) {
      const lapsed = has(k, r.slot) && !has(base, r.slot);
      if (!rows.has(r.slot) && !lapsed) rows.set(r.slot, { row: r, owner: base.version });
    }
    base = base.base ? kernelOf(base.base) : undefined;
  }
  return rows;
}

/** Every constant by name (the first, in spec order, when two groups share one). */
function constantValues(c: ChaptersData): Map<string, number> {
  const out = new Map<string, number>();
  for (const group of Object.values(c.constants)) for (const [n, v] of Object.entries(group)) if (!out.has(n)) out.set(n, v.value);
  return out;
}

function operands(constants: ReadonlyMap<string, number>, slotArgs: readonly { name: string }[], exprs: readonly string[]): Operand[] {
  return exprs.map((e): Operand => {
    if (e === '""') return { kind: "string", value: "" };
    if (/^-?\d+$/.test(e)) return { kind: "int", value: Number(e) };
    if (/^0x/i.test(e)) return { kind: "int", value: Number.parseInt(e.slice(2), 16) };
    const v = constants.get(e);
    if (v !== undefined) return { kind: "int", value: v, name: e };
    return { kind: "arg", name: e, index: slotArgs.findIndex((a) => a.name === e) };
  });
}

/** Anything with named, placed, typed fields: a spec structure or its computed layout. */
interface FieldList {
  readonly fields: readonly { readonly name: string; readonly offset: number; readonly type: string }[];
}

/** A dotted path to a scalar field (`stx_mtime.tv_sec`): its offset and type, or null. */
export function resolveFieldPath<S extends FieldList>(s: S, path: string, lookup: (name: string) => S | undefined): { offset: number; type: string } | null {
  let cur: S | undefined = s;
  let offset = 0;
  const parts = path.split(".");
  for (let i = 0; i < parts.length; i++) {
    const f: S["fields"][number] | undefined = cur?.fields.find((x) => x.name === parts[i]);
    if (!f) return null;
    offset += f.offset;
    if (i === parts.length - 1) return SCALARS[f.type] ? { offset, type: f.type } : null;
    cur = lookup(f.type);
  }
  return null;
}

/** A kernel's field map for a structure, inherited from its base kernels like structures are. */
function fieldmapFor(data: AbiData, k: KernelData, struct: string): Readonly<Record<string, string>> | undefined {
  for (const cur of kernelChain(data, k)) {
    if (struct in cur.structs) return cur.fieldmaps[struct];
    if (cur.fieldmaps[struct]) return cur.fieldmaps[struct];
  }
  return undefined;
}

/** The copy plans of a row's translations, each given its own 8-aligned place in the scratch buffer. */
function plans(
  data: AbiData,
  k: KernelData,
  pStructs: Readonly<Record<string, StructLayout>>,
  kStructs: Readonly<Record<string, StructLayout>>,
  slotArgs: readonly { name: string }[],
  ts: KernelData["realise"][number]["translate"],
): TranslationPlan[] {
  const out: TranslationPlan[] = [];
  let at = 0;
  for (const t of ts) {
    const to = pStructs[t.to];
    const from = kStructs[t.from];
    if (!to || !from) continue;
    const map = fieldmapFor(data, k, t.from);
    const copies: FieldCopy[] = [];
    const zero: { field: string; offset: number; size: number }[] = [];
    for (const f of to.fields) {
      const path = SCALARS[f.type] ? (map ? map[f.name] : f.name) : undefined;
      const src = path ? resolveFieldPath(from, path, (n) => kStructs[n]) : null;
      if (src) copies.push({ field: f.name, toOffset: f.offset, toType: f.type, fromOffset: src.offset, fromType: src.type });
      else zero.push({ field: f.name, offset: f.offset, size: f.size });
    }
    out.push({ arg: t.arg, argIndex: slotArgs.findIndex((a) => a.name === t.arg), direction: t.direction, scratchOffset: at, to: t.to, toSize: to.size, from: t.from, fromSize: from.size, copies, zero });
    at = Math.ceil((at + from.size) / 8) * 8;
  }
  return out;
}

/** What every pair reuses: each version's structures and the constants, computed once per load. */
interface Seen {
  readonly kernels: ReadonlyMap<string, Record<string, StructLayout>>;
  readonly programs: ReadonlyMap<string, Record<string, StructLayout>>;
  readonly constants: ReadonlyMap<string, number>;
}

/**
 * How kernel `k` realises every slot of program `p`. A slot without a realise row is realised by the
 * kernel's call of the same id (direct when its number equals the native kernel's, else renumbered),
 * or by its message of the same id; otherwise it has no route: `onMissing` hears of it and the slot
 * is left out.
 */
export function realisePair(data: AbiData, p: ProgramData, k: KernelData, onMissing?: (slot: SlotRow) => void, seen?: Seen): SlotRealisation[] {
  const kernelOf = (v: string) => data.kernels.find((x) => x.version === v);
  const native = kernelOf(p.nativeKernel);
  const rows = effectiveRealise(k, kernelOf);
  const constants = seen?.constants ?? constantValues(data.chapters);
  const pStructs = seen?.programs.get(p.version) ?? programStructs(data, p);
  const kStructs = seen?.kernels.get(k.version) ?? kernelStructs(data, k);
  const out: SlotRealisation[] = [];
  for (const slot of [...p.slots].sort((a, b) => a.slot - b.slot)) {
    const found = rows.get(slot.id);
    const identity = slot.args.map((a) => a.name);
    if (found) {
      const { row, owner } = found;
      const call = row.call ? k.syscalls.find((s) => s.id === row.call) : undefined;
      const msg = row.call && row.route === "message" ? k.messages.find((m) => m.id === row.call) : undefined;
      out.push({
        slot: slot.slot,
        id: slot.id,
        route: row.route,
        call: row.call,
        nr: row.route === "message" ? null : (call?.nr ?? null),
        opcode: msg?.opcode ?? null,
        args: operands(constants, slot.args, row.args.length > 0 ? row.args : row.call ? identity : []),
        translate: plans(data, k, pStructs, kStructs, slot.args, row.translate),
        recipe: row.recipe,
        by: `${owner}.realise.${slot.id}`,
      });
      continue;
    }
    const call = k.syscalls.find((s) => s.id === slot.id);
    if (call) {
      const nativeNr = native?.syscalls.find((s) => s.id === slot.id)?.nr;
      out.push({ slot: slot.slot, id: slot.id, route: nativeNr === call.nr ? "direct" : "renumbered", call: call.id, nr: call.nr, opcode: null, args: operands(constants, slot.args, identity), translate: [], recipe: null, by: `${k.version}.${call.id}` });
      continue;
    }
    const msg = k.messages.find((m) => m.id === slot.id);
    if (msg) {
      out.push({ slot: slot.slot, id: slot.id, route: "message", call: msg.id, nr: null, opcode: msg.opcode, args: operands(constants, slot.args, identity), translate: [], recipe: null, by: `${k.version}.msg.${msg.id}` });
      continue;
    }
    onMissing?.(slot);
  }
  return out;
}

/** The constants an argument rule's selector names: a group, its names with a prefix, or one name. */
export function selectConstants(c: ChaptersData, selector: string): { name: string; value: number }[] {
  const [group, pick] = selector.split(":") as [string, string | undefined];
  return Object.entries(c.constants[group] ?? {})
    .filter(([n]) => pick === undefined || (pick.endsWith("*") ? n.startsWith(pick.slice(0, -1)) : n === pick))
    .map(([name, v]) => ({ name, value: v.value }));
}

export function argumentRules(c: ChaptersData): ResolvedArgumentRule[] {
  const values = constantValues(c);
  return c.argumentRules.map((r) => {
    const mask = r.mask !== null && values.has(r.mask) ? { name: r.mask, value: values.get(r.mask)! } : null;
    return { ...r, names: r.constants ? selectConstants(c, r.constants).filter((x) => x.name !== r.mask) : [], mask };
  });
}

/** Everything generated/index.ts exports, derived from the data. */
export interface Abi {
  readonly kernels: Record<string, KernelDispatch>;
  readonly programs: Record<string, ProgramTables>;
  /** Every (program, kernel) realisation, by "pN-kM". */
  readonly realisations: Record<string, PairRealisation>;
  readonly kernelVersions: string[];
  readonly programVersions: string[];
  /** Error numbers by name (spec/errors.md). */
  readonly errno: Record<string, number>;
  /** What each error number means (spec/errors.md), as strace shows it. */
  readonly errnoText: Record<string, string>;
  /** Named constants by group, then name. */
  readonly constants: Record<string, Record<string, number>>;
  /** Structures the chapters define (TLS block, layer image header, …). */
  readonly structs: Record<string, StructLayout>;
  /** Field offsets (and `SIZE`) of the chapters' structures, for hand-written code. */
  readonly offsets: Record<string, Record<string, number>>;
  /** Which layer file the loader maps for a (program, kernel) pair. */
  readonly selection: SelectionRow[];
  /** The recipes routes refer to, with the cost per call each promises (null: none). */
  readonly recipes: RecipeRow[];
  /** How tools read arguments (spec/errors.md): direction, length argument, format, constants. */
  readonly argumentRules: ResolvedArgumentRule[];
}

export function loadAbi(data: AbiData): Abi {
  const c = data.chapters;
  const kernels = byVersion(data.kernels);
  const programs = byVersion(data.programs);
  const structs = layoutsIn([c.structs]);
  const seen: Seen = {
    kernels: new Map(kernels.map((k) => [k.version, kernelStructs(data, k)])),
    programs: new Map(programs.map((p) => [p.version, programStructs(data, p)])),
    constants: constantValues(c),
  };
  return {
    kernels: Object.fromEntries(
      kernels.map((k) => [k.version, { version: k.version, sharedPage: k.sharedPage, ring: k.ring, syscalls: k.syscalls, messages: k.messages, structs: seen.kernels.get(k.version)! }]),
    ),
    programs: Object.fromEntries(
      programs.map((p) => [p.version, { version: p.version, stubSize: p.stubSize, slotSize: p.slotSize, nativeKernel: p.nativeKernel, slots: p.slots, structs: seen.programs.get(p.version)! }]),
    ),
    realisations: Object.fromEntries(
      programs.flatMap((p) =>
        kernels.map((k) => {
          const sel = c.selection.find((s) => s.program === p.version && s.kernel === k.version);
          return [`${p.version}-${k.version}`, { program: p.version, kernel: k.version, layer: sel?.layer ?? null, path: sel?.path ?? null, slots: realisePair(data, p, k, undefined, seen) }];
        }),
      ),
    ),
    kernelVersions: kernels.map((k) => k.version),
    programVersions: programs.map((p) => p.version),
    errno: Object.fromEntries(Object.entries(c.errno).map(([n, e]) => [n, e.value])),
    errnoText: Object.fromEntries(Object.entries(c.errno).map(([n, e]) => [n, e.meaning])),
    constants: Object.fromEntries(Object.entries(c.constants).map(([g, cs]) => [g, Object.fromEntries(Object.entries(cs).map(([n, v]) => [n, v.value]))])),
    structs,
    offsets: offsetsOf(structs),
    selection: [...c.selection],
    recipes: [...c.recipes],
    argumentRules: argumentRules(c),
  };
}

// The chapters' keys typed from the data file (generated/index.ts passes `typeof chapters`), so a
// misspelt constant or field name is a type error, as it was when the tables were TypeScript.
export type ErrnoOf<C extends { errno: object }> = { -readonly [N in keyof C["errno"]]: number };
export type ConstantsOf<C extends { constants: object }> = { -readonly [G in keyof C["constants"]]: { -readonly [N in keyof C["constants"][G]]: number } };
export type OffsetsOf<C extends { structs: object }> = {
  -readonly [S in keyof C["structs"]]: (C["structs"][S] extends { fields: infer F } ? { -readonly [N in keyof F]: number } : never) & { SIZE: number };
};
