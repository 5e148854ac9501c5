/* derive.c — the one derived-data step: everything computed from an entry's published revision
 * (its filter terms, its place in its kind's order, its relations, its card) is computed here,
 * from the schema, inside the transaction that publishes it. A new kind or field type never
 * needs an index update of its own; when the schemas change what is derived, the whole site is
 * derived again (entry_derive_check). Later: feed items. The occurrences of events are
 * core/agenda.c's part of it, the search index core/search.c's, the map's points core/geo.c's. */
#include "core/agenda.h"
#include "core/entry.h"
#include "core/geo.h"
#include "core/relation.h"
#include "core/search.h"
#include "store/entry_store.h"
#include "store/moderation_store.h"
#include "store/search_store.h"
#include "store/store.h"
#include "util/arena.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DERIVE_MAX_TERMS 256
#define DERIVE_SETTING "derived_fingerprint"

json_t *entry_card(const struct kind_def *k, json_t *fields)
{
    json_t *card = json_object();
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->private)
            continue;
        if (f->card || strcmp(f->name, k->title_field) == 0 ||
            strcmp(f->name, k->summary_field) == 0) {
            json_t *v = json_object_get(fields, f->name);
            if (v && !json_is_null(v))
                json_object_set(card, f->name, v);
        }
    }
    return card;
}

/* The term values of one facet field: a string, the strings of a list, an address's commune. */
static void derive_terms_of(const struct field_def *f, json_t *v, const char **facets,
                            const char **values, int *n)
{
    if (f->type == FT_ADDRESS)
        v = json_object_get(v, "commune");
    if (json_is_string(v) && *json_string_value(v) && *n < DERIVE_MAX_TERMS) {
        facets[*n] = f->name;
        values[(*n)++] = json_string_value(v);
        return;
    }
    size_t j;
    json_t *item;
    json_array_foreach(v, j, item)
    {
        if (json_is_string(item) && *n < DERIVE_MAX_TERMS) {
            facets[*n] = f->name;
            values[(*n)++] = json_string_value(item);
        }
    }
}

static int derive_terms(struct store *s, const struct kind_def *k, long long id, json_t *fields)
{
    const char *facets[DERIVE_MAX_TERMS], *values[DERIVE_MAX_TERMS];
    int n = 0;
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].facet)
            derive_terms_of(&k->fields[i], json_object_get(fields, k->fields[i].name), facets,
                            values, &n);
    return store_terms_replace(s, id, facets, values, n) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

/* The entry's key in its kind's order: its folded title, or the order field's value (a date,
 * or a number written with leading zeros so that text order is number order). */
static const char *derive_sort_key(struct arena *a, const struct kind_def *k, json_t *fields)
{
    if (k->order == ORDER_TITLE)
        return entry_slugify(a, entry_title(k, fields));
    if (k->order == ORDER_FIELD_DESC && k->order_field) {
        json_t *v = json_object_get(fields, k->order_field);
        if (json_is_string(v))
            return arena_strdup(a, json_string_value(v));
        if (json_is_integer(v))
            return arena_printf(a, "%020lld", (long long)json_integer_value(v));
    }
    return "";
}

int entry_derive(struct store *s, struct arena *a, const struct kind_def *k, long long entry_id,
                 json_t *fields)
{
    if (derive_terms(s, k, entry_id, fields) != ENTRY_OK ||
        store_entry_set_sort_key(s, entry_id, derive_sort_key(a, k, fields)) != STORE_OK ||
        relation_derive(s, k, entry_id, fields) != ENTRY_OK ||
        agenda_derive(s, a, k, entry_id, fields) != ENTRY_OK ||
        search_index_entry(s, a, k, entry_id, fields) != ENTRY_OK ||
        geo_derive(s, a, k, entry_id, fields) != ENTRY_OK)
        return ENTRY_ERR;
    return ENTRY_OK;
}

int entry_derive_sync(struct store *s, long long entry_id)
{
    return search_sync_entry(s, entry_id) == ENTRY_OK && geo_sync_entry(s, entry_id) == ENTRY_OK
               ? ENTRY_OK
               : ENTRY_ERR;
}

/* The derived data of one published revision, its card included (the card of every other
 * revision is only read by history pages, which read their titles alone). */
static int derive_again(struct store *s, struct arena *a, const struct kind_def *k,
                        const struct entry_published_row *r, void *arg)
{
    (void)arg;
    if (!k)
        return ENTRY_OK; /* a kind this program does not know: left as it is */
    json_t *fields = json_loads(r->fields, 0, NULL);
    if (!fields)
        return ENTRY_ERR;
    json_t *card = entry_card(k, fields);
    char *text = json_dumps(card, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(card);
    int rc = text && store_revision_set_card(s, r->id, r->number, text) == STORE_OK &&
                     entry_derive(s, a, k, r->id, fields) == ENTRY_OK
                 ? ENTRY_OK
                 : ENTRY_ERR;
    free(text);
    json_decref(fields);
    return rc;
}

int entry_each_published(struct store *s,
                         int (*fn)(struct store *s, struct arena *a, const struct kind_def *k,
                                   const struct entry_published_row *r, void *arg),
                         void *arg, void (*progress)(long long done, void *parg), void *parg)
{
    long long after = 0, done = 0;
    for (;;) {
        struct arena *a = arena_new();
        struct entry_published_row *rows;
        int n = 0;
        int rc = store_entries_published_after(s, a, after, 500, &rows, &n) == STORE_OK ? ENTRY_OK
                                                                                        : ENTRY_ERR;
        for (int i = 0; rc == ENTRY_OK && i < n; i++)
            rc = fn(s, a, kind_find(rows[i].kind), &rows[i], arg);
        if (n)
            after = rows[n - 1].id;
        done += n;
        arena_free(a);
        if (rc != ENTRY_OK)
            return rc;
        if (progress)
            progress(done, parg);
        if (n < 500)
            return ENTRY_OK;
    }
}

int entry_derive_all(struct store *s, void (*progress)(long long done, void *arg), void *arg)
{
    /* The index and the points are made again from nothing: an entry they held that is no
     * longer published (a file repaired by hand) leaves them. */
    if (store_search_clear(s) != STORE_OK || geo_clear(s) != ENTRY_OK)
        return ENTRY_ERR;
    int rc = entry_each_published(s, derive_again, NULL, progress, arg);
    return rc == ENTRY_OK && store_search_optimize(s) != STORE_OK ? ENTRY_ERR : rc;
}

/* A short hash of the schemas' fingerprint, as stored in the site. */
static void derive_fingerprint_hash(char out[33])
{
    const char *fp = kind_fingerprint();
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)fp, strlen(fp), NULL, 0);
    sodium_bin2hex(out, 33, h, sizeof h);
}

int entry_derive_mark(struct store *s)
{
    char want[33];
    derive_fingerprint_hash(want);
    return store_setting_set(s, DERIVE_SETTING, want) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

int entry_derive_check(struct store *s, bool *rebuilt)
{
    char want[33];
    derive_fingerprint_hash(want);
    *rebuilt = false;
    char *have = store_setting_get(s, DERIVE_SETTING);
    bool same = have && strcmp(have, want) == 0;
    free(have);
    if (same)
        return ENTRY_OK;
    if (store_begin(s) != STORE_OK)
        return ENTRY_ERR;
    if (entry_derive_all(s, NULL, NULL) != ENTRY_OK || entry_derive_mark(s) != ENTRY_OK ||
        store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return ENTRY_ERR;
    }
    *rebuilt = true;
    return ENTRY_OK;
}
