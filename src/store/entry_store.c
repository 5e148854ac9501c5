/* entry_store.c — SQL for entries, revisions, old slugs and facet terms. */
#include "store/entry_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define col_text store_text

static void entry_row_read(struct arena *a, sqlite3_stmt *st, struct entry_row *e)
{
    e->id = sqlite3_column_int64(st, 0);
    e->kind = col_text(a, st, 1);
    e->slug = col_text(a, st, 2);
    e->created = sqlite3_column_int64(st, 3);
    e->updated = sqlite3_column_int64(st, 4);
    e->published_rev = sqlite3_column_int(st, 5);
    e->latest_rev = sqlite3_column_int(st, 6);
    e->featured = sqlite3_column_int(st, 7) != 0;
    e->deleted = sqlite3_column_int(st, 8) != 0;
    e->hidden = sqlite3_column_int(st, 9);
}

#define ENTRY_COLUMNS                                                                              \
    "id, kind, slug, created, updated, coalesce(published_rev, 0), latest_rev, featured,"          \
    " deleted, hidden"

/* The entries lists and counts show (e: entries): the public half of core/visibility.c's
 * viewer_sees_entry, which lists, counts and facets answer for everyone alike. A moderator
 * reaches a hidden entry by its page, and the reports page lists it. Written once here, so
 * that no list can forget a condition of it. */
#define ENTRY_LISTED "e.deleted = 0 AND e.hidden = 0"

static int entry_query_one(struct store *s, struct arena *a, sqlite3_stmt *st,
                           struct entry_row *out, const char *what)
{
    int rc = sqlite3_step(st);
    int ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        entry_row_read(a, st, out);
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        store_log_error(s, what);
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_entry_by_slug(struct store *s, struct arena *a, const char *slug, struct entry_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " ENTRY_COLUMNS " FROM entries WHERE slug = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    return entry_query_one(s, a, st, out, "entry_by_slug");
}

int store_entry_by_id(struct store *s, struct arena *a, long long id, struct entry_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " ENTRY_COLUMNS " FROM entries WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    return entry_query_one(s, a, st, out, "entry_by_id");
}

int store_entry_set_deleted(struct store *s, long long id, bool deleted)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE entries SET deleted = ?2 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, deleted);
    return store_step_done(s, st, "entry_set_deleted");
}

int store_entry_set_hidden(struct store *s, long long id, int hidden)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE entries SET hidden = ?2 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, hidden);
    int rc = store_step_done(s, st, "entry_set_hidden");
    if (rc == STORE_OK && sqlite3_changes(s->db) != 1)
        return STORE_NOTFOUND;
    return rc;
}

int store_old_slug_target(struct store *s, struct arena *a, const char *slug, const char **target)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT e.slug FROM old_slugs o JOIN entries e"
                                     " ON e.id = o.entry_id WHERE o.slug = ?1 AND e.deleted = 0");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        *target = col_text(a, st, 0);
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        store_log_error(s, "old_slug_target");
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

long long store_slug_owner(struct store *s, const char *slug)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT id FROM entries WHERE slug = ?1"
                                     " UNION ALL SELECT entry_id FROM old_slugs WHERE slug = ?1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    long long owner = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    return owner;
}

int store_entry_insert(struct store *s, const char *kind, const char *slug, long long now,
                       long long *id)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO entries(kind, slug, created, updated, latest_rev)"
                                     " VALUES (?1, ?2, ?3, ?3, 0)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    int rc = sqlite3_step(st);
    store_done(st);
    if (rc == SQLITE_CONSTRAINT)
        return STORE_CONFLICT;
    if (rc != SQLITE_DONE) {
        store_log_error(s, "entry_insert");
        return STORE_ERR;
    }
    *id = sqlite3_last_insert_rowid(s->db);
    return STORE_OK;
}

int store_entry_set_revs(struct store *s, long long id, int published_rev, int latest_rev,
                         long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE entries SET published_rev = nullif(?2, 0),"
                                     " latest_rev = ?3, updated = ?4 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, published_rev);
    sqlite3_bind_int(st, 3, latest_rev);
    sqlite3_bind_int64(st, 4, now);
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERR;
    if (rc != STORE_OK)
        store_log_error(s, "entry_set_revs");
    store_done(st);
    return rc;
}

