/* mednum.c — the mapping between places and the national schema of "lieux de médiation
 * numérique", both ways, as docs/MEDNUM.md describes it: the tables (place types and
 * typologies, equipment and services, the schema's enumerations), the patterns of its reference
 * library ported to C, opening hours in OpenStreetMap's syntax. Everything here is pure. */
#include "core/mednum.h"
#include "core/account.h"
#include "core/entry.h"
#include "core/hours.h"
#include "core/phone.h"
#include "core/schema.h"
#include "core/territory.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NELEMS(x) (sizeof(x) / sizeof((x)[0]))
#define NB "\u202f"           /* before « : ; ! ? » and inside « » */
#define MEDNUM_RESUME_MAX 280 /* presentation_resume, in characters (the Table Schema) */
#define MEDNUM_QUOTE_MAX 80   /* bytes of a value quoted back in a message */
#define MEDNUM_PIVOT_NONE "00000000000000" /* 14 characters: what the library takes for "none" */
#define MEDNUM_SOURCE_MAX 120              /* characters of the source named in a comment */
#define MEDNUM_LIST_MAX 64                 /* items of one "|" list read */

/* ---- shared ------------------------------------------------------------------------------- */

static const char *mednum_get(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

void mednum_report_error(struct mednum_report *r, const char *field, const char *message)
{
    if (r->nerrors < MEDNUM_MAX_ISSUES)
        r->errors[r->nerrors++] = (struct mednum_issue){field, message};
}

void mednum_report_warning(struct mednum_report *r, const char *field, const char *message)
{
    if (r->nwarnings < MEDNUM_MAX_ISSUES)
        r->warnings[r->nwarnings++] = (struct mednum_issue){field, message};
}

/* The place kind's field name, whose options are the schema's values (core/kinds.c). */
static const struct field_def *mednum_place_field(const char *name)
{
    const struct kind_def *k = kind_find("place");
    return k ? kind_field(k, name) : NULL;
}

/* The services are the options of mednum_services, in the schema's order: bit i is option i. */
static const struct field_option *mednum_services(void)
{
    const struct field_def *f = mednum_place_field("mednum_services");
    return f ? f->options : NULL;
}

static unsigned mednum_service_bit(const char *id)
{
    const struct field_option *o = mednum_services();
    for (unsigned i = 0; o && o[i].id; i++)
        if (strcmp(o[i].id, id) == 0)
            return 1u << i;
    return 0;
}

/* Letters (ASCII, Latin-1 accents, Œ to Ÿ), digits, spaces, - ' ’: the library's pattern of a
 * commune's name. */
static bool mednum_commune_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p;) {
        unsigned c = utf8_next(&p);
        bool ok =
            c < 0x80
                ? isalnum((int)c) || c == ' ' || c == '-' || c == '\'' || (c >= 0x09 && c <= 0x0d)
                : (c >= 0xc0 && c <= 0xff && c != 0xd7 && c != 0xf7) ||
                      (c >= 0x152 && c <= 0x178) || c == 0x2019 || c == 0xa0 || c == 0x202f;
        if (!ok)
            return false;
    }
    return true;
}

/* text cut to max characters at a word, with "…", spaces collapsed to one. */
static const char *mednum_cut(struct arena *a, const char *text, size_t max)
{
    struct buf b = BUF_INIT;
    bool space = false;
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p)) {
            space = b.len > 0;
            continue;
        }
        if (space)
            buf_putc(&b, ' ');
        space = false;
        buf_putc(&b, *p);
    }
    const char *s = buf_cstr(&b);
    if (utf8_count(s, b.len) > max) {
        /* The byte offset of character max - 1 (room for the ellipsis), then back to a space. */
        size_t end = 0, chars = 0;
        while (end < b.len && chars < max - 1) {
            end++;
            while (end < b.len && ((unsigned char)s[end] & 0xc0) == 0x80)
                end++;
            chars++;
        }
        size_t cut = end;
        while (cut > 0 && s[cut] != ' ')
            cut--;
        if (cut == 0)
            cut = end;
        while (cut > 0 && strchr(" ,;:.", s[cut - 1]))
            cut--;
        char *out = arena_printf(a, "%.*s…", (int)cut, s);
        buf_free(&b);
        return out;
    }
    char *out = arena_strdup(a, s);
    buf_free(&b);
    return out;
}

/* ---- export: place → lieu ------------------------------------------------------------- */

/* place_type → typologie (the data.inclusion codes the library accepts). */
static const char *const mednum_typologies[][2] = {
    {"papi", "EPN"},        {"cybercommune", "EPN|MUNI"},  {"epn", "EPN"},
    {"mediatheque", "BIB"}, {"tiers-lieu", "TIERS_LIEUX"}, {"fablab", "FABLAB"},
    {"mjc", "MJC"},         {"centre-social", "CS"},       {"espace-associatif", "ASSO"},
    {"autre", "Autre"},
};

/* What equipment or a place type proves of a service: the two services a place offers by
 * what it has, whoever accompanies people there. */
static const char *const mednum_equipment_services[][2] = {
    {"acces-internet", "acces-internet"}, {"wifi", "acces-internet"},
    {"ordinateurs", "acces-internet"},    {"impression", "acces-internet"},
    {"numerisation", "acces-internet"},   {"visioconference", "acces-internet"},
    {"pret-materiel", "acces-internet"},  {"materiel-video", "loisirs-creations"},
    {"fablab", "loisirs-creations"},
};
static const char *const mednum_type_services[][2] = {
    {"papi", "acces-internet"},
    {"cybercommune", "acces-internet"},
    {"epn", "acces-internet"},
    {"fablab", "loisirs-creations"},
};

static unsigned mednum_services_of(json_t *fields)
{
    unsigned bits = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(fields, "mednum_services"), i, v)
    {
        if (json_is_string(v))
            bits |= mednum_service_bit(json_string_value(v));
    }
    json_array_foreach(json_object_get(fields, "equipment"), i, v)
    {
        for (size_t j = 0; json_is_string(v) && j < NELEMS(mednum_equipment_services); j++)
            if (strcmp(json_string_value(v), mednum_equipment_services[j][0]) == 0)
                bits |= mednum_service_bit(mednum_equipment_services[j][1]);
    }
    const char *type = mednum_get(fields, "place_type");
    for (size_t j = 0; j < NELEMS(mednum_type_services); j++)
        if (strcmp(type, mednum_type_services[j][0]) == 0)
            bits |= mednum_service_bit(mednum_type_services[j][1]);
    return bits;
}

