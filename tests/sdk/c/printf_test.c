/* printf formats: flags, width, precision, length modifiers, every conversion. Portable C: the
 * expected output in libc.test.ts is what a hosted C library prints for the same calls. */
#include <stdio.h>
#include <string.h>

int main(void) {
  char buf[64];
  printf("[%d] [%i] [%u] [%x] [%X] [%o] [%c] [%s] [%%]\n", -42, 42, 42u, 0xbeefu, 0xbeefu, 8u, 'z', "str");
  printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d] [%-+5d|]\n", 42, 42, 42, 42, 42, -7, 7);
  printf("[%.3d] [%8.3d] [%-8.3d|] [%.0d] [%08.3d]\n", 7, 7, 7, 0, 7);
  printf("[%#x] [%#X] [%#o] [%#x] [%#o] [%#10x] [%#010x]\n", 255u, 255u, 8u, 0u, 0u, 255u, 255u);
  printf("[%s] [%10s] [%-10s|] [%.2s] [%10.3s] [%*s] [%-*s|] [%.*s]\n", "abc", "abc", "abc", "abc", "abcdef", 6, "ab", 6, "ab", 1, "xyz");
  printf("[%ld] [%lu] [%lx] [%lld] [%llu] [%llx] [%llX]\n", -123456789L, 4000000000UL, 0xdeadbeefUL, -1234567890123LL,
         18446744073709551615ULL, 0x123456789abcdefULL, 0xfedcba9876543210ULL);
  printf("[%hd] [%hu] [%hhd] [%hhu] [%hx] [%zu] [%zd] [%zx]\n", (short)-1234, (unsigned short)65535, (signed char)-5,
         (unsigned char)250, (unsigned short)0xabcd, (size_t)123456, (long)-99, (size_t)0xfff);
  printf("[%d] [%d] [%u] [%lld]\n", -2147483647 - 1, 2147483647, 4294967295u, -9223372036854775807LL - 1);
  printf("[%c%c%c] [%5c] [%-3c|]\n", 'a', 'b', 'c', 'x', 'y');
  printf("[%s]\n", "");
  int n = snprintf(buf, sizeof buf, "%s-%d-%x", "snp", 12345, 0xabcu);
  printf("snprintf %d [%s]\n", n, buf);
  n = snprintf(buf, 8, "%s", "truncated string");
  printf("snprintf %d [%s]\n", n, buf);
  n = snprintf(NULL, 0, "%d", 1000000);
  printf("snprintf size %d\n", n);
  n = sprintf(buf, "%08X|%-4s|", 0x1234abcdu, "ok");
  printf("sprintf %d [%s] %u\n", n, buf, (unsigned)strlen(buf));
  n = printf("count me\n");
  printf("printed %d\n", n);
  fprintf(stdout, "%s %d\n", "fprintf", 1);
  fputs("fputs\n", stdout);
  puts("puts");
  putchar('!');
  putchar('\n');
  return 0;
}
