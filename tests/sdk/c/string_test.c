/* String and memory functions, number parsing, qsort, getopt, errno. Prints one line per check. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
static void check(const char *what, int ok) {
  printf("%s: %s\n", what, ok ? "ok" : "FAIL");
  if (!ok) failures++;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv) {
  char buf[64];
  check("strlen", strlen("") == 0 && strlen("hello") == 5);
  check("strcmp", strcmp("abc", "abc") == 0 && strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && strcmp("ab", "abc") < 0);
  check("strncmp", strncmp("abcdef", "abcxyz", 3) == 0 && strncmp("abc", "abd", 3) < 0);
  strcpy(buf, "foo");
  strcat(buf, "bar");
  check("strcpy/strcat", strcmp(buf, "foobar") == 0);
  strncpy(buf, "xy", 5);
  check("strncpy pads", buf[0] == 'x' && buf[1] == 'y' && buf[2] == 0 && buf[4] == 0);
  check("strchr/strrchr", strchr("hello", 'l') - "hello" == 2 && strrchr("hello", 'l') - "hello" == 3 && !strchr("hello", 'z'));
  check("strstr", strstr("haystack", "st") - "haystack" == 3 && !strstr("haystack", "xx"));
  check("strspn/strcspn", strspn("aabbc", "ab") == 4 && strcspn("hello world", " ") == 5);
  char toks[] = " a, b ,,c ";
  char *save, *t1 = strtok_r(toks, " ,", &save), *t2 = strtok_r(NULL, " ,", &save), *t3 = strtok_r(NULL, " ,", &save);
  check("strtok_r", strcmp(t1, "a") == 0 && strcmp(t2, "b") == 0 && strcmp(t3, "c") == 0 && !strtok_r(NULL, " ,", &save));
  char *d = strdup("dup");
  check("strdup", d && strcmp(d, "dup") == 0);
  free(d);
  memset(buf, 'q', 10);
  check("memset", buf[0] == 'q' && buf[9] == 'q');
  memcpy(buf, "0123456789", 10);
  memmove(buf + 2, buf, 6);
  check("memmove overlap", memcmp(buf, "0101234589", 10) == 0);
  memmove(buf, buf + 2, 6);
  check("memmove back", memcmp(buf, "0123454589", 10) == 0);
  check("memcmp", memcmp("abc", "abd", 3) < 0 && memcmp("abc", "abc", 3) == 0);
  check("memchr", (char *)memchr("abcdef", 'd', 6) - "abcdef" == 3);
  check("atoi", atoi("  -123x") == -123 && atoi("42") == 42);
  char *end;
  check("strtol hex/octal/base0", strtol("0x1f", &end, 0) == 31 && *end == 0 && strtol("017", NULL, 0) == 15 && strtol("zz", NULL, 36) == 1295);
  check("strtoul", strtoul("4000000000", NULL, 10) == 4000000000UL);
  int arr[] = {5, -3, 9, 0, 7, 7, -10, 2};
  qsort(arr, 8, sizeof arr[0], cmp_int);
  check("qsort", arr[0] == -10 && arr[1] == -3 && arr[2] == 0 && arr[3] == 2 && arr[4] == 5 && arr[5] == 7 && arr[6] == 7 && arr[7] == 9);
  errno = 0;
  int fd = open("/no/such/file", O_RDONLY, 0);
  check("open fails with ENOENT through errno", fd == -1 && errno == ENOENT);
  errno = 0;
  check("close(-1) sets EBADF", close(-1) == -1 && errno == EBADF);
  check("strerror", strcmp(strerror(ENOENT), "No such file or directory") == 0);
  int opt, a = 0, b = 0;
  const char *barg = "";
  while ((opt = getopt(argc, argv, "ab:")) != -1) {
    if (opt == 'a') a++;
    else if (opt == 'b') b++, barg = optarg;
  }
  printf("getopt: a=%d b=%d barg=%s rest=%d", a, b, barg, argc - optind);
  for (int i = optind; i < argc; i++) printf(" %s", argv[i]);
  printf("\n");
  printf("%d failures\n", failures);
  return failures;
}
