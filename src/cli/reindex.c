/* reindex.c — `foison reindex SITE.db [--search]`: computes again, in one transaction, every
 * piece of data derived from the published revisions (filter terms, sort keys, relations, cards,
 * occurrences, the search index, the map's points), or with --search the search index alone,
 * with a progress bar and the rate on a terminal. The server does it by itself when the schemas
 * changed; this is for an operator who repaired a file by hand, or who wants the index rebuilt. */
#include "cli/cli.h"
#include "core/entry.h"
#include "core/search.h"
#include "store/moderation_store.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double reindex_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct reindex_run {
    long long total;
    double start;
};

static void reindex_progress(long long done, void *arg)
{
    const struct reindex_run *r = arg;
    int width = 40, filled = r->total ? (int)(done * width / r->total) : width;
    if (filled > width)
        filled = width;
    double secs = reindex_now() - r->start;
    fprintf(stderr, "\r[%-*.*s] %lld/%lld  %.0f fiches/s", width, filled,
            "########################################", done, r->total,
            secs > 0 ? (double)done / secs : 0.0);
}

int cli_reindex(int argc, char **argv)
{
    bool search_only = argc == 3 && strcmp(argv[2], "--search") == 0;
    if (cli_wants_help(argc, argv) || (argc != 2 && !search_only) || argv[1][0] == '-') {
        bool help = cli_wants_help(argc, argv);
        fprintf(help ? stdout : stderr,
                "usage\u202f: foison reindex SITE.db [--search]\n"
                "Recalcule les données dérivées des versions publiées (filtres, ordre des\n"
                "listes, relations entre fiches, cartes des listes, dates des événements,\n"
                "index de recherche).\n"
                "  --search  refait l'index de recherche seulement\n");
        return help ? 0 : 2;
    }
    char err[512];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    struct reindex_run run = {.total = 0, .start = reindex_now()};
    bool tty = isatty(STDERR_FILENO);
    if (store_entries_published_count(s, &run.total) != STORE_OK)
        run.total = 0;
    int rc = 1;
    if (store_begin(s) == STORE_OK) {
        int drc = search_only ? search_reindex(s, tty ? reindex_progress : NULL, &run)
                              : entry_derive_all(s, tty ? reindex_progress : NULL, &run);
        if (drc == ENTRY_OK && (search_only || entry_derive_mark(s) == ENTRY_OK) &&
            store_generation_bump(s) == STORE_OK && store_commit(s) == STORE_OK)
            rc = 0;
        else
            store_rollback(s);
    }
    if (tty)
        fputc('\n', stderr);
    store_close(s);
    if (rc)
        fprintf(stderr, "foison: le recalcul a échoué, rien n'a changé\n");
    else {
        double secs = reindex_now() - run.start;
        printf("ok\u202f: %s, %lld fiches en %.1f s (%.0f fiches/s)\n",
               search_only ? "index de recherche refait" : "données dérivées recalculées",
               run.total, secs, secs > 0 ? (double)run.total / secs : 0.0);
    }
    return rc;
}
