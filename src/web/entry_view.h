/* entry_view.h — turning an entry's field values into template values, driven by the schema:
 * the display of a record, the edit form (with the visitor's input and errors), and a field's
 * value as plain text for diffs. */
#ifndef FOISON_ENTRY_VIEW_H
#define FOISON_ENTRY_VIEW_H
#include "core/entry.h"
#include "core/validate.h"
#include "render/tmpl.h"

struct request;

/* Display values of a revision into ctx: "f" (object by field name) plus "meta" and "sections"
 * lists for generic rendering. */
void entry_view_fields(struct request *req, struct tv *ctx, const struct kind_def *k,
                       json_t *fields, json_t *rendered);
/* The form's "form_fields" list from values (stored or raw input) and errs (may be NULL). */
void entry_view_form(struct request *req, struct tv *ctx, const struct kind_def *k, json_t *values,
                     const struct field_errors *errs);
/* Raw input object from the posted form, for validate_entry(). Caller decrefs. */
json_t *entry_view_form_input(struct request *req, const struct kind_def *k);
/* A field's value as one plain string, for diffs and conflict views. */
const char *entry_view_plain(struct request *req, const struct field_def *f, json_t *v);
/* One summary card per item into list (title, summary, commune, themes, url). */
void entry_view_items(struct request *req, struct tv *list, const struct kind_def *k,
                      struct entry_item *items, int n);

#endif
