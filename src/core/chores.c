/* chores.c — the site's timed work (see chores.h): one line per chore, each owned by its
 * module. */
#include "core/chores.h"
#include "core/attendance.h"
#include "core/loan.h"
#include "core/media.h"
#include "store/moderation_store.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/tz.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pages cached for the public show what depends on the day (the agenda from today, a calendar's
 * today, a session still open, the next dates of an event): when the Paris day changes, the
 * site's generation moves once, so that no cached page outlives its day. */
static int chores_new_day(struct store *s, long long now)
{
    struct tz_local l;
    tz_paris_from_utc(now, &l);
    char today[16];
    snprintf(today, sizeof today, "%04d-%02d-%02d", l.year, l.month, l.day);
    char *last = store_setting_get(s, "chores_day");
    bool same = last && strcmp(last, today) == 0;
    free(last);
    if (same)
        return 0;
    if (store_begin(s) != STORE_OK)
        return -1;
    if (store_setting_set(s, "chores_day", today) != STORE_OK ||
        store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

int chores_run(struct store *s, long long now, int *done)
{
    struct arena *a = arena_new();
    int rc = 0, seats = 0, reminders = 0;
    /* Each chore its own count: a failed one leaves the others to run. */
    if (chores_new_day(s, now) != 0)
        rc = -1;
    if (attendance_expire(s, a, now, &seats) != 0)
        rc = -1;
    if (loan_chore(s, a, now, &reminders) != 0)
        rc = -1;
    if (media_purge(s, now, NULL) != 0)
        rc = -1;
    arena_free(a);
    if (done)
        *done = seats + reminders; /* a new day's bump is no work anyone waits for */
    return rc;
}
