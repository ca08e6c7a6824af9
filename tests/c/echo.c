/* Copies stdin to stdout until end of file, then exits 0 (1 on a read or write error). */
#include "kiln_start.h"

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  static char buf[256];
  for (;;) {
    ssize_t n = sys_read(0, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) return 1;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = sys_write(1, buf + off, (size_t)(n - off));
      if (w <= 0) return 1;
      off += w;
    }
  }
}
