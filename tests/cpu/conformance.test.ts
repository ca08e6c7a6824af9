// Conformance programs in the style of the upstream RISC-V architecture tests (rv32ui, rv32um,
// rv32ua, rv32uc; tests/cpu/conformance/*.S, written for kiln): static Linux user-mode programs
// built with the cross compiler, each run in process on the k1 kernel; pass = exit status 0, a
// failing case exits with its number. Every rv32i/m/a program is built twice, without and with the
// C extension (the assembler then compresses what it can, and the ELF carries the RVC flag).
// Where qemu-riscv32 (Debian's qemu-user) is installed, the same binaries, and random programs of
// integer and compressed instructions, also run under qemu, and output and exit status must agree.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernels } from "../../generated/index.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { buildC, C_DIR, haveCrossCompiler } from "../c/build.ts";
import { prng } from "./helpers.ts";

const DIR = join(C_DIR, "..", "cpu", "conformance");
const HEADER_HASH = createHash("sha256").update(readFileSync(join(DIR, "test.h"))).digest("hex").slice(0, 12);
const haveCc = haveCrossCompiler();

function haveQemu(): boolean {
  try {
    execFileSync("qemu-riscv32", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const qemu = haveCc && haveQemu();

interface Prog {
  name: string;
  src: string;
  march: string;
  extra: string[];
}

const PROGRAMS: Prog[] = [];
for (const src of ["rv32ui-alu.S", "rv32ui-mem.S", "rv32ui-ctrl.S", "rv32ui-fence_i.S", "rv32um.S", "rv32ua.S", "rv32uc.S"]) {
  // fence_i rewrites its own code: linked with -N, text is writable (one RWX segment).
  const extra = src.includes("fence_i") ? ["-Wl,-N"] : [];
  for (const march of src === "rv32uc.S" ? ["rv32imac"] : ["rv32ima", "rv32imac"]) PROGRAMS.push({ name: `${src.replace(/\.S$/, "")}/${march}`, src, march, extra });
}

function build(p: Prog, defs: string[] = []): string {
  const flags = [`-march=${p.march}_zicsr_zifencei`, "-mabi=ilp32", "-nostdlib", "-static", "-Wl,--no-relax", `-I${DIR}`, `-DKILN_TEST_H=${HEADER_HASH}`, ...defs, ...p.extra];
  return buildC([join(DIR, p.src)], `${p.name.replace("/", "-")}${defs.join("").replace(/[^A-Za-z0-9]/g, "_")}`, flags);
}

/** Run a static program in process on k1: exit status and output. */
function onKiln(path: string): { status: number; out: string } {
  const stdio = new BufferStdio();
  const kernel = new Kernel({ dispatch: kernels["k1"]!, stdio });
  kernel.spawn(readFileSync(path), [path], []);
  const r = kernel.run();
  return { status: r.status, out: Buffer.concat(stdio.out).toString("latin1") };
}

function onQemu(path: string): { status: number; out: string } {
  const r = spawnSync("qemu-riscv32", [path], { encoding: "latin1", timeout: 20_000 });
  return { status: r.status ?? 128 + 9, out: r.stdout };
}

describe.skipIf(!haveCc)("conformance programs on k1", () => {
  for (const p of PROGRAMS) {
    it(`${p.name} passes`, () => {
      const bin = build(p);
      const elf = readFileSync(bin);
      expect(elf.readUInt32LE(0x24) & 1).toBe(p.march.endsWith("c") ? 1 : 0); // e_flags RVC bit
      expect(onKiln(bin)).toMatchObject({ status: 0 });
    });
  }

  it("a failing case is reported: its number is the exit status", () => {
    for (const [p, n] of [[PROGRAMS[0]!, 17], [PROGRAMS.find((q) => q.src === "rv32uc.S")!, 24]] as const) {
      const bin = build(p, [`-DKILN_BREAK_CASE=${n}`]);
      expect(onKiln(bin).status).toBe(n);
      if (qemu) expect(onQemu(bin).status).toBe(n);
    }
  });
});

/** A random program: integer, M and compressed instructions, loads/stores to a buffer, forward branches; prints every register. */
function randomProgram(seed: number, n: number): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  // x2 (sp), x3 (gp), x4 (tp) are left alone; s11 (x27) holds the buffer address.
  const regs = [1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31].map((i) => `x${i}`);
  const cregs = ["s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5"];
  const nzregs = regs.filter((x) => x !== "x0");
  const imm = (lo: number, hi: number) => lo + (r() % (hi - lo + 1));
  const lines: string[] = [".option rvc", ".text", ".globl _start", "_start:", "  la s11, buf"];
  for (const x of regs) lines.push(`  li ${x}, ${r() | 0}`);
  let label = 0;
  for (let i = 0; i < n; i++) {
    const k = r() % 10;
    if (k < 3) lines.push(`  ${pick(["add", "sub", "sll", "srl", "sra", "slt", "sltu", "xor", "or", "and", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"])} ${pick(regs)}, ${pick(regs)}, ${pick(regs)}`);
    else if (k < 5) {
      const op = pick(["addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai", "lui"]);
      if (op === "lui") lines.push(`  lui ${pick(regs)}, ${imm(0, 0xfffff)}`);
      else if (op === "slli" || op === "srli" || op === "srai") lines.push(`  ${op} ${pick(regs)}, ${pick(regs)}, ${imm(0, 31)}`);
      else lines.push(`  ${op} ${pick(regs)}, ${pick(regs)}, ${imm(-2048, 2047)}`);
    } else if (k < 8) {
      const op = pick(["c.addi", "c.li", "c.lui", "c.slli", "c.srli", "c.srai", "c.andi", "c.sub", "c.xor", "c.or", "c.and", "c.mv", "c.add"]);
      switch (op) {
        case "c.addi": lines.push(`  c.addi ${pick(nzregs)}, ${pick([imm(-32, -1), imm(1, 31)])}`); break;
        case "c.li": lines.push(`  c.li ${pick(nzregs)}, ${imm(-32, 31)}`); break;
        case "c.lui": lines.push(`  c.lui ${pick(nzregs)}, ${pick([imm(1, 31), imm(0xfffe0, 0xfffff)])}`); break;
        case "c.slli": lines.push(`  c.slli ${pick(nzregs)}, ${imm(1, 31)}`); break;
        case "c.srli": case "c.srai": lines.push(`  ${op} ${pick(cregs)}, ${imm(1, 31)}`); break;
        case "c.andi": lines.push(`  c.andi ${pick(cregs)}, ${imm(-32, 31)}`); break;
        case "c.mv": case "c.add": lines.push(`  ${op} ${pick(nzregs)}, ${pick(nzregs)}`); break;
        default: lines.push(`  ${op} ${pick(cregs)}, ${pick(cregs)}`);
      }
    } else if (k < 9) {
      const off = imm(0, 60) * 4;
      if (r() % 2) lines.push(`  sw ${pick(regs)}, ${off}(s11)`);
      else lines.push(`  ${pick(["lw", "lh", "lhu", "lb", "lbu"])} ${pick(regs)}, ${off + (r() % 4 === 0 ? 1 : 0)}(s11)`);
    } else {
      label++;
      lines.push(`  ${pick(["beq", "bne", "blt", "bge", "bltu", "bgeu"])} ${pick(regs)}, ${pick(regs)}, 9${label}f`);
      lines.push(`  c.addi a0, 1`, `  xor a1, a1, a2`);
      lines.push(`9${label}:`);
    }
  }
  // dump x0..x31 (sp, gp, tp as 0), then the buffer
  lines.push("  la s11, dump");
  for (let i = 0; i < 32; i++) if (![2, 3, 4, 27].includes(i)) lines.push(`  sw x${i}, ${i * 4}(s11)`);
  lines.push("  li a0, 1", "  la a1, dump", "  li a2, 384", "  li a7, 64", "  ecall", "  li a0, 0", "  li a7, 93", "  ecall");
  lines.push(".data", ".align 4", "dump: .zero 128", "buf:");
  for (let i = 0; i < 64; i++) lines.push(`  .word ${r() | 0}`);
  return lines.join("\n") + "\n";
}

describe.skipIf(!qemu)("differential: kiln k1 against qemu-riscv32 (same binaries)", () => {
  for (const p of PROGRAMS) {
    it(`${p.name}: same output and status`, () => {
      const bin = build(p);
      expect(onKiln(bin)).toEqual(onQemu(bin));
    });
  }

  const COUNT = Number(process.env["KILN_DIFF_PROGRAMS"] ?? 6);
  it(`${COUNT} random integer/compressed programs print the same registers and memory`, () => {
    const dir = join(tmpdir(), "kiln-diff-programs");
    mkdirSync(dir, { recursive: true });
    for (let s = 1; s <= COUNT; s++) {
      const src = join(dir, `rand-${s}.S`);
      writeFileSync(src, randomProgram(s * 7717, 400));
      const bin = buildC([src], `rand-${s}`, ["-march=rv32imac", "-mabi=ilp32", "-nostdlib", "-static", "-Wl,--no-relax"]);
      const k = onKiln(bin);
      expect(k.status).toBe(0);
      expect(k.out.length).toBe(384);
      expect(k).toEqual(onQemu(bin));
    }
  });
});

describe.skipIf(!haveCc)("kiln cc --rvc", () => {
  it("builds a layered program with compressed instructions that runs on every kernel ABI like the rv32ima build", async () => {
    const { ccBuild } = await import("../../impl/toolchain/cc.ts");
    const { installLayers } = await import("../../harness/install.ts");
    const { disassemble, instructionLength } = await import("../../impl/asm/disasm.ts");
    const out = (rvc: boolean) => join(tmpdir(), `kiln-cc-rvc-${process.pid}-${rvc ? "c" : "i"}`);
    const src = join(C_DIR, "..", "..", "examples", "hello.c");
    const runOn = (path: string, k: string) => {
      const stdio = new BufferStdio();
      const kernel = new Kernel({ dispatch: kernels[k]!, stdio });
      installLayers(kernel.vfs);
      kernel.spawn(readFileSync(path), ["hello", "from", "rvc"], []);
      const r = kernel.run();
      return { status: r.status, out: Buffer.concat(stdio.out).toString("utf8") };
    };
    const withC = ccBuild({ sources: [src], out: out(true), abi: "p1", rvc: true });
    const without = ccBuild({ sources: [src], out: out(false), abi: "p1" });
    const elf = readFileSync(withC);
    expect(elf.readUInt32LE(0x24) & 1).toBe(1);
    expect(readFileSync(without).readUInt32LE(0x24) & 1).toBe(0);
    // the text holds compressed instructions: some halfword of the file is a legal c.* form the rv32ima build lacks
    const count = (buf: Buffer) => {
      let n = 0;
      for (let i = 0; i + 2 <= buf.length; i += 2) if (instructionLength(buf.readUInt16LE(i)) === 2 && disassemble(buf.readUInt16LE(i)).startsWith("c.j")) n++;
      return n;
    };
    expect(count(elf)).toBeGreaterThan(0);
    for (const k of Object.keys(kernels)) {
      const a = runOn(withC, k);
      expect(a.status, k).toBe(0);
      expect(a).toEqual(runOn(without, k));
    }
  });
});
