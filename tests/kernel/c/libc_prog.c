#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/utsname.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  printf("hello from musl: argc=%d %s %.3f %lld\n", argc, "str", 3.14159, 1LL << 40);
  struct utsname u; uname(&u); printf("uname: %s %s\n", u.sysname, u.machine);
  mkdir("dir", 0755);
  const char *names[] = {"pear", "apple", "fig", "banana", "cherry"};
  for (int i = 0; i < 5; i++) {
    char p[64]; snprintf(p, sizeof p, "dir/%s", names[i]);
    FILE *f = fopen(p, "w"); if (!f) { perror("fopen"); return 1; }
    fprintf(f, "%s has %zu letters\n", names[i], strlen(names[i])); fclose(f);
  }
  DIR *d = opendir("dir"); if (!d) { perror("opendir"); return 1; }
  char *list[16]; int n = 0; struct dirent *e;
  while ((e = readdir(d))) if (e->d_name[0] != '.') list[n++] = strdup(e->d_name);
  closedir(d);
  qsort(list, n, sizeof *list, cmp);
  for (int i = 0; i < n; i++) {
    char p[64], line[64]; snprintf(p, sizeof p, "dir/%s", list[i]);
    FILE *f = fopen(p, "r"); fgets(line, sizeof line, f); fclose(f);
    printf("%d %s", i, line); unlink(p); free(list[i]);
  }
  printf("rmdir: %d\n", rmdir("dir"));
  printf("missing: %s\n", fopen("nope", "r") ? "?" : strerror(errno));
  int fd = open("lockfile", O_RDWR | O_CREAT, 0644);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  printf("lock: %d\n", fcntl(fd, F_SETLK, &fl));
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
    int r = fcntl(fd, F_SETLK, &q);
    printf("child lock: %d (%s)\n", r, r ? strerror(errno) : "ok");
    fflush(stdout);
    _exit(3);
  }
  int st; waitpid(pid, &st, 0);
  printf("child exit %d\n", WEXITSTATUS(st));
  printf("fsync %d ftruncate %d\n", fsync(fd), ftruncate(fd, 4096));
  struct stat sb; fstat(fd, &sb); printf("size %lld\n", (long long)sb.st_size);
  close(fd);
  int p[2]; pipe(p);
  struct pollfd pf = {p[0], POLLIN, 0};
  printf("poll empty: %d\n", poll(&pf, 1, 10));
  write(p[1], "x", 1);
  printf("poll data: %d %d\n", poll(&pf, 1, -1), pf.revents);
  char *env = getenv("HOME"); printf("HOME %s\n", env ? env : "(unset)");
  printf("isatty(1): %d\n", isatty(1));
  double x = strtod("2.5e3", 0); printf("strtod %g\n", x);
  return 42;
}
