/* fragment_cache.h — parts of pages that every visitor who is not a moderator sees alike (a
 * record's links with the network and its lineage), rendered once per site generation and
 * shared by the logged-in views that cannot use the page cache. */
#ifndef FOISON_FRAGMENT_CACHE_H
#define FOISON_FRAGMENT_CACHE_H

struct arena;

/* The fragment of key for generation gen, copied into a; NULL when absent. */
const char *fragment_cache_get(struct arena *a, const char *key, unsigned long gen);
/* Keeps html as key's fragment for generation gen (replacing any older one). */
void fragment_cache_put(const char *key, unsigned long gen, const char *html);

#endif
