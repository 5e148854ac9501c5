/* visibility.c — roles and the rule of who sees which revision (see visibility.h). */
#include "core/visibility.h"
#include "core/account.h"
#include <string.h>

const struct viewer viewer_public = {0, ROLE_VISITOR};
const struct viewer viewer_operator = {0, ROLE_ADMIN};

static const char *const role_names[] = {
    [ROLE_VISITOR] = "visitor", [ROLE_CONTRIBUTOR] = "contributor",
    [ROLE_TRUSTED] = "trusted", [ROLE_MODERATOR] = "moderator",
    [ROLE_ADMIN] = "admin",
};

enum role role_from_name(const char *name)
{
    for (size_t i = ROLE_CONTRIBUTOR; name && i < sizeof role_names / sizeof *role_names; i++)
        if (strcmp(name, role_names[i]) == 0)
            return (enum role)i;
    return ROLE_VISITOR;
}

const char *role_name(enum role r)
{
    return r <= ROLE_ADMIN ? role_names[r] : "visitor";
}

bool role_assignable(const char *name)
{
    return role_from_name(name) != ROLE_VISITOR;
}

struct viewer viewer_of(const struct user *u)
{
    if (!u || u->id <= 0)
        return viewer_public;
    return (struct viewer){u->id, role_from_name(u->role)};
}

/* Rights come from the role alone: a request's viewer has a role above visitor only through a
 * signed-in account (viewer_of), and the operator's (viewer_operator) exists only in the CLI. */
bool viewer_moderates(const struct viewer *v)
{
    return v && v->role >= ROLE_MODERATOR;
}

bool viewer_publishes(const struct viewer *v)
{
    return v && v->role >= ROLE_TRUSTED;
}

bool viewer_sees(const struct viewer *v, const char *state, long long author_id)
{
    if (state && strcmp(state, "published") == 0)
        return true;
    if (!v)
        return false;
    /* A draft was never submitted: nobody is to judge it yet, so moderators do not read it
     * either (they will, once its author sends it). Only an account, never the operator. */
    if (state && strcmp(state, "draft") == 0)
        return v->user_id > 0 && author_id == v->user_id;
    return (v->user_id > 0 && author_id == v->user_id) || viewer_moderates(v);
}

bool viewer_sees_entry(const struct viewer *v, bool deleted, int hidden)
{
    if (deleted)
        return false;
    /* Hidden until a moderator looks: the reports may be right, so nobody else sees it, its
     * authors included (what reports hide is most often its authors' own advertisement). */
    return hidden == 0 || viewer_moderates(v);
}
