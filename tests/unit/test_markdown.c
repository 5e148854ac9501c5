/* test_markdown.c — unit tests for safe Markdown rendering (render/markdown). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/markdown.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *render(const char *md)
{
    return markdown_render(md, strlen(md));
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return true;
    return false;
}

/* The value of an href/src attribute is acceptable when, once character references are decoded
 * and blanks dropped (as a browser would), it has no scheme or an allowed one. */
static bool attr_value_ok(const char *v, size_t n, bool image)
{
    char clean[256];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof(clean) - 1; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '&' && i + 1 < n && v[i + 1] == '#') {
            /* Numeric reference: decode the ASCII ones, the only ones that matter here. */
            size_t j = i + 2;
            bool hex = j < n && (v[j] == 'x' || v[j] == 'X');
            if (hex)
                j++;
            unsigned long cp = strtoul(v + j, NULL, hex ? 16 : 10);
            while (j < n && v[j] != ';')
                j++;
            i = j;
            c = cp < 128 ? (unsigned char)cp : 'X';
        } else if (c == '&' && !strncmp(v + i, "&colon;", 7)) {
            c = ':';
            i += 6;
        }
        if (c <= 0x20)
            continue;
        clean[k++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    clean[k] = '\0';
    size_t scheme = strcspn(clean, ":/?#");
    if (clean[scheme] != ':')
        return !image;
    if (!strncmp(clean, "http:", 5) || !strncmp(clean, "https:", 6))
        return true;
    return !image && !strncmp(clean, "mailto:", 7);
}

/* True when every href= and src= in html passes attr_value_ok. */
static bool all_urls_ok(const char *html)
{
    static const char *const names[] = {"href=\"", "src=\""};
    for (int k = 0; k < 2; k++) {
        for (const char *p = html; (p = strstr(p, names[k])) != NULL;) {
            p += strlen(names[k]);
            const char *end = strchr(p, '"');
            if (!end || !attr_value_ok(p, (size_t)(end - p), k == 1))
                return false;
            p = end;
        }
    }
    return true;
}

static void expect_has(const char *md, const char *want)
{
    char *h = render(md);
    if (!strstr(h, want))
        fail_msg("rendering \"%s\": got \"%s\", wanted \"%s\" in it", md, h, want);
    free(h);
}

/* For hostile input: nothing executable comes out and every URL is on the allow-list. */
static void expect_safe(const char *md)
{
    char *h = render(md);
    if (contains_ci(h, "javascript:") &&
        (contains_ci(h, "href=\"javascript") || contains_ci(h, "src=\"javascript")))
        fail_msg("rendering \"%s\": javascript URL in \"%s\"", md, h);
    if (!all_urls_ok(h) || contains_ci(h, "<script") || contains_ci(h, "onerror"))
        fail_msg("rendering \"%s\": unsafe output \"%s\"", md, h);
    free(h);
}

static void test_blocks_and_emphasis(void **state)
{
    (void)state;
    char *h =
        render("# Titre\n\n## Sous-titre\n\n- un\n- deux\n\n1. premier\n\n*em* **fort** `code`");
    assert_non_null(strstr(h, "<h1>Titre</h1>"));
    assert_non_null(strstr(h, "<h2>Sous-titre</h2>"));
    assert_non_null(strstr(h, "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>"));
    assert_non_null(strstr(h, "<ol>\n<li>premier</li>\n</ol>"));
    assert_non_null(strstr(h, "<em>em</em> <strong>fort</strong> <code>code</code>"));
    free(h);
}

static void test_table(void **state)
{
    (void)state;
    char *h = render("| Nom | Ville |\n|-----|:-----:|\n| Ti Ar Vro | Brest |\n");
    assert_non_null(strstr(h, "<table>"));
    assert_non_null(strstr(h, "<th>Nom</th>"));
    assert_non_null(strstr(h, "<td>Ti Ar Vro</td>"));
    assert_non_null(strstr(h, "Brest</td>"));
    free(h);
}

