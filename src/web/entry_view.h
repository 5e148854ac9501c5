/* entry_view.h — turning an entry's field values into template values, driven by the schema:
 * the display of a record, the edit form (with the visitor's input and errors), and a field's
 * value as plain text for diffs. */
#ifndef FOISON_ENTRY_VIEW_H
#define FOISON_ENTRY_VIEW_H
#include "core/entry.h"
#include "core/validate.h"
#include "render/tmpl.h"

struct buf;
struct request;

/* The values of k's fields in the object text obj, by field index (empty spans for the absent
 * ones), read in one pass: a page reads a revision's members once, not once per use. */
struct json_span *entry_view_members(struct request *req, const struct kind_def *k,
                                     struct json_span obj);
/* The text of the string field name among vals (from entry_view_members), NULL if absent. */
const char *entry_view_member_str(struct request *req, const struct kind_def *k,
                                  const struct json_span *vals, const char *name);
/* Display values of a revision into ctx: "f" (object by field name) plus "meta" and "sections"
 * lists for generic rendering, from its field values (vals, from entry_view_members on its
 * fields text) and its rendered text (field name -> safe HTML). */
void entry_view_fields(struct request *req, struct tv *ctx, const struct kind_def *k,
                       const struct json_span *vals, struct json_span rendered);
/* The title in an object text of field values (fields or card), "" when absent. */
const char *entry_view_title(struct request *req, const struct kind_def *k, struct json_span obj);
/* The form's "form_fields" list from values (stored or raw input) and errs (may be NULL). */
void entry_view_form(struct request *req, struct tv *ctx, const struct kind_def *k, json_t *values,
                     const struct field_errors *errs);
/* Raw input object from the posted form, for validate_entry(). Caller decrefs. */
json_t *entry_view_form_input(struct request *req, const struct kind_def *k);
/* A field's value as one plain string, for diffs and conflict views: from a jansson value
 * (NULL: absent), or from its JSON text (an empty span: absent). */
const char *entry_view_plain(struct request *req, const struct field_def *f, json_t *v);
const char *entry_view_plain_text(struct request *req, const struct field_def *f,
                                  struct json_span v);
/* One summary card per item into list (title, summary, commune, themes, url), from each
 * item's card. */
void entry_view_items(struct request *req, struct tv *list, const struct kind_def *k,
                      struct entry_item *items, int n);

/* One entry as the JSON API shows it: kind, slug, revision, created, updated, authors, url, then
 * every field of the schema in its order (null when absent), copied from the stored text. */
struct entry_view_record {
    const struct kind_def *kind;
    const char *slug;
    int revision;
    long long created, updated;
    const char *const *authors;
    int nauthors;
    const char *url;
    struct json_span fields; /* the revision's fields (JSON object text) */
    const char *state;       /* the revision's moderation state, written when not NULL */
};
/* Appends r as a compact JSON object to b (what json_dumps wrote for the same values). */
void entry_view_json(struct buf *b, const struct entry_view_record *r);

#endif
