/* entry.c — the entry model over the store: visibility, immutable revisions, slugs and their
 * redirects, facet terms, and the per-revision rendering of Markdown. */
#include "core/entry.h"
#include "core/agenda.h"
#include "core/attendance.h"
#include "core/relation.h"
#include "core/validate.h"
#include "core/rate.h"
#include "core/spam.h"
#include "core/territory.h"
#include "core/visibility.h"
#include "render/markdown.h"
#include "store/entry_store.h"
#include "store/relation_store.h"
#include "store/moderation_store.h"
#include "store/user_store.h"
#include "util/buf.h"
#include "util/arena.h"
#include "util/mem.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *entry_title(const struct kind_def *k, json_t *fields)
{
    const char *t = json_string_value(json_object_get(fields, k->title_field));
    return t ? t : "";
}

unsigned long entry_generation(struct store *s)
{
    long long gen;
    /* 0 is never a generation: a cache compared against it misses, never serves stale. */
    return s && store_generation(s, &gen) == STORE_OK ? (unsigned long)gen : 0;
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
    e->hidden = row->hidden;
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

/* The revision a viewer edits: the latest one that is published or the viewer's own pending
 * one (a moderator also takes the latest of an entry never published); 0 when none. rows are
 * the entry's revisions from the published one up, newest first (nothing below it matters:
 * publishing publishes a whole chain, so no published revision lies above it). */
static int entry_edit_number(const struct viewer *v, const struct entry_row *row,
                             const struct revision_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        const struct revision_row *r = &rows[i];
        if (strcmp(r->state, "published") == 0)
            return r->number;
        /* Their own pending text, unless it was written on a text the public no longer sees
         * (then they start again from what is published). */
        if (strcmp(r->state, "pending") == 0 && v->user_id > 0 && r->author_id == v->user_id &&
            r->parent_number >= row->published_rev)
            return r->number;
    }
    /* A moderator may take over an entry never published: its latest text not rejected. */
    for (int i = 0; row->published_rev == 0 && viewer_moderates(v) && i < n; i++)
        if (strcmp(rows[i].state, "pending") == 0)
            return rows[i].number;
    return 0;
}

/* Does v see the entry at all: published, or one of its revisions is v's to see. */
static int entry_row_visible(struct store *s, struct arena *a, const struct viewer *v,
                             const struct entry_row *row, bool *visible)
{
    *visible = false;
    if (!viewer_sees_entry(v, row->deleted, row->hidden))
        return ENTRY_OK;
    if (row->published_rev > 0) {
        *visible = true;
        return ENTRY_OK;
    }
    if (!v || v->user_id <= 0)
        return ENTRY_OK;
    struct revision_row *rows;
    int n;
    if (store_revisions_list(s, a, row->id, &rows, &n) != STORE_OK)
        return ENTRY_ERR;
    for (int i = 0; i < n && !*visible; i++)
        *visible = viewer_sees(v, rows[i].state, rows[i].author_id);
    return ENTRY_OK;
}

int entry_find(struct store *s, struct arena *a, const struct viewer *v, const char *slug,
               struct entry *e, const char **moved_to)
{
    struct entry_row row;
    int rc = store_entry_by_slug(s, a, slug, &row);
    if (rc == STORE_NOTFOUND) {
        if (!moved_to || store_old_slug_target(s, a, slug, moved_to) != STORE_OK)
            return ENTRY_NOTFOUND;
        /* An old name leads only where v may go: a redirect would name an entry v may not see. */
        bool visible = false;
        rc = store_entry_by_slug(s, a, *moved_to, &row);
        if (rc != STORE_OK)
            return rc == STORE_NOTFOUND ? ENTRY_NOTFOUND : ENTRY_ERR;
        if (entry_row_visible(s, a, v, &row, &visible) != ENTRY_OK)
            return ENTRY_ERR;
        return visible ? ENTRY_MOVED : ENTRY_NOTFOUND;
    }
    if (rc != STORE_OK)
        return ENTRY_ERR;
    bool visible;
    if (entry_row_visible(s, a, v, &row, &visible) != ENTRY_OK)
        return ENTRY_ERR;
    if (!visible || !entry_from_row(e, &row))
        return ENTRY_NOTFOUND;
    return ENTRY_OK;
}

