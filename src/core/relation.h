/* relation.h — typed relations between entries: declared by the kinds' relation fields (with a
 * label for each direction), stored by id in the revisions' fields, derived into one table from
 * the published revision, shown on both sides through the visibility rule, and the reuse
 * lineage ("s'inspire de" / "a inspiré") drawn from them. */
#ifndef FOISON_RELATION_H
#define FOISON_RELATION_H
#include "core/schema.h"
#include "core/visibility.h"
#include "util/json_read.h"
#include <jansson.h>
#include <stdbool.h>

struct arena;
struct store;
struct entry;
struct field_errors;

/* Another entry as a link shows it. kind is NULL for one the viewer may not see. */
struct related_entry {
    long long id;
    const struct kind_def *kind;
    const char *slug, *title;
};

struct related_group {
    const struct field_def *field; /* the relation field */
    const struct kind_def *holder; /* the kind of the entries holding it */
    bool in;                       /* entries pointing to this one (else: this one's own) */
    const char *label;             /* field->label out, field->inverse_label in */
    struct related_entry *entries;
    int n;
};

/* Inside the save transaction, before anything is written: turns the values of k's relation
 * fields in fields (slugs from forms and the API, ids from stored revisions) into the ids of
 * the entries they name, in place. A slug that names no entry the author may see, an entry of
 * a kind the field does not allow, or the entry itself, is refused (ENTRY_INVALID, the reason
 * in errs under the field's name); an id that names an entry gone since (a revert of an old
 * text) is dropped. self_id is the saved entry's id (0 for a new one). */
int relation_resolve(struct store *s, struct arena *a, const struct viewer *author,
                     const struct kind_def *k, long long self_id, json_t *fields,
                     struct field_errors *errs);
/* After relation_resolve on an edit: the links of base (the revision edited) to entries the
 * author may not see (hidden for a while, not yet published again) are kept in fields — the
 * author could not see them in the form, so leaving them out is no decision to remove them. */
int relation_keep_unseen(struct store *s, struct arena *a, const struct viewer *author,
                         const struct kind_def *k, json_t *base, json_t *fields);
/* Part of the one derived-data step: the relations table from the published fields. */
int relation_derive(struct store *s, const struct kind_def *k, long long id, json_t *fields);
/* The entries of ids as v may see them (out[i] for ids[i]): published, not deleted, hidden
 * only to moderators. */
int relation_briefs(struct store *s, struct arena *a, const struct viewer *v, const long long *ids,
                    int n, struct related_entry *out);
/* The relation groups of e as v may see them: its own relations as written in fields (the JSON
 * text of the revision shown), then the entries whose published revision points to it, by
 * field and kind. Empty groups are left out. */
int relation_groups(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                    struct json_span fields, struct related_group **out, int *n);
/* The ids a relation field holds in a revision's JSON text, into an arena array. */
int relation_ids(struct arena *a, struct json_span value, long long **ids);

#define LINEAGE_DEPTH 2
#define LINEAGE_MAX_PER_LEVEL 12
/* The reuse lineage of e along field (an innovation's inspired_by): what it was inspired by
 * (levels -1, -2) and what it inspired (+1, +2), published entries only, each entry once at its
 * nearest level (cycles end there), at most LINEAGE_MAX_PER_LEVEL per level (more_at[level+2]
 * counts the rest). Edges go from the inspiration to the one inspired. */
struct lineage {
    struct related_entry *nodes;
    int *levels;
    int n;
    int (*edges)[2];
    int m;
    int more_at[2 * LINEAGE_DEPTH + 1];
};
int relation_lineage(struct store *s, struct arena *a, const struct viewer *v,
                     const struct entry *e, const char *field, struct lineage *out);

/* Entries of the kinds a relation field allows whose name matches q (search as you type), at
 * most limit, published and listed. */
int relation_suggest(struct store *s, struct arena *a, const struct field_def *f, const char *q,
                     int limit, struct related_entry **out, int *n);

#endif
