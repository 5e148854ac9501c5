/* search_cache.h — the process's copy in memory of search_docs: for every entry in the search
 * index, its facet terms (interned "param=value" strings), its date and whether it is listed.
 * search_store.c filters, counts and sorts the matches of a query with it, which costs a few
 * nanoseconds a match where a join with the terms table would cost a B-tree lookup. Kept up to
 * date from the file: each change of search_docs takes the next seq number, and a search first
 * reads the rows above the seq the copy has (any process may have written them). Shared by the
 * connections of every thread, for one site file at a time. Internal to store/. */
#ifndef FOISON_SEARCH_CACHE_H
#define FOISON_SEARCH_CACHE_H
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

struct sc_doc {
    uint32_t term_off; /* in sc.terms */
    uint16_t nterms;
    uint8_t listed;      /* 0: out of the index (a tombstone row) */
    uint8_t title_words; /* the ranking's length of the title (at most 255) */
    long long updated;
};

struct search_cache {
    /* Read by searches under rd, changed under wr by search_cache_refresh. */
    struct sc_doc *docs; /* by entry id; ids past ndocs have no document */
    long long ndocs;
    /* By entry id too: 0 when not listed, else 1 + the title's words (at most 254), what
     * scoring a match reads: a byte a doc, so that the reads of a common word's matches stay
     * in the processor's cache where docs (16 bytes a doc) would not at a million. */
    uint8_t *scoring;
    uint32_t *terms; /* term ids of each doc, at docs[id].term_off */
    size_t nterms, terms_cap, terms_dead;
    /* Interned terms: text "param=value", its param's index, the value's offset in text. */
    char **term_text;
    int *term_param;
    int nterm_ids, term_ids_cap;
    uint32_t *hash; /* open addressing: term id + 1, 0 empty */
    int hash_cap;
    char **params;
    int nparams;
    long long title_words_sum, listed_docs; /* the titles' average length */
    /* What the copy was made from. */
    char *path;
    char *epoch;
    long long seq;
    unsigned long long version; /* a new one at each change of the copy */
};

/* The docs of each term, for counting the facets of many matches at once: a term of many docs
 * as a bitmap of ids (the matches' own bitmap ANDed with it and counted: a word of the
 * processor a 64 docs), the others as their ids, ascending. Made from the copy when a search
 * first needs it after a change (a few tens of milliseconds at a million docs), and valid as
 * long as the caller holds the copy. */
struct sc_postings {
    unsigned long long version; /* of the copy it was made from */
    long long nwords;           /* 64-bit words of a bitmap: ids 0 to ndocs - 1 */
    uint64_t **bits;            /* by term id: NULL when the term has ids instead */
    uint32_t **ids;
    int *nids;
    int nterm_ids;
};

/* Brings the process's copy up to date with the file of s (read inside the caller's read
 * transaction) and returns it read-locked: search_cache_release when done. NULL on error. */
const struct search_cache *search_cache_acquire(struct store *s);
/* The same, *snapshot the last seq of search_docs in the caller's snapshot (the copy's own
 * seq may be ahead of it: see sc_current). */
const struct search_cache *search_cache_acquire_at(struct store *s, long long *snapshot);
void search_cache_release(const struct search_cache *c);
/* The postings of the copy c (held by the caller), made when missing or out of date. */
const struct sc_postings *search_cache_postings(const struct search_cache *c);
/* The id of term text in c, -1 when no document has it. */
int search_cache_term(const struct search_cache *c, const char *text);

#endif
