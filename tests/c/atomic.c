/* Exercises the A extension (amoadd.w, amoswap.w, lr.w/sc.w via compare-exchange) and exits 42
 * on success, 1..3 on failure. */
#include "kiln_start.h"

static volatile int counter;

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  for (int i = 0; i < 40; i++) __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
  if (__atomic_exchange_n(&counter, 41, __ATOMIC_SEQ_CST) != 40) return 1;
  int expected = 41;
  if (!__atomic_compare_exchange_n(&counter, &expected, 42, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return 2;
  if (counter != 42) return 3;
  return counter;
}
