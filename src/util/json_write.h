/* json_write.h — writing JSON text straight into a buffer, for answers assembled from JSON the
 * store already holds (util/json_read spans): the strings come out byte for byte as jansson's
 * json_dumps writes them, so an answer does not change with the way it was built. */
#ifndef FOISON_JSON_WRITE_H
#define FOISON_JSON_WRITE_H
#include <stddef.h>

struct buf;

/* s[0..n) (UTF-8) as a JSON string with its quotes: '"', '\\' and control characters escaped
 * (\b \f \n \r \t, else \u00XX), everything else as it is, as jansson does without flags. */
void json_write_string(struct buf *b, const char *s, size_t n);
/* The same for a NUL-terminated string; NULL is written as null. */
void json_write_cstr(struct buf *b, const char *s);

#endif
