/* open/openat/fcntl on the openat and fcntl slots; flags are the spec's (kiln.h). */
#ifndef _FCNTL_H
#define _FCNTL_H
#include <sys/types.h>
#include "kiln.h"
int open(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
int fcntl(int fd, int cmd, ...);
#endif
