/* geo_store.c — the SQLite answer to store/geo_store.h: rows of geo_entries and the R*Tree
 * geo_rtree over their own points (migration 12), and the reads that give each listed entry its
 * own point, the point of the first listed place it is at, and its commune's centre, read from
 * the places' rows and the communes table at that moment. A read by box gathers the candidates
 * three ways (own points in the box, entries at places in the box, entries of communes whose
 * centre is in the box), so that it never scans the whole table for a small box. */
#include "store/geo_store.h"
#include "util/mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many ids are read one by one; more are read by one pass over the table. */
#define GEO_BY_ID_MAX 256
/* A read by key costs about six rows of the pass over the whole table: a box's candidates are
 * read by key while they are fewer than a sixth of the entries, and their gathering stops
 * there (the pass then reads them all). */
#define GEO_KEY_COST 6

#define GEO_LISTED(e) e ".published_rev > 0 AND " e ".deleted = 0 AND " e ".hidden = 0"

/* A row: the entry's own, joined with entries for its visibility and slug. Its places' points
 * and its commune's centre are looked up by geo_resolve (each once per read). */
#define GEO_COLUMNS                                                                                \
    "g.entry_id, g.kind, e.slug, g.title, g.summary, g.lon, g.lat, g.commune, g.places, g.place"
#define GEO_JOIN " JOIN entries e ON e.id = g.entry_id AND " GEO_LISTED("e")

/* ?1 west, ?2 south, ?3 east, ?4 north. The R*Tree keeps 32-bit floats rounded outwards: the
 * boxes it answers hold every point inside, and a few on the edge that the caller's exact
 * check leaves out. */
#define GEO_IN_RTREE(t)                                                                            \
    t ".max_lon >= ?1 AND " t ".min_lon <= ?3 AND " t ".max_lat >= ?2 AND " t ".min_lat <= ?4"

static const char geo_sql_all[] =
    "SELECT " GEO_COLUMNS " FROM geo_entries g" GEO_JOIN " ORDER BY g.entry_id";
static const char geo_sql_one[] =
    "SELECT " GEO_COLUMNS " FROM geo_entries g" GEO_JOIN " WHERE g.entry_id = ?1";
/* The candidates of a box (geo_candidates): own points inside, with whether others may be at
 * them; the entries at one of those; the communes whose centre is inside, and the entries
 * without a point of theirs. */
static const char geo_sql_box_points[] =
    "SELECT t.id, t.place FROM geo_rtree t WHERE " GEO_IN_RTREE("t");
static const char geo_sql_at_place[] = "SELECT from_id FROM relations WHERE to_id = ?1";
static const char geo_sql_box_communes[] =
    "SELECT insee FROM communes WHERE lon BETWEEN ?1 AND ?3 AND lat BETWEEN ?2 AND ?4";
static const char geo_sql_of_commune[] =
    "SELECT entry_id FROM geo_entries WHERE commune = ?1 AND lat IS NULL";
static const char geo_sql_max_id[] = "SELECT coalesce(max(id), 0) FROM entries";
static const char geo_sql_place[] = "SELECT g.lon, g.lat FROM geo_entries g" GEO_JOIN
                                    " WHERE g.entry_id = ?1 AND g.lat IS NOT NULL";
static const char geo_sql_commune[] =
    "SELECT lon, lat FROM communes WHERE insee = ?1 AND lon IS NOT NULL AND lat IS NOT NULL";

int store_geo_remove(struct store *s, long long id)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM geo_entries WHERE entry_id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    if (store_step_done(s, st, "geo remove") != STORE_OK)
        return STORE_ERR;
    st = store_stmt(s, "DELETE FROM geo_rtree WHERE id = ?1");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, id);
    return store_step_done(s, st, "geo remove point") == STORE_OK ? STORE_OK : STORE_ERR;
}

