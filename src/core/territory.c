/* territory.c — the territory's settings, communes and themes; seeding of a new site; the
 * territory as configuration: its communes loaded from the packaged data (core/commune_data.c),
 * the centres an administrator sets, the map's frame computed from the communes. */
#include "core/territory.h"
#include "core/commune_data.h"
#include "core/settings.h"
#include "core/visibility.h"
#include "store/moderation_store.h"
#include "store/territory_store.h"
#include "util/arena.h"
#include "util/mem.h"
#include "util/utf8.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A counter in the settings (not an operator's setting: settings_find knows nothing of it),
 * moved by every change of the communes: a write to the settings moves the site's generation
 * (migration 5), and a server that sees it move reads the communes again (territory_reload). */
#define TERRITORY_COMMUNES_REV "communes_rev"

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

static int territory_insee_struct_cmp(const void *a, const void *b)
{
    return strcmp(((const struct commune *)a)->insee, ((const struct commune *)b)->insee);
}

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

static long long territory_communes_rev(struct store *s)
{
    char *v = store_setting_get(s, TERRITORY_COMMUNES_REV);
    long long n = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    return n;
}

/* Moves the counter of the communes' changes, inside the caller's transaction. */
static int territory_communes_bump(struct store *s)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", territory_communes_rev(s) + 1);
    return store_setting_set(s, TERRITORY_COMMUNES_REV, v);
}

static void territory_load_settings(struct store *s, struct territory *t)
{
    t->site_name = territory_setting(s, "site_name", "foison");
    t->territory_name = territory_setting(s, "territory_name", "Pays de Brest");
    t->base_url = territory_setting(s, "base_url", "");
    t->license = territory_setting(s, "license", "CC-BY-SA-4.0");
    t->trusted_proxies = territory_setting(s, "trusted_proxies", "");
    t->communes_rev = territory_communes_rev(s);
}

static void territory_free_settings(struct territory *t)
{
    free(t->site_name);
    free(t->territory_name);
    free(t->base_url);
    free(t->license);
    free(t->trusted_proxies);
}

/* The communes of the site and the index by code; 0 or -1 (storage error). */
static int territory_load_communes(struct store *s, struct territory *t)
{
    if (store_communes_load(s, &t->communes, &t->ncommunes) != STORE_OK) {
        for (size_t i = 0; i < t->ncommunes; i++) {
            free(t->communes[i].name);
            free(t->communes[i].epci_name);
        }
        free(t->communes);
        t->communes = NULL;
        t->ncommunes = 0;
        return -1;
    }
    /* Every card and record names its commune by code: a lookup per card, bisected. */
    t->by_insee = xcalloc(t->ncommunes + 1, sizeof(*t->by_insee));
    for (size_t i = 0; i < t->ncommunes; i++)
        t->by_insee[i] = &t->communes[i];
    qsort(t->by_insee, t->ncommunes, sizeof(*t->by_insee), territory_insee_cmp);
    return 0;
}

struct territory *territory_reload(struct store *s, const struct territory *t, const char *url)
{
    struct territory *n = xcalloc(1, sizeof(*n));
    territory_load_settings(s, n);
    territory_follow(n, url);
    bool communes = n->communes_rev != t->communes_rev;
    if (!communes && strcmp(n->site_name, t->site_name) == 0 &&
        strcmp(n->territory_name, t->territory_name) == 0 &&
        strcmp(n->base_url, t->base_url) == 0 && strcmp(n->license, t->license) == 0 &&
        strcmp(n->trusted_proxies, t->trusted_proxies) == 0) {
        territory_free_settings(n);
        free(n);
        return NULL;
    }
    n->themes = t->themes;
    n->nthemes = t->nthemes;
    n->borrows_themes = true;
    if (communes && territory_load_communes(s, n) == 0)
        return n;
    if (communes) /* a storage error: the communes known stay, read again next time */
        n->communes_rev = t->communes_rev;
    n->communes = t->communes;
    n->ncommunes = t->ncommunes;
    n->by_insee = t->by_insee;
    n->borrows_communes = true;
    return n;
}

