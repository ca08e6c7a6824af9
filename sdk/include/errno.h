/* errno: the error number of the last failed call, read through the TLS errno pointer (tp + 4)
 * that the kernel points at a per-thread word. Every thread has its own. */
#ifndef _ERRNO_H
#define _ERRNO_H
#include "kiln.h"
#define errno kiln_errno
#endif
