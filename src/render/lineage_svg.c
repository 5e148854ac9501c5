/* lineage_svg.c — the lineage drawing of render/lineage_svg.h: which nodes get a box and where,
 * titles cleaned and wrapped by estimated width, the edges between boxes, and the French text
 * that says the same as the drawing. */
#include "render/lineage_svg.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LEVELS (LINEAGE_LEVEL_MAX - LINEAGE_LEVEL_MIN + 1)
#define SLOTS_PER_LEVEL (LINEAGE_MAX_PER_LEVEL + 1) /* the boxes and a "+N autres" */
#define MAX_SLOTS (LEVELS * SLOTS_PER_LEVEL)
#define LEVEL_INDEX(level) ((level)-LINEAGE_LEVEL_MIN)

/* Kept as macros so that string concatenation, not a hex escape, joins them to what follows. */
#define NNBSP "\u202f"
#define LAQUO "\u00ab" NNBSP
#define RAQUO NNBSP "\u00bb"
#define ELLIPSIS "\u2026"

/* Geometry in user units (CSS pixels at scale 1). The widths W(N) = N * (BOX_W + GAP_X) - GAP_X
 * + 2 * MARGIN of N columns are what a stylesheet caps lineage-cols-N at. */
enum {
    BOX_W = 152,
    BOX_H = 48,
    BOX_R = 8,
    GAP_X = 40,
    GAP_Y = 12,
    MARGIN = 8,
    LINE_GAP = 16, /* between the two baselines */
    FONT_SIZE = 13,
    BASELINE_DY = 5, /* from a line's middle to its baseline at 13 px */
    TEXT_PAD = 5,    /* between the text and the sides of its box */
    /* The width of a line in hundredths of an em (see lineage_advance); bold text is some 14 %
     * wider. */
    LINE_BUDGET = (BOX_W - 2 * TEXT_PAD) * 100 / FONT_SIZE,
    CENTRE_LINE_BUDGET = LINE_BUDGET * 100 / 114,
};

/* Presentation attributes for a page without the stylesheet: #1a1a1a on these fills is over
 * 15:1 (AA asks 4.5:1), and strokes of #5b6770 or #0b6e4f against the page are over 5:1 (3:1 is
 * asked of graphics). */
#define TEXT_COLOR "#1a1a1a"
#define NODE_ATTRS "fill=\"#f4f7f6\" stroke=\"#5b6770\" stroke-width=\"1.5\""
#define CENTRE_ATTRS "fill=\"#e1efe9\" stroke=\"#0b6e4f\" stroke-width=\"3\""
#define MORE_ATTRS                                                                                 \
    "fill=\"#ffffff\" stroke=\"#5b6770\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\""
#define EDGE_COLOR "#5b6770"

struct slot {
    int node;   /* index in nodes; -1 for a "+N autres" box */
    int hidden; /* how many nodes a "+N autres" box stands for */
    int level;
    int row;         /* in its column, from the top */
    int key;         /* orders a ±2 column: the lowest row of a ±1 box it is linked to */
    char *title;     /* cleaned (title_clean); NULL for a "+N autres" box */
    const char *url; /* checked (url_ok); NULL: drawn without a link */
};

struct lineage {
    const struct lineage_node *nodes;
    const struct lineage_edge *edges;
    int n, m, centre;
    bool *base;   /* per node: level in range and not a second centre */
    int *slot_of; /* per node: its box, its level's "+N autres" box, or -1 when skipped */
    int *seen;    /* per node: scratch for the description's distinct neighbours */
    struct slot slot[MAX_SLOTS];
    int nslot;
    int col[LEVELS][SLOTS_PER_LEVEL]; /* boxes of each level by row */
    int col_len[LEVELS];
    int more[LEVELS];                /* the level's "+N autres" box, -1 when none */
    bool link[MAX_SLOTS][MAX_SLOTS]; /* [from][to]: an arrow is drawn */
};

/* ---- Text ---- */