/* "CC-BY-SA-4.0" as people write it: "CC BY-SA 4.0". */
static const char *mednum_license_name(const char *id)
{
    static const char *const names[][2] = {
        {"CC-BY-SA-4.0", "CC BY-SA 4.0"}, {"CC-BY-4.0", "CC BY 4.0"}, {"CC0-1.0", "CC0 1.0"}};
    for (size_t i = 0; i < NELEMS(names); i++)
        if (strcmp(id, names[i][0]) == 0)
            return names[i][1];
    return id;
}

/* presentation_detail: the record's free texts and what the schema has no field for. */
static const char *mednum_detail(struct arena *a, json_t *fields, const struct mednum_place *p)
{
    static const char *const access[][2] = {
        {"oui", "lieu accessible aux personnes à mobilité réduite."},
        {"partiel", "lieu partiellement accessible aux personnes à mobilité réduite."},
        {"non", "lieu non accessible aux personnes à mobilité réduite."},
    };
    struct buf b = BUF_INIT;
    const char *blocks[2] = {mednum_get(fields, "description"), mednum_get(fields, "services")};
    for (size_t i = 0; i < NELEMS(blocks); i++)
        if (*blocks[i])
            buf_printf(&b, "%s%s", b.len ? "\n\n" : "", blocks[i]);
    const char *acc = mednum_get(fields, "accessible");
    for (size_t i = 0; i < NELEMS(access); i++)
        if (strcmp(acc, access[i][0]) == 0)
            buf_printf(&b, "%sAccessibilité" NB ": %s", b.len ? "\n\n" : "", access[i][1]);
    const char *note = mednum_get(json_object_get(fields, "opening_hours"), "note");
    if (*note)
        buf_printf(&b, "%sHoraires" NB ": %s", b.len ? "\n\n" : "", note);
    if (p->url && *p->url)
        buf_printf(&b, "%sFiche" NB ": %s (licence %s).", b.len ? "\n\n" : "", p->url,
                   mednum_license_name(mednum_get(fields, "license")));
    char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static bool mednum_matches(int i, const char *s);
enum { MEDNUM_RE_TELEPHONE, MEDNUM_RE_URL, MEDNUM_RE_INSEE, MEDNUM_RE_RNA, MEDNUM_RE_COUNT };

/* "02 98 00 00 00" → "+33298000000" (the Table Schema's form, which the library accepts too;
 * overseas numbers with their own code); NULL for a number the library would refuse (another
 * country's). */
static const char *mednum_telephone(struct arena *a, const char *canon)
{
    const char *uri = phone_tel_uri(a, canon);
    return uri && mednum_matches(MEDNUM_RE_TELEPHONE, uri + 4) ? uri + 4 : NULL;
}

static void mednum_set(json_t *o, const char *key, const char *value)
{
    if (value && *value)
        json_object_set_new(o, key, json_string(value));
}

json_t *mednum_lieu_from_place(struct arena *a, json_t *fields, const struct mednum_place *p,
                               enum mednum_omission *why)
{
    json_t *addr = json_object_get(fields, "address");
    const char *street = mednum_get(addr, "street"), *postcode = mednum_get(addr, "postcode");
    const char *insee = mednum_get(addr, "commune");
    const char *commune = p->commune_name ? p->commune_name : "";
    *why = MEDNUM_EXPORTED;
    if (!*street || !*postcode || !*insee || !*commune)
        *why = MEDNUM_NO_ADDRESS;
    else if (validate_street_refused(a, street) || !mednum_commune_name_ok(commune))
        *why = MEDNUM_BAD_ADDRESS;
    unsigned services = mednum_services_of(fields);
    if (!*why && !services)
        *why = MEDNUM_NO_SERVICE;
    if (*why)
        return NULL;

    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(arena_printf(a, "lieu-%lld", p->id)));
    const char *siret = mednum_get(fields, "siret");
    json_object_set_new(o, "pivot",
                        json_string(validate_siret_valid(siret) ? siret : MEDNUM_PIVOT_NONE));
    mednum_set(o, "nom", mednum_get(fields, "title"));
    mednum_set(o, "adresse", street);
    mednum_set(o, "code_postal", postcode);
    mednum_set(o, "code_insee", insee);
    mednum_set(o, "commune", commune);
    json_t *point = json_object_get(fields, "point");
    json_t *lat = json_object_get(point, "lat"), *lon = json_object_get(point, "lon");
    if (json_is_number(lat) && json_is_number(lon)) {
        json_object_set_new(o, "latitude", json_real(json_number_value(lat)));
        json_object_set_new(o, "longitude", json_real(json_number_value(lon)));
    }
    const char *type = mednum_get(fields, "place_type");
    for (size_t i = 0; i < NELEMS(mednum_typologies); i++)
        if (strcmp(type, mednum_typologies[i][0]) == 0)
            mednum_set(o, "typologie", mednum_typologies[i][1]);
    mednum_set(o, "telephone", mednum_telephone(a, mednum_get(fields, "phone")));
    mednum_set(o, "site_web", mednum_get(fields, "website"));
    mednum_set(o, "horaires", hours_to_osm(a, json_object_get(fields, "opening_hours")));
    mednum_set(o, "presentation_resume",
               mednum_cut(a, mednum_get(fields, "summary"), MEDNUM_RESUME_MAX));
    mednum_set(o, "presentation_detail", mednum_detail(a, fields, p));
    struct buf b = BUF_INIT;
    const struct field_option *opt = mednum_services();
    for (unsigned i = 0; opt && opt[i].id; i++)
        if (services >> i & 1)
            buf_printf(&b, "%s%s", b.len ? "|" : "", opt[i].label);
    mednum_set(o, "services", buf_cstr(&b));
    buf_free(&b);
    mednum_set(o, "source", p->site_name && *p->site_name ? p->site_name : "foison");
    /* The date the library writes back: the UTC day of the published revision. */
    time_t t = (time_t)p->updated;
    struct tm tm;
    char day[16] = "1970-01-01";
    if (gmtime_r(&t, &tm))
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
    json_object_set_new(o, "date_maj", json_string(day));
    return o;
}

