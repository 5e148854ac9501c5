/* cli.h — the subcommands of the foison binary, one file each. Each returns the exit status. */
#ifndef FOISON_CLI_H
#define FOISON_CLI_H
#include "core/commune_data.h"
#include "core/territory.h"
#include <stdbool.h>

int cli_init(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_reindex(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_mail(int argc, char **argv);
int cli_import_places(int argc, char **argv);
int cli_bench_data(int argc, char **argv);
int cli_chores(int argc, char **argv);
int cli_territory(int argc, char **argv);
struct store;
/* Starts the mail worker of `foison serve` (a thread with its own connection to site), which
 * looks at the queue again poll_ms milliseconds after a round that sent nothing. */
int cli_mailer_start(struct store *s, const char *site, unsigned poll_ms);

/* Shared helpers (cli/common.c). */
const char *cli_datadir(void);
/* account_init, and the list of common passwords loaded (a warning on stderr when the set-up
 * did not install it: then only the length rule applies). 0 or -1. */
int cli_account_init(void);
/* True when argv has -h or --help. */
int cli_wants_help(int argc, char **argv);
/* True for a public base URL: http(s)://host[:port], no path, no trailing slash. */
int cli_base_url_valid(const char *url);
/* Creates a new site file at path with the territory seeded (the Pays de Brest of
 * data/communes.tsv); 0 or prints the error. */
int cli_create_site(const char *path);

/* The territory's options of `foison territory` and `foison init` (cli/territory.c). */
struct cli_territory_opts {
    struct commune_pick pick;
    const char *name; /* --nom, or NULL */
    struct territory_centre *centres;
    size_t ncentres;
};
extern const char cli_territory_options_help[];
/* Reads the options of argv[from..]: 0, or 2 with the reason printed (free o either way). */
int cli_territory_parse(int argc, char **argv, int from, struct cli_territory_opts *o);
void cli_territory_opts_free(struct cli_territory_opts *o);
/* The communes o picks from the packaged data: 0, or the exit status with the reason printed
 * (2: a code is unknown; 1: the data is missing). */
int cli_territory_data(const struct cli_territory_opts *o, struct commune_set *set);
/* Prints what the territory is (and, when loaded, what changed). */
struct arena;
void cli_territory_summary(struct store *s, struct arena *a, const char *site,
                           const struct territory_report *r, bool loaded);
/* Removes a site just made (and its -wal, -shm, -gen companions): a failed init leaves none. */
void cli_remove_site(const char *path);
/* cli_create_site with the communes of set (NULL: data/communes.tsv) and the territory's name
 * (NULL: "Pays de Brest"). */
int cli_create_site_with(const char *path, const struct commune_set *set, const char *name);

#endif
