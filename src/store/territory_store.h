/* territory_store.h — rows of the settings, communes and themes tables. The row types are
 * defined here, where they are read and written; core/territory.h builds the territory on them. */
#ifndef FOISON_TERRITORY_STORE_H
#define FOISON_TERRITORY_STORE_H
#include "store/store.h"
#include <stdbool.h>

struct arena;

struct commune {
    char insee[8];
    char *name;
    double lat, lon;
    bool has_point;
    bool placed_by_admin; /* its centre was set by an administrator, not read from the data */
    char epci[16];        /* the SIREN of its intercommunality, "" when it belongs to none */
    char *epci_name;
    long population;
};

struct theme {
    char *id;
    char *label;
};

/* A new commune (its centre, if any, from the data). */
int store_commune_insert(struct store *s, const struct commune *c);
/* Adds c, or brings the commune of its code up to date from it (name, intercommunality,
 * population, centre from the data) — except a centre an administrator set, which stays. */
int store_commune_upsert(struct store *s, const struct commune *c);
int store_commune_delete(struct store *s, const char *insee);
/* The centre of a commune, as an administrator sets it. STORE_NOTFOUND: no commune of that
 * code. */
int store_commune_place(struct store *s, const char *insee, double lat, double lon);

/* How many entries use a commune: the published text of a live entry names it (its commune or
 * the commune of its address), or a pending text does (not yet in the derived terms). */
struct commune_use {
    char insee[8];
    long entries;
};
/* Every commune in use, sorted by code, in a. */
int store_commune_uses(struct store *s, struct arena *a, struct commune_use **out, size_t *n);

/* The communes without a centre (unplaced) or whose centre an administrator set, sorted by
 * name, limit from offset, in a (names and EPCI names too). */
enum store_communes_which { STORE_COMMUNES_UNPLACED, STORE_COMMUNES_BY_ADMIN };
int store_communes_page(struct store *s, struct arena *a, enum store_communes_which which,
                        int offset, int limit, struct commune **out, size_t *n);
/* How many communes the site has, how many without a centre, how many placed by an admin. */
int store_communes_count(struct store *s, long *all, long *unplaced, long *by_admin);
/* The box of the communes' centres: how many have one (*n), their southmost, westmost,
 * northmost and eastmost coordinates (left as they are when *n is 0), leaving out the commune
 * except (NULL: none). */
int store_communes_extent(struct store *s, const char *except, long *n, double *south, double *west,
                          double *north, double *east);
/* The commune of a code, in a; STORE_NOTFOUND when there is none. */
int store_commune_get(struct store *s, struct arena *a, const char *insee, struct commune *out);

int store_theme_insert(struct store *s, const char *id, const char *label, int position);
/* Reads all communes (sorted by name) / themes (by position) into malloc'd arrays. */
int store_communes_load(struct store *s, struct commune **out, size_t *n);
int store_themes_load(struct store *s, struct theme **out, size_t *n);

/* The label of a theme, the name of a commune (in a), NULL when there is none. */
const char *store_theme_label(struct store *s, struct arena *a, const char *id);
const char *store_commune_name(struct store *s, struct arena *a, const char *insee);

#endif
