/* forkbomb: every process forks forever. The first one reports when the process cap stops it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  int first = getpid();
  for (;;) {
    int pid = fork();
    if (pid < 0 && getpid() == first) {
      char msg[80];
      int n = snprintf(msg, sizeof msg, "fork bomb: fork failed with errno %d\n", errno);
      write(1, msg, n);
      first = 0;
    }
  }
}
