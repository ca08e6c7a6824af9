// The call tracer's decoding (`kiln run --trace`, `--strace`): driven by the spec's arguments
// table (spec/errors.md, "How arguments read"), never by hand tables — real guest programs on the
// real kernel, in-process; and the kiln run plumbing around it (output file, call filter, summary,
// trace lines that never split a guest's line) through bin/kiln.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ccBuild, haveCrossCompiler, REPO } from "../../impl/toolchain/cc.ts";
import { checkSpec } from "../../gen/main.ts";
import { kernels, argumentRules, constants, errno, errnoText } from "../../generated/index.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { installLayers } from "../../harness/install.ts";
import { CallSummary, SyscallSummary, flagsText, formatCall, formatSyscall, LayerTracer, quote, TraceSink } from "../../harness/trace.ts";

const cc = haveCrossCompiler();
const dir = mkdtempSync(join(tmpdir(), "kiln-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One program exercises every format: a buffer in and out, a string, flags with the access-mode
// field and an unknown bit, an octal mode, an enum, an error, and a long buffer that is cut.
const SRC = `
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
int main(void) {
  write(1, "hi\\n", 3);
  int fd = open("/t.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  write(fd, "tab\\there \\"q\\" \\\\ \\001\\0011", 18);
  close(fd);
  fd = open("/t.txt", O_RDONLY, 0);
  char buf[64];
  read(fd, buf, sizeof buf);
  lseek(fd, 0, SEEK_END);
  close(fd);
  open("/missing", O_RDONLY | 0x4000000, 0);
  kiln_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  write(1, "0123456789012345678901234567890123456789\\n", 41);
  return 0;
}
`;

let image: Uint8Array;
beforeAll(() => {
  if (!cc) return;
  const f = join(dir, "fmt.c");
  writeFileSync(f, SRC);
  image = readFileSync(ccBuild({ sources: [f], out: join(dir, "fmt"), abi: "p1" }));
}, 120_000);

function run(kernel: string) {
  const stdio = new BufferStdio();
  const strace: string[] = [];
  const tracer = new LayerTracer();
  const k = new Kernel(tracer.kernelOptions({ dispatch: kernels[kernel]!, stdio, maxInsns: 5_000_000, onSyscall: (t, row, args, r) => void strace.push(formatSyscall(t.tid, t.proc.vm.mem, row, args, r)) }));
  installLayers(k.vfs);
  k.spawn(image, ["fmt"], []);
  const r = k.run();
  tracer.finish();
  return { r, lines: tracer.calls.map(formatCall), strace, stdout: stdio.stdout };
}

describe.skipIf(!cc)("strace-grade decoding by the spec", () => {
  it("--trace shows buffers and strings quoted, flags by name, modes in octal and errors with their text", () => {
    const { r, lines } = run("k1");
    expect(r.status).toBe(0);
    const has = (re: RegExp) => expect(lines, lines.join("\n")).toContainEqual(expect.stringMatching(re));
    has(/^\[1\] p1\.write\(1, "hi\\n", 3\) = 3  <direct write#64; 1 trap, \d+ insns>$/);
    has(/^\[1\] p1\.openat\(AT_FDCWD, "\/t\.txt", O_WRONLY\|O_CREAT\|O_CLOEXEC, 0600\) = 3  </);
    has(/^\[1\] p1\.write\(3, "tab\\there \\"q\\" \\\\ \\1\\0011", 18\) = 18  </);
    // read's buffer is shown as the call left it, as many bytes as it returned.
    has(/^\[1\] p1\.read\(3, "tab\\there \\"q\\" \\\\ \\1\\0011", 64\) = 18  </);
    has(/^\[1\] p1\.lseek\(3, 0, SEEK_END\) = 18  </);
    has(/^\[1\] p1\.openat\(AT_FDCWD, "\/missing", O_RDONLY\|0x4000000, 0\) = -1 ENOENT \(No such file or directory\)  </);
    has(/^\[1\] p1\.mmap\(NULL, 4096, PROT_READ\|PROT_WRITE, MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0\) = 0x[0-9a-f]+  </);
    has(/^\[1\] p1\.write\(1, "01234567890123456789012345678901"\.\.\., 41\) = 41  </);
  });

  it("the same program on a renumbering and a ring kernel decodes the same way", () => {
    for (const k of ["k2", "k3"]) {
      const { lines, stdout } = run(k);
      expect(stdout).toContain("hi\n");
      expect(lines).toContainEqual(expect.stringContaining(`p1.openat(AT_FDCWD, "/t.txt", O_WRONLY|O_CREAT|O_CLOEXEC, 0600) = 3  <`));
      expect(lines).toContainEqual(expect.stringContaining(`= -1 ENOENT (No such file or directory)  <`));
    }
  });

  it("--strace decodes kernel calls by the same rules, with -1 ENAME (text) for a failure", () => {
    const { strace } = run("k1");
    expect(strace).toContain('[1] write(1, "hi\\n", 3) = 3');
    expect(strace).toContain('[1] openat(AT_FDCWD, "/t.txt", O_WRONLY|O_CREAT|O_CLOEXEC, 0600) = 3');
    expect(strace).toContain('[1] openat(AT_FDCWD, "/missing", O_RDONLY|0x4000000, 0) = -1 ENOENT (No such file or directory)');
    expect(strace).toContain("[1] exit_group(0) = ?");
  });

  it("error texts are the spec's errno table, not the tracer's", () => {
    const { lines } = run("k1");
    const line = lines.find((l) => l.includes("/missing"))!;
    expect(line).toContain(`ENOENT (${(errnoText as Record<string, string>).ENOENT})`);
    expect(errno.ENOENT).toBe(2);
  });
});

describe("the decoding rules", () => {
  it("every flag and enum rule names constants, and the flags a rule names decode back to themselves", () => {
    expect(argumentRules.length).toBeGreaterThan(20);
    for (const r of argumentRules) {
      if (r.format !== "flags") continue;
      for (const c of r.names) if (c.value > 0 && (!r.mask || (c.value & r.mask.value) === 0)) expect(flagsText(c.value, r.names, r.mask).split("|"), `${r.call}.${r.arg} ${c.name}`).toContain(c.name);
    }
    const open = argumentRules.find((r) => r.call === "openat" && r.arg === "flags")!;
    const O = constants.files;
    expect(flagsText(O.O_RDONLY | O.O_CLOEXEC, open.names, open.mask)).toBe("O_RDONLY|O_CLOEXEC");
    expect(flagsText(O.O_RDWR | O.O_TRUNC, open.names, open.mask)).toBe("O_RDWR|O_TRUNC");
    const prot = argumentRules.find((r) => r.call === "mmap" && r.arg === "prot")!;
    expect(flagsText(0, prot.names, prot.mask)).toBe("PROT_NONE");
  });

  it("quotes like strace: escapes, octal for other bytes, ... when cut", () => {
    expect(quote(new Uint8Array([0x68, 0x0a, 0x00, 0x31, 0xff]), 32)).toBe('"h\\n\\0001\\377"');
    expect(quote(new TextEncoder().encode("abcdef"), 3)).toBe('"abc"...');
  });

  it("a rule naming an argument no call has, or constants that do not exist, is a spec error", () => {
    const root = join(dir, "spec");
    cpSync(join(REPO, "spec"), root, { recursive: true });
    const f = join(root, "errors.md");
    writeFileSync(f, readFileSync(f, "utf8").replace("| lseek | whence | in | — | enum | files:SEEK_* | — |", "| lseek | wence | in | — | enum | files:SEEK_* | — |").replace("| mmap | prot | in | — | flags | memory:PROT_* | — |", "| mmap | prot | in | — | flags | memory:PRUT_* | — |"));
    const msgs = checkSpec(root, "spec").diagnostics.map((d) => `${d.message} [${d.rule}]`);
    expect(msgs).toContainEqual(expect.stringMatching(/no signature of `lseek` has an argument `wence` \[unknown-arg\]/));
    expect(msgs).toContainEqual(expect.stringMatching(/`memory:PRUT_\*` selects no constant \[unknown-constant\]/));
  });
});

describe("trace output", () => {
  it("TraceSink holds trace lines while the guest's line is open", () => {
    let out = "";
    const sink = new TraceSink((t) => void (out += t));
    const guest = (s: string) => sink.guestWrite(new TextEncoder().encode(s), (b) => ((out += new TextDecoder().decode(b)), true));
    guest("abc");
    sink.line("[1] trace one");
    guest("def\nghi");
    sink.line("[1] trace two");
    sink.close();
    expect(out).toBe("abcdef\n[1] trace one\nghi\n[1] trace two\n");
  });

  it("SyscallSummary counts calls and errors per kernel call", () => {
    const s = new SyscallSummary();
    s.add("openat", 3);
    s.add("openat", -2);
    s.add("read", 10);
    expect(s.lines()).toEqual(["  calls  errors  kernel call", "------- -------  ------------------", "      2       1  openat", "      1       0  read", "------- -------  ------------------", "      3       1  total"]);
    expect(new SyscallSummary().lines()).toEqual([]);
  });

  it("CallSummary totals calls, errors, traps and instructions per slot and route", () => {
    const s = new CallSummary();
    const base = { tid: 1, pid: 1, program: "p1", kernel: "k1", slot: 4, id: "openat", route: "direct" as const, recipe: null, call: "openat", nr: 56, args: [], argText: [], result: 3, result64: null, resultText: "3", kernelCalls: [], messages: [] };
    s.add({ ...base, errno: null, insns: 6, traps: 1 });
    s.add({ ...base, errno: 2, insns: 7, traps: 1 });
    const lines = s.lines();
    expect(lines[0]).toMatch(/calls +errors +traps +insns +insns\/call +slot +route/);
    expect(lines[2]).toMatch(/^ +2 +1 +2 +13 +6\.5 +p1\.openat +direct openat#56$/);
    expect(lines.at(-1)).toMatch(/^ +2 +1 +2 +13 +6\.5 +total$/);
  });

  it.skipIf(!cc)("kiln run: --trace-output, --trace-calls and --summary; trace lines never split the guest's lines", () => {
    const prog = join(dir, "mid");
    const f = join(dir, "mid.c");
    writeFileSync(f, `#include <unistd.h>\nint main(void) { write(1, "abc", 3); getpid(); write(1, "def\\n", 4); return 0; }\n`);
    ccBuild({ sources: [f], out: prog, abi: "p2" });
    // stdout and stderr the same file: the getpid line waits for the guest's "def\n".
    const both = join(dir, "both.txt");
    const fd = openSync(both, "w");
    const r1 = spawnSync(process.execPath, [join(REPO, "bin/kiln"), "run", "-k", "k2", "--trace", "--strace", prog], { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    expect(r1.status).toBe(0);
    const text = readFileSync(both, "utf8");
    expect(text.split("\n")).toContain("abcdef");
    expect(text).toMatch(/^\[1\] p2\.getpid\(\) = 1  <userspace shared_pid; 0 traps, \d+ insns>$/m);
    expect(text).toMatch(/^\[strace\] \[1\] write\(1, "abc", 3\) = 3$/m);
    // A file of its own, only the calls asked for, and the summary.
    const out = join(dir, "trace.txt");
    const r2 = spawnSync(process.execPath, [join(REPO, "bin/kiln"), "run", "-k", "k1", "--trace", "--trace-calls", "write", "--summary", "--trace-output", out, prog], { encoding: "utf8" });
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stdout).toBe("abcdef\n");
    expect(r2.stderr).toBe("");
    const t = readFileSync(out, "utf8").split("\n");
    expect(t.filter((l) => l.startsWith("[1] "))).toEqual([expect.stringMatching(/^\[1\] p2\.write\(1, "abc", 3\) = 3  </), expect.stringMatching(/^\[1\] p2\.write\(1, "def\\n", 4\) = 4  </)]);
    expect(t).toContainEqual(expect.stringMatching(/^ +2 +0 +2 +\d+ +[\d.]+ +p2\.write +direct write#64$/));
    expect(t).toContainEqual(expect.stringMatching(/^ +1 +0 +1 +\d+ +[\d.]+ +p2\.getpid +direct getpid#172$/));
    expect(t).toContainEqual(expect.stringMatching(/ total$/));
    // Then the kernel calls, as strace -c counts them.
    expect(t).toContainEqual(expect.stringMatching(/^ +calls +errors +kernel call$/));
    expect(t).toContainEqual(expect.stringMatching(/^ +2 +0  write$/));
    expect(t).toContainEqual(expect.stringMatching(/^ +1 +0  exit_group$/));
  }, 120_000);
});
