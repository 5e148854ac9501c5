/* user_store.c — SQL for users, sessions and API tokens. */
#include "store/user_store.h"
#include "util/arena.h"
#include <string.h>

#define USER_COLUMNS                                                                               \
    "u.id, u.email, u.name, u.role, u.status, u.password_hash, u.created, u.bio, u.rights"

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
    u->bio = col(a, st, 7);
    u->rights = sqlite3_column_int64(st, 8);
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
                                     " expires, rights) SELECT ?1, ?2, ?3, ?4, ?5, rights"
                                     " FROM users WHERE id = ?2");
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
                       long long now, struct user_row *out, const char **csrf,
                       long long *session_rights)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " USER_COLUMNS ", s.csrf, s.rights FROM sessions s"
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
        *csrf = col(a, st, 9);
        *session_rights = sqlite3_column_int64(st, 10);
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
    sqlite3_stmt *st = store_stmt(s, "UPDATE users SET role = ?2, rights = rights + 1"
                                     " WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    int rc = step_done(s, st, "user_set_role");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_user_set_status(struct store *s, long long id, const char *status)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE users SET status = ?2, rights = rights + 1"
                                     " WHERE id = ?1");
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

int store_user_insert_pending(struct store *s, const char *email, const char *name,
                              const char *password_hash, long long now, long long *id)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO users(email, name, role, password_hash, created,"
                                     " status) VALUES (?1, ?2, 'contributor', ?3, ?4, 'pending')");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    int rc = step_done(s, st, "user_insert_pending");
    if (rc == STORE_OK && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_session_rotate(struct store *s, const unsigned char old[32], const unsigned char hash[32],
                         long long rights)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE sessions SET token_hash = ?2, rights = ?3"
                                     " WHERE token_hash = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, old, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rights);
    int rc = step_done(s, st, "session_rotate");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_link_insert(struct store *s, const unsigned char hash[32], long long user_id,
                      const char *purpose, const char *email, long long now, long long expires)
{
    /* A new link of a purpose replaces the earlier ones: only the last mail works. */
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM account_links WHERE user_id = ?1"
                                     " AND purpose = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    if (step_done(s, st, "link_replace") != STORE_OK)
        return STORE_ERR;
    st = store_stmt(s, "INSERT INTO account_links(token_hash, user_id, purpose, email, created,"
                       " expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, purpose, -1, SQLITE_STATIC);
    if (email)
        sqlite3_bind_text(st, 4, email, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, expires);
    return step_done(s, st, "link_insert");
}

int store_link_find(struct store *s, struct arena *a, const unsigned char hash[32],
                    const char *purpose, long long now, bool use, long long *user_id,
                    const char **email)
{
    sqlite3_stmt *st =
        use ? store_stmt(s, "UPDATE account_links SET used = ?3 WHERE token_hash = ?1"
                            " AND purpose = ?2 AND used IS NULL AND expires > ?3"
                            " RETURNING user_id, email")
            : store_stmt(s, "SELECT user_id, email FROM account_links WHERE token_hash = ?1"
                            " AND purpose = ?2 AND used IS NULL AND expires > ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    int rc = sqlite3_step(st);
    int ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        *user_id = sqlite3_column_int64(st, 0);
        if (email)
            *email = col(a, st, 1);
        ret = STORE_OK;
        rc = use ? sqlite3_step(st) : SQLITE_DONE; /* RETURNING: the update is done at the end */
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, "link_find");
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_links_delete(struct store *s, long long user_id)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM account_links WHERE user_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    return step_done(s, st, "links_delete");
}

int store_user_delete_pending(struct store *s, long long id)
{
    sqlite3_stmt *st =
        store_stmt(s, "DELETE FROM users WHERE id = ?1 AND status = 'pending'"
                      " AND NOT EXISTS (SELECT 1 FROM revisions WHERE author_id = ?1)"
                      " AND NOT EXISTS (SELECT 1 FROM moderation_log"
                      "   WHERE moderator_id = ?1 OR target_user_id = ?1)"
                      " AND NOT EXISTS (SELECT 1 FROM reports WHERE reporter_id = ?1)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int rc = step_done(s, st, "user_delete_pending");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_user_set_password(struct store *s, long long id, const char *password_hash)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE users SET password_hash = ?2 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, password_hash, -1, SQLITE_STATIC);
    int rc = step_done(s, st, "user_set_password");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_user_set_profile(struct store *s, long long id, const char *name, const char *bio)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE users SET name = ?2, bio = ?3 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, bio, -1, SQLITE_STATIC);
    int rc = step_done(s, st, "user_set_profile");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_user_set_email(struct store *s, long long id, const char *email)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE users SET email = ?2 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
    int rc = step_done(s, st, "user_set_email");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_user_forget(struct store *s, long long id, const char *name)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE users SET name = ?2, bio = '', password_hash = '!',"
                                     " email = 'compte-supprime-' || id || '@invalid',"
                                     " status = 'deleted', rights = rights + 1 WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = step_done(s, st, "user_forget");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_user_forget_activity(struct store *s, long long id, long long now)
{
    /* Its registrations to dates to come are cancelled; every registration loses the name and
     * address it was made with (a cancelled row keeps no one's address, and a unique address
     * per row keeps the index of one registration per address and date whole). Applications
     * and loans lose the messages written to organisers and owners; a session's participant
     * keeps its structure and project but no longer shows the account's name. */
    static const char *const sql[] = {
        "UPDATE registrations SET state = 'cancelled', cancelled = ?2"
        " WHERE user_id = ?1 AND state != 'cancelled' AND occurrence > ?2",
        "UPDATE registrations SET name = '', email = 'inscription-' || id || '@invalid',"
        " user_id = NULL WHERE user_id = ?1",
        "UPDATE applications SET message = '', public_name = '' WHERE user_id = ?1",
        "UPDATE loans SET message = '' WHERE borrower_id = ?1",
        /* The open invitations a mediator sent die with their account, and the addresses they
         * typed go (the record keeps its credits). */
        "UPDATE accompaniments SET invite_email = NULL, invite_expires = min(invite_expires, 1)"
        " WHERE mediator_id = ?1 AND invite_hash IS NOT NULL AND taken_by IS NULL",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st = store_stmt(s, sql[i]);
        if (!st)
            return STORE_ERR;
        sqlite3_bind_int64(st, 1, id);
        if (i == 0)
            sqlite3_bind_int64(st, 2, now);
        if (step_done(s, st, "user_forget_activity") != STORE_OK)
            return STORE_ERR;
    }
    return STORE_OK;
}

/* Rows of one query as a JSON array of objects, one key per column (names[i]); integer
 * columns as numbers, NULL as null, the column named "fields" parsed as JSON. */
static int user_rows_json(struct store *s, sqlite3_stmt *st, const char *const *names, int n,
                          json_t *out, const char *what)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int i = 0; i < n; i++) {
            json_t *v;
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                v = json_integer(sqlite3_column_int64(st, i));
                break;
            case SQLITE_NULL:
                v = json_null();
                break;
            default: {
                const char *t = (const char *)sqlite3_column_text(st, i);
                v = strcmp(names[i], "fields") == 0 ? json_loads(t ? t : "", 0, NULL) : NULL;
                if (!v)
                    v = json_string(t ? t : "");
            }
            }
            json_object_set_new(row, names[i], v ? v : json_null());
        }
        json_array_append_new(out, row);
    }
    int ret = rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
    if (ret != STORE_OK)
        store_log_error(s, what);
    store_done(st);
    return ret;
}

