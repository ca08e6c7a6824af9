/* Signals on the sigaction/sigprocmask/kill slots; numbers and structures are kiln.h's (not
 * newlib's: picolibc's own <signal.h> is not used). */
#ifndef _SIGNAL_H
#define _SIGNAL_H
#include <sys/types.h>
#include "kiln.h"
#include <sys/_sigset.h>
#ifndef _SIGSET_T_DECLARED
#define _SIGSET_T_DECLARED
typedef __sigset_t sigset_t;
#endif
typedef struct kiln_siginfo siginfo_t;
typedef int sig_atomic_t;
typedef void (*sighandler_t)(int);
#define SIG_ERR ((sighandler_t)-1)
sighandler_t signal(int sig, sighandler_t handler);
int raise(int sig);
int kill(pid_t pid, int sig);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
static inline int sigemptyset(sigset_t *s) { s->sig[0] = s->sig[1] = 0; return 0; }
static inline int sigfillset(sigset_t *s) { s->sig[0] = s->sig[1] = ~0u; return 0; }
static inline int sigaddset(sigset_t *s, int sig) { s->sig[(sig - 1) / 32] |= 1u << ((sig - 1) % 32); return 0; }
static inline int sigdelset(sigset_t *s, int sig) { s->sig[(sig - 1) / 32] &= ~(1u << ((sig - 1) % 32)); return 0; }
static inline int sigismember(const sigset_t *s, int sig) { return (s->sig[(sig - 1) / 32] >> ((sig - 1) % 32)) & 1; }
#endif
