/* schema.h — kinds of entries described by their fields. Storage, validation, forms, display,
 * history, diff, relations, facets, the derived data of the published revision and the API all
 * iterate over these descriptions: adding a kind is adding one to core/kinds.c (and, at most, a
 * template for its page). */
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
    FT_COMMUNE,    /* INSEE code of a commune of the territory */
    FT_POINT,      /* {"lat","lon"} */
    FT_ENUM,       /* one id among options */
    FT_TAGS,       /* several ids among options (or the site's themes) */
    FT_RELATION,   /* other entries, stored as a list of their ids (a rename never breaks it);
                      written as slugs, read as {"kind","slug","title"} */
    FT_DATETIME,   /* a local time in Europe/Paris, stored as UTC seconds */
    FT_INTEGER,    /* a whole number within min..max */
    FT_ADDRESS,    /* {"street","postcode","commune"}: its commune is the facet value */
    FT_PHONE,      /* a phone number, stored as core/phone.c writes it */
    FT_HOURS,      /* opening hours, core/hours.c's structure */
    FT_IMAGE_URL,  /* an https image address, until uploads exist */
    FT_RECURRENCE, /* an RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=TU;COUNT=10") that ends (UNTIL or
                      COUNT) and expands to at most RECUR_MAX_OCCURRENCES (core/recur.h) */
    FT_DATES,      /* a list of days "YYYY-MM-DD" (a series' cancelled dates) */
};
#define FT_COUNT (FT_DATES + 1)

struct field_option {
    const char *id;
    const char *label;
};

/* A check some text fields add to their type's. */
enum field_format {
    FF_NONE = 0,
    FF_SIRET, /* a French establishment number: 14 digits (spaces allowed), check digit right */
};

enum field_source {
    FS_STATIC,   /* options listed in the schema */
    FS_THEMES,   /* the site's taxonomy of themes */
    FS_LICENSES, /* static licence options; the default is the site's licence setting */
};

/* Where a field's text goes in the search index (store/search_store.c weighs the places, the
 * title highest). Text and Markdown fields say it; a facet's values are indexed by their
 * labels (themes, communes) in SEARCH_IN_TAGS without saying it. */
enum field_search {
    SEARCH_IN_NONE = 0, /* not indexed (an identifier, a detail nobody looks for) */
    SEARCH_IN_BODY,     /* the long texts */
    SEARCH_IN_LEAD,     /* the summary and short texts that say what the entry is */
    SEARCH_IN_TITLE,
    SEARCH_IN_TAGS, /* the labels of facet values */
};

struct field_def {
    const char *name; /* JSON and form name */
    enum field_type type;
    const char *label;   /* French label */
    const char *help;    /* French help text under the field, may be NULL */
    const char *section; /* display group, one of the kind's sections */
    bool required;
    size_t max_len;              /* in characters, for text-like fields */
    size_t min_items, max_items; /* for tags and relations */
    long long min, max;          /* for years and integers */
    enum field_source source;
    const struct field_option *options; /* NULL-terminated, for FS_STATIC enums and tags */
    const char *default_value;
    bool facet;        /* a filter of the list pages and the API, with counts */
    const char *param; /* the facet's query parameter when it is not name ("theme") */
    bool card;         /* shown on the cards of lists (title and summary always are) */
    bool private;      /* never shown nor exported (a contact address the site relays to) */
    /* A relation changed only by the decisions of the other side's managers (an actor's
     * networks: a join request accepted), never by editing: forms leave it out, the save path
     * keeps it (core/membership.c changes it). */
    bool managed;
    /* FT_INTEGER: the seats of an event; the save path refuses fewer than the registrations
     * already held (core/attendance.c). */
    bool seats;
    /* FT_RELATION to the same kind: the reuse lineage ("s'inspire de" / "a inspiré") drawn on
     * the record from it. */
    bool lineage;
    enum field_format format; /* FT_TEXT: a check of its own (stored as the check writes it) */
    enum field_search search; /* FT_TEXT, FT_MARKDOWN: where the search index puts it */
    /* FT_YEAR: the year the search's "year" facet gives the entry (the kind's first such
     * field; otherwise its start date's year, otherwise its creation's). */
    bool year;
    /* FT_RELATION: the kinds it may point to ("actor", "innovation,network"; NULL: any kind),
     * the label on the other side ("porte" for "porté par"), and whether an entry may point to
     * itself (never meaningful so far). */
    const char *relation_kinds;
    const char *inverse_label;
    /* FT_RELATION to places: where the entry is (an event at a place). The map shows an entry
     * without a point of its own at the point of the first of them that has one (core/geo.c). */
    bool locates;
};

