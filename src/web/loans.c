/* loans.c — the pages of loans of shared equipment: on a resource's record, the month calendar
 * of free and taken days, the request form, the visitor's own loans and, for the owners, the
 * requests waiting with their buttons; the posts that ask, decide and cancel; the owners' loan
 * history (/{kind}/{slug}/prets). The rules are core/loan.c's. */
#include "core/entry.h"
#include "core/loan.h"
#include "core/territory.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/tz.h"
#include "web/app.h"
#include "web/entry_view.h"
#include "web/pages.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Months the calendar goes back and ahead of the current one. */
#define LOANS_MONTHS_BACK 12
#define LOANS_MONTHS_AHEAD 13

static const char *const loans_months[] = {"janvier",   "février", "mars",     "avril",
                                           "mai",       "juin",    "juillet",  "août",
                                           "septembre", "octobre", "novembre", "décembre"};

struct loan_env page_loan_env(struct request *req)
{
    return (struct loan_env){req->app->territory->site_name, req->app->territory->base_url, true};
}

static const char *loans_state_label(const char *state)
{
    return strcmp(state, "requested") == 0   ? "en attente de réponse"
           : strcmp(state, "accepted") == 0  ? "acceptée"
           : strcmp(state, "refused") == 0   ? "refusée"
           : strcmp(state, "cancelled") == 0 ? "annulée"
                                             : state;
}

/* What a redirect after a post tells (?pret=CODE): a fixed table, nothing else is shown. */
static const char *loans_notice(const char *code)
{
    static const struct {
        const char *code, *text;
    } notices[] = {
        {"demande", "Votre demande est transmise aux responsables du matériel\u202f: vous "
                    "recevrez leur réponse par courriel."},
        {"accepte", "Le prêt est accepté\u202f: ses jours sont réservés et l'emprunteur est "
                    "prévenu par courriel."},
        {"refuse", "La demande est refusée\u202f: l'emprunteur est prévenu par courriel."},
        {"annule", "Le prêt est annulé\u202f: ses jours sont de nouveau libres."},
    };
    for (size_t i = 0; code && i < sizeof notices / sizeof notices[0]; i++)
        if (strcmp(notices[i].code, code) == 0)
            return notices[i].text;
    return NULL;
}

/* The month the calendar shows: ?mois=YYYY-MM within the range, else the current one. */
static void loans_month(struct request *req, long long now, int *y, int *m, int *index)
{
    struct tz_local l;
    tz_paris_from_utc(now, &l);
    int current = l.year * 12 + (l.month - 1);
    *index = current;
    const char *q = http_query(req, "mois");
    if (q && strlen(q) == 7 && q[4] == '-') {
        char *end;
        long qy = strtol(q, &end, 10);
        if (end == q + 4) {
            long qm = strtol(q + 5, &end, 10);
            int want = (int)qy * 12 + (int)qm - 1;
            if (!*end && qm >= 1 && qm <= 12 && qy >= 1 && qy <= 9999 &&
                want >= current - LOANS_MONTHS_BACK && want <= current + LOANS_MONTHS_AHEAD)
                *index = want;
        }
    }
    *y = *index / 12;
    *m = *index % 12 + 1;
    *index -= current;
}

