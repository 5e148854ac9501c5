/* territory_store.c — SQL for communes (and what entries use them) and themes. */
#include "store/territory_store.h"
#include "util/arena.h"
#include "util/mem.h"
#include <stdio.h>
#include <string.h>

/* The columns of a commune, bound as ?1..?8 in the order of the INSERT below. */
static void store_commune_bind(sqlite3_stmt *st, const struct commune *c)
{
    sqlite3_bind_text(st, 1, c->insee, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
    if (c->has_point) {
        sqlite3_bind_double(st, 3, c->lat);
        sqlite3_bind_double(st, 4, c->lon);
        sqlite3_bind_text(st, 8, c->placed_by_admin ? "admin" : "data", -1, SQLITE_STATIC);
    }
    if (c->epci[0])
        sqlite3_bind_text(st, 5, c->epci, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c->epci_name ? c->epci_name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, c->population);
}

int store_commune_insert(struct store *s, const struct commune *c)
{
    sqlite3_stmt *st =
        store_stmt(s, "INSERT INTO communes(insee, name, lat, lon, epci, epci_name,"
                      " population, placed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return STORE_ERR;
    store_commune_bind(st, c);
    return store_step_done(s, st, "commune");
}

int store_commune_upsert(struct store *s, const struct commune *c)
{
    sqlite3_stmt *st = store_stmt(
        s, "INSERT INTO communes(insee, name, lat, lon, epci, epci_name, population, placed)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
           " ON CONFLICT(insee) DO UPDATE SET name = excluded.name, epci = excluded.epci,"
           " epci_name = excluded.epci_name, population = excluded.population,"
           " lat = CASE WHEN placed = 'admin' THEN lat ELSE excluded.lat END,"
           " lon = CASE WHEN placed = 'admin' THEN lon ELSE excluded.lon END,"
           " placed = CASE WHEN placed = 'admin' THEN placed ELSE excluded.placed END");
    if (!st)
        return STORE_ERR;
    store_commune_bind(st, c);
    return store_step_done(s, st, "commune");
}

int store_commune_delete(struct store *s, const char *insee)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM communes WHERE insee = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, insee, -1, SQLITE_STATIC);
    return store_step_done(s, st, "commune");
}

int store_commune_place(struct store *s, const char *insee, double lat, double lon)
{
    sqlite3_stmt *st =
        store_stmt(s, "UPDATE communes SET lat = ?2, lon = ?3, placed = 'admin' WHERE insee = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, insee, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 2, lat);
    sqlite3_bind_double(st, 3, lon);
    int rc = store_step_done(s, st, "commune");
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0)
        rc = STORE_NOTFOUND;
    return rc;
}

