/* relation.c — relations between entries: resolving what forms and the API write (slugs) into
 * ids inside the save transaction, deriving the relations table from the published revision,
 * and reading both sides and the reuse lineage through the visibility rule. */
#include "core/relation.h"
#include "core/entry.h"
#include "core/validate.h"
#include "store/entry_store.h"
#include "store/relation_store.h"
#include "util/arena.h"
#include <string.h>

static const char *relation_card_title(struct arena *a, const struct kind_def *k, const char *card,
                                       size_t len)
{
    struct json_span obj = {card, len}, v;
    const char *t = card && json_read_get(obj, k->title_field, &v) ? json_read_string(a, v) : NULL;
    return t ? t : "";
}

/* A brief row as v may see it: kind NULL for an entry never published, deleted, or hidden
 * from v. */
static void relation_from_brief(struct arena *a, const struct viewer *v,
                                const struct entry_brief_row *r, struct related_entry *out)
{
    const struct kind_def *k = r->kind ? kind_find(r->kind) : NULL;
    memset(out, 0, sizeof(*out));
    out->id = r->id;
    if (!k || !r->card || !viewer_sees_entry(v, r->deleted, r->hidden))
        return;
    out->kind = k;
    out->slug = r->slug;
    out->title = relation_card_title(a, k, r->card, r->card_len);
}

int relation_briefs(struct store *s, struct arena *a, const struct viewer *v, const long long *ids,
                    int n, struct related_entry *out)
{
    struct entry_brief_row *rows = arena_alloc(a, sizeof(*rows) * (size_t)(n ? n : 1));
    if (store_entries_brief(s, a, ids, n, rows) != STORE_OK)
        return ENTRY_ERR;
    for (int i = 0; i < n; i++)
        relation_from_brief(a, v, &rows[i], &out[i]);
    return ENTRY_OK;
}

int relation_ids(struct arena *a, struct json_span value, long long **ids)
{
    struct json_read_iter it;
    struct json_span item;
    int n = 0;
    if (json_read_array(value, &it))
        while (json_read_next_item(&it, &item))
            n++;
    *ids = arena_alloc(a, sizeof(**ids) * (size_t)(n ? n : 1));
    int len = 0;
    long long id;
    if (json_read_array(value, &it))
        while (json_read_next_item(&it, &item))
            if (json_read_int(item, &id) && id > 0)
                (*ids)[len++] = id;
    return len;
}

/* The entry a written slug names (following a rename), or STORE_NOTFOUND. */
static int relation_find_slug(struct store *s, struct arena *a, const char *slug,
                              struct entry_row *row)
{
    int rc = store_entry_by_slug(s, a, slug, row);
    if (rc == STORE_NOTFOUND) {
        const char *target;
        rc = store_old_slug_target(s, a, slug, &target);
        if (rc == STORE_OK)
            rc = store_entry_by_slug(s, a, target, row);
    }
    return rc;
}

static bool relation_has(json_t *ids, long long id)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (json_integer_value(v) == id)
            return true;
    }
    return false;
}

/* One written value of field f: adds its id to ids, or says why not in errs. false on a
 * storage failure. */
static bool relation_resolve_one(struct store *s, struct arena *a, const struct viewer *author,
                                 const struct field_def *f, long long self_id, json_t *item,
                                 json_t *ids, struct field_errors *errs)
{
    struct entry_row row;
    if (json_is_integer(item)) {
        /* An id comes from a stored revision (a revert): one gone since is dropped. */
        long long id = (long long)json_integer_value(item);
        int rc = store_entry_by_id(s, a, id, &row);
        if (rc == STORE_ERR)
            return false;
        /* Hidden for a while (reports) is not gone: the link stays, and reads show it again
         * when the entry is shown again. */
        if (rc == STORE_OK && row.published_rev && !row.deleted &&
            field_relation_allows(f, row.kind) && id != self_id && !relation_has(ids, id))
            json_array_append_new(ids, json_integer(id));
        return true;
    }
    const char *slug = json_string_value(item);
    int rc = relation_find_slug(s, a, slug, &row);
    if (rc == STORE_ERR)
        return false;
    /* An entry not published, deleted or hidden is answered as unknown: its existence is not
     * the author's to learn. */
    if (rc != STORE_OK || !row.published_rev ||
        !viewer_sees_entry(author, row.deleted, row.hidden)) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s\u202f: aucune fiche publiée ne porte le nom « %s »",
                                    f->label, slug));
        return true;
    }
    const struct kind_def *target = kind_find(row.kind);
    if (!field_relation_allows(f, row.kind)) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s\u202f: « %s » est %s, ce champ n'en accepte pas",
                                    f->label, slug, target ? target->a_label : "une fiche"));
        return true;
    }
    if (row.id == self_id) {
        validate_error(
            errs, f->name,
            arena_printf(a, "%s\u202f: une fiche ne peut pas être liée à elle-même", f->label));
        return true;
    }
    if (!relation_has(ids, row.id))
        json_array_append_new(ids, json_integer(row.id));
    return true;
}

