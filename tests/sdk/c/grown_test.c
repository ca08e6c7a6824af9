/* The slots program ABI p4 added, called directly and through the SDK. Per slot it prints "ok", or
 * the error: ENOSYS where the kernel's layer routes the slot to ENOSYS (tests/sdk/grown.test.ts
 * reads which from the spec). The SDK lines must be the same on every kernel: it copes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kiln.h"

int getentropy(void *buf, size_t n);

static void report(const char *name, int r) {
  if (r != -1) printf("%s: ok\n", name);
  else printf("%s: %s\n", name, errno == ENOSYS ? "ENOSYS" : strerror(errno));
}

int main(void) {
  int fd = open("/t", O_CREAT | O_RDWR | O_TRUNC, 0644);
  write(fd, "0123456789", 10);
  char b[16];
  report("pread", kiln_pread(fd, b, 4, 2, 0) == 4 && memcmp(b, "2345", 4) == 0 ? 0 : -1);
  report("pwrite", kiln_pwrite(fd, "xy", 2, 0, 0));
  report("ftruncate", kiln_ftruncate(fd, 5, 0));
  report("fsync", kiln_fsync(fd));
  report("access", kiln_access(AT_FDCWD, "/t", R_OK));
  struct kiln_stat64 st;
  report("fstatat", kiln_fstatat(AT_FDCWD, "/t", &st, 0));
  report("symlink", kiln_symlink("/t", AT_FDCWD, "/s"));
  report("readlink", kiln_readlink(AT_FDCWD, "/s", b, sizeof b));
  report("link", kiln_link(AT_FDCWD, "/t", AT_FDCWD, "/l", 0));
  struct kiln_timespec64 ts[2] = {{1, 0}, {2, 0}};
  report("utimensat", kiln_utimensat(AT_FDCWD, "/t", ts, 0));
  unsigned char rnd[8];
  report("getrandom", kiln_getrandom(rnd, sizeof rnd, 0));
  struct kiln_utsname u;
  report("uname", kiln_uname(&u));
  report("umask", (int)kiln_umask(022));
  struct kiln_tms t;
  report("times", kiln_times(&t));
  report("isatty", kiln_isatty(fd));

  /* The SDK: the same answers everywhere (a fallback where the kernel says ENOSYS). */
  lseek(fd, 7, SEEK_SET);
  printf("sdk pread keeps the offset: %d %ld\n", (int)pread(fd, b, 2, 0), (long)lseek(fd, 0, SEEK_CUR));
  printf("sdk access: %d\n", access("/t", R_OK | W_OK));
  printf("sdk access missing: %d %s\n", access("/none", F_OK), strerror(errno));
  printf("sdk isatty of a file: %d\n", isatty(fd));
  printf("sdk getentropy: %d\n", getentropy(rnd, sizeof rnd));
  printf("sdk umask: %o %o\n", (unsigned)umask(077), (unsigned)umask(022));
  struct stat s;
  printf("sdk stat: %d %d\n", stat("/t", &s), S_ISREG(s.st_mode));
  printf("sdk fsync: %d\n", fsync(fd));
  return 0;
}