int store_entry_rename(struct store *s, long long id, const char *old_slug, const char *new_slug)
{
    sqlite3_stmt *del = store_stmt(s, "DELETE FROM old_slugs WHERE slug = ?1");
    sqlite3_stmt *ins = store_stmt(s, "INSERT OR REPLACE INTO old_slugs(slug, entry_id)"
                                      " VALUES (?1, ?2)");
    sqlite3_stmt *upd = store_stmt(s, "UPDATE entries SET slug = ?2 WHERE id = ?1");
    if (!del || !ins || !upd)
        return STORE_ERR;
    int rc = STORE_OK;
    /* The new slug may be one of this entry's own old slugs: it stops being a redirect. */
    sqlite3_bind_text(del, 1, new_slug, -1, SQLITE_STATIC);
    if (sqlite3_step(del) != SQLITE_DONE)
        rc = STORE_ERR;
    store_done(del);
    sqlite3_bind_text(ins, 1, old_slug, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, id);
    if (rc == STORE_OK && sqlite3_step(ins) != SQLITE_DONE)
        rc = STORE_ERR;
    store_done(ins);
    sqlite3_bind_int64(upd, 1, id);
    sqlite3_bind_text(upd, 2, new_slug, -1, SQLITE_STATIC);
    if (rc == STORE_OK && sqlite3_step(upd) != SQLITE_DONE)
        rc = STORE_ERR;
    store_done(upd);
    if (rc != STORE_OK)
        store_log_error(s, "entry_rename");
    return rc;
}

int store_entry_set_featured(struct store *s, long long id, bool featured)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE entries SET featured = ?2 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, featured);
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERR;
    store_done(st);
    return rc;
}

int store_revision_insert(struct store *s, const struct revision_row *r)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT INTO revisions(entry_id, number, parent_number, author_id, created, comment,"
           " state, fields, rendered, card, spam_score, spam_reasons, text_hash)"
           " VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, r->entry_id);
    sqlite3_bind_int(st, 2, r->number);
    sqlite3_bind_int(st, 3, r->parent_number);
    if (r->author_id)
        sqlite3_bind_int64(st, 4, r->author_id);
    sqlite3_bind_int64(st, 5, r->created);
    sqlite3_bind_text(st, 6, r->comment ? r->comment : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->state ? r->state : "published", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, r->fields, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->rendered ? r->rendered : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, r->card ? r->card : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, r->spam_score);
    sqlite3_bind_text(st, 12, r->spam_reasons ? r->spam_reasons : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 13, r->text_hash);
    int rc = sqlite3_step(st);
    store_done(st);
    if (rc == SQLITE_CONSTRAINT)
        return STORE_CONFLICT;
    if (rc != SQLITE_DONE) {
        store_log_error(s, "revision_insert");
        return STORE_ERR;
    }
    return STORE_OK;
}

/* Every column; the history's list leaves out the two big ones (fields, rendered). */
#define REVISION_META_COLUMNS STORE_REVISION_META_COLUMNS
#define REVISION_COLUMNS STORE_REVISION_COLUMNS

void store_revision_meta_read(struct arena *a, sqlite3_stmt *st, struct revision_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->entry_id = sqlite3_column_int64(st, 1);
    r->number = sqlite3_column_int(st, 2);
    r->parent_number = sqlite3_column_int(st, 3);
    r->author_id = sqlite3_column_int64(st, 4);
    r->author_name = col_text(a, st, 5);
    r->created = sqlite3_column_int64(st, 6);
    r->comment = col_text(a, st, 7);
    r->state = col_text(a, st, 8);
    r->card = col_text(a, st, 9);
    r->spam_score = sqlite3_column_int(st, 10);
    r->spam_reasons = col_text(a, st, 11);
    r->fields = r->rendered = NULL;
}

void store_revision_row_read(struct arena *a, sqlite3_stmt *st, struct revision_row *r)
{
    store_revision_meta_read(a, st, r);
    r->fields = col_text(a, st, 12);
    r->rendered = col_text(a, st, 13);
}

