/* hours.c — the form-text and opening_hours parsers, the one normaliser every input path ends
 * in (sorted, joined, checked ranges), and the three writers: form text, French, OSM. */
#include "core/hours.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/utf8.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOURS_DAY_END 1440 /* 24:00, in minutes */
/* Ranges a day may collect before normalising: touching ones are joined only afterwards. */
#define HOURS_RAW_MAX (2 * HOURS_MAX_RANGES)
/* Longest opening_hours value read: far beyond any real one, short enough to parse at once. */
#define HOURS_OSM_MAX 1000
/* User text quoted back in a message is cut at this many bytes. */
#define HOURS_QUOTE_MAX 60

struct hours_range {
    int open, close; /* minutes since midnight, open < close <= HOURS_DAY_END */
};

struct hours_day {
    struct hours_range r[HOURS_RAW_MAX];
    int n; /* 0: closed */
};

struct hours_week {
    struct hours_day day[7];
    const char *note; /* NULL when none */
};

/* Where a parser reports: messages go to *err, prefixed with the label and the day. */
struct hours_ctx {
    struct arena *a;
    const char *label;
    char **err;
};

static const char *const hours_keys[7] = {"mo", "tu", "we", "th", "fr", "sa", "su"};
static const char *const hours_names[7] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                           "vendredi", "samedi", "dimanche"};
static const char *const hours_osm_names[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};

const char *hours_day_key(int day)
{
    return day >= 0 && day < 7 ? hours_keys[day] : NULL;
}

const char *hours_day_name(int day)
{
    return day >= 0 && day < 7 ? hours_names[day] : NULL;
}

/* Records the message (day < 0: none named) and returns false, so parsers can `return` it. */
__attribute__((format(printf, 3, 4))) static bool hours_fail(struct hours_ctx *c, int day,
                                                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    const char *who = day >= 0 && day < 7 ? hours_names[day] : NULL;
    if (c->label && who)
        msg = arena_printf(c->a, "%s, %s\u202f: %s", c->label, who, msg);
    else if (c->label || who)
        msg = arena_printf(c->a, "%s\u202f: %s", c->label ? c->label : who, msg);
    if (c->err)
        *c->err = msg;
    return false;
}

/* s[0..n) between French quotes, or NULL when it is too long or not UTF-8 to show. */
static const char *hours_quote(struct arena *a, const char *s, size_t n)
{
    if (n > HOURS_QUOTE_MAX || !utf8_valid(s, n))
        return NULL;
    return arena_printf(a, "«\u202f%.*s\u202f»", (int)n, s);
}

static char *hours_buf_done(struct arena *a, struct buf *b)
{
    char *s = arena_strdup(a, buf_cstr(b));
    buf_free(b);
    return s;
}

/* --- Writing times --------------------------------------------------------------------- */

/* "09:30" into out[6]; m is 0..HOURS_DAY_END. */
static void hours_hhmm(int m, char out[6])
{
    int h = m / 60, mi = m % 60;
    out[0] = (char)('0' + h / 10);
    out[1] = (char)('0' + h % 10);
    out[2] = ':';
    out[3] = (char)('0' + mi / 10);
    out[4] = (char)('0' + mi % 10);
    out[5] = '\0';
}

/* "9 h", "18 h 30". */
static void hours_put_french_time(struct buf *b, int m)
{
    buf_printf(b, "%d h", m / 60);
    if (m % 60)
        buf_printf(b, " %02d", m % 60);
}

static void hours_put_french_range(struct buf *b, struct hours_range r)
{
    hours_put_french_time(b, r.open);
    buf_puts(b, " – ");
    hours_put_french_time(b, r.close);
}

static void hours_put_french_day(struct buf *b, const struct hours_day *d)
{
    for (int i = 0; i < d->n; i++) {
        if (i)
            buf_puts(b, ", ");
        hours_put_french_range(b, d->r[i]);
    }
}

static char *hours_range_text(struct arena *a, struct hours_range r)
{
    struct buf b = BUF_INIT;
    hours_put_french_range(&b, r);
    return hours_buf_done(a, &b);
}

/* --- The normaliser -------------------------------------------------------------------- */

