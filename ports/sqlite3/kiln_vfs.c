/* SQLite's operating-system interface for kiln programs (compiled with SQLITE_OS_OTHER=1 into the
 * amalgamation build by `kiln ports build`; see docs/ports.md).
 *
 * It is built only on the program ABI's stub slots, through the SDK's POSIX layer. Program ABI p4
 * has the slots SQLite's unix VFS uses (KILN_SLOT_<ID> says which the ABI has); on an older ABI,
 * or where a kernel answers a p4 slot with ENOSYS, it does the nearest thing and says what it costs:
 *   - pread/pwrite (p4): without them every read and write is lseek + read/write (one file
 *     descriptor per open file and SQLITE_THREADSAFE=0, so nothing moves the offset in between);
 *   - ftruncate (p4; ENOSYS on k2-k4): without it, shrinking a file (a rollback that grew the
 *     database, VACUUM) rewrites the kept prefix through open(O_TRUNC) on the file's path;
 *   - fsync (p4): without it xSync succeeds (the kernel's file system is in memory);
 *   - fcntl record locks (with the flock64 structure of p4): POSIX advisory locks on the lock bytes, as
 *     SQLite's unix VFS takes them; without them locks are kept in this process only (one process
 *     per database, as SQLite's "unix-none" VFS);
 *   - access (p4; ENOSYS on k2-k4, where the SDK's access opens the file);
 *   - getrandom (p4, via getentropy): without it xRandomness mixes the clock and the pid.
 * The temporary store is in memory (SQLITE_TEMP_STORE=3), so no unnamed temporary files exist. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "sqlite3.h"

#define MAXPATH 512

typedef struct KilnFile {
  sqlite3_file base;
  int fd;
  int lock;
  char path[MAXPATH];
} KilnFile;

static int kClose(sqlite3_file *f) {
  KilnFile *p = (KilnFile *)f;
  close(p->fd);
  return SQLITE_OK;
}

#ifdef KILN_SLOT_PREAD
/* The pread/pwrite slots take 64-bit positions as two words (off_t is 32 bits in the SDK). */
static ssize_t read_at(int fd, void *buf, size_t n, sqlite3_int64 off) { return kiln_pread(fd, buf, n, (unsigned)off, (unsigned)((sqlite3_uint64)off >> 32)); }
static ssize_t write_at(int fd, const void *buf, size_t n, sqlite3_int64 off) { return kiln_pwrite(fd, (void *)buf, n, (unsigned)off, (unsigned)((sqlite3_uint64)off >> 32)); }
#else
static int seek_to(int fd, sqlite3_int64 off) {
  if (off > 0x7fffffff) return -1; /* the lseek slot takes a 32-bit offset */
  return lseek(fd, (off_t)off, SEEK_SET) == (off_t)off ? 0 : -1;
}
static ssize_t read_at(int fd, void *buf, size_t n, sqlite3_int64 off) { return seek_to(fd, off) < 0 ? -1 : read(fd, buf, n); }
static ssize_t write_at(int fd, const void *buf, size_t n, sqlite3_int64 off) { return seek_to(fd, off) < 0 ? -1 : write(fd, buf, n); }
#endif

