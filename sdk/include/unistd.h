/* POSIX calls on the stub slots. Most slots already have POSIX semantics (return -1 and set
 * errno), so these are one-line forwards to kiln_<id>() (sdk/libc/posix.c); picolibc's stdio
 * calls the same read/write/lseek/close/open. */
#ifndef _UNISTD_H
#define _UNISTD_H
#include <stddef.h>
#include <sys/types.h>
#include "kiln.h"
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
extern char **environ;

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int close(int fd);
off_t lseek(int fd, off_t off, int whence);
pid_t getpid(void);
pid_t getppid(void);
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
int execvp(const char *file, char *const argv[]);
int dup(int fd);
int dup2(int oldfd, int newfd);
int dup3(int oldfd, int newfd, int flags);
int pipe(int fds[2]);
int pipe2(int fds[2], int flags);
int chdir(const char *path);
char *getcwd(char *buf, size_t size);
int unlink(const char *path);
int rmdir(const char *path);
int setpgid(pid_t pid, pid_t pgid);
pid_t getpgid(pid_t pid);
__attribute__((noreturn)) void _exit(int status);
#if KILN_PROGRAM_ABI >= 2
pid_t gettid(void);
#endif
unsigned sleep(unsigned seconds);
/* No slot yet (docs/ports.md): access opens the file, isatty asks fstat for a character device,
 * getuid is 0 (the kernel has no users), readlink and symlink fail with ENOSYS. */
/* F_OK, X_OK, W_OK and R_OK are the spec's, from kiln.h. */
int access(const char *path, int mode);
int isatty(int fd);
uid_t getuid(void);
uid_t geteuid(void);
ssize_t readlink(const char *path, char *buf, size_t n);
int symlink(const char *target, const char *path);

/* getopt (POSIX; picolibc's). */
extern char *optarg;
extern int optind, opterr, optopt;
int getopt(int argc, char *const argv[], const char *optstring);
#endif
