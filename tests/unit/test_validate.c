/* test_validate.c — unit tests for the one validation path of entries (core/validate) against
 * the innovation schema, with a territory built by hand: no database involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/schema.h"
#include "core/territory.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct commune communes_list[] = {
    {.insee = "29019", .name = "Brest", .lat = 48.39, .lon = -4.49, .has_point = true},
    {.insee = "29177", .name = "Plouarzel"},
    {.insee = "29189", .name = "Plougastel-Daoulas"},
};

static struct theme themes_list[] = {
    {"numerique", "Numérique"},
    {"solidarite", "Solidarité"},
    {"documentation", "Documentation et savoirs"},
    {"ess", "Économie sociale et solidaire"},
    {"culture", "Culture"},
    {"sante", "Santé"},
    {"mobilite", "Mobilité"},
};

static struct territory test_territory = {
    .site_name = "foison",
    .territory_name = "Pays de Brest",
    .base_url = "http://x",
    .license = "CC-BY-SA-4.0",
    .communes = communes_list,
    .ncommunes = sizeof(communes_list) / sizeof(communes_list[0]),
    .themes = themes_list,
    .nthemes = sizeof(themes_list) / sizeof(themes_list[0]),
};

struct ctx {
    struct arena *a;
    const struct kind_def *k;
    struct field_errors errs;
    json_t *out;
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));
    c->a = arena_new();
    c->k = kind_find("innovation");
    *state = c;
    return c->k ? 0 : -1;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    json_decref(c->out);
    arena_free(c->a);
    free(c);
    return 0;
}

/* A valid minimal input, as a form would send it (all strings). */
static json_t *minimal(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", "Repair café", "summary",
                     "Réparer ensemble plutôt que jeter.", "description", "Un **samedi** par mois.",
                     "themes", "solidarite", "commune", "29019");
}

/* Validates input (stolen) into c->out and c->errs, replacing a previous result. */
static json_t *run_opt(struct ctx *c, json_t *input, bool reject_unknown)
{
    json_decref(c->out);
    memset(&c->errs, 0, sizeof(c->errs));
    c->out = validate_entry(c->a, c->k, &test_territory, input, reject_unknown, &c->errs);
    json_decref(input);
    if (c->out)
        assert_int_equal(c->errs.n, 0);
    else
        assert_true(c->errs.n > 0);
    return c->out;
}

static json_t *run(struct ctx *c, json_t *input)
{
    return run_opt(c, input, false);
}

/* The minimal input with one field set to v (stolen); NULL v removes the field. */
static json_t *with(const char *field, json_t *v)
{
    json_t *in = minimal();
    if (v)
        json_object_set_new(in, field, v);
    else
        json_object_del(in, field);
    return in;
}

/* Expects the minimal input with field = v to pass, and returns the canonical value. */
static json_t *ok_with(struct ctx *c, const char *field, json_t *v)
{
    json_t *out = run(c, with(field, v));
    if (!out) {
        for (int i = 0; i < c->errs.n; i++)
            fprintf(stderr, "unexpected error: %s: %s\n", c->errs.e[i].field, c->errs.e[i].message);
        fail_msg("%s should be accepted", field);
    }
    return json_object_get(out, field);
}

/* Expects the minimal input with field = v to fail with an error on that field only. */
static void bad_with(struct ctx *c, const char *field, json_t *v)
{
    char *dump = json_dumps(v, JSON_ENCODE_ANY);
    json_t *out = run(c, with(field, v));
    if (out)
        fail_msg("%s = %s should be refused", field, dump);
    free(dump);
    assert_non_null(validate_error_for(&c->errs, field));
    assert_int_equal(c->errs.n, 1);
}

