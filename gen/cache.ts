// kiln's cache directory on the user's machine: $KILN_CACHE_DIR, else $XDG_CACHE_HOME/kiln, else
// ~/.cache/kiln (never inside the checkout or the installed package). Everything in it is derived
// and keyed by a hash of its inputs, so deleting it only costs time. A cache that cannot be
// written (read-only home, full disk) is no error: the work is just done again next time.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The cache directory (not created). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env["KILN_CACHE_DIR"]) return env["KILN_CACHE_DIR"];
  const xdg = env["XDG_CACHE_HOME"];
  // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
  return join(xdg && xdg.startsWith("/") ? xdg : join(homedir(), ".cache"), "kiln");
}

/** sha256 hex of the parts, separated so that ("ab","c") and ("a","bc") differ. */
export function hashOf(...parts: readonly (string | Uint8Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
}

/**
 * `compute()`, remembered as JSON in <cache>/<area>/<key>.json. A missing, unreadable or corrupt
 * entry is computed again; a failed write is ignored.
 */
export function cachedJson<T>(area: string, key: string, compute: () => T): T {
  const dir = join(cacheRoot(), area);
  const file = join(dir, `${key}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    // not cached yet (or unreadable): compute it
  }
  const value = compute();
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}`;
    writeFileSync(tmp, JSON.stringify(value));
    renameSync(tmp, file);
    prune(dir);
  } catch {
    // an unwritable cache only costs time
  }
  return value;
}

/** Entries an area keeps; past that, a write drops the older half (by modification time). */
const AREA_LIMIT = 1000;

function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  if (names.length <= AREA_LIMIT) return;
  const aged = names.map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, aged.length - AREA_LIMIT / 2)) rmSync(join(dir, n), { force: true });
}
