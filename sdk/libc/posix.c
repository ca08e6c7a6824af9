/* POSIX calls that need more than a forward to one slot: dup2, getcwd, execvp, waitpid, stat by
 * path, directories, signal, raise. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int dup2(int oldfd, int newfd) {
  if (oldfd == newfd) return kiln_fcntl(oldfd, F_GETFD, 0) < 0 ? -1 : newfd;
  return kiln_dup3(oldfd, newfd, 0);
}

char *getcwd(char *buf, size_t size) { return kiln_getcwd(buf, size) < 0 ? NULL : buf; }

/* execvp: a name without '/' is looked up in /bin. */
int execvp(const char *file, char *const argv[]) {
  if (strchr(file, '/')) return execve(file, argv, environ);
  char path[256];
  size_t n = strlen(file);
  if (n + 6 > sizeof path) return errno = ENAMETOOLONG, -1;
  memcpy(path, "/bin/", 5);
  memcpy(path + 5, file, n + 1);
  return execve(path, argv, environ);
}

int waitpid(int pid, int *status, int options) {
  struct kiln_siginfo info;
  memset(&info, 0, sizeof info);
  int idtype = pid > 0 ? P_PID : pid == -1 ? P_ALL : P_PGID;
  int id = pid > 0 ? pid : pid == -1 ? 0 : -pid;
  if (kiln_waitid(idtype, id, &info, (unsigned)(options | WEXITED)) < 0) return -1;
  if (info.si_pid == 0) return 0; /* WNOHANG and nobody ready */
  if (status) *status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : (info.si_status & 0x7f);
  return info.si_pid;
}

int kiln_stat_path(const char *path, struct stat *st) {
  int fd = open(path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return -1;
  int r = fstat(fd, st);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

struct kiln_dir {
  int fd;
  int pos, len;
  unsigned char buf[2048] __attribute__((aligned(8)));
};

DIR *opendir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) return NULL;
  DIR *d = malloc(sizeof *d);
  if (!d) {
    close(fd);
    return NULL;
  }
  d->fd = fd;
  d->pos = d->len = 0;
  return d;
}

struct dirent *readdir(DIR *d) {
  if (d->pos >= d->len) {
    int n = kiln_getdents64(d->fd, (struct kiln_dirent64 *)d->buf, sizeof d->buf);
    if (n <= 0) return NULL;
    d->pos = 0;
    d->len = n;
  }
  struct dirent *e = (struct dirent *)(d->buf + d->pos);
  d->pos += e->d_reclen;
  return e;
}

int closedir(DIR *d) {
  int r = close(d->fd);
  free(d);
  return r;
}

sighandler_t signal(int sig, sighandler_t handler) {
  struct kiln_sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = (void *)handler;
  sa.sa_flags = SA_RESTART;
  if (kiln_sigaction(sig, &sa, &old) < 0) return SIG_ERR;
  return (sighandler_t)old.sa_handler;
}

int raise(int sig) {
#if KILN_PROGRAM_ABI >= 2
  return kiln_tgkill(kiln_getpid(), kiln_gettid(), sig);
#else
  return kiln_kill(kiln_getpid(), sig);
#endif
}
