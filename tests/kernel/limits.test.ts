// Limits and misuse: caps end with a clear error or status, never a host hang or exception.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildC, haveCrossCompiler } from "../c/build.ts";
import { errno, kernels } from "../../generated/index.ts";
import { buildTable, decodeArgs } from "../../impl/kernel/dispatch.ts";
import { decodeStruct, encodeStruct } from "../../impl/kernel/layout.ts";
import { run, sys, prog } from "./helpers.ts";

const k1 = kernels.k1!;

const cc = haveCrossCompiler();
if (!cc) console.warn("SKIPPED C parts of tests/kernel/limits: riscv64-unknown-elf-gcc is not installed");
const C = (name: string) => readFileSync(buildC([join(import.meta.dirname, "c", `${name}.c`)], name, [`-I${join(import.meta.dirname, "c")}`]));


describe("limits", () => {
  it("a fork bomb hits the process cap (EAGAIN) and the run still ends", () => {
    // fork until it fails, then exit with -errno; children exit at once.
    const image = prog(`
  li s0, 0
1:
  li a0, 17
  li a1, 0
  li a2, 0
  li a3, 0
  li a4, 0
${sys("clone")}
  beqz a0, 2f
  bltz a0, 3f
  addi s0, s0, 1
  j 1b
2:
  li a0, 0
${sys("exit")}
3:
  neg a0, a0`);
    const r = run(image, ["p"], { maxProcesses: 8 });
    expect(r.status).toBe(errno.EAGAIN);
  });

  it("mmap past the memory cap fails with ENOMEM instead of exhausting the host", () => {
    const image = prog(`
  li s0, 0
1:
  li a0, 0
  li a1, 0x100000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys("mmap2")}
  li t0, -4096
  bgeu a0, t0, 2f
  addi s0, s0, 1
  j 1b
2:
  neg a0, a0`);
    const r = run(image, ["p"], { memoryCap: 16 * 1024 * 1024 });
    expect(r.status).toBe(errno.ENOMEM);
  });

  it("opening files past the descriptor cap gives EMFILE", () => {
    const image = prog(`
1:
  li a0, 1
${sys("dup")}
  bgez a0, 1b
  neg a0, a0`);
    expect(run(image, ["p"], { maxFds: 32 }).status).toBe(24);
  });

  it("a process waiting on itself forever is reported as a deadlock (status 125)", () => {
    const image = prog(`
  la a0, fds
  li a1, 0
${sys("pipe2")}
  la t0, fds
  lw a0, 0(t0)
  la a1, fds
  li a2, 1
${sys("read")}`, "fds: .word 0, 0");
    const r = run(image);
    expect(r.outcome.kind).toBe("limit");
    expect(r.status).toBe(125);
  });

  it("garbage syscall arguments never throw in the host", () => {
    // Every k1 call with every argument 0xdeadbeef (exit excluded): the process survives.
    const calls = k1.syscalls.filter((s) => !["exit", "exit_group", "rt_sigreturn", "execve", "clone"].includes(s.handler));
    const body = calls
      .map((s) => `  li a0, 0xdeadbeef\n  li a1, 0xdeadbeef\n  li a2, 0xdeadbeef\n  li a3, 0xdeadbeef\n  li a4, 0xdeadbeef\n  li a5, 0xdeadbeef\n  li a7, ${s.nr}\n  ecall\n`)
      .join("");
    const r = run(prog(body + "  li a0, 0"), ["p"], { maxInsns: 10_000_000 });
    expect(r.outcome).toEqual({ kind: "exited", code: 0 });
  });
});

describe("ABI-driven dispatch and layouts", () => {
  it("decodes arguments by the row's types: fd/int signed, pointers and sizes unsigned", () => {
    const t = buildTable(k1, {});
    const regs = new Int32Array(32);
    regs.fill(-1);
    const e = t.get(k1.syscalls.find((s) => s.id === "read")!.nr)!;
    expect(decodeArgs(e, regs)).toEqual([-1, 0xffffffff, 0xffffffff]);
  });

  it("renumbering changes nothing but the number", () => {
    const renumbered = { ...k1, syscalls: k1.syscalls.map((s) => ({ ...s, nr: s.nr + 1000 })) };
    const image = prog(`
  li a0, 1
  la a1, msg
  li a2, 3
  li a7, 1064
  ecall
  li a7, 64
  ecall              # the old number: -ENOSYS
  neg a0, a0
  li a7, 1094
  ecall`, 'msg: .ascii "ok\\n"');
    const r = run(image, ["p"], { dispatch: renumbered });
    expect(r.stdout).toBe("ok\n");
    expect(r.status).toBe(38);
  });

  it("structures are written through the generated layout, including nested fields", () => {
    const layout = k1.structs["statx"]!;
    const b = encodeStruct(layout, { stx_size: 1234n, stx_mode: 0o100644, "stx_mtime.tv_sec": 7n, "stx_mtime.tv_nsec": 9 }, k1.structs);
    expect(b.length).toBe(256);
    const v = decodeStruct(layout, b, k1.structs);
    expect(v["stx_size"]).toBe(1234n);
    expect(v["stx_mode"]).toBe(0o100644);
    expect(v["stx_mtime.tv_sec"]).toBe(7n);
    expect(v["stx_mtime.tv_nsec"]).toBe(9);
  });
});

describe.skipIf(!cc)("descriptors and pipes (C)", () => {
  it("readv/writev, fcntl, O_NONBLOCK, EPIPE, blocking reads, O_CLOEXEC across execve", () => {
    const image = C("misc");
    const r = run(image, ["misc"], { setup: (k) => k.vfs.writeFile("/bin/misc", image, 0o755) });
    expect(r.stdout).toBe(
      [
        "abcde", "writev=6", "readv=7", "readv-ok=1", "readv-einval=-22", "getfl=2", "dupfd=20", "getfd=0", "setfd=0",
        "getfd2=1", "fcntl-einval=-22", "nonblock=0", "eagain=-11", "epipe=-32", "blocking-read=4", "cloexec-closed=-9",
        "plain-open=0", "exec-child=0", "",
      ].join("\n"),
    );
    expect(r.status).toBe(0);
  });
});
