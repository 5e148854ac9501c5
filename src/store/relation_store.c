/* relation_store.c — SQL for relations between entries, brief rows of entries, managers of
 * entries and requests to join a network. */
#include "store/relation_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>

/* The columns of a brief row (e: entries, v: its published revision, LEFT JOIN), then the
 * relation's field when there is one. */
#define BRIEF_COLUMNS "e.id, e.kind, e.slug, v.card, e.deleted, e.hidden"

static void brief_read(struct arena *a, sqlite3_stmt *st, struct entry_brief_row *r, bool field)
{
    r->id = sqlite3_column_int64(st, 0);
    r->kind = store_text(a, st, 1);
    r->slug = store_text(a, st, 2);
    if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
        r->card = NULL;
        r->card_len = 0;
    } else {
        r->card = store_text(a, st, 3);
        r->card_len = (size_t)sqlite3_column_bytes(st, 3);
    }
    r->deleted = sqlite3_column_int(st, 4) != 0;
    r->hidden = sqlite3_column_int(st, 5);
    r->field = field ? store_text(a, st, 6) : NULL;
}

static int brief_read_all(struct store *s, struct arena *a, sqlite3_stmt *st, int limit, bool field,
                          struct entry_brief_row **out, int *n, const char *what)
{
    struct entry_brief_row *v = NULL;
    int len = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && len < limit) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            struct entry_brief_row *grown = arena_alloc(a, sizeof(*grown) * (size_t)cap);
            if (len)
                memcpy(grown, v, sizeof(*v) * (size_t)len);
            v = grown;
        }
        brief_read(a, st, &v[len++], field);
    }
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, what);
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_relations_replace(struct store *s, long long from_id, const char *const *fields,
                            const long long *to_ids, int n)
{
    sqlite3_stmt *del = store_stmt(s, "DELETE FROM relations WHERE from_id = ?1");
    sqlite3_stmt *ins = store_stmt(s, "INSERT OR IGNORE INTO relations(from_id, field, to_id,"
                                      " position) VALUES (?1, ?2, ?3, ?4)");
    if (!del || !ins)
        return STORE_ERR;
    sqlite3_bind_int64(del, 1, from_id);
    int rc = store_step_done(s, del, "relations_delete");
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        sqlite3_bind_int64(ins, 1, from_id);
        sqlite3_bind_text(ins, 2, fields[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, to_ids[i]);
        sqlite3_bind_int(ins, 4, i);
        rc = store_step_done(s, ins, "relations_insert");
    }
    return rc;
}

int store_relations_in(struct store *s, struct arena *a, long long to_id, const char *field,
                       struct entry_brief_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " BRIEF_COLUMNS ", r.field FROM relations r"
                                     " JOIN entries e ON e.id = r.from_id"
                                     " JOIN revisions v INDEXED BY revisions_cards"
                                     "   ON v.entry_id = e.id AND v.number = e.published_rev"
                                     " WHERE r.to_id = ?1 AND (?2 IS NULL OR r.field = ?2)"
                                     " ORDER BY r.field, e.kind, e.sort_key, e.id");
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, to_id);
    if (field)
        sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    return brief_read_all(s, a, st, STORE_RELATED_MAX, true, out, n, "relations_in");
}

int store_relations_out(struct store *s, struct arena *a, long long from_id, const char *field,
                        struct entry_brief_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " BRIEF_COLUMNS ", r.field FROM relations r"
                                     " JOIN entries e ON e.id = r.to_id"
                                     " JOIN revisions v INDEXED BY revisions_cards"
                                     "   ON v.entry_id = e.id AND v.number = e.published_rev"
                                     " WHERE r.from_id = ?1 AND (?2 IS NULL OR r.field = ?2)"
                                     " ORDER BY r.field, r.position");
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, from_id);
    if (field)
        sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    return brief_read_all(s, a, st, STORE_RELATED_MAX, true, out, n, "relations_out");
}

