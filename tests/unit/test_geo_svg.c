/* test_geo_svg.c — unit tests of the position map (render/geo_svg): well-formed XML read by
 * libxml2 whatever the communes' names, hostile names escaped and cleaned, the marker inside the
 * frame at its centre, the scale bar as long as the ground distances it measures (at Brest's
 * latitude and further north), labels inside the frame and apart, the French title with its
 * elisions, bad positions refused, and samples (the Pays de Brest of data/communes.tsv) written
 * to build/geo-sample*.svg for a person to look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/geo_svg.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NNBSP "\u202f"

/* ---- Reading the SVG back ---- */

static xmlDocPtr parse(const char *svg)
{
    xmlDocPtr doc = xmlReadMemory(svg, (int)strlen(svg), "map.svg", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        fail_msg("not well-formed XML: %.400s", svg);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_non_null(root);
    assert_string_equal((const char *)root->name, "svg");
    assert_non_null(root->ns);
    assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2000/svg");
    return doc;
}

static char *attr(xmlNodePtr n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static bool has_class(xmlNodePtr n, const char *cls)
{
    char *c = attr(n, "class");
    bool yes = false;
    if (c) {
        size_t k = strlen(cls);
        for (const char *p = c; (p = strstr(p, cls)) != NULL; p += k)
            if ((p == c || p[-1] == ' ') && (p[k] == '\0' || p[k] == ' '))
                yes = true;
    }
    xmlFree(c);
    return yes;
}

/* The elements with class cls, in document order (at most max). */
static int find_all(xmlNodePtr n, const char *cls, xmlNodePtr *out, int max, int count)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (has_class(n, cls) && count < max)
            out[count++] = n;
        count = find_all(n->children, cls, out, max, count);
    }
    return count;
}

static xmlNodePtr find(xmlDocPtr doc, const char *cls)
{
    xmlNodePtr out[1];
    return find_all(xmlDocGetRootElement(doc), cls, out, 1, 0) ? out[0] : NULL;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* The text of the root's child element name (malloc'd by libxml2). */
static char *root_text(xmlDocPtr doc, const char *name)
{
    xmlNodePtr n = child(xmlDocGetRootElement(doc), name);
    assert_non_null(n);
    return (char *)xmlNodeGetContent(n);
}

static double num_attr(xmlNodePtr n, const char *name)
{
    char *v = attr(n, name);
    assert_non_null(v);
    double d = strtod(v, NULL);
    xmlFree(v);
    return d;
}

static void marker_at(xmlDocPtr doc, double *x, double *y)
{
    xmlNodePtr m = find(doc, "geo-marker");
    assert_non_null(m);
    char *t = attr(m, "transform");
    assert_int_equal(sscanf(t, "translate(%lf %lf)", x, y), 2);
    xmlFree(t);
}

/* ---- Data ---- */

static const struct geo_svg_town brest[] = {
    {"Brest", 48.39029, -4.48628},
    {"Plouzané", 48.38131, -4.61805},
    {"Guilers", 48.42545, -4.55836},
    {"Bohars", 48.42917, -4.51424},
    {"Gouesnou", 48.45264, -4.46454},
    {"Guipavas", 48.43469, -4.39933},
    {"Le Relecq-Kerhuon", 48.40733, -4.39665},
    {"Plougastel-Daoulas", 48.37278, -4.37056},
    {"Locmaria-Plouzané", 48.37519, -4.64317},
    {"Irvillac", 48.36833, -4.21278},
};
#define NBREST (sizeof brest / sizeof brest[0])

static char *draw(double lat, double lon, bool approx, const struct geo_svg_town *t, size_t n)
{
    struct geo_svg_map m = {lat, lon, approx, t, n};
    size_t len = 0;
    char *svg = geo_svg(&m, &len);
    assert_non_null(svg);
    assert_int_equal(len, strlen(svg));
    return svg;
}

/* ---- Tests ---- */

