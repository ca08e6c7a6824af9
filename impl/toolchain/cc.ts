// `kiln cc`: builds a layered C program with the RISC-V cross compiler, the generated header of a
// program ABI (generated/c/<pN>/kiln.h), the SDK's crt0 and linker script, its POSIX layer on the
// stub slots (sdk/libc) and Debian's picolibc for ISO C (stdio with floating point, math, string,
// ctype, setjmp, qsort, time formatting; see docs/writing-a-guest-program.md). The SDK is compiled
// once per program ABI into a cache directory keyed by a hash of the compiler, the flags, the
// header, picolibc's configuration and every SDK source, so later builds only compile the program.
//
// Exit status: 0 on success; 1 when compiling or linking fails (the compiler's diagnostics are
// printed); 2 for bad options; 127 when the cross compiler is not installed.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheRoot } from "../../gen/cache.ts";
import { programs, programVersions } from "../../generated/index.ts";
import { C_CONSTANTS_HEADER } from "../../gen/types.ts";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SDK_DIR = join(REPO, "sdk");
/** The generated C headers, one folder per program ABI (`--spec DIR` points it at its own: useGeneratedC). */
export let GENERATED_C = join(REPO, "generated", "c");
/** Build against the C headers in `dir` (one folder per program ABI) instead of generated/c. */
export function useGeneratedC(dir: string): void {
  GENERATED_C = dir;
}
/** The compiler command; override with KILN_CC. */
export const CC = process.env["KILN_CC"] ?? "riscv64-unknown-elf-gcc";
/** Where compiled libcs are kept: <user cache>/sdk (gen/cache.ts); override with KILN_SDK_CACHE. */
export const SDK_CACHE = process.env["KILN_SDK_CACHE"] ?? join(cacheRoot(), "sdk");
/** Debian's picolibc for the cross compiler (package picolibc-riscv64-unknown-elf); override with KILN_PICOLIBC. */
export const PICOLIBC = process.env["KILN_PICOLIBC"] ?? "/usr/lib/picolibc/riscv64-unknown-elf";
/** picolibc's build for the target: RV32IM (its atomics-free multilib; the code runs on RV32IMA), ilp32. */
export const PICOLIBC_LIB = join(PICOLIBC, "lib", "rv32im", "ilp32");

/** Flags for every translation unit: RV32IMA (no compressed instructions), ilp32, static, no host libc. */
export const ARCH_FLAGS: readonly string[] = ["-march=rv32ima", "-mabi=ilp32"];
/** TLS is local-exec, as picolibc is built: the TLS image is laid out after the 16-byte TLS block (sdk/kiln.ld). */
const COMMON_FLAGS: readonly string[] = ["-std=gnu11", "-fno-pic", "-fno-asynchronous-unwind-tables", "-ftls-model=local-exec", "-ffunction-sections", "-fdata-sections", "-Wall"];
/** Extra flags for the SDK's own sources: it implements malloc/calloc, so GCC must not turn malloc + memset into calloc. */
const LIBC_FLAGS: readonly string[] = ["-fno-builtin", "-O2"];

export class CcError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "CcError";
  }
}

let haveCc: boolean | undefined;
/** True when the RISC-V cross compiler can be run. */
export function haveCrossCompiler(): boolean {
  if (haveCc === undefined) {
    try {
      execFileSync(CC, ["--version"], { stdio: "ignore" });
      haveCc = true;
    } catch {
      haveCc = false;
    }
  }
  return haveCc;
}

/** True when Debian's picolibc for the cross compiler is installed. */
export function havePicolibc(): boolean {
  return existsSync(join(PICOLIBC_LIB, "libc.a")) && existsSync(join(PICOLIBC, "include", "picolibc.h"));
}

function requireCompiler(): void {
  if (!haveCrossCompiler()) {
    throw new CcError(
      `the RISC-V cross compiler '${CC}' is not installed or not on PATH.\n` +
        `Install it with: sudo apt-get install gcc-riscv64-unknown-elf   (Debian/Ubuntu package gcc-riscv64-unknown-elf)\n` +
        `or point KILN_CC at another riscv*-elf-gcc.`,
      127,
    );
  }
  if (!havePicolibc()) {
    throw new CcError(
      `picolibc for the cross compiler is not installed (no ${join(PICOLIBC_LIB, "libc.a")}).\n` +
        `Install it with: sudo apt-get install picolibc-riscv64-unknown-elf   (Debian/Ubuntu package picolibc-riscv64-unknown-elf)\n` +
        `or point KILN_PICOLIBC at another picolibc installation.`,
      127,
    );
  }
}

