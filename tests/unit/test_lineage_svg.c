/* test_lineage_svg.c — unit tests of the lineage drawing (render/lineage_svg): well-formed XML
 * whatever the titles, the French description for 0 to 3 names and for second-level branches,
 * escaping, links only to the site, bad levels and edges ignored, crowded levels summarised, and
 * a sample written to build/lineage-sample.svg for a person to look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/lineage_svg.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NNBSP "\u202f"
#define LAQUO "\u00ab" NNBSP
#define RAQUO NNBSP "\u00bb"
#define ELLIPSIS "\u2026"

/* ---- A small XML well-formedness checker ----
 * libxml2 is not a dependency of the build, so this checks what matters here: UTF-8 made of XML
 * characters, tags that nest and close, quoted attributes without duplicates, every '&' an entity
 * or character reference, no raw '<' or '>' in text or attribute values (the renderer escapes
 * '>' too, so a raw one means a text escaped nowhere), one root element. */

struct xml_state {
    const char *p;
    const char *stack[64];
    size_t stack_len[64];
    int depth;
};

static bool xml_name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':';
}

static bool xml_name_char(char c)
{
    return xml_name_start(c) || isdigit((unsigned char)c) || c == '-' || c == '.';
}

static size_t xml_name(const char *p)
{
    size_t n = 0;
    if (!xml_name_start(p[0]))
        return 0;
    while (xml_name_char(p[n]))
        n++;
    return n;
}

/* Length of the reference at p ("&amp;", "&#233;", "&#xE9;"), 0 when it is not one. */
static size_t xml_reference(const char *p)
{
    static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strncmp(p, named[i], strlen(named[i])) == 0)
            return strlen(named[i]);
    if (p[1] != '#')
        return 0;
    size_t n = 2;
    bool hex = p[2] == 'x';
    if (hex)
        n++;
    size_t digits = 0;
    while (hex ? isxdigit((unsigned char)p[n]) : isdigit((unsigned char)p[n])) {
        n++;
        digits++;
    }
    return digits > 0 && p[n] == ';' ? n + 1 : 0;
}

/* Text up to the next '<' (or the end). */
static const char *xml_text(struct xml_state *x)
{
    for (; *x->p && *x->p != '<'; x->p++) {
        if (*x->p == '>')
            return "raw '>' in text";
        if (*x->p == '&') {
            size_t n = xml_reference(x->p);
            if (n == 0)
                return "bare '&' in text";
            x->p += n - 1;
        }
        if (x->depth == 0 && !isspace((unsigned char)*x->p))
            return "text outside the root";
    }
    return NULL;
}

static const char *xml_tag(struct xml_state *x, int *roots)
{
    const char *p = x->p + 1;
    if (*p == '/') {
        p++;
        size_t n = xml_name(p);
        if (n == 0 || x->depth == 0)
            return "stray end tag";
        x->depth--;
        if (n != x->stack_len[x->depth] || strncmp(p, x->stack[x->depth], n) != 0)
            return "end tag does not match";
        p += n;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '>')
            return "end tag not closed";
        x->p = p + 1;
        return NULL;
    }
    size_t n = xml_name(p);
    if (n == 0)
        return "bad tag name";
    if (x->depth == 0 && (*roots)++ > 0)
        return "second root element";
    const char *name = p;
    p += n;
    const char *attrs[64];
    size_t attr_len[64];
    int nattr = 0;
    for (;;) {
        bool ws = isspace((unsigned char)*p);
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '>' || (p[0] == '/' && p[1] == '>'))
            break;
        size_t an = xml_name(p);
        if (!ws || an == 0)
            return "bad attribute";
        for (int i = 0; i < nattr; i++)
            if (attr_len[i] == an && strncmp(attrs[i], p, an) == 0)
                return "duplicate attribute";
        if (nattr == 64)
            return "too many attributes";
        attrs[nattr] = p;
        attr_len[nattr++] = an;
        p += an;
        if (*p++ != '=')
            return "attribute without value";
        char q = *p++;
        if (q != '"' && q != '\'')
            return "unquoted attribute";
        for (; *p != q; p++) {
            if (*p == '\0' || *p == '<' || *p == '>')
                return "bad character in attribute";
            if (*p == '&') {
                size_t r = xml_reference(p);
                if (r == 0)
                    return "bare '&' in attribute";
                p += r - 1;
            }
        }
        p++;
    }
    if (*p == '/') {
        x->p = p + 2;
        return NULL;
    }
    if (x->depth == 64)
        return "too deep";
    x->stack[x->depth] = name;
    x->stack_len[x->depth++] = n;
    x->p = p + 1;
    return NULL;
}

