/* Program start and exit: __libc_start (called by crt0's _start) sets up the main thread's TLS
 * area and errno, runs the constructors and main; exit/atexit/_exit, abort, getenv.
 *
 * TLS: the linker script lays the TLS image out as the 16-byte TLS block of spec/tls.md followed
 * by the libc's and the program's __thread variables (picolibc's errno among them), and reserves
 * the main thread's copy in .bss. The kernel starts the program with tp at a TLS block of its
 * own; __libc_start copies the image into the reserved area, copies the kernel's block header
 * (keeping the layer-private pointer), points tp at the new area and the block's errno pointer
 * at the thread's errno variable. From then on a failed slot sets picolibc's errno. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kiln.h"

char **environ;
int main(int argc, char **argv, char **envp);
void __stdio_flush_all(void);

typedef void (*init_fn)(void);
extern init_fn __init_array_start[], __init_array_end[];
extern char __kiln_tls_start[], __kiln_main_tls[];
extern char __kiln_tdata_size[], __kiln_tls_size[]; /* linker-script values: use their addresses */

/* The TLS image's size: what kiln_thread_create allocates for each new thread. */
size_t __kiln_tls_area_size(void) { return (size_t)__kiln_tls_size; }

/* Fills a thread's TLS area from the image (the block header stays as the kernel wrote it). */
void __kiln_tls_init(char *area) {
  size_t tdata = (size_t)__kiln_tdata_size, total = (size_t)__kiln_tls_size;
  memcpy(area + KILN_TLS_SIZE, __kiln_tls_start + KILN_TLS_SIZE, tdata > KILN_TLS_SIZE ? tdata - KILN_TLS_SIZE : 0);
  if (total > tdata) memset(area + (tdata > KILN_TLS_SIZE ? tdata : KILN_TLS_SIZE), 0, total - (tdata > KILN_TLS_SIZE ? tdata : KILN_TLS_SIZE));
}

/* Points the current thread's TLS block at its own errno (called on the thread, tp set). */
__attribute__((noinline)) void __kiln_errno_attach(void) {
  struct kiln_tls *b = kiln_tp();
  b->errno_ptr = &errno;
}

__attribute__((noreturn, used)) void __libc_start(long *sp) {
  struct kiln_tls *old = kiln_tp();
  struct kiln_tls *block = (struct kiln_tls *)__kiln_main_tls;
  memcpy(block, old, KILN_TLS_SIZE);
  __kiln_tls_init((char *)block);
  block->self = block;
  __asm__ volatile("mv tp, %0" : : "r"(block) : "memory");
  __kiln_errno_attach();

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
  size_t n = strlen(name);
  for (char **e = environ; e && *e; e++) {
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
  }
  return NULL;
}
