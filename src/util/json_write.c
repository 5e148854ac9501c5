/* json_write.c — JSON strings into a buffer, escaped as jansson escapes them. */
#include "util/json_write.h"
#include "util/buf.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Whether one of the 8 bytes of w needs an escape: below 0x20, '"' or '\\' (the classic
 * "has a byte less than" and "has a zero byte" tests, exact for any bytes). */
static int json_word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & high ? 1 : 0;
}

void json_write_string(struct buf *b, const char *s, size_t n)
{
    buf_grow(b, n + 2);
    buf_putc(b, '"');
    size_t run = 0; /* bytes of s[run_start..] that need no escape, appended at once */
    const char *start = s;
    for (size_t i = 0; i < n; i++) {
        /* Eight bytes at a time while none needs an escape (most text): long titles and
         * summaries by the hundred thousand (the map's GeoJSON). */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (json_word_special(w))
                break;
            i += 8;
            run += 8;
        }
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        buf_append(b, start, run);
        char esc[8];
        switch (c) {
        case '"':
            buf_append(b, "\\\"", 2);
            break;
        case '\\':
            buf_append(b, "\\\\", 2);
            break;
        case '\b':
            buf_append(b, "\\b", 2);
            break;
        case '\f':
            buf_append(b, "\\f", 2);
            break;
        case '\n':
            buf_append(b, "\\n", 2);
            break;
        case '\r':
            buf_append(b, "\\r", 2);
            break;
        case '\t':
            buf_append(b, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", c);
            buf_append(b, esc, 6);
        }
        start = s + i + 1;
        run = 0;
    }
    buf_append(b, start, run);
    buf_putc(b, '"');
}

void json_write_cstr(struct buf *b, const char *s)
{
    if (s)
        json_write_string(b, s, strlen(s));
    else
        buf_append(b, "null", 4);
}
