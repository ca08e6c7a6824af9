// Whether dist/ (the bundle `npm run build` makes) is fresh. Used by bin/kiln at every start and by
// scripts/install.sh; run directly it exits 0 when fresh and 1 (saying why) when not.
//
// Fresh means: every source the bundle was built from (dist/inputs.json) is either absent (an
// installed package that ships no such file) or unchanged: not modified since the build, or
// modified but with the same SHA-256 (a checkout that touched it). Cheap: one stat per source.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** null when dist/ is fresh; otherwise why not ("missing", or which source changed). */
export function staleness(root = ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(`${root}dist/inputs.json`, "utf8"));
  } catch {
    return "missing";
  }
  for (const [file, sha] of Object.entries(manifest.files)) {
    let st;
    try {
      st = statSync(root + file);
    } catch {
      continue;
    }
    if (st.mtimeMs <= manifest.builtAt) continue;
    if (createHash("sha256").update(readFileSync(root + file)).digest("hex") !== sha) return `${file} changed since the build`;
  }
  return null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const why = staleness();
  if (why !== null) console.log(`dist/ is stale: ${why}`);
  process.exitCode = why === null ? 0 : 1;
}
