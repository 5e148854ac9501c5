/* commune_data.c — reading the packaged public data on communes (see commune_data.h): the
 * codes of the command line, @etalab/decoupage-administratif's communes, EPCI and departments
 * (JSON, through jansson), and GeoNames' cities500 (one tab-separated line per place). */
#include "core/commune_data.h"
#include "util/buf.h"
#include "util/mem.h"
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const commune_kind_option[3] = {"--epci", "--departement", "--communes"};

bool commune_code_valid(enum commune_code_kind kind, const char *code)
{
    size_t n = strlen(code), digits = strspn(code, "0123456789");
    bool corsica =
        (code[0] == '2') && (code[1] == 'A' || code[1] == 'B' || code[1] == 'a' || code[1] == 'b');
    switch (kind) {
    case COMMUNE_CODE_EPCI:
        return n == 9 && digits == 9;
    case COMMUNE_CODE_DEPARTEMENT:
        if (n == 2)
            return corsica || (digits == 2 && strcmp(code, "00") != 0 && strcmp(code, "20") != 0);
        return n == 3 && digits == 3 && code[0] == '9' && (code[1] == '7' || code[1] == '8');
    case COMMUNE_CODE_COMMUNE:
        return n == 5 && (digits == 5 || (corsica && strspn(code + 2, "0123456789") == 3));
    }
    return false;
}

static const char *commune_code_shape(enum commune_code_kind kind)
{
    switch (kind) {
    case COMMUNE_CODE_EPCI:
        return "un numéro SIREN d'intercommunalité (9 chiffres, ex. 242900314 pour Brest "
               "Métropole)";
    case COMMUNE_CODE_DEPARTEMENT:
        return "un code de département (2 chiffres, 2A, 2B, ou 3 chiffres outre-mer, ex. 29)";
    case COMMUNE_CODE_COMMUNE:
        break;
    }
    return "un code INSEE de commune (5 caractères, ex. 29019 pour Brest, 2A004 pour Ajaccio)";
}

int commune_pick_add(struct commune_pick *p, enum commune_code_kind kind, const char *list,
                     char *err, size_t errlen)
{
    const char *opt = commune_kind_option[kind];
    if (!list || !*list) {
        snprintf(err, errlen, "%s : liste de codes vide", opt);
        return -1;
    }
    for (const char *item = list;;) {
        const char *end = strchr(item, ',');
        size_t len = end ? (size_t)(end - item) : strlen(item);
        char code[16];
        if (len == 0) {
            snprintf(err, errlen,
                     "%s : code vide dans la liste (des codes séparés par des "
                     "virgules, sans espace)",
                     opt);
            return -1;
        }
        if (len >= sizeof code) {
            snprintf(err, errlen, "%s : « %.*s… » n'est pas %s", opt, 12, item,
                     commune_code_shape(kind));
            return -1;
        }
        memcpy(code, item, len);
        code[len] = '\0';
        if (!commune_code_valid(kind, code)) {
            snprintf(err, errlen, "%s : « %s » n'est pas %s", opt, code, commune_code_shape(kind));
            return -1;
        }
        for (char *c = code; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        /* A code given twice is most often a typo for another one: said, not folded away. */
        for (size_t i = 0; i < p->n[kind]; i++)
            if (strcmp(p->codes[kind][i], code) == 0) {
                snprintf(err, errlen, "%s : « %s » donné deux fois", opt, code);
                return -1;
            }
        if (p->n[kind] == COMMUNE_PICK_MAX) {
            snprintf(err, errlen, "%s : %d codes au plus", opt, COMMUNE_PICK_MAX);
            return -1;
        }
        p->codes[kind] = xrealloc(p->codes[kind], (p->n[kind] + 1) * sizeof(char *));
        p->codes[kind][p->n[kind]++] = xstrdup(code);
        if (!end)
            break;
        item = end + 1;
    }
    return 0;
}

bool commune_pick_empty(const struct commune_pick *p)
{
    return p->n[0] + p->n[1] + p->n[2] == 0;
}

void commune_pick_free(struct commune_pick *p)
{
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < p->n[k]; i++)
            free(p->codes[k][i]);
        free(p->codes[k]);
        p->codes[k] = NULL;
        p->n[k] = 0;
    }
}

void commune_set_free(struct commune_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->communes[i].name);
        free(set->communes[i].epci_name);
    }
    free(set->communes);
    free(set->name);
    memset(set, 0, sizeof(*set));
}

