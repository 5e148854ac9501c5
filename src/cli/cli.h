/* cli.h — the subcommands of the foison binary, one file each. Each returns the exit status. */
#ifndef FOISON_CLI_H
#define FOISON_CLI_H

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
/* Creates a new site file at path with the territory seeded; 0 or prints the error. */
int cli_create_site(const char *path);

#endif
