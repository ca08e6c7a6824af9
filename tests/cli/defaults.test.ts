// What `kiln cc` and `kiln run` choose when not told: both follow the spec, never a version name
// written in code. kiln cc builds for the newest program ABI; kiln run runs on that program ABI's
// native kernel (its program table's `native kernel` column).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runKiln } from "../../cli/main.ts";
import { versionNumber } from "../../gen/model.ts";
import { kernels, kernelVersions, programs, programVersions } from "../../generated/index.ts";
import { findAbiNote, readElf } from "../../impl/elf/index.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { haveCrossCompiler, REPO } from "../../impl/toolchain/cc.ts";
import { asm } from "../kernel/helpers.ts";

const work = mkdtempSync(join(tmpdir(), "kiln-defaults-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const newest = programVersions[programVersions.length - 1]!;
const native = programs[newest]!.nativeKernel;

async function kiln(args: string[]) {
  const stdio = new BufferStdio();
  const status = await runKiln(args, stdio);
  return { status, stdout: stdio.stdout, stderr: stdio.stderr };
}

/** kiln cc writes to the process's own stderr, so it runs as a process. */
function kilnProcess(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, "bin/kiln"), ...args], { cwd: work, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A raw program (no stub section) that writes "raw\n" and exits 0 with `kernel`'s call numbers. */
function rawHello(kernel: string): string {
  const nr = (id: string) => {
    const row = kernels[kernel]?.syscalls.find((r) => r.id === id);
    if (!row) throw new Error(`${kernel} has no ${id}`);
    return row.nr;
  };
  const path = join(work, `raw-${kernel}`);
  writeFileSync(
    path,
    asm(`
  .text
  .globl _start
_start:
  li a0, 1
  la a1, msg
  li a2, 4
  li a7, ${nr("write")}
  ecall
  li a0, 0
  li a7, ${nr("exit_group")}
  ecall
  .data
msg: .ascii "raw\\n"
`),
  );
  return path;
}

describe("kiln run without --kernel", () => {
  it("runs on the newest program ABI's native kernel", async () => {
    expect(await kiln(["run", rawHello(native)])).toEqual({ status: 0, stdout: "raw\n", stderr: "" });
  });

  it("is not just any kernel: a raw program built for another kernel's numbers fails there", async () => {
    const other = kernelVersions.find((k) => kernels[k]?.syscalls.find((r) => r.id === "write")?.nr !== kernels[native]?.syscalls.find((r) => r.id === "write")?.nr);
    expect(other, "some kernel ABI renumbers write").toBeDefined();
    const r = await kiln(["run", rawHello(other!)]);
    expect(r.stdout).not.toBe("raw\n");
    expect((await kiln(["run", "--kernel", other!, rawHello(other!)])).stdout).toBe("raw\n");
  });
});

describe.skipIf(!haveCrossCompiler())("kiln cc without -p", () => {
  it("builds for the newest program ABI (the ABI note says so)", () => {
    const out = join(work, "hello");
    const r = kilnProcess(["cc", "-o", out, join(REPO, "examples/hello.c")]);
    expect(r).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(findAbiNote(readElf(new Uint8Array(readFileSync(out))))?.programAbi).toBe(versionNumber(newest));
  });

  it("refuses a program ABI the spec does not define, naming those it does, exit 2", () => {
    const r = kilnProcess(["cc", "-p", "p0", "-o", join(work, "x"), join(REPO, "examples/hello.c")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`kiln cc: -p expects a program ABI (${programVersions.join(", ")}), got 'p0'\n`);
  });
});
