// Static Linux programs that nobody wrote for kiln — shells and their utilities (dash, busybox), a
// scripting language (Lua 5.4) and a database shell (the SQLite shell), built by
// scripts/linux-programs.sh from Debian's sources against musl, with raw Linux system calls and no
// layer — run in-process on k1 (the kernel whose numbers and semantics are Linux's) and under
// qemu-riscv32, the host's Linux. Stdout, stderr, the exit status and the files they leave in their
// working directory must be the same.
//
// What differs by nature is left out: the order of a directory's entries (each file system has
// its own: find and grep -r), times and owners' names (ls -l, tar), the host's identity (uname,
// id, df), and block counts (du).
//
// Skipped (with the reason) without the cross compiler, qemu-riscv32, the musl build or the
// Debian sources: `bash scripts/install.sh` provides them all.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kernels } from "../../generated/index.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import type { Inode } from "../../impl/kernel/vfs.ts";
import { haveCrossCompiler } from "../c/build.ts";

const REPO = join(import.meta.dirname, "..", "..");
/** The kernel ABI with Linux's numbers and semantics (spec/abi/k1.md, spec/linux.md). */
const k1 = kernels["k1"]!;
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
  /** path → content of its working directory's tree when it ended (see hostTree). */
  files: Record<string, string>;
}

/** path → content of the tree under `dir` ("<dir>" for a directory, "-> target" for a link). */
function hostTree(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out[prefix + name] = `-> ${readlinkSync(p, "latin1")}`;
    else if (st.isDirectory()) Object.assign(out, { [prefix + name]: "<dir>" }, hostTree(p, `${prefix}${name}/`));
    else out[prefix + name] = readFileSync(p, "latin1");
  }
  return out;
}

function guestTree(kernel: Kernel, node: Inode, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, n] of [...node.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (n.kind === "symlink") out[prefix + name] = `-> ${n.target}`;
    else if (n.isDir) Object.assign(out, { [prefix + name]: "<dir>" }, guestTree(kernel, n, `${prefix}${name}/`));
    else out[prefix + name] = Buffer.from(kernel.vfs.contents(n)).toString("latin1");
  }
  return out;
}

/** Under qemu-riscv32, in a fresh host directory holding `files`. */
function underQemu(bin: string, argv: string[], files: Record<string, string>, stdin: string): Outcome {
  const dir = mkdtempSync(join(tmpdir(), "kiln-linux-prog-"));
  try {
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), c, "latin1");
    }
    const r = spawnSync(QEMU, ["-0", argv[0]!, bin, ...argv.slice(1)], { cwd: dir, env: ENV, input: Buffer.from(stdin, "latin1"), timeout: 120_000 });
    // As BufferStdio decodes what the guest wrote: UTF-8.
    return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8"), files: hostTree(dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In-process on k1, in a fresh file system holding `files` in the working directory /work. */
function onK1(bin: string, argv: string[], files: Record<string, string>, stdin: string): Outcome {
  const stdio = new BufferStdio(stdin);
  const kernel = new Kernel({ dispatch: k1, stdio, maxInsns: 4_000_000_000 });
  kernel.vfs.mkdir(kernel.vfs.root, "work", 0o755);
  for (const [p, c] of Object.entries(files)) kernel.vfs.writeFile(`/work/${p}`, Buffer.from(c, "latin1"));
  kernel.spawn(readFileSync(bin), argv, Object.entries(ENV).map(([k, v]) => `${k}=${v}`), { cwd: "/work" });
  const r = kernel.run();
  const work = kernel.vfs.lookup(kernel.vfs.root, "/work");
  return { status: r.status, stdout: stdio.stdout, stderr: stdio.stderr, files: guestTree(kernel, work) };
}

const built = build();
if ("why" in built) console.warn(`SKIPPED tests/kernel/linux-programs: ${built.why}`);
const dir = "dir" in built ? built.dir : "";

