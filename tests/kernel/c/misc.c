/* readv/writev, fcntl, dup, O_CLOEXEC across execve, pipes: EPIPE/SIGPIPE, O_NONBLOCK, blocking reader. */
#include "ksys.h"

struct iov { const void *base; unsigned len; };

int main(int argc, char **argv, char **envp) {
  (void)envp;
  if (argc > 1 && k_streq(argv[1], "check-fds")) {
    /* after execve: fd 5 was O_CLOEXEC, fd 6 was not */
    say("cloexec-closed", k_write(5, "x", 0));
    say("plain-open", k_write(6, "", 0));
    return 0;
  }
  struct iov v[3] = {{"ab", 2}, {"", 0}, {"cde\n", 4}};
  say("writev", SC(SYS_writev, 1, v, 3));
  int fd = k_open("/f", O_CREAT | O_RDWR, 0600);
  k_write(fd, "0123456789", 10);
  long long pos;
  k_llseek(fd, 0, &pos, 0);
  char a[3], b[4];
  struct iov r[2] = {{a, 3}, {b, 4}};
  say("readv", SC(SYS_readv, fd, r, 2));
  say("readv-ok", a[0] == '0' && a[2] == '2' && b[0] == '3' && b[3] == '6');
  say("readv-einval", SC(SYS_readv, fd, r, -1));
  say("getfl", SC(SYS_fcntl64, fd, F_GETFL, 0) & O_ACCMODE);
  say("dupfd", SC(SYS_fcntl64, fd, F_DUPFD, 20));
  say("getfd", SC(SYS_fcntl64, fd, F_GETFD, 0));
  say("setfd", SC(SYS_fcntl64, fd, F_SETFD, FD_CLOEXEC));
  say("getfd2", SC(SYS_fcntl64, fd, F_GETFD, 0));
  say("fcntl-einval", SC(SYS_fcntl64, fd, 999, 0));

  int p[2];
  k_pipe(p);
  say("nonblock", SC(SYS_fcntl64, p[0], F_SETFL, O_NONBLOCK));
  char c;
  say("eagain", k_read(p[0], &c, 1));
  k_close(p[0]);
  /* SIGPIPE is fatal by default; ignore it to see EPIPE */
  struct sigaction_k ign = {(void *)1, 0, {0, 0}};
  k_sigaction(13, &ign, 0);
  say("epipe", k_write(p[1], "x", 1));
  k_close(p[1]);

  /* a reader blocks until the writer child writes */
  k_pipe(p);
  int pid = k_fork();
  if (pid == 0) {
    for (volatile int i = 0; i < 50000; i++) {}
    k_write(p[1], "late", 4);
    return 0;
  }
  char buf[8];
  say("blocking-read", k_read(p[0], buf, sizeof buf));
  struct siginfo_k si;
  k_waitid(1, pid, &si, 4);

  /* O_CLOEXEC across execve */
  k_dup3(fd, 5, O_CLOEXEC);
  k_dup3(fd, 6, 0);
  pid = k_fork();
  if (pid == 0) {
    char *av[] = {"misc", "check-fds", 0};
    k_execve("/bin/misc", av, 0);
    return 99;
  }
  k_waitid(1, pid, &si, 4);
  say("exec-child", si.status);
  return 0;
}
