/* A raw Linux rv32 program (no C library) that exercises the calls a static Linux libc makes, for
 * the differential test (tests/kernel/linux-diff.test.ts): it runs under qemu-riscv32 on the host's
 * Linux and on kiln's k1, and both must print the same lines and exit with the same status.
 * Numbers and flag values come from linux_abi.h, which the test generates from the spec (NR_<id>,
 * the constant tables, errno names); structure layouts are written here as Linux defines them, so
 * qemu checks the spec's tables too. Only host-independent facts are printed. */
#include "linux_abi.h"

typedef unsigned int size_t;
typedef long long i64;
typedef unsigned long long u64;

static long sc(long n, long a, long b, long c, long d, long e, long f) {
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a3 __asm__("a3") = d;
  register long a4 __asm__("a4") = e;
  register long a5 __asm__("a5") = f;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
  return a0;
}
#define S6(n, a, b, c, d, e, f, ...) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define SYS(id, ...) S6(NR_##id, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0)

/* ---- output */
static char obuf[8192];
static int olen;
static void flush(void) { if (olen) SYS(write, 1, obuf, olen); olen = 0; }
static void out(const char *s) { while (*s) { if (olen == sizeof obuf) flush(); obuf[olen++] = *s++; } }
static void outn(long v) {
  char b[16]; int i = 15; b[i] = 0;
  int neg = v < 0; unsigned long u = neg ? -v : v;
  do { b[--i] = '0' + u % 10; u /= 10; } while (u);
  if (neg) b[--i] = '-';
  out(b + i);
}
static const char *ename(long r) {
  for (int i = 0; errnames[i].name; i++) if (errnames[i].value == -r) return errnames[i].name;
  return 0;
}
/* "label: N" or "label: -ENAME" */
static void say(const char *label, long r) {
  out(label); out(": ");
  const char *e = r < 0 && r >= -4095 ? ename(r) : 0;
  if (e) { out("-"); out(e); } else outn(r);
  out("\n");
}
static void sayb(const char *label, int ok) { out(label); out(ok ? ": yes\n" : ": no\n"); }

static int seq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
static void mset(void *p, int c, size_t n) { unsigned char *d = p; while (n--) *d++ = c; }

/* ---- Linux structures (rv32) */
struct ts64 { i64 sec; i64 nsec; };
struct statx_ts { i64 sec; unsigned nsec; int pad; };
struct statx {
  unsigned mask, blksize; u64 attributes; unsigned nlink, uid, gid; unsigned short mode, pad1;
  u64 ino, size, blocks, attributes_mask;
  struct statx_ts atime, btime, ctime, mtime;
  unsigned rdev_major, rdev_minor, dev_major, dev_minor;
  u64 spare[14];
};
struct ksigaction { void *handler; unsigned long flags; unsigned mask[2]; };
struct siginfo { int signo, err, code, pid; unsigned uid; int status; int pad[26]; };
struct stack_t { void *sp; int flags; size_t size; };
struct rlimit64 { u64 cur, max; };
struct utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };
struct pollfd { int fd; short events, revents; };
struct flock64 { short type, whence; i64 start, len; int pid; };
struct statfs64 {
  unsigned type, bsize; u64 blocks, bfree, bavail, files, ffree; int fsid[2];
  unsigned namelen, frsize, flags, spare[4];
};
struct iovec { void *base; size_t len; };
struct tms { long u, s, cu, cs; };
struct timeval32 { long sec, usec; };
struct rusage { struct timeval32 ut, st; long rest[14]; };
struct dirent64 { u64 ino; i64 off; unsigned short reclen; unsigned char type; char name[]; };

#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_UID 11
#define AT_HWCAP 16
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

static int xopen(const char *p, int flags, int mode) { return SYS(openat, AT_FDCWD, p, flags, mode); }
static long xstatx(int dirfd, const char *p, int flags, struct statx *st) {
  return SYS(statx, dirfd, p, flags, STATX_BASIC_STATS, st);
}
static void snooze(long ms) {
  struct ts64 t = {0, ms * 1000000LL};
  SYS(clock_nanosleep_time64, CLOCK_MONOTONIC, 0, &t, 0);
}
static int xfork(void) { flush(); return SYS(clone, SIGCHLD, 0, 0, 0, 0); }
static int xwait(int pid, struct siginfo *si) { return SYS(waitid, P_PID, pid, si, WEXITED, 0); }
static void sigact(int sig, void *h, unsigned long flags) {
  struct ksigaction a = {h, flags, {0, 0}};
  SYS(rt_sigaction, sig, &a, 0, 8);
}
static void mask(int how, int sig) {
  unsigned set[2] = {0, 0};
  set[(sig - 1) / 32] = 1u << ((sig - 1) % 32);
  SYS(rt_sigprocmask, how, set, 0, 8);
}

extern char __ehdr_start[];
void _start(void);

