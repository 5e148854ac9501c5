/* accompany_store.c — SQL of accompanied writing (see accompany_store.h). */
#include "store/accompany_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include <string.h>

#define col store_text
#define step_done store_step_done

int store_accompany_insert(struct store *s, long long entry_id, long long actor_id,
                           long long mediator_id, long long now, const unsigned char *hash,
                           const char *email, long long expires)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO accompaniments(entry_id, actor_id, mediator_id, created,"
                      " invite_hash, invite_email, invite_expires)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, actor_id);
    sqlite3_bind_int64(st, 3, mediator_id);
    sqlite3_bind_int64(st, 4, now);
    if (hash) {
        sqlite3_bind_blob(st, 5, hash, 32, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, email, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, expires);
    }
    return step_done(s, st, "accompany_insert");
}

#define ACCOMPANY_COLUMNS                                                                          \
    "c.entry_id, c.actor_id, c.mediator_id, c.created, coalesce(c.invite_expires, 0),"             \
    " coalesce(c.taken_by, 0), coalesce(c.taken_at, 0), coalesce(c.invite_email, ''), m.name,"     \
    " coalesce(t.name, '') FROM accompaniments c JOIN users m ON m.id = c.mediator_id"             \
    " LEFT JOIN users t ON t.id = c.taken_by"

static int accompany_read_one(struct store *s, struct arena *a, sqlite3_stmt *st,
                              struct accompany_row *out, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->entry_id = sqlite3_column_int64(st, 0);
        out->actor_id = sqlite3_column_int64(st, 1);
        out->mediator_id = sqlite3_column_int64(st, 2);
        out->created = sqlite3_column_int64(st, 3);
        out->invite_expires = sqlite3_column_int64(st, 4);
        out->taken_by = sqlite3_column_int64(st, 5);
        out->taken_at = sqlite3_column_int64(st, 6);
        out->invite_email = col(a, st, 7);
        out->mediator = col(a, st, 8);
        out->taken_name = col(a, st, 9);
    }
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, what);
    return STORE_ERR;
}

int store_accompany_get(struct store *s, struct arena *a, long long entry_id,
                        struct accompany_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " ACCOMPANY_COLUMNS " WHERE c.entry_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    return accompany_read_one(s, a, st, out, "accompany_get");
}

int store_accompany_by_hash(struct store *s, struct arena *a, const unsigned char hash[32],
                            struct accompany_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " ACCOMPANY_COLUMNS " WHERE c.invite_hash = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    return accompany_read_one(s, a, st, out, "accompany_by_hash");
}

int store_accompany_take(struct store *s, long long entry_id, long long user_id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE accompaniments SET taken_by = ?2, taken_at = ?3,"
                                     " invite_email = NULL WHERE entry_id = ?1"
                                     " AND taken_by IS NULL AND invite_hash IS NOT NULL"
                                     " AND invite_expires > ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now);
    int rc = step_done(s, st, "accompany_take");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_accompany_invites_since(struct store *s, long long mediator_id, long long since, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM accompaniments WHERE mediator_id = ?1"
                                     " AND created >= ?2 AND invite_hash IS NOT NULL");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, mediator_id);
    sqlite3_bind_int64(st, 2, since);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    store_log_error(s, "accompany_invites_since");
    return STORE_ERR;
}

/* The first column (a name) of each row of st, at most max, into *names. */
static int accompany_names(struct store *s, struct arena *a, sqlite3_stmt *st, int max,
                           const char ***names, int *n, const char *what)
{
    const char **v = arena_alloc(a, sizeof(*v) * (size_t)(max > 0 ? max : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        v[len++] = col(a, st, 0);
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, what);
        return STORE_ERR;
    }
    *names = v;
    *n = len;
    return STORE_OK;
}

int store_accompany_people(struct store *s, struct arena *a, long long entry_id,
                           long long except_id, int max, const char ***names, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT u.name FROM entry_managers m"
                                     " JOIN users u ON u.id = m.user_id"
                                     " WHERE m.entry_id = ?1 AND u.status = 'active'"
                                     " AND u.id != ?3 ORDER BY m.created, u.id LIMIT ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int(st, 2, max);
    sqlite3_bind_int64(st, 3, except_id);
    return accompany_names(s, a, st, max, names, n, "accompany_people");
}

int store_accompany_other_authors(struct store *s, struct arena *a, long long entry_id,
                                  long long except_id, int max, const char ***names, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT u.name FROM revisions r JOIN users u"
                                     " ON u.id = r.author_id WHERE r.entry_id = ?1"
                                     " AND r.state = 'published' AND r.author_id != ?2"
                                     " GROUP BY r.author_id ORDER BY min(r.number) LIMIT ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, except_id);
    sqlite3_bind_int(st, 3, max);
    return accompany_names(s, a, st, max, names, n, "accompany_other_authors");
}

int store_accompany_of_user(struct store *s, struct arena *a, long long user_id, int max,
                            struct accompany_export_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(
        s, "SELECT CASE WHEN c.mediator_id = ?1 THEN 'mediator' ELSE 'taken_over' END,"
           " c.created, coalesce(c.taken_at, 0), coalesce(c.invite_expires, 0), e.slug, e.kind,"
           " x.slug, CASE WHEN c.mediator_id = ?1 THEN coalesce(c.invite_email, '') ELSE '' END"
           " FROM accompaniments c JOIN entries e ON e.id = c.entry_id"
           " JOIN entries x ON x.id = c.actor_id"
           " WHERE c.mediator_id = ?1 OR c.taken_by = ?1 ORDER BY c.created DESC LIMIT ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int(st, 2, max);
    struct accompany_export_row *v = arena_alloc(a, sizeof(*v) * (size_t)(max > 0 ? max : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct accompany_export_row *r = &v[len++];
        r->role = col(a, st, 0);
        r->created = sqlite3_column_int64(st, 1);
        r->taken_at = sqlite3_column_int64(st, 2);
        r->invite_expires = sqlite3_column_int64(st, 3);
        r->entry_slug = col(a, st, 4);
        r->entry_kind = col(a, st, 5);
        r->actor_slug = col(a, st, 6);
        r->invite_email = col(a, st, 7);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "accompany_of_user");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_accompany_among(struct store *s, const long long *ids, int n, bool *flags)
{
    /* The page's ids as a JSON array, a bound parameter like any other: one query per page. */
    sqlite3_stmt *st = store_stmt(s, "SELECT j.key FROM json_each(?1) j"
                                     " JOIN accompaniments c ON c.entry_id = j.value");
    if (!st)
        return STORE_ERR;
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    for (int i = 0; i < n; i++) {
        buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
        flags[i] = false;
    }
    buf_putc(&b, ']');
    sqlite3_bind_text(st, 1, buf_cstr(&b), (int)b.len, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = sqlite3_column_int(st, 0);
        if (i >= 0 && i < n)
            flags[i] = true;
    }
    store_done(st);
    buf_free(&b);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "accompany_among");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_accompany_creator(struct store *s, long long entry_id, long long *user_id)
{
    *user_id = 0;
    sqlite3_stmt *st =
        store_stmt(s, "SELECT author_id FROM revisions WHERE entry_id = ?1 AND number = 1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *user_id = sqlite3_column_int64(st, 0);
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "accompany_creator");
        return STORE_ERR;
    }
    return STORE_OK;
}
