/* settings.c — the table of the site's settings, their validation, and their one write path
 * (see settings.h). */
#include "core/settings.h"
#include "core/account.h"
#include "core/schema.h"
#include "core/validate.h"
#include "store/moderation_store.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The order is the command line's listing and, within each section, the page's. Keys read only
 * at start-up say so (restart): the others are read when they are used, or reloaded by
 * `foison serve` when the site's generation moves (web/app.c). */
const struct setting settings_table[] = {
    {"site_name", "Nom du site",
     "Affiché en tête de chaque page et dans les courriels (80 "
     "caractères au plus).",
     SETTING_NAME, SECTION_SITE, "foison", false},
    {"territory_name", "Nom du territoire",
     "Le territoire dont le site recense les innovations, "
     "ex. « Pays de Brest » (80 caractères au plus).",
     SETTING_NAME, SECTION_SITE, "Pays de Brest", false},
    {"base_url", "Adresse publique du site",
     "Adresse http(s) du site, sans chemin ni / final, "
     "ex. https://foison.example.org\u202f; vide\u202f: l'adresse d'écoute du serveur. Elle fait "
     "les liens permanents et les liens des courriels.",
     SETTING_BASE_URL, SECTION_SITE, "", false},
    {"license", "Licence proposée par défaut",
     "La licence d'une nouvelle fiche\u202f: "
     "CC-BY-SA-4.0, CC-BY-4.0 ou CC0-1.0.",
     SETTING_LICENSE, SECTION_SITE, "CC-BY-SA-4.0", false},
    {STORE_SYNC_SETTING, "Durabilité des écritures",
     "FULL (par défaut)\u202f: une contribution "
     "enregistrée survit à une coupure de courant\u202f; NORMAL\u202f: plus rapide, mais une "
     "coupure de courant peut perdre les dernières écritures.",
     SETTING_SYNC, SECTION_SITE, "FULL", true},
    {"trusted_proxies", "Mandataires inverses de confiance",
     "Adresses ou réseaux des mandataires "
     "inverses (nginx, Caddy…) dont l'en-tête X-Forwarded-For donne l'adresse du visiteur, ex. "
     "« 127.0.0.1, 10.0.0.0/8 »\u202f; vide\u202f: aucun, l'en-tête est ignoré.",
     SETTING_PROXIES, SECTION_PROXIES, "", false},
    {"trust_edits", "Modifications approuvées avant la confiance",
     "Un contributeur devient « de "
     "confiance » (ses modifications publiées sans relecture) après ce nombre de modifications "
     "approuvées…",
     SETTING_INT, SECTION_TRUST, "5", false},
    {"trust_days", "Jours d'ancienneté avant la confiance",
     "… et ce nombre de jours depuis son "
     "inscription.",
     SETTING_INT, SECTION_TRUST, "7", false},
    {"spam_hold", "Score de spam mis en attente",
     "Au-delà de ce score, une modification attend "
     "la relecture, même d'un contributeur de confiance (0\u202f: toutes).",
     SETTING_INT, SECTION_LIMITS, "50", false},
    {"spam_refuse", "Score de spam refusé",
     "Au-delà de ce score, une modification est refusée "
     "avec ses raisons\u202f; il doit dépasser le précédent.",
     SETTING_INT, SECTION_LIMITS, "100", false},
    {"blocked_domains", "Domaines bloqués",
     "Les liens vers ces domaines font refuser un texte\u202f;"
     " séparés par des virgules ou des espaces, ex. « casino.example, pilules.example ».",
     SETTING_DOMAINS, SECTION_LIMITS, "", false},
    {"smtp_url", "Serveur SMTP",
     "smtp://hôte:587 (avec STARTTLS) ou smtps://hôte:465\u202f; "
     "vide\u202f: les courriels sont écrits dans le dossier SITE.db-courriels à côté du site.",
     SETTING_SMTP_URL, SECTION_SMTP, "", false},
    {"smtp_user", "Identifiant SMTP",
     "Le compte sur le serveur SMTP (vide\u202f: sans "
     "authentification).",
     SETTING_LINE500, SECTION_SMTP, "", false},
    {"smtp_password", "Mot de passe SMTP",
     "Jamais réaffiché\u202f: laissez le champ vide pour "
     "garder le mot de passe enregistré.",
     SETTING_SECRET, SECTION_SMTP, "", false},
    {"smtp_starttls", "STARTTLS exigé",
     "on (par défaut)\u202f: le courriel ne part que chiffré"
     "\u202f; off\u202f: envoi en clair possible, à éviter.",
     SETTING_ONOFF, SECTION_SMTP, "on", false},
    {"mail_from", "Expéditeur des courriels",
     "Une adresse, ou « Nom <adresse> », ex. « Réseau "
     "foison <contact@exemple.org> ».",
     SETTING_FROM, SECTION_SMTP, "", false},
    {"legal_notice", "Mentions légales",
     "En Markdown (vide\u202f: le texte par défaut, qui ne "
     "nomme pas l'éditeur). Elles doivent nommer l'éditeur, le directeur ou la directrice de la "
     "publication et l'hébergeur.",
     SETTING_MARKDOWN, SECTION_TEXTS, "", false},
    {"privacy_notice", "Données personnelles",
     "En Markdown (vide\u202f: le texte par défaut)\u202f:"
     " ce qui est conservé, pourquoi, combien de temps, comment l'obtenir ou l'effacer.",
     SETTING_MARKDOWN, SECTION_TEXTS, "", false},
    {"accessibility_statement", "Déclaration d'accessibilité",
     "En Markdown (vide\u202f: le texte "
     "par défaut)\u202f: le niveau atteint (RGAA 4.1) et comment signaler un problème.",
     SETTING_MARKDOWN, SECTION_TEXTS, "", false},
    {"signup", "Inscription libre",
     "open (par défaut)\u202f: chacun peut ouvrir un compte, "
     "confirmé par courriel\u202f; closed\u202f: les comptes sont créés par l'équipe.",
     SETTING_SIGNUP, SECTION_TRUST, "open", false},
    {"report_hide", "Signalements avant masquage",
     "Une fiche signalée par ce nombre de comptes "
     "différents est masquée jusqu'à ce qu'un modérateur la regarde (0\u202f: jamais).",
     SETTING_INT, SECTION_TRUST, "3", false},
    {"rate_edits_new", "Modifications par minute (nouveaux comptes)",
     "Par compte contributeur et "
     "par adresse (0\u202f: sans limite).",
     SETTING_INT, SECTION_LIMITS, "8", false},
    {"rate_edits", "Modifications par minute (comptes de confiance)",
     "Par compte seulement "
     "(0\u202f: sans limite).",
     SETTING_INT, SECTION_LIMITS, "90", false},
    {"rate_previews", "Aperçus par minute",
     "Par compte\u202f: les aperçus du texte mis en forme que demande l'éditeur "
     "(0\u202f: sans limite).",
     SETTING_INT, SECTION_LIMITS, "60", false},
    {"rate_reports", "Signalements par jour", "Par compte (0\u202f: sans limite).", SETTING_INT,
     SECTION_LIMITS, "10", false},
    {"rate_signups", "Inscriptions par heure", "Par adresse (0\u202f: sans limite).", SETTING_INT,
     SECTION_LIMITS, "5", false},
    {"rate_mails", "Courriels de compte par heure",
     "Confirmations et mots de passe oubliés, par "
     "adresse et par compte (0\u202f: sans limite).",
     SETTING_INT, SECTION_LIMITS, "10", false},
    {"rate_contact", "Messages de contact par heure",
     "Envoyés par le formulaire de contact des "
     "fiches, par adresse et par expéditeur (0\u202f: sans limite).",
     SETTING_INT, SECTION_LIMITS, "5", false},
    {"rate_contact_entry", "Messages de contact par jour et par fiche",
     "Reçus par une même "
     "fiche, quels que soient les expéditeurs (0\u202f: sans limite).",
     SETTING_INT, SECTION_LIMITS, "20", false},
    {"rate_registrations", "Inscriptions d'invités par heure",
     "Inscriptions aux événements sans compte, par adresse IP (0\u202f: sans limite).", SETTING_INT,
     SECTION_LIMITS, "10", false},
    {"rate_registration_mails", "Messages aux inscrits par jour et par événement",
     "Écrits par les organisateurs à leurs inscrits (0\u202f: sans limite).", SETTING_INT,
     SECTION_LIMITS, "5", false},
    {"rate_searches", "Recherches par minute",
     "Par adresse IP, sur la page de recherche et l'API (le double pour les suggestions au fil "
     "de la frappe)\u202f; 0\u202f: sans limite.",
     SETTING_INT, SECTION_LIMITS, "600", false},
    {"robot_restrict", "Preuve de présence sur l'historique",
     "on (par défaut)\u202f: un visiteur "
     "anonyme prouve qu'il n'est pas un robot (un calcul de son navigateur, ou un bouton sans "
     "JavaScript) avant l'historique et les différences d'une fiche\u202f; off\u202f: pages "
     "ouvertes à tous.",
     SETTING_ONOFF, SECTION_LIMITS, "on", false},
    /* The territory's frame: written by `foison init`, `foison demo` and `foison territory` from
     * the communes' centres (core/territory.c); the defaults are the Pays de Brest's, which every
     * site had before the territory could be chosen. */
    {"map_center", "Centre de la carte",
     "Latitude et longitude en degrés décimaux, séparées par une virgule, ex. "
     "«\u202f48.38802,-4.33047\u202f» (le point pour les décimales). Recalculé par «\u202ffoison "
     "territory\u202f».",
     SETTING_LATLON, SECTION_MAP, "48.38802,-4.33047", false},
    {"map_zoom", "Zoom de la carte",
     "Le niveau de zoom à l'ouverture de la carte, de 1 (le monde) à 18 (une rue)\u202f: "
     "la vue du choix de position des formulaires, et celle de /carte le temps que ses fiches "
     "arrivent (elle les montre ensuite toutes, dans le cadre de la carte).",
     SETTING_ZOOM, SECTION_MAP, "9", false},
    {"map_bounds", "Cadre de la carte",
     "Ouest, sud, est, nord en degrés décimaux, séparés par des virgules, ex. "
     "«\u202f-4.82086,48.07538,-3.84007,48.70066\u202f»\u202f: le territoire entier. La carte "
     "s'ouvre sur ses fiches dans ce cadre (une fiche lointaine ne l'élargit pas). Recalculé "
     "par «\u202ffoison territory\u202f».",
     SETTING_BOUNDS, SECTION_MAP, "-4.82086,48.07538,-3.84007,48.70066", false},
    {"map_tiles", "Fond de carte (adresse des tuiles)",
     "Une adresse https avec {z}, {x} et {y}, ex. «\u202fhttps://tile.openstreetmap.org/{z}/{x}/"
     "{y}.png\u202f» (par défaut)\u202f; une seule machine ({s} n'est pas accepté)\u202f: les "
     "pages de la carte n'autorisent les images que d'elle. Respectez les conditions d'usage du "
     "serveur choisi.",
     SETTING_TILES, SECTION_MAP, "https://tile.openstreetmap.org/{z}/{x}/{y}.png", false},
    {"map_attribution", "Crédit du fond de carte",
     "Affiché au coin de la carte, en texte (200 caractères au plus), ex. «\u202f© les "
     "contributeurs d'OpenStreetMap\u202f» (par défaut).",
     SETTING_CREDIT, SECTION_MAP, "© les contributeurs d'OpenStreetMap", false},
};
const size_t settings_count = sizeof(settings_table) / sizeof(settings_table[0]);

