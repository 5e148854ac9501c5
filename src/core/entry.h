/* entry.h — entries and their immutable revisions: finding what is visible, saving a new
 * revision (create, edit, revert) with conflict detection, history and authors. Every door of
 * the site (pages, API, later search, map, feeds, exports) reads entries through here. */
#ifndef FOISON_ENTRY_H
#define FOISON_ENTRY_H
#include "core/schema.h"
#include "core/visibility.h"
#include "util/json_read.h"
#include <jansson.h>
#include <stdbool.h>

struct arena;
struct store;
struct territory;

enum entry_status {
    ENTRY_OK = 0,
    ENTRY_ERR = -1,          /* storage failure: a bug or I/O, logged */
    ENTRY_NOTFOUND = -2,     /* no such visible entry or revision */
    ENTRY_CONFLICT = -3,     /* the edit was based on an older revision */
    ENTRY_MOVED = -4,        /* the slug is an old name: see moved_to */
    ENTRY_INVALID = -5,      /* a rule of the save path refused the change: see entry_save.errs */
    ENTRY_FORBIDDEN = -6,    /* the author's account is no longer active (blocked meanwhile) */
    ENTRY_RATE_LIMITED = -7, /* too many edits in the last minute: see entry_saved.retry_after */
};

struct entry {
    long long id;
    const struct kind_def *kind;
    const char *slug;
    long long created, updated;
    int published_rev, latest_rev;
    bool featured;
    int hidden; /* 0; 1 hidden after readers' reports; 2 withdrawn by a moderator (moderators
                   only ever get such an entry: viewer_sees_entry) */
};

struct revision {
    long long id;
    int number, parent;
    long long author_id;
    const char *author_name;
    long long created;
    const char *comment;
    const char *state;        /* published, pending or rejected */
    int spam_score;           /* what the spam score said when it was saved */
    const char *spam_reasons; /* JSON array text */
    /* The stored JSON texts, to read in place (util/json_read): every field (raw_fields), field
     * name -> safe HTML of Markdown fields (raw_rendered), and the card lists show (raw_card).
     * Empty spans where a read left them out. */
    struct json_span raw_fields, raw_rendered, raw_card;
    json_t *fields;   /* parsed from raw_fields by entry_revision only (else NULL); in the arena */
    json_t *rendered; /* idem from raw_rendered */
};

struct entry_item {
    long long id;
    const char *slug;
    int revision;
    long long created, updated;
    /* JSON object text of the published revision: its card (title, summary and facet fields)
     * from entry_list and entry_featured, every field from entry_records. */
    struct json_span values;
    const char **authors; /* entry_records only: as entry_authors gives them */
    int nauthors;
};

/* Reads between entry_read_begin and entry_read_end see one state of the site (a list, its
 * count and its facet counts agree) and cost less; every begin needs its end. */
void entry_read_begin(struct store *s);
void entry_read_end(struct store *s);

/* The entry of slug if v may see it (published, or v is the author of one of its revisions, or
 * a moderator). ENTRY_MOVED with *moved_to set for a renamed entry. */
int entry_find(struct store *s, struct arena *a, const struct viewer *v, const char *slug,
               struct entry *e, const char **moved_to);
/* Revision number of e as v may see it; number 0 is the revision shown to v: the published one,
 * or for an entry never published the one v edits. ENTRY_NOTFOUND for one v may not see. */
int entry_revision(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                   int number, struct revision *r);
/* The same without parsing: r->fields and r->rendered stay NULL, the raw texts are set. */
int entry_revision_raw(struct store *s, struct arena *a, const struct viewer *v,
                       const struct entry *e, int number, struct revision *r);
/* The revision v edits (what an edit form starts from and its base revision): the latest that
 * is published or v's own pending text; ENTRY_NOTFOUND when v has none. */
int entry_edit_revision(struct store *s, struct arena *a, const struct viewer *v,
                        const struct entry *e, int *number);
/* The revisions v may see, newest first, without their values: raw_card only (fields, rendered
 * and their raw texts empty). */
