/* Number parsing, qsort, abs. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

unsigned long long strtoull(const char *s, char **end, int base) {
  const char *p = s;
  while (isspace(*p)) p++;
  int neg = 0;
  if (*p == '+' || *p == '-') neg = *p++ == '-';
  if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' && isxdigit(p[2])) p += 2, base = 16;
  else if (base == 0) base = p[0] == '0' ? 8 : 10;
  unsigned long long v = 0;
  const char *start = p;
  for (;; p++) {
    int d = isdigit(*p) ? *p - '0' : isalpha(*p) ? (*p | 32) - 'a' + 10 : 99;
    if (d >= base) break;
    v = v * (unsigned)base + (unsigned)d;
  }
  if (end) *end = (char *)(p == start ? s : p);
  return neg ? -v : v;
}

long long strtoll(const char *s, char **end, int base) { return (long long)strtoull(s, end, base); }

unsigned long strtoul(const char *s, char **end, int base) { return (unsigned long)strtoull(s, end, base); }

long strtol(const char *s, char **end, int base) {
  long long v = strtoll(s, end, base);
  if (v > LONG_MAX) return errno = ERANGE, LONG_MAX;
  if (v < LONG_MIN) return errno = ERANGE, LONG_MIN;
  return (long)v;
}

int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }

static void swap(char *a, char *b, size_t size) {
  while (size--) {
    char t = *a;
    *a++ = *b;
    *b++ = t;
  }
}

/* Heap sort: O(n log n) worst case, no recursion, no allocation (not stable). */
static void sift(char *base, size_t root, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0) child++;
    if (cmp(base + root * size, base + child * size) >= 0) return;
    swap(base + root * size, base + child * size, size);
    root = child;
  }
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  char *b = base;
  if (n < 2) return;
  for (size_t i = n / 2; i-- > 0;) sift(b, i, n, size, cmp);
  for (size_t end = n - 1; end > 0; end--) {
    swap(b, b + end * size, size);
    sift(b, 0, end, size, cmp);
  }
}