/* Appends s n times. */
static void repeat(char **p, const char *s, size_t n)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < n; i++) {
        memcpy(*p, s, len);
        *p += len;
    }
}

static void test_table_bounds(void **state)
{
    (void)state;
    /* Wide header then many short rows: every row would be padded to the header's width. */
    size_t cap = 64 * 1024;
    char *md = malloc(cap), *p = md;
    repeat(&p, "|a", 2000);
    repeat(&p, "|\n", 1);
    repeat(&p, "|-", 2000);
    repeat(&p, "|\n", 1);
    repeat(&p, "x\n", 4000);
    char *h = markdown_render(md, (size_t)(p - md));
    assert_true(strlen(h) < 4 * (size_t)(p - md));
    assert_null(strstr(h, "<table>"));
    free(h);
    /* One row with thousands of pipes. */
    p = md;
    repeat(&p, "|a|\n|-|\n", 1);
    repeat(&p, "|", 20000);
    h = markdown_render(md, (size_t)(p - md));
    assert_true(strlen(h) < 4 * (size_t)(p - md));
    free(h);
    /* A big but ordinary table is still a table: 12 columns, 1000 rows. */
    p = md;
    repeat(&p, "|a|b|c|d|e|f|g|h|i|j|k|l|\n", 1);
    repeat(&p, "|-|-|-|-|-|-|-|-|-|-|-|-|\n", 1);
    repeat(&p, "|1|2|3|4|5|6|7|8|9|0|1|2|\n", 1000);
    h = markdown_render(md, (size_t)(p - md));
    assert_non_null(strstr(h, "<table>"));
    assert_non_null(strstr(h, "<td>9</td>"));
    free(h);
    free(md);
}

static void test_strikethrough(void **state)
{
    (void)state;
    expect_has("~~barré~~", "<del>barré</del>");
    /* One tilde means "about" in French text and must not strike. */
    char *h = render("~5 km et ~10 km");
    assert_null(strstr(h, "<del>"));
    free(h);
}

static void test_autolinks(void **state)
{
    (void)state;
    expect_has("voir https://exemple.org ici",
               "<a rel=\"nofollow ugc\" href=\"https://exemple.org\">https://exemple.org</a>");
    expect_has("www.exemple.org", "href=\"http://www.exemple.org\"");
    expect_has("contact@exemple.org", "href=\"mailto:contact@exemple.org\"");
    expect_has("<https://exemple.org/a>", "href=\"https://exemple.org/a\"");
}

static void test_allowed_links_kept(void **state)
{
    (void)state;
    expect_has("[ok](https://a.fr)", "<a rel=\"nofollow ugc\" href=\"https://a.fr\">ok</a>");
    expect_has("[ok](HTTP://a.fr/x?y=1&z=2)", "href=\"HTTP://a.fr/x?y=1&amp;z=2\"");
    expect_has("[m](mailto:a@b.fr)", "<a rel=\"nofollow ugc\" href=\"mailto:a@b.fr\">m</a>");
    expect_has("[rel](/fiches/12)", "href=\"/fiches/12\"");
    expect_has("[frag](#section)", "href=\"#section\"");
    expect_has("[r][1]\n\n[1]: https://a.fr/ref", "href=\"https://a.fr/ref\"");
    /* Links in table cells get rel too. */
    expect_has("| a |\n|---|\n| [l](/p) |", "<td><a rel=\"nofollow ugc\" href=\"/p\">l</a></td>");
}

static void test_raw_html_dropped(void **state)
{
    (void)state;
    expect_safe("<script>alert(1)</script>");
    expect_safe("texte <script>alert(1)</script> suite");
    expect_safe("<img src=x onerror=alert(1)>");
    expect_safe("a <img src=x onerror=alert(1)> b");
    expect_safe("<a href=\"javascript:alert(1)\">x</a>");
    expect_safe("<iframe src=\"data:text/html,<script>alert(1)</script>\"></iframe>");
    char *h = render("a <img src=x onerror=alert(1)> b");
    assert_null(strstr(h, "<img"));
    free(h);
}

