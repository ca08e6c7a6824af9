/* Threads: clone(CLONE_VM|CLONE_THREAD|CLONE_SETTLS|...), gettid, futex wait/wake, clear-child-tid. */
#include "ksys.h"

#define NT 4
static volatile int counter;
static int ctids[NT];
static unsigned char stacks[NT][8192] __attribute__((aligned(16)));
static int tls_seen[NT];
static int gate;

static void worker(long idx) {
  long tp;
  __asm__ volatile("mv %0, tp" : "=r"(tp));
  tls_seen[idx] = (int)tp;
  /* Wait for the main thread to open the gate. */
  while (__atomic_load_n(&gate, __ATOMIC_SEQ_CST) == 0) k_futex(&gate, 128 /* WAIT|PRIVATE */, 0, 0);
  for (int i = 0; i < 1000; i++) __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
}

static int spawn(long idx) {
  const long flags = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x80000 | 0x100000 | 0x200000;
  register long a0 __asm__("a0") = flags;
  register long a1 __asm__("a1") = (long)(stacks[idx] + sizeof stacks[idx]);
  register long a2 __asm__("a2") = (long)&ctids[idx];
  register long a3 __asm__("a3") = 0x1000 + idx;
  register long a4 __asm__("a4") = (long)&ctids[idx];
  register long a7 __asm__("a7") = 220;
  register long s1 __asm__("s1") = idx;
  register long s2 __asm__("s2") = (long)worker;
  __asm__ volatile(
      "ecall\n"
      "bnez a0, 1f\n"
      "mv a0, s1\n"
      "jalr s2\n"
      "li a0, 0\n"
      "li a7, 93\n"
      "ecall\n"
      "1:\n"
      : "+r"(a0)
      : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7), "r"(s1), "r"(s2)
      : "memory", "ra");
  return (int)a0;
}

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  int tids[NT];
  for (int i = 0; i < NT; i++) tids[i] = spawn(i);
  for (int i = 0; i < NT; i++) say("tid-distinct", tids[i] > 1 && tids[i] == ctids[i]);
  __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
  int woken = k_futex(&gate, 129 /* WAKE|PRIVATE */, 100, 0);
  say("woken-ok", woken >= 0 && woken <= NT);
  /* Join: wait until the kernel clears each ctid. */
  for (int i = 0; i < NT; i++) {
    int v;
    while ((v = __atomic_load_n(&ctids[i], __ATOMIC_SEQ_CST)) != 0) k_futex(&ctids[i], 0, v, 0);
  }
  say("counter", counter);
  for (int i = 0; i < NT; i++) say("tls", tls_seen[i] - 0x1000);
  say("gettid-main", k_gettid() == k_getpid());
  int x = 5;
  say("futex-eagain", k_futex(&x, 0, 6, 0));
  struct kiln_timespec64 ts = {0, 1000000};
  say("futex-timeout", k_futex(&x, 0, 5, &ts));
  struct kiln_timespec64 a, b, req = {2, 500};
  sys_clock_gettime64(1, &a);
  say("nanosleep", SC(SYS_clock_nanosleep_time64, 1, 0, &req, 0));
  sys_clock_gettime64(1, &b);
  say("slept-2s", (int)(b.tv_sec - a.tv_sec) >= 2);
  return 0;
}
