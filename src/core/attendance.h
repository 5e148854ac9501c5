/* attendance.h — registrations to events: an event whose published field registration is
 * "site" takes registrations, each for one occurrence (its UTC start), within its capacity (the
 * FT_INTEGER field with the seats flag; none: no limit) as 'registered', beyond it as 'waiting'
 * in order of id, up to a bounded waiting list (then the event is full). An account registers
 * under its own name and address, confirmed at once; a guest gives a name and an address, takes
 * the place at once, and confirms by the link of the mail within ATTENDANCE_CONFIRM_SECONDS or
 * loses it (attendance_expire, a chore). Every registration mail carries the occurrence's .ics
 * and a cancellation link, a secret of which only the hash is stored. When a registered seat
 * frees (a cancellation, an expiry, a capacity raised) the first person waiting gets it in the
 * same transaction and is told by mail.
 *
 * No overbooking: each registration is one write transaction (BEGIN IMMEDIATE) that counts and
 * inserts, so that concurrent registrations are serialised by SQLite's write lock.
 *
 * Registrations are personal data: their names and addresses leave this module only for the
 * event's organisers (attendance_organises: the managers of the event, whoever created it, and
 * moderators) and for the registrant; everybody else gets counts. Every
 * change of seats bumps the site's generation (record pages show seats left).
 *
 * Status codes are core/entry.h's: ENTRY_OK; ENTRY_INVALID (the input: errs per field, "name",
 * "email", "occurrence"); ENTRY_CONFLICT (the state of the event refuses it: past, closed, not
 * on this site, full, already registered: errs says why); ENTRY_RATE_LIMITED (*wait);
 * ENTRY_NOTFOUND; ENTRY_FORBIDDEN (not the registrant nor an organiser); ENTRY_ERR (storage). */
#ifndef FOISON_ATTENDANCE_H
#define FOISON_ATTENDANCE_H
#include "core/schema.h"
#include "core/visibility.h"
#include <jansson.h>
#include <stdbool.h>

struct arena;
struct entry;
struct field_errors;
struct store;
struct user;

#define ATTENDANCE_NAME_MAX 80
#define ATTENDANCE_EMAIL_MAX 254
#define ATTENDANCE_CONFIRM_SECONDS (48 * 3600)
/* The waiting list holds ATTENDANCE_WAITING_FACTOR × capacity, at least ATTENDANCE_WAITING_MIN. */
#define ATTENDANCE_WAITING_FACTOR 5
#define ATTENDANCE_WAITING_MIN 20
/* Guest registrations per client address (an IPv6 address by its /64) per hour: setting
 * rate_registrations (0: no limit); and mails of registration to one address per hour (a
 * guest may give anyone's address). */
#define ATTENDANCE_RATE_GUESTS_DEFAULT 10
#define ATTENDANCE_RATE_MAILS_DEFAULT 5
#define ATTENDANCE_RATE_WINDOW 3600
/* Messages of the organisers to participants: per event and per day (rate_registration_mails). */
#define ATTENDANCE_WRITE_RATE_DEFAULT 5
#define ATTENDANCE_WRITE_WINDOW 86400
#define ATTENDANCE_SUBJECT_MAX 120
#define ATTENDANCE_TEXT_MAX 5000
/* The occurrences of a series a page offers, at most. */
#define ATTENDANCE_OCCURRENCES_MAX 12

/* Where a change comes from: the links of the mails, the site's name in them, the client's
 * address (NULL: not limited — the operator, the demo, the bench), and the time. */
struct attendance_env {
    const char *base_url; /* no trailing slash */
    const char *site_name;
    const char *ip;
    long long now;
};

/* One registration as its registrant or an organiser sees it. */
struct attendance_item {
    long long id, occurrence, user_id, created;
    const char *name, *email, *state; /* state: registered, waiting, cancelled */
    bool confirmed;
    int position; /* in its list (registered or waiting), 1 first; 0 when cancelled */
};

/* The registration of who (an account: its name and address; NULL: a guest with name and
 * email) to occurrence (a start; 0: the next upcoming one) of event e. out receives it. */
int attendance_register(struct store *s, struct arena *a, const struct attendance_env *env,
                        const struct entry *e, const struct user *who, const char *name,
                        const char *email, long long occurrence, struct field_errors *errs,
                        struct attendance_item *out, long *wait);

/* What a secret link (from a mail) is for, without changing anything: the registration into
 * out, its event's slug and title. ENTRY_NOTFOUND for a link that is not (or no longer) one. */
