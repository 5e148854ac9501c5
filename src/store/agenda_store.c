/* agenda_store.c — the occurrences of events, the overrides of a series' occurrences, and the
 * reads of the agenda and its feeds (see agenda_store.h). The agenda is one range scan of
 * occurrences_start; each filter is an EXISTS on the primary key of entry_terms or relations,
 * and an occurrence some other listed entry changes is left out by an EXISTS on
 * occurrence_overrides_series. The statements for each number of filters are made once. */
#include "store/agenda_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include <pthread.h>
#include <string.h>

/* The rule of entry_store.c for an entry the public sees in lists, on alias x. */
#define AGENDA_LISTED(x) x ".deleted = 0 AND " x ".hidden = 0 AND " x ".published_rev IS NOT NULL"

int store_occurrences_replace(struct store *s, long long entry_id, const long long *starts,
                              const long long *ends, int n)
{
    sqlite3_stmt *del = store_stmt(s, "DELETE FROM occurrences WHERE entry_id = ?1");
    sqlite3_stmt *ins = store_stmt(s, "INSERT OR IGNORE INTO occurrences(entry_id, start, end)"
                                      " VALUES (?1, ?2, ?3)");
    if (!del || !ins)
        return STORE_ERR;
    sqlite3_bind_int64(del, 1, entry_id);
    int rc = store_step_done(s, del, "occurrences_delete");
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        sqlite3_bind_int64(ins, 1, entry_id);
        sqlite3_bind_int64(ins, 2, starts[i]);
        sqlite3_bind_int64(ins, 3, ends[i]);
        rc = store_step_done(s, ins, "occurrences_insert");
    }
    return rc == STORE_OK ? STORE_OK : STORE_ERR;
}