/* ---- start-up */
static void startup(int argc, char **argv, char **envp) {
  out("== start-up\n");
  unsigned *aux = (unsigned *)envp;
  while (*aux) aux++;
  aux++;
  unsigned phdr = 0, phent = 0, phnum = 0, pagesz = 0, entry = 0, hwcap = 0, secure = 9, random = 0, execfn = 0;
  for (; aux[0]; aux += 2) {
    switch (aux[0]) {
      case AT_PHDR: phdr = aux[1]; break;
      case AT_PHENT: phent = aux[1]; break;
      case AT_PHNUM: phnum = aux[1]; break;
      case AT_PAGESZ: pagesz = aux[1]; break;
      case AT_ENTRY: entry = aux[1]; break;
      case AT_HWCAP: hwcap = aux[1]; break;
      case AT_SECURE: secure = aux[1]; break;
      case AT_RANDOM: random = aux[1]; break;
      case AT_EXECFN: execfn = aux[1]; break;
    }
  }
  unsigned phoff = *(unsigned *)(__ehdr_start + 28);
  unsigned short ephnum = *(unsigned short *)(__ehdr_start + 44);
  say("argc", argc);
  say("AT_PAGESZ", pagesz);
  sayb("AT_PHDR is the program headers", phdr == (unsigned)__ehdr_start + phoff);
  say("AT_PHENT", phent);
  sayb("AT_PHNUM matches", phnum == ephnum);
  sayb("AT_ENTRY is _start", entry == (unsigned)_start);
  sayb("AT_HWCAP has I, M, A", (hwcap & 0x1101) == 0x1101);
  say("AT_SECURE", secure);
  sayb("AT_RANDOM points at 16 bytes", random != 0 && ((unsigned char *)random)[0] + ((unsigned char *)random)[15] >= 0);
  sayb("AT_EXECFN is argv[0]", execfn && seq((char *)execfn, argv[0]));
  sayb("sp is 16-aligned", ((unsigned)argv - 4) % 16 == 0);
  int env = 0;
  for (char **e = envp; *e; e++) env++;
  say("environment entries", env);

  int tid = SYS(gettid);
  static int tidword;
  sayb("set_tid_address = tid", SYS(set_tid_address, &tidword) == tid);
  static unsigned robust[3];
  /* qemu-user does not implement set_robust_list (ENOSYS); Linux and k1 take it. */
  long rb = SYS(set_robust_list, robust, 12);
  sayb("set_robust_list taken (or ENOSYS under qemu)", rb == 0 || rb == -ENOSYS);
  unsigned old[2] = {1, 1};
  say("rt_sigprocmask query", SYS(rt_sigprocmask, SIG_BLOCK, 0, old, 8));
  say("mask empty", old[0] | old[1]);
  say("rt_sigprocmask(size 4)", SYS(rt_sigprocmask, SIG_BLOCK, 0, old, 4));
  say("getuid", SYS(getuid));
  say("geteuid", SYS(geteuid));
  say("getgid", SYS(getgid));
  say("getegid", SYS(getegid));
  unsigned char rnd[64];
  say("getrandom(16)", SYS(getrandom, rnd, 16, 0));
  say("getrandom(bad flags)", SYS(getrandom, rnd, 16, 0x100));
  struct rlimit64 rl, rl2;
  say("prlimit64 get NOFILE", SYS(prlimit64, 0, RLIMIT_NOFILE, 0, &rl));
  struct rlimit64 lower = {64, rl.max};
  say("prlimit64 set NOFILE 64", SYS(prlimit64, 0, RLIMIT_NOFILE, &lower, 0));
  SYS(prlimit64, 0, RLIMIT_NOFILE, 0, &rl2);
  say("NOFILE now", (long)rl2.cur);
  SYS(prlimit64, 0, RLIMIT_NOFILE, &rl, 0);
  struct rlimit64 bad = {10, 5};
  say("prlimit64 cur > max", SYS(prlimit64, 0, RLIMIT_NOFILE, &bad, 0));
  say("prlimit64 resource 99", SYS(prlimit64, 0, 99, 0, &rl2));
  struct utsname u;
  say("uname", SYS(uname, &u));
  out("sysname: "); out(u.sysname); out("\nmachine: "); out(u.machine); out("\n");
  struct stack_t ss = {rnd, 0, 0}, oss;
  say("sigaltstack query", SYS(sigaltstack, 0, &oss));
  say("no alternate stack (SS_DISABLE)", oss.flags);
  static char altbuf[16384];
  ss.sp = altbuf; ss.size = 100;
  say("sigaltstack too small", SYS(sigaltstack, &ss, 0));
  ss.size = sizeof altbuf;
  say("sigaltstack set", SYS(sigaltstack, &ss, 0));
  SYS(sigaltstack, 0, &oss);
  sayb("sigaltstack reads back", oss.sp == altbuf && oss.size == sizeof altbuf && oss.flags == 0);
  say("membarrier query >= 0", SYS(membarrier, MEMBARRIER_CMD_QUERY, 0, 0) >= 0);
  say("membarrier(bad flags)", SYS(membarrier, MEMBARRIER_CMD_QUERY, 1, 0));
  say("riscv_flush_icache", SYS(riscv_flush_icache, 0, 0, 0));
  struct ts64 res;
  say("clock_getres_time64", SYS(clock_getres_time64, CLOCK_MONOTONIC, &res));
  sayb("resolution below a second", res.sec == 0 && res.nsec > 0);
  say("clock_getres_time64(bad clock)", SYS(clock_getres_time64, 99, &res));

  char link[256];
  long n = SYS(readlinkat, AT_FDCWD, "/proc/self/exe", link, sizeof link - 1);
  sayb("readlink /proc/self/exe is argv[0]", n > 0 && (link[n] = 0, seq(link, argv[0])));
  int fd = xopen("/proc/self/exe", O_RDONLY, 0);
  char magic[4] = {0};
  SYS(read, fd, magic, 4);
  sayb("/proc/self/exe opens the program", magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F');
  SYS(close, fd);
  struct statx st;
  say("statx /proc/self/exe", xstatx(AT_FDCWD, "/proc/self/exe", 0, &st));
  sayb("  a regular file", (st.mode & S_IFMT) == S_IFREG);
  say("readlink of a non-link", SYS(readlinkat, AT_FDCWD, "/", link, sizeof link));
}

/* ---- files */
static void devices(void) {
  out("== devices\n");
  char b[32];
  int fd = xopen("/dev/null", O_RDWR, 0);
  say("write /dev/null", SYS(write, fd, "hello", 5));
  say("read /dev/null", SYS(read, fd, b, sizeof b));
  say("ioctl TCGETS /dev/null", SYS(ioctl, fd, TCGETS, b));
  SYS(close, fd);
  fd = xopen("/dev/zero", O_RDONLY, 0);
  mset(b, 7, sizeof b);
  say("read /dev/zero", SYS(read, fd, b, sizeof b));
  int zeros = 1;
  for (int i = 0; i < 32; i++) if (b[i]) zeros = 0;
  sayb("zeros", zeros);
  SYS(close, fd);
  fd = xopen("/dev/urandom", O_RDONLY, 0);
  say("read /dev/urandom", SYS(read, fd, b, 16));
  SYS(close, fd);
  struct statx st;
  xstatx(AT_FDCWD, "/dev/null", 0, &st);
  sayb("/dev/null is a character device", (st.mode & S_IFMT) == S_IFCHR);
}

static void files(void) {
  out("== files\n");
  say("umask(077)", SYS(umask, 077));
  say("umask(022)", SYS(umask, 022));
  say("mkdirat d", SYS(mkdirat, AT_FDCWD, "d", 0755));
  int dfd = xopen("d", O_RDONLY | O_DIRECTORY, 0);
  say("fchdir", SYS(fchdir, dfd));
  int fd = xopen("f", O_RDWR | O_CREAT | O_TRUNC, 0666);
  struct statx st;
  xstatx(AT_FDCWD, "f", 0, &st);
  say("mode after umask", st.mode & 07777);
  say("ioctl TCGETS file", SYS(ioctl, fd, TCGETS, &st));
  say("ioctl TIOCGWINSZ file", SYS(ioctl, fd, TIOCGWINSZ, &st));
  int one = 1;
  say("ioctl FIONBIO", SYS(ioctl, fd, FIONBIO, &one));
  say("ioctl FIOCLEX", SYS(ioctl, fd, FIOCLEX, 0));
  say("  F_GETFD", SYS(fcntl64, fd, F_GETFD, 0));
  say("faccessat F_OK", SYS(faccessat, AT_FDCWD, "f", F_OK));
  say("faccessat X_OK", SYS(faccessat, AT_FDCWD, "f", X_OK));
  say("faccessat missing", SYS(faccessat, AT_FDCWD, "nope", F_OK));
  say("faccessat bad mode", SYS(faccessat, AT_FDCWD, "f", 8));
  say("fchmod 0755", SYS(fchmod, fd, 0755));
  say("faccessat2 X_OK, AT_EACCESS", SYS(faccessat2, AT_FDCWD, "f", X_OK, AT_EACCESS));
  say("faccessat2 bad flags", SYS(faccessat2, AT_FDCWD, "f", F_OK, 1));
  say("fchmodat 0640", SYS(fchmodat, AT_FDCWD, "f", 0640));
  xstatx(AT_FDCWD, "f", 0, &st);
  say("mode", st.mode & 07777);
  say("fchown", SYS(fchown, fd, 1000, 1001));
  xstatx(AT_FDCWD, "f", 0, &st);
  say("uid", st.uid);
  say("gid", st.gid);
  say("fchownat keep uid", SYS(fchownat, AT_FDCWD, "f", -1, 0, 0));
  xstatx(AT_FDCWD, "f", 0, &st);
  say("uid", st.uid);
  say("gid", st.gid);
  SYS(fchown, fd, 0, 0);
  struct ts64 times[2] = {{100, 0}, {1234567, 500}};
  say("utimensat", SYS(utimensat_time64, AT_FDCWD, "f", times, 0));
  xstatx(AT_FDCWD, "f", 0, &st);
  say("mtime", (long)st.mtime.sec);
  say("mtime nsec", st.mtime.nsec);
  times[1].nsec = UTIME_OMIT;
  say("utimensat UTIME_OMIT", SYS(utimensat_time64, fd, 0, times, 0));
  xstatx(AT_FDCWD, "f", 0, &st);
  say("mtime kept", (long)st.mtime.sec);
  times[1].nsec = 2000000000;
  say("utimensat bad nsec", SYS(utimensat_time64, AT_FDCWD, "f", times, 0));

  say("write", SYS(write, fd, "0123456789", 10));
  say("ftruncate64 100", SYS(ftruncate64, fd, 100, 0));
  xstatx(AT_FDCWD, "f", 0, &st);
  say("size", (long)st.size);
  say("truncate64 4", SYS(truncate64, "f", 4, 0));
  xstatx(AT_FDCWD, "f", 0, &st);
  say("size", (long)st.size);
  say("ftruncate64 -1", SYS(ftruncate64, fd, -1, -1));
  say("truncate64 dir", SYS(truncate64, ".", 0, 0));
  say("fsync", SYS(fsync, fd));
  say("fdatasync", SYS(fdatasync, fd));
  say("sync", SYS(sync) >= 0);
  say("pwrite64 at 20", SYS(pwrite64, fd, "abc", 3, 20, 0));
  i64 pos = -1;
  SYS(llseek, fd, 0, 0, &pos, SEEK_CUR);
  say("offset unchanged", (long)pos);
  char b[64];
  mset(b, 0, sizeof b);
  say("pread64 at 20", SYS(pread64, fd, b, 10, 20, 0));
  out("  "); out(b); out("\n");
  say("pread64 at -1", SYS(pread64, fd, b, 10, -1, -1));
  struct iovec iov[2] = {{"xy", 2}, {"zw", 2}};
  say("pwritev at 2", SYS(pwritev, fd, iov, 2, 2, 0));
  char r1[3] = {0}, r2[4] = {0};
  struct iovec riov[2] = {{r1, 2}, {r2, 3}};
  say("preadv at 1", SYS(preadv, fd, riov, 2, 1, 0));
  out("  "); out(r1); out("|"); out(r2); out("\n");
  int p[2];
  SYS(pipe2, p, 0);
  say("pread64 on a pipe", SYS(pread64, p[0], b, 1, 0, 0));
  say("fsync on a pipe", SYS(fsync, p[0]));
  say("ioctl TCGETS pipe", SYS(ioctl, p[0], TCGETS, b));
  SYS(write, p[1], "abc", 3);
  int avail = -1;
  say("ioctl FIONREAD pipe", SYS(ioctl, p[0], FIONREAD, &avail));
  say("  bytes", avail);
  SYS(read, p[0], b, 3);
  i64 off = 20;
  say("sendfile64 with offset", SYS(sendfile64, p[1], fd, &off, 3));
  say("  offset now", (long)off);
  mset(b, 0, sizeof b);
  SYS(read, p[0], b, 3);
  out("  "); out(b); out("\n");
  SYS(llseek, fd, 0, 1, &pos, SEEK_SET);
  say("sendfile64 from the offset", SYS(sendfile64, p[1], fd, 0, 3));
  SYS(llseek, fd, 0, 0, &pos, SEEK_CUR);
  say("  file offset", (long)pos);
  mset(b, 0, sizeof b);
  SYS(read, p[0], b, 3);
  out("  "); out(b); out("\n");
  SYS(close, p[0]);
  SYS(close, p[1]);

  say("symlinkat", SYS(symlinkat, "f", AT_FDCWD, "l"));
  say("symlinkat exists", SYS(symlinkat, "g", AT_FDCWD, "l"));
  mset(b, 0, sizeof b);
  say("readlinkat", SYS(readlinkat, AT_FDCWD, "l", b, sizeof b));
  out("  "); out(b); out("\n");
  say("readlinkat short buffer", SYS(readlinkat, AT_FDCWD, "l", b, 0));
  xstatx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, &st);
  sayb("lstat is a link", (st.mode & S_IFMT) == S_IFLNK);
  say("  size", (long)st.size);
  xstatx(AT_FDCWD, "l", 0, &st);
  sayb("stat follows", (st.mode & S_IFMT) == S_IFREG);
  say("linkat", SYS(linkat, AT_FDCWD, "f", AT_FDCWD, "h", 0));
  xstatx(AT_FDCWD, "f", 0, &st);
  say("nlink", st.nlink);
  say("linkat dir", SYS(linkat, AT_FDCWD, ".", AT_FDCWD, "dd", 0));
  say("linkat missing", SYS(linkat, AT_FDCWD, "nope", AT_FDCWD, "n2", 0));
  say("linkat a symlink (no follow)", SYS(linkat, AT_FDCWD, "l", AT_FDCWD, "l2", 0));
  xstatx(AT_FDCWD, "l2", AT_SYMLINK_NOFOLLOW, &st);
  sayb("  l2 is a link", (st.mode & S_IFMT) == S_IFLNK);
  say("unlink f", SYS(unlinkat, AT_FDCWD, "f", 0));
  xstatx(AT_FDCWD, "h", 0, &st);
  say("h nlink", st.nlink);
  say("h size", (long)st.size);

  struct statfs64 sf;
  say("statfs64", SYS(statfs64, ".", sizeof sf, &sf));
  say("  namelen", sf.namelen);
  sayb("  bsize > 0", sf.bsize > 0);
  say("fstatfs64", SYS(fstatfs64, fd, sizeof sf, &sf));
  say("fstatfs64 bad fd", SYS(fstatfs64, 99, sizeof sf, &sf));
  SYS(close, fd);
}

