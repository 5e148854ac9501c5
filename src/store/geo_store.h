/* geo_store.h — the storage of map points (migration 12): for each listed entry of a kind that
 * can be placed, a row of what its published revision says of its position — its own point,
 * its commune, the ids of the places it is at —, with its title and summary;
 * an R*Tree over the own points answers bounding boxes. Nothing that another entry or the
 * territory decides is copied here: a place's point and a commune's centre are read with each
 * row, so that a place moved or a centre set later moves its dependents without a rebuild.
 * Which of the three a row is shown at is core/geo.c's rule; the store gives all three.
 * The only SQL of the map. Shapes shared with the domain (core/geo.h). */
#ifndef FOISON_GEO_STORE_H
#define FOISON_GEO_STORE_H
#include "store/store.h"
#include <stdbool.h>

/* What the derived-data step writes for one entry. */
struct store_geo_entry {
    long long id;
    const char *kind;
    bool has_point; /* its own point (lat, lon) */
    double lat, lon;
    const char *commune;     /* INSEE code of its commune (its commune field or its address's), or
                                NULL */
    const long long *places; /* the ids of the places it is at, in its order */
    int nplaces;
    bool place; /* an entry others may be at (a place) */
    const char *title, *summary;
};

/* Puts (or replaces) the row of g->id. */
int store_geo_put(struct store *s, const struct store_geo_entry *g);
/* Takes entry id out (nothing when it was not in). */
int store_geo_remove(struct store *s, long long id);
/* Empties the table and its R*Tree (before every entry is derived again). */
int store_geo_clear(struct store *s);

/* A point as read: ok false when there is none. */
struct store_geo_pos {
    bool ok;
    double lon, lat;
};

/* One entry as read, every candidate position with it. Strings are valid during the callback
 * only (the caller copies what it keeps). */
struct store_geo_row {
    long long id;
    const char *kind, *slug, *title, *summary; /* summary "" unless asked for */
    struct store_geo_pos own;                  /* its own point */
    struct store_geo_pos place;   /* when it has no point of its own: the point of the first
                                     listed place it is at that has one */
    struct store_geo_pos commune; /* when it has no point of its own: its commune's centre */
};

/* A box in degrees, west <= east (a box across the antimeridian is two boxes). */
struct store_geo_box {
    double west, south, east, north;
};

struct store_geo_query {
    /* NULL: every row. Otherwise at least every row that may be shown inside the box (its own
     * point, a place it is at or its commune's centre inside): the caller checks the point it
     * resolves. */
    const struct store_geo_box *box;
    /* NULL: every entry; otherwise only these ids, ascending (nids may be 0: nothing). */
    const long long *ids;
    int nids;
    bool summaries; /* read the summaries */
};

/* Calls fn for each row of q that is listed (published, not deleted, not hidden: read again
 * here, in the same snapshot, for the places too), in no particular order; stops when fn
 * returns non-zero (STORE_OK still). STORE_OK or STORE_ERR. */
int store_geo_each(struct store *s, const struct store_geo_query *q,
                   int (*fn)(void *arg, const struct store_geo_row *r), void *arg);

/* Invariants for `foison check`: every listed entry of kinds (n names) has its row, no other
 * entry has one, and the R*Tree holds exactly the rows' own points; prints each problem on
 * stderr, returns their number. */
int store_geo_check(struct store *s, const char *const *kinds, int n);

#endif