/* What NFD then the removal of combining marks leaves of each Latin letter U+00C0..U+0233 and
 * U+1E00..U+1EFF, lowered: its base letter, or '.' when it has none in a-z (Æ, Ø, ß, Þ, Œ…,
 * which gen-communes.mjs turns into a separator). Computed from Node's Unicode tables by
 *   s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()
 * for each code point. */
static const char commune_fold_latin[] =
    "aaaaaa.ceeeeiiii.nooooo..uuuuy..aaaaaa.ceeeeiiii.nooooo..uuuuy.y"
    "aaaaaaccccccccdd..eeeeeeeeeegggggggghh..iiiiiiiii...jjkk.llllll."
    "...nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwyyyzzzzzz."
    "................................oo.............uu..............."
    ".............aaiioouuuuuuuuuu.aaaa....ggkkoooo..j...gg..nnaa...."
    "aaaaeeeeiiiioooorrrruuuusstt..hh......aaeeooooooooyy";
static const char commune_fold_extended[] =
    "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm"
    "mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv"
    "wwwwwwwwwwxxxxyyzzzzzzhtwy......aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"
    "eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy......";
_Static_assert(sizeof commune_fold_latin == 0x233 - 0xC0 + 2, "one letter per code point");
_Static_assert(sizeof commune_fold_extended == 0x100 + 1, "one letter per code point");

/* The combining marks of the Latin script, which \p{M} removes without a trace. (Marks of other
 * scripts become separators here: they sit between letters that are separators already, except
 * after an a-z letter, which no French place name has.) */
static bool commune_fold_mark(unsigned cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

/* The next code point of s (advanced), or 0xFFFD for a byte that does not start a well-formed
 * sequence (one byte consumed). */
static unsigned commune_next_cp(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned cp;
    int len;
    if (p[0] < 0x80)
        cp = p[0], len = 1;
    else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80)
        cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu), len = 2;
    else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
        cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu), len = 3;
    else if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
             (p[3] & 0xC0) == 0x80)
        cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
             (p[3] & 0x3Fu),
        len = 4;
    else
        cp = 0xFFFD, len = 1;
    *s = p + len;
    return cp;
}

char *commune_name_fold(const char *name)
{
    struct buf b = BUF_INIT;
    bool gap = false;
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
        unsigned cp = commune_next_cp(&p);
        char c = 0;
        if (cp < 0x80)
            c = isalnum((int)cp) ? (char)tolower((int)cp) : 0;
        else if (commune_fold_mark(cp))
            continue;
        else if (cp >= 0xC0 && cp <= 0x233)
            c = commune_fold_latin[cp - 0xC0];
        else if (cp >= 0x1E00 && cp <= 0x1EFF)
            c = commune_fold_extended[cp - 0x1E00];
        else if (cp == 0x212A || cp == 0x212B) /* the Kelvin and Ångström signs */
            c = cp == 0x212A ? 'k' : 'a';
        if (!c || c == '.') {
            gap = b.len > 0;
            continue;
        }
        if (gap)
            buf_putc(&b, ' ');
        gap = false;
        buf_putc(&b, c);
    }
    return buf_detach(&b, NULL);
}

/* A commune of communes.json, its strings borrowed from the JSON tree. */
struct src_commune {
    const char *code, *name, *departement;
    const char *type; /* commune-actuelle, commune-deleguee, commune-associee, arrondissement… */
    const char *parent; /* the current commune a former one is part of (chefLieu, commune) */
    long population;
};

/* A commune's membership of an EPCI (the strings borrowed from epci.json). */
struct src_member {
    const char *commune, *epci, *epci_name;
};

struct commune_load {
    const char *datadir;
    char *err;
    size_t errlen;
    json_t *communes_json, *epci_json, *departements_json;
    struct src_commune *current, *former; /* sorted by code */
    size_t ncurrent, nformer;
    struct src_member *members; /* sorted by commune code */
    size_t nmembers;
    const struct src_commune **picked; /* by code, once each */
    size_t npicked, cap;
};

static int commune_cmp_code(const void *a, const void *b)
{
    return strcmp(((const struct src_commune *)a)->code, ((const struct src_commune *)b)->code);
}

static int commune_cmp_member(const void *a, const void *b)
{
    return strcmp(((const struct src_member *)a)->commune, ((const struct src_member *)b)->commune);
}

static int commune_cmp_picked(const void *a, const void *b)
{
    return strcmp((*(const struct src_commune *const *)a)->code,
                  (*(const struct src_commune *const *)b)->code);
}

static const struct src_commune *commune_find(const struct src_commune *v, size_t n,
                                              const char *code)
{
    struct src_commune key = {.code = code};
    return bsearch(&key, v, n, sizeof *v, commune_cmp_code);
}