static const char *str_of(json_t *out, const char *field)
{
    json_t *v = json_object_get(out, field);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void test_minimal_canonical(void **state)
{
    struct ctx *c = *state;
    json_t *out = run(c, minimal());
    assert_non_null(out);
    /* Every field of the kind is present, in canonical form. */
    assert_int_equal(json_object_size(out), c->k->nfields);
    for (size_t i = 0; i < c->k->nfields; i++)
        assert_non_null(json_object_get(out, c->k->fields[i].name));
    assert_string_equal(str_of(out, "title"), "Repair café");
    assert_string_equal(str_of(out, "summary"), "Réparer ensemble plutôt que jeter.");
    assert_string_equal(str_of(out, "description"), "Un **samedi** par mois.");
    assert_string_equal(str_of(out, "commune"), "29019");
    json_t *themes = json_object_get(out, "themes");
    assert_true(json_is_array(themes));
    assert_int_equal(json_array_size(themes), 1);
    assert_string_equal(json_string_value(json_array_get(themes, 0)), "solidarite");
    assert_true(json_is_null(json_object_get(out, "point")));
    assert_true(json_is_null(json_object_get(out, "start_year")));
    assert_string_equal(str_of(out, "license"), "CC-BY-SA-4.0");
    assert_string_equal(str_of(out, "status"), "en-cours");
    const char *empty[] = {"holders",          "website",   "how_it_works", "needs",
                           "how_to_reproduce", "strengths", "difficulties", "contacts"};
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
        assert_string_equal(str_of(out, empty[i]), "");

    /* The canonical output validates to itself (what the API returns can be sent back). */
    json_t *again = json_deep_copy(out);
    json_t *copy = json_deep_copy(out);
    assert_non_null(run_opt(c, again, true));
    assert_true(json_equal(c->out, copy));
    json_decref(copy);
}

static void test_required(void **state)
{
    struct ctx *c = *state;
    assert_null(run(c, json_object()));
    const char *required[] = {"title", "summary", "description", "themes", "commune"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        assert_non_null(validate_error_for(&c->errs, required[i]));
    /* Fields with a default are not missing. */
    assert_null(validate_error_for(&c->errs, "status"));
    assert_null(validate_error_for(&c->errs, "license"));
    assert_null(validate_error_for(&c->errs, "point"));
    assert_int_equal(c->errs.n, 5);

    /* One at a time, and whitespace or empty values count as missing. */
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        bad_with(c, required[i], NULL);
        bad_with(c, required[i], json_string("   \n\t "));
        bad_with(c, required[i], json_null());
    }
    bad_with(c, "themes", json_array());
    bad_with(c, "themes", json_pack("[s]", ""));

    /* Two at once. */
    json_t *in = minimal();
    json_object_del(in, "title");
    json_object_set_new(in, "commune", json_string(""));
    assert_null(run(c, in));
    assert_int_equal(c->errs.n, 2);
    assert_non_null(validate_error_for(&c->errs, "title"));
    assert_non_null(validate_error_for(&c->errs, "commune"));
    assert_null(validate_error_for(&c->errs, "summary"));

    /* Not an object at all. */
    assert_null(run(c, json_pack("[s]", "title")));
    assert_non_null(validate_error_for(&c->errs, "_"));
    assert_null(run(c, json_string("x")));
    assert_non_null(validate_error_for(&c->errs, "_"));
}

static json_t *repeat(const char *unit, int n)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++)
        buf_puts(&b, unit);
    json_t *s = json_string(buf_cstr(&b));
    buf_free(&b);
    return s;
}

static void test_lengths(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(json_string_length(ok_with(c, "summary", repeat("a", 300))), 300);
    bad_with(c, "summary", repeat("a", 301));
    /* Characters, not bytes: 300 "é" are 600 bytes. */
    assert_int_equal(json_string_length(ok_with(c, "summary", repeat("é", 300))), 600);
    bad_with(c, "summary", repeat("é", 301));
    assert_non_null(ok_with(c, "summary", repeat("😀", 300)));
    /* Whitespace around does not count. */
    struct buf b = BUF_INIT;
    buf_puts(&b, "  ");
    for (int i = 0; i < 300; i++)
        buf_putc(&b, 'a');
    buf_puts(&b, "\n ");
    assert_int_equal(json_string_length(ok_with(c, "summary", json_string(buf_cstr(&b)))), 300);
    buf_free(&b);

    assert_non_null(ok_with(c, "title", repeat("t", 120)));
    bad_with(c, "title", repeat("t", 121));
    assert_non_null(ok_with(c, "description", repeat("d", 20000)));
    bad_with(c, "description", repeat("d", 20001));
    assert_non_null(ok_with(c, "contacts", repeat("c", 2000)));
    bad_with(c, "contacts", repeat("c", 2001));
}

static void test_text_cleaning(void **state)
{
    struct ctx *c = *state;
    assert_string_equal(json_string_value(ok_with(c, "title", json_string("  \t Repair café \n "))),
                        "Repair café");
    /* One-line fields: newlines and tabs become spaces. */
    assert_string_equal(json_string_value(ok_with(c, "title", json_string("Un\ntitre"))),
                        "Un titre");
    assert_string_equal(json_string_value(ok_with(c, "title", json_string("Un\r\ntitre\tici"))),
                        "Un titre ici");
    assert_string_equal(json_string_value(ok_with(c, "holders", json_string(" Asso A\nAsso B "))),
                        "Asso A Asso B");
    /* Markdown keeps its lines, with \r\n and lone \r normalised to \n. */
    assert_string_equal(json_string_value(ok_with(c, "description",
                                                  json_string("  # Titre\r\n\r\n- un\r- deux\n"))),
                        "# Titre\n\n- un\n- deux");
    assert_string_equal(json_string_value(ok_with(c, "needs", json_string("a\n\n\tb"))),
                        "a\n\n\tb");
    /* Markup is kept as text: escaping is the renderer's job. */
    assert_string_equal(json_string_value(ok_with(c, "title", json_string("<b>A & B</b>"))),
                        "<b>A & B</b>");
}

