/* account.h — accounts, password hashing (argon2id), sessions, CSRF tokens and API tokens.
 * Secrets are 256-bit random values from libsodium; only their hashes are stored. */
#ifndef FOISON_ACCOUNT_H
#define FOISON_ACCOUNT_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct store;

#define ACCOUNT_TOKEN_LEN 64 /* hex characters of a session or API token */
#define ACCOUNT_SESSION_SECONDS (30 * 24 * 3600)

struct user {
    long long id;
    const char *email, *name, *role;
};

/* Must be called once before any other function (initialises libsodium). */
int account_init(void);
/* Validates and creates an account. 0, or -1 with a French message in err. */
int account_create(struct store *s, const char *email, const char *name, const char *role,
                   const char *password, char *err, size_t errlen);
enum account_status {
    ACCOUNT_OK = 0,
    ACCOUNT_DENIED = -1, /* unknown e-mail, wrong password, inactive account */
    ACCOUNT_ERR = -2,    /* storage failure: not the user's fault, logged */
};

/* Checks credentials and opens a session. token and csrf receive hex strings (65 bytes).
 * ACCOUNT_OK, ACCOUNT_DENIED or ACCOUNT_ERR. */
int account_login(struct store *s, struct arena *a, const char *email, const char *password,
                  struct user *user, char token[ACCOUNT_TOKEN_LEN + 1],
                  char csrf[ACCOUNT_TOKEN_LEN + 1]);
/* The user of a session token, with the session's CSRF token; -1 when none. When the account's
 * rights changed since the session opened (a new role, a confirmation), the session gets a new
 * token and CSRF token: *rotated receives the new token (set it as the cookie), else NULL. */
int account_session(struct store *s, struct arena *a, const char *token, struct user *user,
                    const char **csrf, const char **rotated);
/* Opens a session of the account: token and csrf receive hex strings. 0 or -1. */
int account_session_open(struct store *s, long long user_id, char token[ACCOUNT_TOKEN_LEN + 1],
                         char csrf[ACCOUNT_TOKEN_LEN + 1]);
/* The argon2id hash of a password (libsodium's interactive limits). 0, or -1 out of memory. */
#define ACCOUNT_HASH_MAX 128
int account_password_hash(const char *password, char out[ACCOUNT_HASH_MAX]);
/* Does password match hash? A hash that is not one (a deleted account's "!") is checked against
 * a dummy, so that the answer takes as long and never matches. */
bool account_password_verify(const char *hash, const char *password);
#define ACCOUNT_PASSWORD_MAX_BYTES 1024
/* The BLAKE2b hash under which a secret token is stored. */
void account_hash_token(const char *token, unsigned char out[32]);
/* Is token ACCOUNT_TOKEN_LEN lowercase hex characters? */
bool account_token_shape(const char *token);
void account_logout(struct store *s, const char *token);
/* A new API token for the account with that email (printed once, stored hashed). */
int account_token_create(struct store *s, const char *email, char token[ACCOUNT_TOKEN_LEN + 1],
                         char *err, size_t errlen);
/* Revokes every API token of the account with that email; *n receives how many. */
int account_tokens_revoke(struct store *s, const char *email, int *n, char *err, size_t errlen);
int account_token_user(struct store *s, struct arena *a, const char *token, struct user *user);
/* A random hex token (for anonymous CSRF cookies). */
void account_random_token(char out[ACCOUNT_TOKEN_LEN + 1]);
/* Constant-time comparison of two NUL-terminated tokens. */
bool account_token_equal(const char *a, const char *b);
bool account_can_edit(const struct user *u);
bool account_can_moderate(const struct user *u);
/* Checks the shape of an e-mail address (what forms and the CLI accept). */
bool account_email_valid(const char *email);
/* The id of the account with that e-mail. 0, or -1 when none. */
int account_id_by_email(struct store *s, struct arena *a, const char *email, long long *id);

#endif