int attendance_link(struct store *s, struct arena *a, const char *token, long long now,
                    struct attendance_item *out, const char **slug, const char **title);
/* The guest confirms by the link: ENTRY_NOTFOUND for an unknown or cancelled one. */
int attendance_confirm(struct store *s, struct arena *a, const struct attendance_env *env,
                       const char *token, struct attendance_item *out);
/* Cancels by the link of the mail (the first person waiting takes the seat). */
int attendance_cancel_token(struct store *s, struct arena *a, const struct attendance_env *env,
                            const char *token, struct attendance_item *out);
/* Cancels registration id, by its registrant (signed in) or an organiser of its event (who
 * tells the registrant by mail). ENTRY_FORBIDDEN for anyone else, ENTRY_NOTFOUND for an id
 * unknown or already cancelled. */
int attendance_cancel(struct store *s, struct arena *a, const struct attendance_env *env,
                      const struct viewer *v, long long id, struct attendance_item *out);

/* Does v organise event entry_id (so may see and manage its registrations)? */
bool attendance_organises(struct store *s, struct arena *a, const struct viewer *v,
                          long long entry_id);
/* The registrations (registered then waiting, by occurrence) of e's occurrences after now, for
 * its organisers: ENTRY_FORBIDDEN otherwise. */
int attendance_list(struct store *s, struct arena *a, const struct viewer *v, const struct entry *e,
                    long long now, struct attendance_item **out, int *n);
/* The account's own registrations to e's occurrences after now. */
int attendance_mine(struct store *s, struct arena *a, long long user_id, const struct entry *e,
                    long long now, struct attendance_item **out, int *n);
/* Closes (or reopens) registration to e, by an organiser. */
int attendance_set_closed(struct store *s, struct arena *a, const struct viewer *v,
                          const struct entry *e, bool closed, long long now);
/* An organiser (sender, whose address answers go to) writes to the registered people of e's
 * occurrence (0: of every upcoming one), and to those waiting with waiting_too: one mail each.
 * *sent receives how many. ENTRY_INVALID (subject, text), ENTRY_RATE_LIMITED (*wait). */
int attendance_write(struct store *s, struct arena *a, const struct attendance_env *env,
                     const struct user *sender, const struct entry *e, long long occurrence,
                     const char *subject, const char *text, bool waiting_too,
                     struct field_errors *errs, int *sent, long *wait);

/* The seats of one occurrence as the public sees them. */
struct attendance_occurrence {
    long long start, end;
    int registered, waiting;
    int seats_left; /* -1: no limit */
    bool full;      /* no seat and the waiting list full */
};
/* What an event's page shows: whether it takes registrations here (open: on this site and not
 * closed), its capacity (-1: none), and its next occurrences (at most max) with their seats. */
struct attendance_seats {
    bool on_site, closed;
    long long capacity;
    struct attendance_occurrence *occurrences;
    int n;
};
int attendance_seats(struct store *s, struct arena *a, const struct entry *e, json_t *fields,
                     long long now, int max, struct attendance_seats *out);
/* For n events (the API's lists), the seats left at each one's next occurrence after now:
 * capacities[i] (-1: no limit) less the seats registered; -1 into left[i] when there is no
 * limit or no upcoming occurrence. One read for all. */
int attendance_seats_left(struct store *s, const long long *ids, const long long *capacities, int n,
                          long long now, long long *left);
/* The capacity in an event's fields (-1: none, or a kind without seats), and whether it takes
 * registrations on this site. */
long long attendance_capacity(const struct kind_def *k, json_t *fields);
bool attendance_on_site(const struct kind_def *k, json_t *fields);

/* The save path (core/entry.c entry_save, in its write transaction): a capacity below the seats
 * already registered for an upcoming occurrence of entry_id is refused (ENTRY_INVALID, the
 * reason beside the seats field). */
int attendance_save_check(struct store *s, struct arena *a, const struct kind_def *k,
                          long long entry_id, json_t *fields, long long now,
                          struct field_errors *errs);
/* After a publication (core/entry.c entry_publish, in its transaction): when the published
 * capacity leaves seats free (raised, or no limit any more), the people waiting get them, in
 * order, and are told by mail. */
int attendance_published(struct store *s, struct arena *a, const struct kind_def *k,
                         long long entry_id, json_t *fields, long long now);
/* The chore: guests who did not confirm within ATTENDANCE_CONFIRM_SECONDS lose their
 * registration, their seat going to the next person waiting. *done is increased by how many. 0,
 * or -1 on a storage failure. */
int attendance_expire(struct store *s, struct arena *a, long long now, int *done);

#endif
