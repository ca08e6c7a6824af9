#include "test.h"
/* rv32ui: fence.i after rewriting code (linked with -N: text is writable). */
CODE_BEGIN
  li TESTNUM, 1
  li a3, 111
  la t0, patch
  la t1, insn
  lw s2, 0(t1)
  /* run the code once as it is */
  jal ra, patch
  CHECK(1, a3, 333)
  sw s2, 0(t0)
  fence.i
  li a3, 111
  jal ra, patch
  CHECK(2, a3, 444)
  /* rewrite it again, in a loop (the JIT must see every version) */
  li s0, 0
  li s1, 20
1: li a3, 0
  jal ra, patch
  add s0, s0, a3
  lw t3, 0(t0)
  li t4, 0x100000
  add t3, t3, t4 /* imm += 1 */
  sw t3, 0(t0)
  fence.i
  addi s1, s1, -1
  bnez s1, 1b
  /* 20 runs with imm 333, 334, ... 352 */
  CHECK(3, s0, 6850)
  j pass
  .align 2
patch:
  .option push
  .option norvc
  addi a3, a3, 222
  .option pop
  ret
insn:
  .option push
  .option norvc
  addi a3, a3, 333
  .option pop
CODE_END
