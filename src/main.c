/* main.c — dispatches the subcommands of the foison binary. */
#include "cli/cli.h"
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"init", cli_init, "init SITE.db [--epci …]       crée un site vide"},
    {"demo", cli_demo, "demo SITE.db                  crée un site de démonstration"},
    {"serve", cli_serve, "serve SITE.db [--listen H:P]  sert le site"},
    {"user", cli_user, "user add SITE.db --email …    crée un compte"},
    {"token", cli_token, "token create SITE.db --email  crée un jeton d'API"},
    {"reindex", cli_reindex, "reindex SITE.db               recalcule les données dérivées"},
    {"chores", cli_chores, "chores SITE.db [--at T]       fait le travail planifié (rappels)"},
    {"check", cli_check, "check SITE.db                 vérifie l'intégrité du site"},
    {"territory", cli_territory,
     "territory SITE.db [--epci …]  choisit les communes du territoire, fixe leurs centres"},
    {"config", cli_config, "config SITE.db [CLÉ [VALEUR]] lit ou change les réglages du site"},
    {"mail", cli_mail, "mail SITE.db --test ADRESSE    essaie l'envoi des courriels"},
    {"import-places", cli_import_places,
     "import-places SITE.db F.json  importe des lieux de médiation numérique"},
    {"bench-data", cli_bench_data, "bench-data SITE.db --entries N ajoute des fiches générées"},
};

static int usage(FILE *f)
{
    fprintf(f,
            "foison %s — plate-forme des innovations sociales ouvertes d'un territoire\n\n"
            "usage : foison COMMANDE [ARGUMENTS] (foison COMMANDE --help pour le détail)\n",
            FOISON_VERSION);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  foison %s\n", commands[i].help);
    return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "--version") == 0) {
        printf("foison %s\n", FOISON_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "foison: commande inconnue : %s\n", argv[1]);
    return usage(stderr);
}
