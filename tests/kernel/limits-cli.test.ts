// Limits through `node bin/kiln run`: a fork bomb, a runaway loop and a memory hog each end with a
// clear message on stderr and a non-zero status, never a host hang or host out-of-memory; the
// instruction budget and the memory cap are honoured exactly as given.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { build, haveCrossCompiler, KILN } from "../sdk/helpers.ts";
import { GUEST } from "./layered-helpers.ts";

const cc = haveCrossCompiler();
if (!cc) console.warn("SKIPPED tests/kernel/limits-cli: riscv64-unknown-elf-gcc is not installed");

const prog = (name: string) => build(join(GUEST, `${name}.c`), "p2", `limits-${name}`);
const retired = (stderr: string): number => Number(/kiln run: (\d+) instructions retired/.exec(stderr)?.[1] ?? NaN);

describe.skipIf(!cc)("limits through kiln run", () => {
  it("a fork bomb meets the process cap (EAGAIN), then the instruction budget: status 124 and a message", async () => {
    const out = await runArgs(["--count", "--max-insns", "20000000", "--kernel", "k2", prog("forkbomb")]);
    expect(out.stdout).toBe("fork bomb: fork failed with errno 11\n");
    expect(out.status).toBe(124);
    expect(out.stderr).toContain("instruction limit reached (20000000 instructions)");
    expect(retired(out.stderr)).toBe(20_000_000);
  }, 60_000);

  for (const k of ["k1", "k3"]) {
    it(`a runaway loop on ${k} stops at exactly the instruction budget: status 124 and a message`, async () => {
      const out = await runArgs(["--count", "--max-insns", "5000000", "--kernel", k, prog("spin")]);
      expect(out.status).toBe(124);
      expect(out.stderr).toContain("instruction limit reached (5000000 instructions)");
      expect(retired(out.stderr)).toBe(5_000_000);
    }, 60_000);
  }

  it("a memory hog is refused past --memory (malloc fails, its NULL write is SIGSEGV): status 139 and a message", async () => {
    const out = await runArgs(["--memory", "32", "--kernel", "k2", prog("hog")]);
    const mib = out.stdout.trim().split("\n").map(Number);
    expect(mib.length).toBeGreaterThan(24); // most of the 32 MiB cap was usable
    expect(mib.length).toBeLessThan(32); // but never more than the cap
    expect(mib).toEqual(mib.map((_, i) => i + 1));
    expect(out.status).toBe(139);
    expect(out.stderr).toContain("killed by signal 11 (SIGSEGV)");
  }, 60_000);
});

/** `node bin/kiln run ARGS…` in a child process (killed after 50 s: a hang fails the test, not the run). */
function runArgs(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [KILN, "run", ...args], { encoding: "utf8", timeout: 50_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : err ? null : 0;
      resolve({ status: code, stdout, stderr });
    });
    child.stdin?.end("");
  });
}