/* NULL when s is well-formed, else what is wrong. */
static const char *xml_check(const char *s)
{
    if (!utf8_valid(s, strlen(s)))
        return "not UTF-8 of XML characters";
    if (strstr(s, "\xef\xbf\xbe") || strstr(s, "\xef\xbf\xbf"))
        return "U+FFFE or U+FFFF";
    struct xml_state x = {.p = s, .depth = 0};
    int roots = 0;
    while (*x.p) {
        const char *err = *x.p == '<' ? xml_tag(&x, &roots) : xml_text(&x);
        if (err)
            return err;
    }
    if (x.depth != 0)
        return "element left open";
    return roots == 1 ? NULL : "no root element";
}

static void test_checker_catches(void **state)
{
    (void)state;
    assert_null(xml_check("<svg a=\"1\"><g/><text>a &amp; b</text></svg>\n"));
    assert_non_null(xml_check("<svg><g></svg>"));
    assert_non_null(xml_check("<svg><g></g>"));
    assert_non_null(xml_check("<svg>a & b</svg>"));
    assert_non_null(xml_check("<svg>a > b</svg>"));
    assert_non_null(xml_check("<svg a=\"<\"></svg>"));
    assert_non_null(xml_check("<svg a=\"1\" a=\"2\"></svg>"));
    assert_non_null(xml_check("<svg a=1></svg>"));
    assert_non_null(xml_check("<svg></svg><svg></svg>"));
    assert_non_null(xml_check("<svg>\xc3</svg>"));
    assert_non_null(xml_check("<svg>\x01</svg>"));
}

/* ---- Helpers ---- */

static bool starts_with(const char *s, size_t n, const char *prefix, size_t pn)
{
    return pn <= n && memcmp(s, prefix, pn) == 0;
}

/* Each named box shows the start of its title on one or two lines: the whole title, or a start
 * cut at a code point and ended with "…"; never a line that is empty, has a space at either
 * end, or starts with a combining mark. Works on the escaped text, escaped the same way. */
static void check_boxes(const char *svg)
{
    for (const char *x = strstr(svg, "<text "); x; x = strstr(x + 1, "<text ")) {
        const char *end = strstr(x, "</text>");
        assert_non_null(end);
        if (!strstr(x, "<tspan ") || strstr(x, "<tspan ") > end) {
            assert_non_null(strstr(x, " autre")); /* only "+N autres" is one plain line */
            continue;
        }
        const char *t = NULL; /* the box's <title>: the last one before its text */
        for (const char *p = strstr(svg, "<title>"); p && p < x; p = strstr(p + 1, "<title>"))
            t = p;
        assert_non_null(t);
        t += strlen("<title>");
        size_t tn = (size_t)(strstr(t, "</title>") - t);
        const char *line[2] = {NULL, NULL};
        size_t ln[2] = {0, 0};
        int nl = 0;
        for (const char *p = strstr(x, "<tspan "); p && p < end; p = strstr(p + 1, "<tspan ")) {
            assert_true(nl < 2);
            line[nl] = strchr(p, '>') + 1;
            ln[nl] = (size_t)(strstr(line[nl], "</tspan>") - line[nl]);
            assert_true(ln[nl] > 0);
            assert_true(line[nl][0] != ' ' && line[nl][ln[nl] - 1] != ' ');
            if (nl == 1) /* the first starts where the title does */
                assert_false(starts_with(line[nl], ln[nl], "\u0301", 2));
            nl++;
        }
        assert_true(nl >= 1);
        if (nl == 1) {
            assert_true(ln[0] == tn && memcmp(line[0], t, tn) == 0);
            continue;
        }
        assert_true(starts_with(t, tn, line[0], ln[0]));
        size_t rest = ln[0];
        if (rest < tn && t[rest] == ' ')
            rest++; /* broken at a space, or else mid-word */
        if (ln[1] == tn - rest && memcmp(line[1], t + rest, ln[1]) == 0)
            continue; /* the whole title */
        assert_true(ln[1] > 3 && memcmp(line[1] + ln[1] - 3, ELLIPSIS, 3) == 0);
        assert_true(starts_with(t + rest, tn - rest, line[1], ln[1] - 3));
        assert_true(ln[1] - 3 < tn - rest);
    }
}

/* Renders and checks what every output must be: well-formed, its length right. */
static char *render(const struct lineage_node *nodes, int n, const struct lineage_edge *edges,
                    int m)
{
    size_t len = 12345;
    char *svg = lineage_svg(nodes, n, edges, m, &len);
    if (!svg) {
        assert_int_equal(len, 0);
        return NULL;
    }
    assert_int_equal(len, strlen(svg));
    const char *err = xml_check(svg);
    if (err)
        fprintf(stderr, "not well-formed (%s):\n%s\n", err, svg);
    assert_null(err);
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    check_boxes(svg);
    return svg;
}

static int count(const char *s, const char *what)
{
    int c = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + strlen(what), what))
        c++;
    return c;
}

/* The text of <desc>, still escaped. Static: one at a time. */
static const char *desc_of(const char *svg)
{
    static char out[8192];
    const char *open = "<desc id=\"lineage-desc\">";
    const char *a = strstr(svg, open), *b = strstr(svg, "</desc>");
    assert_non_null(a);
    assert_non_null(b);
    a += strlen(open);
    assert_true((size_t)(b - a) < sizeof out);
    memcpy(out, a, (size_t)(b - a));
    out[b - a] = '\0';
    return out;
}

