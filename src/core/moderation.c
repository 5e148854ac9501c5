/* moderation.c — moderators' decisions over the store (see moderation.h). */
#include "core/moderation.h"
#include "core/entry.h"
#include "core/account.h"
#include "core/territory.h"
#include "store/entry_store.h"
#include "store/moderation_store.h"
#include "store/user_store.h"
#include "store/workshop_store.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODERATION_TRUST_EDITS 5 /* approved edits before an account is trusted (setting) */
#define MODERATION_TRUST_DAYS 7  /* and days since it signed up (setting) */
#define MODERATION_ROLLBACK_MAX 10000

static void moderation_json_release(void *p)
{
    json_decref(p);
}

static json_t *moderation_json(struct arena *a, const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(v)) {
        json_decref(v);
        v = json_object();
    }
    arena_defer(a, moderation_json_release, v);
    return v;
}

static int moderation_status_of(int entry_rc)
{
    switch (entry_rc) {
    case ENTRY_OK:
        return MODERATION_OK;
    case ENTRY_NOTFOUND:
        return MODERATION_NOTFOUND;
    case ENTRY_CONFLICT:
        return MODERATION_CONFLICT;
    default:
        return MODERATION_ERR;
    }
}

/* The queue's items of the pending rows read (inside the caller's read transaction). */
static int moderation_items(struct store *s, struct arena *a, struct pending_row *rows, int n,
                            struct moderation_item **items)
{
    struct moderation_item *out = arena_alloc(a, sizeof(*out) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        struct pending_row *p = &rows[i];
        struct moderation_item *it = &out[i];
        struct revision_row full, parent;
        it->revision_id = p->rev.id;
        it->kind = kind_find(p->kind);
        it->slug = p->slug;
        it->author = p->rev.author_name;
        it->author_id = p->rev.author_id;
        it->created = p->rev.created;
        it->number = p->rev.number;
        it->parent = p->rev.parent_number;
        it->published_rev = p->published_rev;
        it->score = p->rev.spam_score;
        it->reasons = p->rev.spam_reasons;
        it->new_entry = p->published_rev == 0;
        it->stale = p->rev.parent_number < p->published_rev;
        if (store_revision_get(s, a, p->rev.entry_id, p->rev.number, &full) != STORE_OK)
            return MODERATION_ERR;
        it->fields = moderation_json(a, full.fields);
        /* Against what the public sees: approving publishes the pending texts this one was
         * written on too, and the moderator must see all that goes out. */
        it->parent_fields = moderation_json(a, NULL);
        if (p->published_rev &&
            store_revision_get(s, a, p->rev.entry_id, p->published_rev, &parent) == STORE_OK)
            it->parent_fields = moderation_json(a, parent.fields);
        it->title = it->kind ? entry_title(it->kind, it->fields) : "";
    }
    *items = out;
    return MODERATION_OK;
}

int moderation_queue(struct store *s, struct arena *a, const struct viewer *v, int page,
                     int per_page, struct moderation_item **items, int *n, int *total)
{
    if (!viewer_moderates(v))
        return MODERATION_FORBIDDEN;
    if (page < 1)
        page = 1;
    struct pending_row *rows;
    store_read_begin(s);
    int rc = store_pending_list(s, a, (page - 1) * per_page, per_page, &rows, n, total);
    if (rc == STORE_OK)
        rc = moderation_items(s, a, rows, *n, items);
    store_read_end(s);
    return rc == STORE_OK ? MODERATION_OK : MODERATION_ERR;
}

int moderation_queue_sponsored(struct store *s, struct arena *a, const struct viewer *v, int page,
                               int per_page, struct moderation_item **items, int *n, int *total)
{
    if (v->user_id <= 0 || v->role < ROLE_TRUSTED)
        return MODERATION_FORBIDDEN;
    if (page < 1)
        page = 1;
    struct pending_row *rows;
    store_read_begin(s);
    int rc =
        store_pending_sponsored(s, a, v->user_id, (page - 1) * per_page, per_page, &rows, n, total);
    if (rc == STORE_OK)
        rc = moderation_items(s, a, rows, *n, items);
    store_read_end(s);
    return rc == STORE_OK ? MODERATION_OK : MODERATION_ERR;
}

