/* sh: a small shell. Program ABI: p1.
 *   sh -c 'cmd | cmd | …'     run one command line
 *   sh [< script]             run each line of stdin
 * A command line is a pipeline of commands separated by '|'; words are separated by blanks (no
 * quoting, no redirection, no variables). A command name without '/' is looked up in /bin. Each
 * command runs in a child made by fork, wired with pipe2 and dup3, started with execve; the shell
 * waits for every child with waitid. Builtins (alone on a line): `cd DIR`, `exit [N]`.
 * Status: that of the last command of the last line; 127 if a command was not found, 128+N if
 * signal N killed it. Lines starting with '#' are comments. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CMDS 16
#define MAX_ARGS 32

static int split_words(char *s, char **argv) {
  int n = 0;
  char *save;
  for (char *w = strtok_r(s, " \t\n", &save); w && n < MAX_ARGS - 1; w = strtok_r(NULL, " \t\n", &save)) argv[n++] = w;
  argv[n] = NULL;
  return n;
}

static int run_line(char *line) {
  char *cmds[MAX_CMDS];
  int ncmd = 0;
  char *save;
  /* Split on '|' by hand: strtok would merge empty commands. */
  for (char *p = line;; ) {
    if (ncmd == MAX_CMDS) {
      fprintf(stderr, "sh: too many commands in a pipeline\n");
      return 2;
    }
    cmds[ncmd++] = p;
    char *bar = strchr(p, '|');
    if (!bar) break;
    *bar = 0;
    p = bar + 1;
  }
  (void)save;
  char *argvs[MAX_CMDS][MAX_ARGS];
  for (int i = 0; i < ncmd; i++) {
    if (split_words(cmds[i], argvs[i]) == 0) {
      if (ncmd == 1) return -1; /* empty line */
      fprintf(stderr, "sh: syntax error: empty command in pipeline\n");
      return 2;
    }
  }
  char **a0 = argvs[0];
  if (ncmd == 1 && strcmp(a0[0], "exit") == 0) exit(a0[1] ? atoi(a0[1]) : 0);
  if (ncmd == 1 && strcmp(a0[0], "cd") == 0) {
    if (chdir(a0[1] ? a0[1] : "/") < 0) {
      fprintf(stderr, "sh: cd: %s: %s\n", a0[1] ? a0[1] : "/", strerror(errno));
      return 1;
    }
    return 0;
  }

  fflush(stdout);
  int pids[MAX_CMDS];
  int in = -1;
  for (int i = 0; i < ncmd; i++) {
    int fds[2] = {-1, -1};
    if (i + 1 < ncmd && pipe2(fds, O_CLOEXEC) < 0) {
      perror("sh: pipe2");
      return 2;
    }
    int pid = fork();
    if (pid < 0) {
      perror("sh: fork");
      return 2;
    }
    if (pid == 0) {
      if (in >= 0) dup3(in, 0, 0);
      if (fds[1] >= 0) dup3(fds[1], 1, 0);
      execvp(argvs[i][0], argvs[i]);
      int e = errno;
      fprintf(stderr, "sh: %s: %s\n", argvs[i][0], e == ENOENT ? "not found" : strerror(e));
      _exit(e == ENOENT ? 127 : 126);
    }
    pids[i] = pid;
    if (in >= 0) close(in);
    if (fds[1] >= 0) close(fds[1]);
    in = fds[0];
  }
  int status = 0;
  for (int i = 0; i < ncmd; i++) {
    int st = 0;
    if (waitpid(pids[i], &st, 0) < 0) {
      perror("sh: waitid");
      continue;
    }
    status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  return status;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
    int r = run_line(argv[2]);
    return r < 0 ? 0 : r;
  }
  if (argc != 1) {
    fprintf(stderr, "usage: sh [-c COMMAND]\n");
    return 2;
  }
  char line[1024];
  int status = 0;
  while (fgets(line, sizeof line, stdin)) {
    if (line[0] == '#') continue;
    int r = run_line(line);
    if (r >= 0) status = r;
  }
  return status;
}