/* getdents64 while the directory shrinks: every file is seen once. */
static void listing(void) {
  out("== listing\n");
  SYS(mkdirat, AT_FDCWD, "many", 0755);
  char name[16] = "many/f000";
  for (int i = 0; i < 200; i++) {
    name[6] = '0' + i / 100; name[7] = '0' + i / 10 % 10; name[8] = '0' + i % 10;
    SYS(close, xopen(name, O_WRONLY | O_CREAT, 0644));
  }
  int dfd = xopen("many", O_RDONLY | O_DIRECTORY, 0);
  static char buf[512];
  int seen = 0, removed = 0, dots = 0;
  for (;;) {
    long n = SYS(getdents64, dfd, buf, sizeof buf);
    if (n <= 0) break;
    for (long o = 0; o < n;) {
      struct dirent64 *d = (struct dirent64 *)(buf + o);
      if (seq(d->name, ".") || seq(d->name, "..")) dots++;
      else {
        seen++;
        if (SYS(unlinkat, dfd, d->name, 0) == 0) removed++;
      }
      o += d->reclen;
    }
  }
  say("entries seen", seen);
  say("removed", removed);
  say("dots", dots);
  SYS(close, dfd);
  say("rmdir many", SYS(unlinkat, AT_FDCWD, "many", AT_REMOVEDIR));
}

