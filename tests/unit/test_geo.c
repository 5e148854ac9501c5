/* test_geo.c — the map's points (core/geo.c, store/geo_store.c) over a real site file: the
 * bounding boxes the API takes (four finite numbers in range, south below north, west beyond
 * east only across the antimeridian); the rule that shows an entry at its own point, else at its
 * first place that has one, else at its commune's centre, else nowhere ("unplaced"); a place
 * moved and a commune's centre set later moving their dependents without any rebuild; hidden,
 * deleted and pending entries never read (even when the points were not told); boxes, small and
 * across the antimeridian; the search's filters and text; and the invariants of `foison check`
 * after a whole rebuild. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/entry.h"
#include "core/geo.h"
#include "core/search.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/entry_store.h"
#include "store/store.h"
#include "util/arena.h"
#include "site_fixture.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1700000000LL

/* ---- bounding boxes ---- */

static void bbox_ok(const char *text, double w, double s, double e, double n, bool crosses)
{
    struct geo_bbox b;
    const char *why = geo_bbox_parse(text, &b);
    if (why)
        fail_msg("%s: %s", text, why);
    assert_true(b.west == w && b.south == s && b.east == e && b.north == n);
    assert_int_equal(b.crosses, crosses);
}

/* Refused, with a reason that says what is wrong (the word expected in it). */
static void bbox_bad(const char *text, const char *word)
{
    struct geo_bbox b = {1, 2, 3, 4, false};
    const char *why = geo_bbox_parse(text, &b);
    if (!why)
        fail_msg("%s accepted", text);
    if (!strstr(why, word))
        fail_msg("%s: «%s» does not say «%s»", text, why, word);
    assert_true(b.west == 1 && b.north == 4); /* untouched */
}

static void test_bbox_parse(void **state)
{
    (void)state;
    bbox_ok("-4.8,48.2,-4.2,48.6", -4.8, 48.2, -4.2, 48.6, false);
    bbox_ok(" -4.8 , 48.2,-4.2 ,48.6 ", -4.8, 48.2, -4.2, 48.6, false);
    bbox_ok("-180,-90,180,90", -180, -90, 180, 90, false);
    bbox_ok("1,2,1,2", 1, 2, 1, 2, false); /* a point is a box */
    bbox_ok("+1.,.5,1.5e1,2E0", 1, 0.5, 15, 2, false);
    bbox_ok("170,-10,-170,10", 170, -10, -170, 10, true);
    bbox_ok("0.5,0,-0.5,1", 0.5, 0, -0.5, 1, true);
    static const char *const not_four[] = {
        "",        "1,2,3",      "1,2,3,4,5", "a,2,3,4",   "1,,3,4",    "1,2,3,",
        ",1,2,3",  "0x10,1,2,3", "1e,2,3,4",  "1 2,3,4,5", "--1,2,3,4", "1,2,3,4 x",
        ".,1,2,3", "e5,1,2,3",   "1,2,3,4,",  "١,2,3,4",
    };
    for (size_t i = 0; i < sizeof not_four / sizeof not_four[0]; i++)
        bbox_bad(not_four[i], "quatre nombres");
    bbox_bad("inf,1,2,3", "finis");
    bbox_bad("1,-Infinity,2,3", "finis");
    bbox_bad("NaN,1,2,3", "finis");
    bbox_bad("1e999,1,2,3", "finis");
    bbox_bad("-180.5,0,0,1", "longitude");
    bbox_bad("0,0,181,1", "longitude");
    bbox_bad("0,-91,1,0", "latitude");
    bbox_bad("0,0,1,90.01", "latitude");
    bbox_bad("0,1,1,0", "sud");
    bbox_bad("10,0,5,1", "ouest");   /* both east of the meridian: not across the antimeridian */
    bbox_bad("-5,0,-10,1", "ouest"); /* both west of it */
    bbox_bad("0,0,-1,1", "ouest");   /* west 0: not beyond the antimeridian */

    struct geo_bbox b;
    assert_null(geo_bbox_parse("170,-10,-170,10", &b));
    assert_true(geo_bbox_holds(&b, 175, 0));
    assert_true(geo_bbox_holds(&b, -175, 0));
    assert_true(geo_bbox_holds(&b, 180, 10));
    assert_false(geo_bbox_holds(&b, 0, 0));
    assert_false(geo_bbox_holds(&b, 175, 10.5));
    assert_null(geo_bbox_parse("-1,-1,1,1", &b));
    assert_true(geo_bbox_holds(&b, -1, 1));
    assert_false(geo_bbox_holds(&b, 1.0001, 0));
}

