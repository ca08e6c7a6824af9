// Puts the layer images where the kernel's loader looks for them: the selection table's paths in
// the guest file system. Images are built from the generated tables once per host process.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Vfs } from "../impl/kernel/vfs.ts";
import { selection } from "../generated/index.ts";
import { buildLayer } from "../impl/layer/build.ts";
import { LayerError } from "../impl/layer/context.ts";

let cache: Map<string, Uint8Array> | null = null;
const failures = new Map<string, string>();

/** Every layer of the selection table, built in memory (cached); a pair that fails to build is absent and noted. */
export function builtLayers(): Map<string, Uint8Array> {
  if (cache) return cache;
  cache = new Map();
  for (const s of selection) {
    try {
      cache.set(s.path, buildLayer(s.program, s.kernel).bytes);
    } catch (e) {
      if (!(e instanceof LayerError)) throw e;
      failures.set(s.path, e.message);
    }
  }
  return cache;
}

/**
 * Use these images (prebuilt by `kiln build-layers`, e.g. the bundle's dist/layers/) as the built
 * layers of this process instead of assembling them: the start-up of `kiln run` and of each
 * `kiln matrix` worker. Call before the first builtLayers().
 */
export function seedBuiltLayers(images: Map<string, Uint8Array>): void {
  cache ??= images;
}

/** Why a layer could not be built, if it could not. */
export function layerBuildFailure(path: string): string | undefined {
  builtLayers();
  return failures.get(path);
}

/** Layer images from a host directory written by `kiln build-layers` (file names pN-kM.layer). */
export function layersFromDir(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const s of selection) {
    const name = s.path.slice(s.path.lastIndexOf("/") + 1);
    if (readdirSync(dir).includes(name)) out.set(s.path, readFileSync(join(dir, name)));
  }
  return out;
}

/** Write the images into the guest file system, leaving any the guest root already has. */
export function installLayers(vfs: Vfs, layers: Map<string, Uint8Array> = builtLayers()): void {
  for (const [path, bytes] of layers) {
    let present = false;
    try {
      vfs.readFile(path);
      present = true;
    } catch {
      present = false;
    }
    if (!present) vfs.writeFile(path, bytes, 0o444);
  }
}
