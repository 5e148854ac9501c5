/* entry_view.h — turning an entry's field values into template values, driven by the schema:
 * the display of a record, the edit form (with the visitor's input and errors), and a field's
 * value as plain text for diffs. */
#ifndef FOISON_ENTRY_VIEW_H
#define FOISON_ENTRY_VIEW_H
#include "core/entry.h"
#include "core/geo.h"
#include "core/relation.h"
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
/* The record's position drawn as a small map (render/geo_svg.h) over the territory's communes
 * into ctx's "record_map": the SVG, the coordinates in French, whether it is approximate (a
 * commune's centre) or a place's, and the links to /carte centred on it and to OpenStreetMap.
 * p: where geo_each shows the published entry (nothing for GEO_UNPLACED). Call it before
 * entry_view_fields, which then leaves the point field out of the facts (the map says it). */
void entry_view_position(struct request *req, struct tv *ctx, enum geo_precision precision,
                         double lat, double lon);
/* Display values of a revision into ctx: "f" (object by field name), "meta" (the main
 * section's facts), "blocks" (its texts), "sections" (the kind's other sections, each with its
 * facts and parts) and "image", from its field values (vals, from entry_view_members on its
 * fields text) and its rendered text (field name -> safe HTML). Private fields never; the point
 * field not when ctx has a "record_map" (entry_view_position). */
void entry_view_fields(struct request *req, struct tv *ctx, const struct kind_def *k,
                       const struct json_span *vals, struct json_span rendered);
/* The relation groups of a record (relation_groups) as the "relations" list of ctx. */
void entry_view_relations(struct tv *ctx, const struct related_group *g, int n);
/* The label of an option of an enum or tags field (a theme's for the themes). */
const char *entry_view_option_label(struct request *req, const struct field_def *f, const char *id);
/* A JSON number (or string) as an input shows it: six decimals at most, no trailing zeros. */
const char *entry_view_number(struct request *req, struct json_span v);
/* The title in an object text of field values (fields or card), "" when absent. */
const char *entry_view_title(struct request *req, const struct kind_def *k, struct json_span obj);
/* The form's "form_fields" list from values (stored or raw input) and errs (may be NULL), and
 * "relation_script_url" when the kind has a relation field; the editor's scripts (toolbar,
 * preview, drafts: static/editor.js); with a "previewing" flag in ctx, each Markdown field's
 * text rendered as its record page would show it. */
void entry_view_form(struct request *req, struct tv *ctx, const struct kind_def *k, json_t *values,
                     const struct field_errors *errs);
/* The id of the input an error of field leads to (the error summary's links): the field's own
 * input, or the first one of a group (a checkbox, the street, the latitude, Monday's hours, the
 * repetition); "field-NAME" (its block) for what is no field of k (the spam notice). */
const char *entry_view_form_anchor(struct request *req, const struct kind_def *k,
                                   const char *field);
/* A relation's value as its input holds it: the slugs of the entries its ids name that the
 * visitor may see, or the slugs typed, separated by ", ". */
const char *entry_view_relation_slugs(struct request *req, json_t *v);
/* Raw input object from the posted form, for validate_entry(). Caller decrefs. */
json_t *entry_view_form_input(struct request *req, const struct kind_def *k);
/* The private fields whose removal the posted form asks for (the box NAME.remove), for
 * entry_save.private_removed: NULL-terminated, in the arena. */
const char *const *entry_view_form_removed(struct request *req, const struct kind_def *k);
/* A field's value as one plain string, for diffs and conflict views: from a jansson value
 * (NULL: absent), or from its JSON text (an empty span: absent). */
const char *entry_view_plain(struct request *req, const struct field_def *f, json_t *v);
const char *entry_view_plain_text(struct request *req, const struct field_def *f,
                                  struct json_span v);
/* One summary card per item into list (title, summary, url, and "facts": the card fields the
 * record has), from each item's card. */
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
    /* The entries its relation fields may name, as the viewer may see them (from
     * entry_view_json_related): a relation is written as those of them it names. */
    const struct related_entry *related;
    int nrelated;
    bool with_private; /* private fields too (never for the public) */
};
/* The entries the relation fields of n records (their fields texts) name, in one read, for
 * entry_view_record.related; their number, -1 on a storage failure. */
int entry_view_json_related(struct request *req, const struct viewer *v, const struct kind_def *k,
                            const struct json_span *fields, int n, struct related_entry **out);
/* {"kind","slug","title"} of an entry a relation names. */
void entry_view_related_json(struct buf *b, const struct related_entry *r);
/* Appends r as a compact JSON object to b (what json_dumps wrote for the same values). */
void entry_view_json(struct buf *b, const struct entry_view_record *r);

#endif
