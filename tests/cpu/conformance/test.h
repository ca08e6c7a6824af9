/* kiln's conformance-test macros (riscv-tests style, written for kiln; not the upstream header).
 * A program is a Linux user-mode static executable: `_start`, then numbered test cases; each case
 * sets TESTNUM (gp) and branches to `fail` on a wrong result. `pass` exits 0; `fail` exits with the
 * number of the failing case (1..255). Build: riscv64-unknown-elf-gcc -march=rv32ima[c] -mabi=ilp32
 * -nostdlib -static (see tests/cpu/conformance.test.ts). Registers: x14 result, x7 expected, x1/x2
 * operands. */
#define TESTNUM gp
#define SYS_exit 93
#define SYS_write 64

#define CODE_BEGIN .text; .globl _start; _start: li TESTNUM, 0;
#define CODE_END \
  pass: li a0, 0; li a7, SYS_exit; ecall; \
  fail: andi a0, TESTNUM, 255; bnez a0, 1f; li a0, 255; 1: li a7, SYS_exit; ecall;

/* KILN_BREAK_CASE=n builds the program with case n's expected value off by one, so the test
 * harness can check that a failing case is reported (exit status n). */
#ifndef KILN_BREAK_CASE
#define KILN_BREAK_CASE 0
#endif
#define CHECK(n, got, want) li TESTNUM, n; .if (n) == KILN_BREAK_CASE; li x7, (want) + 1; .else; li x7, want; .endif; bne got, x7, fail;

/* register-register and register-immediate operations, plus source/destination aliasing */
#define TEST_RR(n, inst, want, a, b) li x1, a; li x2, b; inst x14, x1, x2; CHECK(n, x14, want)
#define TEST_RR_SRC1_EQ_DEST(n, inst, want, a, b) li x1, a; li x2, b; inst x1, x1, x2; CHECK(n, x1, want)
#define TEST_RR_SRC2_EQ_DEST(n, inst, want, a, b) li x1, a; li x2, b; inst x2, x1, x2; CHECK(n, x2, want)
#define TEST_RR_ZERO_DEST(n, inst, a, b) li x1, a; li x2, b; inst x0, x1, x2; CHECK(n, x0, 0)
#define TEST_IMM(n, inst, want, a, imm) li x1, a; inst x14, x1, imm; CHECK(n, x14, want)
#define TEST_IMM_SRC_EQ_DEST(n, inst, want, a, imm) li x1, a; inst x1, x1, imm; CHECK(n, x1, want)

/* loads and stores around `base` */
#define TEST_LD(n, inst, want, off, base) la x1, base; inst x14, off(x1); CHECK(n, x14, want)
#define TEST_ST(n, ld, st, val, off, base) la x1, base; li x2, val; st x2, off(x1); ld x14, off(x1); CHECK(n, x14, val)

/* branches: taken must reach the label, not taken must fall through */
#define TEST_BR_TAKEN(n, inst, a, b) li TESTNUM, n; li x1, a; li x2, b; inst x1, x2, 2f; j fail; 2:
#define TEST_BR_NOT(n, inst, a, b) li TESTNUM, n; li x1, a; li x2, b; inst x1, x2, fail;
