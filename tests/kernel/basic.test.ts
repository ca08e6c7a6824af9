// The first runnable path: loading, the initial stack, write/exit/read/brk/clock, faults, limits.
import { describe, expect, it } from "vitest";
import { asm, run, sys, prog } from "./helpers.ts";
import { buildInitialStack, AT_PAGESZ, AT_RANDOM, AT_NULL, AT_EXECFN } from "../../impl/kernel/stack.ts";
import { STACK_TOP } from "../../impl/kernel/loader.ts";

const HELLO = `
  .text
  .globl _start
_start:
  li a0, 1
  la a1, msg
  li a2, 14
${sys("write")}
  li a0, 7
${sys("exit_group")}
  .section .rodata
msg:
  .ascii "hello, world!\\n"
`;


describe("kernel: first runnable path", () => {
  it("runs hello world with exact output, status and instruction count", () => {
    const r = run(asm(HELLO));
    expect(r.stdout).toBe("hello, world!\n");
    expect(r.outcome).toEqual({ kind: "exited", code: 7 });
    expect(r.status).toBe(7);
    // li, la (2), li, li a7, ecall, li, li a7, ecall = 9
    expect(r.insns).toBe(9);
  });

  it("is deterministic: same program, same count", () => {
    expect(run(asm(HELLO)).insns).toBe(run(asm(HELLO)).insns);
  });

  it("exit status is the low 8 bits", () => {
    expect(run(prog("  li a0, 300")).status).toBe(300 & 0xff);
  });

  it("lays out argc, argv, envp and auxv on a 16-byte aligned stack", () => {
    // Echo argv[1] and envp[0] and return argc + 10*(sp % 16).
    const image = prog(`
  lw s0, 0(sp)
  andi s1, sp, 15
  lw a1, 8(sp)          # argv[1]
  jal strlen_out
  slli t0, s0, 2
  add t0, t0, sp
  lw a1, 8(t0)          # envp[0] at sp + 4 + 4*argc + 4
  jal strlen_out
  li t0, 10
  mul s1, s1, t0
  add a0, s0, s1
  j done
strlen_out:             # write(1, a1, strlen(a1)); clobbers a0-a2,a7,t1
  mv t1, a1
1:
  lbu t2, 0(t1)
  beqz t2, 2f
  addi t1, t1, 1
  j 1b
2:
  sub a2, t1, a1
  li a0, 1
${sys("write")}
  ret
done:`);
    const r = run(image, ["p", "one"], { env: ["E=two"] });
    expect(r.stdout).toBe("oneE=two");
    expect(r.status).toBe(2);
  });

  it("buildInitialStack follows Linux's order", () => {
    const img = buildInitialStack(STACK_TOP, ["a", "bc"], ["X=1"], [[AT_PAGESZ, 4096]], new Uint8Array(16).fill(7), "a");
    expect(img.sp % 16).toBe(0);
    const dv = new DataView(img.bytes.buffer);
    const w = (addr: number) => dv.getUint32(addr - img.base, true);
    expect(w(img.sp)).toBe(2);
    expect(img.argvAddr).toBe(img.sp + 4);
    expect(w(img.argvAddr + 8)).toBe(0);
    expect(img.envpAddr).toBe(img.sp + 16);
    expect(w(img.envpAddr + 4)).toBe(0);
    const aux: [number, number][] = [];
    for (let a = img.auxvAddr; ; a += 8) {
      aux.push([w(a), w(a + 4)]);
      if (w(a) === AT_NULL) break;
    }
    expect(aux.map((x) => x[0])).toEqual([AT_PAGESZ, AT_RANDOM, AT_EXECFN, AT_NULL]);
    expect(img.bytes.subarray(img.randomAddr - img.base, img.randomAddr - img.base + 16)).toEqual(new Uint8Array(16).fill(7));
    // argv strings are in order, below the environment strings.
    const str = (addr: number) => Buffer.from(img.bytes.subarray(addr - img.base, img.bytes.indexOf(0, addr - img.base))).toString();
    expect(str(w(img.argvAddr))).toBe("a");
    expect(str(w(img.argvAddr + 4))).toBe("bc");
    expect(str(w(img.envpAddr))).toBe("X=1");
    expect(w(img.argvAddr)).toBeLessThan(w(img.envpAddr));
  });

  it("auxv carries AT_PAGESZ, AT_ENTRY, AT_PHDR and 16 AT_RANDOM bytes", () => {
    // Walk to auxv and return the value of AT_PAGESZ / 16 + (AT_ENTRY == _start).
    const image = prog(`
  lw t0, 0(sp)
  addi t0, t0, 1
  slli t0, t0, 2
  add t0, t0, sp
  addi t0, t0, 4      # envp
1:
  lw t1, 0(t0)
  addi t0, t0, 4
  bnez t1, 1b         # skip envp
  li s0, 0
2:
  lw t1, 0(t0)
  lw t2, 4(t0)
  addi t0, t0, 8
  beqz t1, 3f
  li t3, 6
  bne t1, t3, 4f
  srli t2, t2, 4
  add s0, s0, t2      # AT_PAGESZ / 16 = 256
  j 2b
4:
  li t3, 9
  bne t1, t3, 2b
  la t4, _start
  bne t2, t4, 2b
  addi s0, s0, 1      # AT_ENTRY == _start
  j 2b
3:
  addi a0, s0, -256
`);
    expect(run(image).status).toBe(1);
  });

  it("reads stdin and hits end of file", () => {
    const image = prog(`
  li s0, 0
1:
  li a0, 0
  la a1, buf
  li a2, 3
${sys("read")}
  beqz a0, 2f
  add s0, s0, a0
  mv a2, a0
  li a0, 1
  la a1, buf
${sys("write")}
  j 1b
2:
  mv a0, s0`, "buf: .zero 16");
    const r = run(image, ["p"], { stdin: "abcdefg" });
    expect(r.stdout).toBe("abcdefg");
    expect(r.status).toBe(7);
  });

  it("returns -ENOSYS for unknown numbers and -EFAULT/-EBADF for bad arguments", () => {
    const image = prog(`
  li a7, 4000
  ecall
  mv s0, a0           # -38
  li a0, 1
  li a1, 16           # unmapped
  li a2, 4
${sys("write")}
  mv s1, a0           # -14
  li a0, 99
  la a1, buf
  li a2, 1
${sys("write")}
  mv s2, a0           # -9
  li a0, 0
  li a1, 0x10000      # read-only text
  li a2, 1
${sys("read")}
  add a0, s0, s1
  add a0, a0, s2
  add a0, a0, a0
  add a0, a0, a0      # * 4
  neg a0, a0`, "buf: .zero 4");
    const r = run(image, ["p"], { stdin: "z" });
    expect(r.status).toBe(((38 + 14 + 9) * 4) & 0xff);
  });

  it("brk grows and shrinks the heap", () => {
    const image = prog(`
  li a0, 0
${sys("brk")}
  mv s0, a0
  li t0, 8192
  add a0, s0, t0
${sys("brk")}
  sub s1, a0, s0       # 8192
  li t1, 4096
  add t1, t1, s0
  sw s1, 0(t1)         # heap is writable
  lw s2, 0(t1)
  mv a0, s0
${sys("brk")}
  sub a0, a0, s0       # 0
  srli s2, s2, 12      # 2
  add a0, a0, s2`);
    expect(run(image).status).toBe(2);
  });

  it("clock_gettime64 is derived from retired instructions", () => {
    const image = prog(`
  li a0, 1
  la a1, ts
${sys("clock_gettime64")}
  la t0, ts
  lw s0, 8(t0)         # tv_nsec
  li a0, 1
  la a1, ts
${sys("clock_gettime64")}
  la t0, ts
  lw s1, 8(t0)
  sub a0, s1, s0       # instructions between the two calls (ns)
`, "  .balign 8\nts: .zero 16");
    const a = run(image);
    // The ecall retires when it traps: la(2) lw li la(2) li ecall = 8 instructions apart.
    expect(a.status).toBe(8);
    expect(run(image).status).toBe(a.status);
  });

  it("rdtime reads CLOCK_MONOTONIC in nanoseconds (1 GHz timebase)", () => {
    const image = prog(`
  rdtime s0
  li a0, 1
  la a1, ts
${sys("clock_gettime64")}
  la t0, ts
  lw s1, 8(t0)
  sub a0, s1, s0       # rdtime (not yet retired when read), li, la(2), li a7, ecall = 6
`, "  .balign 8\nts: .zero 16");
    expect(run(image).status).toBe(6);
  });

  it("realtime is deterministic: 2000-01-01 plus the monotonic clock", () => {
    const image = prog(`
  li a0, 0
  la a1, ts
${sys("clock_gettime64")}
  la t0, ts
  lw a0, 0(t0)
  li t1, 946684800
  sub a0, a0, t1`, "  .balign 8\nts: .zero 16");
    expect(run(image).status).toBe(0);
  });
});

