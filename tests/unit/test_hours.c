/* test_hours.c — unit tests for structured opening hours (core/hours): form texts good and bad
 * with their exact messages, the API's JSON, the French summary, OpenStreetMap in both
 * directions and its round trip, and the limits (ranges per day, note length, UTF-8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/hours.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NB "\u202f" /* the narrow no-break space before « : ; » and inside « » */

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
    A = NULL;
    return 0;
}

/* Compact JSON of v in the arena, and v released; "NULL" for NULL. */
static const char *dump(json_t *v)
{
    if (!v)
        return "NULL";
    char *s = json_dumps(v, JSON_COMPACT);
    const char *out = arena_strdup(A, s);
    free(s);
    json_decref(v);
    return out;
}

/* The form with text on day (0 = Monday) and every other day empty. */
static json_t *form_day(int day, const char *text, char **err)
{
    const char *days[7] = {NULL};
    days[day] = text;
    return hours_from_form(A, NULL, days, NULL, err);
}

/* text typed for Tuesday gives the canonical ranges want ("[[...]]"), or {} for "". */
static void expect_tuesday(const char *text, const char *want)
{
    char *err = NULL;
    const char *got = dump(form_day(1, text, &err));
    const char *full = *want ? arena_printf(A, "{\"tu\":%s}", want) : "{}";
    if (strcmp(got, full) != 0)
        fail_msg("\"%s\": got %s (%s), want %s", text, got, err ? err : "", full);
}

static void expect_tuesday_error(const char *text, const char *want)
{
    char *err = NULL;
    const char *got = dump(form_day(1, text, &err));
    if (strcmp(got, "NULL") != 0)
        fail_msg("\"%s\" accepted as %s", text, got);
    assert_non_null(err);
    if (strcmp(err, want) != 0)
        fail_msg("\"%s\": message\n  %s\nwant\n  %s", text, err, want);
}

static json_t *parse(const char *json)
{
    json_error_t e;
    json_t *v = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!v)
        fail_msg("bad test JSON %s: %s", json, e.text);
    return v;
}

/* hours_validate() of a JSON text, dumped. */
static const char *validate(const char *json, char **err)
{
    json_t *v = parse(json);
    const char *out = dump(hours_validate(A, NULL, v, err));
    json_decref(v);
    return out;
}

static const char *french(const char *json)
{
    json_t *v = parse(json);
    const char *out = hours_french(A, v);
    json_decref(v);
    return out;
}

static const char *to_osm(const char *json)
{
    json_t *v = parse(json);
    const char *out = hours_to_osm(A, v);
    json_decref(v);
    return out;
}

static const char *osm_round(const char *osm, char **err)
{
    json_t *v = hours_from_osm(A, osm, err);
    if (!v)
        return NULL;
    const char *out = hours_to_osm(A, v);
    json_decref(v);
    return out;
}

static void expect_osm_error(const char *osm, const char *want)
{
    char *err = NULL;
    const char *got = dump(hours_from_osm(A, osm, &err));
    if (strcmp(got, "NULL") != 0)
        fail_msg("\"%s\" accepted as %s", osm, got);
    if (strcmp(err, want) != 0)
        fail_msg("\"%s\": message\n  %s\nwant\n  %s", osm, err, want);
}

static void test_day_names(void **state)
{
    (void)state;
    assert_string_equal(hours_day_key(0), "mo");
    assert_string_equal(hours_day_key(6), "su");
    assert_string_equal(hours_day_name(1), "mardi");
    assert_null(hours_day_key(7));
    assert_null(hours_day_name(-1));
}

static void test_form_typical(void **state)
{
    (void)state;
    const char *morning_afternoon = "[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]]";
    expect_tuesday("9h-12h, 14h-18h", morning_afternoon);
    expect_tuesday("9:00–12:30 / 14h à 18h30", "[[\"09:00\",\"12:30\"],[\"14:00\",\"18:30\"]]");
    expect_tuesday("10h-12h et 14h-17h", "[[\"10:00\",\"12:00\"],[\"14:00\",\"17:00\"]]");
    expect_tuesday("9 h – 12 h, 14 h – 18 h", morning_afternoon);
    expect_tuesday("09h00 - 12h00 ; 14h00 - 18h00", morning_afternoon);
    expect_tuesday("9-12 14-18", morning_afternoon);
    expect_tuesday("9h-12h + 14h-18h", morning_afternoon);
    expect_tuesday("9H-12H & 14H-18H", morning_afternoon);
    expect_tuesday("9.00-12.00, 14.00-18.00", morning_afternoon);
    expect_tuesday("de 9 h à 12 h et de 14 h à 18 h", morning_afternoon);
    expect_tuesday("De 9h À 12h", "[[\"09:00\",\"12:00\"]]");
    expect_tuesday("9h au 12h", "[[\"09:00\",\"12:00\"]]");
    expect_tuesday("de 9 h à midi", "[[\"09:00\",\"12:00\"]]");
    expect_tuesday("9h30-12h", "[[\"09:30\",\"12:00\"]]");
    expect_tuesday("9 h 30 – 12 h 15", "[[\"09:30\",\"12:15\"]]");
    expect_tuesday("9h—12h", "[[\"09:00\",\"12:00\"]]");
    expect_tuesday("9h\u221212h", "[[\"09:00\",\"12:00\"]]");
    expect_tuesday("\u00a09h\u202f-\u202f12h\u00a0", "[[\"09:00\",\"12:00\"]]");
    expect_tuesday("\t9h-12h,", "[[\"09:00\",\"12:00\"]]");
}

