/* geo_svg.c — the position map of render/geo_svg.h: the frame and its projection, which communes
 * are named and where their labels go, the marker, scale and north, and the French words that
 * say the same. foison never calls setlocale, so printf writes numbers with a dot. */
#include "render/geo_svg.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NNBSP "\u202f"
#define ELLIPSIS "\u2026"

/* The Earth as a sphere of the mean radius: over tens of km its error is far below a pixel. */
#define EARTH_KM 6371.0
#define KM_PER_DEGREE (EARTH_KM * M_PI / 180.0)
#define GEO_LAT_MAX 85.0

enum {
    W = GEO_SVG_WIDTH,
    H = GEO_SVG_HEIGHT,
    EDGE = 2,        /* no label closer than this to the frame's edge */
    FONT = 12,       /* labels, in user units */
    DOT_R = 3,       /* a commune's centre */
    MIN_TOWNS = 4,   /* centres a frame should hold for context */
    SCALE_X = 10,    /* the scale bar's left end */
    SCALE_Y = H - 12 /* and its line */
};

/* Presentation attributes, for a page without the stylesheet: the text #1a1a1a on the
 * background #f3f7f5 is over 15:1, the dots #5b6770 and the marker #b3261e over 4.5:1 (graphics
 * need 3:1). */
#define BG_ATTRS "fill=\"#f3f7f5\" stroke=\"#5b6770\" stroke-width=\"1\""
#define GRID_COLOR "#dde6e2"
#define TEXT_COLOR "#1a1a1a"
/* On each text, not the root: HTML Tidy refuses it on <svg>. */
#define FONT_ATTRS "font-family=\"sans-serif\""
#define DOT_COLOR "#5b6770"
#define MARK_COLOR "#b3261e"
/* A light halo under each label keeps it readable over the grid and the dots. */
#define HALO_ATTRS                                                                                 \
    "stroke=\"#f3f7f5\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\""

struct box {
    double x0, y0, x1, y1;
};

struct frame {
    double lat, lon, coslat;
    double km_wide, ppk; /* km across the frame, user units per km */
};

struct town {
    double x, y, km;
    char *name; /* cleaned; NULL: a dot without a label */
};

/* ---- Geometry ---- */

/* The great-circle distance in km (haversine). */
static double geo_svg_km(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
    double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
    double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * EARTH_KM * asin(sqrt(h < 1 ? h : 1));
}

/* Longitudes the other side of the antimeridian count as near. */
static double geo_svg_dlon(double lon, double lon0)
{
    return remainder(lon - lon0, 360.0);
}

static void geo_svg_project(const struct frame *f, double lat, double lon, double *x, double *y)
{
    *x = W / 2.0 + geo_svg_dlon(lon, f->lon) * f->coslat * KM_PER_DEGREE * f->ppk;
    *y = H / 2.0 - (lat - f->lat) * KM_PER_DEGREE * f->ppk;
}

static bool geo_svg_inside(double x, double y, double margin)
{
    return x >= margin && x <= W - margin && y >= margin && y <= H - margin;
}

static bool geo_svg_overlap(const struct box *a, const struct box *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* ---- Names ---- */

/* Code points a name loses: controls (most C0 ones are not XML characters), the bidi
 * embeddings, overrides and isolates (one left open would turn the page's text around), and
 * non-characters. */
static bool geo_svg_dropped(unsigned c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* A commune's name made fit to show: well-formed UTF-8 or nothing, the dropped code points gone,
 * whitespace runs one space, none at either end, at most GEO_SVG_NAME_MAX code points ("…" last
 * when cut). Malloc'd; NULL when nothing is left. Not yet escaped. */
static char *geo_svg_name_clean(const char *in)
{
    if (!in || !utf8_valid(in, strlen(in)))
        return NULL;
    struct buf b = BUF_INIT;
    size_t count = 0, cut = 0;
    bool space = false;
    const char *p = in;
    for (unsigned c; (c = utf8_next(&p)) != 0;) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x85 || c == 0xa0 ||
            c == 0x2028 || c == 0x2029) {
            space = count > 0;
            continue;
        }
        if (geo_svg_dropped(c))
            continue;
        if (count == GEO_SVG_NAME_MAX) {
            b.len = cut;
            buf_puts(&b, ELLIPSIS);
            return buf_detach(&b, NULL);
        }
        if (space) {
            buf_putc(&b, ' ');
            space = false;
        }
        if (count == GEO_SVG_NAME_MAX - 1)
            cut = b.len;
        char u[4];
        buf_append(&b, u, utf8_encode(c, u));
        count++;
    }
    if (b.len == 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

/* The width of a label in user units, estimated on the wide side (DejaVu Sans, the widest
 * common fallback): the server cannot measure text. */
static double geo_svg_text_width(const char *s, double size)
{
    double em = 0;
    for (const char *p = s; *p;) {
        unsigned c = utf8_next(&p);
        if (c == ' ' || c == '-' || c == '\'' || c == '.' || c == 'i' || c == 'l' || c == 'j')
            em += 0.36;
        else if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde) || c == 'm' || c == 'w')
            em += 0.80;
        else if (c >= 0x2e80)
            em += 1.06; /* wide scripts, emoji */
        else
            em += 0.64;
    }
    return em * size;
}