int store_revision_get(struct store *s, struct arena *a, long long entry_id, int number,
                       struct revision_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " REVISION_COLUMNS " FROM revisions r"
                                     " LEFT JOIN users u ON u.id = r.author_id"
                                     " WHERE r.entry_id = ?1 AND r.number = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int(st, 2, number);
    int rc = sqlite3_step(st), ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        store_revision_row_read(a, st, out);
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        store_log_error(s, "revision_get");
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_revisions_list(struct store *s, struct arena *a, long long entry_id,
                         struct revision_row **out, int *n)
{
    return store_revisions_from(s, a, entry_id, 0, out, n);
}

int store_revisions_from(struct store *s, struct arena *a, long long entry_id, int from,
                         struct revision_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " REVISION_META_COLUMNS " FROM revisions r"
                                     " LEFT JOIN users u ON u.id = r.author_id"
                                     " WHERE r.entry_id = ?1 AND r.number >= ?2"
                                     " ORDER BY r.number DESC LIMIT 1000");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int(st, 2, from);
    int cap = 16, len = 0;
    struct revision_row *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            struct revision_row *nv = arena_alloc(a, sizeof(*v) * (size_t)cap * 2);
            memcpy(nv, v, sizeof(*v) * (size_t)len);
            v = nv;
            cap *= 2;
        }
        store_revision_meta_read(a, st, &v[len++]);
    }
    store_done(st);
    *out = v;
    *n = len;
    if (rc != SQLITE_DONE) {
        store_log_error(s, "revisions_list");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_entry_authors(struct store *s, struct arena *a, long long entry_id, const char ***out,
                        int *n)
{
    /* In revision order straight from the index revisions_authors, the first occurrence of each
     * author kept here: two temporary b-trees (GROUP BY, then ORDER BY min) cost more than the
     * few dozen rows a record has. */
    sqlite3_stmt *st = store_stmt(s, "SELECT r.author_id, u.name FROM revisions r JOIN users u"
                                     " ON u.id = r.author_id WHERE r.entry_id = ?1"
                                     " AND r.state = 'published' ORDER BY r.number");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    const char **v = arena_alloc(a, sizeof(*v) * STORE_AUTHORS_MAX);
    long long *seen = arena_alloc(a, sizeof(*seen) * STORE_AUTHORS_MAX);
    int len = 0, rc = SQLITE_DONE;
    while (len < STORE_AUTHORS_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long author = sqlite3_column_int64(st, 0);
        bool known = false;
        for (int i = 0; i < len && !known; i++)
            known = seen[i] == author;
        if (known)
            continue;
        seen[len] = author;
        v[len++] = col_text(a, st, 1);
    }
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, "entry_authors");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_entries_authors(struct store *s, struct arena *a, const long long *ids, int nids,
                          struct entry_authors_row *out)
{
    /* One query for a page of entries rather than one per entry; the ids travel as a JSON
     * array, a bound parameter like any other. */
    /* In revision order straight from the index revisions_authors; each entry's authors in
     * order of first contribution are the first occurrences (kept below), as in
     * store_entry_authors, without a sort in SQL. */
    sqlite3_stmt *st = store_stmt(
        s, "SELECT r.entry_id, r.author_id, u.name FROM revisions r JOIN users u"
           " ON u.id = r.author_id"
           " WHERE r.entry_id IN (SELECT value FROM json_each(?1)) AND r.state = 'published'"
           " ORDER BY r.entry_id, r.number");
    if (!st)
        return STORE_ERR;
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    for (int i = 0; i < nids; i++) {
        buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
        out[i].names = NULL;
        out[i].n = 0;
    }
    buf_putc(&b, ']');
    sqlite3_bind_text(st, 1, buf_cstr(&b), (int)b.len, SQLITE_STATIC);
    long long *seen = arena_alloc(a, sizeof(*seen) * STORE_AUTHORS_MAX);
    long long cur = -1;
    int nseen = 0, slot = -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0), author = sqlite3_column_int64(st, 1);
        if (id != cur) {
            cur = id;
            nseen = 0;
            slot = -1;
            for (int i = 0; i < nids && slot < 0; i++)
                if (ids[i] == id)
                    slot = i;
        }
        if (slot < 0 || nseen >= STORE_AUTHORS_MAX)
            continue;
        bool known = false;
        for (int i = 0; i < nseen && !known; i++)
            known = seen[i] == author;
        if (known)
            continue;
        seen[nseen++] = author;
        if (!out[slot].names)
            out[slot].names = arena_alloc(a, sizeof(*out[slot].names) * STORE_AUTHORS_MAX);
        out[slot].names[out[slot].n++] = col_text(a, st, 2);
    }
    store_done(st);
    buf_free(&b);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "entries_authors");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_terms_replace(struct store *s, long long entry_id, const char *const *facets,
                        const char *const *values, int n)
{
    sqlite3_stmt *del = store_stmt(s, "DELETE FROM entry_terms WHERE entry_id = ?1");
    sqlite3_stmt *ins = store_stmt(s, "INSERT OR IGNORE INTO entry_terms(entry_id, facet, value)"
                                      " VALUES (?1, ?2, ?3)");
    if (!del || !ins)
        return STORE_ERR;
    sqlite3_bind_int64(del, 1, entry_id);
    int rc = sqlite3_step(del) == SQLITE_DONE ? STORE_OK : STORE_ERR;
    store_done(del);
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        sqlite3_bind_int64(ins, 1, entry_id);
        sqlite3_bind_text(ins, 2, facets[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, values[i], -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = STORE_ERR;
        store_done(ins);
    }
    if (rc != STORE_OK)
        store_log_error(s, "terms_replace");
    return rc;
}

static int summaries_read(struct arena *a, sqlite3_stmt *st, int limit,
                          struct entry_summary_row **out, int *n)
{
    struct entry_summary_row *v = arena_alloc(a, sizeof(*v) * (size_t)(limit > 0 ? limit : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct entry_summary_row *r = &v[len++];
        r->id = sqlite3_column_int64(st, 0);
        r->slug = col_text(a, st, 1);
        r->created = sqlite3_column_int64(st, 2);
        r->updated = sqlite3_column_int64(st, 3);
        r->revision = sqlite3_column_int(st, 4);
        r->fields = col_text(a, st, 5);
        r->fields_len = (size_t)sqlite3_column_bytes(st, 5);
    }
    *out = v;
    *n = len;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
}

/* The texts of the list, count and facet-count statements for each number of filters and
 * order, made once (store_stmt caches statements by the address of their text, so each must
 * stay where it is). Filters are EXISTS conditions on entry_terms' key, their facet and value
 * bound as ?4/?5, ?6/?7… (the list's ?1 kind, ?2 limit, ?3 offset; the facet count's ?1 kind,
 * ?2 facet; SQLite allows the numbers in between unused). */
enum { SQL_ORDERS = 3 };
static char *list_sql[STORE_MAX_FILTERS + 1][SQL_ORDERS][2];
static char *count_sql[STORE_MAX_FILTERS + 1];
static char *facet_sql[STORE_MAX_FILTERS + 1];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void sql_filters(struct buf *b, int nf)
{
    for (int i = 0; i < nf; i++)
        buf_printf(b,
                   " AND EXISTS (SELECT 1 FROM entry_terms f%d WHERE f%d.entry_id = e.id"
                   " AND f%d.facet = ?%d AND f%d.value = ?%d)",
                   i, i, i, 4 + 2 * i, i, 5 + 2 * i);
}

static char *sql_keep(struct buf *b)
{
    size_t len;
    return buf_detach(b, &len);
}

static void sql_make(void)
{
    static const char *const orders[SQL_ORDERS] = {
        [STORE_ORDER_UPDATED] = " ORDER BY e.updated DESC, e.id DESC",
        [STORE_ORDER_KEY_ASC] = " ORDER BY e.sort_key ASC, e.id ASC",
        [STORE_ORDER_KEY_DESC] = " ORDER BY e.sort_key DESC, e.updated DESC, e.id DESC",
    };
    for (int nf = 0; nf <= STORE_MAX_FILTERS; nf++) {
        struct buf b = BUF_INIT;
        buf_puts(&b, "SELECT count(*) FROM entries e WHERE e.kind = ?1 AND " ENTRY_LISTED
                     " AND e.published_rev IS NOT NULL");
        sql_filters(&b, nf);
        count_sql[nf] = sql_keep(&b);
        buf_puts(&b, "SELECT t.value, count(*) FROM entry_terms t JOIN entries e"
                     " ON e.id = t.entry_id WHERE t.facet = ?2 AND e.kind = ?1 AND " ENTRY_LISTED
                     " AND e.published_rev IS NOT NULL");
        sql_filters(&b, nf);
        buf_puts(&b, " GROUP BY t.value ORDER BY t.value");
        facet_sql[nf] = sql_keep(&b);
        for (int o = 0; o < SQL_ORDERS; o++)
            for (int whole = 0; whole < 2; whole++) {
                /* The same query for the card and for every field (whole), so both list the
                 * same rows; the card from the index, never from the big row. */
                buf_puts(&b, whole ? "SELECT e.id, e.slug, e.created, e.updated, r.number,"
                                     " r.fields FROM entries e JOIN revisions r"
                                   : "SELECT e.id, e.slug, e.created, e.updated, r.number,"
                                     " r.card FROM entries e"
                                     " JOIN revisions r INDEXED BY revisions_cards");
                buf_puts(&b, " ON r.entry_id = e.id AND r.number = e.published_rev"
                             " WHERE e.kind = ?1 AND " ENTRY_LISTED);
                sql_filters(&b, nf);
                buf_puts(&b, orders[o]);
                buf_puts(&b, " LIMIT ?2 OFFSET ?3");
                list_sql[nf][o][whole] = sql_keep(&b);
            }
        buf_free(&b);
    }
}

static void sql_bind_filters(sqlite3_stmt *st, const struct store_filter *f, int nf)
{
    for (int i = 0; i < nf; i++) {
        sqlite3_bind_text(st, 4 + 2 * i, f[i].facet, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5 + 2 * i, f[i].value, -1, SQLITE_STATIC);
    }
}

static int entries_count(struct store *s, sqlite3_stmt *cnt, const char *kind,
                         const struct store_filter *filters, int nf, int *total);

int store_entries_list(struct store *s, struct arena *a, const char *kind,
                       const struct store_filter *filters, int nf, enum store_order order,
                       int offset, int limit, bool whole, struct entry_summary_row **out, int *n,
                       int *total)
{
    if (nf < 0 || nf > STORE_MAX_FILTERS || (unsigned)order >= SQL_ORDERS)
        return STORE_ERR;
    pthread_once(&sql_once, sql_make);
    sqlite3_stmt *cnt = store_stmt(s, count_sql[nf]);
    sqlite3_stmt *st = store_stmt(s, list_sql[nf][order][whole]);
    if (!cnt || !st)
        return STORE_ERR;
    sqlite3_bind_text(cnt, 1, kind, -1, SQLITE_STATIC);
    sql_bind_filters(cnt, filters, nf);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_int(st, 3, offset);
    sql_bind_filters(st, filters, nf);
    if (entries_count(s, cnt, kind, filters, nf, total) != STORE_OK) {
        store_done(st); /* its bindings point into this request's arena */
        return STORE_ERR;
    }
    int rc = summaries_read(a, st, limit, out, n);
    store_done(st);
    return rc;
}

int store_entries_featured(struct store *s, struct arena *a, const char *kind, int limit,
                           struct entry_summary_row **out, int *n)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT e.id, e.slug, e.created, e.updated, r.number, r.card FROM entries e"
                      " JOIN revisions r INDEXED BY revisions_cards"
                      "   ON r.entry_id = e.id AND r.number = e.published_rev"
                      " WHERE e.kind = ?1 AND " ENTRY_LISTED " AND e.featured = 1"
                      " ORDER BY e.updated DESC LIMIT ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    int rc = summaries_read(a, st, limit, out, n);
    store_done(st);
    return rc;
}

int store_entries_counts(struct store *s, const char *kind, int *entries, int *communes,
                         int *contributors)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT (SELECT count(*) FROM entries e WHERE e.kind = ?1 AND " ENTRY_LISTED
           "   AND e.published_rev IS NOT NULL),"
           " (SELECT count(DISTINCT t.value) FROM entry_terms t JOIN entries e ON e.id = t.entry_id"
           "   WHERE t.facet = 'commune' AND e.kind = ?1 AND " ENTRY_LISTED "),"
           " (SELECT count(DISTINCT r.author_id) FROM revisions r JOIN entries e"
           "   ON e.id = r.entry_id WHERE e.kind = ?1 AND " ENTRY_LISTED
           "   AND r.state = 'published')");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    int rc = STORE_ERR;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *entries = sqlite3_column_int(st, 0);
        *communes = sqlite3_column_int(st, 1);
        *contributors = sqlite3_column_int(st, 2);
        rc = STORE_OK;
    }
    store_done(st);
    return rc;
}