static void expect_desc(const struct lineage_node *nodes, int n, const struct lineage_edge *edges,
                        int m, const char *want)
{
    char *svg = render(nodes, n, edges, m);
    assert_non_null(svg);
    assert_string_equal(desc_of(svg), want);
    free(svg);
}

static void viewbox_of(const char *svg, int *w, int *h)
{
    const char *v = strstr(svg, "viewBox=\"0 0 ");
    assert_non_null(v);
    assert_int_equal(sscanf(v, "viewBox=\"0 0 %d %d\"", w, h), 2);
}

/* ---- The description ---- */

static void test_desc_names(void **state)
{
    (void)state;
    struct lineage_node nodes[] = {
        {"X", "/x", 0}, {"A", "/a", -1}, {"B", "/b", -1}, {"C", "/c", -1},
        {"D", "/d", 1}, {"E", "/e", 1},  {"F", "/f", 1},
    };
    /* nodes[0..k) of the inspirations, then the inspired ones picked by hand */
    struct lineage_node one[] = {nodes[0], nodes[1]};
    expect_desc(one, 2, NULL, 0, "Filiation de " LAQUO "X" RAQUO NNBSP ": inspirée par A.");
    struct lineage_node two[] = {nodes[0], nodes[1], nodes[2], nodes[4]};
    expect_desc(two, 4, NULL, 0,
                "Filiation de " LAQUO "X" RAQUO NNBSP ": inspirée par A et B" NNBSP
                "; a inspiré D.");
    expect_desc(nodes, 7, NULL, 0,
                "Filiation de " LAQUO "X" RAQUO NNBSP ": inspirée par A, B et C" NNBSP
                "; a inspiré D, E et F.");
    struct lineage_node after[] = {nodes[4], nodes[0], nodes[5]};
    expect_desc(after, 3, NULL, 0, "Filiation de " LAQUO "X" RAQUO NNBSP ": a inspiré D et E.");

    /* Zero names on both sides: nothing to draw. */
    size_t len = 99;
    assert_null(lineage_svg(nodes, 1, NULL, 0, &len));
    assert_int_equal(len, 0);
}

static void test_desc_second_level(void **state)
{
    (void)state;
    struct lineage_node nodes[] = {
        {"X", "/x", 0},  {"A", "/a", -1}, {"B", "/b", -1}, {"C", "/c", 1},
        {"D", "/d", -2}, {"E", "/e", -2}, {"F", "/f", 2},  {"G", "/g", 2},
    };
    struct lineage_edge edges[] = {
        {4, 1}, {5, 1}, {5, 2}, /* D and E inspired A, E inspired B too */
        {3, 6}, {3, 7},         /* C inspired F and G */
        {4, 1},                 /* a duplicate counts once */
        {1, 0}, {0, 3},         /* implied by the levels, harmless when listed */
    };
    char *svg = render(nodes, 8, edges, 8);
    assert_string_equal(desc_of(svg), "Filiation de " LAQUO "X" RAQUO NNBSP
                                      ": inspirée par A et B" NNBSP "; a inspiré C."
                                      " A s'inspire de D et E. B s'inspire d'E."
                                      " C a inspiré F et G.");
    /* A->X, B->X, X->C, D->A, E->A, E->B, C->F, C->G */
    assert_int_equal(count(svg, "class=\"lineage-edge\""), 8);
    assert_int_equal(count(svg, "marker-end=\"url(#lineage-arrow)\""), 8);
    free(svg);
}

static void test_desc_elision(void **state)
{
    (void)state;
    struct lineage_node nodes[] = {
        {"X", "/x", 0},      {"A", "/a", -1},       {"B", "/b", -1},      {"C", "/c", -1},
        {"Outil", "/o", -2}, {"Échange", "/e", -2}, {"Hangar", "/h", -2}, {"Yourte", "/y", -2},
    };
    struct lineage_edge edges[] = {{4, 1}, {5, 2}, {6, 3}, {7, 3}};
    expect_desc(nodes, 8, edges, 4,
                "Filiation de " LAQUO "X" RAQUO NNBSP ": inspirée par A, B et C."
                " A s'inspire d'Outil. B s'inspire d'Échange. C s'inspire de Hangar et Yourte.");
}

/* ---- Structure ---- */

