/* mmap2 anonymous and private file-backed, munmap, mprotect. */
#include "ksys.h"

static int child_faults(void (*fn)(void *), void *arg) {
  int pid = k_fork();
  if (pid == 0) {
    fn(arg);
    sys_exit_group(0);
  }
  struct siginfo_k si;
  k_waitid(1, pid, &si, 4);
  return si.code == 1 ? 0 : si.status;
}
static void poke(void *p) { *(volatile int *)p = 1; }
static void peek(void *p) { (void)*(volatile int *)p; }

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  char *p = k_mmap(0, 3 * 4096, 3, 0x22 /* PRIVATE|ANON */, -1, 0);
  say("mapped", (unsigned long)p < 0xfffff000u && ((unsigned long)p & 4095) == 0);
  p[0] = 'a'; p[3 * 4096 - 1] = 'z';
  say("rw", p[0] == 'a' && p[3 * 4096 - 1] == 'z');
  say("mprotect", k_mprotect(p, 4096, 1));
  say("write-ro-faults", child_faults(poke, p));
  say("read-ro-ok", child_faults(peek, p));
  say("munmap", k_munmap(p + 4096, 4096));
  say("unmapped-faults", child_faults(peek, p + 4096));
  say("einval", (long)k_mmap(0, 0, 3, 0x22, -1, 0));
  say("einval-align", k_munmap(p + 1, 4096));
  char *fixed = k_mmap((void *)0x30000000, 4096, 3, 0x32 /* FIXED */, -1, 0);
  say("fixed", fixed == (char *)0x30000000);

  int fd = k_open("/data", O_CREAT | O_RDWR, 0644);
  for (int i = 0; i < 5000; i++) k_write(fd, "0123456789", 10);
  char *f = k_mmap(0, 8192, 1, 2 /* PRIVATE */, fd, 1);
  say("file-map", f[0] == '6' && f[1] == '7');
  say("ebadf", (long)k_mmap(0, 4096, 1, 2, 42, 0));
  return 0;
}
