// Bundles the kiln command into dist/ with esbuild: `npm run build` (scripts/install.sh runs it).
//
// dist/kiln.mjs is the CLI (cli/main.ts) and every module it reaches, split into chunks so that
// each subcommand still loads only its own code; dist/matrix-worker.mjs is the matrix's worker
// thread. ts-morph, esbuild and the other heavy tools stay external (loaded from node_modules, and
// only by the subcommands that use them).
//
// dist/inputs.json lists every source file the bundle was built from with its SHA-256, and the
// build time. bin/kiln runs the bundle only while it is fresh: a source newer than the build whose
// content changed makes it run the TypeScript sources (with tsx) instead, so a stale bundle never
// runs silently.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");

/** Packages loaded from node_modules at run time instead of bundled (large, or tools with binaries). */
export const EXTERNAL = ["ts-morph", "esbuild", "playwright-core", "typescript", "vitest", "tsx"];

/**
 * Sources that read `import.meta.url` (to find the repository, or a file beside them) keep their
 * own location in the bundle: every `import.meta.url` becomes the URL of the source file, computed
 * from the chunk's own URL (every output file lives in dist/, one level below the root).
 */
const keepSourceUrls = {
  name: "kiln-source-urls",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes("node_modules")) return undefined;
      let text = readFileSync(args.path, "utf8");
      if (text.includes("import.meta.url") || text.includes("import.meta.dirname")) {
        const rel = JSON.stringify(`../${relative(ROOT, args.path).split("\\").join("/")}`);
        text = text
          .replaceAll("import.meta.url", `new URL(${rel}, import.meta.url).href`)
          .replaceAll("import.meta.dirname", `__kilnDirname(new URL(${rel}, import.meta.url))`);
        if (text.includes("__kilnDirname(")) text += `\nfunction __kilnDirname(u: URL): string { return decodeURIComponent(new URL(".", u).pathname).replace(/\\/$/, ""); }\n`;
      }
      return { contents: text, loader: "ts" };
    });
  },
};

const started = performance.now();
rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { kiln: "cli/main.ts", "matrix-worker": "cli/matrix-worker.ts" },
  outdir: DIST,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  // Bundled CommonJS dependencies may call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __kilnCreateRequire } from "node:module"; const require = __kilnCreateRequire(import.meta.url);' },
  define: { __KILN_BUNDLE__: "true" },
  plugins: [keepSourceUrls],
  metafile: true,
  logLevel: "warning",
  legalComments: "none",
});

// The layer images of every pair, prebuilt (kiln build-layers): `kiln run` from the bundle maps
// these instead of assembling every layer at start-up. They derive only from bundled sources, so
// they are exactly as fresh as the bundle.
const layers = spawnSync(
  process.execPath,
  ["--input-type=module", "-e", `const { main } = await import(${JSON.stringify(pathToFileURL(join(DIST, "kiln.mjs")).href)}); process.exitCode = await main(["build-layers", "--out", ${JSON.stringify(join(DIST, "layers"))}]);`],
  { stdio: ["ignore", "ignore", "inherit"] },
);
if (layers.status !== 0) {
  console.error("kiln build: building the layer images failed (kiln build-layers); kiln run will build them at start-up");
  rmSync(join(DIST, "layers"), { recursive: true, force: true });
}

const sha = (f) => createHash("sha256").update(readFileSync(join(ROOT, f))).digest("hex");
const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes("node_modules")).sort();
const files = Object.fromEntries([...inputs, "package-lock.json", "scripts/build.mjs"].map((f) => [f, sha(f)]));
writeFileSync(join(DIST, "inputs.json"), `${JSON.stringify({ builtAt: Date.now(), files }, null, 1)}\n`);
const ms = (performance.now() - started).toFixed(0);
const quiet = process.argv.includes("--quiet");
if (!quiet) console.log(`kiln build: dist/kiln.mjs from ${inputs.length} sources (${ms} ms)`);
