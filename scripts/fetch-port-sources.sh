#!/usr/bin/env bash
# Fetches the Debian source packages the ports are built from (kiln ports build; dash and busybox
# only for scripts/linux-programs.sh), pinned to the
# bookworm versions below, into a cache outside the repository (default ~/.cache/kiln/sources;
# override with KILN_SOURCES). Safe to run again: a package whose .dsc is cached and verified is
# not fetched again. Prints the unpacked source directory of each package.
#
# The deb-src entries live in a file of our own; apt-get runs with that file as its only source
# list and its own state and cache directories under the cache, so the system's apt state is not
# touched. Each .dsc's SHA-256 is checked against the pin below, and dpkg-source checks the
# tarballs against the .dsc when it unpacks them.
set -euo pipefail

CACHE="${KILN_SOURCES:-${XDG_CACHE_HOME:-$HOME/.cache}/kiln/sources}"

# package  version  sha256 of the .dsc
PINS=(
  "lua5.4 5.4.4-3+deb12u1 d47c50154294a68c8a209c5d61bc09e5b22891c01b7c47501ac3f9725eb4a813"
  "sqlite3 3.40.1-2+deb12u2 ee3459ae9d00939741c7708fc1b8ce1bde12d8c3fb1dfa005bbbc8651d884e23"
  "dash 0.5.12-2 25c0fb805c735fdb7470ce485ce76dae1a7b6c04efdfb0fdac5eab921cbd78a5"
  "busybox 1:1.35.0-4+deb12u1 9c01fe128b0eeded371c70e37d474fdb5055f71b5d0a778db44c6b0c62d3a7fa"
)

mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/archives/partial"
LIST="$CACHE/apt/sources.list"
cat >"$LIST" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
APT_OPTS=(
  -o "Dir::Etc::sourcelist=$LIST" -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$CACHE/apt/lists" -o "Dir::Cache=$CACHE/apt"
  -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1"
)

updated=0
for pin in "${PINS[@]}"; do
  read -r pkg ver sum <<<"$pin"
  upver="${ver%-*}"; upver="${upver#*:}"
  dsc="$CACHE/${pkg}_${ver#*:}.dsc"   # file names carry no epoch
  dir="$CACHE/${pkg}-${upver}"
  if [ ! -f "$dsc" ]; then
    if [ $updated -eq 0 ]; then
      echo "fetch-port-sources: apt-get update (deb-src bookworm)" >&2
      apt-get update -qq "${APT_OPTS[@]}" >&2
      updated=1
    fi
    echo "fetch-port-sources: apt-get source --download-only $pkg=$ver" >&2
    (cd "$CACHE" && apt-get source -qq --download-only "${APT_OPTS[@]}" "$pkg=$ver" >&2)
  fi
  got="$(sha256sum "$dsc" | cut -d' ' -f1)"
  if [ "$got" != "$sum" ]; then
    echo "fetch-port-sources: $dsc: sha256 $got, expected $sum (pinned in $0)" >&2
    exit 1
  fi
  if [ ! -d "$dir" ]; then
    rm -rf "$dir.tmp"
    dpkg-source --require-valid-signature -x "$dsc" "$dir.tmp" >&2 2>/dev/null || dpkg-source -x "$dsc" "$dir.tmp" >&2
    mv "$dir.tmp" "$dir"
  fi
  echo "$pkg $dir"
done

# SQLite's amalgamation (sqlite3.c, sqlite3.h, shell.c) is generated from the source tree with the
# host's cc, tclsh and make (Debian packages gcc, tcl, make), once, into the cache.
sq_up="$(for pin in "${PINS[@]}"; do read -r p v _ <<<"$pin"; if [ "$p" = sqlite3 ]; then echo "${v%-*}"; fi; done)"
amal="$CACHE/sqlite3-${sq_up}-amalgamation"
if [ ! -f "$amal/sqlite3.c" ] || [ ! -f "$amal/shell.c" ]; then
  for tool in cc tclsh make; do
    command -v "$tool" >/dev/null 2>&1 || { echo "fetch-port-sources: '$tool' is needed to generate SQLite's amalgamation (Debian packages gcc, tcl, make)" >&2; exit 1; }
  done
  echo "fetch-port-sources: generating SQLite's amalgamation (configure; make sqlite3.c shell.c)" >&2
  b="$amal.build"
  rm -rf "$b" && mkdir -p "$b"
  (cd "$b" && "$CACHE/sqlite3-${sq_up}/configure" --disable-tcl >/dev/null && make -s sqlite3.c shell.c >/dev/null) >&2
  mkdir -p "$amal.tmp" && cp "$b/sqlite3.c" "$b/sqlite3.h" "$b/shell.c" "$amal.tmp/" && rm -rf "$amal" && mv "$amal.tmp" "$amal" && rm -rf "$b"
fi
echo "sqlite3-amalgamation $amal"
