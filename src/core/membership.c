/* membership.c — requests to join an entry through a managed relation field, their decisions,
 * and leaving; every change of the field is a revision saved by entry_save. */
#include "core/membership.h"
#include "core/entry.h"
#include "core/validate.h"
#include "store/relation_store.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <string.h>

const struct field_def *membership_field(const struct kind_def *target,
                                         const struct kind_def **holder)
{
    for (size_t i = 0; target && i < kind_count(); i++) {
        const struct kind_def *k = kind_at(i);
        for (size_t f = 0; f < k->nfields; f++)
            if (k->fields[f].managed && k->fields[f].relation_kinds &&
                field_relation_allows(&k->fields[f], target->name)) {
                *holder = k;
                return &k->fields[f];
            }
    }
    return NULL;
}

bool membership_manages(struct store *s, const struct viewer *v, long long entry_id)
{
    if (viewer_moderates(v))
        return true;
    return v->user_id > 0 && store_manager_is(s, entry_id, v->user_id) == 1;
}

/* The published fields of an entry, for a new revision built on them. */
static int membership_fields(struct store *s, struct arena *a, const struct entry *e,
                             struct revision *r)
{
    return entry_revision(s, a, &viewer_public, e, 0, r);
}

/* Is target among the ids of the holder's managed field f? */
static bool membership_has(json_t *fields, const struct field_def *f, long long target)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(fields, f->name), i, v)
    {
        if (json_integer_value(v) == target)
            return true;
    }
    return false;
}

int membership_candidates(struct store *s, struct arena *a, const struct viewer *v,
                          const struct entry *target, struct related_entry **out, int *n)
{
    const struct kind_def *holder;
    const struct field_def *f = membership_field(target->kind, &holder);
    *out = NULL;
    *n = 0;
    if (!f || v->user_id <= 0)
        return ENTRY_OK;
    long long *ids;
    int nids;
    if (store_managed_entries(s, a, v->user_id, holder->name, &ids, &nids) != STORE_OK)
        return ENTRY_ERR;
    struct related_entry *r = arena_alloc(a, sizeof(*r) * (size_t)(nids ? nids : 1));
    if (nids && relation_briefs(s, a, v, ids, nids, r) != ENTRY_OK)
        return ENTRY_ERR;
    int len = 0;
    for (int i = 0; i < nids; i++) {
        if (!r[i].kind)
            continue;
        struct entry e;
        struct revision rev;
        if (entry_find(s, a, &viewer_public, r[i].slug, &e, NULL) != ENTRY_OK ||
            membership_fields(s, a, &e, &rev) != ENTRY_OK)
            continue;
        if (!membership_has(rev.fields, f, target->id))
            r[len++] = r[i];
    }
    *out = r;
    *n = len;
    return ENTRY_OK;
}

int membership_ask(struct store *s, struct arena *a, const struct viewer *v,
                   const struct entry *target, const char *holder_slug, const char *message,
                   long long now, struct field_errors *errs)
{
    const struct kind_def *holder;
    const struct field_def *f = membership_field(target->kind, &holder);
    struct entry e;
    struct revision rev;
    if (!f || v->user_id <= 0)
        return ENTRY_FORBIDDEN;
    if (!holder_slug || entry_find(s, a, &viewer_public, holder_slug, &e, NULL) != ENTRY_OK ||
        e.kind != holder || !membership_manages(s, v, e.id)) {
        validate_error(
            errs, "holder",
            arena_printf(a, "Choisissez %s dont vous êtes responsable", holder->a_label));
        return ENTRY_INVALID;
    }
    size_t len = message ? strlen(message) : 0;
    if (message &&
        (!utf8_valid(message, len) || utf8_count(message, len) > MEMBERSHIP_MESSAGE_MAX)) {
        validate_error(errs, "message",
                       arena_printf(a, "Message\u202f: %d caractères au plus, texte valide",
                                    MEMBERSHIP_MESSAGE_MAX));
        return ENTRY_INVALID;
    }
    int rc = membership_fields(s, a, &e, &rev);
    if (rc != ENTRY_OK)
        return rc;
    if (membership_has(rev.fields, f, target->id)) {
        validate_error(errs, "holder", "Cette fiche fait déjà partie des membres");
        return ENTRY_INVALID;
    }
    long long id;
    rc = store_join_request_insert(s, target->id, e.id, v->user_id, message ? message : "", now,
                                   &id);
    if (rc == STORE_CONFLICT) {
        validate_error(errs, "holder", "Une demande pour cette fiche attend déjà une réponse");
        return ENTRY_INVALID;
    }
    return rc == STORE_OK ? ENTRY_OK : ENTRY_ERR;
}

