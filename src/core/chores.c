/* chores.c — the site's timed work (see chores.h): one line per chore, each owned by its
 * module. */
#include "core/chores.h"
#include "core/loan.h"
#include "util/arena.h"
#include <stddef.h>

int chores_run(struct store *s, long long now, int *done)
{
    struct arena *a = arena_new();
    int rc = 0, n = 0;
    /* Each chore: if (module_chore(s, a, now, &n) != 0) rc = -1; */
    if (loan_chore(s, a, now, &n) != 0)
        rc = -1;
    arena_free(a);
    if (done)
        *done = n;
    return rc;
}
