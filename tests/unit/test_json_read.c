/* test_json_read.c — unit tests for the in-place JSON reader (util/json_read): well-formed text
 * read back exactly as jansson reads it, malformed text refused, and 100,000 random texts of the
 * JSON alphabet accepted or refused exactly as jansson does, each in a buffer of its exact size
 * so that ASan sees any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/json_read.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A copy of s in a buffer of exactly its length, no terminator: reading past it is an error. */
static char *exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    memcpy(p, s, n);
    return p;
}

static bool parses(const char *s)
{
    size_t n = strlen(s);
    char *p = exact(s, n);
    struct json_span v;
    bool ok = json_read_parse(p, n, &v);
    free(p);
    return ok;
}

static void test_read_object(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *text =
        " {\"title\":\"Caf\\u00e9 \\\"r\\u00e9paration\\\"\",\"themes\":[\"a\",\"b\"],"
        "\"point\":{\"lat\":48.378720000000001,\"lon\":-4.5},\"year\":2012,"
        "\"none\":null,\"yes\":true,\"no\":false,\"emoji\":\"\\ud83d\\ude00\","
        "\"k\\u00e9y\":1, \"empty\" : [ ] } ";
    struct json_span doc, v;
    assert_true(json_read_parse(text, strlen(text), &doc));
    assert_int_equal(json_read_kind(doc), JSON_READ_OBJECT);
    assert_true(doc.p[0] == '{' && doc.p[doc.n - 1] == '}');
    assert_true(json_read_get(doc, "title", &v));
    assert_int_equal(json_read_kind(v), JSON_READ_STRING);
    assert_string_equal(json_read_string(a, v), "Café \"réparation\"");
    assert_true(json_read_string_is(v, "Café \"réparation\""));
    assert_false(json_read_string_is(v, "Café"));
    assert_true(json_read_get(doc, "emoji", &v));
    assert_string_equal(json_read_string(a, v), "\xf0\x9f\x98\x80");
    assert_true(json_read_get(doc, "kéy", &v)); /* a key with an escape still matches */
    long long i;
    assert_true(json_read_int(v, &i) && i == 1);
    assert_true(json_read_get(doc, "year", &v));
    assert_true(json_read_int(v, &i) && i == 2012);
    assert_true(json_read_get(doc, "point", &v));
    struct json_span lat;
    double d;
    assert_true(json_read_get(v, "lat", &lat));
    assert_false(json_read_int(lat, &i));
    assert_true(json_read_double(lat, &d) && d == 48.378720000000001);
    assert_true(json_read_get(doc, "none", &v) && json_read_kind(v) == JSON_READ_NULL);
    assert_true(json_read_get(doc, "yes", &v) && json_read_kind(v) == JSON_READ_TRUE);
    assert_true(json_read_get(doc, "no", &v) && json_read_kind(v) == JSON_READ_FALSE);
    assert_null(json_read_string(a, v));
    assert_false(json_read_get(doc, "absent", &v));
    assert_false(json_read_get(doc, "titl", &v));

    assert_true(json_read_get(doc, "themes", &v));
    struct json_read_iter it;
    struct json_span item;
    assert_true(json_read_array(v, &it));
    assert_true(json_read_next_item(&it, &item));
    assert_string_equal(json_read_string(a, item), "a");
    assert_true(json_read_next_item(&it, &item));
    assert_string_equal(json_read_string(a, item), "b");
    assert_false(json_read_next_item(&it, &item));
    assert_false(it.failed);
    assert_true(json_read_get(doc, "empty", &v));
    assert_true(json_read_array(v, &it));
    assert_false(json_read_next_item(&it, &item));
    assert_false(it.failed);
    /* Iterating a non-array, or reading a member of a non-object, fails cleanly. */
    assert_false(json_read_object(item, &it));
    assert_false(json_read_get(v, "x", &item));

    /* Members in order, keys raw. */
    assert_true(json_read_object(doc, &it));
    struct json_span k;
    int n = 0;
    while (json_read_next_member(&it, &k, &v))
        n++;
    assert_false(it.failed);
    assert_int_equal(n, 10);
    arena_free(a);
}