int store_commune_uses(struct store *s, struct arena *a, struct commune_use **out, size_t *n)
{
    /* The derived terms hold the published texts' communes (a commune field or an address's
     * commune, both under the facet "commune"); a pending text is read from its fields, where
     * both are a member named "commune". */
    sqlite3_stmt *st = store_stmt(
        s, "SELECT value, count(DISTINCT entry_id) FROM ("
           " SELECT t.value AS value, t.entry_id AS entry_id FROM entry_terms t"
           "  JOIN entries e ON e.id = t.entry_id WHERE t.facet = 'commune' AND e.deleted = 0"
           " UNION ALL"
           " SELECT j.value, r.entry_id FROM revisions r JOIN entries e ON e.id = r.entry_id,"
           "  json_tree(r.fields) j WHERE r.state = 'pending' AND e.deleted = 0"
           "  AND j.key = 'commune' AND j.type = 'text')"
           " GROUP BY value ORDER BY value");
    if (!st)
        return STORE_ERR;
    size_t cap = 64, len = 0;
    struct commune_use *v = arena_alloc(a, cap * sizeof(*v));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *code = sqlite3_column_text(st, 0);
        if (!code || strlen((const char *)code) >= sizeof v->insee)
            continue; /* not a commune code: nothing to keep */
        if (len == cap) {
            struct commune_use *w = arena_alloc(a, 2 * cap * sizeof(*v));
            memcpy(w, v, len * sizeof(*v));
            v = w;
            cap *= 2;
        }
        snprintf(v[len].insee, sizeof v[len].insee, "%s", (const char *)code);
        v[len].entries = (long)sqlite3_column_int64(st, 1);
        len++;
    }
    store_done(st);
    if (rc != SQLITE_DONE) {
        store_log_error(s, "commune uses");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

/* A row of SELECT insee, name, lat, lon, placed, epci, epci_name, population into c, its texts
 * in a. */
static void store_commune_row(sqlite3_stmt *st, struct arena *a, struct commune *c)
{
    memset(c, 0, sizeof(*c));
    const unsigned char *code = sqlite3_column_text(st, 0);
    snprintf(c->insee, sizeof c->insee, "%s", code ? (const char *)code : "");
    c->name = (char *)store_text(a, st, 1);
    c->has_point = sqlite3_column_type(st, 2) != SQLITE_NULL;
    c->lat = sqlite3_column_double(st, 2);
    c->lon = sqlite3_column_double(st, 3);
    const unsigned char *placed = sqlite3_column_text(st, 4);
    c->placed_by_admin = placed && strcmp((const char *)placed, "admin") == 0;
    const unsigned char *epci = sqlite3_column_text(st, 5);
    snprintf(c->epci, sizeof c->epci, "%s", epci ? (const char *)epci : "");
    c->epci_name = (char *)store_text(a, st, 6);
    c->population = (long)sqlite3_column_int64(st, 7);
}

int store_communes_page(struct store *s, struct arena *a, enum store_communes_which which,
                        int offset, int limit, struct commune **out, size_t *n)
{
    sqlite3_stmt *st =
        which == STORE_COMMUNES_UNPLACED
            ? store_stmt(s, "SELECT insee, name, lat, lon, placed, epci, epci_name, population"
                            " FROM communes WHERE lat IS NULL OR lon IS NULL"
                            " ORDER BY name COLLATE NOCASE, insee LIMIT ?2 OFFSET ?1")
            : store_stmt(s, "SELECT insee, name, lat, lon, placed, epci, epci_name, population"
                            " FROM communes WHERE placed = 'admin'"
                            " ORDER BY name COLLATE NOCASE, insee LIMIT ?2 OFFSET ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int(st, 1, offset);
    sqlite3_bind_int(st, 2, limit);
    struct commune *v = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof(*v));
    size_t len = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && len < (size_t)limit)
        store_commune_row(st, a, &v[len++]);
    store_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_log_error(s, "communes");
        return STORE_ERR;
    }
    *out = v;
    *n = len;
    return STORE_OK;
}

int store_communes_count(struct store *s, long *all, long *unplaced, long *by_admin)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*), count(*) FILTER (WHERE lat IS NULL OR lon"
                                     " IS NULL), count(*) FILTER (WHERE placed = 'admin')"
                                     " FROM communes");
    if (!st)
        return STORE_ERR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *all = (long)sqlite3_column_int64(st, 0);
        *unplaced = (long)sqlite3_column_int64(st, 1);
        *by_admin = (long)sqlite3_column_int64(st, 2);
    }
    store_done(st);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "communes count");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_communes_extent(struct store *s, const char *except, long *n, double *south, double *west,
                          double *north, double *east)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*), min(lat), min(lon), max(lat), max(lon)"
                                     " FROM communes WHERE lat IS NOT NULL AND lon IS NOT NULL"
                                     " AND insee != ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, except ? except : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n = (long)sqlite3_column_int64(st, 0);
        if (*n > 0) {
            *south = sqlite3_column_double(st, 1);
            *west = sqlite3_column_double(st, 2);
            *north = sqlite3_column_double(st, 3);
            *east = sqlite3_column_double(st, 4);
        }
    }
    store_done(st);
    if (rc != SQLITE_ROW) {
        store_log_error(s, "communes extent");
        return STORE_ERR;
    }
    return STORE_OK;
}

int store_commune_get(struct store *s, struct arena *a, const char *insee, struct commune *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT insee, name, lat, lon, placed, epci, epci_name,"
                                     " population FROM communes WHERE insee = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_text(st, 1, insee, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        store_commune_row(st, a, out);
    store_done(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc == SQLITE_DONE)
        return STORE_NOTFOUND;
    store_log_error(s, "commune");
    return STORE_ERR;
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
    sqlite3_stmt *st = store_stmt(s, "SELECT insee, name, lat, lon, placed, epci, epci_name,"
                                     " population FROM communes ORDER BY name COLLATE NOCASE");
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
        const unsigned char *placed = sqlite3_column_text(st, 4);
        c->placed_by_admin = placed && strcmp((const char *)placed, "admin") == 0;
        const unsigned char *epci = sqlite3_column_text(st, 5);
        snprintf(c->epci, sizeof c->epci, "%s", epci ? (const char *)epci : "");
        c->epci_name = store_col_dup(st, 6);
        c->population = (long)sqlite3_column_int64(st, 7);
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
