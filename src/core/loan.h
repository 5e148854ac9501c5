/* loan.h — lending shared equipment (a resource whose resource_type is "equipment"): a
 * signed-in person asks for days, the owners (the managers of its record, and moderators) accept or
 * refuse, the borrower may cancel; an accepted loan holds its days, and no two accepted loans
 * of one resource ever share a day, whatever the concurrency: every check and the write it
 * allows are one write transaction (store_begin is BEGIN IMMEDIATE). Mails go to the owners on
 * a request and a cancellation, to the borrower on a decision, and as reminders the day before
 * pick-up and return (loan_chore), each queued inside the transaction that decides it.
 *
 * Days are Paris calendar days written "YYYY-MM-DD". Who borrows is private: the public sees
 * only which days are taken (loan_busy); the owners see the requests and the history. */
#ifndef FOISON_LOAN_H
#define FOISON_LOAN_H
#include "core/visibility.h"
#include <stdbool.h>

struct arena;
struct entry;
struct field_errors;
struct store;

#define LOAN_MAX_DAYS 60       /* one loan lasts at most this many days */
#define LOAN_AHEAD_DAYS 365    /* and ends at most this many days from today */
#define LOAN_MESSAGE_MAX 1000  /* characters of the borrower's message */
#define LOAN_MAILS_PER_HOUR 10 /* requests of one account mailed to the owners */
#define LOAN_REMIND_HOUR 8     /* reminders leave from this Paris hour of the day before */
#define LOAN_LIST_MAX 500      /* loans one read returns at most */

enum loan_status {
    LOAN_OK = 0,
    LOAN_ERR = -1,       /* storage: a bug or I/O, logged */
    LOAN_NOTFOUND = -2,  /* no such loan (or resource) */
    LOAN_INVALID = -3,   /* the input is wrong: errs says why ("from", "to", "message") */
    LOAN_FORBIDDEN = -4, /* not signed in, not an owner, not the borrower */
    LOAN_BUSY = -5,      /* the days overlap an accepted loan */
    LOAN_STATE = -6,     /* the loan is not in a state that allows it (decided, over) */
    LOAN_UNLENDABLE = -7 /* the entry is no equipment to lend (a learning material, no resource,
                            not published) */
};

/* The site as mails name it. */
struct loan_env {
    const char *site_name;
    const char *base_url; /* no trailing slash; "" gives links as paths */
    bool limited;         /* a web door: the owners' mails of one account are limited */
};

struct loan {
    long long id, resource_id, borrower_id;
    char from[11], to[11];
    const char *message, *state; /* requested, accepted, refused, cancelled */
    long long created, decided_at;
    const char *borrower_name; /* for the owners only */
};

/* Is e lendable: a published, visible resource whose published resource_type is equipment? */
bool loan_lendable(struct store *s, struct arena *a, const struct entry *e);
/* Checks from and to as the days of a loan asked for at now: real days, from not before today
 * (Paris), to not before from, at most LOAN_MAX_DAYS days, ending within LOAN_AHEAD_DAYS days.
 * The reasons into errs under "from" and "to"; true when they are good. */
bool loan_check_days(struct arena *a, const char *from, const char *to, long long now,
                     struct field_errors *errs);
/* v asks to borrow e from from to to (days), with a message to the owners (may be NULL). *id
 * receives the new loan's id (state requested). LOAN_INVALID (errs), LOAN_BUSY (the days
 * overlap an accepted loan: errs says so too), LOAN_FORBIDDEN (anonymous), LOAN_UNLENDABLE. */
int loan_request(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                 const char *from, const char *to, const char *message, const struct loan_env *env,
                 long long now, struct field_errors *errs, long long *id);
/* An owner of the loan's resource accepts or refuses loan id, still requested. *out (may be
 * NULL) receives the loan as decided. LOAN_BUSY when accepting it would overlap an accepted
 * loan (nothing written), LOAN_FORBIDDEN for anyone but an owner, LOAN_STATE when it is no
 * longer requested or, to accept it, when its first day has passed (refusing it still works),
 * LOAN_NOTFOUND. */
int loan_decide(struct store *s, struct arena *a, const struct viewer *v, long long id, bool accept,
                const struct loan_env *env, long long now, struct loan *out);
/* The borrower (or an owner) cancels loan id, requested or accepted and not over; its days
 * are free again. LOAN_FORBIDDEN, LOAN_STATE, LOAN_NOTFOUND. */
int loan_cancel(struct store *s, struct arena *a, const struct viewer *v, long long id,
                const struct loan_env *env, long long now);
/* Loan id as v may see it: its borrower or an owner (LOAN_FORBIDDEN otherwise). */
int loan_get(struct store *s, struct arena *a, const struct viewer *v, long long id,
             struct loan *out);

/* The accepted loans of resource_id that hold a day between from and to: what the calendar
 * shows as taken, for anyone (borrower_name and message are left empty). */
int loan_busy(struct store *s, struct arena *a, long long resource_id, const char *from,
              const char *to, struct loan **out, int *n);
/* v's own loans of resource_id not over yet (requested or accepted), by first day. */
int loan_mine(struct store *s, struct arena *a, const struct viewer *v, long long resource_id,
              long long now, struct loan **out, int *n);
/* For an owner: the requests of resource_id waiting for an answer whose days are not over, by
 * first day (LOAN_FORBIDDEN for others). */
int loan_requests(struct store *s, struct arena *a, const struct viewer *v, long long resource_id,
                  long long now, struct loan **out, int *n);
/* For an owner: every loan of resource_id, newest first (LOAN_FORBIDDEN for others). */
int loan_history(struct store *s, struct arena *a, const struct viewer *v, long long resource_id,
                 struct loan **out, int *n);
/* Does v own the resource (an owner, or a moderator)? */
bool loan_owns(struct store *s, struct arena *a, const struct viewer *v, long long resource_id);

/* The chore of core/chores.c: from LOAN_REMIND_HOUR on the day before, the reminders of
 * accepted loans whose pick-up or return is tomorrow (or today, when the chore could not run
 * the day before), each sent once. *done is incremented by the mails queued. 0 or -1. */
int loan_chore(struct store *s, struct arena *a, long long now, int *done);

/* Day helpers: today's Paris day at now into out; the day n days after day (n may be
 * negative) into out; true when day is a real "YYYY-MM-DD" day. */
void loan_today(long long now, char out[11]);
bool loan_day_valid(const char *day);
void loan_day_add(const char *day, int n, char out[11]);
/* "lundi 11 janvier 2027" into a. */
const char *loan_day_french(struct arena *a, const char *day);

#endif
