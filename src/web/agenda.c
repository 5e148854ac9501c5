/* agenda.c — the pages of an event's dates, its series and its iCalendar. */
#include "core/entry.h"
#include "web/app.h"
#include "web/pages.h"

bool page_event_context(struct request *req, struct store *s, struct tv *ctx, const struct entry *e,
                        const struct json_span *vals)
{
    (void)req;
    (void)s;
    (void)ctx;
    (void)e;
    (void)vals;
    return true;
}
