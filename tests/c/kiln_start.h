/* Program entry for kiln's C test programs. Include in exactly one translation unit, which
 * defines `int main(int argc, char **argv, char **envp)`.
 * Expects the Linux initial stack: sp -> argc, argv[0..argc-1], NULL, envp..., NULL, auxv.
 * Sets gp (the linker relaxes accesses against __global_pointer$), calls main, then exit_group. */
#ifndef KILN_START_H
#define KILN_START_H
#include "kiln_sys.h"

int main(int argc, char **argv, char **envp);

__attribute__((used, noreturn)) static void kiln_cstart(long *sp) {
  int argc = (int)sp[0];
  char **argv = (char **)(sp + 1);
  char **envp = argv + argc + 1;
  sys_exit_group(main(argc, argv, envp));
}

__asm__(
    ".section .text._start,\"ax\",@progbits\n"
    ".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    ".option push\n"
    ".option norelax\n"
    "  la gp, __global_pointer$\n"
    ".option pop\n"
    "  mv a0, sp\n"
    "  andi sp, sp, -16\n"
    "  call kiln_cstart\n"
    ".size _start, .-_start\n"
    ".text\n");

#endif
