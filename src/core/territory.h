/* territory.h — the site's territory in memory: settings, communes and themes, loaded once
 * from the site file and read-only afterwards (shared by all threads). */
#ifndef FOISON_TERRITORY_H
#define FOISON_TERRITORY_H
#include "store/territory_store.h"
#include <stdbool.h>
#include <stddef.h>

struct store;

struct territory {
    char *site_name;
    char *territory_name;
    char *base_url; /* no trailing slash; "" when the site set none (see territory_follow) */
    char *license;
    char *trusted_proxies;    /* setting text, parsed by web/ at start-up ("" : none) */
    struct commune *communes; /* sorted by name */
    size_t ncommunes;
    const struct commune **by_insee; /* the same communes sorted by INSEE code, to bisect */
    struct theme *themes;            /* in display order */
    size_t nthemes;
    long long communes_rev; /* the site's count of changes to its communes when they were read */
    /* The communes (themes) belong to the territory it was reloaded from. */
    bool borrows_communes, borrows_themes;
};

/* The number a site setting holds (read now, from the file: settings a moderator changes apply at
 * once), or fallback when unset or not an integer from 0 to 100000. */
long territory_setting_long(struct store *s, const char *key, long fallback);
/* Loads settings, communes and themes. NULL on a storage error. Free with territory_free(). */
struct territory *territory_load(struct store *s);
void territory_free(struct territory *t);
/* The settings of the site file now, with the themes of t and its communes unless they changed
 * since t read them (borrowed: t must outlive the result), or NULL when all are the ones t
 * already holds (or on a storage error). base_url follows url like territory_follow when the
 * site sets none. */
struct territory *territory_reload(struct store *s, const struct territory *t, const char *url);
const struct commune *territory_commune(const struct territory *t, const char *insee);
const struct theme *territory_theme(const struct territory *t, const char *id);

/* A site that set no base URL is addressed where it is served: url ("http://HOST:PORT"). */
void territory_follow(struct territory *t, const char *url);

struct commune_set;
struct arena;
struct viewer;

/* Fills a new site: default settings, the theme taxonomy, the communes — of set when it is not
 * NULL (the packaged data, core/commune_data.h; name, when not NULL, is the territory's), else
 * read from the TSV file produced by scripts/gen-communes.mjs (the Pays de Brest) — and the
 * map's frame computed from them. 0 on success, else -1 with a message in err. */
int territory_seed(struct store *s, const char *communes_tsv, const char *base_url, char *err,
                   size_t errlen);
int territory_seed_with(struct store *s, const struct commune_set *set, const char *name,
                        const char *base_url, char *err, size_t errlen);

/* The map's view of a territory: the box of its communes' centres with a margin, the middle of
 * it, and the largest zoom at which the box fits a map of TERRITORY_MAP_WIDTH by
 * TERRITORY_MAP_HEIGHT pixels (Web Mercator, 256-pixel tiles), from 1 to TERRITORY_MAX_ZOOM. */
#define TERRITORY_MAP_WIDTH 800
#define TERRITORY_MAP_HEIGHT 600
#define TERRITORY_MAX_ZOOM 13
struct territory_frame {
    double west, south, east, north; /* rounded to 5 decimals, as the settings hold them */
    double lat, lon;
    int zoom;
};
/* The frame of the box [south, north] × [west, east] of centres (a point when equal). */
void territory_frame_of(double south, double west, double north, double east,
                        struct territory_frame *f);
/* The settings map_center, map_zoom and map_bounds as f writes them (into 48-byte buffers). */
void territory_frame_format(const struct territory_frame *f, char *center, char *zoom, char *bounds,
                            size_t len);

/* A centre given at the command line (INSEE=LAT,LON), applied after the communes are loaded. */
struct territory_centre {
    char insee[8];
    double lat, lon;
};

/* What territory_load_set did, for the summary the command prints (arrays in the arena). */
struct territory_report {
    const char *name;         /* the territory's name now */
    long communes;            /* in the site now */
    long added, removed;      /* compared with before */
    struct commune *unplaced; /* the communes without a centre, by name */
    size_t nunplaced;
    struct territory_kept {
        char insee[8];
        const char *name;
        long entries;
    } * kept; /* communes outside the new set that entries still use: kept */
    size_t nkept;
    bool framed; /* some commune has a centre: the map's frame was computed */
    struct territory_frame frame;
};

/* Makes set the site's communes in one transaction: new ones added, known ones brought up to
 * date (a centre an administrator set stays), the others removed — except those entries still
 * use, which stay (listed in out->kept) so no record loses its commune. Then the centres given
 * (each a commune of the territory, near the others), the map's frame from every commune with
 * a centre, the territory's name when name is not NULL, and a line in the moderation log by the
 * operator. 0, or a French message in err and nothing written: -2 for a centre refused (the
 * caller's input), -1 otherwise. --nom's name too is checked here (-1). */
int territory_load_set(struct store *s, struct arena *a, const struct commune_set *set,
                       const char *name, const struct territory_centre *centres, size_t ncentres,
                       long long now, struct territory_report *out, char *err, size_t errlen);

/* The territory as it is: name, communes, those without a centre (framed and frame unset). */
int territory_report_read(struct store *s, struct arena *a, struct territory_report *out);
/* The centres given at the command line, all in one transaction or none, as the operator (the
 * checks of territory_place). 0, or a French message in err: -2 for a centre refused, -1 for a
 * storage failure. */
int territory_place_all(struct store *s, struct arena *a, const struct territory_centre *centres,
                        size_t n, long long now, char *err, size_t errlen);

/* What the administrators' page of communes shows: the counts, one page of the communes
 * without a centre (by name, limit from offset), those whose centre an administrator set (at
 * most TERRITORY_PLACED_MAX), each with how many entries use it; arrays in a. */
#define TERRITORY_PLACED_MAX 500
struct territory_places {
    long communes, unplaced, by_admin;
    struct commune *list, *placed;
    long *list_entries, *placed_entries;
    size_t nlist, nplaced;
};
/* TERRITORY_OK, TERRITORY_FORBIDDEN (not an admin), TERRITORY_ERR. */
int territory_places_read(struct store *s, struct arena *a, const struct viewer *v, int offset,
                          int limit, struct territory_places *out);

/* Why a centre typed by a person is refused, by field (NULL: fine); French, capitalised. */
struct territory_place_errors {
    const char *insee, *lat, *lon;
};
enum territory_status {
    TERRITORY_OK = 0,
    TERRITORY_ERR = -1,       /* storage failure, logged */
    TERRITORY_FORBIDDEN = -2, /* only admins place communes */
    TERRITORY_INVALID = -3,   /* see the errors: nothing written */
};
/* Sets the centre of commune insee to lat, lon (decimal degrees, a dot or a comma before the
 * decimals), as administrator v, in one transaction with a line in the moderation log; the
 * site's generation moves, so cached pages and every server's territory follow. Refused: an
 * unknown commune, a number out of range, a point far from the other communes' centres (more
 * than TERRITORY_NEAR_DEGREES outside their box: a typo or swapped coordinates). */
#define TERRITORY_NEAR_DEGREES 0.5
int territory_place(struct store *s, struct arena *a, const struct viewer *v, const char *insee,
                    const char *lat, const char *lon, long long now,
                    struct territory_place_errors *errs);

#endif
