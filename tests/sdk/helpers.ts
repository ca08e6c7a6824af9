// Shared by the SDK tests: build C programs with `kiln cc`'s own function and run them through
// `kiln run` in this process (cli/main.ts runKiln, in-memory stdio): the same command-line
// parsing, messages and exit statuses as `node bin/kiln run`, without a node process per run.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { kernelVersions } from "../../generated/index.ts";
import { basename, join } from "node:path";
import { ccBuild, haveCrossCompiler, REPO } from "../../impl/toolchain/cc.ts";
import { runKiln } from "../../cli/main.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";

export { haveCrossCompiler, REPO };
export const KILN = join(REPO, "bin/kiln");
export const KERNELS = kernelVersions;
export const EXAMPLES = join(REPO, "examples");
export const TEST_C = join(REPO, "tests/sdk/c");

const outDir = mkdtempSync(join(tmpdir(), "kiln-sdk-"));

/** Builds `src` (a host path) against program ABI `abi`; returns the executable's path. */
export function build(src: string, abi: string, name = basename(src, ".c")): string {
  const dir = join(outDir, abi);
  mkdirSync(dir, { recursive: true });
  return ccBuild({ sources: [src], out: join(dir, name), abi });
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `kiln run --kernel k [--root dir] prog args…` with `input` on stdin, in process. */
export async function kilnRun(kernel: string, prog: string, args: string[] = [], opts: { root?: string; input?: string } = {}): Promise<RunResult> {
  const argv = ["run", "--kernel", kernel, ...(opts.root ? ["--root", opts.root] : []), prog, ...args];
  const stdio = new BufferStdio(opts.input ?? "");
  const status = await runKiln(argv, stdio);
  return { status, stdout: stdio.stdout, stderr: stdio.stderr };
}

/**
 * True when the kernel says it has no layer for this program ABI (the layer images for that ABI are
 * not built yet), which is the one reason a layered test is skipped rather than failed.
 */
export async function layerMissing(abi: string): Promise<boolean> {
  if (!haveCrossCompiler()) return true;
  const hello = build(join(EXAMPLES, "hello.c"), abi, `probe-hello-${abi}`);
  const r = await kilnRun("k1", hello);
  return r.status === 126 && /no layer for program ABI/.test(r.stderr);
}