static bool hours_add(struct hours_ctx *c, int day, struct hours_day *d, int open, int close)
{
    if (close <= open)
        return hours_fail(c, day, "l'heure de fermeture doit suivre l'heure d'ouverture");
    if (d->n == HOURS_RAW_MAX)
        return hours_fail(c, day, "%d plages horaires au plus", HOURS_MAX_RANGES);
    d->r[d->n].open = open;
    d->r[d->n].close = close;
    d->n++;
    return true;
}

static int hours_range_cmp(const void *x, const void *y)
{
    const struct hours_range *a = x, *b = y;
    return a->open - b->open;
}

/* Sorts, joins touching ranges, refuses overlaps and too many ranges. */
static bool hours_normalize_day(struct hours_ctx *c, int day, struct hours_day *d)
{
    qsort(d->r, (size_t)d->n, sizeof d->r[0], hours_range_cmp);
    int n = 0;
    for (int i = 0; i < d->n; i++) {
        if (n > 0 && d->r[i].open < d->r[n - 1].close)
            return hours_fail(c, day, "les plages %s et %s se chevauchent",
                              hours_range_text(c->a, d->r[n - 1]), hours_range_text(c->a, d->r[i]));
        if (n > 0 && d->r[i].open == d->r[n - 1].close)
            d->r[n - 1].close = d->r[i].close;
        else
            d->r[n++] = d->r[i];
    }
    d->n = n;
    if (n > HOURS_MAX_RANGES)
        return hours_fail(c, day, "%d plages horaires au plus", HOURS_MAX_RANGES);
    return true;
}

static bool hours_normalize(struct hours_ctx *c, struct hours_week *w)
{
    for (int d = 0; d < 7; d++)
        if (!hours_normalize_day(c, d, &w->day[d]))
            return false;
    return true;
}

static json_t *hours_week_json(const struct hours_week *w)
{
    json_t *o = json_object();
    for (int d = 0; d < 7; d++) {
        if (!w->day[d].n)
            continue;
        json_t *ranges = json_array();
        for (int i = 0; i < w->day[d].n; i++) {
            char open[6], close[6];
            hours_hhmm(w->day[d].r[i].open, open);
            hours_hhmm(w->day[d].r[i].close, close);
            json_array_append_new(ranges, json_pack("[ss]", open, close));
        }
        json_object_set_new(o, hours_keys[d], ranges);
    }
    if (w->note)
        json_object_set_new(o, "note", json_string(w->note));
    return o;
}

static json_t *hours_finish(struct hours_ctx *c, struct hours_week *w)
{
    return hours_normalize(c, w) ? hours_week_json(w) : NULL;
}

/* --- The note -------------------------------------------------------------------------- */

/* U+202A–U+202E and U+2066–U+2069 reorder the text around them (the "Trojan Source" trick). */
static bool hours_has_bidi_override(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
                             (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
            return true;
    return false;
}

/* The note on one line, trimmed; *out is NULL when it is empty. */
static bool hours_clean_note(struct hours_ctx *c, const char *note, size_t n, const char **out)
{
    *out = NULL;
    if (!note)
        return true;
    if (strlen(note) != n || !utf8_valid(note, n) || hours_has_bidi_override(note))
        return hours_fail(c, -1,
                          "la remarque contient un texte invalide (UTF-8 ou caractère "
                          "de contrôle)");
    /* utf8_valid() lets tab and line breaks through: the note is one line. */
    char *s = arena_strndup(c->a, note, n);
    for (char *p = s; *p; p++)
        if (*p == '\t' || *p == '\r' || *p == '\n')
            *p = ' ';
    while (*s == ' ')
        s++;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        s[--len] = '\0';
    size_t chars = utf8_count(s, len);
    if (chars > HOURS_NOTE_MAX)
        return hours_fail(c, -1, "la remarque ne doit pas dépasser %d caractères (elle en a %zu)",
                          HOURS_NOTE_MAX, chars);
    *out = len ? s : NULL;
    return true;
}

/* --- Form text ------------------------------------------------------------------------- */

/* One folded byte for the UTF-8 sequence at p, its length in *len: ASCII lowered, "à" and "é"
 * (either case) to "a" and "e", Unicode spaces, tab and line breaks to ' ', dashes and minus
 * to '-', anything else to '?', which no rule accepts. */
static char hours_fold_char(const unsigned char *p, size_t *len)
{
    *len = 1;
    if (p[0] == '\t' || p[0] == '\r' || p[0] == '\n')
        return ' ';
    if (p[0] >= 'A' && p[0] <= 'Z')
        return (char)(p[0] - 'A' + 'a');
    if (p[0] < 0x80)
        return (char)p[0];
    if (p[0] == 0xc3 && (p[1] == 0xa0 || p[1] == 0x80 || p[1] == 0xa9 || p[1] == 0x89)) {
        *len = 2;
        return p[1] == 0xa0 || p[1] == 0x80 ? 'a' : 'e';
    }
    if (p[0] == 0xc2 && p[1] == 0xa0) {
        *len = 2;
        return ' ';
    }
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] <= 0x8a || p[2] == 0xaf)) {
        *len = 3;
        return ' ';
    }
    if (p[0] == 0xe2 &&
        ((p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x95) || (p[1] == 0x88 && p[2] == 0x92))) {
        *len = 3;
        return '-';
    }
    return '?';
}

