/* json_read.c — JSON text read in place (RFC 8259 structure), bounded by the span given. */
#include "util/json_read.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LITTLE_ENDIAN_WORDS 1
#else
#define LITTLE_ENDIAN_WORDS 0
#endif

static const char *jr_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* p at the opening quote: the byte after the closing quote, or NULL. *escaped tells whether
 * the string holds a backslash (so that it needs decoding). */
static const char *jr_string(const char *p, const char *end, bool *escaped)
{
    p++;
    *escaped = false;
    while (p < end) {
        /* Eight bytes at a time while none is a quote, a backslash or a control character:
         * text is most of what stored JSON holds. */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
            uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
            uint64_t special = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
            special &= high;
            if (special) {
                /* The lowest flagged byte is a real one (a borrow only flags the bytes above
                 * it): on a little-endian machine, step straight to it. */
                if (LITTLE_ENDIAN_WORDS)
                    p += __builtin_ctzll(special) / 8;
                break;
            }
            p += 8;
        }
        if (p >= end)
            break;
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            *escaped = true;
            if (end - p < 2)
                return NULL;
            char e = p[1];
            if (e == 'u') {
                if (end - p < 6)
                    return NULL;
                for (int i = 2; i < 6; i++)
                    if (utf8_hex_digit(p[i]) < 0)
                        return NULL;
                p += 6;
                continue;
            }
            if (e == '\0' || !strchr("\"\\/bfnrt", e))
                return NULL;
            p += 2;
            continue;
        }
        p++;
    }
    return NULL;
}

static const char *jr_digits(const char *p, const char *end)
{
    const char *start = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    return p > start ? p : NULL;
}

static const char *jr_number(const char *p, const char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0')
        p++;
    else if (!(p = jr_digits(p, end)))
        return NULL;
    if (p < end && *p == '.' && !(p = jr_digits(p + 1, end)))
        return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!(p = jr_digits(p, end)))
            return NULL;
    }
    return p;
}