static void test_structure(void **state)
{
    (void)state;
    struct lineage_node nodes[] = {
        {"Atelier vélo", "/fiches/atelier-velo", 0},
        {"Repair café", "/fiches/repair-cafe", -1},
        {"Recyclerie", "/fiches/recyclerie", 1},
    };
    char *svg = render(nodes, 3, NULL, 0);
    assert_non_null(strstr(svg, " role=\"group\""));
    assert_non_null(strstr(svg, " width=\"100%\""));
    const char *root_end = strchr(svg, '>');
    const char *height = strstr(svg, " height=");
    assert_true(height == NULL || height > root_end); /* the root scales with its width */
    assert_null(strstr(svg, "style"));
    assert_non_null(strstr(svg, "class=\"lineage lineage-cols-3\""));
    assert_non_null(strstr(svg, "<title id=\"lineage-title\">Filiation de " LAQUO
                                "Atelier vélo" RAQUO "</title>"));
    assert_non_null(strstr(svg, "aria-labelledby=\"lineage-title\""));
    assert_non_null(strstr(svg, "aria-describedby=\"lineage-desc\""));
    /* The centre: emphasised, current, never a link. */
    assert_int_equal(count(svg, "aria-current=\"page\""), 1);
    assert_non_null(strstr(svg, "<g class=\"lineage-node lineage-centre\" role=\"img\" "
                                "aria-current=\"page\"><title>Atelier vélo</title><rect "));
    assert_null(strstr(svg, "href=\"/fiches/atelier-velo\""));
    /* The others: links named by their full title. */
    assert_int_equal(count(svg, "<a "), 2);
    assert_null(strstr(svg, "aria-label=")); /* it would repeat <title> as a description */
    assert_non_null(strstr(svg, "<a href=\"/fiches/repair-cafe\">"
                                "<title>Repair café</title><g class=\"lineage-node\"><rect "));
    assert_non_null(strstr(svg, "<a href=\"/fiches/recyclerie\"><title>Recyclerie</title>"));
    assert_int_equal(count(svg, "class=\"lineage-node"), 3);
    assert_int_equal(count(svg, "class=\"lineage-edge\""), 2);
    assert_non_null(strstr(svg, "<marker id=\"lineage-arrow\""));
    assert_non_null(strstr(svg, "<g class=\"lineage-edges\" aria-hidden=\"true\""));
    /* Readable without the stylesheet: text colour on a light fill. */
    assert_non_null(strstr(svg, "fill=\"#1a1a1a\""));

    /* Every box inside the viewBox. */
    int w, h;
    viewbox_of(svg, &w, &h);
    int rects = 0;
    for (const char *p = strstr(svg, "<rect "); p; p = strstr(p + 1, "<rect ")) {
        int x, y, rw, rh;
        assert_int_equal(
            sscanf(p, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"", &x, &y, &rw, &rh), 4);
        assert_true(x >= 0 && y >= 0 && x + rw <= w && y + rh <= h);
        rects++;
    }
    assert_int_equal(rects, 3);
    free(svg);
}

static void test_columns_fit_content(void **state)
{
    (void)state;
    struct lineage_node two[] = {{"X", "/x", 0}, {"A", "/a", 1}};
    struct lineage_node five[] = {
        {"X", "/x", 0}, {"A", "/a", 1}, {"B", "/b", 2}, {"C", "/c", -1}, {"D", "/d", -2}};
    struct lineage_edge e5[] = {{1, 2}, {4, 3}};
    char *s2 = render(two, 2, NULL, 0);
    char *s5 = render(five, 5, e5, 2);
    int w2, h2, w5, h5;
    viewbox_of(s2, &w2, &h2);
    viewbox_of(s5, &w5, &h5);
    assert_non_null(strstr(s2, "lineage-cols-2"));
    assert_non_null(strstr(s5, "lineage-cols-5"));
    assert_true(w5 > 2 * w2);
    assert_int_equal(h2, h5);
    /* Columns run -2, -1, 0, +1, +2 from left to right. */
    const char *order[] = {"<title>D</title>", "<title>C</title>", "<title>X</title>",
                           "<title>A</title>", "<title>B</title>"};
    int prev = -1;
    for (int i = 0; i < 5; i++) {
        const char *t = strstr(s5, order[i]);
        assert_non_null(t);
        int x;
        assert_int_equal(sscanf(strstr(t, "<rect "), "<rect x=\"%d\"", &x), 1);
        assert_true(x > prev);
        prev = x;
    }
    free(s2);
    free(s5);
}

/* ---- Bad input ---- */

static void test_empty(void **state)
{
    (void)state;
    size_t len = 7;
    struct lineage_node centre[] = {{"X", "/x", 0}};
    assert_null(lineage_svg(centre, 1, NULL, 0, &len));
    assert_int_equal(len, 0);
    assert_null(lineage_svg(NULL, 3, NULL, 0, &len));
    assert_null(lineage_svg(centre, 0, NULL, 0, &len));
    assert_null(lineage_svg(centre, -1, NULL, 0, NULL));
    /* No centre. */
    struct lineage_node nocentre[] = {{"A", "/a", -1}, {"B", "/b", 1}};
    assert_null(lineage_svg(nocentre, 2, NULL, 0, &len));
    /* Only nodes that are skipped: out of range, a second centre, a +2 tied to nothing. */
    struct lineage_node skipped[] = {
        {"X", "/x", 0}, {"A", "/a", 3}, {"B", "/b", 0}, {"C", "/c", 2}, {"D", "/d", -2}};
    struct lineage_edge e[] = {{0, 3}, {4, 0}, {2, 3}};
    assert_null(lineage_svg(skipped, 5, e, 3, &len));
    assert_int_equal(len, 0);
    /* NULL edges with m > 0 are no edges. */
    struct lineage_node one[] = {{"X", "/x", 0}, {"A", "/a", 1}};
    char *svg = render(one, 2, NULL, 5);
    assert_int_equal(count(svg, "class=\"lineage-edge\""), 1);
    free(svg);
}

