/* The standard streams for picolibc's stdio (tinystdio): buffered streams on file descriptors 0, 1
 * and 2 whose read/write/lseek/close hooks are the slot forwards of posix.c. stdin is buffered;
 * stdout and stderr are line buffered (stderr is not unbuffered: a one-byte buffer would cost a
 * call per character), and exit() flushes both. Files from fopen/fdopen are picolibc's, fully
 * buffered, flushed by fflush/fclose. Not locked: one thread per stream. */
#include <stdio.h>
#include <stdio-bufio.h>
#include <unistd.h>

static char inbuf[BUFSIZ], outbuf[BUFSIZ], errbuf[BUFSIZ];
static struct __file_bufio in = FDEV_SETUP_BUFIO(0, inbuf, BUFSIZ, read, write, lseek, close, __SRD, 0);
static struct __file_bufio out = FDEV_SETUP_BUFIO(1, outbuf, BUFSIZ, read, write, lseek, close, __SWR, __BLBF);
static struct __file_bufio err = FDEV_SETUP_BUFIO(2, errbuf, BUFSIZ, read, write, lseek, close, __SWR, __BLBF);
FILE *const stdin = &in.xfile.cfile.file;
FILE *const stdout = &out.xfile.cfile.file;
FILE *const stderr = &err.xfile.cfile.file;

void __stdio_flush_all(void) {
  fflush(stdout);
  fflush(stderr);
}