static int kRead(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off) {
  KilnFile *p = (KilnFile *)f;
  int got = 0;
  while (got < amt) {
    ssize_t n = read_at(p->fd, (char *)buf + got, (size_t)(amt - got), off + got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SQLITE_IOERR_READ;
    }
    if (n == 0) break;
    got += (int)n;
  }
  if (got < amt) {
    memset((char *)buf + got, 0, (size_t)(amt - got));
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

static int kWrite(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off) {
  KilnFile *p = (KilnFile *)f;
  int done = 0;
  while (done < amt) {
    ssize_t n = write_at(p->fd, (const char *)buf + done, (size_t)(amt - done), off + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SQLITE_IOERR_WRITE;
    }
    done += (int)n;
  }
  return SQLITE_OK;
}

static int kFileSize(sqlite3_file *f, sqlite3_int64 *size) {
  KilnFile *p = (KilnFile *)f;
  struct stat st;
  if (fstat(p->fd, &st) < 0) return SQLITE_IOERR_FSTAT;
  *size = (sqlite3_int64)st.st_size;
  return SQLITE_OK;
}

/* Without ftruncate (no slot, or ENOSYS): keep the first `size` bytes, reopen the path with O_TRUNC,
 * write them back. */
static int kTruncate(sqlite3_file *f, sqlite3_int64 size) {
  KilnFile *p = (KilnFile *)f;
#ifdef KILN_SLOT_FTRUNCATE
  if (kiln_ftruncate(p->fd, (unsigned)size, (unsigned)((sqlite3_uint64)size >> 32)) == 0) return SQLITE_OK;
  if (errno != ENOSYS) return SQLITE_IOERR_TRUNCATE;
#endif
  sqlite3_int64 cur;
  if (kFileSize(f, &cur) != SQLITE_OK) return SQLITE_IOERR_TRUNCATE;
  if (size >= cur) return SQLITE_OK;
  char *keep = size ? sqlite3_malloc64((sqlite3_uint64)size) : NULL;
  if (size && !keep) return SQLITE_IOERR_NOMEM;
  int rc = SQLITE_OK;
  if (size && kRead(f, keep, (int)size, 0) != SQLITE_OK) rc = SQLITE_IOERR_TRUNCATE;
  if (rc == SQLITE_OK) {
    int fd = open(p->path, O_WRONLY | O_TRUNC);
    if (fd < 0) rc = SQLITE_IOERR_TRUNCATE;
    else close(fd);
  }
  if (rc == SQLITE_OK && size && kWrite(f, keep, (int)size, 0) != SQLITE_OK) rc = SQLITE_IOERR_TRUNCATE;
  sqlite3_free(keep);
  return rc;
}

static int kSync(sqlite3_file *f, int flags) {
  (void)flags;
#ifdef KILN_SLOT_FSYNC
  if (kiln_fsync(((KilnFile *)f)->fd) < 0) return SQLITE_IOERR_FSYNC;
#else
  (void)f;
#endif
  return SQLITE_OK;
}

#ifdef KILN_STRUCT_FLOCK64
/* POSIX advisory locks on the lock bytes, as SQLite's unix VFS takes them (os_unix.c): a shared
 * lock is a read lock on the shared range, RESERVED a write lock on its byte, PENDING a write lock
 * on its byte (taken first by EXCLUSIVE, so no new reader gets in), EXCLUSIVE a write lock on the
 * shared range. The locks are the process's, through the fcntl slot (F_SETLK64, flock64). */
#define PENDING_BYTE 0x40000000
#define RESERVED_BYTE (PENDING_BYTE + 1)
#define SHARED_FIRST (PENDING_BYTE + 2)
#define SHARED_SIZE 510

static int range_lock(int fd, int type, sqlite3_int64 start, sqlite3_int64 len) {
  struct kiln_flock64 l;
  memset(&l, 0, sizeof l);
  l.l_type = (int16_t)type;
  l.l_whence = SEEK_SET;
  l.l_start = start;
  l.l_len = len;
  return fcntl(fd, F_SETLK64, &l);
}

static int kLock(sqlite3_file *f, int level) {
  KilnFile *p = (KilnFile *)f;
  if (p->lock >= level) return SQLITE_OK;
  if (level == SQLITE_LOCK_SHARED) {
    /* A reader waits out a writer's PENDING lock: take it shared for a moment. */
    if (range_lock(p->fd, F_RDLCK, PENDING_BYTE, 1) < 0) return SQLITE_BUSY;
    int ok = range_lock(p->fd, F_RDLCK, SHARED_FIRST, SHARED_SIZE) == 0;
    range_lock(p->fd, F_UNLCK, PENDING_BYTE, 1);
    if (!ok) return SQLITE_BUSY;
  } else if (level == SQLITE_LOCK_RESERVED) {
    if (range_lock(p->fd, F_WRLCK, RESERVED_BYTE, 1) < 0) return SQLITE_BUSY;
  } else if (level == SQLITE_LOCK_EXCLUSIVE) {
    if (p->lock < SQLITE_LOCK_PENDING) {
      if (range_lock(p->fd, F_WRLCK, PENDING_BYTE, 1) < 0) return SQLITE_BUSY;
      p->lock = SQLITE_LOCK_PENDING;
    }
    if (range_lock(p->fd, F_WRLCK, SHARED_FIRST, SHARED_SIZE) < 0) return SQLITE_BUSY;
  }
  p->lock = level;
  return SQLITE_OK;
}
static int kUnlock(sqlite3_file *f, int level) {
  KilnFile *p = (KilnFile *)f;
  if (p->lock <= level) return SQLITE_OK;
  if (p->lock > SQLITE_LOCK_SHARED) {
    if (level == SQLITE_LOCK_SHARED && range_lock(p->fd, F_RDLCK, SHARED_FIRST, SHARED_SIZE) < 0) return SQLITE_IOERR_RDLOCK;
    if (range_lock(p->fd, F_UNLCK, PENDING_BYTE, 2) < 0) return SQLITE_IOERR_UNLOCK;
  }
  if (level == SQLITE_LOCK_NONE && range_lock(p->fd, F_UNLCK, 0, 0) < 0) return SQLITE_IOERR_UNLOCK;
  p->lock = level;
  return SQLITE_OK;
}
static int kCheckReservedLock(sqlite3_file *f, int *out) {
  KilnFile *p = (KilnFile *)f;
  if (p->lock >= SQLITE_LOCK_RESERVED) return *out = 1, SQLITE_OK;
  struct kiln_flock64 l;
  memset(&l, 0, sizeof l);
  l.l_type = F_WRLCK;
  l.l_whence = SEEK_SET;
  l.l_start = RESERVED_BYTE;
  l.l_len = 1;
  if (fcntl(p->fd, F_GETLK64, &l) < 0) return SQLITE_IOERR_CHECKRESERVEDLOCK;
  *out = l.l_type != F_UNLCK;
  return SQLITE_OK;
}
#else
static int kLock(sqlite3_file *f, int level) {
  KilnFile *p = (KilnFile *)f;
  if (level > p->lock) p->lock = level;
  return SQLITE_OK;
}
static int kUnlock(sqlite3_file *f, int level) {
  KilnFile *p = (KilnFile *)f;
  if (level < p->lock) p->lock = level;
  return SQLITE_OK;
}
static int kCheckReservedLock(sqlite3_file *f, int *out) {
  (void)f;
  *out = 0;
  return SQLITE_OK;
}
#endif
static int kFileControl(sqlite3_file *f, int op, void *arg) {
  (void)f;
  (void)op;
  (void)arg;
  return SQLITE_NOTFOUND;
}
static int kSectorSize(sqlite3_file *f) {
  (void)f;
  return 512;
}
static int kDeviceCharacteristics(sqlite3_file *f) {
  (void)f;
  return 0;
}

static const sqlite3_io_methods kiln_io = {
  1, kClose, kRead, kWrite, kTruncate, kSync, kFileSize, kLock, kUnlock, kCheckReservedLock,
  kFileControl, kSectorSize, kDeviceCharacteristics,
};

static int kOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *outFlags) {
  (void)vfs;
  KilnFile *p = (KilnFile *)f;
  memset(p, 0, sizeof *p);
  p->fd = -1;
  if (!name) return SQLITE_IOERR; /* temporary files: SQLITE_TEMP_STORE=3 keeps them in memory */
  if (strlen(name) >= MAXPATH) return SQLITE_CANTOPEN;
  int o = (flags & SQLITE_OPEN_READWRITE) ? O_RDWR : O_RDONLY;
  if (flags & SQLITE_OPEN_CREATE) o |= O_CREAT;
  if (flags & SQLITE_OPEN_EXCLUSIVE) o |= O_EXCL;
  int fd = open(name, o | O_CLOEXEC, 0644);
  if (fd < 0) return SQLITE_CANTOPEN;
  p->fd = fd;
  strcpy(p->path, name);
  p->base.pMethods = &kiln_io;
  if (outFlags) *outFlags = flags;
  return SQLITE_OK;
}

static int kDelete(sqlite3_vfs *vfs, const char *name, int syncDir) {
  (void)vfs;
  (void)syncDir;
  if (unlink(name) == 0 || errno == ENOENT) return SQLITE_OK;
  return SQLITE_IOERR_DELETE;
}

/* The SDK's access: the access slot where there is one (p4), else it opens the file. */
static int kAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
  (void)vfs;
  *out = access(name, flags == SQLITE_ACCESS_READWRITE ? R_OK | W_OK : F_OK) == 0;
  return SQLITE_OK;
}