/* A contributor with enough approved edits and days since sign-up becomes trusted. */
static int moderation_maybe_trust(struct store *s, struct arena *a, long long user_id,
                                  long long now)
{
    struct user_row u;
    int count;
    if (!user_id)
        return STORE_OK;
    int rc = store_user_by_id(s, a, user_id, &u);
    if (rc == STORE_NOTFOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return STORE_ERR;
    if (strcmp(u.role, "contributor") != 0 || strcmp(u.status, "active") != 0)
        return STORE_OK;
    if (store_author_approvals(s, user_id, &count) != STORE_OK)
        return STORE_ERR;
    long edits = territory_setting_long(s, "trust_edits", MODERATION_TRUST_EDITS);
    long days = territory_setting_long(s, "trust_days", MODERATION_TRUST_DAYS);
    if (count < edits || now - u.created < days * 86400L)
        return STORE_OK;
    if (store_user_set_role(s, user_id, "trusted") != STORE_OK ||
        store_modlog_insert(s, now, 0, "trust", 0, 0, user_id,
                            "confiance acquise par les contributions approuvées") != STORE_OK)
        return STORE_ERR;
    return STORE_OK;
}

/* The pending revision id, read inside the write transaction. */
static int moderation_pending(struct store *s, struct arena *a, long long revision_id,
                              struct revision_row *r, struct entry_row *e)
{
    int rc = store_revision_by_id(s, a, revision_id, r);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MODERATION_NOTFOUND : MODERATION_ERR;
    if (strcmp(r->state, "pending") != 0)
        return MODERATION_NOTFOUND;
    rc = store_entry_by_id(s, a, r->entry_id, e);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MODERATION_NOTFOUND : MODERATION_ERR;
    return e->deleted ? MODERATION_NOTFOUND : MODERATION_OK;
}

/* Inside the write transaction: is v still an active moderator (not blocked or demoted while
 * the decision waited for the write lock)? Its role as the file has it now. */
static int moderation_still_moderator(struct store *s, struct arena *a, struct viewer *v)
{
    struct user_row u;
    if (v->user_id <= 0)
        return MODERATION_OK; /* the operator at the command line */
    int rc = store_user_by_id(s, a, v->user_id, &u);
    if (rc == STORE_ERR)
        return MODERATION_ERR;
    if (rc != STORE_OK || strcmp(u.status, "active") != 0)
        return MODERATION_FORBIDDEN;
    v->role = role_from_name(u.role);
    return viewer_moderates(v) ? MODERATION_OK : MODERATION_FORBIDDEN;
}

int moderation_begin(struct store *s, struct arena *a, const struct viewer *v, struct viewer *me)
{
    if (!viewer_moderates(v))
        return MODERATION_FORBIDDEN;
    if (store_begin(s) != STORE_OK)
        return MODERATION_ERR;
    *me = *v;
    int still = moderation_still_moderator(s, a, me);
    if (still != MODERATION_OK)
        store_rollback(s);
    return still;
}

int moderation_finish(struct store *s, int rc)
{
    if (rc == MODERATION_OK &&
        (store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK))
        rc = MODERATION_ERR;
    if (rc != MODERATION_OK)
        store_rollback(s);
    return rc;
}

/* Rejects number and every pending revision of the entry written on it (directly or not). */
static int moderation_reject_from(struct store *s, struct arena *a, long long entry_id, int number)
{
    struct revision_row *pending;
    int n;
    if (store_revision_set_state(s, entry_id, number, "rejected") != STORE_OK ||
        store_entry_pending(s, a, entry_id, &pending, &n) != STORE_OK)
        return MODERATION_ERR;
    /* In number order, so a revision's parent is decided before it. */
    int *gone = arena_alloc(a, sizeof(*gone) * (size_t)(n + 1));
    int ngone = 0;
    gone[ngone++] = number;
    for (int i = 0; i < n; i++) {
        bool on_rejected = false;
        for (int j = 0; j < ngone && !on_rejected; j++)
            on_rejected = pending[i].parent_number == gone[j];
        if (!on_rejected)
            continue;
        if (store_revision_set_state(s, entry_id, pending[i].number, "rejected") != STORE_OK)
            return MODERATION_ERR;
        gone[ngone++] = pending[i].number;
    }
    return MODERATION_OK;
}

/* Inside the write transaction: may the mediator v (not a moderator) decide on revision r of
 * entry e? Only when its author, and the author of every pending text approving it would publish
 * with it (the ones it was written on), is an account v vouched for (core/workshop.c). Its own
 * pending texts are the only ones an author writes on, so this holds in practice; it is checked
 * so that a mediator can never publish anybody else's words. */
static int moderation_mediates(struct store *s, struct arena *a, const struct viewer *v,
                               const struct revision_row *r, long long entry_id)
{
    struct revision_row *pending;
    int n;
    if (store_entry_pending(s, a, entry_id, &pending, &n) != STORE_OK)
        return MODERATION_ERR;
    long long author = r->author_id;
    int parent = r->parent_number;
    for (int steps = 0; steps <= n; steps++) {
        long long sponsor = 0;
        int rc = author ? store_user_sponsor(s, author, &sponsor) : STORE_NOTFOUND;
        if (rc == STORE_ERR)
            return MODERATION_ERR;
        if (rc != STORE_OK || sponsor != v->user_id)
            return MODERATION_FORBIDDEN;
        const struct revision_row *up = NULL;
        for (int i = 0; i < n && !up; i++)
            if (pending[i].number == parent)
                up = &pending[i];
        if (!up)
            return MODERATION_OK; /* down to a published (or rejected) text */
        author = up->author_id;
        parent = up->parent_number;
    }
    return MODERATION_FORBIDDEN;
}

/* Opens the write transaction of a mediator's decision: v still an active account of the
 * role trusted or above inside it (me receives its role as the file has it). */
static int moderation_begin_mediator(struct store *s, struct arena *a, const struct viewer *v,
                                     struct viewer *me)
{
    struct user_row u;
    if (v->user_id <= 0 || v->role < ROLE_TRUSTED)
        return MODERATION_FORBIDDEN;
    if (store_begin(s) != STORE_OK)
        return MODERATION_ERR;
    int rc = store_user_by_id(s, a, v->user_id, &u);
    *me = *v;
    if (rc == STORE_OK)
        me->role = role_from_name(u.role);
    if (rc != STORE_OK || strcmp(u.status, "active") != 0 || me->role < ROLE_TRUSTED) {
        store_rollback(s);
        return rc == STORE_ERR ? MODERATION_ERR : MODERATION_FORBIDDEN;
    }
    return MODERATION_OK;
}

/* Approves or rejects a pending revision, in one write transaction with its log row. The one
 * decision path of moderators and of mediators (who may decide on their participants' texts
 * only): the log names whoever decided. */
static int moderation_decide(struct store *s, struct arena *a, const struct viewer *v,
                             long long revision_id, const char *reason, long long now, bool approve)
{
    struct viewer me;
    int began = viewer_moderates(v) ? moderation_begin(s, a, v, &me)
                                    : moderation_begin_mediator(s, a, v, &me);
    if (began != MODERATION_OK)
        return began;
    v = &me;
    struct revision_row r;
    struct entry_row e;
    int rc = moderation_pending(s, a, revision_id, &r, &e);
    if (rc == MODERATION_OK && !viewer_moderates(v))
        rc = moderation_mediates(s, a, v, &r, e.id);
    if (rc == MODERATION_OK)
        rc = approve ? moderation_status_of(entry_publish(s, a, e.id, r.number, now))
                     : moderation_reject_from(s, a, e.id, r.number);
    if (rc == MODERATION_OK &&
        (store_modlog_insert(s, now, v->user_id, approve ? "approve" : "reject", e.id, r.number,
                             r.author_id, reason) != STORE_OK ||
         (approve && moderation_maybe_trust(s, a, r.author_id, now) != STORE_OK)))
        rc = MODERATION_ERR;
    return moderation_finish(s, rc);
}

int moderation_approve(struct store *s, struct arena *a, const struct viewer *v,
                       long long revision_id, const char *reason, long long now)
{
    return moderation_decide(s, a, v, revision_id, reason, now, true);
}

int moderation_reject(struct store *s, struct arena *a, const struct viewer *v,
                      long long revision_id, const char *reason, long long now)
{
    return moderation_decide(s, a, v, revision_id, reason, now, false);
}

/* May v act on the account u (not themselves, not a role at or above their own unless admin)? */
static bool moderation_may_act_on(const struct viewer *v, const struct user_row *u)
{
    enum role target = role_from_name(u->role);
    if (u->id == v->user_id)
        return false;
    return target < ROLE_MODERATOR || (v->role == ROLE_ADMIN && target < ROLE_ADMIN);
}

/* Rejects every pending revision of the account on one entry (and what was written on them). */
static int moderation_reject_author(struct store *s, struct arena *a, long long entry_id,
                                    long long user_id)
{
    struct revision_row *pending;
    int n;
    if (store_entry_pending(s, a, entry_id, &pending, &n) != STORE_OK)
        return MODERATION_ERR;
    for (int i = 0; i < n; i++) {
        if (pending[i].author_id != user_id)
            continue;
        struct revision_row cur;
        /* An earlier rejection in this loop may already have taken it with its parent. */
        if (store_revision_get(s, a, entry_id, pending[i].number, &cur) != STORE_OK)
            return MODERATION_ERR;
        if (strcmp(cur.state, "pending") == 0 &&
            moderation_reject_from(s, a, entry_id, pending[i].number) != MODERATION_OK)
            return MODERATION_ERR;
    }
    return MODERATION_OK;
}

/* On one entry: if the account wrote the published text, back to the last published text by
 * someone else (a new revision by the moderator), or the entry deleted when there is none. */
static int moderation_rollback_entry(struct store *s, struct arena *a, const struct viewer *v,
                                     long long entry_id, long long user_id, const char *comment,
                                     long long now, bool *changed)
{
    struct entry_row e;
    struct revision_row cur, *revs;
    int n;
    *changed = false;
    if (moderation_reject_author(s, a, entry_id, user_id) != MODERATION_OK ||
        store_entry_by_id(s, a, entry_id, &e) != STORE_OK)
        return MODERATION_ERR;
    if (e.deleted || e.published_rev == 0)
        return MODERATION_OK;
    if (store_revision_get(s, a, entry_id, e.published_rev, &cur) != STORE_OK)
        return MODERATION_ERR;
    if (cur.author_id != user_id)
        return MODERATION_OK; /* others wrote on top of it since: theirs to keep */
    if (store_revisions_list(s, a, entry_id, &revs, &n) != STORE_OK)
        return MODERATION_ERR;
    const struct revision_row *target = NULL;
    for (int i = 0; i < n && !target; i++)
        if (strcmp(revs[i].state, "published") == 0 && revs[i].author_id != user_id)
            target = &revs[i];
    *changed = true;
    if (!target) /* all of it is theirs */
        return store_entry_set_deleted(s, entry_id, true) == STORE_OK &&
                       entry_derive_sync(s, entry_id) == ENTRY_OK
                   ? MODERATION_OK
                   : MODERATION_ERR;
    struct revision_row old;
    if (store_revision_get(s, a, entry_id, target->number, &old) != STORE_OK)
        return MODERATION_ERR;
    struct revision_row r = {
        .entry_id = entry_id,
        .number = e.latest_rev + 1,
        .parent_number = e.published_rev,
        .author_id = v->user_id,
        .created = now,
        .comment = comment,
        .state = "published",
        .fields = old.fields,
        .rendered = old.rendered,
        .card = old.card,
    };
    if (store_revision_insert(s, &r) != STORE_OK ||
        store_entry_set_revs(s, entry_id, e.published_rev, r.number, e.updated) != STORE_OK ||
        entry_publish(s, a, entry_id, r.number, now) != ENTRY_OK)
        return MODERATION_ERR;
    return MODERATION_OK;
}

static int moderation_target(struct store *s, struct arena *a, const struct viewer *v,
                             long long user_id, struct user_row *u)
{
    int rc = store_user_by_id(s, a, user_id, u);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? MODERATION_NOTFOUND : MODERATION_ERR;
    return moderation_may_act_on(v, u) ? MODERATION_OK : MODERATION_FORBIDDEN;
}

/* Rollback inside the caller's write transaction. */
static int moderation_rollback_in(struct store *s, struct arena *a, const struct viewer *v,
                                  const struct user_row *u, const char *reason, long long now,
                                  int *entries)
{
    struct author_entry_row *list;
    int n;
    *entries = 0;
    if (store_author_entries(s, a, u->id, MODERATION_ROLLBACK_MAX, &list, &n) != STORE_OK)
        return MODERATION_ERR;
    const char *comment = arena_printf(a, "Annulation des modifications de %s", u->name);
    for (int i = 0; i < n; i++) {
        bool changed;
        int rc =
            moderation_rollback_entry(s, a, v, list[i].entry_id, u->id, comment, now, &changed);
        if (rc != MODERATION_OK)
            return rc;
        *entries += changed;
    }
    if (store_modlog_insert(s, now, v->user_id, "rollback", 0, 0, u->id, reason) != STORE_OK)
        return MODERATION_ERR;
    return MODERATION_OK;
}

int moderation_rollback(struct store *s, struct arena *a, const struct viewer *v, long long user_id,
                        const char *reason, long long now, int *entries)
{
    *entries = 0;
    struct viewer me;
    int began = moderation_begin(s, a, v, &me);
    if (began != MODERATION_OK)
        return began;
    v = &me;
    struct user_row u;
    int rc = moderation_target(s, a, v, user_id, &u);
    if (rc == MODERATION_OK)
        rc = moderation_rollback_in(s, a, v, &u, reason, now, entries);
    return moderation_finish(s, rc);
}

int moderation_block(struct store *s, struct arena *a, const struct viewer *v, long long user_id,
                     const char *reason, long long now)
{
    struct viewer me;
    int began = moderation_begin(s, a, v, &me);
    if (began != MODERATION_OK)
        return began;
    v = &me;
    struct user_row u;
    int rc = moderation_target(s, a, v, user_id, &u);
    struct author_entry_row *list;
    int n = 0, revoked;
    if (rc == MODERATION_OK &&
        (store_user_set_status(s, user_id, "blocked") != STORE_OK ||
         store_user_sessions_delete(s, user_id) != STORE_OK ||
         store_tokens_revoke(s, user_id, &revoked) != STORE_OK ||
         store_author_entries(s, a, user_id, MODERATION_ROLLBACK_MAX, &list, &n) != STORE_OK))
        rc = MODERATION_ERR;
    for (int i = 0; rc == MODERATION_OK && i < n; i++)
        rc = moderation_reject_author(s, a, list[i].entry_id, user_id);
    if (rc == MODERATION_OK &&
        store_modlog_insert(s, now, v->user_id, "block", 0, 0, user_id, reason) != STORE_OK)
        rc = MODERATION_ERR;
    return moderation_finish(s, rc);
}

int moderation_trust(struct store *s, struct arena *a, const struct viewer *v, long long user_id,
                     long long now)
{
    struct viewer me;
    int began = moderation_begin(s, a, v, &me);
    if (began != MODERATION_OK)
        return began;
    v = &me;
    struct user_row u;
    int rc = moderation_target(s, a, v, user_id, &u);
    if (rc == MODERATION_OK && strcmp(u.role, "contributor") != 0)
        rc = MODERATION_OK; /* already trusted or more: nothing to do, nothing logged */
    else if (rc == MODERATION_OK &&
             (store_user_set_role(s, user_id, "trusted") != STORE_OK ||
              store_modlog_insert(s, now, v->user_id, "trust", 0, 0, user_id, "") != STORE_OK))
        rc = MODERATION_ERR;
    return moderation_finish(s, rc);
}

int moderation_log(struct store *s, struct arena *a, const struct viewer *v, int page, int per_page,
                   struct moderation_log_item **items, int *n)
{
    if (!viewer_moderates(v))
        return MODERATION_FORBIDDEN;
    struct modlog_row *rows;
    if (page < 1)
        page = 1;
    if (store_modlog_list(s, a, (page - 1) * per_page, per_page, &rows, n) != STORE_OK)
        return MODERATION_ERR;
    struct moderation_log_item *out = arena_alloc(a, sizeof(*out) * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        out[i] = (struct moderation_log_item){rows[i].created, rows[i].moderator, rows[i].action,
                                              rows[i].slug,    rows[i].kind,      rows[i].target,
                                              rows[i].reason,  rows[i].revision};
    *items = out;
    return MODERATION_OK;
}
