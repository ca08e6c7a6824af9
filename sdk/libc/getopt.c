/* getopt (POSIX): short options, "x:" takes an argument, a leading ':' reports a missing one as ':'. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *optarg;
int optind = 1, opterr = 1, optopt;
static int nextchar;

int getopt(int argc, char *const argv[], const char *opts) {
  if (optind == 0) optind = 1, nextchar = 0;
  if (nextchar == 0) {
    if (optind >= argc || argv[optind][0] != '-' || argv[optind][1] == 0) return -1;
    if (strcmp(argv[optind], "--") == 0) {
      optind++;
      return -1;
    }
    nextchar = 1;
  }
  const char *arg = argv[optind];
  int c = (unsigned char)arg[nextchar++];
  const char *spec = c == ':' ? NULL : strchr(opts, c);
  int colon = opts[0] == ':';
  if (!spec) {
    optopt = c;
    if (opterr && !colon) fprintf(stderr, "%s: invalid option -- '%c'\n", argv[0], c);
    if (!arg[nextchar]) optind++, nextchar = 0;
    return '?';
  }
  if (spec[1] == ':') {
    if (arg[nextchar]) optarg = (char *)arg + nextchar;
    else if (optind + 1 < argc) optarg = argv[++optind];
    else {
      optopt = c;
      optind++, nextchar = 0;
      if (opterr && !colon) fprintf(stderr, "%s: option requires an argument -- '%c'\n", argv[0], c);
      return colon ? ':' : '?';
    }
    optind++, nextchar = 0;
    return c;
  }
  if (!arg[nextchar]) optind++, nextchar = 0;
  return c;
}
