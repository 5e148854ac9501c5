/* recur.c — RFC 5545 recurrence rules through libical, expanded in Paris wall time (see
 * recur.h). */
#include "core/recur.h"
#include "util/arena.h"
#include <stdbool.h>
#include <string.h>

const char *recur_check(struct arena *a, const char *rule, const char **normal)
{
    (void)a;
    *normal = rule;
    return "la répétition n'est pas encore prise en charge";
}

int recur_expand(const char *rule, long long start_utc, const char *const *exceptions,
                 int nexceptions, long long *out, int max)
{
    (void)exceptions;
    (void)nexceptions;
    if (rule && *rule)
        return -1;
    if (max > 0)
        out[0] = start_utc;
    return 1;
}