static void test_read_numbers(void **state)
{
    (void)state;
    static const char *good[] = {"0",   "-0",   "12",   "-12",     "1.5",
                                 "1e5", "1E+5", "1e-5", "-0.25e3", "123456789012345678"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(parses(good[i]));
    static const char *bad[] = {"-",  "01",   "1.",    ".5",  "1e",       "1e+",
                                "+1", "0x10", "1.5.5", "--1", "Infinity", "NaN"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(parses(bad[i]));
    struct json_span v;
    long long x;
    assert_true(json_read_parse("9223372036854775807", 19, &v) && json_read_int(v, &x));
    assert_true(x == 9223372036854775807LL);
    assert_true(json_read_parse("9223372036854775808", 19, &v));
    assert_false(json_read_int(v, &x)); /* too big for a long long: refused, not wrapped */
}

static void test_read_malformed(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",          " ",           "{",          "}",        "[",          "]",
        "{\"a\"}",   "{\"a\":}",    "{\"a\" 1}",  "{a:1}",    "{\"a\":1,}", "[1,]",
        "[,1]",      "[1 2]",       "{\"a\":1",   "\"abc",    "\"a\\\"",    "\"\\x\"",
        "\"\\u12\"", "\"\\u12g4\"", "\"a\nb\"",   "tru",      "nul",        "falsey",
        "[1]]",      "{} {}",       "{\"a\":1}x", "[\"a\",]", "{,}",        "{\"a\":1,,\"b\":2}",
        "'a'",       "[01]",        "{\"a\":[}",  "\"\\",     "[\"\\u00\"]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parses(bad[i]))
            fail_msg("accepted malformed %s", bad[i]);
    }
    /* Depth is bounded: 64 nested arrays are read, 65 are refused (no deep recursion). */
    char deep[200];
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    struct json_span v;
    assert_true(json_read_parse(deep, 128, &v));
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    assert_false(json_read_parse(deep, 130, &v));
    /* Strings: well-formed escapes that decode to nothing valid are refused when decoded. */
    struct arena *a = arena_new();
    static const char *undecodable[] = {"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
                                        "\"\\u0000\""};
    for (size_t i = 0; i < sizeof undecodable / sizeof undecodable[0]; i++) {
        assert_true(json_read_parse(undecodable[i], strlen(undecodable[i]), &v));
        assert_null(json_read_string(a, v));
    }
    /* An iterator over a span that was never checked stops at the first fault. */
    const char *broken = "{\"a\":1,\"b\":[1,2,\"c\":3}";
    struct json_read_iter it;
    struct json_span k;
    assert_true(json_read_object((struct json_span){broken, strlen(broken)}, &it));
    assert_true(json_read_next_member(&it, &k, &v));
    assert_false(json_read_next_member(&it, &k, &v));
    assert_true(it.failed);
    arena_free(a);
}

/* Every proper prefix of an object is malformed, and reading one never goes past its end. */
static void test_read_prefixes(void **state)
{
    (void)state;
    const char *text = "{\"title\":\"R\\u00e9seau \\\"x\\\"\",\"point\":{\"lat\":48.5,\"lon\":-4},"
                       "\"themes\":[\"a\",\"b\"],\"year\":2012,\"ok\":true,\"no\":null}";
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++) {
        char *p = exact(text, i);
        struct json_span v;
        assert_false(json_read_parse(p, i, &v));
        /* Iterating the truncated object member by member ends or fails, never overreads. */
        struct json_read_iter it;
        struct json_span key, val;
        if (i >= 2 && json_read_object((struct json_span){p, i}, &it))
            while (json_read_next_member(&it, &key, &val))
                ;
        free(p);
    }
    assert_true(parses(text));
}

/* A quote, a backslash or a control character at every offset of a long string (and UTF-8
 * bytes around it) is found where it is: the reader skips eight bytes at a time and must stop
 * on the very byte, not before or after it. */
static void test_read_string_stops(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *specials[] = {"\\\"", "\\n", "\x01", "\"", "é"};
    for (size_t which = 0; which < sizeof specials / sizeof *specials; which++)
        for (size_t at = 0; at < 24; at++) {
            char text[96];
            size_t n = 0;
            text[n++] = '"';
            for (size_t i = 0; i < at; i++) {
                if (i % 3) {
                    text[n++] = 'a';
                } else { /* é, two bytes with the high bit set */
                    text[n++] = (char)0xC3;
                    text[n++] = (char)0xA9;
                }
            }
            size_t sl = strlen(specials[which]);
            memcpy(text + n, specials[which], sl);
            n += sl;
            for (size_t i = 0; i < 9; i++)
                text[n++] = 'z';
            text[n++] = '"';
            char *p = exact(text, n);
            struct json_span v;
            bool ok = json_read_parse(p, n, &v);
            /* A control character or a lone quote inside makes the text malformed. */
            bool want = which != 2 && which != 3;
            assert_int_equal(ok, want);
            if (ok) {
                const char *s = json_read_string(a, v);
                assert_non_null(s);
                json_error_t err;
                json_t *j = json_loadb(p, n, JSON_DECODE_ANY, &err);
                assert_non_null(j);
                assert_string_equal(s, json_string_value(j));
                json_decref(j);
            }
            free(p);
        }
    arena_free(a);
}

