// Builds kiln's freestanding C test programs with the Debian RISC-V cross compiler.
//
//   buildC(["hello.c"], "hello")            -> /tmp/kiln-c-cache/<hash>/hello
//   buildC(["/abs/x.c"], "/abs/out/x", [...]) -> /abs/out/x
//
// Sources are resolved against tests/c/ unless absolute. Outputs are cached by a hash of the
// compiler, flags, sources and the tests/c headers, so repeated builds are instant and parallel
// test workers do not race (each writes a temp file and renames it into place).

import { CC, haveCrossCompiler } from "../../impl/toolchain/cc.ts";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The directory holding the C sources and headers (tests/c). */
export const C_DIR = dirname(fileURLToPath(import.meta.url));

/** The compiler command; override with KILN_CC. */

/** Flags every program is built with. */
export const BASE_CFLAGS: readonly string[] = [
  "-march=rv32ima",
  "-mabi=ilp32",
  "-static",
  "-nostdlib",
  "-nostartfiles",
  "-O2",
  "-ffreestanding",
  "-fno-builtin",
  "-fno-tree-loop-distribute-patterns",
  "-Wall",
];


function cacheRoot(): string {
  return process.env["KILN_C_CACHE"] ?? join(tmpdir(), "kiln-c-cache");
}

/**
 * Compiles and links `sources` (paths relative to tests/c, or absolute) into a static RV32IMA
 * ELF executable and returns its path. `out` is a file name placed in a cache directory, or an
 * absolute path to write to. Throws an Error with the compiler's diagnostics on failure.
 */
export function buildC(sources: string[], out: string, extraFlags: string[] = []): string {
  if (sources.length === 0) throw new Error("buildC: no sources given");
  if (!haveCrossCompiler()) {
    throw new Error(`buildC: the RISC-V cross compiler '${CC}' is not installed (apt-get install gcc-riscv64-unknown-elf)`);
  }
  const srcPaths = sources.map((s) => (isAbsolute(s) ? s : resolve(C_DIR, s)));
  // A bare linker-script name after -T (e.g. "kiln.ld") is taken from tests/c.
  const extra = extraFlags.map((f, i) =>
    extraFlags[i - 1] === "-T" && !isAbsolute(f) && existsSync(join(C_DIR, f)) ? join(C_DIR, f) : f,
  );
  const flags = [...BASE_CFLAGS, `-I${C_DIR}`, ...extra];

  const h = createHash("sha256");
  h.update(CC).update("\0").update(flags.join("\0")).update("\0");
  for (const p of srcPaths) {
    if (!existsSync(p)) throw new Error(`buildC: source file not found: ${p}`);
    h.update(p).update("\0").update(readFileSync(p)).update("\0");
  }
  for (const f of readdirSync(C_DIR).filter((f) => f.endsWith(".h") || f.endsWith(".ld")).sort()) {
    h.update(f).update("\0").update(readFileSync(join(C_DIR, f))).update("\0");
  }
  const key = h.digest("hex").slice(0, 20);
  const dir = join(cacheRoot(), key);
  const cached = join(dir, basename(out));
  mkdirSync(dir, { recursive: true });

  if (!existsSync(cached)) {
    const tmp = `${cached}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      execFileSync(CC, [...flags, ...srcPaths, "-o", tmp], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      const diag = err.stderr?.toString() ?? err.message;
      throw new Error(`buildC: ${CC} failed for ${sources.join(" ")}:\n${diag}`);
    }
    renameSync(tmp, cached);
  }
  if (!isAbsolute(out)) return cached;
  mkdirSync(dirname(out), { recursive: true });
  copyFileSync(cached, out);
  return out;
}

export { CC, haveCrossCompiler };
