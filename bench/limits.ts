// Limits benchmark (`kiln bench --only limits`): one hostile guest per class of issue 12, each run
// in a fresh Node process so its resident memory is its own. Prints, per class, the host's peak
// RSS above a fresh process's (the fixed overhead, measured by the `idle` class), the wall time,
// the budget (--max-insns) and memory cap it ran under, how it ended, and whether its RSS stayed
// under spec/limits.md's bound: idle's RSS + the cap + RSS_SLACK.
// Run one class by hand: node --import tsx bench/limits.ts <class>
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, kernels, programs, programVersions } from "../generated/index.ts";

/** The hostile guests are raw programs with Linux's numbers: the programs' native kernel's. */
const native = kernels[programs[programVersions[0]!]!.nativeKernel]!;
import { assemble } from "../impl/asm/index.ts";
import { link } from "../impl/elf/link.ts";
import { Kernel } from "../impl/kernel/kernel.ts";
import { BufferStdio } from "../impl/kernel/stdio.ts";

const NR: Record<string, number> = Object.fromEntries(native.syscalls.map((r) => [r.id, r.nr]));
const sys = (id: string): string => `  li a7, ${NR[id]}\n  ecall\n`;
const MiB = 1024 * 1024;

const prog = (body: string, data = ""): Uint8Array =>
  link([assemble(`
  .text
  .globl _start
_start:
${body}
${sys("exit_group")}
  .data
${data}
`)]);

interface Case {
  name: string;
  what: string;
  maxInsns: number;
  memoryCap: number;
  image: () => Uint8Array;
}

const MMAP_1M = `
  li a0, 0
  li a1, 0x100000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys("mmap2")}`;

/** Writes a byte to every page of the 1 MiB at a0 (a hostile guest uses what it maps). */
const TOUCH_1M = `
  mv t1, a0
  li t2, 256
  li t3, 4096
7:
  sb t2, 0(t1)
  add t1, t1, t3
  addi t2, t2, -1
  bnez t2, 7b`;

export const CASES: Case[] = [
  { name: "idle", what: "exit at once (the fixed overhead)", maxInsns: 1_000_000, memoryCap: 64 * MiB, image: () => prog("  li a0, 0") },
  {
    name: "mmap-hog",
    what: "mmap 1 MiB and write it, until ENOMEM; unmap the lot, again",
    maxInsns: 50_000_000,
    memoryCap: 64 * MiB,
    image: () => prog(`
1:
  li s0, 0
2:
${MMAP_1M}
  li t0, -4096
  bgeu a0, t0, 3f
${TOUCH_1M}
  mv s0, a0
  j 2b
3:
  mv a0, s0         # the lowest mapping: the rest lie above it
  li a1, 0x7fff0000
  sub a1, a1, s0
${sys("munmap")}
  j 1b`),
  },
  {
    name: "brk-2g",
    what: "brk to near 2 GiB and back, mmap/munmap 512 MiB, in a loop",
    maxInsns: 20_000_000,
    memoryCap: 64 * MiB,
    image: () => prog(`
  li a0, 0
${sys("brk")}
  mv s0, a0
1:
  li a0, 0x7e000000
${sys("brk")}
  mv a0, s0
${sys("brk")}
  li a0, 0
  li a1, 0x20000000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys("mmap2")}
  li a1, 0x20000000
${sys("munmap")}
  j 1b`),
  },
  {
    name: "zombies",
    what: "20 children map and write 60 MiB each and exit, never reaped",
    maxInsns: 2_000_000_000,
    memoryCap: 64 * MiB,
    image: () => prog(`
  li s1, 20
1:
  li a0, 17
  li a1, 0
  li a2, 0
  li a3, 0
  li a4, 0
${sys("clone")}
  bnez a0, 2f
  li s2, 60
3:
${MMAP_1M}
${TOUCH_1M}
  addi s2, s2, -1
  bnez s2, 3b
  li a0, 0
${sys("exit")}
2:
  mv a1, a0
  li a0, 1          # P_PID, WEXITED | WNOWAIT: it stays a zombie
  la a2, info
  li a3, 0x1000004
  li a4, 0
${sys("waitid")}
  addi s1, s1, -1
  bnez s1, 1b
  li a0, 0`, "info: .space 128"),
  },
  {
    name: "sparse",
    what: "24 processes map a page every 4 MiB over 1.5 GiB (each a region's page tables), then spin",
    maxInsns: 100_000_000,
    memoryCap: 64 * MiB,
    image: () => prog(`
  li s1, 23
1:
  li a0, 17
  li a1, 0
  li a2, 0
  li a3, 0
  li a4, 0
${sys("clone")}
  beqz a0, 2f
  addi s1, s1, -1
  bnez s1, 1b
2:
  li s2, 384
  li s4, 0x10000000
3:
  mv a0, s4
  li a1, 4096
  li a2, 3
  li a3, 0x32       # MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED
  li a4, -1
  li a5, 0
${sys("mmap2")}
  li t0, 0x400000
  add s4, s4, t0
  addi s2, s2, -1
  bnez s2, 3b
4:
  j 4b`),
  },
  {
    name: "pipes",
    what: "120 pipes, each filled to 64 KiB in 16-byte writes",
    maxInsns: 400_000_000,
    memoryCap: 16 * MiB,
    image: () => prog(`
  li s1, 120
1:
  la a0, fds
  li a1, 0x800      # O_NONBLOCK
${sys("pipe2")}
  bnez a0, 9f
2:
  la t0, fds
  lw a0, 4(t0)
  la a1, buf
  li a2, 16
${sys("write")}
  bgtz a0, 2b
  li t0, -11
  bne a0, t0, 9f    # EAGAIN: full, next pipe; ENOMEM (the cap) ends
  addi s1, s1, -1
  bnez s1, 1b
9:
  li a0, 0`, "fds: .word 0, 0\nbuf: .space 16"),
  },
  {
    name: "files",
    what: "create, write 1 MiB, unlink, 300 times; then 1 MiB files until ENOSPC",
    maxInsns: 400_000_000,
    memoryCap: 64 * MiB,
    image: () => prog(`
${MMAP_1M}
  mv s3, a0
  li s1, 300
1:
  li a0, -100
  la a1, name
  li a2, 0101
  li a3, 0644
${sys("openat")}
  mv s2, a0
  mv a1, s3
  li a2, 0x100000
${sys("write")}
  mv a0, s2
${sys("close")}
  li a0, -100
  la a1, name
  li a2, 0
${sys("unlinkat")}
  addi s1, s1, -1
  bnez s1, 1b
2:
  la t0, name
  lbu t1, 1(t0)
  addi t1, t1, 1
  sb t1, 1(t0)
  li a0, -100
  la a1, name
  li a2, 0101
  li a3, 0644
${sys("openat")}
  bltz a0, 3f
  mv a1, s3
  li a2, 0x100000
${sys("write")}
  bgtz a0, 2b
3:
  li a0, 0`, 'name: .asciz "/A"'),
  },
  {
    name: "dirs",
    what: "mkdir with 255-byte names until ENOSPC",
    maxInsns: 2_000_000_000,
    memoryCap: 16 * MiB,
    image: () => prog(`
1:
  la t0, name
  li t2, 0
2:
  add t3, t0, t2
  lbu t1, 0(t3)
  addi t1, t1, 1
  li t4, 0x7b
  bltu t1, t4, 3f
  li t1, 0x61
  sb t1, 0(t3)
  addi t2, t2, 1
  j 2b
3:
  sb t1, 0(t3)
  li a0, -100
  la a1, name
  li a2, 0755
${sys("mkdirat")}
  bgez a0, 1b
  li a0, 0`, `name: .asciz "${"a".repeat(255)}"`),
  },
  {
    name: "nanosleep",
    what: "sleep 1 s in a loop",
    maxInsns: 100_000_000,
    memoryCap: 64 * MiB,
    image: () => prog(`
1:
  li a0, 1
  li a1, 0
  la a2, req
  li a3, 0
${sys("clock_nanosleep_time64")}
  j 1b`, "req: .word 1, 0, 0, 0"),
  },
  {
    name: "getpid",
    what: "getpid in a loop (a trap's cost)",
    maxInsns: 100_000_000,
    memoryCap: 64 * MiB,
    image: () => prog(`
1:
${sys("getpid")}
  j 1b`),
  },
  {
    name: "spin",
    what: "a tight loop (an instruction's cost)",
    maxInsns: 100_000_000,
    memoryCap: 64 * MiB,
    image: () => prog(`
1:
  addi t0, t0, 1
  j 1b`),
  },
];

