/* validate.c — schema-driven validation: required fields, lengths, UTF-8, URL schemes, known
 * themes and communes, coordinate ranges. Produces the canonical values stored in revisions. */
#include "core/validate.h"
#include "core/hours.h"
#include "core/phone.h"
#include "core/recur.h"
#include "util/tz.h"
#include "core/account.h"
#include "core/territory.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void validate_error(struct field_errors *errs, const char *field, const char *message)
{
    if (errs->n < VALIDATE_MAX_ERRORS) {
        errs->e[errs->n].field = field;
        errs->e[errs->n].message = message;
        errs->n++;
    }
}

const char *validate_error_for(const struct field_errors *errs, const char *field)
{
    for (int i = 0; i < errs->n; i++)
        if (strcmp(errs->e[i].field, field) == 0)
            return errs->e[i].message;
    return NULL;
}

/* Trims ASCII whitespace; multi-line fields keep inner newlines, normalised to \n. */
static char *validate_clean_text(struct arena *a, const char *s, bool multiline)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\r') {
            if (s[i + 1] == '\n')
                continue;
            c = '\n';
        }
        if (!multiline && (c == '\n' || c == '\t'))
            c = ' ';
        out[j++] = c;
    }
    out[j] = '\0';
    size_t start = 0;
    while (start < j && isspace((unsigned char)out[start]))
        start++;
    while (j > start && isspace((unsigned char)out[j - 1]))
        out[--j] = '\0';
    return out + start;
}

bool validate_url(const char *s)
{
    size_t skip;
    if (strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    const char *host = s + skip;
    if (!*host || *host == '/' || *host == '?' || *host == '#' || *host == '@' || *host == ':')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    return true;
}

static bool validate_number(json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return isfinite(*out);
    }
    if (!json_is_string(v))
        return false;
    /* French writes decimals with a comma: "48,39" is 48.39. */
    char copy[64];
    const char *src = json_string_value(v);
    size_t len = strlen(src);
    if (len >= sizeof copy)
        return false;
    for (size_t i = 0; i <= len; i++)
        copy[i] = src[i] == ',' ? '.' : src[i];
    const char *s = copy;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    /* Decimal digits only: strtod would also read "0x30" (48) and "inf". */
    for (const char *c = s; *c; c++)
        if (!strchr("0123456789+-.eE \t\n\r\f\v", *c))
            return false;
    char *end;
    double d = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || !isfinite(d))
        return false;
    /* strtod also reads hex and "inf"/"nan"; only plain decimals are coordinates or years. */
    for (const char *p = s; p < end; p++)
        if (!strchr("0123456789.-+eE ", *p))
            return false;
    *out = d;
    return true;
}

/* The value as a string, or NULL (an error is recorded) when it has the wrong type. */
static const char *validate_as_string(struct arena *a, json_t *v, const struct field_def *f,
                                      struct field_errors *errs)
{
    if (!v || json_is_null(v))
        return "";
    if (!json_is_string(v)) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : une chaîne de caractères est attendue", f->label));
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n || !utf8_valid(s, n)) {
        validate_error(
            errs, f->name,
            arena_printf(a, "%s : texte invalide (UTF-8 ou caractère de contrôle)", f->label));
        return NULL;
    }
    return s;
}

static bool validate_is_empty(json_t *v)
{
    if (!v || json_is_null(v))
        return true;
    if (json_is_string(v)) {
        for (const char *p = json_string_value(v); *p; p++)
            if (!isspace((unsigned char)*p))
                return false;
        return true;
    }
    if (json_is_array(v))
        return json_array_size(v) == 0;
    if (json_is_object(v)) {
        const char *key;
        json_t *val;
        json_object_foreach(v, key, val)
        {
            if (!validate_is_empty(val))
                return false;
        }
        return true;
    }
    return false;
}

/* U+202A–U+202E and U+2066–U+2069 reorder the text around them: in a title they can make
 * a record read as something else (the "Trojan Source" trick). */
