/* test_territory.c — the territory as configuration (core/territory.c, core/commune_data.c):
 * the map settings' formats and checks, the frame computed from the communes (the demo's equals
 * the settings' defaults), the folding of place names as gen-communes.mjs does it, the codes of
 * the command line, and on a real site: centres set by an administrator (checked, logged, the
 * generation and the served territory following), a territory replaced (communes in use kept,
 * a centre set by hand kept), and migration 13 from a site of schema 11. The packaged npm data
 * itself is read by tests/cli/territory.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/commune_data.h"
#include "core/settings.h"
#include "core/territory.h"
#include "core/visibility.h"
#include "store/moderation_store.h"
#include "store/search_store.h"
#include "store/store.h"
#include "store/territory_store.h"
#include "util/arena.h"
#include "site_fixture.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *check(const char *key, const char *value)
{
    static char why[200];
    const struct setting *st = settings_find(key);
    assert_non_null(st);
    return settings_check(st, value, NULL, why, sizeof why);
}

static void test_map_settings(void **state)
{
    (void)state;
    assert_null(check("map_center", "48.38802,-4.33047"));
    assert_null(check("map_center", "-90,180"));
    assert_null(check("map_center", "0,0"));
    static const char *const bad_centers[] = {
        "48.38802", "48,39,-4,49", "48.4, -4.3", " 48.4,-4.3", "91,0",
        "0,-180.5", "1e1,0",       "+48,-4",     "48.,-4",     ".5,-4",
        "nan,0",    "48.4;-4.3",   "1234,0",     "",           "48.12345678901,0"};
    for (size_t i = 0; i < sizeof bad_centers / sizeof *bad_centers; i++)
        assert_non_null(check("map_center", bad_centers[i]));
    assert_null(check("map_zoom", "1"));
    assert_null(check("map_zoom", "18"));
    static const char *const bad_zooms[] = {"0", "19", "09", "-1", "9.5", "", " 9", "100"};
    for (size_t i = 0; i < sizeof bad_zooms / sizeof *bad_zooms; i++)
        assert_string_equal(check("map_zoom", bad_zooms[i]), "un entier de 1 à 18");
    assert_null(check("map_bounds", "-4.82086,48.07538,-3.84007,48.70066"));
    assert_null(check("map_bounds", "-180,-90,180,90"));
    static const char *const bad_bounds[] = {"-3.8,48.0,-4.8,48.7", /* west after east */
                                             "-4.8,48.7,-3.8,48.0", /* south after north */
                                             "-4.8,48.0,-4.8,48.7", /* no width */
                                             "-4.8,48.0,-3.8",       "-4.8,48.0,-3.8,48.7,1",
                                             "-181,0,1,1",           "0,-91,1,1",
                                             "-4.8, 48.0,-3.8,48.7", "-4,8,48,0,-3,8,48,7"};
    for (size_t i = 0; i < sizeof bad_bounds / sizeof *bad_bounds; i++)
        assert_non_null(check("map_bounds", bad_bounds[i]));
    double lat, lon, w, s, e, n;
    assert_true(settings_parse_latlon("48.38802,-4.33047", &lat, &lon));
    assert_true(fabs(lat - 48.38802) < 1e-9 && fabs(lon + 4.33047) < 1e-9);
    assert_true(settings_parse_bounds("-4.5,48,-4,48.5", &w, &s, &e, &n));
    assert_true(w == -4.5 && s == 48 && e == -4 && n == 48.5);
    /* A form's French decimals, when asked for. */
    assert_true(settings_parse_degrees("48,39", 5, true, &lat));
    assert_true(fabs(lat - 48.39) < 1e-9);
    assert_false(settings_parse_degrees("48,39", 5, false, &lat));
    assert_false(settings_parse_degrees("48,3,9", 6, true, &lat));
    assert_false(settings_parse_degrees("-", 1, true, &lat));
    assert_true(settings_parse_degrees("-0", 2, true, &lat));
    /* The three keys are in the Carte section, with the Pays de Brest's frame by default. */
    for (const char *const *k = (const char *const[]){"map_center", "map_zoom", "map_bounds", NULL};
         *k; k++) {
        assert_int_equal(settings_find(*k)->section, SECTION_MAP);
        assert_null(check(*k, settings_find(*k)->fallback));
    }
    assert_string_equal(settings_section_title(SECTION_MAP), "Carte");
    assert_null(settings_find("communes_rev")); /* internal: never shown, never set by hand */
}

