#!/usr/bin/env bash
# Installs what kiln needs on a fresh Debian machine: the RISC-V cross-compiler, Chromium for the
# browser test, qemu-user (qemu-riscv32, the reference Linux of the k1 differential test), and the
# npm packages from the lock file. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || need+=(gcc-riscv64-unknown-elf)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# qemu-riscv32 (qemu-user): the differential CPU test and kiln bench compare kiln with it.
command -v qemu-riscv32 >/dev/null 2>&1 || need+=(qemu-user)
# picolibc: the SDK's ISO C library (kiln cc). lua5.4 and sqlite3: the native programs the ports'
# output is compared with. gcc, tcl, make: generate SQLite's amalgamation (kiln ports build).
[ -f /usr/lib/picolibc/riscv64-unknown-elf/lib/rv32im/ilp32/libc.a ] || need+=(picolibc-riscv64-unknown-elf)
command -v lua5.4 >/dev/null 2>&1 || need+=(lua5.4)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v tclsh >/dev/null 2>&1 || need+=(tcl)
command -v make >/dev/null 2>&1 || need+=(make)
command -v cc >/dev/null 2>&1 || need+=(gcc)
# autoconf, automake: dash's Debian patches change its Makefile.am (scripts/linux-programs.sh).
command -v autoreconf >/dev/null 2>&1 || need+=(autoconf)
command -v automake >/dev/null 2>&1 || need+=(automake)
# apt-get source unpacks with dpkg-source; busybox's upstream tarball is bzip2.
command -v dpkg-source >/dev/null 2>&1 || need+=(dpkg-dev)
command -v bzip2 >/dev/null 2>&1 || need+=(bzip2)
# The Linux UAPI headers busybox includes (scripts/linux-programs.sh).
[ -f /usr/include/linux/if_packet.h ] || need+=(linux-libc-dev)
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
# The ports' sources (Debian's lua5.4 and sqlite3 source packages, pinned and checked), cached
# outside the repository. Without network access the ports' tests are skipped, nothing else.
echo "install: Debian sources for kiln ports build"
bash scripts/fetch-port-sources.sh >/dev/null || echo "install: could not fetch the ports' sources (kiln ports build and its tests will say so)"
# A real static Linux C library for rv32 (musl, from Debian's source package; cached outside the
# repository) for the libc-on-k1 test. Not fatal: without it that test skips and says why.
bash scripts/musl.sh || echo "install: musl for rv32 not built; tests/kernel/libc.test.ts will skip"
# Static Linux programs nobody wrote for kiln (dash, busybox, Lua, the SQLite shell, against that musl),
# which tests/kernel/linux-programs.test.ts runs on k1 and under qemu-riscv32. Not fatal either.
bash scripts/linux-programs.sh >/dev/null || echo "install: the static Linux programs were not built; tests/kernel/linux-programs.test.ts will skip"
