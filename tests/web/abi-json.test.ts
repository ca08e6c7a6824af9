// abi.json as a contract: a format version and $schema, a JSON Schema generated from the types in
// gen/types.ts and checked here with a real validator (ajv, JSON Schema 2020-12), the spec's
// types, calling convention, published flags and argument rules; and `kiln site`'s loud warning
// when the run results it renders are older than the spec or lack a version.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, checkSpec } from "../../gen/main.ts";
import { abiJsonSchema, diffJsonSchema, matrixJsonSchema } from "../../gen/json-schema.ts";
import { DIFF_JSON_FORMAT, diffAbis, diffJson } from "../../gen/diff.ts";
import { ABI_JSON_FORMAT, type AbiJson } from "../../gen/types.ts";
import { kernelVersions, programVersions } from "../../generated/index.ts";
import { abiJsonText, matrixStaleness } from "../../web/site.ts";

const work = mkdtempSync(join(tmpdir(), "kiln-abi-json-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// abi.json is built from the parsed spec (`kiln abi-json`, the site); generated/ does not hold it.
const abi = JSON.parse(abiJsonText(checkSpec(join(REPO_ROOT, "spec"), "spec").spec)) as AbiJson;
const schema = JSON.parse(readFileSync(join(REPO_ROOT, "generated/abi.schema.json"), "utf8")) as Record<string, unknown>;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

describe("abi.json and its schema", () => {
  it("names its format and schema, and the checked-in schema is the one generated from gen/types.ts", () => {
    expect(abi.format).toBe(ABI_JSON_FORMAT);
    expect(abi.$schema).toBe("abi.schema.json");
    expect(schema).toEqual(abiJsonSchema());
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("validates against the schema", () => {
    const ok = validate(abi);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5))).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema rejects what a reader could not rely on: a missing field, a wrong type, an unknown route, an extra key", () => {
    const clone = () => JSON.parse(JSON.stringify(abi)) as Record<string, unknown> & { kernels: Record<string, unknown>[]; realisations: { slots: Record<string, unknown>[] }[] };
    const noFormat = clone();
    delete noFormat.format;
    const badNr = clone();
    (badNr.kernels[0]!.syscalls as Record<string, unknown>[])[0]!.nr = "64";
    const badRoute = clone();
    badRoute.realisations[0]!.slots[0]!.route = "teleport";
    const extra = clone();
    extra.kernels[0]!.surprise = 1;
    const oldFormat = clone();
    oldFormat.format = ABI_JSON_FORMAT - 1;
    for (const [what, doc] of Object.entries({ noFormat, badNr, badRoute, extra, oldFormat })) expect(validate(doc), what).toBe(false);
  });

  it("has the spec's types with size, signedness and pointer-ness, covering every signature type", () => {
    const types = new Map(abi.types.map((t) => [t.type, t]));
    expect(types.get("usize")).toMatchObject({ size: 4, signed: false, pointer: false });
    expect(types.get("ssize")).toMatchObject({ size: 4, signed: true, pointer: false });
    expect(types.get("cstr")).toMatchObject({ size: 4, pointer: true });
    expect(types.get("i64")).toMatchObject({ size: 8, signed: true });
    const sigs = [...abi.programs.flatMap((p) => p.slots), ...abi.kernels.flatMap((k) => [...k.syscalls, ...k.messages])];
    for (const s of sigs) for (const t of [...s.args.map((a) => a.type), s.ret]) expect(types.has(/^ptr</.test(t) ? "ptr" : t), t).toBe(true);
  });

  it("has the calling convention, published flags and every version", () => {
    expect(abi.convention.map((c) => c.kind)).toEqual(["call", "slot"]);
    expect(abi.convention.find((c) => c.kind === "call")).toMatchObject({ number: "a7", args: ["a0", "a1", "a2", "a3", "a4", "a5"], result: "a0" });
    const published = Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, "spec/abi/published.json"), "utf8")) as object);
    for (const p of abi.programs) expect(p.published, p.version).toBe(published.includes(p.version));
    expect(abi.programs.map((p) => p.version)).toEqual([...programVersions]);
    expect(abi.kernels.map((k) => k.version)).toEqual([...kernelVersions]);
  });

  it("ties buffers to their length argument and direction, and flag arguments to their constant group", () => {
    const rule = (call: string, arg: string) => abi.arguments.find((r) => r.call === call && r.arg === arg);
    expect(rule("read", "buf")).toMatchObject({ direction: "out", length: "count", format: "bytes" });
    expect(rule("write", "buf")).toMatchObject({ direction: "in", length: "count", format: "bytes" });
    const open = rule("openat", "flags")!;
    expect(open).toMatchObject({ format: "flags", constants: "files:O_*", mask: { name: "O_ACCMODE", value: 3 } });
    expect(open.names.map((n) => n.name)).toContain("O_CLOEXEC");
    // Every rule names an argument that some signature with that id has.
    const sigs = [...abi.programs.flatMap((p) => p.slots), ...abi.kernels.flatMap((k) => [...k.syscalls, ...k.messages])];
    for (const r of abi.arguments) expect(sigs.some((s) => (r.call === "*" || s.id === r.call) && s.args.some((a) => a.name === r.arg)), `${r.call}.${r.arg}`).toBe(true);
  });
});

