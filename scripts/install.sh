#!/usr/bin/env bash
# Installs what kiln needs on a fresh Debian machine: the RISC-V cross-compiler, Chromium for the
# browser test, and the npm packages from the lock file. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || need+=(gcc-riscv64-unknown-elf)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# qemu-riscv32 (qemu-user): the differential CPU test and kiln bench compare kiln with it.
command -v qemu-riscv32 >/dev/null 2>&1 || need+=(qemu-user)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "install: apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install: npm ci"
  npm ci --no-audit --no-fund
fi

# The bundle bin/kiln runs (dist/, `npm run build`): rebuilt when a source changed since the last build.
if ! node bin/bundle-state.mjs >/dev/null; then
  echo "install: npm run build"
  node scripts/build.mjs
fi
