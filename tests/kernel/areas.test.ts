// Every kernel area, as layered C programs (tests/kernel/guest, built with the SDK once per program
// ABI) run unchanged on k1, k2 and k3 with exact output and exit status: files, memory, processes,
// threads, time, signals, a signal raised inside a critical section, and the p3 batch (on k3 one
// ring_enter trap for 64 reads, checked through the kernel's trace). Plus determinism: the same
// program run twice gives identical output and instruction counts on every kernel.
import { describe, expect, it } from "vitest";
import { KERNEL_NAMES, guest, haveCrossCompiler, runOn } from "./layered-helpers.ts";
import type { KernelName, LayeredOpts } from "./layered-helpers.ts";

const cc = haveCrossCompiler();
if (!cc) console.warn("SKIPPED tests/kernel/areas: riscv64-unknown-elf-gcc is not installed");

interface Case { name: string; abi: string; stdout: string; status?: number; opts?: (img: Uint8Array) => LayeredOpts }

const CASES: Case[] = [
  { name: "files", abi: "p2", stdout: `mkdir 0
mkdir again -1 errno 17
chdir 0
getcwd /w
open 3
write 12
lseek end 12
lseek set 6
read 6 world
read at eof 0
fstat 0 fstat64 0
stat size 12 mode 100644 nlink 1 blksize 4096 blocks 1
stat64 size 12 mode 100644 nlink 1 blksize 4096 blocks 1
same ino 1, mtime 1, mtime agrees 1
dup 4 lseek via dup 2, original now 2
dup3 9
F_GETFD 9: 1, F_GETFD dup: 0
F_GETFL 2
F_SETFL append 0, F_GETFL has append 1
after append size 17
F_DUPFD >= 20: 20
dup3 same fd -1 errno 22
close 9 0, close 9 again -1 errno 9
mkdir sub 0
rename 0
open old name -1 errno 2
ls /w/sub: .(4) ..(4) g.txt(8) h.txt(8) [4 entries, end 0]
rmdir non-empty -1 errno 39
unlink dir -1 errno 21
unlink 0 0
rmdir 0
ls .: .(4) ..(4) [2 entries, end 0]
chdir .. 0 getcwd /
chdir file -1 errno 2
pipe2 0
pipe read 16 through the pipe, cloexec 1
lseek pipe -1 errno 29
pipe is fifo 1
pipe with 3 bytes: st_size 0
read after writer closed 3 then 0
bad fd read -1 errno 9
` },
  { name: "mem", abi: "p2", stdout: `brk grows 1
brk memory 7
brk shrinks 1
anon aligned 1 zero 1
munmap first 0; middle still middle page
mprotect unmapped -1 errno 12
bad munmap -1 errno 22
mmap len 0 -1
file map abc ... t, tail zero 1
private: map Z file a
file map at page 1: o (want o)
mprotect ro 0
after fault: value 42 faults 1 siginfo ok 1
no second fault: faults 1
` },
  {
    name: "procs",
    abi: "p2",
    // The child execs the same image from the guest file system.
    opts: (img) => ({ files: { "/bin/procs": img } }),
    stdout: `ppid of init 0
child said: HELLO THROUGH EXEC
waitid 0 signo 17 code 1 pid-ok 1 status 19
waitid again -1 errno 10
setpgid 0
groups: g1 leads 1, g2 joined 1, parent apart 1
kill group 0
reaped: code 2 status 15
reaped: code 2 status 15
waitpid exited 1 status 3
no children -1 errno 10
`,
  },
  { name: "threads", abi: "p2", opts: () => ({ quantum: 397 }), stdout: `counter 10000 (want 10000)
joined 100, lock free 0, contended 1
` },
  { name: "timec", abi: "p2", stdout: `gettime 0
realtime from 2000: 1
time() agrees 1
nanosleep 0
slept >= 2.5 s 1, < 2.51 s 1
monotonic_ns follows 1 1
bad clock -1
bad nsec -1
` },
  { name: "signals", abi: "p2", stdout: `sigaction reads back 1
kill self 0, delivered 1
blocked: delivered 0
unblocked: delivered 1 (merged)
bad signal -1 errno 22
SIGCHLD 1 from child 1, status 5
SIGSEGV recovered: 1, value x
crit: inside 0, after leave 1, later 2
crit empty section: 2
` },
  { name: "batch", abi: "p3", stdout: `batch 64, 64 of 64 reads correct
bad fd in a batch: -9, next still runs: 16
` },
];

describe.skipIf(!cc)("every area on k1, k2 and k3 (layered C programs)", () => {
  for (const c of CASES) {
    for (const k of KERNEL_NAMES) {
      it(`${c.name} (${c.abi}) on ${k}`, () => {
        const img = guest(c.name, c.abi);
        const r = runOn(k, img, c.opts?.(img) ?? {});
        expect({ stdout: r.stdout, status: r.status }, r.stderr).toEqual({ stdout: c.stdout, status: c.status ?? 0 });
      });
    }
  }

  /** Trace lines between the two getppid markers around the batch. */
  const batchTrace = (k: KernelName): string[] => {
    const lines: string[] = [];
    const r = runOn(k, guest("batch", "p3"), { trace: (l) => lines.push(l) });
    expect(r.status).toBe(0);
    const marks = lines.flatMap((l, i) => (/\] getppid\(/.test(l) ? [i] : []));
    expect(marks.length).toBeGreaterThanOrEqual(2);
    return lines.slice(marks[0]! + 1, marks[1]!);
  };

  it("k3: a batch of 64 reads is exactly one ring_enter trap", () => {
    const between = batchTrace("k3");
    expect(between).toHaveLength(1);
    expect(between[0]).toMatch(/\] ring_enter\(64, 64\) = 64$/);
  });

  it("k1 and k2: the same batch is 64 read traps (the layer runs it one request at a time)", () => {
    for (const k of ["k1", "k2"] as const) {
      const between = batchTrace(k);
      expect(between.filter((l) => /\] read\(/.test(l))).toHaveLength(64);
      expect(between).toHaveLength(64);
    }
  });

  for (const k of KERNEL_NAMES) {
    it(`determinism on ${k}: a program with threads and fork run twice gives identical output and instruction counts`, () => {
      for (const name of ["threads", "procs"]) {
        const img = guest(name, "p2");
        const opts = name === "procs" ? { files: { "/bin/procs": img } } : { quantum: 397 };
        const a = runOn(k, img, opts);
        const b = runOn(k, img, opts);
        expect(a.status).toBe(0);
        expect({ stdout: b.stdout, insns: b.insns }).toEqual({ stdout: a.stdout, insns: a.insns });
        expect(a.insns).toBeGreaterThan(10_000);
      }
    });
  }
});