int entry_edit_revision(struct store *s, struct arena *a, const struct viewer *v,
                        const struct entry *e, int *number)
{
    struct revision_row *rows;
    int n;
    if (store_revisions_from(s, a, e->id, e->published_rev, &rows, &n) != STORE_OK)
        return ENTRY_ERR;
    struct entry_row row = {.id = e->id, .published_rev = e->published_rev};
    *number = entry_edit_number(v, &row, rows, n);
    return *number ? ENTRY_OK : ENTRY_NOTFOUND;
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
    r->spam_score = row->spam_score;
    r->spam_reasons = row->spam_reasons;
    r->raw_fields = entry_span(row->fields);
    r->raw_rendered = entry_span(row->rendered);
    r->raw_card = entry_span(row->card);
    r->fields = parse ? entry_json_parse(a, row->fields ? row->fields : "{}") : NULL;
    r->rendered = parse ? entry_json_parse(a, row->rendered ? row->rendered : "{}") : NULL;
}

static int entry_revision_read(struct store *s, struct arena *a, const struct viewer *v,
                               const struct entry *e, int number, struct revision *r, bool parse)
{
    if (!number && e->published_rev)
        number = e->published_rev;
    if (!number) {
        /* Never published: the text v edits, else the latest v may see (a rejected one). */
        int rc = entry_edit_revision(s, a, v, e, &number);
        if (rc == ENTRY_NOTFOUND) {
            struct revision_row *rows;
            int n;
            if (store_revisions_list(s, a, e->id, &rows, &n) != STORE_OK)
                return ENTRY_ERR;
            for (int i = 0; i < n && !number; i++)
                if (viewer_sees(v, rows[i].state, rows[i].author_id))
                    number = rows[i].number;
            rc = number ? ENTRY_OK : ENTRY_NOTFOUND;
        }
        if (rc != ENTRY_OK)
            return rc;
    }
    struct revision_row row;
    int rc = store_revision_get(s, a, e->id, number, &row);
    if (rc != STORE_OK)
        return entry_status_from_store(rc);
    if (!viewer_sees(v, row.state, row.author_id))
        return ENTRY_NOTFOUND;
    entry_revision_from_row(a, r, &row, parse);
    return ENTRY_OK;
}

int entry_revision(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                   int number, struct revision *r)
{
    return entry_revision_read(s, a, v, e, number, r, true);
}

int entry_revision_raw(struct store *s, struct arena *a, const struct viewer *v,
                       const struct entry *e, int number, struct revision *r)
{
    return entry_revision_read(s, a, v, e, number, r, false);
}

