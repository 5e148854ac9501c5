/* outbox_store.c — SQL for the mail queue. */
#include "store/outbox_store.h"
#include "util/arena.h"

int store_outbox_insert(struct store *s, long long now, const char *recipient,
                        const char *message_id, const char *message)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO outbox(created, recipient, message_id, message,"
                                     " next_try) VALUES (?1, ?2, ?3, ?4, ?1)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
    return store_step_done(s, st, "outbox_insert");
}

int store_outbox_due(struct store *s, struct arena *a, long long now, int max,
                     struct outbox_row **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT id, recipient, message_id, message, tries FROM outbox"
                                     " INDEXED BY outbox_due"
                                     " WHERE state = 'queued' AND next_try <= ?1"
                                     " ORDER BY next_try, id LIMIT ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, max);
    struct outbox_row *v = arena_alloc(a, sizeof(*v) * (size_t)(max > 0 ? max : 1));
    int len = 0, rc = SQLITE_DONE;
    while (len < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        v[len].id = sqlite3_column_int64(st, 0);
        v[len].recipient = store_text(a, st, 1);
        v[len].message_id = store_text(a, st, 2);
        v[len].message = store_text(a, st, 3);
        v[len++].tries = sqlite3_column_int(st, 4);
    }
    store_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_log_error(s, "outbox_due");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_outbox_claim(struct store *s, long long id, long long now, long long lease)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE outbox SET next_try = ?3 WHERE id = ?1"
                                     " AND state = 'queued' AND next_try <= ?2");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, lease);
    int rc = store_step_done(s, st, "outbox_claim");
    return rc == STORE_OK && sqlite3_changes(s->db) != 1 ? STORE_NOTFOUND : rc;
}

/* What stays of a mail once it left (or was given up): its headers (to whom, when, what subject),
 * not its body, which may hold a one-time link that must not outlive the mail in the file. */
#define OUTBOX_HEADERS_ONLY "substr(message, 1, instr(message, char(13, 10, 13, 10)) + 1)"

int store_outbox_forget(struct store *s, const char *recipient)
{
    /* Mails to the address, and those it sent through a record's contact form (Reply-To; the
     * bodies are base64, so only a header can hold that text). */
    sqlite3_stmt *st =
        store_stmt(s, "DELETE FROM outbox WHERE recipient = ?1 COLLATE NOCASE"
                      " OR instr(lower(message), lower('Reply-To: <' || ?1 || '>'))");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
    return store_step_done(s, st, "outbox_forget");
}

int store_outbox_done(struct store *s, long long id, long long now)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE outbox SET state = 'sent', sent = ?2, last_error = '',"
                                     " message = " OUTBOX_HEADERS_ONLY " WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return store_step_done(s, st, "outbox_done");
}

int store_outbox_failed(struct store *s, long long id, int tries, long long next_try,
                        const char *error, bool give_up)
{
    sqlite3_stmt *st = store_stmt(s, "UPDATE outbox SET tries = ?2, next_try = ?3, last_error = ?4,"
                                     " state = CASE WHEN ?5 THEN 'failed' ELSE 'queued' END,"
                                     " message = CASE WHEN ?5 THEN " OUTBOX_HEADERS_ONLY
                                     " ELSE message END WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, tries);
    sqlite3_bind_int64(st, 3, next_try);
    sqlite3_bind_text(st, 4, error ? error : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, give_up);
    return store_step_done(s, st, "outbox_failed");
}
