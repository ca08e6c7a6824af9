/* The POSIX part of the C library, on the stub slots: one-line forwards (the slots already return
 * -1 and set errno), and the calls that need more than one slot (dup2, execvp, waitpid, stat by
 * path, directories, signal, raise, remove, mkstemp). ISO C comes from picolibc; the functions
 * here are also the hooks picolibc's stdio and time code call (read, write, lseek, close, open,
 * unlink, gettimeofday, times, __posix_sflags), so they use the spec's flags and numbers, never
 * newlib's. Every function here is linked into every program (libkiln.o), so picolibc's own
 * versions of these names are never pulled from its archive. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#ifdef KILN_SLOT_UNAME
#include <sys/utsname.h>
#endif
#include <time.h>
#include <unistd.h>

ssize_t read(int fd, void *buf, size_t n) { return kiln_read(fd, buf, n); }
ssize_t write(int fd, const void *buf, size_t n) { return kiln_write(fd, (void *)buf, n); }
int close(int fd) { return kiln_close(fd); }
off_t lseek(int fd, off_t off, int whence) { return kiln_lseek(fd, (int)off, whence); }
pid_t getpid(void) { return kiln_getpid(); }
pid_t getppid(void) { return kiln_getppid(); }
pid_t fork(void) { return kiln_fork(); }
int execve(const char *path, char *const argv[], char *const envp[]) { return kiln_execve(path, argv, envp); }
int dup(int fd) { return kiln_dup(fd); }
int dup3(int oldfd, int newfd, int flags) { return kiln_dup3(oldfd, newfd, (unsigned)flags); }
int pipe2(int fds[2], int flags) { return kiln_pipe2((int32_t *)fds, (unsigned)flags); }
int pipe(int fds[2]) { return kiln_pipe2((int32_t *)fds, 0); }
int chdir(const char *path) { return kiln_chdir(path); }
int unlink(const char *path) { return kiln_unlinkat(AT_FDCWD, path, 0); }
int rmdir(const char *path) { return kiln_unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }
int setpgid(pid_t pid, pid_t pgid) { return kiln_setpgid(pid, pgid); }
pid_t getpgid(pid_t pid) { return kiln_getpgid(pid); }
int mkdir(const char *path, mode_t mode) { return kiln_mkdirat(AT_FDCWD, path, mode); }
int kill(pid_t pid, int sig) { return kiln_kill(pid, sig); }
int sigprocmask(int how, const sigset_t *set, sigset_t *old) { return kiln_sigprocmask(how, (sigset_t *)set, old); }
int rename(const char *from, const char *to) { return kiln_renameat(AT_FDCWD, from, AT_FDCWD, to); }
#if KILN_PROGRAM_ABI >= 2
pid_t gettid(void) { return kiln_gettid(); }
int fstat(int fd, struct stat *st) { return kiln_fstat64(fd, st); }
#else
int fstat(int fd, struct stat *st) { return kiln_fstat(fd, st); }
#endif

/* open/openat/fcntl take an optional third argument (the mode, or fcntl's argument). */
int openat(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  unsigned mode = (flags & O_CREAT) ? va_arg(ap, unsigned) : 0;
  va_end(ap);
  return kiln_openat(dirfd, path, (unsigned)flags, mode);
}
int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  unsigned mode = (flags & O_CREAT) ? va_arg(ap, unsigned) : 0;
  va_end(ap);
  return kiln_openat(AT_FDCWD, path, (unsigned)flags, mode);
}
int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  unsigned arg = va_arg(ap, unsigned);
  va_end(ap);
  return kiln_fcntl(fd, cmd, arg);
}

/* picolibc's fopen/fdopen/freopen ask this for the open() flags of a mode string: the spec's. */
int __posix_sflags(const char *mode, int *optr) {
  int ret, o;
  switch (mode[0]) {
    case 'r': ret = __SRD; o = O_RDONLY; break;
    case 'w': ret = __SWR; o = O_WRONLY | O_CREAT | O_TRUNC; break;
    case 'a': ret = __SWR; o = O_WRONLY | O_CREAT | O_APPEND; break;
    default: errno = EINVAL; return 0;
  }
  for (const char *m = mode + 1; *m; m++) {
    if (*m == '+') {
      ret |= __SRD | __SWR;
      o = (o & ~(O_RDONLY | O_WRONLY | O_RDWR)) | O_RDWR;
    } else if (*m == 'x') {
      o |= O_EXCL;
    } else if (*m == 'e') {
      o |= O_CLOEXEC;
    }
  }
  *optr = o;
  return ret;
}

