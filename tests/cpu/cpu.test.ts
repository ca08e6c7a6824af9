import { describe, expect, it } from "vitest";
import { run, load, STACK_TOP } from "./helpers.ts";
import { Cpu } from "../../impl/cpu/cpu.ts";
import { Memory, PERM_R, PERM_W, PERM_X } from "../../impl/cpu/memory.ts";
import { encodeInstruction } from "../../impl/asm/assembler.ts";

const INT_MIN = -2147483648;

describe.each([
  ["jit", true],
  ["interpreter", false],
])("CPU (%s)", (_name, jit) => {
  const go = (src: string, budget?: number) => run(src, budget === undefined ? { jit } : { jit, budget });
  const regs = (src: string) => {
    const r = go(src);
    expect(r.exit).toEqual({ kind: "ecall" });
    return r.cpu.regs;
  };

  it("division and remainder by zero and INT_MIN / -1 follow the ISA manual", () => {
    const r = regs(`
      li t0, 7
      li t1, 0
      div a0, t0, t1
      divu a1, t0, t1
      rem a2, t0, t1
      remu a3, t0, t1
      li t2, 0x80000000
      li t3, -1
      div a4, t2, t3
      rem a5, t2, t3
      li t4, -7
      li t5, 2
      div a6, t4, t5
      rem a7, t4, t5
      divu s2, t4, t5
      remu s3, t4, t5
      ecall`);
    expect([r[10], r[11], r[12], r[13]]).toEqual([-1, -1, 7, 7]);
    expect([r[14], r[15]]).toEqual([INT_MIN, 0]);
    expect([r[16], r[17]]).toEqual([-3, -1]);
    expect([r[18]! >>> 0, r[19]]).toEqual([Math.floor(0xfffffff9 / 2), 1]);
  });

  it("shift amounts are masked to 5 bits", () => {
    const r = regs(`
      li t0, 0x80000001
      li t1, 33
      sll a0, t0, t1
      srl a1, t0, t1
      sra a2, t0, t1
      li t1, -1
      sll a3, t0, t1
      srli a4, t0, 31
      srai a5, t0, 31
      ecall`);
    expect(r[10]).toBe(2);
    expect(r[11]).toBe(0x40000000);
    expect(r[12]).toBe(0xc0000000 | 0);
    expect(r[13]).toBe(INT_MIN);
    expect(r[14]).toBe(1);
    expect(r[15]).toBe(-1);
  });

  it("lb/lh sign-extend, lbu/lhu zero-extend", () => {
    const r = regs(`
      la t0, d
      lb a0, 0(t0)
      lbu a1, 0(t0)
      lh a2, 0(t0)
      lhu a3, 0(t0)
      lb a4, 1(t0)
      lh a5, 2(t0)
      lw a6, 0(t0)
      ecall
      .data
    d: .byte 0x80, 0x7f, 0xff, 0x7f`);
    expect([r[10], r[11], r[12], r[13], r[14], r[15]]).toEqual([-128, 0x80, 0x7f80, 0x7f80, 127, 0x7fff]);
    expect(r[16]).toBe(0x7fff7f80);
    const r2 = regs(`
      la t0, d
      lh a0, 0(t0)
      lhu a1, 0(t0)
      ecall
      .data
    d: .half 0x8001`);
    expect([r2[10], r2[11]]).toEqual([-32767, 0x8001]);
  });

  it("x0 is hard-wired to zero", () => {
    const r = regs(`
      addi x0, x0, 5
      la t0, d
      lw zero, 0(t0)
      lui x0, 0x12345
      add a0, x0, x0
      addi a1, zero, 0
      jal x0, 1f
    1: mv a2, zero
      ecall
      .data
    d: .word 99`);
    expect(r[0]).toBe(0);
    expect([r[10], r[11], r[12]]).toEqual([0, 0, 0]);
  });

  it("jalr clears bit 0 of the target and links pc+4 (also when rd == rs1)", () => {
    const r = go(`
      la t0, target
      addi t0, t0, 1
      jalr ra, 0(t0)
      li a0, 111
      ecall
    target:
      mv a1, ra
      la t1, t2_
      jalr t1, 0(t1)
      ecall
    t2_:
      mv a2, t1
      ecall`);
    expect(r.exit).toEqual({ kind: "ecall" });
    expect(r.cpu.regs[10]).toBe(0);
    expect(r.cpu.regs[11]).toBe(r.img.entry + 16);
    expect(r.cpu.regs[12]).toBe(r.sym("t2_") - 4);
  });

  it("jump targets need only 2-byte alignment (C): jalr clears bit 0, and a halfword target executes", () => {
    const r = go(`
      la t0, 1f
      addi t0, t0, 3
      jalr ra, 0(t0)
    1: .half 0x0001
      c.li a0, 9
      ecall`);
    expect(r.exit).toEqual({ kind: "ecall" });
    expect(r.cpu.instret).toBe(6);
    expect(r.cpu.regs[10]).toBe(9);
    expect(r.cpu.regs[1]).toBe(r.img.entry + 16);
  });

  it("branches: every condition, taken and not, signed and unsigned", () => {
    const r = regs(`
      li s0, 0
      li t0, -1
      li t1, 1
      beq t0, t0, 1f
      ori s0, s0, 1
    1: bne t0, t1, 1f
      ori s0, s0, 2
    1: blt t0, t1, 1f
      ori s0, s0, 4
    1: bge t1, t0, 1f
      ori s0, s0, 8
    1: bltu t1, t0, 1f
      ori s0, s0, 16
    1: bgeu t0, t1, 1f
      ori s0, s0, 32
    1: beq t0, t1, 1f
      ori s0, s0, 64
    1: bne t0, t0, 1f
      ori s0, s0, 128
    1: blt t1, t0, 1f
      ori s0, s0, 256
    1: bge t0, t1, 1f
      ori s0, s0, 512
    1: bltu t0, t1, 1f
      ori s0, s0, 1024
    1: bgeu t1, t0, 1f
      li s5, 1
    1: bgt t1, t0, 1f
      li s6, 1
    1: ble t1, t0, 1f
      li s1, 1
    1: bgtz t1, 1f
      li s2, 1
    1: blez t0, 1f
      li s3, 1
    1: bltz t1, 1f
      li s4, 1
    1: ecall`);
    expect(r[8]).toBe(64 | 128 | 256 | 512 | 1024);
    expect([r[21], r[22]]).toEqual([1, 0]);
    expect([r[9], r[18], r[19], r[20]]).toEqual([1, 0, 0, 1]);
  });

  it("jal/call/ret: link register and targets; backward loops", () => {
    const r = regs(`
      li a0, 10
      call fib
      mv s1, a0
      li a0, 0
      li t0, 1000
    2: addi a0, a0, 3
      addi t0, t0, -1
      bnez t0, 2b
      ecall
    fib:            # recursive fib(a0)
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
    9: ret`);
    expect(r[9]).toBe(55);
    expect(r[10]).toBe(3000);
    expect(r[2]).toBe(STACK_TOP);
  });

  it("ecall and ebreak retire and leave pc at the instruction", () => {
    const r = go(`
      nop
      nop
      ecall
      ebreak`);
    expect(r.exit).toEqual({ kind: "ecall" });
    expect(r.cpu.pc).toBe(r.img.entry + 8);
    expect(r.cpu.instret).toBe(3);
    r.cpu.pc += 4;
    expect(r.cpu.run(100)).toEqual({ kind: "ebreak" });
    expect(r.cpu.pc).toBe(r.img.entry + 12);
    expect(r.cpu.instret).toBe(4);
  });

  describe("LR/SC", () => {
    it("SC without a reservation fails and does not store", () => {
      const r = regs(`
        la t0, w
        li t1, 5
        sc.w a0, t1, (t0)
        lw a1, 0(t0)
        ecall
        .data
      w: .word 1`);
      expect([r[10], r[11]]).toEqual([1, 1]);
    });
    it("LR then SC succeeds; a second SC fails", () => {
      const r = regs(`
        la t0, w
        lr.w a0, (t0)
        addi t1, a0, 1
        sc.w a1, t1, (t0)
        sc.w a2, t1, (t0)
        lw a3, 0(t0)
        ecall
        .data
      w: .word 41`);
      expect([r[10], r[11], r[12], r[13]]).toEqual([41, 0, 1, 42]);
    });
    it("an intervening store to the word (even a byte of it) breaks the reservation", () => {
      const r = regs(`
        la t0, w
        lr.w.aq a0, (t0)
        sb zero, 3(t0)
        li t1, 7
        sc.w.rl a1, t1, (t0)
        lr.w a0, (t0)
        sw zero, 4(t0)
        sc.w.aqrl a2, t1, (t0)
        lw a3, 0(t0)
        ecall
        .data
      w: .word 41, 0`);
      expect([r[11], r[12], r[13]]).toEqual([1, 0, 7]);
    });
    it("a store by another hart sharing the memory, or clearReservation(), breaks it", () => {
      const l = load(
        `
        la t0, w
        lr.w a0, (t0)
        ebreak
        sc.w a1, a0, (t0)
        ecall
        .data
      w: .word 3`,
        { jit },
      );
      expect(l.cpu.run(100)).toEqual({ kind: "ebreak" });
      const other = new Cpu(l.img.mem, { jit });
      // other hart: sw zero, 0(a0)  (a0 = &w)
      l.img.mem.map(0x50000, 4096, PERM_R | PERM_X);
      l.img.mem.writeBytes(0x50000, new Uint8Array(new Uint32Array([...encodeInstruction("sw zero, 0(a0)"), 0x73]).buffer), true);
      other.pc = 0x50000;
      other.regs[10] = l.sym("w");
      expect(other.run(10)).toEqual({ kind: "ecall" });
      l.cpu.pc += 4;
      expect(l.cpu.run(100)).toEqual({ kind: "ecall" });
      expect(l.cpu.regs[11]).toBe(1);

      const l2 = load(`la t0, w; lr.w a0, (t0); ebreak; sc.w a1, a0, (t0); ecall; .data; w: .word 3`, { jit });
      expect(l2.cpu.run(100)).toEqual({ kind: "ebreak" });
      l2.cpu.clearReservation();
      l2.cpu.pc += 4;
      expect(l2.cpu.run(100)).toEqual({ kind: "ecall" });
      expect(l2.cpu.regs[11]).toBe(1);
    });
  });

  it("all AMOs return the old value and store the right result", () => {
    const ops: Array<[string, (a: number, b: number) => number]> = [
      ["amoswap.w", (_a, b) => b],
      ["amoadd.w", (a, b) => (a + b) | 0],
      ["amoxor.w", (a, b) => a ^ b],
      ["amoand.w", (a, b) => a & b],
      ["amoor.w", (a, b) => a | b],
      ["amomin.w", (a, b) => Math.min(a, b)],
      ["amomax.w", (a, b) => Math.max(a, b)],
      ["amominu.w", (a, b) => ((a >>> 0) < (b >>> 0) ? a : b)],
      ["amomaxu.w", (a, b) => ((a >>> 0) > (b >>> 0) ? a : b)],
    ];
    for (const [mn, f] of ops) {
      for (const [x, y] of [[-5, 3], [3, -5], [0x7fffffff, INT_MIN], [12, 12]] as const) {
        const r = regs(`
          la t0, w
          li t1, ${y}
          ${mn}.aqrl a0, t1, (t0)
          lw a1, 0(t0)
          ecall
          .data
        w: .word ${x}`);
        expect([mn, r[10], r[11]]).toEqual([mn, x, f(x, y)]);
      }
    }
  });

  it("misaligned loads and stores work, also across a page boundary", () => {
    const r = regs(`
      la t0, buf
      li t1, 0x11223344
      sw t1, 1(t0)
      lw a0, 1(t0)
      lhu a1, 3(t0)
      lh a2, 2(t0)
      li t2, 0xdeadbeef
      li t3, 4094
      add t3, t0, t3
      sw t2, 0(t3)
      lw a3, 0(t3)
      sh t2, 1(t3)
      lhu a4, 1(t3)
      lb a5, 4(t0)
      ecall
      .data
    buf: .zero 8192`);
    expect(r[10]).toBe(0x11223344);
    expect(r[11]).toBe(0x1122);
    expect(r[12]).toBe(0x2233);
    expect(r[13]! >>> 0).toBe(0xdeadbeef);
    expect(r[14]).toBe(0xbeef);
    expect(r[15]).toBe(0x11);
  });

  it("a misaligned store half into a read-only page faults without writing anything", () => {
    const r = go(`
      la t0, ro
      addi t0, t0, -2
      li t1, -1
      sw t1, 0(t0)
      ecall
      .data
    w: .zero 4096
      .section .rodata
    ro: .word 0x01020304`);
    const ro = r.sym("ro");
    expect(r.exit).toEqual({ kind: "fault", cause: "store", addr: ro, pc: r.img.entry + 16 });
    expect(r.img.mem.readU32(ro - 4)).toBe(0);
    expect(r.img.mem.readU32(ro)).toBe(0x01020304);
  });

  it("faults: fetch from a non-executable page, exact instret and pc", () => {
    const r = go(`
      li a0, 1
      li a1, 2
      la t0, d
      jr t0
      .data
    d: .word 0x13`);
    expect(r.exit).toEqual({ kind: "fault", cause: "fetch", addr: r.sym("d"), pc: r.sym("d") });
    expect(r.cpu.instret).toBe(5);
    expect(r.cpu.regs[10]).toBe(1);
  });

  it("faults: load from unmapped memory leaves registers unchanged", () => {
    const r = go(`
      li a0, 5
      li t0, 0x40000000
      lw a0, 8(t0)
      li a0, 6
      ecall`);
    expect(r.exit).toEqual({ kind: "fault", cause: "load", addr: 0x40000008, pc: r.img.entry + 8 });
    expect(r.cpu.instret).toBe(2);
    expect(r.cpu.regs[10]).toBe(5);
  });

  it("faults: store to a read-only page", () => {
    const r = go(`
      la t0, ro
      li t1, 9
      sb t1, 2(t0)
      ecall
      .section .rodata
    ro: .word 0`);
    expect(r.exit).toEqual({ kind: "fault", cause: "store", addr: r.sym("ro") + 2, pc: r.img.entry + 12 });
    expect(r.cpu.instret).toBe(3);
    expect(r.img.mem.readU32(r.sym("ro"))).toBe(0);
  });

  it("faults: illegal instructions (zero word, bad encodings, unknown CSR, counter writes)", () => {
    for (const bad of [".word 0", ".word 0xffffffff", ".word 0x02000013 + (1 << 12)", "csrr a0, 0x300", "csrw cycle, a0", "csrrs a0, instret, a1", ".word 0x30200073"]) {
      const r = go(`
        li a0, 3
        nop
        ${bad}
        ecall`);
      expect([bad, r.exit]).toEqual([bad, { kind: "fault", cause: "illegal", addr: r.img.entry + 8, pc: r.img.entry + 8 }]);
      expect(r.cpu.instret).toBe(2);
    }
  });

  it("wild jumps and address wraparound never throw", () => {
    const r = go(`li t0, -4; jr t0`);
    expect(r.exit).toEqual({ kind: "fault", cause: "fetch", addr: 0xfffffffc, pc: 0xfffffffc });
    const r2 = go(`li t0, -1; lw a0, 0(t0)`);
    expect(r2.exit).toMatchObject({ kind: "fault", cause: "load", addr: 0xffffffff });
    const r3 = go(`li t0, 0xfffffffe; lw a0, 0(t0)`);
    expect(r3.exit).toMatchObject({ kind: "fault", cause: "load" });
  });

  it("Zicntr: rdcycle/rdinstret = instructions retired before; rdtime from timeSource; high halves", () => {
    const l = load(
      `
      nop
      rdinstret a0
      rdcycle a1
      rdtime a2
      rdtimeh a3
      rdinstreth a4
      csrr a5, instret
      csrrs a6, cycleh, zero
      ecall`,
      { jit },
    );
    l.cpu.timeSource = () => 0x1_0000_0005n;
    expect(l.cpu.run(100)).toEqual({ kind: "ecall" });
    const r = l.cpu.regs;
    expect([r[10], r[11], r[12], r[13], r[14], r[15], r[16]]).toEqual([1, 2, 5, 1, 0, 6, 0]);
    const l2 = load(`rdtime a0; ecall`, { jit });
    l2.cpu.instret = 1000;
    l2.cpu.run(10);
    expect(l2.cpu.regs[10]).toBe(100);
    const l3 = load(`rdinstreth a0; rdinstret a1; ecall`, { jit });
    l3.cpu.instret = 2 ** 32 + 7;
    l3.cpu.run(10);
    expect([l3.cpu.regs[10], l3.cpu.regs[11]]).toEqual([1, 8]);
  });

  it("budget stops exactly and resuming gives the same result as one run", () => {
    const src = `
      li a0, 0
      li t0, 300
    1: addi a0, a0, 7
      xor a1, a1, a0
      andi t1, a0, 1
      beqz t1, 2f
      addi a2, a2, 1
    2: addi t0, t0, -1
      bnez t0, 1b
      ecall`;
    const whole = go(src);
    expect(whole.exit).toEqual({ kind: "ecall" });
    for (const slice of [1, 2, 3, 5, 7, 64, 101]) {
      const l = load(src, { jit });
      let n = 0;
      for (;;) {
        const before = l.cpu.instret;
        const e = l.cpu.run(slice);
        n++;
        if (e.kind === "budget") expect(l.cpu.instret - before).toBe(slice);
        else {
          expect(e).toEqual({ kind: "ecall" });
          break;
        }
        expect(n).toBeLessThan(100000);
      }
      expect(l.cpu.instret).toBe(whole.cpu.instret);
      expect([...l.cpu.regs]).toEqual([...whole.cpu.regs]);
    }
    const z = load(src, { jit });
    expect(z.cpu.run(0)).toEqual({ kind: "budget" });
    expect(z.cpu.instret).toBe(0);
  });

  it("tight infinite loop stops at the budget", () => {
    const l = load(`1: j 1b`, { jit });
    expect(l.cpu.run(12345)).toEqual({ kind: "budget" });
    expect(l.cpu.instret).toBe(12345);
  });

  it("fence.i after rewriting code; self-modifying code takes effect at the next instruction", () => {
    const r = go(`
      .section .text.rwx, "awx", @progbits
      .globl _start
    _start:
      li s0, 0
    again:
      jal ra, patch        # first call: a0 = 1
      add s0, s0, a0
      la t0, patch
      lw t1, newinsn
      sw t1, 0(t0)         # patch now: li a0, 2
      fence.i
      jal ra, patch
      add s0, s0, a0       # s0 = 1 + 2
      la t0, slot
      lw t1, newinsn2
      sw t1, 0(t0)         # rewrite the very next instruction, no fence.i
    slot:
      li a1, 1             # replaced by li a1, 5 before it runs
      ecall
    patch:
      li a0, 1
      ret
    newinsn: .word 0x00200513   # li a0, 2
    newinsn2: .word 0x00500593  # li a1, 5
    `);
    expect(r.exit).toEqual({ kind: "ecall" });
    expect(r.cpu.regs[8]).toBe(3);
    expect(r.cpu.regs[11]).toBe(5);
  });

  it("code rewritten by the kernel (writeBytes) or another hart is seen at the next block", () => {
    const l = load(`
    top:
      li a0, 1
      ecall
      j top`, { jit });
    expect(l.cpu.run(100)).toEqual({ kind: "ecall" });
    expect(l.cpu.regs[10]).toBe(1);
    l.img.mem.writeBytes(l.img.entry, new Uint8Array(new Uint32Array(encodeInstruction("li a0, 9")).buffer), true);
    l.cpu.pc += 4;
    expect(l.cpu.run(100)).toEqual({ kind: "ecall" });
    expect(l.cpu.regs[10]).toBe(9);
  });

  it("a page rewritten very often keeps working (interpreted from then on)", () => {
    const r = go(`
      .section .text.rwx, "awx", @progbits
      li s0, 0
      li s1, 100
      lw t1, insn
      la t0, slot
      li t2, 0x100000
    1: add t1, t1, t2         # bump the immediate of 'addi a0, zero, k'
      sw t1, 0(t0)
    slot:
      nop
      add s0, s0, a0
      addi s1, s1, -1
      bnez s1, 1b
      ecall
    insn: .word 0x00000513     # li a0, 0
    `);
    expect(r.exit).toEqual({ kind: "ecall" });
    expect(r.cpu.regs[8]).toBe((100 * 101) / 2);
  });

  it("garbage instructions never throw host exceptions", () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let trial = 0; trial < 40; trial++) {
      const mem = new Memory();
      mem.map(0x1000, 0x2000, PERM_R | PERM_W | PERM_X);
      const words = new Uint32Array(2048);
      for (let i = 0; i < words.length; i++) words[i] = rnd();
      mem.writeBytes(0x1000, new Uint8Array(words.buffer), true);
      const cpu = new Cpu(mem, { jit });
      cpu.pc = 0x1000 + 4 * (rnd() % 2048);
      for (let k = 0; k < 20; k++) {
        for (let i = 1; i < 32; i++) cpu.regs[i] = rnd() & 0x3ffc ? rnd() : 0x1000 + (rnd() & 0x1fff);
        const e = cpu.run(1000);
        if (e.kind !== "budget") cpu.pc = 0x1000 + 4 * (rnd() % 2048);
      }
    }
  });
});

