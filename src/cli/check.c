/* check.c — `foison check SITE.db`: SQLite's integrity checks plus the site's invariants. */
#include "cli/cli.h"
#include "core/geo.h"
#include "store/entry_store.h"
#include "store/search_store.h"
#include "store/store.h"
#include <stdio.h>

int cli_check(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc != 2) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage : foison check SITE.db\n"
                "Vérifie l'intégrité du fichier (SQLite) et les invariants du site :\n"
                "révisions, noms d'URL, communes et thèmes, réglages, index de recherche,\n"
                "points de la carte.\n");
        return cli_wants_help(argc, argv) ? 0 : 2;
    }
    char err[512];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    int problems =
        store_check_sqlite(s) + store_entries_check(s) + store_search_check(s) + geo_check(s);
    store_close(s);
    if (problems) {
        fprintf(stderr, "%d problème(s) trouvé(s)\n", problems);
        return 1;
    }
    printf("ok : %s est intègre\n", argv[1]);
    return 0;
}
