// Builds every generated output from a validated spec: path → text.
import { ABI_JSON_FORMAT, type AbiJson, type KernelDispatch, type MessageRow, type ProgramTables, type SyscallRow } from "./types.ts";
import { abiJsonSchema, diffJsonSchema, matrixJsonSchema } from "./json-schema.ts";

/** The schema's file name, beside abi.json (generated/, the site). */
export const ABI_SCHEMA_FILE = "abi.schema.json";
import { srcOf } from "./diagnostics.ts";
import { cHeader } from "./c-header.ts";
import { emitModule, literal } from "./emit.ts";
import type { KernelAbi, ProgramAbi, Spec } from "./model.ts";
import { layoutsOf, realise } from "./resolve.ts";
import { resolveArguments } from "./arguments.ts";

const byVersion = <T extends { version: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => Number(a.version.slice(1)) - Number(b.version.slice(1)));

function offsetsOf(layout: { fields: readonly { name: string; offset: number }[]; size: number }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of layout.fields) out[f.name] = f.offset;
  // Upper case: no field can be called that (spec identifiers are lower case).
  out.SIZE = layout.size;
  return out;
}

/** structure → field → offset, plus each structure's size. */
function offsetTable(layouts: Record<string, { fields: readonly { name: string; offset: number }[]; size: number }>): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(layouts).map(([n, l]) => [n, offsetsOf(l)]));
}

export function kernelDispatch(spec: Spec, k: KernelAbi): KernelDispatch {
  const syscalls: SyscallRow[] = [...k.syscalls]
    .sort((a, b) => a.nr - b.nr)
    .map((s) => ({ id: s.id, nr: s.nr, handler: s.handler, args: s.args, ret: s.ret, errors: s.errors, since: s.since, removed: s.removed, src: srcOf(s.at) }));
  const messages: MessageRow[] = [...k.messages]
    .sort((a, b) => a.opcode - b.opcode)
    .map((m) => ({ id: m.id, opcode: m.opcode, handler: m.handler, args: m.args, ret: m.ret, errors: m.errors, since: m.since, src: srcOf(m.at) }));
  return { version: k.version, sharedPage: k.sharedPage, ring: k.ring, syscalls, messages, structs: layoutsOf(spec, k) };
}

export function programTables(spec: Spec, p: ProgramAbi): ProgramTables {
  const structs = layoutsOf(spec, p);
  return {
    version: p.version,
    stubSize: p.stubSize,
    slotSize: p.slotSize,
    nativeKernel: p.nativeKernel,
    slots: [...p.slots].sort((a, b) => a.slot - b.slot).map((s) => ({ slot: s.slot, id: s.id, args: s.args, ret: s.ret, errors: s.errors, since: s.since, src: srcOf(s.at) })),
    structs,
  };
}

/** The whole ABI as plain data: what `abi.json` holds and other tools read (docs/abi-json.md). */
export function abiJson(spec: Spec): AbiJson {
  const kernels = byVersion(spec.kernels);
  const programs = byVersion(spec.programs);
  return {
    $schema: ABI_SCHEMA_FILE,
    format: ABI_JSON_FORMAT,
    convention: spec.convention.map((c) => ({ kind: c.kind, number: c.number, args: c.args, result: c.result, failure: c.failure, src: srcOf(c.at) })),
    types: spec.types.map((t) => ({ type: t.type, size: t.size, signed: t.signed, pointer: t.pointer, meaning: t.meaning, src: srcOf(t.at) })),
    kernels: kernels.map((k) => ({ ...kernelDispatch(spec, k), title: k.title, base: k.base, src: srcOf(k.at) })),
    programs: programs.map((p) => ({ ...programTables(spec, p), title: p.title, base: p.base, published: spec.published.has(p.version), src: srcOf(p.at) })),
    realisations: programs.flatMap((p) => kernels.map((k) => ({ program: p.version, kernel: k.version, slots: realise(spec, p, k, null) }))),
    selection: spec.selection.map((s) => ({ program: s.program, kernel: s.kernel, layer: s.layer, path: s.path, src: srcOf(s.at) })),
    recipes: spec.recipes.map((r) => ({ recipe: r.name, route: r.route, uses: r.uses, description: r.description, maxInsns: r.maxInsns, maxTraps: r.maxTraps, src: srcOf(r.at) })),
    errno: spec.errno.map((e) => ({ name: e.name, value: e.value, meaning: e.meaning, src: srcOf(e.at) })),
    constants: spec.constants.map((c) => ({ group: c.group, name: c.name, value: c.value, meaning: c.meaning, ...(c.kernelOnly ? { scope: "kernel" as const } : {}), src: srcOf(c.at) })),
    arguments: resolveArguments(spec, (r) => srcOf(r.at)),
    structs: layoutsOf(spec, null),
  };
}

