/* attendance_store.c — rows of registrations and the occurrences they are for (see
 * attendance_store.h). */
#include "store/attendance_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include <string.h>

#define REG_COLUMNS                                                                                \
    "id, entry_id, occurrence, coalesce(user_id, 0), name, email, state, confirmed, created,"      \
    " coalesce(promoted, 0), coalesce(cancelled, 0)"

static void reg_row_read(struct arena *a, sqlite3_stmt *st, struct registration_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->entry_id = sqlite3_column_int64(st, 1);
    r->occurrence = sqlite3_column_int64(st, 2);
    r->user_id = sqlite3_column_int64(st, 3);
    r->name = store_text(a, st, 4);
    r->email = store_text(a, st, 5);
    r->state = store_text(a, st, 6);
    r->confirmed = sqlite3_column_int(st, 7) != 0;
    r->created = sqlite3_column_int64(st, 8);
    r->promoted = sqlite3_column_int64(st, 9);
    r->cancelled = sqlite3_column_int64(st, 10);
}

/* Steps st for one row into out: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
static int reg_one(struct store *s, struct arena *a, sqlite3_stmt *st, struct registration_row *out,
                   const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        reg_row_read(a, st, out);
    else if (rc != SQLITE_DONE)
        store_log_error(s, what);
    store_done(st);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERR;
}

/* Steps st for every row into a growing arena array. */
static int reg_many(struct store *s, struct arena *a, sqlite3_stmt *st,
                    struct registration_row **out, int *n, const char *what)
{
    int cap = 16, k = 0, rc;
    struct registration_row *rows = arena_alloc(a, sizeof(*rows) * (size_t)cap);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            struct registration_row *more = arena_alloc(a, sizeof(*rows) * (size_t)cap * 2);
            memcpy(more, rows, sizeof(*rows) * (size_t)k);
            rows = more;
            cap *= 2;
        }
        reg_row_read(a, st, &rows[k++]);
    }
    if (rc != SQLITE_DONE)
        store_log_error(s, what);
    store_done(st);
    *out = rows;
    *n = k;
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
}

int store_registration_insert(struct store *s, const struct registration_row *r,
                              const char *token_hash, long long *id)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO registrations(entry_id, occurrence, user_id, name, email, state,"
                      " confirmed, token, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, r->entry_id);
    sqlite3_bind_int64(st, 2, r->occurrence);
    if (r->user_id > 0)
        sqlite3_bind_int64(st, 3, r->user_id);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, r->confirmed ? 1 : 0);
    sqlite3_bind_text(st, 8, token_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, r->created);
    int rc = store_step_done(s, st, "registration_insert");
    if (rc == STORE_OK)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_registration_get(struct store *s, struct arena *a, long long id,
                           struct registration_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " REG_COLUMNS " FROM registrations WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    return reg_one(s, a, st, out, "registration_get");
}

int store_registration_by_token(struct store *s, struct arena *a, const char *token_hash,
                                struct registration_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " REG_COLUMNS " FROM registrations WHERE token = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
    return reg_one(s, a, st, out, "registration_by_token");
}

int store_registration_counts(struct store *s, long long entry_id, long long occurrence,
                              int *registered, int *waiting)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT coalesce(sum(state = 'registered'), 0),"
                                     " coalesce(sum(state = 'waiting'), 0) FROM registrations"
                                     " WHERE entry_id = ?1 AND occurrence = ?2"
                                     " AND state IN ('registered', 'waiting')");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, occurrence);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *registered = sqlite3_column_int(st, 0);
        *waiting = sqlite3_column_int(st, 1);
    } else {
        store_log_error(s, "registration_counts");
    }
    store_done(st);
    return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