/* Decodes the UTF-8 sequence at s[0..n) into *cp and returns its length; 0 when it is not
 * well-formed (overlong, surrogate, past U+10FFFF, cut short, stray continuation byte). */
static size_t lineage_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[k] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Combining marks and variation selectors: they belong to the code point before them. */
static bool lineage_is_mark(unsigned c)
{
    return (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) ||
           (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
           (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfe20 && c <= 0xfe2f) ||
           (c >= 0xe0100 && c <= 0xe01ef);
}

static bool lineage_is_space(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 ||
           c == 0x2029;
}

/* Code points a title loses: controls (XML 1.0 refuses most C0 ones outright), the bidi
 * embeddings, overrides and isolates (one left open would turn the rest of the description
 * around), and non-characters (U+FFFE and U+FFFF are not XML characters either). The marks
 * LRM, RLM and ALM stay: they open nothing. */
static bool lineage_is_dropped(unsigned c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* A title made safe to show and to name a link: well-formed UTF-8 (each run of bad bytes one
 * U+FFFD), the dropped code points and the marks with no letter gone, whitespace runs one space, no
 * space at either end, at most LINEAGE_TITLE_MAX code points ("…" last when cut). Never empty.
 * Malloc'd. */
static char *lineage_title_clean(const char *in)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t n = strlen((const char *)s), i = 0, count = 0, cut = 0;
    bool space = false, bad = false;
    struct buf b = BUF_INIT;
    while (i < n && count <= LINEAGE_TITLE_MAX) {
        unsigned c;
        size_t k = lineage_decode(s + i, n - i, &c);
        if (k == 0) {
            i++;
            if (bad)
                continue;
            bad = true;
            c = 0xfffd;
        } else {
            i += k;
            bad = false;
        }
        if (lineage_is_space(c)) {
            space = count > 0;
            continue;
        }
        /* A mark with no letter under it (first, or after a space) would start a line alone. */
        if (lineage_is_dropped(c) || (lineage_is_mark(c) && (count == 0 || space)))
            continue;
        if (space) {
            if (count == LINEAGE_TITLE_MAX - 1)
                cut = b.len; /* "…" will replace the space, not follow it */
            buf_putc(&b, ' ');
            count++;
            space = false;
        }
        if (count == LINEAGE_TITLE_MAX - 1)
            cut = b.len;
        char u[4];
        buf_append(&b, u, utf8_encode(c, u));
        count++;
    }
    if (count > LINEAGE_TITLE_MAX) {
        b.len = cut;
        buf_puts(&b, ELLIPSIS);
    }
    if (b.len == 0)
        buf_puts(&b, "Sans titre");
    return buf_detach(&b, NULL);
}

/* Advances of ' ' to '~' in hundredths of an em, rounded up, in DejaVu Sans: the fallback sans
 * serif of Linux and among the widest faces, so that text measured by it fits in the others. */
static const unsigned char lineage_ascii_advance[95] = {
    32, 41, 46, 84, 64, 96, 78, 28, 40,  40, 50, 84, 32, 37, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 34, 34, 84, 84, 84, 54, 100, 69, 69, 70, 78, 64, 58, 78, 76, 30, 30, 66, 56, 87, 75, 79,
    61, 79, 70, 64, 62, 74, 69, 99, 69,  62, 69, 40, 34, 40, 84, 50, 50, 62, 64, 55, 64, 62, 36, 64,
    64, 28, 28, 58, 28, 98, 64, 62, 64,  64, 42, 53, 40, 64, 60, 82, 60, 60, 53, 64, 34, 64, 84,
};

/* The advance of a code point in hundredths of an em: the server cannot measure text, so this
 * is DejaVu Sans for ASCII and a guess on the wide side for the rest. 0 for marks that join the
 * code point before them and for the zero-width ones. */
static int lineage_advance(unsigned c)
{
    if (c >= 0x20 && c < 0x7f)
        return lineage_ascii_advance[c - 0x20];
    if (lineage_is_mark(c) || (c >= 0x200b && c <= 0x200f))
        return 0;
    if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) || c == 0xfffd || c >= 0x1f000)
        return 106; /* CJK, Hangul, full-width forms, U+FFFD, emoji */
    if (c == 0x152 || c == 0x153)
        return 107; /* Œ, œ */
    if ((c >= 0xc0 && c <= 0xde) || (c >= 0x391 && c <= 0x42f))
        return 80; /* Latin-1, Greek and Cyrillic capitals */
    return 66;
}