/* remove(): a file, or an empty directory (ISO C leaves directories to the implementation; this is
 * what glibc does). */
int remove(const char *path) {
  if (unlink(path) == 0) return 0;
  if (errno != EISDIR) return -1;
  return rmdir(path);
}

/* mkstemp/mktemp: the six X's become letters from a counter mixed with the pid and the clock;
 * O_EXCL makes the name ours. */
static int fill_template(char *t, unsigned seed) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  size_t n = strlen(t);
  if (n < 6 || memcmp(t + n - 6, "XXXXXX", 6) != 0) return errno = EINVAL, -1;
  for (int i = 0; i < 6; i++) {
    t[n - 6 + i] = letters[seed % 62];
    seed /= 62;
  }
  return 0;
}
static unsigned temp_seed(unsigned attempt) {
  static unsigned counter;
  return (unsigned)kiln_getpid() * 2654435761u + (unsigned)time(NULL) * 40503u + (++counter + attempt) * 97u;
}
int mkstemp(char *t) {
  size_t n = strlen(t);
  for (unsigned attempt = 0; attempt < 100; attempt++) {
    if (fill_template(t, temp_seed(attempt)) < 0) return -1;
    int fd = open(t, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0 || errno != EEXIST) return fd;
    memcpy(t + n - 6, "XXXXXX", 6);
  }
  return -1;
}
char *mktemp(char *t) {
  size_t n = strlen(t);
  struct stat st;
  for (unsigned attempt = 0; attempt < 100; attempt++) {
    if (fill_template(t, temp_seed(attempt)) < 0) return t[0] = 0, t;
    if (kiln_stat_path(t, &st) < 0 && errno == ENOENT) return t;
    memcpy(t + n - 6, "XXXXXX", 6);
  }
  t[0] = 0;
  return t;
}

/* Time: picolibc's time() calls gettimeofday, clock() calls times. */
#if KILN_PROGRAM_ABI >= 2
static int clock_read(int clk, int64_t *sec, int64_t *nsec) {
  struct kiln_timespec64 k;
  if (kiln_clock_gettime(clk, &k) < 0) return -1;
  *sec = k.tv_sec;
  *nsec = k.tv_nsec;
  return 0;
}
int clock_gettime(clockid_t clk, struct timespec *ts) {
  struct kiln_timespec64 k;
  if (kiln_clock_gettime((int)clk, &k) < 0) return -1;
  ts->tv_sec = (time_t)k.tv_sec;
  ts->tv_nsec = (long)k.tv_nsec;
  return 0;
}
int nanosleep(const struct timespec *req, struct timespec *rem) {
  struct kiln_timespec64 k = {req->tv_sec, req->tv_nsec}, r = {0, 0};
  int ret = kiln_nanosleep(&k, &r);
  if (rem) {
    rem->tv_sec = (time_t)r.tv_sec;
    rem->tv_nsec = (long)r.tv_nsec;
  }
  return ret;
}
unsigned sleep(unsigned seconds) {
  struct timespec req = {seconds, 0}, rem = {0, 0};
  if (nanosleep(&req, &rem) < 0) return (unsigned)rem.tv_sec;
  return 0;
}
#else
/* p1 has only the time slot (whole seconds) and no sleep. */
static int clock_read(int clk, int64_t *sec, int64_t *nsec) {
  (void)clk;
  int32_t t;
  if (kiln_time(&t) < 0) return -1;
  *sec = t;
  *nsec = 0;
  return 0;
}
unsigned sleep(unsigned seconds) { return errno = ENOSYS, seconds; }
#endif

int gettimeofday(struct timeval *tv, void *tz) {
  (void)tz;
  int64_t sec, nsec;
  if (clock_read(CLOCK_REALTIME, &sec, &nsec) < 0) return -1;
  if (tv) {
    tv->tv_sec = (time_t)sec;
    tv->tv_usec = (suseconds_t)(nsec / 1000);
  }
  return 0;
}

