/* moderation_store.h — rows of moderation: the queue of pending revisions, the state changes
 * of revisions, the moderation log, the site's generation, and what moderation asks of users
 * (their revisions, their count of published ones, their role and status). The decisions
 * themselves (who may, what follows from what) are core/moderation.c's. */
#ifndef FOISON_MODERATION_STORE_H
#define FOISON_MODERATION_STORE_H
#include "store/entry_store.h"
#include "store/store.h"

struct arena;

/* The site's generation: a counter in the file that every write transaction bumps
 * (store_generation_bump, inside it), so that the page caches of every process serving the
 * file see each other's writes. */
int store_generation(struct store *s, long long *gen);
int store_generation_bump(struct store *s);

int store_revision_set_state(struct store *s, long long entry_id, int number, const char *state);
/* A whole revision by its id (the number moderation pages and the API name it by). */
int store_revision_by_id(struct store *s, struct arena *a, long long id, struct revision_row *out);

/* A pending revision with its entry, for the queue. */
struct pending_row {
    struct revision_row rev; /* without fields and rendered */
    const char *slug, *kind;
    int published_rev; /* of the entry: 0 for a new entry never published */
};
/* Pending revisions of entries not deleted, oldest first, paged; total receives how many. */
int store_pending_list(struct store *s, struct arena *a, int offset, int limit,
                       struct pending_row **out, int *n, int *total);
/* The pending revisions of one entry, in number order (no fields). */
int store_entry_pending(struct store *s, struct arena *a, long long entry_id,
                        struct revision_row **out, int *n);

struct modlog_row {
    long long id, created;
    const char *moderator, *action, *slug, *kind, *target, *reason;
    int revision;
};
int store_modlog_insert(struct store *s, long long now, long long moderator_id, const char *action,
                        long long entry_id, int revision, long long target_user_id,
                        const char *reason);
/* The log, newest first, paged. */
int store_modlog_list(struct store *s, struct arena *a, int offset, int limit,
                      struct modlog_row **out, int *n);

/* The entries an account wrote revisions of (not deleted), with the number of its first
 * revision in each, at most max. */
struct author_entry_row {
    long long entry_id;
    int first_number;
};
int store_author_entries(struct store *s, struct arena *a, long long user_id, int max,
                         struct author_entry_row **out, int *n);
/* How many moderators' approvals an account's edits received (each decision once, however many
 * revisions it published). */
int store_author_approvals(struct store *s, long long user_id, int *n);

#endif