static void test_url(void **state)
{
    struct ctx *c = *state;
    assert_true(validate_url("https://example.org"));
    assert_true(validate_url("http://example.org/chemin?a=1&b=2#ancre"));
    assert_true(validate_url("HTTPS://Example.org"));
    assert_true(validate_url("https://exemple.fr/café"));
    assert_false(validate_url("javascript:alert(1)"));
    assert_false(validate_url("JaVaScRiPt:alert(1)"));
    assert_false(validate_url("data:text/html,<script>"));
    assert_false(validate_url("ftp://example.org"));
    assert_false(validate_url("https://"));
    assert_false(validate_url("http://"));
    assert_false(validate_url("http:// space.org"));
    assert_false(validate_url("https://exa mple.org"));
    assert_false(validate_url("https:///chemin"));
    assert_false(validate_url("//x.org"));
    assert_false(validate_url("x.org"));
    assert_false(validate_url("https://x.org/\"onmouseover=\""));
    assert_false(validate_url("https://x.org/<script>"));
    assert_false(validate_url("https://x.org/\ttab"));
    assert_false(validate_url(""));

    assert_string_equal(json_string_value(ok_with(c, "website", json_string("https://x.org"))),
                        "https://x.org");
    assert_string_equal(json_string_value(ok_with(c, "website", json_string(" http://x.org/a "))),
                        "http://x.org/a");
    assert_string_equal(json_string_value(ok_with(c, "website", json_string(""))), "");
    const char *bad[] = {"javascript:alert(1)",
                         "JaVaScRiPt:alert(1)",
                         "ftp://x.org",
                         "https://",
                         "http:// space",
                         "//x.org",
                         "x.org",
                         "mailto:a@b.c"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        bad_with(c, "website", json_string(bad[i]));
}

static void test_themes(void **state)
{
    struct ctx *c = *state;
    /* A form sends a single value as a string: a one-item list. */
    json_t *t = ok_with(c, "themes", json_string("numerique"));
    assert_int_equal(json_array_size(t), 1);
    assert_string_equal(json_string_value(json_array_get(t, 0)), "numerique");

    /* Duplicates removed, order kept, empty items skipped. */
    t = ok_with(c, "themes",
                json_pack("[s,s,s,s]", "documentation", "numerique", "", "documentation"));
    assert_int_equal(json_array_size(t), 2);
    assert_string_equal(json_string_value(json_array_get(t, 0)), "documentation");
    assert_string_equal(json_string_value(json_array_get(t, 1)), "numerique");

    t = ok_with(
        c, "themes",
        json_pack("[s,s,s,s,s]", "numerique", "solidarite", "documentation", "ess", "culture"));
    assert_int_equal(json_array_size(t), 5);
    /* Six distinct themes is one too many, but six with a duplicate are five. */
    bad_with(c, "themes",
             json_pack("[s,s,s,s,s,s]", "numerique", "solidarite", "documentation", "ess",
                       "culture", "sante"));
    t = ok_with(c, "themes",
                json_pack("[s,s,s,s,s,s]", "numerique", "solidarite", "documentation", "ess",
                          "culture", "numerique"));
    assert_int_equal(json_array_size(t), 5);

    bad_with(c, "themes", json_string("inconnu"));
    bad_with(c, "themes", json_pack("[s,s]", "numerique", "Numerique"));
    bad_with(c, "themes", json_pack("[s,i]", "numerique", 3));
    bad_with(c, "themes", json_pack("[s,n]", "numerique"));
    bad_with(c, "themes", json_pack("[[s]]", "numerique"));
    bad_with(c, "themes", json_integer(1));
    bad_with(c, "themes", json_pack("{s:s}", "id", "numerique"));
    /* A huge unknown id is refused without echoing it back. */
    json_t *huge = repeat("x", 5000);
    bad_with(c, "themes", huge);
    assert_true(strlen(validate_error_for(&c->errs, "themes")) < 200);
}

static void test_commune(void **state)
{
    struct ctx *c = *state;
    assert_string_equal(json_string_value(ok_with(c, "commune", json_string(" 29177 "))), "29177");
    bad_with(c, "commune", json_string("99999"));
    bad_with(c, "commune", json_string("Brest"));
    bad_with(c, "commune", json_string("2901"));
    bad_with(c, "commune", json_integer(29019));
}

static void point_is(struct ctx *c, json_t *v, double lat, double lon)
{
    json_t *p = ok_with(c, "point", v);
    assert_true(json_is_object(p));
    assert_int_equal(json_object_size(p), 2);
    assert_true(json_is_real(json_object_get(p, "lat")));
    assert_true(json_is_real(json_object_get(p, "lon")));
    assert_true(fabs(json_real_value(json_object_get(p, "lat")) - lat) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(p, "lon")) - lon) < 1e-9);
}

