/* audit.c — the checks of the security self-audit (see audit.h): each reads the settings in
 * effect (core/settings.c's defaults when unset) and says what it found. */
#include "core/audit.h"
#include "core/password.h"
#include "core/settings.h"
#include "store/audit_store.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The password `foison demo` gives every demo account (cli/demo.c): a site put online from a
 * demo file keeps accounts anyone can log into. */
#define AUDIT_DEMO_PASSWORD "foison-demo-brest" /* cli/demo.c */
#define AUDIT_STAFF_MAX 20 /* accounts whose password is tried (argon2id: ~0.1 s each) */

struct audit_ctx {
    struct store *s;
    struct arena *a;
    struct audit_check *out;
    int n;
    bool failed; /* a setting could not be read */
};

static const char *audit_get(struct audit_ctx *c, const char *key)
{
    const struct setting *st = settings_find(key);
    const char *v = st ? settings_value(c->s, c->a, st) : NULL;
    if (!v) {
        c->failed = true;
        return "";
    }
    return v;
}

static long audit_long(struct audit_ctx *c, const char *key)
{
    return strtol(audit_get(c, key), NULL, 10);
}

static void audit_add(struct audit_ctx *c, const char *id, const char *title,
                      enum audit_state state, const char *explanation, const char *fix)
{
    if (c->n == AUDIT_MAX_CHECKS)
        return;
    c->out[c->n++] = (struct audit_check){id, title, state, explanation, fix ? fix : ""};
}

static void audit_base_url(struct audit_ctx *c)
{
    const char *url = audit_get(c, "base_url");
    const char *title = "Adresse publique en https";
    if (!*url)
        audit_add(c, "base_url", title, AUDIT_FIX,
                  "Aucune adresse publique n'est réglée\u202f: les liens permanents, les liens des "
                  "courriels et la vérification de l'origine des formulaires utilisent l'adresse "
                  "d'écoute du serveur, et les cookies ne sont pas marqués « Secure ».",
                  "Donnez l'adresse https du site dans « Adresse publique du site » (ex. "
                  "https://foison.example.org), derrière un mandataire qui termine TLS.");
    else if (strncmp(url, "https://", 8) != 0)
        audit_add(c, "base_url", title, AUDIT_FIX,
                  arena_printf(c->a,
                               "L'adresse publique %s n'est pas en https\u202f: mots de passe, "
                               "cookies de session et contributions circulent en clair.",
                               url),
                  "Servez le site en https (certificat Let's Encrypt sur le mandataire inverse) "
                  "et réglez une adresse https://….");
    else
        audit_add(c, "base_url", title, AUDIT_OK,
                  arena_printf(c->a,
                               "Le site est servi à %s\u202f; ses cookies sont marqués « Secure ».",
                               url),
                  NULL);
}

