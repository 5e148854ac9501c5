/* loan_store.c — the SQL of loans (see loan_store.h). */
#include "store/loan_store.h"
#include "util/arena.h"
#include <string.h>

#define LOAN_COLUMNS                                                                               \
    "l.id, l.resource_id, l.borrower_id, l.from_day, l.to_day, l.message, l.state, l.created,"     \
    " coalesce(l.decided_at, 0), coalesce(u.name, ''), coalesce(u.email, '')"

static void loan_read(struct arena *a, sqlite3_stmt *st, struct loan_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->resource_id = sqlite3_column_int64(st, 1);
    r->borrower_id = sqlite3_column_int64(st, 2);
    r->from_day = store_text(a, st, 3);
    r->to_day = store_text(a, st, 4);
    r->message = store_text(a, st, 5);
    r->state = store_text(a, st, 6);
    r->created = sqlite3_column_int64(st, 7);
    r->decided_at = sqlite3_column_int64(st, 8);
    r->borrower_name = store_text(a, st, 9);
    r->borrower_email = store_text(a, st, 10);
}

/* Every row of st (at most max) into an arena array; resets st. */
static int loan_read_all(struct store *s, struct arena *a, sqlite3_stmt *st, int max,
                         struct loan_row **out, int *n, const char *what)
{
    struct loan_row *v = arena_alloc(a, sizeof(*v) * (size_t)(max > 0 ? max : 1));
    int len = 0, rc;
    while (len < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        loan_read(a, st, &v[len++]);
    if (len == max)
        rc = SQLITE_DONE;
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, what);
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_loan_insert(struct store *s, long long resource_id, long long borrower_id,
                      const char *from_day, const char *to_day, const char *message, long long now,
                      long long *id)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO loans(resource_id, borrower_id, from_day, to_day, message,"
                      " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, resource_id);
    sqlite3_bind_int64(st, 2, borrower_id);
    sqlite3_bind_text(st, 3, from_day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, to_day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, message ? message : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, now);
    int rc = store_step_done(s, st, "loan_insert");
    if (rc == STORE_OK)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_loan_get(struct store *s, struct arena *a, long long id, struct loan_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " LOAN_COLUMNS " FROM loans l"
                                     " LEFT JOIN users u ON u.id = l.borrower_id WHERE l.id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        loan_read(a, st, out);
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, "loan_get");
    return STORE_ERR;
}

int store_loan_overlaps(struct store *s, long long resource_id, const char *from_day,
                        const char *to_day, long long except_id)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT 1 FROM loans WHERE resource_id = ?1"
                                     " AND state = 'accepted' AND from_day <= ?3 AND to_day >= ?2"
                                     " AND id != ?4 LIMIT 1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, resource_id);
    sqlite3_bind_text(st, 2, from_day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to_day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, except_id);
    int rc = sqlite3_step(st);
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "loan_overlaps");
        return STORE_ERR;
    }
    return rc == SQLITE_ROW;
}

int store_loan_set_state(struct store *s, long long id, const char *from, const char *to,
                         long long user_id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE loans SET state = ?3, decided_by = ?4, decided_at = ?5"
                                     " WHERE id = ?1 AND state = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    if (user_id > 0)
        sqlite3_bind_int64(st, 4, user_id);
    sqlite3_bind_int64(st, 5, now);
    int rc = store_step_done(s, st, "loan_set_state");
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_loans_of(struct store *s, struct arena *a, long long resource_id, const char *state,
                   const char *from_day, const char *to_day, int max, struct loan_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " LOAN_COLUMNS " FROM loans l"
                                     " LEFT JOIN users u ON u.id = l.borrower_id"
                                     " WHERE l.resource_id = ?1 AND (?2 IS NULL OR l.state = ?2)"
                                     " AND (?4 IS NULL OR l.from_day <= ?4)"
                                     " AND (?3 IS NULL OR l.to_day >= ?3)"
                                     " ORDER BY l.from_day, l.id");
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, resource_id);
    if (state)
        sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    if (from_day)
        sqlite3_bind_text(st, 3, from_day, -1, SQLITE_STATIC);
    if (to_day)
        sqlite3_bind_text(st, 4, to_day, -1, SQLITE_STATIC);
    return loan_read_all(s, a, st, max, out, n, "loans_of");
}

int store_loans_history(struct store *s, struct arena *a, long long resource_id, int max,
                        struct loan_row **out, int *n)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " LOAN_COLUMNS " FROM loans l"
                      " LEFT JOIN users u ON u.id = l.borrower_id"
                      " WHERE l.resource_id = ?1 ORDER BY l.from_day DESC, l.id DESC");
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, resource_id);
    return loan_read_all(s, a, st, max, out, n, "loans_history");
}

#define LOAN_OWNERS_MAX 50

int store_loan_owner_emails(struct store *s, struct arena *a, long long resource_id,
                            const char ***emails, int *n)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT DISTINCT u.email FROM entry_managers m JOIN users u ON u.id = m.user_id"
           " WHERE u.status = 'active' AND m.entry_id = ?1 ORDER BY u.id");
    *emails = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, resource_id);
    const char **v = arena_alloc(a, sizeof(*v) * LOAN_OWNERS_MAX);
    int len = 0, rc;
    while (len < LOAN_OWNERS_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW)
        v[len++] = store_text(a, st, 0);
    if (len == LOAN_OWNERS_MAX)
        rc = SQLITE_DONE;
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "loan_owner_emails");
        return STORE_ERR;
    }
    *emails = v;
    *n = len;
    return STORE_OK;
}

int store_loans_due(struct store *s, struct arena *a, bool pickup, const char *from_day,
                    const char *to_day, int max, struct loan_row **out, int *n)
{
    /* Two constant texts: one per kind of reminder, each served by loans_due. */
    static const char *const sql[2] = {
        "SELECT " LOAN_COLUMNS " FROM loans l LEFT JOIN users u ON u.id = l.borrower_id"
        " JOIN entries e ON e.id = l.resource_id AND e.deleted = 0"
        " WHERE l.state = 'accepted' AND l.to_day BETWEEN ?1 AND ?2 AND l.reminded_return = 0"
        " ORDER BY l.id",
        "SELECT " LOAN_COLUMNS " FROM loans l LEFT JOIN users u ON u.id = l.borrower_id"
        " JOIN entries e ON e.id = l.resource_id AND e.deleted = 0"
        " WHERE l.state = 'accepted' AND l.from_day BETWEEN ?1 AND ?2 AND l.reminded_pickup = 0"
        " ORDER BY l.id",
    };
    sqlite3_stmt *st = store_stmt(s, sql[pickup]);
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, from_day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to_day, -1, SQLITE_STATIC);
    return loan_read_all(s, a, st, max, out, n, "loans_due");
}

int store_loan_reminded(struct store *s, long long id, bool pickup)
{
    sqlite3_stmt *st = store_stmt(
        s, pickup ? "UPDATE loans SET reminded_pickup = 1 WHERE id = ?1 AND reminded_pickup = 0"
                  : "UPDATE loans SET reminded_return = 1 WHERE id = ?1 AND reminded_return = 0");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int rc = store_step_done(s, st, "loan_reminded");
    return rc == STORE_OK && sqlite3_changes(s->db) == 0 ? STORE_NOTFOUND : rc;
}