/* The lines of a box: t[l0[0]..l0[1]) and, when nlines is 2, t[l1[0]..l1[1]) then "…" when
 * ellipsis is set. */
struct lines {
    size_t l0[2], l1[2];
    int nlines;
    bool ellipsis;
};

/* The end of the longest run of code points from from whose advances add up to at most budget:
 * it always stops before a code point that has an advance, so a mark stays with its letter. At
 * least one code point, however wide. */
static int lineage_fit(const int *adv, int from, int k, int budget)
{
    int e = from, w = 0;
    while (e < k && w + adv[e] <= budget)
        w += adv[e++];
    if (e == from && e < k)
        for (e++; e < k && adv[e] == 0; e++)
            ;
    return e;
}

static int lineage_span(const int *adv, int from, int to)
{
    int w = 0;
    for (int i = from; i < to; i++)
        w += adv[i];
    return w;
}

/* Wraps a cleaned title on at most two lines of budget hundredths of an em: the first breaks at
 * its last space, or mid-word when a word is wider than a line; a second that does not fit is cut
 * at a space in its second half, else where "…" still fits after it, and ends with "…". Cuts fall
 * between code points, never inside one, and never before a combining mark. */
static struct lines lineage_wrap(const char *t, int budget)
{
    enum { ELLIPSIS_ADVANCE = 100 };
    struct lines ln = {{0, 0}, {0, 0}, 1, false};
    size_t len = strlen(t);
    size_t *off = xmalloc((len + 1) * sizeof *off); /* byte offset of each code point */
    int *adv = xmalloc((len + 1) * sizeof *adv);
    int k = 0;
    for (size_t i = 0; i < len;) {
        unsigned c = 0xfffd;
        size_t n = lineage_decode((const unsigned char *)t + i, len - i, &c);
        off[k] = i;
        adv[k++] = lineage_advance(c);
        i += n ? n : 1; /* a cleaned title is well-formed: n is never 0 */
    }
    off[k] = len;
    ln.l0[1] = len;
    int e1 = lineage_fit(adv, 0, k, budget);
    if (e1 < k) {
        int brk = 0, next;
        for (int p = e1; p >= 1 && brk == 0; p--)
            if (t[off[p]] == ' ')
                brk = p;
        if (brk > 0) {
            ln.l0[1] = off[brk];
            next = brk + 1;
        } else {
            ln.l0[1] = off[e1];
            next = e1;
        }
        ln.nlines = 2;
        ln.l1[0] = off[next];
        ln.l1[1] = len;
        if (lineage_fit(adv, next, k, budget) < k) {
            int end = lineage_fit(adv, next, k, budget - ELLIPSIS_ADVANCE);
            for (int p = end; p > next; p--)
                if (t[off[p]] == ' ' && 2 * lineage_span(adv, next, p) >= budget) {
                    end = p;
                    break;
                }
            while (end > next + 1 && t[off[end - 1]] == ' ')
                end--;
            ln.l1[1] = off[end];
            ln.ellipsis = true;
        }
    }
    free(off);
    free(adv);
    return ln;
}

/* A link target that stays on the site: "/" then anything but a second "/" or a "\" (browsers
 * read "//host" and "/\host" as another host), printable ASCII only (browsers drop tabs and
 * newlines inside URLs, which would let "/\t/host" through), at most LINEAGE_URL_MAX bytes. */
