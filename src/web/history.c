/* history.c — the history of a record, the word-level diff between two revisions, and reverting
 * to an older revision (which saves a new revision, never rewrites the past). */
#include "core/diff.h"
#include "core/entry.h"
#include "core/rate.h"
#include "core/validate.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/page_cache.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* GET /{kind}/{slug}/history — every published revision, newest first. */
void page_entry_history(struct request *req)
{
    if (!page_robot_gate(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    struct revision *revs;
    int n, edits = 0;
    struct viewer v = app_viewer(req);
    /* The entry and its history from one state of the site. */
    if (s)
        entry_read_begin(s);
    bool loaded = page_entry_load(req, s, &e, "/history");
    bool read = loaded && entry_history(s, req->arena, &v, &e, &revs, &n) == ENTRY_OK;
    if (read && req->logged_in && entry_edit_revision(s, req->arena, &v, &e, &edits) != ENTRY_OK)
        edits = 0;
    if (s)
        entry_read_end(s);
    if (!loaded)
        return;
    if (!read) {
        app_error(req, 500, false);
        return;
    }
    const char *title = n ? entry_view_title(req, e.kind, revs[0].raw_card) : e.slug;
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Historique de « %s »", title));
    tv_set_str(ctx, "entry_title", title);
    tv_set_str(ctx, "slug", e.slug);
    tv_set_str(ctx, "kind_segment", e.kind->segment);
    tv_set_int(ctx, "latest", e.latest_rev);
    tv_set_int(ctx, "count", n);
    tv_set_strf(ctx, "count_text", "%d révision%s", n, n > 1 ? "s" : "");
    if (req->logged_in)
        app_need_csrf(req, ctx);
    const char *csrf = app_csrf_field(req);
    struct tv *list = tv_set_list(ctx, "revisions");
    for (int i = 0; i < n; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_int(o, "number", revs[i].number);
        tv_set_str(o, "date", app_datetime(req, revs[i].created));
        tv_set_str(o, "author", revs[i].author_name);
        tv_set_str(o, "comment", revs[i].comment);
        tv_set_bool(o, "current", revs[i].number == e.published_rev);
        if (revs[i].parent)
            tv_set_int(o, "parent", revs[i].parent);
        /* Only the public texts can be brought back, on top of the one this visitor edits. */
        bool published = strcmp(revs[i].state, "published") == 0;
        if (!published)
            tv_set_str(o, "state_label",
                       strcmp(revs[i].state, "pending") == 0 ? "en attente de relecture"
                                                             : "refusée");
        tv_set_bool(o, "can_revert", edits && published && revs[i].number != edits);
        tv_set_str(o, "csrf", csrf);
        tv_set_int(o, "base_revision", edits);
    }
    app_render(req, "entry_history", ctx);
}

static struct tv *history_diff_chunks(struct request *req, struct tv *field, const char *a,
                                      const char *b)
{
    struct diff_chunk *chunks;
    size_t n = diff_words(req->arena, a, b, &chunks);
    struct tv *list = tv_set_list(field, "chunks");
    for (size_t i = 0; i < n; i++) {
        struct tv *c = tv_push_obj(list);
        tv_set_str(c, "text", arena_strndup(req->arena, chunks[i].text, chunks[i].len));
        tv_set_bool(c,
                    chunks[i].op == DIFF_EQ    ? "eq"
                    : chunks[i].op == DIFF_DEL ? "del"
                                               : "ins",
                    true);
    }
    return list;
}

void page_diff_fields(struct request *req, struct tv *ctx, const struct kind_def *k, json_t *from,
                      json_t *to, bool changed_only)
{
    struct tv *fields = tv_set_list(ctx, "fields");
    int changed = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field_def *f = &k->fields[i];
        /* A private value is never shown, not even as a difference: only that it changed. */
        json_t *va = json_object_get(from, f->name), *vb = json_object_get(to, f->name);
        bool hidden_change =
            f->private && !json_equal(va ? va : json_null(), vb ? vb : json_null());
        const char *a = f->private ? "" : entry_view_plain(req, f, va);
        const char *b = f->private ? (hidden_change ? "(adresse modifiée, non affichée)" : "")
                                   : entry_view_plain(req, f, vb);
        bool same = strcmp(a, b) == 0;
        changed += !same;
        if (same && changed_only)
            continue;
        struct tv *o = tv_push_obj(fields);
        tv_set_str(o, "label", f->label);
        tv_set_str(o, "name", f->name);
        tv_set_bool(o, "changed", !same);
        history_diff_chunks(req, o, a, b);
    }
    tv_set_int(ctx, "changed", changed);
    tv_set_str(ctx, "changed_text",
               changed == 0   ? "Aucun champ modifié"
               : changed == 1 ? "1 champ modifié"
                              : arena_printf(req->arena, "%d champs modifiés", changed));
}

/* GET /{kind}/{slug}/diff?from=R&to=S — word-level changes of every field. */
void page_entry_diff(struct request *req)
{
    if (!page_robot_gate(req))
        return;
    /* Revisions never change, and a diff costs CPU: anonymous views are cached. */
    struct store *s = app_store(req);
    if (!s) {
        app_error(req, 503, false);
        return;
    }
    unsigned long gen = app_generation(req);
    const char *key = NULL;
    if (!req->logged_in && req->query.n == 2 && http_query(req, "from") && http_query(req, "to"))
        key = arena_printf(req->arena, "%s?from=%d&to=%d", req->path,
                           app_int_param(http_query(req, "from"), 100000000),
                           app_int_param(http_query(req, "to"), 100000000));
    if (key && page_cache_serve(req, key, gen))
        return;
    struct viewer v = app_viewer(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, "/diff"))
        return;
    int from = app_int_param(http_query(req, "from"), 100000000);
    int to = app_int_param(http_query(req, "to"), 100000000);
    if (!to)
        to = e.published_rev;
    bool from_parent = !from; /* read below: the parent of to, a revision this viewer sees */
    struct revision ra, rb;
    if (!to) /* never published: the text this visitor may see */
        to = e.latest_rev;
    if (entry_revision(s, req->arena, &v, &e, to, &rb) != ENTRY_OK ||
        (from_parent && !(from = rb.parent ? rb.parent : to)) ||
        entry_revision(s, req->arena, &v, &e, from, &ra) != ENTRY_OK) {
        app_error(req, 404, false);
        return;
    }
    const char *title = entry_title(e.kind, rb.fields);
    struct tv *ctx = app_context(
        req, arena_printf(req->arena, "Différences entre les révisions %d et %d", from, to));
    tv_set_str(ctx, "entry_title", title);
    tv_set_str(ctx, "slug", e.slug);
    tv_set_str(ctx, "kind_segment", e.kind->segment);
    tv_set_int(ctx, "from", from);
    tv_set_int(ctx, "to", to);
    tv_set_str(ctx, "from_author", ra.author_name);
    tv_set_str(ctx, "to_author", rb.author_name);
    tv_set_str(ctx, "from_date", app_datetime(req, ra.created));
    tv_set_str(ctx, "to_date", app_datetime(req, rb.created));
    tv_set_str(ctx, "from_comment", ra.comment);
    tv_set_str(ctx, "to_comment", rb.comment);
    page_diff_fields(req, ctx, e.kind, ra.fields, rb.fields, false);
    app_render(req, "entry_diff", ctx);
    if (key)
        page_cache_store(req, key, gen);
}