int store_registration_position(struct store *s, const struct registration_row *r, int *pos)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM registrations WHERE entry_id = ?1"
                                     " AND occurrence = ?2 AND state = ?3 AND id <= ?4");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, r->entry_id);
    sqlite3_bind_int64(st, 2, r->occurrence);
    sqlite3_bind_text(st, 3, r->state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, r->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *pos = sqlite3_column_int(st, 0);
    else
        store_log_error(s, "registration_position");
    store_done(st);
    return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

int store_registration_first_waiting(struct store *s, struct arena *a, long long entry_id,
                                     long long occurrence, struct registration_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " REG_COLUMNS " FROM registrations"
                                     " WHERE entry_id = ?1 AND occurrence = ?2"
                                     " AND state = 'waiting' ORDER BY id LIMIT 1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, occurrence);
    return reg_one(s, a, st, out, "registration_first_waiting");
}

/* Runs a one-id change and says STORE_NOTFOUND when it changed no row. */
static int reg_change(struct store *s, sqlite3_stmt *st, const char *what)
{
    int rc = store_step_done(s, st, what);
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_registration_cancel(struct store *s, long long id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE registrations SET state = 'cancelled', cancelled = ?2"
                                     " WHERE id = ?1 AND state != 'cancelled'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return reg_change(s, st, "registration_cancel");
}

int store_registration_promote(struct store *s, long long id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE registrations SET state = 'registered', promoted = ?2"
                                     " WHERE id = ?1 AND state = 'waiting'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return reg_change(s, st, "registration_promote");
}

int store_registration_confirm(struct store *s, long long id)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE registrations SET confirmed = 1"
                                     " WHERE id = ?1 AND state != 'cancelled'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    return reg_change(s, st, "registration_confirm");
}

int store_registrations_list(struct store *s, struct arena *a, long long entry_id, long long from,
                             int max, struct registration_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " REG_COLUMNS " FROM registrations"
                                     " WHERE entry_id = ?1 AND occurrence > ?2"
                                     " AND state IN ('registered', 'waiting')"
                                     " ORDER BY occurrence, state = 'waiting', id LIMIT ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int(st, 3, max);
    return reg_many(s, a, st, out, n, "registrations_list");
}

int store_registrations_of_user(struct store *s, struct arena *a, long long entry_id,
                                long long user_id, long long from, struct registration_row **out,
                                int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " REG_COLUMNS " FROM registrations"
                                     " WHERE user_id = ?2 AND entry_id = ?1 AND occurrence > ?3"
                                     " AND state IN ('registered', 'waiting')"
                                     " ORDER BY occurrence LIMIT 50");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, from);
    return reg_many(s, a, st, out, n, "registrations_of_user");
}

int store_registrations_unconfirmed(struct store *s, struct arena *a, long long before,
                                    long long after, int max, struct registration_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " REG_COLUMNS " FROM registrations"
                                     " WHERE confirmed = 0 AND state != 'cancelled'"
                                     " AND created < ?1 AND occurrence > ?2"
                                     " ORDER BY created, id LIMIT ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, max);
    return reg_many(s, a, st, out, n, "registrations_unconfirmed");
}

int store_registrations_orphaned(struct store *s, struct arena *a, long long entry_id,
                                 long long from, struct registration_row **out, int *n)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " REG_COLUMNS " FROM registrations WHERE entry_id = ?1"
                      " AND state != 'cancelled' AND occurrence > ?2 AND NOT EXISTS (SELECT 1 FROM"
                      " occurrences o WHERE o.entry_id = ?1 AND o.start = registrations.occurrence)"
                      " ORDER BY id LIMIT 5000");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, from);
    return reg_many(s, a, st, out, n, "registrations_orphaned");
}

int store_registration_move(struct store *s, long long id, long long occurrence)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE registrations SET occurrence = ?2"
                                     " WHERE id = ?1 AND state != 'cancelled'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, occurrence);
    return store_step_done(s, st, "registration_move");
}

int store_registrations_trim(struct store *s, long long entry_id, long long occurrence,
                             long long capacity)
{
    sqlite3_stmt *st = store_stmt(
        s, "UPDATE registrations SET state = 'waiting', promoted = NULL WHERE id IN (SELECT id"
           " FROM registrations WHERE entry_id = ?1 AND occurrence = ?2 AND state = 'registered'"
           " ORDER BY id LIMIT -1 OFFSET ?3)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, occurrence);
    sqlite3_bind_int64(st, 3, capacity);
    return store_step_done(s, st, "registrations_trim");
}

int store_registrations_max_upcoming(struct store *s, long long entry_id, long long from, int *max)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c"
                                     " FROM registrations WHERE entry_id = ?1 AND occurrence > ?2"
                                     " AND state = 'registered' GROUP BY occurrence)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, from);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *max = sqlite3_column_int(st, 0);
    else
        store_log_error(s, "registrations_max_upcoming");
    store_done(st);
    return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

/* Steps st for a column of integers into an arena array (at most max). */
static int reg_ints(struct store *s, struct arena *a, sqlite3_stmt *st, int max, long long **first,
                    long long **second, int *n, const char *what)
{
    long long *x = arena_alloc(a, sizeof(*x) * (size_t)(max > 0 ? max : 1));
    long long *y = second ? arena_alloc(a, sizeof(*y) * (size_t)(max > 0 ? max : 1)) : NULL;
    int k = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < max) {
        x[k] = sqlite3_column_int64(st, 0);
        if (y)
            y[k] = sqlite3_column_int64(st, 1);
        k++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        store_log_error(s, what);
    store_done(st);
    *first = x;
    if (second)
        *second = y;
    *n = k;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

int store_occurrences_waiting(struct store *s, struct arena *a, long long entry_id, long long from,
                              long long **starts, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT DISTINCT occurrence FROM registrations"
                                     " WHERE entry_id = ?1 AND occurrence > ?2"
                                     " AND state = 'waiting' ORDER BY occurrence LIMIT 1000");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, from);
    return reg_ints(s, a, st, 1000, starts, NULL, n, "occurrences_waiting");
}

