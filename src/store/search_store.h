/* search_store.h — the SQLite answer to core/search.h: the FTS5 table of the listed entries'
 * texts (our French tokenizer, store/fts_fr.h), their facet terms and dates (search_docs), the
 * vocabulary typo suggestions are drawn from, and the query: a parsed query written as an FTS5
 * expression of quoted strings only, matched once, then filtered, counted by facet and ranked in
 * memory (store/search_cache.c keeps every document's terms), so that a filter never turns an
 * FTS5 query into a join. Returned strings are in the caller's arena. */
#ifndef FOISON_SEARCH_STORE_H
#define FOISON_SEARCH_STORE_H
#include "store/store.h"
#include <stdbool.h>

/* ---- The shapes of queries and answers, shared by the domain (core/search.h) and every
 * engine that answers it ---- */

/* One clause: a word, or a phrase typed in quotes. */
struct search_clause {
    const char **words; /* valid UTF-8, NUL-terminated, no space nor control character */
    int nwords;         /* 1 for a word, 1..SEARCH_MAX_PHRASE for a phrase */
    bool phrase;  /* typed in quotes ("…", «…», “…”): these words, in this order */
    bool negated; /* -word or -"phrase": entries having it are left out */
    bool prefix;  /* the last word of a query typed as you go: words starting so */
    bool or_next; /* OR (or OU, or |) joins this clause to the next one: either will do */
};

/* A query: the clauses in the order typed. Clauses not joined by OR must all match; negated
 * clauses are never part of an alternative (an OR next to one is dropped). */
struct search_query {
    struct search_clause *clauses;
    int n;
};

/* A filter: the entries having value for param. param is "kind", "theme", "commune", "year",
 * "status", or any facet parameter of a kind's schema (field_param). */
struct search_filter {
    const char *param, *value;
};

struct search_hit {
    long long id;
    const char *kind, *slug, *title;
    const char *card; /* JSON object text: the card fields of its published revision */
    /* The best passage, plain text (not escaped) in which each matched word is between
     * SEARCH_MARK_OPEN and SEARCH_MARK_CLOSE (bytes no stored text contains). */
    const char *snippet;
    double score; /* higher is better; 0 when sorted by date */
    long long updated;
};
#define SEARCH_MARK_OPEN '\x01'
#define SEARCH_MARK_CLOSE '\x02'

struct search_facet_value {
    const char *value;
    int count;
};

/* The counts of one facet: for each value, the entries matching the text and every filter of
 * the other facets (so that another value of a facet already chosen can be picked); the most
 * frequent first, at most SEARCH_FACET_MAX_VALUES. */
struct search_facet {
    const char *param;
    struct search_facet_value *values;
    int n;
};

/* The columns of the index, in the order of enum field_search (title first). */
enum {
    STORE_SEARCH_TITLE,
    STORE_SEARCH_LEAD,
    STORE_SEARCH_BODY,
    STORE_SEARCH_TAGS,
    STORE_SEARCH_COLUMNS
};

struct store_search_doc {
    long long id;
    const char *text[STORE_SEARCH_COLUMNS]; /* plain text of each column ("" when none) */
    const char *const *terms; /* "param=value": the facets it is counted in (kind, year…) */
    int nterms;
    long long updated; /* its published revision's date (sorting by date) */
};

/* The index's FTS5 tables, as migration 11 made them (store_search_clear makes them again). */
#define SEARCH_FTS_CREATE                                                                          \
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, lead, body, tags,"                          \
    "  tokenize = 'foison_fr', prefix = '3');"                                                     \
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row');"
#define SEARCH_FTS_DROP "DROP TABLE IF EXISTS search_vocab; DROP TABLE IF EXISTS search_fts;"

/* Registers on db the tokenizer "foison_fr" and the ranking function foison_rank (every
 * connection, before it reads or writes the index). SQLITE_OK or an SQLite error code. */
int store_search_register(sqlite3 *db);

