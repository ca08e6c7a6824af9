// The spec is the only source of ABI constants: code and tests import them from generated/ (TS)
// or get them from the generated C header (C, assembly). A heuristic finds a constant restated by
// hand: a definition under a spec constant's name (`const O_CREAT = 0o100`, `O_CREAT: 64`,
// `#define O_CREAT 0100`, `.equ O_CREAT, 64`), or a literal annotated with one
// (`-100 /* AT_FDCWD */`, `return -38; // ENOSYS`) whose value is that constant's.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSpec, REPO_ROOT } from "../../gen/main.ts";
import { abiJson } from "../../gen/generate.ts";
import { C_CONSTANTS_HEADER } from "../../gen/types.ts";
import { constants, errno } from "../../generated/index.ts";

/** Where constants must not be restated. */
const ROOTS = ["impl", "harness", "sdk", "tests", "matrix", "cli", "bench", "web"];
const SOURCE = /\.(ts|c|h|S)$/;

/** Allowed restatements, each with its reason (path relative to the repository). */
const EXCEPTIONS: readonly { readonly file: string; readonly reason: string }[] = [
  { file: "tests/spec/restated-constants.test.ts", reason: "this test's own examples of what it finds" },
];

type Finding = string;

const SPEC = new Map<string, number>();
for (const group of Object.values(constants)) for (const [name, value] of Object.entries(group)) SPEC.set(name, value);
for (const [name, value] of Object.entries(errno)) SPEC.set(name, value);

const LIT = String.raw`-?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*)n?[uUlL]*`;

function valueOf(text: string): number {
  let s = text.replace(/_/g, "").replace(/[nuUlL]+$/, "");
  const neg = s.startsWith("-");
  if (neg) s = s.slice(1);
  const v = /^0[xX]/.test(s) ? parseInt(s.slice(2), 16) : /^0[oO]/.test(s) ? parseInt(s.slice(2), 8) : /^0[bB]/.test(s) ? parseInt(s.slice(2), 2) : /^0\d/.test(s) ? parseInt(s, 8) : Number(s);
  return neg ? -v : v;
}

/** Every restated spec constant in one file's text, as "file:line: what". */
export function restatedConstants(file: string, text: string, spec: ReadonlyMap<string, number> = SPEC): Finding[] {
  const out: Finding[] = [];
  const ts = file.endsWith(".ts");
  const definitions = ts
    ? [new RegExp(String.raw`\b([A-Z][A-Z0-9_]*)\s*(?::\s*[\w<>]+\s*)?=\s*(${LIT})\s*(?=[,;)\n]|$)`, "g"), new RegExp(String.raw`(?<=(?:^|[{,])\s*)([A-Z][A-Z0-9_]*):\s*(${LIT})\s*(?=[,}\n]|$)`, "g")]
    : [new RegExp(String.raw`^\s*#\s*define\s+([A-Z][A-Z0-9_]*)\s+\(?\s*(${LIT})\s*\)?\s*(?:/[*/].*)?$`, "g"), new RegExp(String.raw`^\s*\.(?:equ|set)\s+([A-Z][A-Z0-9_]*)\s*,\s*(${LIT})\s*$`, "g")];
  const annotated = new RegExp(String.raw`(?<![\w.])(${LIT})\W{0,4}(?://|/\*)\s*([A-Z][A-Z0-9_]+)\b`, "g");
  text.split("\n").forEach((line, i) => {
    for (const re of definitions) {
      for (const m of line.matchAll(re)) {
        const name = m[1] ?? "";
        if (spec.has(name)) out.push(`${file}:${i + 1}: ${name} defined as ${m[2]} (spec: ${spec.get(name)})`);
      }
    }
    for (const m of line.matchAll(annotated)) {
      const name = m[2] ?? "";
      const want = spec.get(name);
      if (want !== undefined && Math.abs(valueOf(m[1] ?? "")) === Math.abs(want)) out.push(`${file}:${i + 1}: literal ${m[1]} for ${name}`);
    }
  });
  return out;
}