/* ---- a site ---- */

struct site {
    struct test_site site; /* first: test_site_teardown frees the whole */
    struct viewer contributor;
};

static int site_setup(void **state)
{
    if (test_site_setup(state, sizeof(struct site), "geo") != 0)
        return -1;
    struct site *x = *state;
    x->contributor = test_site_contributor(
        test_site_account(&x->site, "nouveau@example.org", "Nouveau", "contributor"));
    return 0;
}

/* Saves input (a JSON object text) as an entry of kind, by the operator (or by the contributor,
 * whose new entry waits for moderation); slug and base for an edit. */
static struct entry save_as(struct site *x, const char *kind, const char *input, const char *slug,
                            int base, bool contributor)
{
    json_t *f = test_site_fields(&x->site, kind, json_loads(input, 0, NULL));
    struct field_errors errs = {0};
    struct entry_save save = {.kind = kind_find(kind),
                              .slug = slug,
                              .base_rev = base,
                              .fields = f,
                              .author = contributor ? x->contributor : viewer_operator,
                              .operator= !contributor,
                              .comment = "test",
                              .now = NOW,
                              .errs = &errs};
    struct entry_saved out;
    int rc = entry_save(x->site.s, x->site.a, &save, &out);
    if (rc != ENTRY_OK)
        fail_msg("save %s: %d %s", input, rc, errs.n ? errs.e[0].message : "");
    json_decref(f);
    return out.entry;
}

static struct entry save(struct site *x, const char *kind, const char *input)
{
    return save_as(x, kind, input, NULL, 0, false);
}

#define INNOVATION(title, extra)                                                                   \
    "{\"title\":\"" title "\",\"summary\":\"Un résumé.\",\"description\":\"Un texte.\","         \
    "\"themes\":[\"numerique\"],\"license\":\"CC-BY-SA-4.0\"" extra "}"
#define PLACE(title, extra)                                                                        \
    "{\"title\":\"" title "\",\"summary\":\"Un lieu.\",\"license\":\"CC-BY-SA-4.0\"" extra "}"

/* What the map reads, by entry id. */
#define MAX_SEEN 64
struct seen {
    long long id[MAX_SEEN];
    enum geo_precision prec[MAX_SEEN];
    double lon[MAX_SEEN], lat[MAX_SEEN];
    char title[MAX_SEEN][128];
    int n;
};

static int seen_one(void *arg, const struct geo_point *p)
{
    struct seen *s = arg;
    for (int i = 0; i < s->n; i++)
        if (s->id[i] == p->id)
            fail_msg("entry %lld read twice", p->id);
    assert_true(s->n < MAX_SEEN);
    s->id[s->n] = p->id;
    s->prec[s->n] = p->precision;
    s->lon[s->n] = p->lon;
    s->lat[s->n] = p->lat;
    snprintf(s->title[s->n], sizeof s->title[0], "%s", p->title);
    s->n++;
    return 0;
}

static struct seen read_map(struct site *x, const struct geo_request *r)
{
    struct seen s = {.n = 0};
    assert_int_equal(geo_each(x->site.s, x->site.a, r, seen_one, &s), GEO_OK);
    return s;
}

static struct seen read_all(struct site *x)
{
    struct geo_request r = {.unplaced = true, .summaries = true};
    return read_map(x, &r);
}

static struct seen read_box(struct site *x, const char *bbox)
{
    struct geo_bbox b;
    assert_null(geo_bbox_parse(bbox, &b));
    struct geo_request r = {.bbox = &b};
    return read_map(x, &r);
}

