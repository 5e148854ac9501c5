/* attendance_store.h — rows of registrations to events (migration 9: registrations,
 * registration_closed) and the occurrences they are for, as core/attendance.c reads and writes
 * them: counts of seats per occurrence, the waiting list in order of id, the secret links by
 * their hash, the unconfirmed guests past their time. Who may do what is core/'s. */
#ifndef FOISON_ATTENDANCE_STORE_H
#define FOISON_ATTENDANCE_STORE_H
#include "store/store.h"
#include <stdbool.h>

struct arena;

struct registration_row {
    long long id, entry_id, occurrence, user_id; /* user_id 0: a guest */
    const char *name, *email, *state;            /* state: registered, waiting, cancelled */
    bool confirmed;
    long long created, promoted, cancelled; /* 0: not (yet) */
};

/* A new registration (r's id, promoted and cancelled are ignored); token_hash is the hex text of
 * the hash of its secret. *id receives its id. STORE_CONFLICT when that address already holds
 * a registration (not cancelled) for the occurrence (the partial unique index). */
int store_registration_insert(struct store *s, const struct registration_row *r,
                              const char *token_hash, long long *id);
int store_registration_get(struct store *s, struct arena *a, long long id,
                           struct registration_row *out);
int store_registration_by_token(struct store *s, struct arena *a, const char *token_hash,
                                struct registration_row *out);
/* How many registrations of the occurrence are registered, and how many waiting. */
int store_registration_counts(struct store *s, long long entry_id, long long occurrence,
                              int *registered, int *waiting);
/* The place of registration id in its list (registered or waiting) of its occurrence: 1 for the
 * first by id. */
int store_registration_position(struct store *s, const struct registration_row *r, int *pos);
/* The first waiting registration of the occurrence (lowest id); STORE_NOTFOUND when none. */
int store_registration_first_waiting(struct store *s, struct arena *a, long long entry_id,
                                     long long occurrence, struct registration_row *out);
int store_registration_cancel(struct store *s, long long id, long long now);
int store_registration_promote(struct store *s, long long id, long long now);
int store_registration_confirm(struct store *s, long long id);
/* The registrations (not cancelled) of an event's occurrences starting at from or later, by
 * occurrence then state (registered first) then id, at most max. */
int store_registrations_list(struct store *s, struct arena *a, long long entry_id, long long from,
                             int max, struct registration_row **out, int *n);
/* The registrations (not cancelled) of one account to an event's occurrences from on. */
int store_registrations_of_user(struct store *s, struct arena *a, long long entry_id,
                                long long user_id, long long from, struct registration_row **out,
                                int *n);
/* Unconfirmed registrations (not cancelled) created before `before`, of occurrences after
 * `after`, oldest first, at most max. */
int store_registrations_unconfirmed(struct store *s, struct arena *a, long long before,
                                    long long after, int max, struct registration_row **out,
                                    int *n);
/* The registrations (not cancelled) to dates after from that the event no longer has (its
 * date moved, its series shortened), in order of id. */
int store_registrations_orphaned(struct store *s, struct arena *a, long long entry_id,
                                 long long from, struct registration_row **out, int *n);
/* Moves registration id to another occurrence of its event (STORE_CONFLICT: that address
 * already holds one there). */
int store_registration_move(struct store *s, long long id, long long occurrence);
/* Beyond capacity seats registered at the occurrence, the latest registrations go back to
 * waiting (after registrations moved there from another date). */
int store_registrations_trim(struct store *s, long long entry_id, long long occurrence,
                             long long capacity);
/* The most seats registered for one occurrence of the event starting after from (0: none). */
int store_registrations_max_upcoming(struct store *s, long long entry_id, long long from, int *max);
/* The occurrences of the event starting after from that have someone waiting. */
int store_occurrences_waiting(struct store *s, struct arena *a, long long entry_id, long long from,
                              long long **starts, int *n);

/* Registration closed by its organisers (closed_at is when; *closed false when open). */
int store_registration_closed(struct store *s, long long entry_id, bool *closed);
int store_registration_set_closed(struct store *s, long long entry_id, bool closed,
                                  long long user_id, long long now);

/* The occurrences of the event starting after from, in order, at most max, without those a
 * changed date replaces (occurrence_overrides). */
int store_occurrences_upcoming(struct store *s, struct arena *a, long long entry_id, long long from,
                               int max, long long **starts, long long **ends, int *n);
/* Is start an occurrence of the event (not replaced by a changed date)? *end receives its end.
 * STORE_NOTFOUND when not. */
int store_occurrence_find(struct store *s, long long entry_id, long long start, long long *end);

/* For each of n events, the start of its next occurrence after from (0: none) and the seats
 * registered for it, in one read. */
int store_seats_next(struct store *s, const long long *ids, int n, long long from,
                     long long *occurrence, int *registered);

#endif
