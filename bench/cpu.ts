// CPU benchmarks: CPU-bound guest workloads written in assembly, run on kiln's CPU; and a
// CoreMark-style C workload (bench/coremark.c) run on kiln k1 and, side by side, on qemu-riscv32.
// Run: node --import tsx bench/cpu.ts
// Each workload checks its result; a wrong answer throws instead of printing a figure.
// Instruction counts are exact and deterministic; CPU time and MIPS depend on the host.

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernels, programs, programVersions } from "../generated/index.ts";
import { assemble } from "../impl/asm/assembler.ts";
import { Kernel } from "../impl/kernel/kernel.ts";
import { BufferStdio } from "../impl/kernel/stdio.ts";
import { loadFlat } from "../impl/asm/flat.ts";
import { Cpu } from "../impl/cpu/cpu.ts";
import { PERM_R, PERM_W } from "../impl/cpu/memory.ts";

export interface CpuBenchResult {
  name: string;
  instructions: number;
  seconds: number;
  mips: number;
}

interface Workload {
  name: string;
  src: string;
  /** Expected a0 at the final ecall. */
  expect: number;
}

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function intLoopRef(n: number): number {
  let a = 0;
  let b = 1;
  for (let i = n; i > 0; i--) {
    a = (a + (b ^ i)) | 0;
    b = (Math.imul(b, 5) + 3) | 0;
    a = a ^ (a >>> 3);
  }
  return a;
}

function divRef(n: number): number {
  let acc = 0;
  for (let i = 1; i <= n; i++) {
    const x = (Math.imul(i, 2654435761) >>> 0) | 0;
    acc = (acc + ((x / i) | 0) + ((x >>> 0) % i)) | 0;
  }
  return acc;
}

function copyRef(words: number, rounds: number): number {
  // checksum of dst after `rounds` copies of src[i] = i*3 (last round copies the same data)
  let s = 0;
  for (let i = 0; i < words; i++) s = (s + Math.imul(i, 3)) | 0;
  return (s + rounds) | 0;
}

const INT_N = 50_000_000;
const FIB_N = 32;
const DIV_N = 10_000_000;
const COPY_WORDS = 16384; // 64 KiB
const COPY_ROUNDS = 4000;

const WORKLOADS: Workload[] = [
  {
    name: "integer loop",
    expect: intLoopRef(INT_N),
    src: `
      li a0, 0
      li a1, 1
      li t0, ${INT_N}
    1: xor t1, a1, t0
      add a0, a0, t1
      slli t2, a1, 2
      add a1, a1, t2
      addi a1, a1, 3
      srli t3, a0, 3
      xor a0, a0, t3
      addi t0, t0, -1
      bnez t0, 1b
      ecall`,
  },
  {
    name: "memory copy (64 KiB x 4000)",
    expect: copyRef(COPY_WORDS, COPY_ROUNDS),
    src: `
      la s0, src
      li t0, 0
      li t1, ${COPY_WORDS}
      mv t2, s0
    1: slli t3, t0, 1
      add t3, t3, t0
      sw t3, 0(t2)
      addi t2, t2, 4
      addi t0, t0, 1
      bne t0, t1, 1b
      li s2, ${COPY_ROUNDS}
    2: la a1, src
      la a2, dst
      li a3, ${COPY_WORDS / 4}
    3: lw t0, 0(a1)
      lw t1, 4(a1)
      lw t2, 8(a1)
      lw t3, 12(a1)
      sw t0, 0(a2)
      sw t1, 4(a2)
      sw t2, 8(a2)
      sw t3, 12(a2)
      addi a1, a1, 16
      addi a2, a2, 16
      addi a3, a3, -1
      bnez a3, 3b
      addi s2, s2, -1
      bnez s2, 2b
      la a1, dst
      li a3, ${COPY_WORDS}
      li a0, ${COPY_ROUNDS}
    4: lw t0, 0(a1)
      add a0, a0, t0
      addi a1, a1, 4
      addi a3, a3, -1
      bnez a3, 4b
      ecall
      .bss
    src: .zero ${COPY_WORDS * 4}
    dst: .zero ${COPY_WORDS * 4}`,
  },
  {
    name: `recursive fib(${FIB_N})`,
    expect: fib(FIB_N),
    src: `
      li a0, ${FIB_N}
      call fib
      ecall
    fib:
      li t0, 2
      blt a0, t0, 9f
      addi sp, sp, -16
      sw ra, 12(sp)
      sw s0, 8(sp)
      sw a0, 4(sp)
      addi a0, a0, -1
      call fib
      mv s0, a0
      lw a0, 4(sp)
      addi a0, a0, -2
      call fib
      add a0, a0, s0
      lw s0, 8(sp)
      lw ra, 12(sp)
      addi sp, sp, 16
    9: ret`,
  },
  {
    name: "division loop",
    expect: divRef(DIV_N),
    src: `
      li a0, 0
      li t0, 1
      li t1, ${DIV_N}
      li t2, 2654435761
    1: mul t3, t0, t2
      div t4, t3, t0
      remu t5, t3, t0
      add a0, a0, t4
      add a0, a0, t5
      addi t0, t0, 1
      ble t0, t1, 1b
      ecall`,
  },
];

