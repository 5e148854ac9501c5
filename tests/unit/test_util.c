/* test_util.c — unit tests for the utilities every layer leans on: the HTML escaper and the
 * growable buffer (util/buf), the UTF-8 validator (util/utf8), the arena (util/arena), the
 * slug maker (core/entry), whose output ends up in URLs, and JSON strings (util/json_write)
 * written byte for byte as jansson writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/entry.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_write.h"
#include "util/utf8.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void html_escape(const char *in, const char *want)
{
    struct buf b = BUF_INIT;
    buf_put_html(&b, in, strlen(in));
    assert_string_equal(buf_cstr(&b), want);
    assert_int_equal(b.len, strlen(want));
    buf_free(&b);
}

static void test_buf_put_html(void **state)
{
    (void)state;
    html_escape("&<>\"'", "&amp;&lt;&gt;&quot;&#39;");
    html_escape("<a href=\"x\" title='y'>A & B</a>",
                "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;A &amp; B&lt;/a&gt;");
    html_escape("rien à échapper", "rien à échapper");
    html_escape("Économie « sociale » – 😀 & co", "Économie « sociale » – 😀 &amp; co");
    html_escape("&amp;", "&amp;amp;");
    html_escape("", "");

    /* Only n bytes are read: the escaper must not run past an unterminated slice. */
    struct buf b = BUF_INIT;
    buf_put_html(&b, "a<b>c", 2);
    assert_string_equal(buf_cstr(&b), "a&lt;");
    buf_free(&b);
}

static void test_buf_basics(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    buf_puts(&b, "abc");
    buf_putc(&b, 'd');
    buf_append(&b, "efgh", 2);
    assert_string_equal(buf_cstr(&b), "abcdef");
    assert_int_equal(b.len, 6);
    buf_reset(&b);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    buf_printf(&b, "%s-%d", "x", 42);
    size_t len;
    char *s = buf_detach(&b, &len);
    assert_string_equal(s, "x-42");
    assert_int_equal(len, 4);
    free(s);
    assert_null(b.data);
    assert_int_equal(b.len, 0);

    /* Detaching an empty buffer still hands back a string the caller can free. */
    s = buf_detach(&b, NULL);
    assert_string_equal(s, "");
    free(s);
}

static void test_buf_printf_growth(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    struct buf want = BUF_INIT;
    for (int i = 0; i < 5000; i++) {
        buf_printf(&b, "<%d:%s>", i, i % 7 ? "é" : "un texte un peu plus long");
        char tmp[64];
        int n = snprintf(tmp, sizeof tmp, "<%d:%s>", i, i % 7 ? "é" : "un texte un peu plus long");
        buf_append(&want, tmp, (size_t)n);
        assert_true(b.cap > b.len);
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(b.len, want.len);
    assert_memory_equal(b.data, want.data, want.len);
    assert_int_equal(strlen(buf_cstr(&b)), b.len);

    /* One append far larger than the initial capacity. */
    struct buf big = BUF_INIT;
    buf_printf(&big, "%0*d", 100000, 7);
    assert_int_equal(big.len, 100000);
    assert_int_equal(big.data[99999], '7');
    assert_int_equal(big.data[0], '0');
    assert_int_equal(big.data[100000], '\0');
    buf_free(&big);
    buf_free(&b);
    buf_free(&want);
}

static bool valid(const char *s)
{
    return utf8_valid(s, strlen(s));
}

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("Bonjour"));
    assert_true(valid("Économie sociale et solidaire à Plougastel-Daoulas : « œuvre » ç ù ÿ"));
    assert_true(valid("€ – … ’"));
    assert_true(valid("emoji 😀 🇫🇷"));
    assert_true(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last code point */
    assert_true(valid("\xef\xbf\xbd"));     /* U+FFFD */
    assert_true(valid("tab\there\nnew line\r\nCRLF"));

    assert_false(valid("\xc0\xaf"));         /* overlong '/' */
    assert_false(valid("\xc1\xbf"));         /* overlong */
    assert_false(valid("\xe0\x80\xaf"));     /* overlong 3 bytes */
    assert_false(valid("\xf0\x80\x80\xaf")); /* overlong 4 bytes */
    assert_false(valid("\xed\xa0\x80"));     /* U+D800, a surrogate */
    assert_false(valid("\xed\xbf\xbf"));     /* U+DFFF */
    assert_false(valid("\xf4\x90\x80\x80")); /* U+110000 */
    assert_false(valid("\xf5\x80\x80\x80"));
    assert_false(valid("\xff"));
    assert_false(valid("\x80"));         /* lone continuation byte */
    assert_false(valid("caf\xc3"));      /* truncated 2-byte sequence */
    assert_false(valid("\xe2\x82"));     /* truncated 3-byte */
    assert_false(valid("\xf0\x9f\x98")); /* truncated 4-byte */
    assert_false(valid("\xc3(x"));       /* bad continuation */
    assert_false(valid("\x01"));
    assert_false(valid("bell\x07"));
    assert_false(valid("esc\x1b[31m"));
    assert_false(valid("del\x7f"));
    assert_false(utf8_valid("a\0b", 3)); /* NUL inside the length */

    /* The length bounds the check: a sequence cut by n is truncated. */
    assert_false(utf8_valid("é", 1));
    assert_true(utf8_valid("é", 2));
    assert_true(utf8_valid("abc\xff", 3));
}

