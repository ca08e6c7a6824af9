/* The compatibility-matrix program (kiln matrix, harness/matrix.ts). Built once per program ABI
 * (-p pN) and run unchanged on every kernel ABI; it calls every slot of its program ABI and
 * prints only kernel-independent facts, so its output must be byte-identical in every cell.
 * Built RAW (matrix/raw_*.S|c: no stub section, k1's numbers) it passes on k1 only.
 *
 * The runner puts this program at argv[0] in the guest file system (execve runs it again with the
 * argument "child") and the dlopen object at MATRIX_OBJ. Exit status 0 when every check held. */
#include <stdio.h>
#include <string.h>
#include "kiln.h"
#if KILN_PROGRAM_ABI >= 2
#include <pthread.h>
#endif

#ifndef MATRIX_OBJ
#define MATRIX_OBJ "/lib/matrix-obj.so"
#endif

static int fails;
static void check(const char *what, int ok) {
  printf("%-34s %s\n", what, ok ? "ok" : "FAIL");
  if (!ok) fails++;
}
static int err(void) { return *kiln_errno_location(); }

static volatile int delivered;
static void on_usr1(int sig) {
  (void)sig;
  delivered++;
}

static void files(void) {
  char buf[64];
  check("mkdirat /m", kiln_mkdirat(AT_FDCWD, "/m", 0755) == 0);
  check("chdir /m", kiln_chdir("/m") == 0);
  memset(buf, 0, sizeof buf);
  check("getcwd = /m", kiln_getcwd(buf, sizeof buf) > 0 && strcmp(buf, "/m") == 0);
  int fd = kiln_openat(AT_FDCWD, "f", O_CREAT | O_RDWR | O_TRUNC, 0644);
  check("openat O_CREAT", fd >= 3);
  check("write 13 bytes", kiln_write(fd, "hello matrix\n", 13) == 13);
  check("lseek to 0", kiln_lseek(fd, 0, SEEK_SET) == 0);
  memset(buf, 0, sizeof buf);
  check("read them back", kiln_read(fd, buf, sizeof buf) == 13 && memcmp(buf, "hello matrix\n", 13) == 0);
  struct kiln_stat st;
  memset(&st, 0xff, sizeof st);
  check("fstat: size 13, regular", kiln_fstat(fd, &st) == 0 && st.st_size == 13 && (st.st_mode & S_IFMT) == S_IFREG);
#if KILN_PROGRAM_ABI >= 2
  struct kiln_stat64 st64;
  memset(&st64, 0xff, sizeof st64);
  check("fstat64: size 13, regular", kiln_fstat64(fd, &st64) == 0 && st64.st_size == 13 && (st64.st_mode & S_IFMT) == S_IFREG);
#endif
  struct kiln_iovec iov[2] = {{"ab", 2}, {"cde", 3}};
  check("writev 2+3", kiln_writev(fd, iov, 2) == 5);
  kiln_lseek(fd, 13, SEEK_SET);
  char x[2] = {0, 0}, y[3] = {0, 0, 0};
  struct kiln_iovec riov[2] = {{x, 2}, {y, 3}};
  check("readv 2+3", kiln_readv(fd, riov, 2) == 5 && memcmp(x, "ab", 2) == 0 && memcmp(y, "cde", 3) == 0);
  int d = kiln_dup(fd);
  check("dup", d > fd);
  check("dup3 to 10", kiln_dup3(fd, 10, 0) == 10);
  check("fcntl F_GETFD = 0", kiln_fcntl(10, F_GETFD, 0) == 0);
  check("fcntl F_SETFD FD_CLOEXEC", kiln_fcntl(10, F_SETFD, FD_CLOEXEC) == 0 && kiln_fcntl(10, F_GETFD, 0) == FD_CLOEXEC);
  check("close x3", kiln_close(d) == 0 && kiln_close(10) == 0 && kiln_close(fd) == 0);
  check("close again: EBADF", kiln_close(fd) == -1 && err() == EBADF);
  int32_t p[2];
  check("pipe2", kiln_pipe2(p, 0) == 0);
  memset(buf, 0, sizeof buf);
  check("through the pipe", kiln_write(p[1], "pipe", 4) == 4 && kiln_read(p[0], buf, 4) == 4 && memcmp(buf, "pipe", 4) == 0);
  kiln_close(p[0]);
  kiln_close(p[1]);
  check("renameat f -> g", kiln_renameat(AT_FDCWD, "f", AT_FDCWD, "g") == 0);
  int dfd = kiln_openat(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY, 0);
  char dents[512];
  int n = kiln_getdents64(dfd, (struct kiln_dirent64 *)dents, sizeof dents);
  int names = 0, seen_g = 0;
  for (int off = 0; off < n;) {
    struct kiln_dirent64 *e = (struct kiln_dirent64 *)(dents + off);
    const char *nm = (const char *)e->d_name;
    if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) names++;
    if (strcmp(nm, "g") == 0) seen_g = 1;
    off += e->d_reclen;
  }
  check("getdents64: just g", n > 0 && names == 1 && seen_g);
  kiln_close(dfd);
  check("openat missing: ENOENT", kiln_openat(AT_FDCWD, "nope", O_RDONLY, 0) == -1 && err() == ENOENT);
  check("unlinkat g", kiln_unlinkat(AT_FDCWD, "g", 0) == 0);
  kiln_chdir("/");
  check("unlinkat /m (AT_REMOVEDIR)", kiln_unlinkat(AT_FDCWD, "/m", AT_REMOVEDIR) == 0);
}

