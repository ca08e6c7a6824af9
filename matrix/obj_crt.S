/* The dlopen object's stub region and ABI note (as sdk/crt0.S, without _start). */
#include "kiln.h"
  .section .kiln.stubs,"aw",@nobits
  .balign STUB_ALIGN
__kiln_stub_table:
  .zero KILN_STUB_SIZE

  .section .note.kiln.abi,"a",@note
  .balign 4
  .word 2f - 1f
  .word 4f - 3f
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