static void test_levels_out_of_range(void **state)
{
    (void)state;
    struct lineage_node nodes[] = {
        {"Hors3", "/h3", 3},        {"X", "/x", 0},
        {"HorsMoins3", "/hm3", -3}, {"A", "/a", -1},
        {"Hors100", "/h100", 100},  {"HorsMin", "/hmin", INT_MIN},
        {"SecondCentre", "/sc", 0}, {"C", "/c", 1},
        {"Orpheline", "/orph", 2}, /* tied only to skipped nodes */
    };
    struct lineage_edge edges[] = {
        {0, 1}, {1, 0}, {2, 3}, {3, 2}, {4, 7}, {7, 0}, {6, 8}, {0, 8}, {4, 8},
    };
    char *svg = render(nodes, 9, edges, 9);
    for (int i = 0; i < 9; i++)
        if (strncmp(nodes[i].title, "Hors", 4) == 0 || i == 6 || i == 8)
            assert_null(strstr(svg, nodes[i].title));
    assert_int_equal(count(svg, "class=\"lineage-node"), 3);
    assert_int_equal(count(svg, "class=\"lineage-edge\""), 2);
    assert_string_equal(desc_of(svg), "Filiation de " LAQUO "X" RAQUO NNBSP ": inspirée par A" NNBSP
                                      "; a inspiré C.");
    free(svg);
}

static void test_bad_edges(void **state)
{
    (void)state;
    struct lineage_node nodes[] = {
        {"X", "/x", 0}, {"A", "/a", -1}, {"B", "/b", -1},
        {"C", "/c", 1}, {"D", "/d", -2}, {"F", "/f", 2},
    };
    struct lineage_edge edges[] = {
        {4, 1},                                      /* the one good -2 -> -1 edge */
        {3, 5},                                      /* the one good +1 -> +2 edge */
        {-1, 1}, {1, 6}, {INT_MAX, 0}, {0, INT_MIN}, /* out of range */
        {1, 2},  {2, 1},                             /* within a level */
        {1, 4},  {5, 3},                             /* backwards */
        {4, 0},  {1, 3}, {0, 5},       {4, 5},       /* skipping a level */
        {5, 5},                                      /* a loop */
    };
    int m = (int)(sizeof edges / sizeof edges[0]);
    char *svg = render(nodes, 6, edges, m);
    /* A->X, B->X, X->C implied; D->A and C->F listed. */
    assert_int_equal(count(svg, "class=\"lineage-edge\""), 5);
    assert_string_equal(desc_of(svg), "Filiation de " LAQUO "X" RAQUO NNBSP
                                      ": inspirée par A et B" NNBSP "; a inspiré C."
                                      " A s'inspire de D. C a inspiré F.");
    free(svg);
}

static void test_crowded_level(void **state)
{
    (void)state;
    enum { N = 1 + 20 + 1 + 20 };
    struct lineage_node nodes[N];
    char titles[N][16];
    struct lineage_edge edges[20];
    nodes[0] = (struct lineage_node){"X", "/x", 0};
    for (int i = 1; i <= 20; i++) {
        snprintf(titles[i], sizeof titles[i], "N%d", i);
        nodes[i] = (struct lineage_node){titles[i], "/n", -1};
    }
    /* One inspired node, with 20 of its own: 12 shown, the rest one box with one edge. */
    nodes[21] = (struct lineage_node){"C", "/c", 1};
    for (int i = 22; i < N; i++) {
        snprintf(titles[i], sizeof titles[i], "P%d", i - 21);
        nodes[i] = (struct lineage_node){titles[i], "/p", 2};
        edges[i - 22] = (struct lineage_edge){21, i};
    }
    char *svg = render(nodes, N, edges, 20);
    assert_int_equal(count(svg, "class=\"lineage-node lineage-more\""), 2);
    assert_int_equal(count(svg, ">+8 autres</text>"), 2);
    assert_int_equal(count(svg, "<a "), 12 + 1 + 12);
    assert_null(strstr(svg, ">N13<"));
    assert_null(strstr(svg, ">P13<"));
    assert_non_null(strstr(svg, ">N12<"));
    /* 13 boxes on the left -> X, X -> C, C -> 13 boxes on the right. */
    assert_int_equal(count(svg, "class=\"lineage-edge\""), 13 + 1 + 13);
    assert_string_equal(desc_of(svg),
                        "Filiation de " LAQUO "X" RAQUO NNBSP
                        ": inspirée par N1, N2, N3, N4, N5, N6, N7, N8, N9, N10, N11, N12 et 8 "
                        "autres" NNBSP "; a inspiré C. C a inspiré P1, P2, P3, P4, P5, P6, P7, "
                        "P8, P9, P10, P11, P12 et 8 autres.");
    free(svg);

    /* 13 on a level: one too many makes a "+1 autre" box. */
    struct lineage_node thirteen[14];
    thirteen[0] = nodes[0];
    for (int i = 1; i <= 13; i++)
        thirteen[i] = nodes[i];
    svg = render(thirteen, 14, NULL, 0);
    assert_non_null(strstr(svg, ">+1 autre</text>"));
    assert_non_null(strstr(desc_of(svg), "N12 et 1 autre."));
    free(svg);
}

