// Helpers for layered (SDK-built) guest programs run in-process on k1, k2 and k3: build a C source
// from tests/kernel/guest once per program ABI, then run it on a Kernel with the layer images
// installed, in-memory stdio, an instruction budget and optional extra files.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { kernels } from "../../generated/index.ts";
import type { KernelDispatch } from "../../gen/types.ts";
import { installLayers } from "../../harness/install.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import type { KernelOptions, RunResult } from "../../impl/kernel/kernel.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { build, haveCrossCompiler } from "../sdk/helpers.ts";

const { k1, k2, k3 } = kernels as Record<"k1" | "k2" | "k3", KernelDispatch>;

export { haveCrossCompiler };
export const GUEST = join(import.meta.dirname, "guest");
export const KERNEL_NAMES = ["k1", "k2", "k3"] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];
export const DISPATCH: Record<KernelName, KernelDispatch> = { k1, k2, k3 };

const built = new Map<string, Uint8Array>();

/** Builds tests/kernel/guest/<name>.c against `abi` (once per process); returns the ELF bytes. */
export function guest(name: string, abi = "p2"): Uint8Array {
  const key = `${name}-${abi}`;
  let b = built.get(key);
  if (!b) {
    b = readFileSync(build(join(GUEST, `${name}.c`), abi, key));
    built.set(key, b);
  }
  return b;
}

export interface LayeredRun extends RunResult {
  stdout: string;
  stderr: string;
  kernel: Kernel;
}

export interface LayeredOpts extends Partial<KernelOptions> {
  argv?: string[];
  stdin?: string;
  /** Extra guest files: path -> contents (mode 0755, so ELF images can be exec'd). */
  files?: Record<string, Uint8Array | string>;
}

/** Runs a layered program on kernel `k` (a 200M-instruction budget unless told otherwise). */
export function runOn(k: KernelName, image: Uint8Array, opts: LayeredOpts = {}): LayeredRun {
  const stdio = new BufferStdio(opts.stdin ?? "");
  const { argv, files, stdin: _stdin, ...kopts } = opts;
  const kernel = new Kernel({ dispatch: DISPATCH[k], stdio, maxInsns: 200_000_000, ...kopts });
  installLayers(kernel.vfs);
  for (const [p, c] of Object.entries(files ?? {})) kernel.vfs.writeFile(p, c, 0o755);
  kernel.spawn(image, argv ?? ["prog"], []);
  const r = kernel.run();
  return { ...r, stdout: stdio.stdout, stderr: stdio.stderr, kernel };
}
