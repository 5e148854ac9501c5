/* validate.h — the one validation path of entries, shared by forms, the API, the CLI and the
 * demo loader, driven by the kind's schema. */
#ifndef FOISON_VALIDATE_H
#define FOISON_VALIDATE_H
#include "core/schema.h"
#include <jansson.h>

struct arena;
struct territory;

#define VALIDATE_MAX_ERRORS 64
#define VALIDATE_COMMENT_MAX 300

struct field_error {
    const char *field;   /* field name, or "base_revision", "comment", "_" for the body */
    const char *message; /* French, for the user */
};

struct field_errors {
    struct field_error e[VALIDATE_MAX_ERRORS];
    int n;
};

void validate_error(struct field_errors *errs, const char *field, const char *message);
/* The first message for field, or NULL. */
const char *validate_error_for(const struct field_errors *errs, const char *field);

/* Validates raw input — a JSON object whose values are strings (forms) or typed JSON values (the
 * API) — against kind k. Returns a new object holding every field of the kind in canonical form
 * (caller json_decref()s it), or NULL with errs filled. With reject_unknown, names that are not
 * fields of the kind are errors. Messages are allocated in a. */
json_t *validate_entry(struct arena *a, const struct kind_def *k, const struct territory *t,
                       json_t *input, bool reject_unknown, struct field_errors *errs);
/* The same check for some fields of k only (names: NULL-terminated), as a guided path validates
 * its steps one by one: each named field by its type and limits, and the rules between fields
 * (and a series' check) whose fields are all named. With require false, a required field left
 * empty is no error (a draft kept for later); validate_entry still says so at the end. Returns
 * a new object of the named fields in canonical form, or NULL with errs filled. */
json_t *validate_entry_fields(struct arena *a, const struct kind_def *k, const struct territory *t,
                              json_t *input, const char *const *names, bool require,
                              struct field_errors *errs);
/* Contributors wrote under a record's licence: only moderators may change it on an edit. */
void validate_license_change(struct arena *a, const struct kind_def *k, json_t *old_fields,
                             json_t *new_fields, bool can_moderate, struct field_errors *errs);
/* An edit comment: one line, at most VALIDATE_COMMENT_MAX characters. Returns the trimmed
 * comment in the arena, or NULL with an error for "comment". */
const char *validate_comment(struct arena *a, const char *comment, struct field_errors *errs);
/* A Markdown text v checked and cleaned as the save path does it for a Markdown field named
 * field, labelled label, of at most max characters (line ends as LF, blank ends trimmed): the
 * text in a (or the string itself), or NULL with an error for field. What a preview renders is
 * then what a record page would show once saved. */
const char *validate_markdown_text(struct arena *a, const char *field, const char *label,
                                   size_t max, json_t *v, struct field_errors *errs);
/* True when s is an http(s) URL with a host and no spaces or control characters. */
bool validate_url(const char *s);
/* The first character of street line s (valid UTF-8) that the national schema of "lieux de
 * médiation numérique" refuses in an address (docs/MEDNUM.md), quoted for a message, in a (with
 * its code point when it is not printable ASCII: "« # »", "« « » (U+00AB)"), or NULL when
 * every character is accepted. */
const char *validate_street_refused(struct arena *a, const char *s);
/* True when digits are the 14 digits of a SIRET whose check digit is right. */
bool validate_siret_valid(const char *digits);

#endif