const char *mednum_omission_name(enum mednum_omission why)
{
    switch (why) {
    case MEDNUM_EXPORTED:
        return "exported";
    case MEDNUM_NO_ADDRESS:
        return "no-address";
    case MEDNUM_BAD_ADDRESS:
        return "bad-address";
    case MEDNUM_NO_SERVICE:
        return "no-service";
    }
    return "?";
}

/* ---- import: lieu → place ------------------------------------------------------------- */

/* The schema's fields, as the library's type SchemaLieuMediationNumerique names them. */
static const char *const mednum_known[] = {
    "id",
    "pivot",
    "nom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "code_insee",
    "commune",
    "latitude",
    "longitude",
    "typologie",
    "structure_parente",
    "telephone",
    "courriels",
    "site_web",
    "presentation_resume",
    "presentation_detail",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "itinerance",
    "modalites_acces",
    "modalites_accompagnement",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "structure_parente",
    "horaires",
    "prise_rdv",
    "fiche_acces_libre",
    "services",
    "source",
    "date_maj",
};
/* Required by the library's type, and services by the schema (without it the library describes
 * the lieu as closed to the public). */
static const char *const mednum_required[] = {"id",          "pivot",   "nom",      "adresse",
                                              "code_postal", "commune", "date_maj", "services"};

static const char *const mednum_typologie_codes[] = {
    "ACI",          "ACIPHC",       "AFPA",       "AI",         "ASE",
    "ASSO",         "ASSO_CHOMEUR", "Autre",      "AVIP",       "BIB",
    "CAARUD",       "CADA",         "CAF",        "CAP_EMPLOI", "CAVA",
    "CC",           "CCAS",         "CCONS",      "CD",         "CDAS",
    "CFP",          "CHRS",         "CHU",        "CIAS",       "CIDFF",
    "CITMET",       "CMP",          "CMS",        "CPAM",       "CPH",
    "CS",           "CSAPA",        "CSC",        "DEETS",      "DEPT",
    "DIPLP",        "E2C",          "EA",         "EATT",       "EI",
    "EITI",         "ENM",          "EPCI",       "EPI",        "EPIDE",
    "EPN",          "ES",           "ESAT",       "ESS",        "ETTI",
    "EVS",          "FABLAB",       "FABRIQUE",   "FAIS",       "FT",
    "GEIQ",         "HUDA",         "LA_POSTE",   "MDE",        "MDH",
    "MDEF",         "MDPH",         "MDS",        "MJC",        "ML",
    "MQ",           "MSA",          "MSAP",       "MUNI",       "OACAS",
    "ODC",          "OF",           "OIL",        "OPCS",       "PAD",
    "PENSION",      "PI",           "PIJ_BIJ",    "PIMMS",      "PJJ",
    "PLIE",         "PREF",         "PREVENTION", "REG",        "RELAIS_LECTURE",
    "RESSOURCERIE", "RFS",          "RS_FJT",     "SCP",        "SPIP",
    "TIERS_LIEUX",  "UDAF",
};
/* typologie → place_type, tried in the file's order (EPN with MUNI: cybercommune). */
static const char *const mednum_typologie_types[][2] = {
    {"EPN", "epn"},
    {"BIB", "mediatheque"},
    {"RELAIS_LECTURE", "mediatheque"},
    {"TIERS_LIEUX", "tiers-lieu"},
    {"FABRIQUE", "tiers-lieu"},
    {"FABLAB", "fablab"},
    {"MJC", "mjc"},
    {"CS", "centre-social"},
    {"CSC", "centre-social"},
    {"EVS", "centre-social"},
    {"MQ", "centre-social"},
    {"ASSO", "espace-associatif"},
    {"Autre", "autre"},
};

static const char *const mednum_publics[] = {"Jeunes",  "Étudiants", "Familles et/ou enfants",
                                             "Seniors", "Femmes",    NULL};
static const char *const mednum_prises_en_charge[] = {"Surdité",
                                                      "Handicaps moteurs",
                                                      "Handicaps mentaux",
                                                      "Illettrisme",
                                                      "Langues étrangères (anglais)",
                                                      "Langues étrangères (autres)",
                                                      "Déficience visuelle",
                                                      NULL};
static const char *const mednum_frais[] = {"Gratuit", "Gratuit sous condition", "Payant", NULL};
static const char *const mednum_itinerances[] = {"Itinérant", "Fixe", NULL};
#define MEDNUM_NO_PUBLIC "Ce lieu n'accueille pas de public"
static const char *const mednum_acces[] = {"Se présenter",
                                           "Téléphoner",
                                           "Contacter par mail",
                                           "Envoyer un mail avec une fiche de prescription",
                                           "Prendre un RDV en ligne",
                                           MEDNUM_NO_PUBLIC,
                                           NULL};
static const char *const mednum_accompagnements[] = {
    "En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance", NULL};
static const char *const mednum_dispositifs[] = {"Aidants Connect",
                                                 "Bibliothèques numérique de référence",
                                                 "Certification PIX",
                                                 "Conseillers numériques",
                                                 "Emmaüs Connect",
                                                 "France Services",
                                                 "Grande école du numérique",
                                                 "La Croix Rouge",
                                                 "Point d'accès numérique CAF",
                                                 "Promeneurs du net",
                                                 "Relais numérique (Emmaüs Connect)",
                                                 NULL};
static const char *const mednum_labels[] = {"Formé à « Mon Espace Santé »",
                                            "Formé à « DUPLEX » (illettrisme)",
                                            "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
                                            "Collectif ressources et acteurs réemploi (Normandie)",
                                            "Étapes numériques (La Poste)",
                                            "Fabriques de Territoire",
                                            "Les Éclaireurs du numérique (Drôme)",
                                            "Mes Papiers (Métropole de Lyon)",
                                            "ORDI 3.0",
                                            "SUD LABS (PACA)",
                                            NULL};

