// Static Linux programs that nobody wrote for kiln — a shell (dash), a scripting language (Lua 5.4)
// and a database shell (the SQLite shell), built by scripts/linux-programs.sh from Debian's sources
// against musl, with raw Linux system calls and no layer — run in-process on k1 (the kernel whose
// numbers and semantics are Linux's) and under qemu-riscv32, the host's Linux. Stdout, stderr, the
// exit status and the files they leave must be the same.
//
// Skipped (with the reason) without the cross compiler, qemu-riscv32, the musl build or the
// Debian sources: `bash scripts/install.sh` provides them all.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { dispatch as k1 } from "../../generated/kernel/k1.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import type { Inode } from "../../impl/kernel/vfs.ts";
import { haveCrossCompiler } from "../c/build.ts";

const REPO = join(import.meta.dirname, "..", "..");
const HERE = join(import.meta.dirname, "linux-programs");
const PORT_SCRIPTS = join(REPO, "tests", "ports", "scripts");
/** qemu-riscv32's path (the runs get a PATH of their own), or "" when it is not installed. */
const QEMU = spawnSync("bash", ["-c", "command -v qemu-riscv32"], { encoding: "utf8" }).stdout.trim();
const qemu = QEMU !== "";

/** The directory with dash, lua and sqlite3, or why there is none. */
function build(): { dir: string } | { why: string } {
  if (!haveCrossCompiler()) return { why: "riscv64-unknown-elf-gcc is not installed" };
  if (!qemu) return { why: "qemu-riscv32 is not installed (apt-get install qemu-user)" };
  try {
    const dir = execFileSync("bash", [join(REPO, "scripts", "linux-programs.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    return { dir: dir.split("\n").at(-1)! };
  } catch (e) {
    return { why: `scripts/linux-programs.sh failed: ${String((e as { stderr?: string }).stderr ?? e).trim().split("\n").at(-1)}` };
  }
}

// Both sides see the same environment: no host variables leak into the qemu run.
// PATH names no directory: under qemu-user a command found on the host's PATH would run natively.
const ENV = { HOME: "/nonexistent-home", PATH: "/nonexistent-bin", TZ: "UTC" };

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  /** name → content ("<dir>" for a directory) of what the program left in its working directory. */
  files: Record<string, string>;
}

/** Under qemu-riscv32, in a fresh host directory holding `files`. */
function underQemu(bin: string, argv: string[], files: Record<string, string>, stdin: string): Outcome {
  const dir = mkdtempSync(join(tmpdir(), "kiln-linux-prog-"));
  try {
    for (const [p, c] of Object.entries(files)) writeFileSync(join(dir, p), c, "latin1");
    const r = spawnSync(QEMU, ["-0", argv[0]!, bin, ...argv.slice(1)], { cwd: dir, env: ENV, input: Buffer.from(stdin, "latin1"), timeout: 120_000 });
    const left: Record<string, string> = {};
    for (const name of readdirSync(dir).sort()) {
      if (name in files) continue;
      const p = join(dir, name);
      left[name] = statSync(p).isDirectory() ? "<dir>" : readFileSync(p, "latin1");
    }
    // As BufferStdio decodes what the guest wrote: UTF-8.
    return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8"), files: left };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In-process on k1, in a fresh file system holding `files` at / (the working directory). */
function onK1(bin: string, argv: string[], files: Record<string, string>, stdin: string): Outcome {
  const stdio = new BufferStdio(stdin);
  const kernel = new Kernel({ dispatch: k1, stdio, maxInsns: 4_000_000_000 });
  for (const [p, c] of Object.entries(files)) kernel.vfs.writeFile(`/${p}`, Buffer.from(c, "latin1"));
  const before = new Set(kernel.vfs.root.entries.keys());
  kernel.spawn(readFileSync(bin), argv, Object.entries(ENV).map(([k, v]) => `${k}=${v}`));
  const r = kernel.run();
  const left: Record<string, string> = {};
  const entries: [string, Inode][] = [...kernel.vfs.root.entries];
  for (const [name, node] of entries.sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (before.has(name)) continue;
    left[name] = node.isDir ? "<dir>" : Buffer.from(node.data.subarray(0, node.size)).toString("latin1");
  }
  return { status: r.status, stdout: stdio.stdout, stderr: stdio.stderr, files: left };
}

const built = build();
if ("why" in built) console.warn(`SKIPPED tests/kernel/linux-programs: ${built.why}`);
const dir = "dir" in built ? built.dir : "";

describe.skipIf(!dir)("static Linux programs built against musl: k1 against qemu-riscv32", () => {
  beforeAll(() => {
    for (const p of ["dash", "lua", "sqlite3"]) expect(existsSync(join(dir, p))).toBe(true);
  });

  const cases: { name: string; bin: string; argv: string[]; files: Record<string, string>; stdin?: string }[] = [
    { name: "dash runs a shell script (reads, pipes, waits, traps, /proc/self/exe)", bin: "dash", argv: ["dash", "shell.sh"], files: { "shell.sh": readFileSync(join(HERE, "shell.sh"), "latin1") }, stdin: "from the pipe\n" },
    { name: "dash -c with a failing command and a command that is not found", bin: "dash", argv: ["dash", "-c", 'echo "$0 $1"; ( exit 4 ); echo "status $?"; nosuch; echo "then $?"; exit 9', "sh", "arg"], files: {} },
    { name: "lua runs the ports' script (floats, patterns, coroutines, files, errors)", bin: "lua", argv: ["lua", "basics.lua"], files: { "basics.lua": readFileSync(join(PORT_SCRIPTS, "basics.lua"), "latin1") } },
    { name: "lua reports a script error with its traceback", bin: "lua", argv: ["lua", "bad.lua"], files: { "bad.lua": "local t = {}\nprint('before')\nt.x.y = 1\n" } },
    { name: "sqlite3 creates, indexes, rolls back, reopens and vacuums a database file (locks, fsync, truncate)", bin: "sqlite3", argv: ["sqlite3", "-batch", "test.db"], files: {}, stdin: readFileSync(join(PORT_SCRIPTS, "db.sql"), "latin1") },
  ];

  it.each(cases)("$name", ({ bin, argv, files, stdin }) => {
    const path = join(dir, bin);
    const q = underQemu(path, argv, files, stdin ?? "");
    const k = onK1(path, argv, files, stdin ?? "");
    expect(k).toEqual(q);
  });

  // qemu-user cannot be the oracle here: its execve hands /proc/self/exe to the host kernel, which
  // cannot run a RISC-V file (ENOEXEC). On Linux proper the shell runs again, as it does on k1.
  it("dash re-executes itself through /proc/self/exe (k1 alone)", () => {
    const k = onK1(join(dir, "dash"), ["dash", "-c", '/proc/self/exe -c \'echo "inner $0 $1"; exit 6\' again one; echo "outer $?"'], {}, "");
    expect(k).toEqual({ status: 0, stdout: "inner again one\nouter 6\n", stderr: "", files: {} });
  });
});