describe.skipIf(!dir)("static Linux programs built against musl: k1 against qemu-riscv32", () => {
  beforeAll(() => {
    for (const p of ["dash", "busybox", "lua", "lua-rvc", "sqlite3"]) expect(existsSync(join(dir, p))).toBe(true);
  });

  const cases: { name: string; bin: string; argv: string[]; files: Record<string, string>; stdin?: string }[] = [
    { name: "dash runs a shell script (reads, pipes, waits, traps, /proc/self/exe)", bin: "dash", argv: ["dash", "shell.sh"], files: { "shell.sh": readFileSync(join(HERE, "shell.sh"), "latin1") }, stdin: "from the pipe\n" },
    { name: "dash -c with a failing command and a command that is not found", bin: "dash", argv: ["dash", "-c", 'echo "$0 $1"; ( exit 4 ); echo "status $?"; nosuch; echo "then $?"; exit 9', "sh", "arg"], files: {} },
    { name: "lua runs the ports' script (floats, patterns, coroutines, files, errors)", bin: "lua", argv: ["lua", "basics.lua"], files: { "basics.lua": readFileSync(join(PORT_SCRIPTS, "basics.lua"), "latin1") } },
    { name: "lua built with the C extension (rv32imac) runs the same script", bin: "lua-rvc", argv: ["lua", "basics.lua"], files: { "basics.lua": readFileSync(join(PORT_SCRIPTS, "basics.lua"), "latin1") } },
    { name: "lua reports a script error with its traceback", bin: "lua", argv: ["lua", "bad.lua"], files: { "bad.lua": "local t = {}\nprint('before')\nt.x.y = 1\n" } },
    { name: "sqlite3 creates, indexes, rolls back, reopens and vacuums a database file (locks, fsync, truncate)", bin: "sqlite3", argv: ["sqlite3", "-batch", "test.db"], files: {}, stdin: readFileSync(join(PORT_SCRIPTS, "db.sql"), "latin1") },
  ];

  // busybox's applets, each run as `busybox`'s argv[0] would name it, and its shell (with builtins
  // and the applets it runs without an exec: qemu-user cannot exec /proc/self/exe, k1 can).
  const FILES = { "a.txt": "apple\nbanana\ncherry\napple\ndate\n", "b.txt": "xyz\t123\n", "nums.txt": "10\n9\n100\n-1\n", "colon.txt": "a:1\nb:22\nc:333\n", "sub/c.txt": "in sub apple\n" };
  const BUSYBOX: string[][] = [
    ["ls", "-1a"], ["ls", "-R"], ["cat", "a.txt", "b.txt"], ["wc", "a.txt", "b.txt"], ["sort", "-r", "a.txt"], ["sort", "-n", "nums.txt"],
    ["uniq", "-c", "a.txt"], ["head", "-n", "2", "a.txt"], ["tail", "-n", "2", "a.txt"], ["cut", "-d:", "-f2", "colon.txt"],
    ["tr", "a-z", "A-Z"], ["sed", "-e", "s/apple/APPLE/", "-e", "3d", "a.txt"], ["awk", "-F:", "{ s += $2 } END { print s, NR }", "colon.txt"],
    ["grep", "-n", "an", "a.txt"], ["find", ".", "-type", "d"], ["cp", "-r", "sub", "copy"], ["mv", "a.txt", "moved.txt"], ["rm", "-r", "sub"],
    ["mkdir", "-p", "x/y/z"], ["chmod", "600", "a.txt"], ["stat", "-c", "%n %s %F %a %h", "a.txt", "sub"], ["md5sum", "a.txt", "b.txt"],
    ["sha256sum", "a.txt"], ["gzip", "-k", "a.txt"], ["od", "-c", "b.txt"], ["hexdump", "-C", "b.txt"], ["expr", "6", "*", "7"],
    ["seq", "3", "3", "15"], ["basename", "/x/y/z.txt", ".txt"], ["date", "-u", "-d", "@1000000000"], ["touch", "-d", "2001-02-03 04:05:06", "a.txt"],
    ["diff", "a.txt", "b.txt"], ["cmp", "a.txt", "b.txt"], ["split", "-l", "2", "a.txt", "part."], ["nl", "a.txt"], ["rev", "a.txt"],
    ["tac", "a.txt"], ["fold", "-w", "3", "b.txt"], ["truncate", "-s", "3", "a.txt"], ["ln", "-s", "a.txt", "link"], ["ln", "a.txt", "hard"],
    ["xargs", "-n", "2", "echo"], ["sh", "-c", "ln -s a.txt link && readlink link && ls -1 && read l < link && echo \"via link: $l\""],
    ["sh", "-c", "for f in *.txt; do n=0; while read l; do n=$((n + 1)); done < $f; echo \"$f $n\"; done; echo $((6 * 7)) > out.txt; read x < out.txt; echo got $x"],
    ["sh", "-c", "mkdir d && cd d && echo inside > f && cd .. && ls d && rmdir d 2>&1; echo status $?"],
    ["sh", "-c", "(exit 2) & wait $!; echo waited $?; (exit 3); echo sub $?; kill -0 $$ && echo alive; echo piped | { read v; echo got $v; }"],
    ["sh", "-c", "umask 077; echo secret > s.txt; stat -c %a s.txt; trap 'echo bye' EXIT"],
  ];
  it.each(BUSYBOX.map((argv) => ({ line: argv.join(" "), argv })))("busybox $line", ({ argv }) => {
    const path = join(dir, "busybox");
    const stdin = "one two\nthree four\nfive\n";
    expect(onK1(path, argv, FILES, stdin)).toEqual(underQemu(path, argv, FILES, stdin));
  });

  it("busybox's shell runs applets through /proc/self/exe in a pipeline (k1 alone)", () => {
    const k = onK1(join(dir, "busybox"), ["sh", "-c", "cat a.txt | wc -l; ls | sort -r | head -n 2; tail -n 1 a.txt | tr a-z A-Z"], FILES, "");
    expect(k).toEqual({ status: 0, stdout: "5\nsub\nnums.txt\nDATE\n", stderr: "", files: { ...FILES, sub: "<dir>" } });
  });

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
