/* Entry of a RAW matrix build: no stub section, no ABI note. The kernel gives a raw program no TLS
 * block, so this sets tp to a static one whose errno pointer is its own reserved word (the libc
 * reads errno through tp+4 either way). */
  .section .text._start,"ax",@progbits
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la tp, __raw_tls
  mv a0, sp
  andi sp, sp, -16
  call __libc_start
1: j 1b

  .data
  .balign 16
  .globl __raw_tls
__raw_tls:
  .word __raw_tls, __raw_tls + 12, 0, 0