/* A copy of valid UTF-8 s folded for the grammar (hours_fold_char), trailing spaces cut. */
static char *hours_fold(struct arena *a, const char *s)
{
    size_t n = strlen(s), j = 0;
    char *out = arena_alloc(a, n + 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t len;
        out[j++] = hours_fold_char(p, &len);
        p += len;
    }
    while (j && out[j - 1] == ' ')
        j--;
    out[j] = '\0';
    return out;
}

static bool hours_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool hours_is_letter(char c)
{
    return c >= 'a' && c <= 'z';
}

static void hours_skip_spaces(const char **p)
{
    while (**p == ' ')
        (*p)++;
}

/* Consumes the word w when it stands alone (no letter right after it). */
static bool hours_eat_word(const char **p, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*p, w, n) != 0 || hours_is_letter((*p)[n]))
        return false;
    *p += n;
    return true;
}

enum hours_time { HT_NONE, HT_BAD, HT_OK };

/* Two digits of minutes at s, not followed by another digit or by what would make them an hour
 * ("9h 14h" is not 9:14). */
static bool hours_minutes_at(const char *s, bool after_h)
{
    if (!hours_is_digit(s[0]) || !hours_is_digit(s[1]) || hours_is_digit(s[2]))
        return false;
    return !after_h || (s[2] != 'h' && s[2] != ':' && s[2] != '.');
}

/* Hours and optional minutes at *p: "9", "9h", "9 h 30", "09:30", "9.30". */
static enum hours_time hours_read_clock(const char **p, int *h, int *mi)
{
    const char *q = *p;
    if (!hours_is_digit(q[0]))
        return HT_NONE;
    *h = q[0] - '0';
    q++;
    if (hours_is_digit(q[0]))
        *h = *h * 10 + (*q++ - '0');
    if (hours_is_digit(q[0]))
        return HT_NONE;
    *mi = 0;
    const char *r = q;
    hours_skip_spaces(&r);
    if (*r == 'h') {
        q = r + 1;
        const char *s = q;
        hours_skip_spaces(&s);
        if (hours_minutes_at(s, true)) {
            *mi = (s[0] - '0') * 10 + (s[1] - '0');
            q = s + 2;
        }
    } else if ((*q == ':' || *q == '.') && hours_minutes_at(q + 1, false)) {
        *mi = (q[1] - '0') * 10 + (q[2] - '0');
        q += 3;
    }
    *p = q;
    return *h > 24 || *mi > 59 || (*h == 24 && *mi) ? HT_BAD : HT_OK;
}

/* One time of day at *p, or "midi", "minuit". As a closing time midnight is 24:00. */
static enum hours_time hours_read_time(const char **p, bool closing, int *out)
{
    int h = 0, mi = 0;
    enum hours_time st;
    if (hours_eat_word(p, "midi")) {
        h = 12;
        mi = 0;
        st = HT_OK;
    } else if (hours_eat_word(p, "minuit")) {
        h = mi = 0;
        st = HT_OK;
    } else {
        st = hours_read_clock(p, &h, &mi);
    }
    *out = h * 60 + mi;
    if (st == HT_OK && closing && *out == 0)
        *out = HOURS_DAY_END;
    return st;
}

static bool hours_eat_dash(const char **p)
{
    hours_skip_spaces(p);
    if (**p == '-')
        (*p)++;
    else if (!hours_eat_word(p, "a") && !hours_eat_word(p, "au"))
        return false;
    hours_skip_spaces(p);
    return true;
}