/* times(): the times slot where the program ABI has it and the kernel answers; otherwise user time
 * is the monotonic clock since the first call (what clock() measures for a single-threaded program
 * that does not sleep). */
clock_t times(struct tms *t) {
#ifdef KILN_SLOT_TIMES
  {
    struct kiln_tms k;
    int e = errno;
    int r = kiln_times(&k);
    if (r != -1 || errno != ENOSYS) {
      if (r != -1 && t) t->tms_utime = k.tms_utime, t->tms_stime = k.tms_stime, t->tms_cutime = k.tms_cutime, t->tms_cstime = k.tms_cstime;
      return (clock_t)r;
    }
    errno = e;
  }
#endif
  static int64_t start = -1;
  int64_t sec, nsec;
  if (clock_read(CLOCK_MONOTONIC, &sec, &nsec) < 0) return (clock_t)-1;
  int64_t now = sec * 1000000000LL + nsec;
  if (start < 0) start = now;
  clock_t ticks = (clock_t)((now - start) / (1000000000LL / CLK_TCK));
  if (t) {
    t->tms_utime = ticks;
    t->tms_stime = t->tms_cutime = t->tms_cstime = 0;
  }
  return ticks;
}

/* getentropy: the getrandom slot where the program ABI has it (at most 256 bytes, as POSIX says);
 * without it, ENOSYS, as a kernel without getrandom would say. */
int getentropy(void *buf, size_t n) {
#ifdef KILN_SLOT_GETRANDOM
  if (n > 256) return errno = EIO, -1;
  for (size_t got = 0; got < n;) {
    int r = kiln_getrandom((char *)buf + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    got += (size_t)r;
  }
  return 0;
#else
  (void)buf;
  (void)n;
  return errno = ENOSYS, -1;
#endif
}

int dup2(int oldfd, int newfd) {
  if (oldfd == newfd) return kiln_fcntl(oldfd, F_GETFD, 0) < 0 ? -1 : newfd;
  return kiln_dup3(oldfd, newfd, 0);
}

char *getcwd(char *buf, size_t size) { return kiln_getcwd(buf, size) < 0 ? NULL : buf; }

/* execvp: a name without '/' is looked up in /bin. */
int execvp(const char *file, char *const argv[]) {
  if (strchr(file, '/')) return execve(file, argv, environ);
  char path[256];
  size_t n = strlen(file);
  if (n + 6 > sizeof path) return errno = ENAMETOOLONG, -1;
  memcpy(path, "/bin/", 5);
  memcpy(path + 5, file, n + 1);
  return execve(path, argv, environ);
}

int waitpid(int pid, int *status, int options) {
  struct kiln_siginfo info;
  memset(&info, 0, sizeof info);
  int idtype = pid > 0 ? P_PID : pid == -1 ? P_ALL : P_PGID;
  int id = pid > 0 ? pid : pid == -1 ? 0 : -pid;
  if (kiln_waitid(idtype, id, &info, (unsigned)(options | WEXITED)) < 0) return -1;
  if (info.si_pid == 0) return 0; /* WNOHANG and nobody ready */
  if (status) *status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : (info.si_status & 0x7f);
  return info.si_pid;
}

int kiln_stat_path(const char *path, struct stat *st) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int r = fstat(fd, st);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

struct kiln_dir {
  int fd;
  int pos, len;
  unsigned char buf[2048] __attribute__((aligned(8)));
};

DIR *opendir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return NULL;
  DIR *d = malloc(sizeof *d);
  if (!d) {
    close(fd);
    return NULL;
  }
  d->fd = fd;
  d->pos = d->len = 0;
  return d;
}

struct dirent *readdir(DIR *d) {
  if (d->pos >= d->len) {
    int n = kiln_getdents64(d->fd, (struct kiln_dirent64 *)d->buf, sizeof d->buf);
    if (n <= 0) return NULL;
    d->pos = 0;
    d->len = n;
  }
  struct dirent *e = (struct dirent *)(d->buf + d->pos);
  d->pos += e->d_reclen;
  return e;
}

int closedir(DIR *d) {
  int r = close(d->fd);
  free(d);
  return r;
}

