/* Prints argc, then each argument and each environment string on its own line; exits argc. */
#include "kiln_start.h"

int main(int argc, char **argv, char **envp) {
  kiln_putu((unsigned)argc);
  kiln_puts("\n");
  for (int i = 0; i < argc; i++) {
    kiln_puts(argv[i]);
    kiln_puts("\n");
  }
  for (char **e = envp; *e; e++) {
    kiln_puts(*e);
    kiln_puts("\n");
  }
  return argc;
}
