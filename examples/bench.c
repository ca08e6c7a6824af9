/* bench: a CPU benchmark mixing sorting, matrix multiplication and CRC-32. Program ABI: p1.
 *   bench [SCALE]   (default 1; work grows linearly with SCALE)
 * Prints one checksum per kernel and a combined one; the output depends only on SCALE, so it is
 * the same on every kernel ABI. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Sorts N pseudo-random words with qsort and a hand-written merge sort; checks both agree. */
static uint32_t bench_sort(int n) {
  uint32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *tmp = malloc(n * sizeof *tmp);
  for (int i = 0; i < n; i++) a[i] = b[i] = next();
  qsort(a, (size_t)n, sizeof *a, cmp_u32);
  for (int width = 1; width < n; width *= 2) {
    for (int lo = 0; lo < n; lo += 2 * width) {
      int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = b[i] <= b[j] ? b[i++] : b[j++];
      while (i < mid) tmp[k++] = b[i++];
      while (j < hi) tmp[k++] = b[j++];
    }
    uint32_t *t = b;
    b = tmp;
    tmp = t;
  }
  uint32_t sum = 0;
  for (int i = 0; i < n; i++) {
    if (a[i] != b[i]) return 0xdeadbeef;
    sum = sum * 31 + a[i];
  }
  free(a), free(b), free(tmp);
  return sum;
}

/* C = A x B for N x N int matrices. */
static uint32_t bench_matmul(int n) {
  int32_t *a = malloc(n * n * 4), *b = malloc(n * n * 4), *c = calloc((size_t)(n * n), 4);
  for (int i = 0; i < n * n; i++) a[i] = (int32_t)(next() % 1000) - 500, b[i] = (int32_t)(next() % 1000) - 500;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n; k++) {
      int32_t x = a[i * n + k];
      for (int j = 0; j < n; j++) c[i * n + j] += x * b[k * n + j];
    }
  uint32_t sum = 0;
  for (int i = 0; i < n * n; i++) sum = sum * 33 + (uint32_t)c[i];
  free(a), free(b), free(c);
  return sum;
}

/* CRC-32 (IEEE, table driven) over LEN bytes, ROUNDS times. */
static uint32_t bench_crc(int len, int rounds) {
  static uint32_t table[256];
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  uint8_t *buf = malloc((size_t)len);
  for (int i = 0; i < len; i++) buf[i] = (uint8_t)next();
  uint32_t crc = 0;
  for (int r = 0; r < rounds; r++) {
    uint32_t c = 0xffffffffu ^ crc;
    for (int i = 0; i < len; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
    crc = c ^ 0xffffffffu;
  }
  free(buf);
  return crc;
}

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  if (scale < 1) scale = 1;
  uint32_t s = bench_sort(20000 * scale);
  uint32_t m = bench_matmul(64 + 16 * (scale - 1));
  uint32_t c = bench_crc(65536, 4 * scale);
  printf("sort   %08x\n", s);
  printf("matmul %08x\n", m);
  printf("crc32  %08x\n", c);
  printf("checksum %08x\n", s ^ (m * 3) ^ (c * 7));
  return 0;
}
