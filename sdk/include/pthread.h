/* Threads and a futex mutex (program ABI p2 and later): kiln_thread_create/join run a function on
 * a new thread made by the clone slot with its own stack and TLS area; kiln_mutex is a three-state
 * futex lock. pthread_* names are thin aliases. */
#ifndef _PTHREAD_H
#define _PTHREAD_H
#include "kiln.h"
#if KILN_PROGRAM_ABI < 2
#error "threads need program ABI p2 or later (kiln cc -p p2)"
#endif
#include <stddef.h>

typedef struct kiln_thread *pthread_t;
typedef struct { int state; } pthread_mutex_t;
#define PTHREAD_MUTEX_INITIALIZER { 0 }

int kiln_thread_create(struct kiln_thread **t, void *(*fn)(void *), void *arg, size_t stack_size);
int kiln_thread_join(struct kiln_thread *t, void **ret);
void kiln_mutex_lock(int *state);
void kiln_mutex_unlock(int *state);

static inline int pthread_create(pthread_t *t, const void *attr, void *(*fn)(void *), void *arg) {
  (void)attr;
  return kiln_thread_create(t, fn, arg, 0);
}
static inline int pthread_join(pthread_t t, void **ret) { return kiln_thread_join(t, ret); }
static inline int pthread_mutex_init(pthread_mutex_t *m, const void *attr) { (void)attr; m->state = 0; return 0; }
static inline int pthread_mutex_lock(pthread_mutex_t *m) { kiln_mutex_lock(&m->state); return 0; }
static inline int pthread_mutex_unlock(pthread_mutex_t *m) { kiln_mutex_unlock(&m->state); return 0; }
#endif
