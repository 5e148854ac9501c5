/* phone.c — the scanner that reduces a typed phone number to digit groups, the French and
 * international rules of phone.h, and tel: URIs. */
#include "core/phone.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <stdbool.h>
#include <string.h>

#define PHONE_E164_MIN 8
#define PHONE_E164_MAX 15

/* A number reduced to its digits, one space where the input had separators between two. */
struct phone_scan {
    char groups[2 * PHONE_INPUT_MAX + 1];
    size_t len;
    bool international; /* it began with "+" or "00" (both removed from groups) */
};

static bool phone_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The length of the separator at p (ASCII space, tab, . - / ( ), no-break, narrow and thin
 * spaces), or 0. */
static size_t phone_separator(const unsigned char *p)
{
    if (*p && strchr(" \t.-/()", *p))
        return 1;
    if (p[0] == 0xc2 && p[1] == 0xa0)
        return 2;
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xaf || (p[2] >= 0x80 && p[2] <= 0x8a)))
        return 3;
    return 0;
}

static void phone_put_digit(struct phone_scan *s, char c, bool *space)
{
    if (*space && s->len)
        s->groups[s->len++] = ' ';
    s->groups[s->len++] = c;
    s->groups[s->len] = '\0';
    *space = false;
}

/* "00" as the international prefix: gone from the groups, the number marked international. */
static void phone_drop_double_zero(struct phone_scan *s)
{
    if (s->international || strncmp(s->groups, "00", 2) != 0)
        return;
    size_t skip = s->groups[2] == ' ' ? 3 : 2;
    memmove(s->groups, s->groups + skip, s->len - skip + 1);
    s->len -= skip;
    s->international = true;
}

/* Fills s from in; false on a character that has no place in a phone number. */
static bool phone_scan_input(struct phone_scan *s, const char *in)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t n;
    memset(s, 0, sizeof *s);
    while ((n = phone_separator(p)) > 0)
        p += n;
    if (*p == '+') {
        s->international = true;
        p++;
    }
    bool space = false;
    while (*p) {
        bool intl = s->international || strncmp(s->groups, "00", 2) == 0;
        if (intl && strncmp((const char *)p, "(0)", 3) == 0) {
            /* "+33 (0)2 98…": the national trunk prefix, written for people dialling at home. */
            p += 3;
            space = true;
        } else if (phone_is_digit((char)*p)) {
            phone_put_digit(s, (char)*p++, &space);
        } else if ((n = phone_separator(p)) > 0) {
            p += n;
            space = true;
        } else {
            return false;
        }
    }
    phone_drop_double_zero(s);
    return true;
}

/* The digits of groups (spaces left out) into out, at most max of them; their count. */
static size_t phone_digits(const char *groups, char *out, size_t max)
{
    size_t n = 0;
    for (const char *p = groups; *p; p++)
        if (phone_is_digit(*p)) {
            if (n == max) {
                out[max] = '\0'; /* callers read it as a string even when it is too long */
                return max + 1;
            }
            out[n++] = *p;
        }
    out[n < max ? n : max] = '\0';
    return n;
}

static bool phone_fail(struct arena *a, char **err, const char *msg)
{
    if (err)
        *err = arena_strdup(a, msg);
    return false;
}

/* Checks ten French digits "0XXXXXXXXX". */
static bool phone_french_ok(struct arena *a, const char *d, char **err)
{
    if (d[0] != '0')
        return phone_fail(a, err,
                          "un numéro français commence par 0\u202f; pour l'étranger, "
                          "écrivez + et l'indicatif du pays");
    if (d[1] == '0')
        return phone_fail(a, err, "numéro invalide (00 est le préfixe international)");
    if (d[1] == '8' && d[2] == '9')
        return phone_fail(a, err, "les numéros surtaxés (08 9…) ne sont pas acceptés");
    bool same = true;
    for (int i = 3; i < 10; i++)
        same &= d[i] == d[2];
    if (same || strcmp(d, "0123456789") == 0)
        return phone_fail(a, err, "ce numéro semble fictif");
    return true;
}

