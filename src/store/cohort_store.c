/* cohort_store.c — the SQL of applications to a training's session (see cohort_store.h). */
#include "store/cohort_store.h"
#include "util/arena.h"

#define APPLICATION_COLUMNS                                                                        \
    "p.id, p.cohort_id, coalesce(p.user_id, 0), coalesce(p.actor_id, 0),"                          \
    " coalesce(p.project_id, 0), p.project_text, p.message, p.public_name, p.state, p.created,"    \
    " coalesce(p.decided_at, 0), coalesce(u.name, ''), coalesce(u.email, '')"

static void application_read(struct arena *a, sqlite3_stmt *st, struct application_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->cohort_id = sqlite3_column_int64(st, 1);
    r->user_id = sqlite3_column_int64(st, 2);
    r->actor_id = sqlite3_column_int64(st, 3);
    r->project_id = sqlite3_column_int64(st, 4);
    r->project_text = store_text(a, st, 5);
    r->message = store_text(a, st, 6);
    r->public_name = store_text(a, st, 7);
    r->state = store_text(a, st, 8);
    r->created = sqlite3_column_int64(st, 9);
    r->decided_at = sqlite3_column_int64(st, 10);
    r->user_name = store_text(a, st, 11);
    r->user_email = store_text(a, st, 12);
}

static void bind_id(sqlite3_stmt *st, int i, long long id)
{
    if (id > 0)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

int store_application_insert(struct store *s, long long cohort_id, long long user_id,
                             long long actor_id, long long project_id, const char *project_text,
                             const char *message, const char *public_name, const char *state,
                             long long now, long long *id)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT INTO applications(cohort_id, user_id, actor_id, project_id, project_text,"
           " message, public_name, state, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, cohort_id);
    bind_id(st, 2, user_id);
    bind_id(st, 3, actor_id);
    bind_id(st, 4, project_id);
    sqlite3_bind_text(st, 5, project_text ? project_text : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, message ? message : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, public_name ? public_name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    int rc = store_step_done(s, st, "application_insert");
    if (rc == STORE_OK)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_application_get(struct store *s, struct arena *a, long long id,
                          struct application_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " APPLICATION_COLUMNS " FROM applications p"
                                     " LEFT JOIN users u ON u.id = p.user_id WHERE p.id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        application_read(a, st, out);
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, "application_get");
    return STORE_ERR;
}

int store_application_set_state(struct store *s, long long id, const char *from, const char *to,
                                long long user_id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE applications SET state = ?3, decided_by = ?4,"
                                     " decided_at = ?5 WHERE id = ?1 AND state = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    bind_id(st, 4, user_id);
    sqlite3_bind_int64(st, 5, now);
    int rc = store_step_done(s, st, "application_set_state");
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

static int application_read_all(struct store *s, struct arena *a, sqlite3_stmt *st, int max,
                                struct application_row **out, int *n, const char *what)
{
    struct application_row *v = arena_alloc(a, sizeof(*v) * (size_t)(max > 0 ? max : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        application_read(a, st, &v[len++]);
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

int store_applications_of(struct store *s, struct arena *a, long long cohort_id, const char *state,
                          int max, struct application_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " APPLICATION_COLUMNS " FROM applications p"
                                     " LEFT JOIN users u ON u.id = p.user_id"
                                     " WHERE p.cohort_id = ?1 AND (?2 IS NULL OR p.state = ?2)"
                                     " ORDER BY p.id");
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, cohort_id);
    if (state)
        sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    return application_read_all(s, a, st, max, out, n, "applications_of");
}

int store_application_open(struct store *s, struct arena *a, long long cohort_id, long long user_id,
                           struct application_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " APPLICATION_COLUMNS " FROM applications p"
                                     " LEFT JOIN users u ON u.id = p.user_id"
                                     " WHERE p.cohort_id = ?1 AND p.user_id = ?2"
                                     " AND p.state IN ('pending', 'waiting', 'accepted')");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, cohort_id);
    sqlite3_bind_int64(st, 2, user_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        application_read(a, st, out);
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, "application_open");
    return STORE_ERR;
}

int store_applications_count(struct store *s, long long cohort_id, const char *state)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT count(*) FROM applications WHERE cohort_id = ?1 AND state = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, cohort_id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : STORE_ERR;
    store_done(st);
    if (rc != SQLITE_ROW)
        store_log_error(s, "applications_count");
    return n;
}
