/* entry.c — the entry model over the store: visibility, immutable revisions, slugs and their
 * redirects, facet terms, and the per-revision rendering of Markdown. */
#include "core/entry.h"
#include "core/validate.h"
#include "render/markdown.h"
#include "store/entry_store.h"
#include "util/arena.h"
#include "util/mem.h"
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong entry_gen = 1;

const char *entry_title(const struct kind_def *k, json_t *fields)
{
    const char *t = json_string_value(json_object_get(fields, k->title_field));
    return t ? t : "";
}

unsigned long entry_generation(void)
{
    return atomic_load(&entry_gen);
}

static void entry_json_release(void *p)
{
    json_decref(p);
}

/* Parses JSON text into an object owned by the arena. */
static json_t *entry_json_parse(struct arena *a, const char *text)
{
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        v = json_object();
    }
    arena_defer(a, entry_json_release, v);
    return v;
}

static int entry_status_from_store(int rc)
{
    switch (rc) {
    case STORE_OK:
        return ENTRY_OK;
    case STORE_NOTFOUND:
        return ENTRY_NOTFOUND;
    case STORE_CONFLICT:
        return ENTRY_CONFLICT;
    default:
        return ENTRY_ERR;
    }
}

static bool entry_from_row(struct entry *e, const struct entry_row *row)
{
    e->id = row->id;
    e->kind = kind_find(row->kind);
    e->slug = row->slug;
    e->created = row->created;
    e->updated = row->updated;
    e->published_rev = row->published_rev;
    e->latest_rev = row->latest_rev;
    e->featured = row->featured;
    return e->kind != NULL;
}

void entry_read_begin(struct store *s)
{
    store_read_begin(s); /* on failure each read is its own transaction, as without it */
}

void entry_read_end(struct store *s)
{
    store_read_end(s);
}

int entry_find(struct store *s, struct arena *a, const char *slug, struct entry *e,
               const char **moved_to)
{
    struct entry_row row;
    int rc = store_entry_by_slug(s, a, slug, &row);
    if (rc == STORE_NOTFOUND) {
        if (moved_to && store_old_slug_target(s, a, slug, moved_to) == STORE_OK)
            return ENTRY_MOVED;
        return ENTRY_NOTFOUND;
    }
    if (rc != STORE_OK)
        return ENTRY_ERR;
    /* Deleted entries and entries with no published revision are invisible through every door. */
    if (row.deleted || row.published_rev == 0 || !entry_from_row(e, &row))
        return ENTRY_NOTFOUND;
    return ENTRY_OK;
}

static struct json_span entry_span(const char *text)
{
    return (struct json_span){text, text ? strlen(text) : 0};
}

static void entry_revision_from_row(struct arena *a, struct revision *r,
                                    const struct revision_row *row, bool parse)
{
    r->id = row->id;
    r->number = row->number;
    r->parent = row->parent_number;
    r->author_id = row->author_id;
    r->author_name = row->author_name;
    r->created = row->created;
    r->comment = row->comment;
    r->state = row->state;
    r->raw_fields = entry_span(row->fields);
    r->raw_rendered = entry_span(row->rendered);
    r->raw_card = entry_span(row->card);
    r->fields = parse ? entry_json_parse(a, row->fields ? row->fields : "{}") : NULL;
    r->rendered = parse ? entry_json_parse(a, row->rendered ? row->rendered : "{}") : NULL;
}

static int entry_revision_read(struct store *s, struct arena *a, const struct entry *e, int number,
                               struct revision *r, bool parse)
{
    struct revision_row row;
    int rc = store_revision_get(s, a, e->id, number ? number : e->published_rev, &row);
    if (rc != STORE_OK)
        return entry_status_from_store(rc);
    if (strcmp(row.state, "published") != 0)
        return ENTRY_NOTFOUND;
    entry_revision_from_row(a, r, &row, parse);
    return ENTRY_OK;
}

int entry_revision(struct store *s, struct arena *a, const struct entry *e, int number,
                   struct revision *r)
{
    return entry_revision_read(s, a, e, number, r, true);
}

int entry_revision_raw(struct store *s, struct arena *a, const struct entry *e, int number,
                       struct revision *r)
{
    return entry_revision_read(s, a, e, number, r, false);
}

