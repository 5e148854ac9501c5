/* cohorts.c — the pages of a training's sessions, applications to them and their participants'
 * projects. */
#include "core/entry.h"
#include "web/app.h"
#include "web/pages.h"

bool page_cohort_context(struct request *req, struct store *s, struct tv *ctx,
                         const struct entry *e, const struct json_span *vals,
                         const struct field_errors *errs)
{
    (void)req;
    (void)s;
    (void)ctx;
    (void)e;
    (void)vals;
    (void)errs;
    return true;
}
