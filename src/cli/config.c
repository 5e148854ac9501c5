/* config.c — `foison config SITE.db [KEY [VALUE]]`: the site's settings, listed, read or
 * changed, each validated by the table of core/settings.c (the admin page's too). */
#include "cli/cli.h"
#include "core/settings.h"
#include "http/http.h"
#include "store/store.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* http_proxies_parse in the shape core/settings.c asks for (it cannot include http/). */
static int config_proxies_check(const char *text, char *why, size_t whylen)
{
    struct http_proxies p;
    return http_proxies_parse(text, &p, why, whylen);
}

static int config_usage(FILE *f)
{
    fprintf(f, "usage : foison config SITE.db [CLÉ [VALEUR]]\n"
               "Sans clé, affiche les réglages ; avec une clé, sa valeur ; avec une valeur, la "
               "change.\n"
               "Les mêmes réglages se changent sur la page /admin/reglages du site (comptes "
               "administrateurs).\n"
               "Clés :\n");
    for (size_t i = 0; i < settings_count; i++)
        fprintf(f, "  %s (%s%s%s) : %s%s\n", settings_table[i].name, settings_table[i].label,
                *settings_table[i].fallback ? ", par défaut " : "", settings_table[i].fallback,
                settings_table[i].help,
                settings_table[i].restart ? " Lu au démarrage : relancez le serveur." : "");
    fprintf(f, "Le serveur relit les autres réglages dès qu'ils changent, sans redémarrage.\n");
    return f == stdout ? 0 : 2;
}

int cli_config(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return config_usage(stdout);
    if (argc < 2 || argc > 4)
        return config_usage(stderr);
    const char *key = argc > 2 ? argv[2] : NULL;
    const struct setting *st = key ? settings_find(key) : NULL;
    if (key && !st) {
        fprintf(stderr, "foison: réglage inconnu : %s\n", key);
        return config_usage(stderr);
    }
    if (argc == 4) {
        char why[200];
        const char *bad = settings_check(st, argv[3], config_proxies_check, why, sizeof why);
        if (bad) {
            fprintf(stderr, "foison: %s : %s\n", key, bad);
            return 2;
        }
    }
    char err[512];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    int rc = 0;
    struct arena *a = arena_new();
    if (argc == 4) {
        /* The page's write path: one transaction, a line in the moderation log (by "système"). */
        const char *keys[] = {key}, *values[] = {argv[3]};
        int changed;
        if (settings_save(s, a, &viewer_operator, 1, keys, values, config_proxies_check,
                          (long long)time(NULL), &changed) != SETTINGS_OK) {
            fprintf(stderr, "foison: écriture du réglage impossible\n");
            rc = 1;
        }
    } else {
        /* The value in effect: the stored one, or the default the server uses. */
        for (size_t i = 0; i < settings_count; i++) {
            if (st && st != &settings_table[i])
                continue;
            const char *v = settings_value(s, a, &settings_table[i]);
            if (!v) {
                fprintf(stderr, "foison: lecture des réglages impossible\n");
                rc = 1;
                break;
            }
            if (st)
                printf("%s\n", v);
            else
                printf("%s = %s\n", settings_table[i].name, v);
        }
    }
    arena_free(a);
    store_close(s);
    return rc;
}