static void geo_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int store_geo_put(struct store *s, const struct store_geo_entry *g)
{
    /* A DELETE and a plain INSERT rather than INSERT OR REPLACE: a statement that may replace
     * rows needs a statement journal, which makes FTS5 write out what a rebuild of the search
     * index gathers in memory (store/search_store.c). */
    if (store_geo_remove(s, g->id) != STORE_OK)
        return STORE_ERR;
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO geo_entries(entry_id, kind, lat, lon, commune,"
                                     " places, place, title, summary)"
                                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?9, ?7, ?8)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, g->id);
    sqlite3_bind_text(st, 2, g->kind, -1, SQLITE_STATIC);
    if (g->has_point) {
        sqlite3_bind_double(st, 3, g->lat);
        sqlite3_bind_double(st, 4, g->lon);
    } else {
        sqlite3_bind_null(st, 3);
        sqlite3_bind_null(st, 4);
    }
    geo_bind_text(st, 5, g->commune);
    char *places = NULL;
    if (g->nplaces > 0) {
        places = xmalloc((size_t)g->nplaces * 21 + 1);
        size_t len = 0;
        for (int i = 0; i < g->nplaces; i++)
            len += (size_t)sprintf(places + len, i ? " %lld" : "%lld", g->places[i]);
        sqlite3_bind_text(st, 6, places, (int)len, free);
    } else {
        sqlite3_bind_null(st, 6);
    }
    sqlite3_bind_text(st, 7, g->title ? g->title : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, g->summary ? g->summary : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, g->place ? 1 : 0);
    if (store_step_done(s, st, "geo put") != STORE_OK)
        return STORE_ERR;
    if (!g->has_point)
        return STORE_OK;
    st = store_stmt(s, "INSERT INTO geo_rtree(id, min_lon, max_lon, min_lat, max_lat, place)"
                       " VALUES (?1, ?2, ?2, ?3, ?3, ?4)");
    if (!st)
        return STORE_ERR;
    sqlite3_bind_int64(st, 1, g->id);
    sqlite3_bind_double(st, 2, g->lon);
    sqlite3_bind_double(st, 3, g->lat);
    sqlite3_bind_int(st, 4, g->place ? 1 : 0);
    return store_step_done(s, st, "geo put point") == STORE_OK ? STORE_OK : STORE_ERR;
}

int store_geo_clear(struct store *s)
{
    sqlite3_stmt *st = store_stmt(s, "DELETE FROM geo_entries");
    if (!st || store_step_done(s, st, "geo clear") != STORE_OK)
        return STORE_ERR;
    st = store_stmt(s, "DELETE FROM geo_rtree");
    return st && store_step_done(s, st, "geo clear points") == STORE_OK ? STORE_OK : STORE_ERR;
}

/* ---- reading ---- */

/* What one read has looked up: the points of places (by entry id) and the centres of communes
 * (by INSEE code, packed into 8 bytes), each asked of the file once. Open addressing. */
struct geo_memo_slot {
    unsigned long long key; /* 0: empty */
    struct store_geo_pos pos;
};

struct geo_memo {
    struct geo_memo_slot *slots;
    size_t cap, n; /* cap a power of two */
};

static struct geo_memo_slot *geo_memo_find(struct geo_memo *m, unsigned long long key)
{
    if (!m->slots)
        return NULL;
    for (size_t i = (key * 0x9E3779B97F4A7C15ull) >> 40 & (m->cap - 1);; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].key == key || m->slots[i].key == 0)
            return m->slots[i].key ? &m->slots[i] : NULL;
}

static void geo_memo_put(struct geo_memo *m, unsigned long long key, struct store_geo_pos pos)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct geo_memo old = *m;
        m->cap = old.cap ? old.cap * 2 : 1024;
        m->slots = xcalloc(m->cap, sizeof *m->slots);
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                geo_memo_put(m, old.slots[i].key, old.slots[i].pos);
        free(old.slots);
    }
    size_t i = (key * 0x9E3779B97F4A7C15ull) >> 40 & (m->cap - 1);
    while (m->slots[i].key && m->slots[i].key != key)
        i = (i + 1) & (m->cap - 1);
    m->n += m->slots[i].key == 0;
    m->slots[i] = (struct geo_memo_slot){key, pos};
}

struct geo_read {
    struct store *s;
    const struct store_geo_query *q;
    int (*fn)(void *arg, const struct store_geo_row *r);
    void *arg;
    struct geo_memo places, communes;
    /* In the pass over the whole table (ascending ids), every listed row with a point up to
     * this id is in places already: a place below it that is not there has none. */
    long long scanned;
    bool failed;
    /* A box's candidates: a bitmap of ids below cand_max, ncand of them; NULL: not a box. */
    unsigned char *cand;
    long long cand_max, ncand;
};

static struct store_geo_pos geo_pos(sqlite3_stmt *st, int lon, int lat)
{
    struct store_geo_pos p = {false, 0, 0};
    if (sqlite3_column_type(st, lon) != SQLITE_NULL &&
        sqlite3_column_type(st, lat) != SQLITE_NULL) {
        p.ok = true;
        p.lon = sqlite3_column_double(st, lon);
        p.lat = sqlite3_column_double(st, lat);
    }
    return p;
}

