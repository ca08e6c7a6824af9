#!/usr/bin/env bash
# Builds three static Linux rv32 programs that nobody wrote for kiln, from Debian's source packages,
# against the musl that scripts/musl.sh builds: shells with their utilities (dash; busybox, static,
# its shell running applets in-process), a scripting language (lua5.4) and a database shell (sqlite3). They are ordinary Linux programs (raw system calls through musl, no
# layer, no SDK); tests/kernel/linux-programs.test.ts runs them under qemu-riscv32 and on the
# Linux-numbered kernel and compares what they print and the files they leave.
#
# The binaries are cached outside the repository, keyed by a hash of this script and the sources:
#
#   ${KILN_LINUX_PROGRAMS:-${XDG_CACHE_HOME:-$HOME/.cache}/kiln/linux-programs}/<key>/{dash,busybox,lua,lua-rvc,sqlite3}
#
# Prints the directory. Safe to run again (only prints once built). Needs: the cross compiler, the
# musl build, the ports' sources (scripts/fetch-port-sources.sh), host gcc, autoconf and automake
# (dash's Debian patches change its Makefile.am, so it is autoreconf'ed as Debian's build does), and
# the Linux UAPI headers (linux-libc-dev, which gcc pulls in) for busybox.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kiln"
MUSL="${KILN_MUSL_DIR:-$CACHE/musl-1.2.5-rv32}"
CC="$MUSL/bin/rv32-musl-cc"
[ -x "$CC" ] || { echo "linux-programs: no $CC (bash scripts/musl.sh builds musl and the wrapper)" >&2; exit 1; }
for tool in gcc autoreconf make; do
  command -v "$tool" >/dev/null 2>&1 || { echo "linux-programs: '$tool' is needed (Debian packages gcc, autoconf, automake, make)" >&2; exit 1; }
done

declare -A src
while read -r k d; do src[$k]="$d"; done < <(bash "$here/fetch-port-sources.sh")
for k in dash busybox lua5.4 sqlite3-amalgamation; do
  [ -n "${src[$k]:-}" ] || { echo "linux-programs: scripts/fetch-port-sources.sh gave no $k" >&2; exit 1; }
done

# Contents only (not the path this script was run by: install.sh and the test name it differently).
key=$( { cat "$0" "$CC" "$MUSL/lib/libc.a"; echo "${src[dash]} ${src[busybox]} ${src[lua5.4]} ${src[sqlite3-amalgamation]}"; } | sha256sum | cut -c1-16)
OUT="${KILN_LINUX_PROGRAMS:-$CACHE/linux-programs}/$key"
if [ -x "$OUT/dash" ] && [ -x "$OUT/busybox" ] && [ -x "$OUT/lua" ] && [ -x "$OUT/lua-rvc" ] && [ -x "$OUT/sqlite3" ]; then echo "$OUT"; exit 0; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out"

echo "linux-programs: dash" >&2
cp -a "${src[dash]}" "$work/dash"
(cd "$work/dash" && autoreconf -fi >/dev/null 2>&1 \
  && ./configure --host=riscv32-linux-musl CC="$CC" CC_FOR_BUILD=gcc CFLAGS=-O2 >/dev/null \
  && make -s -j"$(nproc)" >/dev/null 2>&1) >&2
cp "$work/dash/src/dash" "$work/out/dash"

echo "linux-programs: busybox" >&2
# musl brings no Linux UAPI headers: the host's (linux-libc-dev) are architecture-neutral but for
# asm/, where the host's little-endian, __BITS_PER_LONG-guarded ones serve an rv32 build.
uapi="$work/uapi"
mkdir -p "$uapi"
multiarch="$(gcc -print-multiarch)"
for d in linux asm-generic mtd; do ln -s "/usr/include/$d" "$uapi/$d"; done
ln -s "/usr/include/$multiarch/asm" "$uapi/asm"
[ -f "$uapi/linux/if_packet.h" ] || { echo "linux-programs: no Linux UAPI headers in /usr/include (Debian package linux-libc-dev)" >&2; exit 1; }
cp -a "${src[busybox]}" "$work/busybox"
bb_make=(make -C "$work/busybox" -s -j"$(nproc)" CC="$CC -idirafter $uapi" HOSTCC=gcc CROSS_COMPILE=riscv64-unknown-elf-)
"${bb_make[@]}" defconfig >/dev/null
# Static; its shell runs applets in-process (no exec of /proc/self/exe, which qemu-user cannot do);
# free and uptime need a sysinfo() that musl's and the kernel's headers both define: left out.
sed -i -e 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/' \
  -e 's/^# CONFIG_FEATURE_PREFER_APPLETS is not set/CONFIG_FEATURE_PREFER_APPLETS=y/' \
  -e 's/^# CONFIG_FEATURE_SH_STANDALONE is not set/CONFIG_FEATURE_SH_STANDALONE=y/' \
  -e 's/^CONFIG_FREE=y/# CONFIG_FREE is not set/' -e 's/^CONFIG_UPTIME=y/# CONFIG_UPTIME is not set/' "$work/busybox/.config"
("${bb_make[@]}" oldconfig </dev/null >/dev/null && "${bb_make[@]}" busybox </dev/null >/dev/null 2>&1) >&2
cp "$work/busybox/busybox" "$work/out/busybox"

echo "linux-programs: lua" >&2
lua="${src[lua5.4]}/src"
lua_core=(lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser lstate lstring ltable ltm
  lundump lvm lzio lauxlib lbaselib lcorolib ldblib liolib lmathlib loadlib loslib lstrlib ltablib lutf8lib linit lua)
# LUA_USE_POSIX as Debian's LUA_USE_LINUX minus dlopen (a static program loads no C modules);
# ports/lua has the multiarch header Debian's luaconf.h patch includes.
lua_files=()
for f in "${lua_core[@]}"; do lua_files+=("$lua/$f.c"); done
"$CC" -O2 -DLUA_USE_POSIX -I"$here/../ports/lua" -o "$work/out/lua" "${lua_files[@]}" 2>/dev/null
# Again with the C extension (compressed instructions, as standard toolchains default to): lua-rvc.
"$CC" -march=rv32imac -O2 -DLUA_USE_POSIX -I"$here/../ports/lua" -o "$work/out/lua-rvc" "${lua_files[@]}" 2>/dev/null

echo "linux-programs: sqlite3" >&2
amal="${src[sqlite3-amalgamation]}"
# As Debian's shell (os_unix.c, record locks, fsync), single-threaded and without dynamic loading.
"$CC" -O1 -I"$amal" -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_ENABLE_MATH_FUNCTIONS \
  -o "$work/out/sqlite3" "$amal/sqlite3.c" "$amal/shell.c" 2>/dev/null

mkdir -p "$(dirname "$OUT")"
# Builds of an older key (another script or source version) are dropped.
find "$(dirname "$OUT")" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
mv "$work/out" "$OUT"
echo "$OUT"