static bool validate_has_bidi_override(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
                             (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
            return true;
    return false;
}

bool validate_siret_valid(const char *digits)
{
    if (strlen(digits) != 14 || strspn(digits, "0123456789") != 14)
        return false;
    /* The Luhn key of SIRET numbers, except La Poste's establishments (SIREN 356000000), whose
     * numbers are told apart by the sum of their digits instead. */
    int luhn = 0, sum = 0;
    for (int i = 0; i < 14; i++) {
        int d = digits[i] - '0';
        sum += d;
        if (i % 2 == 0 && (d *= 2) > 9)
            d -= 9;
        luhn += d;
    }
    if (strncmp(digits, "356000000", 9) == 0)
        return sum % 5 == 0;
    return luhn % 10 == 0;
}

/* A SIRET as typed ("123 456 789 00012"): stored as its 14 digits. */
static json_t *validate_siret(struct arena *a, const struct field_def *f, const char *s,
                              struct field_errors *errs)
{
    char digits[32];
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '.')
            continue;
        if (n + 1 == sizeof digits || !isdigit((unsigned char)*p)) {
            n = 0;
            break;
        }
        digits[n++] = *p;
    }
    digits[n] = '\0';
    if (n != 14) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s\u202f: un SIRET s'écrit avec 14 chiffres", f->label));
        return NULL;
    }
    if (!validate_siret_valid(digits)) {
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s\u202f: ce numéro n'est pas un SIRET (un chiffre est faux "
                                    "ou deux chiffres sont inversés)",
                                    f->label));
        return NULL;
    }
    return json_string(digits);
}

/* Whether code point c may be in a street line: what the reference library of the national
 * schema of "lieux de médiation numérique" accepts (docs/MEDNUM.md), so that every address saved
 * can be exported — letters with the Latin-1 accents and the Latin Extended-A block from Œ to Ÿ,
 * digits, spaces, and - , ( ) ° . & : + – | ; ' ’ /. */
static bool validate_street_char(unsigned c)
{
    if (c < 0x80)
        return isalnum((int)c) || (c >= 0x09 && c <= 0x0d) || strchr(" -,().&:+|;'/", (int)c);
    return c == 0xb0 || c == 0x2013 || c == 0x2019 ||
           (c >= 0xc0 && c <= 0xff && c != 0xd7 && c != 0xf7) || (c >= 0x152 && c <= 0x178) ||
           c == 0xa0 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f || c == 0x205f || c == 0x3000;
}

const char *validate_street_refused(struct arena *a, const char *s)
{
    for (const char *p = s; *p;) {
        const char *start = p;
        unsigned c = utf8_next(&p);
        if (validate_street_char(c))
            continue;
        int n = (int)(p - start);
        /* Invisible or look-alike characters are named by their code too. */
        return c < 0x80 && c > 0x20 ? arena_printf(a, "«\u202f%.*s\u202f»", n, start)
                                    : arena_printf(a, "«\u202f%.*s\u202f» (U+%04X)", n, start, c);
    }
    return NULL;
}

static json_t *validate_text(struct arena *a, const struct field_def *f, json_t *v,
                             struct field_errors *errs)
{
    const char *raw = validate_as_string(a, v, f, errs);
    if (!raw)
        return NULL;
    bool multiline = f->type == FT_MARKDOWN;
    const char *s = validate_clean_text(a, raw, multiline);
    size_t chars = utf8_count(s, strlen(s));
    size_t max = f->max_len ? f->max_len : 200;
    if (chars > max) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : %zu caractères au plus (vous en avez écrit %zu)",
                                    f->label, max, chars));
        return NULL;
    }
    if (f->type != FT_MARKDOWN && validate_has_bidi_override(s)) {
        validate_error(
            errs, f->name,
            arena_printf(a, "%s : caractères de contrôle de direction refusés", f->label));
        return NULL;
    }
    if (*s && f->type == FT_URL && !validate_url(s)) {
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s : adresse web invalide (elle doit commencer par "
                                    "http:// ou https://)",
                                    f->label));
        return NULL;
    }
    if (*s && f->type == FT_EMAIL && !account_email_valid(s)) {
        validate_error(errs, f->name, arena_printf(a, "%s : adresse e-mail invalide", f->label));
        return NULL;
    }
    if (*s && f->type == FT_DATE) {
        struct tm tm = {0};
        const char *end = strptime(s, "%Y-%m-%d", &tm);
        if (!end || *end || strlen(s) != 10) {
            validate_error(errs, f->name,
                           arena_printf(a, "%s : date attendue au format AAAA-MM-JJ", f->label));
            return NULL;
        }
    }
    if (*s && f->format == FF_SIRET)
        return validate_siret(a, f, s, errs);
    return json_string(s);
}