const char *settings_section_title(enum setting_section s)
{
    static const char *const titles[SECTION_COUNT] = {
        [SECTION_SITE] = "Site",
        [SECTION_TRUST] = "Contributions et confiance",
        [SECTION_LIMITS] = "Anti-spam et limites",
        [SECTION_SMTP] = "Courriel SMTP",
        [SECTION_PROXIES] = "Mandataires inverses",
        [SECTION_TEXTS] = "Textes des pages légales",
        [SECTION_MAP] = "Carte",
    };
    return s < SECTION_COUNT ? titles[s] : "";
}

const struct setting *settings_find(const char *key)
{
    for (size_t i = 0; key && i < settings_count; i++)
        if (strcmp(settings_table[i].name, key) == 0)
            return &settings_table[i];
    return NULL;
}

bool settings_base_url_valid(const char *url)
{
    const char *host = strstr(url, "://");
    return validate_url(url) && strlen(url) <= 200 && host && !strpbrk(host + 3, "/?#@\\");
}

/* The placeholders a tile address may hold: {z}, {x} and {y} once each, {r} (Leaflet's "@2x" on
 * high-density screens) at most once. */
static const char *settings_tiles_placeholders(const char *path)
{
    int z = 0, x = 0, y = 0, r = 0;
    for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
        if (strncmp(p, "{z}", 3) == 0)
            z++;
        else if (strncmp(p, "{x}", 3) == 0)
            x++;
        else if (strncmp(p, "{y}", 3) == 0)
            y++;
        else if (strncmp(p, "{r}", 3) == 0)
            r++;
        else if (strncmp(p, "{s}", 3) == 0)
            return "une seule machine de tuiles\u202f: {s} (plusieurs sous-domaines) n'est pas "
                   "accepté";
        else
            return "seuls {z}, {x}, {y} (et {r}) sont acceptés entre accolades";
    }
    if (z != 1 || x != 1 || y != 1 || r > 1)
        return "l'adresse doit contenir {z}, {x} et {y}, une fois chacun";
    for (const char *p = strchr(path, '}'); p; p = strchr(p + 1, '}'))
        if (p < path + 2 || p[-2] != '{')
            return "seuls {z}, {x}, {y} (et {r}) sont acceptés entre accolades";
    return NULL;
}

