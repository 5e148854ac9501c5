/* loans.c — the pages of loans of shared equipment. */
#include "core/entry.h"
#include "web/app.h"
#include "web/pages.h"

bool page_loan_context(struct request *req, struct store *s, struct tv *ctx, const struct entry *e,
                       const struct json_span *vals, const struct field_errors *errs)
{
    (void)req;
    (void)s;
    (void)ctx;
    (void)e;
    (void)vals;
    (void)errs;
    return true;
}
