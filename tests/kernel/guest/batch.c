/* batch (p3): 64 file reads submitted as one batch; every result checked. The getppid calls around
 * it are markers for the kernel trace (k3: the batch must be exactly one ring_enter trap). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kiln.h"

#define N 64

int main(void) {
  static char data[N * 16];
  for (int i = 0; i < N * 16; i++) data[i] = 'A' + (i * 7) % 26;
  int fd = open("/batch.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
  write(fd, data, sizeof data);
  close(fd);
  int fds[N];
  for (int i = 0; i < N; i++) fds[i] = open("/batch.dat", O_RDONLY, 0);
  for (int i = 0; i < N; i++) lseek(fds[i], i * 16, SEEK_SET);
  static char bufs[N][16];
  static struct kiln_batch_entry req[N];
  for (int i = 0; i < N; i++) {
    req[i].op = BATCH_READ;
    req[i].fd = fds[i];
    req[i].buf = bufs[i];
    req[i].len = i == N - 1 ? 64 : 16;
    req[i].result = -1;
  }
  kiln_getppid();
  int r = kiln_batch(req, N);
  kiln_getppid();
  int ok = 0;
  for (int i = 0; i < N; i++) ok += req[i].result == 16 && memcmp(bufs[i], data + i * 16, 16) == 0;
  printf("batch %d, %d of %d reads correct\n", r, ok, N);
  req[0].fd = 999;
  req[1].fd = fds[1];
  req[1].len = 16;
  lseek(fds[1], 0, SEEK_SET);
  kiln_batch(req, 2);
  printf("bad fd in a batch: %d, next still runs: %d\n", (int)req[0].result, (int)req[1].result);
  return ok == N ? 0 : 1;
}