static void audit_mail(struct audit_ctx *c)
{
    const char *url = audit_get(c, "smtp_url");
    bool starttls = strcmp(audit_get(c, "smtp_starttls"), "off") != 0;
    const char *title = "Envoi des courriels";
    if (!*url)
        audit_add(c, "smtp", title, AUDIT_FIX,
                  "Aucun serveur SMTP n'est réglé\u202f: les courriels (confirmations "
                  "d'inscription, mots de passe oubliés) sont seulement écrits dans le dossier "
                  "SITE.db-courriels du serveur et n'arrivent à personne.",
                  "Réglez « Serveur SMTP » (smtps://hôte:465, ou smtp://hôte:587 avec STARTTLS), "
                  "l'identifiant et le mot de passe, puis essayez avec « foison mail SITE.db "
                  "--test adresse ».");
    else if (strncmp(url, "smtps://", 8) == 0)
        audit_add(c, "smtp", title, AUDIT_OK,
                  "Les courriels partent par SMTP chiffré de bout en bout (smtps).", NULL);
    else if (!starttls)
        audit_add(c, "smtp", title, AUDIT_FIX,
                  "Les courriels partent par smtp:// sans STARTTLS exigé\u202f: le mot de passe "
                  "SMTP et les liens de confirmation peuvent circuler en clair.",
                  "Remettez « STARTTLS exigé » à on, ou utilisez smtps://hôte:465.");
    else
        audit_add(c, "smtp", title, AUDIT_OK,
                  "Les courriels partent par SMTP avec STARTTLS exigé\u202f: jamais en clair.",
                  NULL);
    const char *from = audit_get(c, "mail_from");
    if (!*from)
        audit_add(c, "mail_from", "Expéditeur des courriels", AUDIT_FIX,
                  "Aucun expéditeur n'est réglé\u202f: les courriels partent de "
                  "ne-pas-repondre@ suivi du nom du site, une adresse que personne ne lit, "
                  "souvent refusée ou classée en spam.",
                  "Réglez « Expéditeur des courriels » à une adresse du domaine du site, ex. "
                  "« Réseau foison <contact@exemple.org> » (avec SPF et DKIM pour ce domaine).");
    else
        audit_add(c, "mail_from", "Expéditeur des courriels", AUDIT_OK,
                  arena_printf(c->a, "Les courriels partent de %s.", from), NULL);
    bool open = strcmp(audit_get(c, "signup"), "closed") != 0;
    if (!open)
        audit_add(c, "signup", "Inscription", AUDIT_WATCH,
                  "L'inscription libre est fermée\u202f: seuls les comptes créés par l'équipe "
                  "(foison user add) peuvent contribuer.",
                  "Si le site doit rester ouvert à tous, remettez « Inscription libre » à open.");
    else if (!*url)
        audit_add(c, "signup", "Inscription", AUDIT_FIX,
                  "L'inscription est ouverte, mais sans serveur SMTP les courriels de "
                  "confirmation n'arrivent pas\u202f: personne ne peut finir de s'inscrire.",
                  "Réglez le serveur SMTP, ou fermez l'inscription en attendant.");
    else
        audit_add(c, "signup", "Inscription", AUDIT_OK,
                  "L'inscription est ouverte à tous, chaque compte confirmé par courriel, et les "
                  "premières contributions sont relues.",
                  NULL);
}

static void audit_spam(struct audit_ctx *c)
{
    long hold = audit_long(c, "spam_hold"), refuse = audit_long(c, "spam_refuse");
    const char *title = "Seuils du score de spam";
    if (refuse == 0)
        audit_add(c, "spam", title, AUDIT_FIX,
                  "Le seuil de refus est 0\u202f: toute modification est refusée.",
                  "Remettez « Score de spam refusé » à 100 (par défaut).");
    else if (refuse <= hold)
        audit_add(c, "spam", title, AUDIT_FIX,
                  arena_printf(c->a,
                               "Le seuil de refus (%ld) n'est pas au-dessus du seuil de mise en "
                               "attente (%ld)\u202f: un texte douteux est refusé sans jamais "
                               "passer par la relecture.",
                               refuse, hold),
                  "Gardez « Score de spam refusé » au-dessus de « Score de spam mis en attente » "
                  "(100 et 50 par défaut).");
    else if (hold == 0)
        audit_add(c, "spam", title, AUDIT_WATCH,
                  "Le seuil de mise en attente est 0\u202f: toutes les modifications, même des "
                  "comptes de confiance, attendent la relecture.",
                  "C'est une modération intégrale\u202f; pour la relâcher, remettez 50.");
    else if (hold > 1000)
        audit_add(c, "spam", title, AUDIT_WATCH,
                  arena_printf(c->a,
                               "Le seuil de mise en attente (%ld) n'est presque jamais atteint"
                               "\u202f: les textes douteux des comptes de confiance sont publiés "
                               "sans relecture.",
                               hold),
                  "Remettez « Score de spam mis en attente » à 50 (par défaut).");
    else
        audit_add(c, "spam", title, AUDIT_OK,
                  arena_printf(c->a,
                               "Au-delà de %ld points un texte attend la relecture, au-delà de "
                               "%ld il est refusé.",
                               hold, refuse),
                  NULL);
}

