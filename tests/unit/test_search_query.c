/* test_search_query.c — unit tests for the search query language (core/search_query.c): each
 * rule, hostile inputs, and the canonical text parsing back to the same query. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/search.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct arena *ar;

static int sq_setup(void **state)
{
    (void)state;
    ar = arena_new();
    return 0;
}

static int sq_teardown(void **state)
{
    (void)state;
    arena_free(ar);
    ar = NULL;
    return 0;
}

/* What every parsed query keeps, whatever the input. */
static void sq_check_invariants(const struct search_query *q, bool as_you_type)
{
    assert_true(q->n >= 0 && q->n <= SEARCH_MAX_CLAUSES);
    for (int i = 0; i < q->n; i++) {
        const struct search_clause *c = &q->clauses[i];
        assert_true(c->nwords >= 1 && c->nwords <= SEARCH_MAX_PHRASE);
        assert_int_equal(c->phrase, c->nwords > 1);
        for (int k = 0; k < c->nwords; k++) {
            const char *w = c->words[k];
            size_t n = strlen(w);
            assert_true(n > 0 && n <= SEARCH_MAX_WORD);
            assert_true(utf8_valid(w, n));
            assert_int_not_equal(w[0], '-');
            for (size_t j = 0; j < n; j++)
                assert_true((unsigned char)w[j] > 0x20 && w[j] != 0x7f && w[j] != '"' &&
                            w[j] != '|');
        }
        if (c->or_next) {
            assert_true(i + 1 < q->n);
            assert_false(c->negated);
            assert_false(q->clauses[i + 1].negated);
        }
        if (c->prefix) {
            assert_true(as_you_type);
            assert_int_equal(i, q->n - 1);
            assert_false(c->phrase);
            assert_false(c->negated);
        }
    }
}

/* a and b are the same query, prefixes aside (the canonical text does not carry them). */
static void sq_assert_same(const struct search_query *a, const struct search_query *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        const struct search_clause *x = &a->clauses[i], *y = &b->clauses[i];
        assert_int_equal(x->nwords, y->nwords);
        assert_int_equal(x->phrase, y->phrase);
        assert_int_equal(x->negated, y->negated);
        assert_int_equal(x->or_next, y->or_next);
        for (int k = 0; k < x->nwords; k++)
            assert_string_equal(x->words[k], y->words[k]);
    }
}

/* Parses s[0..len), checks the invariants and that the canonical text parses back the same. */
static struct search_query sq_parse_n(const char *s, size_t len, bool as_you_type)
{
    struct search_query q, back;
    search_query_parse(ar, s, len, as_you_type, &q);
    sq_check_invariants(&q, as_you_type);
    const char *t = search_query_text(ar, &q);
    assert_true(strlen(t) <= SEARCH_MAX_QUERY);
    search_query_parse(ar, t, strlen(t), false, &back);
    sq_assert_same(&q, &back);
    assert_string_equal(search_query_text(ar, &back), t);
    return q;
}

static struct search_query sq_parse(const char *s)
{
    return sq_parse_n(s, strlen(s), false);
}

static struct search_query sq_type(const char *s)
{
    return sq_parse_n(s, strlen(s), true);
}

static const char *sq_canon(const char *s)
{
    struct search_query q = sq_parse(s);
    return search_query_text(ar, &q);
}

#define ASSERT_CANON(in, out) assert_string_equal(sq_canon(in), out)

static void test_words(void **state)
{
    (void)state;
    struct search_query q = sq_parse("  jardin   partagé\tBrest\r\n");
    assert_int_equal(q.n, 3);
    assert_string_equal(q.clauses[1].words[0], "partagé");
    assert_false(q.clauses[1].phrase || q.clauses[1].negated || q.clauses[1].or_next);
    ASSERT_CANON("  jardin   partagé\tBrest\r\n", "jardin partagé Brest");
    ASSERT_CANON("", "");
    ASSERT_CANON("   \t\n", "");
    q = sq_parse_n(NULL, 0, true);
    assert_int_equal(q.n, 0);
}

static void test_unicode_spaces(void **state)
{
    (void)state;
    /* no-break, narrow no-break, thin, em, ideographic spaces, line separator */
    ASSERT_CANON("a\u00a0b\u202fc\u2009d\u2003e\u3000f\u2000g\u200ah\u2028i", "a b c d e f g h i");
    /* invisible characters pasted along */
    ASSERT_CANON("a\u200bb\ufeffc\u202ed\u2066e", "a b c d e");
    /* the joiners and soft hyphen stay inside words */
    ASSERT_CANON("a\u200db", "a\u200db");
    ASSERT_CANON("vé\u00adlo", "vé\u00adlo");
}