static int kFullPathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
  (void)vfs;
  if (name[0] == '/') {
    sqlite3_snprintf(n, out, "%s", name);
    return SQLITE_OK;
  }
  char cwd[MAXPATH];
  if (!getcwd(cwd, sizeof cwd)) return SQLITE_CANTOPEN;
  sqlite3_snprintf(n, out, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, name);
  return SQLITE_OK;
}

int getentropy(void *buf, size_t n);

static int kRandomness(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs;
  /* getentropy is the getrandom slot (p4); ENOSYS without it, then the clock and the pid. */
  int i = 0;
  for (; i < n; i += 256)
    if (getentropy(out + i, (size_t)(n - i < 256 ? n - i : 256)) < 0) break;
  if (i >= n) return n;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  unsigned x = (unsigned)tv.tv_sec * 2654435761u ^ (unsigned)tv.tv_usec ^ (unsigned)getpid() << 16;
  for (int i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = (char)x;
  }
  return n;
}

static int kSleep(sqlite3_vfs *vfs, int us) {
  (void)vfs;
#if KILN_PROGRAM_ABI >= 2
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, NULL);
#endif
  return us;
}

static int kCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *t) {
  (void)vfs;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  /* Julian day number in milliseconds: the Unix epoch is JD 2440587.5. */
  *t = (sqlite3_int64)210866760000000LL + (sqlite3_int64)tv.tv_sec * 1000 + tv.tv_usec / 1000;
  return SQLITE_OK;
}
static int kCurrentTime(sqlite3_vfs *vfs, double *t) {
  sqlite3_int64 i;
  kCurrentTimeInt64(vfs, &i);
  *t = (double)i / 86400000.0;
  return SQLITE_OK;
}
static int kGetLastError(sqlite3_vfs *vfs, int n, char *buf) {
  (void)vfs;
  (void)n;
  (void)buf;
  return errno;
}

static sqlite3_vfs kiln_vfs = {
  2, sizeof(KilnFile), MAXPATH, 0, "kiln", 0, kOpen, kDelete, kAccess, kFullPathname,
  0, 0, 0, 0, kRandomness, kSleep, kCurrentTime, kGetLastError, kCurrentTimeInt64,
};

int sqlite3_os_init(void) { return sqlite3_vfs_register(&kiln_vfs, 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }
