/* page_cache.h — whole rendered pages for anonymous visitors, keyed by path and valid for one
 * entry generation; the bytes are shared by reference between concurrent responses. */
#ifndef FOISON_PAGE_CACHE_H
#define FOISON_PAGE_CACHE_H
#include <stdbool.h>

struct request;

/* When path's page for generation gen is cached, points req at a prepared response and
 * returns true. */
bool page_cache_serve(struct request *req, const char *path, unsigned long gen);
/* Stores req's rendered 200 page for path and generation gen. */
void page_cache_store(struct request *req, const char *path, unsigned long gen);

#endif
