/* ISO C time (struct tm, strftime, mktime, gmtime, clock) is picolibc's <time.h>; the clock
 * constants are the spec's (kiln.h), not newlib's: they are saved around picolibc's header and
 * restored after it, and newlib's clock ids that the spec lacks are removed. clock_gettime and
 * nanosleep use picolibc's struct timespec and are converted to the slots' kiln_timespec64
 * (sdk/libc/posix.c); time() and clock() reach the slots through gettimeofday() and times(). */
#ifndef _KILN_TIME_H
#define _KILN_TIME_H
#include "kiln.h"
#pragma push_macro("CLOCK_REALTIME")
#pragma push_macro("CLOCK_MONOTONIC")
#pragma push_macro("CLOCK_PROCESS_CPUTIME_ID")
#pragma push_macro("CLOCK_THREAD_CPUTIME_ID")
#pragma push_macro("CLOCK_MONOTONIC_RAW")
#pragma push_macro("CLOCK_REALTIME_COARSE")
#pragma push_macro("CLOCK_MONOTONIC_COARSE")
#pragma push_macro("CLOCK_BOOTTIME")
#pragma push_macro("CLOCK_TAI")
#pragma push_macro("TIMER_ABSTIME")
#undef CLOCK_REALTIME
#undef CLOCK_MONOTONIC
#undef CLOCK_PROCESS_CPUTIME_ID
#undef CLOCK_THREAD_CPUTIME_ID
#undef CLOCK_MONOTONIC_RAW
#undef CLOCK_REALTIME_COARSE
#undef CLOCK_MONOTONIC_COARSE
#undef CLOCK_BOOTTIME
#undef CLOCK_TAI
#undef TIMER_ABSTIME
#include_next <time.h>
#undef CLOCK_REALTIME
#undef CLOCK_MONOTONIC
#undef CLOCK_PROCESS_CPUTIME_ID
#undef CLOCK_THREAD_CPUTIME_ID
#undef CLOCK_MONOTONIC_RAW
#undef CLOCK_REALTIME_COARSE
#undef CLOCK_MONOTONIC_COARSE
#undef CLOCK_BOOTTIME
#undef CLOCK_TAI
#undef TIMER_ABSTIME
#undef CLOCK_REALTIME_ALARM
#undef CLOCK_BOOTTIME_ALARM
#pragma pop_macro("CLOCK_REALTIME")
#pragma pop_macro("CLOCK_MONOTONIC")
#pragma pop_macro("CLOCK_PROCESS_CPUTIME_ID")
#pragma pop_macro("CLOCK_THREAD_CPUTIME_ID")
#pragma pop_macro("CLOCK_MONOTONIC_RAW")
#pragma pop_macro("CLOCK_REALTIME_COARSE")
#pragma pop_macro("CLOCK_MONOTONIC_COARSE")
#pragma pop_macro("CLOCK_BOOTTIME")
#pragma pop_macro("CLOCK_TAI")
#pragma pop_macro("TIMER_ABSTIME")
#if KILN_PROGRAM_ABI >= 2
/* The clock_gettime and nanosleep slots (p2 and later), with picolibc's struct timespec. */
int clock_gettime(clockid_t clk, struct timespec *ts);
int nanosleep(const struct timespec *req, struct timespec *rem);
#endif
#endif
