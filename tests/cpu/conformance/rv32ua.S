#include "test.h"
/* rv32ua: AMOs (old value returned, memory updated), LR/SC (success, failure after a store). */
#define TEST_AMO(n, inst, old, operand, newval) \
  la a0, amo; li a1, old; sw a1, 0(a0); li a2, operand; inst x14, a2, (a0); CHECK(n, x14, old); lw x14, 0(a0); CHECK(n, x14, newval)
CODE_BEGIN
  TEST_AMO(1, amoadd.w, 0xffffffff, 0x80000000, 0x7fffffff)
  TEST_AMO(2, amoswap.w, 0x12345678, 0x9abcdef0, 0x9abcdef0)
  TEST_AMO(3, amoand.w, 0xff00ff00, 0x0ff00ff0, 0x0f000f00)
  TEST_AMO(4, amoor.w, 0xff00ff00, 0x0ff00ff0, 0xfff0fff0)
  TEST_AMO(5, amoxor.w, 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0)
  TEST_AMO(6, amomin.w, 0x80000000, 0xffffffff, 0x80000000)
  TEST_AMO(7, amomin.w, 0x00000001, 0xffffffff, 0xffffffff)
  TEST_AMO(8, amomax.w, 0x80000000, 0xffffffff, 0xffffffff)
  TEST_AMO(9, amomax.w, 0x00000001, 0xffffffff, 0x00000001)
  TEST_AMO(10, amominu.w, 0x80000000, 0xffffffff, 0x80000000)
  TEST_AMO(11, amominu.w, 0x00000001, 0xffffffff, 0x00000001)
  TEST_AMO(12, amomaxu.w, 0x80000000, 0xffffffff, 0xffffffff)
  TEST_AMO(13, amomaxu.w, 0x00000001, 0x00000000, 0x00000001)
  TEST_AMO(14, amoadd.w.aqrl, 5, 7, 12)
  TEST_AMO(15, amoswap.w.aq, 5, 7, 7)
  /* amo with rd == x0 */
  la a0, amo; li a1, 40; sw a1, 0(a0); li a2, 2; amoadd.w x0, a2, (a0); lw x14, 0(a0); CHECK(16, x14, 42)
  /* lr/sc success */
  la a0, amo; li a1, 100; sw a1, 0(a0)
  lr.w a3, (a0); CHECK(17, a3, 100)
  addi a3, a3, 1; sc.w a4, a3, (a0); CHECK(18, a4, 0)
  lw x14, 0(a0); CHECK(19, x14, 101)
  /* sc without a reservation fails and does not write */
  li a3, 7; sc.w a4, a3, (a0); li TESTNUM, 20; beqz a4, fail
  lw x14, 0(a0); CHECK(21, x14, 101)
  /* a store to the reserved word breaks the reservation */
  lr.w a3, (a0); li a5, 55; sw a5, 0(a0); sc.w a4, a3, (a0); li TESTNUM, 22; beqz a4, fail
  lw x14, 0(a0); CHECK(23, x14, 55)
  /* an lr/sc increment loop */
  la a0, amo; sw x0, 0(a0); li s0, 100
1: lr.w.aq a3, (a0); addi a3, a3, 3; sc.w.rl a4, a3, (a0); bnez a4, 1b; addi s0, s0, -1; bnez s0, 1b
  lw x14, 0(a0); CHECK(24, x14, 300)
CODE_END
  .data
  .align 3
amo: .word 0, 0
