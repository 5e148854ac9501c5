/* config.c — `foison config SITE.db [KEY [VALUE]]`: the site's settings, listed, read or
 * changed, each validated (a base URL that is http(s), a known licence, names on one line). */
#include "cli/cli.h"
#include "core/account.h"
#include "core/schema.h"
#include "core/validate.h"
#include "http/http.h"
#include "store/store.h"
#include "util/utf8.h"
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const config_keys[] = {"site_name",
                                          "territory_name",
                                          "base_url",
                                          "license",
                                          STORE_SYNC_SETTING,
                                          "trusted_proxies",
                                          "trust_edits",
                                          "trust_days",
                                          "spam_hold",
                                          "spam_refuse",
                                          "rate_edits_new",
                                          "rate_edits",
                                          "rate_reports",
                                          "report_hide",
                                          "blocked_domains",
                                          "smtp_url",
                                          "smtp_user",
                                          "smtp_password",
                                          "smtp_starttls",
                                          "mail_from",
                                          "legal_notice",
                                          "privacy_notice",
                                          "accessibility_statement"};
#define CONFIG_NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static int config_usage(FILE *f)
{
    fprintf(f,
            "usage : foison config SITE.db [CLÉ [VALEUR]]\n"
            "Sans clé, affiche les réglages ; avec une clé, sa valeur ; avec une valeur, la "
            "change.\n"
            "Clés : site_name, territory_name (80 caractères au plus), base_url (adresse "
            "http(s)\n"
            "publique du site, sans / final ; vide : l'adresse d'écoute du serveur), license "
            "(CC-BY-SA-4.0, CC-BY-4.0 ou CC0-1.0),\n"
            "synchronous (FULL, par défaut : une contribution enregistrée survit à une coupure "
            "de courant ;\n"
            "NORMAL : plus rapide, mais une coupure de courant peut perdre les dernières "
            "écritures),\n"
            "trusted_proxies (adresses ou réseaux des mandataires inverses dont l'en-tête\n"
            "X-Forwarded-For donne l'adresse du visiteur, ex. « 127.0.0.1, 10.0.0.0/8 » ; vide : "
            "aucun, l'en-tête est ignoré),\n"
            "trust_edits et trust_days (un contributeur devient « de confiance », ses\n"
            "modifications publiées sans relecture, après ce nombre de modifications approuvées\n"
            "et ce nombre de jours depuis son inscription ; 5 et 7 par défaut, de 0 à 100000),\n"
            "spam_hold et spam_refuse (au-delà du premier score de spam, une modification attend\n"
            "la relecture même d'un contributeur de confiance ; au-delà du second, elle est\n"
            "refusée ; 50 et 100 par défaut),\n"
            "rate_edits_new (modifications par minute d'un contributeur, par compte et par\n"
            "adresse ; 8 par défaut), rate_edits (par minute d'un compte de confiance, d'un\n"
            "modérateur ou d'un administrateur, par compte seulement ; 90 par défaut),\n"
            "rate_reports (signalements par compte et par jour ; 10 par défaut),\n"
            "report_hide (nombre de comptes dont les signalements masquent une fiche jusqu'à\n"
            "la décision d'un modérateur ; 3 par défaut) : des entiers de 0 à 100000, 0 pour\n"
            "aucune limite (report_hide : ne jamais masquer),\n"
            "blocked_domains (domaines dont les liens font refuser un texte, séparés par des\n"
            "virgules ou des espaces, ex. « casino.example, pilules.example »),\n"
            "smtp_url (smtp://hôte:587 avec STARTTLS, ou smtps://hôte:465 ; vide : les courriels\n"
            "sont écrits dans le dossier SITE.db-courriels), smtp_user, smtp_password,\n"
            "smtp_starttls (on par défaut ; off : envoi en clair, à éviter),\n"
            "mail_from (l'expéditeur, ex. « Réseau foison <contact@exemple.org> »),\n"
            "legal_notice, privacy_notice, accessibility_statement (les textes, en Markdown, des\n"
            "pages mentions légales, données personnelles et accessibilité ; vide : le texte\n"
            "par défaut).\n"
            "Le serveur lit les réglages au démarrage : relancez-le après un changement.\n");
    return f == stdout ? 0 : 2;
}

