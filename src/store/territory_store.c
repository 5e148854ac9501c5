/* territory_store.c — SQL for communes and themes. */
#include "store/territory_store.h"
#include "util/mem.h"
#include <stdio.h>
#include <string.h>

int store_commune_insert(struct store *s, const struct commune *c, const char *epci)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO communes(insee, name, lat, lon, epci, epci_name,"
                                     " population) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, c->insee, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
    if (c->has_point) {
        sqlite3_bind_double(st, 3, c->lat);
        sqlite3_bind_double(st, 4, c->lon);
    }
    sqlite3_bind_text(st, 5, epci, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c->epci_name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, c->population);
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERR;
    if (rc != STORE_OK)
        store_log_error(s, "commune");
    store_done(st);
    return rc;
}

int store_theme_insert(struct store *s, const char *id, const char *label, int position)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO themes(id, label, position) VALUES (?1, ?2, ?3)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, position);
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERR;
    if (rc != STORE_OK)
        store_log_error(s, "theme");
    store_done(st);
    return rc;
}

static char *store_col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return xstrdup(t ? (const char *)t : "");
}

int store_communes_load(struct store *s, struct commune **out, size_t *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT insee, name, lat, lon, epci_name, population"
                                     " FROM communes ORDER BY name COLLATE NOCASE");
    if (!st)
        return STORE_ERR;
    size_t cap = 128, len = 0;
    struct commune *v = xcalloc(cap, sizeof(*v));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            cap *= 2;
            v = xrealloc(v, cap * sizeof(*v));
        }
        struct commune *c = &v[len++];
        memset(c, 0, sizeof(*c));
        snprintf(c->insee, sizeof c->insee, "%s", (const char *)sqlite3_column_text(st, 0));
        c->name = store_col_dup(st, 1);
        c->has_point = sqlite3_column_type(st, 2) != SQLITE_NULL;
        c->lat = sqlite3_column_double(st, 2);
        c->lon = sqlite3_column_double(st, 3);
        c->epci_name = store_col_dup(st, 4);
        c->population = (long)sqlite3_column_int64(st, 5);
    }
    store_done(st);
    *out = v;
    *n = len;
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
}

int store_themes_load(struct store *s, struct theme **out, size_t *n)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT id, label FROM themes ORDER BY position");
    if (!st)
        return STORE_ERR;
    size_t cap = 32, len = 0;
    struct theme *v = xcalloc(cap, sizeof(*v));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            cap *= 2;
            v = xrealloc(v, cap * sizeof(*v));
        }
        v[len].id = store_col_dup(st, 0);
        v[len].label = store_col_dup(st, 1);
        len++;
    }
    store_done(st);
    *out = v;
    *n = len;
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
}

const char *store_theme_label(struct store *s, struct arena *a, const char *id)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT label FROM themes WHERE id = ?1");
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    const char *out = sqlite3_step(st) == SQLITE_ROW ? store_text(a, st, 0) : NULL;
    store_done(st);
    return out;
}

const char *store_commune_name(struct store *s, struct arena *a, const char *insee)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT name FROM communes WHERE insee = ?1");
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, insee, -1, SQLITE_STATIC);
    const char *out = sqlite3_step(st) == SQLITE_ROW ? store_text(a, st, 0) : NULL;
    store_done(st);
    return out;
}