static void test_dangerous_links(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](java&#9;script:alert(1))",
        "[x](java&#x0A;script:alert(1))",
        "[x](&#x20;javascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](\\javascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](data:image/png;base64,AAAA)",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,AAAA)",
        "<javascript:alert(1)>",
        "[![i](https://a.fr/i.png)](javascript:alert(1))",
        "| a |\n|---|\n| [**x**](javascript:alert(1)) |",
        "~~[x](javascript:alert(1))~~",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_safe(cases[i]);

    /* A refused link keeps its text; a refused autolink stays plain text. */
    char *h = render("[le texte](javascript:alert(1))");
    assert_string_equal(h, "<p>le texte</p>\n");
    free(h);
    h = render("<javascript:alert(1)>");
    assert_null(strstr(h, "<a"));
    free(h);
}

static void test_images(void **state)
{
    (void)state;
    expect_has("![logo](https://a.fr/l.png)", "<img src=\"https://a.fr/l.png\" alt=\"logo\" />");
    expect_has("![logo](http://a.fr/l.png)", "<img src=\"http://a.fr/l.png\"");
    /* Only absolute http(s) images: everything else becomes its alt text. */
    static const char *const refused[] = {"![alt](javascript:alert(1))", "![alt](l.png)",
                                          "![alt](data:image/png;base64,AAAA)",
                                          "![alt](//a.fr/l.png)", "![alt](mailto:a@b.fr)"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char *h = render(refused[i]);
        assert_null(strstr(h, "<img"));
        assert_non_null(strstr(h, "alt"));
        free(h);
    }
}

static void test_title_injection(void **state)
{
    (void)state;
    const char *md = "[t](https://a.fr \"x\\\" onmouseover=\\\"alert(1)\\\" y=\\\"<b>\")";
    char *h = render(md);
    assert_non_null(
        strstr(h, "title=\"x&quot; onmouseover=&quot;alert(1)&quot; y=&quot;&lt;b&gt;\""));
    assert_null(strstr(h, "onmouseover=\""));
    free(h);
    expect_has("[t](https://a.fr 'a\"b')", "title=\"a&quot;b\"");
    /* Quotes in the URL itself cannot close the attribute either. */
    h = render("[t](<https://a.fr/\" onclick=\"x>)");
    assert_null(strstr(h, "\" onclick"));
    free(h);
}

static void test_utf8(void **state)
{
    (void)state;
    expect_has("Crêpes à Brest — « ça » 🦀 ŒUVRE",
               "<p>Crêpes à Brest — « ça » 🦀 ŒUVRE</p>");
    expect_has("[élève](https://exemple.org/é)", "href=\"https://exemple.org/%C3%A9\">élève</a>");
    /* Invalid bytes become U+FFFD instead of leaking through. */
    expect_has("a\xff b", "a\xEF\xBF\xBD b");
}

static void test_edges(void **state)
{
    (void)state;
    markdown_init();
    markdown_init();
    char *h = markdown_render(NULL, 0);
    assert_string_equal(h, "");
    free(h);
    h = markdown_render("", 0);
    assert_string_equal(h, "");
    free(h);
    /* len is honoured: the rest of the string is not read. */
    h = markdown_render("*a* <script>", 3);
    assert_string_equal(h, "<p><em>a</em></p>\n");
    free(h);
    /* Embedded NUL bytes are replaced, not truncating the rest. */
    h = markdown_render("a\0b", 3);
    assert_non_null(strstr(h, "b"));
    free(h);
    expect_has("```c\nint x = 1 < 2;\n```", "<pre><code class=\"language-c\">int x = 1 &lt; 2;");
}

int main(void)
{
    markdown_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_and_emphasis),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_bounds),
        cmocka_unit_test(test_strikethrough),
        cmocka_unit_test(test_autolinks),
        cmocka_unit_test(test_allowed_links_kept),
        cmocka_unit_test(test_raw_html_dropped),
        cmocka_unit_test(test_dangerous_links),
        cmocka_unit_test(test_images),
        cmocka_unit_test(test_title_injection),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
