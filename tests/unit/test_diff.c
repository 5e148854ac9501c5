/* test_diff.c — unit tests for the word-level diff (core/diff). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/diff.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct res {
    struct arena *ar;
    struct diff_chunk *c;
    size_t n;
};

/* Checks the invariants every result must keep, whatever the inputs:
 * EQ+DEL rebuild a, EQ+INS rebuild b, chunks are non-empty, point into the right text,
 * same-op neighbours are merged and an INS is never followed by a DEL. */
static void check_invariants(const char *a, const char *b, const struct diff_chunk *c, size_t n)
{
    struct buf ra = BUF_INIT, rb = BUF_INIT;
    size_t la = strlen(a), lb = strlen(b);
    for (size_t i = 0; i < n; i++) {
        assert_true(c[i].len > 0);
        if (i > 0) {
            assert_int_not_equal(c[i].op, c[i - 1].op);
            assert_false(c[i - 1].op == DIFF_INS && c[i].op == DIFF_DEL);
        }
        const char *base = c[i].op == DIFF_INS ? b : a;
        size_t blen = c[i].op == DIFF_INS ? lb : la;
        assert_true(c[i].text >= base && c[i].text + c[i].len <= base + blen);
        if (c[i].op != DIFF_INS)
            buf_append(&ra, c[i].text, c[i].len);
        if (c[i].op != DIFF_DEL)
            buf_append(&rb, c[i].text, c[i].len);
    }
    assert_string_equal(buf_cstr(&ra), a);
    assert_string_equal(buf_cstr(&rb), b);
    buf_free(&ra);
    buf_free(&rb);
}

static struct res run(const char *a, const char *b)
{
    struct res r;
    r.ar = arena_new();
    r.n = diff_words(r.ar, a, b, &r.c);
    check_invariants(a, b, r.c, r.n);
    return r;
}

static void expect_chunk(const struct res *r, size_t i, enum diff_op op, const char *text)
{
    assert_true(i < r->n);
    assert_int_equal(r->c[i].op, op);
    assert_int_equal(r->c[i].len, strlen(text));
    assert_memory_equal(r->c[i].text, text, strlen(text));
}

static void test_identical(void **state)
{
    (void)state;
    struct res r = run("Le chat dort, ici.", "Le chat dort, ici.");
    assert_int_equal(r.n, 1);
    expect_chunk(&r, 0, DIFF_EQ, "Le chat dort, ici.");
    arena_free(r.ar);
}

static void test_both_empty(void **state)
{
    (void)state;
    struct res r = run("", "");
    assert_int_equal(r.n, 0);
    assert_null(r.c);
    arena_free(r.ar);
}

static void test_empty_vs_text(void **state)
{
    (void)state;
    struct res r = run("", "Bonjour le monde");
    assert_int_equal(r.n, 1);
    expect_chunk(&r, 0, DIFF_INS, "Bonjour le monde");
    arena_free(r.ar);
}

static void test_text_vs_empty(void **state)
{
    (void)state;
    struct res r = run("Bonjour le monde", "");
    assert_int_equal(r.n, 1);
    expect_chunk(&r, 0, DIFF_DEL, "Bonjour le monde");
    arena_free(r.ar);
}

static void test_one_word_changed(void **state)
{
    (void)state;
    struct res r = run("le chat noir dort", "le chien noir dort");
    assert_int_equal(r.n, 4);
    expect_chunk(&r, 0, DIFF_EQ, "le ");
    expect_chunk(&r, 1, DIFF_DEL, "chat");
    expect_chunk(&r, 2, DIFF_INS, "chien");
    expect_chunk(&r, 3, DIFF_EQ, " noir dort");
    arena_free(r.ar);
}

static void test_insert_start(void **state)
{
    (void)state;
    struct res r = run("chat noir", "grand chat noir");
    assert_int_equal(r.n, 2);
    expect_chunk(&r, 0, DIFF_INS, "grand ");
    expect_chunk(&r, 1, DIFF_EQ, "chat noir");
    arena_free(r.ar);
}

static void test_insert_middle(void **state)
{
    (void)state;
    struct res r = run("le chat noir", "le gros chat noir");
    assert_int_equal(r.n, 3);
    expect_chunk(&r, 0, DIFF_EQ, "le ");
    expect_chunk(&r, 1, DIFF_INS, "gros ");
    expect_chunk(&r, 2, DIFF_EQ, "chat noir");
    arena_free(r.ar);
}

static void test_insert_end(void **state)
{
    (void)state;
    struct res r = run("le chat", "le chat noir.");
    assert_int_equal(r.n, 2);
    expect_chunk(&r, 0, DIFF_EQ, "le chat");
    expect_chunk(&r, 1, DIFF_INS, " noir.");
    arena_free(r.ar);
}

