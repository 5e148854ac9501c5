/* workshop.c — batches of one-time sign-up links for public-writing workshops, and joining
 * through one (see workshop.h). The decisions on participants' texts are core/moderation.c's. */
#include "core/workshop.h"
#include "core/outbox.h"
#include "core/territory.h"
#include "core/throttle.h"
#include "store/user_store.h"
#include "store/workshop_store.h"
#include "util/arena.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define WORKSHOP_TRIES_PER_LINK 10   /* tries of one link per quarter of an hour */
#define WORKSHOP_UNKNOWN_PER_HOUR 30 /* unknown links per client address per hour */

static struct throttle *ws_unknown_by_ip, *ws_tries_by_link;
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;

static void ws_tables_new(void)
{
    /* As registration.c's sign-ups: per address, a full table lets a new address through rather
     * than hold it with the flood; per link, held. */
    ws_unknown_by_ip = throttle_new(2048, 3600, THROTTLE_OVERFLOW_UNTRACKED);
    ws_tries_by_link = throttle_new(1024, 900, THROTTLE_OVERFLOW_SHARE);
}

static const char ws_alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";

/* A new token: each character from 5 random bits (32 letters: no bias). */
static void ws_token_new(char out[WORKSHOP_TOKEN_LEN + 1])
{
    unsigned char raw[WORKSHOP_TOKEN_LEN];
    randombytes_buf(raw, sizeof raw);
    for (int i = 0; i < WORKSHOP_TOKEN_LEN; i++)
        out[i] = ws_alphabet[raw[i] & 31];
    out[WORKSHOP_TOKEN_LEN] = '\0';
    sodium_memzero(raw, sizeof raw);
}

bool workshop_token_shape(const char *token)
{
    if (!token || strlen(token) != WORKSHOP_TOKEN_LEN)
        return false;
    for (const char *p = token; *p; p++)
        if (!*p || !strchr(ws_alphabet, *p))
            return false;
    return true;
}

bool workshop_mediates(const struct viewer *v)
{
    return v && v->user_id > 0 && v->role >= ROLE_TRUSTED;
}

static void ws_of_row(struct workshop *w, const struct workshop_row *r)
{
    *w = (struct workshop){.id = r->id,
                           .created = r->created,
                           .expires = r->expires,
                           .title = r->title,
                           .open = r->open,
                           .used = r->used,
                           .revoked = r->revoked};
}

int workshop_create(struct store *s, struct arena *a, const struct viewer *v, const char *title,
                    int count, int days, long long now, struct field_errors *errs,
                    struct workshop *out, const char ***tokens)
{
    if (!workshop_mediates(v))
        return WORKSHOP_FORBIDDEN;
    const char *t = registration_line(a, title, WORKSHOP_TITLE_MAX);
    if (!t)
        validate_error(errs, "title",
                       arena_printf(a,
                                    "Donnez un titre à l'atelier (%d caractères au plus, sur "
                                    "une ligne), par exemple son lieu et sa date.",
                                    WORKSHOP_TITLE_MAX));
    if (count < 1 || count > WORKSHOP_LINKS_MAX)
        validate_error(errs, "count",
                       arena_printf(a, "Le nombre de liens va de 1 à %d.", WORKSHOP_LINKS_MAX));
    if (days < 1 || days > WORKSHOP_DAYS_MAX)
        validate_error(
            errs, "days",
            arena_printf(a, "La durée de validité va de 1 à %d jours.", WORKSHOP_DAYS_MAX));
    if (errs->n)
        return WORKSHOP_INVALID;
    const char **list = arena_alloc(a, sizeof(*list) * (size_t)count);
    long long id;
    long long expires = now + (long long)days * 86400;
    if (store_begin(s) != STORE_OK)
        return WORKSHOP_ERR;
    /* Inside the transaction: still an active mediator (not blocked meanwhile). */
    struct user_row u;
    int rc = store_user_by_id(s, a, v->user_id, &u);
    if (rc != STORE_OK || strcmp(u.status, "active") != 0 ||
        role_from_name(u.role) < ROLE_TRUSTED) {
        store_rollback(s);
        return rc == STORE_ERR ? WORKSHOP_ERR : WORKSHOP_FORBIDDEN;
    }
    if (store_workshop_insert(s, v->user_id, t, now, expires, &id) != STORE_OK)
        goto fail;
    for (int i = 0; i < count; i++) {
        char *token = arena_alloc(a, WORKSHOP_TOKEN_LEN + 1);
        unsigned char hash[32];
        ws_token_new(token);
        account_hash_token(token, hash);
        if (store_workshop_link_insert(s, id, hash) != STORE_OK)
            goto fail;
        list[i] = token;
    }
    if (store_commit(s) != STORE_OK)
        goto fail;
    *out =
        (struct workshop){.id = id, .created = now, .expires = expires, .title = t, .open = count};
    *tokens = list;
    return WORKSHOP_OK;
fail:
    store_rollback(s);
    return WORKSHOP_ERR;
}

