/* geo.c — the map's points (see geo.h): which kinds can be placed and from which fields, what
 * the derived-data step keeps of a published revision's position, the rule that picks the
 * point an entry is shown at, the bounding boxes the API takes, and the read that joins the
 * search's filters to the points. */
#include "core/geo.h"
#include "core/entry.h"
#include "core/schema.h"
#include "core/search.h"
#include "store/entry_store.h"
#include "store/geo_store.h"
#include "util/arena.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *geo_precision_name(enum geo_precision p)
{
    switch (p) {
    case GEO_EXACT:
        return "exact";
    case GEO_PLACE:
        return "place";
    case GEO_COMMUNE:
        return "commune";
    case GEO_UNPLACED:
        break;
    }
    return NULL;
}

/* The fields a kind is placed by: its first point, commune (a commune field, else an address)
 * and relation to places; NULL when it has none. */
struct geo_fields {
    const struct field_def *point, *commune, *place;
};

static struct geo_fields geo_fields_of(const struct kind_def *k)
{
    struct geo_fields g = {NULL, NULL, NULL};
    const struct field_def *address = NULL;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->type == FT_POINT && !g.point)
            g.point = f;
        else if (f->type == FT_COMMUNE && !g.commune)
            g.commune = f;
        else if (f->type == FT_ADDRESS && !address)
            address = f;
        else if (f->type == FT_RELATION && f->locates && !g.place)
            g.place = f;
    }
    if (!g.commune)
        g.commune = address;
    return g;
}

/* Whether entries of k are places others may be at: some kind's relation to where it is
 * points to k. */
static bool geo_kind_is_place(const struct kind_def *k)
{
    for (size_t i = 0; i < kind_count(); i++) {
        const struct kind_def *o = kind_at(i);
        for (size_t j = 0; j < o->nfields; j++)
            if (o->fields[j].locates && field_relation_allows(&o->fields[j], k->name))
                return true;
    }
    return false;
}

bool geo_kind_placeable(const struct kind_def *k)
{
    struct geo_fields g = geo_fields_of(k);
    return g.point || g.commune || g.place;
}

/* ---- bounding boxes ---- */

static bool geo_lon_ok(double v)
{
    return isfinite(v) && v >= -180 && v <= 180;
}

static bool geo_lat_ok(double v)
{
    return isfinite(v) && v >= -90 && v <= 90;
}

/* One number of a bbox, s[0..n) with the spaces around it: 0 and *v when it is a decimal number
 * (sign, digits, a point, digits, an exponent), 1 when it is one but not finite (1e999) or a
 * word for infinity or "not a number", -1 otherwise. */
static int geo_number(const char *s, size_t n, double *v)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char t[64];
    if (n == 0 || n >= sizeof t)
        return -1;
    memcpy(t, s, n);
    t[n] = '\0';
    const char *p = t + (*t == '-' || *t == '+');
    if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0 || strcasecmp(p, "nan") == 0)
        return 1;
    size_t digits = strspn(p, "0123456789");
    p += digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        digits += frac;
        p += 1 + frac;
    }
    if (!digits)
        return -1;
    if (*p == 'e' || *p == 'E') {
        p++;
        p += *p == '-' || *p == '+';
        size_t exp = strspn(p, "0123456789");
        if (!exp)
            return -1;
        p += exp;
    }
    if (*p)
        return -1;
    *v = strtod(t, NULL);
    return isfinite(*v) ? 0 : 1;
}

