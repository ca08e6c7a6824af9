// Builds every generated output from a validated spec: path → text. generated/ holds data, each
// fact once and cited by stable id, never by line: generated/abi/<version>.json per ABI version,
// generated/abi/chapters.json for the chapters' tables, generated/index.ts (which loads them through
// gen/abi-load.ts), the C headers and the JSON Schemas. abi.json is built here too, from the
// parsed spec with each row's spec line, for `kiln abi-json` and the site; it is not written to
// generated/ (it would repeat the data files).
import { loadAbi, type Abi } from "./abi-load.ts";
import { ABI_JSON_FORMAT, C_CONSTANTS_HEADER, type AbiJson } from "./types.ts";
import { resolveArguments } from "./arguments.ts";
import { cConstantsHeader, cHeader } from "./c-header.ts";
import { specData } from "./data.ts";
import { srcOf } from "./diagnostics.ts";
import { header, jsonText } from "./emit.ts";
import { abiJsonSchema, diffJsonSchema, matrixJsonSchema } from "./json-schema.ts";
import type { Spec } from "./model.ts";
import { layoutsOf, realise } from "./resolve.ts";

/** The schema's file name, beside abi.json (generated/, the site). */
export const ABI_SCHEMA_FILE = "abi.schema.json";

const byVersion = <T extends { version: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => Number(a.version.slice(1)) - Number(b.version.slice(1)));

/** The whole ABI as plain data: what `abi.json` holds and other tools read (docs/abi-json.md). */
export function abiJson(spec: Spec): AbiJson {
  const kernels = byVersion(spec.kernels);
  const programs = byVersion(spec.programs);
  return {
    $schema: ABI_SCHEMA_FILE,
    format: ABI_JSON_FORMAT,
    convention: spec.convention.map((c) => ({ kind: c.kind, number: c.number, args: c.args, result: c.result, failure: c.failure, src: srcOf(c.at) })),
    types: spec.types.map((t) => ({ type: t.type, size: t.size, signed: t.signed, pointer: t.pointer, meaning: t.meaning, src: srcOf(t.at) })),
    kernels: kernels.map((k) => ({
      version: k.version,
      sharedPage: k.sharedPage,
      ring: k.ring,
      syscalls: [...k.syscalls].sort((a, b) => a.nr - b.nr).map((s) => ({ id: s.id, nr: s.nr, handler: s.handler, args: s.args, ret: s.ret, errors: s.errors, since: s.since, removed: s.removed, src: srcOf(s.at) })),
      messages: [...k.messages].sort((a, b) => a.opcode - b.opcode).map((m) => ({ id: m.id, opcode: m.opcode, handler: m.handler, args: m.args, ret: m.ret, errors: m.errors, since: m.since, src: srcOf(m.at) })),
      structs: layoutsOf(spec, k),
      title: k.title,
      base: k.base,
      src: srcOf(k.at),
    })),
    programs: programs.map((p) => ({
      version: p.version,
      stubSize: p.stubSize,
      slotSize: p.slotSize,
      nativeKernel: p.nativeKernel,
      slots: [...p.slots].sort((a, b) => a.slot - b.slot).map((s) => ({ slot: s.slot, id: s.id, args: s.args, ret: s.ret, errors: s.errors, since: s.since, src: srcOf(s.at) })),
      structs: layoutsOf(spec, p),
      title: p.title,
      base: p.base,
      published: spec.published.has(p.version),
      src: srcOf(p.at),
    })),
    realisations: programs.flatMap((p) => kernels.map((k) => ({ program: p.version, kernel: k.version, slots: realise(spec, p, k, null) }))),
    selection: spec.selection.map((s) => ({ program: s.program, kernel: s.kernel, layer: s.layer, path: s.path, src: srcOf(s.at) })),
    recipes: spec.recipes.map((r) => ({ recipe: r.name, route: r.route, uses: r.uses, description: r.description, maxInsns: r.maxInsns, maxTraps: r.maxTraps, src: srcOf(r.at) })),
    errno: spec.errno.map((e) => ({ name: e.name, value: e.value, meaning: e.meaning, src: srcOf(e.at) })),
    constants: spec.constants.map((c) => ({ group: c.group, name: c.name, value: c.value, meaning: c.meaning, ...(c.kernelOnly ? { scope: "kernel" as const } : {}), src: srcOf(c.at) })),
    arguments: resolveArguments(spec, (r) => srcOf(r.at)),
    structs: layoutsOf(spec, null),
  };
}

/**
 * What generated/index.ts exports, as values: for commands that run on a spec directory other than
 * the checkout's (`--spec DIR`) without writing generated/. The same loader, so the same values.
 */
export function generatedData(spec: Spec): Abi {
  return loadAbi(specData(spec));
}

/** generated/index.ts: imports every data file and hands them to the loader. */
function indexModule(kernels: readonly string[], programs: readonly string[]): string {
  const json = (name: string) => `import ${name} from "./abi/${name}.json" with { type: "json" };`;
  return [
    header(["spec/*.md", "spec/abi/*.md"]),
    "// The ABI as data (generated/abi/*.json) and what gen/abi-load.ts derives from it on load.",
    "",
    `import { loadAbi, type ConstantsOf, type ErrnoOf, type OffsetsOf } from "../gen/abi-load.ts";`,
    `import type { ChaptersData, KernelData, ProgramData } from "../gen/types.ts";`,
    json("chapters"),
    ...kernels.map(json),
    ...programs.map(json),
    "",
    "const abi = loadAbi({",
    "  chapters: chapters as ChaptersData,",
    `  kernels: [${kernels.join(", ")}] as KernelData[],`,
    `  programs: [${programs.join(", ")}] as ProgramData[],`,
    "});",
    "",
    "export const { kernels, programs, realisations, kernelVersions, programVersions, errnoText, structs, selection, recipes, argumentRules } = abi;",
    "/** Error numbers by name (spec/errors.md). */",
    "export const errno = abi.errno as ErrnoOf<typeof chapters>;",
    "/** Named constants by group, then name. */",
    "export const constants = abi.constants as ConstantsOf<typeof chapters>;",
    "/** Field offsets (and `SIZE`) of the chapters' structures, for hand-written code. */",
    "export const offsets = abi.offsets as OffsetsOf<typeof chapters>;",
    "",
  ].join("\n");
}

export function generateAll(spec: Spec): Map<string, string> {
  const out = new Map<string, string>();
  const data = specData(spec);
  out.set("generated/abi/chapters.json", `${jsonText(data.chapters)}\n`);
  for (const k of data.kernels) out.set(`generated/abi/${k.version}.json`, `${jsonText(k)}\n`);
  for (const p of data.programs) out.set(`generated/abi/${p.version}.json`, `${jsonText(p)}\n`);
  out.set(
    "generated/index.ts",
    indexModule(
      data.kernels.map((k) => k.version),
      data.programs.map((p) => p.version),
    ),
  );
  for (const p of byVersion(spec.programs)) out.set(`generated/c/${p.version}/kiln.h`, cHeader(spec, p));
  out.set(`generated/c/${C_CONSTANTS_HEADER}`, cConstantsHeader(spec));
  out.set(`generated/${ABI_SCHEMA_FILE}`, `${JSON.stringify(abiJsonSchema(), null, 2)}\n`);
  out.set("generated/diff.schema.json", `${JSON.stringify(diffJsonSchema(), null, 2)}\n`);
  out.set("generated/matrix.schema.json", `${JSON.stringify(matrixJsonSchema(), null, 2)}\n`);
  return out;
}
