/* mem.h — allocation wrappers that abort on out-of-memory instead of limping on. */
#ifndef FOISON_MEM_H
#define FOISON_MEM_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