int store_user_export(struct store *s, long long id, const char *email, json_t *out)
{
    static const char *const sessions[] = {"created", "expires"};
    static const char *const tokens[] = {"created", "last_used"};
    static const char *const revisions[] = {"kind",  "slug",    "number", "created",
                                            "state", "comment", "fields"};
    static const char *const log[] = {"created", "action", "reason"};
    static const char *const mails[] = {"created", "state", "sent"};
    static const char *const reports[] = {"slug", "reason", "comment", "created", "state"};
    static const char *const registrations[] = {"slug",  "occurrence", "name",
                                                "email", "state",      "created"};
    static const char *const applications[] = {"slug", "project_text", "message", "state",
                                               "created"};
    static const char *const loans[] = {"slug",    "from_day", "to_day",
                                        "message", "state",    "created"};
    static const char *const joined[] = {"title", "mediator", "joined"};
    static const char *const led[] = {"title", "created", "expires", "links", "used"};
    struct {
        const char *key, *sql;
        const char *const *names;
        int n;
        bool by_email;
    } parts[] = {
        {"sessions", "SELECT created, expires FROM sessions WHERE user_id = ?1 ORDER BY created",
         sessions, 2, false},
        {"api_tokens",
         "SELECT created, last_used FROM api_tokens WHERE user_id = ?1 ORDER BY created", tokens, 2,
         false},
        {"revisions",
         "SELECT e.kind, e.slug, r.number, r.created, r.state, r.comment, r.fields"
         " FROM revisions r JOIN entries e ON e.id = r.entry_id"
         " WHERE r.author_id = ?1 ORDER BY r.created, r.id",
         revisions, 7, false},
        {"moderation",
         "SELECT created, action, reason FROM moderation_log WHERE target_user_id = ?1"
         " ORDER BY created, id",
         log, 3, false},
        {"reports",
         "SELECT e.slug, r.reason, r.comment, r.created, r.state FROM reports r"
         " JOIN entries e ON e.id = r.entry_id WHERE r.reporter_id = ?1 ORDER BY r.created, r.id",
         reports, 5, false},
        {"mails",
         "SELECT created, state, sent FROM outbox WHERE recipient = ?1 COLLATE NOCASE"
         " ORDER BY created, id",
         mails, 3, true},
        {"registrations",
         "SELECT e.slug, r.occurrence, r.name, r.email, r.state, r.created FROM registrations r"
         " JOIN entries e ON e.id = r.entry_id WHERE r.user_id = ?1 ORDER BY r.created, r.id",
         registrations, 6, false},
        {"applications",
         "SELECT e.slug, p.project_text, p.message, p.state, p.created FROM applications p"
         " JOIN entries e ON e.id = p.cohort_id WHERE p.user_id = ?1 ORDER BY p.created, p.id",
         applications, 5, false},
        {"loans",
         "SELECT e.slug, l.from_day, l.to_day, l.message, l.state, l.created FROM loans l"
         " JOIN entries e ON e.id = l.resource_id WHERE l.borrower_id = ?1"
         " ORDER BY l.created, l.id",
         loans, 6, false},
        /* The workshop the account was opened through, and who vouched for it. */
        {"workshop",
         "SELECT w.title, m.name, l.used FROM workshop_links l"
         " JOIN workshops w ON w.id = l.workshop_id JOIN users m ON m.id = w.mediator_id"
         " WHERE l.user_id = ?1 ORDER BY l.id",
         joined, 3, false},
        /* The workshops it led as a mediator. */
        {"workshops_led",
         "SELECT w.title, w.created, w.expires,"
         " (SELECT count(*) FROM workshop_links l WHERE l.workshop_id = w.id),"
         " (SELECT count(*) FROM workshop_links l WHERE l.workshop_id = w.id AND l.state = 'used')"
         " FROM workshops w WHERE w.mediator_id = ?1 ORDER BY w.created, w.id",
         led, 5, false},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        /* store_stmt caches by the text's address: these literals live as long as the
         * program. */
        sqlite3_stmt *st = store_stmt(s, parts[i].sql);
        if (!st)
            return STORE_ERR;
        if (parts[i].by_email)
            sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, 1, id);
        json_t *arr = json_array();
        json_object_set_new(out, parts[i].key, arr);
        if (user_rows_json(s, st, parts[i].names, parts[i].n, arr, parts[i].key) != STORE_OK)
            return STORE_ERR;
    }
    return STORE_OK;
}
