/* home.c — the home page, the health check and static files. */
#include "core/entry.h"
#include "core/territory.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/page_cache.h"
#include "web/pages.h"
#include <string.h>

/* GET / — counts, featured and latest innovations, the network's counts, the latest articles,
 * themes. */
void page_home(struct request *req)
{
    unsigned long gen = app_generation(req);
    if (!req->logged_in && page_cache_serve(req, "/", gen))
        return;
    const struct kind_def *k = kind_find("innovation");
    struct store *s = app_store(req);
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Les innovations sociales du %s",
                                                   req->app->territory->territory_name));
    int entries = 0, communes = 0, contributors = 0, n, total;
    struct entry_item *items;
    if (!s || entry_counts(s, k, &entries, &communes, &contributors) != ENTRY_OK) {
        app_error(req, 500, false);
        return;
    }
    tv_set_int(ctx, "count_entries", entries);
    tv_set_int(ctx, "count_communes", communes);
    tv_set_int(ctx, "count_contributors", contributors);
    struct entry_item *featured = NULL;
    int nfeatured = 0;
    if (entry_featured(s, req->arena, k, 6, &featured, &nfeatured) == ENTRY_OK)
        entry_view_items(req, tv_set_list(ctx, "featured"), k, featured, nfeatured);
    /* The latest updates, without the records already shown at the top. */
    if (entry_list(s, req->arena, k, NULL, 0, 1, 8 + nfeatured, &items, &n, &total) == ENTRY_OK) {
        int kept = 0;
        for (int i = 0; i < n && kept < 8; i++) {
            bool shown = false;
            for (int j = 0; j < nfeatured; j++)
                shown |= strcmp(items[i].slug, featured[j].slug) == 0;
            if (!shown)
                items[kept++] = items[i];
        }
        entry_view_items(req, tv_set_list(ctx, "latest"), k, items, kept);
    }
    /* The network beside the innovations: a count per kind, and the latest articles. */
    struct tv *network = tv_set_list(ctx, "network");
    for (size_t i = 0; i < kind_count(); i++) {
        const struct kind_def *nk = kind_at(i);
        int count = 0, unused1, unused2;
        if (nk == k || nk->nav_hidden ||
            entry_counts(s, nk, &count, &unused1, &unused2) != ENTRY_OK)
            continue;
        struct tv *o = tv_push_obj(network);
        tv_set_int(o, "count", count);
        tv_set_str(o, "label", count <= 1 ? nk->label : nk->label_plural); /* 0 lieu, 2 lieux */
        tv_set_str(o, "href", nk->list_path);
    }
    const struct kind_def *ak = kind_find("article");
    struct entry_item *articles;
    int narticles, unused;
    if (ak &&
        entry_list(s, req->arena, ak, NULL, 0, 1, 4, &articles, &narticles, &unused) == ENTRY_OK)
        entry_view_items(req, tv_set_list(ctx, "articles"), ak, articles, narticles);
    struct tv *themes = tv_set_list(ctx, "themes");
    for (size_t i = 0; i < req->app->territory->nthemes; i++) {
        struct tv *t = tv_push_obj(themes);
        tv_set_str(t, "label", req->app->territory->themes[i].label);
        tv_set_strf(t, "href", "/innovations?theme=%s", req->app->territory->themes[i].id);
    }
    app_render(req, "home", ctx);
    page_cache_store(req, "/", gen);
}

/* GET /healthz — the site file answers. */
void page_healthz(struct request *req)
{
    req->content_type = "text/plain; charset=utf-8";
    req->cache = HTTP_CACHE_NONE;
    if (!app_store(req)) {
        req->status = 503;
        buf_puts(&req->out, "unavailable\n");
        return;
    }
    buf_puts(&req->out, "ok\n");
}

/* GET /static/{file} — fingerprinted names are immutable; plain names revalidate. */
void page_static(struct request *req)
{
    const struct static_asset *as = app_asset(req->app, req->params[0]);
    if (!as) {
        app_error(req, 404, false);
        return;
    }
    bool fingerprinted = strcmp(req->params[0], as->fingerprinted) == 0;
    http_shared_send(req, fingerprinted ? as->immutable : as->plain, false);
}

/* GET /favicon.ico — browsers ask for it whatever the pages say: the SVG icon answers. */
void page_favicon(struct request *req)
{
    req->params[0] = "favicon.svg";
    page_static(req);
}
