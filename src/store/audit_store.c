/* audit_store.c — SQL for the security self-audit (see audit_store.h). */
#include "store/audit_store.h"
#include "util/arena.h"

int store_staff_list(struct store *s, struct arena *a, int max, struct staff_row **out, int *n)
{
    *n = 0;
    *out = arena_alloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
    sqlite3_stmt *st = store_stmt(s, "SELECT id, role, password_hash FROM users"
                                     " WHERE status = 'active' AND role IN ('admin', 'moderator')"
                                     " ORDER BY role = 'admin' DESC, id LIMIT ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int(st, 1, max);
    int rc;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct staff_row *r = &(*out)[(*n)++];
        r->id = sqlite3_column_int64(st, 0);
        r->role = store_text(a, st, 1);
        r->password_hash = store_text(a, st, 2);
    }
    rc = *n < max ? rc : SQLITE_DONE;
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "staff_list");
        return STORE_ERR;
    }
    return STORE_OK;
}