struct territory *territory_load(struct store *s)
{
    struct territory *t = xcalloc(1, sizeof(*t));
    territory_load_settings(s, t);
    if (territory_load_communes(s, t) != 0 ||
        store_themes_load(s, &t->themes, &t->nthemes) != STORE_OK) {
        territory_free(t);
        return NULL;
    }
    return t;
}

void territory_free(struct territory *t)
{
    if (!t)
        return;
    territory_free_settings(t);
    for (size_t i = 0; !t->borrows_communes && i < t->ncommunes; i++) {
        free(t->communes[i].name);
        free(t->communes[i].epci_name);
    }
    for (size_t i = 0; !t->borrows_themes && i < t->nthemes; i++) {
        free(t->themes[i].id);
        free(t->themes[i].label);
    }
    if (!t->borrows_communes) {
        free(t->by_insee);
        free(t->communes);
    }
    if (!t->borrows_themes)
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
        snprintf(c.epci, sizeof c.epci, "%s", col[4]);
        c.epci_name = col[5];
        c.population = strtol(col[6], NULL, 10);
        if (store_commune_insert(s, &c) != STORE_OK) {
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

void territory_frame_of(double south, double west, double north, double east,
                        struct territory_frame *f)
{
    /* The centres are the communes' middles: a margin of 5 % (at least 0.05°, about 5 km, the
     * half-width of a large commune) keeps the outer communes inside the frame. */
    double mlat = fmax(0.05, 0.05 * (north - south)), mlon = fmax(0.05, 0.05 * (east - west));
    char text[32];
#define TERRITORY_ROUND5(v) (snprintf(text, sizeof text, "%.5f", (v)), strtod(text, NULL))
    f->south = TERRITORY_ROUND5(fmax(-85.0, south - mlat));
    f->north = TERRITORY_ROUND5(fmin(85.0, north + mlat));
    f->west = TERRITORY_ROUND5(fmax(-180.0, west - mlon));
    f->east = TERRITORY_ROUND5(fmin(180.0, east + mlon));
    f->lat = TERRITORY_ROUND5((f->south + f->north) / 2);
    f->lon = TERRITORY_ROUND5((f->west + f->east) / 2);
#undef TERRITORY_ROUND5
    /* Web Mercator: the world is 256 × 2^zoom pixels wide, and a latitude φ sits at
     * ln(tan(π/4 + φ/2)) × 256 × 2^zoom / 2π from the equator. */
    double merc_n = log(tan(M_PI / 4 + f->north * M_PI / 360));
    double merc_s = log(tan(M_PI / 4 + f->south * M_PI / 360));
    double zx = log2(TERRITORY_MAP_WIDTH * 360.0 / (256.0 * (f->east - f->west)));
    double zy = log2(TERRITORY_MAP_HEIGHT * 2 * M_PI / (256.0 * (merc_n - merc_s)));
    double z = floor(fmin(zx, zy));
    f->zoom = z < 1 ? 1 : z > TERRITORY_MAX_ZOOM ? TERRITORY_MAX_ZOOM : (int)z;
}

void territory_frame_format(const struct territory_frame *f, char *center, char *zoom, char *bounds,
                            size_t len)
{
    snprintf(center, len, "%.5f,%.5f", f->lat, f->lon);
    snprintf(zoom, len, "%d", f->zoom);
    snprintf(bounds, len, "%.5f,%.5f,%.5f,%.5f", f->west, f->south, f->east, f->north);
}

static int territory_kept_cmp(const void *a, const void *b);

/* The frame of the site's communes but the nkept of kept (sorted by code: those outside the
 * territory that entries still use) written to the settings, inside the caller's transaction;
 * *framed false (nothing written) when no commune has a centre. */
static int territory_frame_save(struct store *s, const struct territory_kept *kept, size_t nkept,
                                struct territory_frame *f, bool *framed)
{
    long n = 0;
    double so = 0, w = 0, no = 0, e = 0;
    *framed = false;
    if (nkept == 0) {
        if (store_communes_extent(s, NULL, &n, &so, &w, &no, &e) != STORE_OK)
            return -1;
    } else {
        struct commune *v = NULL;
        size_t nv = 0;
        if (store_communes_load(s, &v, &nv) != STORE_OK)
            n = -1; /* what it read is still freed below */
        for (size_t i = 0; i < nv; i++) {
            struct territory_kept key;
            memcpy(key.insee, v[i].insee, sizeof key.insee);
            if (n >= 0 && v[i].has_point &&
                !bsearch(&key, kept, nkept, sizeof *kept, territory_kept_cmp)) {
                so = n ? fmin(so, v[i].lat) : v[i].lat;
                no = n ? fmax(no, v[i].lat) : v[i].lat;
                w = n ? fmin(w, v[i].lon) : v[i].lon;
                e = n ? fmax(e, v[i].lon) : v[i].lon;
                n++;
            }
            free(v[i].name);
            free(v[i].epci_name);
        }
        free(v);
        if (n < 0)
            return -1;
    }
    if (n == 0)
        return 0;
    territory_frame_of(so, w, no, e, f);
    char center[48], zoom[48], bounds[48];
    territory_frame_format(f, center, zoom, bounds, sizeof center);
    if (store_setting_set(s, "map_center", center) != STORE_OK ||
        store_setting_set(s, "map_zoom", zoom) != STORE_OK ||
        store_setting_set(s, "map_bounds", bounds) != STORE_OK)
        return -1;
    *framed = true;
    return 0;
}

/* The settings and themes of a new site, inside the caller's transaction. */
static int territory_seed_base(struct store *s, const char *name, const char *base_url, char *err,
                               size_t errlen)
{
    if (store_setting_set(s, "site_name", "foison") ||
        store_setting_set(s, "territory_name", name ? name : "Pays de Brest") ||
        store_setting_set(s, "base_url", base_url) ||
        store_setting_set(s, "license", "CC-BY-SA-4.0")) {
        snprintf(err, errlen, "écriture des réglages impossible");
        return -1;
    }
    for (size_t i = 0; i < sizeof(territory_default_themes) / sizeof(territory_default_themes[0]);
         i++)
        if (store_theme_insert(s, territory_default_themes[i].id, territory_default_themes[i].label,
                               (int)i) != STORE_OK) {
            snprintf(err, errlen, "écriture des thèmes impossible");
            return -1;
        }
    return 0;
}

static int territory_seed_finish(struct store *s, int rc, char *err, size_t errlen)
{
    struct territory_frame f;
    bool framed;
    if (rc == 0 && territory_frame_save(s, NULL, 0, &f, &framed) != 0) {
        snprintf(err, errlen, "écriture du cadre de la carte impossible");
        rc = -1;
    }
    if (rc == 0 && store_commit(s) == STORE_OK)
        return 0;
    store_rollback(s);
    return -1;
}

int territory_seed(struct store *s, const char *communes_tsv, const char *base_url, char *err,
                   size_t errlen)
{
    if (store_begin(s) != STORE_OK) {
        snprintf(err, errlen, "transaction impossible");
        return -1;
    }
    int rc = territory_seed_base(s, NULL, base_url, err, errlen);
    if (rc == 0)
        rc = territory_seed_communes(s, communes_tsv, err, errlen);
    return territory_seed_finish(s, rc, err, errlen);
}

int territory_seed_with(struct store *s, const struct commune_set *set, const char *name,
                        const char *base_url, char *err, size_t errlen)
{
    if (store_begin(s) != STORE_OK) {
        snprintf(err, errlen, "transaction impossible");
        return -1;
    }
    int rc = territory_seed_base(s, name, base_url, err, errlen);
    for (size_t i = 0; rc == 0 && i < set->n; i++)
        if (store_commune_insert(s, &set->communes[i]) != STORE_OK) {
            snprintf(err, errlen, "insertion de la commune %s impossible", set->communes[i].insee);
            rc = -1;
        }
    if (rc == 0 && set->n == 0) {
        snprintf(err, errlen, "aucune commune");
        rc = -1;
    }
    return territory_seed_finish(s, rc, err, errlen);
}

/* Checks a centre for commune insee inside the caller's transaction: a commune of the site, not
 * far from the others. TERRITORY_OK, TERRITORY_INVALID with errs set, or TERRITORY_ERR. */
static int territory_place_check(struct store *s, struct arena *a, const char *insee, double lat,
                                 double lon, struct territory_place_errors *errs)
{
    struct commune c;
    int rc = store_commune_get(s, a, insee, &c);
    if (rc == STORE_NOTFOUND) {
        errs->insee = arena_printf(a, "Commune inconnue du territoire\u202f: %s", insee);
        return TERRITORY_INVALID;
    }
    long n = 0;
    double so = 0, w = 0, no = 0, e = 0;
    if (rc != STORE_OK || store_communes_extent(s, insee, &n, &so, &w, &no, &e) != STORE_OK)
        return TERRITORY_ERR;
    double d = TERRITORY_NEAR_DEGREES;
    if (n > 0 && (lat < so - d || lat > no + d || lon < w - d || lon > e + d)) {
        errs->lat = arena_printf(a,
                                 "Ce point est loin des autres communes du territoire (latitudes "
                                 "de %.2f à %.2f, longitudes de %.2f à %.2f)\u202f: vérifiez la "
                                 "latitude et la longitude (inversées\u202f?)",
                                 so, no, w, e);
        return TERRITORY_INVALID;
    }
    return TERRITORY_OK;
}

/* Sets a centre already checked, with its line in the moderation log (by v). */
static int territory_place_write(struct store *s, struct arena *a, const struct viewer *v,
                                 const char *insee, double lat, double lon, long long now)
{
    const char *name = store_commune_name(s, a, insee);
    if (store_commune_place(s, insee, lat, lon) != STORE_OK || territory_communes_bump(s) != 0 ||
        store_modlog_insert(s, now, v->user_id, "territory", 0, 0, 0,
                            arena_printf(a, "Centre de %s (%s) fixé\u202f: %.5f, %.5f",
                                         name ? name : "?", insee, lat, lon)) != STORE_OK)
        return TERRITORY_ERR;
    return TERRITORY_OK;
}

/* A degree typed in a form: spaces around it allowed, a comma or a dot before the decimals. */
static bool territory_degrees_typed(const char *text, double *out)
{
    while (*text == ' ')
        text++;
    size_t n = strlen(text);
    while (n && text[n - 1] == ' ')
        n--;
    return settings_parse_degrees(text, n, true, out);
}

int territory_place(struct store *s, struct arena *a, const struct viewer *v, const char *insee,
                    const char *lat_text, const char *lon_text, long long now,
                    struct territory_place_errors *errs)
{
    memset(errs, 0, sizeof(*errs));
    if (v->role < ROLE_ADMIN)
        return TERRITORY_FORBIDDEN;
    double lat = 0, lon = 0;
    if (!insee || !commune_code_valid(COMMUNE_CODE_COMMUNE, insee))
        errs->insee = "Code INSEE de commune attendu (5 caractères, ex. 29019)";
    if (!lat_text || !*lat_text)
        errs->lat = "Indiquez la latitude (ex. 48,39)";
    else if (!territory_degrees_typed(lat_text, &lat) || lat < -90 || lat > 90)
        errs->lat = "La latitude doit être un nombre de -90 à 90, en degrés décimaux (ex. 48,39)";
    if (!lon_text || !*lon_text)
        errs->lon = "Indiquez la longitude (ex. -4,49)";
    else if (!territory_degrees_typed(lon_text, &lon) || lon < -180 || lon > 180)
        errs->lon = "La longitude doit être un nombre de -180 à 180, en degrés décimaux (ex. "
                    "-4,49)";
    if (errs->insee || errs->lat || errs->lon)
        return TERRITORY_INVALID;
    if (store_begin(s) != STORE_OK)
        return TERRITORY_ERR;
    int rc = territory_place_check(s, a, insee, lat, lon, errs);
    if (rc == TERRITORY_OK)
        rc = territory_place_write(s, a, v, insee, lat, lon, now);
    if (rc == TERRITORY_OK && store_commit(s) == STORE_OK)
        return TERRITORY_OK;
    store_rollback(s);
    return rc == TERRITORY_OK ? TERRITORY_ERR : rc;
}

static int territory_code_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, ((const struct commune *)b)->insee);
}

static int territory_use_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, ((const struct commune_use *)b)->insee);
}

static int territory_kept_cmp(const void *a, const void *b)
{
    return strcmp(((const struct territory_kept *)a)->insee,
                  ((const struct territory_kept *)b)->insee);
}

/* The communes of the site now, sorted by code (malloc'd; names too). */
static int territory_site_communes(struct store *s, struct commune **out, size_t *n)
{
    if (store_communes_load(s, out, n) != STORE_OK)
        return -1;
    qsort(*out, *n, sizeof **out, territory_insee_struct_cmp);
    return 0;
}

static void territory_communes_free(struct commune *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].epci_name);
    }
    free(v);
}

/* The centres of the command line inside the caller's transaction: 0 or -1 with err. */
static int territory_place_centres(struct store *s, struct arena *a,
                                   const struct territory_centre *centres, size_t n, long long now,
                                   char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        struct territory_place_errors e = {0};
        int pc = territory_place_check(s, a, centres[i].insee, centres[i].lat, centres[i].lon, &e);
        if (pc == TERRITORY_OK)
            pc = territory_place_write(s, a, &viewer_operator, centres[i].insee, centres[i].lat,
                                       centres[i].lon, now);
        if (pc != TERRITORY_OK) {
            snprintf(err, errlen, "--centre %s : %s", centres[i].insee,
                     e.insee ? e.insee
                     : e.lat ? e.lat
                             : "écriture impossible");
            return pc == TERRITORY_INVALID ? -2 : -1;
        }
    }
    return 0;
}

/* territory_load_set inside its transaction: 0, or -1 with err (nothing is committed). */
static int territory_load_in(struct store *s, struct arena *a, const struct commune_set *set,
                             const char *name, const struct territory_centre *centres,
                             size_t ncentres, long long now, struct territory_report *out,
                             char *err, size_t errlen)
{
    struct commune_use *uses;
    size_t nuses;
    struct commune *old = NULL;
    size_t nold = 0;
    if (store_commune_uses(s, a, &uses, &nuses) != STORE_OK ||
        territory_site_communes(s, &old, &nold) != 0) {
        snprintf(err, errlen, "lecture des communes du site impossible");
        territory_communes_free(old, nold);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < set->n; i++) {
        const struct commune *c = &set->communes[i];
        out->added += !bsearch(c->insee, old, nold, sizeof *old, territory_code_cmp);
        if (store_commune_upsert(s, c) != STORE_OK) {
            snprintf(err, errlen, "écriture de la commune %s impossible", c->insee);
            rc = -1;
        }
    }
    out->kept = arena_alloc(a, (nold + 1) * sizeof *out->kept);
    for (size_t i = 0; rc == 0 && i < nold; i++) {
        if (bsearch(old[i].insee, set->communes, set->n, sizeof *set->communes, territory_code_cmp))
            continue;
        const struct commune_use *u =
            bsearch(old[i].insee, uses, nuses, sizeof *uses, territory_use_cmp);
        if (u) {
            struct territory_kept *k = &out->kept[out->nkept++];
            snprintf(k->insee, sizeof k->insee, "%s", old[i].insee);
            k->name = arena_strdup(a, old[i].name);
            k->entries = u->entries;
            continue;
        }
        if (store_commune_delete(s, old[i].insee) != STORE_OK) {
            snprintf(err, errlen, "retrait de la commune %s impossible", old[i].insee);
            rc = -1;
        }
        out->removed++;
    }
    territory_communes_free(old, nold);
    qsort(out->kept, out->nkept, sizeof *out->kept, territory_kept_cmp);
    if (rc == 0)
        rc = territory_place_centres(s, a, centres, ncentres, now, err, errlen);
    if (rc == 0 && territory_frame_save(s, out->kept, out->nkept, &out->frame, &out->framed) != 0) {
        snprintf(err, errlen, "écriture du cadre de la carte impossible");
        rc = -1;
    }
    if (rc == 0 && name && store_setting_set(s, "territory_name", name) != STORE_OK) {
        snprintf(err, errlen, "écriture du nom du territoire impossible");
        rc = -1;
    }
    if (rc == 0 && territory_report_read(s, a, out) != 0) {
        snprintf(err, errlen, "lecture des communes du site impossible");
        rc = -1;
    }
    if (rc == 0 &&
        (territory_communes_bump(s) != 0 ||
         store_modlog_insert(s, now, 0, "territory", 0, 0, 0,
                             arena_printf(a,
                                          "Territoire chargé des données publiques\u202f: %ld "
                                          "communes (%ld ajoutées, %ld retirées, %zu gardées)",
                                          out->communes, out->added, out->removed, out->nkept)) !=
             STORE_OK)) {
        snprintf(err, errlen, "écriture impossible");
        rc = -1;
    }
    return rc;
}

