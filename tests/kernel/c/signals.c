/* Signals: handlers, masks, SA_SIGINFO, SA_RESETHAND, a SIGSEGV handler that skips the fault. */
#include "ksys.h"

static volatile int got, info_signo, info_code, info_pid;

static void on_usr1(int sig, struct siginfo_k *si, void *uc) {
  (void)uc;
  got = sig;
  info_signo = si->signo;
  info_code = si->code;
  info_pid = si->pid;
}

static void on_segv(int sig, struct siginfo_k *si, void *uc) {
  (void)si;
  got = sig;
  unsigned *pc = (unsigned *)((char *)uc + 160);
  *pc += 4; /* skip the faulting store */
}

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  struct sigaction_k sa = {(void *)on_usr1, SA_SIGINFO, {0, 0}};
  say("sigaction", k_sigaction(10, &sa, 0));
  say("kill", k_kill(k_getpid(), 10));
  say("got", got);
  say("si_signo", info_signo);
  say("si_code", info_code);
  say("si_pid-ok", info_pid == k_getpid());

  got = 0;
  unsigned set[2] = {1u << 9, 0}, old[2] = {7, 7};
  say("block", k_sigprocmask(0, set, old));
  say("old", (int)old[0]);
  k_kill(k_getpid(), 10);
  say("got-while-blocked", got);
  say("unblock", k_sigprocmask(1, set, 0));
  say("got-after-unblock", got);

  struct sigaction_k seg = {(void *)on_segv, SA_SIGINFO | SA_RESETHAND, {0, 0}};
  k_sigaction(11, &seg, 0);
  got = 0;
  *(volatile int *)16 = 1;
  say("segv-handled", got);
  struct sigaction_k cur;
  k_sigaction(11, 0, &cur);
  say("reset-to-default", cur.handler == 0);

  say("einval-kill-sig", k_kill(k_getpid(), 99));
  say("einval-sigkill", k_sigaction(9, &sa, 0));
  /* SIGCHLD's default is to ignore. */
  say("sigchld-ignored", k_kill(k_getpid(), 17));
  /* An unhandled SIGUSR2 terminates with 128+12 at the CLI. */
  k_kill(k_getpid(), 12);
  kiln_puts("not reached\n");
  return 0;
}