/* The month grid: weeks from Monday, each day free, taken or past. */
static bool loans_calendar(struct request *req, struct store *s, struct tv *o,
                           const struct entry *e, long long now)
{
    int y, m, offset;
    loans_month(req, now, &y, &m, &offset);
    char first[32], last[11], today[11];
    snprintf(first, sizeof first, "%04d-%02d-01", y, m);
    long long start = tz_days_from_civil(y, m, 1);
    long long next = m == 12 ? tz_days_from_civil(y + 1, 1, 1) : tz_days_from_civil(y, m + 1, 1);
    int ndays = (int)(next - start);
    loan_day_add(first, ndays - 1, last);
    loan_today(now, today);
    struct loan *busy;
    int nbusy;
    if (loan_busy(s, req->arena, e->id, first, last, &busy, &nbusy) != LOAN_OK)
        return false;
    struct tv *c = tv_set_obj(o, "calendar");
    tv_set_strf(c, "caption", "%s %d", loans_months[m - 1], y);
    const char *base = arena_printf(req->arena, "/%s/%s", e->kind->segment, e->slug);
    if (offset > -LOANS_MONTHS_BACK) {
        int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;
        tv_set_strf(c, "prev_url", "%s?mois=%04d-%02d#calendrier", base, py % 10000, pm % 100);
        tv_set_strf(c, "prev_label", "%s %d", loans_months[pm - 1], py);
    }
    if (offset < LOANS_MONTHS_AHEAD) {
        int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
        tv_set_strf(c, "next_url", "%s?mois=%04d-%02d#calendrier", base, ny % 10000, nm % 100);
        tv_set_strf(c, "next_label", "%s %d", loans_months[nm - 1], ny);
    }
    if (offset != 0)
        tv_set_strf(c, "current_url", "%s#calendrier", base);
    struct tv *weeks = tv_set_list(c, "weeks");
    int lead = (int)((start + 3) % 7); /* 1970-01-01 was a Thursday: Monday is 0 */
    struct tv *days = NULL;
    int nfree = 0;
    for (int cell = 0; cell < lead + ndays || cell % 7; cell++) {
        if (cell % 7 == 0)
            days = tv_set_list(tv_push_obj(weeks), "days");
        struct tv *d = tv_push_obj(days);
        int n = cell - lead + 1;
        if (n < 1 || n > ndays) {
            tv_set_bool(d, "blank", true);
            continue;
        }
        char day[11];
        loan_day_add(first, n - 1, day);
        bool taken = false;
        for (int i = 0; i < nbusy && !taken; i++)
            taken = strcmp(busy[i].from, day) <= 0 && strcmp(busy[i].to, day) >= 0;
        bool past = strcmp(day, today) < 0;
        tv_set_int(d, "n", n);
        tv_set_str(d, "label", loan_day_french(req->arena, day));
        tv_set_str(d, "class", taken ? "busy" : past ? "past" : "free");
        tv_set_bool(d, "busy", taken);
        tv_set_bool(d, "past", past && !taken);
        tv_set_bool(d, "today", strcmp(day, today) == 0);
        nfree += !taken && !past;
    }
    tv_set_int(c, "free", nfree);
    return true;
}

