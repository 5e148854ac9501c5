/* site.c — what the site says about itself: /robots.txt to machines; to people, the pages a
 * French public platform must have (mentions légales, données personnelles, the accessibility
 * statement), whose texts are site settings (Markdown) with defaults written for foison. */
#include "core/territory.h"
#include "render/markdown.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "web/app.h"
#include "web/page_cache.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>

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
                        "Disallow: /recherche\n"
                        "Disallow: /*/new$\n"
                        "Disallow: /proposer/\n"
                        "Disallow: /*/*/edit$\n"
                        "Disallow: /*/*/history$\n"
                        "Disallow: /*/*/diff$\n"
                        "Disallow: /*/*/diff?\n"
                        "Allow: /\n");
}

static const struct {
    const char *path, *setting, *title, *flag;
} site_texts[] = {
    {"/mentions-legales", "legal_notice", "Mentions légales", "is_legal"},
    {"/donnees-personnelles", "privacy_notice", "Données personnelles", "is_privacy"},
    {"/accessibilite", "accessibility_statement", "Déclaration d'accessibilité",
     "is_accessibility"},
};

/* GET /mentions-legales, /donnees-personnelles, /accessibilite. */
void page_site_text(struct request *req)
{
    size_t i = 0;
    while (i < sizeof site_texts / sizeof *site_texts && strcmp(site_texts[i].path, req->path) != 0)
        i++;
    struct store *s = app_store(req);
    if (i == sizeof site_texts / sizeof *site_texts || !s) {
        app_error(req, s ? 404 : 503, false);
        return;
    }
    unsigned long gen = app_generation(req);
    bool plain = !req->logged_in && req->query.n == 0;
    if (plain && page_cache_serve(req, req->path, gen))
        return;
    struct tv *ctx = app_context(req, site_texts[i].title);
    app_describe(
        req, ctx,
        arena_printf(req->arena, "%s — %s.", site_texts[i].title, req->app->territory->site_name));
    char *text = store_setting_get(s, site_texts[i].setting);
    if (text && *text) {
        /* The operator's text, through the same safe renderer as the records. */
        char *html = markdown_render(text, strlen(text));
        tv_set_html(ctx, "body", arena_strdup(req->arena, html ? html : ""));
        free(html);
    }
    free(text);
    tv_set_bool(ctx, site_texts[i].flag, true);
    app_render(req, "site_text", ctx);
    if (plain)
        page_cache_store(req, req->path, gen);
}