int store_entries_check(struct store *s)
{
    static const struct {
        const char *sql, *what;
    } checks[] = {
        {"SELECT slug FROM entries e WHERE latest_rev <> (SELECT coalesce(max(number), 0)"
         " FROM revisions r WHERE r.entry_id = e.id)",
         "latest_rev ne correspond pas à la dernière révision"},
        {"SELECT slug FROM entries e WHERE published_rev IS NOT NULL AND NOT EXISTS (SELECT 1"
         " FROM revisions r WHERE r.entry_id = e.id AND r.number = e.published_rev"
         " AND r.state = 'published')",
         "published_rev désigne une révision absente ou non publiée"},
        {"SELECT e.slug FROM entries e WHERE EXISTS (SELECT 1 FROM revisions r WHERE"
         " r.entry_id = e.id AND r.number > 1 AND (r.parent_number IS NULL OR"
         " r.parent_number >= r.number))",
         "révision dont le parent est incohérent"},
        {"SELECT e.slug FROM entries e JOIN revisions r ON r.entry_id = e.id"
         " WHERE json_valid(r.fields) = 0 OR json_type(r.fields) <> 'object'",
         "révision dont les champs ne sont pas un objet JSON"},
        {"SELECT o.slug FROM old_slugs o JOIN entries e ON e.slug = o.slug",
         "ancien nom identique à un nom actuel"},
        {"SELECT e.slug FROM entries e WHERE e.slug = '' OR e.slug GLOB '*[^a-z0-9-]*'",
         "nom d'URL invalide"},
        {"SELECT t.entry_id FROM entry_terms t WHERE t.facet = 'commune'"
         " AND NOT EXISTS (SELECT 1 FROM communes c WHERE c.insee = t.value)",
         "commune inconnue"},
        {"SELECT t.entry_id FROM entry_terms t WHERE t.facet = 'themes'"
         " AND NOT EXISTS (SELECT 1 FROM themes h WHERE h.id = t.value)",
         "thème inconnu"},
        {"SELECT 'settings' WHERE (SELECT count(*) FROM settings WHERE key IN"
         " ('site_name','territory_name','base_url','license')) <> 4",
         "réglages du site incomplets"},
    };
    int problems = 0;
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, checks[i].sql, -1, &st, NULL) != SQLITE_OK) {
            store_log_error(s, "check");
            problems++;
            continue;
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
            fprintf(stderr, "incohérence : %s (%s)\n", checks[i].what,
                    (const char *)sqlite3_column_text(st, 0));
            problems++;
        }
        sqlite3_finalize(st);
    }
    return problems;
}

