/* test_qr_svg.c — unit tests of the QR code renderer (render/qr_svg): the SVG is well-formed XML
 * read by libxml2, an image with its accessible name (escaped, hostile labels included), its
 * viewBox the symbol's width for its version plus the quiet zone, and its path exactly the dark
 * modules libqrencode gives (drawn back into a grid and compared module by module), nothing in
 * the quiet zone; refused inputs; a sample written to build/qr-sample.svg to look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/qr_svg.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static xmlDocPtr parse(const char *svg)
{
    xmlDocPtr doc = xmlReadMemory(svg, (int)strlen(svg), "qr.svg", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        fail_msg("not well-formed XML: %.400s", svg);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "svg");
    assert_non_null(root->ns);
    assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2000/svg");
    return doc;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static void assert_attr(xmlNodePtr n, const char *name, const char *want)
{
    char *v = (char *)xmlGetProp(n, (const xmlChar *)name);
    assert_non_null(v);
    assert_string_equal(v, want);
    xmlFree(v);
}

/* The modules the path d paints, into grid (side × side): each "MX Yh Nv1h-Nz" a run. */
static void paint(const char *d, unsigned char *grid, int side)
{
    const char *p = d;
    while (*p) {
        int x, y, n, m, used = 0;
        assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &m, &used), 4);
        assert_int_equal(n, m);
        assert_true(n > 0 && x >= 0 && y >= 0 && x + n <= side && y < side);
        for (int i = 0; i < n; i++) {
            assert_int_equal(grid[y * side + x + i], 0); /* each module painted once */
            grid[y * side + x + i] = 1;
        }
        p += used;
    }
}

/* text's SVG checked against libqrencode's own symbol; its version. */
static int check(const char *text, const char *label, const char *want_label)
{
    size_t len = 0;
    int version = 0;
    char *svg = qr_svg(text, label, &len, &version);
    assert_non_null(svg);
    assert_int_equal(len, strlen(svg));
    assert_true(version >= 1 && version <= 40);
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    assert_non_null(qr);
    assert_int_equal(qr->version, version);
    int w = 4 * version + 17, side = w + 2 * QR_SVG_QUIET;
    assert_int_equal(qr->width, w);

    xmlDocPtr doc = parse(svg);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char box[64];
    snprintf(box, sizeof box, "0 0 %d %d", side, side);
    assert_attr(root, "viewBox", box);
    assert_attr(root, "role", "img");
    assert_attr(root, "aria-label", want_label);
    assert_attr(root, "class", "qr");
    xmlNodePtr title = child(root, "title");
    assert_non_null(title);
    xmlChar *tt = xmlNodeGetContent(title);
    assert_string_equal((const char *)tt, want_label);
    xmlFree(tt);
    xmlNodePtr rect = child(root, "rect"), path = child(root, "path");
    assert_non_null(rect);
    assert_non_null(path);
    snprintf(box, sizeof box, "%d", side);
    assert_attr(rect, "width", box);
    assert_attr(rect, "fill", "#fff");
    assert_attr(path, "fill", "#000");
    assert_null(xmlHasProp(root, (const xmlChar *)"style"));

    char *d = (char *)xmlGetProp(path, (const xmlChar *)"d");
    unsigned char *grid = calloc((size_t)side * (size_t)side, 1);
    paint(d, grid, side);
    int dark = 0;
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            bool inside = x >= QR_SVG_QUIET && x < QR_SVG_QUIET + w && y >= QR_SVG_QUIET &&
                          y < QR_SVG_QUIET + w;
            int want = inside ? qr->data[(y - QR_SVG_QUIET) * w + (x - QR_SVG_QUIET)] & 1 : 0;
            if (grid[y * side + x] != want)
                fail_msg("module (%d, %d) of \"%s\": %d, want %d", x, y, text, grid[y * side + x],
                         want);
            dark += want;
        }
    assert_true(dark > w); /* the finder patterns alone are more than that */
    free(grid);
    xmlFree(d);
    xmlFreeDoc(doc);
    QRcode_free(qr);
    free(svg);
    return version;
}

static void test_versions(void **state)
{
    (void)state;
    /* Level M holds 14 bytes in version 1, 26 in 2, 42 in 3, 62 in 4, 84 in 5. */
    assert_int_equal(check("foison", NULL, "Code QR"), 1);
    assert_int_equal(check("https://foison.example/a", "Lien", "Lien"), 2);
    int link = check("https://foison.example/atelier/rejoindre?jeton=abcdefghijkmnpqrstuvwxyz23",
                     "Code QR du lien 1 sur 10", "Code QR du lien 1 sur 10");
    assert_int_equal(link, 5); /* 73 bytes */
    char longer[QR_SVG_TEXT_MAX + 1];
    memset(longer, 'a', QR_SVG_TEXT_MAX);
    longer[QR_SVG_TEXT_MAX] = '\0';
    int prev = 0;
    for (size_t n = 10; n <= QR_SVG_TEXT_MAX; n += 101) {
        char save = longer[n];
        longer[n] = '\0';
        int v = check(longer, "x", "x");
        assert_true(v >= prev); /* more text, never a smaller symbol */
        prev = v;
        longer[n] = save;
    }
    assert_true(prev > 20);
}

static void test_hostile_label(void **state)
{
    (void)state;
    check("https://x/?a=1&b=<2>", "Lien \"<b>&amp;'</b>\" — été", "Lien \"<b>&amp;'</b>\" — été");
    char *svg = qr_svg("x", "</title><script>alert(1)</script>", NULL, NULL);
    assert_non_null(svg);
    assert_null(strstr(svg, "<script"));
    free(svg);
}

static void test_refused(void **state)
{
    (void)state;
    assert_null(qr_svg(NULL, "x", NULL, NULL));
    assert_null(qr_svg("", "x", NULL, NULL));
    char *big = malloc(QR_SVG_TEXT_MAX + 2);
    memset(big, 'a', QR_SVG_TEXT_MAX + 1);
    big[QR_SVG_TEXT_MAX + 1] = '\0';
    assert_null(qr_svg(big, "x", NULL, NULL));
    free(big);
}

static void test_sample(void **state)
{
    (void)state;
    char *svg = qr_svg("http://127.0.0.1:8080/atelier/rejoindre?jeton=abcdefghijkmnpqrstuvwxyz23",
                       "Code QR d'exemple", NULL, NULL);
    assert_non_null(svg);
    FILE *f = fopen("build/qr-sample.svg", "w");
    if (f) {
        fputs(svg, f);
        fclose(f);
    }
    free(svg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_hostile_label),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_sample),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
