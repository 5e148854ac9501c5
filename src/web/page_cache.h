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
/* Stores req's 200 answer for key and generation gen when it is the same for every visitor (an
 * API answer of public data only): kept for signed-in visitors too, under req->etag (NULL: a
 * hash of the body), up to PAGE_CACHE_MAX_ANSWER bytes — above PAGE_CACHE_MAX_PAGE compressed
 * with less effort, and at most PAGE_CACHE_BIG_ANSWERS of those kept at once —, then answers
 * req from what was stored. */
#define PAGE_CACHE_MAX_PAGE (512 * 1024)
#define PAGE_CACHE_MAX_ANSWER (96 * 1024 * 1024)
#define PAGE_CACHE_BIG_ANSWERS 4
/* primary: an answer every visitor asks for (a path without parameters), always kept. */
void page_cache_store_public(struct request *req, const char *key, unsigned long gen, bool primary);

/* Stores req's 200 answer of a file whose bytes never change under its address (an image of
 * /media/, req->cache HTTP_CACHE_IMMUTABLE, req->etag set) for key and generation gen, kept
 * for signed-in visitors too (the file is everybody's), then answers req from it. */
void page_cache_store_file(struct request *req, const char *key, unsigned long gen);

#endif