/* word then "de X" as French writes it: "près du Conquet", "centre des Forges", "près
 * d'Irvillac", "près de Brest"; the name escaped. */
static void geo_svg_put_of(struct buf *b, const char *word, const char *name)
{
    buf_puts(b, word);
    if (strncmp(name, "Le ", 3) == 0) {
        buf_puts(b, " du ");
        name += 3;
    } else if (strncmp(name, "Les ", 4) == 0) {
        buf_puts(b, " des ");
        name += 4;
    } else {
        const char *p = name;
        unsigned c = utf8_next(&p);
        bool elide = (c < 0x80 && c && strchr("AEIOUYaeiouy", (int)c)) ||
                     (c >= 0xc0 && c <= 0xdd && c != 0xd7) || (c >= 0xe0 && c <= 0xfd && c != 0xf7);
        buf_puts(b, elide ? " d\u2019" : " de ");
    }
    buf_put_html(b, name, strlen(name));
}

/* A distance in km as French writes it: "850 m", "1,2 km", "14 km". */
static void geo_svg_put_km(struct buf *b, double km)
{
    if (km < 1) {
        buf_printf(b, "%d" NNBSP "m", (int)(lround(km * 20) * 50));
        return;
    }
    if (km < 10) {
        long t = lround(km * 10);
        buf_printf(b, "%ld,%ld" NNBSP "km", t / 10, t % 10);
        return;
    }
    buf_printf(b, "%ld" NNBSP "km", lround(km));
}

/* ---- Layout ---- */

static int geo_svg_town_cmp(const void *a, const void *b)
{
    double x = ((const struct town *)a)->km, y = ((const struct town *)b)->km;
    return (x > y) - (x < y);
}

/* The smallest width that holds MIN_TOWNS centres, else the widest. */
static double geo_svg_width_km(const struct geo_svg_map *m, double coslat)
{
    static const double widths[] = {12, 16, 24, 32, 48};
    size_t nw = sizeof widths / sizeof widths[0];
    for (size_t i = 0; i < nw; i++) {
        struct frame f = {m->lat, m->lon, coslat, widths[i], W / widths[i]};
        size_t n = 0;
        for (size_t t = 0; t < m->ntowns && n < MIN_TOWNS; t++) {
            double x, y;
            geo_svg_project(&f, m->towns[t].lat, m->towns[t].lon, &x, &y);
            n += geo_svg_inside(x, y, 0);
        }
        if (n >= MIN_TOWNS)
            return widths[i];
    }
    return widths[nw - 1];
}

/* The scale bar: the longest of the usual lengths not past a third of the frame. */
static double geo_svg_scale_km(const struct frame *f)
{
    static const double steps[] = {20, 10, 5, 2, 1};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * f->ppk <= W / 3.0)
            return steps[i];
    return 1;
}

/* Where a label of the given width goes by its dot at (x, y), first choice first: the text's
 * anchor point, its text-anchor and its box. off: the gap from the dot. */
struct spot {
    double tx, ty;
    const char *anchor;
    struct box box;
};

