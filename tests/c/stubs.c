/* A program that carries the stub region and ABI note (p1, one page) but still traps directly:
 * it checks that the loader left the stub region's address where the note says, prints
 * "stubs ok" and exits 0. Built with kiln.ld. */
#include "kiln_start.h"
#include "kiln_stubs.h"

KILN_PROGRAM_ABI(1, 1);

static volatile int checks = 1; /* something in .data, so the data PT_LOAD is not empty */
static char scratch[64];         /* and in .bss */

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  if (((unsigned long)kiln_stubs & 4095) != 0) return 1;
  scratch[0] = (char)checks;
  if (scratch[0] != 1) return 2;
  kiln_puts("stubs ok\n");
  return 0;
}
