#!/usr/bin/env bash
# kiln's main job: install, regenerate everything from the spec, validate it, build the layers,
# run the compatibility matrix, and build the spec site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
node bin/kiln gen
# A spec change regenerates sources the bundle was built from: rebuild it (no-op when fresh).
node bin/bundle-state.mjs >/dev/null || node scripts/build.mjs
node bin/kiln check && echo "kiln check: spec/ is valid"
node bin/kiln build-layers --out out/layers
node bin/kiln matrix --out out/matrix.json
node bin/kiln site --out out/site
echo "kiln: the spec site is at out/site/index.html"