sighandler_t signal(int sig, sighandler_t handler) {
  struct kiln_sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = (void *)handler;
  sa.sa_flags = SA_RESTART;
  if (kiln_sigaction(sig, &sa, &old) < 0) return SIG_ERR;
  return (sighandler_t)old.sa_handler;
}

int raise(int sig) {
#if KILN_PROGRAM_ABI >= 2
  return kiln_tgkill(kiln_getpid(), kiln_gettid(), sig);
#else
  return kiln_kill(kiln_getpid(), sig);
#endif
}

/* strerror: the spec's error numbers are Linux's, not newlib's, so picolibc's table does not fit. */
char *strerror(int e) {
  switch (e) {
    case 0: return "Success";
    case EPERM: return "Operation not permitted";
    case ENOENT: return "No such file or directory";
    case ESRCH: return "No such process";
    case EINTR: return "Interrupted system call";
    case EIO: return "Input/output error";
    case ENXIO: return "No such device or address";
    case E2BIG: return "Argument list too long";
    case ENOEXEC: return "Exec format error";
    case EBADF: return "Bad file descriptor";
    case ECHILD: return "No child processes";
    case EAGAIN: return "Resource temporarily unavailable";
    case ENOMEM: return "Cannot allocate memory";
    case EACCES: return "Permission denied";
    case EFAULT: return "Bad address";
    case EBUSY: return "Device or resource busy";
    case EEXIST: return "File exists";
    case EXDEV: return "Invalid cross-device link";
    case ENODEV: return "No such device";
    case ENOTDIR: return "Not a directory";
    case EISDIR: return "Is a directory";
    case EINVAL: return "Invalid argument";
    case ENFILE: return "Too many open files in system";
    case EMFILE: return "Too many open files";
    case ENOTTY: return "Inappropriate ioctl for device";
    case EFBIG: return "File too large";
    case ENOSPC: return "No space left on device";
    case ESPIPE: return "Illegal seek";
    case EROFS: return "Read-only file system";
    case EMLINK: return "Too many links";
    case EPIPE: return "Broken pipe";
    case ERANGE: return "Numerical result out of range";
    case EDEADLK: return "Resource deadlock avoided";
    case ENAMETOOLONG: return "File name too long";
    case ENOSYS: return "Function not implemented";
    case ENOTEMPTY: return "Directory not empty";
    case ELOOP: return "Too many levels of symbolic links";
    case EOVERFLOW: return "Value too large for defined data type";
    case ETIMEDOUT: return "Connection timed out";
    default: return "Unknown error";
  }
}

/* Calls that p4 gave slots (docs/ports.md). A slot exists only in the program ABIs whose slots table
 * has it (KILN_SLOT_<ID> from kiln.h), so each is guarded by its slot, never by a version number.
 * Where a kernel routes the slot to ENOSYS, the old nearest thing is what the function does. */

#ifdef KILN_SLOT_FSTATAT
int stat(const char *path, struct stat *st) { return kiln_fstatat(AT_FDCWD, path, st, 0); }
int lstat(const char *path, struct stat *st) { return kiln_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW); }
#else
/* stat by path and lstat: open + fstat (no symlinks are visible without an lstat slot). */
int stat(const char *path, struct stat *st) { return kiln_stat_path(path, st); }
int lstat(const char *path, struct stat *st) { return kiln_stat_path(path, st); }
#endif

/* access without the slot (or on a kernel that answers ENOSYS): the file exists if it opens (with
 * write access for W_OK); X_OK is not checked. */
static int access_by_open(const char *path, int mode) {
  int fd = open(path, ((mode & W_OK) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EISDIR && (mode & W_OK)) return 0;
    return -1;
  }
  close(fd);
  return 0;
}
int access(const char *path, int mode) {
#ifdef KILN_SLOT_ACCESS
  int e = errno;
  int r = kiln_access(AT_FDCWD, path, mode);
  if (r == 0 || errno != ENOSYS) return r;
  errno = e;
#endif
  return access_by_open(path, mode);
}

