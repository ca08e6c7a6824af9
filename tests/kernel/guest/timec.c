/* time: clock_gettime (monotonic, realtime), nanosleep advancing the deterministic clock, the
 * monotonic_ns slot, time(). */
#include <stdio.h>
#include <time.h>
#include "kiln.h"

static int64_t ns(struct kiln_timespec64 *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

int main(void) {
  struct kiln_timespec64 a, b, r;
  printf("gettime %d\n", clock_gettime(CLOCK_MONOTONIC, &a));
  printf("realtime from 2000: %d\n", clock_gettime(CLOCK_REALTIME, &r) == 0 && r.tv_sec >= 946684800 && r.tv_sec < 946684800 + 60);
  printf("time() agrees %d\n", (int64_t)time(0) == r.tv_sec);
  uint64_t m0 = kiln_monotonic_ns();
  struct kiln_timespec64 req = {2, 500000000};
  printf("nanosleep %d\n", nanosleep(&req, NULL));
  clock_gettime(CLOCK_MONOTONIC, &b);
  uint64_t m1 = kiln_monotonic_ns();
  int64_t slept = ns(&b) - ns(&a);
  printf("slept >= 2.5 s %d, < 2.51 s %d\n", slept >= 2500000000LL, slept < 2510000000LL);
  printf("monotonic_ns follows %d %d\n", m0 >= (uint64_t)ns(&a), m1 - m0 >= 2500000000ULL && m1 >= (uint64_t)ns(&b));
  printf("bad clock %d\n", clock_gettime(99, &a));
  req.tv_nsec = 2000000000;
  printf("bad nsec %d\n", nanosleep(&req, NULL));
  return 0;
}