/* NULL when url is a tile address the map may use, else the French reason; the origin's length
 * in *origin_len. */
static const char *settings_tiles_check(const char *url, size_t *origin_len)
{
    static const char host_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789.-";
    /* What a path may hold besides letters and digits: no quote, space, angle bracket,
     * backslash, comma or semicolon, which could break out of the places it is written. */
    static const char path_chars[] = "-._~/%?&=+!$*():@{}";
    *origin_len = 0;
    if (strlen(url) > 500)
        return "500 caractères au plus";
    if (strncmp(url, "https://", 8) != 0)
        return "une adresse https:// est attendue (les pages du site sont servies en https)";
    const char *p = url + 8;
    size_t host = strspn(p, host_chars);
    if (host == 0 || p[0] == '.' || p[0] == '-' || p[host - 1] == '.' || p[host - 1] == '-')
        return "nom de machine attendu après https://";
    for (size_t i = 1; i < host; i++)
        if (p[i] == '.' && (p[i - 1] == '.' || p[i - 1] == '-' || p[i + 1] == '-'))
            return "nom de machine invalide (un point de trop, ou un tiret au bord d'un mot)";
    p += host;
    if (*p == ':') {
        size_t port = strspn(p + 1, "0123456789");
        if (port == 0 || port > 5)
            return "port invalide";
        p += 1 + port;
    }
    if (*p != '/')
        return "un chemin est attendu après le nom de machine (ex. /{z}/{x}/{y}.png)";
    for (const char *c = p; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr(path_chars, *c))
            return "caractère non accepté dans l'adresse (espaces, guillemets, virgules, "
                   "points-virgules, chevrons…)";
    const char *why = settings_tiles_placeholders(p);
    if (why)
        return why;
    *origin_len = (size_t)(p - url);
    return NULL;
}

