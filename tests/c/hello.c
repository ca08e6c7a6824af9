/* Prints a greeting with write(2) and exits 0. */
#include "kiln_start.h"

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  static const char msg[] = "hello, world\n";
  sys_write(1, msg, sizeof msg - 1);
  return 0;
}
