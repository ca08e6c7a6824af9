/* POSIX calls on the stub slots. Most slots already have POSIX semantics (return -1 and set errno),
 * so these are inline forwards to kiln_<id>() from kiln.h. */
#ifndef _UNISTD_H
#define _UNISTD_H
#include <stddef.h>
#include "kiln.h"
typedef int ssize_t;
typedef int pid_t;
typedef int off_t;
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

static inline ssize_t read(int fd, void *buf, size_t n) { return kiln_read(fd, buf, n); }
static inline ssize_t write(int fd, const void *buf, size_t n) { return kiln_write(fd, (void *)buf, n); }
static inline int close(int fd) { return kiln_close(fd); }
static inline off_t lseek(int fd, off_t off, int whence) { return kiln_lseek(fd, off, whence); }
static inline pid_t getpid(void) { return kiln_getpid(); }
static inline pid_t getppid(void) { return kiln_getppid(); }
static inline pid_t fork(void) { return kiln_fork(); }
static inline int execve(const char *path, char *const argv[], char *const envp[]) { return kiln_execve(path, argv, envp); }
static inline int dup(int fd) { return kiln_dup(fd); }
static inline int dup3(int oldfd, int newfd, int flags) { return kiln_dup3(oldfd, newfd, (unsigned)flags); }
int dup2(int oldfd, int newfd);
static inline int pipe2(int fds[2], int flags) { return kiln_pipe2((int32_t *)fds, (unsigned)flags); }
static inline int pipe(int fds[2]) { return pipe2(fds, 0); }
static inline int chdir(const char *path) { return kiln_chdir(path); }
char *getcwd(char *buf, size_t size);
static inline int unlink(const char *path) { return kiln_unlinkat(AT_FDCWD, path, 0); }
static inline int rmdir(const char *path) { return kiln_unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }
__attribute__((noreturn)) void _exit(int status);
int execvp(const char *file, char *const argv[]);
#if KILN_PROGRAM_ABI >= 2
static inline pid_t gettid(void) { return kiln_gettid(); }
#endif

/* getopt (POSIX). */
extern char *optarg;
extern int optind, opterr, optopt;
int getopt(int argc, char *const argv[], const char *optstring);
#endif