static void test_controls_and_nul(void **state)
{
    (void)state;
    struct search_query q = sq_parse_n("vélo\0cargo", 11, false);
    assert_int_equal(q.n, 2);
    assert_string_equal(q.clauses[1].words[0], "cargo");
    ASSERT_CANON("a\x01"
                 "b\x1f"
                 "c\x7f"
                 "d\x1b[31me",
                 "a b c d [31me");
    ASSERT_CANON("a\xc2\x85"
                 "b\xc2\x9f"
                 "c",
                 "a b c"); /* C1 controls */
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    ASSERT_CANON("vé\xfflo", "vé lo");
    ASSERT_CANON("a\xc0\xaf"
                 "b",
                 "a b"); /* overlong "/" */
    ASSERT_CANON("a\xed\xa0\x80"
                 "b",
                 "a b"); /* surrogate */
    ASSERT_CANON("a\xf4\x90\x80\x80"
                 "b",
                 "a b"); /* past U+10FFFF */
    ASSERT_CANON("a\x80\xbf"
                 "b",
                 "a b");                /* lone continuations */
    ASSERT_CANON("abc\xe2\x82", "abc"); /* cut short at the end */
    ASSERT_CANON("\xe2\x82"
                 "abc",
                 "abc");                                            /* lead byte then ASCII */
    ASSERT_CANON("\xf0\x9f\x9a\xb2 vélo", "\xf0\x9f\x9a\xb2 vélo"); /* an emoji is a word */
}

static void test_query_cut(void **state)
{
    (void)state;
    char buf[SEARCH_MAX_QUERY + 20];
    memset(buf, ' ', sizeof buf);
    buf[sizeof buf - 1] = '\0';
    memcpy(buf + SEARCH_MAX_QUERY - 5, "abcdefghij", 10);
    ASSERT_CANON(buf, "abcde");
    /* a character across the limit is not read */
    memset(buf, ' ', sizeof buf);
    memcpy(buf + SEARCH_MAX_QUERY - 2, "é", 2);
    buf[SEARCH_MAX_QUERY] = '\0';
    ASSERT_CANON(buf, "é");
    memset(buf, ' ', sizeof buf);
    memcpy(buf + SEARCH_MAX_QUERY - 1, "éz", 3);
    buf[SEARCH_MAX_QUERY + 2] = '\0';
    ASSERT_CANON(buf, "");
    /* an unbalanced quote and a word cut by the limit */
    memset(buf, ' ', sizeof buf);
    memcpy(buf + SEARCH_MAX_QUERY - 6, "\"a bcdefgh\"", 11);
    struct search_query q = sq_parse_n(buf, sizeof buf, true);
    assert_int_equal(q.n, 1);
    assert_true(q.clauses[0].phrase);
    assert_string_equal(q.clauses[0].words[1], "bcd");
}

static void test_word_cut(void **state)
{
    (void)state;
    char in[200], out[200];
    memset(in, 'a', 70);
    in[70] = '\0';
    memset(out, 'a', SEARCH_MAX_WORD);
    out[SEARCH_MAX_WORD] = '\0';
    ASSERT_CANON(in, out);
    /* a character that would end past the limit is left out, with the rest of the word */
    memset(in, 'a', 63);
    strcpy(in + 63, "ébc next");
    memset(out, 'a', 63);
    strcpy(out + 63, " next");
    ASSERT_CANON(in, out);
    memset(in, 'a', 62);
    strcpy(in + 62, "é");
    ASSERT_CANON(in, in);
    /* leading dashes do not count */
    in[0] = '-';
    in[1] = '-';
    memset(in + 2, 'b', 64);
    strcpy(in + 66, "c");
    struct search_query q = sq_parse(in);
    assert_true(q.clauses[0].negated);
    assert_int_equal(strlen(q.clauses[0].words[0]), 64);
}