/* The answer to a revert that a rule of the save path refused: why, and the way back. */
static void history_revert_refused(struct request *req, const struct entry *e, int rev,
                                   const struct field_errors *errs)
{
    struct tv *ctx = app_context(req, "Retour en arrière refusé");
    tv_set_int(ctx, "status", 422);
    tv_set_str(ctx, "message",
               arena_printf(req->arena, "La révision %d ne peut pas être rétablie.", rev));
    tv_set_bool(ctx, "has_reasons", errs->n > 0);
    struct tv *list = tv_set_list(ctx, "reasons");
    for (int i = 0; i < errs->n; i++)
        tv_set_str(tv_push_obj(list), "message", errs->e[i].message);
    tv_set_str(ctx, "back_url",
               arena_printf(req->arena, "/%s/%s/history", e->kind->segment, e->slug));
    tv_set_str(ctx, "back_label", "Revenir à l'historique");
    req->cache = HTTP_CACHE_NONE;
    app_render(req, "error", ctx);
    req->status = 422;
}

/* POST /{kind}/{slug}/revert — rev=N, base_revision, csrf: saves revision N's values anew. */
void page_entry_revert(struct request *req)
{
    if (!app_require_login(req) || !app_check_csrf(req))
        return;
    struct store *s = app_store(req);
    struct entry e;
    if (!page_entry_load(req, s, &e, "/history"))
        return;
    int rev = app_int_param(http_form(req, "rev"), 100000000);
    int base = app_int_param(http_form(req, "base_revision"), 100000000);
    struct revision old;
    if (!base) {
        app_error(req, 400, false);
        return;
    }
    struct viewer v = app_viewer(req);
    if (!rev || entry_revision(s, req->arena, &v, &e, rev, &old) != ENTRY_OK ||
        strcmp(old.state, "published") != 0) {
        app_error(req, 404, false);
        return;
    }
    /* The old values go through today's validation like any input (the schema or the
     * territory may have changed since), then through the one save path and its rules. */
    struct field_errors errs = {0};
    json_t *clean =
        validate_entry(req->arena, e.kind, req->app->territory, old.fields, false, &errs);
    struct entry_save in = {.kind = e.kind,
                            .slug = e.slug,
                            .base_rev = base,
                            .fields = clean,
                            .author = v,
                            .comment = arena_printf(req->arena, "Retour à la révision %d", rev),
                            .now = (long long)time(NULL),
                            .client_ip = http_client_ip(req),
                            .errs = &errs};
    struct entry_saved saved;
    int rc = clean ? entry_save(s, req->arena, &in, &saved) : ENTRY_INVALID;
    json_decref(clean);
    if (rc == ENTRY_RATE_LIMITED) {
        validate_error(&errs, "spam", rate_edit_refusal(req->arena, saved.retry_after));
        history_revert_refused(req, &e, rev, &errs);
        req->status = 429;
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%ld", saved.retry_after));
        return;
    }
    if (rc == ENTRY_CONFLICT) {
        /* Someone saved since the history was shown: show it again, with their revision. */
        http_redirect(req, 303,
                      arena_printf(req->arena, "/%s/%s/history", e.kind->segment, e.slug));
        return;
    }
    if (rc == ENTRY_INVALID) {
        history_revert_refused(req, &e, rev, &errs);
        return;
    }
    if (rc != ENTRY_OK) {
        app_error(req, rc == ENTRY_FORBIDDEN ? 403 : rc == ENTRY_NOTFOUND ? 404 : 500, false);
        return;
    }
    app_flash(req, saved.rev == base                     ? "unchanged"
                   : strcmp(saved.state, "pending") == 0 ? "pending"
                                                         : "reverted");
    http_redirect(req, 303, arena_printf(req->arena, "/%s/%s", e.kind->segment, saved.entry.slug));
}
