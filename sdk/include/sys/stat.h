/* stat on the program ABI's slots: struct kiln_stat64 (p2 and later) or struct kiln_stat (p1),
 * both from kiln.h. `struct stat` is whichever the program ABI has. */
#ifndef _SYS_STAT_H
#define _SYS_STAT_H
#include "kiln.h"
#if KILN_PROGRAM_ABI >= 2
#define stat kiln_stat64
static inline int fstat(int fd, struct kiln_stat64 *st) { return kiln_fstat64(fd, st); }
#else
#define stat kiln_stat
static inline int fstat(int fd, struct kiln_stat *st) { return kiln_fstat(fd, st); }
#endif
/* `stat(path, buf)`: a function-like name clashes with the tag macro above, so it is kiln_stat_path. */
int kiln_stat_path(const char *path, struct stat *st);
static inline int mkdir(const char *path, unsigned mode) { return kiln_mkdirat(AT_FDCWD, path, mode); }
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#endif
