/* arena.h — one memory arena per request (or per command): many allocations, one free. */
#ifndef FOISON_ARENA_H
#define FOISON_ARENA_H
#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new empty arena; never NULL (aborts on OOM). Free with arena_free(). */
struct arena *arena_new(void);
/* Frees every block the arena handed out, then the arena itself. NULL is allowed. */
void arena_free(struct arena *a);
/* n bytes aligned for any type, zeroed; valid until arena_free(). */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Registers fn(arg) to run at arena_free(), for objects owned by other libraries. */
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);

#endif