int entry_history(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                  struct revision **revs, int *n)
{
    struct revision_row *rows;
    int nrows;
    if (store_revisions_list(s, a, e->id, &rows, &nrows) != STORE_OK)
        return ENTRY_ERR;
    struct revision *out = arena_alloc(a, sizeof(*out) * (size_t)(nrows ? nrows : 1));
    int len = 0;
    for (int i = 0; i < nrows; i++)
        if (viewer_sees(v, rows[i].state, rows[i].author_id))
            entry_revision_from_row(a, &out[len++], &rows[i], false);
    *revs = out;
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

/* The kind's order as the store knows it. */
static enum store_order entry_store_order(const struct kind_def *k)
{
    return k->order == ORDER_TITLE        ? STORE_ORDER_KEY_ASC
           : k->order == ORDER_FIELD_DESC ? STORE_ORDER_KEY_DESC
                                          : STORE_ORDER_UPDATED;
}

static int entry_list_rows(struct store *s, struct arena *a, const struct kind_def *k,
                           const struct entry_filter *filters, int nfilters, int page, int per_page,
                           bool whole, struct entry_summary_row **rows, int *n, int *total)
{
    if (page < 1)
        page = 1;
    if (nfilters < 0 || nfilters > ENTRY_MAX_FILTERS || ENTRY_MAX_FILTERS > STORE_MAX_FILTERS)
        return ENTRY_ERR;
    struct store_filter f[ENTRY_MAX_FILTERS];
    for (int i = 0; i < nfilters; i++)
        f[i] = (struct store_filter){filters[i].facet, filters[i].value};
    return store_entries_list(s, a, k->name, f, nfilters, entry_store_order(k),
                              (page - 1) * per_page, per_page, whole, rows, n, total) == STORE_OK
               ? ENTRY_OK
               : ENTRY_ERR;
}

int entry_list(struct store *s, struct arena *a, const struct kind_def *k,
               const struct entry_filter *filters, int nfilters, int page, int per_page,
               struct entry_item **items, int *n, int *total)
{
    struct entry_summary_row *rows;
    if (entry_list_rows(s, a, k, filters, nfilters, page, per_page, false, &rows, n, total) !=
        ENTRY_OK)
        return ENTRY_ERR;
    entry_items_from_rows(a, rows, *n, items);
    return ENTRY_OK;
}

int entry_records(struct store *s, struct arena *a, const struct kind_def *k,
                  const struct entry_filter *filters, int nfilters, int page, int per_page,
                  struct entry_item **items, int *n, int *total)
{
    struct entry_summary_row *rows;
    if (entry_list_rows(s, a, k, filters, nfilters, page, per_page, true, &rows, n, total) !=
        ENTRY_OK)
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

/* The managed relation fields of a save that may not change them take the values of the
 * revision edited (none for a new entry); with strict, a change is refused instead. */
static bool entry_managed_keep(struct arena *a, const struct entry_save *in, json_t *base,
                               json_t *fields, struct field_errors *errs)
{
    if (in->operator|| in->membership)
        return true;
    bool ok = true;
    for (size_t i = 0; i < in->kind->nfields; i++) {
        const struct field_def *f = &in->kind->fields[i];
        if (!f->managed)
            continue;
        json_t *was = json_object_get(base, f->name);
        json_t *keep = was ? json_deep_copy(was) : json_array();
        json_t *now = json_object_get(fields, f->name);
        if (in->strict_managed && now && !json_equal(now, keep) &&
            !(json_array_size(now) == 0 && json_array_size(keep) == 0)) {
            validate_error(errs, f->name,
                           arena_printf(a,
                                        "%s\u202f: ce lien se fait par une demande acceptée par "
                                        "les responsables de l'autre fiche, pas en modifiant "
                                        "celle-ci",
                                        f->label));
            ok = false;
        }
        json_object_set_new(fields, f->name, keep);
    }
    return ok;
}

/* A private field (a contact address) is never sent back to a browser, so an edit that leaves
 * it empty keeps the value it had: only what the author does see changes. Only a field named in
 * removed (the author asked for it: "Retirer l'adresse enregistrée") goes empty. */
static void entry_private_keep(const struct kind_def *k, json_t *base, json_t *fields,
                               const char *const *removed)
{
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        json_t *was = json_object_get(base, f->name), *now = json_object_get(fields, f->name);
        const char *text = json_string_value(now);
        bool remove = false;
        for (const char *const *r = removed; r && *r && !remove; r++)
            remove = strcmp(*r, f->name) == 0;
        if (f->private && was && !remove && (!now || json_is_null(now) || (text && !*text)))
            json_object_set(fields, f->name, was);
    }
}

/* The rules about what a change may do, checked against the revision the author edits inside
 * the write transaction. Adds the reasons to errs and returns false when the change is refused. */
static bool entry_save_allowed(struct arena *a, const struct entry_save *in,
                               const struct viewer *author, json_t *base, struct field_errors *errs)
{
    int before = errs->n;
    validate_license_change(a, in->kind, base, in->fields, viewer_moderates(author), errs);
    return errs->n == before;
}

/* From revision number up through its pending parents to the published one it was written on:
 * each is part of the text being published. Anything else on the way (a rejected parent, a
 * parent older than what the public sees) means it was written on a text that is gone. */
static int entry_publish_chain(struct store *s, struct arena *a, long long entry_id, int number,
                               int published_rev)
{
    int chain[64], n = 0;
    int p = number;
    while (p && p != published_rev) {
        struct revision_row r;
        if (store_revision_get(s, a, entry_id, p, &r) != STORE_OK)
            return ENTRY_ERR;
        bool ok =
            strcmp(r.state, "pending") == 0 || (p == number && strcmp(r.state, "published") == 0);
        if (!ok || n == 64 || r.parent_number >= p)
            return ENTRY_CONFLICT;
        chain[n++] = p;
        p = r.parent_number;
    }
    if (p != published_rev)
        return ENTRY_CONFLICT;
    for (int i = 0; i < n; i++)
        if (store_revision_set_state(s, entry_id, chain[i], "published") != STORE_OK)
            return ENTRY_ERR;
    return ENTRY_OK;
}

int entry_publish(struct store *s, struct arena *a, long long entry_id, int number, long long now)
{
    struct entry_row row;
    struct revision_row r;
    if (store_entry_by_id(s, a, entry_id, &row) != STORE_OK ||
        store_revision_get(s, a, entry_id, number, &r) != STORE_OK)
        return ENTRY_ERR;
    const struct kind_def *k = kind_find(row.kind);
    if (!k || row.deleted)
        return ENTRY_NOTFOUND;
    int rc = entry_publish_chain(s, a, entry_id, number, row.published_rev);
    if (rc != ENTRY_OK)
        return rc;
    json_t *fields = json_loads(r.fields, 0, NULL);
    if (!fields)
        return ENTRY_ERR;
    /* A text held for moderation was checked against the seats of its day: people may have
     * registered since, and a capacity below them is not published (the moderator is told the
     * text no longer fits what the public sees). */
    struct field_errors seat_errs = {0};
    rc = attendance_save_check(s, a, k, row.id, fields, now, &seat_errs);
    if (rc != ENTRY_OK) {
        json_decref(fields);
        return rc == ENTRY_INVALID ? ENTRY_CONFLICT : rc;
    }
    rc = ENTRY_ERR;
    /* The public address follows the published title. */
    const char *slug = entry_unique_slug(s, a, entry_title(k, fields), row.id, row.slug);
    if (slug &&
        (strcmp(slug, row.slug) == 0 ||
         store_entry_rename(s, row.id, row.slug, slug) == STORE_OK) &&
        store_entry_set_revs(s, row.id, number, row.latest_rev, now) == STORE_OK &&
        entry_derive(s, a, k, row.id, fields) == ENTRY_OK &&
        attendance_published(s, a, k, row.id, fields, now) == ENTRY_OK)
        rc = ENTRY_OK;
    json_decref(fields);
    return rc;
}

/* A hash of a revision's main text (its Markdown and text fields, in schema order), to find the
 * same text saved by several accounts; 0 for a text too short to tell. */
static long long entry_text_hash(const struct kind_def *k, json_t *fields)
{
    crypto_generichash_state st;
    unsigned char h[8];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    size_t len = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        const char *v = json_string_value(json_object_get(fields, f->name));
        if (v && f->type == FT_MARKDOWN) {
            crypto_generichash_update(&st, (const unsigned char *)v, strlen(v) + 1);
            len += strlen(v);
        }
    }
    /* A short text ("À compléter.") is the same from many honest people: never a repeat. */
    if (len < 80)
        return 0;
    crypto_generichash_final(&st, h, sizeof h);
    long long v = 0;
    for (size_t i = 0; i < sizeof h - 1; i++) /* 56 bits: a positive SQLite integer */
        v = (v << 8) | h[i];
    return v;
}

