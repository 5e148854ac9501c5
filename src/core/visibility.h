/* visibility.h — who is asking, and the one rule of what they may see. Every read of core/
 * takes a viewer; a page, the API, and later search, the map, feeds and exports all ask here
 * rather than testing a revision's state themselves.
 *
 * The rule: a published revision is public; a pending or rejected one is seen only by its author
 * and by moderators; a draft by its author only. "The revision the public sees" of an entry is
 * its published one; "the revision this viewer edits" is the latest revision that is published or
 * their own pending one (entry_edit_revision in entry.h). Deleted entries are seen by nobody; an
 * entry hidden after readers' reports (or withdrawn by a moderator who upheld them) is seen by
 * moderators only, through every door (lists and counts are the public's view: they never hold it).
 */
#ifndef FOISON_VISIBILITY_H
#define FOISON_VISIBILITY_H
#include <stdbool.h>

struct user;

/* In increasing order of rights: comparisons (role >= ROLE_TRUSTED) are meaningful. */
enum role {
    ROLE_VISITOR = 0, /* not signed in */
    ROLE_CONTRIBUTOR, /* signed up: edits are held for moderation */
    ROLE_TRUSTED,     /* edits are published at once (unless the spam score holds them) */
    ROLE_MODERATOR,   /* approves, rejects, rolls back, blocks */
    ROLE_ADMIN,       /* and the site's settings */
};

struct viewer {
    long long user_id; /* 0: anonymous */
    enum role role;
};

extern const struct viewer viewer_public;
/* The site's operator at the command line (demo, imports): an admin without an account. */
extern const struct viewer viewer_operator;

/* The viewer of a signed-in user (NULL: the public). */
struct viewer viewer_of(const struct user *u);
/* A role by its name in the users table ("contributor"…); ROLE_VISITOR for an unknown name. */
enum role role_from_name(const char *name);
const char *role_name(enum role r);
/* A role that may be given to an account: contributor, trusted, moderator, admin. */
bool role_assignable(const char *name);
bool viewer_moderates(const struct viewer *v);
/* The rule itself: may v see a revision in state ("published", "pending", "rejected") by
 * author_id? A "draft" (core/draft.h: answers of the guided path not yet sent) is seen by its
 * author alone, not by moderators. */
bool viewer_sees(const struct viewer *v, const char *state, long long author_id);
/* The rule for an entry as a whole, before its revisions: never a deleted one, and a hidden one
 * (entries.hidden: 1 after reports, 2 withdrawn) only for moderators. */
bool viewer_sees_entry(const struct viewer *v, bool deleted, int hidden);
/* Are v's edits published at once (trusted and above), or held for moderation? */
bool viewer_publishes(const struct viewer *v);

#endif
