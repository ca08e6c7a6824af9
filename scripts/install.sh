#!/usr/bin/env bash
# Installs what kiln needs on a fresh Debian machine: the RISC-V cross-compiler, Chromium for the
# browser test, qemu-user (qemu-riscv32, the reference Linux of the k1 differential test), and the
# npm packages from the lock file. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || need+=(gcc-riscv64-unknown-elf)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# qemu-riscv32 (Debian's qemu-user): the reference Linux for tests/kernel/linux-diff.test.ts.
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

# A real static Linux C library for rv32 (musl, from Debian's source package; cached outside the
# repository) for the libc-on-k1 test. Not fatal: without it that test skips and says why.
bash scripts/musl.sh || echo "install: musl for rv32 not built; tests/kernel/libc.test.ts will skip"