static void audit_limits(struct audit_ctx *c)
{
    static const char *const keys[] = {"rate_edits_new",    "rate_edits", "rate_reports",
                                       "rate_signups",      "rate_mails", "rate_contact",
                                       "rate_contact_entry"};
    struct buf off = BUF_INIT;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (audit_long(c, keys[i]) == 0)
            buf_printf(&off, "%s« %s »", off.len ? ", " : "", settings_find(keys[i])->label);
    if (off.len)
        audit_add(c, "limits", "Limites de débit", AUDIT_FIX,
                  arena_printf(c->a,
                               "Ces limites sont à 0, donc désactivées\u202f: %s. Un robot peut "
                               "alors enchaîner les modifications, les inscriptions ou les "
                               "courriels sans frein.",
                               buf_cstr(&off)),
                  "Remettez-les à leurs valeurs par défaut (8 et 90 modifications par minute, "
                  "10 signalements par jour, 5 inscriptions et 10 courriels par heure, 5 "
                  "messages de contact par heure et 20 par jour et par fiche).");
    else
        audit_add(c, "limits", "Limites de débit", AUDIT_OK,
                  "Modifications, signalements, inscriptions, courriels et messages de contact "
                  "sont limités par compte et par adresse.",
                  NULL);
    buf_free(&off);
    if (audit_long(c, "report_hide") == 0)
        audit_add(c, "report_hide", "Masquage après signalements", AUDIT_WATCH,
                  "Une fiche signalée n'est jamais masquée en attendant un modérateur\u202f: un "
                  "contenu illicite reste visible jusqu'à ce que quelqu'un le relise.",
                  "Réglez « Signalements avant masquage » à 3 (par défaut).");
    else
        audit_add(c, "report_hide", "Masquage après signalements", AUDIT_OK,
                  arena_printf(c->a,
                               "Une fiche signalée par %ld comptes différents est masquée "
                               "jusqu'à ce qu'un modérateur la regarde.",
                               audit_long(c, "report_hide")),
                  NULL);
    if (strcmp(audit_get(c, "robot_restrict"), "off") == 0)
        audit_add(c, "robot_restrict", "Robots sur l'historique", AUDIT_WATCH,
                  "Les robots peuvent parcourir l'historique et les différences de chaque fiche, "
                  "les pages les plus coûteuses du site.",
                  "Remettez « Preuve de présence sur l'historique » à on.");
    else
        audit_add(c, "robot_restrict", "Robots sur l'historique", AUDIT_OK,
                  "Un visiteur anonyme prouve qu'il n'est pas un robot avant l'historique et les "
                  "différences.",
                  NULL);
    if (audit_long(c, "trust_edits") == 0 && audit_long(c, "trust_days") == 0)
        audit_add(c, "trust", "Confiance des nouveaux comptes", AUDIT_WATCH,
                  "Un contributeur devient « de confiance » dès sa première modification "
                  "approuvée\u202f: la relecture des nouveaux venus ne dure qu'une fois.",
                  "Réglez par exemple 5 modifications approuvées et 7 jours (par défaut).");
}

/* The width of the widest network of a proxies list, as a prefix (128 or 32 for one address);
 * *v6 tells which family that network is. The list was validated when it was written. */
static int audit_widest_prefix(const char *list, bool *v6)
{
    int widest = 129;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ", ");
        if (len) {
            bool six = memchr(p, ':', len) != NULL;
            const char *slash = memchr(p, '/', len);
            int prefix = slash ? atoi(slash + 1) : six ? 128 : 32;
            /* Compared as IPv6 widths: an IPv4 /8 is as wide as an IPv6 /104. */
            int as6 = six ? prefix : prefix + 96;
            if (as6 < widest) {
                widest = as6;
                *v6 = six;
            }
        }
        p += len;
        p += strspn(p, ", ");
    }
    return widest == 129 ? -1 : *v6 ? widest : widest - 96;
}