/* ---- record locks and flock */
static long lk(int fd, int cmd, int type, long start, long len) {
  struct flock64 f = {type, SEEK_SET, start, len, 0};
  return SYS(fcntl64, fd, cmd, &f);
}
static struct flock64 getlk(int fd, int type, long start, long len) {
  struct flock64 f = {type, SEEK_SET, start, len, 0};
  SYS(fcntl64, fd, F_GETLK64, &f);
  return f;
}

static void locks(void) {
  out("== locks\n");
  int fd = xopen("db", O_RDWR | O_CREAT, 0644);
  SYS(write, fd, "0123456789abcdefghij", 20);
  int ro = xopen("db", O_RDONLY, 0);
  say("write lock on a read-only fd", lk(ro, F_SETLK64, F_WRLCK, 0, 1));
  say("read lock on a read-only fd", lk(ro, F_SETLK64, F_RDLCK, 0, 1));
  SYS(close, ro); /* drops that lock: closing any descriptor of a file drops the process's locks */
  say("F_SETLK64 write [0,10)", lk(fd, F_SETLK64, F_WRLCK, 0, 10));
  say("F_SETLK64 read [15,EOF)", lk(fd, F_SETLK64, F_RDLCK, 15, 0));
  struct flock64 g = getlk(fd, F_WRLCK, 0, 0);
  say("own locks never conflict (F_UNLCK)", g.type);
  say("F_SETLK64 bad type", lk(fd, F_SETLK64, 7, 0, 1));
  int parent = SYS(getpid);
  int c2p[2], p2c[2];
  SYS(pipe2, c2p, 0);
  SYS(pipe2, p2c, 0);
  char ch;
  int pid = xfork();
  if (pid == 0) {
    int cfd = xopen("db", O_RDWR, 0);
    struct flock64 q = getlk(cfd, F_RDLCK, 5, 1);
    say("child F_GETLK64 [5]: type", q.type);
    say("  start", (long)q.start);
    say("  len", (long)q.len);
    sayb("  pid is the parent", q.pid == parent);
    q = getlk(cfd, F_RDLCK, 15, 2);
    say("child F_GETLK64 read over a read lock", q.type);
    q = getlk(cfd, F_WRLCK, 30, 2);
    say("child F_GETLK64 write past EOF over [15,EOF)", q.type);
    say("child F_SETLK64 write [9,12)", lk(cfd, F_SETLK64, F_WRLCK, 9, 3));
    say("child F_SETLK64 write [10,12)", lk(cfd, F_SETLK64, F_WRLCK, 10, 3));
    say("child F_SETLK64 read [16,18)", lk(cfd, F_SETLK64, F_RDLCK, 16, 2));
    SYS(write, c2p[1], "1", 1);
    /* wait for [0,10): the parent unlocks part of it, then closes another fd of the file */
    say("child F_SETLKW64 write [0,3)", lk(cfd, F_SETLKW64, F_WRLCK, 0, 3));
    say("child F_SETLKW64 write [5,6)", lk(cfd, F_SETLKW64, F_WRLCK, 5, 1));
    SYS(write, c2p[1], "2", 1);
    SYS(read, p2c[0], &ch, 1);
    flush();
    SYS(exit_group, 0);
  }
  SYS(read, c2p[0], &ch, 1);
  g = getlk(fd, F_WRLCK, 10, 2);
  say("parent sees the child's [10,13)", g.type);
  say("  start", (long)g.start);
  say("parent unlock [0,3)", lk(fd, F_SETLK64, F_UNLCK, 0, 3));
  snooze(20);
  int other = xopen("db", O_RDONLY, 0);
  SYS(close, other); /* POSIX: closing any fd of the file drops this process's locks on it */
  SYS(read, c2p[0], &ch, 1);
  g = getlk(fd, F_RDLCK, 5, 1);
  say("after close: child holds [5]", g.type);
  SYS(write, p2c[1], "x", 1);
  struct siginfo si;
  xwait(pid, &si);
  g = getlk(fd, F_WRLCK, 0, 0);
  say("child gone: no locks", g.type);
  SYS(close, c2p[0]); SYS(close, c2p[1]); SYS(close, p2c[0]); SYS(close, p2c[1]);

  /* flock: per open file description */
  int a = xopen("db", O_RDWR, 0), b = xopen("db", O_RDWR, 0);
  say("flock a LOCK_EX", SYS(flock, a, LOCK_EX));
  say("flock b LOCK_EX|LOCK_NB", SYS(flock, b, LOCK_EX | LOCK_NB));
  say("flock b LOCK_SH|LOCK_NB", SYS(flock, b, LOCK_SH | LOCK_NB));
  int a2 = SYS(dup, a);
  say("flock dup of a LOCK_EX", SYS(flock, a2, LOCK_EX | LOCK_NB));
  say("flock a LOCK_UN", SYS(flock, a, LOCK_UN));
  say("flock b LOCK_SH", SYS(flock, b, LOCK_SH | LOCK_NB));
  say("flock a LOCK_SH", SYS(flock, a, LOCK_SH | LOCK_NB));
  say("flock bad op", SYS(flock, a, 0));
  SYS(close, a); SYS(close, a2); SYS(close, b); SYS(close, fd);
}

