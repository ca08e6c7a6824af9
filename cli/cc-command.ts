// `kiln cc`: the command line over impl/toolchain/cc.ts (the SDK build and the compiler driver).
import type { Command } from "commander";
import { CC, CcError, ccBuild, ccCommand, defaultAbi, haveCrossCompiler, programAbis, PICOLIBC, SDK_CACHE, sdkLibrary, type CcOptions } from "../impl/toolchain/cc.ts";

interface CcCliOpts {
  program?: string;
  output: string;
  opt?: string;
  include?: string[];
  define?: string[];
  verbose?: boolean;
  rvc?: boolean;
}

export function registerCc(program: Command): void {
  program
    .command("cc")
    .description("build a layered C program (RV32IMA ELF with the stub section and ABI note) against a program ABI")
    .argument("<files...>", "C sources (.c), assembly (.S) or objects (.o)")
    .option("-p, --program <abi>", "program ABI to build against (generated/c/<abi>/kiln.h; default: the newest)")
    .option("-o, --output <file>", "output executable", "a.out")
    .option("-O, --opt <level>", "optimisation level: 0, 1, 2, 3, s, g (default 2)")
    .option("-I, --include <dir>", "add an include directory (repeatable)", (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("-D, --define <name[=value]>", "define a preprocessor macro (repeatable)", (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option("-v, --verbose", "print the compiler command")
    .option("--rvc", "compile the program for rv32imac (compressed instructions; the SDK libc stays rv32ima)")
    .addHelpText(
      "after",
      `
Builds with ${CC} (override with KILN_CC): -march=rv32ima (rv32imac with --rvc) -mabi=ilp32, the generated header
generated/c/<abi>/kiln.h, sdk/include, sdk/crt0.S, the linker script sdk/kiln.ld, the POSIX layer
in sdk/libc and, for ISO C, Debian's picolibc from ${PICOLIBC} (package
picolibc-riscv64-unknown-elf; override with KILN_PICOLIBC). The SDK is compiled once per program ABI
into ${SDK_CACHE}/ (the user's cache directory: KILN_CACHE_DIR, else $XDG_CACHE_HOME/kiln, else
~/.cache/kiln; KILN_SDK_CACHE overrides just this), keyed by a hash of its sources. The result is a layered program: it calls only
stub slots, never ecall, so it runs on every kernel ABI (kiln run --kernel k1|k2|k3 prog).

Exit status: 0 built; 1 compile or link error; 2 bad options or missing input;
127 the cross compiler or picolibc is missing (Debian packages gcc-riscv64-unknown-elf,
picolibc-riscv64-unknown-elf).`,
    )
    .action((files: string[], opts: CcCliOpts) => {
      try {
        const flags = [...(opts.include ?? []).map((d) => `-I${d}`), ...(opts.define ?? []).map((d) => `-D${d}`)];
        const o: CcOptions = { sources: files, out: opts.output, abi: opts.program ?? defaultAbi(), flags, ...(opts.opt !== undefined ? { opt: opts.opt } : {}), ...(opts.rvc ? { rvc: true } : {}) };
        if (opts.verbose && haveCrossCompiler() && programAbis().includes(o.abi ?? "")) {
          process.stderr.write(`${CC} ${ccCommand(o, sdkLibrary(o.abi ?? "")).join(" ")}\n`);
        }
        ccBuild(o);
        process.exitCode = 0;
      } catch (e) {
        if (!(e instanceof CcError)) throw e;
        process.stderr.write(`kiln cc: ${e.message}\n`);
        process.exitCode = e.status;
      }
    });
}