static void test_form_midnight_and_full_day(void **state)
{
    (void)state;
    expect_tuesday("18h-0h", "[[\"18:00\",\"24:00\"]]");
    expect_tuesday("18h-24h", "[[\"18:00\",\"24:00\"]]");
    expect_tuesday("20 h – minuit", "[[\"20:00\",\"24:00\"]]");
    expect_tuesday("minuit-2h", "[[\"00:00\",\"02:00\"]]");
    expect_tuesday("0h-24h", "[[\"00:00\",\"24:00\"]]");
    expect_tuesday("24h/24", "[[\"00:00\",\"24:00\"]]");
    expect_tuesday("24 h / 24", "[[\"00:00\",\"24:00\"]]");
    expect_tuesday("24/24", "[[\"00:00\",\"24:00\"]]");
}

static void test_form_closed(void **state)
{
    (void)state;
    static const char *const closed[] = {"",       "   ",    "fermé", "Fermé", "FERMÉ", "ferme",
                                         "fermée", "closed", "off",   "-",     "–"};
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++)
        expect_tuesday(closed[i], "");
    char *err = NULL;
    assert_string_equal(dump(hours_from_form(A, NULL, NULL, NULL, &err)), "{}");
}

static void test_form_sorts_and_joins(void **state)
{
    (void)state;
    expect_tuesday("14h-18h, 9h-12h", "[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]]");
    expect_tuesday("9h-12h, 12h-14h", "[[\"09:00\",\"14:00\"]]");
    expect_tuesday("8h-9h, 10h-11h, 12h-13h, 14h-15h",
                   "[[\"08:00\",\"09:00\"],[\"10:00\",\"11:00\"],[\"12:00\",\"13:00\"],"
                   "[\"14:00\",\"15:00\"]]");
    /* Five typed, four once the touching ones are joined. */
    expect_tuesday("8h-9h, 9h-10h, 11h-12h, 13h-14h, 15h-16h",
                   "[[\"08:00\",\"10:00\"],[\"11:00\",\"12:00\"],[\"13:00\",\"14:00\"],"
                   "[\"15:00\",\"16:00\"]]");
}