/** The number a generated header gives its program ABI (`#define KILN_PROGRAM_ABI n`), or null. */
function headerAbiNumber(abi: string): number | null {
  const h = join(GENERATED_C, abi, "kiln.h");
  if (!existsSync(h)) return null;
  const m = /^#define KILN_PROGRAM_ABI (\d+)$/m.exec(readFileSync(h, "utf8"));
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** Program ABIs that have a generated header, oldest first (by the number the spec gives each). */
export function programAbis(): string[] {
  if (!existsSync(GENERATED_C)) return [];
  const numbered = readdirSync(GENERATED_C).map((d) => ({ d, n: headerAbiNumber(d) }));
  return numbered.flatMap((x) => (x.n === null ? [] : [{ d: x.d, n: x.n }])).sort((a, b) => a.n - b.n).map((x) => x.d);
}

/** The program ABI `kiln cc` builds for without -p: the newest the spec defines. */
export function defaultAbi(): string {
  const abis = programAbis();
  const newest = abis[abis.length - 1];
  if (newest === undefined) throw new CcError(`no generated C header in ${GENERATED_C}; run \`kiln gen\``, 2);
  return newest;
}

let gccIncludeDir: string | undefined;
/** GCC's own freestanding headers (stddef.h, stdarg.h, stdint-gcc.h …): the only system headers used. */
function gccInclude(): string {
  gccIncludeDir ??= execFileSync(CC, [...ARCH_FLAGS, "-print-file-name=include"], { encoding: "utf8" }).trim();
  return gccIncludeDir;
}

/** The include path for program ABI `abi` (also used by the matrix's raw builds). */
export function includeFlags(abi: string): string[] {
  // The SDK's POSIX headers first (they replace picolibc's errno.h, fcntl.h, signal.h, unistd.h,
  // sys/stat.h, … with the spec's numbers and structures), then the generated header, then
  // picolibc's ISO C headers, then GCC's own (stddef.h, stdarg.h).
  return ["-nostdinc", `-I${join(SDK_DIR, "include")}`, `-I${join(GENERATED_C, abi)}`, "-isystem", join(PICOLIBC, "include"), "-isystem", gccInclude(), "-isystem", `${gccInclude()}-fixed`];
}

function run(args: string[], what: string): void {
  try {
    execFileSync(CC, args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new CcError(`${what} failed:\n${err.stderr?.toString().trimEnd() || err.message}`, 1);
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

export interface SdkLibrary {
  readonly dir: string;
  readonly crt0: string;
  /** The SDK's objects as one relocatable object: always linked whole, so its definitions win over picolibc's. */
  readonly lib: string;
  readonly ldscript: string;
}

/** The compiled crt0 and libc of program ABI `abi`, built into the cache on first use. */
export function sdkLibrary(abi: string): SdkLibrary {
  requireCompiler();
  const header = join(GENERATED_C, abi, "kiln.h");
  if (!existsSync(header)) {
    throw new CcError(`no generated header for program ABI '${abi}' (have: ${programAbis().join(", ") || "none — run 'kiln gen'"})`, 2);
  }
  const h = createHash("sha256");
  h.update(execFileSync(CC, ["--version"], { encoding: "utf8" })).update("\0");
  h.update([...ARCH_FLAGS, ...COMMON_FLAGS, ...LIBC_FLAGS].join(" ")).update("\0");
  h.update(readFileSync(join(PICOLIBC, "include", "picolibc.h"))).update("\0");
  for (const f of [header, join(GENERATED_C, C_CONSTANTS_HEADER), ...listFiles(SDK_DIR)]) h.update(relative(REPO, f)).update("\0").update(readFileSync(f)).update("\0");
  const dir = join(SDK_CACHE, `${abi}-${h.digest("hex").slice(0, 16)}`);
  const lib: SdkLibrary = { dir, crt0: join(dir, "crt0.o"), lib: join(dir, "libkiln.o"), ldscript: join(SDK_DIR, "kiln.ld") };
  if (existsSync(lib.lib) && existsSync(lib.crt0)) return lib;

  // Build in a private directory, then rename it into place (parallel builds do not race).
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(tmp, { recursive: true });
  } catch (e) {
    throw new CcError(`cannot write the build cache ${SDK_CACHE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (set KILN_CACHE_DIR to a writable directory)`, 1);
  }
  try {
    const flags = [...ARCH_FLAGS, ...COMMON_FLAGS, ...LIBC_FLAGS, ...includeFlags(abi)];
    run([...flags, "-c", join(SDK_DIR, "crt0.S"), "-o", join(tmp, "crt0.o")], `${abi}: assembling sdk/crt0.S`);
    const srcs = readdirSync(join(SDK_DIR, "libc")).filter((f) => f.endsWith(".c") || f.endsWith(".S")).sort();
    const objs: string[] = [];
    for (const s of srcs) {
      const o = join(tmp, `${s.replace(/\.[cS]$/, "")}.o`);
      run([...flags, "-c", join(SDK_DIR, "libc", s), "-o", o], `${abi}: compiling sdk/libc/${s}`);
      objs.push(o);
    }
    run([...ARCH_FLAGS, "-nostdlib", "-r", "-o", join(tmp, "libkiln.o"), ...objs], `${abi}: linking the SDK objects`);
    try {
      renameSync(tmp, dir);
    } catch {
      if (!existsSync(lib.lib)) throw new CcError(`cannot install the libc into ${dir}`, 1);
    }
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
  return lib;
}

export interface CcOptions {
  /** Source files (.c, .S, .o), host paths. */
  readonly sources: readonly string[];
  /** Output executable path. */
  readonly out: string;
  /** Program ABI; default the newest in the spec (defaultAbi). */
  readonly abi?: string;
  /** Optimisation level: 0, 1, 2, 3, s, g (default 2). */
  readonly opt?: string;
  /** Extra compiler flags (-I, -D, …). */
  readonly flags?: readonly string[];
  /** Build the program's own sources for rv32imac (compressed instructions); the SDK libc stays rv32ima. */
  readonly rvc?: boolean;
}

/** What follows the SDK's object on a link line: picolibc and libgcc, searched as a group. */
export function libcLinkArgs(): string[] {
  return ["-Wl,--start-group", join(PICOLIBC_LIB, "libc.a"), join(PICOLIBC_LIB, "libm.a"), "-lgcc", "-Wl,--end-group"];
}

/** Compiler flags every SDK translation unit and program gets (TLS model, sections). */
export const SDK_CFLAGS: readonly string[] = ["-ftls-model=local-exec", "-ffunction-sections", "-fdata-sections"];

/** The compiler command line `kiln cc` runs for `o` (after the libc is built). */
export function ccCommand(o: CcOptions, lib: SdkLibrary): string[] {
  const abi = o.abi ?? defaultAbi();
  return [
    ...ARCH_FLAGS,
    ...(o.rvc ? ["-march=rv32imac"] : []),
    ...COMMON_FLAGS,
    `-O${o.opt ?? "2"}`,
    ...includeFlags(abi),
    ...(o.flags ?? []),
    "-static",
    "-nostdlib",
    "-nostartfiles",
    "-T",
    lib.ldscript,
    "-Wl,--build-id=none",
    "-Wl,--gc-sections",
    ...(o.opt === "g" || (o.flags ?? []).includes("-g") ? [] : ["-Wl,--strip-debug"]),
    lib.crt0,
    ...o.sources.map((s) => resolve(s)),
    lib.lib,
    ...libcLinkArgs(),
    "-o",
    resolve(o.out),
  ];
}

/** The compiler command line that compiles one source `src` to the object `out` for program ABI `abi` (kiln ports build). */
export function ccCompileCommand(src: string, out: string, abi: string, opt = "2", flags: readonly string[] = []): string[] {
  return [...ARCH_FLAGS, ...COMMON_FLAGS, `-O${opt}`, ...includeFlags(abi), ...flags, "-c", resolve(src), "-o", resolve(out)];
}

/**
 * When a build failed because the program calls a slot its program ABI lacks (`kiln_<id>`, or the
 * C function the SDK defines only with that slot, such as `pread`), names the slot and the program
 * ABIs that have it: "slot pread is not in program ABI p3; p4 has it (build with -p p4)".
 */
export function missingSlotHint(compilerOutput: string, abi: string): string | null {
  const slotsOf = (p: string) => new Set((programs as Record<string, { slots: readonly { id: string }[] }>)[p]?.slots.map((s) => s.id) ?? []);
  const have = slotsOf(abi);
  const names = new Set<string>();
  for (const m of compilerOutput.matchAll(/(?:undefined reference to [`']|implicit declaration of function [`'‘])(?:kiln_)?(\w+)/g)) names.add(m[1]!);
  const lines: string[] = [];
  for (const id of [...names].sort()) {
    if (have.has(id)) continue;
    const where = programVersions.filter((p) => slotsOf(p).has(id));
    if (where.length > 0) lines.push(`slot ${id} is not in program ABI ${abi}; ${where.join(", ")} ${where.length > 1 ? "have" : "has"} it (build with -p ${where[0]})`);
  }
  return lines.length > 0 ? lines.join("\n") : null;
}

/** Builds a layered program. Throws CcError (with the exit status kiln cc uses) on failure. */
export function ccBuild(o: CcOptions): string {
  const abi = o.abi ?? defaultAbi();
  if (!programAbis().includes(abi)) throw new CcError(`-p expects a program ABI (${programAbis().join(", ")}), got '${abi}'`, 2);
  if (o.opt !== undefined && !/^(0|1|2|3|s|g|fast)$/.test(o.opt)) throw new CcError(`-O expects 0, 1, 2, 3, s, g or fast, got '${o.opt}'`, 2);
  if (o.sources.length === 0) throw new CcError("no input files", 2);
  for (const s of o.sources) if (!existsSync(s)) throw new CcError(`${s}: no such file`, 2);
  const lib = sdkLibrary(abi);
  mkdirSync(dirname(resolve(o.out)), { recursive: true });
  try {
    run(ccCommand(o, lib), `${o.sources.map((s) => basename(s)).join(" ")}`);
  } catch (e) {
    const hint = e instanceof CcError ? missingSlotHint(e.message, abi) : null;
    if (hint) throw new CcError(`${hint}\n${(e as CcError).message}`, 1);
    throw e;
  }
  return resolve(o.out);
}