int territory_report_read(struct store *s, struct arena *a, struct territory_report *out)
{
    long all = 0, unplaced = 0, by_admin = 0;
    if (store_communes_count(s, &all, &unplaced, &by_admin) != STORE_OK ||
        store_communes_page(s, a, STORE_COMMUNES_UNPLACED, 0, (int)unplaced, &out->unplaced,
                            &out->nunplaced) != STORE_OK)
        return -1;
    out->communes = all;
    out->name = settings_value(s, a, settings_find("territory_name"));
    return out->name ? 0 : -1;
}

int territory_place_all(struct store *s, struct arena *a, const struct territory_centre *centres,
                        size_t n, long long now, char *err, size_t errlen)
{
    if (store_begin(s) != STORE_OK) {
        snprintf(err, errlen, "transaction impossible (le site est-il occupé\u202f?)");
        return -1;
    }
    int rc = territory_place_centres(s, a, centres, n, now, err, errlen);
    if (rc == 0 && store_commit(s) == STORE_OK)
        return 0;
    if (rc == 0)
        snprintf(err, errlen, "enregistrement impossible");
    store_rollback(s);
    return rc == -2 ? -2 : -1;
}

int territory_load_set(struct store *s, struct arena *a, const struct commune_set *set,
                       const char *name, const struct territory_centre *centres, size_t ncentres,
                       long long now, struct territory_report *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (name) {
        char why[200];
        const char *bad =
            settings_check(settings_find("territory_name"), name, NULL, why, sizeof why);
        if (bad) {
            snprintf(err, errlen, "--nom : %s", bad);
            return -1;
        }
    }
    if (store_begin(s) != STORE_OK) {
        snprintf(err, errlen, "transaction impossible (le site est-il occupé\u202f?)");
        return -1;
    }
    int rc = territory_load_in(s, a, set, name, centres, ncentres, now, out, err, errlen);
    if (rc == 0 && store_commit(s) == STORE_OK)
        return 0;
    if (rc == 0)
        snprintf(err, errlen, "enregistrement impossible");
    store_rollback(s);
    return rc == -2 ? -2 : -1;
}

