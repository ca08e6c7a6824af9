#!/usr/bin/env bash
# kiln's main job: install, regenerate everything from the spec, validate it, and report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
node bin/kiln gen
node bin/kiln check && echo "kiln check: spec/ is valid"