static void test_accented_word(void **state)
{
    (void)state;
    struct res r = run("une élève sage", "une élèves sage");
    assert_int_equal(r.n, 4);
    expect_chunk(&r, 0, DIFF_EQ, "une ");
    expect_chunk(&r, 1, DIFF_DEL, "élève");
    expect_chunk(&r, 2, DIFF_INS, "élèves");
    expect_chunk(&r, 3, DIFF_EQ, " sage");
    arena_free(r.ar);
}

static void test_joiners_inside_words(void **state)
{
    (void)state;
    struct res r = run("c'est aujourd'hui, peut-être", "c'est aujourd'hier, peut-être");
    assert_int_equal(r.n, 4);
    expect_chunk(&r, 0, DIFF_EQ, "c'est ");
    expect_chunk(&r, 1, DIFF_DEL, "aujourd'hui");
    expect_chunk(&r, 2, DIFF_INS, "aujourd'hier");
    expect_chunk(&r, 3, DIFF_EQ, ", peut-être");
    arena_free(r.ar);

    /* A trailing joiner is punctuation, not part of the word. */
    r = run("mot- fin", "mot fin");
    assert_int_equal(r.n, 3);
    expect_chunk(&r, 0, DIFF_EQ, "mot");
    expect_chunk(&r, 1, DIFF_DEL, "-");
    expect_chunk(&r, 2, DIFF_EQ, " fin");
    arena_free(r.ar);
}

static void test_punctuation_and_space(void **state)
{
    (void)state;
    struct res r = run("Fin.", "Fin !");
    assert_int_equal(r.n, 3);
    expect_chunk(&r, 0, DIFF_EQ, "Fin");
    expect_chunk(&r, 1, DIFF_DEL, ".");
    expect_chunk(&r, 2, DIFF_INS, " !");
    arena_free(r.ar);

    /* A whitespace run is one token: changing it changes the whole run. */
    r = run("a  b", "a\n\nb");
    assert_int_equal(r.n, 4);
    expect_chunk(&r, 1, DIFF_DEL, "  ");
    expect_chunk(&r, 2, DIFF_INS, "\n\n");
    arena_free(r.ar);
}

static void test_change_region_grouped(void **state)
{
    (void)state;
    /* Two adjacent changed words come out as one DEL and one INS: the blank between them is
     * folded into the change instead of splitting it. */
    struct res r = run("un chat noir ici", "un chien blanc ici");
    assert_int_equal(r.n, 4);
    expect_chunk(&r, 0, DIFF_EQ, "un ");
    expect_chunk(&r, 1, DIFF_DEL, "chat noir");
    expect_chunk(&r, 2, DIFF_INS, "chien blanc");
    expect_chunk(&r, 3, DIFF_EQ, " ici");
    arena_free(r.ar);

    /* A line break between two changes stays an EQ chunk. */
    r = run("chat\nnoir", "chien\nblanc");
    assert_int_equal(r.n, 5);
    expect_chunk(&r, 2, DIFF_EQ, "\n");
    arena_free(r.ar);
}

static uint64_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static const char *const pieces[] = {
    "le", "chat", "élève", "élèves", "noir", " ",  "  ",  "\n", "\t", ",",  ".", "-",
    "'",  "_",    "a",     "b",      "a-b",  "l'", "eau", "€",  "2",  "x_", "(", ")",
};

static void random_text(struct buf *b, size_t max_pieces)
{
    buf_reset(b);
    buf_puts(b, "");
    size_t n = rng() % (max_pieces + 1);
    for (size_t i = 0; i < n; i++)
        buf_puts(b, pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))]);
}

/* Mutates src into dst with a few word-level edits, so the pair shares structure. */
static void mutate_text(struct buf *dst, const char *src)
{
    buf_reset(dst);
    buf_puts(dst, "");
    size_t len = strlen(src);
    for (size_t i = 0; i < len; i++) {
        uint32_t r = rng() % 20;
        if (r == 0)
            continue;
        if (r == 1)
            buf_puts(dst, pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))]);
        buf_putc(dst, src[i]);
    }
}

static void test_reconstruction_random(void **state)
{
    (void)state;
    rng_state = 42;
    struct buf a = BUF_INIT, b = BUF_INIT;
    for (int i = 0; i < 600; i++) {
        random_text(&a, 40);
        if (i % 2)
            random_text(&b, 40);
        else
            mutate_text(&b, buf_cstr(&a));
        struct res r = run(buf_cstr(&a), buf_cstr(&b));
        arena_free(r.ar);
    }
    buf_free(&a);
    buf_free(&b);
}

/* Number of tokens in a text made of words and single newlines (which the cleanup leaves alone). */
static size_t count_simple_tokens(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n' || i == 0 || s[i - 1] == '\n')
            n++;
    return n;
}

