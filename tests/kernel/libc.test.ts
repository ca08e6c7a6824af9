// A program linked against a real static Linux C library (musl 1.2.5 for riscv32, built by
// scripts/musl.sh from Debian's source package) runs on k1 exactly as under qemu-riscv32: stdio,
// printf of doubles, directories, qsort, fork and waitpid, record locks, fsync, ftruncate, poll.
// Skipped cleanly without the cross compiler, qemu-riscv32 or the musl build.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildC, CC, haveCrossCompiler } from "../c/build.ts";
import { run } from "./helpers.ts";

const MUSL = process.env["KILN_MUSL_DIR"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "kiln", "musl-1.2.5-rv32");
const cc = haveCrossCompiler();
const qemu = spawnSync("qemu-riscv32", ["-version"]).status === 0;
const musl = existsSync(join(MUSL, "lib", "libc.a"));
const why = !cc ? "riscv64-unknown-elf-gcc is not installed" : !qemu ? "qemu-riscv32 is not installed" : !musl ? `no musl for rv32 in ${MUSL} (bash scripts/musl.sh builds it)` : "";
if (why) console.warn(`SKIPPED tests/kernel/libc: ${why}`);

function buildWithMusl(): string {
  const libgcc = spawnSync(CC, ["-march=rv32ima", "-mabi=ilp32", "-print-libgcc-file-name"], { encoding: "utf8" }).stdout.trim();
  const lib = (f: string): string => join(MUSL, "lib", f);
  return buildC(
    [join(import.meta.dirname, "c", "libc_prog.c"), lib("crt1.o"), lib("crti.o"), lib("libc.a"), libgcc, lib("crtn.o")],
    "libc_prog",
    ["-nostdinc", "-isystem", join(MUSL, "include")],
  );
}

describe.skipIf(why !== "")("a musl-linked program on k1 and under qemu-riscv32", () => {
  it("the same output and exit status", () => {
    const bin = buildWithMusl();
    const cwd = mkdtempSync(join(tmpdir(), "kiln-libc-"));
    let q;
    try {
      q = spawnSync("qemu-riscv32", [bin], { cwd, env: {}, encoding: "utf8", timeout: 60_000 });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
    const k = run(readFileSync(bin), [bin]);
    expect(k.stdout).toBe(q.stdout);
    expect(k.status).toBe(q.status);
    expect(k.status).toBe(42);
    expect(k.stdout).toContain("0 apple has 5 letters\n");
    expect(k.stdout).toContain("child lock: -1 (Resource temporarily unavailable)\n");
  });
});
