/* geo_svg.h — a record's position drawn on the server as a small inline SVG map: the territory's
 * commune centres around it as dots, the nearest named, a marker, a scale bar and the north, with
 * no tile and no request, and the same said in French words for those who cannot see it. */
#ifndef FOISON_GEO_SVG_H
#define FOISON_GEO_SVG_H
#include <stdbool.h>
#include <stddef.h>

/* The drawing's size in user units (CSS pixels at scale 1): a stylesheet caps its width there. */
#define GEO_SVG_WIDTH 360
#define GEO_SVG_HEIGHT 240
/* Communes named at most, nearest first (those whose label finds no free room are not). */
#define GEO_SVG_LABELS 6
/* Code points of a commune's name kept ("…" ends a longer one). */
#define GEO_SVG_NAME_MAX 60

/* A commune's centre. name: UTF-8; a name that is not text (not well-formed UTF-8, or with C0
 * controls other than whitespace: util/utf8.h's utf8_valid), or empty once its other controls
 * and bidi controls are dropped, leaves the commune a dot without a label. */
struct geo_svg_town {
    const char *name;
    double lat, lon;
};

struct geo_svg_map {
    double lat, lon;  /* the position drawn, in degrees */
    bool approximate; /* a commune's centre: a dashed circle around it, not a pin */
    const struct geo_svg_town *towns;
    size_t ntowns;
};

/* Renders m as one <svg> element (UTF-8, XML well-formed, with its xmlns so that it also stands
 * alone as an .svg file) to embed in an HTML page.
 *
 * Frame: centred on the position, GEO_SVG_WIDTH by GEO_SVG_HEIGHT, an equirectangular projection
 * corrected by the cosine of the position's latitude (exact enough over tens of km); the width
 * on the ground is the smallest of 12, 16, 24, 32 and 48 km that holds at least four communes'
 * centres, else 48 km. Every centre in the frame is a dot; the nearest to the position, at most
 * GEO_SVG_LABELS, are named where their label fits (right, left, above or below the dot) without
 * covering another label, a dot, the marker, the scale or the north (the server estimates text
 * widths on the wide side: it cannot measure them). The scale bar at the bottom left is 1, 2, 5,
 * 10 or 20 km, the longest not past a third of the width; the north arrow is at the top right.
 *
 * Accessibility: the root is role="img", named by its aria-label, the same text as its <title>
 * ("Position : près de Plouzané"; "Position approximative : centre de Plouzané" when
 * approximate; "Position sur la carte" with no commune named), and described by its <desc> (the
 * communes named, with their distance from the position, and the scale) through
 * aria-describedby. The id geo-map-desc is fixed: one map a page.
 *
 * Styling: classes geo-map (the root), geo-town (a dot), geo-label (a name; geo-label-near for
 * the nearest), geo-marker, geo-scale, geo-north. Presentation attributes only (the CSP forbids
 * style attributes and elements), readable without the stylesheet; width="100%" and the viewBox,
 * no height: it scales to its container, down to a 320 px phone.
 *
 * Returns the malloc'd NUL-terminated SVG (the caller frees it) and its length in *len (len may
 * be NULL); NULL when m is NULL or its position is not finite or out of range (latitude within
 * ±85°, longitude within ±180°). Towns with coordinates that are not finite are left out; towns
 * may be NULL when ntowns is 0. Aborts only on out-of-memory. */
char *geo_svg(const struct geo_svg_map *m, size_t *len);

#endif
