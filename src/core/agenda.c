/* agenda.c — the occurrences of events, derived from their published revisions (see
 * agenda.h). */
#include "core/agenda.h"
#include "core/entry.h"
#include "core/membership.h"
#include "core/validate.h"
#include "core/recur.h"
#include "store/agenda_store.h"
#include "util/arena.h"
#include <string.h>

/* The days of a series' exceptions, as texts in an arena array. */
static int agenda_exceptions(struct arena *a, json_t *v, const char ***out)
{
    size_t n = json_array_size(v);
    const char **days = arena_alloc(a, (n ? n : 1) * sizeof *days);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        if (json_is_string(json_array_get(v, i)))
            days[k++] = json_string_value(json_array_get(v, i));
    *out = days;
    return k;
}

/* The first id of a relation field's value, 0 when none. */
static long long agenda_first_id(json_t *fields, const char *name)
{
    json_t *v = name ? json_object_get(fields, name) : NULL;
    json_t *first = json_is_array(v) ? json_array_get(v, 0) : NULL;
    return json_is_integer(first) ? (long long)json_integer_value(first) : 0;
}

int agenda_save_check(struct store *s, struct arena *a, const struct viewer *author,
                      const struct kind_def *k, json_t *base, json_t *fields,
                      struct field_errors *errs)
{
    if (!k->when.series)
        return ENTRY_OK;
    long long series = agenda_first_id(fields, k->when.series);
    if (!series)
        return ENTRY_OK;
    if (base && agenda_first_id(base, k->when.series) == series &&
        (!k->when.replaces || json_equal(json_object_get(base, k->when.replaces),
                                         json_object_get(fields, k->when.replaces))))
        return ENTRY_OK;
    if (membership_manages(s, author, series))
        return ENTRY_OK;
    const struct field_def *f = kind_field(k, k->when.series);
    validate_error(errs, k->when.series,
                   arena_printf(a,
                                "%s\u202f: seuls ceux qui gèrent la série (qui l'ont créée) et "
                                "les modérateurs peuvent en changer une date",
                                f ? f->label : k->when.series));
    return ENTRY_INVALID;
}

