/* agenda.c — the occurrences of events, derived from their published revisions (see
 * agenda.h). */
#include "core/agenda.h"
#include "core/entry.h"
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