/* The point a statement of one row (lon, lat) gives for the key bound at 1, or none. */
static struct store_geo_pos geo_lookup(struct geo_read *g, sqlite3_stmt *st)
{
    struct store_geo_pos p = {false, 0, 0};
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        p = geo_pos(st, 0, 1);
    else if (rc != SQLITE_DONE) {
        store_log_error(g->s, "geo lookup");
        g->failed = true;
    }
    store_done(st);
    return p;
}

static struct store_geo_pos geo_place(struct geo_read *g, long long id)
{
    struct store_geo_pos none = {false, 0, 0};
    if (id <= 0)
        return none;
    struct geo_memo_slot *m = geo_memo_find(&g->places, (unsigned long long)id);
    if (m)
        return m->pos;
    if (id <= g->scanned)
        return none;
    sqlite3_stmt *st = store_stmt(g->s, geo_sql_place);
    if (!st) {
        g->failed = true;
        return none;
    }
    sqlite3_bind_int64(st, 1, id);
    struct store_geo_pos p = geo_lookup(g, st);
    geo_memo_put(&g->places, (unsigned long long)id, p);
    return p;
}

static struct store_geo_pos geo_commune(struct geo_read *g, const char *insee)
{
    struct store_geo_pos none = {false, 0, 0};
    size_t n = insee ? strlen(insee) : 0;
    unsigned long long key = 0;
    if (n == 0)
        return none;
    if (n <= 8)
        memcpy(&key, insee, n); /* never 0: the code is not empty */
    struct geo_memo_slot *m = n <= 8 ? geo_memo_find(&g->communes, key) : NULL;
    if (m)
        return m->pos;
    sqlite3_stmt *st = store_stmt(g->s, geo_sql_commune);
    if (!st) {
        g->failed = true;
        return none;
    }
    sqlite3_bind_text(st, 1, insee, (int)n, SQLITE_STATIC);
    struct store_geo_pos p = geo_lookup(g, st);
    if (n <= 8)
        geo_memo_put(&g->communes, key, p);
    return p;
}

static bool geo_ids_in(const struct geo_read *g, long long id)
{
    const struct store_geo_query *q = g->q;
    int lo = 0, hi = q->nids - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (q->ids[mid] == id)
            return true;
        if (q->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

/* Whether the row of id is one the read gives: a candidate of the box, one of the ids. */
static bool geo_wanted(const struct geo_read *g, long long id)
{
    if (g->cand)
        return id > 0 && id < g->cand_max && (g->cand[id >> 3] >> (id & 7) & 1);
    return !g->q->ids || geo_ids_in(g, id);
}

/* Marks id a candidate (in the ids asked for, when some are). */
static void geo_cand_add(struct geo_read *g, long long id)
{
    if (id <= 0 || id >= g->cand_max || (g->q->ids && !geo_ids_in(g, id)))
        return;
    unsigned char bit = (unsigned char)(1u << (id & 7));
    if (!(g->cand[id >> 3] & bit)) {
        g->cand[id >> 3] |= bit;
        g->ncand++;
    }
}

/* The point of the first of places (ids separated by spaces) that has one. */
static struct store_geo_pos geo_first_place(struct geo_read *g, const char *places)
{
    struct store_geo_pos none = {false, 0, 0};
    for (const char *p = places; p && *p;) {
        char *end;
        long long id = strtoll(p, &end, 10);
        if (end == p)
            break;
        struct store_geo_pos pos = geo_place(g, id);
        if (pos.ok)
            return pos;
        p = end;
    }
    return none;
}

/* Steps st to its end, calling fn for each wanted row. 1 when fn stopped it, 0 at the end,
 * -1 on an error (logged). scan: st reads the whole table in ascending ids. */
static int geo_rows(struct geo_read *g, sqlite3_stmt *st, bool scan)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        struct store_geo_pos own = geo_pos(st, 5, 6);
        /* A listed place read: the entries at it need not ask for its point. */
        if (own.ok && sqlite3_column_int(st, 9))
            geo_memo_put(&g->places, (unsigned long long)id, own);
        if (scan)
            g->scanned = id;
        if (!geo_wanted(g, id))
            continue;
        struct store_geo_row r = {
            .id = id,
            .kind = (const char *)sqlite3_column_text(st, 1),
            .slug = (const char *)sqlite3_column_text(st, 2),
            .title = (const char *)sqlite3_column_text(st, 3),
            .summary = g->q->summaries ? (const char *)sqlite3_column_text(st, 4) : "",
            .own = own,
        };
        if (!own.ok) {
            r.place = geo_first_place(g, (const char *)sqlite3_column_text(st, 8));
            if (!r.place.ok)
                r.commune = geo_commune(g, (const char *)sqlite3_column_text(st, 7));
        }
        if (g->failed)
            return -1;
        if (!r.kind || !r.slug || !r.title || !r.summary) {
            store_log_error(g->s, "geo row");
            return -1;
        }
        if (g->fn(g->arg, &r))
            return 1;
    }
    if (rc != SQLITE_DONE) {
        store_log_error(g->s, "geo read");
        return -1;
    }
    return 0;
}