int store_registration_closed(struct store *s, long long entry_id, bool *closed)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT 1 FROM registration_closed WHERE entry_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    int rc = sqlite3_step(st);
    *closed = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        store_log_error(s, "registration_closed");
    store_done(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
}

int store_registration_set_closed(struct store *s, long long entry_id, bool closed,
                                  long long user_id, long long now)
{
    sqlite3_stmt *st;
    if (!closed) {
        st = store_stmt(s, "DELETE FROM registration_closed WHERE entry_id = ?1");
        if (!st)
            return STORE_ERR;
        sqlite3_bind_int64(st, 1, entry_id);
        return store_step_done(s, st, "registration_reopen");
    }
    st = store_stmt(s, "INSERT OR REPLACE INTO registration_closed(entry_id, closed_by, closed_at)"
                       " VALUES (?1, ?2, ?3)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    if (user_id > 0)
        sqlite3_bind_int64(st, 2, user_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, now);
    return store_step_done(s, st, "registration_close");
}

int store_occurrences_upcoming(struct store *s, struct arena *a, long long entry_id, long long from,
                               int max, long long **starts, long long **ends, int *n)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT o.start, o.end FROM occurrences o WHERE o.entry_id = ?1"
                      " AND o.start > ?2 AND NOT EXISTS (SELECT 1 FROM occurrence_overrides v"
                      " WHERE v.series_id = o.entry_id AND v.replaces = o.start)"
                      " ORDER BY o.start LIMIT ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int(st, 3, max);
    return reg_ints(s, a, st, max, starts, ends, n, "occurrences_upcoming");
}

int store_occurrence_find(struct store *s, long long entry_id, long long start, long long *end)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT o.end FROM occurrences o WHERE o.entry_id = ?1 AND o.start = ?2"
                      " AND NOT EXISTS (SELECT 1 FROM occurrence_overrides v"
                      " WHERE v.series_id = o.entry_id AND v.replaces = o.start)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, start);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *end = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        store_log_error(s, "occurrence_find");
    store_done(st);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERR;
}

int store_seats_next(struct store *s, const long long *ids, int n, long long from,
                     long long *occurrence, int *registered)
{
    for (int i = 0; i < n; i++) {
        occurrence[i] = 0;
        registered[i] = 0;
    }
    if (n == 0)
        return STORE_OK;
    struct buf list = BUF_INIT;
    buf_putc(&list, '[');
    for (int i = 0; i < n; i++)
        buf_printf(&list, "%s%lld", i ? "," : "", ids[i]);
    buf_putc(&list, ']');
    /* The next occurrence of each event (by the occurrences_start index of each one's own
     * rows), then its registered seats (by registrations_event). */
    sqlite3_stmt *st = store_stmt(
        s, "SELECT e.value, n.start, (SELECT count(*) FROM registrations r"
           "  WHERE r.entry_id = e.value AND r.occurrence = n.start AND r.state = 'registered')"
           " FROM json_each(?1) e JOIN (SELECT o.entry_id, min(o.start) AS start"
           "  FROM occurrences o WHERE o.entry_id IN (SELECT value FROM json_each(?1))"
           "  AND o.start > ?2 AND NOT EXISTS (SELECT 1 FROM occurrence_overrides v"
           "  WHERE v.series_id = o.entry_id AND v.replaces = o.start) GROUP BY o.entry_id) n"
           " ON n.entry_id = e.value");
    if (!st) {
        buf_free(&list);
        return STORE_ERR;
    }
    sqlite3_bind_text(st, 1, buf_cstr(&list), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, from);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        for (int i = 0; i < n; i++)
            if (ids[i] == id) {
                occurrence[i] = sqlite3_column_int64(st, 1);
                registered[i] = sqlite3_column_int(st, 2);
            }
    }
    if (rc != SQLITE_DONE)
        store_log_error(s, "seats_next");
    store_done(st);
    buf_free(&list);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
}
