/* sysinfo: a few calls whose route differs between kernels: getpid (a trap on k1, read from the
 * shared page on k2 and k3), monotonic_ns (p2 and later: a clock call on k1, rdtime in userspace
 * on k2+), fstat (structure translation where the kernel's stat differs from the program's) and
 * time. Built for every program ABI by `kiln site` for the playground. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  printf("program ABI p%d\n", KILN_PROGRAM_ABI);
  printf("getpid() = %d, getppid() = %d\n", getpid(), getppid());
#ifdef KILN_SLOT_MONOTONIC_NS
  uint64_t t0 = kiln_monotonic_ns();
  uint64_t t1 = kiln_monotonic_ns();
  printf("monotonic_ns: %lu ns between two reads\n", (unsigned long)(t1 - t0));
#endif
  printf("time() = %d\n", (int)time(0));
  struct stat st;
  int fd = open("/etc/motd", O_RDONLY, 0);
  if (fd < 0 || fstat(fd, &st) != 0) {
    printf("fstat failed\n");
    return 1;
  }
  printf("fstat(/etc/motd): size %d, mode %o\n", (int)st.st_size, (unsigned)st.st_mode);
  close(fd);
  return 0;
}
