/* test_mednum.c — unit tests for core/mednum: a place as a "lieu de médiation numérique" (the
 * canonical form, what is left out and why), a lieu of an import file as a place (every check
 * of the reference library ported, warnings), opening hours in OSM syntax both ways, and the
 * rules the place kind got for them (street characters, SIRET). A territory built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/hours.h"
#include "core/mednum.h"
#include "core/schema.h"
#include "core/territory.h"
#include "core/validate.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct commune communes_list[] = {
    {.insee = "29019", .name = "Brest", .lat = 48.39, .lon = -4.49, .has_point = true},
    {.insee = "29075", .name = "Guipavas", .lat = 48.43, .lon = -4.40, .has_point = true},
    {.insee = "29235", .name = "Le Relecq-Kerhuon"},
};

static struct territory test_territory = {
    .site_name = "foison",
    .territory_name = "Pays de Brest",
    .base_url = "http://x",
    .license = "CC-BY-SA-4.0",
    .communes = communes_list,
    .ncommunes = sizeof(communes_list) / sizeof(communes_list[0]),
};

static struct arena *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    if (!v)
        fail_msg("bad test JSON: %s: %s", e.text, text);
    return v;
}

/* A place as validate_entry stores it. */
static json_t *place(const char *extra)
{
    const struct kind_def *k = kind_find("place");
    struct field_errors errs = {0};
    json_t *base = parse("{\"title\": \"Espace numérique de Kerourien\", \"summary\": \"Six "
                         "postes en accès libre.\", \"address\": {\"street\": \"14 rue "
                         "Saint-Exupéry\", \"postcode\": \"29200\", \"commune\": \"29019\"}}");
    json_t *more = parse(extra);
    json_object_update(base, more);
    json_decref(more);
    json_t *clean = validate_entry(A, k, &test_territory, base, true, &errs);
    json_decref(base);
    if (!clean)
        fail_msg("place refused: %s: %s", errs.e[0].field, errs.e[0].message);
    return clean;
}

static const struct mednum_place source = {
    .id = 12,
    .updated = 1741946400, /* 2025-03-14T10:00:00Z */
    .url = "https://foison.example/lieux/espace-numerique-de-kerourien",
    .site_name = "Réseau foison",
    .commune_name = "Brest",
};