int entry_history(struct store *s, struct arena *a, const struct entry *e, struct revision **revs,
                  int *n)
{
    struct revision_row *rows;
    int nrows;
    if (store_revisions_list(s, a, e->id, &rows, &nrows) != STORE_OK)
        return ENTRY_ERR;
    struct revision *v = arena_alloc(a, sizeof(*v) * (size_t)(nrows ? nrows : 1));
    int len = 0;
    for (int i = 0; i < nrows; i++)
        if (strcmp(rows[i].state, "published") == 0)
            entry_revision_from_row(a, &v[len++], &rows[i], false);
    *revs = v;
    *n = len;
    return ENTRY_OK;
}

int entry_authors(struct store *s, struct arena *a, const struct entry *e, const char ***names,
                  int *n)
{
    return store_entry_authors(s, a, e->id, names, n) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

static void entry_items_from_rows(struct arena *a, struct entry_summary_row *rows, int n,
                                  struct entry_item **items)
{
    struct entry_item *v = arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        v[i].id = rows[i].id;
        v[i].slug = rows[i].slug;
        v[i].revision = rows[i].revision;
        v[i].created = rows[i].created;
        v[i].updated = rows[i].updated;
        v[i].values = (struct json_span){rows[i].fields, rows[i].fields_len};
    }
    *items = v;
}

int entry_list(struct store *s, struct arena *a, const struct kind_def *k,
               const struct entry_filter *filters, int nfilters, int page, int per_page,
               struct entry_item **items, int *n, int *total)
{
    struct entry_summary_row *rows;
    if (page < 1)
        page = 1;
    if (nfilters < 0 || nfilters > ENTRY_MAX_FILTERS)
        return ENTRY_ERR;
    const char *f[ENTRY_MAX_FILTERS] = {NULL, NULL}, *v[ENTRY_MAX_FILTERS] = {NULL, NULL};
    for (int i = 0; i < nfilters; i++) {
        f[i] = filters[i].facet;
        v[i] = filters[i].value;
    }
    if (store_entries_list(s, a, k->name, f[0], v[0], f[1], v[1], (page - 1) * per_page, per_page,
                           false, &rows, n, total) != STORE_OK)
        return ENTRY_ERR;
    entry_items_from_rows(a, rows, *n, items);
    return ENTRY_OK;
}

int entry_records(struct store *s, struct arena *a, const struct kind_def *k, int page,
                  int per_page, struct entry_item **items, int *n, int *total)
{
    struct entry_summary_row *rows;
    if (page < 1)
        page = 1;
    if (store_entries_list(s, a, k->name, NULL, NULL, NULL, NULL, (page - 1) * per_page, per_page,
                           true, &rows, n, total) != STORE_OK)
        return ENTRY_ERR;
    entry_items_from_rows(a, rows, *n, items);
    if (*n == 0)
        return ENTRY_OK;
    long long *ids = arena_alloc(a, sizeof(*ids) * (size_t)*n);
    struct entry_authors_row *au = arena_alloc(a, sizeof(*au) * (size_t)*n);
    for (int i = 0; i < *n; i++)
        ids[i] = rows[i].id;
    if (store_entries_authors(s, a, ids, *n, au) != STORE_OK)
        return ENTRY_ERR;
    for (int i = 0; i < *n; i++) {
        (*items)[i].authors = au[i].names;
        (*items)[i].nauthors = au[i].n;
    }
    return ENTRY_OK;
}

int entry_featured(struct store *s, struct arena *a, const struct kind_def *k, int limit,
                   struct entry_item **items, int *n)
{
    struct entry_summary_row *rows;
    if (store_entries_featured(s, a, k->name, limit, &rows, n) != STORE_OK)
        return ENTRY_ERR;
    entry_items_from_rows(a, rows, *n, items);
    return ENTRY_OK;
}

int entry_counts(struct store *s, const struct kind_def *k, int *entries, int *communes,
                 int *contributors)
{
    return store_entries_counts(s, k->name, entries, communes, contributors) == STORE_OK
               ? ENTRY_OK
               : ENTRY_ERR;
}