/** The constants of generated/spec.ts: the chapters' tables as data. */
export function specModuleConstants(spec: Spec): { name: string; value: unknown; doc: string }[] {
  return [
    { name: "errno", value: Object.fromEntries(spec.errno.map((e) => [e.name, e.value])), doc: "Error numbers (spec/errors.md)." },
    {
      name: "constants",
      value: Object.fromEntries([...new Set(spec.constants.map((c) => c.group))].sort().map((g) => [g, Object.fromEntries(spec.constants.filter((c) => c.group === g).map((c) => [c.name, c.value]))])),
      doc: "Named constants by group.",
    },
    { name: "structs", value: layoutsOf(spec, null), doc: "Structures defined by the chapters (TLS block, layer image header, …)." },
    {
      name: "offsets",
      value: offsetTable(layoutsOf(spec, null)),
      doc: "Field offsets of the chapters' structures, for hand-written code.",
    },
    {
      name: "selection",
      value: spec.selection.map((s) => ({ program: s.program, kernel: s.kernel, layer: s.layer, path: s.path, src: srcOf(s.at) })),
      doc: "Layer selection: which layer file the loader maps for a (program, kernel) pair.",
    },
    { name: "recipes", value: spec.recipes.map((r) => ({ recipe: r.name, route: r.route, uses: r.uses, maxInsns: r.maxInsns, maxTraps: r.maxTraps, src: srcOf(r.at) })), doc: "Named recipes the routes refer to, with the cost per call each promises (null: none)." },
    {
      name: "argumentRules",
      value: resolveArguments(spec, (r) => srcOf(r.at)),
      doc: "How tools read arguments (spec/errors.md, arguments table): direction, length argument, format, constants. `call` \"*\" matches any call.",
    },
    { name: "errnoText", value: Object.fromEntries(spec.errno.map((e) => [e.name, e.meaning])), doc: "What each error number means (spec/errors.md), as strace shows it." },
  ];
}

/**
 * What generated/index.ts and generated/spec.ts hold, as values: for commands that run on a spec
 * directory other than the checkout's (`--spec DIR`) without writing generated/.
 */
export function generatedData(spec: Spec) {
  const kernels = byVersion(spec.kernels);
  const programs = byVersion(spec.programs);
  return {
    index: {
      kernels: Object.fromEntries(kernels.map((k) => [k.version, kernelDispatch(spec, k)])),
      programs: Object.fromEntries(programs.map((p) => [p.version, programTables(spec, p)])),
      realisations: Object.fromEntries(
        programs.flatMap((p) =>
          kernels.map((k) => {
            const sel = spec.selection.find((s) => s.program === p.version && s.kernel === k.version);
            return [`${p.version}-${k.version}`, { program: p.version, kernel: k.version, layer: sel?.layer ?? null, path: sel?.path ?? null, slots: realise(spec, p, k, null) }];
          }),
        ),
      ),
      kernelVersions: kernels.map((k) => k.version),
      programVersions: programs.map((p) => p.version),
    },
    spec: Object.fromEntries(specModuleConstants(spec).map((c) => [c.name, c.value])),
  };
}

