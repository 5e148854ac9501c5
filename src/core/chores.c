/* chores.c — the site's timed work (see chores.h): one line per chore, each owned by its
 * module. */
#include "core/chores.h"
#include "core/attendance.h"
#include "core/loan.h"
#include "util/arena.h"
#include <stddef.h>

int chores_run(struct store *s, long long now, int *done)
{
    struct arena *a = arena_new();
    int rc = 0, seats = 0, reminders = 0;
    /* Each chore its own count: a failed one leaves the others to run. */
    if (attendance_expire(s, a, now, &seats) != 0)
        rc = -1;
    if (loan_chore(s, a, now, &reminders) != 0)
        rc = -1;
    arena_free(a);
    if (done)
        *done = seats + reminders;
    return rc;
}
