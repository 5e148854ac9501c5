/* login_guard.h — what keeps password guessing slow without locking the real owner out: limits
 * per address, per account (15 minutes and one hour) and per known device, device cookies for
 * the browsers that have logged into an account before (OWASP "device cookies"), and a proof of
 * work that lets a new browser try again past the account's limit. Check and count are one
 * atomic step, so parallel attempts never get more password checks than the limits allow; the
 * windows slide (core/throttle.h), so no span of 15 minutes or of an hour ever sees more than
 * its limit.
 *
 * A device cookie holds up to LOGIN_DEVICE_MAX tokens, one per account this browser logged into
 * (the newest first). A token is a nonce and a MAC of (nonce, account id, the account's password
 * hash) under the site's secret: it is worth nothing for another account, and changing the
 * password (which changes the hash and its salt) revokes every token given before. */
#ifndef FOISON_LOGIN_GUARD_H
#define FOISON_LOGIN_GUARD_H
#include <stdbool.h>

struct store;
struct throttle;

#define LOGIN_MAX_PER_IP 30            /* failures per 15 minutes from one address (a library…) */
#define LOGIN_MAX_PER_ACCOUNT 5        /* failures per 15 minutes from unknown browsers */
#define LOGIN_MAX_PER_DEVICE 5         /* failures per 15 minutes from one known browser */
#define LOGIN_MAX_PER_ACCOUNT_HOUR 100 /* failures per hour, past which nothing unknown passes */
#define LOGIN_POW_BITS 16              /* leading zero bits of SHA-256(challenge ":" answer) */
#define LOGIN_POW_SECONDS 600          /* a challenge's life */
#define LOGIN_DEVICE_LEN 96            /* hex characters of one device token */
#define LOGIN_DEVICE_MAX 4             /* tokens (accounts) one device cookie holds */
#define LOGIN_DEVICE_COOKIE_MAX (LOGIN_DEVICE_MAX * (LOGIN_DEVICE_LEN + 1) - 1) /* '.' between */
#define LOGIN_CHALLENGE_MAX 160

struct login_attempt {
    /* filled by the caller */
    const char *ip;
    const char *email;
    const char *device;    /* the device cookie sent (foison_device), or NULL */
    const char *challenge; /* a proof of work sent with the form, or NULL */
    const char *answer;
    long long now;
    /* filled by login_guard_begin */
    bool trusted;  /* the device cookie holds a token of this account, and its budget counted
                      this attempt (when that table was full, it counts as an unknown browser) */
    bool pow_used; /* let through past the account's limit by a proof of work */
    struct throttle *tables[3]; /* the counters taken, to forgive */
    char keys[3][300];
    int nkeys;
};

enum login_guard_verdict {
    LOGIN_GUARD_GO = 0,    /* check the password; then login_guard_end */
    LOGIN_GUARD_WAIT = 1,  /* held back: *wait seconds; no proof of work can help */
    LOGIN_GUARD_PROVE = 2, /* the account's limit is reached for unknown browsers: a proof of
                              work lets this one try (see login_guard_challenge) */
};

/* Decides whether this attempt may check a password, counting it (as a failure until
 * login_guard_end says otherwise). *wait receives the seconds to wait when held back. */
enum login_guard_verdict login_guard_begin(struct store *s, struct login_attempt *at, long *wait);
/* The outcome of the password check: a success or an error that is not the user's (storage)
 * takes the attempt back; a wrong password stays counted. */
void login_guard_end(struct login_attempt *at, bool counted);
/* When a form was shown, signed and bound to the visitor (bind: their session's or cookie's
 * CSRF token, so that a stamp cannot be collected once and replayed by a robot): the stamp a
 * form carries (at most LOGIN_FORM_STAMP_MAX characters), and the seconds since then when it
 * comes back (-1: missing, forged, someone else's, from the future or older than a day). The
 * time a form was open is a spam signal. */
#define LOGIN_FORM_STAMP_MAX 90
#define LOGIN_FORM_STAMP_SECONDS 86400
int login_guard_form_stamp(struct store *s, long long now, const char *bind,
                           char out[LOGIN_FORM_STAMP_MAX + 1]);
long login_guard_form_age(struct store *s, const char *stamp, const char *bind, long long now);
/* A new proof-of-work challenge (at most LOGIN_CHALLENGE_MAX characters) into out. 0 or -1. */
int login_guard_challenge(struct store *s, long long now, char out[LOGIN_CHALLENGE_MAX + 1]);
/* True when answer solves challenge, which this server made, is fresh and was never used before
 * (it is used up by this call). */
bool login_guard_pow_valid(struct store *s, const char *challenge, const char *answer,
                           long long now);
/* The question a person without JavaScript answers instead of the proof of work of challenge:
 * "a + b" (numbers from 1 to 10). 0, or -1 when the challenge is not this server's or stale. */
int login_guard_question(struct store *s, const char *challenge, long long now, int *a, int *b);
/* True when answer is the sum the question of challenge asks for, and the challenge was never
 * used before (it is used up by this call, as by login_guard_pow_valid). */
bool login_guard_question_valid(struct store *s, const char *challenge, const char *answer,
                                long long now);
/* Hex HMAC-SHA-256 of label and text under the site's secret (64 characters and a NUL into
 * out), for other signed tokens of the site (core/robot_gate.c). 0 or -1. */
int login_guard_sign(struct store *s, const char *label, const char *text, char out[65]);
/* The device cookie to give a browser that just logged into email, whose cookie was old (NULL
 * when none): a fresh token of this account first, then the old tokens of other accounts, at most
 * LOGIN_DEVICE_MAX in all. 0, or -1 (unknown account, storage error). */
int login_guard_device(struct store *s, const char *email, const char *old,
                       char out[LOGIN_DEVICE_COOKIE_MAX + 1]);

#endif