int entry_history(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                  struct revision **revs, int *n);
/* The authors of e's published revisions, in order of first contribution. */
int entry_authors(struct store *s, struct arena *a, const struct entry *e, const char ***names,
                  int *n);
#define ENTRY_MAX_FILTERS 8

/* One condition on a facet field: entries whose value (or one of whose tags) is value. */
struct entry_filter {
    const char *facet, *value;
};

/* Visible entries of kind having every filter (at most ENTRY_MAX_FILTERS), in the kind's
 * order. */
int entry_list(struct store *s, struct arena *a, const struct kind_def *k,
               const struct entry_filter *filters, int nfilters, int page, int per_page,
               struct entry_item **items, int *n, int *total);
int entry_featured(struct store *s, struct arena *a, const struct kind_def *k, int limit,
                   struct entry_item **items, int *n);
/* The visible entries of entry_list (no filter) with every field and their authors, in as few
 * queries as a page needs whatever its length: for the API. */
int entry_records(struct store *s, struct arena *a, const struct kind_def *k,
                  const struct entry_filter *filters, int nfilters, int page, int per_page,
                  struct entry_item **items, int *n, int *total);
int entry_counts(struct store *s, const struct kind_def *k, int *entries, int *communes,
                 int *contributors);

struct field_errors;

struct entry_save {
    const struct kind_def *kind;
    const char *slug;     /* NULL: create a new entry */
    int base_rev;         /* for an edit: the revision the author started from */
    json_t *fields;       /* validated (validate_entry), complete */
    struct viewer author; /* who saves, with the rights the save path's rules depend on */
    bool operator;        /* the site's operator (CLI: demo, imports) saves in author's name with
                             author.role's rights; otherwise the role is the account's own, read
                             inside the write transaction */
    const char *comment;
    long long now;             /* seconds since the epoch */
    bool timed;                /* the form said how long it was open (a spam signal) */
    long fill_seconds;         /* that time, when timed */
    bool unstamped;            /* a form came without a valid stamp of its own (a spam signal) */
    const char *client_ip;     /* the address the save comes from (web doors; NULL otherwise):
                                  contributors' edits are limited per address too */
    struct field_errors *errs; /* receives the reasons of an ENTRY_INVALID (may be NULL) */
    /* Managed relation fields (field_def.managed): a save keeps the values of the revision it
     * edits, and one that tries to change them is refused (strict_managed: the API says so; a
     * form never sends them); membership is core/membership.c's decision saving them, published
     * at once whoever decides. The operator (demo, imports) writes them as given. */
    bool strict_managed;
    bool membership;
    /* The private fields (contact addresses) the author empties on purpose, NULL-terminated
     * (NULL: none); any other private field left empty keeps its value. */
    const char *const *private_removed;
    /* What a door writes with the revision, in its transaction, once the entry exists (its id
     * given): an accompaniment (core/accompany.c accompany_write). ENTRY_OK, or a refusal
     * (ENTRY_INVALID with its reasons in errs) that leaves nothing written. NULL: nothing. Also
     * called for an edit that changes no field. */
    int (*with)(struct store *s, struct arena *a, long long entry_id, long long now,
                struct field_errors *errs, void *arg);
    void *with_arg;
};

struct entry_saved {
    struct entry entry; /* as saved (slug possibly renamed) */
    int rev;            /* the new revision (an edit that changes nothing: the one edited) */
    const char *state;  /* "published", or "pending" until a moderator approves */
    int base_rev;       /* on ENTRY_CONFLICT: the revision the author would edit now */
    long retry_after;   /* on ENTRY_RATE_LIMITED: seconds until this author may save again */
};

/* The one save path: forms, the API, revert, the demo loader and later imports all call it, and
 * every rule about what a save may change is checked here, inside the write transaction, against
 * the revision the author edits (entry_edit_revision): conflicts, the licence (only moderators
 * change it), and the moderation state (an author below trusted is held as pending, the public
 * keeps the published revision and its derived data), and the rate of edits (core/rate.h:
 * per account, and per address below trusted; the operator is never limited). Nothing is
 * written on any failure. A refused change is ENTRY_INVALID with the reasons in in->errs; a
 * stale base_rev is ENTRY_CONFLICT; too many edits ENTRY_RATE_LIMITED with out->retry_after. */