static bool lineage_url_ok(const char *u)
{
    if (!u || u[0] != '/' || u[1] == '/' || u[1] == '\\')
        return false;
    size_t i = 0;
    for (; u[i] && i <= LINEAGE_URL_MAX; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            return false;
    }
    return i <= LINEAGE_URL_MAX;
}

static void lineage_put_text(struct buf *b, const char *s)
{
    buf_put_html(b, s, strlen(s));
}

/* ---- Which boxes, where ---- */

static int lineage_level(const struct lineage *g, int i)
{
    return g->nodes[i].level;
}

/* A drawn edge between levels ±1 and ±2 in the direction of inspiration, both ends valid. */
static bool lineage_edge_ok(const struct lineage *g, const struct lineage_edge *e)
{
    if (e->from < 0 || e->from >= g->n || e->to < 0 || e->to >= g->n)
        return false;
    if (!g->base[e->from] || !g->base[e->to])
        return false;
    int lf = lineage_level(g, e->from), lt = lineage_level(g, e->to);
    return lt == lf + 1 && (lf == -2 || lf == 1);
}

/* The ±1 end and the ±2 end of a valid edge. */
static void lineage_edge_ends(const struct lineage *g, const struct lineage_edge *e, int *near,
                              int *far)
{
    bool left = lineage_level(g, e->from) == -2;
    *near = left ? e->to : e->from;
    *far = left ? e->from : e->to;
}

static int lineage_new_slot(struct lineage *g, int node, int level)
{
    int s = g->nslot++;
    struct slot *sl = &g->slot[s];
    sl->node = node;
    sl->hidden = 0;
    sl->level = level;
    sl->row = 0;
    sl->key = INT_MAX;
    sl->title = node >= 0 ? lineage_title_clean(g->nodes[node].title) : NULL;
    sl->url = node >= 0 && node != g->centre && lineage_url_ok(g->nodes[node].url)
                  ? g->nodes[node].url
                  : NULL;
    return s;
}

/* Gives each node kept its box: the first LINEAGE_MAX_PER_LEVEL of a level in input order, the
 * rest that level's "+N autres"; a ±2 node is kept only when an edge ties it to a ±1 node. */
static void lineage_place(struct lineage *g)
{
    bool *tied = xcalloc((size_t)g->n, sizeof *tied);
    for (int j = 0; j < g->m; j++) {
        int near, far;
        if (!lineage_edge_ok(g, &g->edges[j]))
            continue;
        lineage_edge_ends(g, &g->edges[j], &near, &far);
        tied[far] = true;
    }
    for (int L = 0; L < LEVELS; L++)
        g->more[L] = -1;
    for (int i = 0; i < g->n; i++) {
        g->slot_of[i] = -1;
        int level = lineage_level(g, i);
        if (!g->base[i] || ((level == -2 || level == 2) && !tied[i]))
            continue;
        int L = LEVEL_INDEX(level);
        if (g->col_len[L] < LINEAGE_MAX_PER_LEVEL) {
            g->slot_of[i] = lineage_new_slot(g, i, level);
            g->col[L][g->col_len[L]++] = g->slot_of[i];
            continue;
        }
        if (g->more[L] < 0)
            g->more[L] = lineage_new_slot(g, -1, level);
        g->slot[g->more[L]].hidden++;
        g->slot_of[i] = g->more[L];
    }
    free(tied);
    for (int L = 0; L < LEVELS; L++)
        if (g->more[L] >= 0)
            g->col[L][g->col_len[L]++] = g->more[L];
    for (int L = 0; L < LEVELS; L++)
        for (int r = 0; r < g->col_len[L]; r++)
            g->slot[g->col[L][r]].row = r;
}

/* Puts each ±2 box beside the ±1 box it hangs from, which saves most crossings; the order of
 * the input is kept among equals, and "+N autres" stays last. */