const char *validate_markdown_text(struct arena *a, const char *field, const char *label,
                                   size_t max, json_t *v, struct field_errors *errs)
{
    const struct field_def f = {.name = field, .type = FT_MARKDOWN, .label = label, .max_len = max};
    json_t *clean = validate_text(a, &f, v, errs);
    if (!clean)
        return NULL;
    const char *text = arena_strdup(a, json_string_value(clean));
    json_decref(clean);
    return text;
}

static json_t *validate_year(struct arena *a, const struct field_def *f, json_t *v,
                             struct field_errors *errs)
{
    double d;
    if (validate_is_empty(v))
        return json_null();
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int max = f->max && f->max < tm.tm_year + 1900 + 5 ? (int)f->max : tm.tm_year + 1900 + 5;
    if (!validate_number(v, &d) || d != floor(d) || d < (double)f->min || d > max) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : une année entre %d et %d est attendue", f->label,
                                    (int)f->min, max));
        return NULL;
    }
    return json_integer((json_int_t)d);
}

static json_t *validate_point(struct arena *a, const struct field_def *f, json_t *v,
                              struct field_errors *errs)
{
    if (validate_is_empty(v))
        return json_null();
    if (!json_is_object(v)) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : un objet {\"lat\", \"lon\"} est attendu", f->label));
        return NULL;
    }
    double lat, lon;
    json_t *jlat = json_object_get(v, "lat"), *jlon = json_object_get(v, "lon");
    if (validate_is_empty(jlat) || validate_is_empty(jlon)) {
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s : indiquez la latitude et la longitude, ou aucune des "
                                    "deux",
                                    f->label));
        return NULL;
    }
    if (!validate_number(jlat, &lat) || lat < -90 || lat > 90) {
        validate_error(
            errs, f->name,
            arena_printf(a, "%s : la latitude doit être un nombre entre -90 et 90", f->label));
        return NULL;
    }
    if (!validate_number(jlon, &lon) || lon < -180 || lon > 180) {
        validate_error(
            errs, f->name,
            arena_printf(a, "%s : la longitude doit être un nombre entre -180 et 180", f->label));
        return NULL;
    }
    return json_pack("{s:f, s:f}", "lat", round(lat * 1e6) / 1e6, "lon", round(lon * 1e6) / 1e6);
}

static bool validate_option_known(const struct field_def *f, const struct territory *t,
                                  const char *id)
{
    if (f->source == FS_THEMES)
        return territory_theme(t, id) != NULL;
    return field_option_label(f, id) != NULL;
}

static json_t *validate_enum(struct arena *a, const struct field_def *f, const struct territory *t,
                             json_t *v, struct field_errors *errs)
{
    const char *s = validate_as_string(a, v, f, errs);
    if (!s)
        return NULL;
    s = validate_clean_text(a, s, false);
    if (!*s && f->source == FS_LICENSES && t->license && field_option_label(f, t->license))
        s = t->license;
    if (!*s && f->default_value)
        s = f->default_value;
    if (!*s)
        return json_string("");
    if (!validate_option_known(f, t, s)) {
        validate_error(errs, f->name, arena_printf(a, "%s : valeur inconnue", f->label));
        return NULL;
    }
    return json_string(s);
}

