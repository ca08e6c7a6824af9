/* hello: prints a greeting. Program ABI: p1 (runs unchanged as p2/p3). */
#include <stdio.h>

int main(void) {
  printf("hello, world\n");
  return 0;
}
