/* stat on the program ABI's slots: struct kiln_stat64 (p2 and later) or struct kiln_stat (p1),
 * both from kiln.h. `struct stat` is whichever the program ABI has. */
#ifndef _SYS_STAT_H
#define _SYS_STAT_H
#include <sys/types.h>
#include "kiln.h"
#if KILN_PROGRAM_ABI >= 2
#define stat kiln_stat64
#else
#define stat kiln_stat
#endif
int fstat(int fd, struct stat *st);
/* `stat(path, buf)` works: the macro above makes it a function named like the structure tag
 * (tags and functions do not clash in C). With the fstatat slot (p4) stat and lstat are that slot;
 * without it, stat is open + fstat (kiln_stat_path) and lstat is stat, so no symlink is visible
 * as one (S_ISLNK is always false). */
int stat(const char *path, struct stat *st);
int lstat(const char *path, struct stat *st);
int kiln_stat_path(const char *path, struct stat *st);
int chmod(const char *path, mode_t mode);
#ifdef KILN_SLOT_UMASK
mode_t umask(mode_t mask);
#endif
#ifdef KILN_SLOT_UTIMENSAT
struct timespec;
int utimensat(int dirfd, const char *path, const struct timespec *ts, int flags);
#endif
int mkdir(const char *path, mode_t mode);
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#ifdef KILN_SLOT_FSTATAT
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#else
#define S_ISLNK(m) ((void)(m), 0)
#endif
#endif