/* A rule between fields, checked after each field is valid on its own. */
enum field_rule_type {
    RULE_AFTER,  /* b, when set, is after a (dates, date-times, integers) */
    RULE_ANY_OF, /* at least one of a and b is set */
};

struct field_rule {
    enum field_rule_type type;
    const char *a, *b;
    const char *message; /* French, attached to field b (RULE_AFTER) or a (RULE_ANY_OF) */
};

/* A display group of fields: the record page shows the fields of each section under its title
 * (the main one has none), and the form groups them the same way. */
struct section_def {
    const char *name;
    const char *title; /* heading on the record and in the form */
    const char *help;  /* under the heading in the form, may be NULL */
    const char *empty; /* on the record when none of its fields is filled; NULL: the section
                          is left out */
    bool record;       /* shown on the record page (the meta section is the attribution's) */
};

enum kind_order {
    ORDER_UPDATED,    /* the latest update first */
    ORDER_TITLE,      /* alphabetical, accents folded */
    ORDER_FIELD_DESC, /* order_field (a date) descending, then the latest update */
};

/* The fields that put a kind's entries in time (events): the derived step expands them into
 * occurrences (core/agenda.c), which the agenda, iCalendar feeds and registrations read. */
struct kind_when {
    const char *start, *end; /* FT_DATETIME fields */
    const char *recurrence;  /* FT_RECURRENCE: the series' rule, may be NULL */
    const char *exceptions;  /* FT_DATES: days of the series cancelled */
    const char *series;      /* FT_RELATION to the series an entry changes one occurrence of */
    const char *replaces;    /* FT_DATETIME: the start of that occurrence in the series */
};

struct kind_def {
    const char *name;         /* API id, English: "innovation" */
    const char *segment;      /* URL segment, French: "innovations" */
    const char *label;        /* "innovation" */
    const char *label_plural; /* "innovations" */
    const char *nav_label;    /* in the header: "Innovations" */
    const char *list_title;   /* heading of the list page: "Les innovations" */
    const char *a_label;      /* with its article, for "Ajouter …": "une innovation" */
    const char *blurb;        /* what the list page says the records tell, for its description */
    const char *title_field;
    const char *summary_field;
    const char *template; /* the record page's template; NULL: "entry_show" */
    enum kind_order order;
    const char *order_field;
    const struct field_def *fields;
    size_t nfields;
    const struct section_def *sections;
    size_t nsections;
    const struct field_rule *rules;
    size_t nrules;
    const char *list_path; /* the list page: "/" segment, or another ("/agenda") */
    bool nav_hidden;       /* not in the header nor the home page's counts (a training's
                              sessions: reached from their training) */
    struct kind_when when; /* .start NULL: entries not in time */
};

/* The kinds, in the order of the site's navigation. */
const struct kind_def *kind_at(size_t i);
size_t kind_count(void);
const struct kind_def *kind_find(const char *name);
const struct kind_def *kind_find_segment(const char *segment);
const struct field_def *kind_field(const struct kind_def *k, const char *name);
const struct section_def *kind_section(const struct kind_def *k, const char *name);
/* The facet field of k whose query parameter is param, or NULL. */
const struct field_def *kind_facet_by_param(const struct kind_def *k, const char *param);
/* The query parameter of a facet field. */
const char *field_param(const struct field_def *f);
/* Whether a relation field may point to an entry of kind. */
bool field_relation_allows(const struct field_def *f, const char *kind);
/* The label of option id in a static enum/tags field, or NULL. */
const char *field_option_label(const struct field_def *f, const char *id);
const char *field_type_name(enum field_type t);
/* The path of k's list page ("/innovations", "/agenda"). */
const char *kind_list_path(const struct kind_def *k);
/* A text that changes whenever what the derived data depends on changes (facets, cards,
 * relations, orders of every kind): a site whose stored fingerprint differs has its derived
 * data computed again (entry_derive_all). */
const char *kind_fingerprint(void);

#endif