int relation_resolve(struct store *s, struct arena *a, const struct viewer *author,
                     const struct kind_def *k, long long self_id, json_t *fields,
                     struct field_errors *errs)
{
    int before = errs->n;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->type != FT_RELATION)
            continue;
        json_t *v = json_object_get(fields, f->name);
        json_t *ids = json_array();
        size_t j;
        json_t *item;
        json_array_foreach(v, j, item)
        {
            if (!relation_resolve_one(s, a, author, f, self_id, item, ids, errs)) {
                json_decref(ids);
                return ENTRY_ERR;
            }
        }
        json_object_set_new(fields, f->name, ids);
    }
    return errs->n == before ? ENTRY_OK : ENTRY_INVALID;
}

int relation_keep_unseen(struct store *s, struct arena *a, const struct viewer *author,
                         const struct kind_def *k, json_t *base, json_t *fields)
{
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        json_t *was = json_object_get(base, f->name), *now = json_object_get(fields, f->name);
        size_t n = json_array_size(was);
        if (f->type != FT_RELATION || f->managed || !n || !json_is_array(now))
            continue;
        long long *ids = arena_alloc(a, sizeof(*ids) * n);
        struct entry_brief_row *rows = arena_alloc(a, sizeof(*rows) * n);
        for (size_t j = 0; j < n; j++)
            ids[j] = (long long)json_integer_value(json_array_get(was, j));
        if (store_entries_brief(s, a, ids, (int)n, rows) != STORE_OK)
            return ENTRY_ERR;
        for (size_t j = 0; j < n; j++) {
            bool unseen = rows[j].kind && !rows[j].deleted &&
                          (!rows[j].card || !viewer_sees_entry(author, false, rows[j].hidden));
            if (unseen && !relation_has(now, ids[j]))
                json_array_append_new(now, json_integer(ids[j]));
        }
    }
    return ENTRY_OK;
}

int relation_derive(struct store *s, const struct kind_def *k, long long id, json_t *fields)
{
    const char *names[256];
    long long to[256];
    int n = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->type != FT_RELATION)
            continue;
        size_t j;
        json_t *item;
        json_array_foreach(json_object_get(fields, f->name), j, item)
        {
            if (json_is_integer(item) && n < 256) {
                names[n] = f->name;
                to[n++] = (long long)json_integer_value(item);
            }
        }
    }
    return store_relations_replace(s, id, names, to, n) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