export interface LimitsRow {
  name: string;
  what: string;
  capMiB: number;
  maxInsns: number;
  rssMiB: number;
  seconds: number;
  insns: number;
  hostWork: number;
  outcome: string;
}

function runCase(c: Case): LimitsRow {
  const image = c.image();
  const t0 = performance.now();
  const k = new Kernel({ dispatch: native, stdio: new BufferStdio(), maxInsns: c.maxInsns, memoryCap: c.memoryCap });
  k.spawn(image, [c.name]);
  const r = k.run();
  const seconds = (performance.now() - t0) / 1000;
  const o = r.outcome;
  return {
    name: c.name,
    what: c.what,
    capMiB: c.memoryCap / MiB,
    maxInsns: c.maxInsns,
    rssMiB: process.resourceUsage().maxRSS / 1024,
    seconds,
    insns: r.insns,
    hostWork: r.hostWork,
    outcome: o.kind === "exited" ? `exit ${o.code}` : o.kind === "signaled" ? `signal ${o.signal}` : `${o.reason} (${r.status})`,
  };
}

export interface Judged extends LimitsRow {
  /** idle's RSS + cap + RSS_SLACK (spec/limits.md), MiB. */
  boundMiB: number;
  pass: boolean;
}

/** Each row against the bound of spec/limits.md, with the `idle` row as the process at rest. */
export function judge(rows: readonly LimitsRow[]): Judged[] {
  const idle = rows.find((r) => r.name === "idle")?.rssMiB ?? 0;
  const slack = constants.limits.RSS_SLACK / MiB;
  return rows.map((r) => {
    const boundMiB = idle + r.capMiB + slack;
    return { ...r, boundMiB, pass: r.rssMiB <= boundMiB };
  });
}

/** Runs every class in its own process; RSS is the peak resident size of that process. */
export function runLimitsBenchmarks(): LimitsRow[] {
  const self = fileURLToPath(import.meta.url);
  return CASES.map((c) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", self, c.name], { encoding: "utf8", maxBuffer: 1 << 20, cwd: join(dirname(self), "..") });
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.status !== 0 || !line.startsWith("{")) throw new Error(`limits bench ${c.name}: ${r.stderr.trim() || line}`);
    return JSON.parse(line) as LimitsRow;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const name = process.argv[2];
  const c = CASES.find((x) => x.name === name);
  if (!c) {
    console.error(`usage: node --import tsx bench/limits.ts <${CASES.map((x) => x.name).join("|")}>`);
    process.exit(2);
  }
  console.log(JSON.stringify(runCase(c)));
}
