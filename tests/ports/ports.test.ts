// The ports: Lua 5.4 and the SQLite shell, built from Debian's source packages by `kiln ports
// build` (once: objects are cached) for the newest program ABI that has the slots they need, run
// unchanged in-process on every kernel ABI of the spec, with their files in the guest's file
// system. Their stdout, stderr and exit status must be exactly what Debian's native lua5.4 and
// sqlite3 give for the same scripts (tests/ports/scripts), and the files they leave must match.
//
// Skipped (not failed) only when the cross compiler is missing, or the Debian sources cannot be
// fetched (no network and no cache): `bash scripts/install.sh` fetches them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPorts, fetchSources, missingSlots, RECIPES } from "../../impl/toolchain/ports.ts";
import { haveCrossCompiler, havePicolibc } from "../../impl/toolchain/cc.ts";
import { kernels, kernelVersions, programVersions } from "../../generated/index.ts";
import { installLayers } from "../../harness/install.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";

const SCRIPTS = join(import.meta.dirname, "scripts");

function sourcesAvailable(): boolean {
  if (!haveCrossCompiler() || !havePicolibc()) return false;
  try {
    fetchSources();
    return true;
  } catch {
    return false;
  }
}
const can = sourcesAvailable();
/** The newest program ABI in which every port has the slots it needs. */
const ABI = [...programVersions].reverse().find((p) => RECIPES.every((r) => missingSlots(r, p).missing.length === 0))!;

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
}

/** Runs `image` as argv in-process on kernel `k`, in a fresh file system holding `files` at /. */
function runGuest(k: string, image: Uint8Array, argv: string[], files: Record<string, string>, stdin = ""): Outcome & { insns: number } {
  const stdio = new BufferStdio(stdin);
  const kernel = new Kernel({ dispatch: kernels[k]!, stdio, maxInsns: 2_000_000_000 });
  installLayers(kernel.vfs);
  for (const [p, c] of Object.entries(files)) kernel.vfs.writeFile(`/${p}`, c);
  const before = new Set(kernel.vfs.root.entries.keys());
  kernel.spawn(image, argv, ["HOME=/"]);
  const r = kernel.run();
  const left: Record<string, string> = {};
  for (const [name, node] of kernel.vfs.root.entries) {
    if (before.has(name)) continue;
    left[name] = node.isDir ? "<dir>" : Buffer.from(kernel.vfs.contents(node)).toString("latin1");
  }
  return { status: r.status, stdout: stdio.stdout, stderr: stdio.stderr, files: left, insns: r.insns };
}