export async function runCpuBenchmarks(): Promise<CpuBenchResult[]> {
  const out: CpuBenchResult[] = [];
  for (const w of WORKLOADS) {
    const img = loadFlat(assemble(w.src, { file: `bench:${w.name}` }));
    img.mem.map(0x7ff00000, 0x100000, PERM_R | PERM_W);
    const cpu = new Cpu(img.mem);
    cpu.pc = img.entry;
    cpu.regs[2] = 0x80000000 | 0;
    const c0 = process.cpuUsage(); // CPU time, not wall time: other load on the machine skews wall time
    let exit;
    do exit = cpu.run(100_000_000);
    while (exit.kind === "budget");
    const cu = process.cpuUsage(c0);
    const seconds = (cu.user + cu.system) / 1e6;
    if (exit.kind !== "ecall") throw new Error(`bench ${w.name}: unexpected exit ${JSON.stringify(exit)}`);
    if (cpu.regs[10] !== (w.expect | 0)) throw new Error(`bench ${w.name}: wrong result ${cpu.regs[10]}, expected ${w.expect | 0}`);
    out.push({ name: w.name, instructions: cpu.instret, seconds, mips: cpu.instret / seconds / 1e6 });
  }
  return out;
}

// ---------------------------------------------------------------- kiln against qemu-riscv32

/** One workload measured on kiln (in process, k1) and, when installed, on qemu-riscv32. */
export interface QemuCompareResult {
  name: string;
  /** Guest instructions of the long run minus the short run (exact, from kiln). */
  instructions: number;
  /** CPU seconds (user + system) of the long run minus the short run. */
  kilnSeconds: number;
  kilnMips: number;
  /** null when qemu-riscv32 is not installed. */
  qemuSeconds: number | null;
  qemuMips: number | null;
  /** kiln speed / qemu speed (qemu CPU time / kiln CPU time); null without qemu. */
  ratio: number | null;
}

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const CC = process.env["KILN_CC"] ?? "riscv64-unknown-elf-gcc";

