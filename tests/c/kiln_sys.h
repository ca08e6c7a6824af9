/* Freestanding system-call helpers for kiln's C test programs (RV32, Linux generic numbers = k1).
 * Raw programs: they trap with ecall directly, so they run only on a kernel ABI with these numbers. */
#ifndef KILN_SYS_H
#define KILN_SYS_H

typedef unsigned int size_t;
typedef int ssize_t;
typedef long long int64_t;
typedef unsigned int uint32_t;

#define SYS_read 63
#define SYS_write 64
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_brk 214
#define SYS_clock_gettime64 403

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

struct kiln_timespec64 {
  int64_t tv_sec;
  int64_t tv_nsec; /* struct __kernel_timespec: two 64-bit fields, 16 bytes */
};

static inline long kiln_syscall(long n, long a, long b, long c) {
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

static inline ssize_t sys_read(int fd, void *buf, size_t n) { return kiln_syscall(SYS_read, fd, (long)buf, (long)n); }
static inline ssize_t sys_write(int fd, const void *buf, size_t n) { return kiln_syscall(SYS_write, fd, (long)buf, (long)n); }
static inline void *sys_brk(void *addr) { return (void *)kiln_syscall(SYS_brk, (long)addr, 0, 0); }
static inline int sys_clock_gettime64(int clk, struct kiln_timespec64 *ts) {
  return (int)kiln_syscall(SYS_clock_gettime64, clk, (long)ts, 0);
}
static inline __attribute__((noreturn)) void sys_exit(int status) {
  kiln_syscall(SYS_exit, status, 0, 0);
  for (;;) {}
}
static inline __attribute__((noreturn)) void sys_exit_group(int status) {
  kiln_syscall(SYS_exit_group, status, 0, 0);
  for (;;) {}
}

static inline size_t kiln_strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
static inline void kiln_puts(const char *s) { sys_write(1, s, kiln_strlen(s)); }

/* Writes n in decimal to fd 1. */
static inline void kiln_putu(unsigned n) {
  char buf[12];
  int i = 11;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  kiln_puts(buf + i);
}

#endif