static void test_minimal_edit_count(void **state)
{
    (void)state;
    static const char *const words[] = {"le", "chat", "élève", "noir", "mer"};
    rng_state = 7;
    struct buf a = BUF_INIT, b = BUF_INIT;
    for (int iter = 0; iter < 300; iter++) {
        /* Token lists: word, newline, word, ... so LCS over them is the reference. */
        int ta[40], tb[40];
        size_t na = rng() % 20 * 2, nb = rng() % 20 * 2;
        buf_reset(&a);
        buf_puts(&a, "");
        buf_reset(&b);
        buf_puts(&b, "");
        for (size_t i = 0; i < na; i++) {
            ta[i] = i % 2 ? -1 : (int)(rng() % 5);
            buf_puts(&a, ta[i] < 0 ? "\n" : words[ta[i]]);
        }
        for (size_t i = 0; i < nb; i++) {
            tb[i] = i % 2 ? -1 : (int)(rng() % 5);
            buf_puts(&b, tb[i] < 0 ? "\n" : words[tb[i]]);
        }
        static size_t lcs[41][41];
        for (size_t i = 0; i <= na; i++)
            for (size_t j = 0; j <= nb; j++) {
                if (i == 0 || j == 0)
                    lcs[i][j] = 0;
                else if (ta[i - 1] == tb[j - 1])
                    lcs[i][j] = lcs[i - 1][j - 1] + 1;
                else
                    lcs[i][j] = lcs[i - 1][j] > lcs[i][j - 1] ? lcs[i - 1][j] : lcs[i][j - 1];
            }
        struct res r = run(buf_cstr(&a), buf_cstr(&b));
        size_t edits = 0;
        for (size_t i = 0; i < r.n; i++)
            if (r.c[i].op != DIFF_EQ)
                edits += count_simple_tokens(r.c[i].text, r.c[i].len);
        assert_int_equal(edits, na + nb - 2 * lcs[na][nb]);
        arena_free(r.ar);
    }
    buf_free(&a);
    buf_free(&b);
}

static void test_fallback_large_different(void **state)
{
    (void)state;
    struct buf a = BUF_INIT, b = BUF_INIT;
    buf_puts(&a, "Titre commun\n");
    buf_puts(&b, "Titre commun\n");
    rng_state = 99;
    while (a.len < 50000)
        buf_printf(&a, "alpha%u ", rng() % 1000);
    while (b.len < 50000)
        buf_printf(&b, "beta%u ", rng() % 1000);
    buf_puts(&a, "\nFin.");
    buf_puts(&b, "\nFin.");
    clock_t t0 = clock();
    struct res r = run(buf_cstr(&a), buf_cstr(&b));
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* The shared spaces would give thousands of chunks; the fallback gives one DEL + one INS. */
    assert_int_equal(r.n, 4);
    expect_chunk(&r, 0, DIFF_EQ, "Titre commun\n");
    assert_int_equal(r.c[1].op, DIFF_DEL);
    assert_int_equal(r.c[2].op, DIFF_INS);
    expect_chunk(&r, 3, DIFF_EQ, " \nFin.");
    assert_true(secs < 10.0);
    arena_free(r.ar);
    buf_free(&a);
    buf_free(&b);
}

static void test_large_few_changes(void **state)
{
    (void)state;
    /* Big inputs with a modest number of edits still get the exact diff, not the fallback. */
    struct buf a = BUF_INIT, b = BUF_INIT;
    rng_state = 5;
    int changed = 0;
    for (int i = 0; i < 6000; i++) {
        unsigned w = rng() % 500;
        buf_printf(&a, "mot%u ", w);
        if (i % 60 == 30) {
            buf_printf(&b, "autre%u ", w);
            changed++;
        } else {
            buf_printf(&b, "mot%u ", w);
        }
    }
    struct res r = run(buf_cstr(&a), buf_cstr(&b));
    size_t dels = 0;
    for (size_t i = 0; i < r.n; i++)
        if (r.c[i].op == DIFF_DEL)
            dels++;
    assert_int_equal(dels, (size_t)changed);
    arena_free(r.ar);
    buf_free(&a);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_both_empty),
        cmocka_unit_test(test_empty_vs_text),
        cmocka_unit_test(test_text_vs_empty),
        cmocka_unit_test(test_one_word_changed),
        cmocka_unit_test(test_insert_start),
        cmocka_unit_test(test_insert_middle),
        cmocka_unit_test(test_insert_end),
        cmocka_unit_test(test_accented_word),
        cmocka_unit_test(test_joiners_inside_words),
        cmocka_unit_test(test_punctuation_and_space),
        cmocka_unit_test(test_change_region_grouped),
        cmocka_unit_test(test_reconstruction_random),
        cmocka_unit_test(test_minimal_edit_count),
        cmocka_unit_test(test_fallback_large_different),
        cmocka_unit_test(test_large_few_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
