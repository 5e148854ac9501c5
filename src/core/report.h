/* report.h — readers' reports ("signaler"): a signed-in account reports an entry with a reason
 * and optional details; an entry reported by report_hide distinct accounts (setting, default
 * REPORT_HIDE_DEFAULT, 0: never) is hidden from everyone but moderators (entries.hidden, read by
 * the one visibility rule, core/visibility.c) until a moderator decides:
 *   dismiss ("Garder la fiche"): the open reports are closed as dismissed, the entry is shown;
 *   uphold ("Retirer la fiche"): they are closed as upheld and the entry stays hidden for good
 *     (hidden = 2, "withdrawn"): not deleted, so moderators keep reading it and its history,
 *     and the decision can be looked into later; the public never sees it again.
 * Each decision (and each automatic hiding) is one write transaction with its row in the
 * moderation log and a new generation of the site. An account files at most rate_reports
 * reports per day (setting, default RATE_REPORTS_DEFAULT; 0: no limit), counted from the reports
 * table itself, so the limit holds across restarts and processes. */
#ifndef FOISON_REPORT_H
#define FOISON_REPORT_H
#include "core/entry.h"
#include "core/visibility.h"
#include <stdbool.h>

struct arena;
struct store;
struct field_errors;

enum report_status {
    REPORT_OK = 0,
    REPORT_ERR = -1,          /* storage failure, logged */
    REPORT_NOTFOUND = -2,     /* no such entry visible to the viewer, or nothing open to decide */
    REPORT_DUPLICATE = -3,    /* this account already has an open report on the entry */
    REPORT_FORBIDDEN = -4,    /* not signed in, account not active, or not a moderator */
    REPORT_RATE_LIMITED = -5, /* rate_reports reached: see retry_after */
};

#define REPORT_COMMENT_MAX 1000 /* characters of a report's details */
#define REPORT_HIDE_DEFAULT 3
#define RATE_REPORTS_DEFAULT 10
#define REPORT_WINDOW 86400 /* seconds over which rate_reports counts */

struct report_reason {
    const char *code, *label;
};
/* The reasons a reader may give, in the order forms offer them. */
extern const struct report_reason report_reasons[];
extern const int report_nreasons;
/* The French label of a reason's code, NULL for an unknown one. */
const char *report_reason_label(const char *code);

/* Checks a report's input: reason one of report_reasons, comment (NULL: none) valid UTF-8 text
 * of at most REPORT_COMMENT_MAX characters without control characters, required for "autre".
 * Returns the comment to keep (trimmed, in a), or NULL with errors for "reason" or "comment". */
const char *report_check(struct arena *a, const char *reason, const char *comment,
                         struct field_errors *errs);

struct report_filed {
    int reporters;    /* accounts with an open report on the entry, this one included */
    bool hidden;      /* this report hid the entry */
    long retry_after; /* on REPORT_RATE_LIMITED: seconds until this account may report again */
};

/* Files v's report on entry e (as entry_find gave it to v), reason and comment checked by
 * report_check; inside the write transaction: the account still active, the entry published
 * and still visible to it, the daily limit, one open report per account and entry, and the
 * hiding at report_hide accounts. Nothing is written on any failure. */
int report_file(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                const char *reason, const char *comment, long long now, struct report_filed *out);

/* One open report as moderators read it. */
struct report_item {
    const char *reason, *reason_label, *comment, *reporter;
    long long created;
};
/* The open reports of one entry. */
struct report_group {
    long long entry_id;
    const struct kind_def *kind;
    const char *slug, *title;
    int hidden, published_rev;
    struct report_item *items; /* oldest first; nitems is the number of accounts reporting */
    int nitems;
};
/* The entries with open reports (moderators only): hidden ones first, then by their oldest
 * report. */
int report_open(struct store *s, struct arena *a, const struct viewer *v,
                struct report_group **groups, int *n);
/* A moderator's decision on the open reports of an entry (see the top of this file); reason
 * (at most MODERATION_REASON_MAX bytes, may be "") goes into the log. REPORT_NOTFOUND when the
 * entry has no open report (already decided). */
int report_dismiss(struct store *s, struct arena *a, const struct viewer *v, long long entry_id,
                   const char *reason, long long now);
int report_uphold(struct store *s, struct arena *a, const struct viewer *v, long long entry_id,
                  const char *reason, long long now);

#endif