static json_t *validate_tags(struct arena *a, const struct field_def *f, const struct territory *t,
                             json_t *v, struct field_errors *errs)
{
    json_t *out = json_array();
    json_t *items = v;
    json_t *single = NULL;
    if (!v || json_is_null(v))
        return out;
    if (json_is_string(v)) {
        single = json_array();
        json_array_append(single, v);
        items = single;
    }
    if (!json_is_array(items)) {
        validate_error(errs, f->name, arena_printf(a, "%s : une liste est attendue", f->label));
        goto fail;
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (!json_is_string(item)) {
            validate_error(
                errs, f->name,
                arena_printf(a, "%s : chaque valeur doit être un identifiant", f->label));
            goto fail;
        }
        const char *id = json_string_value(item);
        if (!*id)
            continue;
        if (!validate_option_known(f, t, id)) {
            size_t n = strlen(id);
            bool printable = n <= 60 && utf8_valid(id, n);
            validate_error(errs, f->name,
                           printable ? arena_printf(a, "%s : « %s » est inconnu", f->label, id)
                                     : arena_printf(a, "%s : valeur inconnue", f->label));
            goto fail;
        }
        bool dup = false;
        size_t k;
        json_t *seen;
        json_array_foreach(out, k, seen) dup |= strcmp(json_string_value(seen), id) == 0;
        if (!dup)
            json_array_append_new(out, json_string(id));
    }
    size_t max = f->max_items ? f->max_items : 20;
    if (json_array_size(out) > max) {
        validate_error(errs, f->name, arena_printf(a, "%s : %zu au plus", f->label, max));
        goto fail;
    }
    json_decref(single);
    return out;
fail:
    json_decref(single);
    json_decref(out);
    return NULL;
}

/* A list of days, as a JSON list or one text of days separated by commas or spaces (a form). */
static json_t *validate_dates(struct arena *a, const struct field_def *f, json_t *v,
                              struct field_errors *errs)
{
    json_t *out = json_array();
    if (validate_is_empty(v))
        return out;
    json_t *items = json_incref(v);
    if (json_is_string(v)) {
        json_decref(items);
        items = json_array();
        char *text = arena_strdup(a, json_string_value(v));
        for (char *save = NULL, *tok = strtok_r(text, ", \t\r\n", &save); tok;
             tok = strtok_r(NULL, ", \t\r\n", &save))
            json_array_append_new(items, json_string(tok));
    }
    if (!json_is_array(items)) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : une liste de dates est attendue", f->label));
        goto fail;
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *d = json_string_value(item);
        int y, mo, day;
        char extra;
        if (!d || strlen(d) != 10 || sscanf(d, "%4d-%2d-%2d%c", &y, &mo, &day, &extra) != 3 ||
            !tz_date_valid(y, mo, day)) {
            validate_error(errs, f->name,
                           arena_printf(a, "%s : dates attendues au format AAAA-MM-JJ", f->label));
            goto fail;
        }
        bool dup = false;
        size_t k;
        json_t *seen;
        json_array_foreach(out, k, seen) dup |= strcmp(json_string_value(seen), d) == 0;
        if (!dup)
            json_array_append_new(out, json_string(d));
    }
    size_t max = f->max_items ? f->max_items : 20;
    if (json_array_size(out) > max) {
        validate_error(errs, f->name, arena_printf(a, "%s : %zu dates au plus", f->label, max));
        goto fail;
    }
    json_decref(items);
    return out;
fail:
    json_decref(items);
    json_decref(out);
    return NULL;
}

/* An RRULE text, checked on its own here; whether it expands within bounds from the start is
 * validate_when's. */
static json_t *validate_recurrence(struct arena *a, const struct field_def *f, json_t *v,
                                   struct field_errors *errs)
{
    json_t *text = validate_text(a, f, v, errs);
    if (!text || !*json_string_value(text)) {
        if (text)
            json_decref(text);
        return text ? json_null() : NULL;
    }
    const char *normal = NULL;
    const char *why = recur_check(a, json_string_value(text), &normal);
    json_decref(text);
    if (why) {
        validate_error(errs, f->name, arena_printf(a, "%s : %s", f->label, why));
        return NULL;
    }
    return json_string(normal);
}

static json_t *validate_commune(struct arena *a, const struct field_def *f,
                                const struct territory *t, json_t *v, struct field_errors *errs)
{
    const char *s = validate_as_string(a, v, f, errs);
    if (!s)
        return NULL;
    s = validate_clean_text(a, s, false);
    if (*s && !territory_commune(t, s)) {
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s : commune inconnue dans le territoire (code INSEE "
                                    "attendu)",
                                    f->label));
        return NULL;
    }
    return json_string(s);
}

/* The entries a relation field names, as written: slugs (a list, or one text with commas,
 * spaces or new lines between them, as a form sends it) or ids (a stored revision, a revert).
 * Only their shape is checked here; which entries they are is the save path's to decide, in its
 * transaction (core/relation.c). */