/* The spam score of the save, with what only the store knows: the same text from other
 * accounts in the last week (only when this save changes the text: a copy of a record cannot
 * be aimed at the record itself), the blocked domains. before is what the public would see
 * change: the published text, even when the author edits a pending text of their own (else a
 * held text would go out with the next harmless edit on top of it). */
static int entry_spam(struct store *s, struct arena *a, const struct entry_save *in,
                      const struct viewer *author, long long account_age, long long entry_id,
                      json_t *before, long long text_hash, struct spam_result *out)
{
    struct spam_input si = {
        .kind = in->kind,
        .fields = in->fields,
        .before = before,
        .role = author->role,
        .account_age = account_age,
        .fill_seconds = in->timed ? in->fill_seconds : -1,
        .unstamped = in->unstamped,
    };
    if (text_hash && (!before || entry_text_hash(in->kind, before) != text_hash) &&
        store_text_repeats(s, text_hash, author->user_id, entry_id, in->now - 7 * 86400,
                           &si.repeats) != STORE_OK)
        return ENTRY_ERR;
    char *blocked = store_setting_get(s, "blocked_domains");
    si.blocked_domains = blocked ? arena_strdup(a, blocked) : NULL;
    free(blocked);
    spam_score(a, &si, out);
    return ENTRY_OK;
}

