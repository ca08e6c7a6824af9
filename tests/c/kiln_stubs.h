/* Gives a C program kiln's stub region and ABI note. Link with tests/c/kiln.ld.
 *
 *   KILN_PROGRAM_ABI(1, 1)   -- program ABI p1, one 4 KiB page of stub slots
 *
 * Emits `.kiln.stubs` (NOBITS, "aw", 4096-aligned, pages * 4096 bytes, symbol kiln_stubs) and the
 * note `.note.kiln.abi` (owner "kiln", type 1, desc { abi, kiln_stubs, pages * 4096 }).
 * Use in exactly one translation unit. Slots are reached through `kiln_stubs`. */
#ifndef KILN_STUBS_H
#define KILN_STUBS_H

#define KILN_STR_(x) #x
#define KILN_STR(x) KILN_STR_(x)

#define KILN_PROGRAM_ABI(abi, pages)                                        \
  __asm__(".section .kiln.stubs,\"aw\",@nobits\n"                           \
          ".balign 4096\n"                                                  \
          ".globl kiln_stubs\n"                                             \
          ".type kiln_stubs, @object\n"                                     \
          "kiln_stubs:\n"                                                   \
          ".zero " KILN_STR(pages) " * 4096\n"                              \
          ".size kiln_stubs, " KILN_STR(pages) " * 4096\n"                  \
          ".section .note.kiln.abi,\"a\",@note\n"                           \
          ".balign 4\n"                                                     \
          ".word 5\n"                                                       \
          ".word 12\n"                                                      \
          ".word 1\n"                                                       \
          ".asciz \"kiln\"\n"                                               \
          ".balign 4\n"                                                     \
          ".word " KILN_STR(abi) "\n"                                       \
          ".word kiln_stubs\n"                                              \
          ".word " KILN_STR(pages) " * 4096\n"                              \
          ".text\n")

extern char kiln_stubs[];

#endif
