/* territory_store.h — rows of the settings, communes and themes tables. The row types are
 * defined here, where they are read and written; core/territory.h builds the territory on them. */
#ifndef FOISON_TERRITORY_STORE_H
#define FOISON_TERRITORY_STORE_H
#include "store/store.h"
#include <stdbool.h>

struct commune {
    char insee[8];
    char *name;
    double lat, lon;
    bool has_point;
    char *epci_name;
    long population;
};

struct theme {
    char *id;
    char *label;
};

int store_commune_insert(struct store *s, const struct commune *c, const char *epci);
int store_theme_insert(struct store *s, const char *id, const char *label, int position);
/* Reads all communes (sorted by name) / themes (by position) into malloc'd arrays. */
int store_communes_load(struct store *s, struct commune **out, size_t *n);
int store_themes_load(struct store *s, struct theme **out, size_t *n);

struct arena;
/* The label of a theme, the name of a commune (in a), NULL when there is none. */
const char *store_theme_label(struct store *s, struct arena *a, const char *id);
const char *store_commune_name(struct store *s, struct arena *a, const char *insee);

#endif