int entry_save(struct store *s, struct arena *a, const struct entry_save *in,
               struct entry_saved *out);
/* For core/moderation.c, inside a write transaction: makes revision number of an entry the
 * published one, with the pending texts it was written on (ENTRY_CONFLICT when it was not
 * written on the published text), the address following its title, and the one derived-data
 * step (entry_derive) from its fields. */
int entry_publish(struct store *s, struct arena *a, long long entry_id, int number, long long now);
/* The one derived-data step (core/derive.c), inside the caller's write transaction: everything
 * computed from the published revision's fields — filter terms, the sort key of its kind's
 * order, its relations, occurrences, the search index, the map's points — from the schema. */
int entry_derive(struct store *s, struct arena *a, const struct kind_def *k, long long entry_id,
                 json_t *fields);
/* After a change of an entry's visibility (hidden after reports, withdrawn, restored, deleted),
 * inside the caller's write transaction: the derived data that holds listed entries only (the
 * search index, the map's points) follows it. */
int entry_derive_sync(struct store *s, long long entry_id);
/* The card of a revision: title, summary and the fields marked card (never a private one),
 * what lists and links show without reading whole records. */
json_t *entry_card(const struct kind_def *k, json_t *fields);
/* The derived data of every published entry computed again, in the caller's transaction;
 * progress (may be NULL) is told how many are done after each batch. */
int entry_derive_all(struct store *s, void (*progress)(long long done, void *arg), void *arg);
/* Calls fn for every published entry (its kind's schema, NULL for a kind this program does not
 * know, and its fields), in id order and in batches, each batch with an arena of its own; stops
 * at the first result other than ENTRY_OK and returns it. progress as for entry_derive_all. */
struct entry_published_row;
int entry_each_published(struct store *s,
                         int (*fn)(struct store *s, struct arena *a, const struct kind_def *k,
                                   const struct entry_published_row *r, void *arg),
                         void *arg, void (*progress)(long long done, void *parg), void *parg);
/* When the schemas changed what is derived since the site's data was last derived (a
 * fingerprint kept in its settings), derives everything again in one transaction; *rebuilt
 * says whether it did. Called when a command opens a site, before any thread starts. */
int entry_derive_check(struct store *s, bool *rebuilt);
/* Records in the site that its derived data follows the current schemas (after
 * entry_derive_all, in the same transaction). */
int entry_derive_mark(struct store *s);
int entry_set_featured(struct store *s, const struct entry *e, bool featured);
/* The title of a revision's fields, "" when absent (never NULL). */
const char *entry_title(const struct kind_def *k, json_t *fields);
/* The site's generation, a counter in the file that every write bumps in its transaction:
 * caches of rendered pages, in this process or another, compare against it. 0 (matching no
 * cached page) when it cannot be read. */
unsigned long entry_generation(struct store *s);
/* An ASCII slug of a title: lower case, accents folded, words joined by '-', whole words
 * within 50 bytes. */
char *entry_slugify(struct arena *a, const char *title);
/* Renders the Markdown fields of fields into a new object of safe HTML. */
json_t *entry_render_fields(const struct kind_def *k, json_t *fields);

/* One value of a facet and how many visible entries have it. */
struct entry_facet_count {
    const char *value;
    int count;
};

/* For facet (a facet field of k), the number of visible entries (the visibility of
 * entry_list) per value, among those having every filter on another facet: a filter on facet
 * itself is ignored, so each count is what choosing that value would list. Values without
 * entries are absent; in byte order of value (strcmp), in a; *out NULL when *n is 0. ENTRY_ERR for
 * a field that is not a facet or on a storage failure. */
int entry_facet_counts(struct store *s, struct arena *a, const struct kind_def *k,
                       const char *facet, const struct entry_filter *filters, int nfilters,
                       struct entry_facet_count **out, int *n);
/* The count of value in counts (from entry_facet_counts), 0 when absent. */
int entry_facet_count_of(const struct entry_facet_count *counts, int n, const char *value);

#endif
