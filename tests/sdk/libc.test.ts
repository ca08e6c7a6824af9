// libc unit tests as guest programs (tests/sdk/c): printf formats, malloc/realloc, string and
// number functions, getopt, errno. The expected printf output is what glibc prints for the same
// calls. Run on every kernel, built for p1 and for p2 (p2 adds the thread-safe malloc lock).
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ccBuild } from "../../impl/toolchain/cc.ts";
import { describe, expect, it } from "vitest";
import { build, haveCrossCompiler, KERNELS, kilnRun, layerMissing, TEST_C } from "./helpers.ts";

const has = haveCrossCompiler();
/** Skipped (not failed) only while the kernel reports it has no layer for that program ABI. */
const noLayerFor: Record<string, boolean> = { p1: has ? await layerMissing("p1") : true, p2: has ? await layerMissing("p2") : true };

const PRINTF = `[-42] [42] [42] [beef] [BEEF] [10] [z] [str] [%]
[   42] [42   ] [00042] [+42] [ 42] [   -7] [+7   |]
[007] [     007] [007     |] [] [     007]
[0xff] [0XFF] [010] [0] [0] [      0xff] [0x000000ff]
[abc] [       abc] [abc       |] [ab] [       abc] [    ab] [ab    |] [x]
[-123456789] [4000000000] [deadbeef] [-1234567890123] [18446744073709551615] [123456789abcdef] [FEDCBA9876543210]
[-1234] [65535] [-5] [250] [abcd] [123456] [-99] [fff]
[-2147483648] [2147483647] [4294967295] [-9223372036854775808]
[abc] [    x] [y  |]
[]
snprintf 13 [snp-12345-abc]
snprintf 16 [truncat]
snprintf size 7
sprintf 14 [1234ABCD|ok  |] 14
count me
printed 9
fprintf 1
fputs
puts
!
`;

const MALLOC = `malloc small: ok
realloc grows and keeps data: ok
realloc shrinks in place: ok
calloc zeroes: ok
free then malloc reuses the block: ok
malloc 1 MiB: ok
1 MiB writable: ok
2000 small blocks keep their contents: ok
refill after freeing half: ok
realloc chain to 30000 bytes: ok
free(NULL): ok
0 failures
`;

const STRING_CHECKS = [
  "strlen", "strcmp", "strncmp", "strcpy/strcat", "strncpy pads", "strchr/strrchr", "strstr", "strspn/strcspn", "strtok_r",
  "strdup", "memset", "memmove overlap", "memmove back", "memcmp", "memchr", "atoi", "strtol hex/octal/base0", "strtoul",
  "qsort", "open fails with ENOENT through errno", "close(-1) sets EBADF", "strerror",
];
const STRING = `${STRING_CHECKS.map((c) => `${c}: ok\n`).join("")}getopt: a=2 b=1 barg=X rest=2 rest1 rest2\n0 failures\n`;

const TESTS = [
  { name: "printf_test", args: [] as string[], stdout: PRINTF },
  { name: "malloc_test", args: [], stdout: MALLOC },
  { name: "string_test", args: ["-a", "-b", "X", "-a", "rest1", "rest2"], stdout: STRING },
];

describe.skipIf(!has).each(["p1", "p2"])("libc (%s)", (abi) => {
  for (const t of TESTS) {
    it.skipIf(noLayerFor[abi]!)(`${t.name} on ${KERNELS.join(", ")}`, async () => {
      const prog = build(join(TEST_C, `${t.name}.c`), abi, `${t.name}-${abi}`);
      const results = await Promise.all(KERNELS.map((k) => kilnRun(k, prog, t.args)));
      for (const [i, r] of results.entries()) expect({ kernel: KERNELS[i], stdout: r.stdout, status: r.status }, r.stderr).toEqual({ kernel: KERNELS[i], stdout: t.stdout, status: 0 });
    });
  }
});

// ISO C is picolibc: the same portable program built for the host with glibc must print the same,
// on every kernel; with -DTHREADS (p2 and later) a second thread's errno is its own.
const hostCc = (() => {
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!has || !hostCc)("ISO C from picolibc prints what glibc prints", () => {
  it.each(["p1", "p2"])("iso_test (%s) on every kernel", async (abi) => {
    const src = join(TEST_C, "iso_test.c");
    const threads = abi !== "p1" ? ["-DTHREADS"] : [];
    const dir = mkdtempSync(join(tmpdir(), "kiln-iso-"));
    execFileSync("cc", ["-O2", ...threads, "-o", join(dir, "iso"), src, "-lm", "-lpthread"]);
    const expected = execFileSync(join(dir, "iso"), { encoding: "utf8" });
    expect(expected).toContain("errno after close(-1): 9");
    const prog = ccBuild({ sources: [src], out: join(dir, `iso-${abi}`), abi, flags: threads });
    const results = await Promise.all(KERNELS.map((k) => kilnRun(k, prog)));
    for (const [i, r] of results.entries()) expect({ kernel: KERNELS[i], stdout: r.stdout, status: r.status }, r.stderr).toEqual({ kernel: KERNELS[i], stdout: expected, status: 0 });
  });
});
