/* chores.c — `foison chores SITE.db [--at YYYY-MM-DDTHH:MM]`: runs the site's timed work once
 * (the server does it every minute), as of now or of a given Paris time (to test reminders). */
#include "cli/cli.h"
#include "core/chores.h"
#include "store/store.h"
#include "util/tz.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int cli_chores(int argc, char **argv)
{
    long long now = (long long)time(NULL);
    bool bad = argc != 2 && !(argc == 4 && strcmp(argv[2], "--at") == 0);
    if (cli_wants_help(argc, argv) || bad) {
        fprintf(bad ? stderr : stdout,
                "usage : foison chores SITE.db [--at AAAA-MM-JJTHH:MM]\n"
                "Fait une fois le travail planifié du site (rappels des prêts, places des\n"
                "invités non confirmés), maintenant ou à l'heure de Brest donnée.\n");
        return bad ? 2 : 0;
    }
    if (argc == 4 && tz_parse_local(argv[3], &now) != TZ_OK) {
        fprintf(stderr, "foison: --at : date et heure attendues, AAAA-MM-JJTHH:MM\n");
        return 2;
    }
    char err[512];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    int done = 0;
    int rc = chores_run(s, now, &done);
    store_close(s);
    if (rc != 0) {
        fprintf(stderr, "foison: une tâche a échoué (voir ci-dessus)\n");
        return 1;
    }
    printf("ok : %d tâche%s faite%s\n", done, done > 1 ? "s" : "", done > 1 ? "s" : "");
    return 0;
}