/* The library's patterns (POSIX extended syntax; \s and \w spelled out in ASCII). */
static const char *const mednum_patterns[] = {
    /* telephone */
    "^((\\+|00)(33|262|269|508|590|594|596|681|687|689)[[:space:].-]{0,3}"
    "(\\(0\\)[[:space:].-]{0,3})?|0)"
    "([1-9]([[:space:].-]?[0-9]{2}){4}|[0-9]{2}([[:space:].-][0-9]{3}){2}|[0-9]{6}"
    "|[[:space:]][0-9]{3}([[:space:]][0-9]{2}){3})$",
    /* prise_rdv, fiche_acces_libre */
    "^[A-Za-z]{3,9}:(//)?([;:&=+$,A-Za-z0-9_-]+@)?[A-Za-z0-9.-]+"
    "((/[+~,%@/.A-Za-z0-9_-]*)?\\??[-+=&;%@.A-Za-z0-9_]*#?[.!/\\A-Za-z0-9_]*)?$",
    /* code_insee */
    "^([013-9][0-9]|2[AB1-9])(0?[0-9]{3}|-[0-9]-[0-9]{2}-[0-9]{3})$",
    /* an RNA number, the other pivot */
    "^W[a-zA-Z0-9]{9}$",
};
static regex_t mednum_re[MEDNUM_RE_COUNT];
static bool mednum_re_ok;
static pthread_once_t mednum_re_once = PTHREAD_ONCE_INIT;

static void mednum_re_compile(void)
{
    mednum_re_ok = true;
    for (int i = 0; i < MEDNUM_RE_COUNT; i++)
        if (regcomp(&mednum_re[i], mednum_patterns[i], REG_EXTENDED | REG_NOSUB) != 0) {
            fprintf(stderr, "foison: mednum: pattern %d does not compile\n", i);
            mednum_re_ok = false;
        }
}

/* Whether s matches pattern i. A pattern that did not compile is a bug: nothing matches. */
static bool mednum_matches(int i, const char *s)
{
    pthread_once(&mednum_re_once, mednum_re_compile);
    return mednum_re_ok && regexec(&mednum_re[i], s, 0, NULL, 0) == 0;
}

/* What one lieu is read with. */
struct mednum_in {
    struct arena *a;
    json_t *lieu;
    struct mednum_report *r;
    int errors_before;
};

static const char *mednum_quote(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    if (n <= MEDNUM_QUOTE_MAX)
        return arena_printf(a, "«" NB "%s" NB "»", s);
    n = MEDNUM_QUOTE_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return arena_printf(a, "«" NB "%.*s…" NB "»", (int)n, s);
}

__attribute__((format(printf, 3, 4))) static void
mednum_error(struct mednum_in *c, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mednum_report_error(c->r, field, arena_vprintf(c->a, fmt, ap));
    va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void
mednum_warn(struct mednum_in *c, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mednum_report_warning(c->r, field, arena_vprintf(c->a, fmt, ap));
    va_end(ap);
}

/* The string value of field, NULL when absent (or of another type: reported by the shape). */
static const char *mednum_in_str(struct mednum_in *c, const char *field)
{
    return json_string_value(json_object_get(c->lieu, field));
}

/* Present keys of known fields have the schema's JSON types; required ones are present. */
static void mednum_check_shape(struct mednum_in *c)
{
    const char *key;
    json_t *v;
    json_object_foreach(c->lieu, key, v)
    {
        bool known = false;
        for (size_t i = 0; !known && i < NELEMS(mednum_known); i++)
            known = strcmp(key, mednum_known[i]) == 0;
        if (!known) {
            mednum_warn(c, arena_strdup(c->a, key), "champ inconnu du schéma, ignoré");
            continue;
        }
        /* The report outlives the file's objects: the key is copied. */
        const char *field = arena_strdup(c->a, key);
        bool number = strcmp(key, "latitude") == 0 || strcmp(key, "longitude") == 0;
        if (number && !json_is_number(v))
            mednum_error(c, field, "un nombre est attendu");
        else if (!number && !json_is_string(v))
            mednum_error(c, field, "une chaîne de caractères est attendue");
    }
    for (size_t i = 0; i < NELEMS(mednum_required); i++)
        if (!json_object_get(c->lieu, mednum_required[i]))
            mednum_error(c, mednum_required[i], "champ obligatoire absent");
}

/* The items of a "|" list (the library splits on "|" alone, keeping spaces), in the arena;
 * *n of them, at most MEDNUM_LIST_MAX (more: an error). */
static const char **mednum_split(struct mednum_in *c, const char *field, const char *s,
                                 const char *seps, bool trim, int *n)
{
    const char **items = arena_alloc(c->a, sizeof(*items) * MEDNUM_LIST_MAX);
    *n = 0;
    for (const char *p = s;;) {
        size_t len = strcspn(p, seps);
        const char *start = p;
        size_t l = len;
        if (trim) {
            while (l && isspace((unsigned char)*start))
                start++, l--;
            while (l && isspace((unsigned char)start[l - 1]))
                l--;
        }
        if (*n == MEDNUM_LIST_MAX) {
            mednum_error(c, field, "plus de %d valeurs", MEDNUM_LIST_MAX);
            return NULL;
        }
        if (!trim || l)
            items[(*n)++] = arena_strndup(c->a, start, l);
        p += len;
        if (!*p)
            break;
        p++;
    }
    return items;
}

/* The items of field's list, each one of values (NULL-terminated): NULL (with an error naming
 * the first other one) when one is not, or when the field is absent. */
static const char **mednum_enum_list(struct mednum_in *c, const char *field,
                                     const char *const *values, const char *what, int *n)
{
    const char *s = mednum_in_str(c, field);
    *n = 0;
    if (!s)
        return NULL;
    const char **items = mednum_split(c, field, s, "|", false, n);
    for (int i = 0; items && i < *n; i++) {
        bool ok = false;
        for (const char *const *v = values; !ok && *v; v++)
            ok = strcmp(items[i], *v) == 0;
        if (!ok) {
            mednum_error(c, field, "%s n'est pas une valeur admise (%s)",
                         mednum_quote(c->a, items[i]), what);
            return NULL;
        }
    }
    return items;
}

/* A day of the calendar, as YYYY-MM-DD, optionally followed by a time ("2025-03-14T10:00Z"). */
static bool mednum_date_ok(const char *s)
{
    if (strlen(s) < 10 || strspn(s, "0123456789") != 4 || s[4] != '-' || s[7] != '-' ||
        !isdigit((unsigned char)s[5]) || !isdigit((unsigned char)s[6]) ||
        !isdigit((unsigned char)s[8]) || !isdigit((unsigned char)s[9]) ||
        (s[10] && s[10] != 'T' && s[10] != ' '))
        return false;
    int y = atoi(s), m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    return !(m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)));
}