static void memory(void) {
  char *cur = kiln_brk(0);
  char *top = kiln_brk(cur + 8192);
  check("brk grows by 8192", top == cur + 8192);
  cur[0] = 1;
  cur[8191] = 2;
  char *m = kiln_mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check("mmap anonymous", m != (char *)-1 && m[0] == 0 && m[8191] == 0);
  m[4096] = 42;
  check("mprotect read-only", kiln_mprotect(m, 8192, PROT_READ) == 0 && m[4096] == 42);
  check("munmap", kiln_munmap(m, 8192) == 0);
  check("munmap bad: EINVAL", kiln_munmap((char *)1, 4096) == -1 && err() == EINVAL);
}

static int wait_child(int pid, struct kiln_siginfo *si) {
  memset(si, 0, sizeof *si);
  return kiln_waitid(P_PID, pid, si, WEXITED);
}

static void processes(const char *self) {
  int me = kiln_getpid();
  check("setpgid / getpgid", kiln_setpgid(0, 0) == 0 && kiln_getpgid(0) == me);
  fflush(stdout);
  int pid = kiln_fork();
  if (pid == 0) {
    kiln_exit(kiln_getppid() == me ? 7 : 8);
  }
  struct kiln_siginfo si;
  check("fork + waitid: child exit 7", pid > me && wait_child(pid, &si) == 0 && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 7);
  fflush(stdout);
  pid = kiln_fork();
  if (pid == 0) {
    char *argv[] = {(char *)self, "child", 0};
    char *envp[] = {0};
    kiln_execve(self, argv, envp);
    kiln_exit(99);
  }
  check("execve self: child exit 42", pid > 0 && wait_child(pid, &si) == 0 && si.si_code == CLD_EXITED && si.si_status == 42);
  int32_t p[2];
  kiln_pipe2(p, 0);
  fflush(stdout);
  pid = kiln_fork();
  if (pid == 0) {
    char c;
    kiln_read(p[0], &c, 1); /* blocks: nobody writes */
    kiln_exit(0);
  }
  check("kill SIGTERM", kiln_kill(pid, SIGTERM) == 0);
  check("waitid: killed by SIGTERM", wait_child(pid, &si) == 0 && si.si_code == CLD_KILLED && si.si_status == SIGTERM);
  kiln_close(p[0]);
  kiln_close(p[1]);
  check("waitid, no child: ECHILD", wait_child(pid, &si) == -1 && err() == ECHILD);
}

