// Bundles the playground for the browser with esbuild: the engine (emulator, kernel, layer builder,
// generated tables) as one IIFE wrapped in a global function, which the page script starts as a
// Worker from that function's source text, and the page script itself. The result is one self-contained JS file (no fetch, no modules: it works from
// file://). Bundling is cached by a hash of every input file esbuild read last time (and of this
// file and esbuild's version), so an unchanged tree costs a few milliseconds of hashing.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync, version as esbuildVersion, type Metafile } from "esbuild";
import { cacheRoot, hashOf } from "../../gen/cache.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");

export interface PlaygroundBundle {
  /** The JavaScript of playground.js. */
  readonly js: string;
  /** Whether it came from the cache. */
  readonly cached: boolean;
  /** Milliseconds spent (hashing, or bundling). */
  readonly ms: number;
}

/** The global function in playground.js that holds the engine (page.ts refers to it by this name). */
export const ENGINE_FUNCTION = "kilnPlaygroundEngine";

const COMMON = {
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "es2022",
  minify: true,
  legalComments: "none",
  absWorkingDir: ROOT,
  write: false,
  metafile: true,
  logLevel: "silent",
} as const;

/** Bundle with esbuild (no cache). */
function bundleNow(): { js: string; inputs: string[] } {
  // node: modules the engine reaches but never calls are aliased to web/playground/node-stub.ts;
  // Node's global Buffer (a few kernel lines) is web/playground/buffer-shim.ts.
  const stub = join(HERE, "node-stub.ts");
  const engine = buildSync({
    ...COMMON,
    entryPoints: [join(HERE, "worker.ts")],
    alias: { "node:fs": stub, "node:path": stub },
    inject: [join(HERE, "buffer-shim.ts")],
  });
  const page = buildSync({ ...COMMON, entryPoints: [join(HERE, "page.ts")] });
  // The engine is wrapped in a global function: the page starts a Worker from the function's own
  // source text (Function.prototype.toString) or, without workers, calls it.
  const js = `function ${ENGINE_FUNCTION}() {\n${engine.outputFiles![0]!.text}}\n${page.outputFiles![0]!.text}`;
  const inputs = new Set<string>([...inputsOf(engine.metafile!), ...inputsOf(page.metafile!)]);
  return { js, inputs: [...inputs].sort() };
}

function inputsOf(meta: Metafile): string[] {
  return Object.keys(meta.inputs)
    .filter((p) => !p.includes(":"))
    .map((p) => resolve(ROOT, p));
}

function hashInputs(inputs: readonly string[]): string | null {
  const h = createHash("sha256");
  h.update(`esbuild ${esbuildVersion}\0`).update(readFileSync(fileURLToPath(import.meta.url))).update("\0");
  for (const f of inputs) {
    if (!existsSync(f)) return null;
    h.update(f).update("\0").update(readFileSync(f)).update("\0");
  }
  return h.digest("hex");
}

interface CacheIndex {
  readonly hash: string;
  readonly inputs: string[];
}

/**
 * playground.js, from `cacheDir` when none of the inputs of the cached build changed, else bundled
 * afresh and cached. A new input file can only appear by editing an existing one (an import), which
 * changes the hash.
 */
export function playgroundBundle(cacheDir: string): PlaygroundBundle {
  const started = performance.now();
  const indexFile = join(cacheDir, "playground.json");
  const jsFile = join(cacheDir, "playground.js");
  if (existsSync(indexFile) && existsSync(jsFile)) {
    try {
      const idx = JSON.parse(readFileSync(indexFile, "utf8")) as CacheIndex;
      if (hashInputs(idx.inputs) === idx.hash) return { js: readFileSync(jsFile, "utf8"), cached: true, ms: performance.now() - started };
    } catch {
      // A damaged cache is rebuilt.
    }
  }
  const { js, inputs } = bundleNow();
  const hash = hashInputs(inputs);
  if (hash) {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${jsFile}.${process.pid}.tmp`;
    writeFileSync(tmp, js);
    renameSync(tmp, jsFile);
    writeFileSync(indexFile, JSON.stringify({ hash, inputs } satisfies CacheIndex));
  }
  return { js, cached: false, ms: performance.now() - started };
}

/**
 * The cache directory: <user cache>/site/<hash of the root> (gen/cache.ts: KILN_CACHE_DIR, else
 * $XDG_CACHE_HOME/kiln, else ~/.cache/kiln), like kiln cc's; never inside the checkout or the
 * installed package. One per root, since the cache records its inputs by absolute path: two
 * checkouts must not answer for each other. KILN_SITE_CACHE overrides it.
 */
export function defaultCacheDir(root: string): string {
  return process.env["KILN_SITE_CACHE"] ?? join(cacheRoot(), "site", hashOf(resolve(root)).slice(0, 16));
}