/* The commune of the lieu in the territory, by its INSEE code, else by its name. */
static const struct commune *mednum_commune(struct mednum_in *c, const struct territory *t)
{
    const char *insee = mednum_in_str(c, "code_insee"), *name = mednum_in_str(c, "commune");
    const struct commune *by_code = insee ? territory_commune(t, insee) : NULL;
    const struct commune *by_name = NULL;
    if (name && *name) {
        const char *folded = entry_slugify(c->a, name);
        for (size_t i = 0; *folded && i < t->ncommunes && !by_name; i++)
            if (strcmp(entry_slugify(c->a, t->communes[i].name), folded) == 0)
                by_name = &t->communes[i];
    }
    if (by_code) {
        if (name && by_name != by_code)
            mednum_warn(c, "commune",
                        "%s ne correspond pas au code INSEE %s (%s)" NB ": le code est retenu",
                        mednum_quote(c->a, name), insee, by_code->name);
        return by_code;
    }
    if (by_name) {
        if (insee)
            mednum_warn(c, "code_insee",
                        "%s n'est pas une commune du territoire" NB
                        ": la commune est retrouvée par son nom (%s, %s)",
                        insee, by_name->name, by_name->insee);
        return by_name;
    }
    mednum_error(c, "commune", "%s%s%s n'est pas une commune du territoire",
                 mednum_quote(c->a, name ? name : ""), insee ? " (code INSEE " : "",
                 insee ? arena_printf(c->a, "%s)", insee) : "");
    return NULL;
}

/* id, pivot, nom, adresse, code_postal, code_insee, commune: the library's checks. */
static void mednum_check_identity(struct mednum_in *c)
{
    const char *s;
    if ((s = mednum_in_str(c, "id")) && !*s)
        mednum_error(c, "id", "l'identifiant est vide");
    if ((s = mednum_in_str(c, "pivot")) && utf8_count(s, strlen(s)) != 14 &&
        !mednum_matches(MEDNUM_RE_RNA, s))
        mednum_error(c, "pivot",
                     "%s n'est ni un SIRET (14 chiffres) ni un numéro RNA (W et 9 caractères)",
                     mednum_quote(c->a, s));
    if ((s = mednum_in_str(c, "nom")) && !*s)
        mednum_error(c, "nom", "le nom est vide");
    if ((s = mednum_in_str(c, "adresse"))) {
        const char *bad = validate_street_refused(c->a, s);
        if (!*s)
            mednum_error(c, "adresse", "l'adresse est vide");
        else if (bad)
            mednum_error(c, "adresse", "%s" NB ": le caractère %s n'est pas admis",
                         mednum_quote(c->a, s), bad);
    }
    if ((s = mednum_in_str(c, "complement_adresse")) && validate_street_refused(c->a, s))
        mednum_error(c, "complement_adresse",
                     "%s" NB ": le caractère %s n'est pas admis dans une adresse ici",
                     mednum_quote(c->a, s), validate_street_refused(c->a, s));
    if ((s = mednum_in_str(c, "code_postal")) && (strlen(s) != 5 || strspn(s, "0123456789") != 5))
        mednum_error(c, "code_postal", "%s n'est pas un code postal (cinq chiffres)",
                     mednum_quote(c->a, s));
    if ((s = mednum_in_str(c, "code_insee")) && !mednum_matches(MEDNUM_RE_INSEE, s))
        mednum_error(c, "code_insee", "%s n'est pas un code INSEE de commune",
                     mednum_quote(c->a, s));
    if ((s = mednum_in_str(c, "commune")) && !mednum_commune_name_ok(s))
        mednum_error(c, "commune",
                     "%s n'est pas un nom de commune (lettres, chiffres, espaces, - et ' "
                     "seulement)",
                     mednum_quote(c->a, s));
    const char *urls[] = {"prise_rdv", "fiche_acces_libre"};
    for (size_t i = 0; i < NELEMS(urls); i++)
        if ((s = mednum_in_str(c, urls[i])) && !mednum_matches(MEDNUM_RE_URL, s))
            mednum_error(c, urls[i], "%s n'est pas une adresse web", mednum_quote(c->a, s));
    if ((s = mednum_in_str(c, "date_maj")) && !mednum_date_ok(s))
        mednum_error(c, "date_maj", "%s n'est pas une date (AAAA-MM-JJ attendu)",
                     mednum_quote(c->a, s));
}

/* latitude and longitude: both or neither, in range (the library drops one alone). */
static json_t *mednum_point(struct mednum_in *c)
{
    json_t *lat = json_object_get(c->lieu, "latitude"),
           *lon = json_object_get(c->lieu, "longitude");
    if (!json_is_number(lat) && !json_is_number(lon))
        return NULL;
    if (!json_is_number(lat) || !json_is_number(lon)) {
        mednum_warn(c, json_is_number(lat) ? "latitude" : "longitude",
                    "ignorée" NB ": %s manque (la position demande les deux)",
                    json_is_number(lat) ? "la longitude" : "la latitude");
        return NULL;
    }
    double y = json_number_value(lat), x = json_number_value(lon);
    if (y < -90 || y > 90)
        mednum_error(c, "latitude", "%g n'est pas entre -90 et 90", y);
    if (x < -180 || x > 180)
        mednum_error(c, "longitude", "%g n'est pas entre -180 et 180", x);
    return json_pack("{s:f, s:f}", "lat", y, "lon", x);
}

/* typologie: every code known; the place type of the first that has one. */
static const char *mednum_place_type(struct mednum_in *c)
{
    int n;
    const char *s = mednum_in_str(c, "typologie");
    if (!s)
        return NULL;
    const char **items = mednum_split(c, "typologie", s, "|", false, &n);
    for (int i = 0; items && i < n; i++) {
        bool ok = false;
        for (size_t j = 0; !ok && j < NELEMS(mednum_typologie_codes); j++)
            ok = strcmp(items[i], mednum_typologie_codes[j]) == 0;
        if (!ok) {
            mednum_error(c, "typologie",
                         "%s n'est pas une typologie du référentiel (codes de data.inclusion)",
                         mednum_quote(c->a, items[i]));
            return NULL;
        }
    }
    bool muni = false;
    for (int i = 0; items && i < n; i++)
        muni = muni || strcmp(items[i], "MUNI") == 0;
    for (int i = 0; items && i < n; i++)
        for (size_t j = 0; j < NELEMS(mednum_typologie_types); j++)
            if (strcmp(items[i], mednum_typologie_types[j][0]) == 0)
                return strcmp(items[i], "EPN") == 0 && muni ? "cybercommune"
                                                            : mednum_typologie_types[j][1];
    mednum_warn(c, "typologie", "%s n'a pas d'équivalent ici" NB ": type «" NB "autre lieu" NB "»",
                mednum_quote(c->a, s));
    return "autre";
}

