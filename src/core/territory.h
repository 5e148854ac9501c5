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
    bool borrows_places; /* communes and themes belong to the territory it was reloaded from */
};

/* The number a site setting holds (read now, from the file: settings a moderator changes apply at
 * once), or fallback when unset or not an integer from 0 to 100000. */
long territory_setting_long(struct store *s, const char *key, long fallback);
/* Loads settings, communes and themes. NULL on a storage error. Free with territory_free(). */
struct territory *territory_load(struct store *s);
void territory_free(struct territory *t);
/* The settings of the site file now, with the communes and themes of t (borrowed: t must
 * outlive the result), or NULL when they are the ones t already holds (or on a storage error).
 * base_url follows url like territory_follow when the site sets none. */
struct territory *territory_reload(struct store *s, const struct territory *t, const char *url);
const struct commune *territory_commune(const struct territory *t, const char *insee);
const struct theme *territory_theme(const struct territory *t, const char *id);

/* Fills a new site: default settings, the theme taxonomy, and the communes read from the TSV
 * file produced by scripts/gen-communes.mjs. 0 on success, else -1 with a message in err. */
/* A site that set no base URL is addressed where it is served: url ("http://HOST:PORT"). */
void territory_follow(struct territory *t, const char *url);
int territory_seed(struct store *s, const char *communes_tsv, const char *base_url, char *err,
                   size_t errlen);

#endif