static void lineage_order_far(struct lineage *g)
{
    for (int j = 0; j < g->m; j++) {
        int near, far;
        if (!lineage_edge_ok(g, &g->edges[j]))
            continue;
        lineage_edge_ends(g, &g->edges[j], &near, &far);
        struct slot *f = &g->slot[g->slot_of[far]];
        int row = g->slot[g->slot_of[near]].row;
        if (row < f->key)
            f->key = row;
    }
    for (int side = -2; side <= 2; side += 4) {
        int L = LEVEL_INDEX(side);
        int *c = g->col[L];
        int nreal = g->col_len[L] - (g->more[L] >= 0);
        for (int a = 1; a < nreal; a++) {
            int s = c[a], b = a;
            for (; b > 0 && g->slot[c[b - 1]].key > g->slot[s].key; b--)
                c[b] = c[b - 1];
            c[b] = s;
        }
        for (int r = 0; r < g->col_len[L]; r++)
            g->slot[c[r]].row = r;
    }
}

static void lineage_link(struct lineage *g)
{
    int centre = g->slot_of[g->centre];
    for (int r = 0; r < g->col_len[LEVEL_INDEX(-1)]; r++)
        g->link[g->col[LEVEL_INDEX(-1)][r]][centre] = true;
    for (int r = 0; r < g->col_len[LEVEL_INDEX(1)]; r++)
        g->link[centre][g->col[LEVEL_INDEX(1)][r]] = true;
    for (int j = 0; j < g->m; j++)
        if (lineage_edge_ok(g, &g->edges[j]))
            g->link[g->slot_of[g->edges[j].from]][g->slot_of[g->edges[j].to]] = true;
}

/* ---- The description ---- */

/* "A", "A et B", "A, B et C": the names of the boxes listed, then "N autres" when hidden. */
static void lineage_put_list(struct buf *b, const struct lineage *g, const int *slots, int count,
                             int hidden)
{
    int items = count + (hidden > 0);
    for (int i = 0; i < count; i++) {
        if (i > 0)
            buf_puts(b, i == items - 1 ? " et " : ", ");
        lineage_put_text(b, g->slot[slots[i]].title);
    }
    if (hidden > 0)
        buf_printf(b, "%s%d autre%s", count > 0 ? " et " : "", hidden, hidden > 1 ? "s" : "");
}

static void lineage_put_level_list(struct buf *b, const struct lineage *g, int level)
{
    int L = LEVEL_INDEX(level), more = g->more[L];
    int nreal = g->col_len[L] - (more >= 0);
    lineage_put_list(b, g, g->col[L], nreal, more >= 0 ? g->slot[more].hidden : 0);
}

/* French elides "de" before a vowel: "s'inspire d'Ateliers…", "de Jardin…". An initial h, mute
 * or aspirated, cannot be told apart from the text, so it keeps "de"; so does a digit. */
static bool lineage_elides(const char *name)
{
    static const char *const vowels[] = {"a", "e", "i", "o", "u", "A", "E", "I", "O", "U", "à",
                                         "â", "ä", "é", "è", "ê", "ë", "î", "ï", "ô", "ö", "ù",
                                         "û", "ü", "œ", "æ", "À", "Â", "Ä", "É", "È", "Ê", "Ë",
                                         "Î", "Ï", "Ô", "Ö", "Ù", "Û", "Ü", "Œ", "Æ"};
    for (size_t i = 0; i < sizeof vowels / sizeof vowels[0]; i++)
        if (strncmp(name, vowels[i], strlen(vowels[i])) == 0)
            return true;
    return false;
}

/* One sentence for the ±2 nodes tied to the ±1 box s: "A s'inspire de D et E.", "C a inspiré
 * F.", "Les 3 autres ont inspiré F et 2 autres." Nothing when none is. Counts distinct nodes,
 * so it stays exact where a "+N autres" box merges several. */
