#include "test.h"
/* rv32ui: loads, stores (also misaligned and sign/zero extension), fence. */
CODE_BEGIN
  TEST_LD(1, lb, 0xffffffff, 0, tdat)
  TEST_LD(2, lb, 0x00000000, 1, tdat)
  TEST_LD(3, lb, 0xfffffff0, 2, tdat)
  TEST_LD(4, lb, 0x0000000f, 3, tdat)
  TEST_LD(5, lb, 0x00000000, -3, tdat4)
  TEST_LD(6, lbu, 0x000000ff, 0, tdat)
  TEST_LD(7, lbu, 0x000000f0, 2, tdat)
  TEST_LD(8, lbu, 0x0000000f, -1, tdat4)
  TEST_LD(9, lh, 0x000000ff, 0, tdat)
  TEST_LD(10, lh, 0x00000ff0, 2, tdat)
  TEST_LD(11, lh, 0xffffff00, 4, tdat)
  TEST_LD(12, lh, 0xfffff00f, 6, tdat)
  TEST_LD(13, lhu, 0x00000ff0, 2, tdat)
  TEST_LD(14, lhu, 0x0000f00f, 6, tdat)
  TEST_LD(15, lw, 0x0ff000ff, 0, tdat)
  TEST_LD(16, lw, 0xf00fff00, 4, tdat)
  TEST_LD(17, lw, 0x0ff00ff0, 8, tdat)
  TEST_LD(18, lw, 0xf00ff00f, 12, tdat)
  TEST_LD(19, lw, 0x0ff000ff, -4, tdat4)
  TEST_ST(20, lb, sb, 0xffffffaa, 0, sdat)
  TEST_ST(21, lb, sb, 0x00000000, 1, sdat)
  TEST_ST(22, lbu, sb, 0x000000a0, 3, sdat)
  TEST_ST(23, lh, sh, 0x000000aa, 0, sdat)
  TEST_ST(24, lh, sh, 0xffffaa00, 2, sdat)
  TEST_ST(25, lhu, sh, 0x0000a00a, 6, sdat)
  TEST_ST(26, lw, sw, 0xaa00aa00, 4, sdat)
  TEST_ST(27, lw, sw, 0x0aa00aa0, 8, sdat)
  TEST_ST(28, lw, sw, 0xa00aa00a, 12, sdat)
  /* a byte store changes only its byte */
  la x1, sdat; li x2, 0x11223344; sw x2, 16(x1); li x3, 0x99; sb x3, 17(x1); lw x14, 16(x1); CHECK(29, x14, 0x11229944)
  li x3, 0x7777; sh x3, 18(x1); lw x14, 16(x1); CHECK(30, x14, 0x77779944)
  /* misaligned accesses (Linux user mode: handled, never a signal) */
  la x1, tdat; lw x14, 1(x1); CHECK(31, x14, 0x000ff000)
  lw x14, 3(x1); CHECK(32, x14, 0x0fff000f)
  lh x14, 1(x1); CHECK(33, x14, 0xfffff000)
  lhu x14, 3(x1); CHECK(34, x14, 0x0000000f)
  lh x14, 5(x1); CHECK(35, x14, 0x00000fff)
  la x1, sdat; li x2, 0x12345678; sw x2, 21(x1); lw x14, 21(x1); CHECK(36, x14, 0x12345678)
  lbu x14, 21(x1); CHECK(37, x14, 0x78)
  lbu x14, 24(x1); CHECK(38, x14, 0x12)
  li x2, 0xbeef; sh x2, 27(x1); lhu x14, 27(x1); CHECK(39, x14, 0xbeef)
  /* load into x0 is discarded; a load's base may be its destination */
  la x1, tdat; lw x0, 0(x1); CHECK(40, x0, 0)
  la x14, tdat; lw x14, 4(x14); CHECK(41, x14, 0xf00fff00)
  fence
  fence rw, rw
  /* a store then load through another register */
  la x5, sdat; addi x6, x5, 64; li x2, -5; sw x2, -64(x6); lw x14, 0(x5); CHECK(42, x14, -5)
CODE_END

  .data
  .align 4
tdat:
  .byte 0xff, 0x00, 0xf0, 0x0f
tdat4:
  .half 0xff00, 0xf00f
  .word 0x0ff00ff0, 0xf00ff00f
  .align 4
sdat:
  .zero 64