static void test_point(void **state)
{
    struct ctx *c = *state;
    point_is(c, json_pack("{s:f,s:f}", "lat", 48.39, "lon", -4.49), 48.39, -4.49);
    point_is(c, json_pack("{s:i,s:i}", "lat", 48, "lon", -4), 48, -4);
    /* Forms send strings. */
    point_is(c, json_pack("{s:s,s:s}", "lat", "48.39", "lon", " -4.49 "), 48.39, -4.49);
    point_is(c, json_pack("{s:s,s:s}", "lat", "4.839e1", "lon", "+0"), 48.39, 0);
    /* Rounded to 6 decimals (about 10 cm). */
    point_is(c, json_pack("{s:f,s:f}", "lat", 48.3912345678, "lon", -4.4987654321), 48.391235,
             -4.498765);
    point_is(c, json_pack("{s:i,s:i}", "lat", 90, "lon", -180), 90, -180);

    /* Nothing given: no point. */
    assert_true(json_is_null(ok_with(c, "point", json_pack("{s:s,s:s}", "lat", "", "lon", ""))));
    assert_true(json_is_null(ok_with(c, "point", json_pack("{s:s,s:s}", "lat", " ", "lon", ""))));
    assert_true(json_is_null(ok_with(c, "point", json_null())));
    assert_true(json_is_null(ok_with(c, "point", json_object())));
    assert_true(json_is_null(ok_with(c, "point", json_string(""))));

    bad_with(c, "point", json_pack("{s:f}", "lat", 48.39));
    bad_with(c, "point", json_pack("{s:s,s:s}", "lat", "48.39", "lon", ""));
    bad_with(c, "point", json_pack("{s:s,s:s}", "lat", "", "lon", "-4.49"));
    bad_with(c, "point", json_pack("{s:i,s:i}", "lat", 91, "lon", 0));
    bad_with(c, "point", json_pack("{s:i,s:i}", "lat", -91, "lon", 0));
    bad_with(c, "point", json_pack("{s:i,s:i}", "lat", 0, "lon", 181));
    bad_with(c, "point", json_pack("{s:i,s:i}", "lat", 0, "lon", -181));
    const char *bad[] = {"0x10",  "0x30",   "nan",      "NaN", "inf", "-inf", "infinity",
                         "1e999", "48,3,9", "48.39abc", "abc", "--1", "4 8"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bad_with(c, "point", json_pack("{s:s,s:s}", "lat", bad[i], "lon", "0"));
        bad_with(c, "point", json_pack("{s:s,s:s}", "lat", "0", "lon", bad[i]));
    }
    /* French decimal commas from forms are numbers. */
    json_t *fr = ok_with(c, "point", json_pack("{s:s,s:s}", "lat", "48,39", "lon", "-4,49"));
    assert_true(fabs(json_real_value(json_object_get(fr, "lat")) - 48.39) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(fr, "lon")) + 4.49) < 1e-9);
    bad_with(c, "point", json_pack("{s:b,s:i}", "lat", 1, "lon", 0));
    bad_with(c, "point", json_pack("{s:[i],s:i}", "lat", 1, "lon", 0));
    bad_with(c, "point", json_string("48.39,-4.49"));
    bad_with(c, "point", json_pack("[f,f]", 48.39, -4.49));
}