bool page_loan_context(struct request *req, struct store *s, struct tv *ctx, const struct entry *e,
                       const struct json_span *vals, const struct field_errors *errs)
{
    if (strcmp(e->kind->name, "resource") != 0 || !e->published_rev || e->hidden)
        return true;
    const char *type = entry_view_member_str(req, e->kind, vals, "resource_type");
    if (!type || strcmp(type, "equipment") != 0)
        return true;
    long long now = (long long)time(NULL);
    struct tv *o = tv_set_obj(ctx, "loans");
    tv_set_str(o, "kind_segment", e->kind->segment);
    tv_set_str(o, "slug", e->slug);
    tv_set_int(o, "max_days", LOAN_MAX_DAYS);
    tv_set_str(o, "notice", loans_notice(http_query(req, "pret")));
    if (!loans_calendar(req, s, o, e, now))
        return false;
    if (!req->logged_in)
        return true;
    struct viewer v = app_viewer(req);
    char today[11], last[11];
    loan_today(now, today);
    loan_day_add(today, LOAN_AHEAD_DAYS, last);
    tv_set_bool(o, "user", true);
    tv_set_str(o, "csrf", app_csrf_field(req));
    tv_set_str(o, "today", arena_strdup(req->arena, today));
    tv_set_str(o, "last", arena_strdup(req->arena, last));
    /* The input kept beside the errors of this form only (other forms of the page have their
     * own). */
    if (errs && http_form(req, "loan_form")) {
        tv_set_str(o, "from", http_form(req, "from"));
        tv_set_str(o, "to", http_form(req, "to"));
        tv_set_str(o, "message", http_form(req, "message"));
        tv_set_str(o, "from_error", validate_error_for(errs, "from"));
        tv_set_str(o, "to_error", validate_error_for(errs, "to"));
        tv_set_str(o, "message_error", validate_error_for(errs, "message"));
        tv_set_bool(o, "has_errors", true);
    }
    if (errs)
        tv_set_str(o, "decision_error", validate_error_for(errs, "loan_decision"));
    struct loan *mine;
    int nmine;
    if (loan_mine(s, req->arena, &v, e->id, now, &mine, &nmine) != LOAN_OK)
        return false;
    struct tv *ml = tv_set_list(o, "mine");
    for (int i = 0; i < nmine; i++) {
        struct tv *x = tv_push_obj(ml);
        tv_set_int(x, "id", mine[i].id);
        tv_set_str(x, "from", loan_day_french(req->arena, mine[i].from));
        tv_set_str(x, "to", loan_day_french(req->arena, mine[i].to));
        tv_set_str(x, "state", loans_state_label(mine[i].state));
    }
    tv_set_bool(o, "has_mine", nmine > 0);
    if (!loan_owns(s, req->arena, &v, e->id))
        return true;
    tv_set_bool(o, "owner", true);
    struct loan *reqs;
    int nreqs;
    if (loan_requests(s, req->arena, &v, e->id, now, &reqs, &nreqs) != LOAN_OK)
        return false;
    struct tv *rl = tv_set_list(o, "requests");
    for (int i = 0; i < nreqs; i++) {
        struct tv *x = tv_push_obj(rl);
        tv_set_int(x, "id", reqs[i].id);
        tv_set_str(x, "borrower", reqs[i].borrower_name);
        tv_set_str(x, "from", loan_day_french(req->arena, reqs[i].from));
        tv_set_str(x, "to", loan_day_french(req->arena, reqs[i].to));
        tv_set_str(x, "message", reqs[i].message);
        tv_set_str(x, "date", app_date(req, reqs[i].created));
    }
    tv_set_bool(o, "has_requests", nreqs > 0);
    return true;
}

/* The equipment of the route's {kind}/{slug} for the posts below (signed in, CSRF checked);
 * false when the answer is already made. */
static bool loans_load(struct request *req, struct store *s, struct entry *e)
{
    if (!app_require_login(req) || !app_check_csrf(req) || !page_entry_load(req, s, e, ""))
        return false;
    if (!loan_lendable(s, req->arena, e)) {
        app_error(req, 404, false);
        return false;
    }
    return true;
}

static void loans_done(struct request *req, const struct entry *e, const char *code)
{
    http_redirect(
        req, 303,
        arena_printf(req->arena, "/%s/%s?pret=%s#prets", e->kind->segment, e->slug, code));
}

/* POST /{kind}/{slug}/prets — from, to (YYYY-MM-DD), message: a request to borrow. */
void page_loan_request(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!loans_load(req, s, &e))
        return;
    struct viewer v = app_viewer(req);
    struct loan_env env = page_loan_env(req);
    struct field_errors errs = {0};
    long long id;
    const char *message = http_form(req, "message");
    int rc =
        loan_request(s, req->arena, &v, &e, http_form(req, "from"), http_form(req, "to"),
                     message && *message ? message : NULL, &env, (long long)time(NULL), &errs, &id);
    if (rc == LOAN_OK) {
        loans_done(req, &e, "demande");
        return;
    }
    if (rc == LOAN_INVALID || rc == LOAN_BUSY) {
        page_entry_show_errors(req, &errs);
        if (rc == LOAN_BUSY)
            req->status = 409;
        return;
    }
    app_error(req, rc == LOAN_FORBIDDEN ? 403 : rc == LOAN_UNLENDABLE ? 404 : 500, false);
}

/* POST /{kind}/{slug}/prets/{id}/accepter|refuser|annuler — an owner's decision, or the
 * cancellation by the borrower (or an owner). */