static void lineage_put_branch(struct buf *b, struct lineage *g, int s, int stamp)
{
    const struct slot *sl = &g->slot[s];
    int named[SLOTS_PER_LEVEL], nnamed = 0, hidden = 0;
    for (int j = 0; j < g->m; j++) {
        int near, far;
        if (!lineage_edge_ok(g, &g->edges[j]))
            continue;
        lineage_edge_ends(g, &g->edges[j], &near, &far);
        if (g->slot_of[near] != s || g->seen[far] == stamp)
            continue;
        g->seen[far] = stamp;
        int fs = g->slot_of[far]; /* a box of its own holds one node: no box comes twice */
        if (g->slot[fs].node < 0)
            hidden++;
        else
            named[nnamed++] = fs;
    }
    if (nnamed == 0 && hidden == 0)
        return;
    for (int a = 1; a < nnamed; a++) { /* in the order of the drawing */
        int v = named[a], c = a;
        for (; c > 0 && g->slot[named[c - 1]].row > g->slot[v].row; c--)
            named[c] = named[c - 1];
        named[c] = v;
    }
    buf_putc(b, ' ');
    bool left = sl->level < 0, many = sl->node < 0;
    if (many)
        buf_printf(b, "Les %d autre%s", sl->hidden, sl->hidden > 1 ? "s" : "");
    else
        lineage_put_text(b, sl->title);
    if (left) {
        buf_puts(b, many && sl->hidden > 1 ? " s'inspirent " : " s'inspire ");
        buf_puts(b, nnamed > 0 && lineage_elides(g->slot[named[0]].title) ? "d'" : "de ");
    } else {
        buf_puts(b, many && sl->hidden > 1 ? " ont inspiré " : " a inspiré ");
    }
    lineage_put_list(b, g, named, nnamed, hidden);
    buf_putc(b, '.');
}

static void lineage_put_desc(struct buf *b, struct lineage *g)
{
    const char *centre = g->slot[g->slot_of[g->centre]].title;
    bool before = g->col_len[LEVEL_INDEX(-1)] > 0, after = g->col_len[LEVEL_INDEX(1)] > 0;
    buf_puts(b, "Filiation de " LAQUO);
    lineage_put_text(b, centre);
    buf_puts(b, RAQUO NNBSP ": ");
    if (before) {
        buf_puts(b, "inspirée par ");
        lineage_put_level_list(b, g, -1);
    }
    if (before && after)
        buf_puts(b, NNBSP "; ");
    if (after) {
        buf_puts(b, "a inspiré ");
        lineage_put_level_list(b, g, 1);
    }
    buf_putc(b, '.');
    int stamp = 0;
    for (int side = -1; side <= 1; side += 2) {
        int L = LEVEL_INDEX(side);
        for (int r = 0; r < g->col_len[L]; r++)
            lineage_put_branch(b, g, g->col[L][r], ++stamp);
    }
}

/* ---- The drawing ---- */

struct geometry {
    int colx[LEVELS]; /* left edge of each level's column, -1 when it has no box */
    int top[LEVELS];  /* top of each column, so that it is centred on the tallest */
    int ncols, width, height;
};

static int lineage_col_height(int boxes)
{
    return boxes * BOX_H + (boxes - 1) * GAP_Y;
}

static struct geometry lineage_measure(const struct lineage *g)
{
    struct geometry geo;
    int tallest = 0;
    geo.ncols = 0;
    for (int L = 0; L < LEVELS; L++)
        if (g->col_len[L] > 0 && lineage_col_height(g->col_len[L]) > tallest)
            tallest = lineage_col_height(g->col_len[L]);
    for (int L = 0; L < LEVELS; L++) {
        geo.colx[L] = geo.top[L] = -1;
        if (g->col_len[L] == 0)
            continue;
        geo.colx[L] = MARGIN + geo.ncols * (BOX_W + GAP_X);
        geo.top[L] = MARGIN + (tallest - lineage_col_height(g->col_len[L])) / 2;
        geo.ncols++;
    }
    geo.width = 2 * MARGIN + geo.ncols * BOX_W + (geo.ncols - 1) * GAP_X;
    geo.height = 2 * MARGIN + tallest;
    return geo;
}

static int lineage_box_x(const struct geometry *geo, const struct slot *sl)
{
    return geo->colx[LEVEL_INDEX(sl->level)];
}