static int seen_at(const struct seen *s, long long id)
{
    for (int i = 0; i < s->n; i++)
        if (s->id[i] == id)
            return i;
    return -1;
}

static void shown(const struct seen *s, const struct entry *e, enum geo_precision p, double lat,
                  double lon)
{
    int i = seen_at(s, e->id);
    if (i < 0)
        fail_msg("%s not read", e->slug);
    if (s->prec[i] != p)
        fail_msg("%s: precision %d, not %d", e->slug, s->prec[i], p);
    if (p != GEO_UNPLACED && (fabs(s->lat[i] - lat) > 1e-9 || fabs(s->lon[i] - lon) > 1e-9))
        fail_msg("%s at %f,%f, not %f,%f", e->slug, s->lat[i], s->lon[i], lat, lon);
}

static void absent(const struct seen *s, const struct entry *e)
{
    if (seen_at(s, e->id) >= 0)
        fail_msg("%s read", e->slug);
}

/* A commune's centre as the communes table has it. */
static void centre(struct site *x, const char *insee, double *lat, double *lon)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(x->site.s->db,
                                        "SELECT lat, lon FROM communes WHERE insee = ?1", -1, &st,
                                        NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, insee, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *lat = sqlite3_column_double(st, 0);
    *lon = sqlite3_column_double(st, 1);
    sqlite3_finalize(st);
}

