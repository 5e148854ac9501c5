/* rate.c — the limits of edits per account and per address (see rate.h). */
#include "core/rate.h"
#include "core/territory.h"
#include "util/arena.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Accounts: when a table is full of held accounts, a new one shares its bucket's counter (never
 * let through: an account's own budget must hold). Addresses: a new one is let through
 * uncounted (whoever can fill the table holds many addresses anyway, and every account keeps
 * its own limit), rather than making visitors of new addresses share a counter. */
static struct throttle *rate_by_account, *rate_by_address, *rate_previews;
static pthread_once_t rate_once = PTHREAD_ONCE_INIT;

static void rate_tables_init(void)
{
    rate_by_account = throttle_new(4096, RATE_EDIT_WINDOW, THROTTLE_OVERFLOW_SHARE);
    rate_by_address = throttle_new(4096, RATE_EDIT_WINDOW, THROTTLE_OVERFLOW_UNTRACKED);
    rate_previews = throttle_new(4096, RATE_EDIT_WINDOW, THROTTLE_OVERFLOW_SHARE);
}

/* A setting as a throttle limit: 0 (off) to 65535 (a table's counters' bound). */
static int rate_setting(struct store *s, const char *key, long fallback)
{
    long v = territory_setting_long(s, key, fallback);
    return v > 65535 ? 65535 : (int)v;
}

long rate_edit_take(struct store *s, const struct viewer *author, const char *ip, long long now,
                    struct rate_hold *hold)
{
    pthread_once(&rate_once, rate_tables_init);
    memset(hold, 0, sizeof(*hold));
    hold->now = now;
    bool trusted = viewer_publishes(author);
    int max = trusted ? rate_setting(s, "rate_edits", RATE_EDITS_DEFAULT)
                      : rate_setting(s, "rate_edits_new", RATE_EDITS_NEW_DEFAULT);
    if (max == 0)
        return 0;
    /* The account first, then the address: a refusal by the second takes the first back. */
    if (author->user_id > 0) {
        snprintf(hold->keys[hold->n], sizeof hold->keys[0], "%lld", author->user_id);
        long wait = throttle_take(rate_by_account, hold->keys[hold->n], max, now);
        if (wait > 0)
            return wait;
        hold->tables[hold->n++] = rate_by_account;
    }
    if (!trusted && ip) {
        throttle_address(ip, hold->keys[hold->n], sizeof hold->keys[0]);
        long wait = throttle_take(rate_by_address, hold->keys[hold->n], max, now);
        if (wait > 0) {
            rate_edit_forgive(hold);
            return wait;
        }
        if (wait == 0) /* THROTTLE_UNTRACKED: let through, nothing to take back */
            hold->tables[hold->n++] = rate_by_address;
    }
    return 0;
}

long rate_preview_take(struct store *s, const struct viewer *author, long long now)
{
    pthread_once(&rate_once, rate_tables_init);
    int max = rate_setting(s, "rate_previews", RATE_PREVIEWS_DEFAULT);
    if (max == 0 || author->user_id <= 0)
        return 0;
    char key[32];
    snprintf(key, sizeof key, "%lld", author->user_id);
    return throttle_take(rate_previews, key, max, now);
}

void rate_edit_forgive(struct rate_hold *hold)
{
    for (int i = 0; i < hold->n; i++)
        throttle_forgive(hold->tables[i], hold->keys[i], hold->now);
    hold->n = 0;
}

const char *rate_edit_refusal(struct arena *a, long wait)
{
    return arena_printf(a,
                        "Vous avez enregistré beaucoup de modifications en peu de temps : "
                        "rien n'a été enregistré cette fois. Patientez %ld seconde%s, puis "
                        "enregistrez de nouveau (votre texte est conservé).",
                        wait, wait > 1 ? "s" : "");
}
