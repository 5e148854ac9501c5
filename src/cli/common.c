/* common.c — helpers shared by the subcommands: where the data files are, creating a site. */
#include "cli/cli.h"
#include "core/account.h"
#include "core/password.h"
#include "core/settings.h"
#include "core/territory.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_account_init(void)
{
    if (account_init() != 0)
        return -1;
    if (password_list_load(cli_datadir()) < 0)
        fprintf(stderr,
                "foison : liste des mots de passe courants introuvable (%s/%s) : lancez make "
                "deps ; en attendant, seule la longueur minimale des mots de passe est "
                "vérifiée\n",
                cli_datadir(), PASSWORD_LIST_RELATIVE);
    return 0;
}

const char *cli_datadir(void)
{
    const char *d = getenv("FOISON_DATADIR");
    return d && *d ? d : FOISON_DATADIR;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int cli_base_url_valid(const char *url)
{
    return settings_base_url_valid(url);
}

void cli_remove_site(const char *path)
{
    static const char *const extra[] = {"", "-wal", "-shm", "-gen"};
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s%s", path, extra[i]);
        unlink(p);
    }
}

/* Creates the site at path, seeded from set (the packaged data) or, when set is NULL, from
 * data/communes.tsv. A failure removes the file: no half-made site stays. */
static int cli_create(const char *path, const struct commune_set *set, const char *name)
{
    char err[512];
    const char *base = getenv("FOISON_BASE_URL");
    if (base && *base && !cli_base_url_valid(base)) {
        fprintf(stderr, "foison: FOISON_BASE_URL doit être une adresse http(s) sans / final "
                        "(ex. https://foison.example.org)\n");
        return 1;
    }
    struct store *s = store_open(path, STORE_OPEN_CREATE, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    int rc;
    base = base && *base ? base : "";
    if (set)
        rc = territory_seed_with(s, set, name, base, err, sizeof err);
    else {
        char tsv[1024];
        snprintf(tsv, sizeof tsv, "%s/data/communes.tsv", cli_datadir());
        rc = territory_seed(s, tsv, base, err, sizeof err);
    }
    if (rc == 0 && name && !set && store_setting_set(s, "territory_name", name) != STORE_OK) {
        snprintf(err, sizeof err, "écriture du nom du territoire impossible");
        rc = -1;
    }
    store_close(s);
    if (rc != 0) {
        fprintf(stderr, "foison: %s\n", err);
        cli_remove_site(path);
        return 1;
    }
    return 0;
}

int cli_create_site(const char *path)
{
    return cli_create(path, NULL, NULL);
}

int cli_create_site_with(const char *path, const struct commune_set *set, const char *name)
{
    return cli_create(path, set, name);
}