bool settings_tiles_origin(const char *url, char *origin, size_t n)
{
    size_t len;
    if (n)
        *origin = '\0';
    if (!url || settings_tiles_check(url, &len) || len >= n)
        return false;
    memcpy(origin, url, len);
    origin[len] = '\0';
    return true;
}

bool settings_parse_degrees(const char *s, size_t n, bool comma, double *out)
{
    char copy[24];
    size_t i = 0, j = 0, digits = 0, decimals = 0;
    bool dot = false;
    if (n == 0 || n >= sizeof copy)
        return false;
    if (s[0] == '-')
        copy[j++] = s[i++];
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            copy[j++] = s[i];
            if (dot)
                decimals++;
            else
                digits++;
        } else if (!dot && (s[i] == '.' || (comma && s[i] == ','))) {
            dot = true;
            copy[j++] = '.';
        } else
            return false;
    }
    if (digits < 1 || digits > 3 || (dot && (decimals < 1 || decimals > 10)))
        return false;
    copy[j] = '\0';
    /* Only digits, one dot and a leading minus are left: strtod reads them the same way in any
     * locale that keeps "." as the C locale does (foison never calls setlocale). */
    *out = strtod(copy, NULL);
    return true;
}

/* Splits s on commas into exactly n degrees (dots only); false otherwise. */
static bool settings_parse_list(const char *s, int n, double *out)
{
    const char *p = s;
    for (int i = 0; i < n; i++) {
        const char *end = i == n - 1 ? p + strlen(p) : strchr(p, ',');
        if (!end || !settings_parse_degrees(p, (size_t)(end - p), false, &out[i]))
            return false;
        p = end + 1;
    }
    return true;
}