char *entry_slugify(struct arena *a, const char *title)
{
    /* Latin-1 supplement and Œ/œ folded to ASCII, the letters French titles use. */
    static const struct {
        const char *utf8, *ascii;
    } folds[] = {
        {"à", "a"},    {"á", "a"}, {"â", "a"},  {"ä", "a"}, {"ã", "a"}, {"å", "a"}, {"æ", "ae"},
        {"ç", "c"},    {"è", "e"}, {"é", "e"},  {"ê", "e"}, {"ë", "e"}, {"ì", "i"}, {"í", "i"},
        {"î", "i"},    {"ï", "i"}, {"ñ", "n"},  {"ò", "o"}, {"ó", "o"}, {"ô", "o"}, {"ö", "o"},
        {"õ", "o"},    {"ø", "o"}, {"œ", "oe"}, {"ù", "u"}, {"ú", "u"}, {"û", "u"}, {"ü", "u"},
        {"ý", "y"},    {"ÿ", "y"}, {"À", "a"},  {"Á", "a"}, {"Â", "a"}, {"Ä", "a"}, {"Æ", "ae"},
        {"Ç", "c"},    {"È", "e"}, {"É", "e"},  {"Ê", "e"}, {"Ë", "e"}, {"Î", "i"}, {"Ï", "i"},
        {"Ô", "o"},    {"Ö", "o"}, {"Œ", "oe"}, {"Ù", "u"}, {"Û", "u"}, {"Ü", "u"}, {"Ÿ", "y"},
        {"@", "-at-"},
    };
    char *out = arena_alloc(a, 81);
    size_t n = 0;
    bool dash = false;
    for (const char *p = title; *p && n < 80;) {
        const char *rep = NULL;
        size_t adv = 1;
        for (size_t i = 0; i < sizeof(folds) / sizeof(folds[0]); i++) {
            size_t l = strlen(folds[i].utf8);
            if (strncmp(p, folds[i].utf8, l) == 0) {
                rep = folds[i].ascii;
                adv = l;
                break;
            }
        }
        char one[2] = {0, 0};
        if (!rep) {
            unsigned char c = (unsigned char)*p;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                one[0] = (char)c;
            else if (c >= 'A' && c <= 'Z')
                one[0] = (char)(c - 'A' + 'a');
            else if (c >= 0x80) /* skip the rest of an unknown UTF-8 character */
                while ((p[adv] & 0xc0) == 0x80)
                    adv++;
            rep = one;
        }
        p += adv;
        for (const char *r = rep; *r && n < 80; r++) {
            if (*r == '-' || *r == 0) {
                dash = true;
                continue;
            }
            if (dash && n > 0)
                out[n++] = '-';
            dash = false;
            if (n < 80)
                out[n++] = *r;
        }
        if (!*rep)
            dash = true;
    }
    /* Long titles make long addresses: keep whole words up to about 50 characters. */
    if (n > 50) {
        size_t cut = 50;
        while (cut > 20 && out[cut] != '-')
            cut--;
        n = out[cut] == '-' ? cut : 50;
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    if (n == 0)
        strcpy(out, "fiche");
    return out;
}

json_t *entry_render_fields(const struct kind_def *k, json_t *fields)
{
    json_t *out = json_object();
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->type != FT_MARKDOWN)
            continue;
        const char *md = json_string_value(json_object_get(fields, f->name));
        if (!md || !*md)
            continue;
        char *html = markdown_render(md, strlen(md));
        json_object_set_new(out, f->name, json_string(html));
        free(html);
    }
    return out;
}

/* The fields a list shows for a revision — title, summary and the facets — kept apart so
 * that lists do not parse whole records. */
static json_t *entry_card_fields(const struct kind_def *k, json_t *fields)
{
    json_t *card = json_object();
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->facet || strcmp(f->name, k->title_field) == 0 ||
            strcmp(f->name, k->summary_field) == 0) {
            json_t *v = json_object_get(fields, f->name);
            if (v)
                json_object_set(card, f->name, v);
        }
    }
    return card;
}

/* Is slug base itself or base-N (N a number)? */
static bool entry_slug_of_base(const char *slug, const char *base)
{
    size_t n = strlen(base);
    if (strncmp(slug, base, n) != 0)
        return false;
    if (slug[n] == '\0')
        return true;
    return slug[n] == '-' && slug[n + 1] >= '1' && slug[n + 1] <= '9' &&
           strspn(slug + n + 1, "0123456789") == strlen(slug + n + 1);
}

/* A slug for title that no other entry uses, now or as an old name. An entry keeps its current
 * slug while its title still leads to it, and own_id's former names are free for it, so renaming
 * back to an old title takes the old address back. Otherwise the next free number after the
 * highest one in use: numbers never run out, and finding it is one indexed query, not a scan. */