/* Reads datadir/rel as JSON: an array, or NULL with the message in l->err (the file missing
 * means the set-up did not install the npm packages). */
static json_t *commune_load_json(struct commune_load *l, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", l->datadir, rel);
    if (access(path, R_OK) != 0) {
        snprintf(l->err, l->errlen,
                 "données publiques des communes introuvables (%s : %s) : lancez make deps", path,
                 strerror(errno));
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!json_is_array(root)) {
        snprintf(l->err, l->errlen, "%s : fichier illisible (%s, ligne %d) : lancez make deps",
                 path, root ? "une liste est attendue" : jerr.text, jerr.line);
        json_decref(root);
        return NULL;
    }
    return root;
}

static const char *commune_json_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int commune_load_communes(struct commune_load *l)
{
    l->communes_json = commune_load_json(l, COMMUNE_DATA_ETALAB "/communes.json");
    if (!l->communes_json)
        return -1;
    size_t n = json_array_size(l->communes_json);
    l->current = xcalloc(n + 1, sizeof *l->current);
    l->former = xcalloc(n + 1, sizeof *l->former);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(l->communes_json, i);
        struct src_commune c = {
            .code = commune_json_str(o, "code"),
            .name = commune_json_str(o, "nom"),
            .departement = commune_json_str(o, "departement"),
            .type = commune_json_str(o, "type"),
        };
        if (!c.code || !c.name || !c.type || strlen(c.code) != 5)
            continue;
        c.population = (long)json_integer_value(json_object_get(o, "population"));
        if (strcmp(c.type, "commune-actuelle") == 0) {
            l->current[l->ncurrent++] = c;
            continue;
        }
        c.parent = commune_json_str(o, "chefLieu");
        if (!c.parent)
            c.parent = commune_json_str(o, "commune");
        l->former[l->nformer++] = c;
    }
    if (l->ncurrent == 0) {
        snprintf(l->err, l->errlen, "%s/%s/communes.json : aucune commune : lancez make deps",
                 l->datadir, COMMUNE_DATA_ETALAB);
        return -1;
    }
    qsort(l->current, l->ncurrent, sizeof *l->current, commune_cmp_code);
    qsort(l->former, l->nformer, sizeof *l->former, commune_cmp_code);
    return 0;
}

static int commune_load_epci(struct commune_load *l)
{
    l->epci_json = commune_load_json(l, COMMUNE_DATA_ETALAB "/epci.json");
    if (!l->epci_json)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < json_array_size(l->epci_json); i++)
        cap += json_array_size(json_object_get(json_array_get(l->epci_json, i), "membres"));
    l->members = xcalloc(cap + 1, sizeof *l->members);
    for (size_t i = 0; i < json_array_size(l->epci_json); i++) {
        json_t *e = json_array_get(l->epci_json, i), *m = json_object_get(e, "membres");
        const char *code = commune_json_str(e, "code"), *name = commune_json_str(e, "nom");
        for (size_t j = 0; code && name && j < json_array_size(m); j++) {
            const char *c = commune_json_str(json_array_get(m, j), "code");
            if (c)
                l->members[l->nmembers++] = (struct src_member){c, code, name};
        }
    }
    qsort(l->members, l->nmembers, sizeof *l->members, commune_cmp_member);
    return 0;
}

static void commune_pick_one(struct commune_load *l, const struct src_commune *c)
{
    if (l->npicked == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->picked = xrealloc(l->picked, l->cap * sizeof *l->picked);
    }
    l->picked[l->npicked++] = c;
}

/* Why code is not a current commune: merged into another, a municipal district, or unknown. */
static void commune_unknown(struct commune_load *l, const char *code)
{
    const struct src_commune *f = commune_find(l->former, l->nformer, code);
    const struct src_commune *p =
        f && f->parent ? commune_find(l->current, l->ncurrent, f->parent) : NULL;
    if (f && p && strcmp(f->type, "arrondissement-municipal") == 0)
        snprintf(l->err, l->errlen,
                 "--communes : %s (%s) est un arrondissement municipal : indiquez la commune, %s "
                 "(%s)",
                 code, f->name, p->code, p->name);
    else if (f && p)
        snprintf(l->err, l->errlen,
                 "--communes : %s (%s) n'est plus une commune : elle fait partie de %s (%s), "
                 "indiquez ce code",
                 code, f->name, p->code, p->name);
    else
        snprintf(l->err, l->errlen,
                 "--communes : commune inconnue : %s (aucune commune actuelle "
                 "n'a ce code INSEE)",
                 code);
}