static void test_frame(void **state)
{
    (void)state;
    struct territory_frame f;
    char c[48], z[48], b[48];
    /* The Pays de Brest's centres (data/communes.tsv): the demo's frame. */
    territory_frame_of(48.12538, -4.77086, 48.65066, -3.89007, &f);
    territory_frame_format(&f, c, z, b, sizeof c);
    assert_string_equal(c, "48.38802,-4.33047");
    assert_string_equal(z, "9");
    assert_string_equal(b, "-4.82086,48.07538,-3.84007,48.70066");
    /* One commune: a margin around it, and the closest zoom allowed. */
    territory_frame_of(48.39, -4.49, 48.39, -4.49, &f);
    assert_int_equal(f.zoom, 12);
    assert_true(f.west < -4.49 && f.east > -4.49 && f.south < 48.39 && f.north > 48.39);
    territory_frame_format(&f, c, z, b, sizeof c);
    assert_null(check("map_bounds", b));
    assert_null(check("map_center", c));
    assert_null(check("map_zoom", z));
    /* All of France's overseas spread, and the poles: the box stays valid, zoom 1 at least. */
    territory_frame_of(-89.9, -179.9, 89.9, 179.9, &f);
    assert_int_equal(f.zoom, 1);
    territory_frame_format(&f, c, z, b, sizeof c);
    assert_null(check("map_bounds", b));
    assert_null(check("map_center", c));
}

