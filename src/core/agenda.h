/* agenda.h — events in time: the occurrences of each event derived from its published revision
 * (a single date, or a series expanded by core/recur.c with its cancelled days left out and its
 * changed dates taken by other events), and the agenda read from them. Which kinds are in time
 * and by which fields is the schemas' (kind_def.when). */
#ifndef FOISON_AGENDA_H
#define FOISON_AGENDA_H
#include "core/entry.h"
#include "core/schema.h"
#include <jansson.h>

struct arena;
struct store;

/* Part of the one derived-data step: the occurrences of entry id from its published fields
 * (nothing for a kind not in time). */
/* Inside the save transaction, relations resolved: an event that changes a date of a series
 * (kind_def.when.series) is written into that series' own calendar, so only who manages the
 * series (its managers, moderators) may point to it; an edit keeping the series and the date
 * of the revision it edits is anyone's. ENTRY_INVALID with the reason in errs. base: the
 * fields of the revision edited, NULL for a new entry. */
struct viewer;
struct field_errors;
int agenda_save_check(struct store *s, struct arena *a, const struct viewer *author,
                      const struct kind_def *k, json_t *base, json_t *fields,
                      struct field_errors *errs);
int agenda_derive(struct store *s, struct arena *a, const struct kind_def *k, long long id,
                  json_t *fields);

/* ---- reads ------------------------------------------------------------------------------ */

/* One occurrence of an event (UTC seconds). replaced_by: the listed event that changes this
 * date of its series (a changed time or place: that event's own occurrence is the one to show
 * and to register for), 0 when none. */
struct agenda_occurrence {
    long long start, end;
    long long replaced_by;
};

/* STABLE, for registrations and record pages: the occurrences of entry_id that start at or
 * after from (UTC seconds), in order of start, at most limit (<= AGENDA_OCCURRENCES_MAX), into
 * an arena array (*out NULL when *n is 0). Every occurrence of the published revision is given,
 * a replaced one too (with replaced_by set: callers offering a date skip those). The entry's
 * visibility is the caller's (entry_find): the occurrences of a deleted or hidden entry stay
 * stored. ENTRY_OK or ENTRY_ERR. */
#define AGENDA_OCCURRENCES_MAX 500
int agenda_occurrences(struct store *s, struct arena *a, long long entry_id, long long from,
                       int limit, struct agenda_occurrence **out, int *n);
/* STABLE: the occurrence of entry_id that starts exactly at start (what a registration names),
 * ENTRY_OK with *out set, ENTRY_NOTFOUND when the event has no such date, ENTRY_ERR. */
int agenda_occurrence_find(struct store *s, long long entry_id, long long start,
                           struct agenda_occurrence *out);

/* A date of a series that another (listed) event changes. */
struct agenda_override {
    long long override_id;
    const char *slug, *title;
    long long replaces;   /* the series' start it replaces */
    long long start, end; /* the changed event's own first occurrence (0 when it has none) */
    int revision;         /* its published revision */
};
/* The listed events that change dates of series_id, by the date they replace. */
int agenda_overrides(struct store *s, struct arena *a, long long series_id,
                     struct agenda_override **out, int *n);
/* The listed series that override_id changes a date of (*series_id 0: none), and that date. */
int agenda_override_series(struct store *s, long long override_id, long long *series_id,
                           long long *replaces);

/* What the agenda lists: occurrences in [from, to) of the kind's listed entries, each filter
 * kept. terms are facet filters (facet field name, value), rels relation filters (relation
 * field name, the id of the entry it points to). */
#define AGENDA_MAX_RELS 2
struct agenda_query {
    long long from, to;
    const struct entry_filter *terms;
    int nterms; /* at most ENTRY_MAX_FILTERS */
    struct {
        const char *field;
        long long to_id;
    } rels[AGENDA_MAX_RELS];
    int nrels;
    const char *place_field; /* the relation field giving each item's place (may be NULL) */
    int offset, limit;
};

struct agenda_item {
    long long entry_id, start, end;
    const char *slug;
    struct json_span card;                /* the published revision's card (entry_card) */
    const char *place_slug, *place_title; /* NULL when no listed place */
};

/* The occurrences of q in order of start (then entry), leaving out every date of a series that
 * another listed event changes (that event's own occurrence is listed instead). */
int agenda_list(struct store *s, struct arena *a, const struct kind_def *k,
                const struct agenda_query *q, struct agenda_item **items, int *n);

/* One listed event of a feed, with its published fields. */
struct agenda_feed_item {
    long long id, updated;
    const char *slug;
    const char *fields; /* JSON object text */
};
/* The listed entries of k having q's filters (its dates ignored), with ids above after, in
 * order of id, at most limit: a feed is read page by page, in flat memory. */
int agenda_feed_page(struct store *s, struct arena *a, const struct kind_def *k,
                     const struct agenda_query *q, long long after, int limit,
                     struct agenda_feed_item **items, int *n);

/* The listed entries the relation field of listed entries of k points to (the places of
 * events, their organisers), for the agenda's filters. */
struct agenda_target {
    long long id;
    const char *slug, *title;
};
int agenda_targets(struct store *s, struct arena *a, const struct kind_def *k, const char *field,
                   int limit, struct agenda_target **out, int *n);

#endif
