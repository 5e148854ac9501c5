/* spam.h — the spam score of a revision and its reasons, computed from what the revision adds
 * to the text it replaces (an edit is judged by what it brings, not by the record it edits),
 * from who writes it and how fast. The save path (core/entry.c) stores the score with the
 * revision; above the hold threshold a revision waits for moderation whoever wrote it, above the
 * refuse threshold the save is refused with the reasons. Moderators see both in the queue. */
#ifndef FOISON_SPAM_H
#define FOISON_SPAM_H
#include "core/schema.h"
#include "core/visibility.h"
#include <jansson.h>
#include <stdbool.h>

struct arena;

#define SPAM_HOLD_DEFAULT 50    /* setting spam_hold */
#define SPAM_REFUSE_DEFAULT 100 /* setting spam_refuse */
#define SPAM_MAX_REASONS 16

struct spam_input {
    const struct kind_def *kind;
    json_t *fields;              /* the revision's fields (validated) */
    json_t *before;              /* the fields of the revision it replaces; NULL for a new entry */
    enum role role;              /* the author's */
    long long account_age;       /* seconds since the account was created; < 0 unknown */
    long fill_seconds;           /* how long the form was open; < 0 unknown (API, imports) */
    bool unstamped;              /* a web form posted without its valid time stamp */
    int repeats;                 /* other accounts that saved the same text recently */
    const char *blocked_domains; /* the setting: domains separated by commas, spaces or lines */
};

struct spam_result {
    int score;
    int nreasons;
    const char *reasons[SPAM_MAX_REASONS]; /* French, for moderators and the refusal message */
};

/* Scores in; reasons are allocated in a. */
void spam_score(struct arena *a, const struct spam_input *in, struct spam_result *out);
/* The reasons as a JSON array text (malloc'd), what the revision stores. */
char *spam_reasons_json(const struct spam_result *r);

#endif