static void test_form_errors(void **state)
{
    (void)state;
    const char *help =
        "n'est pas compris" NB "; écrivez par exemple «" NB "9 h – 12 h, 14 h – 18 h" NB "» ou «" NB
        "fermé" NB "» (une précision peut aller dans la remarque)";
    expect_tuesday_error("25h-26h", "mardi" NB ": «" NB "25h" NB "» n'est pas une heure valide");
    expect_tuesday_error("9h-12h61", "mardi" NB ": «" NB "12h61" NB "» n'est pas une heure valide");
    expect_tuesday_error("24h30-25h",
                         "mardi" NB ": «" NB "24h30" NB "» n'est pas une heure valide");
    expect_tuesday_error("12h-9h", "mardi" NB ": l'heure de fermeture doit suivre l'heure "
                                   "d'ouverture");
    expect_tuesday_error("12h-12h", "mardi" NB ": l'heure de fermeture doit suivre l'heure "
                                    "d'ouverture");
    expect_tuesday_error("22h-2h", "mardi" NB ": l'heure de fermeture doit suivre l'heure "
                                   "d'ouverture");
    expect_tuesday_error("9h-12h, 11h-14h", "mardi" NB ": les plages 9 h – 12 h et 11 h – 14 h "
                                            "se chevauchent");
    expect_tuesday_error("9h-18h, 10h-11h", "mardi" NB ": les plages 9 h – 18 h et 10 h – 11 h "
                                            "se chevauchent");
    expect_tuesday_error("8h-9h, 10h-11h, 12h-13h, 14h-15h, 16h-17h",
                         "mardi" NB ": 4 plages horaires au plus");
    expect_tuesday_error("sur rendez-vous",
                         arena_printf(A, "mardi" NB ": «" NB "sur rendez-vous" NB "» %s", help));
    expect_tuesday_error("9h-12h le matin",
                         arena_printf(A, "mardi" NB ": «" NB "9h-12h le matin" NB "» %s", help));
    expect_tuesday_error("9h", arena_printf(A, "mardi" NB ": «" NB "9h" NB "» %s", help));
    expect_tuesday_error(" \t9h ", arena_printf(A, "mardi" NB ": «" NB "9h" NB "» %s", help));
    expect_tuesday_error("9h-", arena_printf(A, "mardi" NB ": «" NB "9h-" NB "» %s", help));
    expect_tuesday_error("9h-12h-14h",
                         arena_printf(A, "mardi" NB ": «" NB "9h-12h-14h" NB "» %s", help));
    expect_tuesday_error("0900-1200",
                         arena_printf(A, "mardi" NB ": «" NB "0900-1200" NB "» %s", help));
    expect_tuesday_error("9:5-12", arena_printf(A, "mardi" NB ": «" NB "9:5-12" NB "» %s", help));
    expect_tuesday_error("h-12h", arena_printf(A, "mardi" NB ": «" NB "h-12h" NB "» %s", help));
    char long_text[100];
    memset(long_text, 'x', 70);
    long_text[70] = '\0';
    expect_tuesday_error(long_text, arena_printf(A, "mardi" NB ": l'horaire %s", help));
    expect_tuesday_error("9h-12h\xff", "mardi" NB ": texte invalide (UTF-8)");
    char huge[300];
    memset(huge, ' ', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    expect_tuesday_error(huge, "mardi" NB ": texte trop long");
}

static void test_form_label_and_day(void **state)
{
    (void)state;
    const char *days[7] = {"9h-12h", "", "", "", "", "", "10h-9h"};
    char *err = NULL;
    assert_null(hours_from_form(A, "Horaires d'ouverture", days, NULL, &err));
    assert_string_equal(err, "Horaires d'ouverture, dimanche" NB
                             ": l'heure de fermeture doit suivre l'heure d'ouverture");
    days[6] = NULL;
    const char *got = dump(hours_from_form(A, "Horaires", days, " fermé les jours fériés ", &err));
    assert_string_equal(got,
                        "{\"mo\":[[\"09:00\",\"12:00\"]],\"note\":\"fermé les jours fériés\"}");
}

static void test_form_week_order(void **state)
{
    (void)state;
    const char *days[7] = {"9h-12h", "9h-12h", "9h-12h", "9h-12h", "9h-12h", "10h-12h", "fermé"};
    char *err = NULL;
    const char *got = dump(hours_from_form(A, NULL, days, "", &err));
    assert_string_equal(got, "{\"mo\":[[\"09:00\",\"12:00\"]],\"tu\":[[\"09:00\",\"12:00\"]],"
                             "\"we\":[[\"09:00\",\"12:00\"]],\"th\":[[\"09:00\",\"12:00\"]],"
                             "\"fr\":[[\"09:00\",\"12:00\"]],\"sa\":[[\"10:00\",\"12:00\"]]}");
}

static void test_note_limits(void **state)
{
    (void)state;
    const char *days[7] = {NULL};
    char *err = NULL;
    /* 200 characters of two bytes each are fine, 201 are not. */
    char note[512] = "";
    for (int i = 0; i < 200; i++)
        strcat(note, "é");
    json_t *v = hours_from_form(A, NULL, days, note, &err);
    assert_non_null(v);
    json_decref(v);
    strcat(note, "é");
    assert_null(hours_from_form(A, "Horaires", days, note, &err));
    assert_string_equal(err,
                        "Horaires" NB ": la remarque ne doit pas dépasser 200 caractères (elle en "
                        "a 201)");
    assert_null(hours_from_form(A, NULL, days, "fermé \xc3", &err));
    assert_string_equal(err, "la remarque contient un texte invalide (UTF-8 ou caractère de "
                             "contrôle)");
    assert_null(hours_from_form(A, NULL, days,
                                "a\x01"
                                "b",
                                &err));
    assert_string_equal(err, "la remarque contient un texte invalide (UTF-8 ou caractère de "
                             "contrôle)");
    assert_null(hours_from_form(A, NULL, days, "abc \u202e def", &err));
    assert_string_equal(dump(hours_from_form(A, NULL, days, "sur\r\nrendez-vous\t", &err)),
                        "{\"note\":\"sur  rendez-vous\"}");
    assert_string_equal(dump(hours_from_form(A, NULL, days, "   ", &err)), "{}");
}

static void test_validate_canonical(void **state)
{
    (void)state;
    char *err = NULL;
    const char *canon = "{\"mo\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
                        "\"sa\":[[\"10:00\",\"24:00\"]],\"note\":\"fermé en août\"}";
    assert_string_equal(validate(canon, &err), canon);
    /* Out of order, lenient times, days as form text, empty days, keys in any order. */
    assert_string_equal(validate("{\"note\":\"fermé en août\",\"sa\":\"10h-minuit\","
                                 "\"tu\":[],\"we\":null,\"th\":\"\","
                                 "\"mo\":[[\"14:00\",\"18:00\"],[\"9:00\",\"12h\"]]}",
                                 &err),
                        canon);
    assert_string_equal(validate("{}", &err), "{}");
    assert_string_equal(validate("null", &err), "{}");
    assert_string_equal(validate("\"\"", &err), "{}");
    assert_string_equal(validate("{\"note\":null,\"note\":\"\"}", &err), "{}");
    assert_string_equal(validate("\"Mo-Fr 09:00-12:00\"", &err),
                        "{\"mo\":[[\"09:00\",\"12:00\"]],\"tu\":[[\"09:00\",\"12:00\"]],"
                        "\"we\":[[\"09:00\",\"12:00\"]],\"th\":[[\"09:00\",\"12:00\"]],"
                        "\"fr\":[[\"09:00\",\"12:00\"]]}");
    json_t *none = NULL;
    assert_string_equal(dump(hours_validate(A, NULL, none, &err)), "{}");
}

static void expect_invalid(const char *json, const char *want)
{
    char *err = NULL;
    const char *got = validate(json, &err);
    if (strcmp(got, "NULL") != 0)
        fail_msg("%s accepted as %s", json, got);
    if (strcmp(err, want) != 0)
        fail_msg("%s: message\n  %s\nwant\n  %s", json, err, want);
}

static void test_validate_errors(void **state)
{
    (void)state;
    const char *pair = "chaque plage doit être une paire [\"09:00\", \"12:00\"]";
    expect_invalid("42", "un objet {\"mo\": [[\"09:00\", \"12:00\"]], …} est attendu");
    expect_invalid("[]", "un objet {\"mo\": [[\"09:00\", \"12:00\"]], …} est attendu");
    expect_invalid("{\"monday\":[]}",
                   "clé inconnue «" NB "monday" NB "» (mo, tu, we, th, fr, sa, su ou note)");
    expect_invalid("{\"mo\":42}",
                   "lundi" NB ": une liste de plages [[\"09:00\", \"12:00\"], …] est attendue");
    expect_invalid("{\"mo\":[\"09:00\",\"12:00\"]}", arena_printf(A, "lundi" NB ": %s", pair));
    expect_invalid("{\"mo\":[[\"09:00\"]]}", arena_printf(A, "lundi" NB ": %s", pair));
    expect_invalid("{\"mo\":[[\"09:00\",\"12:00\",\"13:00\"]]}",
                   arena_printf(A, "lundi" NB ": %s", pair));
    expect_invalid("{\"fr\":[[\"09:00\",1200]]}",
                   "vendredi" NB ": une valeur n'est pas une heure valide (HH:MM attendu)");
    expect_invalid("{\"fr\":[[\"09:00\",\"12:00x\"]]}",
                   "vendredi" NB ": «" NB "12:00x" NB "» n'est pas une heure valide (HH:MM "
                   "attendu)");
    expect_invalid("{\"fr\":[[\"09:00\",\"12:00-13:00\"]]}",
                   "vendredi" NB ": «" NB "12:00-13:00" NB "» n'est pas une heure valide (HH:MM "
                   "attendu)");
    expect_invalid("{\"fr\":[[\"09:00\",\"25:00\"]]}",
                   "vendredi" NB ": «" NB "25:00" NB "» n'est pas une heure valide (HH:MM "
                   "attendu)");
    expect_invalid("{\"fr\":[[\"12:00\",\"09:00\"]]}",
                   "vendredi" NB ": l'heure de fermeture doit suivre l'heure d'ouverture");
    expect_invalid("{\"fr\":[[\"09:00\",\"12:00\"],[\"11:00\",\"13:00\"]]}",
                   "vendredi" NB ": les plages 9 h – 12 h et 11 h – 13 h se chevauchent");
    expect_invalid("{\"fr\":[[\"08:00\",\"09:00\"],[\"10:00\",\"11:00\"],[\"12:00\",\"13:00\"],"
                   "[\"14:00\",\"15:00\"],[\"16:00\",\"17:00\"]]}",
                   "vendredi" NB ": 4 plages horaires au plus");
    expect_invalid("{\"fr\":\"9h-12h, 11h-13h\"}",
                   "vendredi" NB ": les plages 9 h – 12 h et 11 h – 13 h se chevauchent");
    expect_invalid("{\"note\":12}", "la remarque doit être un texte");
    expect_invalid("{\"note\":\"a\\u0000b\"}",
                   "la remarque contient un texte invalide (UTF-8 ou caractère de contrôle)");
    expect_invalid("{\"mo\":\"9h\\u0000-12h\"}", "lundi" NB ": texte invalide");
    expect_invalid("\"PH off\"",
                   "«" NB "PH" NB "» (jours fériés, vacances scolaires) n'est pas pris en charge");
    char *err = NULL;
    json_t *v = parse("[1]");
    assert_null(hours_validate(A, "Horaires", v, &err));
    json_decref(v);
    assert_string_equal(err, "Horaires" NB
                             ": un objet {\"mo\": [[\"09:00\", \"12:00\"]], …} est attendu");
}

static void test_validate_too_many_raw_ranges(void **state)
{
    (void)state;
    char *err = NULL;
    /* Nine ranges: more than a day collects before it is normalised. */
    char json[512] = "{\"mo\":[";
    for (int i = 0; i < 9; i++)
        snprintf(json + strlen(json), sizeof json - strlen(json), "%s[\"%02d:00\",\"%02d:30\"]",
                 i ? "," : "", i + 1, i + 1);
    strcat(json, "]}");
    assert_string_equal(validate(json, &err), "NULL");
    assert_string_equal(err, "lundi" NB ": 4 plages horaires au plus");
}

static void test_day_text(void **state)
{
    (void)state;
    json_t *v = parse("{\"mo\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:30\"]],"
                      "\"su\":[[\"00:00\",\"24:00\"]]}");
    assert_string_equal(hours_day_text(A, v, 0), "9 h – 12 h, 14 h – 18 h 30");
    assert_string_equal(hours_day_text(A, v, 1), "");
    assert_string_equal(hours_day_text(A, v, 6), "0 h – 24 h");
    assert_string_equal(hours_day_text(A, v, 7), "");
    assert_string_equal(hours_day_text(A, v, -1), "");
    /* What it writes, the form reads back to the same value. */
    const char *days[7];
    for (int d = 0; d < 7; d++)
        days[d] = hours_day_text(A, v, d);
    char *err = NULL;
    json_t *back = hours_from_form(A, NULL, days, NULL, &err);
    assert_true(json_equal(back, v));
    json_decref(back);
    json_decref(v);
    v = parse("{\"mo\":[[\"12:00\",\"09:00\"]]}");
    assert_string_equal(hours_day_text(A, v, 0), "");
    assert_string_equal(hours_french(A, v), "");
    assert_string_equal(hours_to_osm(A, v), "");
    json_decref(v);
    assert_string_equal(hours_day_text(A, NULL, 0), "");
    assert_true(hours_is_empty(NULL));
    v = parse("{}");
    assert_true(hours_is_empty(v));
    json_decref(v);
    v = parse("{\"note\":\"sur rendez-vous\"}");
    assert_false(hours_is_empty(v));
    json_decref(v);
}

static void test_french(void **state)
{
    (void)state;
    assert_string_equal(
        french("{\"mo\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
               "\"tu\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
               "\"we\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
               "\"th\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
               "\"fr\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
               "\"sa\":[[\"10:00\",\"12:00\"]],\"note\":\"fermé les jours fériés\"}"),
        "du lundi au vendredi" NB ": 9 h – 12 h, 14 h – 18 h" NB "; samedi" NB
        ": 10 h – 12 h (fermé les jours fériés)");
    const char *all = "{\"mo\":[[\"00:00\",\"24:00\"]],\"tu\":[[\"00:00\",\"24:00\"]],"
                      "\"we\":[[\"00:00\",\"24:00\"]],\"th\":[[\"00:00\",\"24:00\"]],"
                      "\"fr\":[[\"00:00\",\"24:00\"]],\"sa\":[[\"00:00\",\"24:00\"]],"
                      "\"su\":[[\"00:00\",\"24:00\"]]}";
    assert_string_equal(french(all), "tous les jours" NB ": 24 h sur 24");
    assert_string_equal(french("{\"mo\":[[\"09:00\",\"12:00\"]],\"tu\":[[\"14:00\",\"18:00\"]],"
                               "\"we\":[[\"09:00\",\"12:00\"]],\"th\":[[\"14:00\",\"18:00\"]],"
                               "\"fr\":[[\"09:00\",\"12:00\"]]}"),
                        "lundi, mercredi et vendredi" NB ": 9 h – 12 h" NB "; mardi et jeudi" NB
                        ": 14 h – 18 h");
    assert_string_equal(french("{\"sa\":[[\"10:00\",\"18:30\"]],\"su\":[[\"10:00\",\"18:30\"]]}"),
                        "samedi et dimanche" NB ": 10 h – 18 h 30");
    assert_string_equal(french("{\"mo\":[[\"09:00\",\"17:00\"]],\"tu\":[[\"09:00\",\"17:00\"]],"
                               "\"we\":[[\"09:00\",\"17:00\"]],\"fr\":[[\"09:00\",\"17:00\"]],"
                               "\"sa\":[[\"09:00\",\"17:00\"]],\"su\":[[\"09:00\",\"17:00\"]]}"),
                        "du lundi au mercredi et du vendredi au dimanche" NB ": 9 h – 17 h");
    assert_string_equal(french("{\"we\":[[\"14:00\",\"24:00\"]]}"), "mercredi" NB ": 14 h – 24 h");
    assert_string_equal(french("{\"note\":\"sur rendez-vous\"}"), "sur rendez-vous");
    assert_string_equal(french("{}"), "");
    assert_string_equal(hours_french(A, NULL), "");
}

static void test_to_osm(void **state)
{
    (void)state;
    assert_string_equal(to_osm("{\"mo\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
                               "\"tu\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
                               "\"we\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
                               "\"th\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
                               "\"fr\":[[\"09:00\",\"12:00\"],[\"14:00\",\"18:00\"]],"
                               "\"sa\":[[\"10:00\",\"12:00\"]],\"note\":\"x\"}"),
                        "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00");
    assert_string_equal(to_osm("{\"mo\":[[\"09:00\",\"12:00\"]],\"tu\":[[\"14:00\",\"18:00\"]],"
                               "\"we\":[[\"09:00\",\"12:00\"]],\"th\":[[\"14:00\",\"18:00\"]],"
                               "\"fr\":[[\"09:00\",\"12:00\"]]}"),
                        "Mo,We,Fr 09:00-12:00; Tu,Th 14:00-18:00");
    assert_string_equal(to_osm("{\"sa\":[[\"10:00\",\"18:30\"]],\"su\":[[\"10:00\",\"18:30\"]]}"),
                        "Sa,Su 10:00-18:30");
    assert_string_equal(to_osm("{\"su\":[[\"18:00\",\"24:00\"]]}"), "Su 18:00-24:00");
    assert_string_equal(to_osm("{\"note\":\"sur rendez-vous\"}"), "");
    assert_string_equal(to_osm("{}"), "");
    assert_string_equal(hours_to_osm(A, NULL), "");
}

static void test_osm_round_trip(void **state)
{
    (void)state;
    static const char *const canonical[] = {
        "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00",
        "24/7",
        "Mo-Su 09:00-18:00",
        "Mo-Sa 09:00-18:00",
        "Mo,We,Fr 09:00-12:00; Tu,Th 14:00-18:00",
        "Mo,Fr-Su 10:00-12:00",
        "Sa,Su 10:00-18:30",
        "Mo-Sa 00:00-24:00; Su 10:00-12:00",
        "Tu-Th 08:00-09:00,10:00-11:00,12:00-13:00,14:00-24:00",
        "We 00:00-01:00",
        "",
    };
    for (size_t i = 0; i < sizeof canonical / sizeof canonical[0]; i++) {
        char *err = NULL;
        const char *back = osm_round(canonical[i], &err);
        if (!back || strcmp(back, canonical[i]) != 0)
            fail_msg("\"%s\" came back as \"%s\" (%s)", canonical[i], back ? back : "NULL",
                     err ? err : "");
    }
}

static void test_osm_rewritten(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"Mo-Fr 09:00-18:00; We off", "Mo,Tu,Th,Fr 09:00-18:00"},
        {"Mo-Su 09:00-18:00; Su closed", "Mo-Sa 09:00-18:00"},
        {"Mo-Fr 08:00-12:00; Mo-Fr 14:00-18:00", "Mo-Fr 14:00-18:00"},
        {"Fr-Mo 10:00-12:00", "Mo,Fr-Su 10:00-12:00"},
        {"10:00-18:00", "Mo-Su 10:00-18:00"},
        {"Mo-Fr", "Mo-Fr 00:00-24:00"},
        {"Mo-Su 00:00-24:00", "24/7"},
        {"mo-fr 9:00-12:00", "Mo-Fr 09:00-12:00"},
        {"Mo-Fr 09:00-12:00, 14:00-18:00", "Mo-Fr 09:00-12:00,14:00-18:00"},
        {"Mo-Fr: 09:00-12:00", "Mo-Fr 09:00-12:00"},
        {"Mo, We 09:00-12:00", "Mo,We 09:00-12:00"},
        {"Mo-Fr 18:00-00:00", "Mo-Fr 18:00-24:00"},
        {"Mo 09:00-12:00,12:00-14:00", "Mo 09:00-14:00"},
        {"Mo 14:00-18:00,09:00-12:00", "Mo 09:00-12:00,14:00-18:00"},
        {"  Mo-Fr   09:00-12:00 ;; Sa 10:00-12:00 ; ", "Mo-Fr 09:00-12:00; Sa 10:00-12:00"},
        {"Mo,Tu,We 09:00-12:00", "Mo-We 09:00-12:00"},
        {"24/7; Su off", "Mo-Sa 00:00-24:00"},
        {"Mo-Fr 09:00-12:00; Sa-Su off", "Mo-Fr 09:00-12:00"},
        {";", ""},
        {"   ", ""},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *err = NULL;
        const char *got = osm_round(pairs[i][0], &err);
        if (!got || strcmp(got, pairs[i][1]) != 0)
            fail_msg("\"%s\" gave \"%s\" (%s), want \"%s\"", pairs[i][0], got ? got : "NULL",
                     err ? err : "", pairs[i][1]);
        /* And that is stable. */
        assert_string_equal(osm_round(got, &err), got);
    }
    char *err = NULL;
    assert_string_equal(dump(hours_from_osm(A, NULL, &err)), "{}");
}

