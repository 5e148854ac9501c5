/* moderation_store.c — SQL for the moderation queue and log, revision states, the site's
 * generation and the per-author reads moderation needs. */
#include "store/moderation_store.h"
#include "util/arena.h"
#include <string.h>

int store_generation(struct store *s, long long *gen)
{
    /* The counter first, then the file: a write between the two only makes the next request
     * read the file again. */
    volatile unsigned long long *counter = store_gen_counter();
    unsigned long long seen = counter ? __atomic_load_n(counter, __ATOMIC_SEQ_CST) : 0;
    if (counter && s->gen_cached && seen == s->gen_seen) {
        *gen = s->gen_cached;
        return STORE_OK;
    }
    sqlite3_stmt *st = store_stmt(s, "SELECT generation FROM site_state WHERE id = 1");
    if (!st)
        return STORE_ERR;
    int rc = sqlite3_step(st), ret = STORE_ERR;
    if (rc == SQLITE_ROW) {
        *gen = sqlite3_column_int64(st, 0);
        ret = STORE_OK;
        /* Inside a write transaction the value is not committed yet: never kept. */
        if (sqlite3_get_autocommit(s->db)) {
            s->gen_cached = *gen;
            s->gen_seen = seen;
        }
    } else {
        store_log_error(s, "generation");
    }
    store_done(st);
    return ret;
}

int store_generation_bump(struct store *s)
{
    sqlite3_stmt *st =
        store_stmt(s, "UPDATE site_state SET generation = generation + 1 WHERE id = 1");
    if (!st)
        return STORE_ERR;
    int rc = store_step_done(s, st, "generation_bump");
    if (rc == STORE_OK) {
        /* Before the commit (and again after it, store_commit): see store.h. */
        store_gen_signal();
        s->gen_dirty = true;
    }
    return rc;
}

int store_revision_set_state(struct store *s, long long entry_id, int number, const char *state)
{
    sqlite3_stmt *st =
        store_stmt(s, "UPDATE revisions SET state = ?3 WHERE entry_id = ?1 AND number = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int(st, 2, number);
    sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
    int rc = store_step_done(s, st, "revision_set_state");
    if (rc == STORE_OK && sqlite3_changes(s->db) != 1)
        return STORE_NOTFOUND;
    return rc;
}

int store_revision_by_id(struct store *s, struct arena *a, long long id, struct revision_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " STORE_REVISION_COLUMNS " FROM revisions r"
                                     " LEFT JOIN users u ON u.id = r.author_id WHERE r.id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), ret = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        store_revision_row_read(a, st, out);
        ret = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        store_log_error(s, "revision_by_id");
        ret = STORE_ERR;
    }
    store_done(st);
    return ret;
}

