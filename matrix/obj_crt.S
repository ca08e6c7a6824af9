/* The dlopen object's stub region and ABI note (as sdk/crt0.S, without _start). */
#include "kiln.h"
  .section .kiln.stubs,"aw",@nobits
  .balign 4096
__kiln_stub_table:
  .zero KILN_STUB_SIZE

  .section .note.kiln.abi,"a",@note
  .balign 4
  .word 5
  .word 12
  .word NT_KILN_ABI
  .asciz "kiln"
  .balign 4
  .word KILN_PROGRAM_ABI
  .word __kiln_stubs
  .word KILN_STUB_SIZE