static void test_start_year(void **state)
{
    struct ctx *c = *state;
    json_t *y = ok_with(c, "start_year", json_integer(2012));
    assert_true(json_is_integer(y));
    assert_int_equal(json_integer_value(y), 2012);
    y = ok_with(c, "start_year", json_string("2012"));
    assert_true(json_is_integer(y));
    assert_int_equal(json_integer_value(y), 2012);
    y = ok_with(c, "start_year", json_real(2012.0));
    assert_true(json_is_integer(y));
    assert_int_equal(json_integer_value(y), 2012);
    assert_int_equal(json_integer_value(ok_with(c, "start_year", json_string(" 1900 "))), 1900);
    assert_true(json_is_null(ok_with(c, "start_year", json_string(""))));
    assert_true(json_is_null(ok_with(c, "start_year", json_null())));

    bad_with(c, "start_year", json_integer(1800));
    bad_with(c, "start_year", json_integer(1899));
    bad_with(c, "start_year", json_string("20x"));
    bad_with(c, "start_year", json_string("0x7dc"));
    bad_with(c, "start_year", json_real(2012.5));
    bad_with(c, "start_year", json_string("2012.5"));
    bad_with(c, "start_year", json_true());
    bad_with(c, "start_year", json_pack("[i]", 2012));
    /* No further than five years ahead. */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int year = tm.tm_year + 1900;
    assert_int_equal(json_integer_value(ok_with(c, "start_year", json_integer(year + 5))),
                     year + 5);
    bad_with(c, "start_year", json_integer(year + 6));
}

static void test_enums(void **state)
{
    struct ctx *c = *state;
    assert_string_equal(json_string_value(ok_with(c, "status", json_string("terminee"))),
                        "terminee");
    assert_string_equal(json_string_value(ok_with(c, "status", json_string(" idee "))), "idee");
    assert_string_equal(json_string_value(ok_with(c, "status", json_string(""))), "en-cours");
    assert_string_equal(json_string_value(ok_with(c, "license", json_string("CC0-1.0"))),
                        "CC0-1.0");
    assert_string_equal(json_string_value(ok_with(c, "license", json_null())), "CC-BY-SA-4.0");
    bad_with(c, "status", json_string("inconnu"));
    bad_with(c, "status", json_string("Terminée"));
    bad_with(c, "status", json_integer(1));
    bad_with(c, "license", json_string("GPL-3.0"));
}

static void test_wrong_types(void **state)
{
    struct ctx *c = *state;
    bad_with(c, "title", json_integer(42));
    bad_with(c, "title", json_true());
    bad_with(c, "title", json_pack("[s]", "titre"));
    bad_with(c, "summary", json_pack("{s:s}", "a", "b"));
    bad_with(c, "summary", json_object());
    bad_with(c, "description", json_real(1.5));
    bad_with(c, "website", json_pack("{s:s}", "url", "https://x.org"));

    /* Several wrong fields, all reported. */
    json_t *in = minimal();
    json_object_set_new(in, "title", json_integer(1));
    json_object_set_new(in, "summary", json_object());
    json_object_set_new(in, "point", json_integer(3));
    json_object_set_new(in, "start_year", json_string("vingt"));
    assert_null(run(c, in));
    assert_int_equal(c->errs.n, 4);
    assert_non_null(validate_error_for(&c->errs, "title"));
    assert_non_null(validate_error_for(&c->errs, "summary"));
    assert_non_null(validate_error_for(&c->errs, "point"));
    assert_non_null(validate_error_for(&c->errs, "start_year"));
}

static void test_unknown_fields(void **state)
{
    struct ctx *c = *state;
    json_t *in = minimal();
    json_object_set_new(in, "couleur", json_string("bleu"));
    assert_null(run_opt(c, in, true));
    assert_int_equal(c->errs.n, 1);
    assert_non_null(validate_error_for(&c->errs, "couleur"));

    /* Without reject_unknown it is dropped, not copied into the output. */
    in = minimal();
    json_object_set_new(in, "couleur", json_string("bleu"));
    json_object_set_new(in, "id", json_integer(3));
    json_t *out = run_opt(c, in, false);
    assert_non_null(out);
    assert_null(json_object_get(out, "couleur"));
    assert_null(json_object_get(out, "id"));
    assert_int_equal(json_object_size(out), c->k->nfields);

    /* A hostile key name is not echoed as a field name. */
    in = minimal();
    json_t *long_key = repeat("k", 500);
    json_object_set_new(in, json_string_value(long_key), json_null());
    json_decref(long_key);
    assert_null(run_opt(c, in, true));
    assert_non_null(validate_error_for(&c->errs, "_"));
}

static void test_invalid_utf8(void **state)
{
    struct ctx *c = *state;
    bad_with(c, "title", json_stringn_nocheck("caf\xc3", 4));
    bad_with(c, "title", json_stringn_nocheck("\xc0\xaf", 2));
    bad_with(c, "summary", json_stringn_nocheck("\xed\xa0\x80", 3));
    bad_with(c, "description",
             json_stringn_nocheck("a\xff"
                                  "b",
                                  3));
    /* An embedded NUL would silently truncate the text. */
    bad_with(c, "title", json_stringn_nocheck("avant\0après", 12));
    /* Control characters other than tab and newlines. */
    bad_with(c, "title", json_string("bip\x07"));
    bad_with(c, "description", json_string("esc\x1b[31m"));
    bad_with(c, "commune", json_stringn_nocheck("29019\xff", 6));
    bad_with(c, "status", json_stringn_nocheck("idee\xff", 5));
    bad_with(c, "themes", json_pack("[o]", json_stringn_nocheck("num\xff", 4)));
}

