#!/usr/bin/env bash
# kiln's tests: install, check the generated files are fresh, typecheck, run the compatibility
# matrix (every program ABI on every kernel ABI), run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
node bin/kiln gen --check
npx tsc --noEmit -p tsconfig.json
node bin/kiln matrix --out out/matrix.json
npx vitest run
