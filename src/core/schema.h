/* schema.h — kinds of entries described by their fields. Storage, validation, forms, display,
 * history, diff and the API all iterate over these descriptions; adding a kind is adding one. */
#ifndef FOISON_SCHEMA_H
#define FOISON_SCHEMA_H
#include <stdbool.h>
#include <stddef.h>

enum field_type {
    FT_TEXT,     /* one line of plain text */
    FT_MARKDOWN, /* Markdown, rendered in safe mode */
    FT_URL,      /* http or https only */
    FT_EMAIL,
    FT_DATE, /* YYYY-MM-DD */
    FT_YEAR,
    FT_COMMUNE,  /* INSEE code of a commune of the territory */
    FT_POINT,    /* {"lat","lon"} */
    FT_ENUM,     /* one id among options */
    FT_TAGS,     /* several ids among options (or the site's themes) */
    FT_RELATION, /* slug of another entry of relation_kind */
};

struct field_option {
    const char *id;
    const char *label;
};

enum field_source {
    FS_STATIC,   /* options listed in the schema */
    FS_THEMES,   /* the site's taxonomy of themes */
    FS_LICENSES, /* static licence options; the default is the site's licence setting */
};

struct field_def {
    const char *name; /* JSON and form name */
    enum field_type type;
    const char *label;   /* French label */
    const char *help;    /* French help text under the field, may be NULL */
    const char *section; /* display group: "main", "source" (the innovation's "source code") */
    bool required;
    size_t max_len;              /* in characters, for text-like fields */
    size_t min_items, max_items; /* for tags */
    int min, max;                /* for years */
    enum field_source source;
    const struct field_option *options; /* NULL-terminated, for FS_STATIC enums and tags */
    const char *default_value;
    const char *relation_kind;
    bool facet; /* indexed in entry_terms for list filters */
};

struct kind_def {
    const char *name;         /* "innovation" */
    const char *segment;      /* URL segment: "innovations" */
    const char *label;        /* "innovation" */
    const char *label_plural; /* "innovations" */
    const char *title_field;
    const char *summary_field;
    const struct field_def *fields;
    size_t nfields;
};

const struct kind_def *kind_find(const char *name);
const struct kind_def *kind_find_segment(const char *segment);
const struct field_def *kind_field(const struct kind_def *k, const char *name);
/* The label of option id in a static enum/tags field, or NULL. */
const char *field_option_label(const struct field_def *f, const char *id);
const char *field_type_name(enum field_type t);

#endif
