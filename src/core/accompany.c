/* accompany.c — accompanied writing: the form's request checked, the accompaniment written in
 * the save's transaction with its invitation mailed, the credits of a record, the invitation's
 * page and the taking over (see accompany.h). */
#include "core/accompany.h"
#include "core/membership.h"
#include "core/outbox.h"
#include "core/relation.h"
#include "core/workshop.h"
#include "store/accompany_store.h"
#include "store/entry_store.h"
#include "store/moderation_store.h"
#include "store/relation_store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define ACCOMPANY_SLUG_MAX 100

/* text without the blanks and separators around it ("" for NULL), in a. */
static char *ac_trim(struct arena *a, const char *text)
{
    if (!text)
        return arena_strdup(a, "");
    while (*text && (isspace((unsigned char)*text) || *text == ',' || *text == ';'))
        text++;
    size_t n = strlen(text);
    while (n && (isspace((unsigned char)text[n - 1]) || text[n - 1] == ',' || text[n - 1] == ';'))
        n--;
    return arena_strndup(a, text, n);
}

/* The slug a relation input's token names: itself, or the last segment of an address of the
 * site ("https://…/acteurs/slug"); NULL when it is no slug's shape. */
static const char *ac_slug(const char *token)
{
    const char *slash = strrchr(token, '/');
    if (strncmp(token, "http", 4) == 0 && slash)
        token = slash + 1;
    size_t n = strlen(token);
    if (n == 0 || n > ACCOMPANY_SLUG_MAX)
        return NULL;
    for (const char *p = token; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return NULL;
    return token;
}

/* The brief of entry id as v sees it (kind NULL when not visible). */
static int ac_brief(struct store *s, struct arena *a, const struct viewer *v, long long id,
                    struct related_entry *out)
{
    memset(out, 0, sizeof(*out));
    return relation_briefs(s, a, v, &id, 1, out) == ENTRY_OK ? ACCOMPANY_OK : ACCOMPANY_ERR;
}

bool accompany_mediates(const struct viewer *v)
{
    return workshop_mediates(v);
}

bool accompany_kind(const struct kind_def *k)
{
    return k && strcmp(k->name, "actor") != 0;
}

int accompany_check(struct store *s, struct arena *a, const struct viewer *v, long long entry_id,
                    const char *actor, const char *email, long long now, struct field_errors *errs,
                    struct accompany_request *out)
{
    memset(out, 0, sizeof(*out));
    const char *act = ac_trim(a, actor), *mail = ac_trim(a, email);
    if (!*act && !*mail)
        return ACCOMPANY_OK;
    int before = errs->n;
    if (!accompany_mediates(v)) {
        validate_error(errs, "accompany_actor",
                       "Seules les personnes qui accompagnent l'écriture (comptes de confiance) "
                       "peuvent rédiger une fiche avec ou pour un acteur : laissez ce champ vide.");
        return ACCOMPANY_INVALID;
    }
    struct accompany_row existing;
    int rc = entry_id ? store_accompany_get(s, a, entry_id, &existing) : STORE_NOTFOUND;
    if (rc == STORE_ERR)
        return ACCOMPANY_ERR;
    if (rc == STORE_OK) {
        validate_error(errs, "accompany_actor",
                       "Cette fiche est déjà rédigée avec un acteur : laissez ces champs vides.");
        return ACCOMPANY_INVALID;
    }
    /* On a record that exists, only whoever wrote it first, its managers or a moderator: an
     * accompaniment hands the record over, so it is never a way into someone else's. */
    if (entry_id) {
        long long creator = 0;
        if (store_accompany_creator(s, entry_id, &creator) != STORE_OK)
            return ACCOMPANY_ERR;
        if (creator != v->user_id && !membership_manages(s, v, entry_id)) {
            validate_error(errs, "accompany_actor",
                           "Seule la personne qui a créé cette fiche, ses responsables ou "
                           "l'équipe de modération peuvent la dire rédigée avec un acteur : "
                           "laissez ces champs vides.");
            return ACCOMPANY_INVALID;
        }
    }
    struct entry_row row = {0};
    struct related_entry brief = {0};
    if (!*act) {
        validate_error(errs, "accompany_actor",
                       "Choisissez l'acteur avec qui ou pour qui vous rédigez cette fiche : "
                       "l'invitation s'adresse à une personne de cet acteur.");
    } else if (strpbrk(act, ",; ")) {
        validate_error(errs, "accompany_actor",
                       "Choisissez un seul acteur (une fiche de la liste des acteurs).");
    } else {
        const char *slug = ac_slug(act);
        rc = slug ? store_entry_by_slug(s, a, slug, &row) : STORE_NOTFOUND;
        if (rc == STORE_ERR)
            return ACCOMPANY_ERR;
        if (rc == STORE_OK && ac_brief(s, a, &viewer_public, row.id, &brief) != ACCOMPANY_OK)
            return ACCOMPANY_ERR;
        if (rc != STORE_OK || !brief.kind) {
            validate_error(errs, "accompany_actor",
                           arena_printf(a,
                                        "Aucun acteur publié n'a l'adresse « %s » : choisissez-le "
                                        "dans la liste, ou recopiez l'adresse de sa fiche.",
                                        act));
        } else if (strcmp(row.kind, "actor") != 0) {
            validate_error(errs, "accompany_actor",
                           arena_printf(a,
                                        "« %s » est une fiche %s, pas un acteur : choisissez une "
                                        "fiche de la liste des acteurs.",
                                        brief.title, brief.kind->label));
        }
    }
    if (*mail && !account_email_valid(mail)) {
        validate_error(errs, "accompany_email",
                       "Cette adresse e-mail n'est pas valide : écrivez-la sous la forme "
                       "prenom@exemple.org, ou laissez le champ vide.");
    } else if (*mail) {
        int n = 0;
        if (store_accompany_invites_since(s, v->user_id, now - 86400, &n) != STORE_OK)
            return ACCOMPANY_ERR;
        if (n >= ACCOMPANY_INVITES_PER_DAY)
            validate_error(errs, "accompany_email",
                           arena_printf(a,
                                        "Vous avez envoyé %d invitations ces dernières 24 heures, "
                                        "le plus permis : réessayez demain, ou laissez le champ "
                                        "vide.",
                                        n));
    }
    if (errs->n > before)
        return ACCOMPANY_INVALID;
    struct user_row u;
    rc = store_user_by_id(s, a, v->user_id, &u);
    if (rc != STORE_OK)
        return rc == STORE_ERR ? ACCOMPANY_ERR : ACCOMPANY_FORBIDDEN;
    *out = (struct accompany_request){.actor_id = row.id,
                                      .mediator_id = v->user_id,
                                      .actor_slug = brief.slug,
                                      .actor_title = brief.title,
                                      .mediator_name = u.name,
                                      .email = *mail ? mail : NULL};
    return ACCOMPANY_OK;
}

/* A new invitation token: 32 random bytes in hex (account_token_shape's shape). */
static void ac_token_new(char out[ACCOUNT_TOKEN_LEN + 1])
{
    unsigned char raw[ACCOUNT_TOKEN_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, ACCOUNT_TOKEN_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

int accompany_write(struct store *s, struct arena *a, long long entry_id, long long now,
                    struct field_errors *errs, void *arg)
{
    const struct accompany_request *rq = arg;
    if (!rq || !rq->actor_id)
        return ENTRY_OK;
    /* The actor checked again inside the transaction: deleted or withdrawn meanwhile, it is
     * credited with nothing. */
    struct related_entry brief;
    if (ac_brief(s, a, &viewer_public, rq->actor_id, &brief) != ACCOMPANY_OK)
        return ENTRY_ERR;
    if (!brief.kind || strcmp(brief.kind->name, "actor") != 0) {
        validate_error(errs, "accompany_actor",
                       "Cet acteur n'est plus publié : choisissez-en un autre, ou laissez le "
                       "champ vide.");
        return ENTRY_INVALID;
    }
    char token[ACCOUNT_TOKEN_LEN + 1];
    unsigned char hash[32];
    long long expires = now + (long long)ACCOMPANY_INVITE_DAYS * 86400;
    if (rq->email) {
        ac_token_new(token);
        account_hash_token(token, hash);
    }
    int rc = store_accompany_insert(s, entry_id, rq->actor_id, rq->mediator_id, now,
                                    rq->email ? hash : NULL, rq->email, expires);
    if (rc == STORE_CONFLICT) {
        validate_error(errs, "accompany_actor",
                       "Cette fiche a été rattachée à un acteur entre-temps : laissez ces champs "
                       "vides.");
        return ENTRY_INVALID;
    }
    if (rc != STORE_OK)
        return ENTRY_ERR;
    if (!rq->email)
        return ENTRY_OK;
    const char *site = rq->site_name && *rq->site_name ? rq->site_name : "foison";
    const char *title = rq->entry_title && *rq->entry_title ? rq->entry_title : brief.title;
    struct outbox_mail m = {
        .to = rq->email,
        .subject = arena_printf(a, "Une fiche rédigée pour %s vous attend", brief.title),
        .text = arena_printf(
            a,
            "Bonjour,\n\n%s a rédigé sur %s la fiche « %s » avec ou pour %s, et vous invite à "
            "la relire et à la reprendre : vous en deviendrez responsable, vous pourrez la "
            "modifier comme la vôtre, et elle sera créditée à votre nom (avec la mention "
            "« rédaction accompagnée par %s »).\n\nPour la découvrir et la reprendre, ouvrez ce "
            "lien (valable %d jours, une seule fois) :\n%s/accompagnement?jeton=%s\n\nVous "
            "devrez vous connecter, ou créer un compte avec l'adresse de votre choix.\n\nSi vous "
            "ne connaissez pas %s, ignorez ce message : rien ne se passera.\n\n— %s\n",
            rq->mediator_name, site, title, brief.title, rq->mediator_name, ACCOMPANY_INVITE_DAYS,
            rq->base_url ? rq->base_url : "", token, brief.title, site),
    };
    sodium_memzero(token, sizeof token);
    return outbox_queue(s, a, &m, now) == 0 ? ENTRY_OK : ENTRY_ERR;
}

/* Appends name to list (of *n, room for max) unless it is there already. */
static void ac_add(const char **list, int *n, int max, const char *name)
{
    if (!name || !*name || *n >= max)
        return;
    for (int i = 0; i < *n; i++)
        if (strcmp(list[i], name) == 0)
            return;
    list[(*n)++] = name;
}

static int ac_credit(struct store *s, struct arena *a, long long entry_id, const char **authors,
                     int nauthors, struct accompany_credit *out)
{
    *out = (struct accompany_credit){.authors = authors, .nauthors = nauthors};
    struct accompany_row row;
    int rc = store_accompany_get(s, a, entry_id, &row);
    if (rc == STORE_NOTFOUND)
        return ACCOMPANY_OK;
    if (rc != STORE_OK)
        return ACCOMPANY_ERR;
    struct related_entry actor;
    const char **others;
    int nothers = 0;
    if (ac_brief(s, a, &viewer_public, row.actor_id, &actor) != ACCOMPANY_OK ||
        store_accompany_other_authors(s, a, entry_id, row.mediator_id, ACCOMPANY_PEOPLE_MAX,
                                      &others, &nothers) != STORE_OK)
        return ACCOMPANY_ERR;
    int max = nothers + 2;
    const char **list = arena_alloc(a, sizeof(*list) * (size_t)max);
    int n = 0;
    /* Who took the record over writes under their own name; until then the actor is credited
     * (its public name, while its record is public), never people who did not take it: the
     * mediator chose the actor, not its people. The mediator is named apart. */
    if (row.taken_by && *row.taken_name)
        ac_add(list, &n, max, row.taken_name);
    else if (actor.kind)
        ac_add(list, &n, max, actor.title);
    for (int i = 0; i < nothers; i++)
        ac_add(list, &n, max, others[i]);
    out->accompanied = true;
    out->mediator = row.mediator;
    out->actor_slug = actor.kind ? actor.slug : NULL;
    out->actor_title = actor.kind ? actor.title : NULL;
    out->taken_at = row.taken_at;
    if (n) {
        out->authors = list;
        out->nauthors = n;
    }
    return ACCOMPANY_OK;
}

int accompany_credit(struct store *s, struct arena *a, const struct entry *e, const char **authors,
                     int nauthors, struct accompany_credit *out)
{
    return ac_credit(s, a, e->id, authors, nauthors, out);
}

int accompany_credits(struct store *s, struct arena *a, const long long *ids, const char ***authors,
                      const int *nauthors, int n, struct accompany_credit *out)
{
    bool *flags = arena_alloc(a, sizeof(*flags) * (size_t)(n ? n : 1));
    if (n && store_accompany_among(s, ids, n, flags) != STORE_OK)
        return ACCOMPANY_ERR;
    for (int i = 0; i < n; i++) {
        out[i] = (struct accompany_credit){.authors = authors[i], .nauthors = nauthors[i]};
        if (flags[i] && ac_credit(s, a, ids[i], authors[i], nauthors[i], &out[i]) != ACCOMPANY_OK)
            return ACCOMPANY_ERR;
    }
    return ACCOMPANY_OK;
}

int accompany_state(struct store *s, struct arena *a, long long entry_id,
                    struct accompany_state *out)
{
    memset(out, 0, sizeof(*out));
    struct accompany_row row;
    int rc = store_accompany_get(s, a, entry_id, &row);
    if (rc == STORE_NOTFOUND)
        return ACCOMPANY_OK;
    if (rc != STORE_OK)
        return ACCOMPANY_ERR;
    struct related_entry actor;
    if (ac_brief(s, a, &viewer_public, row.actor_id, &actor) != ACCOMPANY_OK)
        return ACCOMPANY_ERR;
    *out = (struct accompany_state){.accompanied = true,
                                    .invited = row.invite_expires > 0,
                                    .taken = row.taken_by > 0,
                                    .mediator = row.mediator,
                                    .actor_slug = actor.kind ? actor.slug : NULL,
                                    .actor_title = actor.kind ? actor.title : NULL,
                                    .taken_name = row.taken_name,
                                    .invite_expires = row.invite_expires};
    return ACCOMPANY_OK;
}

/* The invitation of token as v sees it, in the caller's transaction (if any); its row into
 * *row. The lookup is by the token's hash, never a comparison of the secret itself. */
static int ac_ticket(struct store *s, struct arena *a, const struct viewer *v, const char *token,
                     long long now, struct accompany_ticket *out, struct accompany_row *row)
{
    memset(out, 0, sizeof(*out));
    if (!account_token_shape(token))
        return ACCOMPANY_NOTFOUND;
    unsigned char hash[32];
    account_hash_token(token, hash);
    int rc = store_accompany_by_hash(s, a, hash, row);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? ACCOMPANY_NOTFOUND : ACCOMPANY_ERR;
    struct entry_row er;
    struct related_entry actor;
    rc = store_entry_by_id(s, a, row->entry_id, &er);
    if (rc == STORE_ERR || ac_brief(s, a, v, row->actor_id, &actor) != ACCOMPANY_OK)
        return ACCOMPANY_ERR;
    out->entry_id = row->entry_id;
    out->expires = row->invite_expires;
    out->mediator = row->mediator;
    out->actor_slug = actor.kind ? actor.slug : NULL;
    out->actor_title = actor.kind ? actor.title : NULL;
    if (rc != STORE_OK || er.deleted)
        return ACCOMPANY_GONE;
    /* The record only as this viewer may see it anyway (entry_find's one rule): a pending or
     * withdrawn text never shows through an invitation. */
    struct entry e;
    struct revision r;
    if (entry_find(s, a, v, er.slug, &e, NULL) == ENTRY_OK &&
        entry_revision(s, a, v, &e, 0, &r) == ENTRY_OK) {
        out->entry_kind = e.kind;
        out->entry_slug = e.slug;
        out->entry_title = entry_title(e.kind, r.fields);
    }
    if (row->taken_by)
        return ACCOMPANY_USED;
    if (row->invite_expires <= now)
        return ACCOMPANY_EXPIRED;
    return ACCOMPANY_OK;
}

int accompany_ticket(struct store *s, struct arena *a, const struct viewer *v, const char *token,
                     long long now, struct accompany_ticket *out)
{
    struct accompany_row row;
    store_read_begin(s);
    int rc = ac_ticket(s, a, v, token, now, out, &row);
    store_read_end(s);
    return rc;
}

int accompany_take(struct store *s, struct arena *a, const struct viewer *v, const char *token,
                   long long now, struct accompany_ticket *out)
{
    memset(out, 0, sizeof(*out));
    if (!v || v->user_id <= 0)
        return ACCOMPANY_FORBIDDEN;
    if (store_begin(s) != STORE_OK)
        return ACCOMPANY_ERR;
    struct accompany_row row;
    struct user_row u;
    int rc = store_user_by_id(s, a, v->user_id, &u);
    if (rc != STORE_OK || strcmp(u.status, "active") != 0) {
        rc = rc == STORE_ERR ? ACCOMPANY_ERR : ACCOMPANY_FORBIDDEN;
        goto out;
    }
    rc = ac_ticket(s, a, v, token, now, out, &row);
    if (rc != ACCOMPANY_OK)
        goto out;
    /* The invitation is for a person of the actor, not for the mediator's other account. */
    if (row.mediator_id == v->user_id) {
        rc = ACCOMPANY_FORBIDDEN;
        goto out;
    }
    int taken = store_accompany_take(s, row.entry_id, v->user_id, now);
    if (taken != STORE_OK) {
        rc = taken == STORE_NOTFOUND ? ACCOMPANY_USED : ACCOMPANY_ERR;
        goto out;
    }
    /* The person manages the record from now on (not the actor's record: that one's managers,
     * or a moderator, decide who speaks for the actor), and the moderators' log says so; the
     * credits change: the generation moves so that no cached page keeps the old ones. */
    if (store_manager_add(s, row.entry_id, v->user_id, now) != STORE_OK ||
        store_modlog_insert(s, now, v->user_id, "accompany_take", row.entry_id, 0, row.mediator_id,
                            "reprise d'une fiche rédigée avec un acteur") != STORE_OK ||
        store_generation_bump(s) != STORE_OK || store_commit(s) != STORE_OK) {
        rc = ACCOMPANY_ERR;
        goto out;
    }
    return ACCOMPANY_OK;
out:
    store_rollback(s);
    return rc;
}

json_t *accompany_export(struct store *s, struct arena *a, long long user_id)
{
    struct accompany_export_row *rows;
    int n;
    if (store_accompany_of_user(s, a, user_id, ACCOMPANY_EXPORT_MAX, &rows, &n) != STORE_OK)
        return NULL;
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "role", rows[i].role, "record",
                              rows[i].entry_slug, "kind", rows[i].entry_kind, "actor",
                              rows[i].actor_slug, "created", (json_int_t)rows[i].created);
        if (!o)
            continue;
        if (*rows[i].invite_email)
            json_object_set_new(o, "invited_email", json_string(rows[i].invite_email));
        if (rows[i].invite_expires)
            json_object_set_new(o, "invitation_expires",
                                json_integer((json_int_t)rows[i].invite_expires));
        if (rows[i].taken_at)
            json_object_set_new(o, "taken_at", json_integer((json_int_t)rows[i].taken_at));
        json_array_append_new(list, o);
    }
    return list;
}