describe("JIT and interpreter agree on random straight-line ALU/M programs", () => {
  it("same registers after 200 random programs", () => {
    let seed = 99;
    const rnd = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed;
    };
    const R = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"];
    const I = ["addi", "slti", "sltiu", "xori", "ori", "andi"];
    const S = ["slli", "srli", "srai"];
    for (let p = 0; p < 200; p++) {
      const lines: string[] = [];
      for (let i = 5; i < 16; i++) lines.push(`li x${i}, ${rnd() | 0}`);
      for (let i = 0; i < 40; i++) {
        const rd = 5 + (rnd() % 11);
        const a = 5 + (rnd() % 11);
        const b = 5 + (rnd() % 11);
        const k = rnd() % 3;
        if (k === 0) lines.push(`${R[rnd() % R.length]} x${rd}, x${a}, x${b}`);
        else if (k === 1) lines.push(`${I[rnd() % I.length]} x${rd}, x${a}, ${(rnd() % 4096) - 2048}`);
        else lines.push(`${S[rnd() % S.length]} x${rd}, x${a}, ${rnd() % 32}`);
      }
      lines.push("ecall");
      const src = lines.join("\n");
      const a = run(src, { jit: true });
      const b = run(src, { jit: false });
      expect([...a.cpu.regs]).toEqual([...b.cpu.regs]);
    }
  });
});
