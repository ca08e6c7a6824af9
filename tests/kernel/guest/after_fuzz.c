/* after_fuzz: a well-formed program run in a kernel instance that has just been fuzzed. A parent
 * and child joined by a pipe through fork and waitid, a file written and read back, a directory
 * listing. Exact output; exit status 0. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int fds[2];
  if (pipe(fds) != 0) return 10;
  int pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const char m[] = "child says hi\n";
    write(fds[1], m, sizeof m - 1);
    _exit(7);
  }
  close(fds[1]);
  char buf[64];
  int n = read(fds[0], buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return 11;
  printf("pipe: %s", buf);
  printf("child exit %d\n", WEXITSTATUS(st));
  if (mkdir("/after", 0755) != 0) return 12;
  int fd = open("/after/f.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) return 13;
  write(fd, "0123456789", 10);
  lseek(fd, 3, SEEK_SET);
  n = read(fd, buf, 4);
  buf[n] = 0;
  struct stat s;
  fstat(fd, &s);
  printf("file: %s size %d\n", buf, (int)s.st_size);
  close(fd);
  return 0;
}
