/* membership.h — joining an entry through a managed relation (an actor joining a network):
 * the managers of the joining entry ask, the managers of the joined one (or moderators) accept
 * or refuse, and each change is saved through the one save path as a new revision of the
 * joining entry. Which kinds join which is the schemas' (field_def.managed), not this file's. */
#ifndef FOISON_MEMBERSHIP_H
#define FOISON_MEMBERSHIP_H
#include "core/relation.h"
#include "core/schema.h"
#include "core/visibility.h"
#include <stdbool.h>

struct arena;
struct store;
struct entry;
struct field_errors;

#define MEMBERSHIP_MESSAGE_MAX 1000

/* The managed relation field that points to entries of kind target (an actor's member_of for a
 * network), with the kind holding it in *holder; NULL when nothing joins such entries. */
const struct field_def *membership_field(const struct kind_def *target,
                                         const struct kind_def **holder);
/* Does v manage entry_id (a manager of it, or a moderator)? */
bool membership_manages(struct store *s, const struct viewer *v, long long entry_id);

struct membership_request {
    long long id;
    struct related_entry holder; /* the entry asking to join */
    const char *requester, *message;
    long long created;
};

/* The holder-kind entries v manages that are not members of target yet: what v may ask to
 * join with. */
int membership_candidates(struct store *s, struct arena *a, const struct viewer *v,
                          const struct entry *target, struct related_entry **out, int *n);
/* v asks that the entry holder_slug join target. ENTRY_INVALID with the reason in errs (not
 * theirs to ask for, already a member, already asked, message too long); ENTRY_OK. */
int membership_ask(struct store *s, struct arena *a, const struct viewer *v,
                   const struct entry *target, const char *holder_slug, const char *message,
                   long long now, struct field_errors *errs);
/* The open requests to target, oldest first, when v manages it (ENTRY_FORBIDDEN otherwise). */
int membership_requests(struct store *s, struct arena *a, const struct viewer *v,
                        const struct entry *target, struct membership_request **out, int *n);
/* v, a manager of target, accepts or refuses request id: accepted, the holder entry gets a
 * revision that adds target to its managed field. ENTRY_NOTFOUND for a request not open for
 * target, ENTRY_FORBIDDEN when v does not manage target. */
int membership_decide(struct store *s, struct arena *a, const struct viewer *v,
                      const struct entry *target, long long request_id, bool accept, long long now);
/* The holder entry holder_slug leaves target, by a manager of either side: a revision without
 * target in its managed field. */
int membership_remove(struct store *s, struct arena *a, const struct viewer *v,
                      const struct entry *target, const char *holder_slug, long long now);

#endif