/* services: the national services of the lieu, as the place's mednum_services. */
static json_t *mednum_services_in(struct mednum_in *c)
{
    const struct field_option *opt = mednum_services();
    const char *values[16];
    size_t n = 0;
    for (; opt && opt[n].id && n + 1 < NELEMS(values); n++)
        values[n] = opt[n].label;
    values[n] = NULL;
    int count;
    const char **items = mednum_enum_list(c, "services", values,
                                          "l'un des neuf services du référentiel national", &count);
    if (!items)
        return NULL;
    /* In the schema's order, each once (the library drops repeats too). */
    unsigned bits = 0;
    for (int i = 0; i < count; i++)
        for (unsigned j = 0; opt[j].id; j++)
            if (strcmp(items[i], opt[j].label) == 0)
                bits |= 1u << j;
    json_t *ids = json_array();
    for (unsigned j = 0; opt[j].id; j++)
        if (bits >> j & 1)
            json_array_append_new(ids, json_string(opt[j].id));
    return ids;
}

/* telephone: French (the library's pattern), as the site writes numbers. */
static const char *mednum_phone_in(struct mednum_in *c)
{
    const char *s = mednum_in_str(c, "telephone");
    if (!s)
        return NULL;
    if (!mednum_matches(MEDNUM_RE_TELEPHONE, s)) {
        mednum_error(c, "telephone", "%s n'est pas un numéro de téléphone français",
                     mednum_quote(c->a, s));
        return NULL;
    }
    char *err = NULL;
    const char *canon = phone_normalize(c->a, s, &err);
    if (!canon)
        mednum_warn(c, "telephone", "%s non repris" NB ": %s", mednum_quote(c->a, s),
                    err ? err : "numéro refusé");
    return canon;
}

/* courriels, site_web: the first usable one of a list ("|", or ";" which older files use). */
static const char *mednum_first_of(struct mednum_in *c, const char *field, bool email)
{
    const char *s = mednum_in_str(c, field);
    int n;
    const char **items = s ? mednum_split(c, field, s, "|;", true, &n) : NULL;
    const char *kept = NULL;
    for (int i = 0; items && i < n; i++) {
        bool ok = email ? account_email_valid(items[i])
                        : validate_url(items[i]) && utf8_count(items[i], strlen(items[i])) <= 500;
        if (ok && !kept) {
            kept = items[i];
            continue;
        }
        mednum_warn(c, field, "%s non reprise" NB ": %s", mednum_quote(c->a, items[i]),
                    !ok     ? (email ? "ce n'est pas une adresse électronique valide"
                                     : "ce n'est pas une adresse web http(s) valide")
                    : email ? "une seule adresse de contact est gardée, la première"
                            : "un seul site web est gardé, le premier");
    }
    return kept;
}

/* presentation_resume, or the first sentence of presentation_detail. */
static const char *mednum_summary_in(struct mednum_in *c)
{
    const char *s = mednum_in_str(c, "presentation_resume");
    if (s && *s)
        return s;
    const char *detail = mednum_in_str(c, "presentation_detail");
    if (!detail || !*detail) {
        if (!s)
            mednum_error(c, "presentation_resume",
                         "absente, comme presentation_detail" NB ": une présentation courte du "
                         "lieu est demandée");
        else
            mednum_error(c, "presentation_resume", "la présentation courte est vide");
        return NULL;
    }
    size_t len = 0;
    while (detail[len] && detail[len] != '\n' &&
           !(strchr(".!?", detail[len]) && (detail[len + 1] == ' ' || !detail[len + 1])))
        len++;
    if (detail[len] && detail[len] != '\n')
        len++; /* the full stop */
    mednum_warn(c, "presentation_resume", "absente" NB ": tirée de presentation_detail");
    return mednum_cut(c->a, arena_strndup(c->a, detail, len), MEDNUM_RESUME_MAX);
}

/* What the schema says that the place has no field for, as a Markdown list for its services
 * text: the fields present, in the schema's order. */