static void test_comment(void **state)
{
    struct ctx *c = *state;
    memset(&c->errs, 0, sizeof(c->errs));
    assert_string_equal(validate_comment(c->a, NULL, &c->errs), "");
    assert_string_equal(validate_comment(c->a, "  Coquille corrigée\n ", &c->errs),
                        "Coquille corrigée");
    assert_string_equal(validate_comment(c->a, "ligne 1\nligne 2", &c->errs), "ligne 1 ligne 2");
    json_t *s300 = repeat("é", 300), *s301 = repeat("é", 301), *a301 = repeat("a", 301);
    assert_non_null(validate_comment(c->a, json_string_value(s300), &c->errs));
    assert_int_equal(c->errs.n, 0);
    assert_null(validate_comment(c->a, json_string_value(s301), &c->errs));
    assert_non_null(validate_error_for(&c->errs, "comment"));
    memset(&c->errs, 0, sizeof(c->errs));
    assert_null(validate_comment(c->a, json_string_value(a301), &c->errs));
    assert_non_null(validate_error_for(&c->errs, "comment"));
    memset(&c->errs, 0, sizeof(c->errs));
    assert_null(validate_comment(c->a, "caf\xc3", &c->errs));
    assert_non_null(validate_error_for(&c->errs, "comment"));
    json_decref(s300);
    json_decref(s301);
    json_decref(a301);
}

static void test_error_list(void **state)
{
    (void)state;
    struct field_errors errs = {0};
    assert_null(validate_error_for(&errs, "title"));
    validate_error(&errs, "title", "premier");
    validate_error(&errs, "title", "second");
    assert_string_equal(validate_error_for(&errs, "title"), "premier");
    /* The list is bounded: extra errors are dropped, not written past the end. */
    for (int i = 0; i < VALIDATE_MAX_ERRORS * 2; i++)
        validate_error(&errs, "x", "trop");
    assert_int_equal(errs.n, VALIDATE_MAX_ERRORS);
}

/* A place: the new field types, and the rule that a commune or a point is needed. */
static json_t *place(const char *extra_json)
{
    char text[1024];
    snprintf(text, sizeof text, "{\"title\":\"Cyber-espace\",\"summary\":\"Des postes.\"%s%s}",
             *extra_json ? "," : "", extra_json);
    json_t *in = json_loads(text, 0, NULL);
    assert_non_null(in);
    return in;
}

static void test_place_types(void **state)
{
    struct ctx *c = *state;
    c->k = kind_find("place");
    /* Neither commune nor point: the schema's rule, on the address. */
    assert_null(run(c, place("")));
    assert_non_null(validate_error_for(&c->errs, "address"));
    assert_non_null(run(c, place("\"point\":{\"lat\":48.4,\"lon\":-4.5}")));
    json_t *out = run(c, place("\"address\":{\"street\":\" 2 rue  Jean Jaurès "
                               "\",\"postcode\":\"29200\",\"commune\":\"29019\"}"));
    assert_non_null(out);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "address"), "street")),
        "2 rue  Jean Jaurès");
    static const char *const bad_addresses[] = {
        "\"address\":{\"commune\":\"99999\"}",
        "\"address\":{\"commune\":\"29019\",\"postcode\":\"2920\"}",
        "\"address\":{\"commune\":\"29019\",\"postcode\":\"29a00\"}",
        "\"address\":{\"commune\":29019}",
        "\"address\":\"Brest\"",
        "\"address\":[\"29019\"]",
    };
    for (size_t i = 0; i < sizeof bad_addresses / sizeof bad_addresses[0]; i++) {
        assert_null(run(c, place(bad_addresses[i])));
        assert_non_null(validate_error_for(&c->errs, "address"));
    }
    /* Phone: canonical French form, refusals. */
    out = run(c, place("\"address\":{\"commune\":\"29019\"},\"phone\":\"+33 2 98 00 00 01\""));
    assert_non_null(out);
    assert_string_equal(json_string_value(json_object_get(out, "phone")), "02 98 00 00 01");
    assert_null(run(c, place("\"address\":{\"commune\":\"29019\"},\"phone\":\"appelez-moi\"")));
    assert_non_null(validate_error_for(&c->errs, "phone"));
    /* Hours: typed day texts become ranges; nonsense is refused naming the day. */
    out = run(c, place("\"address\":{\"commune\":\"29019\"},\"opening_hours\":{\"mo\":\"9h-12h, "
                       "14h-18h\",\"tu\":\"\",\"note\":\"\"}"));
    assert_non_null(out);
    json_t *mo = json_object_get(json_object_get(out, "opening_hours"), "mo");
    assert_int_equal(json_array_size(mo), 2);
    assert_null(
        run(c, place("\"address\":{\"commune\":\"29019\"},\"opening_hours\":{\"tu\":\"18h-9h\"}")));
    assert_non_null(strstr(validate_error_for(&c->errs, "opening_hours"), "mardi"));
    /* All days empty is no hours at all. */
    out = run(
        c,
        place("\"address\":{\"commune\":\"29019\"},\"opening_hours\":{\"mo\":\"\",\"note\":\"\"}"));
    assert_non_null(out);
    assert_true(json_is_null(json_object_get(out, "opening_hours")));
    /* Image addresses: https only. */
    assert_null(run(
        c, place("\"address\":{\"commune\":\"29019\"},\"image\":\"http://example.org/a.jpg\"")));
    assert_non_null(validate_error_for(&c->errs, "image"));
}