int store_entries_brief(struct store *s, struct arena *a, const long long *ids, int n,
                        struct entry_brief_row *out)
{
    for (int i = 0; i < n; i++)
        memset(&out[i], 0, sizeof(out[i]));
    if (n == 0)
        return STORE_OK;
    /* One query for every id; they travel as a JSON array, a bound parameter like any other. */
    sqlite3_stmt *st = store_stmt(s, "SELECT " BRIEF_COLUMNS " FROM entries e"
                                     " LEFT JOIN revisions v INDEXED BY revisions_cards"
                                     "   ON v.entry_id = e.id AND v.number = e.published_rev"
                                     " WHERE e.id IN (SELECT value FROM json_each(?1))");
    if (!st)
        return STORE_ERR;
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
    buf_putc(&b, ']');
    sqlite3_bind_text(st, 1, buf_cstr(&b), (int)b.len, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct entry_brief_row r;
        brief_read(a, st, &r, false);
        for (int i = 0; i < n; i++)
            if (ids[i] == r.id)
                out[i] = r;
    }
    store_done(st);
    buf_free(&b);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "entries_brief");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_entries_suggest(struct store *s, struct arena *a, const char *kinds, const char *q,
                          int limit, struct entry_brief_row **out, int *n)
{
    /* q is [a-z0-9-] (the caller folds it as slugs are): its words, in order, anywhere in the
     * slug. The kinds travel as a JSON array. */
    sqlite3_stmt *st =
        store_stmt(s, "SELECT " BRIEF_COLUMNS " FROM entries e"
                      " JOIN revisions v INDEXED BY revisions_cards"
                      "   ON v.entry_id = e.id AND v.number = e.published_rev"
                      " WHERE e.deleted = 0 AND e.hidden = 0 AND e.slug LIKE ?1"
                      " AND (?2 IS NULL OR e.kind IN (SELECT value FROM json_each(?2)))"
                      " ORDER BY e.slug NOT LIKE ?3, length(e.slug), e.slug LIMIT ?4");
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    struct buf like = BUF_INIT, prefix = BUF_INIT, jk = BUF_INIT;
    buf_putc(&like, '%');
    for (const char *p = q; *p; p++)
        buf_putc(&like, *p == '-' ? '%' : *p);
    buf_putc(&like, '%');
    buf_printf(&prefix, "%s%%", q);
    for (size_t i = 0; i < prefix.len; i++)
        if (prefix.data[i] == '-')
            prefix.data[i] = '%';
    sqlite3_bind_text(st, 1, buf_cstr(&like), -1, SQLITE_TRANSIENT);
    if (kinds) {
        buf_putc(&jk, '[');
        for (const char *p = kinds; *p;) {
            size_t len = strcspn(p, ",");
            buf_printf(&jk, "%s\"%.*s\"", jk.len > 1 ? "," : "", (int)len, p);
            p += len;
            if (*p == ',')
                p++;
        }
        buf_putc(&jk, ']');
        sqlite3_bind_text(st, 2, buf_cstr(&jk), -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_text(st, 3, buf_cstr(&prefix), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, limit);
    buf_free(&like);
    buf_free(&prefix);
    buf_free(&jk);
    return brief_read_all(s, a, st, limit, false, out, n, "entries_suggest");
}

int store_manager_add(struct store *s, long long entry_id, long long user_id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT OR IGNORE INTO entry_managers(entry_id, user_id,"
                                     " created) VALUES (?1, ?2, ?3)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now);
    return store_step_done(s, st, "manager_add");
}

int store_manager_is(struct store *s, long long entry_id, long long user_id)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT 1 FROM entry_managers WHERE entry_id = ?1"
                                     " AND user_id = ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, entry_id);
    sqlite3_bind_int64(st, 2, user_id);
    int rc = sqlite3_step(st);
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "manager_is");
        return STORE_ERR;
    }
    return rc == SQLITE_ROW;
}

int store_managed_entries(struct store *s, struct arena *a, long long user_id, const char *kind,
                          long long **ids, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT m.entry_id FROM entry_managers m"
                                     " JOIN entries e ON e.id = m.entry_id"
                                     " WHERE m.user_id = ?1 AND e.kind = ?2 AND e.deleted = 0"
                                     " ORDER BY e.sort_key LIMIT 200");
    *ids = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    long long *v = arena_alloc(a, sizeof(*v) * 200);
    int len = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && len < 200)
        v[len++] = sqlite3_column_int64(st, 0);
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, "managed_entries");
        return STORE_ERR;
    }
    *ids = v;
    *n = len;
    return STORE_OK;
}

#define JOIN_COLUMNS                                                                               \
    "j.id, j.network_id, j.actor_id, j.requester_id, coalesce(u.name, ''), j.message, j.state,"    \
    " j.created"

static void join_read(struct arena *a, sqlite3_stmt *st, struct join_request_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->network_id = sqlite3_column_int64(st, 1);
    r->actor_id = sqlite3_column_int64(st, 2);
    r->requester_id = sqlite3_column_int64(st, 3);
    r->requester_name = store_text(a, st, 4);
    r->message = store_text(a, st, 5);
    r->state = store_text(a, st, 6);
    r->created = sqlite3_column_int64(st, 7);
}

int store_join_request_insert(struct store *s, long long network_id, long long actor_id,
                              long long requester_id, const char *message, long long now,
                              long long *id)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO join_requests(network_id, actor_id, requester_id, message,"
                      " created) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, network_id);
    sqlite3_bind_int64(st, 2, actor_id);
    sqlite3_bind_int64(st, 3, requester_id);
    sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    int rc = store_step_done(s, st, "join_request_insert");
    if (rc == STORE_OK)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_join_request_get(struct store *s, struct arena *a, long long id,
                           struct join_request_row *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " JOIN_COLUMNS " FROM join_requests j"
                                     " LEFT JOIN users u ON u.id = j.requester_id WHERE j.id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        join_read(a, st, out);
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, "join_request_get");
    return STORE_ERR;
}

int store_join_requests_open(struct store *s, struct arena *a, long long network_id,
                             struct join_request_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " JOIN_COLUMNS " FROM join_requests j"
                                     " LEFT JOIN users u ON u.id = j.requester_id"
                                     " WHERE j.network_id = ?1 AND j.state = 'open'"
                                     " ORDER BY j.created, j.id LIMIT 500");
    *out = NULL;
    *n = 0;
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, network_id);
    struct join_request_row *v = arena_alloc(a, sizeof(*v) * 500);
    int len = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && len < 500)
        join_read(a, st, &v[len++]);
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, "join_requests_open");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_join_request_decide(struct store *s, long long id, const char *state,
                              long long moderator_id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE join_requests SET state = ?2, decided_by = ?3,"
                                     " decided_at = ?4 WHERE id = ?1 AND state = 'open'");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, moderator_id);
    sqlite3_bind_int64(st, 4, now);
    int rc = store_step_done(s, st, "join_request_decide");
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}