int store_slug_max_suffix(struct store *s, const char *base, long long *max)
{
    /* base is [a-z0-9-]: "base-" .. "base." bounds every "base-N" for the slug indexes, and a
     * number of more than 18 digits is left out so that the next one cannot overflow. */
    sqlite3_stmt *st = store_stmt(
        s, "SELECT max(CAST(substr(slug, length(?1) + 2) AS INTEGER)) FROM ("
           "  SELECT slug FROM entries WHERE slug > ?1 || '-' AND slug < ?1 || '.'"
           "  UNION ALL SELECT slug FROM old_slugs WHERE slug > ?1 || '-' AND slug < ?1 || '.')"
           " WHERE substr(slug, length(?1) + 2) GLOB '[1-9]*'"
           "   AND substr(slug, length(?1) + 2) NOT GLOB '*[^0-9]*'"
           "   AND length(slug) <= length(?1) + 19");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, base, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *max = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "slug suffix");
        return STORE_ERR;
    }
    return STORE_OK;
}

/* One memorised answer of store_entries_facet_counts, in malloc'd memory. */
struct store_memo {
    char *key;
    long long stamp;
    struct facet_count_row *rows; /* values in one block after the rows */
    int n;
};
#define STORE_MEMO_MAX 64

void store_memo_free(struct store *s)
{
    for (int i = 0; i < s->nmemo; i++) {
        free(s->memo[i].key);
        free(s->memo[i].rows);
    }
    free(s->memo);
    s->memo = NULL;
    s->nmemo = s->memo_next = 0;
}

