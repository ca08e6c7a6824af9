#ifndef _FCNTL_H
#define _FCNTL_H
#include "kiln.h"
static inline int openat(int dirfd, const char *path, int flags, unsigned mode) { return kiln_openat(dirfd, path, (unsigned)flags, mode); }
static inline int open(const char *path, int flags, unsigned mode) { return kiln_openat(AT_FDCWD, path, (unsigned)flags, mode); }
static inline int fcntl(int fd, int cmd, unsigned arg) { return kiln_fcntl(fd, cmd, arg); }
#endif