const char *geo_bbox_parse(const char *text, struct geo_bbox *out)
{
    static const char four[] = "quatre nombres attendus, séparés par des virgules\u202f: "
                               "ouest,sud,est,nord (ex. -4.8,48.2,-4.2,48.6)";
    double v[4];
    int n = 0;
    bool infinite = false;
    for (const char *p = text ? text : "";;) {
        size_t len = strcspn(p, ",");
        if (n == 4)
            return four;
        int rc = geo_number(p, len, &v[n++]);
        if (rc < 0)
            return four;
        infinite |= rc > 0;
        p += len;
        if (!*p)
            break;
        p++;
    }
    if (n != 4)
        return four;
    if (infinite)
        return "les quatre nombres doivent être finis";
    if (!geo_lon_ok(v[0]) || !geo_lon_ok(v[2]))
        return "longitude hors des bornes\u202f: l'ouest et l'est vont de -180 à 180";
    if (!geo_lat_ok(v[1]) || !geo_lat_ok(v[3]))
        return "latitude hors des bornes\u202f: le sud et le nord vont de -90 à 90";
    if (v[1] > v[3])
        return "le sud est au nord du nord\u202f: l'ordre est ouest,sud,est,nord";
    bool crosses = v[0] > v[2];
    if (crosses && !(v[0] > 0 && v[2] < 0))
        return "l'ouest est à l'est de l'est\u202f: l'ordre est ouest,sud,est,nord (une boîte "
               "qui traverse l'antiméridien va d'un ouest positif à un est négatif)";
    *out = (struct geo_bbox){v[0], v[1], v[2], v[3], crosses};
    return NULL;
}

bool geo_bbox_holds(const struct geo_bbox *b, double lon, double lat)
{
    if (lat < b->south || lat > b->north)
        return false;
    return b->crosses ? lon >= b->west || lon <= b->east : lon >= b->west && lon <= b->east;
}

/* ---- derived data ---- */

/* A point field's value when it is a valid position. */
static bool geo_point_of(json_t *v, double *lat, double *lon)
{
    json_t *la = json_object_get(v, "lat"), *lo = json_object_get(v, "lon");
    if (!json_is_number(la) || !json_is_number(lo))
        return false;
    *lat = json_number_value(la);
    *lon = json_number_value(lo);
    return geo_lat_ok(*lat) && geo_lon_ok(*lon);
}

int geo_derive(struct store *s, struct arena *a, const struct kind_def *k, long long id,
               json_t *fields)
{
    struct geo_fields gf = geo_fields_of(k);
    if (!gf.point && !gf.commune && !gf.place)
        return ENTRY_OK;
    struct entry_row e;
    int rc = store_entry_by_id(s, a, id, &e);
    if (rc == STORE_NOTFOUND)
        return ENTRY_OK;
    if (rc != STORE_OK)
        return ENTRY_ERR;
    if (e.deleted || e.hidden || e.published_rev == 0)
        return store_geo_remove(s, id) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
    struct store_geo_entry g = {
        .id = id,
        .kind = k->name,
        .title = entry_title(k, fields),
        .summary = json_string_value(json_object_get(fields, k->summary_field)),
        .place = geo_kind_is_place(k),
    };
    if (gf.place) {
        json_t *list = json_object_get(fields, gf.place->name);
        long long *ids = arena_alloc(a, sizeof *ids * (json_array_size(list) + 1));
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
            if (json_is_integer(item) && json_integer_value(item) > 0)
                ids[g.nplaces++] = (long long)json_integer_value(item);
        }
        g.places = ids;
    }
    if (gf.point)
        g.has_point = geo_point_of(json_object_get(fields, gf.point->name), &g.lat, &g.lon);
    if (gf.commune) {
        json_t *v = json_object_get(fields, gf.commune->name);
        if (gf.commune->type == FT_ADDRESS)
            v = json_object_get(v, "commune");
        g.commune = json_string_value(v);
    }
    return store_geo_put(s, &g) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

int geo_sync_entry(struct store *s, long long id)
{
    struct arena *a = arena_new();
    struct entry_row e;
    int rc = store_entry_by_id(s, a, id, &e);
    if (rc != STORE_OK) {
        arena_free(a);
        return rc == STORE_NOTFOUND ? ENTRY_OK : ENTRY_ERR;
    }
    const struct kind_def *k = kind_find(e.kind);
    struct revision_row r;
    if (!k || e.deleted || e.hidden || e.published_rev == 0) {
        rc = store_geo_remove(s, id) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
    } else if (store_revision_get(s, a, id, e.published_rev, &r) != STORE_OK) {
        rc = ENTRY_ERR;
    } else {
        json_t *fields = json_loads(r.fields, 0, NULL);
        rc = fields ? geo_derive(s, a, k, id, fields) : ENTRY_ERR;
        json_decref(fields);
    }
    arena_free(a);
    return rc;
}

