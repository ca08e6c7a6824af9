// The spec's tables as the data files of generated/abi/ hold them: one file per ABI version and one
// for the chapters, each fact once, no line numbers (a prose edit changes no data file). What is
// derived from them (inherited structures, offsets, realisations) is gen/abi-load.ts's.
import type { AbiData } from "./abi-load.ts";
import { byVersion } from "./abi-load.ts";
import type { ChaptersData, KernelData, ProgramData, StructData } from "./types.ts";
import type { KernelAbi, ProgramAbi, Spec, Struct } from "./model.ts";
import { layoutOf, structScope } from "./layout.ts";

/** The structures an ABI (or the chapters, for null) defines itself, laid out in its own scope. */
function ownStructs(spec: Spec, abi: KernelAbi | ProgramAbi | null): Record<string, StructData> {
  const own: Map<string, Struct> = abi ? abi.structs : spec.structs;
  const lookup = structScope(spec, abi);
  const out: Record<string, StructData> = {};
  for (const name of [...own.keys()].sort()) {
    const l = layoutOf(own.get(name)!, lookup);
    if (l) out[name] = { size: l.size, align: l.align, fields: Object.fromEntries(l.fields.map((f) => [f.name, { offset: f.offset, size: f.size, type: f.type }])) };
  }
  return out;
}

function kernelData(spec: Spec, k: KernelAbi): KernelData {
  return {
    version: k.version,
    title: k.title,
    base: k.base,
    sharedPage: k.sharedPage,
    ring: k.ring,
    syscalls: [...k.syscalls].sort((a, b) => a.nr - b.nr).map((s) => ({ id: s.id, nr: s.nr, handler: s.handler, args: s.args, ret: s.ret, errors: s.errors, since: s.since, removed: s.removed })),
    messages: [...k.messages].sort((a, b) => a.opcode - b.opcode).map((m) => ({ id: m.id, opcode: m.opcode, handler: m.handler, args: m.args, ret: m.ret, errors: m.errors, since: m.since })),
    structs: ownStructs(spec, k),
    realise: k.realise.map((r) => ({ slot: r.slot, route: r.route, call: r.call, args: r.args, translate: r.translate, recipe: r.recipe })),
    fieldmaps: Object.fromEntries(k.fieldmaps.map((m) => [m.struct, Object.fromEntries(m.entries.map((e) => [e.field, e.from]))])),
  };
}

function programData(spec: Spec, p: ProgramAbi): ProgramData {
  return {
    version: p.version,
    title: p.title,
    base: p.base,
    stubSize: p.stubSize,
    slotSize: p.slotSize,
    nativeKernel: p.nativeKernel,
    published: spec.published.has(p.version),
    slots: [...p.slots].sort((a, b) => a.slot - b.slot).map((s) => ({ slot: s.slot, id: s.id, args: s.args, ret: s.ret, errors: s.errors, since: s.since })),
    structs: ownStructs(spec, p),
  };
}

function chaptersData(spec: Spec): ChaptersData {
  const groups = [...new Set(spec.constants.map((c) => c.group))].sort();
  return {
    convention: spec.convention.map((c) => ({ kind: c.kind, number: c.number, args: c.args, result: c.result, failure: c.failure })),
    types: spec.types.map((t) => ({ type: t.type, size: t.size, signed: t.signed, pointer: t.pointer, meaning: t.meaning })),
    errno: Object.fromEntries(spec.errno.map((e) => [e.name, { value: e.value, meaning: e.meaning }])),
    constants: Object.fromEntries(groups.map((g) => [g, Object.fromEntries(spec.constants.filter((c) => c.group === g).map((c) => [c.name, { value: c.value, meaning: c.meaning }]))])),
    structs: ownStructs(spec, null),
    selection: spec.selection.map((s) => ({ program: s.program, kernel: s.kernel, layer: s.layer, path: s.path })),
    recipes: spec.recipes.map((r) => ({ recipe: r.name, route: r.route, uses: r.uses, description: r.description, maxInsns: r.maxInsns, maxTraps: r.maxTraps })),
    argumentRules: spec.arguments.map((r) => ({ call: r.call, arg: r.arg, direction: r.direction, length: r.length, format: r.format, constants: r.constants, mask: r.mask })),
  };
}

const cache = new WeakMap<Spec, AbiData>();

/** Every data file's content, for a validated spec (`published` as spec/abi/published.json has it now). */
export function specData(spec: Spec): AbiData {
  let core = cache.get(spec);
  if (!core) {
    core = { chapters: chaptersData(spec), kernels: byVersion(spec.kernels).map((k) => kernelData(spec, k)), programs: byVersion(spec.programs).map((p) => programData(spec, p)) };
    cache.set(spec, core);
  }
  // checkSpec fills `published` after validating (which already asked for the data).
  return { ...core, programs: core.programs.map((p) => (p.published === spec.published.has(p.version) ? p : { ...p, published: spec.published.has(p.version) })) };
}
