/* membership.c — the join block of an entry that others join (a network): the request form
 * for the managers of a joining entry, the open requests and the members with their buttons
 * for the entry's managers; and the posts that ask, decide and remove. */
#include "core/membership.h"
#include "core/validate.h"
#include "util/arena.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/pages.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool page_membership_context(struct request *req, struct store *s, struct tv *ctx,
                             const struct entry *e, const struct related_group *groups, int ngroups,
                             const struct field_errors *errs)
{
    const struct kind_def *holder;
    const struct field_def *f = membership_field(e->kind, &holder);
    if (!f || !e->published_rev)
        return true;
    struct tv *j = tv_set_obj(ctx, "join");
    tv_set_str(j, "holder_a", holder->a_label);
    tv_set_str(j, "holder_segment", holder->segment);
    tv_set_str(j, "kind_segment", e->kind->segment);
    tv_set_str(j, "slug", e->slug);
    if (!req->logged_in)
        return true;
    struct viewer v = app_viewer(req);
    struct related_entry *cand;
    int ncand;
    if (membership_candidates(s, req->arena, &v, e, &cand, &ncand) != ENTRY_OK)
        return false;
    tv_set_str(j, "csrf", app_csrf_field(req));
    tv_set_bool(j, "user", true);
    struct tv *list = tv_set_list(j, "candidates");
    for (int i = 0; i < ncand; i++) {
        struct tv *o = tv_push_obj(list);
        tv_set_str(o, "slug", cand[i].slug);
        tv_set_str(o, "title", cand[i].title);
    }
    tv_set_bool(j, "can_ask", ncand > 0);
    if (errs) {
        tv_set_str(j, "error", validate_error_for(errs, "holder"));
        tv_set_str(j, "message_error", validate_error_for(errs, "message"));
        tv_set_str(j, "message", http_form(req, "message"));
    }
    if (!membership_manages(s, &v, e->id))
        return true;
    tv_set_bool(j, "manager", true);
    struct membership_request *reqs;
    int nreqs;
    if (membership_requests(s, req->arena, &v, e, &reqs, &nreqs) != ENTRY_OK)
        return false;
    struct tv *rl = tv_set_list(j, "requests");
    for (int i = 0; i < nreqs; i++) {
        struct tv *o = tv_push_obj(rl);
        tv_set_int(o, "id", reqs[i].id);
        tv_set_str(o, "title", reqs[i].holder.title);
        tv_set_strf(o, "url", "/%s/%s", reqs[i].holder.kind->segment, reqs[i].holder.slug);
        tv_set_str(o, "requester", reqs[i].requester);
        tv_set_str(o, "message", reqs[i].message);
        tv_set_str(o, "date", app_date(req, reqs[i].created));
    }
    tv_set_bool(j, "has_requests", nreqs > 0);
    struct tv *ml = tv_set_list(j, "members");
    for (int g = 0; g < ngroups; g++)
        if (groups[g].in && groups[g].field == f)
            for (int i = 0; i < groups[g].n; i++) {
                struct tv *o = tv_push_obj(ml);
                tv_set_str(o, "title", groups[g].entries[i].title);
                tv_set_str(o, "slug", groups[g].entries[i].slug);
                tv_set_bool(j, "has_members", true);
            }
    return true;
}

/* The entry joined, from the route's {kind}/{slug}, for the posts below; false when the
 * answer is already made. */
static bool membership_load(struct request *req, struct store *s, struct entry *e)
{
    if (!app_require_login(req) || !app_check_csrf(req) || !page_entry_load(req, s, e, ""))
        return false;
    const struct kind_def *holder;
    if (!membership_field(e->kind, &holder)) {
        app_error(req, 404, false);
        return false;
    }
    return true;
}

static void membership_done(struct request *req, const struct entry *e, const char *flash)
{
    app_flash(req, flash);
    http_redirect(req, 303, arena_printf(req->arena, "/%s/%s#adhesion", e->kind->segment, e->slug));
}

static void membership_failed(struct request *req, int rc)
{
    app_error(req,
              rc == ENTRY_FORBIDDEN                              ? 403
              : rc == ENTRY_NOTFOUND                             ? 404
              : rc == ENTRY_CONFLICT || rc == ENTRY_RATE_LIMITED ? 409
                                                                 : 500,
              false);
}

/* POST /{kind}/{slug}/adhesion — holder (slug of an entry the visitor manages), message. */
void page_membership_ask(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!membership_load(req, s, &e))
        return;
    struct viewer v = app_viewer(req);
    struct field_errors errs = {0};
    int rc = membership_ask(s, req->arena, &v, &e, http_form(req, "holder"),
                            http_form(req, "message"), (long long)time(NULL), &errs);
    if (rc == ENTRY_OK) {
        membership_done(req, &e, "join_asked");
        return;
    }
    if (rc != ENTRY_INVALID) {
        membership_failed(req, rc);
        return;
    }
    /* The record again, with the reason next to the form and the message kept. */
    page_entry_show_errors(req, &errs);
}

/* POST /{kind}/{slug}/adhesion/{id}/accepter|refuser — a manager's decision. */
void page_membership_decide(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!membership_load(req, s, &e))
        return;
    long long id = app_int_param(req->params[2], 1000000000);
    /* The route's last segment, not a search in the path: a slug may hold "accepter". */
    size_t len = strlen(req->path);
    bool accept = len > 9 && strcmp(req->path + len - 9, "/accepter") == 0;
    struct viewer v = app_viewer(req);
    int rc = id ? membership_decide(s, req->arena, &v, &e, id, accept, (long long)time(NULL))
                : ENTRY_NOTFOUND;
    if (rc != ENTRY_OK)
        membership_failed(req, rc);
    else
        membership_done(req, &e, accept ? "join_accepted" : "join_refused");
}

/* POST /{kind}/{slug}/membres/{slug}/retirer — a member leaves, by a manager of either side. */
void page_membership_remove(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!membership_load(req, s, &e))
        return;
    struct viewer v = app_viewer(req);
    int rc = membership_remove(s, req->arena, &v, &e, req->params[2], (long long)time(NULL));
    if (rc != ENTRY_OK)
        membership_failed(req, rc);
    else
        membership_done(req, &e, "join_removed");
}