static void hours_eat_separator(const char **p)
{
    hours_skip_spaces(p);
    if (**p && strchr(",/;+&", **p))
        (*p)++;
    else
        (void)hours_eat_word(p, "et");
    hours_skip_spaces(p);
}

/* The day's text quoted back, without the blanks around it. */
static bool hours_not_understood(struct hours_ctx *c, int day, const char *text)
{
    text += strspn(text, " \t\r\n");
    size_t n = strlen(text);
    while (n && strchr(" \t\r\n", text[n - 1]))
        n--;
    const char *q = hours_quote(c->a, text, n);
    return hours_fail(c, day,
                      "%s n'est pas compris\u202f; écrivez par exemple "
                      "«\u202f9 h – 12 h, 14 h – 18 h\u202f» ou «\u202ffermé\u202f» (une "
                      "précision peut aller dans la remarque)",
                      q ? q : "l'horaire");
}

static bool hours_bad_time(struct hours_ctx *c, int day, const char *from, const char *to)
{
    const char *q = hours_quote(c->a, from, (size_t)(to - from));
    return hours_fail(c, day, "%s n'est pas une heure valide", q ? q : "une heure");
}

/* One range at *p: "[de] TIME (-|à|au) TIME"; text is the whole day's text, for messages. */
static bool hours_parse_range(struct hours_ctx *c, int day, const char **p, struct hours_day *d,
                              const char *text)
{
    int open, close;
    (void)hours_eat_word(p, "de");
    hours_skip_spaces(p);
    const char *t = *p;
    enum hours_time st = hours_read_time(p, false, &open);
    if (st == HT_BAD)
        return hours_bad_time(c, day, t, *p);
    if (st == HT_NONE || !hours_eat_dash(p))
        return hours_not_understood(c, day, text);
    t = *p;
    st = hours_read_time(p, true, &close);
    if (st == HT_BAD)
        return hours_bad_time(c, day, t, *p);
    if (st == HT_NONE)
        return hours_not_understood(c, day, text);
    return hours_add(c, day, d, open, close);
}

static bool hours_is_closed_text(const char *f)
{
    static const char *const words[] = {"ferme", "fermee", "closed", "off", "-"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(f, words[i]) == 0)
            return true;
    return false;
}

/* "24h/24", "24 h / 24", "24/24": open all day. */
static bool hours_is_full_day_text(const char *f)
{
    char compact[16];
    size_t j = 0;
    for (; *f && j + 1 < sizeof compact; f++)
        if (*f != ' ')
            compact[j++] = *f;
    if (*f)
        return false;
    compact[j] = '\0';
    return strcmp(compact, "24h/24") == 0 || strcmp(compact, "24/24") == 0 ||
           strcmp(compact, "24h/24h") == 0;
}

/* One day's form text into d. */
static bool hours_parse_day_text(struct hours_ctx *c, int day, const char *text,
                                 struct hours_day *d)
{
    d->n = 0;
    if (!text)
        return true;
    size_t n = strlen(text);
    if (n > HOURS_TEXT_MAX)
        return hours_fail(c, day, "texte trop long");
    if (!utf8_valid(text, n))
        return hours_fail(c, day, "texte invalide (UTF-8)");
    const char *p = hours_fold(c->a, text);
    hours_skip_spaces(&p);
    if (!*p || hours_is_closed_text(p))
        return true;
    if (hours_is_full_day_text(p))
        return hours_add(c, day, d, 0, HOURS_DAY_END);
    while (*p) {
        if (!hours_parse_range(c, day, &p, d, text))
            return false;
        hours_eat_separator(&p);
    }
    return true;
}

json_t *hours_from_form(struct arena *a, const char *label, const char *const day_texts[7],
                        const char *note, char **err)
{
    struct hours_ctx c = {a, label, err};
    struct hours_week w;
    memset(&w, 0, sizeof w);
    for (int d = 0; d < 7; d++)
        if (!hours_parse_day_text(&c, d, day_texts ? day_texts[d] : NULL, &w.day[d]))
            return NULL;
    if (!hours_clean_note(&c, note, note ? strlen(note) : 0, &w.note))
        return NULL;
    return hours_finish(&c, &w);
}

/* --- OpenStreetMap opening_hours ------------------------------------------------------- */