static void test_osm_errors(void **state)
{
    (void)state;
    expect_osm_error("Mo-Fr 09:00-18:00; PH off",
                     "«" NB "PH" NB
                     "» (jours fériés, vacances scolaires) n'est pas pris en charge");
    expect_osm_error("SH off", "«" NB "SH" NB
                               "» (jours fériés, vacances scolaires) n'est pas pris en charge");
    expect_osm_error("Jan-Mar Mo-Fr 09:00-12:00",
                     "les mois («" NB "Jan-Mar" NB "») ne sont pas pris en charge");
    expect_osm_error("week 1-53/2 Fr 09:00-12:00",
                     "les numéros de semaine («" NB "week" NB "») ne sont pas pris en charge");
    expect_osm_error("Mo-Fr sunrise-sunset", "les heures solaires («" NB "sunrise-sunset" NB
                                             "») ne sont pas prises en charge");
    expect_osm_error("Mo-Fr (sunrise+01:00)-18:00",
                     "les heures solaires («" NB "(sunrise+01:00)-18:00" NB
                     "») ne sont pas prises en charge");
    expect_osm_error("Mo-Fr 22:00-02:00", "les plages qui passent minuit («" NB "22:00-02:00" NB
                                          "») ne sont pas prises en charge");
    expect_osm_error("Mo-Fr 18:00+", "«" NB "18:00+" NB "» n'est pas compris");
    expect_osm_error("Mo-Fr 10:00-18:00+", "les heures de fin ouvertes («" NB "10:00-18:00+" NB
                                           "») ne sont pas prises en charge");
    expect_osm_error("Mo-Fr 10:00-10:00", "«" NB "10:00-10:00" NB "»" NB
                                          ": l'heure de fermeture doit suivre l'heure d'ouverture");
    expect_osm_error("Mo-Fr 09:00-12:00 \"sur rendez-vous\"",
                     "les commentaires entre guillemets ne sont pas pris en charge");
    expect_osm_error("Mo-Fr 09:00-12:00 || Sa 10:00-12:00",
                     "les règles de repli («" NB "||" NB "») ne sont pas prises en charge");
    expect_osm_error("Mo[1] 09:00-12:00", "«" NB "[1]" NB "» n'est pas compris");
    expect_osm_error("Xy 09:00-12:00", "«" NB "Xy" NB "» n'est pas compris");
    expect_osm_error("Mo-Xy 09:00-12:00", "«" NB "Xy" NB "» n'est pas compris");
    expect_osm_error("Mo-Fr 25:00-26:00", "«" NB "25:00-26:00" NB "» n'est pas compris");
    expect_osm_error("Mo-Fr 9h-12h", "«" NB "9h-12h" NB "» n'est pas compris");
    expect_osm_error("Monday 09:00-12:00", "«" NB "Monday" NB "» n'est pas compris");
    expect_osm_error("Mo-Fr 09:00-12:00 Sa", "«" NB "Sa" NB "» n'est pas compris");
    expect_osm_error("Mo 09:00-12:00, Tu 10:00-11:00", "«" NB "Tu" NB "» n'est pas compris");
    expect_osm_error("Mo 09:00-12:00,10:00-13:00",
                     "lundi" NB ": les plages 9 h – 12 h et 10 h – 13 h se chevauchent");
    expect_osm_error("Mo 08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00,16:00-17:00",
                     "lundi" NB ": 4 plages horaires au plus");
    expect_osm_error("Mo 09:00-12:00\xff", "texte invalide (UTF-8)");
    char huge[1100];
    memset(huge, ' ', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    expect_osm_error(huge, "horaires trop longs (1000 caractères au plus)");
}

/* Every canonical value the form can produce survives JSON -> OSM -> JSON. */
static void test_form_osm_agree(void **state)
{
    (void)state;
    const char *days[7] = {"9h-12h, 14h-18h",
                           "9h-12h, 14h-18h",
                           "fermé",
                           "10h-minuit",
                           "8h30-9h",
                           "24h/24",
                           "7h-8h, 9h-10h, 11h-12h, 13h-14h"};
    char *err = NULL;
    json_t *v = hours_from_form(A, NULL, days, NULL, &err);
    assert_non_null(v);
    const char *osm = hours_to_osm(A, v);
    assert_string_equal(osm, "Mo,Tu 09:00-12:00,14:00-18:00; Th 10:00-24:00; Fr 08:30-09:00; "
                             "Sa 00:00-24:00; Su 07:00-08:00,09:00-10:00,11:00-12:00,13:00-14:00");
    json_t *back = hours_from_osm(A, osm, &err);
    assert_true(json_equal(back, v));
    json_decref(back);
    json_decref(v);
}

/* Random texts made of the grammar's pieces: whatever is accepted is canonical, and it survives
 * validation, the form refill and OSM unchanged. */
static void check_canonical(json_t *v)
{
    char *err = NULL;
    json_t *again = hours_validate(A, NULL, v, &err);
    assert_true(json_equal(again, v));
    json_decref(again);
    const char *days[7];
    for (int d = 0; d < 7; d++)
        days[d] = hours_day_text(A, v, d);
    json_t *refill = hours_from_form(A, NULL, days, NULL, &err);
    assert_true(json_equal(refill, v));
    json_t *osm = hours_from_osm(A, hours_to_osm(A, v), &err);
    assert_true(json_equal(osm, v));
    json_decref(refill);
    json_decref(osm);
}

/* A day's text built like people write it: mostly increasing times in every spelling, with
 * dashes and separators of all kinds and an occasional piece of noise. */
static const char *random_form_text(unsigned *seed)
{
    static const char *const minutes[] = {"h", "h", "h30", " h 15", ":00", ":45", ".30", "", "h5"};
    static const char *const dashes[] = {"-", " – ", " à ", "—", " au ", " "};
    static const char *const seps[] = {", ", " / ", " et ", "; ", " ", ",", ""};
    static const char *const noise[] = {"midi", "minuit", "fermé", "de ", "x", "24h/24", "25h"};
#define PICK(t) t[(size_t)rand_r(seed) % (sizeof t / sizeof t[0])]
    char *s = arena_alloc(A, 256);
    int ranges = 1 + rand_r(seed) % 5, hour = rand_r(seed) % 10;
    for (int i = 0; i < ranges * 2; i++) {
        if (i)
            strcat(s, i % 2 ? PICK(dashes) : PICK(seps));
        if (rand_r(seed) % 20 == 0)
            strcat(s, PICK(noise));
        char h[8];
        snprintf(h, sizeof h, rand_r(seed) % 2 ? "%d" : "%02d", hour % 25);
        strcat(strcat(s, h), PICK(minutes));
        hour += 1 + rand_r(seed) % 3;
    }
#undef PICK
    return s;
}

static const char *random_osm_text(unsigned *seed)
{
    static const char *const pieces[] = {
        "Mo",    "Tu",    "Sa",    "Su",    "-",      ",",           ";",    " ",
        "09:00", "12:00", "18:00", "24:00", "00:00",  "off",         "24/7", "PH",
        ":",     "+",     "\"",    "Fr",    "Mo-Fr ", "10:00-12:00", "; ",
    };
    char *s = arena_alloc(A, 256);
    int n = 1 + rand_r(seed) % 10;
    for (int i = 0; i < n; i++)
        strcat(s, pieces[(size_t)rand_r(seed) % (sizeof pieces / sizeof pieces[0])]);
    return s;
}

static void test_random_inputs(void **state)
{
    (void)state;
    unsigned seed = 12345;
    int accepted_form = 0, accepted_osm = 0;
    for (int i = 0; i < 20000; i++) {
        char *err = NULL;
        const char *days[7] = {NULL};
        days[i % 7] = random_form_text(&seed);
        days[(i + 3) % 7] = random_form_text(&seed);
        json_t *v = hours_from_form(A, NULL, days, NULL, &err);
        if (v) {
            accepted_form++;
            check_canonical(v);
            json_decref(v);
        } else {
            assert_non_null(err);
        }
        v = hours_from_osm(A, random_osm_text(&seed), &err);
        if (v) {
            accepted_osm++;
            check_canonical(v);
            json_decref(v);
        } else {
            assert_non_null(err);
        }
        if (i % 1000 == 999) {
            arena_free(A);
            A = arena_new();
        }
    }
    /* Both generators reach the accepting paths, not only the errors. */
    assert_true(accepted_form > 500);
    assert_true(accepted_osm > 1000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_day_names),
        T(test_form_typical),
        T(test_form_midnight_and_full_day),
        T(test_form_closed),
        T(test_form_sorts_and_joins),
        T(test_form_errors),
        T(test_form_label_and_day),
        T(test_form_week_order),
        T(test_note_limits),
        T(test_validate_canonical),
        T(test_validate_errors),
        T(test_validate_too_many_raw_ranges),
        T(test_day_text),
        T(test_french),
        T(test_to_osm),
        T(test_osm_round_trip),
        T(test_osm_rewritten),
        T(test_osm_errors),
        T(test_form_osm_agree),
        T(test_random_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