int store_override_set(struct store *s, long long override_id, long long series_id,
                       long long replaces)
{
    sqlite3_stmt *st;
    if (series_id == 0) {
        st = store_stmt(s, "DELETE FROM occurrence_overrides WHERE override_id = ?1");
        if (!st)
            return STORE_ERR;
        sqlite3_bind_int64(st, 1, override_id);
        return store_step_done(s, st, "override_delete");
    }
    st = store_stmt(s, "INSERT OR REPLACE INTO occurrence_overrides(override_id, series_id,"
                       " replaces) VALUES (?1, ?2, ?3)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, override_id);
    sqlite3_bind_int64(st, 2, series_id);
    sqlite3_bind_int64(st, 3, replaces);
    return store_step_done(s, st, "override_set");
}

/* An occurrence of series o that a listed entry changes. */
#define AGENDA_REPLACED                                                                            \
    "EXISTS (SELECT 1 FROM occurrence_overrides v JOIN entries ve ON ve.id = v.override_id"        \
    " WHERE v.series_id = o.entry_id AND v.replaces = o.start AND v.override_id <> o.entry_id"     \
    " AND " AGENDA_LISTED("ve") ")"

/* Parameters: the list's ?1 from, ?2 to, ?3 kind, ?4 limit, ?5 offset, ?6 the place field;
 * the feed's ?1 kind, ?2 after, ?4 limit. Terms from ?10 (facet, value), relations from ?40
 * (field, id). */
enum { AGENDA_TERM_PARAM = 10, AGENDA_REL_PARAM = 40 };
static char *list_sql[STORE_MAX_FILTERS + 1][STORE_AGENDA_MAX_RELS + 1];
static char *feed_sql[STORE_MAX_FILTERS + 1][STORE_AGENDA_MAX_RELS + 1];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void sql_conditions(struct buf *b, int nterms, int nrels)
{
    for (int i = 0; i < nterms; i++)
        buf_printf(b,
                   " AND EXISTS (SELECT 1 FROM entry_terms t%d WHERE t%d.facet = ?%d"
                   " AND t%d.value = ?%d AND t%d.entry_id = e.id)",
                   i, i, AGENDA_TERM_PARAM + 2 * i, i, AGENDA_TERM_PARAM + 2 * i + 1, i);
    for (int i = 0; i < nrels; i++)
        buf_printf(b,
                   " AND EXISTS (SELECT 1 FROM relations l%d WHERE l%d.from_id = e.id"
                   " AND l%d.field = ?%d AND l%d.to_id = ?%d)",
                   i, i, i, AGENDA_REL_PARAM + 2 * i, i, AGENDA_REL_PARAM + 2 * i + 1);
}

static void sql_make(void)
{
    for (int nt = 0; nt <= STORE_MAX_FILTERS; nt++)
        for (int nr = 0; nr <= STORE_AGENDA_MAX_RELS; nr++) {
            struct buf b = BUF_INIT;
            size_t len;
            /* The place: the first listed entry of the place field, slug and title joined by a
             * unit separator (one subquery per row, on primary keys). */
            buf_puts(&b,
                     "SELECT o.entry_id, o.start, o.end, e.slug, r.card,"
                     " (SELECT pe.slug || char(31) || coalesce(json_extract(pr.card,"
                     " '$.title'), '') FROM relations pl JOIN entries pe ON pe.id = pl.to_id"
                     " JOIN revisions pr INDEXED BY revisions_cards ON pr.entry_id = pe.id"
                     " AND pr.number = pe.published_rev WHERE pl.from_id = e.id"
                     " AND pl.field = ?6 AND " AGENDA_LISTED(
                         "pe") " ORDER BY pl.position"
                               " LIMIT 1)"
                               " FROM occurrences o INDEXED BY occurrences_start"
                               " JOIN entries e ON e.id = o.entry_id"
                               " JOIN revisions r INDEXED BY revisions_cards ON r.entry_id = e.id"
                               " AND r.number = e.published_rev"
                               " WHERE o.start >= ?1 AND o.start < ?2 AND e.kind = ?3"
                               " AND " AGENDA_LISTED("e") " AND NOT " AGENDA_REPLACED);
            sql_conditions(&b, nt, nr);
            buf_puts(&b, " ORDER BY o.start, o.entry_id LIMIT ?4 OFFSET ?5");
            list_sql[nt][nr] = buf_detach(&b, &len);
            buf_puts(&b, "SELECT e.id, e.updated, e.slug, r.fields FROM entries e"
                         " JOIN revisions r ON r.entry_id = e.id AND r.number = e.published_rev"
                         " WHERE e.kind = ?1 AND e.id > ?2 AND " AGENDA_LISTED("e"));
            sql_conditions(&b, nt, nr);
            buf_puts(&b, " ORDER BY e.id LIMIT ?4");
            feed_sql[nt][nr] = buf_detach(&b, &len);
        }
}

static void sql_bind_conditions(sqlite3_stmt *st, const struct store_filter *terms, int nterms,
                                const struct store_rel_filter *rels, int nrels)
{
    for (int i = 0; i < nterms; i++) {
        sqlite3_bind_text(st, AGENDA_TERM_PARAM + 2 * i, terms[i].facet, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, AGENDA_TERM_PARAM + 2 * i + 1, terms[i].value, -1, SQLITE_STATIC);
    }
    for (int i = 0; i < nrels; i++) {
        sqlite3_bind_text(st, AGENDA_REL_PARAM + 2 * i, rels[i].field, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, AGENDA_REL_PARAM + 2 * i + 1, rels[i].to_id);
    }
}

/* An arena array that grows by doubling, for rows read one by one. */
static void *rows_grow(struct arena *a, void *rows, int len, int *cap, size_t size)
{
    if (len < *cap)
        return rows;
    *cap = *cap ? *cap * 2 : 32;
    void *grown = arena_alloc(a, size * (size_t)*cap);
    if (len)
        memcpy(grown, rows, size * (size_t)len);
    return grown;
}

int store_agenda_list(struct store *s, struct arena *a, const char *kind, long long from,
                      long long to, const struct store_filter *terms, int nterms,
                      const struct store_rel_filter *rels, int nrels, const char *place_field,
                      int offset, int limit, struct agenda_row **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (nterms < 0 || nterms > STORE_MAX_FILTERS || nrels < 0 || nrels > STORE_AGENDA_MAX_RELS)
        return STORE_ERR;
    pthread_once(&sql_once, sql_make);
    sqlite3_stmt *st = store_stmt(s, list_sql[nterms][nrels]);
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, limit);
    sqlite3_bind_int(st, 5, offset);
    sqlite3_bind_text(st, 6, place_field ? place_field : "", -1, SQLITE_STATIC);
    sql_bind_conditions(st, terms, nterms, rels, nrels);
    struct agenda_row *v = NULL;
    int len = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        v = rows_grow(a, v, len, &cap, sizeof *v);
        struct agenda_row *r = &v[len++];
        r->entry_id = sqlite3_column_int64(st, 0);
        r->start = sqlite3_column_int64(st, 1);
        r->end = sqlite3_column_int64(st, 2);
        r->slug = store_text(a, st, 3);
        r->card = store_text(a, st, 4);
        r->card_len = (size_t)sqlite3_column_bytes(st, 4);
        r->place_slug = r->place_title = NULL;
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
            char *p = (char *)store_text(a, st, 5);
            char *sep = strchr(p, '\x1f');
            if (sep) {
                *sep = '\0';
                r->place_slug = p;
                r->place_title = sep + 1;
            }
        }
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "agenda_list");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

