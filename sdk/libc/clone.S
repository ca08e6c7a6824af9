/* __kiln_clone(fn, stack, flags, arg, ptid, tls, ctid): calls the clone slot so that the new
 * thread starts on `stack` and runs fn(arg), then leaves through the exit slot with fn's result.
 * The parent gets the slot's result (the new tid, or -1 with errno set). Program ABI p2 and later.
 *
 * The slot returns twice, to the same return address: in the parent with the tid, in the child
 * with 0 and sp = stack. So fn and arg travel on the child's stack, not in registers. */
#include "kiln.h"
#if KILN_PROGRAM_ABI >= 2
  .text
  .globl __kiln_clone
  .type __kiln_clone, @function
__kiln_clone:
  addi a1, a1, -16          /* child's stack: [fn, arg, -, -], 16-byte aligned */
  andi a1, a1, -16
  sw a0, 0(a1)
  sw a3, 4(a1)
  addi sp, sp, -16
  sw ra, 12(sp)
  mv a0, a2                 /* flags */
                            /* a1: stack */
  mv a2, a4                 /* ptid */
  mv a3, a5                 /* tls */
  mv a4, a6                 /* ctid */
  call kiln_clone
  beqz a0, 1f
  lw ra, 12(sp)             /* parent */
  addi sp, sp, 16
  ret
1:                          /* child: sp is the new stack */
  lw t0, 0(sp)
  lw a0, 4(sp)
  jalr t0
  call kiln_exit
2: j 2b
  .size __kiln_clone, .-__kiln_clone
#endif
