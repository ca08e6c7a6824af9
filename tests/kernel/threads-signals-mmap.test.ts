// Threads and futexes, signals, and memory mappings, through C programs.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildC, haveCrossCompiler } from "../c/build.ts";
import { run } from "./helpers.ts";

const cc = haveCrossCompiler();
if (!cc) console.warn("SKIPPED tests/kernel/threads-signals-mmap: riscv64-unknown-elf-gcc is not installed");
const C = (name: string) => readFileSync(buildC([join(import.meta.dirname, "c", `${name}.c`)], name, [`-I${join(import.meta.dirname, "c")}`]));
const KILN = join(import.meta.dirname, "../../bin/kiln");
const buildSignals = () => buildC([join(import.meta.dirname, "c", "signals.c")], "signals", [`-I${join(import.meta.dirname, "c")}`]);
const lines = (...l: string[]) => l.join("\n") + "\n";

describe.skipIf(!cc)("threads, signals, mmap (C)", () => {
  it("threads share memory, see their TLS, join through clear-child-tid and futexes", () => {
    const r = run(C("threads"), ["threads"], { quantum: 500 });
    expect(r.stdout).toBe(
      lines(
        ...Array(4).fill("tid-distinct=1"), "woken-ok=1", "counter=4000", "tls=0", "tls=1", "tls=2", "tls=3",
        "gettid-main=1", "futex-eagain=-11", "futex-timeout=-110", "nanosleep=0", "slept-2s=1",
      ),
    );
    expect(r.status).toBe(0);
    expect(run(C("threads"), ["threads"], { quantum: 500 }).insns).toBe(r.insns);
  });

  it("signal handlers, masks, siginfo, a SIGSEGV handler, default actions", () => {
    // Through the CLI in a child process with a timeout: handlers return through the trampoline
    // page, and a CPU that mishandles some code address must fail here, not hang the test run.
    const out = spawnSync(process.execPath, [KILN, "run", "--max-insns", "10000000", buildSignals()], { encoding: "utf8", timeout: 30_000 });
    const r = { stdout: out.stdout, status: out.status };
    expect(r.stdout).toBe(
      lines(
        "sigaction=0", "kill=0", "got=10", "si_signo=10", "si_code=0", "si_pid-ok=1", "block=0", "old=0",
        "got-while-blocked=0", "unblock=0", "got-after-unblock=10", "segv-handled=11", "reset-to-default=1",
        "einval-kill-sig=-22", "einval-sigkill=-22", "sigchld-ignored=0",
      ),
    );
    expect(r.status).toBe(140);
    expect(out.stderr).toContain("killed by signal 12 (SIGUSR2)");
  });

  it("mmap2, munmap, mprotect", () => {
    const r = run(C("mmap"));
    expect(r.stdout).toBe(
      lines(
        "mapped=1", "rw=1", "mprotect=0", "write-ro-faults=11", "read-ro-ok=0", "munmap=0", "unmapped-faults=11",
        "einval=-22", "einval-align=-22", "fixed=1", "file-map=1", "ebadf=-9",
      ),
    );
    expect(r.status).toBe(0);
  });
});
