// Every example, built with kiln cc's own function, run through `kiln run` (in process) on k1, k2 and
// k3: exact output and exit status, identical on every kernel. The shell runs pipelines of the
// other examples on files imported with --root.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { build, EXAMPLES, haveCrossCompiler, KERNELS, kilnRun, layerMissing } from "./helpers.ts";

const has = haveCrossCompiler();
/** p2/p3 programs are skipped (not failed) only while the kernel reports it has no layer for that program ABI. */
const noLayerFor: Record<string, boolean> = { p1: has ? await layerMissing("p1") : true, p2: has ? await layerMissing("p2") : true, p3: has ? await layerMissing("p3") : true };

const ex = (name: string, abi: string) => build(join(EXAMPLES, `${name}.c`), abi, `${name}-${abi}`);

/** A guest root: /bin holds cat, wc, ls, sh (p1); /data holds two text files. */
function makeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "kiln-root-"));
  mkdirSync(join(root, "bin"));
  mkdirSync(join(root, "data"));
  for (const p of ["cat", "wc", "ls", "sh"]) cpSync(ex(p, "p1"), join(root, "bin", p));
  writeFileSync(join(root, "data/poem.txt"), "the quick brown fox\njumps over\nthe lazy dog\n");
  writeFileSync(join(root, "data/one.txt"), "single line\n");
  return root;
}

interface Case {
  name: string;
  abi: string;
  args?: string[];
  input?: string;
  root?: boolean;
  stdout: string;
  status: number;
}

const CASES: Case[] = [
  { name: "hello", abi: "p1", stdout: "hello, world\n", status: 0 },
  { name: "hello", abi: "p3", stdout: "hello, world\n", status: 0 },
  { name: "cat", abi: "p1", input: "line one\nline two\n", stdout: "line one\nline two\n", status: 0 },
  { name: "cat", abi: "p1", args: ["/data/one.txt", "-", "/data/one.txt"], input: "middle\n", root: true, stdout: "single line\nmiddle\nsingle line\n", status: 0 },
  { name: "cat", abi: "p1", args: ["/data/missing"], root: true, stdout: "", status: 1 },
  { name: "wc", abi: "p1", input: "a b c\nd e\n", stdout: "2 5 10\n", status: 0 },
  { name: "wc", abi: "p1", args: ["-l", "/data/poem.txt", "/data/one.txt"], root: true, stdout: "3 /data/poem.txt\n1 /data/one.txt\n4 total\n", status: 0 },
  { name: "ls", abi: "p1", args: ["/data"], root: true, stdout: "one.txt\npoem.txt\n", status: 0 },
  { name: "ls", abi: "p1", args: ["-F", "/"], root: true, stdout: "bin/\ndata/\ndev/\nlib/\nproc/\ntmp/\n", status: 0 }, // the kernel adds /dev, /proc and /tmp
  { name: "ls", abi: "p1", args: ["/nope"], root: true, stdout: "", status: 1 },
  { name: "sh", abi: "p1", args: ["-c", "cat /data/poem.txt | wc"], root: true, stdout: "3 9 44\n", status: 0 },
  { name: "sh", abi: "p1", args: ["-c", "ls /data | wc -l"], root: true, stdout: "2\n", status: 0 },
  { name: "sh", abi: "p1", args: ["-c", "cat /data/poem.txt | cat | cat | wc -w"], root: true, stdout: "9\n", status: 0 },
  {
    name: "sh",
    abi: "p1",
    root: true,
    input: "# a script on stdin\nls /data\ncat /data/one.txt | wc -c\nnosuchcmd\nls /bin | wc -l\n",
    stdout: "one.txt\npoem.txt\n12\n4\n",
    status: 0,
  },
  { name: "sh", abi: "p1", args: ["-c", "nosuchcmd arg"], root: true, stdout: "", status: 127 },
  { name: "sh", abi: "p1", args: ["-c", "exit 7"], root: true, stdout: "", status: 7 },
  { name: "bench", abi: "p1", stdout: "sort   9be21948\nmatmul 9d2832fa\ncrc32  564f255a\nchecksum 10b084d0\n", status: 0 },
  {
    name: "threads",
    abi: "p2",
    stdout: "thread 1 returned 100\nthread 2 returned 200\nthread 3 returned 300\nthread 4 returned 400\ncounter = 40000\n",
    status: 0,
  },
  { name: "crit", abi: "p2", stdout: "inside critical section: delivered 0\nafter crit_leave: delivered 1\noutside a section: delivered 2\nok\n", status: 0 },
];

describe.skipIf(!has)("examples on every kernel", () => {
  const root = has ? makeRoot() : "";
  for (const c of CASES) {
    const title = `${c.name}${c.args ? " " + c.args.join(" ") : ""}${c.input !== undefined ? " <stdin" : ""} (${c.abi})`;
    it.skipIf(noLayerFor[c.abi]!)(`${title}: same output and status on ${KERNELS.join(", ")}`, async () => {
      const prog = ex(c.name, c.abi);
      const results = await Promise.all(KERNELS.map((k) => kilnRun(k, prog, c.args ?? [], { ...(c.root ? { root } : {}), ...(c.input !== undefined ? { input: c.input } : {}) })));
      for (const [i, r] of results.entries()) {
        expect({ kernel: KERNELS[i], stdout: r.stdout, status: r.status }, r.stderr).toEqual({ kernel: KERNELS[i], stdout: c.stdout, status: c.status });
      }
    });
  }

  it("sh reports a missing command on stderr", async () => {
    const r = await kilnRun("k2", ex("sh", "p1"), ["-c", "nosuchcmd"], { root });
    expect(r.stderr).toBe("sh: nosuchcmd: not found\n");
  });

  it("every example names the program ABI it targets", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    for (const f of readdirSync(EXAMPLES).filter((x) => x.endsWith(".c"))) {
      expect(readFileSync(join(EXAMPLES, f), "utf8"), f).toMatch(/Program ABI: p\d/);
    }
  });
});