/* How many entries use each of the n communes of v (uses sorted by code), into a. */
static long *territory_uses_of(struct arena *a, const struct commune *v, size_t n,
                               const struct commune_use *uses, size_t nuses)
{
    long *out = arena_alloc(a, (n + 1) * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const struct commune_use *u =
            bsearch(v[i].insee, uses, nuses, sizeof *uses, territory_use_cmp);
        out[i] = u ? u->entries : 0;
    }
    return out;
}

int territory_places_read(struct store *s, struct arena *a, const struct viewer *v, int offset,
                          int limit, struct territory_places *out)
{
    memset(out, 0, sizeof(*out));
    if (v->role < ROLE_ADMIN)
        return TERRITORY_FORBIDDEN;
    struct commune_use *uses;
    size_t nuses;
    if (store_read_begin(s) != STORE_OK)
        return TERRITORY_ERR;
    int rc = TERRITORY_ERR;
    if (store_communes_count(s, &out->communes, &out->unplaced, &out->by_admin) == STORE_OK &&
        store_communes_page(s, a, STORE_COMMUNES_UNPLACED, offset, limit, &out->list,
                            &out->nlist) == STORE_OK &&
        store_communes_page(s, a, STORE_COMMUNES_BY_ADMIN, 0, TERRITORY_PLACED_MAX, &out->placed,
                            &out->nplaced) == STORE_OK &&
        store_commune_uses(s, a, &uses, &nuses) == STORE_OK) {
        out->list_entries = territory_uses_of(a, out->list, out->nlist, uses, nuses);
        out->placed_entries = territory_uses_of(a, out->placed, out->nplaced, uses, nuses);
        rc = TERRITORY_OK;
    }
    store_read_end(s);
    return rc;
}