static bool hours_osm_starts(const char *p, const char *w)
{
    size_t n = strlen(w);
    return strncmp(p, w, n) == 0 && !((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'));
}

/* An error naming the token at p, with a reason for the known constructs we leave out. */
static bool hours_osm_unknown(struct hours_ctx *c, const char *p)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const solar[] = {"sunrise", "sunset", "dawn", "dusk"};
    size_t n = strcspn(p, " ;,");
    const char *q = hours_quote(c->a, p, n ? n : 1);
    if (!q)
        return hours_fail(c, -1, "horaires au format OpenStreetMap non compris");
    if (hours_osm_starts(p, "PH") || hours_osm_starts(p, "SH"))
        return hours_fail(c, -1, "%s (jours fériés, vacances scolaires) n'est pas pris en charge",
                          q);
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++)
        if (hours_osm_starts(p, months[i]))
            return hours_fail(c, -1, "les mois (%s) ne sont pas pris en charge", q);
    if (hours_osm_starts(p, "week"))
        return hours_fail(c, -1, "les numéros de semaine (%s) ne sont pas pris en charge", q);
    for (size_t i = 0; i < sizeof solar / sizeof solar[0]; i++)
        if (strncmp(p + (p[0] == '('), solar[i], strlen(solar[i])) == 0)
            return hours_fail(c, -1, "les heures solaires (%s) ne sont pas prises en charge", q);
    if (*p == '"')
        return hours_fail(c, -1, "les commentaires entre guillemets ne sont pas pris en charge");
    if (p[0] == '|' && p[1] == '|')
        return hours_fail(c, -1, "les règles de repli (%s) ne sont pas prises en charge", q);
    return hours_fail(c, -1, "%s n'est pas compris", q);
}

/* The day at p ("Mo", either case), or -1. */
static int hours_osm_day(const char *p)
{
    for (int d = 0; d < 7; d++) {
        const char *s = hours_osm_names[d];
        /* Each byte read only when the one before it is not the end of the text. */
        bool first = p[0] == s[0] || p[0] == s[0] + ('a' - 'A');
        bool second = first && (p[1] == s[1] || p[1] == s[1] - ('a' - 'A'));
        bool alone = second && !((p[2] >= 'a' && p[2] <= 'z') || (p[2] >= 'A' && p[2] <= 'Z'));
        if (first && second && alone)
            return d;
    }
    return -1;
}

/* An optional day selector: "Mo", "Mo-Fr", "Fr-Mo", comma lists. *mask stays 0 without one. */
static bool hours_osm_days(struct hours_ctx *c, const char **p, unsigned *mask)
{
    *mask = 0;
    if (hours_osm_day(*p) < 0)
        return true;
    for (;;) {
        int d = hours_osm_day(*p);
        if (d < 0)
            return hours_osm_unknown(c, *p);
        *p += 2;
        int e = d;
        if (**p == '-') {
            e = hours_osm_day(*p + 1);
            if (e < 0)
                return hours_osm_unknown(c, *p + 1);
            *p += 3;
        }
        for (int i = d;; i = (i + 1) % 7) {
            *mask |= 1u << i;
            if (i == e)
                break;
        }
        if (**p != ',')
            break;
        (*p)++;
        hours_skip_spaces(p);
    }
    if (**p && **p != ' ' && **p != ';' && **p != ':')
        return hours_osm_unknown(c, *p);
    return true;
}

/* "9:00" or "09:00", up to "24:00"; -1 when it is not one. */
static int hours_osm_time(const char **p)
{
    const char *q = *p;
    if (!hours_is_digit(q[0]))
        return -1;
    int h = *q++ - '0';
    if (hours_is_digit(*q))
        h = h * 10 + (*q++ - '0');
    if (*q != ':' || !hours_minutes_at(q + 1, false))
        return -1;
    int mi = (q[1] - '0') * 10 + (q[2] - '0');
    if (h > 24 || mi > 59 || (h == 24 && mi))
        return -1;
    *p = q + 3;
    return h * 60 + mi;
}

