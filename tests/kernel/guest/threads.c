/* threads: four threads increment a shared counter under a futex lock written here on the futex
 * slot (0 free, 1 locked, 2 locked with waiters); joins through the SDK. Exact final count. */
#include <pthread.h>
#include <stdio.h>
#include "kiln.h"

#define N 4
#define ITERS 2500

static int32_t lock_word;
static volatile int counter;
static volatile int contended;

static void lock(void) {
  int c = __sync_val_compare_and_swap(&lock_word, 0, 1);
  if (c == 0) return;
  contended++;
  if (c != 2) c = __sync_lock_test_and_set(&lock_word, 2);
  while (c != 0) {
    kiln_futex(&lock_word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 2, NULL, NULL, 0);
    c = __sync_lock_test_and_set(&lock_word, 2);
  }
}

static void unlock(void) {
  if (__sync_fetch_and_sub(&lock_word, 1) != 1) {
    lock_word = 0;
    kiln_futex(&lock_word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
  }
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = 0; i < ITERS; i++) {
    lock();
    int v = counter;
    for (volatile int spin = 0; spin < 3; spin++) {}
    counter = v + 1;
    unlock();
  }
  return (void *)(intptr_t)(id * 10);
}

int main(void) {
  pthread_t t[N];
  for (int i = 0; i < N; i++) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i + 1));
  int sum = 0;
  for (int i = 0; i < N; i++) {
    void *r;
    pthread_join(t[i], &r);
    sum += (int)(intptr_t)r;
  }
  printf("counter %d (want %d)\n", counter, N * ITERS);
  printf("joined %d, lock free %d, contended %d\n", sum, (int)lock_word, contended > 0);
  return counter == N * ITERS ? 0 : 1;
}
