// The package as a user gets it: `npm pack`, installed into a fresh prefix with `npm install -g
// --prefix`, then every subcommand run from an unrelated directory (the heavy ones, matrix and bench,
// through --help: they run in the matrix job and `kiln bench`). The installed kiln runs its bundle,
// keeps its cache in KILN_CACHE_DIR, and needs nothing from the checkout.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { staleness } from "../../bin/bundle-state.mjs";
import { haveCrossCompiler, REPO, SDK_CACHE } from "../../impl/toolchain/cc.ts";

const work = mkdtempSync(join(tmpdir(), "kiln-pack-"));
const npm = (args: string[], cwd = REPO) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });

describe("the packed package", () => {
  it("installs into a prefix and every subcommand works from another directory", () => {
    if (staleness() !== null) execFileSync(process.execPath, [join(REPO, "scripts/build.mjs"), "--quiet"], { stdio: "inherit" });
    const tgz = npm(["pack", "--ignore-scripts", "--pack-destination", work]).trim().split("\n").pop()!;
    const prefix = join(work, "prefix");
    npm(["install", "-g", "--prefix", prefix, "--prefer-offline", "--ignore-scripts", join(work, tgz)], work);
    const pkg = join(prefix, "lib/node_modules/kiln");
    for (const f of ["dist/kiln.mjs", "dist/layers/p1-k1.layer", "spec/index.md", "sdk/kiln.ld", "generated/c/p1/kiln.h", "matrix"]) expect(existsSync(join(pkg, f)), f).toBe(true);
    expect(existsSync(join(pkg, "tests"))).toBe(false);

    const cwd = mkdtempSync(join(work, "elsewhere-"));
    // A cache of its own (kiln check's tables and the site's playground land there), but the libc
    // builds shared with the other tests (keyed by their inputs).
    const env: NodeJS.ProcessEnv = { ...process.env, KILN_CACHE_DIR: join(work, "cache"), KILN_SDK_CACHE: SDK_CACHE, NO_COLOR: "1" };
    delete env["KILN_SOURCE"];
    const kiln = (...args: string[]) => {
      // abi.json is over spawnSync's default 1 MiB of output once the spec has p4 and k5.
      const r = spawnSync(join(prefix, "bin/kiln"), args, { cwd, env, encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
      return { status: r.status, out: r.stdout, err: r.stderr };
    };
    const ok = (...args: string[]) => {
      const r = kiln(...args);
      expect({ args, status: r.status, err: r.err.includes("    at ") ? r.err : "" }).toEqual({ args, status: 0, err: "" });
      return r.out;
    };
    const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
    expect(ok("--version").trim()).toBe(version);
    expect(ok("--help")).toMatch(/Commands:/);
    ok("check");
    expect(existsSync(join(work, "cache/tables"))).toBe(true);
    expect(ok("gen", "--check")).toMatch(/fresh/);
    expect(ok("diff", "k1", "k2")).toMatch(/kernel ABI k1/);
    expect(JSON.parse(ok("abi-json"))).toHaveProperty("kernels");
    expect(ok("build-layers", "--out", "layers")).toMatch(/layers in layers/);
    for (const sub of ["publish", "matrix", "bench", "run", "cc", "site"]) expect(ok(sub, "--help")).toMatch(new RegExp(`Usage: kiln ${sub}`));
    expect(ok("site", "--out", "site")).toMatch(/pages/);
    expect(existsSync(join(work, "cache/site"))).toBe(true);
    if (haveCrossCompiler()) {
      ok("cc", "-p", "p1", "-o", "hello", join(pkg, "examples/hello.c"));
      expect(ok("run", "--kernel", "k3", "hello")).toBe("hello, world\n");
    }
    // A usage error: one line and a hint, exit 2.
    const bad = kiln("run", "--no-such-option");
    expect({ status: bad.status, lines: bad.err.trimEnd().split("\n") }).toEqual({ status: 2, lines: ["kiln run: unknown option '--no-such-option'", "(run 'kiln run --help' for usage)"] });
  }, 600_000);
});
