/* printf family: flags - + space # 0, width and precision (numbers or *), length hh h l ll z j t,
 * conversions d i u x X o c s p %. One formatter writes through a sink; snprintf's sink fills a
 * buffer, the stream sink goes through fwrite. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct sink {
  void (*put)(struct sink *, const char *, size_t);
  char *buf;
  size_t cap, len; /* len counts every byte produced, even past cap */
  FILE *f;
};

static void put_buf(struct sink *s, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++, s->len++)
    if (s->len + 1 < s->cap) s->buf[s->len] = p[i];
}

static void put_file(struct sink *s, const char *p, size_t n) {
  fwrite(p, 1, n, s->f);
  s->len += n;
}

static void pad(struct sink *s, char c, int n) {
  char block[16];
  memset(block, c, sizeof block);
  while (n > 0) {
    int k = n > 16 ? 16 : n;
    s->put(s, block, (size_t)k);
    n -= k;
  }
}

static int format(struct sink *s, const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      const char *start = fmt;
      while (fmt[1] && fmt[1] != '%') fmt++;
      s->put(s, start, (size_t)(fmt - start + 1));
      continue;
    }
    fmt++;
    int left = 0, plus = 0, space = 0, alt = 0, zero = 0;
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '+') plus = 1;
      else if (*fmt == ' ') space = 1;
      else if (*fmt == '#') alt = 1;
      else if (*fmt == '0') zero = 1;
      else break;
    }
    int width = 0, prec = -1;
    if (*fmt == '*') {
      width = va_arg(ap, int);
      if (width < 0) left = 1, width = -width;
      fmt++;
    } else
      while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    if (*fmt == '.') {
      fmt++;
      prec = 0;
      if (*fmt == '*') {
        prec = va_arg(ap, int);
        fmt++;
      } else
        while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + (*fmt++ - '0');
    }
    int len = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long */
    for (;; fmt++) {
      if (*fmt == 'h') len = len == -1 ? -2 : -1;
      else if (*fmt == 'l') len = len == 1 ? 2 : 1;
      else if (*fmt == 'z' || *fmt == 't') len = 1; /* size_t, ptrdiff_t: 32 bits */
      else if (*fmt == 'j') len = 2;
      else break;
    }
    char conv = *fmt;
    if (!conv) break;
    char tmp[32];
    const char *body = tmp;
    size_t blen = 0;
    const char *prefix = "";
    switch (conv) {
      case '%':
        s->put(s, "%", 1);
        continue;
      case 'c':
        tmp[0] = (char)va_arg(ap, int);
        blen = 1;
        zero = 0;
        break;
      case 's': {
        body = va_arg(ap, const char *);
        if (!body) body = "(null)";
        blen = prec >= 0 ? strnlen(body, (size_t)prec) : strlen(body);
        zero = 0;
        break;
      }
      case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'p': {
        unsigned long long v;
        int neg = 0;
        if (conv == 'p') {
          v = (uintptr_t)va_arg(ap, void *);
          alt = 1;
        } else if (conv == 'd' || conv == 'i') {
          long long x = len == 2 ? va_arg(ap, long long) : len == 1 ? va_arg(ap, long) : va_arg(ap, int);
          if (len == -1) x = (short)x;
          if (len == -2) x = (signed char)x;
          neg = x < 0;
          v = neg ? 0ull - (unsigned long long)x : (unsigned long long)x;
        } else {
          v = len == 2 ? va_arg(ap, unsigned long long) : len == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
          if (len == -1) v = (unsigned short)v;
          if (len == -2) v = (unsigned char)v;
        }
        unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
        const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        char *e = tmp + sizeof tmp, *p = e;
        while (v) *--p = digits[v % base], v /= base;
        if (prec < 0) prec = 1;
        else zero = 0;
        while (e - p < prec) *--p = '0';
        if (conv == 'o' && alt && *p != '0') *--p = '0';
        body = p;
        blen = (size_t)(e - p);
        if (neg) prefix = "-";
        else if ((conv == 'd' || conv == 'i') && plus) prefix = "+";
        else if ((conv == 'd' || conv == 'i') && space) prefix = " ";
        else if (alt && base == 16 && (blen > 1 || *body != '0' || conv == 'p')) prefix = conv == 'X' ? "0X" : "0x";
        break;
      }
      default: /* unknown conversion: print it as written */
        tmp[0] = '%';
        tmp[1] = conv;
        blen = 2;
        break;
    }
    int plen = (int)strlen(prefix);
    int fill = width - (int)blen - plen;
    if (!left && !zero) pad(s, ' ', fill);
    s->put(s, prefix, (size_t)plen);
    if (!left && zero) pad(s, '0', fill);
    s->put(s, body, blen);
    if (left) pad(s, ' ', fill);
  }
  return (int)s->len;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) {
  struct sink s = {put_buf, buf, n, 0, NULL};
  int r = format(&s, fmt, ap);
  if (n) buf[s.len < n ? s.len : n - 1] = 0;
  return r;
}

int snprintf(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return r;
}

int sprintf(char *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, 0x7fffffff, fmt, ap);
  va_end(ap);
  return r;
}

int vfprintf(FILE *f, const char *fmt, va_list ap) {
  struct sink s = {put_file, NULL, 0, 0, f};
  return format(&s, fmt, ap);
}

int vprintf(const char *fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int fprintf(FILE *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vfprintf(f, fmt, ap);
  va_end(ap);
  return r;
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vfprintf(stdout, fmt, ap);
  va_end(ap);
  return r;
}
