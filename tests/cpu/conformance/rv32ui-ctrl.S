#include "test.h"
  .data
msg: .ascii "rv32ui control ok\n"
  .set msglen, . - msg
/* rv32ui: branches, jal, jalr (links, targets, x0 and aliasing), counters. */
CODE_BEGIN
  TEST_BR_TAKEN(1, beq, 0, 0)
  TEST_BR_TAKEN(2, beq, -1, -1)
  TEST_BR_NOT(3, beq, 0, 1)
  TEST_BR_NOT(4, beq, -1, 1)
  TEST_BR_TAKEN(5, bne, 0, 1)
  TEST_BR_TAKEN(6, bne, 1, -1)
  TEST_BR_NOT(7, bne, 1, 1)
  TEST_BR_TAKEN(8, blt, -1, 1)
  TEST_BR_TAKEN(9, blt, -2, -1)
  TEST_BR_NOT(10, blt, 1, 0)
  TEST_BR_NOT(11, blt, 1, -1)
  TEST_BR_NOT(12, blt, 0x7fffffff, 0x80000000)
  TEST_BR_TAKEN(13, bge, 0, 0)
  TEST_BR_TAKEN(14, bge, 1, -1)
  TEST_BR_TAKEN(15, bge, 0x7fffffff, 0x80000000)
  TEST_BR_NOT(16, bge, -1, 1)
  TEST_BR_TAKEN(17, bltu, 0, 1)
  TEST_BR_TAKEN(18, bltu, 1, 0xffffffff)
  TEST_BR_NOT(19, bltu, 0xffffffff, 1)
  TEST_BR_NOT(20, bltu, 0x80000000, 0x7fffffff)
  TEST_BR_TAKEN(21, bgeu, 0xffffffff, 1)
  TEST_BR_TAKEN(22, bgeu, 0, 0)
  TEST_BR_NOT(23, bgeu, 0, 1)
  TEST_BR_NOT(24, bgeu, 0x7fffffff, 0x80000000)
  /* backward branch loop */
  li TESTNUM, 25; li x1, 10; li x14, 0
3: addi x14, x14, 3; addi x1, x1, -1; bnez x1, 3b
  CHECK(25, x14, 30)
  /* jal links pc+4 (or pc+2 when compressed by the assembler: compare to the label) */
  li TESTNUM, 26; jal x4, 4f
5: j fail
4: la x5, 5b; bne x4, x5, fail
  /* jal x0 */
  li TESTNUM, 27; jal x0, 6f; j fail
6:
  /* jalr: target, link, lowest bit cleared, rd == rs1 */
  li TESTNUM, 28; la x6, 7f; jalr x19, 0(x6)
8: j fail
7: la x5, 8b; bne x19, x5, fail
  li TESTNUM, 29; la x6, 9f; addi x6, x6, 1; jalr x0, 0(x6); j fail
9:
  li TESTNUM, 30; la x6, 10f; addi x6, x6, -8; jalr x6, 8(x6)
11: j fail
10: la x5, 11b; bne x6, x5, fail
  /* a call and return */
  li TESTNUM, 31; li a0, 5; call double; li x7, 10; bne a0, x7, fail
  /* counters: instret and cycle advance */
  li TESTNUM, 32; rdinstret x1; nop; nop; rdinstret x2; bltu x2, x1, fail; beq x2, x1, fail
  rdcycle x1; rdcycle x2; bltu x2, x1, fail
  /* write(1, msg, len) */
  li a0, 1; la a1, msg; li a2, msglen; li a7, SYS_write; ecall; CHECK(34, a0, msglen)
  j pass
double: add a0, a0, a0; ret
CODE_END
