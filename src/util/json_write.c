/* json_write.c — JSON strings into a buffer, escaped as jansson escapes them. */
#include "util/json_write.h"
#include "util/buf.h"
#include <stdio.h>
#include <string.h>

void json_write_string(struct buf *b, const char *s, size_t n)
{
    buf_grow(b, n + 2);
    buf_putc(b, '"');
    size_t run = 0; /* bytes of s[run_start..] that need no escape, appended at once */
    const char *start = s;
    for (size_t i = 0; i < n; i++) {
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