export function generateAll(spec: Spec): Map<string, string> {
  const out = new Map<string, string>();
  const chapters = spec.files.filter((f) => !f.includes("/abi/"));
  const typesImport = (names: string[]) => ({ from: "../../gen/types.ts", names, typeOnly: true });

  for (const k of byVersion(spec.kernels)) {
    out.set(
      `generated/kernel/${k.version}.ts`,
      emitModule({
        path: `generated/kernel/${k.version}.ts`,
        sources: [k.file],
        imports: [typesImport(["KernelDispatch"])],
        constants: [
          { name: "dispatch", type: "KernelDispatch", value: kernelDispatch(spec, k), doc: `Kernel ABI ${k.version}: ${k.title}. Numbers, handlers, argument types and structure layouts.` },
          { name: "offsets", value: offsetTable(layoutsOf(spec, k)), doc: `Field offsets and sizes of ${k.version}'s structures (the shared page among them), for hand-written code.` },
        ],
      }),
    );
  }
  for (const p of byVersion(spec.programs)) {
    out.set(
      `generated/program/${p.version}.ts`,
      emitModule({
        path: `generated/program/${p.version}.ts`,
        sources: [p.file],
        constants: [
          { name: "program", value: programTables(spec, p), doc: `Program ABI ${p.version}: ${p.title}. Stub slots and the structure layouts programs see.` },
          { name: "offsets", value: offsetTable(layoutsOf(spec, p)), doc: `Field offsets and sizes of ${p.version}'s structures (the TLS block among them), for hand-written code.` },
        ],
      }),
    );
    for (const k of byVersion(spec.kernels)) {
      const sel = spec.selection.find((s) => s.program === p.version && s.kernel === k.version);
      out.set(
        `generated/layer/${p.version}-${k.version}.ts`,
        emitModule({
          path: `generated/layer/${p.version}-${k.version}.ts`,
          sources: [p.file, k.file, ...chapters.filter((c) => c.endsWith("/routes.md") || c.endsWith("/loader.md"))],
          imports: [typesImport(["PairRealisation"])],
          constants: [
            {
              name: "realisation",
              type: "PairRealisation",
              value: { program: p.version, kernel: k.version, layer: sel?.layer ?? null, path: sel?.path ?? null, slots: realise(spec, p, k, null) },
              doc: `How kernel ${k.version} realises every slot of program ${p.version}: the layer builder's input.`,
            },
          ],
        }),
      );
    }
  }
  out.set(
    "generated/spec.ts",
    emitModule({
      path: "generated/spec.ts",
      sources: chapters,
      constants: specModuleConstants(spec),
    }),
  );
  const ks = byVersion(spec.kernels).map((k) => k.version);
  const ps = byVersion(spec.programs).map((p) => p.version);
  const pairs = ps.flatMap((p) => ks.map((k) => `${p}-${k}`));
  const ident = (v: string) => v.replace("-", "_");
  out.set(
    "generated/index.ts",
    emitModule({
      path: "generated/index.ts",
      sources: ["spec/abi/*.md"],
      imports: [
        { from: "../gen/types.ts", names: ["KernelDispatch", "PairRealisation"], typeOnly: true },
        ...ks.map((k) => ({ from: `./kernel/${k}.ts`, names: [`dispatch as ${k}`] })),
        ...ps.map((p) => ({ from: `./program/${p}.ts`, names: [`program as ${p}`] })),
        ...pairs.map((pk) => ({ from: `./layer/${pk}.ts`, names: [`realisation as ${ident(pk)}`] })),
      ],
      constants: [],
      statements: [
        `/** Every kernel ABI's dispatch table, by version. */\nexport const kernels: Readonly<Record<string, KernelDispatch>> = { ${ks.join(", ")} };`,
        `/** Every program ABI's tables, by version. */\nexport const programs = { ${ps.join(", ")} } as const;`,
        `/** Every (program, kernel) realisation, by "pN-kM". */\nexport const realisations: Readonly<Record<string, PairRealisation>> = { ${pairs.map((pk) => `"${pk}": ${ident(pk)}`).join(", ")} };`,
        `export const kernelVersions = ${literal(ks)} as const;`,
        `export const programVersions = ${literal(ps)} as const;`,
      ],
    }),
  );
  for (const p of byVersion(spec.programs)) out.set(`generated/c/${p.version}/kiln.h`, cHeader(spec, p));
  for (const k of byVersion(spec.kernels)) {
    const path = `generated/tests/kernel-${k.version}.test.ts`;
    out.set(path, emitModule({ path, sources: [k.file], imports: [], constants: [], statements: kernelTests(spec, k) }));
  }
  for (const p of byVersion(spec.programs)) {
    for (const k of byVersion(spec.kernels)) {
      const path = `generated/tests/layer-${p.version}-${k.version}.test.ts`;
      out.set(path, emitModule({ path, sources: [p.file, k.file], imports: [], constants: [], statements: layerTests(spec, p, k) }));
    }
  }
  out.set("generated/abi.json", `${JSON.stringify(abiJson(spec), null, 2)}\n`);
  out.set(`generated/${ABI_SCHEMA_FILE}`, `${JSON.stringify(abiJsonSchema(), null, 2)}\n`);
  out.set("generated/diff.schema.json", `${JSON.stringify(diffJsonSchema(), null, 2)}\n`);
  out.set("generated/matrix.schema.json", `${JSON.stringify(matrixJsonSchema(), null, 2)}\n`);
  return out;
}

