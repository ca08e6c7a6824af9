/* Signals on the sigaction/sigprocmask/kill slots; structures are kiln.h's. */
#ifndef _SIGNAL_H
#define _SIGNAL_H
#include "kiln.h"
typedef struct kiln_sigset sigset_t;
typedef struct kiln_siginfo siginfo_t;
typedef void (*sighandler_t)(int);
#define SIG_ERR ((sighandler_t)-1)
sighandler_t signal(int sig, sighandler_t handler);
int raise(int sig);
static inline int kill(int pid, int sig) { return kiln_kill(pid, sig); }
static inline int sigemptyset(sigset_t *s) { s->sig[0] = s->sig[1] = 0; return 0; }
static inline int sigaddset(sigset_t *s, int sig) { s->sig[(sig - 1) / 32] |= 1u << ((sig - 1) % 32); return 0; }
static inline int sigprocmask(int how, const sigset_t *set, sigset_t *old) { return kiln_sigprocmask(how, (sigset_t *)set, old); }
#endif
