/* recur.h — the recurrence of events: RFC 5545 rules (RRULE) checked and expanded by libical,
 * in Paris wall time (a weekly 18:00 stays at 18:00 across the changes of summer time), with a
 * series' cancelled days left out. Pure functions: no storage, no global state. */
#ifndef FOISON_RECUR_H
#define FOISON_RECUR_H
#include <stddef.h>

#define RECUR_MAX_OCCURRENCES 500 /* a rule expanding to more is refused */
#define RECUR_RULE_MAX 200        /* characters of a rule */

struct arena;

/* Checks rule on its own (syntax, an end by UNTIL or COUNT, frequencies from daily to yearly):
 * NULL when it is valid, else a French reason (static or in a). *normal receives the rule as
 * stored (upper case, no "RRULE:" prefix). */
const char *recur_check(struct arena *a, const char *rule, const char **normal);

/* The starts (UTC seconds) of the series beginning at start_utc with rule, in order, the first
 * one included, the days of exceptions ("YYYY-MM-DD", Paris) left out: at most max written to
 * out. Returns how many occurrences the series has, counting stops at RECUR_MAX_OCCURRENCES + 1
 * (the caller refuses more than RECUR_MAX_OCCURRENCES), or -1 for an invalid rule. rule NULL or
 * "": the single start. */
int recur_expand(const char *rule, long long start_utc, const char *const *exceptions,
                 int nexceptions, long long *out, int max);

#endif
