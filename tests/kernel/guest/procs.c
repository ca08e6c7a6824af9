/* procs: a parent and child joined by a pipe through fork, execve and waitid; process groups.
 * argv[1] == "child" is the exec'd image: it reads stdin (the pipe) and echoes it upper-cased. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kiln.h"

static int child_main(void) {
  char buf[128];
  int n, total = 0;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    for (int i = 0; i < n; i++) buf[i] = toupper((unsigned char)buf[i]);
    write(1, buf, n);
    total += n;
  }
  return total;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) return child_main();
  printf("ppid of init %d\n", getppid());
  int in[2], out[2];
  pipe2(in, O_CLOEXEC);
  pipe2(out, O_CLOEXEC);
  int pid = fork();
  if (pid == 0) {
    dup3(in[0], 0, 0);
    dup3(out[1], 1, 0);
    char *args[] = {"procs", "child", NULL};
    char *env[] = {NULL};
    execve("/bin/procs", args, env);
    _exit(99);
  }
  close(in[0]);
  close(out[1]);
  write(in[1], "hello through exec\n", 19);
  close(in[1]);
  char buf[128];
  int n = read(out[0], buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  printf("child said: %s", buf);
  struct kiln_siginfo si;
  memset(&si, 0, sizeof si);
  int r = kiln_waitid(P_PID, pid, &si, WEXITED);
  printf("waitid %d signo %d code %d pid-ok %d status %d\n", r, (int)si.si_signo, (int)si.si_code, si.si_pid == pid, (int)si.si_status);
  r = kiln_waitid(P_PID, pid, &si, WEXITED);
  printf("waitid again %d errno %d\n", r, errno);

  /* Process groups: two children in a new group, killed together. */
  int g1 = fork();
  if (g1 == 0) {
    kiln_setpgid(0, 0);
    for (;;) kiln_nanosleep(&(struct kiln_timespec64){1, 0}, NULL);
  }
  kiln_setpgid(g1, g1);
  int g2 = fork();
  if (g2 == 0) {
    for (;;) kiln_nanosleep(&(struct kiln_timespec64){1, 0}, NULL);
  }
  printf("setpgid %d\n", kiln_setpgid(g2, g1));
  printf("groups: g1 leads %d, g2 joined %d, parent apart %d\n", kiln_getpgid(g1) == g1, kiln_getpgid(g2) == g1, kiln_getpgid(0) != g1);
  printf("kill group %d\n", kill(-g1, SIGTERM));
  for (int i = 0; i < 2; i++) {
    memset(&si, 0, sizeof si);
    kiln_waitid(P_PGID, g1, &si, WEXITED);
    printf("reaped: code %d status %d\n", (int)si.si_code, (int)si.si_status);
  }
  int st;
  int w = fork();
  if (w == 0) _exit(3);
  waitpid(w, &st, 0);
  printf("waitpid exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));
  r = kiln_waitid(P_ALL, 0, &si, WEXITED);
  printf("no children %d errno %d\n", r, errno);
  return 0;
}