/* ---- signals and waits */
static volatile int usr1, usr2;
static volatile unsigned long onstack_at;
static void on_usr1(int s) { (void)s; usr1++; }
static void on_usr2(int s) { (void)s; usr2++; }
static volatile int alrm;
static void on_alrm(int s) { (void)s; alrm++; }
struct itimerval { struct { long sec, usec; } interval, value; };
static void on_onstack(int s) { volatile int here = s; onstack_at = (unsigned long)&here; }

static void signals(void) {
  out("== signals\n");
  unsigned set[2], pend[2];
  mask(SIG_BLOCK, SIGUSR1);
  int self = SYS(getpid);
  SYS(kill, self, SIGUSR1);
  say("rt_sigpending", SYS(rt_sigpending, pend, 8));
  sayb("  SIGUSR1 pending", pend[0] == 1u << (SIGUSR1 - 1));
  set[0] = 1u << (SIGUSR1 - 1); set[1] = 0;
  struct siginfo si;
  mset(&si, 0, sizeof si);
  say("rt_sigtimedwait", SYS(rt_sigtimedwait_time64, set, &si, 0, 8));
  say("  si_signo", si.signo);
  say("  si_code (SI_USER)", si.code);
  struct ts64 zero = {0, 0}, short10 = {0, 10000000};
  say("rt_sigtimedwait, nothing pending", SYS(rt_sigtimedwait_time64, set, &si, &zero, 8));
  say("rt_sigtimedwait 10 ms", SYS(rt_sigtimedwait_time64, set, &si, &short10, 8));
  /* a blocked signal whose action is to ignore stays pending */
  mask(SIG_BLOCK, SIGCHLD);
  int pid = xfork();
  if (pid == 0) SYS(exit_group, 3);
  set[0] = 1u << (SIGCHLD - 1);
  say("sigtimedwait SIGCHLD", SYS(rt_sigtimedwait_time64, set, &si, 0, 8));
  say("  si_status", si.status);
  xwait(pid, &si);
  mask(SIG_UNBLOCK, SIGCHLD);

  /* SA_ONSTACK: the handler runs on the alternate stack set up at start-up */
  sigact(SIGUSR2, on_onstack, SA_ONSTACK);
  SYS(kill, self, SIGUSR2);
  struct stack_t alt;
  SYS(sigaltstack, 0, &alt);
  sayb("SA_ONSTACK handler ran on the alternate stack",
       onstack_at >= (unsigned long)alt.sp && onstack_at < (unsigned long)alt.sp + alt.size);
  sigact(SIGUSR2, 0, 0);

  /* setitimer: SIGALRM once, then every interval */
  sigact(SIGALRM, on_alrm, 0);
  struct itimerval it = {{0, 0}, {0, 20000}}, got;
  say("setitimer ITIMER_REAL 20 ms", SYS(setitimer, ITIMER_REAL, &it, 0));
  SYS(getitimer, ITIMER_REAL, &got);
  sayb("  armed", got.value.sec == 0 && got.value.usec > 0 && got.value.usec <= 20000);
  unsigned nomask[2] = {0, 0};
  say("  sigsuspend", SYS(rt_sigsuspend, nomask, 8));
  say("  alarms", alrm);
  SYS(getitimer, ITIMER_REAL, &got);
  say("  disarmed after firing", got.value.sec + got.value.usec);
  struct itimerval every = {{0, 5000}, {0, 5000}};
  SYS(setitimer, ITIMER_REAL, &every, 0);
  for (int i = 0; i < 3; i++) SYS(rt_sigsuspend, nomask, 8);
  struct itimerval off = {{0, 0}, {0, 0}};
  say("setitimer off", SYS(setitimer, ITIMER_REAL, &off, &got));
  say("  alarms", alrm);
  say("  old interval (usec)", got.interval.usec);
  it.value.usec = 1000000;
  say("setitimer bad usec", SYS(setitimer, ITIMER_REAL, &it, 0));
  say("setitimer bad which", SYS(setitimer, 7, &off, 0));
  sigact(SIGALRM, 0, 0);

  /* rt_sigsuspend */
  sigact(SIGUSR1, on_usr1, 0);
  int parent = SYS(getpid);
  pid = xfork();
  if (pid == 0) { snooze(10); SYS(kill, parent, SIGUSR1); SYS(exit_group, 0); }
  unsigned none[2] = {0, 0};
  say("rt_sigsuspend", SYS(rt_sigsuspend, none, 8));
  say("  handler ran", usr1);
  unsigned cur[2];
  SYS(rt_sigprocmask, SIG_BLOCK, 0, cur, 8);
  sayb("  mask restored (SIGUSR1 blocked)", cur[0] == 1u << (SIGUSR1 - 1));
  xwait(pid, &si);
  mask(SIG_UNBLOCK, SIGUSR1);

  /* SA_RESTART: a read interrupted by a handler restarts; without it, EINTR */
  int p[2];
  char b[4];
  for (int restart = 0; restart < 2; restart++) {
    usr2 = 0;
    sigact(SIGUSR2, on_usr2, restart ? SA_RESTART : 0);
    SYS(pipe2, p, 0);
    pid = xfork();
    if (pid == 0) { snooze(10); SYS(kill, parent, SIGUSR2); snooze(10); SYS(write, p[1], "z", 1); SYS(exit_group, 0); }
    say(restart ? "read with SA_RESTART" : "read without SA_RESTART", SYS(read, p[0], b, 1));
    say("  handler ran", usr2);
    xwait(pid, &si);
    SYS(close, p[0]); SYS(close, p[1]);
  }
  /* ...but a sleep interrupted by a handler returns EINTR even with SA_RESTART */
  usr2 = 0;
  sigact(SIGUSR2, on_usr2, SA_RESTART);
  pid = xfork();
  if (pid == 0) { snooze(10); SYS(kill, parent, SIGUSR2); SYS(exit_group, 0); }
  struct ts64 second = {1, 0};
  say("sleep with SA_RESTART", SYS(clock_nanosleep_time64, CLOCK_MONOTONIC, 0, &second, 0));
  say("  handler ran", usr2);
  xwait(pid, &si);
  sigact(SIGUSR2, 0, 0);

  /* ppoll */
  SYS(pipe2, p, 0);
  struct pollfd pf[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {77, POLLIN, 0}};
  say("ppoll ready now", SYS(ppoll_time64, pf, 3, &short10, 0, 8));
  say("  read end", pf[0].revents);
  say("  write end", pf[1].revents);
  say("  bad fd", pf[2].revents);
  struct ts64 t10 = {0, 10000000};
  say("ppoll timeout", SYS(ppoll_time64, pf, 1, &t10, 0, 8));
  say("  revents", pf[0].revents);
  pid = xfork();
  if (pid == 0) { snooze(10); SYS(write, p[1], "q", 1); SYS(exit_group, 0); }
  say("ppoll wakes on data", SYS(ppoll_time64, pf, 1, 0, 0, 8));
  say("  revents", pf[0].revents);
  xwait(pid, &si);
  SYS(read, p[0], b, 1);
  SYS(close, p[1]);
  say("ppoll hang-up", SYS(ppoll_time64, pf, 1, 0, 0, 8));
  say("  revents", pf[0].revents);
  SYS(close, p[0]);
  say("ppoll bad sigsetsize", SYS(ppoll_time64, pf, 1, &zero, none, 4));
  /* ppoll with a signal mask: SIGUSR1 blocked outside, let in during the wait */
  mask(SIG_BLOCK, SIGUSR1);
  usr1 = 0;
  SYS(pipe2, p, 0);
  pf[0].fd = p[0];
  pid = xfork();
  if (pid == 0) { snooze(10); SYS(kill, parent, SIGUSR1); SYS(exit_group, 0); }
  say("ppoll interrupted", SYS(ppoll_time64, pf, 1, 0, none, 8));
  say("  handler ran", usr1);
  SYS(rt_sigprocmask, SIG_BLOCK, 0, cur, 8);
  sayb("  mask restored", cur[0] == 1u << (SIGUSR1 - 1));
  xwait(pid, &si);
  mask(SIG_UNBLOCK, SIGUSR1);

  /* pselect6 */
  unsigned rfds[1], wfds[1];
  rfds[0] = 1u << p[0]; wfds[0] = 1u << p[1];
  say("pselect6 write ready", SYS(pselect6_time64, p[1] + 1, rfds, wfds, 0, &zero, 0));
  sayb("  only the write end", rfds[0] == 0 && wfds[0] == 1u << p[1]);
  rfds[0] = 1u << p[0];
  struct ts64 t5 = {0, 5000000};
  say("pselect6 timeout", SYS(pselect6_time64, p[0] + 1, rfds, 0, 0, &t5, 0));
  say("  set cleared", rfds[0]);
  say("  timeout left", (long)(t5.sec + t5.nsec));
  SYS(write, p[1], "r", 1);
  rfds[0] = 1u << p[0];
  say("pselect6 read ready", SYS(pselect6_time64, p[0] + 1, rfds, 0, 0, 0, 0));
  sayb("  read end set", rfds[0] == 1u << p[0]);
  rfds[0] = 1u << 60 % 32;
  say("pselect6 bad fd", SYS(pselect6_time64, 61, rfds, 0, 0, &zero, 0) == -EBADF);
  say("pselect6 negative nfds", SYS(pselect6_time64, -1, 0, 0, 0, &zero, 0));
  SYS(close, p[0]); SYS(close, p[1]);
  sigact(SIGUSR1, 0, 0);
}

