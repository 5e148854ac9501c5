/* report_store.c — SQL for readers' reports (see report_store.h). */
#include "store/report_store.h"
#include "util/arena.h"
#include <string.h>

int store_report_insert(struct store *s, long long entry_id, long long reporter_id,
                        const char *reason, const char *comment, long long now)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO reports(entry_id, reporter_id, reason, comment, created)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, reporter_id);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, comment ? comment : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    return store_step_done(s, st, "report_insert");
}

/* One integer answered by a statement already bound. */
static int report_one_int(struct store *s, sqlite3_stmt *st, long long *v, const char *what)
{
    int rc = sqlite3_step(st), ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        *v = sqlite3_column_int64(st, 0);
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        store_log_error(s, what);
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_report_open_count(struct store *s, long long entry_id, int *n)
{
    /* The unique index reports_open holds one row per (entry, reporter): a count of accounts. */
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM reports INDEXED BY reports_open"
                                     " WHERE entry_id = ?1 AND state = 'open'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    long long v = 0;
    int rc = report_one_int(s, st, &v, "report_open_count");
    *n = (int)v;
    return rc == STORE_NOTFOUND ? STORE_ERR : rc;
}

int store_report_nth_since(struct store *s, long long reporter_id, long long since, int n,
                           long long *created)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT created FROM reports INDEXED BY reports_by_reporter"
                                     " WHERE reporter_id = ?1 AND created > ?2"
                                     " ORDER BY created DESC LIMIT 1 OFFSET ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, reporter_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int(st, 3, n > 0 ? n - 1 : 0);
    return report_one_int(s, st, created, "report_nth_since");
}

int store_reports_close(struct store *s, long long entry_id, const char *state,
                        long long decided_by, long long now, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE reports SET state = ?2, decided_by = nullif(?3, 0),"
                                     " decided_at = ?4 WHERE entry_id = ?1 AND state = 'open'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, decided_by);
    sqlite3_bind_int64(st, 4, now);
    int rc = store_step_done(s, st, "reports_close");
    *n = rc == STORE_OK ? sqlite3_changes(s->db) : 0;
    return rc;
}

int store_reports_open_list(struct store *s, struct arena *a, int limit, struct report_row **out,
                            int *n)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT r.id, r.entry_id, e.kind, e.slug, e.hidden, coalesce(e.published_rev, 0),"
           " coalesce(v.card, '{}'), r.reason, r.comment, coalesce(u.name, ''), r.reporter_id,"
           " r.created"
           " FROM reports r JOIN entries e ON e.id = r.entry_id"
           " LEFT JOIN users u ON u.id = r.reporter_id"
           " LEFT JOIN revisions v ON v.entry_id = e.id AND v.number = e.published_rev"
           " WHERE r.state = 'open' AND e.deleted = 0"
           " ORDER BY e.hidden DESC, (SELECT min(o.created) FROM reports o"
           "   WHERE o.entry_id = r.entry_id AND o.state = 'open'), r.entry_id, r.created, r.id"
           " LIMIT ?1");
    if (!st)
        return STORE_ERR;
    if (limit > STORE_REPORTS_MAX)
        limit = STORE_REPORTS_MAX;
    sqlite3_bind_int(st, 1, limit);
    struct report_row *v = arena_alloc(a, sizeof(*v) * (size_t)(limit > 0 ? limit : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct report_row *r = &v[len++];
        r->id = sqlite3_column_int64(st, 0);
        r->entry_id = sqlite3_column_int64(st, 1);
        r->kind = store_text(a, st, 2);
        r->slug = store_text(a, st, 3);
        r->hidden = sqlite3_column_int(st, 4);
        r->published_rev = sqlite3_column_int(st, 5);
        r->card = store_text(a, st, 6);
        r->reason = store_text(a, st, 7);
        r->comment = store_text(a, st, 8);
        r->reporter = store_text(a, st, 9);
        r->reporter_id = sqlite3_column_int64(st, 10);
        r->created = sqlite3_column_int64(st, 11);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "reports_open_list");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}
