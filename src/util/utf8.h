/* utf8.h — UTF-8 validation and counting for input limits, and hex digits of escapes. */
#ifndef FOISON_UTF8_H
#define FOISON_UTF8_H
#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no NUL). */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8. */
size_t utf8_count(const char *s, size_t n);
/* The code point at *p in valid UTF-8 (0 at the end of the string), *p moved past it: for
 * checks that go character by character. */
unsigned utf8_next(const char **p);
/* Writes code point cp (at most U+10FFFF, not a surrogate: the caller's to check) as UTF-8 into
 * out and returns its length, 1 to 4. */
size_t utf8_encode(unsigned long cp, char out[4]);
/* The value of a hexadecimal digit (either case), -1 for any other byte: %XX escapes, \uXXXX. */
int utf8_hex_digit(char c);
struct arena;
/* s with its first letter in lower (or upper) case, for ASCII and the accented capitals French
 * uses (É, À, Ç…), in a: labels written for a heading reused inside a sentence. */
char *utf8_lower_first(struct arena *a, const char *s);
char *utf8_upper_first(struct arena *a, const char *s);

#endif
