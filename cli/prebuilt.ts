// The bundle's prebuilt layer images (dist/layers/, written by scripts/build.mjs with
// `kiln build-layers`): as fresh as the bundle, since they derive only from bundled sources. A
// bundled kiln uses them instead of assembling every layer at start-up; the sources build them.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { layersFromDir, seedBuiltLayers } from "../harness/install.ts";

declare const __KILN_BUNDLE__: boolean | undefined;

/** Seeds this process's layer cache from dist/layers/ when running the bundle; true if it did. */
export function usePrebuiltLayers(): boolean {
  if (typeof __KILN_BUNDLE__ === "undefined") return false;
  const dir = fileURLToPath(new URL("../dist/layers/", import.meta.url));
  if (!existsSync(dir)) return false;
  seedBuiltLayers(layersFromDir(dir));
  return true;
}
