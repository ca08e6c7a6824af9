/* signals: sigaction, sigprocmask, kill, SIGCHLD, a SIGSEGV handler that recovers, and a signal
 * raised inside a critical section delivered exactly once when it ends (k1: the layer's sigprocmask
 * emulation; k2/k3: the shared page's critical-section word). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kiln.h"

static volatile int usr1, usr2, chld, segv, chld_pid;
static char *volatile ro;

static void on_usr1(int s) { (void)s; usr1++; }
static void on_usr2(int s) { (void)s; usr2++; }
static void on_chld(int s, struct kiln_siginfo *si, void *uc) { (void)s; (void)uc; chld++; chld_pid = si->si_pid; }
static void on_segv(int s, struct kiln_siginfo *si, void *uc) {
  (void)s; (void)uc;
  segv++;
  /* si_addr shares its offset with si_pid (the union of Linux siginfo). */
  if ((char *)(uintptr_t)si->si_pid == ro + 8) kiln_mprotect(ro, 4096, PROT_READ | PROT_WRITE);
  else _exit(70);
}

static void handle(int sig, void *fn, unsigned flags) {
  struct kiln_sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  kiln_sigaction(sig, &sa, NULL);
}

int main(void) {
  handle(SIGUSR1, (void *)on_usr1, 0);
  handle(SIGUSR2, (void *)on_usr2, 0);
  struct kiln_sigaction old;
  kiln_sigaction(SIGUSR1, NULL, &old);
  printf("sigaction reads back %d\n", old.sa_handler == (void *)on_usr1);
  printf("kill self %d, delivered %d\n", kill(getpid(), SIGUSR1), usr1);

  sigset_t set, prev;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, &prev);
  kill(getpid(), SIGUSR2);
  kill(getpid(), SIGUSR2);
  printf("blocked: delivered %d\n", usr2);
  sigprocmask(SIG_SETMASK, &prev, NULL);
  printf("unblocked: delivered %d (merged)\n", usr2);
  int r = kill(getpid(), 77);
  printf("bad signal %d errno %d\n", r, errno);

  handle(SIGCHLD, (void *)on_chld, SA_SIGINFO);
  int pid = fork();
  if (pid == 0) _exit(5);
  int st;
  waitpid(pid, &st, 0);
  printf("SIGCHLD %d from child %d, status %d\n", chld, chld_pid == pid, WEXITSTATUS(st));

  handle(SIGSEGV, (void *)on_segv, SA_SIGINFO);
  ro = kiln_mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  *(volatile char *)(ro + 8) = 'x';
  printf("SIGSEGV recovered: %d, value %c\n", segv, ro[8]);

  /* A signal raised inside a critical section: not delivered until it ends, then exactly once. */
  usr1 = 0;
  kiln_crit_enter();
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  int inside = usr1;
  kiln_crit_leave();
  int after = usr1;
  kill(getpid(), SIGUSR1);
  printf("crit: inside %d, after leave %d, later %d\n", inside, after, usr1);
  /* Nested use: a second section with nothing pending delivers nothing. */
  kiln_crit_enter();
  kiln_crit_leave();
  printf("crit empty section: %d\n", usr1);
  return 0;
}