int agenda_derive(struct store *s, struct arena *a, const struct kind_def *k, long long id,
                  json_t *fields)
{
    if (!k->when.start)
        return ENTRY_OK;
    json_t *start = json_object_get(fields, k->when.start);
    json_t *end = k->when.end ? json_object_get(fields, k->when.end) : NULL;
    if (!json_is_integer(start))
        return store_occurrences_replace(s, id, NULL, NULL, 0) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
    long long first = (long long)json_integer_value(start);
    long long length = json_is_integer(end) ? (long long)json_integer_value(end) - first : 0;
    if (length < 0)
        length = 0;
    json_t *rule = k->when.recurrence ? json_object_get(fields, k->when.recurrence) : NULL;
    const char **days = NULL;
    int ndays = k->when.exceptions
                    ? agenda_exceptions(a, json_object_get(fields, k->when.exceptions), &days)
                    : 0;
    long long *starts = arena_alloc(a, RECUR_MAX_OCCURRENCES * sizeof *starts);
    long long *ends = arena_alloc(a, RECUR_MAX_OCCURRENCES * sizeof *ends);
    int n = recur_expand(json_is_string(rule) ? json_string_value(rule) : NULL, first, days, ndays,
                         starts, RECUR_MAX_OCCURRENCES);
    if (n < 0)
        n = 0; /* a rule this program no longer reads: the series shows nowhere until edited */
    if (n > RECUR_MAX_OCCURRENCES)
        n = RECUR_MAX_OCCURRENCES;
    for (int i = 0; i < n; i++)
        ends[i] = starts[i] + length;
    if (store_occurrences_replace(s, id, starts, ends, n) != STORE_OK)
        return ENTRY_ERR;
    /* The occurrence of a series this entry changes. */
    long long series = 0, replaces = 0;
    if (k->when.series && k->when.replaces) {
        json_t *sv = json_object_get(fields, k->when.series);
        json_t *rv = json_object_get(fields, k->when.replaces);
        if (json_is_array(sv) && json_is_integer(json_array_get(sv, 0)) && json_is_integer(rv)) {
            series = (long long)json_integer_value(json_array_get(sv, 0));
            replaces = (long long)json_integer_value(rv);
        }
    }
    return store_override_set(s, id, series, replaces) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

/* ---- reads ------------------------------------------------------------------------------ */

int agenda_occurrences(struct store *s, struct arena *a, long long entry_id, long long from,
                       int limit, struct agenda_occurrence **out, int *n)
{
    struct occurrence_row *rows;
    *out = NULL;
    *n = 0;
    if (limit > AGENDA_OCCURRENCES_MAX)
        limit = AGENDA_OCCURRENCES_MAX;
    if (limit <= 0)
        return ENTRY_OK;
    if (store_occurrences_of(s, a, entry_id, from, limit, &rows, n) != STORE_OK)
        return ENTRY_ERR;
    /* The same layout, but the public type is core's own: the store's may change. */
    struct agenda_occurrence *v = arena_alloc(a, sizeof *v * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        v[i] = (struct agenda_occurrence){rows[i].start, rows[i].end, rows[i].replaced_by};
    *out = *n ? v : NULL;
    return ENTRY_OK;
}

int agenda_occurrence_find(struct store *s, long long entry_id, long long start,
                           struct agenda_occurrence *out)
{
    struct occurrence_row r;
    int rc = store_occurrence_get(s, entry_id, start, &r);
    if (rc == STORE_NOTFOUND)
        return ENTRY_NOTFOUND;
    if (rc != STORE_OK)
        return ENTRY_ERR;
    *out = (struct agenda_occurrence){r.start, r.end, r.replaced_by};
    return ENTRY_OK;
}

/* The title in a card text, "" when absent. */
static const char *agenda_card_title(struct arena *a, const char *card)
{
    struct json_span v, obj = {card, strlen(card)};
    if (json_read_get(obj, "title", &v) && json_read_kind(v) == JSON_READ_STRING)
        return json_read_string(a, v);
    return "";
}

int agenda_overrides(struct store *s, struct arena *a, long long series_id,
                     struct agenda_override **out, int *n)
{
    struct override_row *rows;
    *out = NULL;
    *n = 0;
    if (store_overrides_of(s, a, series_id, &rows, n) != STORE_OK)
        return ENTRY_ERR;
    struct agenda_override *v = arena_alloc(a, sizeof *v * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        v[i] = (struct agenda_override){
            rows[i].override_id, rows[i].slug,  agenda_card_title(a, rows[i].card),
            rows[i].replaces,    rows[i].start, rows[i].end,
            rows[i].revision};
    *out = *n ? v : NULL;
    return ENTRY_OK;
}

int agenda_override_series(struct store *s, long long override_id, long long *series_id,
                           long long *replaces)
{
    return store_override_series(s, override_id, series_id, replaces) == STORE_OK ? ENTRY_OK
                                                                                  : ENTRY_ERR;
}

/* q's filters in the store's terms. */
static int agenda_filters(const struct agenda_query *q, struct store_filter *terms,
                          struct store_rel_filter *rels)
{
    if (q->nterms < 0 || q->nterms > ENTRY_MAX_FILTERS || q->nterms > STORE_MAX_FILTERS ||
        q->nrels < 0 || q->nrels > AGENDA_MAX_RELS || q->nrels > STORE_AGENDA_MAX_RELS)
        return -1;
    for (int i = 0; i < q->nterms; i++)
        terms[i] = (struct store_filter){q->terms[i].facet, q->terms[i].value};
    for (int i = 0; i < q->nrels; i++)
        rels[i] = (struct store_rel_filter){q->rels[i].field, q->rels[i].to_id};
    return 0;
}

int agenda_list(struct store *s, struct arena *a, const struct kind_def *k,
                const struct agenda_query *q, struct agenda_item **items, int *n)
{
    struct store_filter terms[STORE_MAX_FILTERS];
    struct store_rel_filter rels[STORE_AGENDA_MAX_RELS];
    struct agenda_row *rows;
    *items = NULL;
    *n = 0;
    if (agenda_filters(q, terms, rels) != 0)
        return ENTRY_ERR;
    if (store_agenda_list(s, a, k->name, q->from, q->to, terms, q->nterms, rels, q->nrels,
                          q->place_field, q->offset, q->limit, &rows, n) != STORE_OK)
        return ENTRY_ERR;
    struct agenda_item *v = arena_alloc(a, sizeof *v * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        v[i] = (struct agenda_item){rows[i].entry_id,
                                    rows[i].start,
                                    rows[i].end,
                                    rows[i].slug,
                                    {rows[i].card, rows[i].card_len},
                                    rows[i].place_slug,
                                    rows[i].place_title};
    *items = *n ? v : NULL;
    return ENTRY_OK;
}

int agenda_feed_page(struct store *s, struct arena *a, const struct kind_def *k,
                     const struct agenda_query *q, long long after, int limit,
                     struct agenda_feed_item **items, int *n)
{
    struct store_filter terms[STORE_MAX_FILTERS];
    struct store_rel_filter rels[STORE_AGENDA_MAX_RELS];
    struct feed_row *rows;
    *items = NULL;
    *n = 0;
    if (agenda_filters(q, terms, rels) != 0)
        return ENTRY_ERR;
    if (store_agenda_feed(s, a, k->name, after, terms, q->nterms, rels, q->nrels, limit, &rows,
                          n) != STORE_OK)
        return ENTRY_ERR;
    struct agenda_feed_item *v = arena_alloc(a, sizeof *v * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        v[i] = (struct agenda_feed_item){rows[i].id, rows[i].updated, rows[i].slug, rows[i].fields};
    *items = *n ? v : NULL;
    return ENTRY_OK;
}

int agenda_targets(struct store *s, struct arena *a, const struct kind_def *k, const char *field,
                   int limit, struct agenda_target **out, int *n)
{
    struct target_row *rows;
    *out = NULL;
    *n = 0;
    const struct field_def *f = kind_field(k, field);
    /* One kind the field points to (a place, an actor): what the filter lists. */
    if (!f || !f->relation_kinds || strchr(f->relation_kinds, ','))
        return ENTRY_OK;
    if (store_relation_targets(s, a, k->name, field, f->relation_kinds, limit, &rows, n) !=
        STORE_OK)
        return ENTRY_ERR;
    struct agenda_target *v = arena_alloc(a, sizeof *v * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        v[i] = (struct agenda_target){rows[i].id, rows[i].slug, rows[i].title};
    *out = *n ? v : NULL;
    return ENTRY_OK;
}