/* One "HH:MM-HH:MM" into d. */
static bool hours_osm_range(struct hours_ctx *c, const char **p, struct hours_day *d)
{
    const char *t = *p;
    int open = hours_osm_time(p);
    if (open < 0 || **p != '-')
        return hours_osm_unknown(c, t);
    (*p)++;
    int close = hours_osm_time(p);
    if (close < 0)
        return hours_osm_unknown(c, t);
    size_t n = (size_t)(*p - t) + (**p == '+');
    const char *q = hours_quote(c->a, t, n);
    if (**p == '+')
        return hours_fail(c, -1, "les heures de fin ouvertes (%s) ne sont pas prises en charge", q);
    if (close == 0)
        close = HOURS_DAY_END;
    if (close < open)
        return hours_fail(c, -1, "les plages qui passent minuit (%s) ne sont pas prises en charge",
                          q);
    if (close == open)
        return hours_fail(c, -1, "%s\u202f: l'heure de fermeture doit suivre l'heure d'ouverture",
                          q);
    return hours_add(c, -1, d, open, close);
}

/* What follows the day selector: times, "off", "closed", or nothing (all day). */
static bool hours_osm_times(struct hours_ctx *c, const char **p, struct hours_day *d)
{
    d->n = 0;
    if (!**p || **p == ';')
        return hours_add(c, -1, d, 0, HOURS_DAY_END);
    if (hours_osm_starts(*p, "off") || hours_osm_starts(*p, "closed")) {
        *p += **p == 'o' ? 3 : 6;
        return true;
    }
    for (;;) {
        if (!hours_osm_range(c, p, d))
            return false;
        if (**p != ',')
            return true;
        (*p)++;
        hours_skip_spaces(p);
    }
}

static bool hours_osm_rule(struct hours_ctx *c, const char **p, struct hours_week *w)
{
    unsigned mask = 0x7f;
    struct hours_day d = {.n = 0};
    if (strncmp(*p, "24/7", 4) == 0 && (!(*p)[4] || (*p)[4] == ' ' || (*p)[4] == ';')) {
        *p += 4;
        d.r[0].close = HOURS_DAY_END;
        d.n = 1;
    } else {
        if (!hours_osm_days(c, p, &mask))
            return false;
        if (!mask)
            mask = 0x7f;
        else if (**p == ':')
            (*p)++;
        hours_skip_spaces(p);
        if (!hours_osm_times(c, p, &d))
            return false;
    }
    hours_skip_spaces(p);
    if (**p && **p != ';')
        return hours_osm_unknown(c, *p);
    for (int i = 0; i < 7; i++)
        if (mask >> i & 1)
            w->day[i] = d;
    return true;
}

static json_t *hours_parse_osm(struct hours_ctx *c, const char *osm)
{
    struct hours_week w;
    memset(&w, 0, sizeof w);
    size_t n = strlen(osm);
    if (n > HOURS_OSM_MAX) {
        hours_fail(c, -1, "horaires trop longs (%d caractères au plus)", HOURS_OSM_MAX);
        return NULL;
    }
    if (!utf8_valid(osm, n)) {
        hours_fail(c, -1, "texte invalide (UTF-8)");
        return NULL;
    }
    const char *p = osm;
    for (;;) {
        hours_skip_spaces(&p);
        if (*p && *p != ';' && !hours_osm_rule(c, &p, &w))
            return NULL;
        if (!*p)
            break;
        p++; /* the ';' */
    }
    return hours_finish(c, &w);
}

json_t *hours_from_osm(struct arena *a, const char *osm, char **err)
{
    struct hours_ctx c = {a, NULL, err};
    return hours_parse_osm(&c, osm ? osm : "");
}

/* --- The API's JSON -------------------------------------------------------------------- */

static int hours_day_of_key(const char *key)
{
    for (int d = 0; d < 7; d++)
        if (strcmp(key, hours_keys[d]) == 0)
            return d;
    return -1;
}

/* A string the parsers can read: no NUL inside. */
static const char *hours_json_text(json_t *v)
{
    const char *s = json_string_value(v);
    return s && strlen(s) == json_string_length(v) ? s : NULL;
}

/* One time of an API range: "09:00", or anything the form accepts for a single time. */
static bool hours_read_time_value(struct hours_ctx *c, int day, json_t *v, bool closing, int *out)
{
    const char *s = hours_json_text(v);
    if (s && strlen(s) <= 20 && utf8_valid(s, strlen(s))) {
        const char *p = hours_fold(c->a, s);
        hours_skip_spaces(&p);
        if (hours_read_time(&p, closing, out) == HT_OK && !*p)
            return true;
    }
    const char *q = s ? hours_quote(c->a, s, strlen(s)) : NULL;
    return hours_fail(c, day, "%s n'est pas une heure valide (HH:MM attendu)",
                      q ? q : "une valeur");
}

