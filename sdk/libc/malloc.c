/* malloc/free/calloc/realloc on anonymous mmap.
 *
 * The heap grows in arenas of at least ARENA bytes from the mmap slot (not brk: the layer is
 * mapped right after the stub region, which is where a brk heap would start). Every block has an
 * 8-byte header (its size, low bit = in use) and an 8-byte footer is not needed: free blocks sit
 * in one address-ordered list and neighbours are merged when freed. Blocks of BIG bytes or more
 * get their own mapping and go back with munmap. Payloads are 8-byte aligned. On p2 and later a
 * futex mutex makes it safe for threads. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kiln.h"

#define ALIGN 8u
#define HDR 8u
#define ARENA (256u * 1024u)
#define BIG (128u * 1024u)
#define PAGE 4096u
#define USED 1u
#define MAPPED 2u

struct block {
  uint32_t size; /* whole block, header included; low bits: USED, MAPPED */
  uint32_t pad;
  struct block *next; /* free list (only while free) */
};

static struct block *free_list;

#if KILN_PROGRAM_ABI >= 2
void kiln_mutex_lock(int *state);
void kiln_mutex_unlock(int *state);
static int heap_lock;
#define LOCK() kiln_mutex_lock(&heap_lock)
#define UNLOCK() kiln_mutex_unlock(&heap_lock)
#else
#define LOCK() ((void)0)
#define UNLOCK() ((void)0)
#endif

static void *map(size_t len) {
  void *p = kiln_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == (void *)-1 ? NULL : p;
}

static size_t blocksize(struct block *b) { return b->size & ~7u; }

/* Inserts b into the address-ordered free list, merging with its neighbours. */
static void release(struct block *b) {
  struct block **pp = &free_list, *prev = NULL;
  while (*pp && *pp < b) prev = *pp, pp = &(*pp)->next;
  b->next = *pp;
  *pp = b;
  if (b->next && (char *)b + blocksize(b) == (char *)b->next) {
    b->size = (uint32_t)(blocksize(b) + blocksize(b->next));
    b->next = b->next->next;
  }
  if (prev && (char *)prev + blocksize(prev) == (char *)b) {
    prev->size = (uint32_t)(blocksize(prev) + blocksize(b));
    prev->next = b->next;
  }
}

static struct block *take(size_t need) {
  for (struct block **pp = &free_list; *pp; pp = &(*pp)->next) {
    struct block *b = *pp;
    size_t have = blocksize(b);
    if (have < need) continue;
    if (have - need >= 32) { /* split: the tail stays free */
      struct block *rest = (struct block *)((char *)b + need);
      rest->size = (uint32_t)(have - need);
      rest->next = b->next;
      *pp = rest;
      b->size = (uint32_t)need;
    } else {
      *pp = b->next;
    }
    b->size |= USED;
    return b;
  }
  return NULL;
}

void *malloc(size_t n) {
  if (n > 0x7fff0000u) return errno = ENOMEM, NULL;
  size_t need = (n + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  if (need < 16) need = 16;
  if (need >= BIG) {
    size_t len = (need + PAGE - 1) & ~(size_t)(PAGE - 1);
    struct block *b = map(len);
    if (!b) return errno = ENOMEM, NULL;
    b->size = (uint32_t)len | USED | MAPPED;
    return (char *)b + HDR;
  }
  LOCK();
  struct block *b = take(need);
  if (!b) {
    struct block *arena = map(ARENA);
    if (!arena) {
      UNLOCK();
      return errno = ENOMEM, NULL;
    }
    arena->size = ARENA;
    release(arena);
    b = take(need);
  }
  UNLOCK();
  return (char *)b + HDR;
}

void free(void *p) {
  if (!p) return;
  struct block *b = (struct block *)((char *)p - HDR);
  if (b->size & MAPPED) {
    kiln_munmap(b, blocksize(b));
    return;
  }
  LOCK();
  b->size &= ~USED;
  release(b);
  UNLOCK();
}

void *calloc(size_t count, size_t size) {
  if (size && count > 0xffffffffu / size) return errno = ENOMEM, NULL;
  void *p = malloc(count * size);
  return p ? memset(p, 0, count * size) : NULL;
}

void *realloc(void *p, size_t n) {
  if (!p) return malloc(n);
  if (n == 0) {
    free(p);
    return NULL;
  }
  struct block *b = (struct block *)((char *)p - HDR);
  size_t have = blocksize(b) - HDR;
  if (n <= have && !(b->size & MAPPED)) return p;
  void *q = malloc(n);
  if (!q) return NULL;
  memcpy(q, p, have < n ? have : n);
  free(p);
  return q;
}
