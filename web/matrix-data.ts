// Run results for the compatibility-matrix page. `kiln matrix --json` writes out/matrix.json; its
// format is read here and nowhere else, so a change of format is a change of this one function.
import { existsSync, readFileSync } from "node:fs";

export interface RouteRun {
  readonly calls: number;
  readonly instructions: number;
  readonly traps: number;
}

export interface MatrixCell {
  readonly program: string;
  readonly kernel: string;
  readonly pass: boolean;
  /** Per route: how many slot calls took it, and what they cost. */
  readonly routes: Readonly<Record<string, RouteRun>>;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * Read run results: an array of `{program, kernel, pass, routes: {route: {calls, instructions,
 * traps}}}`. Returns null when the file does not exist; throws with the file name when it is not
 * in that format.
 */
export function readMatrix(file: string): MatrixCell[] | null {
  if (!existsSync(file)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`);
  }
  // Accept the array itself or an object that holds it as `cells`.
  const list = Array.isArray(data) ? data : (data as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(list)) throw new Error(`${file}: expected an array of {program, kernel, pass, routes} cells`);
  return list.map((c: unknown, i) => {
    const o = c as Record<string, unknown>;
    if (!o || typeof o.program !== "string" || typeof o.kernel !== "string") {
      throw new Error(`${file}: cell ${i} has no program or kernel`);
    }
    const routes: Record<string, RouteRun> = {};
    for (const [route, r] of Object.entries((o.routes as Record<string, Record<string, unknown>> | undefined) ?? {})) {
      routes[route] = { calls: num(r?.calls), instructions: num(r?.instructions), traps: num(r?.traps) };
    }
    return { program: o.program, kernel: o.kernel, pass: o.pass === true, routes };
  });
}
