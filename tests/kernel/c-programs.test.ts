// The project's C test programs (tests/c) built with the cross compiler, run on k1.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildC, haveCrossCompiler } from "../c/build.ts";
import { run } from "./helpers.ts";

const cc = haveCrossCompiler();
if (!cc) console.warn("SKIPPED tests/kernel/c-programs: riscv64-unknown-elf-gcc is not installed");

const load = (name: string): Uint8Array => readFileSync(buildC([`${name}.c`], name));

describe.skipIf(!cc)("kernel: C programs (tests/c)", () => {
  it("hello", () => {
    const r = run(load("hello"));
    expect(r.stdout).toBe("hello, world\n");
    expect(r.status).toBe(0);
    expect(r.insns).toBe(run(load("hello")).insns);
  });

  it("args: argv and envp reach main", () => {
    const r = run(load("args"), ["args", "x", "yz"], { env: ["A=1", "B=2"] });
    expect(r.stdout).toBe("3\nargs\nx\nyz\nA=1\nB=2\n");
    expect(r.status).toBe(3);
  });

  it("brk", () => {
    const r = run(load("brk"));
    expect(r.stdout).toBe("brk ok\n");
    expect(r.status).toBe(0);
  });

  it("clock", () => {
    const r = run(load("clock"));
    expect(r.stdout).toBe("clock ok\n");
    expect(r.status).toBe(0);
  });

  it("echo copies stdin to stdout", () => {
    const input = "line one\nline two\n".repeat(100);
    const r = run(load("echo"), ["echo"], { stdin: input });
    expect(r.stdout).toBe(input);
    expect(r.status).toBe(0);
  });

  it("primes: exact output, status and a stable instruction count", () => {
    const a = run(load("primes"));
    expect(a.stdout).toBe("1229\n");
    expect(a.status).toBe(205);
    const b = run(load("primes"));
    expect(b.insns).toBe(a.insns);
    expect(a.insns).toBeGreaterThan(100_000);
  });

  it("atomic", () => {
    expect(run(load("atomic")).status).toBe(42);
  });
});
