/* markdown.h — user Markdown to safe HTML (cmark-gfm with GFM tables, strikethrough, autolinks). */
#ifndef FOISON_MARKDOWN_H
#define FOISON_MARKDOWN_H
#include <stddef.h>

/* Registers the GFM extensions. Call once at start-up before threads start; idempotent (and
 * markdown_render calls it too, so tests and tools need not). */
void markdown_init(void);

/* Renders md[0..len) (UTF-8; invalid bytes become U+FFFD) to safe HTML: raw HTML is dropped;
 * links keep only http, https, mailto or scheme-less (relative, fragment) URLs and get
 * rel="nofollow ugc" — other links are unwrapped to their text; images keep only http(s) URLs —
 * others are replaced by their alt text. "~~x~~" strikes (a single '~' does not). Input whose
 * tables could blow up (very wide rows, wide header over many rows) is rendered without tables.
 * Cost is roughly linear otherwise; callers should still cap len (e.g. 64 KB per field).
 * Returns malloc'd NUL-terminated HTML that the caller frees; never NULL. md may be NULL if len
 * is 0. */
char *markdown_render(const char *md, size_t len);

/* The plain text of md[0..len): what a reader reads, without markup nor link addresses, a
 * newline between blocks (for the search index and its snippets). malloc'd, never NULL. */
char *markdown_text(const char *md, size_t len);

#endif
