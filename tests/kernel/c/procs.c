/* fork (clone), pipes, waitid, execve, kill, process groups. */
#include "ksys.h"

int main(int argc, char **argv, char **envp) {
  (void)envp;
  if (argc > 1 && k_streq(argv[1], "child")) {
    kiln_puts("exec'd child: ");
    kiln_puts(argv[2]);
    kiln_puts("\n");
    return 33;
  }
  say("pid", k_getpid());
  say("ppid", k_getppid());
  int fds[2];
  say("pipe", k_pipe(fds));
  int pid = k_fork();
  if (pid == 0) {
    k_close(fds[0]);
    say("child-pid", k_getpid());
    say("child-ppid", k_getppid());
    k_write(fds[1], "from child", 10);
    return 5;
  }
  say("fork", pid);
  k_close(fds[1]);
  char buf[64];
  int n, total = 0;
  while ((n = k_read(fds[0], buf + total, sizeof buf - total)) > 0) total += n;
  k_write(1, buf, total);
  kiln_puts("\n");
  struct siginfo_k si;
  say("waitid", k_waitid(P_PID, pid, &si, WEXITED));
  say("si_pid-ok", si.pid == pid);
  say("si_code", si.code);
  say("si_status", si.status);
  say("echild", k_waitid(0, 0, &si, 4));

  /* execve in a child */
  pid = k_fork();
  if (pid == 0) {
    char *av[] = {"procs", "child", "hi", 0};
    char *ev[] = {0};
    k_execve("/bin/procs", av, ev);
    return 99;
  }
  k_waitid(1, pid, &si, 4);
  say("exec-status", si.status);

  /* a child killed by a signal */
  pid = k_fork();
  if (pid == 0) {
    for (;;) {}
  }
  say("kill", k_kill(pid, 15));
  k_waitid(1, pid, &si, 4);
  say("killed-code", si.code);
  say("killed-sig", si.status);

  /* a child that faults */
  pid = k_fork();
  if (pid == 0) {
    *(volatile int *)16 = 1;
    return 0;
  }
  k_waitid(1, pid, &si, 4);
  say("segv-code", si.code);
  say("segv-sig", si.status);

  /* WNOHANG with a running child */
  pid = k_fork();
  if (pid == 0) {
    for (volatile int i = 0; i < 100000; i++) {}
    return 1;
  }
  si.pid = 123;
  say("wnohang", k_waitid(1, pid, &si, 4 | 1));
  say("wnohang-pid", si.pid);
  say("setpgid", SC(SYS_setpgid, pid, pid));
  say("getpgid-ok", SC(SYS_getpgid, pid) == pid);
  k_waitid(1, pid, &si, 4);
  say("late-status", si.status);
  say("esrch", k_kill(pid, 15));
  return 0;
}