static void geo_bind_box(sqlite3_stmt *st, const struct store_geo_box *b)
{
    sqlite3_bind_double(st, 1, b->west);
    sqlite3_bind_double(st, 2, b->south);
    sqlite3_bind_double(st, 3, b->east);
    sqlite3_bind_double(st, 4, b->north);
}

/* Steps st (one id a row, at column 0) to its end, marking each id: 0, 1 when they are too many
 * to be read by key (it stops there), -1 on an error. When places is not NULL, the ids whose
 * column 1 is set are added to it too. */
static int geo_cand_rows(struct geo_read *g, sqlite3_stmt *st, long long **places, long long *np,
                         long long *cap)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        geo_cand_add(g, id);
        if (g->ncand * GEO_KEY_COST >= g->cand_max)
            return 1; /* too many to read by key */
        if (places && sqlite3_column_int(st, 1)) {
            if (*np == *cap) {
                *cap = *cap ? *cap * 2 : 256;
                *places = xrealloc(*places, sizeof **places * (size_t)*cap);
            }
            (*places)[(*np)++] = id;
        }
    }
    if (rc != SQLITE_DONE) {
        store_log_error(g->s, "geo candidates");
        return -1;
    }
    return 0;
}

/* The candidates of q->box into g->cand: every entry that may be shown inside it. 0, 1 when
 * they are too many to be read by key (the gathering stopped), -1 on an error. */
static int geo_candidates(struct geo_read *g)
{
    struct store *s = g->s;
    sqlite3_stmt *st = store_stmt(s, geo_sql_max_id);
    if (!st)
        return -1;
    g->cand_max = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) + 1 : 0;
    store_done(st);
    g->cand = xcalloc((size_t)(g->cand_max >> 3) + 1, 1);
    long long *places = NULL, np = 0, cap = 0;
    int rc = (st = store_stmt(s, geo_sql_box_points)) ? 0 : -1;
    if (st) {
        geo_bind_box(st, g->q->box);
        rc = geo_cand_rows(g, st, &places, &np, &cap);
        store_done(st);
    }
    for (long long i = 0; rc == 0 && i < np; i++) {
        if (!(st = store_stmt(s, geo_sql_at_place)))
            rc = -1;
        else {
            sqlite3_bind_int64(st, 1, places[i]);
            rc = geo_cand_rows(g, st, NULL, NULL, NULL);
            store_done(st);
        }
    }
    free(places);
    /* The communes inside first (a few), then their entries. */
    char **communes = NULL;
    long long nc = 0, ccap = 0;
    if (rc == 0 && (st = store_stmt(s, geo_sql_box_communes))) {
        geo_bind_box(st, g->q->box);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (nc == ccap) {
                ccap = ccap ? ccap * 2 : 64;
                communes = xrealloc(communes, sizeof *communes * (size_t)ccap);
            }
            communes[nc++] = xstrdup((const char *)sqlite3_column_text(st, 0));
        }
        rc = rc == SQLITE_DONE ? 0 : -1;
        if (rc < 0)
            store_log_error(s, "geo communes");
        store_done(st);
    } else if (rc == 0) {
        rc = -1;
    }
    for (long long i = 0; rc == 0 && i < nc; i++) {
        if (!(st = store_stmt(s, geo_sql_of_commune)))
            rc = -1;
        else {
            sqlite3_bind_text(st, 1, communes[i], -1, SQLITE_STATIC);
            rc = geo_cand_rows(g, st, NULL, NULL, NULL);
            store_done(st);
        }
    }
    for (long long i = 0; i < nc; i++)
        free(communes[i]);
    free(communes);
    return rc;
}