static void test_hidden_branches(void **state)
{
    (void)state;
    /* 14 inspirations: the last two are hidden; what inspired them is tied to the summary box
     * and the description counts them as one group. */
    enum { N = 1 + 14 + 2 };
    struct lineage_node nodes[N];
    char titles[N][16];
    nodes[0] = (struct lineage_node){"X", "/x", 0};
    for (int i = 1; i <= 14; i++) {
        snprintf(titles[i], sizeof titles[i], "N%d", i);
        nodes[i] = (struct lineage_node){titles[i], "/n", -1};
    }
    nodes[15] = (struct lineage_node){"Q", "/q", -2};
    nodes[16] = (struct lineage_node){"R", "/r", -2};
    struct lineage_edge edges[] = {{15, 13}, {15, 14}, {16, 14}, {16, 1}};
    char *svg = render(nodes, N, edges, 4);
    assert_non_null(strstr(desc_of(svg), ". N1 s'inspire de R. Les 2 autres s'inspirent "
                                         "de R et Q."));
    /* 13 -> X, Q -> more, R -> more, R -> N1 */
    assert_int_equal(count(svg, "class=\"lineage-edge\""), 13 + 3);
    free(svg);
}

static void test_far_boxes_follow_parents(void **state)
{
    (void)state;
    struct lineage_node nodes[] = {
        {"X", "/x", 0},
        {"Premier", "/1", 1},
        {"Second", "/2", 1},
        {"FilleSecond", "/fs", 2},
        {"FillePremier", "/fp", 2},
    };
    struct lineage_edge edges[] = {{2, 3}, {1, 4}};
    char *svg = render(nodes, 5, edges, 2);
    assert_true(strstr(svg, "<title>FillePremier") < strstr(svg, "<title>FilleSecond"));
    assert_non_null(strstr(desc_of(svg), " Premier a inspiré FillePremier. Second a inspiré "
                                         "FilleSecond."));
    free(svg);
}

/* ---- Hostile text ---- */

static void test_hostile_titles(void **state)
{
    (void)state;
    char long_title[400];
    memset(long_title, 'a', 300);
    long_title[300] = '\0';
    struct lineage_node nodes[] = {
        {"<script>alert(1)</script>", "/x", 0},
        {"Tom & Jerry", "/a", -1},
        {"Il a dit \"oui\" et 'non'", "/b", -1},
        {"abc\u202edcba\u2066x\u2069 fin", "/c", -1},
        {long_title, "/d", 1},
        {"caf\xc3", "/e", 1},                    /* cut short at the end */
        {"\xff\xfe\xfd ok \xe2\x82 x", "/f", 1}, /* bad bytes, a cut sequence mid-string */
        {"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80", "/g", 1}, /* overlong, surrogate, > U+10FFFF */
        {"a\x01\x1b[31mb\x7f\xc2\x85\tc\nd\xef\xbf\xbe", "/h", 1}, /* controls, U+FFFE */
        {"   ", "/i", 1},
        {NULL, "/j", 1},
        {"]]><!-- --><![CDATA[", "/k", 1},
        {"\u0301abc d\u0301ef \u0301ghi", "/l", 1}, /* marks on nothing, on a letter */
    };
    char *svg = render(nodes, 13, NULL, 0);
    assert_non_null(strstr(svg, "<title>abc d\u0301ef ghi</title>"));
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "<!--"));
    assert_null(strstr(svg, "<![CDATA["));
    assert_non_null(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(svg, "<title>Tom &amp; Jerry</title>"));
    assert_non_null(strstr(svg, "<title>Il a dit &quot;oui&quot; et &#39;non&#39;</title>"));
    /* Bidi overrides and isolates gone, the text around them kept. */
    assert_null(strstr(svg, "\u202e"));
    assert_null(strstr(svg, "\u2066"));
    assert_null(strstr(svg, "\u2069"));
    assert_non_null(strstr(svg, "<title>abcdcbax fin</title>"));
    /* Bad bytes each run one U+FFFD, the good text kept. */
    assert_non_null(strstr(svg, "<title>caf\ufffd</title>"));
    assert_non_null(strstr(svg, "<title>\ufffd ok \ufffd x</title>"));
    assert_non_null(strstr(svg, "<title>\ufffd</title>"));
    /* Controls dropped, whitespace one space, U+FFFE gone. */
    assert_non_null(strstr(svg, "<title>a[31mb c d</title>"));
    /* Blank or NULL titles read "Sans titre". */
    assert_int_equal(count(svg, "<title>Sans titre</title>"), 2);
    /* 300 characters are kept whole for the name, cut in the box. */
    char want[sizeof long_title + 16];
    snprintf(want, sizeof want, "<title>%s</title>", long_title);
    assert_non_null(strstr(svg, want));
    /* In the box: two lines, the second cut with "…" (render checked they are its start). */
    assert_non_null(strstr(svg, "aaaaaaaaaa</tspan><tspan x=\""));
    assert_non_null(strstr(svg, "aaaaaaaaaa" ELLIPSIS "</tspan>"));
    free(svg);
}