static void test_phrases(void **state)
{
    (void)state;
    struct search_query q = sq_parse("\"jardin partagé\" Brest");
    assert_int_equal(q.n, 2);
    assert_true(q.clauses[0].phrase);
    assert_int_equal(q.clauses[0].nwords, 2);
    assert_string_equal(q.clauses[0].words[1], "partagé");
    assert_false(q.clauses[1].phrase);
    ASSERT_CANON("«\u202fjardin partagé\u202f»", "\"jardin partagé\"");
    ASSERT_CANON("“jardin partagé”", "\"jardin partagé\"");
    ASSERT_CANON("”jardin partagé”", "\"jardin partagé\"");
    ASSERT_CANON("»jardin partagé«", "\"jardin partagé\"");
    ASSERT_CANON("\"le « vélo » rouge\"", "\"le vélo rouge\""); /* quotes inside a phrase */
    ASSERT_CANON("«a \"b\" c» d", "\"a b c\" d");
    ASSERT_CANON("a\"b c\"d", "a \"b c\" d");
    /* one word in quotes is a word */
    q = sq_parse("\"vélo\"");
    assert_int_equal(q.n, 1);
    assert_false(q.clauses[0].phrase);
    assert_int_equal(q.clauses[0].nwords, 1);
    /* empty quotes give nothing */
    ASSERT_CANON("\"\" a «  » “”", "a");
    /* extra words of a phrase are dropped */
    ASSERT_CANON("\"1 2 3 4 5 6 7 8 9 10 11 12 13 14\" z", "\"1 2 3 4 5 6 7 8 9 10 11 12\" z");
    /* dashes and bars inside a phrase are no operators */
    ASSERT_CANON("\"tiers-lieu - -numérique | OR ou\"", "\"tiers-lieu numérique OR ou\"");
}

static void test_unbalanced_quotes(void **state)
{
    (void)state;
    ASSERT_CANON("\"jardin partagé", "\"jardin partagé\"");
    ASSERT_CANON("a \"b", "a b");
    ASSERT_CANON("a \"", "a");
    ASSERT_CANON("\"a\" \"b c", "a \"b c\"");
    ASSERT_CANON("«a \"b c", "\"a b c\""); /* " does not close « */
    ASSERT_CANON("\"\"\"", "");
    ASSERT_CANON("\"\"\"a b", "\"a b\"");
}

static void test_negation(void **state)
{
    (void)state;
    struct search_query q = sq_parse("vélo -électrique");
    assert_int_equal(q.n, 2);
    assert_true(q.clauses[1].negated);
    assert_string_equal(q.clauses[1].words[0], "électrique");
    q = sq_parse("-\"jardin partagé\"");
    assert_int_equal(q.n, 1);
    assert_true(q.clauses[0].negated && q.clauses[0].phrase);
    ASSERT_CANON("--vélo", "-vélo");
    ASSERT_CANON("---«jardin partagé»", "-\"jardin partagé\"");
    ASSERT_CANON("-\"vélo\"", "-vélo");
    ASSERT_CANON("- vélo", "vélo");
    ASSERT_CANON("vélo -", "vélo");
    ASSERT_CANON("- -- ---", "");
    ASSERT_CANON("- \"a b\"", "\"a b\"");
    ASSERT_CANON("-\"\" a", "a");
    ASSERT_CANON("-\"", "");
    ASSERT_CANON("tiers-lieu vélo-", "tiers-lieu vélo-");
    ASSERT_CANON("a-\"b c\"", "a- \"b c\"");
    ASSERT_CANON("-|a", "a");
    q = sq_parse("-a -b");
    assert_false(search_query_positive(&q));
}

static void test_or(void **state)
{
    (void)state;
    struct search_query q = sq_parse("vélo OR trottinette cargo");
    assert_int_equal(q.n, 3);
    assert_true(q.clauses[0].or_next);
    assert_false(q.clauses[1].or_next);
    ASSERT_CANON("a OU b", "a OR b");
    ASSERT_CANON("a | b", "a OR b");
    ASSERT_CANON("a|b||c", "a OR b OR c");
    ASSERT_CANON("a OR \"b c\"", "a OR \"b c\"");
    ASSERT_CANON("a OR\"b c\"", "a OR \"b c\"");
    ASSERT_CANON("OR a", "a");
    ASSERT_CANON("a OR", "a");
    ASSERT_CANON("a OR OR b", "a OR b");
    ASSERT_CANON("a OR | OU b", "a OR b");
    ASSERT_CANON("a OR -b", "a -b");
    ASSERT_CANON("-a OR b", "-a b");
    ASSERT_CANON("a OR -b OR c", "a -b c");
    ASSERT_CANON("a OR - b", "a OR b");
    ASSERT_CANON("a OR \"\" b", "a OR b");
    ASSERT_CANON("a or b ou c Or d", "a or b ou c Or d");
    ASSERT_CANON("a OR-b", "a OR-b");
    ASSERT_CANON("ORa OUI", "ORa OUI");
    /* OR as a word: only from quotes, and written back in them */
    q = sq_parse("\"OR\"");
    assert_int_equal(q.n, 1);
    assert_false(q.clauses[0].phrase);
    assert_string_equal(q.clauses[0].words[0], "OR");
    ASSERT_CANON("\"OR\" OU «OU»", "\"OR\" OR \"OU\"");
    ASSERT_CANON("-OR", "-\"OR\"");
    ASSERT_CANON("\"a OR b\"", "\"a OR b\"");
    ASSERT_CANON("OR | OU", "");
}

