/* geo.h — the map's points: which entries can be placed, where each is shown, and the domain's
 * reads of them for the map's doors (web/geo.c). An entry is shown at its own point ("exact"),
 * else at the point of the first place it is at that has one ("place"), else at its commune's
 * centre ("commune", approximate); with none of these it is unplaced, listed as such and never
 * put at a wrong place. Only the own points are derived data (geo_derive, part of the one
 * derived-data step); a place's point and a commune's centre are read when the map is, so a
 * place moved or a centre set later moves its dependents at once. Every read gives the
 * published, listed entries only. Storage: store/geo_store.h. */
#ifndef FOISON_GEO_H
#define FOISON_GEO_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct store;
struct kind_def;
struct search_filter;

enum geo_precision {
    GEO_EXACT = 0,    /* its own point */
    GEO_PLACE = 1,    /* the point of a place it is at */
    GEO_COMMUNE = 2,  /* its commune's centre: approximate */
    GEO_UNPLACED = 3, /* none: "position inconnue" */
};

/* "exact", "place", "commune"; NULL for GEO_UNPLACED. */
const char *geo_precision_name(enum geo_precision p);

/* Whether entries of k can be on the map: its schema has a point, a commune, an address or a
 * relation to the places it is at. */
bool geo_kind_placeable(const struct kind_def *k);

/* A bounding box as the API takes it, "W,S,E,N" in degrees. crosses: W > E, a box across the
 * antimeridian (from W to 180 and from -180 to E). */
struct geo_bbox {
    double west, south, east, north;
    bool crosses;
};
/* Parses text into out: four decimal numbers separated by commas (spaces around them allowed),
 * finite, longitudes within [-180, 180], latitudes within [-90, 90], south at most north, west
 * at most east unless the box crosses the antimeridian (west > 0 and east < 0). NULL when
 * valid, otherwise a French reason (static text). */
const char *geo_bbox_parse(const char *text, struct geo_bbox *out);
/* Whether (lon, lat) is inside b (edges included). */
bool geo_bbox_holds(const struct geo_bbox *b, double lon, double lat);

/* ---- derived data (called by core/derive.c, in the caller's transaction) ---- */

/* Writes what the published fields of entry id (of kind k) say of its position when it is
 * listed, removes its row otherwise; nothing for a kind that cannot be placed. ENTRY_OK or
 * ENTRY_ERR. */
int geo_derive(struct store *s, struct arena *a, const struct kind_def *k, long long id,
               json_t *fields);
/* After a change of an entry's visibility (deleted, hidden, restored): its row follows. */
int geo_sync_entry(struct store *s, long long id);
/* Empties the points (before entry_derive_all derives every entry again). */
int geo_clear(struct store *s);
/* Invariants for `foison check` (store_geo_check over the kinds that can be placed): the
 * number of problems, each printed on stderr. */
int geo_check(struct store *s);

/* ---- reading ---- */

/* One entry as the map shows it; strings valid during the callback only. */
struct geo_point {
    long long id;
    const struct kind_def *kind;
    const char *slug, *title, *summary; /* summary "" unless asked for */
    enum geo_precision precision;
    double lon, lat; /* not set when GEO_UNPLACED */
};

struct geo_request {
    const struct geo_bbox *bbox; /* NULL: anywhere */
    const char *q;               /* a search's text as typed (NULL or "": none) */
    size_t q_len;
    const struct search_filter *filters; /* as core/search.h takes them (kind, theme…) */
    int nfilters;
    long long id;   /* > 0: this entry only */
    bool unplaced;  /* the entries without a position too (never with a bbox) */
    bool summaries; /* the summaries too */
};

enum geo_status {
    GEO_OK = 0,
    GEO_ERR = -1, /* the store failed: logged */
};

/* Calls fn for each published, listed entry r asks for, with the point it is shown at (without
 * a bbox, in ascending ids); stops early when fn returns non-zero. GEO_OK or GEO_ERR. */
int geo_each(struct store *s, struct arena *a, const struct geo_request *r,
             int (*fn)(void *arg, const struct geo_point *p), void *arg);

#endif
