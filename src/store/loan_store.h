/* loan_store.h — the rows of loans of shared equipment: requests, decisions, the days accepted
 * loans hold, the owners' addresses and the reminders due. Days are Paris calendar days as
 * "YYYY-MM-DD" text, which compares in date order; two loans overlap when each starts on or
 * before the day the other ends. Whether a loan may be asked for or decided is core/loan.c's
 * decision, inside its write transaction. */
#ifndef FOISON_LOAN_STORE_H
#define FOISON_LOAN_STORE_H
#include "store/store.h"
#include <stdbool.h>

struct arena;

struct loan_row {
    long long id, resource_id, borrower_id;
    const char *from_day, *to_day, *message, *state;
    long long created, decided_at;
    const char *borrower_name, *borrower_email; /* the account's, "" when gone */
};

/* A new request (state requested); *id receives its id. */
int store_loan_insert(struct store *s, long long resource_id, long long borrower_id,
                      const char *from_day, const char *to_day, const char *message, long long now,
                      long long *id);
int store_loan_get(struct store *s, struct arena *a, long long id, struct loan_row *out);
/* 1 when an accepted loan of resource_id other than except_id overlaps [from_day, to_day], 0
 * when none, STORE_ERR on failure. */
int store_loan_overlaps(struct store *s, long long resource_id, const char *from_day,
                        const char *to_day, long long except_id);
/* Moves loan id from state from to state to (decided by user_id at now); STORE_NOTFOUND when
 * it is not in state from any more. */
int store_loan_set_state(struct store *s, long long id, const char *from, const char *to,
                         long long user_id, long long now);
/* The loans of resource_id in state (NULL: any) that overlap [from_day, to_day] (NULL: any
 * day), by first day, at most max, into an arena array. */
int store_loans_of(struct store *s, struct arena *a, long long resource_id, const char *state,
                   const char *from_day, const char *to_day, int max, struct loan_row **out,
                   int *n);
/* Every loan of resource_id, newest first, at most max. */
int store_loans_history(struct store *s, struct arena *a, long long resource_id, int max,
                        struct loan_row **out, int *n);
/* The active accounts that own resource_id: the managers of its record (the ones who decide
 * its loans, core/loan.c loan_owns), not those of the actors its owned_by field names, a field
 * any editor may change. Their addresses into an arena array. */
int store_loan_owner_emails(struct store *s, struct arena *a, long long resource_id,
                            const char ***emails, int *n);
/* Accepted loans of resources not deleted whose first day (pickup) or last day (!pickup) is
 * between from_day and to_day and whose reminder of that kind has not gone, at most max. */
int store_loans_due(struct store *s, struct arena *a, bool pickup, const char *from_day,
                    const char *to_day, int max, struct loan_row **out, int *n);
/* Records that the reminder of that kind of loan id went; STORE_NOTFOUND when it had. */
int store_loan_reminded(struct store *s, long long id, bool pickup);

#endif