static const char *jr_word(const char *p, const char *end, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(end - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

static const char *jr_value(const char *p, const char *end, int depth);

/* p at '{' or '[': the byte after the matching close, or NULL. */
static const char *jr_container(const char *p, const char *end, int depth)
{
    if (depth >= JSON_READ_MAX_DEPTH)
        return NULL;
    bool object = *p == '{';
    char close = object ? '}' : ']';
    p = jr_ws(p + 1, end);
    if (p < end && *p == close)
        return p + 1;
    for (;;) {
        if (object) {
            bool esc;
            if (p >= end || *p != '"' || !(p = jr_string(p, end, &esc)))
                return NULL;
            p = jr_ws(p, end);
            if (p >= end || *p != ':')
                return NULL;
            p = jr_ws(p + 1, end);
        }
        if (!(p = jr_value(p, end, depth + 1)))
            return NULL;
        p = jr_ws(p, end);
        if (p >= end)
            return NULL;
        if (*p == close)
            return p + 1;
        if (*p != ',')
            return NULL;
        p = jr_ws(p + 1, end);
    }
}

/* p at the first byte of a value (no white space): the byte after it, or NULL. */
static const char *jr_value(const char *p, const char *end, int depth)
{
    if (p >= end)
        return NULL;
    bool esc;
    switch (*p) {
    case '{':
    case '[':
        return jr_container(p, end, depth);
    case '"':
        return jr_string(p, end, &esc);
    case 't':
        return jr_word(p, end, "true");
    case 'f':
        return jr_word(p, end, "false");
    case 'n':
        return jr_word(p, end, "null");
    default:
        return jr_number(p, end);
    }
}

bool json_read_parse(const char *text, size_t n, struct json_span *out)
{
    if (!text)
        return false;
    const char *end = text + n;
    const char *p = jr_ws(text, end);
    const char *after = jr_value(p, end, 0);
    if (!after || jr_ws(after, end) != end)
        return false;
    out->p = p;
    out->n = (size_t)(after - p);
    return true;
}

enum json_read_kind json_read_kind(struct json_span v)
{
    if (!v.p || v.n == 0)
        return JSON_READ_INVALID;
    switch (v.p[0]) {
    case '{':
        return JSON_READ_OBJECT;
    case '[':
        return JSON_READ_ARRAY;
    case '"':
        return JSON_READ_STRING;
    case 't':
        return JSON_READ_TRUE;
    case 'f':
        return JSON_READ_FALSE;
    case 'n':
        return JSON_READ_NULL;
    default:
        return (v.p[0] == '-' || (v.p[0] >= '0' && v.p[0] <= '9')) ? JSON_READ_NUMBER
                                                                   : JSON_READ_INVALID;
    }
}

static bool jr_iter_begin(struct json_span v, char open, char close, struct json_read_iter *it)
{
    it->failed = false;
    it->first = true;
    if (!v.p || v.n < 2 || v.p[0] != open || v.p[v.n - 1] != close) {
        it->p = it->end = NULL;
        it->failed = v.p != NULL;
        return false;
    }
    it->p = v.p + 1;
    it->end = v.p + v.n - 1;
    return true;
}

bool json_read_object(struct json_span v, struct json_read_iter *it)
{
    return jr_iter_begin(v, '{', '}', it);
}

bool json_read_array(struct json_span v, struct json_read_iter *it)
{
    return jr_iter_begin(v, '[', ']', it);
}

/* Before the next member or item: false at the end (or on a malformed separator). */
static bool jr_iter_step(struct json_read_iter *it)
{
    if (!it->p || it->failed)
        return false;
    const char *p = jr_ws(it->p, it->end);
    if (p == it->end) {
        it->p = NULL;
        return false;
    }
    if (!it->first) {
        if (*p != ',') {
            it->failed = true;
            return false;
        }
        p = jr_ws(p + 1, it->end);
        if (p == it->end) {
            it->failed = true;
            return false;
        }
    }
    it->first = false;
    it->p = p;
    return true;
}

static bool jr_iter_value(struct json_read_iter *it, struct json_span *val)
{
    const char *after = jr_value(it->p, it->end, 1);
    if (!after) {
        it->failed = true;
        return false;
    }
    val->p = it->p;
    val->n = (size_t)(after - it->p);
    it->p = after;
    return true;
}

bool json_read_next_member(struct json_read_iter *it, struct json_span *key, struct json_span *val)
{
    if (!jr_iter_step(it))
        return false;
    const char *p = it->p;
    bool esc;
    const char *after = *p == '"' ? jr_string(p, it->end, &esc) : NULL;
    if (!after) {
        it->failed = true;
        return false;
    }
    key->p = p + 1;
    key->n = (size_t)(after - p - 2);
    p = jr_ws(after, it->end);
    if (p >= it->end || *p != ':') {
        it->failed = true;
        return false;
    }
    it->p = jr_ws(p + 1, it->end);
    return jr_iter_value(it, val);
}

bool json_read_next_item(struct json_read_iter *it, struct json_span *val)
{
    return jr_iter_step(it) && jr_iter_value(it, val);
}

/* Appends the UTF-8 of code point cp to out; returns the bytes written. */

static long jr_u4(const char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++)
        v = v * 16 + utf8_hex_digit(p[i]);
    return v;
}

/* Decodes the inside of a string (already checked by jr_string) into out (room for n bytes:
 * decoding never grows a string); returns the length, or -1 on a bad code point. */
static long jr_decode(const char *p, size_t n, char *out)
{
    const char *end = p + n;
    size_t len = 0;
    while (p < end) {
        if (*p != '\\') {
            out[len++] = *p++;
            continue;
        }
        char e = p[1];
        p += 2;
        switch (e) {
        case 'b':
            out[len++] = '\b';
            break;
        case 'f':
            out[len++] = '\f';
            break;
        case 'n':
            out[len++] = '\n';
            break;
        case 'r':
            out[len++] = '\r';
            break;
        case 't':
            out[len++] = '\t';
            break;
        case 'u': {
            unsigned long cp = (unsigned long)jr_u4(p);
            p += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return -1; /* a low surrogate alone */
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
                    return -1;
                unsigned long lo = (unsigned long)jr_u4(p + 2);
                if (lo < 0xdc00 || lo > 0xdfff)
                    return -1;
                p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (cp == 0)
                return -1;
            len += utf8_encode(cp, out + len);
            break;
        }
        default: /* '"', '\\', '/' */
            out[len++] = e;
        }
    }
    return (long)len;
}

const char *json_read_string(struct arena *a, struct json_span v)
{
    /* The span comes from json_read_parse or an iterator, which scanned this very string to
     * find its end: only the escapes are left to look for, and memchr does that fastest. */
    if (json_read_kind(v) != JSON_READ_STRING || v.n < 2 || v.p[v.n - 1] != '"')
        return NULL;
    bool esc = memchr(v.p + 1, '\\', v.n - 2) != NULL;
    if (!esc)
        return arena_strndup(a, v.p + 1, v.n - 2);
    char *out = arena_alloc(a, v.n - 1);
    long len = jr_decode(v.p + 1, v.n - 2, out);
    if (len < 0)
        return NULL;
    out[len] = '\0';
    return out;
}

/* Does the raw inside of a string (escapes not decoded) hold s? */
static bool jr_raw_is(const char *raw, size_t n, const char *s)
{
    if (!memchr(raw, '\\', n))
        return strlen(s) == n && memcmp(raw, s, n) == 0;
    char small[256];
    char *buf = n <= sizeof small ? small : malloc(n);
    if (!buf)
        return false;
    long len = jr_decode(raw, n, buf);
    bool same = len >= 0 && strlen(s) == (size_t)len && memcmp(buf, s, (size_t)len) == 0;
    if (buf != small)
        free(buf);
    return same;
}

bool json_read_string_is(struct json_span v, const char *s)
{
    bool esc;
    return json_read_kind(v) == JSON_READ_STRING && jr_string(v.p, v.p + v.n, &esc) == v.p + v.n &&
           jr_raw_is(v.p + 1, v.n - 2, s);
}

bool json_read_get(struct json_span obj, const char *key, struct json_span *val)
{
    struct json_read_iter it;
    struct json_span k, v;
    if (!json_read_object(obj, &it))
        return false;
    while (json_read_next_member(&it, &k, &v))
        if (jr_raw_is(k.p, k.n, key)) {
            *val = v;
            return true;
        }
    return false;
}

/* The number span as a NUL-terminated copy in buf (size n); false when it is not a number. */
static bool jr_number_text(struct json_span v, char *buf, size_t n)
{
    if (json_read_kind(v) != JSON_READ_NUMBER || v.n >= n || jr_number(v.p, v.p + v.n) != v.p + v.n)
        return false;
    memcpy(buf, v.p, v.n);
    buf[v.n] = '\0';
    return true;
}

bool json_read_int(struct json_span v, long long *out)
{
    char buf[32];
    if (!jr_number_text(v, buf, sizeof buf) || strpbrk(buf, ".eE"))
        return false;
    errno = 0;
    long long x = strtoll(buf, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = x;
    return true;
}

bool json_read_double(struct json_span v, double *out)
{
    char buf[400];
    if (!jr_number_text(v, buf, sizeof buf))
        return false;
    *out = strtod(buf, NULL);
    return true;
}