static json_t *validate_relation(struct arena *a, const struct field_def *f, json_t *v,
                                 struct field_errors *errs)
{
    json_t *out = json_array();
    json_t *items = v, *split = NULL;
    if (!v || json_is_null(v))
        return out;
    if (json_is_string(v)) {
        const char *s = validate_as_string(a, v, f, errs);
        if (!s)
            goto fail;
        split = json_array();
        for (const char *p = s; *p;) {
            size_t skip = strspn(p, ", \t\r\n;");
            p += skip;
            size_t len = strcspn(p, ", \t\r\n;");
            if (len)
                json_array_append_new(split, json_stringn(p, len));
            p += len;
        }
        items = split;
    }
    if (!json_is_array(items)) {
        validate_error(errs, f->name, arena_printf(a, "%s : une liste est attendue", f->label));
        goto fail;
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (json_is_integer(item) && json_integer_value(item) > 0) {
            json_array_append(out, item);
            continue;
        }
        /* What the API reads ({"kind","slug","title"}) may be written back as it is. */
        const char *slug = json_is_object(item) ? json_string_value(json_object_get(item, "slug"))
                                                : json_string_value(item);
        /* A whole address pasted from the site is taken by its last segment. */
        const char *last = slug ? strrchr(slug, '/') : NULL;
        if (last && strncmp(slug, "http", 4) == 0)
            slug = last + 1;
        bool ok = slug && *slug && strlen(slug) <= 100;
        for (const char *p = slug; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
        if (!ok) {
            validate_error(errs, f->name,
                           arena_printf(a,
                                        "%s : référence invalide (le nom d'une fiche dans "
                                        "son adresse, ex. doc-at-brest)",
                                        f->label));
            goto fail;
        }
        json_array_append_new(out, json_string(slug));
    }
    size_t max = f->max_items ? f->max_items : 50;
    if (json_array_size(out) > max) {
        validate_error(errs, f->name, arena_printf(a, "%s : %zu fiches au plus", f->label, max));
        goto fail;
    }
    json_decref(split);
    return out;
fail:
    json_decref(split);
    json_decref(out);
    return NULL;
}

static json_t *validate_integer(struct arena *a, const struct field_def *f, json_t *v,
                                struct field_errors *errs)
{
    double d;
    if (validate_is_empty(v))
        return json_null();
    if (!validate_number(v, &d) || d != floor(d) || d < (double)f->min || d > (double)f->max) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : un nombre entier entre %lld et %lld est attendu",
                                    f->label, f->min, f->max));
        return NULL;
    }
    return json_integer((json_int_t)d);
}

/* {"street", "postcode", "commune"}: a street line, a five-digit French postcode, a commune of
 * the territory; each part optional, none given is no address. */
static json_t *validate_address(struct arena *a, const struct field_def *f,
                                const struct territory *t, json_t *v, struct field_errors *errs)
{
    if (validate_is_empty(v))
        return json_null();
    if (!json_is_object(v)) {
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s : un objet {\"street\", \"postcode\", \"commune\"} "
                                    "est attendu",
                                    f->label));
        return NULL;
    }
    static const char *const parts[] = {"street", "postcode", "commune"};
    const char *vals[3];
    for (int i = 0; i < 3; i++) {
        json_t *p = json_object_get(v, parts[i]);
        const char *s = validate_as_string(a, p, f, errs);
        if (!s)
            return NULL;
        vals[i] = validate_clean_text(a, s, false);
    }
    size_t max = f->max_len ? f->max_len : 200;
    if (utf8_count(vals[0], strlen(vals[0])) > max || validate_has_bidi_override(vals[0])) {
        validate_error(
            errs, f->name,
            arena_printf(a, "%s : la rue tient en %zu caractères au plus", f->label, max));
        return NULL;
    }
    const char *refused = validate_street_refused(a, vals[0]);
    if (refused) {
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s\u202f: la rue ne peut pas contenir %s (lettres, chiffres, "
                                    "espaces et - , ( ) ° . & : + – | ; ' ’ / seulement, comme le "
                                    "veut le schéma national des lieux de médiation numérique)",
                                    f->label, refused));
        return NULL;
    }
    if (*vals[1] && (strlen(vals[1]) != 5 || strspn(vals[1], "0123456789") != 5)) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : le code postal a cinq chiffres", f->label));
        return NULL;
    }
    if (*vals[2] && !territory_commune(t, vals[2])) {
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s : commune inconnue dans le territoire (code INSEE "
                                    "attendu)",
                                    f->label));
        return NULL;
    }
    if (!*vals[0] && !*vals[1] && !*vals[2])
        return json_null();
    json_t *out = json_object();
    for (int i = 0; i < 3; i++)
        if (*vals[i])
            json_object_set_new(out, parts[i], json_string(vals[i]));
    return out;
}

