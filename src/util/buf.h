/* buf.h — the one growable byte buffer, always NUL-terminated after its length. */
#ifndef FOISON_BUF_H
#define FOISON_BUF_H
#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* NULL until the first append; then NUL-terminated */
    size_t len, cap;
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* The contents as a C string ("" when empty); owned by the buffer. */
const char *buf_cstr(struct buf *b);
/* Hands the malloc'd string to the caller (who frees it) and resets the buffer. */
char *buf_detach(struct buf *b, size_t *len);
/* Appends s with & < > " ' escaped for HTML text and attributes. */
void buf_put_html(struct buf *b, const char *s, size_t n);

#endif