static const char *mednum_extras(struct mednum_in *c)
{
    static const struct {
        const char *field, *label;
        const char *const *values; /* NULL: free text or an address */
        const char *what;
    } extras[] = {
        {"publics_specifiquement_adresses", "Publics", mednum_publics,
         "Jeunes, Étudiants, Familles et/ou enfants, Seniors, Femmes"},
        {"prise_en_charge_specifique", "Prise en charge spécifique", mednum_prises_en_charge,
         "les prises en charge spécifiques du référentiel"},
        {"frais_a_charge", "Frais", mednum_frais, "Gratuit, Gratuit sous condition, Payant"},
        {"itinerance", "Itinérance", mednum_itinerances, "Itinérant, Fixe"},
        {"modalites_acces", "Accès", mednum_acces, "les modalités d'accès du référentiel"},
        {"modalites_accompagnement", "Accompagnement", mednum_accompagnements,
         "En autonomie, Accompagnement individuel, Dans un atelier collectif, À distance"},
        {"dispositif_programmes_nationaux", "Dispositifs nationaux", mednum_dispositifs,
         "les dispositifs et programmes nationaux du référentiel"},
        {"formations_labels", "Labels", mednum_labels, "les labels de formation du référentiel"},
        {"autres_formations_labels", "Autres labels", NULL, NULL},
        {"structure_parente", "Structure parente", NULL, NULL},
        {"prise_rdv", "Prendre rendez-vous", NULL, NULL},
        {"fiche_acces_libre", "Fiche Accès libre", NULL, NULL},
    };
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < NELEMS(extras); i++) {
        const char *s = mednum_in_str(c, extras[i].field);
        if (!s || !*s)
            continue;
        if (!extras[i].values) {
            int n;
            const char **items = strcmp(extras[i].field, "autres_formations_labels") == 0
                                     ? mednum_split(c, extras[i].field, s, "|", true, &n)
                                     : NULL;
            buf_printf(&b, "- %s" NB ": ", extras[i].label);
            for (int j = 0; items && j < n; j++)
                buf_printf(&b, "%s%s", j ? ", " : "", items[j]);
            if (!items)
                buf_puts(&b, s);
            buf_putc(&b, '\n');
            continue;
        }
        int n;
        const char **items =
            mednum_enum_list(c, extras[i].field, extras[i].values, extras[i].what, &n);
        if (!items)
            continue;
        size_t start = b.len;
        buf_printf(&b, "- %s" NB ": ", extras[i].label);
        size_t head = b.len;
        for (int j = 0; j < n; j++) {
            /* The library drops it when the lieu has services, as every lieu imported has. */
            if (strcmp(items[j], MEDNUM_NO_PUBLIC) == 0) {
                mednum_warn(c, extras[i].field, "%s ignoré (le lieu propose des services)",
                            mednum_quote(c->a, items[j]));
                continue;
            }
            buf_printf(&b, "%s%s", b.len > head ? ", " : "", items[j]);
        }
        if (b.len == head) {
            b.len = start;
            b.data[start] = '\0';
        } else {
            buf_putc(&b, '\n');
        }
    }
    if (b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    char *out = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

json_t *mednum_place_from_lieu(struct arena *a, const struct territory *t, json_t *lieu,
                               const char **comment, struct mednum_report *r)
{
    struct mednum_in c = {a, lieu, r, r->nerrors};
    *comment = NULL;
    if (!json_is_object(lieu)) {
        mednum_report_error(r, "lieu", "un objet JSON est attendu");
        return NULL;
    }
    mednum_check_shape(&c);
    mednum_check_identity(&c);
    const struct commune *commune = mednum_in_str(&c, "commune") ? mednum_commune(&c, t) : NULL;
    const char *postcode = mednum_in_str(&c, "code_postal");
    /* A postcode of another département than the commune's (2A/2B: 20; overseas: 97x). */
    if (commune && postcode && strlen(postcode) == 5 &&
        strncmp(postcode,
                commune->insee[0] == '2' && isalpha((unsigned char)commune->insee[1])
                    ? "20"
                    : commune->insee,
                2) != 0)
        mednum_warn(&c, "code_postal", "%s ne semble pas être un code postal de %s",
                    mednum_quote(a, postcode), commune->name);
    json_t *point = mednum_point(&c);
    const char *type = mednum_place_type(&c);
    json_t *services = mednum_services_in(&c);
    const char *phone = mednum_phone_in(&c);
    const char *email = mednum_first_of(&c, "courriels", true);
    const char *website = mednum_first_of(&c, "site_web", false);
    const char *summary = mednum_summary_in(&c);
    const char *extras = mednum_extras(&c);
    json_t *hours = NULL;
    const char *osm = mednum_in_str(&c, "horaires");
    if (osm && *osm) {
        char *err = NULL;
        hours = mednum_hours_from_osm(a, osm, &err);
        if (!hours)
            mednum_error(&c, "horaires", "%s non compris" NB ": %s", mednum_quote(a, osm),
                         err ? err : "syntaxe inconnue");
    }
    if (r->nerrors > c.errors_before) {
        json_decref(point);
        json_decref(services);
        json_decref(hours);
        return NULL;
    }

    json_t *f = json_object();
    json_object_set_new(f, "title", json_string(mednum_in_str(&c, "nom")));
    json_object_set_new(f, "summary", json_string(summary));
    const char *detail = mednum_in_str(&c, "presentation_detail");
    if (detail && *detail)
        json_object_set_new(f, "description", json_string(detail));
    if (type)
        json_object_set_new(f, "place_type", json_string(type));
    const char *street = mednum_in_str(&c, "adresse"),
               *extra = mednum_in_str(&c, "complement_adresse");
    json_object_set_new(
        f, "address",
        json_pack("{s:s, s:s, s:s}", "street",
                  extra && *extra ? arena_printf(a, "%s, %s", street, extra) : street, "postcode",
                  postcode, "commune", commune->insee));
    if (point)
        json_object_set_new(f, "point", point);
    if (hours)
        json_object_set_new(f, "opening_hours", hours);
    json_object_set_new(f, "mednum_services", services);
    if (*extras)
        json_object_set_new(f, "services", json_string(extras));
    if (phone && *phone)
        json_object_set_new(f, "phone", json_string(phone));
    if (website)
        json_object_set_new(f, "website", json_string(website));
    if (email)
        json_object_set_new(f, "contact_email", json_string(email));
    /* The pivot is kept when it is a real SIRET (not the placeholder of zeros, not an RNA). */
    const char *pivot = mednum_in_str(&c, "pivot");
    if (validate_siret_valid(pivot) && strcmp(pivot, MEDNUM_PIVOT_NONE) != 0)
        json_object_set_new(f, "siret", json_string(pivot));
    else if (strlen(pivot) == 14 && strspn(pivot, "0123456789") == 14 &&
             strcmp(pivot, MEDNUM_PIVOT_NONE) != 0)
        mednum_warn(&c, "pivot",
                    "%s non repris" NB ": sa clé de contrôle n'est pas celle d'un SIRET",
                    mednum_quote(a, pivot));

    const char *source = mednum_in_str(&c, "source");
    const char *day = arena_strndup(a, mednum_in_str(&c, "date_maj"), 10);
    *comment = source && *source
                   ? arena_printf(a, "Import %s (données du %s)",
                                  mednum_quote(a, mednum_cut(a, source, MEDNUM_SOURCE_MAX)), day)
                   : arena_printf(a, "Import (données du %s)", day);
    return f;
}

const char *mednum_field_of(const char *place_field)
{
    static const char *const names[][2] = {
        {"title", "nom"},
        {"summary", "presentation_resume"},
        {"description", "presentation_detail"},
        {"place_type", "typologie"},
        {"address", "adresse"},
        {"point", "latitude"},
        {"opening_hours", "horaires"},
        {"mednum_services", "services"},
        {"services", "services"},
        {"phone", "telephone"},
        {"website", "site_web"},
        {"contact_email", "courriels"},
        {"siret", "pivot"},
    };
    for (size_t i = 0; place_field && i < NELEMS(names); i++)
        if (strcmp(place_field, names[i][0]) == 0)
            return names[i][1];
    return place_field ? place_field : "lieu";
}

const char *mednum_place_key(struct arena *a, json_t *fields)
{
    const char *title = mednum_get(fields, "title");
    if (!*title)
        return NULL;
    return arena_printf(a, "%s|%s", mednum_get(json_object_get(fields, "address"), "commune"),
                        entry_slugify(a, title));
}

/* ---- opening hours -------------------------------------------------------------------- */

static bool mednum_osm_day_at(const char *p)
{
    static const char *const days[] = {"mo", "tu", "we", "th", "fr", "sa", "su", "ph"};
    for (size_t i = 0; i < NELEMS(days); i++)
        if (tolower((unsigned char)p[0]) == days[i][0] &&
            tolower((unsigned char)p[1]) == days[i][1] && !isalpha((unsigned char)p[2]))
            return true;
    return false;
}

/* Whether the comma at rule[i] joins two rules ("Mo 09:00-12:00, We 14:00-18:00") rather than
 * days ("Mo,We") or times ("09:00-12:00,14:00-18:00"): a time or off/closed before it, a day
 * after it. */
static bool mednum_osm_rule_comma(const char *rule, size_t i)
{
    size_t j = i;
    while (j > 0 && rule[j - 1] == ' ')
        j--;
    bool after_time = j > 0 && isdigit((unsigned char)rule[j - 1]);
    bool after_off = (j >= 3 && strncmp(rule + j - 3, "off", 3) == 0) ||
                     (j >= 6 && strncmp(rule + j - 6, "closed", 6) == 0);
    const char *next = rule + i + 1;
    while (*next == ' ')
        next++;
    return (after_time || after_off) && mednum_osm_day_at(next);
}

static bool mednum_osm_is_ph_off(const char *r)
{
    while (*r == ' ')
        r++;
    if (strncasecmp(r, "PH", 2) != 0 || r[2] != ' ')
        return false;
    r += 2;
    while (*r == ' ')
        r++;
    size_t n = strcspn(r, " ");
    bool off = (n == 3 && strncmp(r, "off", 3) == 0) || (n == 6 && strncmp(r, "closed", 6) == 0);
    r += n;
    while (*r == ' ')
        r++;
    return off && !*r;
}

/* The days a sub-rule (no ";", no joining ",") speaks of, and its ranges: rules saying "off"
 * close their days, which hours_from_osm leaves out of its result; read with the day's times in
 * their place to know which they are. */
static bool mednum_osm_subrule(struct arena *a, const char *sub, unsigned *mask, json_t **canon,
                               char **err)
{
    *canon = hours_from_osm(a, sub, err);
    if (!*canon)
        return false;
    size_t n = strlen(sub);
    while (n && sub[n - 1] == ' ')
        n--;
    size_t word = n;
    while (word && isalpha((unsigned char)sub[word - 1]))
        word--;
    bool off = (n - word == 3 && strncmp(sub + word, "off", 3) == 0) ||
               (n - word == 6 && strncmp(sub + word, "closed", 6) == 0);
    json_t *days = *canon, *probe = NULL;
    if (off) {
        probe = hours_from_osm(a, arena_printf(a, "%.*s00:00-24:00", (int)word, sub), err);
        if (!probe) {
            json_decref(*canon);
            return false;
        }
        days = probe;
    }
    *mask = 0;
    for (int d = 0; d < 7; d++)
        if (json_object_get(days, hours_day_key(d)))
            *mask |= 1u << d;
    json_decref(probe);
    return true;
}

json_t *mednum_hours_from_osm(struct arena *a, const char *osm, char **err)
{
    bool joined = false, ph_off = false;
    for (const char *p = osm; *p; p++)
        if (*p == ',' && mednum_osm_rule_comma(osm, (size_t)(p - osm)))
            joined = true;
    for (const char *p = osm; *p;) {
        size_t n = strcspn(p, ";");
        if (mednum_osm_is_ph_off(arena_strndup(a, p, n)))
            ph_off = true;
        p += n + (p[n] == ';');
    }
    if (!joined && !ph_off)
        return hours_from_osm(a, osm, err);

    /* The week rule by rule: a rule's days take its sub-rules' hours together (OSM: ";"
     * replaces what earlier rules said of its days, "," adds to the same rule). */
    json_t *week[7] = {NULL};
    bool ok = true;
    for (const char *p = osm; ok && *p;) {
        size_t n = strcspn(p, ";");
        char *rule = arena_strndup(a, p, n);
        p += n + (p[n] == ';');
        if (mednum_osm_is_ph_off(rule))
            continue;
        unsigned rule_mask = 0;
        json_t *rule_days[7] = {NULL};
        for (size_t start = 0, i = 0; ok; i++) {
            if (rule[i] && !(rule[i] == ',' && mednum_osm_rule_comma(rule, i)))
                continue;
            char *sub = arena_strndup(a, rule + start, i - start);
            start = i + 1;
            bool blank = strspn(sub, " ") == strlen(sub);
            if (!blank && !mednum_osm_is_ph_off(sub)) {
                unsigned mask;
                json_t *canon;
                if (!(ok = mednum_osm_subrule(a, sub, &mask, &canon, err)))
                    break;
                rule_mask |= mask;
                for (int d = 0; d < 7; d++) {
                    json_t *ranges = json_object_get(canon, hours_day_key(d));
                    if (!ranges)
                        continue;
                    if (!rule_days[d])
                        rule_days[d] = json_array();
                    json_array_extend(rule_days[d], ranges);
                }
                json_decref(canon);
            } else if (!blank) {
                ph_off = true;
            }
            if (!rule[i])
                break;
        }
        for (int d = 0; d < 7; d++) {
            if (ok && rule_mask >> d & 1) {
                json_decref(week[d]);
                week[d] = rule_days[d];
            } else {
                json_decref(rule_days[d]);
            }
        }
    }
    json_t *obj = json_object();
    for (int d = 0; d < 7; d++)
        if (week[d])
            json_object_set_new(obj, hours_day_key(d), week[d]);
    if (ph_off)
        json_object_set_new(obj, "note", json_string("Fermé les jours fériés."));
    json_t *canon = ok ? hours_validate(a, NULL, obj, err) : NULL;
    json_decref(obj);
    return canon;
}
