// Processes: fork, pipes, waitid, execve, kill, faults in children; scheduling determinism.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildC, haveCrossCompiler } from "../c/build.ts";
import { run } from "./helpers.ts";

const cc = haveCrossCompiler();
if (!cc) console.warn("SKIPPED tests/kernel/procs: riscv64-unknown-elf-gcc is not installed");
const C = (name: string) => readFileSync(buildC([join(import.meta.dirname, "c", `${name}.c`)], name, [`-I${join(import.meta.dirname, "c")}`]));

describe.skipIf(!cc)("processes (C)", () => {
  it("fork, pipe, waitid, execve, kill, setpgid", () => {
    const image = C("procs");
    const r = run(image, ["procs"], { setup: (k) => k.vfs.writeFile("/bin/procs", image, 0o755) });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      [
        "pid=1", "ppid=0", "pipe=0", "fork=2", "child-pid=2", "child-ppid=1", "from child", "waitid=0", "si_pid-ok=1",
        "si_code=1", "si_status=5", "echild=-10", "exec'd child: hi", "exec-status=33", "kill=0", "killed-code=2",
        "killed-sig=15", "segv-code=3", "segv-sig=11", "wnohang=0", "wnohang-pid=0", "setpgid=0", "getpgid-ok=1",
        "late-status=1", "esrch=-3", "",
      ].join("\n"),
    );
    expect(r.status).toBe(0);
    const again = run(image, ["procs"], { setup: (k) => k.vfs.writeFile("/bin/procs", image, 0o755) });
    expect(again.insns).toBe(r.insns);
    expect(again.stdout).toBe(r.stdout);
  });
});