/* The groups of e's own relation fields, from the revision text shown. */
static int relation_groups_out(struct store *s, struct arena *a, const struct viewer *v,
                               const struct entry *e, struct json_span fields,
                               struct related_group *groups, int *ng)
{
    const struct kind_def *k = e->kind;
    /* One pass over the members (a lookup per field would walk the long texts again), then
     * one read of every entry named, then the groups in the schema's order. */
    struct json_span *vals = arena_alloc(a, sizeof(*vals) * (k->nfields + 1));
    struct json_read_iter it;
    struct json_span key, val;
    if (!json_read_object(fields, &it))
        return ENTRY_OK;
    while (json_read_next_member(&it, &key, &val))
        for (size_t i = 0; i < k->nfields; i++)
            if (k->fields[i].type == FT_RELATION && strlen(k->fields[i].name) == key.n &&
                memcmp(k->fields[i].name, key.p, key.n) == 0)
                vals[i] = val;
    long long **ids = arena_alloc(a, sizeof(*ids) * (k->nfields + 1));
    int *counts = arena_alloc(a, sizeof(*counts) * (k->nfields + 1)), total = 0;
    for (size_t i = 0; i < k->nfields; i++)
        if (vals[i].p)
            total += counts[i] = relation_ids(a, vals[i], &ids[i]);
    if (!total)
        return ENTRY_OK;
    long long *all = arena_alloc(a, sizeof(*all) * (size_t)total);
    struct related_entry *got = arena_alloc(a, sizeof(*got) * (size_t)total);
    int at = 0;
    for (size_t i = 0; i < k->nfields; i++)
        for (int j = 0; j < counts[i]; j++)
            all[at++] = ids[i][j];
    if (relation_briefs(s, a, v, all, total, got) != ENTRY_OK)
        return ENTRY_ERR;
    at = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        if (!counts[i])
            continue;
        const struct field_def *f = &k->fields[i];
        struct related_group *g = &groups[*ng];
        *g = (struct related_group){.field = f, .holder = k, .label = f->label};
        g->entries = arena_alloc(a, sizeof(*g->entries) * (size_t)counts[i]);
        for (int j = 0; j < counts[i]; j++, at++)
            if (got[at].kind)
                g->entries[g->n++] = got[at];
        if (g->n)
            (*ng)++;
    }
    return ENTRY_OK;
}

int relation_groups(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                    struct json_span fields, struct related_group **out, int *n)
{
    /* At most one group per relation field of every kind, each way. */
    int cap = 0;
    for (size_t i = 0; i < kind_count(); i++)
        for (size_t f = 0; f < kind_at(i)->nfields; f++)
            cap += kind_at(i)->fields[f].type == FT_RELATION ? 2 : 0;
    struct related_group *groups = arena_alloc(a, sizeof(*groups) * (size_t)(cap ? cap : 1));
    int ng = 0;
    *out = groups;
    *n = 0;
    if (relation_groups_out(s, a, v, e, fields, groups, &ng) != ENTRY_OK)
        return ENTRY_ERR;
    struct entry_brief_row *rows;
    int nrows;
    if (store_relations_in(s, a, e->id, NULL, &rows, &nrows) != STORE_OK)
        return ENTRY_ERR;
    struct related_group *g = NULL;
    for (int i = 0; i < nrows; i++) {
        const struct kind_def *holder = kind_find(rows[i].kind);
        const struct field_def *f = holder ? kind_field(holder, rows[i].field) : NULL;
        if (!f || f->type != FT_RELATION)
            continue; /* a field no schema holds any more: derived data not yet rebuilt */
        struct related_entry r;
        relation_from_brief(a, v, &rows[i], &r);
        if (!r.kind)
            continue;
        if (!g || g->field != f || g->holder != holder) {
            if (ng == cap)
                break;
            g = &groups[ng++];
            *g = (struct related_group){.field = f,
                                        .holder = holder,
                                        .in = true,
                                        .label = f->inverse_label ? f->inverse_label : f->label};
            g->entries = arena_alloc(a, sizeof(*g->entries) * (size_t)(nrows - i));
        }
        g->entries[g->n++] = r;
    }
    *n = ng;
    return ENTRY_OK;
}

/* Lineage building: the nodes so far, and the level each has. */
struct lineage_build {
    struct arena *a;
    struct lineage *l;
    int cap, ecap; /* of nodes and of edges */
};

static int lineage_find(const struct lineage *l, long long id)
{
    for (int i = 0; i < l->n; i++)
        if (l->nodes[i].id == id)
            return i;
    return -1;
}

static int lineage_count_at(const struct lineage *l, int level)
{
    int c = 0;
    for (int i = 0; i < l->n; i++)
        c += l->levels[i] == level;
    return c;
}

/* Adds r at level (once, at its nearest level) and the edge between it and the node it was
 * reached from; inspirations (negative levels) point to the node they inspired. */