/* An image address: https only (the page loads it from another site, and the site's policy
 * loads nothing over plain http). */
static json_t *validate_image_url(struct arena *a, const struct field_def *f, json_t *v,
                                  struct field_errors *errs)
{
    json_t *s = validate_text(a, f, v, errs);
    const char *u = json_string_value(s);
    if (u && *u && strncmp(u, "https://", 8) != 0) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : l'adresse doit commencer par https://", f->label));
        json_decref(s);
        return NULL;
    }
    return s;
}

/* A local date-time in Europe/Paris as a form or the API writes it ("2026-03-03T18:30"), or
 * UTC seconds (a stored revision): stored as UTC seconds. */
/* An RFC 3339 date-time with its offset, as the API writes them: "2027-01-12T18:00:00+01:00",
 * "2027-01-12T17:00:00Z" (seconds optional). */
static bool validate_rfc3339(const char *s, long long *utc)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
        return false;
    const char *p = s + n;
    if (p[0] == ':') {
        if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
            return false;
        sec = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
    }
    long long off = 0;
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
        off = 0;
    } else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        char extra;
        if (sscanf(p + 1, "%2d:%2d%c", &oh, &om, &extra) != 2 || oh > 23 || om > 59)
            return false;
        off = (oh * 3600LL + om * 60LL) * (p[0] == '-' ? -1 : 1);
    } else {
        return false;
    }
    if (!tz_date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59)
        return false;
    *utc = tz_days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec - off;
    return true;
}

static json_t *validate_datetime(struct arena *a, const struct field_def *f, json_t *v,
                                 struct field_errors *errs)
{
    if (validate_is_empty(v))
        return json_null();
    if (json_is_integer(v))
        return json_integer(json_integer_value(v));
    const char *s = validate_as_string(a, v, f, errs);
    if (!s)
        return NULL;
    long long utc;
    s = validate_clean_text(a, s, false);
    int rc = tz_parse_local(s, &utc);
    if (rc == TZ_INVALID && validate_rfc3339(s, &utc))
        rc = TZ_OK;
    if (rc == TZ_GAP) {
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s : cette heure n'existe pas ce jour-là (passage à "
                                    "l'heure d'été)",
                                    f->label));
        return NULL;
    }
    if (rc != TZ_OK) {
        validate_error(
            errs, f->name,
            arena_printf(a, "%s : date et heure attendues (AAAA-MM-JJ HH:MM)", f->label));
        return NULL;
    }
    return json_integer((json_int_t)utc);
}

static json_t *validate_phone(struct arena *a, const struct field_def *f, json_t *v,
                              struct field_errors *errs)
{
    const char *s = validate_as_string(a, v, f, errs);
    if (!s)
        return NULL;
    s = validate_clean_text(a, s, false);
    if (!*s)
        return json_string("");
    char *err = NULL;
    const char *canon = phone_normalize(a, s, &err);
    if (!canon) {
        validate_error(errs, f->name,
                       arena_printf(a, "%s : %s", f->label, err ? err : "numéro invalide"));
        return NULL;
    }
    return json_string(canon);
}

static json_t *validate_hours(struct arena *a, const struct field_def *f, json_t *v,
                              struct field_errors *errs)
{
    char *err = NULL;
    json_t *h = hours_validate(a, f->label, v, &err);
    if (!h) {
        validate_error(errs, f->name,
                       err ? err : arena_printf(a, "%s : horaires invalides", f->label));
        return NULL;
    }
    if (hours_is_empty(h)) {
        json_decref(h);
        return json_null();
    }
    return h;
}

