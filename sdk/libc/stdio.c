/* Buffered stdio on the read/write/openat/close slots.
 * stdin: buffered reads; stdout: line buffered; stderr: unbuffered. Files from fopen are fully
 * buffered. exit() flushes every open stream. Not thread-safe: one thread per stream. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define F_READ 1
#define F_WRITE 2
#define F_EOF 4
#define F_ERR 8
#define F_LINE 16
#define F_UNBUF 32
#define F_STATIC 64

struct kiln_file {
  int fd;
  int flags;
  unsigned char *buf;
  size_t size;        /* capacity of buf */
  size_t pos, len;    /* read: buf[pos..len) is unread; write: buf[0..pos) is pending */
  int unget;          /* -1 or a pushed-back byte */
  struct kiln_file *next;
};

static unsigned char inbuf[BUFSIZ], outbuf[BUFSIZ];
static FILE in = {0, F_READ | F_STATIC, inbuf, BUFSIZ, 0, 0, -1, NULL};
static FILE out = {1, F_WRITE | F_LINE | F_STATIC, outbuf, BUFSIZ, 0, 0, -1, &in};
static FILE err = {2, F_WRITE | F_UNBUF | F_STATIC, NULL, 0, 0, 0, -1, &out};
FILE *stdin = &in, *stdout = &out, *stderr = &err;
static FILE *all = &err;

static int flush_out(FILE *f) {
  size_t done = 0;
  while (done < f->pos) {
    ssize_t n = write(f->fd, f->buf + done, f->pos - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      f->flags |= F_ERR;
      f->pos = 0;
      return EOF;
    }
    done += (size_t)n;
  }
  f->pos = 0;
  return 0;
}

int fflush(FILE *f) {
  if (!f) {
    int r = 0;
    for (FILE *p = all; p; p = p->next)
      if (p->flags & F_WRITE && flush_out(p)) r = EOF;
    return r;
  }
  return f->flags & F_WRITE ? flush_out(f) : 0;
}

void __stdio_flush_all(void) { fflush(NULL); }

static int parse_mode(const char *mode, int *oflags) {
  int plus = strchr(mode, '+') != NULL;
  switch (mode[0]) {
    case 'r': *oflags = plus ? O_RDWR : O_RDONLY; return plus ? F_READ | F_WRITE : F_READ;
    case 'w': *oflags = (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC; return plus ? F_READ | F_WRITE : F_WRITE;
    case 'a': *oflags = (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND; return plus ? F_READ | F_WRITE : F_WRITE;
    default: return 0;
  }
}

FILE *fdopen(int fd, const char *mode) {
  int oflags;
  int flags = parse_mode(mode, &oflags);
  if (!flags) return errno = EINVAL, NULL;
  FILE *f = calloc(1, sizeof *f + BUFSIZ);
  if (!f) return NULL;
  f->fd = fd;
  f->flags = flags;
  f->buf = (unsigned char *)(f + 1);
  f->size = BUFSIZ;
  f->unget = -1;
  f->next = all;
  all = f;
  return f;
}

FILE *fopen(const char *path, const char *mode) {
  int oflags;
  if (!parse_mode(mode, &oflags)) return errno = EINVAL, NULL;
  int fd = open(path, oflags | O_CLOEXEC, 0644);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, mode);
  if (!f) close(fd);
  return f;
}

int fclose(FILE *f) {
  int r = fflush(f);
  if (close(f->fd) < 0) r = EOF;
  for (FILE **pp = &all; *pp; pp = &(*pp)->next)
    if (*pp == f) {
      *pp = f->next;
      break;
    }
  if (!(f->flags & F_STATIC)) free(f);
  return r;
}

static int fill(FILE *f) {
  if (f->flags & F_EOF) return 0;
  if (f == stdin) fflush(stdout); /* prompts appear before we block */
  for (;;) {
    ssize_t n = read(f->fd, f->buf, f->size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return f->flags |= F_ERR, -1;
    if (n == 0) return f->flags |= F_EOF, 0;
    f->pos = 0;
    f->len = (size_t)n;
    return 1;
  }
}

int fgetc(FILE *f) {
  if (f->unget >= 0) {
    int c = f->unget;
    f->unget = -1;
    return c;
  }
  if (f->pos == f->len && fill(f) <= 0) return EOF;
  return f->buf[f->pos++];
}

int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

int ungetc(int c, FILE *f) {
  if (c == EOF) return EOF;
  f->unget = (unsigned char)c;
  f->flags &= ~F_EOF;
  return c;
}

char *fgets(char *s, int n, FILE *f) {
  int i = 0;
  while (i < n - 1) {
    int c = fgetc(f);
    if (c == EOF) break;
    s[i++] = (char)c;
    if (c == '\n') break;
  }
  if (i == 0 || n <= 0) return NULL;
  s[i] = 0;
  return s;
}

size_t fread(void *buf, size_t size, size_t n, FILE *f) {
  size_t want = size * n, got = 0;
  unsigned char *d = buf;
  if (want && f->unget >= 0) d[got++] = (unsigned char)f->unget, f->unget = -1;
  while (got < want) {
    if (f->pos == f->len) {
      if (want - got >= f->size) { /* big read: straight into the caller's buffer */
        ssize_t r = read(f->fd, d + got, want - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          f->flags |= r < 0 ? F_ERR : F_EOF;
          break;
        }
        got += (size_t)r;
        continue;
      }
      if (fill(f) <= 0) break;
    }
    size_t k = f->len - f->pos;
    if (k > want - got) k = want - got;
    memcpy(d + got, f->buf + f->pos, k);
    f->pos += k;
    got += k;
  }
  return size ? got / size : 0;
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f) {
  size_t total = size * n;
  const unsigned char *s = buf;
  if (f->flags & F_UNBUF) {
    size_t done = 0;
    while (done < total) {
      ssize_t r = write(f->fd, s + done, total - done);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        f->flags |= F_ERR;
        break;
      }
      done += (size_t)r;
    }
    return size ? done / size : 0;
  }
  int newline = 0;
  for (size_t i = 0; i < total; i++) {
    if (f->pos == f->size && flush_out(f)) return size ? i / size : 0;
    f->buf[f->pos++] = s[i];
    if (s[i] == '\n') newline = 1;
  }
  if (newline && (f->flags & F_LINE) && flush_out(f)) return 0;
  return n;
}

int fputc(int c, FILE *f) {
  unsigned char ch = (unsigned char)c;
  return fwrite(&ch, 1, 1, f) == 1 ? ch : EOF;
}
int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

int fputs(const char *s, FILE *f) {
  size_t n = strlen(s);
  return fwrite(s, 1, n, f) == n ? 0 : EOF;
}

int puts(const char *s) {
  if (fputs(s, stdout) == EOF) return EOF;
  return putchar('\n') == EOF ? EOF : 0;
}

int feof(FILE *f) { return (f->flags & F_EOF) != 0; }
int ferror(FILE *f) { return (f->flags & F_ERR) != 0; }
int fileno(FILE *f) { return f->fd; }

void perror(const char *s) {
  if (s && *s) fprintf(stderr, "%s: %s\n", s, strerror(errno));
  else fprintf(stderr, "%s\n", strerror(errno));
}