static void fold_is(const char *in, const char *want)
{
    char *got = commune_name_fold(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_fold(void **state)
{
    (void)state;
    fold_is("L'Hôpital-Camfrout", "l hopital camfrout");
    fold_is("Île-Molène", "ile molene");
    fold_is("Saint-Méen", "saint meen");
    fold_is("Pont-de-Buis-lès-Quimerch", "pont de buis les quimerch");
    fold_is("  Plou--Gastel  ", "plou gastel");
    /* Letters NFD leaves whole are separators, as in gen-communes.mjs: Œ, Æ, ß. */
    fold_is("Œuilly", "uilly");
    fold_is("Cœuvres-et-Valsery", "c uvres et valsery");
    fold_is("Straße", "stra e");
    /* A combining accent vanishes; Ÿ, ẞ-free Latin Extended Additional letters fold. */
    fold_is("Ploe\xcc\x81ven", "ploeven");
    fold_is("L'Haÿ-les-Roses", "l hay les roses");
    fold_is("\xe1\xb8\x82"
            "ath",
            "bath");               /* U+1E02 B with dot above */
    fold_is("Bad\xff\xfe", "bad"); /* malformed UTF-8: a separator, then trimmed */
    fold_is("", "");
    fold_is("29 Brest 2", "29 brest 2");
}

static void test_codes(void **state)
{
    (void)state;
    assert_true(commune_code_valid(COMMUNE_CODE_COMMUNE, "29019"));
    assert_true(commune_code_valid(COMMUNE_CODE_COMMUNE, "2A004"));
    assert_true(commune_code_valid(COMMUNE_CODE_COMMUNE, "2b033"));
    assert_true(commune_code_valid(COMMUNE_CODE_COMMUNE, "97411"));
    for (const char *const *c = (const char *const[]){"2901", "290190", "2C004", "2A04x", "A2004",
                                                      "29 19", "", "-2901", NULL};
         *c; c++)
        assert_false(commune_code_valid(COMMUNE_CODE_COMMUNE, *c));
    assert_true(commune_code_valid(COMMUNE_CODE_DEPARTEMENT, "29"));
    assert_true(commune_code_valid(COMMUNE_CODE_DEPARTEMENT, "2A"));
    assert_true(commune_code_valid(COMMUNE_CODE_DEPARTEMENT, "974"));
    for (const char *const *c =
             (const char *const[]){"20", "00", "2", "299", "9A", "2C", "029", "971a", NULL};
         *c; c++)
        assert_false(commune_code_valid(COMMUNE_CODE_DEPARTEMENT, *c));
    assert_true(commune_code_valid(COMMUNE_CODE_EPCI, "242900314"));
    assert_false(commune_code_valid(COMMUNE_CODE_EPCI, "24290031"));
    assert_false(commune_code_valid(COMMUNE_CODE_EPCI, "24290031x"));

    struct commune_pick p = {0};
    char err[512];
    assert_true(commune_pick_empty(&p));
    assert_int_equal(commune_pick_add(&p, COMMUNE_CODE_COMMUNE, "29019,2a004", err, sizeof err), 0);
    assert_int_equal(p.n[COMMUNE_CODE_COMMUNE], 2);
    assert_string_equal(p.codes[COMMUNE_CODE_COMMUNE][1], "2A004");
    /* A code given twice (in any case, in one list or in two) is a typo said as such. */
    assert_int_equal(commune_pick_add(&p, COMMUNE_CODE_COMMUNE, "2A004", err, sizeof err), -1);
    assert_non_null(strstr(err, "« 2A004 » donné deux fois"));
    assert_int_equal(p.n[COMMUNE_CODE_COMMUNE], 2);
    assert_int_equal(commune_pick_add(&p, COMMUNE_CODE_DEPARTEMENT, "29", err, sizeof err), 0);
    assert_false(commune_pick_empty(&p));
    assert_int_equal(commune_pick_add(&p, COMMUNE_CODE_COMMUNE, "29075,", err, sizeof err), -1);
    assert_non_null(strstr(err, "code vide"));
    assert_int_equal(commune_pick_add(&p, COMMUNE_CODE_EPCI, "", err, sizeof err), -1);
    assert_int_equal(commune_pick_add(&p, COMMUNE_CODE_EPCI, "24290031", err, sizeof err), -1);
    assert_non_null(strstr(err, "« 24290031 » n'est pas un numéro SIREN"));
    assert_int_equal(
        commune_pick_add(&p, COMMUNE_CODE_COMMUNE, "290190000000000000000000", err, sizeof err),
        -1);
    assert_true(strlen(err) < 300);
    commune_pick_free(&p);
    /* COMMUNE_PICK_MAX codes at most in one option. */
    struct commune_pick big = {0};
    char list[COMMUNE_PICK_MAX * 6 + 16] = "";
    size_t len = 0;
    for (int i = 0; i <= COMMUNE_PICK_MAX; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%05d", i ? "," : "", 10000 + i);
    assert_int_equal(commune_pick_add(&big, COMMUNE_CODE_COMMUNE, list, err, sizeof err), -1);
    assert_non_null(strstr(err, "au plus"));
    commune_pick_free(&big);
    /* Without the packaged data: a clear message naming make deps. */
    struct commune_pick one = {0};
    struct commune_set set;
    assert_int_equal(commune_pick_add(&one, COMMUNE_CODE_COMMUNE, "29019", err, sizeof err), 0);
    assert_int_equal(commune_data_load("/nonexistent", &one, &set, err, sizeof err), -1);
    assert_non_null(strstr(err, "make deps"));
    assert_int_equal(set.n, 0);
    commune_set_free(&set);
    commune_pick_free(&one);
}

static int site_setup(void **state)
{
    return test_site_setup(state, sizeof(struct test_site), "territory");
}

static void test_seeded_frame(void **state)
{
    struct test_site *x = *state;
    /* The demo's frame, computed when the site is made, is the settings' default: a site made
     * before the frame was stored shows the same map. */
    for (const char *const *k = (const char *const[]){"map_center", "map_zoom", "map_bounds", NULL};
         *k; k++) {
        char *v = store_setting_get(x->s, *k);
        assert_non_null(v);
        assert_string_equal(v, settings_find(*k)->fallback);
        free(v);
    }
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM communes WHERE placed = 'data'"), 79);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM communes WHERE placed IS NULL AND lat IS NULL"),
        24);
}

static void test_place(void **state)
{
    struct test_site *x = *state;
    struct territory *t = territory_load(x->s);
    assert_non_null(t);
    const struct commune *goulven = territory_commune(t, "29064");
    assert_non_null(goulven);
    assert_false(goulven->has_point);
    assert_null(territory_reload(x->s, t, NULL)); /* nothing changed */
    long long gen;
    assert_int_equal(store_generation(x->s, &gen), STORE_OK);
    struct territory_place_errors e;
    const struct viewer contributor = {5, ROLE_CONTRIBUTOR}, moderator = {6, ROLE_MODERATOR};
    assert_int_equal(territory_place(x->s, x->a, &contributor, "29064", "48.6", "-4.3", 1, &e),
                     TERRITORY_FORBIDDEN);
    assert_int_equal(territory_place(x->s, x->a, &moderator, "29064", "48.6", "-4.3", 1, &e),
                     TERRITORY_FORBIDDEN);
    static const struct {
        const char *insee, *lat, *lon;
        int field; /* 0 insee, 1 lat, 2 lon */
        const char *why;
    } bad[] = {
        {"29064", "", "-4.3", 1, "Indiquez la latitude"},
        {"29064", "48.6", NULL, 2, "Indiquez la longitude"},
        {"29064", "90.5", "-4.3", 1, "de -90 à 90"},
        {"29064", "48.6", "-4.3.1", 2, "de -180 à 180"},
        {"29064", "0x30", "-4.3", 1, "de -90 à 90"},
        {"29064", "-4.3", "48.6", 1, "loin des autres communes"},
        {"29064", "48.6", "-6", 1, "loin des autres communes"},
        {"75056", "48.85", "2.35", 0, "Commune inconnue du territoire"},
        {"7505", "48.85", "2.35", 0, "Code INSEE"},
        {NULL, "48.85", "2.35", 0, "Code INSEE"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(territory_place(x->s, x->a, &viewer_operator, bad[i].insee, bad[i].lat,
                                         bad[i].lon, 1, &e),
                         TERRITORY_INVALID);
        const char *got = bad[i].field == 0 ? e.insee : bad[i].field == 1 ? e.lat : e.lon;
        assert_non_null(got);
        if (!strstr(got, bad[i].why))
            fail_msg("case %zu: « %s » lacks « %s »", i, got, bad[i].why);
    }
    long long gen2;
    assert_int_equal(store_generation(x->s, &gen2), STORE_OK);
    assert_true(gen2 == gen); /* refused: nothing written */
    /* French decimals and spaces around them, as a form sends them. */
    const struct viewer admin = {0, ROLE_ADMIN};
    assert_int_equal(territory_place(x->s, x->a, &admin, "29064", " 48,6234", "-4,3051 ", 1000, &e),
                     TERRITORY_OK);
    assert_int_equal(
        test_site_count(
            x, "SELECT count(*) FROM communes WHERE insee = '29064' AND lat = 48.6234 AND lon = "
               "-4.3051 AND placed = 'admin'"),
        1);
    assert_int_equal(store_generation(x->s, &gen2), STORE_OK);
    assert_true(gen2 > gen);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM moderation_log WHERE action = 'territory' AND "
                           "reason LIKE 'Centre de Goulven (29064)%'"),
        1);
    /* The served territory follows: its communes are read again, the themes borrowed. */
    struct territory *t2 = territory_reload(x->s, t, NULL);
    assert_non_null(t2);
    assert_true(t2->borrows_themes && !t2->borrows_communes);
    assert_ptr_equal(t2->themes, t->themes);
    const struct commune *g2 = territory_commune(t2, "29064");
    assert_true(g2->has_point && g2->placed_by_admin);
    assert_true(fabs(g2->lat - 48.6234) < 1e-9);
    assert_null(territory_reload(x->s, t2, NULL));
    /* A settings change alone borrows both. */
    assert_int_equal(store_setting_set(x->s, "site_name", "Autre"), STORE_OK);
    struct territory *t3 = territory_reload(x->s, t2, NULL);
    assert_non_null(t3);
    assert_true(t3->borrows_themes && t3->borrows_communes);
    assert_ptr_equal(t3->communes, t2->communes);
    territory_free(t3);
    territory_free(t2);
    territory_free(t);
}

