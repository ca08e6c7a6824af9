/* mem: brk, anonymous and private file-backed mmap, munmap, mprotect; a write to a read-only page
 * faults into a SIGSEGV handler that makes the page writable, and the write then succeeds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kiln.h"

static volatile int faults;
static char *volatile fix_page;
static volatile int fault_addr_ok;

static void on_segv(int sig, struct kiln_siginfo *si, void *uc) {
  (void)uc;
  faults++;
  fault_addr_ok = sig == SIGSEGV && si->si_signo == SIGSEGV;
  /* Recover: give the page back its write permission; the faulting store is retried. */
  kiln_mprotect(fix_page, 4096, PROT_READ | PROT_WRITE);
}

int main(void) {
  char *b0 = kiln_brk(0);
  char *b1 = kiln_brk(b0 + 10000);
  printf("brk grows %d\n", b1 == b0 + 10000);
  memset(b0, 7, 10000);
  printf("brk memory %d\n", b0[9999]);
  printf("brk shrinks %d\n", kiln_brk(b0 + 100) == b0 + 100);

  char *a = kiln_mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("anon aligned %d zero %d\n", ((uintptr_t)a & 4095) == 0, a[0] == 0 && a[3 * 4096 - 1] == 0);
  strcpy(a + 4096, "middle page");
  printf("munmap first %d; middle still %s\n", kiln_munmap(a, 4096), a + 4096);
  int r = kiln_mprotect(a, 4096, PROT_READ);
  printf("mprotect unmapped %d errno %d\n", r, errno);
  r = kiln_munmap(a + 1, 4096);
  printf("bad munmap %d errno %d\n", r, errno);
  printf("mmap len 0 %d\n", (int)(intptr_t)kiln_mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

  int fd = open("/m.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  char text[6000];
  for (int i = 0; i < 6000; i++) text[i] = 'a' + i % 26;
  write(fd, text, sizeof text);
  char *f = kiln_mmap(0, 6000, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  printf("file map %c%c%c ... %c, tail zero %d\n", f[0], f[1], f[2], f[5999], f[6000] == 0 && f[8191] == 0);
  f[0] = 'Z';
  char back[4];
  lseek(fd, 0, SEEK_SET);
  read(fd, back, 1);
  printf("private: map %c file %c\n", f[0], back[0]);
  char *g = kiln_mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 1);
  printf("file map at page 1: %c (want %c)\n", g[0], 'a' + 4096 % 26);
  close(fd);

  struct kiln_sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = (void *)on_segv;
  sa.sa_flags = SA_SIGINFO;
  kiln_sigaction(SIGSEGV, &sa, NULL);
  fix_page = a + 8192;
  printf("mprotect ro %d\n", kiln_mprotect(fix_page, 4096, PROT_READ));
  *(volatile char *)(fix_page + 10) = 42; /* faults once, the handler recovers */
  printf("after fault: value %d faults %d siginfo ok %d\n", fix_page[10], faults, fault_addr_ok);
  *(volatile char *)(fix_page + 11) = 43;
  printf("no second fault: faults %d\n", faults);
  return 0;
}