void page_loan_decide(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!loans_load(req, s, &e))
        return;
    long long id = app_int_param(req->params[2], 1000000000);
    size_t len = strlen(req->path);
    /* The route's last segment, not a search in the path: a slug may hold "accepter". */
    bool accept = len > 9 && strcmp(req->path + len - 9, "/accepter") == 0;
    bool cancel = len > 8 && strcmp(req->path + len - 8, "/annuler") == 0;
    struct viewer v = app_viewer(req);
    struct loan_env env = page_loan_env(req);
    struct loan l;
    int rc = id ? loan_get(s, req->arena, &v, id, &l) : LOAN_NOTFOUND;
    if (rc == LOAN_OK && l.resource_id != e.id)
        rc = LOAN_NOTFOUND;
    long long now = (long long)time(NULL);
    if (rc == LOAN_OK)
        rc = cancel ? loan_cancel(s, req->arena, &v, id, &env, now)
                    : loan_decide(s, req->arena, &v, id, accept, &env, now, NULL);
    if (rc == LOAN_OK) {
        loans_done(req, &e, cancel ? "annule" : accept ? "accepte" : "refuse");
        return;
    }
    if (rc == LOAN_BUSY || rc == LOAN_STATE) {
        struct field_errors errs = {0};
        validate_error(&errs, "loan_decision",
                       rc == LOAN_BUSY
                           ? "Ce prêt n'est pas accepté\u202f: ses jours chevauchent un prêt déjà "
                             "accepté. Refusez-le, ou annulez d'abord l'autre prêt."
                           : "Cette demande a déjà reçu une réponse (ou le prêt est passé)\u202f: "
                             "rien n'a changé.");
        page_entry_show_errors(req, &errs);
        req->status = 409;
        return;
    }
    app_error(req, rc == LOAN_FORBIDDEN ? 403 : rc == LOAN_NOTFOUND ? 404 : 500, false);
}

/* GET /{kind}/{slug}/prets — every loan of the equipment, for its owners (private). */
void page_loan_history(struct request *req)
{
    struct store *s = app_store(req);
    struct entry e;
    if (!app_require_login(req) || !page_entry_load(req, s, &e, "/prets"))
        return;
    if (strcmp(e.kind->name, "resource") != 0) {
        app_error(req, 404, false);
        return;
    }
    struct viewer v = app_viewer(req);
    struct loan *l;
    int n;
    int rc = loan_history(s, req->arena, &v, e.id, &l, &n);
    if (rc != LOAN_OK) {
        app_error(req, rc == LOAN_FORBIDDEN ? 403 : 500, false);
        return;
    }
    struct revision r;
    const char *title = e.slug;
    if (entry_revision(s, req->arena, &viewer_public, &e, 0, &r) == ENTRY_OK)
        title = entry_title(e.kind, r.fields);
    struct tv *ctx = app_context(req, arena_printf(req->arena, "Prêts de «\u202f%s\u202f»", title));
    req->cache = HTTP_CACHE_NONE;
    tv_set_str(ctx, "title", title);
    tv_set_strf(ctx, "url", "/%s/%s", e.kind->segment, e.slug);
    struct tv *list = tv_set_list(ctx, "loans");
    for (int i = 0; i < n; i++) {
        struct tv *x = tv_push_obj(list);
        tv_set_int(x, "id", l[i].id);
        tv_set_str(x, "borrower", *l[i].borrower_name ? l[i].borrower_name : "(compte supprimé)");
        tv_set_str(x, "from", loan_day_french(req->arena, l[i].from));
        tv_set_str(x, "to", loan_day_french(req->arena, l[i].to));
        tv_set_str(x, "state", loans_state_label(l[i].state));
        tv_set_str(x, "state_class", l[i].state);
        tv_set_str(x, "asked", app_date(req, l[i].created));
        tv_set_str(x, "message", l[i].message);
    }
    tv_set_bool(ctx, "has_loans", n > 0);
    app_render(req, "resource_loan_history", ctx);
}