static void test_structure(void **state)
{
    (void)state;
    char *svg = draw(48.3890, -4.5800, false, brest, NBREST);
    xmlDocPtr doc = parse(svg);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char *v = attr(root, "viewBox");
    assert_string_equal(v, "0 0 360 240");
    xmlFree(v);
    v = attr(root, "role");
    assert_string_equal(v, "img");
    xmlFree(v);
    v = attr(root, "width");
    assert_string_equal(v, "100%");
    xmlFree(v);
    assert_null(xmlGetProp(root, (const xmlChar *)"height"));
    assert_null(strstr(svg, "style"));
    /* Named by its aria-label, the same as its title, described by its desc. */
    v = attr(root, "aria-label");
    assert_string_equal(v, "Position" NNBSP ": près de Plouzané");
    xmlFree(v);
    assert_null(xmlGetProp(root, (const xmlChar *)"aria-labelledby"));
    v = attr(root, "aria-describedby");
    assert_string_equal(v, "geo-map-desc");
    xmlFree(v);
    char *title = root_text(doc, "title");
    assert_string_equal(title, "Position" NNBSP ": près de Plouzané");
    xmlFree(title);
    char *desc = root_text(doc, "desc");
    assert_non_null(strstr(desc, "Communes voisines" NNBSP ": Plouzané à 2,9" NNBSP "km"));
    assert_non_null(strstr(desc, "Brest à 6,9" NNBSP "km"));
    assert_non_null(strstr(desc, "le nord en haut."));
    xmlFree(desc);
    assert_non_null(find(doc, "geo-scale"));
    assert_non_null(find(doc, "geo-north"));
    xmlNodePtr dots[32];
    int ndots = find_all(root, "geo-town", dots, 32, 0);
    assert_true(ndots >= 4);
    xmlFreeDoc(doc);
    free(svg);
}

static void test_marker_inside(void **state)
{
    (void)state;
    const double where[][2] = {{48.39, -4.49}, {48.0, 2.35},     {-33.9, 151.2},
                               {84.9, 179.99}, {-84.9, -179.99}, {0, 0}};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
        for (int approx = 0; approx < 2; approx++) {
            char *svg = draw(where[i][0], where[i][1], approx, brest, NBREST);
            xmlDocPtr doc = parse(svg);
            double x, y;
            marker_at(doc, &x, &y);
            assert_true(x > 0 && x < GEO_SVG_WIDTH && y > 0 && y < GEO_SVG_HEIGHT);
            assert_true(fabs(x - GEO_SVG_WIDTH / 2.0) < 0.1 &&
                        fabs(y - GEO_SVG_HEIGHT / 2.0) < 0.1);
            assert_int_equal(has_class(find(doc, "geo-marker"), "geo-approximate"), approx);
            /* Far from the towns: no dot, no label, a title that names nothing. */
            if (i > 0) {
                xmlNodePtr dots[4];
                assert_int_equal(find_all(xmlDocGetRootElement(doc), "geo-town", dots, 4, 0), 0);
                char *title = root_text(doc, "title");
                assert_string_equal(title, approx ? "Position approximative sur la carte"
                                                  : "Position sur la carte");
                xmlFree(title);
            }
            xmlFreeDoc(doc);
            free(svg);
        }
}

/* The distance on the drawing between two dots, by the scale bar's own measure, is the one on
 * the ground (within 1 %). */
