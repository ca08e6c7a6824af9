/* wc: counts lines, words and bytes of each file or of stdin. Program ABI: p1.
 *   wc [-l] [-w] [-c] [file...]
 * Prints the selected counts (default all three, in that order) separated by one space, then the
 * file name if one was given; with several files, a "total" line. Exit status 1 if a file failed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int show_l, show_w, show_c;

struct counts {
  unsigned long lines, words, bytes;
};

static void count(FILE *f, struct counts *c) {
  int in_word = 0, ch;
  while ((ch = fgetc(f)) != EOF) {
    c->bytes++;
    if (ch == '\n') c->lines++;
    if (isspace(ch)) in_word = 0;
    else if (!in_word) in_word = 1, c->words++;
  }
}

static void report(const struct counts *c, const char *name) {
  const char *sep = "";
  if (show_l) printf("%s%lu", sep, c->lines), sep = " ";
  if (show_w) printf("%s%lu", sep, c->words), sep = " ";
  if (show_c) printf("%s%lu", sep, c->bytes), sep = " ";
  if (name) printf(" %s", name);
  printf("\n");
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "lwc")) != -1) {
    if (opt == 'l') show_l = 1;
    else if (opt == 'w') show_w = 1;
    else if (opt == 'c') show_c = 1;
    else {
      fprintf(stderr, "usage: wc [-l] [-w] [-c] [file...]\n");
      return 2;
    }
  }
  if (!show_l && !show_w && !show_c) show_l = show_w = show_c = 1;
  if (optind == argc) {
    struct counts c = {0, 0, 0};
    count(stdin, &c);
    report(&c, NULL);
    return 0;
  }
  struct counts total = {0, 0, 0};
  int status = 0;
  for (int i = optind; i < argc; i++) {
    FILE *f = fopen(argv[i], "r");
    if (!f) {
      fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    struct counts c = {0, 0, 0};
    count(f, &c);
    fclose(f);
    report(&c, argv[i]);
    total.lines += c.lines, total.words += c.words, total.bytes += c.bytes;
  }
  if (argc - optind > 1) report(&total, "total");
  return status;
}