describe("kernel: faults and limits", () => {
  it("a wild load is SIGSEGV: status 139", () => {
    const r = run(prog("  li t0, 16\n  lw a0, 0(t0)"));
    expect(r.outcome).toEqual({ kind: "signaled", signal: 11, core: true });
    expect(r.status).toBe(139);
  });

  it("a store to read-only text is SIGSEGV", () => {
    expect(run(prog("  la t0, _start\n  sw zero, 0(t0)")).status).toBe(139);
  });

  it("an illegal instruction is SIGILL: status 132", () => {
    expect(run(prog("  .word 0xffffffff")).status).toBe(132);
  });

  it("jumping into the middle of an instruction is a guest signal, never a host error", () => {
    // With the C extension a 2-byte aligned target is legal: here it lands on the upper half of
    // the auipc (0x0000, an illegal instruction).
    const r = run(prog("  la t0, _start\n  addi t0, t0, 2\n  jr t0"));
    expect([132, 135, 139]).toContain(r.status);
  });

  it("jumping into unmapped memory is SIGSEGV", () => {
    expect(run(prog("  li t0, 0x12345000\n  jr t0")).status).toBe(139);
  });

  it("ebreak is SIGTRAP", () => {
    expect(run(prog("  ebreak")).status).toBe(133);
  });

  it("the instruction limit stops a runaway loop with status 124", () => {
    const r = run(prog("1: j 1b"), ["p"], { maxInsns: 100_000 });
    expect(r.outcome.kind).toBe("limit");
    expect(r.status).toBe(124);
    expect(r.insns).toBe(100_000);
  });

  it("the stack grows on demand below the initial mapping", () => {
    // Touch 1 MiB below sp.
    const r = run(prog("  li t0, 0x100000\n  sub t0, sp, t0\n  li t1, 5\n  sw t1, 0(t0)\n  lw a0, 0(t0)"));
    expect(r.status).toBe(5);
  });

  it("past the 8 MiB stack is SIGSEGV", () => {
    expect(run(prog("  li t0, 0x900000\n  sub t0, sp, t0\n  sw t1, 0(t0)")).status).toBe(139);
  });
});
