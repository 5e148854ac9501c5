/* user_store.c — SQL for users, sessions and API tokens. */
#include "store/user_store.h"
#include "util/arena.h"

#define USER_COLUMNS "u.id, u.email, u.name, u.role, u.status, u.password_hash, u.created"

#define col store_text

static void user_row_read(struct arena *a, sqlite3_stmt *st, struct user_row *u)
{
    u->id = sqlite3_column_int64(st, 0);
    u->email = col(a, st, 1);
    u->name = col(a, st, 2);
    u->role = col(a, st, 3);
    u->status = col(a, st, 4);
    u->password_hash = col(a, st, 5);
    u->created = sqlite3_column_int64(st, 6);
}

#define step_done store_step_done

int store_user_insert(struct store *s, const char *email, const char *name, const char *role,
                      const char *password_hash, long long now, long long *id)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO users(email, name, role, password_hash, created)"
                                     " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    int rc = step_done(s, st, "user_insert");
    if (rc == STORE_OK && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static int user_query_one(struct store *s, struct arena *a, sqlite3_stmt *st, struct user_row *out)
{
    int ret = STORE_NOTFOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        user_row_read(a, st, out);
        ret = STORE_OK;
    }
    (void)s;
    store_done(st);
    return ret;
}

int store_user_by_email(struct store *s, struct arena *a, const char *email, struct user_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " USER_COLUMNS " FROM users u WHERE u.email = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    return user_query_one(s, a, st, out);
}

int store_session_insert(struct store *s, const unsigned char hash[32], long long user_id,
                         const char *csrf, long long now, long long expires)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO sessions(token_hash, user_id, csrf, created,"
                                     " expires) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, expires);
    return step_done(s, st, "session_insert");
}

int store_session_user(struct store *s, struct arena *a, const unsigned char hash[32],
                       long long now, struct user_row *out, const char **csrf)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " USER_COLUMNS ", s.csrf FROM sessions s"
                                     " JOIN users u ON u.id = s.user_id"
                                     " WHERE s.token_hash = ?1 AND s.expires > ?2"
                                     " AND u.status = 'active'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    int ret = STORE_NOTFOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        user_row_read(a, st, out);
        *csrf = col(a, st, 7);
        ret = STORE_OK;
    }
    store_done(st);
    return ret;
}

int store_sessions_purge(struct store *s, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM sessions WHERE expires <= ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, now);
    return step_done(s, st, "sessions_purge");
}

int store_session_delete(struct store *s, const unsigned char hash[32])
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM sessions WHERE token_hash = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    return step_done(s, st, "session_delete");
}

int store_token_insert(struct store *s, const unsigned char hash[32], long long user_id,
                       long long now)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO api_tokens(token_hash, user_id, created)"
                                     " VALUES (?1, ?2, ?3)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now);
    return step_done(s, st, "token_insert");
}

int store_tokens_revoke(struct store *s, long long user_id, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM api_tokens WHERE user_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    int rc = step_done(s, st, "tokens_revoke");
    *n = rc == STORE_OK ? sqlite3_changes(s->db) : 0;
    return rc;
}

int store_token_user(struct store *s, struct arena *a, const unsigned char hash[32],
                     struct user_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " USER_COLUMNS " FROM api_tokens t"
                                     " JOIN users u ON u.id = t.user_id"
                                     " WHERE t.token_hash = ?1 AND u.status = 'active'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int rc = user_query_one(s, a, st, out);
    if (rc == STORE_OK) {
        /* Tokens are only needed for writes, so this costs one small write per write. */
        sqlite3_stmt *up = store_stmt(s, "UPDATE api_tokens SET last_used = unixepoch()"
                                         " WHERE token_hash = ?1");
        if (up) {
            sqlite3_bind_blob(up, 1, hash, 32, SQLITE_STATIC);
            sqlite3_step(up);
            store_done(up);
        }
    }
    return rc;
}

int store_user_by_id(struct store *s, struct arena *a, long long id, struct user_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    return user_query_one(s, a, st, out);
}

int store_user_set_role(struct store *s, long long id, const char *role)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE users SET role = ?2 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    int rc = step_done(s, st, "user_set_role");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_user_set_status(struct store *s, long long id, const char *status)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE users SET status = ?2 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    int rc = step_done(s, st, "user_set_status");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_user_sessions_delete(struct store *s, long long id)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM sessions WHERE user_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    return step_done(s, st, "user_sessions_delete");
}