int workshop_list(struct store *s, struct arena *a, const struct viewer *v, struct workshop **out,
                  int *n)
{
    if (!workshop_mediates(v))
        return WORKSHOP_FORBIDDEN;
    struct workshop_row *rows;
    if (store_workshops_of(s, a, v->user_id, WORKSHOP_LIST_MAX, &rows, n) != STORE_OK)
        return WORKSHOP_ERR;
    struct workshop *list = arena_alloc(a, sizeof(*list) * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        ws_of_row(&list[i], &rows[i]);
    *out = list;
    return WORKSHOP_OK;
}

/* v's batch id, or WORKSHOP_NOTFOUND (another mediator's included). */
static int ws_own(struct store *s, struct arena *a, const struct viewer *v, long long id,
                  struct workshop_row *row)
{
    if (!workshop_mediates(v))
        return WORKSHOP_FORBIDDEN;
    int rc = store_workshop_get(s, a, id, row);
    if (rc == STORE_ERR)
        return WORKSHOP_ERR;
    return rc == STORE_OK && row->mediator_id == v->user_id ? WORKSHOP_OK : WORKSHOP_NOTFOUND;
}

int workshop_get(struct store *s, struct arena *a, const struct viewer *v, long long id,
                 struct workshop *out, struct workshop_link **links, int *n)
{
    struct workshop_row row;
    struct workshop_link_row *rows;
    store_read_begin(s);
    int rc = ws_own(s, a, v, id, &row);
    if (rc == WORKSHOP_OK && store_workshop_links(s, a, id, &rows, n) != STORE_OK)
        rc = WORKSHOP_ERR;
    store_read_end(s);
    if (rc != WORKSHOP_OK)
        return rc;
    ws_of_row(out, &row);
    struct workshop_link *list = arena_alloc(a, sizeof(*list) * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        list[i] = (struct workshop_link){.id = rows[i].id,
                                         .used = rows[i].used,
                                         .state = rows[i].state,
                                         .participant = rows[i].participant};
    *links = list;
    return WORKSHOP_OK;
}

int workshop_revoke(struct store *s, struct arena *a, const struct viewer *v, long long id,
                    long long link_id, long long now, int *n)
{
    (void)now;
    *n = 0;
    struct workshop_row row;
    if (store_begin(s) != STORE_OK)
        return WORKSHOP_ERR;
    int rc = ws_own(s, a, v, id, &row);
    if (rc == WORKSHOP_OK && store_workshop_links_revoke(s, id, link_id, n) != STORE_OK)
        rc = WORKSHOP_ERR;
    if (rc == WORKSHOP_OK && store_commit(s) != STORE_OK)
        rc = WORKSHOP_ERR;
    if (rc != WORKSHOP_OK)
        store_rollback(s);
    return rc;
}

/* The link of token as its page sees it, read in the caller's transaction (if any). The lookup
 * is by the token's hash (an index search on a value the visitor cannot choose), never a
 * comparison of the secret itself. */
static int ws_ticket(struct store *s, struct arena *a, const char *token, long long now,
                     struct workshop_ticket_row *row)
{
    if (!workshop_token_shape(token))
        return WORKSHOP_NOTFOUND;
    unsigned char hash[32];
    account_hash_token(token, hash);
    int rc = store_workshop_ticket(s, a, hash, row);
    if (rc != STORE_OK)
        return rc == STORE_NOTFOUND ? WORKSHOP_NOTFOUND : WORKSHOP_ERR;
    if (strcmp(row->state, "used") == 0)
        return WORKSHOP_USED;
    if (strcmp(row->state, "revoked") == 0)
        return WORKSHOP_REVOKED;
    if (row->expires <= now)
        return WORKSHOP_EXPIRED;
    /* A mediator blocked, deleted or no longer trusted vouches for nobody. */
    struct user_row m;
    rc = store_user_by_id(s, a, row->mediator_id, &m);
    if (rc == STORE_ERR)
        return WORKSHOP_ERR;
    if (rc != STORE_OK || strcmp(m.status, "active") != 0 || role_from_name(m.role) < ROLE_TRUSTED)
        return WORKSHOP_REVOKED;
    return WORKSHOP_OK;
}

/* Counts an unknown link against the client's address; the seconds it must wait when its
 * address is over the limit (checked before anything is read). */
static long ws_unknown_wait(const char *ip, bool count, long long now)
{
    pthread_once(&ws_once, ws_tables_new);
    char address[THROTTLE_ADDRESS_MAX];
    throttle_address(ip ? ip : "", address, sizeof address);
    if (count) {
        long w = throttle_take(ws_unknown_by_ip, address, WORKSHOP_UNKNOWN_PER_HOUR, now);
        return w > 0 ? w : 0;
    }
    long w = throttle_wait(ws_unknown_by_ip, address, WORKSHOP_UNKNOWN_PER_HOUR, now);
    return w > 0 ? w : 0;
}

int workshop_ticket(struct store *s, struct arena *a, const char *token, const char *ip,
                    long long now, struct workshop_ticket *out, long *wait)
{
    *wait = ws_unknown_wait(ip, false, now);
    if (*wait > 0)
        return WORKSHOP_LIMITED;
    struct workshop_ticket_row row;
    store_read_begin(s);
    int rc = ws_ticket(s, a, token, now, &row);
    store_read_end(s);
    if (rc == WORKSHOP_OK || rc == WORKSHOP_USED || rc == WORKSHOP_EXPIRED)
        *out = (struct workshop_ticket){
            .title = row.title, .mediator = row.mediator, .expires = row.expires};
    if (rc == WORKSHOP_NOTFOUND)
        ws_unknown_wait(ip, true, now);
    return rc;
}

int workshop_join(struct store *s, struct arena *a, const struct registration_env *env,
                  const char *token, const char *name, const char *email, const char *password,
                  struct field_errors *errs, long *wait, char token_out[ACCOUNT_TOKEN_LEN + 1],
                  char csrf_out[ACCOUNT_TOKEN_LEN + 1])
{
    pthread_once(&ws_once, ws_tables_new);
    *wait = 0;
    /* The limits first: each try costs a password hash. A workshop's participants share one
     * address (the library's), so an address is limited only in unknown links (guesses); a
     * link in its tries. */
    struct workshop_ticket t;
    int rc = workshop_ticket(s, a, token, env->ip, env->now, &t, wait);
    if (rc != WORKSHOP_OK)
        return rc;
    long w = throttle_take(ws_tries_by_link, token, WORKSHOP_TRIES_PER_LINK, env->now);
    if (w > 0) {
        *wait = w;
        return WORKSHOP_LIMITED;
    }
    const char *n, *e;
    struct workshop_ticket_row row;
    if (registration_check_account(a, name, email, password, errs, &n, &e) != REGISTRATION_OK)
        return WORKSHOP_INVALID;
    char hash[ACCOUNT_HASH_MAX];
    if (account_password_hash(password, hash) != 0)
        return WORKSHOP_ERR;
    if (store_begin(s) != STORE_OK)
        return WORKSHOP_ERR;
    rc = ws_ticket(s, a, token, env->now, &row);
    if (rc != WORKSHOP_OK)
        goto out;
    long long id;
    int ins =
        store_workshop_user_insert(s, e, n, hash, env->now, row.mediator_id, row.workshop_id, &id);
    if (ins == STORE_CONFLICT) {
        /* The link's holder learns that this address has an account, which sign-up never says:
         * they hold a secret link the mediator gave them, its tries are counted, and a person
         * at a workshop must be told to log in instead. */
        validate_error(errs, "email",
                       "Cette adresse a déjà un compte sur le site : connectez-vous avec elle "
                       "(ou choisissez « Mot de passe oublié »), ou indiquez une autre adresse.");
        rc = WORKSHOP_INVALID;
        goto out;
    }
    if (ins != STORE_OK) {
        rc = WORKSHOP_ERR;
        goto out;
    }
    int used = store_workshop_link_use(s, row.link_id, id, env->now);
    if (used != STORE_OK) {
        rc = used == STORE_NOTFOUND ? WORKSHOP_USED : WORKSHOP_ERR;
        goto out;
    }
    const char *site = env->site_name && *env->site_name ? env->site_name : "foison";
    struct outbox_mail m = {
        .to = e,
        .subject = "Votre compte est ouvert",
        .text = arena_printf(a,
                             "Bonjour,\n\nUn compte vient d'être ouvert avec cette adresse sur "
                             "%s, lors d'un atelier d'écriture accompagné par %s.\n\nVous pouvez "
                             "vous connecter ici : %s/login\n\nSi vous n'êtes pas à l'origine de "
                             "ce compte, choisissez « Mot de passe oublié » sur la page de "
                             "connexion : le compte sera alors à vous, et vous pourrez le "
                             "supprimer.\n\n— %s\n",
                             site, row.mediator, env->base_url, site),
    };
    if (outbox_queue(s, a, &m, env->now) != 0 ||
        account_session_open(s, id, token_out, csrf_out) != 0) {
        rc = WORKSHOP_ERR;
        goto out;
    }
    if (store_commit(s) != STORE_OK) {
        rc = WORKSHOP_ERR;
        goto out;
    }
    throttle_forgive(ws_tries_by_link, token, env->now);
    return WORKSHOP_OK;
out:
    store_rollback(s);
    return rc;
}