static json_t *validate_field(struct arena *a, const struct field_def *f, const struct territory *t,
                              json_t *v, struct field_errors *errs)
{
    switch (f->type) {
    case FT_TEXT:
    case FT_MARKDOWN:
    case FT_URL:
    case FT_EMAIL:
    case FT_DATE:
        return validate_text(a, f, v, errs);
    case FT_YEAR:
        return validate_year(a, f, v, errs);
    case FT_COMMUNE:
        return validate_commune(a, f, t, v, errs);
    case FT_POINT:
        return validate_point(a, f, v, errs);
    case FT_ENUM:
        return validate_enum(a, f, t, v, errs);
    case FT_TAGS:
        return validate_tags(a, f, t, v, errs);
    case FT_RELATION:
        return validate_relation(a, f, v, errs);
    case FT_INTEGER:
        return validate_integer(a, f, v, errs);
    case FT_ADDRESS:
        return validate_address(a, f, t, v, errs);
    case FT_IMAGE_URL:
        return validate_image_url(a, f, v, errs);
    case FT_DATETIME:
        return validate_datetime(a, f, v, errs);
    case FT_PHONE:
        return validate_phone(a, f, v, errs);
    case FT_HOURS:
        return validate_hours(a, f, v, errs);
    case FT_RECURRENCE:
        return validate_recurrence(a, f, v, errs);
    case FT_DATES:
        return validate_dates(a, f, v, errs);
    }
    return NULL;
}

/* The rules between fields the schema declares, on fields each valid on its own. */
static void validate_rules(const struct kind_def *k, json_t *fields, struct field_errors *errs)
{
    for (size_t i = 0; i < k->nrules; i++) {
        const struct field_rule *r = &k->rules[i];
        json_t *va = json_object_get(fields, r->a), *vb = json_object_get(fields, r->b);
        if (r->type == RULE_ANY_OF && validate_is_empty(va) && validate_is_empty(vb))
            validate_error(errs, r->a, r->message);
        if (r->type != RULE_AFTER || validate_is_empty(va) || validate_is_empty(vb))
            continue;
        bool after = json_is_string(va) && json_is_string(vb)
                         ? strcmp(json_string_value(vb), json_string_value(va)) > 0
                         : json_number_value(vb) > json_number_value(va);
        if (!after)
            validate_error(errs, r->b, r->message);
    }
}

/* A series must expand within bounds from its start (a rule alone cannot say: COUNT=400 is
 * fine, UNTIL ten years away weekly is not). */
static void validate_when(struct arena *a, const struct kind_def *k, json_t *fields,
                          struct field_errors *errs)
{
    if (!k->when.start || !k->when.recurrence)
        return;
    json_t *start = json_object_get(fields, k->when.start);
    json_t *rule = json_object_get(fields, k->when.recurrence);
    if (!json_is_integer(start) || !json_is_string(rule))
        return;
    long long first;
    int n = recur_expand(json_string_value(rule), (long long)json_integer_value(start), NULL, 0,
                         &first, 1);
    const struct field_def *f = kind_field(k, k->when.recurrence);
    if (n == RECUR_UNSYNCED)
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s : le début doit être l'une des dates de la série (par "
                                    "exemple un samedi pour « le 1er samedi du mois »)",
                                    f->label));
    else if (n < 0)
        validate_error(errs, f->name, arena_printf(a, "%s : règle invalide", f->label));
    else if (n > RECUR_MAX_OCCURRENCES)
        validate_error(errs, f->name,
                       arena_printf(a,
                                    "%s : la série aurait plus de %d séances (finissez-la plus "
                                    "tôt)",
                                    f->label, RECUR_MAX_OCCURRENCES));
}