static void lineage_add(struct lineage_build *b, const struct related_entry *r, int level, int from)
{
    struct lineage *l = b->l;
    int at = lineage_find(l, r->id);
    if (at < 0) {
        if (lineage_count_at(l, level) >= LINEAGE_MAX_PER_LEVEL || l->n == b->cap) {
            l->more_at[level + LINEAGE_DEPTH]++;
            return;
        }
        at = l->n++;
        l->nodes[at] = *r;
        l->levels[at] = level;
    } else if (abs(l->levels[at] - l->levels[from]) != 1) {
        return; /* a cycle: the node is already drawn nearer */
    }
    int src = level < 0 ? at : from, dst = level < 0 ? from : at;
    if (l->m == b->ecap)
        return;
    for (int i = 0; i < l->m; i++)
        if (l->edges[i][0] == src && l->edges[i][1] == dst)
            return;
    l->edges[l->m][0] = src;
    l->edges[l->m][1] = dst;
    l->m++;
}

static int lineage_step(struct store *s, struct lineage_build *b, const struct viewer *v,
                        const char *field, int from, int level)
{
    struct entry_brief_row *rows;
    int n;
    long long id = b->l->nodes[from].id;
    int rc = level < 0 ? store_relations_out(s, b->a, id, field, &rows, &n)
                       : store_relations_in(s, b->a, id, field, &rows, &n);
    if (rc != STORE_OK)
        return ENTRY_ERR;
    for (int i = 0; i < n; i++) {
        struct related_entry r;
        relation_from_brief(b->a, v, &rows[i], &r);
        if (r.kind)
            lineage_add(b, &r, level, from);
    }
    return ENTRY_OK;
}

int relation_lineage(struct store *s, struct arena *a, const struct viewer *v,
                     const struct entry *e, const char *field, struct lineage *out)
{
    memset(out, 0, sizeof(*out));
    int cap = 1 + 2 * LINEAGE_DEPTH * LINEAGE_MAX_PER_LEVEL;
    out->nodes = arena_alloc(a, sizeof(*out->nodes) * (size_t)cap);
    out->levels = arena_alloc(a, sizeof(*out->levels) * (size_t)cap);
    /* Every pair of adjacent levels may be fully connected: P + P*P edges each side, P per
     * level, plus the centre's; lineage_add stops at this bound whatever the graph. */
    int p = LINEAGE_MAX_PER_LEVEL;
    int ecap = 2 * (p + p * p) + 2 * p + 8;
    out->edges = arena_alloc(a, sizeof(*out->edges) * (size_t)ecap);
    struct lineage_build b = {a, out, cap, ecap};
    out->nodes[0] = (struct related_entry){e->id, e->kind, e->slug, NULL};
    out->levels[0] = 0;
    out->n = 1;
    /* Level by level, each way: the nodes of one level are those before the next is read. */
    for (int dir = -1; dir <= 1; dir += 2)
        for (int depth = 1; depth <= LINEAGE_DEPTH; depth++) {
            int n = out->n;
            for (int i = 0; i < n; i++)
                if (out->levels[i] == dir * (depth - 1) &&
                    lineage_step(s, &b, v, field, i, dir * depth) != ENTRY_OK)
                    return ENTRY_ERR;
        }
    return ENTRY_OK;
}

int relation_suggest(struct store *s, struct arena *a, const struct field_def *f, const char *q,
                     int limit, struct related_entry **out, int *n)
{
    *out = NULL;
    *n = 0;
    const char *folded = q ? entry_slugify(a, q) : "";
    if (strlen(folded) < 2 || strcmp(folded, "fiche") == 0)
        return ENTRY_OK;
    struct entry_brief_row *rows;
    int nrows;
    if (store_entries_suggest(s, a, f->relation_kinds, folded, limit, &rows, &nrows) != STORE_OK)
        return ENTRY_ERR;
    struct related_entry *v = arena_alloc(a, sizeof(*v) * (size_t)(nrows ? nrows : 1));
    int len = 0;
    for (int i = 0; i < nrows; i++) {
        relation_from_brief(a, &viewer_public, &rows[i], &v[len]);
        if (v[len].kind)
            len++;
    }
    *out = v;
    *n = len;
    return ENTRY_OK;
}