int geo_clear(struct store *s)
{
    return store_geo_clear(s) == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

int geo_check(struct store *s)
{
    const char *names[64];
    int n = 0;
    for (size_t i = 0; i < kind_count() && n < 64; i++)
        if (geo_kind_placeable(kind_at(i)))
            names[n++] = kind_at(i)->name;
    return store_geo_check(s, names, n);
}

/* ---- reading ---- */

struct geo_walk {
    const struct geo_request *r;
    const struct store_geo_box *box; /* the box (or half of it) being read, NULL: anywhere */
    int (*fn)(void *arg, const struct geo_point *p);
    void *arg;
    bool stopped;
};

/* The rule: its own point, else its place's, else its commune's centre, else none. */
static enum geo_precision geo_resolve(const struct store_geo_row *row, double *lon, double *lat)
{
    const struct store_geo_pos *pos[3] = {&row->own, &row->place, &row->commune};
    for (int i = 0; i < 3; i++)
        if (pos[i]->ok && geo_lon_ok(pos[i]->lon) && geo_lat_ok(pos[i]->lat)) {
            *lon = pos[i]->lon;
            *lat = pos[i]->lat;
            return (enum geo_precision)i;
        }
    return GEO_UNPLACED;
}

static int geo_walk_row(void *arg, const struct store_geo_row *row)
{
    struct geo_walk *w = arg;
    struct geo_point p = {
        .id = row->id,
        .kind = kind_find(row->kind),
        .slug = row->slug,
        .title = row->title,
        .summary = row->summary,
    };
    if (!p.kind)
        return 0; /* a kind this program does not know */
    p.precision = geo_resolve(row, &p.lon, &p.lat);
    /* Checked against the half being read, not the whole box: an entry read as a candidate of
     * both halves is shown once. */
    const struct store_geo_box *b = w->box;
    if (p.precision == GEO_UNPLACED
            ? b || !w->r->unplaced
            : b && (p.lon < b->west || p.lon > b->east || p.lat < b->south || p.lat > b->north))
        return 0;
    w->stopped = w->fn(w->arg, &p) != 0;
    return w->stopped;
}

int geo_each(struct store *s, struct arena *a, const struct geo_request *r,
             int (*fn)(void *arg, const struct geo_point *p), void *arg)
{
    struct store_geo_query q = {.summaries = r->summaries};
    if ((r->q && *r->q) || r->nfilters > 0) {
        struct search_request sr = {
            .q = r->q, .q_len = r->q_len, .filters = r->filters, .nfilters = r->nfilters};
        long long *ids;
        bool all;
        if (search_ids(s, a, &sr, &ids, &q.nids, &all) != SEARCH_OK)
            return GEO_ERR;
        if (!all && q.nids == 0)
            return GEO_OK; /* nothing matches */
        q.ids = all ? NULL : ids;
    }
    if (r->id > 0) {
        bool in = !q.ids;
        for (int i = 0; !in && i < q.nids; i++)
            in = q.ids[i] == r->id;
        if (!in)
            return GEO_OK;
        q.ids = &r->id;
        q.nids = 1;
    }
    struct geo_walk w = {.r = r, .fn = fn, .arg = arg};
    /* A box across the antimeridian is read as its two halves. */
    struct store_geo_box halves[2];
    int nboxes = 0;
    if (r->bbox && r->bbox->crosses) {
        halves[nboxes++] =
            (struct store_geo_box){r->bbox->west, r->bbox->south, 180, r->bbox->north};
        halves[nboxes++] =
            (struct store_geo_box){-180, r->bbox->south, r->bbox->east, r->bbox->north};
    } else if (r->bbox) {
        halves[nboxes++] =
            (struct store_geo_box){r->bbox->west, r->bbox->south, r->bbox->east, r->bbox->north};
    }
    if (!nboxes)
        return store_geo_each(s, &q, geo_walk_row, &w) == STORE_OK ? GEO_OK : GEO_ERR;
    for (int i = 0; i < nboxes && !w.stopped; i++) {
        q.box = w.box = &halves[i];
        if (store_geo_each(s, &q, geo_walk_row, &w) != STORE_OK)
            return GEO_ERR;
    }
    return GEO_OK;
}