static void signals(void) {
  struct kiln_sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = (void *)on_usr1;
  check("sigaction SIGUSR1", kiln_sigaction(SIGUSR1, &sa, 0) == 0);
  delivered = 0;
  kiln_kill(kiln_getpid(), SIGUSR1);
  check("kill self: delivered once", delivered == 1);
  struct kiln_sigset set = {{1u << (SIGUSR1 - 1), 0}}, old;
  check("sigprocmask block", kiln_sigprocmask(SIG_BLOCK, &set, &old) == 0);
  kiln_kill(kiln_getpid(), SIGUSR1);
  int blocked = delivered;
  kiln_sigprocmask(SIG_UNBLOCK, &set, 0);
  check("blocked, then delivered at unblock", blocked == 1 && delivered == 2);
#if KILN_PROGRAM_ABI >= 2
  /* The critical-section interlock: a signal raised inside is delivered once, at crit_leave. */
  delivered = 0;
  kiln_crit_enter();
  kiln_crit_enter();
  kiln_tgkill(kiln_getpid(), kiln_gettid(), SIGUSR1);
  int in1 = delivered;
  kiln_crit_leave();
  int in2 = delivered;
  kiln_crit_leave();
  int after = delivered;
  check("crit: none inside (nested)", in1 == 0 && in2 == 0);
  check("crit: delivered once at leave", after == 1);
  kiln_tgkill(kiln_getpid(), kiln_gettid(), SIGUSR1);
  check("outside a section: at once", delivered == 2);
#endif
}

static void times(void) {
  int32_t t = 0;
  int r = kiln_time(&t);
  check("time: after 2000-01-01", r >= 946684800 && t == r);
#if KILN_PROGRAM_ABI >= 2
  struct kiln_timespec64 a, b, req = {0, 2000000}, rem;
  check("clock_gettime MONOTONIC", kiln_clock_gettime(CLOCK_MONOTONIC, &a) == 0);
  uint64_t m1 = kiln_monotonic_ns();
  check("nanosleep 2 ms", kiln_nanosleep(&req, &rem) == 0);
  uint64_t m2 = kiln_monotonic_ns();
  kiln_clock_gettime(CLOCK_MONOTONIC, &b);
  int64_t d = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
  check("clock advanced >= 2 ms", d >= 2000000);
  check("monotonic_ns advanced >= 2 ms", m2 > m1 && m2 - m1 >= 2000000);
#endif
}

#if KILN_PROGRAM_ABI >= 2
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int counter;
static volatile int phase;

static void *worker(void *arg) {
  int id = (int)(long)arg;
  /* Each thread makes a different call fail, lets the other run, then reads its own errno. */
  if (id == 1) kiln_close(-1);
  else kiln_openat(AT_FDCWD, "/nonexistent", O_RDONLY, 0);
  __atomic_fetch_add(&phase, 1, __ATOMIC_SEQ_CST);
  while (phase < 2) {
    struct kiln_timespec64 ts = {0, 1000};
    kiln_nanosleep(&ts, 0);
  }
  int mine = err();
  for (int i = 0; i < 1000; i++) {
    pthread_mutex_lock(&lock);
    counter = counter + 1;
    pthread_mutex_unlock(&lock);
  }
  int tid = kiln_gettid();
  return (void *)(long)((tid != kiln_getpid() ? 1000 : 0) + mine);
}

static void threads(void) {
  check("gettid = getpid in main", kiln_gettid() == kiln_getpid());
  int32_t word = 0;
  check("set_tid_address = tid", kiln_set_tid_address(&word) == kiln_gettid());
  check("futex wake, no waiter: 0", kiln_futex(&word, FUTEX_WAKE, 1, 0, 0, 0) == 0);
  check("futex wait, value differs: EAGAIN", kiln_futex(&word, FUTEX_WAIT, 1, 0, 0, 0) == -1 && err() == EAGAIN);
  pthread_t t1, t2;
  check("clone x2 (pthread_create)", pthread_create(&t1, 0, worker, (void *)1) == 0 && pthread_create(&t2, 0, worker, (void *)2) == 0);
  void *r1, *r2;
  pthread_join(t1, &r1);
  pthread_join(t2, &r2);
  check("errno per thread: EBADF / ENOENT", (long)r1 == 1000 + EBADF && (long)r2 == 1000 + ENOENT);
  check("mutex counter = 2000", counter == 2000);
}