static const char *get(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void test_export_canonical(void **state)
{
    (void)state;
    json_t *f = place("{\"place_type\": \"cybercommune\", \"phone\": \"02.98.00.00.12\", "
                      "\"website\": \"https://kerourien.example.org/\", \"contact_email\": "
                      "\"secret@example.org\", \"point\": {\"lat\": 48.40142, \"lon\": -4.51893}, "
                      "\"opening_hours\": {\"mo\": [[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]], "
                      "\"tu\": [[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]], \"sa\": "
                      "[[\"10:00\",\"12:00\"]], \"note\": \"Fermé en août.\"}, \"equipment\": "
                      "[\"wifi\", \"materiel-video\"], \"mednum_services\": [\"demarches\", "
                      "\"acces-internet\"], \"accessible\": \"partiel\", \"description\": \"Une "
                      "salle.\", \"services\": \"- ateliers\", \"siret\": \"732 829 320 00074\", "
                      "\"license\": \"CC-BY-4.0\"}");
    enum mednum_omission why;
    json_t *l = mednum_lieu_from_place(A, f, &source, &why);
    assert_non_null(l);
    assert_int_equal(why, MEDNUM_EXPORTED);
    const char *keys[] = {"id",
                          "pivot",
                          "nom",
                          "adresse",
                          "code_postal",
                          "code_insee",
                          "commune",
                          "latitude",
                          "longitude",
                          "typologie",
                          "telephone",
                          "site_web",
                          "horaires",
                          "presentation_resume",
                          "presentation_detail",
                          "services",
                          "source",
                          "date_maj"};
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(l, key, v)
    {
        assert_true(i < sizeof keys / sizeof keys[0]);
        assert_string_equal(key, keys[i]);
        i++;
    }
    assert_int_equal(i, sizeof keys / sizeof keys[0]);
    assert_string_equal(get(l, "id"), "lieu-12");
    assert_string_equal(get(l, "pivot"), "73282932000074");
    assert_string_equal(get(l, "code_insee"), "29019");
    assert_string_equal(get(l, "commune"), "Brest");
    assert_true(json_is_real(json_object_get(l, "latitude")));
    assert_string_equal(get(l, "typologie"), "EPN|MUNI");
    assert_string_equal(get(l, "telephone"), "+33298000012");
    assert_string_equal(get(l, "horaires"), "Mo,Tu 09:00-12:00,14:00-18:00; Sa 10:00-12:00");
    /* In the schema's order, each once: equipment and the type add to what the place says. */
    assert_string_equal(get(l, "services"), "Aide aux démarches administratives|Loisirs et "
                                            "créations numériques|Accès internet et matériel "
                                            "informatique");
    assert_string_equal(get(l, "presentation_detail"),
                        "Une salle.\n\n- ateliers\n\nAccessibilité\u202f: lieu partiellement "
                        "accessible aux personnes à mobilité réduite.\n\nHoraires\u202f: Fermé "
                        "en août.\n\nFiche\u202f: "
                        "https://foison.example/lieux/espace-numerique-de-kerourien (licence CC "
                        "BY 4.0).");
    assert_string_equal(get(l, "source"), "Réseau foison");
    assert_string_equal(get(l, "date_maj"), "2025-03-14");
    char *text = json_dumps(l, 0);
    assert_null(strstr(text, "secret@"));
    free(text);
    json_decref(l);
    json_decref(f);
}

static void test_export_minimal(void **state)
{
    (void)state;
    /* Nothing empty: no typologie, telephone, horaires…; the placeholder pivot, "foison". */
    json_t *f = place("{\"place_type\": \"epn\"}");
    struct mednum_place p = source;
    p.site_name = NULL;
    p.url = NULL;
    enum mednum_omission why;
    json_t *l = mednum_lieu_from_place(A, f, &p, &why);
    assert_non_null(l);
    assert_string_equal(get(l, "pivot"), "00000000000000");
    assert_string_equal(get(l, "typologie"), "EPN");
    assert_string_equal(get(l, "services"), "Accès internet et matériel informatique");
    assert_string_equal(get(l, "source"), "foison");
    const char *absent[] = {"telephone",           "site_web", "horaires", "latitude",
                            "presentation_detail", "courriels"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        assert_null(json_object_get(l, absent[i]));
    json_decref(l);
    json_decref(f);
    /* Overseas numbers with their own code, in either form; other countries' are left out. */
    static const char *const phones[][2] = {
        {"02 62 12 34 56", "+262262123456"},
        {"+262 262 12 34 56", "+262262123456"},
        {"+44 20 7946 0958", NULL},
    };
    for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
        f = place("{\"place_type\": \"epn\"}");
        json_object_set_new(f, "phone", json_string(phones[i][0]));
        l = mednum_lieu_from_place(A, f, &p, &why);
        if (phones[i][1])
            assert_string_equal(get(l, "telephone"), phones[i][1]);
        else
            assert_null(json_object_get(l, "telephone"));
        json_decref(l);
        json_decref(f);
    }
}

static void test_export_omissions(void **state)
{
    (void)state;
    enum mednum_omission why;
    /* A tiers-lieu with no equipment proves no national service. */
    json_t *f = place("{\"place_type\": \"tiers-lieu\"}");
    assert_null(mednum_lieu_from_place(A, f, &source, &why));
    assert_int_equal(why, MEDNUM_NO_SERVICE);
    json_object_set_new(f, "mednum_services", json_pack("[s]", "materiel-solidaire"));
    json_t *l = mednum_lieu_from_place(A, f, &source, &why);
    assert_non_null(l);
    assert_string_equal(get(l, "services"),
                        "Acquisition de matériel informatique à prix solidaire");
    json_decref(l);
    /* The schema requires a street, a postcode and a commune. */
    json_object_set_new(f, "address",
                        json_pack("{s:s, s:s}", "postcode", "29200", "commune", "29019"));
    assert_null(mednum_lieu_from_place(A, f, &source, &why));
    assert_int_equal(why, MEDNUM_NO_ADDRESS);
    /* A street saved before the rule, with characters the schema refuses. */
    json_object_set_new(f, "address",
                        json_pack("{s:s, s:s, s:s}", "street", "rue « des Écoles »", "postcode",
                                  "29200", "commune", "29019"));
    assert_null(mednum_lieu_from_place(A, f, &source, &why));
    assert_int_equal(why, MEDNUM_BAD_ADDRESS);
    struct mednum_place nameless = source;
    nameless.commune_name = NULL;
    json_object_set_new(
        f, "address",
        json_pack("{s:s, s:s, s:s}", "street", "1 rue", "postcode", "29200", "commune", "29019"));
    assert_null(mednum_lieu_from_place(A, f, &nameless, &why));
    assert_int_equal(why, MEDNUM_NO_ADDRESS);
    json_decref(f);
}

static void test_export_resume_cut(void **state)
{
    (void)state;
    char summary[301];
    for (int i = 0; i < 300; i++)
        summary[i] = i % 10 == 9 ? ' ' : 'e';
    summary[299] = 'x';
    summary[300] = '\0';
    json_t *f = place("{\"place_type\": \"epn\"}");
    json_object_set_new(f, "summary", json_string(summary));
    enum mednum_omission why;
    json_t *l = mednum_lieu_from_place(A, f, &source, &why);
    const char *r = get(l, "presentation_resume");
    size_t n = strlen(r);
    /* At a word, with the ellipsis (3 bytes), 280 characters at most. */
    assert_true(n - 3 + 1 <= 280);
    assert_string_equal(r + n - 3, "…");
    assert_int_equal(r[n - 4], 'e');
    json_decref(l);
    json_decref(f);
}

/* ---- import ------------------------------------------------------------------------------- */

static const char *good_lieu =
    "{\"id\": \"hub29-0102\", \"pivot\": \"W000000102\", \"nom\": \"Tiers-lieu Ti ar Gêr\", "
    "\"adresse\": \"5 rue de la Fontaine\", \"complement_adresse\": \"Bâtiment B\", "
    "\"code_postal\": \"29490\", \"commune\": \"guipavas\", \"typologie\": \"TIERS_LIEUX|ASSO\", "
    "\"telephone\": \"+33 2 98 00 01 02\", \"courriels\": \"contact@ti.example.org|autre@ti"
    ".example.org\", \"site_web\": \"https://ti.example.org/\", \"horaires\": \"Tu-Sa "
    "10:00-18:00; PH off\", \"presentation_detail\": \"Un atelier de réparation. Ouvert à "
    "tous.\", \"services\": \"Loisirs et créations numériques|Acquisition de matériel "
    "informatique à prix solidaire|Loisirs et créations numériques\", \"modalites_acces\": "
    "\"Se présenter|Contacter par mail\", \"publics_specifiquement_adresses\": \"Jeunes\", "
    "\"prise_rdv\": \"https://rdv.example.org/ti\", \"source\": \"Hub 29\", \"date_maj\": "
    "\"2024-12-03\", \"extra\": 1}";

static bool has_issue(const struct mednum_issue *is, int n, const char *field, const char *part)
{
    for (int i = 0; i < n; i++)
        if (strcmp(is[i].field, field) == 0 && (!part || strstr(is[i].message, part)))
            return true;
    return false;
}

static void test_import_good(void **state)
{
    (void)state;
    struct mednum_report r = {0};
    const char *comment;
    json_t *lieu = parse(good_lieu);
    json_t *f = mednum_place_from_lieu(A, &test_territory, lieu, &comment, &r);
    json_decref(lieu);
    assert_non_null(f);
    assert_int_equal(r.nerrors, 0);
    assert_string_equal(get(f, "title"), "Tiers-lieu Ti ar Gêr");
    assert_string_equal(get(f, "summary"), "Un atelier de réparation.");
    assert_string_equal(get(f, "place_type"), "tiers-lieu");
    json_t *addr = json_object_get(f, "address");
    assert_string_equal(get(addr, "street"), "5 rue de la Fontaine, Bâtiment B");
    assert_string_equal(get(addr, "commune"), "29075"); /* found by its name, case folded */
    assert_null(json_object_get(f, "point")); /* no centroid passed off as the place's position */
    assert_string_equal(get(f, "phone"), "02 98 00 01 02");
    assert_string_equal(get(f, "contact_email"), "contact@ti.example.org");
    assert_string_equal(get(f, "website"), "https://ti.example.org/");
    json_t *sv = json_object_get(f, "mednum_services");
    assert_int_equal(json_array_size(sv), 2);
    assert_string_equal(json_string_value(json_array_get(sv, 0)), "materiel-solidaire");
    assert_string_equal(json_string_value(json_array_get(sv, 1)), "loisirs-creations");
    assert_string_equal(get(f, "services"), "- Publics\u202f: Jeunes\n- Accès\u202f: Se présenter, "
                                            "Contacter par mail\n- Prendre rendez-vous\u202f: "
                                            "https://rdv.example.org/ti");
    json_t *h = json_object_get(f, "opening_hours");
    assert_string_equal(get(h, "note"), "Fermé les jours fériés.");
    assert_non_null(json_object_get(h, "tu"));
    assert_null(json_object_get(h, "mo"));
    assert_null(json_object_get(f, "siret")); /* an RNA number is no SIRET */
    assert_string_equal(comment, "Import «\u202fHub 29\u202f» (données du 2024-12-03)");
    assert_true(has_issue(r.warnings, r.nwarnings, "extra", "inconnu"));
    assert_true(has_issue(r.warnings, r.nwarnings, "courriels", "autre@"));
    assert_true(has_issue(r.warnings, r.nwarnings, "presentation_resume", "tirée"));
    /* And the place kind accepts what came out. */
    struct field_errors errs = {0};
    json_t *clean = validate_entry(A, kind_find("place"), &test_territory, f, true, &errs);
    assert_non_null(clean);
    json_decref(clean);
    json_decref(f);
}

/* One defect per case: the field it is reported on, and a piece of the message. */
static void test_import_defects(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value; /* value: JSON text; NULL: the key removed */
        const char *field, *part;
    } cases[] = {
        {"nom", NULL, "nom", "obligatoire"},
        {"nom", "\"\"", "nom", "vide"},
        {"pivot", NULL, "pivot", "obligatoire"},
        {"pivot", "\"123\"", "pivot", "SIRET"},
        {"code_postal", "\"2929\"", "code_postal", "cinq chiffres"},
        {"code_insee", "\"ABCDE\"", "code_insee", "INSEE"},
        {"commune", "\"Quimper\"", "commune", "territoire"},
        {"commune", "\"Brest (29)\"", "commune", "nom de commune"},
        {"adresse", "\"rue « X »\"", "adresse", "U+00AB"},
        {"adresse", "\"\"", "adresse", "vide"},
        {"services", NULL, "services", "obligatoire"},
        {"services", "\"Wifi\"", "services", "Wifi"},
        {"services", "\"\"", "services", "admise"},
        {"typologie", "\"PAPI\"", "typologie", "PAPI"},
        {"telephone", "\"98 00 00 00\"", "telephone", "français"},
        {"latitude", "\"48.4\"", "latitude", "nombre"},
        {"date_maj", "\"14/03/2025\"", "date_maj", "AAAA-MM-JJ"},
        {"date_maj", "\"2025-02-30\"", "date_maj", "date"},
        {"prise_rdv", "\"pas une url\"", "prise_rdv", "adresse web"},
        {"frais_a_charge", "\"Gratuit|Offert\"", "frais_a_charge", "Offert"},
        {"modalites_accompagnement", "\"Seul\"", "modalites_accompagnement", "Seul"},
        {"horaires", "\"Mo-Fr 09:00-12:00; PH 10:00-12:00\"", "horaires", "PH"},
        {"horaires", "\"Jan-Jun Mo 09:00-12:00\"", "horaires", "compris"},
        {"nom", "12", "nom", "chaîne"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *lieu = parse(good_lieu);
        if (cases[i].value)
            json_object_set_new(lieu, cases[i].key, parse(cases[i].value));
        else
            json_object_del(lieu, cases[i].key);
        struct mednum_report r = {0};
        const char *comment;
        json_t *f = mednum_place_from_lieu(A, &test_territory, lieu, &comment, &r);
        json_decref(lieu);
        if (f || !has_issue(r.errors, r.nerrors, cases[i].field, cases[i].part)) {
            for (int e = 0; e < r.nerrors; e++)
                fprintf(stderr, "  %s: %s\n", r.errors[e].field, r.errors[e].message);
            fail_msg("case %zu (%s): expected an error on %s with \"%s\"", i, cases[i].key,
                     cases[i].field, cases[i].part);
        }
    }
}

static void test_import_commune_and_point(void **state)
{
    (void)state;
    struct mednum_report r = {0};
    const char *comment;
    json_t *lieu = parse(good_lieu);
    /* The code wins over a name that disagrees, with a warning. */
    json_object_set_new(lieu, "code_insee", json_string("29019"));
    json_object_set_new(lieu, "latitude", json_real(48.4));
    json_t *f = mednum_place_from_lieu(A, &test_territory, lieu, &comment, &r);
    assert_non_null(f);
    assert_string_equal(get(json_object_get(f, "address"), "commune"), "29019");
    assert_true(has_issue(r.warnings, r.nwarnings, "commune", "code est retenu"));
    /* One coordinate alone is dropped, as the library drops it, and said. */
    assert_true(has_issue(r.warnings, r.nwarnings, "latitude", "longitude"));
    assert_null(json_object_get(f, "point"));
    json_decref(f);
    json_object_set_new(lieu, "longitude", json_real(-4.5));
    memset(&r, 0, sizeof r);
    f = mednum_place_from_lieu(A, &test_territory, lieu, &comment, &r);
    json_t *pt = json_object_get(f, "point");
    assert_true(json_number_value(json_object_get(pt, "lat")) == 48.4);
    json_decref(f);
    json_object_set_new(lieu, "latitude", json_integer(95));
    memset(&r, 0, sizeof r);
    assert_null(mednum_place_from_lieu(A, &test_territory, lieu, &comment, &r));
    assert_true(has_issue(r.errors, r.nerrors, "latitude", "-90"));
    json_decref(lieu);
}

static void test_import_siret_and_typologie(void **state)
{
    (void)state;
    struct mednum_report r = {0};
    const char *comment;
    json_t *lieu = parse(good_lieu);
    json_object_set_new(lieu, "pivot", json_string("73282932000074"));
    json_object_set_new(lieu, "typologie", json_string("MUNI|EPN"));
    json_t *f = mednum_place_from_lieu(A, &test_territory, lieu, &comment, &r);
    assert_string_equal(get(f, "siret"), "73282932000074");
    assert_string_equal(get(f, "place_type"), "cybercommune");
    json_decref(f);
    /* A 14-digit pivot with a wrong key is not kept; codes without equivalent: autre. */
    json_object_set_new(lieu, "pivot", json_string("73282932000075"));
    json_object_set_new(lieu, "typologie", json_string("CCAS"));
    memset(&r, 0, sizeof r);
    f = mednum_place_from_lieu(A, &test_territory, lieu, &comment, &r);
    assert_null(json_object_get(f, "siret"));
    assert_true(has_issue(r.warnings, r.nwarnings, "pivot", "clé"));
    assert_string_equal(get(f, "place_type"), "autre");
    assert_true(has_issue(r.warnings, r.nwarnings, "typologie", "équivalent"));
    json_decref(f);
    json_decref(lieu);
}

/* A place exported and read back has the same hours, services and address. */
static void test_round_trip(void **state)
{
    (void)state;
    json_t *f = place("{\"place_type\": \"mediatheque\", \"opening_hours\": {\"tu\": "
                      "[[\"14:00\",\"18:00\"]], \"we\": [[\"10:00\",\"12:00\"],[\"14:00\","
                      "\"18:00\"]], \"th\": [[\"14:00\",\"18:00\"]], \"sa\": [[\"10:00\","
                      "\"12:30\"]]}, \"equipment\": [\"wifi\"], \"mednum_services\": "
                      "[\"parentalite\"], \"phone\": \"02 98 00 00 27\"}");
    enum mednum_omission why;
    json_t *l = mednum_lieu_from_place(A, f, &source, &why);
    assert_string_equal(get(l, "horaires"),
                        "Tu,Th 14:00-18:00; We 10:00-12:00,14:00-18:00; Sa 10:00-12:30");
    struct mednum_report r = {0};
    const char *comment;
    json_t *back = mednum_place_from_lieu(A, &test_territory, l, &comment, &r);
    assert_non_null(back);
    assert_int_equal(r.nerrors, 0);
    assert_true(
        json_equal(json_object_get(back, "opening_hours"), json_object_get(f, "opening_hours")));
    assert_true(json_equal(json_object_get(back, "address"), json_object_get(f, "address")));
    assert_string_equal(get(back, "place_type"), "mediatheque");
    assert_string_equal(get(back, "phone"), "02 98 00 00 27");
    json_t *sv = json_object_get(back, "mednum_services");
    assert_int_equal(json_array_size(sv), 2); /* parentalite, and acces-internet from the wifi */
    json_decref(back);
    json_decref(l);
    json_decref(f);
}

static void test_hours(void **state)
{
    (void)state;
    char *err = NULL;
    /* Rules joined by "," add up; ";" replaces. */
    json_t *h = mednum_hours_from_osm(A, "Mo 09:00-12:00, We 14:00-18:00", &err);
    assert_non_null(h);
    assert_string_equal(hours_to_osm(A, h), "Mo 09:00-12:00; We 14:00-18:00");
    json_decref(h);
    h = mednum_hours_from_osm(A, "Mo-Fr 09:00-12:00, Sa 10:00-11:00; We off, PH off", &err);
    assert_non_null(h);
    assert_string_equal(hours_to_osm(A, h), "Mo,Tu,Th,Fr 09:00-12:00; Sa 10:00-11:00");
    assert_string_equal(get(h, "note"), "Fermé les jours fériés.");
    json_decref(h);
    h = mednum_hours_from_osm(A, "Mo 09:00-12:00, Mo 14:00-18:00", &err);
    assert_string_equal(hours_to_osm(A, h), "Mo 09:00-12:00,14:00-18:00");
    json_decref(h);
    /* Plain rules go straight to core/hours. */
    h = mednum_hours_from_osm(A, "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00", &err);
    assert_string_equal(hours_to_osm(A, h), "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00");
    json_decref(h);
    err = NULL;
    assert_null(mednum_hours_from_osm(A, "Mo 09:00-12:00, We sunrise-sunset", &err));
    assert_non_null(err);
    err = NULL;
    assert_null(mednum_hours_from_osm(A, "Mo 09:00-12:00, Mo 11:00-13:00", &err));
    assert_non_null(err);
}

/* The place kind's rules for the schema: the street's characters, the SIRET. */
static void test_place_rules(void **state)
{
    (void)state;
    const struct kind_def *k = kind_find("place");
    static const struct {
        const char *street, *siret;
        bool ok;
    } cases[] = {
        {"14 rue Saint-Exupéry", "", true},
        {"Lieu-dit Kerzu, bât. C (2e étage) – n° 3/4 & 5 ; côté cœur", "", true},
        {"rue l’Œuvre + 12 bis | arrière", "", true},
        {"rue « X »", "", false},
        {"rue #3", "", false},
        {"chez \"Jo\"", "", false},
        {"1 rue", "732 829 320 00074", true},
        {"1 rue", "35600000000047", true}, /* La Poste: the sum of the digits */
        {"1 rue", "73282932000075", false},
        {"1 rue", "7328293200007", false},
        {"1 rue", "7328293200007A", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *in = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s}", "title", "Lieu", "summary",
                               "Un lieu.", "address", "street", cases[i].street, "commune", "29019",
                               "siret", cases[i].siret);
        struct field_errors errs = {0};
        json_t *out = validate_entry(A, k, &test_territory, in, true, &errs);
        json_decref(in);
        if ((out != NULL) != cases[i].ok)
            fail_msg("case %zu: %s / %s: %s", i, cases[i].street, cases[i].siret,
                     errs.n ? errs.e[0].message : "accepted");
        if (out && *cases[i].siret)
            assert_int_equal(strlen(json_string_value(json_object_get(out, "siret"))), 14);
        json_decref(out);
    }
}

static void test_place_key(void **state)
{
    (void)state;
    json_t *f =
        json_pack("{s:s, s:{s:s}}", "title", "Médiathèque  Ar Vro", "address", "commune", "29124");
    assert_string_equal(mednum_place_key(A, f), "29124|mediatheque-ar-vro");
    json_object_set_new(f, "title", json_string("MÉDIATHÈQUE AR-VRO"));
    assert_string_equal(mednum_place_key(A, f), "29124|mediatheque-ar-vro");
    json_decref(f);
    assert_string_equal(mednum_field_of("address"), "adresse");
    assert_string_equal(mednum_field_of("title"), "nom");
    assert_string_equal(mednum_field_of("spam"), "spam");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_export_canonical),
        T(test_export_minimal),
        T(test_export_omissions),
        T(test_export_resume_cut),
        T(test_import_good),
        T(test_import_defects),
        T(test_import_commune_and_point),
        T(test_import_siret_and_typologie),
        T(test_round_trip),
        T(test_hours),
        T(test_place_rules),
        T(test_place_key),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