static char *memo_key(const char *const *parts, int n)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++) {
        /* \x1f cannot occur in a kind, facet or value that reaches the store; NULL is \x1e. */
        buf_puts(&b, parts[i] ? parts[i] : "\x1e");
        buf_putc(&b, '\x1f');
    }
    size_t len;
    return buf_detach(&b, &len);
}

static struct store_memo *memo_find(struct store *s, const char *key, long long stamp)
{
    for (int i = 0; i < s->nmemo; i++)
        if (s->memo[i].stamp == stamp && strcmp(s->memo[i].key, key) == 0)
            return &s->memo[i];
    return NULL;
}

static void memo_keep(struct store *s, char *key, long long stamp,
                      const struct facet_count_row *rows, int n)
{
    size_t bytes = sizeof(*rows) * (size_t)n;
    for (int i = 0; i < n; i++)
        bytes += strlen(rows[i].value) + 1;
    struct facet_count_row *copy = malloc(bytes ? bytes : 1);
    if (!copy) {
        free(key);
        return;
    }
    char *text = (char *)(copy + n);
    for (int i = 0; i < n; i++) {
        size_t l = strlen(rows[i].value) + 1;
        memcpy(text, rows[i].value, l);
        copy[i] = (struct facet_count_row){text, rows[i].count};
        text += l;
    }
    if (!s->memo) {
        s->memo = calloc(STORE_MEMO_MAX, sizeof(*s->memo));
        if (!s->memo) {
            free(key);
            free(copy);
            return;
        }
    }
    /* An answer for the same key under an older stamp is replaced first, then round robin. */
    int slot = -1;
    for (int i = 0; i < s->nmemo && slot < 0; i++)
        if (strcmp(s->memo[i].key, key) == 0)
            slot = i;
    if (slot < 0 && s->nmemo < STORE_MEMO_MAX)
        slot = s->nmemo++;
    if (slot < 0) {
        slot = s->memo_next;
        s->memo_next = (s->memo_next + 1) % STORE_MEMO_MAX;
    }
    if (slot < s->nmemo && s->memo[slot].key) {
        free(s->memo[slot].key);
        free(s->memo[slot].rows);
    }
    s->memo[slot] = (struct store_memo){key, stamp, copy, n};
}