/* isatty without the slot (or where it is ENOSYS): a character device (the console) counts. */
int isatty(int fd) {
#ifdef KILN_SLOT_ISATTY
  int e = errno;
  if (kiln_isatty(fd) == 1) return 1;
  if (errno != ENOSYS) return 0;
  errno = e;
#endif
  struct stat st;
  if (fstat(fd, &st) < 0) return 0;
  if (S_ISCHR(st.st_mode)) return 1;
  errno = ENOTTY;
  return 0;
}

/* The kernel has no users: every process is uid 0, and there is no password database. */
uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
struct passwd *getpwuid(uid_t uid) {
  (void)uid;
  errno = ENOENT;
  return NULL;
}

int chmod(const char *path, mode_t mode) { (void)path; (void)mode; return errno = ENOSYS, -1; }

#ifdef KILN_SLOT_READLINK
ssize_t readlink(const char *path, char *buf, size_t n) { return kiln_readlink(AT_FDCWD, path, buf, (int)n); }
int symlink(const char *target, const char *path) { return kiln_symlink(target, AT_FDCWD, path); }
int link(const char *from, const char *to) { return kiln_link(AT_FDCWD, from, AT_FDCWD, to, 0); }
int utimensat(int dirfd, const char *path, const struct timespec *ts, int flags) {
  struct kiln_timespec64 k[2];
  for (int i = 0; ts && i < 2; i++) k[i].tv_sec = ts[i].tv_sec, k[i].tv_nsec = ts[i].tv_nsec;
  return kiln_utimensat(dirfd, path, ts ? k : NULL, (unsigned)flags);
}
int utimes(const char *path, const struct timeval tv[2]) {
  if (!tv) return utimensat(AT_FDCWD, path, NULL, 0);
  struct timespec ts[2] = {{tv[0].tv_sec, tv[0].tv_usec * 1000}, {tv[1].tv_sec, tv[1].tv_usec * 1000}};
  return utimensat(AT_FDCWD, path, ts, 0);
}
#else
ssize_t readlink(const char *path, char *buf, size_t n) { (void)path; (void)buf; (void)n; return errno = ENOSYS, -1; }
int symlink(const char *target, const char *path) { (void)target; (void)path; return errno = ENOSYS, -1; }
int utimes(const char *path, const struct timeval tv[2]) { (void)path; (void)tv; return errno = ENOSYS, -1; }
#endif

#ifdef KILN_SLOT_PREAD
/* off_t is 32 bits here; the slots take 64-bit positions as two words. */
ssize_t pread(int fd, void *buf, size_t n, off_t off) { return kiln_pread(fd, buf, n, (unsigned)off, (unsigned)(off >> 31 >> 1)); }
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) { return kiln_pwrite(fd, (void *)buf, n, (unsigned)off, (unsigned)(off >> 31 >> 1)); }
int ftruncate(int fd, off_t len) { return kiln_ftruncate(fd, (unsigned)len, (unsigned)(len >> 31 >> 1)); }
int fsync(int fd) { return kiln_fsync(fd); }
int fdatasync(int fd) { return kiln_fsync(fd); }
#endif

#ifdef KILN_SLOT_UMASK
/* umask cannot fail; where the kernel has none (ENOSYS) the mask is only remembered here. */
mode_t umask(mode_t mask) {
  static mode_t shadow = 022;
  int e = errno;
  unsigned r = kiln_umask(mask);
  if (r != (unsigned)-1) return (mode_t)r;
  errno = e;
  mode_t old = shadow;
  shadow = mask & 0777;
  return old;
}
#endif

#ifdef KILN_SLOT_UNAME
int uname(struct utsname *u) { return kiln_uname(u); }
#endif

FILE *popen(const char *cmd, const char *mode) { (void)cmd; (void)mode; errno = ENOSYS; return NULL; }
int pclose(FILE *f) { (void)f; return errno = ENOSYS, -1; }

/* getrusage: no CPU-time accounting in the kernel; user time is times()' clock, the rest zero. */
int getrusage(int who, struct rusage *ru) {
  (void)who;
  memset(ru, 0, sizeof *ru);
  struct tms tm;
  if (times(&tm) == (clock_t)-1) return -1;
  clock_t t = tm.tms_utime;
  ru->ru_utime.tv_sec = t / CLK_TCK;
  ru->ru_utime.tv_usec = (suseconds_t)(t % CLK_TCK) * (1000000 / CLK_TCK);
  return 0;
}