static void test_relation_shapes(void **state)
{
    struct ctx *c = *state;
    json_t *v = ok_with(c, "carried_by",
                        json_string(" doc-at-brest,infini ;\nhttps://site/acteurs/tiriad "));
    assert_int_equal(json_array_size(v), 3);
    assert_string_equal(json_string_value(json_array_get(v, 2)), "tiriad");
    v = ok_with(c, "carried_by", json_pack("[i, {s:s}]", 12, "slug", "infini"));
    assert_int_equal(json_integer_value(json_array_get(v, 0)), 12);
    assert_string_equal(json_string_value(json_array_get(v, 1)), "infini");
    bad_with(c, "carried_by", json_pack("[s]", "Pas Un Nom"));
    bad_with(c, "carried_by", json_pack("[[s]]", "x"));
    bad_with(c, "carried_by", json_pack("[i]", -3));
    bad_with(c, "carried_by", json_pack("{s:s}", "slug", "x"));
    json_t *many = json_array();
    for (int i = 0; i < 51; i++)
        json_array_append_new(many, json_integer(i + 1));
    bad_with(c, "carried_by", many);
}

static void test_integer_bounds(void **state)
{
    struct ctx *c = *state;
    c->k = kind_find("network");
    json_t *in =
        json_pack("{s:s, s:s, s:s}", "title", "Réseau", "summary", "s", "member_count", "80");
    assert_non_null(run(c, in));
    assert_int_equal(json_integer_value(json_object_get(c->out, "member_count")), 80);
    for (const char *bad = "-1"; bad; bad = strcmp(bad, "-1") == 0        ? "1000001"
                                            : strcmp(bad, "1000001") == 0 ? "8.5"
                                                                          : NULL) {
        in = json_pack("{s:s, s:s, s:s}", "title", "Réseau", "summary", "s", "member_count", bad);
        assert_null(run(c, in));
        assert_non_null(validate_error_for(&c->errs, "member_count"));
    }
}

/* A kind written for the test (no kind of the site has date-times yet): start and end in
 * Europe/Paris, stored as UTC seconds, the end declared after the start. */
static const struct field_def timed_fields[] = {
    {.name = "title", .type = FT_TEXT, .label = "Titre", .section = "main", .required = true},
    {.name = "start", .type = FT_DATETIME, .label = "Début", .section = "main", .required = true},
    {.name = "end", .type = FT_DATETIME, .label = "Fin", .section = "main"},
};
static const struct field_rule timed_rules[] = {
    {RULE_AFTER, "start", "end", "Fin : la fin doit suivre le début"},
};
static const struct kind_def timed_kind = {
    .name = "timed",
    .segment = "timed",
    .label = "essai",
    .title_field = "title",
    .summary_field = "title",
    .fields = timed_fields,
    .nfields = 3,
    .rules = timed_rules,
    .nrules = 1,
};