static int facet_counts_query(struct store *s, struct arena *a, const char *kind, const char *facet,
                              const struct store_filter *filters, int nf,
                              struct facet_count_row **out, int *n)
{
    /* The visibility of store_entries_list (published, listed), counted per term value;
     * entry_terms' key (facet, value, entry_id) makes count(*) a count of entries. */
    pthread_once(&sql_once, sql_make);
    sqlite3_stmt *st = store_stmt(s, facet_sql[nf]);
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, facet, -1, SQLITE_STATIC);
    sql_bind_filters(st, filters, nf);
    struct facet_count_row *v = NULL;
    int len = 0, cap = 0, rc = SQLITE_DONE;
    while (len < STORE_FACET_MAX_VALUES && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 32;
            struct facet_count_row *grown = arena_alloc(a, sizeof(*grown) * (size_t)cap);
            if (len)
                memcpy(grown, v, sizeof(*v) * (size_t)len);
            v = grown;
        }
        v[len].value = col_text(a, st, 0);
        v[len].count = sqlite3_column_int(st, 1);
        len++;
    }
    if (len == STORE_FACET_MAX_VALUES)
        rc = SQLITE_DONE; /* more values than any facet has: the rest are left out */
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "entries_facet_counts");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

/* The count of a list, memorised like the facet counts: it changes only with the file, and
 * counting grows with the kind. cnt is bound already. */
static int entries_count(struct store *s, sqlite3_stmt *cnt, const char *kind,
                         const struct store_filter *filters, int nf, int *total)
{
    const char *parts[2 + 2 * STORE_MAX_FILTERS] = {"\x1d"
                                                    "count",
                                                    kind};
    for (int i = 0; i < nf; i++) {
        parts[2 + 2 * i] = filters[i].facet;
        parts[3 + 2 * i] = filters[i].value;
    }
    long long stamp = store_stamp(s);
    char *key = memo_key(parts, 2 + 2 * nf);
    struct store_memo *m = stamp != STORE_ERR ? memo_find(s, key, stamp) : NULL;
    if (m && m->n == 1) {
        free(key);
        *total = m->rows[0].count;
        store_done(cnt);
        return STORE_OK;
    }
    int rc = sqlite3_step(cnt);
    *total = rc == SQLITE_ROW ? sqlite3_column_int(cnt, 0) : 0;
    store_done(cnt);
    if (rc != SQLITE_ROW) {
        free(key);
        store_log_error(s, "entries_count");
        return STORE_ERR;
    }
    struct facet_count_row row = {"", *total};
    if (stamp != STORE_ERR && store_stamp(s) == stamp)
        memo_keep(s, key, stamp, &row, 1);
    else
        free(key);
    return STORE_OK;
}

