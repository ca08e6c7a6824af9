// `--spec DIR` for the commands that run on the ABI (build-layers, matrix, diff, abi-json, site):
// load and validate DIR, then put its tables in place of the checkout's generated/ data before
// the command's implementation is imported. Nothing is written into the checkout: the C headers
// `kiln cc` and the matrix compile against go to a temporary directory (useGeneratedC).
//
// The swap replaces the contents of the objects generated/index.ts exports,
// so it must happen before impl/ modules that read them at load time are imported: each command
// imports its implementation dynamically, after calling useSpec.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cConstantsHeader, cHeader } from "../gen/c-header.ts";
import { C_CONSTANTS_HEADER } from "../gen/types.ts";
import { generatedData } from "../gen/generate.ts";
import { checkSpec, formatDiagnostic, REPO_ROOT } from "../gen/main.ts";

/** The checkout's spec directory: the default of every --spec option, whatever the current directory. */
export const DEFAULT_SPEC = join(REPO_ROOT, "spec");

/** A spec the command cannot use: `status` 2 for a bad --spec argument, 1 for a spec with errors. */
export class SpecError extends Error {
  constructor(
    message: string,
    readonly status: 1 | 2 = 2,
  ) {
    super(message);
  }
}

/** A spec directory given on the command line, resolved; a clear one-line error when it is not one. */
export function specDir(given: string | undefined): { dir: string; display: string } {
  if (given === undefined) return { dir: DEFAULT_SPEC, display: "spec" };
  const dir = resolve(given);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SpecError(`--spec ${given}: no such directory`);
  if (!existsSync(join(dir, "abi")) || !statSync(join(dir, "abi")).isDirectory()) throw new SpecError(`--spec ${given}: not a spec directory (it has no abi/ folder of program and kernel ABI files)`);
  return { dir, display: given.replace(/\/+$/, "") || "." };
}

function replaceContents(target: object, source: object): void {
  if (Array.isArray(target)) {
    (target as unknown[]).splice(0, target.length, ...(source as unknown[]));
    return;
  }
  const t = target as Record<string, unknown>;
  for (const k of Object.keys(t)) delete t[k];
  Object.assign(t, source);
}

/**
 * Run the command on spec directory `given` instead of the checkout's (no-op when undefined).
 * Throws SpecError (one line, diagnostics printed first) when the spec does not validate.
 */
export async function useSpec(given: string | undefined): Promise<void> {
  if (given === undefined) return;
  const { dir, display } = specDir(given);
  const { spec, diagnostics } = checkSpec(dir, display);
  if (diagnostics.length > 0) {
    for (const d of diagnostics) console.error(formatDiagnostic(d));
    throw new SpecError(`${display}: ${diagnostics.length} error(s) in the spec; fix them first (\`kiln check --spec ${display}\`)`, 1);
  }
  const data = generatedData(spec);
  const index = (await import("../generated/index.ts")) as unknown as Record<string, object>;
  for (const [name, value] of Object.entries(data)) replaceContents(index[name]!, value as object);
  // The C headers, for kiln cc and the matrix programs.
  const root = mkdtempSync(join(tmpdir(), "kiln-spec-"));
  process.on("exit", () => rmSync(root, { recursive: true, force: true }));
  for (const p of spec.programs) {
    mkdirSync(join(root, p.version), { recursive: true });
    writeFileSync(join(root, p.version, "kiln.h"), cHeader(spec, p));
  }
  writeFileSync(join(root, C_CONSTANTS_HEADER), cConstantsHeader(spec));
  (await import("../impl/toolchain/cc.ts")).useGeneratedC(root);
}