/**
 * What one kernel row alone can check against the implementation: its handler exists, and the
 * dispatch table built from the generated rows sends its number there.
 */
function kernelTests(spec: Spec, k: KernelAbi): string[] {
  const q = JSON.stringify;
  const calls = [...k.syscalls].sort((a, b) => a.nr - b.nr);
  const msgs = [...k.messages].sort((a, b) => a.opcode - b.opcode);
  return [
    `import { describe, expect, it } from "vitest";`,
    `import { dispatch } from "../kernel/${k.version}.ts";`,
    `import { buildTable } from "../../impl/kernel/dispatch.ts";`,
    `import { handlers } from "../../impl/kernel/handlers/index.ts";`,
    `const table = buildTable(dispatch, handlers);`,
    `describe(${q(`kernel ABI ${k.version} (${k.file})`)}, () => {`,
    ...calls.map((c) => `  it(${q(`${k.version}.${c.id}: nr ${c.nr} dispatches to handler ${c.handler} [${srcOf(c.at)}]`)}, () => {\n    expect(typeof handlers[${q(c.handler)}]).toBe("function");\n    expect(table.get(${c.nr})?.row.id).toBe(${q(c.id)});\n    expect(table.get(${c.nr})?.fn).toBe(handlers[${q(c.handler)}]);\n  });`),
    ...msgs.map((m) => `  it(${q(`${k.version}.msg.${m.id}: opcode ${m.opcode} has handler ${m.handler} [${srcOf(m.at)}]`)}, () => {\n    expect(typeof handlers[${q(m.handler)}]).toBe("function");\n  });`),
    `});`,
  ];
}

/** What one realisation row alone can check: the recipe it names is implemented by the layer. */
function layerTests(spec: Spec, p: ProgramAbi, k: KernelAbi): string[] {
  const q = JSON.stringify;
  const rows = realise(spec, p, k, null);
  const recipes = rows.filter((r) => r.recipe);
  return [
    `import { describe, expect, it } from "vitest";`,
    `import { RECIPES } from "../../impl/layer/recipes.ts";`,
    `import { realisations } from "../index.ts";`,
    `const pair = realisations[${q(`${p.version}-${k.version}`)}]!;`,
    `describe(${q(`layer ${p.version}-${k.version}`)}, () => {`,
    `  it(${q(`realises all ${rows.length} slots of ${p.version}`)}, () => {\n    expect(pair.slots.map((s) => s.slot)).toEqual(${q(rows.map((r) => r.slot))});\n  });`,
    ...recipes.map((r) => `  it(${q(`${p.version}.${r.id} on ${k.version}: ${r.route} recipe ${r.recipe} is implemented [${r.src}]`)}, () => {\n    expect(typeof RECIPES[${q(r.recipe)}]).toBe("function");\n  });`),
    `});`,
  ];
}
