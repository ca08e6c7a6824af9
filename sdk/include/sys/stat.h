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
/* `stat(path, buf)`: a function-like name clashes with the tag macro above, so it is kiln_stat_path. */
int kiln_stat_path(const char *path, struct stat *st);
int mkdir(const char *path, mode_t mode);
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#endif
