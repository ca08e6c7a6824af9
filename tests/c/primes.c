/* Counts the primes below 10000 with trial division (exercises the M extension), prints the
 * count ("1229") and exits with status count % 256 (= 205). */
#include "kiln_start.h"

static int is_prime(unsigned n) {
  if (n < 2) return 0;
  for (unsigned d = 2; d * d <= n; d++)
    if (n % d == 0) return 0;
  return 1;
}

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  unsigned count = 0;
  for (unsigned n = 0; n < 10000; n++) count += is_prime(n);
  kiln_putu(count);
  kiln_puts("\n");
  return (int)(count % 256);
}