static struct commune mk(const char *insee, const char *name, bool point, double lat, double lon)
{
    struct commune c = {.name = (char *)name,
                        .epci_name = (char *)"EPCI",
                        .has_point = point,
                        .lat = lat,
                        .lon = lon,
                        .population = 100};
    snprintf(c.insee, sizeof c.insee, "%s", insee);
    snprintf(c.epci, sizeof c.epci, "%s", "200000000");
    return c;
}

static void test_load_set(void **state)
{
    struct test_site *x = *state;
    /* Brest is used by a published record, Plouarzel by a pending text only, Goulven gets a
     * centre by hand. */
    assert_int_equal(
        sqlite3_exec(x->s->db,
                     "INSERT INTO entries(id, kind, slug, created, updated, published_rev,"
                     " latest_rev) VALUES (1, 'innovation', 'a', 1, 1, 1, 2);"
                     "INSERT INTO revisions(entry_id, number, created, state, fields)"
                     " VALUES (1, 1, 1, 'published', '{\"commune\":\"29019\"}'),"
                     " (1, 2, 2, 'pending', '{\"address\":{\"commune\":\"29177\"}}');"
                     "INSERT INTO entry_terms VALUES (1, 'commune', '29019');",
                     NULL, NULL, NULL),
        SQLITE_OK);
    struct territory_place_errors e;
    assert_int_equal(
        territory_place(x->s, x->a, &viewer_operator, "29064", "48.62", "-4.30", 1, &e),
        TERRITORY_OK);
    struct commune v[] = {
        mk("29064", "Goulven", true, 48.0, -4.0), /* the data now places it: the admin's stays */
        mk("29075", "Guipavas", true, 48.43, -4.40),
        mk("35238", "Rennes", true, 48.11, -1.68),
        mk("35001", "Acigné", false, 0, 0),
    };
    struct commune_set set = {.communes = v, .n = 4}; /* sorted by code */
    struct territory_centre centres[] = {{"35001", 48.13, -1.54}};
    struct territory_report r;
    char err[512];
    /* A centre far away refuses the whole load: nothing written. */
    struct territory_centre far[] = {{"35001", 43.3, 5.4}};
    assert_int_equal(territory_load_set(x->s, x->a, &set, "Essai", far, 1, 2, &r, err, sizeof err),
                     -2);
    assert_non_null(strstr(err, "--centre 35001"));
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM communes"), 103);
    assert_int_equal(
        territory_load_set(x->s, x->a, &set, "Brest et Rennes", centres, 1, 2, &r, err, sizeof err),
        0);
    assert_string_equal(r.name, "Brest et Rennes");
    assert_int_equal(r.added, 2);
    assert_int_equal(r.removed, 103 - 2 - 2);
    assert_int_equal(r.nkept, 2);
    assert_string_equal(r.kept[0].insee, "29019");
    assert_int_equal(r.kept[0].entries, 1);
    assert_string_equal(r.kept[1].insee, "29177");
    assert_int_equal(r.communes, 6);
    assert_int_equal(r.nunplaced, 0);
    assert_true(r.framed);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM communes"), 6);
    assert_int_equal(
        test_site_count(
            x, "SELECT count(*) FROM communes WHERE insee = '29064' AND lat = 48.62 AND placed "
               "= 'admin' AND population = 100"),
        1);
    assert_int_equal(
        test_site_count(x,
                        "SELECT count(*) FROM communes WHERE insee = '35001' AND placed = 'admin'"),
        1);
    /* The frame covers the set (Goulven to Rennes), not the kept communes (Plouarzel, west). */
    char *b = store_setting_get(x->s, "map_bounds");
    double w, so, ea, no;
    assert_true(settings_parse_bounds(b, &w, &so, &ea, &no));
    free(b);
    assert_true(w > -4.6 && w < -4.5 && ea > -1.45 && ea < -1.35); /* not -4.73 */
    char *name = store_setting_get(x->s, "territory_name");
    assert_string_equal(name, "Brest et Rennes");
    free(name);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM moderation_log WHERE action = 'territory' AND "
                           "reason LIKE 'Territoire chargé%6 communes%'"),
        1);
    /* A bad name is refused before anything. */
    assert_int_equal(territory_load_set(x->s, x->a, &set, "", NULL, 0, 3, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "--nom"));
}

