/* territory_store.h — rows of the settings, communes and themes tables. */
#ifndef FOISON_TERRITORY_STORE_H
#define FOISON_TERRITORY_STORE_H
#include "core/territory.h"
#include "store/store.h"

int store_commune_insert(struct store *s, const struct commune *c, const char *epci);
int store_theme_insert(struct store *s, const char *id, const char *label, int position);
/* Reads all communes (sorted by name) / themes (by position) into malloc'd arrays. */
int store_communes_load(struct store *s, struct commune **out, size_t *n);
int store_themes_load(struct store *s, struct theme **out, size_t *n);

#endif