/* Whether name is among names (NULL-terminated; NULL: every field). */
static bool validate_named(const char *const *names, const char *name)
{
    if (!names)
        return true;
    for (; *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

/* The fields of k among names (NULL: all), each by its type, then the rules and the series'
 * check among those fields; required fields empty are errors only when require. */
static json_t *validate_some(struct arena *a, const struct kind_def *k, const struct territory *t,
                             json_t *input, const char *const *names, bool require,
                             struct field_errors *errs)
{
    json_t *out = json_object();
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (!validate_named(names, f->name))
            continue;
        json_t *v = json_object_get(input, f->name);
        json_t *clean = validate_field(a, f, t, v, errs);
        if (!clean)
            continue;
        bool empty = validate_is_empty(clean);
        if (f->required && empty) {
            if (require)
                validate_error(errs, f->name,
                               f->type == FT_TAGS
                                   ? arena_printf(a, "%s : choisissez-en au moins un", f->label)
                                   : arena_printf(a, "%s : ce champ est obligatoire", f->label));
            json_decref(clean);
            continue;
        }
        if (f->type == FT_TAGS && !empty && json_array_size(clean) < f->min_items) {
            validate_error(errs, f->name,
                           arena_printf(a, "%s : %zu au moins", f->label, f->min_items));
            json_decref(clean);
            continue;
        }
        json_object_set_new(out, f->name, clean);
    }
    if (errs->n == 0) {
        if (!names) {
            validate_rules(k, out, errs);
            validate_when(a, k, out, errs);
        } else {
            /* A rule is checked once every field it names is among those validated. */
            struct kind_def part = *k;
            struct field_rule rules[16];
            size_t nr = 0;
            for (size_t i = 0; i < k->nrules && nr < sizeof rules / sizeof *rules; i++)
                if (validate_named(names, k->rules[i].a) && validate_named(names, k->rules[i].b))
                    rules[nr++] = k->rules[i];
            part.rules = rules;
            part.nrules = nr;
            validate_rules(&part, out, errs);
            if (k->when.start && k->when.recurrence && validate_named(names, k->when.start) &&
                validate_named(names, k->when.recurrence))
                validate_when(a, k, out, errs);
        }
    }
    if (errs->n > 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *validate_entry(struct arena *a, const struct kind_def *k, const struct territory *t,
                       json_t *input, bool reject_unknown, struct field_errors *errs)
{
    if (!json_is_object(input)) {
        validate_error(errs, "_", "un objet JSON est attendu");
        return NULL;
    }
    if (reject_unknown) {
        const char *key;
        json_t *val;
        json_object_foreach(input, key, val)
        {
            if (!kind_field(k, key)) {
                size_t n = strlen(key);
                validate_error(errs, n <= 60 && utf8_valid(key, n) ? arena_strdup(a, key) : "_",
                               "champ inconnu");
            }
        }
    }
    return validate_some(a, k, t, input, NULL, true, errs);
}

json_t *validate_entry_fields(struct arena *a, const struct kind_def *k, const struct territory *t,
                              json_t *input, const char *const *names, bool require,
                              struct field_errors *errs)
{
    if (!json_is_object(input) || !names) {
        validate_error(errs, "_", "un objet JSON est attendu");
        return NULL;
    }
    return validate_some(a, k, t, input, names, require, errs);
}

void validate_license_change(struct arena *a, const struct kind_def *k, json_t *old_fields,
                             json_t *new_fields, bool can_moderate, struct field_errors *errs)
{
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        if (f->source != FS_LICENSES || can_moderate)
            continue;
        json_t *o = json_object_get(old_fields, f->name);
        json_t *n = json_object_get(new_fields, f->name);
        if (o && n && !json_equal(o, n))
            validate_error(errs, f->name,
                           arena_printf(a,
                                        "%s : seuls les modérateurs peuvent changer la licence "
                                        "d'une fiche existante (ses auteurs l'ont publiée "
                                        "sous celle-ci)",
                                        f->label));
    }
}

const char *validate_comment(struct arena *a, const char *comment, struct field_errors *errs)
{
    if (!comment)
        return "";
    size_t n = strlen(comment);
    if (n > 4 * VALIDATE_COMMENT_MAX || !utf8_valid(comment, n)) {
        validate_error(errs, "comment", "Commentaire : texte invalide ou trop long");
        return NULL;
    }
    const char *s = validate_clean_text(a, comment, false);
    if (utf8_count(s, strlen(s)) > VALIDATE_COMMENT_MAX) {
        validate_error(
            errs, "comment",
            arena_printf(a, "Commentaire : %d caractères au plus", VALIDATE_COMMENT_MAX));
        return NULL;
    }
    return s;
}