static void test_datetime_and_rules(void **state)
{
    struct ctx *c = *state;
    c->k = &timed_kind;
    json_t *out = run(c, json_pack("{s:s, s:s, s:s}", "title", "Atelier", "start",
                                   "2026-03-03T18:30", "end", "2026-03-03 20:00"));
    assert_non_null(out);
    /* 18:30 in Paris in March (winter time, UTC+1) is 17:30 UTC. */
    assert_int_equal(json_integer_value(json_object_get(out, "start")), 1772559000);
    assert_int_equal(json_integer_value(json_object_get(out, "end")), 1772564400);
    /* A stored value (UTC seconds) passes as it is: history and revert give those. */
    out = run(c, json_pack("{s:s, s:I, s:I}", "title", "Atelier", "start", (json_int_t)1772559000,
                           "end", (json_int_t)1772564400));
    assert_non_null(out);
    /* The end before the start: the declared rule, on the end. */
    assert_null(run(c, json_pack("{s:s, s:s, s:s}", "title", "Atelier", "start", "2026-03-03T18:30",
                                 "end", "2026-03-03T17:00")));
    assert_string_equal(validate_error_for(&c->errs, "end"), "Fin : la fin doit suivre le début");
    /* A time the spring change skips, and nonsense. */
    assert_null(run(c, json_pack("{s:s, s:s}", "title", "Atelier", "start", "2026-03-29T02:30")));
    assert_non_null(strstr(validate_error_for(&c->errs, "start"), "heure d'été"));
    assert_null(run(c, json_pack("{s:s, s:s}", "title", "Atelier", "start", "demain soir")));
    assert_non_null(validate_error_for(&c->errs, "start"));
    assert_null(run(c, json_pack("{s:s, s:s}", "title", "Atelier", "start", "2026-02-30T10:00")));
    assert_non_null(validate_error_for(&c->errs, "start"));
}

/* Some fields only (a step of the guided path): the others are not looked at, required ones
 * only when asked, the rules between fields once every field they name is among them. */
static void test_some_fields(void **state)
{
    struct ctx *c = *state;
    const char *step[] = {"title", "summary", NULL};
    struct field_errors errs = {0};
    json_t *in = json_pack("{s:s, s:s, s:s}", "title", "  Repair café ", "summary", "Réparer.",
                           "website", "pas une adresse");
    json_t *out = validate_entry_fields(c->a, c->k, &test_territory, in, step, true, &errs);
    assert_non_null(out);
    assert_int_equal(errs.n, 0);
    assert_string_equal(json_string_value(json_object_get(out, "title")), "Repair café");
    assert_null(json_object_get(out, "website")); /* not asked: neither checked nor returned */
    assert_null(json_object_get(out, "description"));
    json_decref(out);
    /* Required: an error going forward, none for a draft kept as it is. */
    json_object_set_new(in, "title", json_string(""));
    assert_null(validate_entry_fields(c->a, c->k, &test_territory, in, step, true, &errs));
    assert_non_null(validate_error_for(&errs, "title"));
    assert_int_equal(errs.n, 1);
    struct field_errors later = {0};
    out = validate_entry_fields(c->a, c->k, &test_territory, in, step, false, &later);
    assert_non_null(out);
    json_decref(out);
    /* Limits and types apply whatever require says. */
    json_object_set_new(in, "title", repeat("x", 121));
    struct field_errors lim = {0};
    assert_null(validate_entry_fields(c->a, c->k, &test_territory, in, step, false, &lim));
    assert_non_null(validate_error_for(&lim, "title"));
    json_decref(in);
    /* A rule between two fields of one step (an event's end after its start). */
    const struct kind_def *ev = kind_find("event");
    const char *when[] = {"start", "end", NULL};
    in = json_pack("{s:s, s:s}", "start", "2027-03-10T18:00", "end", "2027-03-10T17:00");
    struct field_errors rule = {0};
    assert_null(validate_entry_fields(c->a, ev, &test_territory, in, when, true, &rule));
    assert_non_null(validate_error_for(&rule, "end"));
    /* The start alone: the rule names a field not asked, it waits for the whole. */
    const char *start_only[] = {"start", NULL};
    struct field_errors alone = {0};
    out = validate_entry_fields(c->a, ev, &test_territory, in, start_only, true, &alone);
    assert_non_null(out);
    json_decref(out);
    json_decref(in);
    /* No list: refused, not everything. */
    struct field_errors none = {0};
    in = minimal();
    assert_null(validate_entry_fields(c->a, c->k, &test_territory, in, NULL, true, &none));
    json_decref(in);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_minimal_canonical),
        T(test_required),
        T(test_lengths),
        T(test_text_cleaning),
        T(test_url),
        T(test_themes),
        T(test_commune),
        T(test_point),
        T(test_start_year),
        T(test_enums),
        T(test_wrong_types),
        T(test_unknown_fields),
        T(test_invalid_utf8),
        T(test_comment),
        T(test_error_list),
        T(test_place_types),
        T(test_relation_shapes),
        T(test_integer_bounds),
        T(test_datetime_and_rules),
        T(test_some_fields),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
