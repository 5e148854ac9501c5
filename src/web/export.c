/* export.c — the site's data in other public formats: the visible places as "lieux de médiation
 * numérique" (core/mednum.h, docs/MEDNUM.md). Read through core like every page, a page of
 * entries at a time, written lieu by lieu into the response. */
#include "core/entry.h"
#include "core/mednum.h"
#include "core/territory.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/pages.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries read at once: one page's rows and their lieux live in a scratch arena freed after the
 * page, so a site's size bounds the response, not the memory per lieu. */
#define EXPORT_PAGE 100

/* One place of entry_records as its lieu, appended to out (with a comma before all but the
 * first): 1, or 0 with *why for a place that cannot be one, or -1 when its stored fields cannot
 * be read (a bug: logged, the answer is a 500). */
static int export_place(struct request *req, struct arena *a, const struct entry_item *it,
                        const struct kind_def *k, bool first, struct buf *out,
                        enum mednum_omission *why)
{
    const struct territory *t = req->app->territory;
    json_t *fields = json_loadb(it->values.p, it->values.n, 0, NULL);
    if (!fields) {
        fprintf(stderr, "foison: export: entry %lld: fields unreadable\n", it->id);
        return -1;
    }
    const char *insee =
        json_string_value(json_object_get(json_object_get(fields, "address"), "commune"));
    const struct commune *c = insee ? territory_commune(t, insee) : NULL;
    struct mednum_place p = {
        .id = it->id,
        .updated = it->updated,
        .url = arena_printf(a, "%s/%s/%s", t->base_url, k->segment, it->slug),
        .site_name = t->site_name,
        .commune_name = c ? c->name : NULL,
    };
    json_t *lieu = mednum_lieu_from_place(a, fields, &p, why);
    json_decref(fields);
    if (!lieu)
        return 0;
    /* Coordinates as they were typed (six decimals at most), not with 17 digits. */
    char *text = json_dumps(lieu, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(lieu);
    if (!text)
        return -1;
    buf_puts(out, first ? "\n" : ",\n");
    buf_puts(out, text);
    free(text);
    return 1;
}

/* GET /api/v1/export/places.json — the visible places (published, neither hidden nor deleted)
 * as a JSON array in the national schema of "lieux de médiation numérique", in the order of the
 * list of places. Places that cannot be valid lieux are left out and counted in X-Foison-Omitted
 * (the reasons in X-Foison-Omitted-Reasons: "no-address=3, no-service=1"). No parameters.
 * Cached like every anonymous page (ETag). */
void api_export_places(struct request *req)
{
    const struct kind_def *k = kind_find("place");
    struct store *s = app_store(req);
    if (!k || !s) {
        app_error(req, 503, true);
        return;
    }
    struct buf b = BUF_INIT;
    int omitted[MEDNUM_OMISSIONS] = {0};
    bool ok = true;
    int total = 0, done = 0, exported = 0;
    buf_putc(&b, '[');
    /* Every page from one state of the site: no place twice or missed while someone writes. */
    entry_read_begin(s);
    for (int page = 1;; page++) {
        struct arena *scratch = arena_new();
        struct entry_item *items;
        int n = 0;
        ok = entry_records(s, scratch, k, NULL, 0, page, EXPORT_PAGE, &items, &n, &total) ==
             ENTRY_OK;
        for (int i = 0; ok && i < n; i++) {
            enum mednum_omission why = MEDNUM_EXPORTED;
            int rc = export_place(req, scratch, &items[i], k, exported == 0, &b, &why);
            exported += rc == 1;
            omitted[why] += rc == 0;
            ok = rc >= 0;
        }
        done += n;
        arena_free(scratch);
        if (!ok || n == 0 || done >= total)
            break;
    }
    entry_read_end(s);
    if (!ok) {
        buf_free(&b);
        app_error(req, 500, true);
        return;
    }
    buf_puts(&b, exported ? "\n]\n" : "]\n");
    int left_out = 0;
    struct buf why = BUF_INIT;
    for (int i = 1; i < MEDNUM_OMISSIONS; i++) {
        left_out += omitted[i];
        if (omitted[i])
            buf_printf(&why, "%s%s=%d", why.len ? ", " : "",
                       mednum_omission_name((enum mednum_omission)i), omitted[i]);
    }
    http_add_header(req, "X-Foison-Omitted", arena_printf(req->arena, "%d", left_out));
    if (why.len)
        http_add_header(req, "X-Foison-Omitted-Reasons", arena_strdup(req->arena, buf_cstr(&why)));
    buf_free(&why);
    http_add_header(req, "Content-Disposition",
                    "attachment; filename=\"lieux-de-mediation-numerique.json\"");
    req->status = 200;
    req->content_type = "application/json; charset=utf-8";
    buf_free(&req->out);
    req->out = b;
}
