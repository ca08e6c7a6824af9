/* ISO C from picolibc: floating-point printf and scanf, math, ctype, setjmp/longjmp, qsort,
 * strtod, time formatting, and errno set by a failed call through the layer, in the main thread
 * and (with -DTHREADS) in a second thread. Portable C: libc.test.ts compares the output with the
 * same file built for the host and linked with glibc. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef THREADS
#include <pthread.h>
#endif

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static jmp_buf env;
static void deep(int n) {
  if (n == 0) longjmp(env, 42);
  deep(n - 1);
}

static int open_missing(void) {
  errno = 0;
  int fd = open("/no/such/file", O_RDONLY);
  return fd < 0 ? errno : -1;
}

#ifdef THREADS
static void *thread_errno(void *arg) {
  (void)arg;
  int e = open_missing();
  close(-1);
  return (void *)(long)(e * 1000 + errno);
}
#endif

int main(void) {
  printf("[%f] [%.3f] [%10.4f] [%-10.2f|] [%+.1f] [%e] [%.2E] [%g] [%g] [%g] [%G]\n", 3.14159265, 2.0 / 3, -1.5, 2.25, 0.05,
         12345.678, 0.000123, 100000.0, 1000000.0, 1e-5, 1e-10);
  /* Not here: %.17g and %.0f of an exact half, where picolibc 1.8 differs from glibc (docs). */
  printf("[%.16g] [%.0f] [%.0f] [%#.0f] [%a] [%.15g] [%g] [%g]\n", 0.1, 1.5, 2.4, 3.0, 1.0, M_PI, HUGE_VAL, -HUGE_VAL);
  printf("[%lld] [%llu] [%llx] [%5.1f%%]\n", -9223372036854775807LL - 1, 18446744073709551615ULL, 0x123456789abcdefULL, 99.5);
  double d;
  int i, n;
  char word[16];
  n = sscanf("  -12.5e2 37 hello", "%lf %d %15s", &d, &i, word);
  printf("sscanf %d: %g %d %s\n", n, d, i, word);
  char *end;
  d = strtod("6.02e23xyz", &end);
  printf("strtod %g rest [%s]; strtol %ld; atof %g\n", d, end, strtol("-0x1F", NULL, 16), atof("2.5"));
  printf("math %.6f %.6f %.6f %.6f %.6f %.6f %.1f %.1f %g\n", sqrt(2.0), sin(1.0), cos(1.0), exp(1.0), log(10.0), pow(2.0, 0.5),
         floor(-2.5), ceil(-2.5), fmod(7.5, 2.0));
  printf("math %.6f %.6f %.6f %d %d\n", atan2(1.0, 1.0), tanh(0.5), cbrt(27.0), isnan(NAN) != 0, isinf(INFINITY) != 0);
  printf("ctype %d%d%d%d%d %c%c\n", isalpha('a') != 0, isdigit('7') != 0, isspace('\t') != 0, isupper('a') != 0, ispunct('!') != 0,
         toupper('q'), tolower('Q'));
  double v[] = {3.5, -1.0, 2.25, 10.0, 0.0, -7.5};
  qsort(v, 6, sizeof v[0], cmp_double);
  printf("qsort");
  for (int k = 0; k < 6; k++) printf(" %g", v[k]);
  printf("\n");
  int r = setjmp(env);
  if (r == 0) deep(10);
  printf("longjmp returned %d\n", r);
  struct tm tm = {0};
  tm.tm_year = 2024 - 1900;
  tm.tm_mon = 1;
  tm.tm_mday = 29;
  tm.tm_hour = 13;
  tm.tm_min = 5;
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %b %j", &tm);
  time_t t = 1700000000;
  struct tm *g = gmtime(&t);
  printf("strftime %s; gmtime %d-%02d-%02d %02d:%02d wday %d yday %d\n", buf, g->tm_year + 1900, g->tm_mon + 1, g->tm_mday,
         g->tm_hour, g->tm_min, g->tm_wday, g->tm_yday);
  int e = open_missing();
  printf("errno after open: %d (%s)\n", e, strerror(e));
  close(-1);
  printf("errno after close(-1): %d\n", errno);
#ifdef THREADS
  pthread_t th;
  void *ret;
  pthread_create(&th, NULL, thread_errno, NULL);
  pthread_join(th, &ret);
  printf("thread errnos %ld, main errno still %d\n", (long)ret, errno);
#endif
  return 0;
}
