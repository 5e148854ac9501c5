/* chores.c — `foison chores SITE.db [--at YYYY-MM-DDTHH:MM] [--media-dir DIR | --media-s3 URL]`:
 * runs the site's timed work once (the server does it every minute), as of now or of a given
 * Paris time (to test reminders), with the folder or object store of media files the server is
 * given (to forget files in it). */
#include "cli/cli.h"
#include "core/chores.h"
#include "store/media_store.h"
#include "store/store.h"
#include "util/tz.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int cli_chores(int argc, char **argv)
{
    long long now = (long long)time(NULL);
    const char *at = NULL, *media_dir = NULL, *media_s3 = NULL;
    bool bad = argc < 2 || argc % 2 != 0;
    for (int i = 2; !bad && i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--at") == 0 && !at)
            at = argv[i + 1];
        else if (strcmp(argv[i], "--media-dir") == 0 && !media_dir)
            media_dir = argv[i + 1];
        else if (strcmp(argv[i], "--media-s3") == 0 && !media_s3)
            media_s3 = argv[i + 1];
        else
            bad = true;
    }
    if (cli_wants_help(argc, argv) || bad) {
        fprintf(bad ? stderr : stdout,
                "usage : foison chores SITE.db [--at AAAA-MM-JJTHH:MM]\n"
                "          [--media-dir DOSSIER | --media-s3 URL]\n"
                "Fait une fois le travail planifié du site (rappels des prêts, places des\n"
                "invités non confirmés, fichiers supprimés oubliés), maintenant ou à l'heure de\n"
                "Brest donnée. --media-dir, --media-s3 : où sont les médias, comme pour\n"
                "foison serve (clés S3 dans l'environnement, voir foison serve --help).\n");
        return bad ? 2 : 0;
    }
    if (at && tz_parse_local(at, &now) != TZ_OK) {
        fprintf(stderr, "foison: --at : date et heure attendues, AAAA-MM-JJTHH:MM\n");
        return 2;
    }
    char err[512];
    if (media_dir && media_s3) {
        fprintf(stderr, "foison: --media-dir et --media-s3 s'excluent : choisir l'un des deux\n");
        return 2;
    }
    if (media_s3 && store_media_s3_set(media_s3, err, sizeof err) != 0) {
        fprintf(stderr, "foison: %s\n", err);
        return 2;
    }
    if (media_dir && store_media_dir_set(media_dir, err, sizeof err) != 0) {
        fprintf(stderr, "foison: %s\n", err);
        return 2;
    }
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
