/* user_store.h — rows of users, sessions and API tokens. Secrets arrive here already hashed. */
#ifndef FOISON_USER_STORE_H
#define FOISON_USER_STORE_H
#include "store/store.h"

struct arena;

struct user_row {
    long long id;
    const char *email, *name, *role, *status, *password_hash;
    long long created;
};

int store_user_insert(struct store *s, const char *email, const char *name, const char *role,
                      const char *password_hash, long long now, long long *id);
int store_user_by_email(struct store *s, struct arena *a, const char *email, struct user_row *out);
int store_session_insert(struct store *s, const unsigned char hash[32], long long user_id,
                         const char *csrf, long long now, long long expires);
/* The user of a live session (expires > now) and its CSRF token. */
int store_session_user(struct store *s, struct arena *a, const unsigned char hash[32],
                       long long now, struct user_row *out, const char **csrf);
/* Removes sessions expired before now. */
int store_sessions_purge(struct store *s, long long now);
int store_session_delete(struct store *s, const unsigned char hash[32]);
int store_token_insert(struct store *s, const unsigned char hash[32], long long user_id,
                       long long now);
/* Deletes every API token of the user; *n receives how many there were. */
int store_tokens_revoke(struct store *s, long long user_id, int *n);
int store_token_user(struct store *s, struct arena *a, const unsigned char hash[32],
                     struct user_row *out);

int store_user_by_id(struct store *s, struct arena *a, long long id, struct user_row *out);
int store_user_set_role(struct store *s, long long id, const char *role);
/* status: active, pending (e-mail not confirmed) or blocked. Sessions and tokens of an account
 * that is not active stop working at once (their reads require an active account). */
int store_user_set_status(struct store *s, long long id, const char *status);
/* Ends every session of the account. */
int store_user_sessions_delete(struct store *s, long long id);

#endif