/* ---- processes */
static void procs(void) {
  out("== processes\n");
  say("sched_yield", SYS(sched_yield));
  unsigned char aff[128];
  mset(aff, 0, sizeof aff);
  long n = SYS(sched_getaffinity, 0, sizeof aff, aff);
  sayb("sched_getaffinity: CPU 0", n > 0 && (aff[0] & 1));
  say("sched_getaffinity bad pid", SYS(sched_getaffinity, 99999, sizeof aff, aff));
  unsigned cpu = 99, node = 99;
  say("getcpu", SYS(getcpu, &cpu, &node, 0));
  say("  node", node);
  struct tms tm;
  long tk = SYS(times, &tm);
  sayb("times", tk >= -4095 ? tk >= 0 || tk < -4095 : 1);
  sayb("  tms_stime, tms_cstime small", tm.s >= 0 && tm.cs >= 0);
  struct rusage ru;
  say("getrusage self", SYS(getrusage, RUSAGE_SELF, &ru));
  say("getrusage children", SYS(getrusage, RUSAGE_CHILDREN, &ru));
  say("getrusage bad who", SYS(getrusage, 5, &ru));
  char pname[16];
  say("prctl PR_SET_NAME", SYS(prctl, PR_SET_NAME, "kiln-worker-name-long", 0, 0, 0));
  mset(pname, 'x', sizeof pname);
  say("prctl PR_GET_NAME", SYS(prctl, PR_GET_NAME, pname, 0, 0, 0));
  out("  "); out(pname); out("\n");
  say("prctl PR_SET_DUMPABLE 0", SYS(prctl, PR_SET_DUMPABLE, 0, 0, 0, 0));
  say("prctl PR_GET_DUMPABLE", SYS(prctl, PR_GET_DUMPABLE, 0, 0, 0, 0));
  SYS(prctl, PR_SET_DUMPABLE, 1, 0, 0, 0);
  say("prctl PR_SET_DUMPABLE 2", SYS(prctl, PR_SET_DUMPABLE, 2, 0, 0, 0));
  say("prctl unknown", SYS(prctl, 9999, 0, 0, 0, 0));
  say("getgroups >= 0", SYS(getgroups, 0, 0) >= 0);
  say("getgroups(-1)", SYS(getgroups, -1, 0));
  struct siginfo si;
  int p[2];
  SYS(pipe2, p, 0);
  int pid = xfork();
  if (pid == 0) {
    int me = SYS(getpid);
    sayb("child setsid is its pid", SYS(setsid) == me);
    sayb("getsid(0) is its pid", SYS(getsid, 0) == me);
    sayb("getpgid(0) is its pid", SYS(getpgid, 0) == me);
    say("setsid again", SYS(setsid));
    flush();
    SYS(exit_group, 0);
  }
  xwait(pid, &si);
  say("getsid(no such pid)", SYS(getsid, 99999));
  /* kill of a process group: two children in a new group */
  int g1 = xfork();
  if (g1 == 0) {
    SYS(setpgid, 0, 0);
    SYS(write, p[1], "a", 1);
    for (;;) { unsigned none[2] = {0, 0}; SYS(rt_sigsuspend, none, 8); }
  }
  char ch;
  SYS(read, p[0], &ch, 1);
  int g2 = xfork();
  if (g2 == 0) {
    SYS(setpgid, 0, g1);
    SYS(write, p[1], "b", 1);
    for (;;) { unsigned none[2] = {0, 0}; SYS(rt_sigsuspend, none, 8); }
  }
  SYS(read, p[0], &ch, 1);
  say("kill(-pgid, SIGTERM)", SYS(kill, -g1, SIGTERM));
  xwait(g1, &si);
  say("  first: code (CLD_KILLED)", si.code);
  say("  signal", si.status);
  xwait(g2, &si);
  say("  second: code", si.code);
  say("  signal", si.status);
  say("kill of an empty group", SYS(kill, -g1, SIGTERM));
}

