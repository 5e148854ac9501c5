/* utf8.c — a strict UTF-8 validator (RFC 3629), control bytes other than tab/newline refused;
 * reading code points one by one; first-letter case of labels. */
#include "utf8.h"
#include "util/arena.h"

bool utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                return false;
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

size_t utf8_count(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            count++;
    return count;
}

unsigned utf8_next(const char **p)
{
    const unsigned char *q = (const unsigned char *)*p;
    unsigned c = *q;
    if (!c)
        return 0;
    q++;
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (more)
        c &= 0x3fu >> more;
    while (more-- > 0 && (*q & 0xc0) == 0x80)
        c = (c << 6) | (*q++ & 0x3fu);
    *p = (const char *)q;
    return c;
}

size_t utf8_encode(unsigned long cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

int utf8_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Latin-1 capitals are U+00C0..U+00DE (but ×) two bytes C3 80..C3 9E; their small letters are
 * 0x20 above, the same lead byte. */
static char *utf8_case_first(struct arena *a, const char *s, bool upper)
{
    char *out = arena_strdup(a, s ? s : "");
    unsigned char *p = (unsigned char *)out;
    if (upper && p[0] >= 'a' && p[0] <= 'z')
        p[0] = (unsigned char)(p[0] - 32);
    else if (!upper && p[0] >= 'A' && p[0] <= 'Z')
        p[0] = (unsigned char)(p[0] + 32);
    else if (p[0] == 0xc3 && upper && p[1] >= 0xa0 && p[1] <= 0xbe && p[1] != 0xb7)
        p[1] = (unsigned char)(p[1] - 0x20);
    else if (p[0] == 0xc3 && !upper && p[1] >= 0x80 && p[1] <= 0x9e && p[1] != 0x97)
        p[1] = (unsigned char)(p[1] + 0x20);
    return out;
}

char *utf8_lower_first(struct arena *a, const char *s)
{
    return utf8_case_first(a, s, false);
}

char *utf8_upper_first(struct arena *a, const char *s)
{
    return utf8_case_first(a, s, true);
}