static const char *entry_unique_slug(struct store *s, struct arena *a, const char *title,
                                     long long own_id, const char *current)
{
    const char *base = entry_slugify(a, title);
    /* Path segments that routes give a meaning to cannot be record names. */
    if (strcmp(base, "new") == 0)
        base = "new-fiche";
    if (current && entry_slug_of_base(current, base))
        return current;
    long long owner = store_slug_owner(s, base);
    if (owner < 0)
        return NULL;
    if (owner == 0 || owner == own_id)
        return base;
    long long n;
    if (store_slug_max_suffix(s, base, &n) != STORE_OK)
        return NULL;
    for (int tries = 0; tries < 8; tries++) {
        const char *slug = arena_printf(a, "%s-%lld", base, (n < 1 ? 1 : n) + 1 + tries);
        owner = store_slug_owner(s, slug);
        if (owner < 0)
            return NULL;
        if (owner == 0 || owner == own_id)
            return slug;
    }
    /* Only slugs made on purpose (absurdly long numbers) get here: a random number then. */
    for (int tries = 0; tries < 8; tries++) {
        const char *slug = arena_printf(a, "%s-%u", base, randombytes_uniform(1000000000u) + 2);
        owner = store_slug_owner(s, slug);
        if (owner < 0)
            return NULL;
        if (owner == 0)
            return slug;
    }
    return NULL;
}

static int entry_terms_update(struct store *s, const struct kind_def *k, long long id,
                              json_t *fields)
{
    const char *facets[64], *values[64];
    int n = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (!f->facet)
            continue;
        json_t *v = json_object_get(fields, f->name);
        if (json_is_string(v) && *json_string_value(v) && n < 64) {
            facets[n] = f->name;
            values[n++] = json_string_value(v);
        } else if (json_is_array(v)) {
            size_t j;
            json_t *item;
            json_array_foreach(v, j, item)
            {
                if (json_is_string(item) && n < 64) {
                    facets[n] = f->name;
                    values[n++] = json_string_value(item);
                }
            }
        }
    }
    return store_terms_replace(s, id, facets, values, n);
}

/* The rules about what a change may do, checked against the latest revision inside the write
 * transaction. Adds the reasons to errs and returns false when the change is refused. */
static bool entry_save_allowed(struct arena *a, const struct entry_save *in, json_t *latest,
                               struct field_errors *errs)
{
    int before = errs->n;
    validate_license_change(a, in->kind, latest, in->fields, in->can_moderate, errs);
    return errs->n == before;
}