int store_pending_list(struct store *s, struct arena *a, int offset, int limit,
                       struct pending_row **out, int *n, int *total)
{
    sqlite3_stmt *cnt = store_stmt(s, "SELECT count(*) FROM revisions r"
                                      " JOIN entries e ON e.id = r.entry_id"
                                      " WHERE r.state = 'pending' AND e.deleted = 0");
    /* Oldest first from the partial index revisions_pending: a queue of any length costs a page. */
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " STORE_REVISION_META_COLUMNS ", e.slug, e.kind,"
                      " coalesce(e.published_rev, 0) FROM revisions r INDEXED BY revisions_pending"
                      " JOIN entries e ON e.id = r.entry_id"
                      " LEFT JOIN users u ON u.id = r.author_id"
                      " WHERE r.state = 'pending' AND e.deleted = 0"
                      " ORDER BY r.created, r.id LIMIT ?1 OFFSET ?2");
    if (!cnt || !st)
        return STORE_ERR;
    int rc = sqlite3_step(cnt);
    *total = rc == SQLITE_ROW ? sqlite3_column_int(cnt, 0) : 0;
    store_done(cnt);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "pending_count");
        return STORE_ERR;
    }
    sqlite3_bind_int(st, 1, limit);
    sqlite3_bind_int(st, 2, offset);
    struct pending_row *v = arena_alloc(a, sizeof(*v) * (size_t)(limit > 0 ? limit : 1));
    int len = 0;
    while (len < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct pending_row *p = &v[len++];
        store_revision_meta_read(a, st, &p->rev);
        p->slug = store_text(a, st, 12);
        p->kind = store_text(a, st, 13);
        p->published_rev = sqlite3_column_int(st, 14);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "pending_list");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_entry_pending(struct store *s, struct arena *a, long long entry_id,
                        struct revision_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " STORE_REVISION_META_COLUMNS " FROM revisions r"
                                     " LEFT JOIN users u ON u.id = r.author_id"
                                     " WHERE r.entry_id = ?1 AND r.state = 'pending'"
                                     " ORDER BY r.number LIMIT 1000");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    int cap = 1000, len = 0, rc;
    struct revision_row *v = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!v)
            v = arena_alloc(a, sizeof(*v) * (size_t)cap);
        store_revision_meta_read(a, st, &v[len++]);
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "entry_pending");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_modlog_insert(struct store *s, long long now, long long moderator_id, const char *action,
                        long long entry_id, int revision, long long target_user_id,
                        const char *reason)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT INTO moderation_log(created, moderator_id, action, entry_id, revision_number,"
           " target_user_id, reason) VALUES (?1, nullif(?2, 0), ?3, nullif(?4, 0), nullif(?5, 0),"
           " nullif(?6, 0), ?7)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, moderator_id);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, entry_id);
    sqlite3_bind_int(st, 5, revision);
    sqlite3_bind_int64(st, 6, target_user_id);
    sqlite3_bind_text(st, 7, reason ? reason : "", -1, SQLITE_STATIC);
    return store_step_done(s, st, "modlog_insert");
}

int store_modlog_list(struct store *s, struct arena *a, int offset, int limit,
                      struct modlog_row **out, int *n)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT l.id, l.created, coalesce(m.name, 'système'), l.action,"
                      " coalesce(e.slug, ''), coalesce(e.kind, ''), coalesce(t.name, ''), l.reason,"
                      " coalesce(l.revision_number, 0) FROM moderation_log l"
                      " LEFT JOIN users m ON m.id = l.moderator_id"
                      " LEFT JOIN entries e ON e.id = l.entry_id"
                      " LEFT JOIN users t ON t.id = l.target_user_id"
                      " ORDER BY l.created DESC, l.id DESC LIMIT ?1 OFFSET ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int(st, 1, limit);
    sqlite3_bind_int(st, 2, offset);
    struct modlog_row *v = arena_alloc(a, sizeof(*v) * (size_t)(limit > 0 ? limit : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct modlog_row *r = &v[len++];
        r->id = sqlite3_column_int64(st, 0);
        r->created = sqlite3_column_int64(st, 1);
        r->moderator = store_text(a, st, 2);
        r->action = store_text(a, st, 3);
        r->slug = store_text(a, st, 4);
        r->kind = store_text(a, st, 5);
        r->target = store_text(a, st, 6);
        r->reason = store_text(a, st, 7);
        r->revision = sqlite3_column_int(st, 8);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "modlog_list");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_author_entries(struct store *s, struct arena *a, long long user_id, int max,
                         struct author_entry_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT r.entry_id, min(r.number) FROM revisions r"
                                     " INDEXED BY revisions_by_author"
                                     " JOIN entries e ON e.id = r.entry_id"
                                     " WHERE r.author_id = ?1 AND e.deleted = 0"
                                     " GROUP BY r.entry_id ORDER BY r.entry_id LIMIT ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int(st, 2, max);
    struct author_entry_row *v = arena_alloc(a, sizeof(*v) * (size_t)(max > 0 ? max : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        v[len].entry_id = sqlite3_column_int64(st, 0);
        v[len++].first_number = sqlite3_column_int(st, 1);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "author_entries");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_author_approvals(struct store *s, long long user_id, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM moderation_log"
                                     " WHERE target_user_id = ?1 AND action = 'approve'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    store_done(st);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "author_approvals");
        return STORE_ERR;
    }
    return STORE_OK;
}
