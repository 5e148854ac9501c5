/* lineage_svg.h — the reuse lineage of one innovation (what it was inspired by, what it inspired,
 * two levels each way) drawn on the server as a small inline SVG that reads with or without the
 * site's stylesheet and says the same thing in words for those who cannot see it. */
#ifndef FOISON_LINEAGE_SVG_H
#define FOISON_LINEAGE_SVG_H
#include <stddef.h>

#define LINEAGE_LEVEL_MIN (-2)
#define LINEAGE_LEVEL_MAX 2
/* Boxes drawn per level; the nodes past them are counted in one "+N autres" box. */
#define LINEAGE_MAX_PER_LEVEL 12
/* Code points of a title kept for its accessible name and the description ("…" ends a longer
 * one); the box itself shows far fewer. */
#define LINEAGE_TITLE_MAX 300
/* Bytes of a URL; a longer one is drawn without a link. */
#define LINEAGE_URL_MAX 2048

/* One innovation of the lineage.
 * level: -1 = what the centre is inspired by ("s'inspire de"), -2 = what those are inspired by,
 *        0 = the centre (exactly one), +1 = what the centre inspired, +2 = what those inspired.
 * title: UTF-8 (invalid bytes are drawn as U+FFFD); NULL or blank reads "Sans titre".
 * url: a site-relative path ("/…", not "//…"): any other value, or NULL, draws the box without a
 *      link. The centre never gets a link. */
struct lineage_node {
    const char *title;
    const char *url;
    int level;
};

/* An edge reads in the direction of inspiration: nodes[from] inspired nodes[to] ("to s'inspire
 * de from"), and its arrow points at to. Only edges from level L to level L + 1 are drawn
 * (-2 -> -1 and +1 -> +2; -1 -> 0 and 0 -> +1 are implied by the levels and drawn whether listed
 * or not); edges within a level, backwards, skipping a level, or with an index out of range are
 * ignored. */
struct lineage_edge {
    int from, to;
};

/* Renders the lineage as one <svg> element (UTF-8, XML well-formed, with its xmlns so it also
 * stands alone as an .svg file) to embed in the HTML page.
 *
 * Drawing: a column per level that has nodes, left (-2) to right (+2), each centred on the
 * tallest; a ±2 box sits by the ±1 box it hangs from. Each node is a rounded box with its title
 * on at most two lines, as much as fits by an estimate of the glyphs' widths (the server cannot
 * measure text), cut with "…" between code points. Each box is a link (<a href>) except the
 * centre, which is emphasised and carries aria-current="page", and those without an allowed URL;
 * a <title> child, the full title, names each link or box and is its tooltip (boxes that are not
 * links are role="img", so their cut lines are not read instead). Edges are curves with an arrow
 * head, hidden from screen readers. The root is role="group" named by its <title> ("Filiation de
 * « X »") and described by its <desc>, French text that says what the drawing shows: "Filiation
 * de « X » : inspirée par A et B ; a inspiré C." then one sentence per ±1 box with branches ("A
 * s'inspire de D et E.", "C a inspiré F et 2 autres."). Not role="img" on the root: an img's
 * children are presentational, which would hide the links from screen readers.
 *
 * Styling: classes lineage (the root, with lineage-cols-N for its N columns: the stylesheet caps
 * its width at the natural 192 * N - 24 px, since nothing inside the SVG can), lineage-edges,
 * lineage-edge, lineage-arrow, lineage-node (each box), lineage-centre, lineage-more (the "+N
 * autres" box). Presentation attributes give AA contrast without the stylesheet (and no style
 * attribute or element, which the CSP forbids). width="100%" and a viewBox fitted to the content,
 * no height: it scales to its container, down to a 320 px phone. The ids lineage-title,
 * lineage-desc and lineage-arrow are fixed: one lineage per page.
 *
 * Defence against bad input: a node with a level out of range, a second level-0 node, and a
 * level ±2 node with no drawn edge to a level ±1 node are skipped, with their edges; past
 * LINEAGE_MAX_PER_LEVEL nodes on a level, the rest become one "+N autres" box without a link that
 * takes over their edges. In titles, control, bidi embedding/override/isolate and non-character
 * code points and marks on no letter are dropped, whitespace runs become one space; every text
 * and URL is escaped for XML.
 *
 * Returns the malloc'd NUL-terminated SVG (the caller frees it) and its length in *len (len may
 * be NULL); NULL when there is nothing to draw: no centre, or no node beside it (the caller then
 * shows nothing), or nodes is NULL or n <= 0. edges may be NULL when m <= 0. Aborts only on
 * out-of-memory. */
char *lineage_svg(const struct lineage_node *nodes, int n, const struct lineage_edge *edges, int m,
                  size_t *len);

#endif
