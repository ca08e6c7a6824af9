/* errno: the error number of the last failed call. It is picolibc's thread-local `errno`; at
 * start-up (and in every new thread) the SDK points the TLS block's errno pointer (tp + 4,
 * spec/tls.md) at it, so the layer stores a failed slot's error number straight into it. The
 * error numbers are the spec's (Linux's), from the generated header, not picolibc's own. */
#ifndef _ERRNO_H
#define _ERRNO_H
#include "kiln.h"
extern __thread int errno;
#define errno errno
#endif
