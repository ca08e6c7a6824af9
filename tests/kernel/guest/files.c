/* files: every file call through the layer, exact values. Program ABI p2 (fstat and fstat64). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kiln.h"

static void list(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY, 0);
  char buf[512];
  int n, total = 0;
  printf("ls %s:", dir);
  while ((n = kiln_getdents64(fd, (struct kiln_dirent64 *)buf, sizeof buf)) > 0) {
    for (int off = 0; off < n;) {
      struct kiln_dirent64 *d = (struct kiln_dirent64 *)(buf + off);
      printf(" %s(%d)", d->d_name, d->d_type);
      off += d->d_reclen;
      total++;
    }
  }
  printf(" [%d entries, end %d]\n", total, n);
  close(fd);
}

int main(void) {
  char cwd[128];
  printf("mkdir %d\n", mkdir("/w", 0755));
  printf("mkdir again %d errno %d\n", mkdir("/w", 0755), errno);
  printf("chdir %d\n", chdir("/w"));
  printf("getcwd %s\n", getcwd(cwd, sizeof cwd));
  int fd = open("f.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  printf("open %d\n", fd);
  printf("write %d\n", (int)write(fd, "hello world\n", 12));
  printf("lseek end %d\n", (int)lseek(fd, 0, SEEK_END));
  printf("lseek set %d\n", (int)lseek(fd, 6, SEEK_SET));
  char b[64];
  int n = read(fd, b, sizeof b);
  b[n] = 0;
  printf("read %d %s", n, b);
  printf("read at eof %d\n", (int)read(fd, b, sizeof b));
  struct kiln_stat s1;
  struct kiln_stat64 s2;
  printf("fstat %d fstat64 %d\n", kiln_fstat(fd, &s1), kiln_fstat64(fd, &s2));
  printf("stat size %d mode %o nlink %u blksize %d blocks %d\n", (int)s1.st_size, s1.st_mode, s1.st_nlink, (int)s1.st_blksize, (int)s1.st_blocks);
  printf("stat64 size %lld mode %o nlink %u blksize %d blocks %lld\n", (long long)s2.st_size, s2.st_mode, s2.st_nlink, (int)s2.st_blksize, (long long)s2.st_blocks);
  printf("same ino %d, mtime %d, mtime agrees %d\n", s1.st_ino == s2.st_ino, s2.st_mtime >= 946684800, (long long)s1.st_mtime == s2.st_mtime);
  /* dup / dup3 share the offset; fcntl flags. */
  int d1 = dup(fd);
  printf("dup %d lseek via dup %d, original now %d\n", d1, (int)lseek(d1, 2, SEEK_SET), (int)lseek(fd, 0, SEEK_CUR));
  printf("dup3 %d\n", dup3(fd, 9, O_CLOEXEC));
  printf("F_GETFD 9: %d, F_GETFD dup: %d\n", fcntl(9, F_GETFD, 0), fcntl(d1, F_GETFD, 0));
  printf("F_GETFL %d\n", fcntl(fd, F_GETFL, 0) & 3);
  printf("F_SETFL append %d, F_GETFL has append %d\n", fcntl(fd, F_SETFL, O_APPEND), (fcntl(fd, F_GETFL, 0) & O_APPEND) != 0);
  write(fd, "tail\n", 5);
  printf("after append size %d\n", (int)lseek(fd, 0, SEEK_END));
  printf("F_DUPFD >= 20: %d\n", fcntl(fd, F_DUPFD, 20));
  printf("dup3 same fd %d errno %d\n", dup3(fd, fd, 0), errno);
  printf("close 9 %d, close 9 again %d errno %d\n", close(9), close(9), errno);
  close(d1);
  close(20);
  close(fd);
  /* A directory tree, renames, unlinks. */
  printf("mkdir sub %d\n", mkdir("sub", 0700));
  fd = open("sub/g.txt", O_CREAT | O_WRONLY, 0600);
  write(fd, "g", 1);
  close(fd);
  printf("rename %d\n", kiln_renameat(AT_FDCWD, "f.txt", AT_FDCWD, "sub/h.txt"));
  printf("open old name %d errno %d\n", open("f.txt", O_RDONLY, 0), errno);
  list("/w/sub");
  printf("rmdir non-empty %d errno %d\n", kiln_unlinkat(AT_FDCWD, "sub", AT_REMOVEDIR), errno);
  printf("unlink dir %d errno %d\n", kiln_unlinkat(AT_FDCWD, "sub", 0), errno);
  printf("unlink %d %d\n", unlink("sub/g.txt"), unlink("sub/h.txt"));
  printf("rmdir %d\n", rmdir("sub"));
  list(".");
  printf("chdir .. %d getcwd %s\n", chdir(".."), getcwd(cwd, sizeof cwd));
  printf("chdir file %d errno %d\n", chdir("/w/none"), errno);
  /* pipe2 */
  int p[2];
  printf("pipe2 %d\n", pipe2(p, O_CLOEXEC));
  write(p[1], "through the pipe", 16);
  n = read(p[0], b, sizeof b);
  b[n] = 0;
  printf("pipe read %d %s, cloexec %d\n", n, b, fcntl(p[0], F_GETFD, 0));
  printf("lseek pipe %d errno %d\n", (int)lseek(p[0], 0, SEEK_SET), errno);
  struct kiln_stat64 ps;
  kiln_fstat64(p[0], &ps);
  printf("pipe is fifo %d\n", (ps.st_mode & S_IFMT) == S_IFIFO);
  write(p[1], "abc", 3);
  kiln_fstat64(p[0], &ps);
  printf("pipe with 3 bytes: st_size %lld\n", (long long)ps.st_size);
  close(p[1]);
  printf("read after writer closed %d then %d\n", (int)read(p[0], b, sizeof b), (int)read(p[0], b, sizeof b));
  printf("bad fd read %d errno %d\n", (int)read(42, b, 1), errno);
  return 0;
}