static int lineage_box_y(const struct geometry *geo, const struct slot *sl)
{
    return geo->top[LEVEL_INDEX(sl->level)] + sl->row * (BOX_H + GAP_Y);
}

/* A curve from the middle of the right side of one box to the middle of the left side of the
 * next column's, leaving and arriving level so the arrow head points straight in. */
static void lineage_put_edges(struct buf *b, const struct lineage *g, const struct geometry *geo)
{
    /* Hidden from screen readers: the description says what the arrows show. */
    buf_printf(b,
               "<g class=\"lineage-edges\" aria-hidden=\"true\" fill=\"none\" stroke=\"%s\" "
               "stroke-width=\"1.5\">\n",
               EDGE_COLOR);
    for (int f = 0; f < g->nslot; f++)
        for (int t = 0; t < g->nslot; t++) {
            if (!g->link[f][t])
                continue;
            int x1 = lineage_box_x(geo, &g->slot[f]) + BOX_W;
            int y1 = lineage_box_y(geo, &g->slot[f]) + BOX_H / 2;
            int x2 = lineage_box_x(geo, &g->slot[t]);
            int y2 = lineage_box_y(geo, &g->slot[t]) + BOX_H / 2;
            int mid = (x1 + x2) / 2;
            buf_printf(b,
                       "<path class=\"lineage-edge\" d=\"M%d %dC%d %d %d %d %d %d\" "
                       "marker-end=\"url(#lineage-arrow)\"/>\n",
                       x1, y1, mid, y1, mid, y2, x2, y2);
        }
    buf_puts(b, "</g>\n");
}

static void lineage_put_box_text(struct buf *b, const char *t, int budget, int cx, int cy,
                                 bool bold, bool underline)
{
    struct lines ln = lineage_wrap(t, budget);
    buf_printf(b, "<text x=\"%d\" text-anchor=\"middle\" fill=\"%s\"%s%s>", cx, TEXT_COLOR,
               bold ? " font-weight=\"700\"" : "",
               underline ? " text-decoration=\"underline\"" : "");
    int y = ln.nlines == 2 ? cy - LINE_GAP / 2 : cy;
    buf_printf(b, "<tspan x=\"%d\" y=\"%d\">", cx, y + BASELINE_DY);
    buf_put_html(b, t + ln.l0[0], ln.l0[1] - ln.l0[0]);
    buf_puts(b, "</tspan>");
    if (ln.nlines == 2) {
        buf_printf(b, "<tspan x=\"%d\" y=\"%d\">", cx, y + LINE_GAP + BASELINE_DY);
        buf_put_html(b, t + ln.l1[0], ln.l1[1] - ln.l1[0]);
        if (ln.ellipsis)
            buf_puts(b, ELLIPSIS);
        buf_puts(b, "</tspan>");
    }
    buf_puts(b, "</text>");
}

static void lineage_put_box(struct buf *b, const struct lineage *g, const struct geometry *geo,
                            int s)
{
    const struct slot *sl = &g->slot[s];
    int x = lineage_box_x(geo, sl), y = lineage_box_y(geo, sl);
    int cx = x + BOX_W / 2, cy = y + BOX_H / 2;
    bool centre = sl->node == g->centre, more = sl->node < 0;
    if (more) {
        buf_puts(b, "<g class=\"lineage-node lineage-more\">");
        buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"%d\" %s/>", x, y,
                   BOX_W, BOX_H, BOX_R, MORE_ATTRS);
        buf_printf(b,
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">+%d autre%s</text>",
                   cx, cy + BASELINE_DY, TEXT_COLOR, sl->hidden, sl->hidden > 1 ? "s" : "");
        buf_puts(b, "</g>\n");
        return;
    }
    /* The <title> child, the full title, names the link or box (its lines may be cut) and shows
     * as its tooltip; an aria-label beside it would make browsers read the title twice, as name
     * and as description. A box that is not a link is an img so that its cut lines, joined
     * without their break, are not read instead. */
    if (sl->url) {
        buf_puts(b, "<a href=\"");
        lineage_put_text(b, sl->url);
        buf_puts(b, "\"><title>");
        lineage_put_text(b, sl->title);
        buf_puts(b, "</title><g class=\"lineage-node\">");
    } else {
        buf_printf(b, "<g class=\"lineage-node%s\" role=\"img\"%s><title>",
                   centre ? " lineage-centre" : "", centre ? " aria-current=\"page\"" : "");
        lineage_put_text(b, sl->title);
        buf_puts(b, "</title>");
    }
    buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"%d\" %s/>", x, y, BOX_W,
               BOX_H, BOX_R, centre ? CENTRE_ATTRS : NODE_ATTRS);
    lineage_put_box_text(b, sl->title, centre ? CENTRE_LINE_BUDGET : LINE_BUDGET, cx, cy, centre,
                         sl->url != NULL);
    buf_puts(b, sl->url ? "</g></a>\n" : "</g>\n");
}

