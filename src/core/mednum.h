/* mednum.h — places as "lieux de médiation numérique", the national schema of the ANCT and La
 * Mednum (docs/MEDNUM.md): a place's published fields as one lieu of the export, and one lieu of
 * an import file as the fields of a new place, with the checks of the schema's reference library
 * (@gouvfr-anct/lieux-de-mediation-numerique) that need neither the site nor the whole file.
 * Pure: no storage, no HTML; safe from any thread. Results live in the arena a; json_t results
 * are new references (the caller json_decref()s them). Messages are French. */
#ifndef FOISON_MEDNUM_H
#define FOISON_MEDNUM_H
#include <jansson.h>
#include <stdbool.h>

struct arena;
struct territory;

/* What the export says of a place besides its fields. */
struct mednum_place {
    long long id;             /* entries.id: the lieu is "lieu-<id>" (a slug follows the title) */
    long long updated;        /* when its published revision was published: date_maj */
    const char *url;          /* the record's permanent address */
    const char *site_name;    /* source; NULL or "": "foison" */
    const char *commune_name; /* the name of address.commune in the territory; NULL: unknown */
};

/* Why a place is left out of the export: the schema requires what it lacks. */
enum mednum_omission {
    MEDNUM_EXPORTED = 0,
    MEDNUM_NO_ADDRESS,  /* no street, postcode or commune: the schema requires all three */
    MEDNUM_BAD_ADDRESS, /* a street or commune name the schema refuses (saved before the rule) */
    MEDNUM_NO_SERVICE,  /* neither its services, its equipment nor its type names a national one */
};
#define MEDNUM_OMISSIONS (MEDNUM_NO_SERVICE + 1)

/* The lieu of a place whose published, validated fields are fields: the canonical form the
 * reference library writes back (keys in docs/MEDNUM.md's order, nothing empty or null, never
 * the private contact address). NULL with *why when the place cannot be a valid lieu. */
json_t *mednum_lieu_from_place(struct arena *a, json_t *fields, const struct mednum_place *p,
                               enum mednum_omission *why);
/* A short ASCII name of an omission ("no-address"), for a response header. */
const char *mednum_omission_name(enum mednum_omission why);

/* One problem of a lieu of an import file. */
struct mednum_issue {
    const char *field;   /* the schema's field ("code_postal"); "lieu" for the whole */
    const char *message; /* French, for the file's author */
};

#define MEDNUM_MAX_ISSUES 40
struct mednum_report {
    struct mednum_issue errors[MEDNUM_MAX_ISSUES], warnings[MEDNUM_MAX_ISSUES];
    int nerrors, nwarnings;
};

/* Adds an error (which refuses the lieu) or a warning (which does not); message is kept as
 * given (allocate it in the arena of the report's use). Past MEDNUM_MAX_ISSUES, dropped. */
void mednum_report_error(struct mednum_report *r, const char *field, const char *message);
void mednum_report_warning(struct mednum_report *r, const char *field, const char *message);

/* The fields of a new place from lieu, one element of an import file: the raw input of
 * validate_entry for the place kind (a new object). lieu is checked as the reference library
 * checks it (required fields, JSON types, patterns, enumerations) and against the territory t
 * (its commune must be one of t's). *comment receives the revision comment ("Import «…»
 * (données du 2025-02-10)"). NULL when lieu is refused, r->errors saying why; r->warnings list
 * what was left out or changed, either way (r is added to, not cleared). Not checked here: the
 * place kind's own rules (validate_entry: mednum_field_of names their field in the schema's
 * terms), and what needs the whole file or the site (repeated ids, places already there). */
json_t *mednum_place_from_lieu(struct arena *a, const struct territory *t, json_t *lieu,
                               const char **comment, struct mednum_report *r);

/* The schema field a validation error on a place field is about: "address" is "adresse",
 * "title" "nom"…; the name itself for one without an equivalent. */
const char *mednum_field_of(const char *place_field);

/* What tells two places apart for the import's duplicates: the INSEE code of the commune of
 * the address and the title folded as a slug ("29019|papi-de-pontanezen"), in a. NULL when
 * fields have no title. */
const char *mednum_place_key(struct arena *a, json_t *fields);

/* OpenStreetMap opening_hours of a lieu as the import reads them: hours_from_osm's subset, and
 * also rules joined by "," before a day (added to one another, as in OSM: "Mo 09:00-12:00, We
 * 14:00-18:00") and a "PH off" rule (kept as the note "Fermé les jours fériés."). The canonical
 * object of core/hours.h, or NULL with *err (naming what stopped the parser). */
json_t *mednum_hours_from_osm(struct arena *a, const char *osm, char **err);

#endif
