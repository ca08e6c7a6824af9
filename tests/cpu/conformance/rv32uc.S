#include "test.h"
/* rv32uc: every RV32C instruction (built with -march=rv32imac), each checked against the value its
 * 32-bit expansion gives; jumps and branches to 2-byte aligned targets; links of pc+2. */
CODE_BEGIN
  .option rvc
  /* stack-relative forms on a local frame */
  la sp, frame_top
  c.addi16sp sp, -64
  la x7, frame_top - 64; li TESTNUM, 1; bne sp, x7, fail
  c.addi16sp sp, 32
  la x7, frame_top - 32; li TESTNUM, 2; bne sp, x7, fail
  c.addi4spn a0, sp, 8
  la x7, frame_top - 24; li TESTNUM, 3; bne a0, x7, fail
  c.addi4spn s1, sp, 1020
  la x7, frame_top - 32 + 1020; li TESTNUM, 4; bne s1, x7, fail
  li t0, 0x12345678
  c.swsp t0, 4(sp)
  c.lwsp t1, 4(sp); CHECK(5, t1, 0x12345678)
  lw t1, 4(sp); CHECK(6, t1, 0x12345678)
  li t0, -77; c.swsp t0, 28(sp); c.lwsp a5, 28(sp); CHECK(7, a5, -77)
  /* register-based loads and stores */
  la a1, cdat
  c.lw a2, 0(a1); CHECK(8, a2, 0x11111111)
  c.lw a2, 124(a1); CHECK(9, a2, 0x7c7c7c7c)
  li a3, 0xabcdef01; c.sw a3, 64(a1); c.lw s0, 64(a1); CHECK(10, s0, 0xabcdef01)
  /* immediates */
  li a0, 10; c.addi a0, -11; CHECK(11, a0, -1)
  c.addi a0, 31; CHECK(12, a0, 30)
  c.li a4, -32; CHECK(13, a4, -32)
  c.li t6, 31; CHECK(14, t6, 31)
  c.lui a5, 0xfffe0; CHECK(15, a5, 0xfffe0000)
  c.lui t5, 0x1f; CHECK(16, t5, 0x1f000)
  c.lui t5, 1; CHECK(17, t5, 0x1000)
  li s0, 0x80000001; c.srli s0, 1; CHECK(18, s0, 0x40000000)
  li s0, 0x80000001; c.srli s0, 31; CHECK(19, s0, 1)
  li s1, 0x80000001; c.srai s1, 1; CHECK(20, s1, 0xc0000000)
  li s1, 0x80000000; c.srai s1, 31; CHECK(21, s1, -1)
  li a2, 0xff00ff0f; c.andi a2, -16; CHECK(22, a2, 0xff00ff00)
  li a2, 0xff00ff0f; c.andi a2, 15; CHECK(23, a2, 15)
  li a4, 1; c.slli a4, 31; CHECK(24, a4, 0x80000000)
  li a4, 0x12345; c.slli a4, 4; CHECK(25, a4, 0x123450)
  /* register-register */
  li s0, 10; li a5, 3; c.sub s0, a5; CHECK(26, s0, 7)
  li s0, 0; li a5, 1; c.sub s0, a5; CHECK(27, s0, -1)
  li a0, 0xff00ff00; li a1, 0x0ff00ff0; c.xor a0, a1; CHECK(28, a0, 0xf0f0f0f0)
  li a0, 0xff00ff00; c.or a0, a1; CHECK(29, a0, 0xfff0fff0)
  li a0, 0xff00ff00; c.and a0, a1; CHECK(30, a0, 0x0f000f00)
  li t3, 0x55; c.mv t4, t3; CHECK(31, t4, 0x55)
  li t3, 0x7fffffff; li t4, 1; c.add t3, t4; CHECK(32, t3, 0x80000000)
  c.nop
  /* jumps and branches */
  li TESTNUM, 33; c.j 1f; j fail
1: li a0, 0; c.beqz a0, 2f; j fail
2: li a0, 1; c.beqz a0, fail
  li TESTNUM, 34; c.bnez a0, 3f; j fail
3: li a0, 0; c.bnez a0, fail
  /* c.jal links pc+2 */
  li TESTNUM, 35; c.jal 4f
5: j fail
4: la x7, 5b; bne ra, x7, fail
  /* c.jr / c.jalr */
  li TESTNUM, 36; la t0, 6f; c.jr t0; j fail
6: la t0, 7f; c.jalr t0
8: j fail
7: la x7, 8b; bne ra, x7, fail
  /* a call and return through compressed code */
  li TESTNUM, 37; li a0, 21; call cdouble; li x7, 42; bne a0, x7, fail
  /* a loop made of compressed instructions */
  li TESTNUM, 38; li s0, 0; li s1, 50
9: c.addi s0, 3; c.addi s1, -1; c.bnez s1, 9b
  CHECK(38, s0, 150)
  /* a 32-bit instruction at a 2-byte aligned address */
  .align 2
  c.nop
  addi a4, zero, 123; CHECK(39, a4, 123)
  j pass
cdouble: c.add a0, a0; c.jr ra
CODE_END
  .data
  .align 4
cdat:
  .word 0x11111111
  .rept 30
  .word 0
  .endr
  .word 0x7c7c7c7c
  .align 4
frame: .zero 2048
frame_top:
