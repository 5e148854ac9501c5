/* tmpl.h — the HTML template engine: a mustache subset that escapes by default, and the
 * template values (struct tv) that pages build in their request arena to feed it.
 *
 * Tags: {{name}} (escaped), {{{name}}} and {{&name}} (raw, TV_HTML values only; anything else is
 * escaped), {{#name}}…{{/name}} (section), {{^name}}…{{/name}} (inverted), {{>partial}},
 * {{! comment }}. A name is "." or dot-separated segments of [A-Za-z0-9_-], after any number of
 * "../".
 *
 * Scopes. The top context, each item of a list section and each object section open a scope. A
 * name is looked up in the nearest scope ONLY: a card without "themes" inside a page that has a
 * "themes" list gets nothing, it does not borrow the page's. A section on a true scalar (flag,
 * non-empty string) is a condition, not a scope: "." inside it is that scalar, names resolve in
 * the enclosing scope. To reach an outer value, say so: each "../" climbs one scope, e.g. in
 * {{#items}}…{{../kind_segment}}…{{/items}}, or {{../../csrf}} two scopes out; "../." is that
 * scope's value itself; climbing past the top context finds nothing. A partial is rendered in the
 * scope it is called from. Dotted names descend from their first segment: {{a.b}} is b of the
 * a of the current scope. */
#ifndef FOISON_TMPL_H
#define FOISON_TMPL_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct buf;

enum tv_type { TV_NULL, TV_STR, TV_HTML, TV_BOOL, TV_LIST, TV_OBJ };

/* A template value, allocated in an arena and freed with it.
 *
 * No call of this file aborts on a bad argument: a NULL or wrongly typed object, a NULL key,
 * arena or template set makes the call do nothing (or return NULL / -1 / false / 0 as said
 * below), so that a page that builds its context wrongly loses a value instead of taking the
 * server down. A NULL struct tv * is a valid null value wherever a value is taken. */
struct tv;

/* NULL when a is NULL. */
struct tv *tv_obj(struct arena *a);
struct tv *tv_list(struct arena *a);
/* s is NOT copied and must outlive the render; NULL gives a TV_NULL. */
struct tv *tv_str(struct arena *a, const char *s);
/* Trusted HTML, output raw by {{{x}}} / {{&x}}: ONLY for the output of the safe Markdown renderer.
 * NULL gives a TV_NULL. */
struct tv *tv_html(struct arena *a, const char *html);
struct tv *tv_bool(struct arena *a, bool v);
/* TV_NULL for a NULL value. */
enum tv_type tv_type(const struct tv *v);

/* Keys are not copied (string literals, normally). Setting a key again replaces its value.
 * val may be NULL (a null value). These do nothing when obj is not an object. */
void tv_set(struct tv *obj, const char *key, struct tv *val);
void tv_set_str(struct tv *obj, const char *key, const char *s);
/* Formatted into obj's arena. */
void tv_set_strf(struct tv *obj, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Stored as its decimal string. */
void tv_set_int(struct tv *obj, const char *key, long long v);
void tv_set_bool(struct tv *obj, const char *key, bool v);
void tv_set_html(struct tv *obj, const char *key, const char *html);
/* Create, set and return a child object / list (in obj's arena); NULL when obj is not an object
 * or key is NULL (and every call on that NULL then does nothing). */
struct tv *tv_set_obj(struct tv *obj, const char *key);
struct tv *tv_set_list(struct tv *obj, const char *key);
/* Look-up of a direct key of obj; NULL when missing or obj is not an object. */
const struct tv *tv_get(const struct tv *obj, const char *key);

/* Appends val (NULL is a null item); does nothing when list is not a list. */
void tv_push(struct tv *list, struct tv *val);
/* Appends and returns a new empty object; NULL when list is not a list. */
struct tv *tv_push_obj(struct tv *list);
/* 0 when list is not a list. */
size_t tv_list_len(const struct tv *list);

/* Limits enforced by the parser and the renderer. */
#define TMPL_MAX_SIZE (1024 * 1024) /* bytes of one template */
#define TMPL_MAX_NESTING 64         /* open sections in one template */
#define TMPL_MAX_PARTIAL_DEPTH 16   /* partials inside partials */
#define TMPL_DEFAULT_BUDGET 4000000 /* node visits in one tmpl_render() */

/* A set of named, parsed templates. Build it at start-up; once loaded it is only read, so one set
 * can be shared by every thread rendering at the same time. */
struct tmpl_set;

struct tmpl_set *tmpl_set_new(void);
/* Parses text[0..len) and adds it under name (copied), replacing any template of that name.
 * 0 on success; on a syntax error (or a NULL set or name) -1 and *err = malloc'd message naming the
 * template and the line (caller frees). err may be NULL. */
int tmpl_set_add(struct tmpl_set *set, const char *name, const char *text, size_t len, char **err);
/* Loads every *.html file of dir (not recursive), named by file name without ".html", e.g.
 * "entry_show". NULL and *err (malloc'd) on an unreadable directory or file or a syntax error. */
struct tmpl_set *tmpl_set_load(const char *dir, char **err);
void tmpl_set_free(struct tmpl_set *set);
bool tmpl_set_has(const struct tmpl_set *set, const char *name);
/* Caps the node visits of one render (default TMPL_DEFAULT_BUDGET), so that a template that
 * recurses through partials cannot spin for ever. Call before sharing the set. */
void tmpl_set_budget(struct tmpl_set *set, size_t max_visits);

/* Renders template `name` with ctx (may be NULL) appended to out. 0 on success; -1 when set,
 * name or out is NULL, the template or a partial is unknown, partials nest deeper than
 * TMPL_MAX_PARTIAL_DEPTH or the budget runs out — then out is left as it was before the call. Only
 * reads set. */
int tmpl_render(const struct tmpl_set *set, const char *name, const struct tv *ctx,
                struct buf *out);

#endif