static void test_truncation_by_code_points(void **state)
{
    (void)state;
    /* 301 two-byte letters: the name keeps 299 and "…". */
    char e301[700] = "";
    for (int i = 0; i < 301; i++)
        strcat(e301, "é");
    /* Three- and four-byte letters, and letters with a combining accent, around each cut. */
    char mixed[400] = "", marks[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(mixed, i % 2 ? "€" : "😀");
    for (int i = 0; i < 40; i++)
        strcat(marks, "e\u0301");
    struct lineage_node nodes[] = {
        {"X", "/x", 0},
        {e301, "/a", 1},
        {mixed, "/b", 1},
        {marks, "/c", 1},
        {"Atelier de réparation de vélos solidaire à Brest", "/d", 1},
        {"Un très long mot: anticonstitutionnellement", "/e", 1},
        {"MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM", "/f", 1},
        {"iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii", "/g", 1},
    };
    char *svg = render(nodes, 8, NULL, 0); /* checks each line is the title's start, cut whole */

    char want[1400] = "<title>";
    for (int i = 0; i < 299; i++)
        strcat(want, "é");
    strcat(want, ELLIPSIS "</title>");
    assert_non_null(strstr(svg, want));
    /* A mark stays with its letter. */
    assert_null(strstr(svg, ">\u0301"));
    /* Lines hold what fits, not a fixed count: narrow letters more than wide ones. */
    assert_non_null(strstr(svg, ">MMMMMMMMMMMM</tspan>"));
    assert_non_null(strstr(svg, ">iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii</tspan>"));
    /* Words break at spaces; a cut second line ends at a whole word. */
    assert_non_null(strstr(svg, ">Atelier de réparation</tspan>"));
    assert_non_null(strstr(svg, ">de vélos solidaire à" ELLIPSIS "</tspan>"));
    assert_non_null(strstr(svg, ">Un très long mot:</tspan>"));
    assert_non_null(strstr(svg, ">anticonstitutionnell" ELLIPSIS "</tspan>"));
    free(svg);

    /* A short title is one line. */
    struct lineage_node short_title[] = {{"X", "/x", 0}, {"Court", "/a", 1}};
    svg = render(short_title, 2, NULL, 0);
    assert_int_equal(count(svg, "<tspan "), 2);
    free(svg);
}

static void test_urls(void **state)
{
    (void)state;
    char too_long[LINEAGE_URL_MAX + 2];
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[0] = '/';
    too_long[sizeof too_long - 1] = '\0';
    char just_fits[LINEAGE_URL_MAX + 1];
    memset(just_fits, 'b', sizeof just_fits - 1);
    just_fits[0] = '/';
    just_fits[sizeof just_fits - 1] = '\0';
    struct lineage_node nodes[] = {
        {"X", "/x", 0},
        {"Bon", "/fiches/a?b=1&c=\"2\"'<>", 1},
        {"JS", "javascript:alert(1)", 1},
        {"Absolue", "https://evil.example/", 1},
        {"Protocole", "//evil.example/", 1},
        {"Barre", "/\\evil.example/", 1},
        {"Tab", "/\t/evil.example/", 1},
        {"Espace", "/a b", 1},
        {"NonAscii", "/caf\xc3\xa9", 1},
        {"Vide", "", 1},
        {"Nulle", NULL, 1},
        {"Long", too_long, 1},
        {"Juste", just_fits, -1},
    };
    char *svg = render(nodes, 13, NULL, 0);
    assert_int_equal(count(svg, "<a "), 2);
    assert_non_null(strstr(
        svg, "<a href=\"/fiches/a?b=1&amp;c=&quot;2&quot;&#39;&lt;&gt;\"><title>Bon</title>"));
    assert_non_null(strstr(svg, "<title>Juste</title>"));
    assert_null(strstr(svg, "javascript"));
    assert_null(strstr(svg, "evil"));
    /* Unlinked boxes are drawn all the same, named by their <title>. */
    assert_non_null(strstr(svg, "<g class=\"lineage-node\" role=\"img\"><title>JS</title>"));
    assert_int_equal(count(svg, "class=\"lineage-node"), 13);
    free(svg);
}

static unsigned rnd(unsigned long *seed)
{
    *seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)(*seed >> 33);
}

