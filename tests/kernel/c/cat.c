/* cat FILE...: copies each file to stdout; exits with the negated errno of the first failure. */
#include "ksys.h"

int main(int argc, char **argv, char **envp) {
  (void)envp;
  char buf[512];
  for (int i = 1; i < argc; i++) {
    int fd = k_open(argv[i], O_RDONLY, 0);
    if (fd < 0) return -fd;
    int n;
    while ((n = k_read(fd, buf, sizeof buf)) > 0) k_write(1, buf, n);
    if (n < 0) return -n;
    k_close(fd);
  }
  return 0;
}
