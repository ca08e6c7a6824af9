// The in-memory file system: through the VFS API and through a C program's syscalls.
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildC, haveCrossCompiler } from "../c/build.ts";
import { Errno } from "../../impl/kernel/errno.ts";
import { Vfs } from "../../impl/kernel/vfs.ts";
import { run } from "./helpers.ts";

const cc = haveCrossCompiler();
if (!cc) console.warn("SKIPPED C parts of tests/kernel/fs: riscv64-unknown-elf-gcc is not installed");
const C = (name: string) => readFileSync(buildC([join(import.meta.dirname, "c", `${name}.c`)], name, [`-I${join(import.meta.dirname, "c")}`]));

const errno = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    if (e instanceof Errno) return e.errno;
    throw e;
  }
  return 0;
};

describe("Vfs", () => {
  it("resolves . and .., and .. at the root stays at the root", () => {
    const v = new Vfs();
    v.writeFile("/a/b/c.txt", "x");
    expect(v.lookup(v.root, "/a/./b/../b/c.txt").kind).toBe("file");
    expect(v.lookup(v.root, "/../../..")).toBe(v.root);
    expect(v.pathOf(v.lookup(v.root, "/a/b"))).toBe("/a/b");
  });

  it("reports ENOENT, ENOTDIR, ELOOP", () => {
    const v = new Vfs();
    v.writeFile("/f", "x");
    v.symlink(v.root, "loop", "loop");
    expect(errno(() => v.lookup(v.root, "/nope"))).toBe(2);
    expect(errno(() => v.lookup(v.root, "/f/x"))).toBe(20);
    expect(errno(() => v.lookup(v.root, "/loop"))).toBe(40);
  });

  it("enforces its capacity with ENOSPC", () => {
    const v = new Vfs({ capacity: 100 });
    const f = v.writeFile("/f", "");
    expect(errno(() => v.writeAt(f, 0, new Uint8Array(101)))).toBe(28);
  });
});

describe("--root import", () => {
  const host = mkdtempSync(join(tmpdir(), "kiln-root-"));
  const outside = mkdtempSync(join(tmpdir(), "kiln-outside-"));
  writeFileSync(join(outside, "secret"), "SECRET");
  mkdirSync(join(host, "etc"));
  writeFileSync(join(host, "etc", "motd"), "welcome\n");
  symlinkSync("/etc/motd", join(host, "abs-link"));
  symlinkSync("../../../../../../../../" + join(outside, "secret"), join(host, "dotdot-link"));
  symlinkSync(join(outside, "secret"), join(host, "host-abs-link"));
  symlinkSync(outside, join(host, "dir-link"));

  it("copies files in and resolves absolute symlinks inside the guest root", () => {
    const v = new Vfs();
    v.importHostDir(host);
    expect(Buffer.from(v.readFile("/etc/motd")).toString()).toBe("welcome\n");
    expect(Buffer.from(v.readFile("/abs-link")).toString()).toBe("welcome\n");
  });

  it("no symlink, .. or absolute path reaches the host", () => {
    const v = new Vfs();
    v.importHostDir(host);
    expect(errno(() => v.readFile("/dotdot-link"))).toBe(2);
    expect(errno(() => v.readFile("/host-abs-link"))).toBe(2);
    expect(errno(() => v.readFile("/dir-link/secret"))).toBe(2);
    expect(errno(() => v.readFile("/../../../../" + join(outside, "secret")))).toBe(2);
    expect(errno(() => v.readFile(join(outside, "secret")))).toBe(2);
  });

  it("guest writes never reach the host", () => {
    const v = new Vfs();
    v.importHostDir(host);
    v.writeFile("/etc/motd", "changed");
    expect(readFileSync(join(host, "etc", "motd"), "utf8")).toBe("welcome\n");
  });
});

describe.skipIf(!cc)("file-system syscalls (C)", () => {
  it("openat/read/write/llseek/statx/dup3/renameat2/getdents64/unlinkat/chdir/getcwd", () => {
    const r = run(C("files"));
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      [
        "mkdir=0", "mkdir-again=-17", "open=3", "write=10", "llseek=0", "pos=6", "read=4", "file",
        "statx=0", "size=10", `mode=${0o100644}`, "dup3=9", "close=0", "close-again=-9", "pread-dup=0", "hello",
        "append-open=3", "rename=0", "open-old=-2", "chdir=0", "getcwd=3", "/d", "hello file!",
        ". .. g.txt sub ", "getdents-end=0", "rmdir-nonempty=-39", "unlink=0", "rmdir=0", "escape=0", "getcwd2=2", "/",
        "efault=-14", "ebadf=-9", "",
      ].join("\n"),
    );
    expect(r.status).toBe(0);
  });
});
