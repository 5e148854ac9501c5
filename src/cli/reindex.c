/* reindex.c — `foison reindex SITE.db`: computes again, in one transaction, every piece of data
 * derived from the published revisions (filter terms, sort keys, relations, cards), with a
 * progress bar on a terminal. The server does it by itself when the schemas changed; this is
 * for an operator who repaired a file by hand. */
#include "cli/cli.h"
#include "core/entry.h"
#include "store/moderation_store.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

static void reindex_progress(long long done, void *arg)
{
    const long long *total = arg;
    int width = 40, filled = *total ? (int)(done * width / *total) : width;
    fprintf(stderr, "\r[%-*.*s] %lld/%lld", width, filled,
            "########################################", done, *total);
}

int cli_reindex(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc != 2) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage : foison reindex SITE.db\n"
                "Recalcule les données dérivées des versions publiées (filtres, ordre des\n"
                "listes, relations entre fiches, cartes des listes).\n");
        return cli_wants_help(argc, argv) ? 0 : 2;
    }
    char err[512];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    long long total = 0;
    bool tty = isatty(STDERR_FILENO);
    if (tty && store_entries_published_count(s, &total) != STORE_OK)
        total = 0;
    int rc = 1;
    if (store_begin(s) == STORE_OK) {
        if (entry_derive_all(s, tty ? reindex_progress : NULL, &total) == ENTRY_OK &&
            entry_derive_mark(s) == ENTRY_OK && store_generation_bump(s) == STORE_OK &&
            store_commit(s) == STORE_OK)
            rc = 0;
        else
            store_rollback(s);
    }
    if (tty)
        fputc('\n', stderr);
    store_close(s);
    if (rc)
        fprintf(stderr, "foison: le recalcul a échoué, rien n'a changé\n");
    else
        printf("ok : données dérivées recalculées\n");
    return rc;
}
