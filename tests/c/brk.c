/* Grows the heap with brk(2) by 64 KiB, fills and checks it, shrinks it back, prints "brk ok"
 * and exits 0. Exit status 1..4 says which step failed. Uses exit(93) rather than exit_group. */
#include "kiln_start.h"

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  char *cur = sys_brk(0);
  if ((long)cur <= 0) sys_exit(1);
  char *want = cur + 65536;
  char *got = sys_brk(want);
  if (got != want) sys_exit(2);
  for (unsigned i = 0; i < 65536; i++) cur[i] = (char)(i * 7);
  for (unsigned i = 0; i < 65536; i++)
    if (cur[i] != (char)(i * 7)) sys_exit(3);
  if (sys_brk(cur) != cur) sys_exit(4);
  kiln_puts("brk ok\n");
  sys_exit(0);
}
