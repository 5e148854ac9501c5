/* accompany_store.h — rows of accompanied writing (migration 17): which actor a record was
 * written with or for and by which mediator, the invitation to a person of the actor (its token
 * hash, address and expiry), and its taking over. Who may do what is core/accompany.c's. */
#ifndef FOISON_ACCOMPANY_STORE_H
#define FOISON_ACCOMPANY_STORE_H
#include "store/store.h"

struct arena;

struct accompany_row {
    long long entry_id, actor_id, mediator_id, created;
    long long invite_expires;     /* 0: no invitation */
    long long taken_by, taken_at; /* 0: not taken over */
    const char *invite_email;     /* "" once taken over or when none */
    const char *mediator;         /* the mediator's name */
    const char *taken_name;       /* the name of who took it over ("" when none) */
};

/* A new accompaniment of entry_id; STORE_CONFLICT when the entry already has one. hash NULL:
 * no invitation (email and expires ignored). */
int store_accompany_insert(struct store *s, long long entry_id, long long actor_id,
                           long long mediator_id, long long now, const unsigned char *hash,
                           const char *email, long long expires);
/* The accompaniment of entry_id; STORE_NOTFOUND when it has none. */
int store_accompany_get(struct store *s, struct arena *a, long long entry_id,
                        struct accompany_row *out);
/* The accompaniment whose invitation has this token hash; STORE_NOTFOUND when none. */
int store_accompany_by_hash(struct store *s, struct arena *a, const unsigned char hash[32],
                            struct accompany_row *out);
/* Records the taking over by user_id in the one statement that checks the invitation is still
 * open (not taken, not expired): STORE_NOTFOUND when it is not, so that it never serves twice.
 * The address is forgotten. */
int store_accompany_take(struct store *s, long long entry_id, long long user_id, long long now);
/* Which of the n entries ids are accompanied: flags[i] for ids[i], in one query. */
int store_accompany_among(struct store *s, const long long *ids, int n, bool *flags);
/* How many invitations mediator_id sent since `since` (the limit against mail floods). */
int store_accompany_invites_since(struct store *s, long long mediator_id, long long since, int *n);
/* The names of the active accounts but except_id managing entry_id (an actor's people), in the
 * order they became managers, at most max. */
int store_accompany_people(struct store *s, struct arena *a, long long entry_id,
                           long long except_id, int max, const char ***names, int *n);
/* The authors of entry_id's published revisions but except_id, in order of first contribution,
 * at most max. */
int store_accompany_other_authors(struct store *s, struct arena *a, long long entry_id,
                                  long long except_id, int max, const char ***names, int *n);

/* One accompaniment as a person's data export lists it. */
struct accompany_export_row {
    long long created, taken_at, invite_expires;
    const char *role; /* "mediator" or "taken_over" */
    const char *entry_slug, *entry_kind, *actor_slug, *invite_email;
};
/* The accompaniments user_id made as a mediator or took over, newest first (at most max). */
int store_accompany_of_user(struct store *s, struct arena *a, long long user_id, int max,
                            struct accompany_export_row **out, int *n);

/* The account that wrote the first revision of entry_id, in *user_id (0 when none is known). */
int store_accompany_creator(struct store *s, long long entry_id, long long *user_id);

#endif