/* ---- memory */
static void memory(void) {
  out("== memory\n");
  unsigned char *m = (unsigned char *)SYS(mmap2, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  m[0] = 1; m[4096] = 2;
  say("madvise DONTNEED", SYS(madvise, m, 4096, MADV_DONTNEED));
  say("  page reads zero", m[0]);
  say("  the next page kept", m[4096]);
  say("madvise unaligned", SYS(madvise, m + 1, 10, MADV_DONTNEED));
  say("msync", SYS(msync, m, 8192, MS_SYNC));
  say("msync bad flags", SYS(msync, m, 8192, MS_SYNC | MS_ASYNC));
  m[100] = 42;
  unsigned char *m2 = (unsigned char *)SYS(mremap, m, 8192, 65536, MREMAP_MAYMOVE, 0);
  sayb("mremap grow", (long)m2 > 0 || (long)m2 < -4095);
  say("  data kept", m2[100] + m2[4096]);
  m2[65535] = 1;
  unsigned char *m3 = (unsigned char *)SYS(mremap, m2, 65536, 4096, 0, 0);
  sayb("mremap shrink in place", m3 == m2);
  say("  data kept", m3[100]);
  say("mremap bad flags", SYS(mremap, m3, 4096, 8192, 8, 0));
  say("msync unmapped", SYS(msync, m3 + 4096 * 4, 4096, MS_SYNC));
  SYS(munmap, m3, 4096);
}

/* `#!` scripts (k1 only: qemu-user hands a script's execve to the host, which cannot run a
 * RISC-V interpreter): this program is its own interpreter, as /proc/self/exe. */
static int script(int argc, char **argv) {
  if (seq(argv[1], "script-arg")) {
    out("interpreter argv:");
    for (int i = 1; i < argc; i++) { out(" "); out(argv[i]); }
    out("\n");
    flush();
    return 9;
  }
  int fd = xopen("s.sh", O_WRONLY | O_CREAT | O_TRUNC, 0755);
  const char text[] = "#!/proc/self/exe  script-arg \necho not run\n";
  SYS(write, fd, text, sizeof text - 1);
  SYS(close, fd);
  int pid = xfork();
  if (pid == 0) {
    char *av[] = {"./s.sh", "x", 0}, *ev[] = {0};
    say("execve of a script", SYS(execve, "./s.sh", av, ev));
    flush();
    SYS(exit_group, 1);
  }
  struct siginfo si;
  xwait(pid, &si);
  say("script exit status", si.status);
  fd = xopen("t.sh", O_WRONLY | O_CREAT | O_TRUNC, 0755);
  SYS(write, fd, "#!/nonexistent\n", 15);
  SYS(close, fd);
  char *av[] = {"./t.sh", 0}, *ev[] = {0};
  say("execve of a script with a missing interpreter", SYS(execve, "./t.sh", av, ev));
  flush();
  return 0;
}

int main(int argc, char **argv, char **envp) {
  if (argc > 1) return script(argc, argv);
  startup(argc, argv, envp);
  devices();
  files();
  listing();
  locks();
  signals();
  procs();
  memory();
  out("== done\n");
  flush();
  return 7;
}

__attribute__((used)) static void cstart(long *sp) {
  int argc = (int)sp[0];
  char **argv = (char **)(sp + 1);
  SYS(exit_group, main(argc, argv, argv + argc + 1));
}

__asm__(
    ".section .text._start,\"ax\",@progbits\n"
    ".globl _start\n"
    "_start:\n"
    ".option push\n"
    ".option norelax\n"
    "  la gp, __global_pointer$\n"
    ".option pop\n"
    "  mv a0, sp\n"
    "  call cstart\n"
    ".text\n");