static char *lineage_write(struct lineage *g, size_t *len)
{
    struct geometry geo = lineage_measure(g);
    struct buf b = BUF_INIT;
    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lineage lineage-cols-%d\" "
               "role=\"group\" aria-labelledby=\"lineage-title\" "
               "aria-describedby=\"lineage-desc\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
               "font-family=\"system-ui, sans-serif\" font-size=\"%d\">\n",
               geo.ncols, geo.width, geo.height, FONT_SIZE);
    buf_puts(&b, "<title id=\"lineage-title\">Filiation de " LAQUO);
    lineage_put_text(&b, g->slot[g->slot_of[g->centre]].title);
    buf_puts(&b, RAQUO "</title>\n<desc id=\"lineage-desc\">");
    lineage_put_desc(&b, g);
    buf_puts(&b, "</desc>\n");
    /* userSpaceOnUse: the head keeps its size whatever stroke width the stylesheet sets. */
    buf_printf(&b,
               "<defs><marker id=\"lineage-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
               "markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" "
               "orient=\"auto\"><path class=\"lineage-arrow\" d=\"M0 0L10 5L0 10z\" "
               "fill=\"%s\"/></marker></defs>\n",
               EDGE_COLOR);
    lineage_put_edges(&b, g, &geo);
    for (int L = 0; L < LEVELS; L++)
        for (int r = 0; r < g->col_len[L]; r++)
            lineage_put_box(&b, g, &geo, g->col[L][r]);
    buf_puts(&b, "</svg>\n");
    return buf_detach(&b, len);
}

char *lineage_svg(const struct lineage_node *nodes, int n, const struct lineage_edge *edges, int m,
                  size_t *len)
{
    if (len)
        *len = 0;
    if (!nodes || n <= 0)
        return NULL;
    int centre = -1;
    for (int i = 0; i < n && centre < 0; i++)
        if (nodes[i].level == 0)
            centre = i;
    if (centre < 0)
        return NULL;
    struct lineage *g = xcalloc(1, sizeof *g);
    g->nodes = nodes;
    g->n = n;
    g->edges = edges;
    g->m = edges && m > 0 ? m : 0;
    g->centre = centre;
    g->base = xcalloc((size_t)n, sizeof *g->base);
    g->slot_of = xcalloc((size_t)n, sizeof *g->slot_of);
    g->seen = xcalloc((size_t)n, sizeof *g->seen);
    for (int i = 0; i < n; i++) {
        int level = nodes[i].level;
        g->base[i] =
            level >= LINEAGE_LEVEL_MIN && level <= LINEAGE_LEVEL_MAX && (level != 0 || i == centre);
    }
    lineage_place(g);
    char *svg = NULL;
    if (g->nslot > 1) {
        lineage_order_far(g);
        lineage_link(g);
        svg = lineage_write(g, len);
    }
    for (int s = 0; s < g->nslot; s++)
        free(g->slot[s].title);
    free(g->base);
    free(g->slot_of);
    free(g->seen);
    free(g);
    return svg;
}