static const char occurrences_sql[] =
    "SELECT o.start, o.end, coalesce((SELECT v.override_id FROM occurrence_overrides v"
    " JOIN entries ve ON ve.id = v.override_id WHERE v.series_id = o.entry_id"
    " AND v.replaces = o.start AND v.override_id <> o.entry_id AND " AGENDA_LISTED(
        "ve") " LIMIT 1), 0) FROM occurrences o WHERE o.entry_id = ?1 AND o.start >= ?2"
              " ORDER BY o.start LIMIT ?3";

int store_occurrences_of(struct store *s, struct arena *a, long long entry_id, long long from,
                         int limit, struct occurrence_row **out, int *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = store_stmt(s, occurrences_sql);
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int(st, 3, limit);
    struct occurrence_row *v = NULL;
    int len = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        v = rows_grow(a, v, len, &cap, sizeof *v);
        v[len].start = sqlite3_column_int64(st, 0);
        v[len].end = sqlite3_column_int64(st, 1);
        v[len].replaced_by = sqlite3_column_int64(st, 2);
        len++;
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "occurrences_of");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_occurrence_get(struct store *s, long long entry_id, long long start,
                         struct occurrence_row *out)
{
    sqlite3_stmt *st = store_stmt(s, occurrences_sql);
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int(st, 3, 1);
    int rc = sqlite3_step(st);
    int status = STORE_NOTFOUND;
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == start) {
        out->start = start;
        out->end = sqlite3_column_int64(st, 1);
        out->replaced_by = sqlite3_column_int64(st, 2);
        status = STORE_OK;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "occurrence_get");
        status = STORE_ERR;
    }
    store_done(st);
    return status;
}