static int geo_svg_spots(double x, double y, double w, double off, struct spot out[4])
{
    double asc = FONT * 0.78, desc = FONT * 0.26;
    out[0] = (struct spot){x + off, y + FONT * 0.35, "start", {0, 0, 0, 0}};
    out[1] = (struct spot){x - off, y + FONT * 0.35, "end", {0, 0, 0, 0}};
    out[2] = (struct spot){x, y - off - desc, "middle", {0, 0, 0, 0}};
    out[3] = (struct spot){x, y + off + asc, "middle", {0, 0, 0, 0}};
    for (int i = 0; i < 4; i++) {
        double x0 = out[i].anchor[0] == 's'   ? out[i].tx
                    : out[i].anchor[0] == 'e' ? out[i].tx - w
                                              : out[i].tx - w / 2;
        out[i].box = (struct box){x0 - 1, out[i].ty - asc, x0 + w + 1, out[i].ty + desc};
    }
    return 4;
}

/* ---- Drawing ---- */

static void geo_svg_put_marker(struct buf *b, const struct frame *f, const struct geo_svg_map *m)
{
    double cx = W / 2.0, cy = H / 2.0;
    if (m->approximate) {
        /* A circle of a small commune's size: where the record is, roughly. */
        double r = 2.0 * f->ppk;
        buf_printf(b,
                   "<g class=\"geo-marker geo-approximate\" transform=\"translate(%.1f %.1f)\">"
                   "<circle r=\"%.1f\" fill=\"" MARK_COLOR
                   "\" fill-opacity=\"0.12\" stroke=\"" MARK_COLOR
                   "\" stroke-width=\"2\" stroke-dasharray=\"5 4\"/>"
                   "<circle r=\"5\" fill=\"" MARK_COLOR "\" stroke=\"#ffffff\" stroke-width=\"2\"/>"
                   "</g>",
                   cx, cy, r);
        return;
    }
    /* A pin whose tip is the point. */
    buf_printf(
        b,
        "<g class=\"geo-marker\" transform=\"translate(%.1f %.1f)\">"
        "<path d=\"M0 0C-2.5-6-9-10-9-17a9 9 0 1 1 18 0c0 7-6.5 11-9 17z\" fill=\"" MARK_COLOR
        "\" stroke=\"#ffffff\" stroke-width=\"2\"/>"
        "<circle cy=\"-17\" r=\"3.5\" fill=\"#ffffff\"/></g>",
        cx, cy);
}

static struct box geo_svg_marker_box(const struct geo_svg_map *m)
{
    double cx = W / 2.0, cy = H / 2.0;
    if (m->approximate)
        return (struct box){cx - 7, cy - 7, cx + 7, cy + 7};
    return (struct box){cx - 10, cy - 28, cx + 10, cy + 2};
}

static void geo_svg_put_grid(struct buf *b, const struct frame *f, double step_km)
{
    double step = step_km * f->ppk;
    buf_puts(b, "<path class=\"geo-grid\" fill=\"none\" stroke=\"" GRID_COLOR
                "\" stroke-width=\"1\" d=\"");
    for (double x = fmod(W / 2.0, step); x < W; x += step)
        buf_printf(b, "M%.1f 0V%d", x, H);
    for (double y = fmod(H / 2.0, step); y < H; y += step)
        buf_printf(b, "M0 %.1fH%d", y, W);
    buf_puts(b, "\"/>");
}

static void geo_svg_put_scale(struct buf *b, const struct frame *f, double km)
{
    double len = km * f->ppk;
    buf_printf(b,
               "<g class=\"geo-scale\">"
               "<path d=\"M%d %dv-5M%d %dh%.1fv-5\" fill=\"none\" stroke=\"#ffffff\" "
               "stroke-width=\"5\" stroke-linecap=\"round\"/>"
               "<path d=\"M%d %dv-5M%d %dh%.1fv-5\" fill=\"none\" stroke=\"" TEXT_COLOR
               "\" stroke-width=\"2\"/>"
               "<text " FONT_ATTRS " x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"" TEXT_COLOR
               "\" " HALO_ATTRS ">%g" NNBSP "km</text></g>",
               SCALE_X, SCALE_Y, SCALE_X, SCALE_Y, len, SCALE_X, SCALE_Y, SCALE_X, SCALE_Y, len,
               SCALE_X, SCALE_Y - 8, km);
}

