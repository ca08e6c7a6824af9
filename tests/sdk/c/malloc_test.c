/* malloc, calloc, realloc, free: alignment, contents kept by realloc, reuse after free, large
 * blocks, many small blocks. Prints one line per check. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static void check(const char *what, int ok) {
  printf("%s: %s\n", what, ok ? "ok" : "FAIL");
  if (!ok) failures++;
}

int main(void) {
  char *p = malloc(10);
  check("malloc small", p != NULL && ((uintptr_t)p & 7) == 0);
  strcpy(p, "123456789");
  p = realloc(p, 5000);
  check("realloc grows and keeps data", p && strcmp(p, "123456789") == 0);
  p = realloc(p, 3);
  check("realloc shrinks in place", p && memcmp(p, "123", 3) == 0);
  free(p);

  int *z = calloc(1000, sizeof(int));
  int zero = 1;
  for (int i = 0; i < 1000; i++) zero &= z[i] == 0;
  check("calloc zeroes", z && zero);
  free(z);

  void *a = malloc(100);
  free(a);
  void *b = malloc(100);
  check("free then malloc reuses the block", a == b);
  free(b);

  char *big = malloc(1 << 20);
  check("malloc 1 MiB", big != NULL);
  memset(big, 0x5a, 1 << 20);
  check("1 MiB writable", big[0] == 0x5a && big[(1 << 20) - 1] == 0x5a);
  free(big);

  enum { N = 2000 };
  static char *blocks[N];
  int ok = 1;
  for (int i = 0; i < N; i++) {
    blocks[i] = malloc((size_t)(i % 97) + 1);
    if (!blocks[i]) ok = 0;
    else memset(blocks[i], i & 0xff, (size_t)(i % 97) + 1);
  }
  for (int i = 0; i < N; i++)
    for (int k = 0; k <= i % 97; k++) ok &= (unsigned char)blocks[i][k] == (i & 0xff);
  check("2000 small blocks keep their contents", ok);
  for (int i = 0; i < N; i += 2) free(blocks[i]);
  for (int i = 0; i < N; i += 2) blocks[i] = malloc(64);
  ok = 1;
  for (int i = 0; i < N; i++) ok &= blocks[i] != NULL;
  check("refill after freeing half", ok);
  for (int i = 0; i < N; i++) free(blocks[i]);

  char *r = NULL;
  for (int i = 1; i <= 300; i++) {
    r = realloc(r, (size_t)i * 100);
    r[i * 100 - 1] = (char)i;
  }
  ok = 1;
  for (int i = 1; i <= 300; i++) ok &= r[i * 100 - 1] == (char)i;
  check("realloc chain to 30000 bytes", ok);
  free(r);
  free(NULL);
  check("free(NULL)", 1);
  printf("%d failures\n", failures);
  return failures;
}
