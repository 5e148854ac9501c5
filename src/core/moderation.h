/* moderation.h — what moderators do: the queue of pending revisions, approving and rejecting
 * them, rolling back every edit of one account, blocking an account, trusting one, and the log
 * of all of it. Each decision is one write transaction with its log row and a new generation of
 * the site, so no cache anywhere keeps showing what it changed. Only moderators may (and, for
 * approving and rejecting the texts of their workshop's participants, their mediators): every
 * function checks the viewer it is given (MODERATION_FORBIDDEN). */
#ifndef FOISON_MODERATION_H
#define FOISON_MODERATION_H
#include "core/entry.h"
#include "core/visibility.h"

struct arena;
struct store;

enum moderation_status {
    MODERATION_OK = 0,
    MODERATION_ERR = -1,       /* storage failure, logged */
    MODERATION_NOTFOUND = -2,  /* no such pending revision, or no such account */
    MODERATION_CONFLICT = -3,  /* written on a text the public no longer sees: reject it */
    MODERATION_FORBIDDEN = -4, /* the viewer is not a moderator (or acts on a higher role) */
};

#define MODERATION_REASON_MAX 500 /* bytes of a reason given by a moderator */

/* One pending revision as the queue shows it. */
struct moderation_item {
    long long revision_id;
    const struct kind_def *kind;
    const char *slug, *title, *author;
    long long author_id, created;
    int number, parent, published_rev;
    int score;
    const char *reasons; /* JSON array text */
    bool new_entry;      /* no published revision yet */
    bool stale;          /* not written on the published text: approving it would conflict */
    json_t *fields;      /* its fields and its parent's ({} for a new entry), for the diff */
    json_t *parent_fields;
};

/* Pending revisions oldest first, page by page; *total receives the length of the queue. */
int moderation_queue(struct store *s, struct arena *a, const struct viewer *v, int page,
                     int per_page, struct moderation_item **items, int *n, int *total);
/* The pending revisions of the accounts v vouched for at a workshop (core/workshop.c), for v,
 * a mediator (any account trusted or above): the same items as the queue. */
int moderation_queue_sponsored(struct store *s, struct arena *a, const struct viewer *v, int page,
                               int per_page, struct moderation_item **items, int *n, int *total);
/* Publishes a pending revision (and the pending texts it was written on); logs it; may make its
 * author trusted (site settings trust_edits and trust_days). A moderator may decide on any; a
 * mediator (trusted or above) only on the texts of the accounts they vouched for, checked inside
 * the transaction (MODERATION_FORBIDDEN otherwise). Rejection: the same. */
int moderation_approve(struct store *s, struct arena *a, const struct viewer *v,
                       long long revision_id, const char *reason, long long now);
/* Rejects a pending revision and the pending ones written on it; logs it with the reason. */
int moderation_reject(struct store *s, struct arena *a, const struct viewer *v,
                      long long revision_id, const char *reason, long long now);
/* Undoes one account's edits on every entry where they are the latest published text (the
 * entry goes back to the last published text by someone else, or is deleted when the account
 * wrote all of it) and rejects its pending ones. *entries receives how many entries changed. */
int moderation_rollback(struct store *s, struct arena *a, const struct viewer *v, long long user_id,
                        const char *reason, long long now, int *entries);
/* Blocks an account: its sessions and API tokens die at once, its pending edits are rejected.
 * Moderators cannot block a moderator or an admin; admins can block moderators. */
int moderation_block(struct store *s, struct arena *a, const struct viewer *v, long long user_id,
                     const char *reason, long long now);
/* Gives an account the role trusted (from contributor), by a moderator's hand. */
int moderation_trust(struct store *s, struct arena *a, const struct viewer *v, long long user_id,
                     long long now);

/* For the other decisions of moderators (core/report.c): opens the write transaction of a
 * decision by v, still an active moderator inside it (me receives v with its role as the file
 * has it); MODERATION_FORBIDDEN or MODERATION_ERR with nothing open otherwise. Then
 * moderation_finish(s, rc) bumps the site's generation and commits when rc is MODERATION_OK,
 * rolls back otherwise, and returns the outcome. */
int moderation_begin(struct store *s, struct arena *a, const struct viewer *v, struct viewer *me);
int moderation_finish(struct store *s, int rc);

struct moderation_log_item {
    long long created;
    const char *moderator, *action, *slug, *kind, *target, *reason;
    int revision;
};
int moderation_log(struct store *s, struct arena *a, const struct viewer *v, int page, int per_page,
                   struct moderation_log_item **items, int *n);

#endif
