/* account.c — accounts and the secrets that prove who is who. */
#include "core/account.h"
#include "core/password.h"
#include "core/visibility.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A real hash of a random password, verified against when the e-mail is unknown so that the
 * answer takes as long as for a known account. */
static char account_dummy_hash[crypto_pwhash_STRBYTES];

int account_init(void)
{
    if (sodium_init() < 0)
        return -1;
    if (account_dummy_hash[0])
        return 0;
    char pw[ACCOUNT_TOKEN_LEN + 1];
    account_random_token(pw);
    return crypto_pwhash_str_alg(account_dummy_hash, pw, strlen(pw),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

int account_password_hash(const char *password, char out[ACCOUNT_HASH_MAX])
{
    return crypto_pwhash_str_alg(out, password, strlen(password),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

bool account_password_verify(const char *hash, const char *password)
{
    return password && strlen(password) <= ACCOUNT_PASSWORD_MAX_BYTES &&
           crypto_pwhash_str_verify(hash && hash[0] == '$' ? hash : account_dummy_hash, password,
                                    strlen(password)) == 0 &&
           hash && hash[0] == '$';
}

void account_hash_token(const char *token, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

void account_random_token(char out[ACCOUNT_TOKEN_LEN + 1])
{
    unsigned char raw[ACCOUNT_TOKEN_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, ACCOUNT_TOKEN_LEN + 1, raw, sizeof raw);
}

bool account_token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb || la == 0)
        return false;
    return sodium_memcmp(a, b, la) == 0;
}

bool account_token_shape(const char *token)
{
    if (!token || strlen(token) != ACCOUNT_TOKEN_LEN)
        return false;
    for (const char *p = token; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

bool account_email_valid(const char *email)
{
    size_t n = strlen(email);
    if (n < 3 || n > 254 || !utf8_valid(email, n))
        return false;
    const char *at = strchr(email, '@');
    if (!at || at == email || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.')
        return false;
    for (const char *p = email; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' ||
            *p == ',' || *p == ';') /* a control character would break a mail header */
            return false;
    return email[n - 1] != '.';
}

int account_create(struct store *s, const char *email, const char *name, const char *role,
                   const char *password, char *err, size_t errlen)
{
    if (!email || !account_email_valid(email)) {
        snprintf(err, errlen, "adresse e-mail invalide");
        return -1;
    }
    size_t nl = name ? strlen(name) : 0;
    if (nl == 0 || nl > 200 || !utf8_valid(name, nl) || utf8_count(name, nl) > 80 ||
        strchr(name, '\n')) {
        snprintf(err, errlen, "le nom est obligatoire (80 caractères au plus, sur une ligne)");
        return -1;
    }
    if (!role_assignable(role)) {
        snprintf(err, errlen, "rôle inconnu : admin, moderator ou contributor");
        return -1;
    }
    const char *weak = password_problem(password, email, name);
    if (weak) {
        snprintf(err, errlen, "%s", weak);
        return -1;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (account_password_hash(password, hash) != 0) {
        snprintf(err, errlen, "mémoire insuffisante pour hacher le mot de passe");
        return -1;
    }
    int rc = store_user_insert(s, email, name, role, hash, (long long)time(NULL), NULL);
    if (rc == STORE_CONFLICT) {
        snprintf(err, errlen, "un compte existe déjà avec l'adresse %s", email);
        return -1;
    }
    if (rc != STORE_OK) {
        snprintf(err, errlen, "écriture du compte impossible");
        return -1;
    }
    return 0;
}

static void account_user_from_row(struct user *u, const struct user_row *r)
{
    u->id = r->id;
    u->email = r->email;
    u->name = r->name;
    u->role = r->role;
}

int account_login(struct store *s, struct arena *a, const char *email, const char *password,
                  struct user *user, char token[ACCOUNT_TOKEN_LEN + 1],
                  char csrf[ACCOUNT_TOKEN_LEN + 1])
{
    struct user_row row;
    if (!email || !password || strlen(password) > 1024)
        return ACCOUNT_DENIED;
    int rc = store_user_by_email(s, a, email, &row);
    if (rc == STORE_ERR)
        return ACCOUNT_ERR;
    /* One password hash is checked whatever the account (unknown: the dummy hash; blocked or
     * pending: its own), so that the time of the answer does not tell which accounts exist or
     * are active. */
    bool known = rc == STORE_OK;
    const char *check = known ? row.password_hash : account_dummy_hash;
    bool match = crypto_pwhash_str_verify(check, password, strlen(password)) == 0;
    if (!known || !match || strcmp(row.status, "active") != 0)
        return ACCOUNT_DENIED; /* the dummy cannot match: its password is random and forgotten */
    store_sessions_purge(s, (long long)time(NULL)); /* logins are rare: they do the housekeeping */
    if (account_session_open(s, row.id, token, csrf) != 0)
        return ACCOUNT_ERR;
    account_user_from_row(user, &row);
    return ACCOUNT_OK;
}

int account_session(struct store *s, struct arena *a, const char *token, struct user *user,
                    const char **csrf, const char **rotated)
{
    *rotated = NULL;
    if (!account_token_shape(token))
        return -1;
    unsigned char hash[32];
    account_hash_token(token, hash);
    struct user_row row;
    long long rights;
    if (store_session_user(s, a, hash, (long long)time(NULL), &row, csrf, &rights) != STORE_OK)
        return -1;
    account_user_from_row(user, &row);
    if (rights != row.rights) {
        /* The account's rights changed since this session opened: a new token, so that whatever
         * knew the old one (a fixed session, a leaked cookie) keeps nothing of the new rights. */
        /* The CSRF token stays: it is bound to the session, not to its rights, and a form shown
         * just before the change must still be sent (it is in the page, not in a cookie). */
        char *fresh = arena_alloc(a, ACCOUNT_TOKEN_LEN + 1);
        account_random_token(fresh);
        unsigned char fresh_hash[32];
        account_hash_token(fresh, fresh_hash);
        int rc = store_session_rotate(s, hash, fresh_hash, row.rights);
        if (rc == STORE_NOTFOUND)
            return -1; /* rotated at the same moment by another request: this token is dead */
        if (rc == STORE_OK)
            *rotated = fresh;
    }
    return 0;
}

int account_session_open(struct store *s, long long user_id, char token[ACCOUNT_TOKEN_LEN + 1],
                         char csrf[ACCOUNT_TOKEN_LEN + 1])
{
    account_random_token(token);
    account_random_token(csrf);
    unsigned char hash[32];
    account_hash_token(token, hash);
    long long now = (long long)time(NULL);
    return store_session_insert(s, hash, user_id, csrf, now, now + ACCOUNT_SESSION_SECONDS) ==
                   STORE_OK
               ? 0
               : -1;
}

void account_logout(struct store *s, const char *token)
{
    if (!account_token_shape(token))
        return;
    unsigned char hash[32];
    account_hash_token(token, hash);
    store_session_delete(s, hash);
}

int account_token_create(struct store *s, const char *email, char token[ACCOUNT_TOKEN_LEN + 1],
                         char *err, size_t errlen)
{
    struct user_row row;
    struct arena *a = NULL;
    a = arena_new();
    int rc = store_user_by_email(s, a, email, &row);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "aucun compte avec l'adresse %s", email);
        arena_free(a);
        return -1;
    }
    account_random_token(token);
    unsigned char hash[32];
    account_hash_token(token, hash);
    rc = store_token_insert(s, hash, row.id, (long long)time(NULL));
    arena_free(a);
    if (rc != STORE_OK) {
        snprintf(err, errlen, "écriture du jeton impossible");
        return -1;
    }
    return 0;
}

int account_tokens_revoke(struct store *s, const char *email, int *n, char *err, size_t errlen)
{
    struct arena *a = arena_new();
    struct user_row row;
    int rc = store_user_by_email(s, a, email, &row);
    if (rc == STORE_OK)
        rc = store_tokens_revoke(s, row.id, n);
    else
        snprintf(err, errlen, "aucun compte avec l'adresse %s", email);
    arena_free(a);
    if (rc == STORE_ERR)
        snprintf(err, errlen, "révocation impossible");
    return rc == STORE_OK ? 0 : -1;
}

int account_token_user(struct store *s, struct arena *a, const char *token, struct user *user)
{
    if (!account_token_shape(token))
        return -1;
    unsigned char hash[32];
    account_hash_token(token, hash);
    struct user_row row;
    if (store_token_user(s, a, hash, &row) != STORE_OK)
        return -1;
    account_user_from_row(user, &row);
    return 0;
}

bool account_can_edit(const struct user *u)
{
    return u && u->id > 0;
}

bool account_can_moderate(const struct user *u)
{
    struct viewer v = viewer_of(u);
    return viewer_moderates(&v);
}

int account_id_by_email(struct store *s, struct arena *a, const char *email, long long *id)
{
    struct user_row row;
    if (!email || !account_email_valid(email) || store_user_by_email(s, a, email, &row) != STORE_OK)
        return -1;
    *id = row.id;
    return 0;
}