/* Reads each of ids (ascending) by its key. */
static int geo_by_ids(struct geo_read *g, const long long *ids, long long n)
{
    sqlite3_stmt *st = store_stmt(g->s, geo_sql_one);
    if (!st)
        return -1;
    int rc = 0;
    for (long long i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(st, 1, ids[i]);
        rc = geo_rows(g, st, false);
        sqlite3_reset(st);
    }
    store_done(st);
    return rc;
}

int store_geo_each(struct store *s, const struct store_geo_query *q,
                   int (*fn)(void *arg, const struct store_geo_row *r), void *arg)
{
    if (q->ids && q->nids == 0)
        return STORE_OK;
    if (store_read_begin(s) != STORE_OK)
        return STORE_ERR;
    struct geo_read g = {.s = s, .q = q, .fn = fn, .arg = arg};
    int rc = 0;
    if (q->box && (rc = geo_candidates(&g)) > 0) {
        /* Most of the map: every row is read, the caller checks the box. */
        free(g.cand);
        g.cand = NULL;
        rc = 0;
    }
    /* A few entries (a popup, a rare word, a small box): each by its key, the box checked by
     * the caller. Many: one pass over the table, keeping the ones asked for. */
    if (rc == 0 && !q->box && q->ids && q->nids <= GEO_BY_ID_MAX) {
        rc = geo_by_ids(&g, q->ids, q->nids);
    } else if (rc == 0 && g.cand) {
        long long *ids = xmalloc(sizeof *ids * (size_t)(g.ncand ? g.ncand : 1)), n = 0;
        for (long long id = 1; id < g.cand_max; id++)
            if (g.cand[id >> 3] >> (id & 7) & 1)
                ids[n++] = id;
        rc = geo_by_ids(&g, ids, n);
        free(ids);
    } else if (rc == 0) {
        sqlite3_stmt *st = store_stmt(s, geo_sql_all);
        /* The statement's rows are read while the places' and communes' lookups run on
         * statements of their own. */
        rc = st ? geo_rows(&g, st, true) : -1;
        if (st)
            store_done(st);
    }
    store_read_end(s);
    free(g.places.slots);
    free(g.communes.slots);
    free(g.cand);
    return rc < 0 ? STORE_ERR : STORE_OK;
}

int store_geo_check(struct store *s, const char *const *kinds, int n)
{
    int problems = 0;
    /* Listed entries of the kinds given without a row: counted kind by kind. */
    for (int i = 0; i < n; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db,
                               "SELECT count(*) FROM entries e WHERE e.kind = ?1 AND " GEO_LISTED(
                                   "e") " AND NOT EXISTS (SELECT 1 FROM geo_entries g"
                                        " WHERE g.entry_id = e.id)",
                               -1, &st, NULL) != SQLITE_OK) {
            store_log_error(s, "geo check");
            return problems + 1;
        }
        sqlite3_bind_text(st, 1, kinds[i], -1, SQLITE_STATIC);
        long long k = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        if (k != 0) {
            fprintf(stderr,
                    "carte\u202f: fiches visibles de type %s absentes des points (%lld) — "
                    "«\u202ffoison reindex SITE.db\u202f» les refait\n",
                    kinds[i], k);
            problems++;
        }
    }
    static const char *const checks[][2] = {
        {"SELECT count(*) FROM geo_entries g WHERE NOT EXISTS (SELECT 1 FROM entries e"
         " WHERE e.id = g.entry_id AND " GEO_LISTED("e") " AND e.kind = g.kind)",
         "fiches cachées, supprimées ou inconnues parmi les points"},
        {"SELECT (SELECT count(*) FROM geo_entries g WHERE g.lat IS NOT NULL AND NOT EXISTS"
         " (SELECT 1 FROM geo_rtree t WHERE t.id = g.entry_id)) + (SELECT count(*) FROM geo_rtree t"
         " WHERE NOT EXISTS (SELECT 1 FROM geo_entries g WHERE g.entry_id = t.id AND"
         " g.lat IS NOT NULL))",
         "écart entre les points et leur index"},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, checks[i][0], -1, &st, NULL) != SQLITE_OK) {
            store_log_error(s, "geo check");
            problems++;
            continue;
        }
        long long k = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        if (k != 0) {
            fprintf(stderr,
                    "carte\u202f: %s (%lld) — «\u202ffoison reindex SITE.db\u202f» les "
                    "refait\n",
                    checks[i][1], k);
            problems++;
        }
    }
    return problems;
}
