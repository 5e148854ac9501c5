/* search_impact.h — the process's lists of a common query's matches ordered by their score
 * ("impact-ordered"): for an expression that matches a large part of the index (a word in two
 * entries of three), every match read from FTS5 and scored costs tens of milliseconds at a
 * million entries, yet the scores only change when the index does. Such a list is made once
 * from one full read, kept while the process's copy of search_docs keeps its version, and a
 * search then walks it from the best, skipping the matches its filters leave out, until it has
 * its page; the totals and facets are counted from its bitmap. A few lists at most, the least
 * recently used dropped first. Shared by the connections of every thread. Internal to store/. */
#ifndef FOISON_SEARCH_IMPACT_H
#define FOISON_SEARCH_IMPACT_H
#include "store/search_cache.h"
#include <stddef.h>
#include <stdint.h>

/* A match of a query: its entry id and score. */
struct ss_match {
    long long id;
    double score;
};

struct search_impact {
    unsigned long long version; /* of the copy of search_docs it was made with */
    /* The listed matches, best first: by score descending, then id descending (the order of the
     * pass's heap). Equal scores are runs: run r ends before run_end[r] and scores run_score[r]
     * (a common word's scores take a few thousand values at most). */
    uint32_t *ids;
    int n;
    double *run_score;
    int *run_end;
    int nruns;
    uint64_t *bits; /* the same matches as a bitmap of ids, nwords words (sc_postings') */
    long long nwords;
    /* Owned by search_impact.c. */
    char *key;
    size_t key_len, bytes;
    unsigned long long used;
    int refs;
    struct search_impact *next;
};

/* The list of key (the expression and its phrases' weights, key_len bytes) made with the
 * copy's version, held until search_impact_release; NULL when there is none. */
const struct search_impact *search_impact_get(const void *key, size_t key_len,
                                              unsigned long long version);
/* Makes the list of matches m[0..n) (ascending ids, scored; the ones c does not list left out)
 * for key at c's version, keeps it (dropping the least recently used lists past the limits) and
 * returns it held. Never NULL. */
const struct search_impact *search_impact_make(const void *key, size_t key_len,
                                               const struct search_cache *c,
                                               const struct ss_match *m, int n);
void search_impact_release(const struct search_impact *l);
/* The bytes of the lists kept, and how many (FOISON_SEARCH_TRACE, tests). */
size_t search_impact_bytes(int *nlists);

#endif