static struct box geo_svg_scale_box(const struct frame *f, double km)
{
    return (struct box){0, SCALE_Y - 22, SCALE_X + km * f->ppk + 6, H};
}

static void geo_svg_put_north(struct buf *b)
{
    buf_printf(b,
               "<g class=\"geo-north\" transform=\"translate(%d 12)\">"
               "<path d=\"M0 0l6 14-6-4-6 4z\" fill=\"" TEXT_COLOR "\"/>"
               "<text " FONT_ATTRS
               " y=\"26\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"bold\" "
               "fill=\"" TEXT_COLOR "\">N</text></g>",
               W - 16);
}

static const struct box geo_svg_north_box = {W - 26, 6, W, 44};

char *geo_svg(const struct geo_svg_map *m, size_t *len)
{
    if (!m || !isfinite(m->lat) || !isfinite(m->lon) || fabs(m->lat) > GEO_LAT_MAX ||
        fabs(m->lon) > 180)
        return NULL;
    size_t ntowns = m->towns ? m->ntowns : 0;
    struct geo_svg_map mm = *m;
    mm.ntowns = ntowns;
    struct frame f = {m->lat, m->lon, cos(m->lat * M_PI / 180), 0, 0};
    f.km_wide = geo_svg_width_km(&mm, f.coslat);
    f.ppk = W / f.km_wide;
    double scale_km = geo_svg_scale_km(&f);

    /* The centres in the frame, nearest first. */
    struct town *towns = xcalloc(ntowns ? ntowns : 1, sizeof *towns);
    size_t n = 0;
    for (size_t i = 0; i < ntowns; i++) {
        const struct geo_svg_town *t = &m->towns[i];
        if (!isfinite(t->lat) || !isfinite(t->lon) || fabs(t->lat) > 90)
            continue;
        double x, y;
        geo_svg_project(&f, t->lat, t->lon, &x, &y);
        if (!geo_svg_inside(x, y, DOT_R))
            continue;
        towns[n++] = (struct town){x, y, geo_svg_km(m->lat, m->lon, t->lat, t->lon), NULL};
        towns[n - 1].name = geo_svg_name_clean(t->name);
    }
    qsort(towns, n, sizeof *towns, geo_svg_town_cmp);

    /* Labels, nearest first, each where it covers nothing drawn or named before it. */
    struct box taken[GEO_SVG_LABELS + 3];
    int ntaken = 0;
    taken[ntaken++] = geo_svg_marker_box(m);
    taken[ntaken++] = geo_svg_scale_box(&f, scale_km);
    taken[ntaken++] = geo_svg_north_box;
    struct spot placed[GEO_SVG_LABELS];
    size_t placed_town[GEO_SVG_LABELS];
    int nplaced = 0;
    const struct box marker = taken[0];
    for (size_t i = 0; i < n && nplaced < GEO_SVG_LABELS; i++) {
        if (!towns[i].name)
            continue;
        /* The first named is bold and a size larger: some 10 % wider. */
        double w = nplaced == 0 ? geo_svg_text_width(towns[i].name, FONT + 1) * 1.1
                                : geo_svg_text_width(towns[i].name, FONT);
        struct box dot = {towns[i].x - DOT_R, towns[i].y - DOT_R, towns[i].x + DOT_R,
                          towns[i].y + DOT_R};
        /* A centre under the marker is named beside the marker. */
        double off = geo_svg_overlap(&dot, &marker) ? (m->approximate ? 9 : 12) : 6;
        struct spot spots[4];
        int ns = geo_svg_spots(towns[i].x, towns[i].y, w, off, spots);
        for (int s = 0; s < ns; s++) {
            const struct box *bx = &spots[s].box;
            bool ok = bx->x0 >= EDGE && bx->x1 <= W - EDGE && bx->y0 >= EDGE && bx->y1 <= H - EDGE;
            for (int k = 0; ok && k < ntaken; k++)
                ok = !geo_svg_overlap(bx, &taken[k]);
            for (size_t k = 0; ok && k < n; k++) {
                struct box d = {towns[k].x - DOT_R, towns[k].y - DOT_R, towns[k].x + DOT_R,
                                towns[k].y + DOT_R};
                ok = k == i || !geo_svg_overlap(bx, &d);
            }
            if (ok) {
                placed[nplaced] = spots[s];
                placed_town[nplaced++] = i;
                taken[ntaken++] = *bx;
                break;
            }
        }
    }

    /* The name, escaped: the nearest commune named, when it is close enough to say "près de". */
    const struct town *near = NULL;
    for (size_t i = 0; i < n && !near; i++)
        if (towns[i].name)
            near = &towns[i];
    struct buf name = BUF_INIT;
    if (near && m->approximate && near->km < 0.5) {
        buf_puts(&name, "Position approximative" NNBSP ": ");
        geo_svg_put_of(&name, "centre", near->name);
    } else if (near && near->km < f.km_wide / 2) {
        buf_puts(&name,
                 m->approximate ? "Position approximative" NNBSP ": " : "Position" NNBSP ": ");
        geo_svg_put_of(&name, "près", near->name);
    } else {
        buf_puts(&name,
                 m->approximate ? "Position approximative sur la carte" : "Position sur la carte");
    }
    /* aria-label names the image (HTML Tidy, which checks the pages, refuses an id on <title>);
     * the <title> is the tooltip and the name of the file standing alone. */
    struct buf b = BUF_INIT;
    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"geo-map\" viewBox=\"0 0 %d %d\" "
               "width=\"100%%\" role=\"img\" aria-label=\"%s\" aria-describedby=\"geo-map-desc\">"
               "<title>%s</title>",
               W, H, buf_cstr(&name), buf_cstr(&name));
    buf_free(&name);
    buf_puts(&b, "<desc id=\"geo-map-desc\">");
    buf_puts(&b, m->approximate ? "Le cercle marque le centre de la commune, la position exacte "
                                  "n\u2019est pas connue. "
                                : "L\u2019épingle marque la position. ");
    if (nplaced > 0) {
        buf_puts(&b, nplaced > 1 ? "Communes voisines" NNBSP ": " : "Commune voisine" NNBSP ": ");
        for (int i = 0; i < nplaced; i++) {
            const struct town *t = &towns[placed_town[i]];
            buf_puts(&b, i == 0 ? "" : i == nplaced - 1 ? " et " : ", ");
            buf_put_html(&b, t->name, strlen(t->name));
            if (t->km >= 0.05) {
                buf_puts(&b, " à ");
                geo_svg_put_km(&b, t->km);
            }
        }
        buf_puts(&b, ". ");
    }
    buf_printf(&b, "Carte de %g" NNBSP "km de large, le nord en haut.</desc>", f.km_wide);

    buf_printf(
        &b,
        "<rect class=\"geo-bg\" x=\"0.5\" y=\"0.5\" width=\"%d\" height=\"%d\" rx=\"6\" " BG_ATTRS
        "/>",
        W - 1, H - 1);
    geo_svg_put_grid(&b, &f, scale_km);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b,
                   "<circle class=\"geo-town\" cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"" DOT_COLOR
                   "\"/>",
                   towns[i].x, towns[i].y, DOT_R);
    for (int i = 0; i < nplaced; i++) {
        const struct spot *s = &placed[i];
        const char *name = towns[placed_town[i]].name;
        buf_printf(&b,
                   "<text " FONT_ATTRS
                   " class=\"geo-label%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
                   "font-size=\"%d\"%s fill=\"" TEXT_COLOR "\" " HALO_ATTRS ">",
                   i == 0 ? " geo-label-near" : "", s->tx, s->ty, s->anchor, i == 0 ? 13 : FONT,
                   i == 0 ? " font-weight=\"bold\"" : "");
        buf_put_html(&b, name, strlen(name));
        buf_puts(&b, "</text>");
    }
    geo_svg_put_marker(&b, &f, m);
    geo_svg_put_scale(&b, &f, scale_km);
    geo_svg_put_north(&b);
    buf_puts(&b, "</svg>");

    for (size_t i = 0; i < n; i++)
        free(towns[i].name);
    free(towns);
    return buf_detach(&b, len);
}
