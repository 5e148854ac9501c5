/* user.c — `foison user add` and `foison token create`: accounts from the command line. The
 * password is read from standard input, never from argv (which other users can see). */
#include "cli/cli.h"
#include "core/account.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char *cli_opt(int argc, char **argv, const char *name, int *bad)
{
    const char *v = NULL;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            if (i + 1 >= argc || v)
                *bad = 1;
            else
                v = argv[++i];
        }
    }
    return v;
}

static int cli_opts_known(int argc, char **argv, const char *const *known, int nknown)
{
    for (int i = 3; i < argc; i += 2) {
        int ok = 0;
        for (int k = 0; k < nknown; k++)
            ok |= strcmp(argv[i], known[k]) == 0;
        if (!ok) {
            fprintf(stderr, "foison: option inconnue : %s\n", argv[i]);
            return 0;
        }
    }
    return 1;
}

static int cli_read_password(char *pw, size_t len)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    if (tty) {
        fprintf(stderr, "Mot de passe : ");
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    char *ok = fgets(pw, (int)len, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (!ok)
        return -1;
    pw[strcspn(pw, "\r\n")] = '\0';
    return 0;
}

int cli_user(int argc, char **argv)
{
    static const char *const known[] = {"--email", "--name", "--role"};
    if (cli_wants_help(argc, argv) || argc < 3 || strcmp(argv[1], "add") != 0) {
        int help = cli_wants_help(argc, argv);
        fprintf(help ? stdout : stderr,
                "usage : foison user add SITE.db --email E --name N "
                "--role admin|moderator|trusted|contributor\n"
                "Crée un compte. Le mot de passe (10 caractères au moins) est lu sur l'entrée\n"
                "standard, jamais en argument : echo \"$MDP\" | foison user add …\n");
        return help ? 0 : 2;
    }
    int bad = 0;
    const char *email = cli_opt(argc, argv, "--email", &bad);
    const char *name = cli_opt(argc, argv, "--name", &bad);
    const char *role = cli_opt(argc, argv, "--role", &bad);
    if (bad || !email || !name || !role || !cli_opts_known(argc, argv, known, 3)) {
        fprintf(stderr, "foison: --email, --name et --role sont requis (une fois chacun)\n");
        return 2;
    }
    char pw[1100];
    if (cli_read_password(pw, sizeof pw) != 0) {
        fprintf(stderr, "foison: mot de passe attendu sur l'entrée standard\n");
        return 2;
    }
    char err[512];
    struct store *s = store_open(argv[2], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s || cli_account_init() != 0) {
        fprintf(stderr, "foison: %s\n", s ? "libsodium indisponible" : err);
        store_close(s);
        return 1;
    }
    int rc = account_create(s, email, name, role, pw, err, sizeof err);
    store_close(s);
    memset(pw, 0, sizeof pw);
    if (rc != 0) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    printf("compte créé : %s (%s)\n", email, role);
    return 0;
}

int cli_token(int argc, char **argv)
{
    static const char *const known[] = {"--email"};
    bool revoke = argc >= 2 && strcmp(argv[1], "revoke") == 0;
    if (cli_wants_help(argc, argv) || argc < 3 || (strcmp(argv[1], "create") != 0 && !revoke)) {
        int help = cli_wants_help(argc, argv);
        fprintf(help ? stdout : stderr,
                "usage : foison token create SITE.db --email E\n"
                "        foison token revoke SITE.db --email E\n"
                "revoke supprime tous les jetons d'API de ce compte.\n"
                "Affiche un nouveau jeton d'API pour ce compte (à garder secret ; il n'est\n"
                "stocké que haché et ne pourra pas être réaffiché).\n");
        return help ? 0 : 2;
    }
    int bad = 0;
    const char *email = cli_opt(argc, argv, "--email", &bad);
    if (bad || !email || !cli_opts_known(argc, argv, known, 1)) {
        fprintf(stderr, "foison: --email est requis\n");
        return 2;
    }
    char err[512];
    struct store *s = store_open(argv[2], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s || cli_account_init() != 0) {
        fprintf(stderr, "foison: %s\n", s ? "libsodium indisponible" : err);
        store_close(s);
        return 1;
    }
    if (revoke) {
        int n = 0;
        int rrc = account_tokens_revoke(s, email, &n, err, sizeof err);
        store_close(s);
        if (rrc != 0) {
            fprintf(stderr, "foison: %s\n", err);
            return 1;
        }
        printf("%d jeton%s révoqué%s pour %s\n", n, n > 1 ? "s" : "", n > 1 ? "s" : "", email);
        return 0;
    }
    char token[ACCOUNT_TOKEN_LEN + 1];
    int rc = account_token_create(s, email, token, err, sizeof err);
    store_close(s);
    if (rc != 0) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    printf("%s\n", token);
    return 0;
}