/* Fills l->picked: 0, -2 for a code that is not known, -1 when the data is missing. */
static int commune_pick_all(struct commune_load *l, const struct commune_pick *p, char **name)
{
    size_t nepci = p->n[COMMUNE_CODE_EPCI], ndep = p->n[COMMUNE_CODE_DEPARTEMENT];
    bool one = nepci + ndep == 1 && p->n[COMMUNE_CODE_COMMUNE] == 0;
    for (size_t i = 0; i < nepci; i++) {
        const char *code = p->codes[COMMUNE_CODE_EPCI][i];
        json_t *e = NULL;
        for (size_t j = 0; !e && j < json_array_size(l->epci_json); j++) {
            const char *c = commune_json_str(json_array_get(l->epci_json, j), "code");
            if (c && strcmp(c, code) == 0)
                e = json_array_get(l->epci_json, j);
        }
        if (!e) {
            snprintf(l->err, l->errlen,
                     "--epci : intercommunalité inconnue : %s (le numéro SIREN d'une communauté "
                     "de communes, d'agglomération, urbaine ou d'une métropole)",
                     code);
            return -2;
        }
        json_t *m = json_object_get(e, "membres");
        for (size_t j = 0; j < json_array_size(m); j++) {
            const char *cc = commune_json_str(json_array_get(m, j), "code");
            const struct src_commune *c = cc ? commune_find(l->current, l->ncurrent, cc) : NULL;
            if (!c) {
                snprintf(l->err, l->errlen,
                         "--epci : %s compte parmi ses membres %s, qui n'est pas une commune "
                         "actuelle (données incohérentes)",
                         code, cc ? cc : "?");
                return -1; /* the data, not the code */
            }
            commune_pick_one(l, c);
        }
        if (one)
            *name = xstrdup(commune_json_str(e, "nom") ? commune_json_str(e, "nom") : code);
    }
    if (ndep) {
        l->departements_json = commune_load_json(l, COMMUNE_DATA_ETALAB "/departements.json");
        if (!l->departements_json)
            return -1; /* the set-up's fault, not the code's */
    }
    for (size_t i = 0; i < ndep; i++) {
        const char *code = p->codes[COMMUNE_CODE_DEPARTEMENT][i];
        json_t *d = NULL;
        for (size_t j = 0; !d && j < json_array_size(l->departements_json); j++) {
            const char *c = commune_json_str(json_array_get(l->departements_json, j), "code");
            if (c && strcmp(c, code) == 0)
                d = json_array_get(l->departements_json, j);
        }
        if (!d) {
            snprintf(l->err, l->errlen, "--departement : département inconnu : %s", code);
            return -2;
        }
        for (size_t j = 0; j < l->ncurrent; j++)
            if (l->current[j].departement && strcmp(l->current[j].departement, code) == 0)
                commune_pick_one(l, &l->current[j]);
        if (one)
            *name = xstrdup(commune_json_str(d, "nom") ? commune_json_str(d, "nom") : code);
    }
    for (size_t i = 0; i < p->n[COMMUNE_CODE_COMMUNE]; i++) {
        const char *code = p->codes[COMMUNE_CODE_COMMUNE][i];
        const struct src_commune *c = commune_find(l->current, l->ncurrent, code);
        if (!c) {
            commune_unknown(l, code);
            return -2;
        }
        commune_pick_one(l, c);
    }
    /* Once each: an EPCI and its department may both be asked. */
    qsort(l->picked, l->npicked, sizeof *l->picked, commune_cmp_picked);
    size_t k = 0;
    for (size_t i = 0; i < l->npicked; i++)
        if (k == 0 || l->picked[i] != l->picked[k - 1])
            l->picked[k++] = l->picked[i];
    l->npicked = k;
    return 0;
}

/* The best GeoNames place of a commune so far, scored as gen-communes.mjs's pick_place does:
 * named like the commune, then an administrative seat, then the most populated; the first of
 * equals wins. */
struct commune_place {
    bool found;
    int named, seat;
    long long population;
    double lat, lon;
};

/* GeoNames' "geoname" columns (cities500.txt has no header line). */
enum {
    GN_NAME = 1,
    GN_LAT = 4,
    GN_LON = 5,
    GN_FEATURE = 7,
    GN_COUNTRY = 8,
    GN_ADMIN4 = 13,
    GN_POPULATION = 14,
    GN_COLUMNS = 15
};

static int commune_cmp_code_key(const void *key, const void *elem)
{
    return strcmp((const char *)key, (*(const struct src_commune *const *)elem)->code);
}

