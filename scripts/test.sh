#!/usr/bin/env bash
# kiln's tests: install, check the generated files are fresh, typecheck, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
node bin/kiln gen --check
npx tsc --noEmit -p tsconfig.json
npx vitest run
