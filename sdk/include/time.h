#ifndef _TIME_H
#define _TIME_H
#include "kiln.h"
typedef int time_t;
static inline time_t time(time_t *t) { return kiln_time((int32_t *)t); }
#if KILN_PROGRAM_ABI >= 2
#define timespec kiln_timespec64
static inline int clock_gettime(int clk, struct kiln_timespec64 *ts) { return kiln_clock_gettime(clk, ts); }
static inline int nanosleep(const struct kiln_timespec64 *req, struct kiln_timespec64 *rem) { return kiln_nanosleep((struct kiln_timespec64 *)req, rem); }
#endif
#endif
