/* markdown.c — Markdown rendering with cmark-gfm, plus the URL allow-list walk that makes it safe
 * for text written by anyone. */
#include "render/markdown.h"
#include "util/buf.h"
#include "util/mem.h"
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Raw HTML stays off because CMARK_OPT_UNSAFE is never set. One '~' does not strike: French text
 * uses it for "about" ("~5 km"). */
#define MD_OPTIONS (CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)

/* The table extension of cmark-gfm 0.29.0.gfm.6 pads every row to the header's width (a line
 * without any pipe still counts as a row) and is quadratic in the pipes of one row: a 12 KB input
 * with a 4000-column header and short rows renders to 40 MB in 18 s. A table ends at a blank
 * line, so (widest line + 1) x (lines) per blank-separated block bounds its cells from above;
 * inputs over these bounds are rendered without tables, their pipes showing as text. */
#define MD_TABLE_MAX_COLS 128
#define MD_TABLE_MAX_CELLS 50000

/* tagfilter only acts on raw HTML, which safe mode drops already; kept as a second lock. */
static const char *const md_ext_names[] = {"table", "strikethrough", "autolink", "tagfilter"};
#define MD_NEXT (sizeof(md_ext_names) / sizeof(md_ext_names[0]))
static cmark_syntax_extension *md_exts[MD_NEXT];
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
/* cmark-gfm's extensions register their special characters in one global table for each
 * document they parse (cmark-gfm issue #221): concurrent parses corrupt each other, so parsing
 * and rendering happen one at a time. Rendering runs only when a revision is saved. */
static pthread_mutex_t md_lock = PTHREAD_MUTEX_INITIALIZER;

static void *md_calloc(size_t n, size_t size)
{
    return xcalloc(n, size);
}

static void *md_realloc(void *p, size_t n)
{
    return xrealloc(p, n);
}

/* cmark's own allocator also aborts on OOM, but this keeps one message and one policy. */
static cmark_mem md_mem = {md_calloc, md_realloc, free};

static void md_init_once(void)
{
    cmark_gfm_core_extensions_ensure_registered();
    for (size_t i = 0; i < MD_NEXT; i++)
        md_exts[i] = cmark_find_syntax_extension(md_ext_names[i]);
}

void markdown_init(void)
{
    pthread_once(&md_once, md_init_once);
}

/* Whether url may be used: its scheme must be http, https or (links only) mailto, or it has
 * none and is a relative or fragment URL (links only). Before the first ':' only scheme
 * characters are accepted: a browser skips leading blanks and ignores tabs and newlines, and
 * cmark has already decoded entities, so "&#9;java\tscript:" and the like must not slip through
 * as "no scheme". Anything odd there rejects the URL rather than guessing how it would be read. */
static bool md_url_allowed(const char *url, bool image)
{
    char scheme[8];
    size_t n = 0;
    bool odd = false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        unsigned char c = *p;
        if (c == '/' || c == '?' || c == '#')
            return !image; /* no scheme: relative */
        if (c == ':') {
            if (odd || n == 0)
                return false;
            scheme[n] = '\0';
            if (!strcmp(scheme, "http") || !strcmp(scheme, "https"))
                return true;
            return !image && !strcmp(scheme, "mailto");
        }
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
            odd = true;
        if (n < sizeof(scheme) - 1)
            scheme[n++] = (char)c;
        else
            odd = true;
    }
    return !image;
}

/* Moves node's children just before it, then removes and frees it. A parent may refuse some
 * children (a table cell takes only some inline types): a child that cannot move stays inside,
 * and then the node is kept with its URL blanked, which still leaves nothing dangerous. */
static void md_unwrap(cmark_node *node)
{
    cmark_node *child = cmark_node_first_child(node);
    while (child) {
        cmark_node *next = cmark_node_next(child);
        cmark_node_insert_before(node, child); /* on failure child stays where it was */
        child = next;
    }
    if (cmark_node_first_child(node) || !cmark_node_parent(node)) {
        cmark_node_set_url(node, "");
        cmark_node_set_title(node, "");
        return;
    }
    cmark_node_unlink(node);
    cmark_node_free(node);
}

/* Enforces the URL allow-list on every link and image. Nodes are collected first and changed
 * afterwards because the iterator must not see the tree change under it; the changes only move
 * children, so every collected pointer stays valid. */
