// The playground's engine, samples and bundle, in Node (the browser test runs them in Chromium).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveCrossCompiler } from "../../impl/toolchain/cc.ts";
import { runProgram, versions } from "../../web/playground/engine.ts";
import { ENGINE_FUNCTION, playgroundBundle } from "../../web/playground/bundle.ts";
import { buildSamples, SAMPLES, type BuiltSamples } from "../../web/playground/samples.ts";

const cache = mkdtempSync(join(tmpdir(), "kiln-pg-"));
let built: BuiltSamples;
beforeAll(() => {
  built = buildSamples(cache);
}, 180_000);
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const elf = (id: string, abi: string) => Buffer.from(built.data.samples.find((s) => s.id === id)!.elf[abi]!, "base64");

describe("the playground engine", () => {
  it("has samples for every program ABI (the cross compiler is installed)", () => {
    expect(haveCrossCompiler()).toBe(true);
    expect(built.missing).toBeNull();
    expect(built.warnings).toEqual([]);
    expect(built.data.samples.map((s) => s.id)).toEqual(SAMPLES.map((s) => s.id));
    for (const s of built.data.samples) expect(Object.keys(s.elf).sort()).toEqual([...versions.programs].sort());
    expect(built.js).toMatch(/^\/\/ .*\nglobalThis\.KILN_SAMPLES = \{/);
  });

  it("gives every sample the same output on every program ABI × kernel ABI pair", () => {
    for (const s of built.data.samples.filter((x) => !x.script)) {
      const outs = new Set<string>();
      for (const p of versions.programs) {
        for (const k of versions.kernels) {
          const r = runProgram({ program: p, kernel: k, elf: elf(s.id, p), argv: s.argv, files: s.files, stdin: s.stdin, maxInsns: 50_000_000 });
          expect(r.status, `${s.id} ${p}-${k}: ${r.outcome} ${r.stderr}`).toBe(0);
          expect(r.layer).toBe(`/lib/kiln/${p}-${k}.layer`);
          expect(r.trace.length).toBeGreaterThan(0);
          expect(r.trace.reduce((n, t) => n + t.insns, 0)).toBeLessThanOrEqual(r.insns);
          outs.add(r.stdout.replace(/program ABI p\d\n/, "").replace(/monotonic_ns: \d+ ns/, "monotonic_ns"));
        }
      }
      // sysinfo prints monotonic_ns only on p2 and later.
      expect(outs.size, `${s.id}: ${[...outs].join(" | ")}`).toBe(s.id === "sysinfo" ? 2 : 1);
    }
  });

  it("is deterministic and traces every slot call with its route, traps and instructions", () => {
    const req = { program: "p2", kernel: "k3", elf: elf("hello", "p2"), argv: ["hello"], maxInsns: 1_000_000 };
    const a = runProgram(req);
    const b = runProgram(req);
    expect(a.stdout).toBe("hello, world\n");
    expect(a.insns).toBe(b.insns);
    expect(a.trace).toEqual(b.trace);
    expect(a.tracer).toBe("layer");
    expect(a.trace.map((t) => [t.call, t.route, t.kernel])).toEqual([
      ["write", "message write", "ring_enter {write}"],
      ["exit_group", "renumbered exit_group#2", "exit_group"],
    ]);
    // Arguments decoded as the spec's arguments table says: write's buffer is `count` bytes, quoted.
    expect(a.trace[0]!.detail).toBe('(1, "hello, world\\n", 13) = 13');
    // getpid runs in the layer on k2 (no trap), and traps on k1.
    const info = (k: string) => runProgram({ program: "p2", kernel: k, elf: elf("sysinfo", "p2"), argv: ["sysinfo"], files: { "/etc/motd": "x\n" }, maxInsns: 1_000_000 }).trace.find((t) => t.call === "getpid")!;
    expect(info("k2")).toMatchObject({ route: "userspace shared_pid", kernel: "no trap" });
    expect(info("k1")).toMatchObject({ route: "direct getpid#172", kernel: "getpid" });
  });

  it("bounds every run and never throws for bad input", () => {
    const r = runProgram({ program: "p2", kernel: "k1", elf: elf("wc", "p2"), argv: ["wc"], stdin: "x ".repeat(100_000), maxInsns: 5_000 });
    expect(r.status).toBe(124);
    // The budget is retired instructions plus the host work of wc's calls (spec/limits.md).
    expect(r.insns).toBeGreaterThan(0);
    expect(r.insns).toBeLessThanOrEqual(5_000);
    const bad = runProgram({ program: "p2", kernel: "k1", elf: new Uint8Array([1, 2, 3]), argv: ["x"], maxInsns: 1000 });
    expect(bad.status).toBe(126);
    expect(bad.outcome).toMatch(/^cannot run: /);
    expect(runProgram({ program: "p2", kernel: "k99", elf: new Uint8Array(0), argv: [], maxInsns: 1 }).status).toBe(2);
  });
});

/** Debian's lua5.4 on `script` in a fresh directory (as main.lua), or null when not installed. */
function nativeLua(script: string): { stdout: string; stderr: string; status: number } | null {
  if (!existsSync("/usr/bin/lua5.4")) return null;
  const dir = mkdtempSync(join(tmpdir(), "kiln-native-lua-"));
  try {
    writeFileSync(join(dir, "main.lua"), script);
    const r = spawnSync("/usr/bin/lua5.4", ["main.lua"], { cwd: dir, encoding: "utf8", env: { PATH: process.env["PATH"] ?? "" } });
    return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the playground's Lua sample", () => {
  const lua = () => built.data.samples.find((s) => s.script)!;
  const run = (p: string, k: string, text: string) => {
    const s = lua();
    return runProgram({ program: p, kernel: k, elf: elf(s.id, p), argv: s.argv, files: { ...s.files, [s.script!.path]: text }, stdin: s.stdin, maxInsns: 200_000_000 });
  };

  it("is the Lua port for every program ABI, with its script and a truthful kiln command", () => {
    const s = lua();
    expect(s.argv).toEqual(["lua", s.script!.path]);
    expect(Object.keys(s.elf).sort()).toEqual([...versions.programs].sort());
    expect(s.kiln).toBe(`kiln ports build --only lua -p {program} && kiln run --kernel {kernel} --root DIR --trace out/ports/{program}/lua ${s.script!.path}`);
  });

  it("runs the default script on every pair the site offers with the output of native lua5.4", () => {
    const text = lua().script!.text;
    const native = nativeLua(text);
    if (native) expect(native.status).toBe(0);
    const expected = native?.stdout ?? null;
    for (const p of versions.programs) {
      for (const k of versions.kernels) {
        const r = run(p, k, text);
        expect(r.status, `${p}-${k}: ${r.outcome} ${r.stderr}`).toBe(0);
        expect(r.stderr).toBe("");
        expect(r.stdout).toMatch(/^floats:\t3\.5\t1\.4142135623731\ttrue\t3\.142\tinf\n/);
        expect(r.stdout).toContain("squares:\t1\t4\t9\t16\t25\n1\tline one\n2\tline two\n");
        if (expected !== null) expect(r.stdout, `${p}-${k}`).toBe(expected);
        expect(r.layer).toBe(`/lib/kiln/${p}-${k}.layer`);
        expect(r.trace.some((t) => t.call === "openat")).toBe(true);
      }
    }
  }, 300_000);

  it("is left out, with a warning, when the Debian sources cannot be fetched; the C samples stay", () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-pg-nolua-"));
    try {
      const r = buildSamples(dir, {
        fetchSources: () => {
          throw new Error("no network");
        },
      });
      expect(r.missing).toBeNull();
      expect(r.warnings).toEqual(["the playground has no lua sample: no network (bash scripts/install.sh fetches the sources)"]);
      expect(r.data.samples.map((s) => s.id)).toEqual(SAMPLES.filter((s) => !s.port).map((s) => s.id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("runs an edited script: a runtime error gives lua's message and status 1, as natively", () => {
    const text = 'print(("x"):rep(3, "-"))\nerror("stop here")\n';
    const p = versions.programs[versions.programs.length - 1]!;
    const k = versions.kernels[0]!;
    const r = run(p, k, text);
    expect(r.stdout).toBe("x-x-x\n");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^lua: \/main\.lua:2: stop here\n/);
    const native = nativeLua(text);
    if (native) expect([native.stdout, native.status]).toEqual([r.stdout, r.status]);
  });
});

describe("the playground bundle", () => {
  it("is one browser script with the engine as a global function, and is cached by its inputs", () => {
    const first = playgroundBundle(cache);
    expect(first.cached).toBe(false);
    expect(first.js.startsWith(`function ${ENGINE_FUNCTION}() {`)).toBe(true);
    expect(first.js).not.toMatch(/require\(|from"node:|import\(/);
    expect(first.js.length).toBeLessThan(1_000_000);
    const second = playgroundBundle(cache);
    expect(second.cached).toBe(true);
    expect(second.js).toBe(first.js);
  }, 60_000);
});
