#!/usr/bin/env bash
# Builds a real static Linux C library for rv32 (musl 1.2.5, riscv32 soft-float, -march=rv32ima)
# from Debian's source package, for tests/kernel/libc.test.ts: a libc-linked program must run on k1
# as under qemu-riscv32. Debian 12's musl (1.2.3) has no riscv32 port, so the source comes from
# Debian 13 (trixie) through a deb-src entry of our own; the upstream tarball is checked against a
# pinned SHA-256. The result is cached outside the repository:
#
#   ${KILN_MUSL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kiln/musl-1.2.5-rv32}/{include,lib}
#
# Safe to run again (does nothing once built). KILN_NO_MUSL=1 skips it; the test then skips too.
set -euo pipefail

VERSION=1.2.5
ORIG_SHA256=a9a118bbe84d8764da0ea0d28b3ab3fae8477fc7e4085d90102b8596fc7c75e4
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kiln"
PREFIX="${KILN_MUSL_DIR:-$CACHE/musl-$VERSION-rv32}"

[ "${KILN_NO_MUSL:-}" = 1 ] && { echo "musl: skipped (KILN_NO_MUSL=1)"; exit 0; }
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || { echo "musl: riscv64-unknown-elf-gcc missing; skipped" >&2; exit 0; }

# $PREFIX/bin/rv32-musl-cc: the cross compiler set up for static rv32 Linux programs against this
# musl (what musl's own musl-gcc wrapper does for a native gcc): includes on compile and partial
# links (-r); start files, libc and libgcc in their order on a final link. scripts/linux-programs.sh builds with it.
write_wrapper() {
  local libgcc
  libgcc=$(riscv64-unknown-elf-gcc -march=rv32ima -mabi=ilp32 -print-libgcc-file-name)
  mkdir -p "$PREFIX/bin"
  cat >"$PREFIX/bin/rv32-musl-cc" <<EOF
#!/bin/sh
# Written by kiln's scripts/musl.sh: riscv64-unknown-elf-gcc for static rv32 Linux programs on musl.
flags="-march=rv32ima -mabi=ilp32 -nostdinc -isystem $PREFIX/include"
case " \$* " in
  *" -c "*|*" -E "*|*" -S "*|*" -M "*|*" -MM "*|*" -r "*) exec riscv64-unknown-elf-gcc \$flags "\$@" ;;
esac
exec riscv64-unknown-elf-gcc \$flags -static -nostdlib -L"$PREFIX/lib" "$PREFIX/lib/crt1.o" "$PREFIX/lib/crti.o" "\$@" \\
  "$PREFIX/lib/libc.a" "$libgcc" "$PREFIX/lib/crtn.o"
EOF
  chmod +x "$PREFIX/bin/rv32-musl-cc"
  # As musl's make install: libm, libpthread, … are in libc.a; -lm and friends find empty archives.
  for l in m rt pthread crypt util xnet resolv dl; do
    [ -f "$PREFIX/lib/lib$l.a" ] || riscv64-unknown-elf-ar rc "$PREFIX/lib/lib$l.a"
  done
}
if [ -f "$PREFIX/lib/libc.a" ]; then
  [ -x "$PREFIX/bin/rv32-musl-cc" ] && [ -f "$PREFIX/lib/libdl.a" ] && grep -q -- ' -r ' "$PREFIX/bin/rv32-musl-cc" || write_wrapper
  exit 0
fi

work="$CACHE/musl-src"
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" > "$apt_dir/sources.list"
opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt_dir/lists" -o APT::Get::List-Cleanup=0)

orig="$work/musl_$VERSION.orig.tar.gz"
if [ ! -f "$orig" ] || ! echo "$ORIG_SHA256  $orig" | sha256sum -c --status; then
  echo "musl: fetching Debian's musl $VERSION source package"
  apt-get update -qq "${opts[@]}"
  ver=$(apt-cache "${opts[@]}" showsrc musl | awk '/^Version: /{print $2}' | grep "^$VERSION-" | head -1)
  [ -n "$ver" ] || { echo "musl: no musl $VERSION source package in trixie" >&2; exit 1; }
  (cd "$work" && apt-get source --download-only -qq "${opts[@]}" "musl=$ver" 2>/dev/null)
  echo "$ORIG_SHA256  $orig" | sha256sum -c --status || { echo "musl: $orig does not match the pinned SHA-256" >&2; exit 1; }
fi

echo "musl: building $VERSION for riscv32 (rv32ima, soft float) into $PREFIX"
build="$work/build"
rm -rf "$build"
mkdir -p "$build"
tar -xzf "$orig" -C "$build"
cd "$build/musl-$VERSION"
libgcc=$(riscv64-unknown-elf-gcc -march=rv32ima -mabi=ilp32 -print-libgcc-file-name)
./configure --target=riscv32 --disable-shared --prefix="$PREFIX" \
  CC=riscv64-unknown-elf-gcc CFLAGS="-march=rv32ima -mabi=ilp32 -O2" LIBCC="$libgcc" >/dev/null
tools=(AR=riscv64-unknown-elf-ar RANLIB=riscv64-unknown-elf-ranlib)
make -s -j"$(nproc)" "${tools[@]}" lib/libc.a lib/crt1.o lib/crti.o lib/crtn.o >/dev/null
make -s "${tools[@]}" install-headers >/dev/null
mkdir -p "$PREFIX/lib"
cp lib/libc.a lib/crt1.o lib/crti.o lib/crtn.o "$PREFIX/lib/"
rm -rf "$build"
write_wrapper
echo "musl: done"
