/* Entry of a RAW matrix build: no stub section, no ABI note. The kernel gives a raw program no TLS
 * block, so this sets tp to a static one whose errno pointer is its own reserved word; the SDK's
 * __libc_start then moves tp to the program's TLS area and errno_ptr to the libc's errno, as for a
 * layered program. */
#include "kiln.h"
  .section .text._start,"ax",@progbits
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la tp, __raw_tls
  sw tp, KILN_TLS_SELF(tp)
  addi t0, tp, KILN_TLS_RESERVED
  sw t0, KILN_TLS_ERRNO_PTR(tp)
  mv a0, sp
  andi sp, sp, -16
  call __libc_start
1: j 1b

  .data
  .balign 16
  .globl __raw_tls
__raw_tls:
  .zero KILN_TLS_SIZE

/* The head of the TLS image (as sdk/crt0.S): the 16-byte TLS block, before the libc's variables. */
  .section .tdata.kiln_tls_block,"awT",@progbits
  .balign 16
  .zero KILN_TLS_SIZE