/* Puts (or replaces) the document of entry d->id in the index. */
int store_search_put(struct store *s, const struct store_search_doc *d);
/* Between these two, store_search_put expects a freshly cleared index (store_search_clear: no
 * document to replace) and writes its rows in batches; store_search_bulk_end writes the last
 * one; on a failure, store_search_bulk_discard and the caller's rollback.
 * No store_search_remove in between. */
int store_search_bulk_begin(struct store *s);
int store_search_bulk_end(struct store *s);
/* Merges the index's segments into one (FTS5's 'optimize'): after a rebuild, every query then
 * opens one list per word instead of one per segment (a third faster at 100,000 entries, for
 * an eighth more time to build). */
int store_search_optimize(struct store *s);
/* Drops a batch not written (store_close does it). */
void store_search_bulk_discard(struct store *s);
/* Takes entry id out of the index (nothing when it was not in). */
int store_search_remove(struct store *s, long long id);
/* Empties the index (before indexing every entry again). */
int store_search_clear(struct store *s);

/* How hard a query is matched. */
enum store_search_level {
    STORE_SEARCH_STRICT,  /* every word as typed (stemmed) */
    STORE_SEARCH_NORMAL,  /* long words also by their beginning ("biblioth…") */
    STORE_SEARCH_RELAXED, /* any of the words (the entries with more of them first) */
};

struct store_search_spec {
    const struct search_query *q; /* NULL or without positive clause: filters alone, latest first */
    enum store_search_level level;
    const struct search_filter *filters;
    int nfilters;
    bool recent; /* by date rather than by relevance */
    int offset, limit;
    bool count_only; /* total alone: no hits, no facets */
    bool ids;        /* the ids of every match passing the filters: no hits, facets nor scores */
};

struct store_search_out {
    int total;
    struct search_hit *hits; /* kind, slug, card, snippet, score, updated (title: the caller's) */
    int nhits;
    struct search_facet *facets; /* every param with a count, values in no particular order */
    int nfacets;
    long long *ids; /* with spec.ids: the total matches' ids, ascending (in the arena) */
};

/* How the facets are counted: 0 (the default) by the number of matches, SS_COUNT_DOCS one
 * match at a time, SS_COUNT_BITMAPS by bitmaps; the two give the same answer (unit tests). */
extern int store_search_counting;
#define SS_COUNT_DOCS 1
#define SS_COUNT_BITMAPS 2
/* How the matches are read: 0 by the lists' lengths, SS_READ_ROWS as FTS5's rows of SQL,
 * SS_READ_SCAN by foison_scan; the same matches and scores either way (unit tests). */
extern int store_search_reading;
#define SS_READ_ROWS 1
#define SS_READ_SCAN 2
/* Whether a common query is answered from its list of matches ordered by score
 * (store/search_impact.h): 0 by its frequency, SS_IMPACT_OFF never, SS_IMPACT_ON for every
 * expression; the same answer either way (unit tests). */
extern int store_search_impact;
#define SS_IMPACT_OFF 1
#define SS_IMPACT_ON 2

int store_search(struct store *s, struct arena *a, const struct store_search_spec *sp,
                 struct store_search_out *out);
/* Invariants for `foison check`: every listed entry indexed once, nothing else; prints each
 * problem on stderr, returns their number. */
int store_search_check(struct store *s);
/* Brings the process's copy of the facet terms up to date (store/search_cache.c). */
int store_search_warm(struct store *s);

/* A word of the vocabulary close to word (folded, as store_fts_words gives it) that the index
 * has in a listed entry: *out "" when none; the most frequent of the closest otherwise, with
 * its accents as first written. */
int store_search_correct(struct store *s, struct arena *a, const char *word, const char **out);

/* Entries whose title (or summary) matches q as typed so far: ids in *ids, best first. */
int store_search_titles(struct store *s, struct arena *a, const struct search_query *q, int max,
                        struct search_hit **out, int *n);

#endif
