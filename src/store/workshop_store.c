/* workshop_store.c — SQL of workshops, their one-time links and the accounts opened through
 * them (see workshop_store.h). */
#include "store/workshop_store.h"
#include "util/arena.h"
#include <string.h>

#define col store_text
#define step_done store_step_done

int store_workshop_insert(struct store *s, long long mediator_id, const char *title, long long now,
                          long long expires, long long *id)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO workshops(mediator_id, title, created, expires)"
                                     " VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, mediator_id);
    sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, expires);
    int rc = step_done(s, st, "workshop_insert");
    if (rc == STORE_OK)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_workshop_link_insert(struct store *s, long long workshop_id, const unsigned char hash[32])
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO workshop_links(workshop_id, token_hash) VALUES (?1, ?2)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, workshop_id);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
    return step_done(s, st, "workshop_link_insert");
}

#define WORKSHOP_COLUMNS                                                                           \
    "w.id, w.mediator_id, w.created, w.expires, w.title,"                                          \
    " (SELECT count(*) FROM workshop_links l WHERE l.workshop_id = w.id AND l.state = 'open'),"    \
    " (SELECT count(*) FROM workshop_links l WHERE l.workshop_id = w.id AND l.state = 'used'),"    \
    " (SELECT count(*) FROM workshop_links l WHERE l.workshop_id = w.id AND l.state = 'revoked')"

static void workshop_row_read(struct arena *a, sqlite3_stmt *st, struct workshop_row *w)
{
    w->id = sqlite3_column_int64(st, 0);
    w->mediator_id = sqlite3_column_int64(st, 1);
    w->created = sqlite3_column_int64(st, 2);
    w->expires = sqlite3_column_int64(st, 3);
    w->title = col(a, st, 4);
    w->open = sqlite3_column_int(st, 5);
    w->used = sqlite3_column_int(st, 6);
    w->revoked = sqlite3_column_int(st, 7);
}

int store_workshops_of(struct store *s, struct arena *a, long long mediator_id, int limit,
                       struct workshop_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " WORKSHOP_COLUMNS " FROM workshops w"
                                     " WHERE w.mediator_id = ?1 ORDER BY w.created DESC, w.id DESC"
                                     " LIMIT ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, mediator_id);
    sqlite3_bind_int(st, 2, limit);
    struct workshop_row *v = arena_alloc(a, sizeof(*v) * (size_t)(limit > 0 ? limit : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
        workshop_row_read(a, st, &v[len++]);
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "workshops_of");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_workshop_get(struct store *s, struct arena *a, long long id, struct workshop_row *out)
{
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " WORKSHOP_COLUMNS " FROM workshops w WHERE w.id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        workshop_row_read(a, st, out);
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, "workshop_get");
    return STORE_ERR;
}

int store_workshop_links(struct store *s, struct arena *a, long long workshop_id,
                         struct workshop_link_row **out, int *n)
{
    sqlite3_stmt *cnt = store_stmt(s, "SELECT count(*) FROM workshop_links WHERE workshop_id = ?1");
    sqlite3_stmt *st = store_stmt(s, "SELECT l.id, coalesce(l.used, 0), l.state,"
                                     " coalesce(u.name, '') FROM workshop_links l"
                                     " LEFT JOIN users u ON u.id = l.user_id"
                                     " WHERE l.workshop_id = ?1 ORDER BY l.id");
    if (!cnt || !st)
        return STORE_ERR;
    sqlite3_bind_int64(cnt, 1, workshop_id);
    int total = sqlite3_step(cnt) == SQLITE_ROW ? sqlite3_column_int(cnt, 0) : -1;
    store_done(cnt);
    if (total < 0) {
        store_log_error(s, "workshop_links_count");
        return STORE_ERR;
    }
    sqlite3_bind_int64(st, 1, workshop_id);
    struct workshop_link_row *v = arena_alloc(a, sizeof(*v) * (size_t)(total ? total : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < total && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct workshop_link_row *l = &v[len++];
        l->id = sqlite3_column_int64(st, 0);
        l->used = sqlite3_column_int64(st, 1);
        l->state = col(a, st, 2);
        l->participant = col(a, st, 3);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "workshop_links");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_workshop_ticket(struct store *s, struct arena *a, const unsigned char hash[32],
                          struct workshop_ticket_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT l.id, w.id, w.mediator_id, w.expires, l.state,"
                                     " w.title, u.name FROM workshop_links l"
                                     " JOIN workshops w ON w.id = l.workshop_id"
                                     " JOIN users u ON u.id = w.mediator_id"
                                     " WHERE l.token_hash = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->link_id = sqlite3_column_int64(st, 0);
        out->workshop_id = sqlite3_column_int64(st, 1);
        out->mediator_id = sqlite3_column_int64(st, 2);
        out->expires = sqlite3_column_int64(st, 3);
        out->state = col(a, st, 4);
        out->title = col(a, st, 5);
        out->mediator = col(a, st, 6);
    }
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, "workshop_ticket");
    return STORE_ERR;
}

int store_workshop_link_use(struct store *s, long long link_id, long long user_id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE workshop_links SET state = 'used', used = ?3,"
                                     " user_id = ?2 WHERE id = ?1 AND state = 'open'"
                                     " AND (SELECT expires FROM workshops w"
                                     "      WHERE w.id = workshop_links.workshop_id) > ?3");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, link_id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now);
    int rc = step_done(s, st, "workshop_link_use");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