/* The refusal of a text scored as spam: why, in French, and what to do if it is not. */
static void entry_spam_refusal(struct arena *a, const struct spam_result *r,
                               struct field_errors *errs)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "Ce texte ressemble à du spam et n'a pas été enregistré");
    for (int i = 0; i < r->nreasons; i++)
        buf_printf(&b, "%s%s", i ? " ; " : "\u202f: ", r->reasons[i]);
    buf_puts(&b, ". Si c'est une erreur, retirez les liens ou le passage en cause, ou écrivez à "
                 "l'équipe de modération.");
    validate_error(errs, "spam", arena_strdup(a, buf_cstr(&b)));
    buf_free(&b);
}

int entry_save(struct store *s, struct arena *a, const struct entry_save *in,
               struct entry_saved *out)
{
    memset(out, 0, sizeof(*out));
    const char *title = json_string_value(json_object_get(in->fields, in->kind->title_field));
    /* What is written: the validated fields with their relations resolved to ids inside the
     * transaction (relation_resolve), then their texts. */
    json_t *fields = json_deep_copy(in->fields);
    char *fields_text = NULL, *rendered_text = NULL, *card_text = NULL;
    struct field_errors local_errs = {0};
    struct field_errors *errs = in->errs ? in->errs : &local_errs;
    int ret = ENTRY_ERR;
    json_t *base_fields = NULL;   /* the fields of the revision edited (NULL: a new entry) */
    json_t *public_fields = NULL; /* those of the published revision, when it is not the base */
    long long account_age = -1;
    char *spam_reasons = NULL;
    struct rate_hold rate = {0}; /* the edit counted against the author's limits */
    bool counted = false;        /* and it stays counted (written, or refused as spam) */
    if (!title || !fields || store_begin(s) != STORE_OK)
        goto done;