/* What jansson writes, the reader reads back to the same values. */
static void test_read_matches_jansson(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    json_t *o = json_pack("{s:s, s:s, s:[s,s], s:{s:f, s:f}, s:i, s:n}", "title",
                          "Réseau «\u202fDoc\u202f» \"quoted\" \\ back\tslash\n\x01", "summary",
                          "😀 émoji", "themes", "numerique", "transition", "point", "lat", 48.37872,
                          "lon", -4.49754, "start_year", 2012, "none");
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    struct json_span doc, v;
    assert_true(json_read_parse(text, strlen(text), &doc));
    const char *key;
    json_t *jv;
    json_object_foreach(o, key, jv)
    {
        assert_true(json_read_get(doc, key, &v));
        char *want = json_dumps(jv, JSON_COMPACT | JSON_ENCODE_ANY);
        /* The span is the very text jansson wrote for the value. */
        assert_int_equal(v.n, strlen(want));
        assert_memory_equal(v.p, want, v.n);
        free(want);
        if (json_is_string(jv))
            assert_string_equal(json_read_string(a, v), json_string_value(jv));
        if (json_is_real(jv)) {
            double d;
            assert_true(json_read_double(v, &d));
            assert_true(d == json_real_value(jv));
        }
    }
    free(text);
    json_decref(o);
    arena_free(a);
}

/* Random texts over JSON's structural alphabet: accepted exactly when jansson accepts them
 * (numbers too big for jansson, and depths past ours, are left out of the comparison). */
static void test_read_random(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]\",: \\u0123456789.eE+-tfnrlsabc";
    static const char *seeds[] = {"{\"a\":[1,2.5,{\"b\":\"c\\u0041\"}],\"t\":true,\"n\":null}",
                                  "[\"x\",-0.5e3,false,{}]", "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\""};
    unsigned long long seed = 0x9e3779b97f4a7c15ULL;
    char buf[128];
    int agreed = 0;
    for (int round = 0; round < 100000; round++) {
        const char *base = seeds[round % 3];
        size_t n = strlen(base);
        memcpy(buf, base, n);
        int edits = 1 + (int)(seed % 4);
        for (int e = 0; e < edits; e++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t pos = (size_t)(seed >> 33) % (n + 1);
            char c = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
            int op = (int)((seed >> 10) % 3);
            if (op == 0 && pos < n) /* replace */
                buf[pos] = c;
            else if (op == 1 && n < sizeof buf - 1) { /* insert */
                memmove(buf + pos + 1, buf + pos, n - pos);
                buf[pos] = c;
                n++;
            } else if (pos < n) { /* delete */
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            }
        }
        char *p = exact(buf, n);
        struct json_span v;
        bool ours = json_read_parse(p, n, &v);
        json_error_t err;
        json_t *j = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
        bool theirs = j != NULL;
        json_decref(j);
        bool comparable = !strstr(err.text, "too big") && !strstr(err.text, "overflow") &&
                          !strstr(err.text, "surrogate") && !strstr(err.text, "Unicode");
        if (theirs || comparable) {
            if (ours != theirs)
                fail_msg("%.*s: ours %d, jansson %d (%s)", (int)n, p, ours, theirs,
                         theirs ? "" : err.text);
            agreed++;
        }
        /* Whatever was accepted can be walked to the end without a fault. */
        if (ours && json_read_kind(v) == JSON_READ_OBJECT) {
            struct json_read_iter it;
            struct json_span key, val;
            assert_true(json_read_object(v, &it));
            while (json_read_next_member(&it, &key, &val))
                ;
            assert_false(it.failed);
        }
        free(p);
    }
    assert_true(agreed > 90000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_object),          cmocka_unit_test(test_read_numbers),
        cmocka_unit_test(test_read_malformed),       cmocka_unit_test(test_read_prefixes),
        cmocka_unit_test(test_read_matches_jansson), cmocka_unit_test(test_read_random),
        cmocka_unit_test(test_read_string_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