/* Random graphs of random bytes: every output well-formed, every box a start of its title. */
static void test_random_input(void **state)
{
    (void)state;
    unsigned long seed = 20240611;
    enum { MAXN = 48, MAXM = 96, TITLE = 64 };
    static char titles[MAXN][TITLE], urls[MAXN][8];
    static const char specials[] = "<>&\"'/\t\n";
    struct lineage_node nodes[MAXN];
    struct lineage_edge edges[MAXM];
    for (int round = 0; round < 400; round++) {
        int n = 1 + (int)(rnd(&seed) % MAXN), m = (int)(rnd(&seed) % MAXM);
        for (int i = 0; i < n; i++) {
            int len = (int)(rnd(&seed) % (TITLE - 1));
            for (int k = 0; k < len; k++) {
                /* mostly letters and spaces, some ASCII specials, some high bytes */
                unsigned r = rnd(&seed) % 8, v = rnd(&seed);
                if (r < 4)
                    titles[i][k] = (char)('a' + v % 26);
                else if (r < 5)
                    titles[i][k] = ' ';
                else if (r < 6)
                    titles[i][k] = specials[v % (sizeof specials - 1)];
                else
                    titles[i][k] = (char)(0x80 + v % 0x80);
            }
            titles[i][len] = '\0';
            bool other_host = rnd(&seed) % 4 == 0;
            snprintf(urls[i], sizeof urls[i], "%s%u", other_host ? "//" : "/", rnd(&seed) % 100);
            nodes[i].title = titles[i];
            nodes[i].url = rnd(&seed) % 8 ? urls[i] : NULL;
            nodes[i].level = (int)(rnd(&seed) % 9) - 4;
        }
        if (rnd(&seed) % 4)
            nodes[rnd(&seed) % (unsigned)n].level = 0;
        for (int j = 0; j < m; j++) {
            edges[j].from = (int)(rnd(&seed) % (unsigned)(n + 4)) - 2;
            edges[j].to = (int)(rnd(&seed) % (unsigned)(n + 4)) - 2;
        }
        char *svg = render(nodes, n, edges, m);
        if (svg) {
            assert_true(count(svg, "<rect ") <= 5 * (LINEAGE_MAX_PER_LEVEL + 1));
            assert_true(count(svg, "<rect ") <= n + 5);
            assert_null(strstr(svg, "href=\"//"));
        }
        free(svg);
    }
}

/* ---- A sample for the eye ---- */

static void test_sample(void **state)
{
    (void)state;
    struct lineage_node nodes[] = {
        {"Atelier vélo participatif de Recouvrance", "/fiches/atelier-velo", 0},
        {"Repair café du Relecq-Kerhuon", "/fiches/repair-cafe", -1},
        {"Recyclerie solidaire", "/fiches/recyclerie", -1},
        {"Fab lab des Capucins", "/fiches/fab-lab", -1},
        {"Ateliers d'autoréparation de Rennes, la Petite Rennes et ses antennes de quartier",
         "/fiches/petite-rennes", -2},
        {"Jardin partagé", "/fiches/jardin", -2},
        {"Vélo-école pour adultes", "/fiches/velo-ecole", 1},
        {"Prêt de vélos cargos aux familles", "/fiches/cargo", 1},
        {"Balades à vélo des aînés", "/fiches/balades", 2},
        {"Livraisons à vélo & circuits courts <bio>", "https://ailleurs.example/", 2},
        {"Tiers-lieu de Landerneau", "/fiches/tiers-lieu", 2},
    };
    struct lineage_edge edges[] = {{4, 1}, {5, 2}, {4, 3}, {6, 8}, {7, 9}, {7, 10}, {6, 10}};
    char *svg = render(nodes, 11, edges, 7);
    assert_non_null(strstr(svg, "lineage-cols-5"));
    FILE *f = fopen("build/lineage-sample.svg", "w");
    if (f) {
        assert_int_equal(fputs(svg, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
    } else {
        fprintf(stderr, "note: build/ is missing here, no sample written\n");
    }
    free(svg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_catches),
        cmocka_unit_test(test_desc_names),
        cmocka_unit_test(test_desc_second_level),
        cmocka_unit_test(test_desc_elision),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_columns_fit_content),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_levels_out_of_range),
        cmocka_unit_test(test_bad_edges),
        cmocka_unit_test(test_crowded_level),
        cmocka_unit_test(test_hidden_branches),
        cmocka_unit_test(test_far_boxes_follow_parents),
        cmocka_unit_test(test_hostile_titles),
        cmocka_unit_test(test_truncation_by_code_points),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_random_input),
        cmocka_unit_test(test_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
