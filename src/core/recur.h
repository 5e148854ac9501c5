/* recur.h — the recurrence of events: RFC 5545 rules (RRULE) checked and expanded by libical,
 * in Paris wall time (a weekly 18:00 stays at 18:00 across the changes of summer time), with a
 * series' cancelled days left out; the rule said in French, and the few simple rules a form
 * offers (every day, every week…) built and recognised. Pure functions: no storage, no global
 * state. */
#ifndef FOISON_RECUR_H
#define FOISON_RECUR_H
#include <stdbool.h>
#include <stddef.h>

#define RECUR_MAX_OCCURRENCES 500 /* a rule expanding to more is refused */
#define RECUR_RULE_MAX 200        /* characters of a rule */
/* Occurrences are never looked for further than this after the start: a rule whose end lies
 * beyond counts as too long (and libical never searches centuries for an impossible rule). */
#define RECUR_HORIZON_YEARS 30

enum recur_status {
    RECUR_INVALID = -1,  /* not a rule this program accepts (recur_check says why) */
    RECUR_UNSYNCED = -2, /* the start is not one of the rule's dates (a Tuesday for "BYDAY=1SA") */
};

struct arena;

/* Checks rule on its own (syntax, an end by UNTIL or COUNT, frequencies from daily to yearly,
 * no BYHOUR/BYMINUTE/BYSECOND): NULL when it is valid, else a French reason (static or in a).
 * *normal receives the rule as stored (libical's canonical text: upper case, FREQ first, no
 * "RRULE:" prefix), in a. */
const char *recur_check(struct arena *a, const char *rule, const char **normal);

/* The starts (UTC seconds) of the series beginning at start_utc with rule, in order, the first
 * one (start_utc itself) included, the days of exceptions ("YYYY-MM-DD", Paris) left out: at
 * most max written to out (out may be NULL when max is 0). Occurrences are the rule's dates at
 * the start's Paris wall time; one falling in the hour skipped in spring takes the offset before
 * the change (02:30 becomes 03:30), per RFC 5545. Returns how many occurrences the series has,
 * counting stops at RECUR_MAX_OCCURRENCES + 1 (the caller refuses more than
 * RECUR_MAX_OCCURRENCES; a series reaching past RECUR_HORIZON_YEARS counts as that too),
 * RECUR_INVALID for an invalid rule, RECUR_UNSYNCED when start_utc is not one of its dates.
 * rule NULL or "": the single start. */
int recur_expand(const char *rule, long long start_utc, const char *const *exceptions,
                 int nexceptions, long long *out, int max);

/* The rule as RFC 5545 wants it beside a DTSTART with a TZID: an UNTIL given as a date, or as
 * a local time, becomes the UTC instant ending that day or time in Paris. In a. NULL for an
 * invalid rule. */
const char *recur_ical_rule(struct arena *a, const char *rule);

/* The rule in plain French for a series starting at start_utc (0: unknown, the day of the week
 * or of the month is then left out): "chaque mardi, jusqu'au 30 juin 2027", "le 1er samedi de
 * chaque mois, 10 fois". A rule too unusual to be said gets "selon la règle …". In a. */
const char *recur_describe(struct arena *a, const char *rule, long long start_utc);

/* The simple series a form offers without typing a rule. */
enum recur_preset {
    RECUR_NONE = 0,        /* not repeated */
    RECUR_DAILY,           /* chaque jour */
    RECUR_WEEKLY,          /* chaque semaine, le jour du début */
    RECUR_BIWEEKLY,        /* toutes les deux semaines */
    RECUR_MONTHLY_WEEKDAY, /* chaque mois, le même jour de la semaine (le 1er samedi) */
    RECUR_MONTHLY_DAY,     /* chaque mois, le même jour du mois */
    RECUR_CUSTOM,          /* any other rule, typed */
};

struct recur_simple {
    enum recur_preset preset;
    char until[11]; /* "YYYY-MM-DD", "" when the series ends by count */
    int count;      /* 0 when it ends by until (or never, which recur_check refuses) */
};

/* The rule of a simple series starting at start_utc (0 when unknown: the monthly weekday is
 * then that of no day, and the rule has no BYDAY), in a; "" for RECUR_NONE, NULL for
 * RECUR_CUSTOM. An end neither until nor count gives a rule without end (refused by
 * recur_check, which says so). */
const char *recur_simple_rule(struct arena *a, const struct recur_simple *s, long long start_utc);
/* Which simple series rule is ("" or NULL: RECUR_NONE), given its start; RECUR_CUSTOM when it
 * is none of them (or invalid). */
void recur_simple_read(const char *rule, long long start_utc, struct recur_simple *out);

#endif