bool settings_parse_latlon(const char *s, double *lat, double *lon)
{
    double v[2];
    if (!s || !settings_parse_list(s, 2, v) || v[0] < -90 || v[0] > 90 || v[1] < -180 || v[1] > 180)
        return false;
    *lat = v[0];
    *lon = v[1];
    return true;
}

bool settings_parse_bounds(const char *s, double *w, double *south, double *e, double *n)
{
    double v[4];
    if (!s || !settings_parse_list(s, 4, v) || v[0] < -180 || v[2] > 180 || v[1] < -90 ||
        v[3] > 90 || v[0] >= v[2] || v[1] >= v[3])
        return false;
    *w = v[0];
    *south = v[1];
    *e = v[2];
    *n = v[3];
    return true;
}

/* Bidirectional overrides and isolates: they make a value read otherwise than it is. */
static bool settings_has_bidi(const char *v)
{
    static const char *const marks[] = {"\u202e", "\u202d", "\u2066", "\u2067",
                                        "\u2068", "\u202a", "\u202b"};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (strstr(v, marks[i]))
            return true;
    return false;
}

static const char *settings_check_from(const char *value, size_t n)
{
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

const char *settings_check(const struct setting *st, const char *value,
                           settings_proxies_check proxies, char *why, size_t whylen)
{
    size_t n = strlen(value);
    /* The page texts are Markdown: lines are theirs; tabs and carriage returns are not. */
    bool text = st->type == SETTING_MARKDOWN;
    if (!utf8_valid(value, n) || strpbrk(value, text ? "\t\r" : "\t\r\n") ||
        settings_has_bidi(value))
        return "texte invalide (caractères de contrôle)";
    switch (st->type) {
    case SETTING_BASE_URL:
        /* Empty: none, the server's --listen address is used. */
        return n > 0 && !settings_base_url_valid(value)
                   ? "une adresse http(s) sans chemin ni / final est attendue (ex. "
                     "https://foison.example.org)"
                   : NULL;
    case SETTING_LICENSE: {
        const struct field_def *f = kind_field(kind_find("innovation"), "license");
        return f && field_option_label(f, value) ? NULL
                                                 : "licence inconnue : CC-BY-SA-4.0, CC-BY-4.0 "
                                                   "ou CC0-1.0";
    }
    case SETTING_MARKDOWN:
        return n > 20000 ? "20 000 caractères au plus" : NULL;
    case SETTING_SMTP_URL:
        if (n && strncmp(value, "smtp://", 7) != 0 && strncmp(value, "smtps://", 8) != 0)
            return "une adresse smtp://hôte[:port] ou smtps://hôte[:port] est attendue";
        return n > 500 ? "500 caractères au plus" : NULL;
    case SETTING_ONOFF:
        return strcmp(value, "on") == 0 || strcmp(value, "off") == 0 ? NULL : "on ou off";
    case SETTING_SIGNUP:
        return strcmp(value, "open") == 0 || strcmp(value, "closed") == 0 ? NULL : "open ou closed";
    case SETTING_SECRET:
    case SETTING_LINE500:
        return n > 500 ? "500 caractères au plus" : NULL;
    case SETTING_FROM:
        return settings_check_from(value, n);
    case SETTING_DOMAINS:
        if (n > 10000)
            return "10 000 caractères au plus";
        for (const char *p = value; *p; p++)
            if (!isalnum((unsigned char)*p) && !strchr(".-, ", *p))
                return "des noms de domaine (lettres, chiffres, points, tirets) séparés par des "
                       "virgules ou des espaces";
        return NULL;
    case SETTING_INT: {
        char *end;
        long v = n ? strtol(value, &end, 10) : -1;
        return n && n <= 6 && value[0] >= '0' && value[0] <= '9' && !*end && v <= 100000
                   ? NULL
                   : "un entier de 0 à 100000";
    }
    case SETTING_SYNC:
        return store_sync_valid(value) ? NULL : "FULL ou NORMAL";
    case SETTING_PROXIES:
        if (!proxies)
            return "liste des mandataires impossible à vérifier";
        return proxies(value, why, whylen) == 0 ? NULL : why;
    case SETTING_TILES: {
        size_t origin;
        return settings_tiles_check(value, &origin);
    }
    case SETTING_CREDIT:
        return n == 0 || utf8_count(value, n) > 200 ? "de 1 à 200 caractères" : NULL;
    case SETTING_LATLON: {
        double lat, lon;
        return settings_parse_latlon(value, &lat, &lon)
                   ? NULL
                   : "latitude,longitude attendues en degrés décimaux avec un point (ex. "
                     "48.38802,-4.33047), la latitude de -90 à 90, la longitude de -180 à 180";
    }
    case SETTING_ZOOM: {
        bool digits = n >= 1 && n <= 2 && strspn(value, "0123456789") == n && value[0] != '0';
        long z = digits ? strtol(value, NULL, 10) : 0;
        return z >= 1 && z <= 18 ? NULL : "un entier de 1 à 18";
    }
    case SETTING_BOUNDS: {
        double w, so, e, no;
        return settings_parse_bounds(value, &w, &so, &e, &no)
                   ? NULL
                   : "ouest,sud,est,nord attendus en degrés décimaux avec un point (ex. "
                     "-4.82086,48.07538,-3.84007,48.70066), l'ouest avant l'est, le sud avant le "
                     "nord";
    }
    case SETTING_NAME:
        break;
    }
    if (n == 0 || utf8_count(value, n) > 80)
        return "de 1 à 80 caractères";
    return NULL;
}

const char *settings_value(struct store *s, struct arena *a, const struct setting *st)
{
    char *v = store_setting_get(s, st->name);
    const char *out = arena_strdup(a, v ? v : st->fallback);
    free(v);
    return out;
}

int settings_save(struct store *s, struct arena *a, const struct viewer *v, size_t n,
                  const char *const *keys, const char *const *values,
                  settings_proxies_check proxies, long long now, int *changed)
{
    *changed = 0;
    if (v->role < ROLE_ADMIN)
        return SETTINGS_FORBIDDEN;
    char why[200];
    for (size_t i = 0; i < n; i++) {
        const struct setting *st = settings_find(keys[i]);
        if (!st || settings_check(st, values[i], proxies, why, sizeof why))
            return SETTINGS_INVALID;
    }
    if (store_begin(s) != STORE_OK)
        return SETTINGS_ERR;
    struct buf names = BUF_INIT;
    int rc = SETTINGS_OK;
    for (size_t i = 0; i < n && rc == SETTINGS_OK; i++) {
        /* Compared inside the transaction: what another admin wrote a moment ago counts. */
        const char *was = settings_value(s, a, settings_find(keys[i]));
        if (strcmp(was, values[i]) == 0)
            continue;
        if (store_setting_set(s, keys[i], values[i]) != STORE_OK) {
            rc = SETTINGS_ERR;
            break;
        }
        buf_printf(&names, "%s%s", names.len ? ", " : "", keys[i]);
        (*changed)++;
    }
    if (rc == SETTINGS_OK && *changed &&
        store_modlog_insert(s, now, v->user_id, "settings", 0, 0, 0,
                            arena_printf(a, "Réglages modifiés : %s", buf_cstr(&names))) !=
            STORE_OK)
        rc = SETTINGS_ERR;
    buf_free(&names);
    if (rc == SETTINGS_OK && store_commit(s) == STORE_OK)
        return SETTINGS_OK;
    store_rollback(s);
    *changed = 0;
    return SETTINGS_ERR;
}
