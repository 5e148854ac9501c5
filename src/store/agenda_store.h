/* agenda_store.h — the occurrences of events, derived from their published revisions, and the
 * occurrences that other events change in a series: what the agenda, the iCalendar feeds and
 * registrations read. "Listed" is entry_store.c's rule: not deleted, not hidden, published.
 * Returned strings are in the caller's arena. */
#ifndef FOISON_AGENDA_STORE_H
#define FOISON_AGENDA_STORE_H
#include "store/entry_store.h"
#include "store/store.h"

/* The occurrences of entry_id become starts[i]..ends[i] (none when n is 0). */
int store_occurrences_replace(struct store *s, long long entry_id, const long long *starts,
                              const long long *ends, int n);
/* override_id changes the occurrence of series_id that starts at replaces (series_id 0: it
 * changes none). */
int store_override_set(struct store *s, long long override_id, long long series_id,
                       long long replaces);

/* A condition on relations: entries whose relation field points to to_id. */
struct store_rel_filter {
    const char *field;
    long long to_id;
};
#define STORE_AGENDA_MAX_RELS 2

/* One occurrence of a listed entry in the agenda, with that entry's card and its first place
 * (field place_field). */
struct agenda_row {
    long long entry_id, start, end;
    const char *slug;
    const char *card; /* JSON object text */
    size_t card_len;
    const char *place_slug, *place_title; /* NULL when none is listed */
};

/* Occurrences starting in [from, to) of listed entries of kind having every term and relation
 * filter, leaving out those a listed entry changes (occurrence_overrides), in order of start
 * then entry, from offset, at most limit into an arena array. */
int store_agenda_list(struct store *s, struct arena *a, const char *kind, long long from,
                      long long to, const struct store_filter *terms, int nterms,
                      const struct store_rel_filter *rels, int nrels, const char *place_field,
                      int offset, int limit, struct agenda_row **out, int *n);

/* One occurrence of an entry; replaced_by is the listed entry that changes it (0: none). */
struct occurrence_row {
    long long start, end, replaced_by;
};
/* The occurrences of entry_id starting at or after from, in order, at most limit. */
int store_occurrences_of(struct store *s, struct arena *a, long long entry_id, long long from,
                         int limit, struct occurrence_row **out, int *n);
/* The occurrence of entry_id that starts at start, or STORE_NOTFOUND. */
int store_occurrence_get(struct store *s, long long entry_id, long long start,
                         struct occurrence_row *out);

/* A listed entry that changes an occurrence of a series, with its own first start and card. */
struct override_row {
    long long override_id, replaces, start, end;
    const char *slug;
    const char *card;
    int revision; /* its published revision */
};
int store_overrides_of(struct store *s, struct arena *a, long long series_id,
                       struct override_row **out, int *n);
/* The listed series override_id changes, and which start: *series_id 0 when none. */
int store_override_series(struct store *s, long long override_id, long long *series_id,
                          long long *replaces);

/* A listed entry of kind with its published fields, for feeds, in keyset order of id. */
struct feed_row {
    long long id, updated;
    const char *slug;
    const char *fields;
};
int store_agenda_feed(struct store *s, struct arena *a, const char *kind, long long after,
                      const struct store_filter *terms, int nterms,
                      const struct store_rel_filter *rels, int nrels, int limit,
                      struct feed_row **out, int *n);

/* The listed entries that field of listed entries of kind points to (the places of events,
 * their organisers), with their titles, by title, at most limit. */
struct target_row {
    long long id;
    const char *slug, *title;
};
int store_relation_targets(struct store *s, struct arena *a, const char *kind, const char *field,
                           const char *target_kind, int limit, struct target_row **out, int *n);

#endif
