/* kiln program entry, stub region and ABI note. Assembled once per program ABI with
 * -I generated/c/<pN> (kiln.h gives KILN_PROGRAM_ABI and KILN_STUB_SIZE).
 *
 * _start: the kernel enters with the Linux initial stack (sp -> argc, argv[0..argc-1], NULL,
 * envp..., NULL, auxv) and tp already pointing at the first thread's TLS block. We set gp, pass sp
 * to __libc_start (sdk/libc/start.c), which calls main and exits through the exit_group slot. */
#include "kiln.h"

  .section .text._start,"ax",@progbits
  .globl _start
  .type _start, @function
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  mv a0, sp
  andi sp, sp, -16
  call __libc_start
1: j 1b
  .size _start, .-_start

/* The stub region: NOBITS ("aw", @nobits), page aligned, the program ABI's stub size. */
  .section .kiln.stubs,"aw",@nobits
  .balign STUB_ALIGN
  .globl __kiln_stub_table
__kiln_stub_table:
  .zero KILN_STUB_SIZE
  .size __kiln_stub_table, KILN_STUB_SIZE

/* The ABI note: owner "kiln", type NT_KILN_ABI, desc { program_abi, stub_addr, stub_size }. */
  .section .note.kiln.abi,"a",@note
  .balign 4
  .word 2f - 1f           /* namesz: "kiln\0" */
  .word 4f - 3f           /* descsz: measured, so it follows the fields below */
  .word NT_KILN_ABI
1:
  .asciz "kiln"
2:
  .balign 4
3:
  .word KILN_PROGRAM_ABI
  .word __kiln_stubs
  .word KILN_STUB_SIZE
4:

/* The TLS block (spec/tls.md) heads the TLS image: the libc's __thread variables follow it. Its
 * bytes are written at run time (by __libc_start for the main thread, by the kernel at clone). */
  .section .tdata.kiln_tls_block,"awT",@progbits
  .balign 16
  .globl __kiln_tls_block
__kiln_tls_block:
  .zero KILN_TLS_SIZE
  .size __kiln_tls_block, KILN_TLS_SIZE