static void check_scale(double lat, double lon, const struct geo_svg_town *t, size_t n, int a,
                        int b)
{
    char *svg = draw(lat, lon, false, t, n);
    xmlDocPtr doc = parse(svg);
    xmlNodePtr scale = find(doc, "geo-scale");
    assert_non_null(scale);
    xmlNodePtr path = child(scale, "path");
    char *d = attr(path, "d");
    int x0, y0;
    double len;
    assert_int_equal(sscanf(d, "M%d %dv-5M%*d %*dh%lf", &x0, &y0, &len), 3);
    xmlFree(d);
    char *label = (char *)xmlNodeGetContent(child(scale, "text"));
    double km;
    char unit[16];
    assert_int_equal(sscanf(label, "%lf" NNBSP "%15s", &km, unit), 2);
    assert_string_equal(unit, "km");
    xmlFree(label);
    assert_true(len > 30 && len <= GEO_SVG_WIDTH / 3.0);
    /* Dots are drawn nearest first: a (the nearer) then b. */
    xmlNodePtr dots[64];
    assert_int_equal(find_all(xmlDocGetRootElement(doc), "geo-town", dots, 64, 0), 2);
    double px[2], py[2];
    for (int i = 0; i < 2; i++) {
        px[i] = num_attr(dots[i], "cx");
        py[i] = num_attr(dots[i], "cy");
    }
    double p1 = t[a].lat * M_PI / 180, p2 = t[b].lat * M_PI / 180;
    double dl = (t[b].lon - t[a].lon) * M_PI / 180;
    double h =
        sin((p2 - p1) / 2) * sin((p2 - p1) / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    double ground = 2 * 6371.0 * asin(sqrt(h));
    double drawn = hypot(px[1] - px[0], py[1] - py[0]) * km / len;
    if (fabs(drawn - ground) > ground * 0.01)
        fail_msg("at %.2f: %.3f km drawn, %.3f km on the ground", lat, drawn, ground);
    xmlFreeDoc(doc);
    free(svg);
}

static void test_scale(void **state)
{
    (void)state;
    /* Brest and Plouzané seen from between them, nearer Brest. */
    const struct geo_svg_town pair[] = {{"Brest", 48.39029, -4.48628},
                                        {"Plouzané", 48.38131, -4.61805}};
    check_scale(48.3880, -4.5300, pair, 2, 0, 1);
    /* At 60° N a degree of longitude is half that of the equator: a diagonal pair. */
    const struct geo_svg_town north[] = {{"Un", 60.02, 10.01}, {"Deux", 59.96, 10.10}};
    check_scale(60.0, 10.04, north, 2, 0, 1);
    const struct geo_svg_town south[] = {{"Un", -33.85, 151.18}, {"Deux", -33.92, 151.27}};
    check_scale(-33.88, 151.21, south, 2, 0, 1);
}

static void test_hostile_names(void **state)
{
    (void)state;
    const struct geo_svg_town towns[] = {
        {"</text><script>alert(1)</script>&amp;\"'", 48.3900, -4.4860},
        {"Bi\xe2\x80\xaeXX\tdi  \n\xc2\x85 ", 48.4000, -4.5000}, /* RLO, NEL, spaces */
        {"Contr\x01le\x1b", 48.3700, -4.5100},        /* C0 controls: not text, a dot only */
        {"Mauvais \xff\xfe UTF-8", 48.3800, -4.4700}, /* not UTF-8: a dot only */
        {"", 48.3950, -4.4600},
        {NULL, 48.3850, -4.5050},
        {"\xef\xbf\xbe", 48.4050, -4.4750}, /* U+FFFE alone: nothing left */
    };
    char *svg = draw(48.3905, -4.4865, false, towns, 7);
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "\xe2\x80\xae"));
    assert_null(strstr(svg, "\x01"));
    assert_null(strstr(svg, "\xc2\x85"));
    assert_null(strstr(svg, "\xff"));
    assert_non_null(strstr(svg, "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;"));
    xmlDocPtr doc = parse(svg);
    char *title = root_text(doc, "title");
    assert_string_equal(title,
                        "Position" NNBSP ": près de </text><script>alert(1)</script>&amp;\"'");
    xmlFree(title);
    xmlNodePtr labels[16];
    int nl = find_all(xmlDocGetRootElement(doc), "geo-label", labels, 16, 0);
    for (int i = 0; i < nl; i++) {
        char *t = (char *)xmlNodeGetContent(labels[i]);
        assert_null(strstr(t, "Mauvais"));
        assert_null(strstr(t, "Contr"));
        assert_true(*t != '\0');
        xmlFree(t);
    }
    xmlNodePtr dots[16];
    assert_int_equal(find_all(xmlDocGetRootElement(doc), "geo-town", dots, 16, 0), 7);
    xmlFreeDoc(doc);
    free(svg);

    /* Alone, the name with controls is named, cleaned. */
    svg = draw(48.3905, -4.4865, false, towns + 1, 1);
    assert_null(strstr(svg, "\xe2\x80\xae"));
    doc = parse(svg);
    title = root_text(doc, "title");
    assert_string_equal(title, "Position" NNBSP ": près de BiXX di");
    xmlFree(title);
    xmlNodePtr label = find(doc, "geo-label");
    assert_non_null(label);
    char *text = (char *)xmlNodeGetContent(label);
    assert_string_equal(text, "BiXX di");
    xmlFree(text);
    xmlFreeDoc(doc);
    free(svg);

    /* A long name is cut, between code points, at GEO_SVG_NAME_MAX. */
    char longname[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(longname, "é");
    const struct geo_svg_town one[] = {{longname, 48.39, -4.49}};
    svg = draw(48.39, -4.49, true, one, 1);
    doc = parse(svg);
    title = root_text(doc, "title");
    assert_int_equal(strlen(title), strlen("Position approximative" NNBSP ": centre d\u2019") +
                                        2 * GEO_SVG_NAME_MAX - 2 + strlen("\u2026"));
    xmlFree(title);
    xmlFreeDoc(doc);
    free(svg);
}

