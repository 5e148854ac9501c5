/* search.h — full-text search across every kind. A query as a person types it is parsed by our
 * own rules (core/search_query.c) into words, "exact phrases", -exclusions and OR alternatives:
 * nothing typed ever reaches an engine as syntax. search_run answers it over the published,
 * listed entries only, with facets counted, pages, and a spelling suggested from the index's
 * own vocabulary when little is found. The index follows the published revision through the one
 * derived-data step (search_index_entry) and the changes of visibility (search_sync_entry).
 *
 * This is the domain's one interface to search: the storage engine answers it through
 * store/search_store.h (SQLite FTS5 with our French tokenizer today; a PostgreSQL backend would
 * answer the same calls with its own full-text engine). */
#ifndef FOISON_SEARCH_H
#define FOISON_SEARCH_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "store/search_store.h"

struct arena;
struct store;
struct kind_def;

/* ---- The query language (core/search_query.c) ---- */

#define SEARCH_MAX_QUERY 1000 /* bytes of a query read; what follows is ignored */
#define SEARCH_MAX_CLAUSES 16 /* clauses kept; further ones are ignored */
#define SEARCH_MAX_PHRASE 12  /* words of one phrase kept */
#define SEARCH_MAX_WORD 64    /* bytes of one word kept (cut on a character boundary) */

/* The clauses (struct search_clause, struct search_query) are in store/search_store.h. */

/* Parses text (len bytes; NUL bytes, control characters and invalid UTF-8 are separators) into
 * q, in a. Never fails on any input: what cannot be a clause is dropped (a lone "-", an OR with
 * nothing on one side, empty quotes). An unbalanced quote runs to the end of the text. With
 * as_you_type, the last clause, when it is a plain word not followed by a space, is a prefix.
 * q->n may be 0. */
void search_query_parse(struct arena *a, const char *text, size_t len, bool as_you_type,
                        struct search_query *q);
/* The query written back in the language it was parsed from (words separated by one space,
 * phrases in ASCII quotes, "-" and "OR" as typed canonically), in a; "" for an empty query. */
const char *search_query_text(struct arena *a, const struct search_query *q);
/* Whether q has at least one clause that is not negated (a query of exclusions alone finds
 * nothing: there is nothing to exclude from). */
bool search_query_positive(const struct search_query *q);

/* ---- Searching ---- */

#define SEARCH_PER_PAGE 20
#define SEARCH_MAX_PAGE 50 /* pages reachable: beyond, refine the query */
#define SEARCH_MAX_FILTERS 8
#define SEARCH_FACET_MAX_VALUES 50 /* values listed per facet, the most frequent first */

enum search_sort {
    SEARCH_SORT_RELEVANCE,
    SEARCH_SORT_RECENT, /* the latest published first */
};

struct search_request {
    const char *q; /* as typed (NULL: none) */
    size_t q_len;
    const struct search_filter *filters;
    int nfilters;
    enum search_sort sort;
    int page;     /* from 1; out of range: the nearest page */
    int per_page; /* 0: SEARCH_PER_PAGE */
    /* Entries of these kinds only (nkinds 0: every kind), whatever the filters: the map's list
     * keeps to the kinds that have a position. Not a filter of the kind facet: its counts
     * still name every kind, and a kind filter narrows further. */
    const char *const *kinds;
    int nkinds;
};

struct search_result {
    struct search_query query; /* as parsed */
    struct search_hit *hits;
    int nhits;
    int total; /* entries matching the text and every filter */
    int page, pages;
    struct search_facet *facets; /* kind, theme, commune, year, status, then the others */
    int nfacets;
    /* The query with its words corrected from the index's vocabulary, when it found little and
     * a correction finds more; NULL otherwise. */
    const char *suggestion;
    /* Not every word was found together: the hits have some of the words (the entries having
     * all of them, when there are any, come first). */
    bool relaxed;
};

enum search_status {
    SEARCH_OK = 0,
    SEARCH_ERR = -1, /* the store failed: logged */
};

/* Runs r over the published, listed entries into out (in a). A query without any clause
 * that is not negated lists the entries having the filters, the latest first (with no filter
 * either: none). */
int search_run(struct store *s, struct arena *a, const struct search_request *r,
               struct search_result *out);

/* The ids of every entry search_run counts for r's text and filters (its sort and page aside:
 * the same levels, no ranking, no facets), ascending, into *ids (in a; *n of them): what the map
 * shows of a search. *all is true (and *n 0) when neither the text nor the filters restrict
 * anything: every listed entry. SEARCH_OK or SEARCH_ERR. */
int search_ids(struct store *s, struct arena *a, const struct search_request *r, long long **ids,
               int *n, bool *all);

/* Entries whose titles match text typed so far (its last word a prefix), for the header box's
 * suggestions: at most max, the most relevant first. */
struct search_suggestion {
    const char *kind, *slug, *title;
};
#define SEARCH_SUGGEST_MAX 8
int search_suggest(struct store *s, struct arena *a, const char *text, size_t len, int max,
                   struct search_suggestion **out, int *n);

/* ---- The index (called by the save path and visibility changes, in their transaction) ---- */

/* Indexes the published revision's fields of entry id (of kind k) when the entry is listed
 * (not deleted, not hidden), removes it otherwise. Part of entry_derive. */
int search_index_entry(struct store *s, struct arena *a, const struct kind_def *k, long long id,
                       json_t *fields);
/* After a change of an entry's visibility (deleted, hidden, restored): indexes its published
 * revision again, or removes it. */
int search_sync_entry(struct store *s, long long id);

/* Loads what searches keep in memory (the facet terms of every entry indexed). SEARCH_OK or
 * SEARCH_ERR. */
int search_warm(struct store *s);

/* Empties the index and indexes every published entry again (entry_derive_all does it with
 * everything else derived; this is the search's part alone, for `foison reindex --search`),
 * inside the caller's transaction. progress, when not NULL, is told the entries done. */
int search_reindex(struct store *s, void (*progress)(long long done, void *arg), void *arg);

#endif
