/* report_store.h — rows of readers' reports (migration 7): filing one, counting the accounts
 * with an open report on an entry and an account's reports of the last day, closing the open
 * reports of an entry with a moderator's decision, and the open reports moderators read. What a
 * report may be and what follows from it (hiding, the log) is core/report.c's. Strings are
 * allocated in the caller's arena. */
#ifndef FOISON_REPORT_STORE_H
#define FOISON_REPORT_STORE_H
#include "store/store.h"

struct arena;

/* STORE_CONFLICT when reporter already has an open report on the entry. */
int store_report_insert(struct store *s, long long entry_id, long long reporter_id,
                        const char *reason, const char *comment, long long now);
/* The number of distinct accounts with an open report on the entry. */
int store_report_open_count(struct store *s, long long entry_id, int *n);
/* The time of reporter's nth newest report filed after since (n ≥ 1) into *created, or
 * STORE_NOTFOUND when it filed fewer than n since then: one indexed read says both whether an
 * account reached a limit and when it may file again. */
int store_report_nth_since(struct store *s, long long reporter_id, long long since, int n,
                           long long *created);
/* Closes every open report of the entry as state ("dismissed" or "upheld") by decided_by (0:
 * the operator) at now; *n receives how many were open. */
int store_reports_close(struct store *s, long long entry_id, const char *state,
                        long long decided_by, long long now, int *n);

/* One open report with its entry, for moderators. */
struct report_row {
    long long id, entry_id;
    const char *kind, *slug;
    int hidden, published_rev;
    const char *card; /* JSON object text of the published revision's card ("{}" when none) */
    const char *reason, *comment, *reporter;
    long long reporter_id, created;
};
#define STORE_REPORTS_MAX 2000
/* Open reports on entries not deleted, at most limit: entries hidden first, then by their
 * oldest open report; an entry's reports together, oldest first. */
int store_reports_open_list(struct store *s, struct arena *a, int limit, struct report_row **out,
                            int *n);

#endif