static void test_clause_limit(void **state)
{
    (void)state;
    ASSERT_CANON("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
                 "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16");
    /* an OR towards a clause left out joins nothing */
    struct search_query q = sq_parse("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 OR 17");
    assert_int_equal(q.n, SEARCH_MAX_CLAUSES);
    assert_false(q.clauses[SEARCH_MAX_CLAUSES - 1].or_next);
    ASSERT_CANON("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 \"16 a\" \"17 b\"",
                 "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 \"16 a\"");
}

static void test_as_you_type(void **state)
{
    (void)state;
    struct search_query q = sq_type("jardin par");
    assert_int_equal(q.n, 2);
    assert_false(q.clauses[0].prefix);
    assert_true(q.clauses[1].prefix);
    q = sq_parse_n("jardin par", 10, false);
    assert_false(q.clauses[1].prefix);
    q = sq_type("jardin par ");
    assert_false(q.clauses[1].prefix);
    q = sq_type("jardin par\xc2\xa0");
    assert_false(q.clauses[1].prefix);
    q = sq_type("\"jardin par");
    assert_true(q.clauses[0].phrase);
    assert_false(q.clauses[0].prefix);
    q = sq_type("vélo -élec");
    assert_false(q.clauses[1].prefix); /* an exclusion being typed excludes whole words */
    q = sq_type("\"vél");
    assert_true(q.clauses[0].prefix);
    q = sq_type("\"vélo\"");
    assert_false(q.clauses[0].prefix);
    q = sq_type("vélo OR");
    assert_int_equal(q.n, 1);
    assert_false(q.clauses[0].prefix);
    q = sq_type("tiers-");
    assert_true(q.clauses[0].prefix);
    const char *many = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17";
    q = sq_type(many);
    assert_false(q.clauses[SEARCH_MAX_CLAUSES - 1].prefix);
    q = sq_type("");
    assert_int_equal(q.n, 0);
}

static void test_text_and_positive(void **state)
{
    (void)state;
    ASSERT_CANON(" -«jardin   partagé» vélo|trottinette  -cargo  \"x\" ",
                 "-\"jardin partagé\" vélo OR trottinette -cargo x");
    struct search_query q = {0};
    assert_string_equal(search_query_text(ar, &q), "");
    assert_false(search_query_positive(&q));
    assert_false(search_query_positive(NULL));
    q = sq_parse("-a b");
    assert_true(search_query_positive(&q));
    q = sq_parse("OR - \"\"");
    assert_false(search_query_positive(&q));
    /* a one-word phrase built by hand is written in quotes, and read back as a word */
    const char *w[] = {"vélo"};
    struct search_clause c = {.words = w, .nwords = 1, .phrase = true};
    q = (struct search_query){.clauses = &c, .n = 1};
    assert_string_equal(search_query_text(ar, &q), "\"vélo\"");
}

/* The canonical text may be longer than what was typed ("|" is written " OR "): the query keeps
 * what fits, so that it reads back the same. */
static void test_text_fits(void **state)
{
    (void)state;
    char in[SEARCH_MAX_QUERY + 1];
    size_t n = 0;
    for (int i = 0; i < SEARCH_MAX_CLAUSES; i++) {
        memset(in + n, 'a' + i, 60);
        n += 60;
        in[n++] = '|';
    }
    in[n] = '\0';
    assert_true(n <= SEARCH_MAX_QUERY);
    struct search_query q = sq_parse(in);
    assert_true(q.n < SEARCH_MAX_CLAUSES && q.n >= 12);
    assert_false(q.clauses[q.n - 1].or_next);
    /* phrases lose their last words first */
    n = 0;
    for (int i = 0; i < SEARCH_MAX_CLAUSES; i++) {
        in[n++] = '"';
        for (int k = 0; k < 2; k++) {
            memset(in + n, 'a' + i, 28);
            n += 28;
            in[n++] = ' ';
        }
        in[n - 1] = '"';
        in[n++] = '|';
    }
    in[n] = '\0';
    assert_true(n <= SEARCH_MAX_QUERY);
    q = sq_parse(in);
    assert_int_equal(q.n, SEARCH_MAX_CLAUSES);
    assert_false(q.clauses[SEARCH_MAX_CLAUSES - 1].phrase);
    assert_true(q.clauses[SEARCH_MAX_CLAUSES - 2].or_next);
}