static void test_titles(void **state)
{
    (void)state;
    struct {
        const char *name;
        bool approx;
        const char *title;
    } cases[] = {
        {"Plouzané", true, "Position approximative" NNBSP ": centre de Plouzané"},
        {"Le Conquet", true, "Position approximative" NNBSP ": centre du Conquet"},
        {"Les Forges", false, "Position" NNBSP ": près des Forges"},
        {"Irvillac", false, "Position" NNBSP ": près d\u2019Irvillac"},
        {"Élliant", false, "Position" NNBSP ": près d\u2019Élliant"},
        {"La Forest-Landerneau", false, "Position" NNBSP ": près de La Forest-Landerneau"},
        {"Hanvec", true, "Position approximative" NNBSP ": centre de Hanvec"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct geo_svg_town t[] = {{cases[i].name, 48.40, -4.40}, {"Autre", 48.43, -4.45}};
        /* approximate: at the centre; exact: 1 km away. */
        char *svg = draw(cases[i].approx ? 48.40 : 48.409, -4.40, cases[i].approx, t, 2);
        xmlDocPtr doc = parse(svg);
        char *title = root_text(doc, "title");
        assert_string_equal(title, cases[i].title);
        xmlFree(title);
        xmlFreeDoc(doc);
        free(svg);
    }
}

/* The labels stay inside the frame, never cover each other, and are at most GEO_SVG_LABELS;
 * approximate boxes by their anchors and the width estimate's lower bound. */
static void test_labels(void **state)
{
    (void)state;
    struct geo_svg_town crowd[80];
    char names[80][32];
    for (int i = 0; i < 80; i++) {
        snprintf(names[i], sizeof names[i], "Commune numéro %d", i);
        crowd[i] = (struct geo_svg_town){names[i], 48.39 + 0.01 * ((i * 37) % 11 - 5),
                                         -4.49 + 0.012 * ((i * 53) % 13 - 6)};
    }
    char *svg = draw(48.39, -4.49, false, crowd, 80);
    xmlDocPtr doc = parse(svg);
    xmlNodePtr labels[32];
    int nl = find_all(xmlDocGetRootElement(doc), "geo-label", labels, 32, 0);
    assert_true(nl >= 1 && nl <= GEO_SVG_LABELS);
    double bx[32][4];
    for (int i = 0; i < nl; i++) {
        double x = num_attr(labels[i], "x"), y = num_attr(labels[i], "y");
        char *anchor = attr(labels[i], "text-anchor");
        char *t = (char *)xmlNodeGetContent(labels[i]);
        double w = strlen(t) * 0.5 * 12; /* narrower than any estimate */
        double x0 = strcmp(anchor, "start") == 0 ? x
                    : strcmp(anchor, "end") == 0 ? x - w
                                                 : x - w / 2;
        bx[i][0] = x0;
        bx[i][1] = y - 9;
        bx[i][2] = x0 + w;
        bx[i][3] = y + 3;
        assert_true(bx[i][0] >= 0 && bx[i][2] <= GEO_SVG_WIDTH);
        assert_true(bx[i][1] >= 0 && bx[i][3] <= GEO_SVG_HEIGHT);
        for (int k = 0; k < i; k++)
            assert_false(bx[i][0] < bx[k][2] && bx[k][0] < bx[i][2] && bx[i][1] < bx[k][3] &&
                         bx[k][1] < bx[i][3]);
        xmlFree(anchor);
        xmlFree(t);
    }
    xmlFreeDoc(doc);
    free(svg);
}

static void test_bad_input(void **state)
{
    (void)state;
    assert_null(geo_svg(NULL, NULL));
    struct geo_svg_map m = {NAN, -4.4, false, brest, NBREST};
    assert_null(geo_svg(&m, NULL));
    m = (struct geo_svg_map){48.4, INFINITY, false, brest, NBREST};
    assert_null(geo_svg(&m, NULL));
    m = (struct geo_svg_map){89.0, -4.4, false, brest, NBREST};
    assert_null(geo_svg(&m, NULL));
    m = (struct geo_svg_map){48.4, 181.0, false, brest, NBREST};
    assert_null(geo_svg(&m, NULL));
    /* No towns at all, or NULL with a count: a map with the marker alone. */
    m = (struct geo_svg_map){48.4, -4.4, false, NULL, 5};
    char *svg = geo_svg(&m, NULL);
    assert_non_null(svg);
    xmlFreeDoc(parse(svg));
    free(svg);
    /* Towns with bad coordinates are left out. */
    const struct geo_svg_town bad[] = {
        {"NaN", NAN, -4.4}, {"Inf", 48.4, INFINITY}, {"Pôle", 95, -4.4}, {"Ici", 48.401, -4.401}};
    svg = draw(48.4, -4.4, false, bad, 4);
    xmlDocPtr doc = parse(svg);
    xmlNodePtr dots[8];
    assert_int_equal(find_all(xmlDocGetRootElement(doc), "geo-town", dots, 8, 0), 1);
    xmlFreeDoc(doc);
    free(svg);
}

/* The Pays de Brest from data/communes.tsv, around points a person can look at. */
static void test_sample(void **state)
{
    (void)state;
    FILE *in = fopen("data/communes.tsv", "r");
    if (!in) {
        fprintf(stderr, "note: data/communes.tsv is missing here, no sample written\n");
        return;
    }
    struct geo_svg_town t[200];
    static char names[200][64];
    size_t n = 0;
    char line[512];
    while (n < 200 && fgets(line, sizeof line, in)) {
        char insee[16];
        double lat, lon;
        if (sscanf(line, "%15[^\t]\t%63[^\t]\t%lf\t%lf", insee, names[n], &lat, &lon) == 4)
            t[n] = (struct geo_svg_town){names[n], lat, lon}, n++;
    }
    fclose(in);
    assert_true(n > 50);
    const struct {
        const char *file;
        double lat, lon;
        bool approx;
    } samples[] = {
        {"build/geo-sample.svg", 48.3835, -4.6012, false},
        {"build/geo-sample-approx.svg", 48.38131, -4.61805, true},
        {"build/geo-sample-city.svg", 48.3904, -4.4861, false},
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char *svg = draw(samples[i].lat, samples[i].lon, samples[i].approx, t, n);
        xmlFreeDoc(parse(svg));
        FILE *f = fopen(samples[i].file, "w");
        if (f) {
            assert_true(fputs(svg, f) >= 0);
            assert_int_equal(fclose(f), 0);
        }
        free(svg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure), cmocka_unit_test(test_marker_inside),
        cmocka_unit_test(test_scale),     cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_titles),    cmocka_unit_test(test_labels),
        cmocka_unit_test(test_bad_input), cmocka_unit_test(test_sample),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
