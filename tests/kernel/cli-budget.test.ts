// kiln run bounds every run by default, so a runaway guest cannot hang the host.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const KILN = join(import.meta.dirname, "../../bin/kiln");
const run = (...args: string[]) => spawnSync("node", [KILN, "run", ...args], { encoding: "utf8" });

describe("kiln run instruction budget", () => {
  it("has a default bound, shown in --help, that 0 lifts", () => {
    const help = run("--help").stdout;
    expect(help).toMatch(/--max-insns <n>[\s\S]*0 for\s+no bound[\s\S]*\(default: 10000000000\)/);
  });

  it("rejects a budget that is not a whole number with a usage error (status 2)", () => {
    const r = run("--max-insns", "lots", "prog.elf");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("expects a whole number of instructions, got 'lots'");
  });
});
