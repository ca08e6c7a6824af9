/* Raw system calls (the programs' native kernel: Linux generic rv32 numbers) for the kernel's C tests. */
#ifndef KSYS_H
#define KSYS_H
#include "kiln_start.h"
#include "raw_abi.h" /* SYS_<call> and the spec's constants (tests/c/build.ts) */

static inline long sc6(long n, long a, long b, long c, long d, long e, long f) {
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a3 __asm__("a3") = d;
  register long a4 __asm__("a4") = e;
  register long a5 __asm__("a5") = f;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
  return a0;
}
#define SC(n, ...) sc6_(n, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sc6_(n, a, b, c, d, e, f, ...) sc6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))


static inline int k_open(const char *p, int fl, int mode) { return SC(SYS_openat, AT_FDCWD, p, fl, mode); }
static inline int k_close(int fd) { return SC(SYS_close, fd); }
static inline int k_read(int fd, void *b, unsigned n) { return SC(SYS_read, fd, b, n); }
static inline int k_write(int fd, const void *b, unsigned n) { return SC(SYS_write, fd, b, n); }
static inline int k_mkdir(const char *p, int mode) { return SC(SYS_mkdirat, AT_FDCWD, p, mode); }
static inline int k_unlink(const char *p, int flags) { return SC(SYS_unlinkat, AT_FDCWD, p, flags); }
static inline int k_rename(const char *a, const char *b, int flags) { return SC(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags); }
static inline int k_chdir(const char *p) { return SC(SYS_chdir, p); }
static inline int k_getcwd(char *b, unsigned n) { return SC(SYS_getcwd, b, n); }
static inline int k_dup(int fd) { return SC(SYS_dup, fd); }
static inline int k_dup3(int a, int b, int f) { return SC(SYS_dup3, a, b, f); }
static inline int k_pipe(int *fds) { return SC(SYS_pipe2, fds, 0); }
static inline int k_getdents(int fd, void *b, unsigned n) { return SC(SYS_getdents64, fd, b, n); }
static inline int k_llseek(int fd, long long off, long long *res, int whence) {
  return SC(SYS_llseek, fd, (unsigned)(off >> 32), (unsigned)off, res, whence);
}
static inline int k_statx(int dirfd, const char *p, int flags, unsigned mask, void *buf) { return SC(SYS_statx, dirfd, p, flags, mask, buf); }
static inline int k_getpid(void) { return SC(SYS_getpid, 0); }
static inline int k_getppid(void) { return SC(SYS_getppid, 0); }
static inline int k_gettid(void) { return SC(SYS_gettid, 0); }
static inline int k_fork(void) { return SC(SYS_clone, SIGCHLD, 0, 0, 0, 0); }
static inline int k_waitid(int type, int id, void *info, int opts) { return SC(SYS_waitid, type, id, info, opts, 0); }
static inline int k_execve(const char *p, char **argv, char **envp) { return SC(SYS_execve, p, argv, envp); }
static inline int k_kill(int pid, int sig) { return SC(SYS_kill, pid, sig); }
static inline void *k_mmap(void *a, unsigned len, int prot, int flags, int fd, unsigned pgoff) {
  return (void *)SC(SYS_mmap2, a, len, prot, flags, fd, pgoff);
}
static inline int k_munmap(void *a, unsigned len) { return SC(SYS_munmap, a, len); }
static inline int k_mprotect(void *a, unsigned len, int prot) { return SC(SYS_mprotect, a, len, prot); }
static inline int k_futex(int *u, int op, int val, void *ts) { return SC(SYS_futex_time64, u, op, val, ts, 0, 0); }

struct siginfo_k { int signo, err, code, pid; unsigned uid; int status; int pad[26]; };
struct sigaction_k { void *handler; unsigned flags; unsigned mask[2]; };
static inline int k_sigaction(int sig, const struct sigaction_k *a, struct sigaction_k *o) { return SC(SYS_rt_sigaction, sig, a, o, NSIG / 8); }
static inline int k_sigprocmask(int how, const unsigned *set, unsigned *old) { return SC(SYS_rt_sigprocmask, how, set, old, NSIG / 8); }

static inline void putn(int n) {
  if (n < 0) { kiln_puts("-"); n = -n; }
  kiln_putu((unsigned)n);
}
static inline void say(const char *label, int v) {
  kiln_puts(label);
  kiln_puts("=");
  putn(v);
  kiln_puts("\n");
}
static inline int k_streq(const char *a, const char *b) {
  while (*a && *a == *b) { a++; b++; }
  return *a == *b;
}
#endif