int membership_requests(struct store *s, struct arena *a, const struct viewer *v,
                        const struct entry *target, struct membership_request **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!membership_manages(s, v, target->id))
        return ENTRY_FORBIDDEN;
    struct join_request_row *rows;
    int nrows;
    if (store_join_requests_open(s, a, target->id, &rows, &nrows) != STORE_OK)
        return ENTRY_ERR;
    struct membership_request *m = arena_alloc(a, sizeof(*m) * (size_t)(nrows ? nrows : 1));
    long long *ids = arena_alloc(a, sizeof(*ids) * (size_t)(nrows ? nrows : 1));
    struct related_entry *r = arena_alloc(a, sizeof(*r) * (size_t)(nrows ? nrows : 1));
    for (int i = 0; i < nrows; i++)
        ids[i] = rows[i].actor_id;
    if (nrows && relation_briefs(s, a, v, ids, nrows, r) != ENTRY_OK)
        return ENTRY_ERR;
    int len = 0;
    for (int i = 0; i < nrows; i++)
        if (r[i].kind) /* an entry deleted since asks nothing any more */
            m[len++] = (struct membership_request){rows[i].id, r[i], rows[i].requester_name,
                                                   rows[i].message, rows[i].created};
    *out = m;
    *n = len;
    return ENTRY_OK;
}

/* The published title of target, for the comment of the revisions its decisions make. */
static const char *membership_title(struct store *s, struct arena *a, const struct entry *target)
{
    struct related_entry r;
    if (relation_briefs(s, a, &viewer_public, &target->id, 1, &r) != ENTRY_OK || !r.kind)
        return target->slug;
    return r.title;
}

/* A revision of the holder entry e with target added to (or removed from) its field f, saved
 * by v as a membership decision. */
static int membership_save(struct store *s, struct arena *a, const struct viewer *v,
                           const struct entry *e, const struct field_def *f,
                           const struct entry *target, bool add, long long now)
{
    struct revision rev;
    int base;
    /* Built on the published text only: a decision must never publish a text of the decider's
     * still waiting for moderation (the save publishes what it builds on). */
    int rc = entry_edit_revision(s, a, v, e, &base);
    if (rc == ENTRY_OK && base != e->published_rev)
        return ENTRY_CONFLICT;
    if (rc == ENTRY_OK)
        rc = entry_revision(s, a, v, e, base, &rev);
    if (rc != ENTRY_OK)
        return rc;
    json_t *fields = json_deep_copy(rev.fields);
    json_t *ids = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(fields, f->name), i, id)
    {
        if (json_integer_value(id) != target->id)
            json_array_append(ids, id);
    }
    if (add)
        json_array_append_new(ids, json_integer(target->id));
    json_object_set_new(fields, f->name, ids);
    struct entry_save in = {
        .kind = e->kind,
        .slug = e->slug,
        .base_rev = base,
        .fields = fields,
        .author = *v,
        .comment = arena_printf(a, add ? "Adhésion à « %s » acceptée" : "Retrait de « %s »",
                                membership_title(s, a, target)),
        .now = now,
        .membership = true,
    };
    struct entry_saved saved;
    rc = entry_save(s, a, &in, &saved);
    json_decref(fields);
    return rc;
}

int membership_decide(struct store *s, struct arena *a, const struct viewer *v,
                      const struct entry *target, long long request_id, bool accept, long long now)
{
    const struct kind_def *holder;
    const struct field_def *f = membership_field(target->kind, &holder);
    if (!f)
        return ENTRY_NOTFOUND;
    if (!membership_manages(s, v, target->id))
        return ENTRY_FORBIDDEN;
    struct join_request_row req;
    int rc = store_join_request_get(s, a, request_id, &req);
    if (rc == STORE_ERR)
        return ENTRY_ERR;
    if (rc != STORE_OK || req.network_id != target->id || strcmp(req.state, "open") != 0)
        return ENTRY_NOTFOUND;
    if (accept) {
        struct entry_brief_row b;
        struct entry e;
        if (store_entries_brief(s, a, &req.actor_id, 1, &b) != STORE_OK)
            return ENTRY_ERR;
        if (!b.slug || entry_find(s, a, &viewer_public, b.slug, &e, NULL) != ENTRY_OK)
            return ENTRY_NOTFOUND;
        rc = membership_save(s, a, v, &e, f, target, true, now);
        if (rc != ENTRY_OK)
            return rc;
    }
    /* Decided once: a second decision of the same request finds it closed. */
    rc = store_join_request_decide(s, request_id, accept ? "accepted" : "refused", v->user_id, now);
    return rc == STORE_OK ? ENTRY_OK : rc == STORE_NOTFOUND ? ENTRY_NOTFOUND : ENTRY_ERR;
}

int membership_remove(struct store *s, struct arena *a, const struct viewer *v,
                      const struct entry *target, const char *holder_slug, long long now)
{
    const struct kind_def *holder;
    const struct field_def *f = membership_field(target->kind, &holder);
    struct entry e;
    struct revision rev;
    if (!f || !holder_slug || entry_find(s, a, &viewer_public, holder_slug, &e, NULL) != ENTRY_OK ||
        e.kind != holder)
        return ENTRY_NOTFOUND;
    if (!membership_manages(s, v, target->id) && !membership_manages(s, v, e.id))
        return ENTRY_FORBIDDEN;
    int rc = membership_fields(s, a, &e, &rev);
    if (rc != ENTRY_OK)
        return rc;
    if (!membership_has(rev.fields, f, target->id))
        return ENTRY_NOTFOUND;
    return membership_save(s, a, v, &e, f, target, false, now);
}