static bool hours_read_range_value(struct hours_ctx *c, int day, json_t *r, struct hours_day *d)
{
    int open, close;
    if (!json_is_array(r) || json_array_size(r) != 2)
        return hours_fail(c, day, "chaque plage doit être une paire [\"09:00\", \"12:00\"]");
    if (!hours_read_time_value(c, day, json_array_get(r, 0), false, &open) ||
        !hours_read_time_value(c, day, json_array_get(r, 1), true, &close))
        return false;
    return hours_add(c, day, d, open, close);
}

static bool hours_read_day_value(struct hours_ctx *c, int day, json_t *v, struct hours_day *d)
{
    d->n = 0;
    if (json_is_null(v))
        return true;
    if (json_is_string(v)) {
        const char *s = hours_json_text(v);
        return s ? hours_parse_day_text(c, day, s, d) : hours_fail(c, day, "texte invalide");
    }
    if (!json_is_array(v))
        return hours_fail(c, day, "une liste de plages [[\"09:00\", \"12:00\"], …] est attendue");
    size_t i;
    json_t *r;
    json_array_foreach(v, i, r)
    {
        if (!hours_read_range_value(c, day, r, d))
            return false;
    }
    return true;
}

static bool hours_read_note_value(struct hours_ctx *c, json_t *v, const char **note)
{
    *note = NULL;
    if (json_is_null(v))
        return true;
    if (!json_is_string(v))
        return hours_fail(c, -1, "la remarque doit être un texte");
    return hours_clean_note(c, json_string_value(v), json_string_length(v), note);
}

static bool hours_read_object(struct hours_ctx *c, json_t *v, struct hours_week *w)
{
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        int day = hours_day_of_key(key);
        bool ok;
        if (day >= 0)
            ok = hours_read_day_value(c, day, val, &w->day[day]);
        else if (strcmp(key, "note") == 0)
            ok = hours_read_note_value(c, val, &w->note);
        else {
            const char *q = hours_quote(c->a, key, strlen(key));
            ok = hours_fail(c, -1, "clé inconnue %s (mo, tu, we, th, fr, sa, su ou note)",
                            q ? q : "");
        }
        if (!ok)
            return false;
    }
    return true;
}

json_t *hours_validate(struct arena *a, const char *label, json_t *v, char **err)
{
    struct hours_ctx c = {a, label, err};
    struct hours_week w;
    memset(&w, 0, sizeof w);
    if (!v || json_is_null(v))
        return json_object();
    if (json_is_string(v)) {
        const char *s = hours_json_text(v);
        if (!s) {
            hours_fail(&c, -1, "texte invalide");
            return NULL;
        }
        return hours_parse_osm(&c, s);
    }
    if (!json_is_object(v)) {
        hours_fail(&c, -1, "un objet {\"mo\": [[\"09:00\", \"12:00\"]], …} est attendu");
        return NULL;
    }
    if (!hours_read_object(&c, v, &w))
        return NULL;
    return hours_finish(&c, &w);
}

/* --- Writers --------------------------------------------------------------------------- */

bool hours_is_empty(json_t *canon)
{
    return !json_is_object(canon) || json_object_size(canon) == 0;
}

/* canon read back into w; false when it is not valid. */
static bool hours_week_of(struct arena *a, json_t *canon, struct hours_week *w)
{
    struct hours_ctx c = {a, NULL, NULL};
    memset(w, 0, sizeof *w);
    return json_is_object(canon) && hours_read_object(&c, canon, w) && hours_normalize(&c, w);
}

char *hours_day_text(struct arena *a, json_t *canon, int day)
{
    struct hours_week w;
    if (day < 0 || day > 6 || !hours_week_of(a, canon, &w))
        return arena_strdup(a, "");
    struct buf b = BUF_INIT;
    hours_put_french_day(&b, &w.day[day]);
    return hours_buf_done(a, &b);
}

static bool hours_same(const struct hours_day *x, const struct hours_day *y)
{
    if (x->n != y->n)
        return false;
    for (int i = 0; i < x->n; i++)
        if (x->r[i].open != y->r[i].open || x->r[i].close != y->r[i].close)
            return false;
    return true;
}

