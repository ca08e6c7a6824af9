/* threads: 4 threads each add 1 to a shared counter 10000 times under a futex mutex, then the
 * main thread joins them and prints the total. Program ABI: p2 (clone, futex, TLS).
 * Expected output: "counter = 40000" and one line per thread; exit status 0. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 10000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int counter;

static void *work(void *arg) {
  int id = (int)(long)arg;
  for (int i = 0; i < ROUNDS; i++) {
    pthread_mutex_lock(&lock);
    counter = counter + 1;
    pthread_mutex_unlock(&lock);
  }
  return (void *)(long)(id * 100);
}

int main(void) {
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    if (pthread_create(&t[i], NULL, work, (void *)(long)(i + 1)) != 0) {
      printf("pthread_create failed\n");
      return 1;
    }
  }
  for (int i = 0; i < THREADS; i++) {
    void *ret;
    pthread_join(t[i], &ret);
    printf("thread %d returned %d\n", i + 1, (int)(long)ret);
  }
  printf("counter = %d\n", counter);
  return counter == THREADS * ROUNDS ? 0 : 1;
}