typedef int (*obj_fn)(int);
static void dynamic(void) {
  void *h = kiln_dlopen(MATRIX_OBJ);
  check("dlopen object", h != (void *)-1 && h != 0);
  if (h != (void *)-1 && h != 0) {
    fflush(stdout);
    check("object's calls through its stubs", ((obj_fn)h)(5) == kiln_getpid() + 5);
  }
  check("dlopen missing: ENOENT", kiln_dlopen("/lib/none.so") == (void *)-1 && err() == ENOENT);
}
#endif

#if KILN_PROGRAM_ABI >= 3
static char chunks[64][16];
static void batch(void) {
  int fd = kiln_openat(AT_FDCWD, "/batch", O_CREAT | O_RDWR | O_TRUNC, 0644);
  char line[17];
  for (int i = 0; i < 64; i++) {
    snprintf(line, sizeof line, "chunk %02d.......\n", i);
    kiln_write(fd, line, 16);
  }
  kiln_lseek(fd, 0, SEEK_SET);
  struct kiln_batch_entry e[64];
  memset(e, 0, sizeof e);
  for (int i = 0; i < 64; i++) {
    e[i].op = BATCH_READ;
    e[i].fd = fd;
    e[i].buf = chunks[i];
    e[i].len = 16;
    e[i].result = -1;
  }
  int n = kiln_batch(e, 64);
  int ok = n == 64;
  for (int i = 0; i < 64; i++) {
    snprintf(line, sizeof line, "chunk %02d.......\n", i);
    ok &= e[i].result == 16 && memcmp(chunks[i], line, 16) == 0;
  }
  check("batch of 64 reads", ok);
  kiln_close(fd);
  kiln_unlinkat(AT_FDCWD, "/batch", 0);
}
#endif

#ifdef KILN_SLOT_PREAD
/* The slots p4 added. Each is a call, an emulation or ENOSYS depending on the kernel (spec/abi/p4.md),
 * so a check that a kernel may answer with ENOSYS accepts exactly that, and the state it leaves. */
