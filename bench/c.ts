// C benchmark: examples/bench.c (sorting, matrix multiply, CRC-32) built with `kiln cc` as a
// layered p1 program and run in process on the kiln kernel under each kernel ABI. The printed
// checksum is checked; instruction counts are exact and deterministic, wall time and MIPS depend
// on the host. Run: node --import tsx bench/c.ts   (the lead wires runCBenchmarks into kiln bench)
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ccBuild, haveCrossCompiler, REPO } from "../impl/toolchain/cc.ts";
import { kernels, kernelVersions, programVersions } from "../generated/index.ts";
import { Kernel } from "../impl/kernel/kernel.ts";
import { BufferStdio } from "../impl/kernel/stdio.ts";
import { installLayers } from "../harness/install.ts";

export interface CBenchResult {
  name: string;
  instructions: number;
  seconds: number;
  mips: number;
}

const SCALE = 4;
/** What examples/bench.c prints at SCALE 4 (the same as a host build of the same source prints). */
const EXPECTED = "sort   921c04e9\nmatmul 296be555\ncrc32  774aee00\nchecksum ad532916\n";

export async function runCBenchmarks(): Promise<CBenchResult[]> {
  if (!haveCrossCompiler()) {
    console.error("bench/c.ts: riscv64-unknown-elf-gcc is not installed (Debian package gcc-riscv64-unknown-elf); C benchmark skipped");
    return [];
  }
  // The oldest program ABI, on every kernel ABI the spec defines.
  const abi = programVersions[0];
  const prog = ccBuild({ sources: [join(REPO, "examples/bench.c")], out: join(tmpdir(), `kiln-bench-c-${process.pid}`), abi, opt: "2" });
  const image = readFileSync(prog);
  const out: CBenchResult[] = [];
  for (const k of kernelVersions) {
    const stdio = new BufferStdio();
    const kernel = new Kernel({ dispatch: kernels[k]!, stdio });
    installLayers(kernel.vfs);
    kernel.spawn(image, ["bench", String(SCALE)], []);
    const t0 = performance.now();
    const r = kernel.run();
    const seconds = (performance.now() - t0) / 1000;
    const text = Buffer.concat(stdio.out).toString("utf8");
    if (r.status !== 0 || text !== EXPECTED) {
      throw new Error(`bench c (${k}): status ${r.status}, output ${JSON.stringify(text)} ${Buffer.concat(stdio.err).toString("utf8")}`);
    }
    out.push({ name: `C sort+matmul+crc x${SCALE} (${abi} on ${k})`, instructions: r.insns, seconds, mips: r.insns / seconds / 1e6 });
  }
  return out;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  for (const r of await runCBenchmarks()) {
    console.log(`${r.name.padEnd(40)} ${String(r.instructions).padStart(12)} instr  ${r.seconds.toFixed(3).padStart(7)} s  ${r.mips.toFixed(1).padStart(7)} MIPS`);
  }
}