static const char *phone_french(struct arena *a, const char *d, char **err)
{
    if (!phone_french_ok(a, d, err))
        return NULL;
    return arena_printf(a, "%.2s %.2s %.2s %.2s %.2s", d, d + 2, d + 4, d + 6, d + 8);
}

/* A national number: exactly ten digits. */
static const char *phone_national(struct arena *a, const struct phone_scan *s, char **err)
{
    char d[11];
    size_t n = phone_digits(s->groups, d, 10);
    if (n != 10) {
        phone_fail(a, err,
                   n < 10 ? "numéro trop court\u202f: 10 chiffres attendus, par exemple "
                            "02 98 00 00 00"
                          : "numéro trop long\u202f: 10 chiffres attendus, par exemple "
                            "02 98 00 00 00");
        return NULL;
    }
    return phone_french(a, d, err);
}

/* "+33…": nine digits after the country code, or ten when a trunk 0 was kept. */
static const char *phone_plus33(struct arena *a, const char *digits, char **err)
{
    const char *rest = digits + 2;
    if (strlen(rest) == 10 && rest[0] == '0')
        rest++;
    if (strlen(rest) != 9) {
        phone_fail(a, err, "un numéro français compte 9 chiffres après +33");
        return NULL;
    }
    char d[11] = "0";
    memcpy(d + 1, rest, 10);
    return phone_french(a, d, err);
}

static const char *phone_international(struct arena *a, const struct phone_scan *s, char **err)
{
    char d[PHONE_E164_MAX + 2];
    size_t n = phone_digits(s->groups, d, PHONE_E164_MAX + 1);
    if (n >= 2 && d[0] == '3' && d[1] == '3')
        return phone_plus33(a, d, err);
    if (n > 0 && d[0] == '0') {
        phone_fail(a, err, "indicatif de pays invalide (il ne commence jamais par 0)");
        return NULL;
    }
    if (n < PHONE_E164_MIN || n > PHONE_E164_MAX) {
        phone_fail(a, err,
                   "un numéro international compte de 8 à 15 chiffres, indicatif du pays "
                   "compris");
        return NULL;
    }
    return arena_printf(a, "+%s", s->groups);
}

const char *phone_normalize(struct arena *a, const char *in, char **err)
{
    if (!in)
        return "";
    size_t n = strlen(in);
    if (n > PHONE_INPUT_MAX) {
        phone_fail(a, err, "numéro trop long");
        return NULL;
    }
    struct phone_scan s;
    if (!utf8_valid(in, n) || !phone_scan_input(&s, in)) {
        phone_fail(a, err,
                   "seuls des chiffres, des espaces, des points, des tirets et un + au début "
                   "sont acceptés");
        return NULL;
    }
    if (!s.len && !s.international)
        return "";
    return s.international ? phone_international(a, &s, err) : phone_national(a, &s, err);
}

/* Overseas departments dial as countries of their own: their national prefix and code. */
static const char *phone_overseas_code(const char *d)
{
    static const char *const table[][2] = {
        {"0262", "262"}, {"0263", "262"}, {"0269", "262"}, {"0639", "262"}, {"0692", "262"},
        {"0693", "262"}, {"0590", "590"}, {"0690", "590"}, {"0691", "590"}, {"0594", "594"},
        {"0694", "594"}, {"0596", "596"}, {"0696", "596"}, {"0697", "596"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strncmp(d, table[i][0], 4) == 0)
            return table[i][1];
    return "33";
}

const char *phone_tel_uri(struct arena *a, const char *canon)
{
    char *err = NULL;
    if (!canon || !*canon)
        return NULL;
    const char *again = phone_normalize(a, canon, &err);
    if (!again || strcmp(again, canon) != 0)
        return NULL;
    char d[PHONE_E164_MAX + 2];
    phone_digits(canon, d, PHONE_E164_MAX + 1);
    if (canon[0] == '+')
        return arena_printf(a, "tel:+%s", d);
    return arena_printf(a, "tel:+%s%s", phone_overseas_code(d), d + 1);
}