static void audit_proxies(struct audit_ctx *c, const struct audit_seen *seen)
{
    const char *list = audit_get(c, "trusted_proxies");
    const char *title = "Mandataires inverses de confiance";
    bool v6 = false;
    int widest = *list ? audit_widest_prefix(list, &v6) : -1;
    if (!*list && seen->xff_ignored)
        audit_add(c, "proxies", title, AUDIT_FIX,
                  "Des requêtes arrivent avec un en-tête X-Forwarded-For alors qu'aucun mandataire "
                  "n'est déclaré\u202f: le site est sans doute derrière un mandataire inverse, et "
                  "toutes les limites par adresse (connexions, inscriptions, modifications) "
                  "comptent tous les visiteurs comme un seul.",
                  "Déclarez l'adresse du mandataire dans « Mandataires inverses de confiance » "
                  "(souvent 127.0.0.1 ou ::1).");
    else if (!*list)
        audit_add(c, "proxies", title, AUDIT_OK,
                  "Aucun mandataire déclaré, et aucune requête n'est arrivée avec X-Forwarded-For "
                  "depuis le démarrage\u202f: l'adresse de chaque visiteur est celle de la "
                  "connexion.",
                  NULL);
    else if (widest >= 0 && ((!v6 && widest < 8) || (v6 && widest < 32)))
        audit_add(c, "proxies", title, AUDIT_FIX,
                  arena_printf(c->a,
                               "La liste « %s » fait confiance à un réseau très large (/%d)\u202f: "
                               "n'importe quel visiteur de ce réseau peut choisir l'adresse que "
                               "le site lui attribue, et échapper aux limites par adresse.",
                               list, widest),
                  "Ne déclarez que les adresses de vos mandataires (ex. 127.0.0.1 ou "
                  "10.0.0.5).");
    else
        audit_add(c, "proxies", title, AUDIT_OK,
                  arena_printf(c->a, "L'en-tête X-Forwarded-For n'est cru que de\u202f: %s.", list),
                  NULL);
}

static int audit_staff(struct audit_ctx *c)
{
    struct staff_row *rows;
    int n, admins = 0, demo = 0;
    if (store_staff_list(c->s, c->a, AUDIT_STAFF_MAX, &rows, &n) != STORE_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        admins += strcmp(rows[i].role, "admin") == 0;
        demo += crypto_pwhash_str_verify(rows[i].password_hash, AUDIT_DEMO_PASSWORD,
                                         strlen(AUDIT_DEMO_PASSWORD)) == 0;
    }
    int mods = n - admins;
    const char *counts =
        arena_printf(c->a, "%d administrateur%s et %d modérateur%s actif%s", admins,
                     admins > 1 ? "s" : "", mods, mods > 1 ? "s" : "", n > 1 ? "s" : "");
    if (admins == 0)
        audit_add(c, "staff", "Comptes de l'équipe", AUDIT_FIX,
                  arena_printf(c->a,
                               "%s\u202f: personne ne peut changer les réglages depuis le "
                               "site.",
                               counts),
                  "Créez un compte administrateur\u202f: foison user add SITE.db --email … "
                  "--name … --role admin.");
    else if (n == 1)
        audit_add(c, "staff", "Comptes de l'équipe", AUDIT_WATCH,
                  arena_printf(c->a,
                               "%s\u202f: une seule personne relit toutes les "
                               "contributions des nouveaux venus.",
                               counts),
                  "Donnez le rôle de modérateur à une ou deux personnes de plus.");
    else
        audit_add(c, "staff", "Comptes de l'équipe", AUDIT_OK, arena_printf(c->a, "%s.", counts),
                  NULL);
    if (demo)
        audit_add(c, "demo_password", "Mots de passe de démonstration", AUDIT_FIX,
                  arena_printf(c->a,
                               "%d compte%s de l'équipe %s encore le mot de passe des sites de "
                               "démonstration, connu de tous.",
                               demo, demo > 1 ? "s" : "", demo > 1 ? "ont" : "a"),
                  "Changez ces mots de passe, ou bloquez ces comptes, avant de mettre le site en "
                  "ligne.");
    else
        audit_add(c, "demo_password", "Mots de passe de démonstration", AUDIT_OK,
                  "Aucun compte de l'équipe n'a le mot de passe des sites de démonstration.", NULL);
    return 0;
}