int entry_save(struct store *s, struct arena *a, const struct entry_save *in, struct entry *out,
               int *rev)
{
    const char *title = json_string_value(json_object_get(in->fields, in->kind->title_field));
    char *fields_text = json_dumps(in->fields, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *rendered = entry_render_fields(in->kind, in->fields);
    char *rendered_text = json_dumps(rendered, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(rendered);
    json_t *card = entry_card_fields(in->kind, in->fields);
    char *card_text = json_dumps(card, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(card);
    struct field_errors local_errs = {0};
    struct field_errors *errs = in->errs ? in->errs : &local_errs;
    int ret = ENTRY_ERR;
    if (!title || !fields_text || !rendered_text || !card_text || store_begin(s) != STORE_OK)
        goto done;

    struct entry_row row = {0};
    if (in->slug) {
        int rc = store_entry_by_slug(s, a, in->slug, &row);
        if (rc != STORE_OK || row.deleted || strcmp(row.kind, in->kind->name) != 0) {
            ret = rc == STORE_ERR ? ENTRY_ERR : ENTRY_NOTFOUND;
            goto rollback;
        }
        /* Checked inside the write transaction: no other writer can slip in between. */
        if (in->base_rev != row.latest_rev) {
            ret = ENTRY_CONFLICT;
            goto rollback;
        }
        /* The rules need the latest revision: when it cannot be read, nothing is saved (a rule
         * skipped on a read error is a rule any door can skip). */
        struct revision_row cur;
        json_t *cur_fields = NULL;
        if (store_revision_get(s, a, row.id, row.latest_rev, &cur) != STORE_OK ||
            !(cur_fields = json_loads(cur.fields, 0, NULL))) {
            fprintf(stderr, "foison: entry %lld: latest revision %d unreadable\n", row.id,
                    row.latest_rev);
            goto rollback;
        }
        /* Saving what is already there adds no revision: history only records changes. */
        if (json_equal(cur_fields, in->fields)) {
            json_decref(cur_fields);
            store_rollback(s);
            entry_from_row(out, &row);
            *rev = row.latest_rev;
            ret = ENTRY_OK;
            goto done;
        }
        bool allowed = entry_save_allowed(a, in, cur_fields, errs);
        json_decref(cur_fields);
        if (!allowed) {
            ret = ENTRY_INVALID;
            goto rollback;
        }
        const char *slug = entry_unique_slug(s, a, title, row.id, row.slug);
        if (!slug)
            goto rollback;
        if (strcmp(slug, row.slug) != 0) {
            if (store_entry_rename(s, row.id, row.slug, slug) != STORE_OK)
                goto rollback;
            row.slug = slug;
        }
    } else {
        const char *slug = entry_unique_slug(s, a, title, 0, NULL);
        if (!slug || store_entry_insert(s, in->kind->name, slug, in->now, &row.id) != STORE_OK)
            goto rollback;
        row.kind = in->kind->name;
        row.slug = slug;
        row.created = in->now;
        row.latest_rev = 0;
    }
    struct revision_row r = {
        .entry_id = row.id,
        .number = row.latest_rev + 1,
        .parent_number = row.latest_rev,
        .author_id = in->author_id,
        .created = in->now,
        .comment = in->comment,
        .state = "published",
        .fields = fields_text,
        .rendered = rendered_text,
        .card = card_text,
    };
    if (store_revision_insert(s, &r) != STORE_OK ||
        store_entry_set_revs(s, row.id, r.number, r.number, in->now) != STORE_OK ||
        entry_terms_update(s, in->kind, row.id, in->fields) != STORE_OK)
        goto rollback;
    if (store_commit(s) != STORE_OK)
        goto rollback;
    atomic_fetch_add(&entry_gen, 1);
    row.updated = in->now;
    row.published_rev = row.latest_rev = r.number;
    entry_from_row(out, &row);
    *rev = r.number;
    ret = ENTRY_OK;
    goto done;
rollback:
    store_rollback(s);
done:
    free(fields_text);
    free(rendered_text);
    free(card_text);
    return ret;
}

int entry_set_featured(struct store *s, const struct entry *e, bool featured)
{
    if (store_entry_set_featured(s, e->id, featured) != STORE_OK)
        return ENTRY_ERR;
    atomic_fetch_add(&entry_gen, 1);
    return ENTRY_OK;
}

int entry_facet_counts(struct store *s, struct arena *a, const struct kind_def *k,
                       const char *facet, const struct entry_filter *filters, int nfilters,
                       struct entry_facet_count **out, int *n)
{
    *out = NULL;
    *n = 0;
    const struct field_def *fd = k && facet ? kind_field(k, facet) : NULL;
    if (!fd || !fd->facet || nfilters < 0 || nfilters > ENTRY_MAX_FILTERS)
        return ENTRY_ERR;
    /* A filter on this facet itself is left out: each count says what choosing that value
     * would give, the other filters kept. */
    const char *f[ENTRY_MAX_FILTERS] = {NULL, NULL}, *v[ENTRY_MAX_FILTERS] = {NULL, NULL};
    int kept = 0;
    for (int i = 0; i < nfilters; i++) {
        if (!filters[i].facet || !filters[i].value || strcmp(filters[i].facet, facet) == 0)
            continue;
        f[kept] = filters[i].facet;
        v[kept] = filters[i].value;
        kept++;
    }
    struct facet_count_row *rows;
    int len;
    if (store_entries_facet_counts(s, a, k->name, facet, f[0], v[0], f[1], v[1], &rows, &len) !=
        STORE_OK)
        return ENTRY_ERR;
    struct entry_facet_count *c = arena_alloc(a, sizeof(*c) * (size_t)(len ? len : 1));
    for (int i = 0; i < len; i++)
        c[i] = (struct entry_facet_count){rows[i].value, rows[i].count};
    *out = c;
    *n = len;
    return ENTRY_OK;
}

int entry_facet_count_of(const struct entry_facet_count *counts, int n, const char *value)
{
    /* counts are in byte order (SQLite's BINARY collation is memcmp, as strcmp): bisect. */
    int lo = 0, hi = n;
    while (value && lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(counts[mid].value, value);
        if (c == 0)
            return counts[mid].count;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
