/* workshop_store.h — rows of public-writing workshops: batches of one-time sign-up links made by
 * a mediator, the links (token hashes only), the accounts opened through them (users.sponsor_id,
 * users.workshop_id), and the pending revisions of a mediator's participants. Who may do what is
 * core/workshop.c's (and core/moderation.c's for the decisions). */
#ifndef FOISON_WORKSHOP_STORE_H
#define FOISON_WORKSHOP_STORE_H
#include "store/moderation_store.h"
#include "store/store.h"

struct arena;

struct workshop_row {
    long long id, mediator_id, created, expires;
    const char *title;
    int open, used, revoked; /* links in each state */
};

struct workshop_link_row {
    long long id, used;
    const char *state;       /* open, used, revoked */
    const char *participant; /* the name of the account opened through it ("" when none) */
};

/* A new batch; its id into *id. */
int store_workshop_insert(struct store *s, long long mediator_id, const char *title, long long now,
                          long long expires, long long *id);
/* One link of a batch, by the hash of its token. STORE_CONFLICT on a (never seen) hash clash. */
int store_workshop_link_insert(struct store *s, long long workshop_id,
                               const unsigned char hash[32]);
/* The batches of a mediator, newest first, at most limit. */
int store_workshops_of(struct store *s, struct arena *a, long long mediator_id, int limit,
                       struct workshop_row **out, int *n);
int store_workshop_get(struct store *s, struct arena *a, long long id, struct workshop_row *out);
/* The links of a batch in the order they were made. */
int store_workshop_links(struct store *s, struct arena *a, long long workshop_id,
                         struct workshop_link_row **out, int *n);

/* The link of a token hash with its batch: state, expiry, batch, title, mediator (id and name). */
struct workshop_ticket_row {
    long long link_id, workshop_id, mediator_id, expires;
    const char *state, *title, *mediator;
};
int store_workshop_ticket(struct store *s, struct arena *a, const unsigned char hash[32],
                          struct workshop_ticket_row *out);
/* Uses the link up for user_id, in the one statement that checks it is open and not expired:
 * STORE_NOTFOUND when it is not (any more), so it can never serve twice. */
int store_workshop_link_use(struct store *s, long long link_id, long long user_id, long long now);
/* Revokes the open links of a batch (link_id 0) or one of them; *n receives how many. */
int store_workshop_links_revoke(struct store *s, long long workshop_id, long long link_id, int *n);

/* An active contributor account vouched for by sponsor_id, opened through workshop_id. */
int store_workshop_user_insert(struct store *s, const char *email, const char *name,
                               const char *password_hash, long long now, long long sponsor_id,
                               long long workshop_id, long long *id);
/* The account that vouched for user_id (0 when none) into *sponsor_id. */
int store_user_sponsor(struct store *s, long long user_id, long long *sponsor_id);

/* Pending revisions (of entries not deleted) by accounts sponsor_id vouched for, oldest first,
 * paged; total receives how many. The rows of store_pending_list. */
int store_pending_sponsored(struct store *s, struct arena *a, long long sponsor_id, int offset,
                            int limit, struct pending_row **out, int *n, int *total);

#endif