static void test_utf8_count(void **state)
{
    (void)state;
    assert_int_equal(utf8_count("", 0), 0);
    assert_int_equal(utf8_count("abc", 3), 3);
    assert_int_equal(utf8_count("é", strlen("é")), 1);
    assert_int_equal(utf8_count("Café éphémère", strlen("Café éphémère")), 13);
    assert_int_equal(utf8_count("€😀a", strlen("€😀a")), 3);
}

static void test_arena(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t n = 0; n < 300; n++) {
        unsigned char *p = arena_alloc(a, n * 7 + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (size_t i = 0; i < n * 7 + 1; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xab, n * 7 + 1);
    }
    /* Blocks larger than the arena's block size, and many of them. */
    for (int i = 0; i < 4; i++) {
        unsigned char *big = arena_alloc(a, 100000);
        assert_int_equal((uintptr_t)big % _Alignof(max_align_t), 0);
        assert_int_equal(big[0], 0);
        assert_int_equal(big[99999], 0);
        memset(big, 1, 100000);
    }
    double *d = arena_alloc(a, sizeof(double) * 3);
    d[2] = 1.5;
    assert_true(d[2] == 1.5);
    assert_non_null(arena_alloc(a, 0));

    char *s = arena_printf(a, "%s/%d/%.2f", "commune", 29019, 48.5);
    assert_string_equal(s, "commune/29019/48.50");
    char *long_s = arena_printf(a, "%0*d", 20000, 3);
    assert_int_equal(strlen(long_s), 20000);
    assert_string_equal(arena_strdup(a, "Brest"), "Brest");
    assert_string_equal(arena_strndup(a, "Plouarzel", 4), "Plou");
    assert_string_equal(arena_printf(a, "%s", ""), "");
    arena_free(a);
    arena_free(NULL);
}

static int deferred;

static void count_defer(void *arg)
{
    deferred += *(int *)arg;
}

static void test_arena_defer(void **state)
{
    (void)state;
    static int one = 1, ten = 10;
    deferred = 0;
    struct arena *a = arena_new();
    arena_defer(a, count_defer, &one);
    arena_defer(a, count_defer, &ten);
    assert_int_equal(deferred, 0);
    arena_free(a);
    assert_int_equal(deferred, 11);
}

static void slug_is(const char *title, const char *want)
{
    struct arena *a = arena_new();
    assert_string_equal(entry_slugify(a, title), want);
    arena_free(a);
}

