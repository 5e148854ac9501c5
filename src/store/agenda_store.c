/* agenda_store.c — the occurrences of events and the overrides of a series' occurrences. */
#include "store/agenda_store.h"

int store_occurrences_replace(struct store *s, long long entry_id, const long long *starts,
                              const long long *ends, int n)
{
    sqlite3_stmt *del = store_stmt(s, "DELETE FROM occurrences WHERE entry_id = ?1");
    sqlite3_stmt *ins = store_stmt(s, "INSERT OR IGNORE INTO occurrences(entry_id, start, end)"
                                      " VALUES (?1, ?2, ?3)");
    if (!del || !ins)
        return STORE_ERR;
    sqlite3_bind_int64(del, 1, entry_id);
    int rc = store_step_done(s, del, "occurrences_delete");
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        sqlite3_bind_int64(ins, 1, entry_id);
        sqlite3_bind_int64(ins, 2, starts[i]);
        sqlite3_bind_int64(ins, 3, ends[i]);
        rc = store_step_done(s, ins, "occurrences_insert");
    }
    return rc == STORE_OK ? STORE_OK : STORE_ERR;
}

int store_override_set(struct store *s, long long override_id, long long series_id,
                       long long replaces)
{
    sqlite3_stmt *st;
    if (series_id == 0) {
        st = store_stmt(s, "DELETE FROM occurrence_overrides WHERE override_id = ?1");
        if (!st)
            return STORE_ERR;
        sqlite3_bind_int64(st, 1, override_id);
        return store_step_done(s, st, "override_delete");
    }
    st = store_stmt(s, "INSERT OR REPLACE INTO occurrence_overrides(override_id, series_id,"
                       " replaces) VALUES (?1, ?2, ?3)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, override_id);
    sqlite3_bind_int64(st, 2, series_id);
    sqlite3_bind_int64(st, 3, replaces);
    return store_step_done(s, st, "override_set");
}
