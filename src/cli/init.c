/* init.c — `foison init SITE.db`: a new empty site. */
#include "cli/cli.h"
#include <stdio.h>

int cli_init(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc != 2) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage : foison init SITE.db\n"
                "Crée un site vide (réglages, thèmes, communes du territoire).\n"
                "Refuse d'écraser un fichier existant. L'adresse publique du site se règle\n"
                "par la variable FOISON_BASE_URL ; sans elle, les liens permanents suivent\n"
                "l'adresse d'écoute de « foison serve » (--listen).\n");
        return cli_wants_help(argc, argv) ? 0 : 2;
    }
    if (cli_create_site(argv[1]) != 0)
        return 1;
    printf("site créé : %s\n", argv[1]);
    return 0;
}
