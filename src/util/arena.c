/* arena.c — bump allocator in chained blocks; big requests get a block of their own. */
#include "arena.h"
#include "mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384
#define ARENA_ALIGN 16

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_defer {
    struct arena_defer *next;
    void (*fn)(void *);
    void *arg;
};

struct arena {
    struct arena_block *head;
    struct arena_defer *defers;
};

static struct arena_block *arena_block_new(size_t cap)
{
    struct arena_block *b = xmalloc(sizeof(*b) + cap);
    b->next = NULL;
    b->used = 0;
    b->cap = cap;
    return b;
}

struct arena *arena_new(void)
{
    struct arena *a = xmalloc(sizeof(*a));
    a->head = arena_block_new(ARENA_BLOCK);
    a->defers = NULL;
    return a;
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    for (struct arena_defer *d = a->defers; d; d = d->next)
        d->fn(d->arg);
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

/* n bytes, aligned, not cleared: for callers that write every byte (strings). */
static void *arena_alloc_raw(struct arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need == 0)
        need = ARENA_ALIGN;
    struct arena_block *b = a->head;
    if (b->cap - b->used < need) {
        if (need > ARENA_BLOCK / 4) {
            /* A large object gets its own block behind the head so the head keeps its room. */
            struct arena_block *big = arena_block_new(need);
            big->used = need;
            big->next = b->next;
            b->next = big;
            return big->data;
        }
        b = arena_block_new(ARENA_BLOCK);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    void *p = arena_alloc_raw(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc_raw(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    /* Formatted straight into the head block's free room, which nearly always holds it:
     * one formatting pass instead of two (one to measure, one to write). */
    struct arena_block *b = a->head;
    size_t room = b->cap - b->used;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf((char *)b->data + b->used, room, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return arena_strdup(a, "");
    if ((size_t)n < room) {
        char *p = (char *)b->data + b->used;
        b->used += ((size_t)n + 1 + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
        if (b->used > b->cap)
            b->used = b->cap;
        return p;
    }
    char *p = arena_alloc_raw(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
    struct arena_defer *d = arena_alloc(a, sizeof(*d));
    d->fn = fn;
    d->arg = arg;
    d->next = a->defers;
    a->defers = d;
}
