/* territory.c — the territory's settings, communes and themes; seeding of a new site. */
#include "core/territory.h"
#include "store/territory_store.h"
#include "util/mem.h"
#include "util/utf8.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The site's taxonomy at creation; administrators will edit it later from the site. */
static const struct {
    const char *id, *label;
} territory_default_themes[] = {
    {"numerique", "Numérique"},
    {"solidarite", "Solidarité"},
    {"ess", "Économie sociale et solidaire"},
    {"education-populaire", "Éducation populaire"},
    {"transition-ecologique", "Transition écologique"},
    {"culture", "Culture"},
    {"services-publics", "Services publics"},
    {"participation-citoyenne", "Participation citoyenne"},
    {"sante", "Santé"},
    {"documentation", "Documentation et savoirs"},
    {"patrimoine", "Patrimoine"},
    {"mobilite", "Mobilité"},
};

static int territory_insee_cmp(const void *a, const void *b)
{
    return strcmp((*(const struct commune *const *)a)->insee,
                  (*(const struct commune *const *)b)->insee);
}

static char *territory_setting(struct store *s, const char *key, const char *fallback)
{
    char *v = store_setting_get(s, key);
    return v ? v : xstrdup(fallback);
}

long territory_setting_long(struct store *s, const char *key, long fallback)
{
    char *v = store_setting_get(s, key);
    char *end;
    long n = v ? strtol(v, &end, 10) : fallback;
    if (!v || *end || end == v || n < 0 || n > 100000)
        n = fallback;
    free(v);
    return n;
}

static void territory_load_settings(struct store *s, struct territory *t)
{
    t->site_name = territory_setting(s, "site_name", "foison");
    t->territory_name = territory_setting(s, "territory_name", "Pays de Brest");
    t->base_url = territory_setting(s, "base_url", "");
    t->license = territory_setting(s, "license", "CC-BY-SA-4.0");
    t->trusted_proxies = territory_setting(s, "trusted_proxies", "");
}

static void territory_free_settings(struct territory *t)
{
    free(t->site_name);
    free(t->territory_name);
    free(t->base_url);
    free(t->license);
    free(t->trusted_proxies);
}

struct territory *territory_reload(struct store *s, const struct territory *t, const char *url)
{
    struct territory *n = xcalloc(1, sizeof(*n));
    territory_load_settings(s, n);
    territory_follow(n, url);
    if (strcmp(n->site_name, t->site_name) == 0 &&
        strcmp(n->territory_name, t->territory_name) == 0 &&
        strcmp(n->base_url, t->base_url) == 0 && strcmp(n->license, t->license) == 0 &&
        strcmp(n->trusted_proxies, t->trusted_proxies) == 0) {
        territory_free_settings(n);
        free(n);
        return NULL;
    }
    n->communes = t->communes;
    n->ncommunes = t->ncommunes;
    n->by_insee = t->by_insee;
    n->themes = t->themes;
    n->nthemes = t->nthemes;
    n->borrows_places = true;
    return n;
}

struct territory *territory_load(struct store *s)
{
    struct territory *t = xcalloc(1, sizeof(*t));
    territory_load_settings(s, t);
    if (store_communes_load(s, &t->communes, &t->ncommunes) != STORE_OK ||
        store_themes_load(s, &t->themes, &t->nthemes) != STORE_OK) {
        territory_free(t);
        return NULL;
    }
    /* Every card and record names its commune by code: a lookup per card, bisected. */
    t->by_insee = xcalloc(t->ncommunes + 1, sizeof(*t->by_insee));
    for (size_t i = 0; i < t->ncommunes; i++)
        t->by_insee[i] = &t->communes[i];
    qsort(t->by_insee, t->ncommunes, sizeof(*t->by_insee), territory_insee_cmp);
    return t;
}

void territory_free(struct territory *t)
{
    if (!t)
        return;
    territory_free_settings(t);
    if (t->borrows_places) {
        free(t);
        return;
    }
    for (size_t i = 0; i < t->ncommunes; i++) {
        free(t->communes[i].name);
        free(t->communes[i].epci_name);
    }
    for (size_t i = 0; i < t->nthemes; i++) {
        free(t->themes[i].id);
        free(t->themes[i].label);
    }
    free(t->by_insee);
    free(t->communes);
    free(t->themes);
    free(t);
}

const struct commune *territory_commune(const struct territory *t, const char *insee)
{
    if (!t->by_insee) { /* a territory built by hand (tests) rather than loaded */
        for (size_t i = 0; insee && i < t->ncommunes; i++)
            if (strcmp(t->communes[i].insee, insee) == 0)
                return &t->communes[i];
        return NULL;
    }
    size_t lo = 0, hi = insee ? t->ncommunes : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->by_insee[mid]->insee, insee);
        if (c == 0)
            return t->by_insee[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct theme *territory_theme(const struct territory *t, const char *id)
{
    for (size_t i = 0; id && i < t->nthemes; i++)
        if (strcmp(t->themes[i].id, id) == 0)
            return &t->themes[i];
    return NULL;
}

/* Splits line in place on tabs into at most max fields; returns the count. */
static int territory_split_tsv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static int territory_seed_communes(struct store *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s : %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0, count = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1 || line[0] == '\0')
            continue; /* header */
        char *col[7];
        if (territory_split_tsv(line, col, 7) != 7 || strlen(col[0]) != 5 ||
            !utf8_valid(col[1], strlen(col[1]))) {
            snprintf(err, errlen, "%s:%d : ligne mal formée", path, lineno);
            rc = -1;
            break;
        }
        struct commune c = {0};
        snprintf(c.insee, sizeof c.insee, "%s", col[0]);
        c.name = col[1];
        c.has_point = col[2][0] && col[3][0];
        c.lat = strtod(col[2], NULL);
        c.lon = strtod(col[3], NULL);
        c.epci_name = col[5];
        c.population = strtol(col[6], NULL, 10);
        if (store_commune_insert(s, &c, col[4]) != STORE_OK) {
            snprintf(err, errlen, "%s:%d : insertion impossible", path, lineno);
            rc = -1;
            break;
        }
        count++;
    }
    fclose(f);
    if (rc == 0 && count == 0) {
        snprintf(err, errlen, "%s : aucune commune", path);
        rc = -1;
    }
    return rc;
}

void territory_follow(struct territory *t, const char *url)
{
    if (t->base_url[0] || !url)
        return;
    free(t->base_url);
    t->base_url = xstrdup(url);
}

int territory_seed(struct store *s, const char *communes_tsv, const char *base_url, char *err,
                   size_t errlen)
{
    if (store_begin(s) != STORE_OK) {
        snprintf(err, errlen, "transaction impossible");
        return -1;
    }
    int rc = 0;
    if (store_setting_set(s, "site_name", "foison") ||
        store_setting_set(s, "territory_name", "Pays de Brest") ||
        store_setting_set(s, "base_url", base_url) ||
        store_setting_set(s, "license", "CC-BY-SA-4.0")) {
        snprintf(err, errlen, "écriture des réglages impossible");
        rc = -1;
    }
    for (size_t i = 0;
         rc == 0 && i < sizeof(territory_default_themes) / sizeof(territory_default_themes[0]); i++)
        if (store_theme_insert(s, territory_default_themes[i].id, territory_default_themes[i].label,
                               (int)i) != STORE_OK) {
            snprintf(err, errlen, "écriture des thèmes impossible");
            rc = -1;
        }
    if (rc == 0)
        rc = territory_seed_communes(s, communes_tsv, err, errlen);
    if (rc == 0 && store_commit(s) == STORE_OK)
        return 0;
    store_rollback(s);
    return -1;
}