function tool(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Build a raw (no SDK) static program from bench/<src> for `march`, cached by a hash of source and flags. */
function buildRaw(src: string, march: string): string {
  const flags = [`-march=${march}`, "-mabi=ilp32", "-O2", "-static", "-nostdlib", "-ffreestanding", "-fno-builtin"];
  const path = join(BENCH_DIR, src);
  const key = createHash("sha256").update(flags.join(" ")).update("\0").update(readFileSync(path)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "kiln-bench-raw");
  const out = join(dir, `${src.replace(/\.c$/, "")}-${march}-${key}`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  execFileSync(CC, [...flags, path, "-o", tmp], { stdio: ["ignore", "pipe", "pipe"] });
  renameSync(tmp, out);
  return out;
}

function kilnRun(image: Uint8Array, iters: number): { insns: number; seconds: number; out: string } {
  const stdio = new BufferStdio();
  // A raw Linux program: it runs on the kernel whose numbers are Linux's, the programs' native kernel.
  const kernel = new Kernel({ dispatch: kernels[programs[programVersions[0]!]!.nativeKernel]!, stdio });
  kernel.spawn(image, ["coremark", String(iters)], []);
  const c0 = process.cpuUsage();
  const r = kernel.run();
  const c = process.cpuUsage(c0);
  const out = Buffer.concat(stdio.out).toString("utf8");
  if (r.status !== 0) throw new Error(`bench coremark on kiln: status ${r.status}, output ${JSON.stringify(out)}`);
  return { insns: r.insns, seconds: (c.user + c.system) / 1e6, out };
}

/** CPU seconds of the child (bash's `times`), and its output. */
function qemuRun(path: string, iters: number): { seconds: number; out: string } {
  const r = spawnSync("bash", ["-c", `qemu-riscv32 "$0" "$1" > "$2.out"; s=$?; times; exit $s`, path, String(iters), `${path}-${process.pid}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench coremark on qemu-riscv32: status ${r.status} ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  const sec = (t: string): number => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  const [u, sy] = lines[lines.length - 1]!.trim().split(/\s+/);
  const out = readFileSync(`${path}-${process.pid}.out`, "utf8");
  return { seconds: sec(u!) + sec(sy!), out };
}

/**
 * bench/coremark.c (list processing, matrix operations, a state machine, CRC) built raw for
 * rv32ima and rv32imac, run for `short` and `long` iterations on kiln k1 (in process) and under
 * qemu-riscv32; the difference of the two runs cancels start-up (kiln's runs follow an untimed
 * warm-up run, so compiling is not part of either). Scale with KILN_BENCH_ITERS
 * (the long run's iterations; default 12000, the short run is a tenth).
 */
export function runQemuComparison(): QemuCompareResult[] {
  if (!tool(CC, ["--version"])) {
    console.error(`bench: ${CC} is not installed (Debian package gcc-riscv64-unknown-elf); the coremark comparison is skipped`);
    return [];
  }
  const haveQemu = tool("qemu-riscv32", ["-version"]);
  if (!haveQemu) console.error("bench: qemu-riscv32 is not installed (Debian package qemu-user): kiln figures only");
  const long = Math.max(10, Number(process.env["KILN_BENCH_ITERS"] ?? 12000));
  const short = Math.max(1, Math.floor(long / 10));
  const out: QemuCompareResult[] = [];
  for (const march of ["rv32ima", "rv32imac"]) {
    const path = buildRaw("coremark.c", march);
    const image = readFileSync(path);
    // An untimed warm-up run first, as long as the long one: compiled regions are shared across
    // runs (keyed by their code), so without it the short run alone would pay compiling and the
    // difference would flatter kiln, and a shorter one leaves V8 optimizing hot regions during
    // the long run. Both timed runs start warm: the figure is the steady speed.
    kilnRun(image, long);
    const ks = kilnRun(image, short);
    const kl = kilnRun(image, long);
    const insns = kl.insns - ks.insns;
    const kilnSeconds = Math.max(1e-6, kl.seconds - ks.seconds);
    let qemuSeconds: number | null = null;
    if (haveQemu) {
      const qs = qemuRun(path, short);
      const ql = qemuRun(path, long);
      if (ql.out !== kl.out || qs.out !== ks.out) throw new Error(`bench coremark: kiln and qemu disagree: ${JSON.stringify([kl.out, ql.out])}`);
      qemuSeconds = Math.max(1e-6, ql.seconds - qs.seconds);
    }
    out.push({
      name: `coremark-style ${march} (${short}..${long} it.)`,
      instructions: insns,
      kilnSeconds,
      kilnMips: insns / kilnSeconds / 1e6,
      qemuSeconds,
      qemuMips: qemuSeconds === null ? null : insns / qemuSeconds / 1e6,
      ratio: qemuSeconds === null ? null : qemuSeconds / kilnSeconds,
    });
  }
  return out;
}

/** The comparison as printed lines. */
export function formatQemuComparison(rows: readonly QemuCompareResult[]): string[] {
  return rows.map((r) => {
    const k = `${String(r.instructions).padStart(12)} instructions  kiln ${r.kilnSeconds.toFixed(3).padStart(7)} s CPU ${r.kilnMips.toFixed(0).padStart(5)} MIPS`;
    const q = r.qemuSeconds === null ? "  qemu-riscv32: not installed" : `  qemu ${r.qemuSeconds.toFixed(3).padStart(7)} s CPU ${r.qemuMips!.toFixed(0).padStart(5)} MIPS  kiln/qemu ${r.ratio!.toFixed(3)}x`;
    return `  ${r.name.padEnd(40)} ${k}${q}`;
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const res = await runCpuBenchmarks();
  let ti = 0;
  let ts = 0;
  for (const r of res) {
    ti += r.instructions;
    ts += r.seconds;
    console.log(`${r.name.padEnd(30)} ${String(r.instructions).padStart(12)} instr  ${r.seconds.toFixed(3).padStart(7)} s  ${r.mips.toFixed(1).padStart(7)} MIPS`);
  }
  console.log(`${"total".padEnd(30)} ${String(ti).padStart(12)} instr  ${ts.toFixed(3).padStart(7)} s  ${(ti / ts / 1e6).toFixed(1).padStart(7)} MIPS`);
  for (const l of formatQemuComparison(runQemuComparison())) console.log(l);
}