static void test_engine_syntax_is_words(void **state)
{
    (void)state;
    ASSERT_CANON("title:foo", "title:foo");
    ASSERT_CANON("NEAR(a b)", "NEAR(a b)");
    struct search_query q = sq_parse("NEAR(a b, 3)");
    assert_int_equal(q.n, 3);
    assert_string_equal(q.clauses[0].words[0], "NEAR(a");
    ASSERT_CANON("a* ^a {title}:x", "a* ^a {title}:x");
    q = sq_parse("a AND b NOT c");
    assert_int_equal(q.n, 5);
    assert_string_equal(q.clauses[1].words[0], "AND");
    assert_false(q.clauses[1].negated || q.clauses[2].negated || q.clauses[3].negated);
    ASSERT_CANON("* + ( ) : ^ NEAR", "* + ( ) : ^ NEAR");
    ASSERT_CANON("'a' `b` ‘c’ l’été", "'a' `b` ‘c’ l’été");
    ASSERT_CANON("<script>alert(1)</script>", "<script>alert(1)</script>");
}

static void test_hostile(void **state)
{
    (void)state;
    enum { BIG = 5000 };
    char *s = malloc(BIG + 1);
    assert_non_null(s);
    memset(s, 'x', BIG);
    s[BIG] = '\0';
    struct search_query q = sq_parse_n(s, BIG, true);
    assert_int_equal(q.n, 1);
    assert_int_equal(strlen(q.clauses[0].words[0]), SEARCH_MAX_WORD);
    assert_true(q.clauses[0].prefix);
    /* only operators */
    static const char ops[] = "OR | OU - -- || \"\" «» “” ---\"\" OR ";
    for (size_t i = 0; i < BIG; i++)
        s[i] = ops[i % (sizeof ops - 1)];
    q = sq_parse_n(s, BIG, true);
    assert_int_equal(q.n, 0);
    /* quotes, dashes, bars, NUL bytes, invalid bytes, accents, in turn */
    static const char mix[] = "\"a -\0b|\xff\xc3\xa9 OR «c\xe2\x80";
    for (size_t i = 0; i < BIG; i++)
        s[i] = mix[i % (sizeof mix - 1)];
    sq_parse_n(s, BIG, true);
    sq_parse_n(s, BIG, false);
    /* every byte value, and every prefix of it */
    for (size_t i = 0; i < 256; i++)
        s[i] = (char)i;
    for (size_t n = 0; n <= 256; n++)
        sq_parse_n(s + 256 - n, n, true);
    /* a pseudo-random soup of the language's own pieces */
    static const char *const pieces[] = {"\"", "«",  "»",    "“",        "”",        "-",
                                         "|",  "OR", "OU",   " ",        "\xc2\xa0", "a",
                                         "é",  "\0", "\xff", "\xe2\x80", "x"};
    unsigned long long seed = 0x9E3779B97F4A7C15ULL;
    for (int round = 0; round < 2000; round++) {
        size_t n = 0;
        while (n < 300) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            const char *p = pieces[seed % (sizeof pieces / sizeof pieces[0])];
            size_t l = p[0] ? strlen(p) : 1;
            memcpy(s + n, p, l);
            n += l;
        }
        sq_parse_n(s, n, round % 2);
    }
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_unicode_spaces),
        cmocka_unit_test(test_controls_and_nul),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_query_cut),
        cmocka_unit_test(test_word_cut),
        cmocka_unit_test(test_phrases),
        cmocka_unit_test(test_unbalanced_quotes),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_or),
        cmocka_unit_test(test_clause_limit),
        cmocka_unit_test(test_as_you_type),
        cmocka_unit_test(test_text_and_positive),
        cmocka_unit_test(test_text_fits),
        cmocka_unit_test(test_engine_syntax_is_words),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, sq_setup, sq_teardown);
}