static int commune_load_places(struct commune_load *l, char **folded, struct commune_place *best)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", l->datadir, COMMUNE_DATA_CITIES500);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(l->err, l->errlen, "données GeoNames introuvables (%s : %s) : lancez make deps",
                 path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        /* One column more than read, so that the last one read ends at its tab. */
        char *col[GN_COLUMNS + 1];
        int n = 0;
        for (char *p = line; n < GN_COLUMNS + 1;) {
            col[n++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (n < GN_COLUMNS || strcmp(col[GN_COUNTRY], "FR") != 0)
            continue;
        const struct src_commune **hit =
            bsearch(col[GN_ADMIN4], l->picked, l->npicked, sizeof *l->picked, commune_cmp_code_key);
        if (!hit)
            continue;
        size_t i = (size_t)(hit - l->picked);
        char *name = commune_name_fold(col[GN_NAME]);
        int named = strcmp(name, folded[i]) == 0;
        free(name);
        const char *fc = col[GN_FEATURE];
        int seat = strncmp(fc, "PPLA", 4) == 0 || strcmp(fc, "PPLC") == 0;
        /* JavaScript's Number(): the digits of the column, 0 for anything else. */
        char *end;
        long long pop = strtoll(col[GN_POPULATION], &end, 10);
        if (end == col[GN_POPULATION] || *end)
            pop = 0;
        struct commune_place *b = &best[i];
        bool better = !b->found || named > b->named || (named == b->named && seat > b->seat) ||
                      (named == b->named && seat == b->seat && pop > b->population);
        if (!better)
            continue;
        char *elat, *elon;
        double lat = strtod(col[GN_LAT], &elat), lon = strtod(col[GN_LON], &elon);
        if (elat == col[GN_LAT] || elon == col[GN_LON])
            continue;
        *b = (struct commune_place){true, named, seat, pop, lat, lon};
    }
    bool failed = ferror(f);
    free(line);
    fclose(f);
    if (failed) {
        snprintf(l->err, l->errlen, "%s : lecture impossible", path);
        return -1;
    }
    return 0;
}

/* Degrees to 5 decimals, as gen-communes.mjs writes them (toFixed(5)) and territory_seed reads
 * them back: the same centres whichever path made the site. */
static double commune_round5(double v)
{
    char text[32];
    snprintf(text, sizeof text, "%.5f", v);
    return strtod(text, NULL);
}

int commune_data_load(const char *datadir, const struct commune_pick *p, struct commune_set *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct commune_load l = {.datadir = datadir, .err = err, .errlen = errlen};
    char *name = NULL, **folded = NULL;
    struct commune_place *best = NULL;
    int rc = -1;
    if (commune_pick_empty(p)) {
        snprintf(err, errlen, "aucune commune demandée (--epci, --departement ou --communes)");
        rc = -2;
        goto done;
    }
    if (commune_load_communes(&l) != 0 || commune_load_epci(&l) != 0)
        goto done;
    if ((rc = commune_pick_all(&l, p, &name)) != 0)
        goto done;
    rc = -1;
    folded = xcalloc(l.npicked + 1, sizeof *folded);
    best = xcalloc(l.npicked + 1, sizeof *best);
    for (size_t i = 0; i < l.npicked; i++)
        folded[i] = commune_name_fold(l.picked[i]->name);
    if (commune_load_places(&l, folded, best) != 0)
        goto done;
    out->communes = xcalloc(l.npicked + 1, sizeof *out->communes);
    for (size_t i = 0; i < l.npicked; i++) {
        const struct src_commune *s = l.picked[i];
        struct commune *c = &out->communes[out->n++];
        snprintf(c->insee, sizeof c->insee, "%s", s->code);
        c->name = xstrdup(s->name);
        c->population = s->population;
        struct src_member key = {.commune = s->code};
        const struct src_member *m =
            bsearch(&key, l.members, l.nmembers, sizeof *l.members, commune_cmp_member);
        snprintf(c->epci, sizeof c->epci, "%s", m ? m->epci : "");
        c->epci_name = xstrdup(m ? m->epci_name : "");
        if (best[i].found) {
            c->has_point = true;
            c->lat = commune_round5(best[i].lat);
            c->lon = commune_round5(best[i].lon);
        }
    }
    out->name = name;
    name = NULL;
    rc = 0;
done:
    for (size_t i = 0; folded && i < l.npicked; i++)
        free(folded[i]);
    free(folded);
    free(best);
    free(name);
    free(l.picked);
    free(l.current);
    free(l.former);
    free(l.members);
    json_decref(l.communes_json);
    json_decref(l.epci_json);
    json_decref(l.departements_json);
    if (rc != 0)
        commune_set_free(out);
    return rc;
}
