/* The RAW matrix build's slots that are not one k1 system call with the slot's own arguments
 * (raw_table.S jumps here): what a program built with a standard toolchain for k1 does itself.
 * RAW_NR_<call> and the statx offsets come from raw_config.h, generated from the k1 tables. */
#include "kiln.h"
#include "raw_config.h"

long __raw_syscall(long a0, long a1, long a2, long a3, long a4, long a5, long nr);
static int fail(long r) {
  if ((unsigned long)r >= (unsigned long)-4095) {
    *kiln_errno_location() = (int)-r;
    return -1;
  }
  return (int)r;
}
#define SYS(nr, a, b, c, d, e, f) __raw_syscall((long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f), nr)

int raw_lseek(int fd, int off, int whence) {
  long long res = 0;
  long r = SYS(RAW_NR_llseek, fd, off < 0 ? -1 : 0, off, &res, whence, 0);
  if (r < 0 && r >= -4095) return fail(r);
  return (int)res;
}

static unsigned char sx[256];
static long statx_fd(int fd) { return SYS(RAW_NR_statx, fd, "", RAW_AT_EMPTY_PATH, RAW_STATX_BASIC_STATS, sx, 0); }
#define SX32(off) (*(uint32_t *)(sx + (off)))
#define SX64(off) (*(int64_t *)(sx + (off)))

int raw_fstat(int fd, struct kiln_stat *st) {
  long r = statx_fd(fd);
  if (r < 0) return fail(r);
  unsigned char *p = (unsigned char *)st;
  for (unsigned i = 0; i < sizeof *st; i++) p[i] = 0;
  st->st_mode = (uint16_t)SX32(RAW_STATX_MODE) & 0xffff;
  st->st_size = (int32_t)SX64(RAW_STATX_SIZE);
  st->st_nlink = SX32(RAW_STATX_NLINK);
  return 0;
}

#if KILN_PROGRAM_ABI >= 2
int raw_fstat64(int fd, struct kiln_stat64 *st) {
  long r = statx_fd(fd);
  if (r < 0) return fail(r);
  unsigned char *p = (unsigned char *)st;
  for (unsigned i = 0; i < sizeof *st; i++) p[i] = 0;
  st->st_mode = SX32(RAW_STATX_MODE) & 0xffff;
  st->st_size = SX64(RAW_STATX_SIZE);
  st->st_nlink = SX32(RAW_STATX_NLINK);
  return 0;
}
#endif

#ifdef KILN_SLOT_FSTATAT
int raw_fstatat(int dirfd, const char *path, struct kiln_stat64 *st, unsigned flags) {
  long r = SYS(RAW_NR_statx, dirfd, path, flags, RAW_STATX_BASIC_STATS, sx, 0);
  if (r < 0) return fail(r);
  unsigned char *p = (unsigned char *)st;
  for (unsigned i = 0; i < sizeof *st; i++) p[i] = 0;
  st->st_mode = SX32(RAW_STATX_MODE) & 0xffff;
  st->st_size = SX64(RAW_STATX_SIZE);
  st->st_nlink = SX32(RAW_STATX_NLINK);
  st->st_mtime = SX64(RAW_STATX_MTIME);
  return 0;
}
#endif

#ifdef KILN_SLOT_ISATTY
int raw_isatty(int fd) {
  static unsigned char termios[64];
  long r = SYS(RAW_NR_ioctl, fd, TCGETS, termios, 0, 0, 0);
  return r < 0 ? fail(r) : 1;
}
#endif

int raw_time(int32_t *tloc) {
  int64_t ts[2];
  long r = SYS(RAW_NR_clock_gettime64, CLOCK_REALTIME, ts, 0, 0, 0, 0);
  if (r < 0) return fail(r);
  if (tloc) *tloc = (int32_t)ts[0];
  return (int32_t)ts[0];
}

#if KILN_PROGRAM_ABI >= 2
uint64_t raw_monotonic_ns(void) {
  int64_t ts[2];
  SYS(RAW_NR_clock_gettime64, CLOCK_MONOTONIC, ts, 0, 0, 0, 0);
  return (uint64_t)ts[0] * 1000000000ull + (uint64_t)ts[1];
}

static int crit_depth;
static uint32_t crit_saved[2];
int raw_crit_enter(void) {
  if (crit_depth++ == 0) {
    uint32_t all[2] = {0xffffffffu, 0xffffffffu};
    long r = SYS(RAW_NR_rt_sigprocmask, SIG_BLOCK, all, crit_saved, 8, 0, 0);
    if (r < 0) return fail(r);
  }
  return 0;
}
int raw_crit_leave(void) {
  if (crit_depth == 0) return fail(-EINVAL);
  if (--crit_depth == 0) {
    long r = SYS(RAW_NR_rt_sigprocmask, SIG_SETMASK, crit_saved, 0, 8, 0, 0);
    if (r < 0) return fail(r);
  }
  return 0;
}

/* dlopen without a layer: map the (raw) object's PT_LOAD segments and return its entry. */
void *raw_dlopen(const char *path) {
  long fd = SYS(RAW_NR_openat, AT_FDCWD, path, O_RDONLY, 0, 0, 0);
  if (fd < 0) return (void *)(long)fail(fd);
  unsigned char h[512];
  long n = SYS(RAW_NR_read, fd, h, sizeof h, 0, 0, 0);
  uint32_t entry = *(uint32_t *)(h + 24), phoff = *(uint32_t *)(h + 28);
  uint16_t phnum = *(uint16_t *)(h + 44);
  if (n < 52 || h[0] != 0x7f || phoff + phnum * 32u > (unsigned long)n) {
    SYS(RAW_NR_close, fd, 0, 0, 0, 0, 0);
    return (void *)(long)fail(-ENOEXEC);
  }
  for (int i = 0; i < phnum; i++) {
    uint32_t *ph = (uint32_t *)(h + phoff + i * 32);
    if (ph[0] != 1 || ph[5] == 0) continue;
    uint32_t va = ph[2], start = va & ~4095u, end = (va + ph[5] + 4095) & ~4095u;
    long m = SYS(RAW_NR_mmap2, start, end - start, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
    if (m < 0 && m >= -4095) return (void *)(long)fail(m);
    long long pos;
    SYS(RAW_NR_llseek, fd, 0, ph[1], &pos, SEEK_SET, 0);
    SYS(RAW_NR_read, fd, va, ph[4], 0, 0, 0);
  }
  SYS(RAW_NR_close, fd, 0, 0, 0, 0, 0);
  return (void *)entry;
}
#endif

#if KILN_PROGRAM_ABI >= 3
int raw_batch(struct kiln_batch_entry *e, unsigned count) {
  for (unsigned i = 0; i < count; i++) {
    long nr = e[i].op == BATCH_READ ? RAW_NR_read : e[i].op == BATCH_WRITE ? RAW_NR_write : -1;
    e[i].result = nr < 0 ? -EINVAL : (int32_t)SYS(nr, e[i].fd, e[i].buf, e[i].len, 0, 0, 0);
  }
  return (int)count;
}
#endif