function files(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules") walk(p);
      } else if (SOURCE.test(e.name)) out.push(relative(REPO_ROOT, p).split(sep).join("/"));
    }
  };
  for (const r of ROOTS) walk(join(REPO_ROOT, r));
  return out.sort();
}

describe("the restated-constant finder", () => {
  const spec = new Map([["O_CREAT", 64], ["AT_FDCWD", -100], ["ENOSYS", 38], ["SIGCHLD", 17]]);
  it("finds a definition under a spec constant's name, in TS, C and assembly", () => {
    expect(restatedConstants("impl/x.ts", "export const O_CREAT = 0o100;\nconst A = 1, AT_FDCWD = -100;\nconst t = { O_CREAT: 64 };\nconst f = on ? SIGCHLD : 0;", spec)).toEqual([
      "impl/x.ts:1: O_CREAT defined as 0o100 (spec: 64)",
      "impl/x.ts:2: AT_FDCWD defined as -100 (spec: -100)",
      "impl/x.ts:3: O_CREAT defined as 64 (spec: 64)",
    ]);
    expect(restatedConstants("sdk/x.h", "#define O_CREAT 0100\n#define O_CREATE 0100", spec)).toEqual(["sdk/x.h:1: O_CREAT defined as 0100 (spec: 64)"]);
    expect(restatedConstants("sdk/x.S", "  .equ SIGCHLD, 17", spec)).toEqual(["sdk/x.S:1: SIGCHLD defined as 17 (spec: 17)"]);
  });

  it("finds a literal annotated with the constant it stands for, and nothing else", () => {
    expect(restatedConstants("impl/y.ts", "if (!fn) return -38; // ENOSYS\nk.resolve(p, -100 /* AT_FDCWD */, x);\nreturn 17; // not SIGCHLD's place: SIGINT\nconst { O_CREAT } = constants.files;", spec)).toEqual([
      "impl/y.ts:1: literal -38 for ENOSYS",
      "impl/y.ts:2: literal -100 for AT_FDCWD",
    ]);
  });
});

describe("a kernel's own values (a constants table marked scope=kernel)", () => {
  it("are in generated/index.ts for the kernel, marked in abi.json, and in no C header", () => {
    const abi = abiJson(checkSpec(join(REPO_ROOT, "spec"), "spec").spec);
    const own = abi.constants.filter((c) => c.scope === "kernel");
    expect(own.map((c) => c.name)).toContain("PIPE_CAPACITY");
    for (const c of own) expect((constants as Record<string, Record<string, number>>)[c.group]?.[c.name], c.name).toBeTypeOf("number");
    const shared = readFileSync(join(REPO_ROOT, "generated/c", C_CONSTANTS_HEADER), "utf8");
    expect(shared).toMatch(/#define O_CREAT\b/);
    for (const p of readdirSync(join(REPO_ROOT, "generated/c"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
      const h = readFileSync(join(REPO_ROOT, "generated/c", p, "kiln.h"), "utf8") + shared;
      expect(own.filter((c) => new RegExp(String.raw`#define ${c.name}\b`).test(h)).map((c) => `${p}: ${c.name}`)).toEqual([]);
    }
  });
});

describe("impl/, harness/, sdk/, tests/, matrix/, cli/, bench/ and web/", () => {
  it("restate no spec constant (they import it from generated/ or include kiln.h)", () => {
    const allowed = new Set(EXCEPTIONS.map((x) => x.file));
    const found = files().filter((f) => !allowed.has(f)).flatMap((f) => restatedConstants(f, readFileSync(join(REPO_ROOT, f), "utf8")));
    expect(found).toEqual([]);
  });

  it("list only exceptions that exist", () => {
    const all = new Set(files());
    expect(EXCEPTIONS.filter((x) => !all.has(x.file)).map((x) => x.file)).toEqual([]);
  });
});
