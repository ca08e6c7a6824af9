// The command's conventions: --version, one-line usage errors with a hint (exit 2), no stack traces,
// colour only where wanted (NO_COLOR, FORCE_COLOR, never when piped), no SIGPIPE noise when the
// guest's output goes into `head`, a clear error for an unwritable build cache, and the bundle
// freshness rule bin/kiln follows. Cheap: in process where the process does not matter.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { staleness } from "../../bin/bundle-state.mjs";
import { haveCrossCompiler, REPO } from "../../impl/toolchain/cc.ts";
import { runKiln } from "../../cli/main.ts";
import { useColour } from "../../cli/term.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { asm, sys } from "../kernel/helpers.ts";

const KILN = join(REPO, "bin/kiln");
const work = mkdtempSync(join(tmpdir(), "kiln-cli-"));

function kiln(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [KILN, ...args], { cwd: opts.cwd ?? work, env: { ...process.env, ...opts.env }, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function inProcess(args: string[]) {
  const stdio = new BufferStdio();
  const status = await runKiln(args, stdio);
  return { status, stdout: stdio.stdout, stderr: stdio.stderr };
}

describe("kiln (the command)", () => {
  it("--version prints the package's version", () => {
    const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    const r = kiln(["--version"]);
    expect(r).toEqual({ status: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("a usage error is one line with the command's prefix and a hint, exit 2", async () => {
    for (const [args, line, hint] of [
      [["run", "--no-such-option"], "kiln run: unknown option '--no-such-option'", "(run 'kiln run --help' for usage)"],
      [["run"], "kiln run: missing required argument 'program'", "(run 'kiln run --help' for usage)"],
      [["frobnicate"], "kiln: unknown command 'frobnicate'", "(run 'kiln --help' for usage)"],
      [["diff", "k1"], "kiln diff: missing required argument 'to'", "(run 'kiln diff --help' for usage)"],
    ] as const) {
      const r = await inProcess([...args]);
      expect({ args, status: r.status, stderr: r.stderr }).toEqual({ args, status: 2, stderr: `${line}\n${hint}\n` });
    }
  });

  it("kiln check works from any directory and refuses a missing --spec in one line", () => {
    expect(kiln(["check"], { cwd: work })).toEqual({ status: 0, stdout: "", stderr: "" });
    const r = kiln(["check", "--spec", "no-such-dir"], { cwd: work });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^kiln check: no-such-dir: no such spec directory.*\n$/);
  });

  it.skipIf(!haveCrossCompiler())("kiln cc with an unwritable build cache says so in one line, exit 1", () => {
    const notADir = join(work, "cache-is-a-file");
    writeFileSync(notADir, "");
    const r = kiln(["cc", "-p", "p1", "-o", join(work, "h"), join(REPO, "examples/hello.c")], { env: { KILN_SDK_CACHE: notADir } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^kiln cc: cannot write the build cache .*cache-is-a-file: ENOTDIR \(set KILN_CACHE_DIR to a writable directory\)\n$/);
  });

  it("colours diff signs only when wanted: FORCE_COLOR yes, NO_COLOR or a pipe no", () => {
    const forced = kiln(["diff", "k1", "k2"], { env: { FORCE_COLOR: "1", NO_COLOR: "" } });
    expect(forced.stdout).toMatch(/\x1b\[32m\+ /);
    expect(forced.stdout).toMatch(/\x1b\[31m- /);
    for (const env of [{ NO_COLOR: "1", FORCE_COLOR: "" }, { NO_COLOR: "", FORCE_COLOR: "" }]) {
      const piped = kiln(["diff", "k1", "k2"], { env });
      expect(piped.status).toBe(0);
      expect(piped.stdout).not.toMatch(/\x1b\[/);
    }
    // The rule itself, for a terminal.
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColour({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
  });

  it("a guest writing into `head` ends quietly: no SIGPIPE message, status 141 from kiln", () => {
    const yes = join(work, "yes");
    writeFileSync(
      yes,
      asm(`
  .text
  .globl _start
_start:
  la s0, line
1:
  li a0, 1
  mv a1, s0
  li a2, 2
${sys("write")}
  j 1b
  .data
line: .ascii "y\\n"
`),
    );
    const r = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${KILN}" run --max-insns 50000000 "${yes}" | head -n 2; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: "utf8", timeout: 120_000 });
    expect(r.stdout).toBe("y\ny\n");
    expect(r.stderr).toBe("status 141\n");
  });
  it("kiln's own output into a pipe closed before it writes ends quietly with status 0 (no EPIPE trace)", () => {
    for (const args of ["--help", "run --help", "abi-json"]) {
      const r = spawnSync("bash", ["-c", `"${process.execPath}" "${KILN}" ${args} | true; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: "utf8", timeout: 120_000 });
      expect(r.stderr, args).toBe("status 0\n");
    }
  });
});

describe("bin/kiln's bundle freshness (bin/bundle-state.mjs)", () => {
  it("fresh until a source's content changes; a touch alone or a missing source does not count", () => {
    const root = join(mkdtempSync(join(tmpdir(), "kiln-fresh-")), "/");
    mkdirSync(join(root, "dist"));
    mkdirSync(join(root, "cli"));
    writeFileSync(join(root, "cli/a.ts"), "one");
    const sha = "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed"; // sha256("one")
    const manifest = (builtAt: number) => writeFileSync(join(root, "dist/inputs.json"), JSON.stringify({ builtAt, files: { "cli/a.ts": sha, "cli/gone.ts": sha } }));
    expect(staleness(root)).toBe("missing");
    manifest(Date.now() + 60_000);
    expect(staleness(root)).toBeNull();
    manifest(0); // every source is newer than the build: hashed, and the same
    expect(staleness(root)).toBeNull();
    writeFileSync(join(root, "cli/a.ts"), "two");
    utimesSync(join(root, "cli/a.ts"), new Date(), new Date());
    expect(staleness(root)).toBe("cli/a.ts changed since the build");
  });
});