/* A site of schema 11 (before the territory was configuration) opens with its communes'
 * centres marked as the data's. */
static void test_migrate_13(void **state)
{
    struct test_site *x = *state;
    store_close(x->s);
    x->s = NULL;
    static const char *const files[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s%s", x->path, files[i]);
        unlink(p);
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(x->path, &db), SQLITE_OK);
    assert_int_equal(store_search_register(db), SQLITE_OK); /* migration 11's tokenizer */
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d", STORE_APPLICATION_ID);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    for (int v = 1; v <= 11; v++)
        assert_int_equal(sqlite3_exec(db, store_migration(v), NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA user_version=11;"
                     "INSERT INTO communes(insee, name, lat, lon, epci, epci_name, population)"
                     " VALUES ('29019', 'Brest', 48.39, -4.49, '242900314', 'Brest Métropole', 1),"
                     " ('29064', 'Goulven', NULL, NULL, '242900793', 'Lesneven', 1);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    char err[512] = "";
    x->s = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    if (!x->s)
        fail_msg("%s", err);
    assert_int_equal(test_site_count(x, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM communes WHERE insee = '29019' AND placed = "
                           "'data'"),
        1);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM communes WHERE insee = '29064' AND placed IS "
                           "NULL"),
        1);
    /* Such a site has no frame stored: the defaults (the Pays de Brest's) apply. */
    const char *center = settings_value(x->s, x->a, settings_find("map_center"));
    assert_string_equal(center, "48.38802,-4.33047");
    struct territory *t = territory_load(x->s);
    assert_non_null(t);
    assert_false(territory_commune(t, "29064")->has_point);
    assert_false(territory_commune(t, "29019")->placed_by_admin);
    territory_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_settings),
        cmocka_unit_test(test_frame),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_codes),
        cmocka_unit_test_setup_teardown(test_seeded_frame, site_setup, test_site_teardown),
        cmocka_unit_test_setup_teardown(test_place, site_setup, test_site_teardown),
        cmocka_unit_test_setup_teardown(test_load_set, site_setup, test_site_teardown),
        cmocka_unit_test_setup_teardown(test_migrate_13, site_setup, test_site_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