int store_entries_facet_counts(struct store *s, struct arena *a, const char *kind,
                               const char *facet, const struct store_filter *filters, int nf,
                               struct facet_count_row **out, int *n)
{
    if (nf < 0 || nf > STORE_MAX_FILTERS)
        return STORE_ERR;
    /* Every list page asks for the same few counts, and they only change with the file: they
     * are read again only when its stamp moved (a write here, or a commit by anyone else). */
    const char *parts[2 + 2 * STORE_MAX_FILTERS] = {kind, facet};
    for (int i = 0; i < nf; i++) {
        parts[2 + 2 * i] = filters[i].facet;
        parts[3 + 2 * i] = filters[i].value;
    }
    long long stamp = store_stamp(s);
    char *key = memo_key(parts, 2 + 2 * nf);
    struct store_memo *m = stamp != STORE_ERR ? memo_find(s, key, stamp) : NULL;
    if (m) {
        free(key);
        struct facet_count_row *v = m->n ? arena_alloc(a, sizeof(*v) * (size_t)m->n) : NULL;
        for (int i = 0; i < m->n; i++)
            v[i] = (struct facet_count_row){arena_strdup(a, m->rows[i].value), m->rows[i].count};
        *out = v;
        *n = m->n;
        return STORE_OK;
    }
    int rc = facet_counts_query(s, a, kind, facet, filters, nf, out, n);
    /* Kept only when nothing changed while reading: the stamp then names what was read. */
    if (rc == STORE_OK && stamp != STORE_ERR && store_stamp(s) == stamp)
        memo_keep(s, key, stamp, *out, *n);
    else
        free(key);
    return rc;
}

int store_text_repeats(struct store *s, long long text_hash, long long author_id,
                       long long entry_id, long long since, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT count(DISTINCT coalesce(author_id, 0))"
                                     " FROM revisions WHERE text_hash = ?1 AND created > ?4"
                                     " AND state <> 'rejected'"
                                     " AND coalesce(author_id, 0) <> ?2 AND entry_id <> ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, text_hash);
    sqlite3_bind_int64(st, 2, author_id);
    sqlite3_bind_int64(st, 3, entry_id);
    sqlite3_bind_int64(st, 4, since);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    store_done(st);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "text_repeats");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_entry_set_sort_key(struct store *s, long long id, const char *key)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE entries SET sort_key = ?2 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    return store_step_done(s, st, "entry_sort_key");
}

int store_revision_set_card(struct store *s, long long entry_id, int number, const char *card)
{
    sqlite3_stmt *st =
        store_stmt(s, "UPDATE revisions SET card = ?3 WHERE entry_id = ?1 AND number = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int(st, 2, number);
    sqlite3_bind_text(st, 3, card, -1, SQLITE_STATIC);
    return store_step_done(s, st, "revision_card");
}

int store_entries_published_after(struct store *s, struct arena *a, long long after, int limit,
                                  struct entry_published_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT e.id, e.kind, r.number, r.fields, e.created,"
                                     " e.updated, e.deleted, e.hidden FROM entries e"
                                     " JOIN revisions r ON r.entry_id = e.id"
                                     "   AND r.number = e.published_rev"
                                     " WHERE e.id > ?1 ORDER BY e.id LIMIT ?2");
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, limit);
    struct entry_published_row *v = arena_alloc(a, sizeof(*v) * (size_t)(limit > 0 ? limit : 1));
    int len = 0, rc;
    while (len < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        v[len].id = sqlite3_column_int64(st, 0);
        v[len].kind = col_text(a, st, 1);
        v[len].number = sqlite3_column_int(st, 2);
        v[len].fields = col_text(a, st, 3);
        v[len].created = sqlite3_column_int64(st, 4);
        v[len].updated = sqlite3_column_int64(st, 5);
        v[len].deleted = sqlite3_column_int(st, 6) != 0;
        v[len].hidden = sqlite3_column_int(st, 7);
        len++;
    }
    if (len == limit)
        rc = SQLITE_DONE;
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "entries_published_after");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_entries_published_count(struct store *s, long long *n)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT count(*) FROM entries WHERE published_rev IS NOT NULL");
    if (!st)
        return STORE_ERR;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}
