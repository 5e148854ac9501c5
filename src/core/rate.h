/* rate.h — how fast accounts and addresses may write: edits per minute, asked by the one save
 * path (core/entry.c entry_save), so that every door (forms, API, revert, later imports) is
 * limited alike. Limits are site settings, read at each save (a change applies at once):
 *   rate_edits_new (RATE_EDITS_NEW_DEFAULT): edits per minute of a contributor (an account below
 *     trusted), counted per account AND per client address (an IPv6 address by its /64), so that
 *     a flood of fresh accounts from one place is slowed as one;
 *   rate_edits (RATE_EDITS_DEFAULT): edits per minute of a trusted account, a moderator or an
 *     admin, per account only (trusted people behind one address — a library, a school — never
 *     share a budget). Moderators are limited too: a script run with a stolen moderator's token
 *     is still bounded; their bulk actions (rollback) do not go through here.
 * 0 turns a limit off. The site's operator at the command line (demo, imports) is never limited.
 * The counters live in memory (core/throttle.h: a sliding window of RATE_EDIT_WINDOW seconds,
 * check and count in one atomic step), per process, as the login limits do. */
#ifndef FOISON_RATE_H
#define FOISON_RATE_H
#include "core/throttle.h"
#include "core/visibility.h"

struct store;

#define RATE_EDITS_NEW_DEFAULT 8
#define RATE_EDITS_DEFAULT 90
#define RATE_EDIT_WINDOW 60 /* seconds */

/* What rate_edit_take counted, so that rate_edit_forgive can take it back. */
struct rate_hold {
    struct throttle *tables[2];
    char keys[2][THROTTLE_ADDRESS_MAX + 8];
    int n;
    long long now;
};

/* Counts one edit by author (the rights it saves with) from ip (NULL: unknown, no address
 * limit) at now, when the limits let it through: returns 0 and fills hold. Otherwise counts
 * nothing and returns the seconds to wait (> 0). An author without an account (user_id 0, the
 * operator's saves) is limited by address only, when ip is given. */
long rate_edit_take(struct store *s, const struct viewer *author, const char *ip, long long now,
                    struct rate_hold *hold);
/* Takes back what hold counted (the edit wrote nothing after all). */
void rate_edit_forgive(struct rate_hold *hold);
/* Previews of Markdown (POST /api/v1/preview, the form's "Prévisualiser"): rate_previews
 * (RATE_PREVIEWS_DEFAULT) a minute per account, every role alike (a preview writes nothing, but
 * each one holds the renderer's lock a moment). 0 when author may preview now (counted), else
 * the seconds to wait. */
#define RATE_PREVIEWS_DEFAULT 60
long rate_preview_take(struct store *s, const struct viewer *author, long long now);
/* The French sentence every door shows for a save refused by the rate (wait: seconds), in a. */
struct arena;
const char *rate_edit_refusal(struct arena *a, long wait);

#endif