int store_workshop_links_revoke(struct store *s, long long workshop_id, long long link_id, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE workshop_links SET state = 'revoked'"
                                     " WHERE workshop_id = ?1 AND state = 'open'"
                                     " AND (?2 = 0 OR id = ?2)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, workshop_id);
    sqlite3_bind_int64(st, 2, link_id);
    int rc = step_done(s, st, "workshop_links_revoke");
    *n = rc == STORE_OK ? sqlite3_changes(s->db) : 0;
    return rc;
}

int store_workshop_user_insert(struct store *s, const char *email, const char *name,
                               const char *password_hash, long long now, long long sponsor_id,
                               long long workshop_id, long long *id)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO users(email, name, role, password_hash, created,"
                                     " status, sponsor_id, workshop_id)"
                                     " VALUES (?1, ?2, 'contributor', ?3, ?4, 'active', ?5, ?6)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, sponsor_id);
    sqlite3_bind_int64(st, 6, workshop_id);
    int rc = step_done(s, st, "workshop_user_insert");
    if (rc == STORE_OK)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_user_sponsor(struct store *s, long long user_id, long long *sponsor_id)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT coalesce(sponsor_id, 0) FROM users WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st);
    *sponsor_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, "user_sponsor");
    return STORE_ERR;
}

int store_pending_sponsored(struct store *s, struct arena *a, long long sponsor_id, int offset,
                            int limit, struct pending_row **out, int *n, int *total)
{
    /* From the participants (the partial index users_sponsor) to their pending revisions: a
     * mediator's few participants, never the whole queue. */
    sqlite3_stmt *cnt = store_stmt(s, "SELECT count(*) FROM users p"
                                      " JOIN revisions r ON r.author_id = p.id"
                                      " JOIN entries e ON e.id = r.entry_id"
                                      " WHERE p.sponsor_id = ?1 AND r.state = 'pending'"
                                      " AND e.deleted = 0");
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " STORE_REVISION_META_COLUMNS ", e.slug, e.kind,"
                      " coalesce(e.published_rev, 0) FROM users u"
                      " JOIN revisions r ON r.author_id = u.id"
                      " JOIN entries e ON e.id = r.entry_id"
                      " WHERE u.sponsor_id = ?1 AND r.state = 'pending' AND e.deleted = 0"
                      " ORDER BY r.created, r.id LIMIT ?2 OFFSET ?3");
    if (!cnt || !st)
        return STORE_ERR;
    sqlite3_bind_int64(cnt, 1, sponsor_id);
    int rc = sqlite3_step(cnt);
    *total = rc == SQLITE_ROW ? sqlite3_column_int(cnt, 0) : 0;
    store_done(cnt);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "pending_sponsored_count");
        return STORE_ERR;
    }
    sqlite3_bind_int64(st, 1, sponsor_id);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_int(st, 3, offset);
    struct pending_row *v = arena_alloc(a, sizeof(*v) * (size_t)(limit > 0 ? limit : 1));
    int len = 0;
    rc = SQLITE_DONE;
    while (len < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct pending_row *p = &v[len++];
        store_revision_meta_read(a, st, &p->rev);
        p->slug = col(a, st, 12);
        p->kind = col(a, st, 13);
        p->published_rev = sqlite3_column_int(st, 14);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "pending_sponsored");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}
