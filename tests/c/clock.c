/* Reads CLOCK_MONOTONIC twice with clock_gettime64 (403); exits 0 if both calls succeed and time
 * does not go backwards, else 1 (first call failed), 2 (second failed), 3 (went backwards). */
#include "kiln_start.h"

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  struct kiln_timespec64 a, b;
  if (sys_clock_gettime64(CLOCK_MONOTONIC, &a) != 0) return 1;
  for (volatile int i = 0; i < 1000; i++) {}
  if (sys_clock_gettime64(CLOCK_MONOTONIC, &b) != 0) return 2;
  if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec)) return 3;
  kiln_puts("clock ok\n");
  return 0;
}
