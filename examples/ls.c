/* ls: lists directory entries sorted by name, one per line, without "." and "..". Program ABI: p1.
 *   ls [-a] [-F] [dir...]   -a: include names starting with '.'; -F: append '/' to directories.
 * A non-directory argument is printed as is. Exit status 1 if a directory could not be read. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int all, classify;

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int list(const char *path, int heading) {
  DIR *d = opendir(path);
  if (!d) {
    if (errno == ENOTDIR) {
      printf("%s\n", path);
      return 0;
    }
    fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
    return 1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *name = (const char *)e->d_name;
    if (name[0] == '.' && (!all || !name[1] || (name[1] == '.' && !name[2]))) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      names = realloc(names, cap * sizeof *names);
    }
    size_t len = strlen(name);
    names[n] = malloc(len + 2);
    memcpy(names[n], name, len + 1);
    if (classify && e->d_type == 4 /* DT_DIR */) strcat(names[n], "/");
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  if (heading) printf("%s:\n", path);
  for (size_t i = 0; i < n; i++) {
    printf("%s\n", names[i]);
    free(names[i]);
  }
  free(names);
  return 0;
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "aF")) != -1) {
    if (opt == 'a') all = 1;
    else if (opt == 'F') classify = 1;
    else return 2;
  }
  if (optind == argc) return list(".", 0);
  int status = 0;
  for (int i = optind; i < argc; i++) {
    if (i > optind) printf("\n");
    status |= list(argv[i], argc - optind > 1);
  }
  return status;
}