int store_overrides_of(struct store *s, struct arena *a, long long series_id,
                       struct override_row **out, int *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = store_stmt(
        s, "SELECT v.override_id, v.replaces, coalesce((SELECT min(o.start) FROM occurrences o"
           " WHERE o.entry_id = e.id), 0), coalesce((SELECT o.end FROM occurrences o"
           " WHERE o.entry_id = e.id ORDER BY o.start LIMIT 1), 0), e.slug, r.card, r.number"
           " FROM occurrence_overrides v INDEXED BY occurrence_overrides_series"
           " JOIN entries e ON e.id = v.override_id"
           " JOIN revisions r INDEXED BY revisions_cards ON r.entry_id = e.id"
           " AND r.number = e.published_rev"
           " WHERE v.series_id = ?1 AND v.override_id <> ?1 AND " AGENDA_LISTED(
               "e") " ORDER BY v.replaces LIMIT 500");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, series_id);
    struct override_row *v = NULL;
    int len = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        v = rows_grow(a, v, len, &cap, sizeof *v);
        struct override_row *r = &v[len++];
        r->override_id = sqlite3_column_int64(st, 0);
        r->replaces = sqlite3_column_int64(st, 1);
        r->start = sqlite3_column_int64(st, 2);
        r->end = sqlite3_column_int64(st, 3);
        r->slug = store_text(a, st, 4);
        r->card = store_text(a, st, 5);
        r->revision = sqlite3_column_int(st, 6);
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "overrides_of");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_override_series(struct store *s, long long override_id, long long *series_id,
                          long long *replaces)
{
    *series_id = 0;
    *replaces = 0;
    sqlite3_stmt *st =
        store_stmt(s, "SELECT v.series_id, v.replaces FROM occurrence_overrides v"
                      " JOIN entries e ON e.id = v.series_id WHERE v.override_id = ?1"
                      " AND v.series_id <> ?1 AND " AGENDA_LISTED("e"));
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, override_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *series_id = sqlite3_column_int64(st, 0);
        *replaces = sqlite3_column_int64(st, 1);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "override_series");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_agenda_feed(struct store *s, struct arena *a, const char *kind, long long after,
                      const struct store_filter *terms, int nterms,
                      const struct store_rel_filter *rels, int nrels, int limit,
                      struct feed_row **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (nterms < 0 || nterms > STORE_MAX_FILTERS || nrels < 0 || nrels > STORE_AGENDA_MAX_RELS)
        return STORE_ERR;
    pthread_once(&sql_once, sql_make);
    sqlite3_stmt *st = store_stmt(s, feed_sql[nterms][nrels]);
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 4, limit);
    sql_bind_conditions(st, terms, nterms, rels, nrels);
    struct feed_row *v = NULL;
    int len = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        v = rows_grow(a, v, len, &cap, sizeof *v);
        v[len].id = sqlite3_column_int64(st, 0);
        v[len].updated = sqlite3_column_int64(st, 1);
        v[len].slug = store_text(a, st, 2);
        v[len].fields = store_text(a, st, 3);
        len++;
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "agenda_feed");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_relation_targets(struct store *s, struct arena *a, const char *kind, const char *field,
                           const char *target_kind, int limit, struct target_row **out, int *n)
{
    *out = NULL;
    *n = 0;
    /* The target kind's listed entries in their order (a few hundred places or actors), each
     * kept when one listed entry of kind points to it by field: from the index of the "in"
     * side, never a scan of every relation of the site. */
    sqlite3_stmt *st = store_stmt(
        s,
        "SELECT t.id, t.slug, coalesce(json_extract(tr.card, '$.title'), t.slug)"
        " FROM entries t INDEXED BY entries_sorted JOIN revisions tr INDEXED BY revisions_cards"
        " ON tr.entry_id = t.id AND tr.number = t.published_rev"
        " WHERE t.kind = ?4 AND " AGENDA_LISTED(
            "t") " AND EXISTS (SELECT 1 FROM relations l INDEXED BY relations_to"
                 " JOIN entries e ON e.id = l.from_id WHERE l.to_id = t.id AND l.field = ?2"
                 " AND e.kind = ?1 AND " AGENDA_LISTED("e") ") ORDER BY t.sort_key, t.id LIMIT ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, limit);
    sqlite3_bind_text(st, 4, target_kind, -1, SQLITE_STATIC);
    struct target_row *v = NULL;
    int len = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        v = rows_grow(a, v, len, &cap, sizeof *v);
        v[len].id = sqlite3_column_int64(st, 0);
        v[len].slug = store_text(a, st, 1);
        v[len].title = store_text(a, st, 2);
        len++;
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "relation_targets");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}