describe("kiln diff --json and kiln matrix --json", () => {
  it("kiln diff --json names its format and schema, and validates against generated/diff.schema.json for both families", () => {
    const { spec } = checkSpec(join(REPO_ROOT, "spec"), "spec");
    const dschema = JSON.parse(readFileSync(join(REPO_ROOT, "generated/diff.schema.json"), "utf8")) as object;
    expect(dschema).toEqual(diffJsonSchema());
    const v = new Ajv2020({ allErrors: true, strict: true }).compile(dschema);
    for (const [a, b] of [["k1", "k2"], ["k2", "k3"], ["p1", "p2"], ["p2", "p3"]] as const) {
      const doc = diffJson(diffAbis(spec, a, b));
      expect(doc).toMatchObject({ $schema: "diff.schema.json", format: DIFF_JSON_FORMAT, from: a, to: b });
      expect(v(doc), `${a}-${b}: ${JSON.stringify(v.errors?.slice(0, 3))}`).toBe(true);
    }
    expect(v({ ...diffJson(diffAbis(spec, "k1", "k2")), family: "neither" })).toBe(false);
  });

  it("the checked-in matrix schema is the one generated from gen/types.ts (tests/layer validates a real run against it)", () => {
    expect(JSON.parse(readFileSync(join(REPO_ROOT, "generated/matrix.schema.json"), "utf8"))).toEqual(matrixJsonSchema());
  });
});

describe("kiln site warns when the run results do not describe the spec", () => {
  const { spec } = checkSpec(join(REPO_ROOT, "spec"), "spec");
  const all = programVersions.flatMap((p) => kernelVersions.map((k) => ({ program: p, kernel: k })));
  const file = join(work, "matrix.json");
  writeFileSync(file, "[]");

  it("says nothing for complete results newer than the spec", () => {
    const future = new Date(Date.now() + 3600_000);
    utimesSync(file, future, future);
    expect(matrixStaleness(REPO_ROOT, file, all, spec)).toEqual([]);
  });

  it("says STALE when a spec file changed after the run, and INCOMPLETE when a kernel is missing", () => {
    utimesSync(file, new Date(0), new Date(0));
    const w = matrixStaleness(REPO_ROOT, file, all.filter((c) => c.kernel !== kernelVersions.at(-1)), spec);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^STALE RUN RESULTS: .*matrix\.json is older than spec\/.*run `kiln matrix --out out\/matrix\.json` again$/);
    expect(w[1]).toContain(`INCOMPLETE RUN RESULTS: ${file} has no cell for ${kernelVersions.at(-1)}`);
  });
});
