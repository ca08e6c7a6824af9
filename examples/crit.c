/* crit: critical sections and signals. Program ABI: p2 (crit_enter/crit_leave).
 * Raises SIGUSR1 to itself inside crit_enter()/crit_leave(): the handler must not run inside the
 * section, and must run exactly once, right after crit_leave(). Then raises it once more outside a
 * section, where it is delivered at once. Exit status 0 when every check held. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "kiln.h"

static volatile int delivered;

static void on_usr1(int sig) {
  (void)sig;
  delivered++;
}

int main(void) {
  struct kiln_sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = (void *)on_usr1;
  if (kiln_sigaction(SIGUSR1, &sa, NULL) < 0) {
    perror("sigaction");
    return 1;
  }
  int ok = 1;
  kiln_crit_enter();
  raise(SIGUSR1);
  int inside = delivered;
  kiln_crit_leave();
  int after = delivered;
  printf("inside critical section: delivered %d\n", inside);
  printf("after crit_leave: delivered %d\n", after);
  ok &= inside == 0 && after == 1;
  raise(SIGUSR1);
  printf("outside a section: delivered %d\n", delivered);
  ok &= delivered == 2;
  printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