static int nosys(int r) { return r == -1 && err() == ENOSYS; }
static void grown(void) {
  int fd = kiln_openat(AT_FDCWD, "/g", O_CREAT | O_RDWR | O_TRUNC, 0644);
  kiln_write(fd, "0123456789", 10);
  char b[16];
  memset(b, 0, sizeof b);
  check("pread 4 at 3, offset kept", kiln_pread(fd, b, 4, 3, 0) == 4 && memcmp(b, "3456", 4) == 0 && kiln_lseek(fd, 0, SEEK_CUR) == 10);
  check("pwrite 2 at 1, offset kept", kiln_pwrite(fd, "ab", 2, 1, 0) == 2 && kiln_lseek(fd, 0, SEEK_CUR) == 10);
  check("pread sees it", kiln_pread(fd, b, 10, 0, 0) == 10 && memcmp(b, "0ab3456789", 10) == 0);
  int pfd[2];
  kiln_pipe2(pfd, 0);
  check("pread on a pipe: ESPIPE", kiln_pread(pfd[0], b, 1, 0, 0) == -1 && err() == ESPIPE);
  kiln_close(pfd[0]);
  kiln_close(pfd[1]);
  check("fsync", kiln_fsync(fd) == 0);
  check("fsync of a bad fd: EBADF", kiln_fsync(99) == -1 && err() == EBADF);
  struct kiln_stat64 st;
  int r = kiln_ftruncate(fd, 4, 0);
  kiln_fstat64(fd, &st);
  check("ftruncate to 4 (or ENOSYS, size kept)", (r == 0 && st.st_size == 4) || (nosys(r) && st.st_size == 10));
  memset(&st, 0xff, sizeof st);
  check("fstatat: regular", kiln_fstatat(AT_FDCWD, "/g", &st, 0) == 0 && (st.st_mode & S_IFMT) == S_IFREG);
  check("fstatat missing: ENOENT", kiln_fstatat(AT_FDCWD, "/none", &st, 0) == -1 && err() == ENOENT);
  r = kiln_access(AT_FDCWD, "/g", R_OK | W_OK);
  check("access (or ENOSYS)", r == 0 || nosys(r));
  r = kiln_access(AT_FDCWD, "/none", F_OK);
  check("access missing: ENOENT (or ENOSYS)", r == -1 && (err() == ENOENT || err() == ENOSYS));
  r = kiln_symlink("/g", AT_FDCWD, "/s");
  int ok = nosys(r);
  if (r == 0) {
    memset(b, 0, sizeof b);
    ok = kiln_readlink(AT_FDCWD, "/s", b, sizeof b) == 2 && memcmp(b, "/g", 2) == 0;
    ok &= kiln_fstatat(AT_FDCWD, "/s", &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFLNK;
    kiln_unlinkat(AT_FDCWD, "/s", 0);
  }
  check("symlink, readlink, lstat (or ENOSYS)", ok);
  r = kiln_link(AT_FDCWD, "/g", AT_FDCWD, "/h", 0);
  ok = nosys(r);
  if (r == 0) {
    ok = kiln_fstatat(AT_FDCWD, "/h", &st, 0) == 0 && st.st_nlink == 2;
    kiln_unlinkat(AT_FDCWD, "/h", 0);
  }
  check("link: two names (or ENOSYS)", ok);
  struct kiln_timespec64 ts[2] = {{100, 0}, {200, 0}};
  r = kiln_utimensat(AT_FDCWD, "/g", ts, 0);
  check("utimensat: mtime 200 (or ENOSYS)", (r == 0 && kiln_fstatat(AT_FDCWD, "/g", &st, 0) == 0 && st.st_mtime == 200) || nosys(r));
  unsigned char rnd[16];
  check("getrandom 16 bytes", kiln_getrandom(rnd, sizeof rnd, 0) == 16);
  struct kiln_utsname u;
  memset(&u, 0, sizeof u);
  r = kiln_uname(&u);
  check("uname (or ENOSYS)", (r == 0 && u.sysname[0] != 0) || nosys(r));
  unsigned m = kiln_umask(027);
  unsigned m2 = kiln_umask(m);
  check("umask round trip (or ENOSYS)", m2 == 027 || (m == (unsigned)-1 && err() == ENOSYS));
  struct kiln_tms t;
  r = kiln_times(&t);
  check("times (or ENOSYS)", (r != -1 && t.tms_utime >= 0) || nosys(r));
  check("isatty of a file: ENOTTY (or ENOSYS)", kiln_isatty(fd) == -1 && (err() == ENOTTY || err() == ENOSYS));
  kiln_close(fd);
  kiln_unlinkat(AT_FDCWD, "/g", 0);
}
#endif

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    printf("  (execve'd child: %s)\n", argv[1]);
    return 42;
  }
  printf("matrix program %s: %d slots\n", KILN_PROGRAM_ABI_NAME, KILN_SLOT_COUNT);
  files();
  memory();
  processes(argv[0]);
  signals();
  times();
#if KILN_PROGRAM_ABI >= 2
  threads();
  dynamic();
#endif
#if KILN_PROGRAM_ABI >= 3
  batch();
#endif
#ifdef KILN_SLOT_PREAD
  grown();
#endif
  printf("getppid of init: %d\n", kiln_getppid());
  printf("%s\n", fails ? "FAILED" : "all ok");
  fflush(stdout);
  kiln_exit_group(fails ? 1 : 0);
}