static void exec(struct site *x, const char *sql)
{
    assert_int_equal(sqlite3_exec(x->site.s->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* Changes entries.hidden alone, as a file changed by hand would. */
static void hide_by_hand(struct site *x, long long id, int hidden)
{
    char sql[100];
    snprintf(sql, sizeof sql, "UPDATE entries SET hidden = %d WHERE id = %lld", hidden, id);
    exec(x, sql);
}

/* Changes entry id's visibility as the moderation code does: the flag, then the derived data
 * in the same transaction. */
static void set_visibility(struct site *x, long long id, int hidden, bool deleted)
{
    assert_int_equal(store_begin(x->site.s), STORE_OK);
    assert_int_equal(store_entry_set_hidden(x->site.s, id, hidden), STORE_OK);
    assert_int_equal(store_entry_set_deleted(x->site.s, id, deleted), STORE_OK);
    assert_int_equal(entry_derive_sync(x->site.s, id), ENTRY_OK);
    assert_int_equal(store_commit(x->site.s), STORE_OK);
}

static void test_points(void **state)
{
    struct site *x = *state;
    double brest_lat, brest_lon;
    centre(x, "29019", &brest_lat, &brest_lon);
    /* 29064 (Goulven): a commune the packaged data has no centre for. */
    struct entry p1 = save(x, "place",
                           PLACE("Le lieu pointé", ",\"point\":{\"lat\":48.41,\"lon\":-4.47},"
                                                   "\"address\":{\"commune\":\"29019\"}"));
    struct entry p2 =
        save(x, "place", PLACE("Le lieu sans point", ",\"address\":{\"commune\":\"29064\"}"));
    struct entry i1 = save(
        x, "innovation",
        INNOVATION("Chez soi", ",\"commune\":\"29019\",\"point\":{\"lat\":48.5,\"lon\":-4.6}"));
    char buf[600];
    snprintf(buf, sizeof buf,
             INNOVATION("Chez les autres", ",\"commune\":\"29019\",\"located_at\":[\"%s\",\"%s\"]"),
             p2.slug, p1.slug);
    struct entry i2 = save(x, "innovation", buf);
    struct entry i3 = save(x, "innovation", INNOVATION("En commune", ",\"commune\":\"29019\""));
    struct entry a1 = save(x, "actor",
                           "{\"title\":\"Acteur de Goulven\",\"summary\":\"Un acteur.\","
                           "\"commune\":\"29064\",\"license\":\"CC-BY-SA-4.0\"}");
    struct entry a2 = save(x, "actor",
                           "{\"title\":\"Acteur sans commune\",\"summary\":\"Un acteur.\","
                           "\"license\":\"CC-BY-SA-4.0\"}");
    struct entry art = save(x, "article",
                            "{\"title\":\"Un article\",\"summary\":\"Un chapô.\","
                            "\"body\":\"Un texte.\",\"license\":\"CC-BY-SA-4.0\"}");
    assert_true(geo_kind_placeable(kind_find("innovation")));
    assert_true(geo_kind_placeable(kind_find("event")));
    assert_false(geo_kind_placeable(kind_find("article")));

    struct seen s = read_all(x);
    shown(&s, &p1, GEO_EXACT, 48.41, -4.47);
    shown(&s, &p2, GEO_UNPLACED, 0, 0);
    shown(&s, &i1, GEO_EXACT, 48.5, -4.6);
    shown(&s, &i2, GEO_PLACE, 48.41, -4.47); /* its first place has no point: the second's */
    shown(&s, &i3, GEO_COMMUNE, brest_lat, brest_lon);
    shown(&s, &a1, GEO_UNPLACED, 0, 0);
    shown(&s, &a2, GEO_UNPLACED, 0, 0);
    absent(&s, &art); /* a kind without a position */
    assert_int_equal(s.n, 7);
    assert_string_equal(s.title[seen_at(&s, i2.id)], "Chez les autres");
    /* Without unplaced, only the placed. */
    struct geo_request placed = {.summaries = false};
    assert_int_equal(read_map(x, &placed).n, 4);

    /* The place moves: the entry at it follows, nothing else written. */
    save_as(x, "place",
            PLACE("Le lieu pointé", ",\"point\":{\"lat\":48.42,\"lon\":-4.46},"
                                    "\"address\":{\"commune\":\"29019\"}"),
            p1.slug, p1.published_rev, false);
    s = read_all(x);
    shown(&s, &i2, GEO_PLACE, 48.42, -4.46);
    /* A centre set for Goulven: its entries come onto the map. */
    exec(x, "UPDATE communes SET lat = 48.63, lon = -4.3 WHERE insee = '29064'");
    s = read_all(x);
    shown(&s, &a1, GEO_COMMUNE, 48.63, -4.3);
    shown(&s, &p2, GEO_COMMUNE, 48.63, -4.3);
    shown(&s, &i2, GEO_PLACE, 48.42, -4.46); /* a place's own point, not its commune's */

    /* Boxes: a small one around i1 alone; one around Brest's centre (i3, at its commune). */
    s = read_box(x, "-4.61,48.49,-4.59,48.51");
    assert_int_equal(s.n, 1);
    shown(&s, &i1, GEO_EXACT, 48.5, -4.6);
    snprintf(buf, sizeof buf, "%f,%f,%f,%f", brest_lon - 0.001, brest_lat - 0.001,
             brest_lon + 0.001, brest_lat + 0.001);
    s = read_box(x, buf);
    assert_int_equal(s.n, 1);
    shown(&s, &i3, GEO_COMMUNE, brest_lat, brest_lon);
    /* The box of the place holds the entry at it. */
    s = read_box(x, "-4.47,48.41,-4.45,48.43");
    assert_int_equal(s.n, 2);
    shown(&s, &p1, GEO_EXACT, 48.42, -4.46);
    shown(&s, &i2, GEO_PLACE, 48.42, -4.46);
    /* Across the antimeridian. */
    struct entry east = save(
        x, "innovation",
        INNOVATION("Aux Fidji", ",\"commune\":\"29019\",\"point\":{\"lat\":-17.7,\"lon\":178.4}"));
    struct entry west = save(
        x, "innovation",
        INNOVATION("Aux Samoa", ",\"commune\":\"29019\",\"point\":{\"lat\":-13.8,\"lon\":-172.1}"));
    s = read_box(x, "170,-20,-170,-10");
    assert_int_equal(s.n, 2);
    shown(&s, &east, GEO_EXACT, -17.7, 178.4);
    shown(&s, &west, GEO_EXACT, -13.8, -172.1);
    s = read_box(x, "170,-20,179,-10");
    assert_int_equal(s.n, 1);
    shown(&s, &east, GEO_EXACT, -17.7, 178.4);
    s = read_box(x, "-180,-90,180,90");
    assert_int_equal(s.n, 8); /* every entry placed */

    /* The search's filters and text. */
    struct search_filter actors = {"kind", "actor"};
    struct geo_request r = {.filters = &actors, .nfilters = 1, .unplaced = true};
    s = read_map(x, &r);
    assert_int_equal(s.n, 2);
    shown(&s, &a1, GEO_COMMUNE, 48.63, -4.3);
    shown(&s, &a2, GEO_UNPLACED, 0, 0);
    struct geo_request q = {.q = "fidji", .unplaced = true};
    s = read_map(x, &q);
    assert_int_equal(s.n, 1);
    shown(&s, &east, GEO_EXACT, -17.7, 178.4);
    struct geo_request nothing = {.q = "introuvablement", .unplaced = true};
    assert_int_equal(read_map(x, &nothing).n, 0);
    struct geo_request one = {.id = i2.id, .unplaced = true};
    s = read_map(x, &one);
    assert_int_equal(s.n, 1);
    shown(&s, &i2, GEO_PLACE, 48.42, -4.46);
    struct geo_request not_one = {.id = i2.id, .q = "fidji", .unplaced = true};
    assert_int_equal(read_map(x, &not_one).n, 0);

    /* Hidden by reports: gone, and the entry at it falls back on its commune. */
    set_visibility(x, p1.id, 1, false);
    s = read_all(x);
    absent(&s, &p1);
    shown(&s, &i2, GEO_COMMUNE, brest_lat, brest_lon);
    s = read_box(x, "-4.47,48.41,-4.45,48.43");
    assert_int_equal(s.n, 0);
    set_visibility(x, p1.id, 0, false);
    s = read_all(x);
    shown(&s, &i2, GEO_PLACE, 48.42, -4.46);
    /* Withdrawn, deleted: gone. */
    set_visibility(x, i1.id, 2, false);
    set_visibility(x, i3.id, 0, true);
    s = read_all(x);
    absent(&s, &i1);
    absent(&s, &i3);
    /* Hidden without the points being told (a file changed by hand): still never read. */
    hide_by_hand(x, east.id, 1);
    s = read_all(x);
    absent(&s, &east);
    s = read_box(x, "170,-20,-170,-10");
    assert_int_equal(s.n, 1);
    one.id = east.id;
    assert_int_equal(read_map(x, &one).n, 0);
    hide_by_hand(x, east.id, 0);
    /* A newcomer's entry waits for moderation: not on the map. */
    struct entry pending = save_as(
        x, "innovation",
        INNOVATION("En attente", ",\"commune\":\"29019\",\"point\":{\"lat\":48.3,\"lon\":-4.4}"),
        NULL, 0, true);
    assert_int_equal(pending.published_rev, 0);
    s = read_all(x);
    absent(&s, &pending);

    /* Everything derived again: the same map, and the invariants hold. */
    struct seen before = read_all(x);
    assert_int_equal(store_begin(x->site.s), STORE_OK);
    assert_int_equal(entry_derive_all(x->site.s, NULL, NULL), ENTRY_OK);
    assert_int_equal(store_commit(x->site.s), STORE_OK);
    struct seen after = read_all(x);
    assert_int_equal(before.n, after.n);
    for (int i = 0; i < before.n; i++) {
        int j = seen_at(&after, before.id[i]);
        assert_true(j >= 0);
        assert_int_equal(after.prec[j], before.prec[i]);
        assert_true(after.lat[j] == before.lat[i] && after.lon[j] == before.lon[i]);
    }
    assert_int_equal(geo_check(x->site.s), 0);
    /* A row for a hidden entry is a problem `foison check` names. */
    hide_by_hand(x, west.id, 1);
    assert_int_equal(geo_check(x->site.s), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bbox_parse),
        cmocka_unit_test_setup_teardown(test_points, site_setup, test_site_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
