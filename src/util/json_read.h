/* json_read.h — reading JSON text in place: the kind of a value, the members of an object, the
 * items of an array, a string decoded, a number, without building a tree. For the JSON foison
 * stored itself (a revision's fields, a list card), which pages read far more often than they
 * write: walking the text costs a fraction of parsing it into jansson objects.
 *
 * A span is a value's text (no surrounding white space). Every function stays inside the bytes
 * it was given and reports malformed text (false, or JSON_READ_INVALID) instead of guessing; it
 * checks the structure (brackets, commas, colons, string and number syntax, nesting depth at most
 * JSON_READ_MAX_DEPTH), not that strings are valid UTF-8 (the text was checked when it was
 * written). Nothing is allocated except the decoded strings, in the caller's arena. */
#ifndef FOISON_JSON_READ_H
#define FOISON_JSON_READ_H
#include <stdbool.h>
#include <stddef.h>

struct arena;

#define JSON_READ_MAX_DEPTH 64

struct json_span {
    const char *p;
    size_t n;
};

enum json_read_kind {
    JSON_READ_INVALID = 0,
    JSON_READ_NULL,
    JSON_READ_FALSE,
    JSON_READ_TRUE,
    JSON_READ_NUMBER,
    JSON_READ_STRING,
    JSON_READ_ARRAY,
    JSON_READ_OBJECT,
};

/* The span of the one value text[0..n) holds (white space around it allowed); false when the
 * text is not exactly one well-formed value. */
bool json_read_parse(const char *text, size_t n, struct json_span *out);
/* The kind of a span from json_read_parse or an iterator, from its first byte (a span of
 * zero length is JSON_READ_INVALID). */
enum json_read_kind json_read_kind(struct json_span v);

/* Iteration over an object's members or an array's items. */
struct json_read_iter {
    const char *p, *end;
    bool first, failed;
};
/* Starts on an object (or array) span; false when v is not one. */
bool json_read_object(struct json_span v, struct json_read_iter *it);
bool json_read_array(struct json_span v, struct json_read_iter *it);
/* The next member: key receives the raw text between the key's quotes (escapes not decoded),
 * val the value. False at the end, and with it->failed set on malformed text. */
bool json_read_next_member(struct json_read_iter *it, struct json_span *key, struct json_span *val);
bool json_read_next_item(struct json_read_iter *it, struct json_span *val);

/* The value of the first member named key (compared after decoding the member's escapes) of
 * object obj; false when absent, or when obj is not a well-formed object. */
bool json_read_get(struct json_span obj, const char *key, struct json_span *val);

/* A string span decoded into a NUL-terminated copy in a (escapes, \u surrogate pairs into UTF-8;
 * a \u0000 is refused, as jansson refuses it by default); NULL when v is not a well-formed
 * string. A string without escapes costs one copy. */
const char *json_read_string(struct arena *a, struct json_span v);
/* Does the string span v hold exactly s (after decoding)? */
bool json_read_string_is(struct json_span v, const char *s);
/* An integer number (no fraction or exponent) that fits a long long. */
bool json_read_int(struct json_span v, long long *out);
/* Any number, as a double. */
bool json_read_double(struct json_span v, double *out);

#endif
