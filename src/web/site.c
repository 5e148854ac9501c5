/* site.c — what the site says about itself to machines: /robots.txt. */
#include "util/buf.h"
#include "web/app.h"
#include "web/pages.h"

/* GET /robots.txt — crawlers may read the site; they are kept off the pages that exist only to
 * write (login, the forms) or that repeat a record's content (history, diff). RFC 9309: "*"
 * matches any characters, "$" ends the path, so the edit rule never catches a slug that merely
 * starts with "edit". The patterns follow the route table's /{kind}/… shapes, every kind at
 * once. The API's writes (POST /api/v1/entries, PUT /api/v1/entries/{slug}) share their paths
 * with its reads and crawlers only GET: no rule could name them without hiding the reads. */
void page_robots(struct request *req)
{
    req->content_type = "text/plain; charset=utf-8";
    req->cache = HTTP_CACHE_PAGE;
    buf_puts(&req->out, "# Les fiches, les listes et l'API en lecture sont ouvertes aux robots.\n"
                        "User-agent: *\n"
                        "Disallow: /login\n"
                        "Disallow: /*/new$\n"
                        "Disallow: /*/*/edit$\n"
                        "Disallow: /*/*/history$\n"
                        "Disallow: /*/*/diff$\n"
                        "Disallow: /*/*/diff?\n"
                        "Allow: /\n");
}
