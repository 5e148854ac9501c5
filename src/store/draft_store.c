/* draft_store.c — SQL for drafts (see draft_store.h). */
#include "store/draft_store.h"
#include "util/arena.h"
#include <string.h>

int store_draft_insert(struct store *s, const char *key, long long user_id, const char *kind,
                       int step, const char *fields, long long now, long long *id)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO drafts(key, user_id, kind, step, fields,"
                                     " created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, step);
    sqlite3_bind_text(st, 5, fields, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, now);
    int rc = store_step_done(s, st, "draft_insert");
    if (rc == STORE_OK && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* The columns of a row, in the order every SELECT below names them. */
static void draft_read_row(struct arena *a, sqlite3_stmt *st, struct draft_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->key = store_text(a, st, 1);
    r->user_id = sqlite3_column_int64(st, 2);
    r->kind = store_text(a, st, 3);
    r->step = sqlite3_column_int(st, 4);
    r->fields = store_text(a, st, 5);
    r->created = sqlite3_column_int64(st, 6);
    r->updated = sqlite3_column_int64(st, 7);
}

int store_draft_get(struct store *s, struct arena *a, const char *key, struct draft_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT id, key, user_id, kind, step, fields, created,"
                                     " updated FROM drafts WHERE key = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        draft_read_row(a, st, out);
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        store_log_error(s, "draft_get");
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_draft_update(struct store *s, long long id, long long user_id, int step,
                       const char *fields, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE drafts SET step = ?3, fields = ?4, updated = ?5"
                                     " WHERE id = ?1 AND user_id = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int(st, 3, step);
    sqlite3_bind_text(st, 4, fields, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    int rc = store_step_done(s, st, "draft_update");
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_draft_delete(struct store *s, long long id, long long user_id)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM drafts WHERE id = ?1 AND user_id = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, user_id);
    int rc = store_step_done(s, st, "draft_delete");
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_draft_count(struct store *s, long long user_id, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM drafts WHERE user_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st), ret = STORE_OK;
    if (rc == SQLITE_ROW) {
        *n = sqlite3_column_int(st, 0);
    } else {
        store_log_error(s, "draft_count");
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_draft_list(struct store *s, struct arena *a, long long user_id, struct draft_row **out,
                     int *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = store_stmt(s, "SELECT id, key, user_id, kind, step, fields, created,"
                                     " updated FROM drafts INDEXED BY drafts_user"
                                     " WHERE user_id = ?1 ORDER BY updated DESC, id DESC"
                                     " LIMIT ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int(st, 2, STORE_DRAFTS_MAX);
    struct draft_row *rows = arena_alloc(a, sizeof(*rows) * STORE_DRAFTS_MAX);
    int rc, k = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < STORE_DRAFTS_MAX)
        draft_read_row(a, st, &rows[k++]);
    int ret = STORE_OK;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "draft_list");
        ret = STORE_ERR;
    }
    store_done(st);
    if (ret == STORE_OK) {
        *out = rows;
        *n = k;
    }
    return ret;
}
