/* init.c — `foison init SITE.db [territory options]`: a new empty site, of the Pays de Brest
 * (data/communes.tsv) or of the territory the options choose from the packaged public data (the
 * options of `foison territory`, cli/territory.c). */
#include "cli/cli.h"
#include "store/store.h"
#include "util/arena.h"
#include <stdio.h>
#include <time.h>

static int init_usage(FILE *f)
{
    fprintf(f,
            "usage : foison init SITE.db [--epci CODE,…] [--departement CODE,…] [--communes "
            "CODE,…]\n"
            "                     [--nom NOM] [--centre INSEE=LAT,LON]…\n"
            "Crée un site vide (réglages, thèmes, communes du territoire). Sans option, le\n"
            "territoire est le Pays de Brest ; avec les options, celui qu'elles choisissent :\n"
            "%s"
            "Refuse d'écraser un fichier existant. L'adresse publique du site se règle\n"
            "par la variable FOISON_BASE_URL ; sans elle, les liens permanents suivent\n"
            "l'adresse d'écoute de « foison serve » (--listen).\n",
            cli_territory_options_help);
    return f == stdout ? 0 : 2;
}

int cli_init(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return init_usage(stdout);
    if (argc < 2 || argv[1][0] == '-')
        return init_usage(stderr);
    struct cli_territory_opts o;
    int rc = cli_territory_parse(argc, argv, 2, &o);
    struct commune_set set = {0};
    bool picked = rc == 0 && !commune_pick_empty(&o.pick);
    /* The data is read before the file is made: a wrong code leaves nothing behind. */
    if (picked)
        rc = cli_territory_data(&o, &set);
    const char *name = o.name ? o.name : set.name;
    if (rc == 0 && picked && !name) {
        fprintf(stderr, "foison: --nom : indiquez le nom du territoire (il ne se déduit que "
                        "d'une seule intercommunalité ou d'un seul département)\n");
        rc = 2;
    }
    bool created = false;
    if (rc == 0) {
        created = cli_create_site_with(argv[1], picked ? &set : NULL, name) == 0;
        rc = created ? 0 : 1;
    }
    struct store *s = NULL;
    struct arena *a = arena_new();
    char err[1024];
    if (rc == 0 && !(s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err))) {
        fprintf(stderr, "foison: %s\n", err);
        rc = 1;
    }
    int pr = rc == 0 && o.ncentres ? territory_place_all(s, a, o.centres, o.ncentres,
                                                         (long long)time(NULL), err, sizeof err)
                                   : 0;
    if (pr != 0) {
        fprintf(stderr, "foison: %s\n", err);
        rc = pr == -2 ? 2 : 1;
    }
    struct territory_report r = {0};
    if (rc == 0 && territory_report_read(s, a, &r) != 0) {
        fprintf(stderr, "foison: lecture du territoire impossible\n");
        rc = 1;
    }
    if (rc == 0) {
        printf("site créé : %s\n", argv[1]);
        cli_territory_summary(s, a, argv[1], &r, false);
    }
    store_close(s);
    if (rc != 0 && created)
        cli_remove_site(argv[1]);
    arena_free(a);
    commune_set_free(&set);
    cli_territory_opts_free(&o);
    return rc;
}
