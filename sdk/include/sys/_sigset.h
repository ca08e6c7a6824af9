/* Replaces picolibc's: a signal set is the spec's struct kiln_sigset (64 signals), wherever
 * picolibc's headers name sigset_t (sys/select.h). */
#ifndef _SYS__SIGSET_H_
#define _SYS__SIGSET_H_
#include "kiln.h"
typedef struct kiln_sigset __sigset_t;
#endif