/** Runs the native program in a fresh directory holding `files`. */
function runNative(cmd: string, args: string[], files: Record<string, string>, stdin = ""): Outcome {
  const dir = mkdtempSync(join(tmpdir(), "kiln-native-"));
  try {
    for (const [p, c] of Object.entries(files)) writeFileSync(join(dir, p), c);
    const r = spawnSync(cmd, args, { argv0: basename(cmd), cwd: dir, input: stdin, encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", TZ: "UTC", HOME: dir } });
    const left: Record<string, string> = {};
    for (const name of readdirSync(dir)) if (!(name in files)) left[name] = readFileSync(join(dir, name)).toString("latin1");
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, files: left };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const images: Record<string, Uint8Array> = {};

describe.skipIf(!can)(`ports built for ${ABI}, run on every kernel ABI`, () => {
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), "kiln-ports-"));
    const res = await buildPorts({ out, abis: [ABI] });
    for (const r of res) if (r.path) images[r.port] = readFileSync(r.path);
  }, 1_200_000);

  const LUA = "/usr/bin/lua5.4";
  const luaScript = readFileSync(join(SCRIPTS, "basics.lua"), "utf8");
  it.skipIf(!existsSync(LUA)).each(kernelVersions)("lua prints what Debian's lua5.4 prints (%s)", (k) => {
    const files = { "basics.lua": luaScript };
    const native = runNative(LUA, ["basics.lua"], files);
    const guest = runGuest(k, images["lua"]!, ["lua5.4", "basics.lua"], files);
    expect(native.status).toBe(0);
    expect({ ...guest, insns: undefined }).toEqual({ ...native, insns: undefined });
  });

  it.skipIf(!existsSync(LUA))("lua reports a script error as lua5.4 does: message, traceback, status 1", () => {
    const files = { "bad.lua": "local t = {}\nprint('before')\nt.x.y = 1\n" };
    const native = runNative(LUA, ["bad.lua"], files);
    const guest = runGuest(kernelVersions[0]!, images["lua"]!, ["lua5.4", "bad.lua"], files);
    expect(native.status).toBe(1);
    expect({ ...guest, insns: undefined }).toEqual({ ...native, insns: undefined });
  });

  const SQLITE = "/usr/bin/sqlite3";
  const sql = readFileSync(join(SCRIPTS, "db.sql"), "utf8");
  it.skipIf(!existsSync(SQLITE)).each(kernelVersions)("sqlite3 prints what Debian's sqlite3 prints and leaves the same database (%s)", (k) => {
    const native = runNative(SQLITE, ["-batch", "test.db"], {}, sql);
    const guest = runGuest(k, images["sqlite3"]!, ["sqlite3", "-batch", "test.db"], {}, sql);
    expect(native.stdout).toContain("reopened|508|8598160");
    expect(guest.stdout).toBe(native.stdout);
    expect(guest.stderr).toBe(native.stderr);
    expect(guest.status).toBe(native.status);
    expect(Object.keys(guest.files)).toEqual(Object.keys(native.files));
    // The database file itself: same size, and the guest's opens natively with the same contents.
    expect(guest.files["test.db"]!.length).toBe(native.files["test.db"]!.length);
    const dir = mkdtempSync(join(tmpdir(), "kiln-db-"));
    try {
      writeFileSync(join(dir, "g.db"), Buffer.from(guest.files["test.db"]!, "latin1"));
      const q = "PRAGMA integrity_check; SELECT count(*), sum(population), group_concat(name) FROM city;";
      const fromGuest = spawnSync(SQLITE, [join(dir, "g.db"), q], { encoding: "utf8" });
      expect(fromGuest.stdout).toMatch(/^ok\n508\|8598160\|/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ports: a program ABI without a needed slot is named", () => {
  const lacking = programVersions.find((p) => RECIPES.some((r) => missingSlots(r, p).missing.length > 0));
  it.skipIf(!can || !lacking)("kiln ports build skips it with a message naming the slots, and records it in ports.json", async () => {
    const recipe = RECIPES.find((r) => missingSlots(r, lacking!).missing.length > 0)!;
    const out = join(mkdtempSync(join(tmpdir(), "kiln-ports-skip-")), "new-dir");
    const res = await buildPorts({ out, abis: [lacking!], ports: [recipe.name] });
    expect(res).toHaveLength(1);
    const { missing, haveAll } = missingSlots(recipe, lacking!);
    expect(res[0]!.path).toBeUndefined();
    expect(res[0]!.skipped).toContain(`needs slot${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
    expect(res[0]!.skipped).toContain(`program ABI ${lacking} lacks`);
    for (const p of haveAll) expect(res[0]!.skipped).toContain(p);
    expect(JSON.parse(readFileSync(join(out, "ports.json"), "utf8"))).toEqual([{ abi: lacking, port: recipe.name, skipped: res[0]!.skipped }]);
  });

  it("missingSlots names the slots and the program ABIs that have them", () => {
    const sqlite = RECIPES.find((r) => r.name === "sqlite3")!;
    for (const p of programVersions) {
      const { missing, haveAll } = missingSlots(sqlite, p);
      expect(missing.length === 0).toBe(haveAll.includes(p));
      for (const s of missing) expect(sqlite.needs.map((n) => n.flag)).toContain(s);
    }
  });
});
