/* entry_store.h — rows of entries, revisions, old slugs and facet terms. Returned strings are
 * allocated in the caller's arena. Visibility rules live in core/entry.c, not here. */
#ifndef FOISON_ENTRY_STORE_H
#define FOISON_ENTRY_STORE_H
#include "store/store.h"
#include <stdbool.h>

struct arena;

struct entry_row {
    long long id;
    const char *kind;
    const char *slug;
    long long created, updated;
    int published_rev; /* 0 when none is visible */
    int latest_rev;
    bool featured, deleted;
    int hidden; /* 0 shown, 1 hidden after reports, 2 withdrawn by a moderator (migration 7) */
};

struct revision_row {
    long long id;
    long long entry_id;
    int number, parent_number;
    long long author_id;
    const char *author_name;
    long long created;
    const char *comment;
    const char *state;
    const char *fields;       /* JSON object text (NULL from store_revisions_list) */
    const char *rendered;     /* JSON object text: field name -> safe HTML (idem) */
    const char *card;         /* JSON object text: the few fields lists show */
    int spam_score;           /* core/spam.c's score when it was saved (0: none) */
    const char *spam_reasons; /* JSON array text of the score's reasons */
    long long text_hash;      /* of the main text, written only (store_text_repeats) */
};

/* The columns every read of a whole revision selects (r: revisions, u: its author, LEFT JOIN),
 * and the reader of a row of them, for the store's other files. */
#define STORE_REVISION_META_COLUMNS                                                                \
    "r.id, r.entry_id, r.number, coalesce(r.parent_number, 0), coalesce(r.author_id, 0),"          \
    " coalesce(u.name, 'anonyme'), r.created, r.comment, r.state, r.card, r.spam_score,"           \
    " r.spam_reasons"
#define STORE_REVISION_COLUMNS STORE_REVISION_META_COLUMNS ", r.fields, r.rendered"
void store_revision_row_read(struct arena *a, sqlite3_stmt *st, struct revision_row *r);
/* The same for STORE_REVISION_META_COLUMNS (fields and rendered left NULL). */
void store_revision_meta_read(struct arena *a, sqlite3_stmt *st, struct revision_row *r);

/* A published entry with its visible revision's fields, for lists. */
struct entry_summary_row {
    long long id;
    const char *slug;
    long long created, updated;
    int revision;
    const char *fields; /* the revision's card (the fields lists show), or every field */
    size_t fields_len;
};

int store_entry_by_slug(struct store *s, struct arena *a, const char *slug, struct entry_row *out);
int store_entry_by_id(struct store *s, struct arena *a, long long id, struct entry_row *out);
int store_entry_set_deleted(struct store *s, long long id, bool deleted);
/* Sets entries.hidden (0, 1 or 2, see entry_row); STORE_NOTFOUND for no such entry. */
int store_entry_set_hidden(struct store *s, long long id, int hidden);
/* The current slug of the entry an old slug pointed to, or STORE_NOTFOUND. */
int store_old_slug_target(struct store *s, struct arena *a, const char *slug, const char **target);
/* The entry that uses slug, now or as an old name: its id, 0 when free, -1 on error. */
long long store_slug_owner(struct store *s, const char *slug);
/* The highest N of the slugs "base-N" in use, now or as old names (0 when none). */
int store_slug_max_suffix(struct store *s, const char *base, long long *max);
int store_entry_insert(struct store *s, const char *kind, const char *slug, long long now,
                       long long *id);
int store_entry_set_revs(struct store *s, long long id, int published_rev, int latest_rev,
                         long long now);
/* Moves the entry to new_slug and keeps old_slug as a redirect. */
int store_entry_rename(struct store *s, long long id, const char *old_slug, const char *new_slug);
int store_entry_set_featured(struct store *s, long long id, bool featured);

int store_revision_insert(struct store *s, const struct revision_row *r);
int store_revision_get(struct store *s, struct arena *a, long long entry_id, int number,
                       struct revision_row *out);
/* All revisions, newest first, into an arena array, without their fields and rendered texts. */
int store_revisions_list(struct store *s, struct arena *a, long long entry_id,
                         struct revision_row **out, int *n);
/* The same for the revisions numbered from and above (what lies on top of the published one). */
int store_revisions_from(struct store *s, struct arena *a, long long entry_id, int from,
                         struct revision_row **out, int *n);
/* Distinct names of the authors of published revisions, in order of first contribution. */
int store_entry_authors(struct store *s, struct arena *a, long long entry_id, const char ***out,
                        int *n);

/* The authors of a list of entries, as store_entry_authors gives them for each: out[i] for
 * ids[i] (out has nids elements; names NULL when none). */
#define STORE_AUTHORS_MAX 200
struct entry_authors_row {
    const char **names;
    int n;
};
int store_entries_authors(struct store *s, struct arena *a, const long long *ids, int nids,
                          struct entry_authors_row *out);

/* How many other accounts saved a revision with this text_hash on other entries since then. */
int store_text_repeats(struct store *s, long long text_hash, long long author_id,
                       long long entry_id, long long since, int *n);

int store_terms_replace(struct store *s, long long entry_id, const char *const *facets,
                        const char *const *values, int n);

/* A condition of a list: entries having the term (facet, value). */
struct store_filter {
    const char *facet, *value;
};
#define STORE_MAX_FILTERS 8

enum store_order {
    STORE_ORDER_UPDATED,  /* the latest update first */
    STORE_ORDER_KEY_ASC,  /* by entries.sort_key (derived data), ascending */
    STORE_ORDER_KEY_DESC, /* by sort_key descending, then the latest update */
};

/* Published, listed entries of kind having every filter (at most STORE_MAX_FILTERS), in order,
 * paged. total receives the count matching. Each row's fields are the card of its published
 * revision, or with whole all its fields. */
int store_entries_list(struct store *s, struct arena *a, const char *kind,
                       const struct store_filter *filters, int nf, enum store_order order,
                       int offset, int limit, bool whole, struct entry_summary_row **out, int *n,
                       int *total);
int store_entries_featured(struct store *s, struct arena *a, const char *kind, int limit,
                           struct entry_summary_row **out, int *n);
/* Counts of visible entries of kind, of distinct communes and of contributors. */
int store_entries_counts(struct store *s, const char *kind, int *entries, int *communes,
                         int *contributors);
/* Invariants for `foison check`: prints each problem on stderr, returns their number. */
int store_entries_check(struct store *s);

/* One value of a facet and the number of visible entries having it. */
struct facet_count_row {
    const char *value;
    int count;
};
#define STORE_FACET_MAX_VALUES 10000

/* For each value of facet among the published, listed entries of kind that have every filter,
 * the number of those entries; values without any are absent. In value order, into an arena
 * array (*out NULL when *n is 0). */
int store_entries_facet_counts(struct store *s, struct arena *a, const char *kind,
                               const char *facet, const struct store_filter *filters, int nf,
                               struct facet_count_row **out, int *n);

int store_entry_set_sort_key(struct store *s, long long id, const char *key);
/* Replaces the card of a revision (derived data: computed again when the schemas change). */
int store_revision_set_card(struct store *s, long long entry_id, int number, const char *card);

/* An entry with a published revision and that revision's fields, for computing derived data
 * again over the whole site in keyset pages. */
struct entry_published_row {
    long long id;
    const char *kind;
    int number;
    const char *fields;
    long long created, updated; /* the entry's, as in struct entry_row */
    bool deleted;
    int hidden;
};
int store_entries_published_after(struct store *s, struct arena *a, long long after, int limit,
                                  struct entry_published_row **out, int *n);
int store_entries_published_count(struct store *s, long long *n);

#endif
