/* Threads (program ABI p2 and later): kiln_thread_create maps one region holding the thread's
 * stack and its TLS area, and starts it with the clone slot:
 *   CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID.
 * The TLS area is a copy of the program's TLS image (sdk/kiln.ld): it starts with the 16 bytes the
 * kernel fills (self, errno_ptr, layer, reserved; see spec/tls.md), then the libc's __thread
 * variables; the new thread points errno_ptr at its own errno first thing. The kernel clears `tid` when the thread exits and wakes it; kiln_thread_join waits
 * on that word with the futex slot. kiln_mutex is the classic three-state futex lock
 * (0 free, 1 locked, 2 locked with waiters). */
#include "kiln.h"
#if KILN_PROGRAM_ABI >= 2
#include <errno.h>
#include <pthread.h>
#include <string.h>

#ifndef CLONE_SYSVSEM
#define CLONE_SYSVSEM 0x40000 /* not in the spec's constants; Linux's value, accepted and ignored */
#endif

#define DEFAULT_STACK (64u * 1024u)
size_t __kiln_tls_area_size(void);
void __kiln_tls_init(char *area);
void __kiln_errno_attach(void);

struct kiln_thread {
  volatile int32_t tid; /* set by the kernel at clone (PARENT_SETTID), cleared at exit (CHILD_CLEARTID) */
  void *(*fn)(void *);
  void *arg;
  void *ret;
  void *map;
  size_t map_len;
};

int __kiln_clone(int (*fn)(void *), void *stack, unsigned flags, void *arg, int32_t *ptid, void *tls, int32_t *ctid);

static int thread_main(void *p) {
  struct kiln_thread *t = p;
  __kiln_errno_attach();
  t->ret = t->fn(t->arg);
  return 0;
}

int kiln_thread_create(struct kiln_thread **out, void *(*fn)(void *), void *arg, size_t stack_size) {
  if (stack_size == 0) stack_size = DEFAULT_STACK;
  stack_size = (stack_size + 4095) & ~4095u;
  size_t tail = (((sizeof(struct kiln_thread) + 15) & ~15u) + __kiln_tls_area_size() + 4095) & ~4095u;
  size_t len = stack_size + tail; /* stack, then the thread record and the TLS area */
  char *m = kiln_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == (char *)-1) return errno;
  struct kiln_thread *t = (struct kiln_thread *)(m + stack_size);
  void *tls = (char *)t + ((sizeof *t + 15) & ~15u);
  memset(t, 0, tail);
  __kiln_tls_init(tls);
  t->fn = fn;
  t->arg = arg;
  t->map = m;
  t->map_len = len;
  unsigned flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
                   CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
  int tid = __kiln_clone(thread_main, m + stack_size, flags, t, (int32_t *)&t->tid, tls, (int32_t *)&t->tid);
  if (tid < 0) {
    int e = errno;
    kiln_munmap(m, len);
    return e;
  }
  *out = t;
  return 0;
}

int kiln_thread_join(struct kiln_thread *t, void **ret) {
  int32_t tid;
  while ((tid = t->tid) != 0) kiln_futex((int32_t *)&t->tid, FUTEX_WAIT, (unsigned)tid, NULL, NULL, 0);
  if (ret) *ret = t->ret;
  kiln_munmap(t->map, t->map_len);
  return 0;
}

void kiln_mutex_lock(int *state) {
  int c = 0;
  if (__atomic_compare_exchange_n(state, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
  if (c != 2) c = __atomic_exchange_n(state, 2, __ATOMIC_ACQUIRE);
  while (c != 0) {
    kiln_futex((int32_t *)state, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 2, NULL, NULL, 0);
    c = __atomic_exchange_n(state, 2, __ATOMIC_ACQUIRE);
  }
}

void kiln_mutex_unlock(int *state) {
  if (__atomic_fetch_sub(state, 1, __ATOMIC_RELEASE) != 1) {
    __atomic_store_n(state, 0, __ATOMIC_RELEASE);
    kiln_futex((int32_t *)state, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
  }
}
#endif
