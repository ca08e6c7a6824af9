// `kiln run` through a child process: exit statuses, messages, options.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { asm, sys } from "./helpers.ts";
import { buildC, haveCrossCompiler } from "../c/build.ts";

const KILN = join(import.meta.dirname, "../../bin/kiln");
const dir = mkdtempSync(join(tmpdir(), "kiln-run-"));

function kiln(args: string[], input = "") {
  const r = spawnSync(process.execPath, [KILN, ...args], { input, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const ECHO_ARGS = file(
  "echo-args",
  asm(`
  .text
  .globl _start
_start:
  lw s0, 0(sp)
  addi s1, sp, 8        # argv[1]
1:
  lw a1, 0(s1)
  beqz a1, 9f
  mv t1, a1
2:
  lbu t2, 0(t1)
  beqz t2, 3f
  addi t1, t1, 1
  j 2b
3:
  sub a2, t1, a1
  li a0, 1
${sys("write")}
  addi s1, s1, 4
  j 1b
9:
  addi a0, s0, 40
${sys("exit_group")}
`),
);

const LOOP = file("loop", asm("  .text\n  .globl _start\n_start:\n1: j 1b\n"));
const SEGV = file("segv", asm("  .text\n  .globl _start\n_start:\n  lw a0, 0(zero)\n"));

describe("kiln run (CLI)", () => {
  it("passes arguments (including option-like ones) and returns the guest status", () => {
    const r = kiln(["run", "--kernel", "k1", ECHO_ARGS, "a", "-b", "--c"]);
    expect(r.stdout).toBe("a-b--c");
    expect(r.status).toBe(44);
    expect(r.stderr).toBe("");
  });

  it("--count prints retired instructions to stderr", () => {
    const r = kiln(["run", "--count", ECHO_ARGS]);
    expect(r.status).toBe(41);
    expect(r.stderr).toMatch(/^kiln run: \d+ instructions retired\n$/);
  });

  it("--max-insns stops a runaway program with status 124 and a message", () => {
    const r = kiln(["run", "--max-insns", "50000", LOOP]);
    expect(r.status).toBe(124);
    expect(r.stderr).toContain("instruction limit reached (50000 instructions)");
  });

  it("a fault ends with 128+SIGSEGV and says so", () => {
    const r = kiln(["run", SEGV]);
    expect(r.status).toBe(139);
    expect(r.stderr).toContain("killed by signal 11 (SIGSEGV)");
  });

  it("a garbage ELF is one clear line and status 126, no stack trace", () => {
    const r = kiln(["run", file("garbage", "this is not an ELF file at all, not even close")]);
    expect(r.status).toBe(126);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot run/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("a truncated ELF is also 126", () => {
    const elf = asm("  .text\n  .globl _start\n_start:\n  j _start\n");
    const r = kiln(["run", file("trunc", elf.subarray(0, 60))]);
    expect(r.status).toBe(126);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a missing file is 127; an unknown kernel is a usage error", () => {
    expect(kiln(["run", join(dir, "nope")]).status).toBe(127);
    const r = kiln(["run", "--kernel", "k99", ECHO_ARGS]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown kernel ABI 'k99'");
  });

  it("--help describes the options and statuses", () => {
    const r = kiln(["run", "--help"]);
    expect(r.status).toBe(0);
    for (const s of ["--kernel", "--root", "--max-insns", "--count", "124", "126", "128+N"]) expect(r.stdout).toContain(s);
  });
});

describe.skipIf(!haveCrossCompiler())("kiln run with C programs", () => {
  const cat = buildC([join(import.meta.dirname, "c", "cat.c")], "cat", [`-I${join(import.meta.dirname, "c")}`]);
  const echo = buildC(["echo.c"], "echo");
  const root = mkdtempSync(join(tmpdir(), "kiln-cli-root-"));
  const outside = mkdtempSync(join(tmpdir(), "kiln-cli-outside-"));
  writeFileSync(join(outside, "secret"), "SECRET\n");
  mkdirSync(join(root, "etc"));
  writeFileSync(join(root, "etc", "motd"), "hello from the guest root\n");
  symlinkSync(join(outside, "secret"), join(root, "escape"));
  symlinkSync("/etc/motd", join(root, "motd-link"));

  it("--root imports a host directory; absolute symlinks resolve inside it", () => {
    const r = kiln(["run", "--root", root, cat, "/etc/motd", "/motd-link"]);
    expect(r.stdout).toBe("hello from the guest root\nhello from the guest root\n");
    expect(r.status).toBe(0);
  });

  it("--root: no symlink, .. or host path escapes the guest root", () => {
    expect(kiln(["run", "--root", root, cat, "/escape"]).status).toBe(2);
    expect(kiln(["run", "--root", root, cat, "/../../../../../../" + join(outside, "secret")]).status).toBe(2);
    expect(kiln(["run", "--root", root, cat, join(outside, "secret")]).status).toBe(2);
  });

  it("--root is never written back", () => {
    const before = readFileSync(join(root, "etc", "motd"), "utf8");
    kiln(["run", "--root", root, cat, "/etc/motd"]);
    expect(readFileSync(join(root, "etc", "motd"), "utf8")).toBe(before);
  });

  it("guest stdin is the host's, read to end of file", () => {
    const input = "x".repeat(100_000) + "\nend\n";
    const r = kiln(["run", echo], input);
    expect(r.stdout).toBe(input);
    expect(r.status).toBe(0);
  });
});