    /* The author's rights as the file has them now, not as the request began: an account
     * blocked or demoted while this save waited for the write lock saves nothing more. */
    struct viewer author = in->author;
    if (author.user_id > 0) {
        struct user_row u;
        int urc = store_user_by_id(s, a, author.user_id, &u);
        if (urc != STORE_OK || strcmp(u.status, "active") != 0) {
            ret = urc == STORE_ERR ? ENTRY_ERR : ENTRY_FORBIDDEN;
            goto rollback;
        }
        if (!in->operator)
            author.role = role_from_name(u.role);
        account_age = in->now - u.created;
    }
    /* The rate of edits, by the rights just read: nothing further is done for an author past
     * their limit. The operator (demo, imports) is not limited. */
    if (!in->operator) {
        long wait = rate_edit_take(s, &author, in->client_ip, in->now, &rate);
        if (wait > 0) {
            out->retry_after = wait;
            ret = ENTRY_RATE_LIMITED;
            goto rollback;
        }
    }
    /* Who publishes at once and who is held for moderation: the author's rights decide. */
    /* A membership decided by the other side's managers is theirs to make public. */
    bool publish = viewer_publishes(&author) || in->membership;
    struct entry_row row = {0};
    int base = 0;
    if (!in->slug) {
        if ((ret = relation_resolve(s, a, &author, in->kind, 0, fields, errs)) != ENTRY_OK ||
            (ret = agenda_save_check(s, a, &author, in->kind, NULL, fields, errs)) != ENTRY_OK)
            goto rollback;
        ret = ENTRY_INVALID;
        if (!entry_managed_keep(a, in, NULL, fields, errs))
            goto rollback;
        ret = ENTRY_ERR;
    } else {
        int rc = store_entry_by_slug(s, a, in->slug, &row);
        /* Only an entry the author may see (not deleted, not hidden after reports unless they
         * moderate) can be edited: the one rule of visibility.c. */
        if (rc != STORE_OK || !viewer_sees_entry(&author, row.deleted, row.hidden) ||
            strcmp(row.kind, in->kind->name) != 0) {
            ret = rc == STORE_ERR ? ENTRY_ERR : ENTRY_NOTFOUND;
            goto rollback;
        }
        if ((ret = relation_resolve(s, a, &author, in->kind, row.id, fields, errs)) != ENTRY_OK)
            goto rollback;
        ret = ENTRY_ERR;
        /* The revision this author edits, read inside the write transaction: no other writer
         * can slip in between, and a pending text of someone else is not theirs to build on. */
        struct revision_row *revs;
        int nrevs;
        if (store_revisions_from(s, a, row.id, row.published_rev, &revs, &nrevs) != STORE_OK)
            goto rollback;
        base = entry_edit_number(&author, &row, revs, nrevs);
        if (!base) {
            ret = ENTRY_NOTFOUND;
            goto rollback;
        }
        if (in->base_rev != base) {
            ret = ENTRY_CONFLICT;
            out->base_rev = base;
            goto rollback;
        }
        /* The rules need that revision: when it cannot be read, nothing is saved (a rule
         * skipped on a read error is a rule any door can skip). */
        struct revision_row cur;
        if (store_revision_get(s, a, row.id, base, &cur) != STORE_OK ||
            !(base_fields = json_loads(cur.fields, 0, NULL))) {
            fprintf(stderr, "foison: entry %lld: revision %d unreadable\n", row.id, base);
            goto rollback;
        }
        entry_private_keep(in->kind, base_fields, fields, in->private_removed);
        if (relation_keep_unseen(s, a, &author, in->kind, base_fields, fields) != ENTRY_OK)
            goto rollback;
        if (!entry_managed_keep(a, in, base_fields, fields, errs)) {
            ret = ENTRY_INVALID;
            goto rollback;
        }
        /* Saving what is already there adds no revision: history only records changes. */
        if (json_equal(base_fields, fields)) {
            /* What the door writes with it still is (an accompaniment asked on an edit). */
            if (in->with) {
                int w = in->with(s, a, row.id, in->now, errs, in->with_arg);
                if (w != ENTRY_OK) {
                    ret = w;
                    goto rollback;
                }
                if (store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK)
                    goto rollback;
            } else
                store_rollback(s);
            entry_from_row(&out->entry, &row);
            out->rev = base;
            out->state = cur.state;
            ret = ENTRY_OK;
            goto done;
        }
        if (!entry_save_allowed(a, in, &author, base_fields, errs)) {
            ret = ENTRY_INVALID;
            goto rollback;
        }
        /* Seats already held: a capacity below them is refused (core/attendance.c). */
        if ((ret = attendance_save_check(s, a, in->kind, row.id, fields, in->now, errs)) !=
            ENTRY_OK)
            goto rollback;
        if ((ret = agenda_save_check(s, a, &author, in->kind, base_fields, fields, errs)) !=
            ENTRY_OK)
            goto rollback;
        ret = ENTRY_ERR;
        if (strcmp(cur.state, "published") != 0 && row.published_rev) {
            struct revision_row pub;
            if (store_revision_get(s, a, row.id, row.published_rev, &pub) != STORE_OK ||
                !(public_fields = json_loads(pub.fields, 0, NULL)))
                goto rollback;
        }
    }
    /* The spam score, against the text it replaces: refused above one threshold, held for
     * moderation above the other whoever writes (moderators excepted). */
    struct spam_result spam;
    long long text_hash = entry_text_hash(in->kind, in->fields);
    /* An own pending text of a never-published entry: scored as a new entry. */
    json_t *before = public_fields ? public_fields : base && row.published_rev ? base_fields : NULL;
    int rc = entry_spam(s, a, in, &author, account_age, row.id, before, text_hash, &spam);
    if (rc != ENTRY_OK)
        goto rollback;
    /* Moderators are never refused: they may have to write down what spam said. */
    if (author.user_id > 0 && !viewer_moderates(&author) &&
        spam.score >= territory_setting_long(s, "spam_refuse", SPAM_REFUSE_DEFAULT)) {
        entry_spam_refusal(a, &spam, errs);
        counted = true; /* a robot retrying its spam spends its budget */
        ret = ENTRY_INVALID;
        goto rollback;
    }
    /* A membership decision changes no text: nothing in it for the hold to weigh. */
    if (spam.score >= territory_setting_long(s, "spam_hold", SPAM_HOLD_DEFAULT) &&
        !viewer_moderates(&author) && !in->membership)
        publish = false;
    spam_reasons = spam_reasons_json(&spam);
    if (!in->slug) {
        const char *slug = entry_unique_slug(s, a, title, 0, NULL);
        if (!slug || store_entry_insert(s, in->kind->name, slug, in->now, &row.id) != STORE_OK)
            goto rollback;
        row.kind = in->kind->name;
        row.slug = slug;
        row.created = row.updated = in->now;
        row.latest_rev = 0;
        /* Whoever creates an entry manages it beyond wiki editing (accepts a network's
         * members). */
        if (author.user_id > 0 && store_manager_add(s, row.id, author.user_id, in->now) != STORE_OK)
            goto rollback;
    }
    fields_text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *rendered = entry_render_fields(in->kind, fields);
    rendered_text = json_dumps(rendered, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(rendered);
    json_t *card = entry_card(in->kind, fields);
    card_text = json_dumps(card, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(card);
    if (!fields_text || !rendered_text || !card_text)
        goto rollback;
    struct revision_row r = {
        .entry_id = row.id,
        .number = row.latest_rev + 1,
        .parent_number = base,
        .author_id = author.user_id,
        .created = in->now,
        .comment = in->comment,
        .state = publish ? "published" : "pending",
        .fields = fields_text,
        .rendered = rendered_text,
        .card = card_text,
        .spam_score = spam.score,
        .spam_reasons = spam_reasons,
        .text_hash = text_hash,
    };
    /* A held edit changes nothing the public sees (not even when the entry was last updated);
     * a published one goes through the same step as an approval, the author's own pending
     * texts under it published with it. */
    if (store_revision_insert(s, &r) != STORE_OK ||
        store_entry_set_revs(s, row.id, row.published_rev, r.number, row.updated) != STORE_OK)
        goto rollback;
    if (publish) {
        int rc = entry_publish(s, a, row.id, r.number, in->now);
        if (rc != ENTRY_OK) {
            ret = rc;
            goto rollback;
        }
    }
    if (in->with) {
        int w = in->with(s, a, row.id, in->now, errs, in->with_arg);
        if (w != ENTRY_OK) {
            ret = w;
            goto rollback;
        }
    }
    if (store_generation_bump(s) != STORE_OK || store_entry_by_id(s, a, row.id, &row) != STORE_OK)
        goto rollback;
    if (store_commit(s) != STORE_OK)
        goto rollback;
    entry_from_row(&out->entry, &row);
    out->rev = r.number;
    out->state = r.state;
    counted = true;
    ret = ENTRY_OK;
    goto done;
rollback:
    store_rollback(s);
done:
    /* An edit that wrote nothing (a conflict, no change, a storage error) is not held against
     * its author. */
    if (!counted)
        rate_edit_forgive(&rate);
    json_decref(base_fields);
    json_decref(public_fields);
    json_decref(fields);
    free(spam_reasons);
    free(fields_text);
    free(rendered_text);
    free(card_text);
    return ret;
}

int entry_set_featured(struct store *s, const struct entry *e, bool featured)
{
    if (store_begin(s) != STORE_OK)
        return ENTRY_ERR;
    if (store_entry_set_featured(s, e->id, featured) != STORE_OK ||
        store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return ENTRY_ERR;
    }
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
    struct store_filter f[ENTRY_MAX_FILTERS];
    int kept = 0;
    for (int i = 0; i < nfilters; i++) {
        if (!filters[i].facet || !filters[i].value || strcmp(filters[i].facet, facet) == 0)
            continue;
        f[kept++] = (struct store_filter){filters[i].facet, filters[i].value};
    }
    struct facet_count_row *rows;
    int len;
    if (store_entries_facet_counts(s, a, k->name, facet, f, kept, &rows, &len) != STORE_OK)
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