/* NULL when value is acceptable for key, else the French reason. */
static const char *config_check(const char *key, const char *value)
{
    size_t n = strlen(value);
    /* The page texts are Markdown: lines are theirs; tabs and carriage returns are not. */
    bool text = strcmp(key, "legal_notice") == 0 || strcmp(key, "privacy_notice") == 0 ||
                strcmp(key, "accessibility_statement") == 0;
    if (!utf8_valid(value, n) || strpbrk(value, text ? "\t\r" : "\t\r\n") ||
        strstr(value, "\u202e") || strstr(value, "\u202d") || strstr(value, "\u2066") ||
        strstr(value, "\u2067") || strstr(value, "\u2068") || strstr(value, "\u202a") ||
        strstr(value, "\u202b"))
        return "texte invalide (caractères de contrôle)";
    if (strcmp(key, "base_url") == 0) {
        /* scheme://host[:port] only: permalinks append paths, and forms compare it to Origin.
         * Empty: none, the server's --listen address is used. */
        if (n > 0 && !cli_base_url_valid(value))
            return "une adresse http(s) sans chemin ni / final est attendue (ex. "
                   "https://foison.example.org)";
        return NULL;
    }
    if (strcmp(key, "license") == 0) {
        const struct field_def *f = kind_field(kind_find("innovation"), "license");
        return f && field_option_label(f, value) ? NULL
                                                 : "licence inconnue : CC-BY-SA-4.0, CC-BY-4.0 "
                                                   "ou CC0-1.0";
    }
    if (strcmp(key, "legal_notice") == 0 || strcmp(key, "privacy_notice") == 0 ||
        strcmp(key, "accessibility_statement") == 0)
        return n > 20000 ? "20 000 caractères au plus" : NULL; /* lines allowed: Markdown */
    if (strcmp(key, "smtp_url") == 0) {
        if (n && strncmp(value, "smtp://", 7) != 0 && strncmp(value, "smtps://", 8) != 0)
            return "une adresse smtp://hôte[:port] ou smtps://hôte[:port] est attendue";
        return n > 500 ? "500 caractères au plus" : NULL;
    }
    if (strcmp(key, "smtp_starttls") == 0)
        return strcmp(value, "on") == 0 || strcmp(value, "off") == 0 ? NULL : "on ou off";
    if (strcmp(key, "smtp_user") == 0 || strcmp(key, "smtp_password") == 0)
        return n > 500 ? "500 caractères au plus" : NULL;
    if (strcmp(key, "mail_from") == 0) {
        const char *lt = strchr(value, '<'), *gt = lt ? strchr(lt, '>') : NULL;
        char addr[256];
        size_t al = lt && gt && gt > lt ? (size_t)(gt - lt - 1) : n;
        if (al >= sizeof addr || (lt && (!gt || gt[1])))
            return "une adresse e-mail, ou « Nom <adresse> », est attendue";
        memcpy(addr, lt ? lt + 1 : value, al);
        addr[al] = '\0';
        return n == 0 || account_email_valid(addr) ? NULL
                                                   : "une adresse e-mail, ou « Nom <adresse> », "
                                                     "est attendue";
    }
    if (strcmp(key, "blocked_domains") == 0) {
        if (n > 10000)
            return "10 000 caractères au plus";
        for (const char *p = value; *p; p++)
            if (!isalnum((unsigned char)*p) && !strchr(".-, ", *p))
                return "des noms de domaine (lettres, chiffres, points, tirets) séparés par des "
                       "virgules ou des espaces";
        return NULL;
    }
    if (strcmp(key, "trust_edits") == 0 || strcmp(key, "trust_days") == 0 ||
        strcmp(key, "spam_hold") == 0 || strcmp(key, "spam_refuse") == 0 ||
        strcmp(key, "rate_edits_new") == 0 || strcmp(key, "rate_edits") == 0 ||
        strcmp(key, "rate_reports") == 0 || strcmp(key, "report_hide") == 0) {
        char *end;
        long v = n ? strtol(value, &end, 10) : -1;
        return n && n <= 6 && value[0] >= '0' && value[0] <= '9' && !*end && v <= 100000
                   ? NULL
                   : "un entier de 0 à 100000";
    }
    if (strcmp(key, STORE_SYNC_SETTING) == 0)
        return store_sync_valid(value) ? NULL : "FULL ou NORMAL";
    if (strcmp(key, "trusted_proxies") == 0) {
        static _Thread_local char why[200];
        struct http_proxies p;
        return http_proxies_parse(value, &p, why, sizeof why) == 0 ? NULL : why;
    }
    if (n == 0 || utf8_count(value, n) > 80)
        return "de 1 à 80 caractères";
    return NULL;
}

int cli_config(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return config_usage(stdout);
    if (argc < 2 || argc > 4)
        return config_usage(stderr);
    const char *key = argc > 2 ? argv[2] : NULL;
    bool known = !key;
    for (size_t i = 0; key && i < CONFIG_NKEYS; i++)
        known |= strcmp(key, config_keys[i]) == 0;
    if (!known) {
        fprintf(stderr, "foison: réglage inconnu : %s\n", key);
        return config_usage(stderr);
    }
    if (argc == 4) {
        const char *why = config_check(key, argv[3]);
        if (why) {
            fprintf(stderr, "foison: %s : %s\n", key, why);
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
    if (argc == 4) {
        if (store_setting_set(s, key, argv[3]) != STORE_OK) {
            fprintf(stderr, "foison: écriture du réglage impossible\n");
            rc = 1;
        }
    } else {
        for (size_t i = 0; i < CONFIG_NKEYS; i++) {
            if (key && strcmp(key, config_keys[i]) != 0)
                continue;
            char *v = store_setting_get(s, config_keys[i]);
            if (!v && strcmp(config_keys[i], STORE_SYNC_SETTING) == 0)
                v = strdup("FULL");
            if (key)
                printf("%s\n", v ? v : "");
            else
                printf("%s = %s\n", config_keys[i], v ? v : "");
            free(v);
        }
    }
    store_close(s);
    return rc;
}