static void audit_storage_and_texts(struct audit_ctx *c)
{
    if (strcmp(audit_get(c, STORE_SYNC_SETTING), "NORMAL") == 0)
        audit_add(c, "synchronous", "Durabilité des écritures", AUDIT_WATCH,
                  "Les écritures sont en mode NORMAL\u202f: une coupure de courant peut perdre "
                  "les dernières contributions enregistrées.",
                  "Remettez « Durabilité des écritures » à FULL (puis redémarrez le serveur), "
                  "sauf si le serveur est sur onduleur et que la vitesse compte.");
    else
        audit_add(c, "synchronous", "Durabilité des écritures", AUDIT_OK,
                  "Chaque contribution enregistrée survit à une coupure de courant (FULL).", NULL);
    if (!*audit_get(c, "legal_notice"))
        audit_add(c, "legal_notice", "Mentions légales", AUDIT_FIX,
                  "Les mentions légales sont le texte par défaut, qui ne nomme ni l'éditeur du "
                  "site, ni le directeur ou la directrice de la publication, ni l'hébergeur, "
                  "que la loi (LCEN, article 6) impose d'indiquer.",
                  "Écrivez-les dans « Mentions légales »\u202f: nom et adresse de l'éditeur, "
                  "responsable de la publication, contact, nom et adresse de l'hébergeur.");
    else
        audit_add(c, "legal_notice", "Mentions légales", AUDIT_OK,
                  "Les mentions légales sont celles de l'éditeur du site.", NULL);
    if (!*audit_get(c, "privacy_notice"))
        audit_add(c, "privacy_notice", "Données personnelles", AUDIT_WATCH,
                  "La page des données personnelles est le texte par défaut\u202f: il ne nomme "
                  "pas le responsable du traitement ni son contact.",
                  "Complétez « Données personnelles » avec le responsable du traitement et la "
                  "façon de le joindre.");
    else
        audit_add(c, "privacy_notice", "Données personnelles", AUDIT_OK,
                  "La page des données personnelles est celle de l'éditeur.", NULL);
    if (!*audit_get(c, "accessibility_statement"))
        audit_add(c, "accessibility", "Déclaration d'accessibilité", AUDIT_WATCH,
                  "La déclaration d'accessibilité est le texte par défaut\u202f: elle ne donne ni "
                  "la date de l'audit ni le contact de l'éditeur.",
                  "Complétez « Déclaration d'accessibilité » après un audit RGAA 4.1.");
    else
        audit_add(c, "accessibility", "Déclaration d'accessibilité", AUDIT_OK,
                  "La déclaration d'accessibilité est celle de l'éditeur.", NULL);
}

static void audit_passwords(struct audit_ctx *c)
{
    long n = password_list_size();
    if (n == 0)
        audit_add(c, "common_passwords", "Mots de passe courants", AUDIT_FIX,
                  "La liste des mots de passe courants n'a pas été trouvée au démarrage\u202f: "
                  "seule la longueur minimale (12 caractères) protège les nouveaux comptes.",
                  "Installez-la (make deps, qui lance npm ci) puis redémarrez le serveur.");
    else
        audit_add(c, "common_passwords", "Mots de passe courants", AUDIT_OK,
                  arena_printf(c->a,
                               "Les %ld mots de passe les plus courants sont refusés à "
                               "l'inscription et à chaque changement.",
                               n),
                  NULL);
}

int audit_run(struct store *s, struct arena *a, const struct viewer *v,
              const struct audit_seen *seen, struct audit_check **checks, int *n)
{
    *n = 0;
    if (v->role < ROLE_ADMIN)
        return -2;
    struct audit_ctx c = {s, a, arena_alloc(a, sizeof(struct audit_check) * AUDIT_MAX_CHECKS), 0,
                          false};
    audit_base_url(&c);
    audit_mail(&c);
    audit_proxies(&c, seen);
    if (audit_staff(&c) != 0)
        return -1;
    audit_spam(&c);
    audit_limits(&c);
    audit_storage_and_texts(&c);
    audit_passwords(&c);
    if (c.failed)
        return -1;
    *checks = c.out;
    *n = c.n;
    return 0;
}

const char *audit_state_label(enum audit_state st)
{
    return st == AUDIT_FIX ? "à corriger" : st == AUDIT_WATCH ? "à surveiller" : "ok";
}
