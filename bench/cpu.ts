// CPU benchmarks: CPU-bound guest workloads written in assembly, run on kiln's RV32IMA CPU.
// Run: node --import tsx bench/cpu.ts
// Each workload checks its result; a wrong answer throws instead of printing a figure.
// Instruction counts are exact and deterministic; wall time and MIPS depend on the host.

import { assemble } from "../impl/asm/assembler.ts";
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
    const t0 = performance.now();
    let exit;
    do exit = cpu.run(100_000_000);
    while (exit.kind === "budget");
    const seconds = (performance.now() - t0) / 1000;
    if (exit.kind !== "ecall") throw new Error(`bench ${w.name}: unexpected exit ${JSON.stringify(exit)}`);
    if (cpu.regs[10] !== (w.expect | 0)) throw new Error(`bench ${w.name}: wrong result ${cpu.regs[10]}, expected ${w.expect | 0}`);
    out.push({ name: w.name, instructions: cpu.instret, seconds, mips: cpu.instret / seconds / 1e6 });
  }
  return out;
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
}
