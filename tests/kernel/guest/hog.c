/* hog: allocates and touches 1 MiB blocks without checking for failure; reports each MiB on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  for (int mib = 1;; mib++) {
    char *p = malloc(1 << 20);
    memset(p, 1, 1 << 20);
    char msg[32];
    int n = snprintf(msg, sizeof msg, "%d\n", mib);
    write(1, msg, n);
  }
}