static void test_slugify(void **state)
{
    (void)state;
    slug_is("Doc@Brest", "doc-at-brest");
    slug_is("Café éphémère à Brest !", "cafe-ephemere-a-brest");
    slug_is("Repair Café", "repair-cafe");
    slug_is("  Œuvre   collective -- à Plougastel-Daoulas ",
            "oeuvre-collective-a-plougastel-daoulas");
    slug_is("ÉCOLE Numérique 2024", "ecole-numerique-2024");
    slug_is("emoji 😀 au milieu", "emoji-au-milieu");
    slug_is("", "fiche");
    slug_is("!!!", "fiche");
    slug_is("😀", "fiche");
    slug_is("@", "at");

    /* Long titles are cut to whole words within 50 bytes (the header still says 80). */
    struct buf title = BUF_INIT;
    for (int i = 0; i < 12; i++)
        buf_puts(&title, "abcdefghi ");
    struct arena *a = arena_new();
    const char *slug = entry_slugify(a, buf_cstr(&title));
    assert_string_equal(slug, "abcdefghi-abcdefghi-abcdefghi-abcdefghi-abcdefghi");
    slug =
        entry_slugify(a, "Un atelier de réparation de vélos solidaire ouvert à tous les habitants "
                         "du quartier de Recouvrance");
    assert_true(strlen(slug) <= 50);
    assert_string_equal(slug, "un-atelier-de-reparation-de-velos-solidaire-ouvert");
    /* Words of 9 letters: byte 50 is a dash, which must not be left at the end. */
    buf_reset(&title);
    for (int i = 0; i < 12; i++)
        buf_puts(&title, "abcd efgh ");
    slug = entry_slugify(a, buf_cstr(&title));
    assert_true(strlen(slug) <= 50);
    assert_int_not_equal(slug[strlen(slug) - 1], '-');

    /* One long word: cut at exactly 50. */
    buf_reset(&title);
    for (int i = 0; i < 30; i++)
        buf_puts(&title, "éèà");
    slug = entry_slugify(a, buf_cstr(&title));
    assert_int_equal(strlen(slug), 50);
    for (const char *p = slug; *p; p++)
        assert_true(*p >= 'a' && *p <= 'z');

    /* Whatever the input, the slug is [a-z0-9-], no leading, trailing or doubled dash. */
    const char *odd[] = {"-a-", "a\tb\nc", "ÿ@Ÿ", "x---y", "\xff\xfe", "C'est l'été", "9 ½ 10"};
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        slug = entry_slugify(a, odd[i]);
        size_t n = strlen(slug);
        assert_true(n > 0 && n <= 50);
        assert_int_not_equal(slug[0], '-');
        assert_int_not_equal(slug[n - 1], '-');
        assert_null(strstr(slug, "--"));
        for (const char *p = slug; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
    }
    slug_is("C'est l'été", "c-est-l-ete");
    arena_free(a);
    buf_free(&title);
}

/* json_write_string against jansson's json_dumps on random texts of every length around the
 * eight bytes it reads at a time, made of plain letters, accents, quotes, backslashes and
 * control characters at every offset. */
static void test_json_write_string(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a",  "Z",    " ",    "é", "€", "\"",   "\\", "\n",
                                         "\t", "\x01", "\x1f", "/", "~", "\x7f", "ü",  "0"};
    unsigned seed = 12345;
    for (int round = 0; round < 4000; round++) {
        struct buf text = BUF_INIT, mine = BUF_INIT;
        int n = round % 40;
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* Mostly plain letters, so that whole words of eight pass at once. */
            unsigned r = (seed >> 16) % 64;
            buf_puts(&text, r < 48 ? "a" : pieces[r % 16]);
        }
        json_write_string(&mine, text.data ? text.data : "", text.len);
        json_t *j = json_stringn(text.data ? text.data : "", text.len);
        assert_non_null(j);
        char *want = json_dumps(j, JSON_ENCODE_ANY);
        assert_string_equal(buf_cstr(&mine), want);
        free(want);
        json_decref(j);
        buf_free(&text);
        buf_free(&mine);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_put_html),      cmocka_unit_test(test_buf_basics),
        cmocka_unit_test(test_buf_printf_growth), cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_count),        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_arena_defer),       cmocka_unit_test(test_slugify),
        cmocka_unit_test(test_json_write_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