/* The open days from d on that have the same hours as d and are not yet in done. */
static unsigned hours_group(const struct hours_week *w, int d, unsigned done)
{
    unsigned m = 0;
    for (int e = d; e < 7; e++)
        if (!(done >> e & 1) && hours_same(&w->day[d], &w->day[e]))
            m |= 1u << e;
    return m;
}

/* The last day of the run of consecutive days of m starting at d. */
static int hours_run_end(unsigned m, int d)
{
    while (d + 1 < 7 && (m >> (d + 1) & 1))
        d++;
    return d;
}

static bool hours_is_full_day(const struct hours_day *d)
{
    return d->n == 1 && d->r[0].open == 0 && d->r[0].close == HOURS_DAY_END;
}

static void hours_osm_put_days(struct buf *b, unsigned m)
{
    bool first = true;
    for (int d = 0; d < 7; d++) {
        if (!(m >> d & 1))
            continue;
        int e = hours_run_end(m, d);
        buf_printf(b, "%s%s", first ? "" : ",", hours_osm_names[d]);
        if (e > d)
            buf_printf(b, "%s%s", e - d >= 2 ? "-" : ",", hours_osm_names[e]);
        first = false;
        d = e;
    }
}

static void hours_osm_put_day(struct buf *b, const struct hours_day *d)
{
    for (int i = 0; i < d->n; i++) {
        char open[6], close[6];
        hours_hhmm(d->r[i].open, open);
        hours_hhmm(d->r[i].close, close);
        buf_printf(b, "%s%s-%s", i ? "," : "", open, close);
    }
}

char *hours_to_osm(struct arena *a, json_t *canon)
{
    struct hours_week w;
    if (!hours_week_of(a, canon, &w))
        return arena_strdup(a, "");
    struct buf b = BUF_INIT;
    unsigned done = 0;
    for (int d = 0; d < 7; d++) {
        if ((done >> d & 1) || !w.day[d].n)
            continue;
        unsigned m = hours_group(&w, d, done);
        done |= m;
        if (m == 0x7f && hours_is_full_day(&w.day[d])) {
            buf_puts(&b, "24/7");
            break;
        }
        if (b.len)
            buf_puts(&b, "; ");
        hours_osm_put_days(&b, m);
        buf_putc(&b, ' ');
        hours_osm_put_day(&b, &w.day[d]);
    }
    return hours_buf_done(a, &b);
}

/* "tous les jours", "du lundi au vendredi", "lundi, mercredi et vendredi", "samedi et
 * dimanche": runs of three days or more are spans, other days are listed. */
static void hours_french_put_days(struct buf *b, unsigned m)
{
    if (m == 0x7f) {
        buf_puts(b, "tous les jours");
        return;
    }
    int first[7], last[7], n = 0;
    for (int d = 0; d < 7; d++) {
        if (!(m >> d & 1))
            continue;
        int e = hours_run_end(m, d);
        first[n] = d;
        last[n++] = e - d >= 2 ? e : d;
        d = e - d >= 2 ? e : d;
    }
    for (int i = 0; i < n; i++) {
        buf_puts(b, i == 0 ? "" : i == n - 1 ? " et " : ", ");
        if (first[i] == last[i])
            buf_puts(b, hours_names[first[i]]);
        else
            buf_printf(b, "du %s au %s", hours_names[first[i]], hours_names[last[i]]);
    }
}

char *hours_french(struct arena *a, json_t *canon)
{
    struct hours_week w;
    if (!hours_week_of(a, canon, &w))
        return arena_strdup(a, "");
    struct buf b = BUF_INIT;
    unsigned done = 0;
    for (int d = 0; d < 7; d++) {
        if ((done >> d & 1) || !w.day[d].n)
            continue;
        unsigned m = hours_group(&w, d, done);
        done |= m;
        if (b.len)
            buf_puts(&b, "\u202f; ");
        hours_french_put_days(&b, m);
        buf_puts(&b, "\u202f: ");
        if (hours_is_full_day(&w.day[d]))
            buf_puts(&b, "24 h sur 24");
        else
            hours_put_french_day(&b, &w.day[d]);
    }
    if (w.note)
        buf_printf(&b, b.len ? " (%s)" : "%s", w.note);
    return hours_buf_done(a, &b);
}