static void md_sanitize(cmark_node *doc)
{
    cmark_node **nodes = NULL;
    size_t n = 0, cap = 0;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(node);
        if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            nodes = xrealloc(nodes, cap * sizeof(*nodes));
        }
        nodes[n++] = node;
    }
    cmark_iter_free(it);
    for (size_t i = 0; i < n; i++) {
        bool image = cmark_node_get_type(nodes[i]) == CMARK_NODE_IMAGE;
        const char *url = cmark_node_get_url(nodes[i]);
        if (!md_url_allowed(url ? url : "", image))
            md_unwrap(nodes[i]); /* a link shows its text, an image its alt text */
    }
    free(nodes);
}

/* Adds rel="nofollow ugc" to every link, so that spam links earn nothing. A plain text rewrite
 * is enough: in safe mode every '<' that is not part of a tag cmark wrote comes out as "&lt;",
 * so "<a href=" can only be the start of a link tag. Takes html (malloc'd, may be NULL). */
static char *md_add_rel(char *html)
{
    static const char from[] = "<a href=\"";
    static const char to[] = "<a rel=\"nofollow ugc\" href=\"";
    if (!html)
        return xstrdup("");
    if (!strstr(html, from))
        return html;
    struct buf out = BUF_INIT;
    const char *p = html, *hit;
    while ((hit = strstr(p, from)) != NULL) {
        buf_append(&out, p, (size_t)(hit - p));
        buf_puts(&out, to);
        p = hit + sizeof(from) - 1;
    }
    buf_puts(&out, p);
    free(html);
    return buf_detach(&out, NULL);
}

/* Whether md is small enough in the table sense to parse with the table extension. */
static bool md_tables_bounded(const char *md, size_t len)
{
    size_t cells = 0, lines = 0, widest = 0, pipes = 0;
    bool blank = true;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? md[i] : '\n';
        if (c == '|' && ++pipes >= MD_TABLE_MAX_COLS)
            return false;
        if (c != '\n' && c != '\r') {
            blank = blank && (c == ' ' || c == '\t');
            continue;
        }
        if (blank) {
            cells += widest ? (widest + 1) * lines : 0;
            lines = widest = 0;
        } else {
            lines++;
            widest = pipes > widest ? pipes : widest;
        }
        pipes = 0;
        blank = true;
    }
    cells += widest ? (widest + 1) * lines : 0;
    return cells <= MD_TABLE_MAX_CELLS;
}

char *markdown_render(const char *md, size_t len)
{
    markdown_init();
    if (!md)
        len = 0;
    bool tables = md_tables_bounded(md, len);
    pthread_mutex_lock(&md_lock);
    cmark_parser *parser = cmark_parser_new_with_mem(MD_OPTIONS, &md_mem);
    for (size_t i = 0; i < MD_NEXT; i++)
        if (md_exts[i] && (tables || strcmp(md_ext_names[i], "table") != 0))
            cmark_parser_attach_syntax_extension(parser, md_exts[i]);
    if (len)
        cmark_parser_feed(parser, md, len);
    cmark_node *doc = cmark_parser_finish(parser);
    md_sanitize(doc);
    char *html = cmark_render_html_with_mem(doc, MD_OPTIONS,
                                            cmark_parser_get_syntax_extensions(parser), &md_mem);
    cmark_node_free(doc);
    cmark_parser_free(parser);
    pthread_mutex_unlock(&md_lock);
    return md_add_rel(html);
}

/* The words of a document, without its markup: text, code and the alt text of images, one
 * space between inline pieces that a break separates and a newline after each block. Link
 * addresses are left out (a search for "https" should not find every entry with a link).
 * Parsed without extensions: a table's cells come out as their text with its pipes, which the
 * search's tokenizer reads as separators. */
char *markdown_text(const char *md, size_t len)
{
    struct buf out = BUF_INIT;
    pthread_mutex_lock(&md_lock);
    cmark_parser *parser = cmark_parser_new_with_mem(MD_OPTIONS, &md_mem);
    if (len)
        cmark_parser_feed(parser, md, len);
    cmark_node *doc = cmark_parser_finish(parser);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(node);
        if (ev == CMARK_EVENT_EXIT) {
            if ((type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK && out.len &&
                out.data[out.len - 1] != '\n')
                buf_append(&out, "\n", 1);
            continue;
        }
        const char *lit = NULL;
        if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_CODE_BLOCK)
            lit = cmark_node_get_literal(node);
        else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK)
            lit = " ";
        if (lit)
            buf_append(&out, lit, strlen(lit));
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    cmark_parser_free(parser);
    pthread_mutex_unlock(&md_lock);
    buf_append(&out, "", 1);
    return out.data;
}
