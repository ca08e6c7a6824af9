/* Program start and exit: __libc_start (called by crt0's _start), exit/atexit/_exit, abort. */
#include <stdio.h>
#include <stdlib.h>
#include "kiln.h"

char **environ;
int main(int argc, char **argv, char **envp);
void __stdio_flush_all(void);

typedef void (*init_fn)(void);
extern init_fn __init_array_start[], __init_array_end[];

__attribute__((noreturn, used)) void __libc_start(long *sp) {
  int argc = (int)sp[0];
  char **argv = (char **)(sp + 1);
  environ = argv + argc + 1;
  for (init_fn *f = __init_array_start; f < __init_array_end; f++) (*f)();
  exit(main(argc, argv, environ));
}

#define ATEXIT_MAX 32
static void (*atexit_fns[ATEXIT_MAX])(void);
static int atexit_count;

int atexit(void (*fn)(void)) {
  if (atexit_count == ATEXIT_MAX) return -1;
  atexit_fns[atexit_count++] = fn;
  return 0;
}

void exit(int status) {
  while (atexit_count > 0) atexit_fns[--atexit_count]();
  __stdio_flush_all();
  kiln_exit_group(status);
}

void _Exit(int status) { kiln_exit_group(status); }
void _exit(int status) { kiln_exit_group(status); }

void abort(void) {
  __stdio_flush_all();
  kiln_kill(kiln_getpid(), SIGABRT);
  kiln_exit_group(128 + SIGABRT);
}

char *getenv(const char *name) {
  size_t n = 0;
  while (name[n]) n++;
  for (char **e = environ; e && *e; e++) {
    size_t i = 0;
    while (i < n && (*e)[i] == name[i]) i++;
    if (i == n && (*e)[n] == '=') return *e + n + 1;
  }
  return NULL;
}
