/* login_guard.c — limits, device cookies and proof of work for logins (see login_guard.h). The
 * MACs use a secret drawn once per site and kept in its settings, so that every process serving
 * the site recognises the same cookies and challenges. */
#include "core/login_guard.h"
#include "core/throttle.h"
#include "store/store.h"
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD_SECRET_SETTING "login_secret"

static unsigned char guard_secret[crypto_auth_hmacsha256_KEYBYTES];
static bool guard_secret_loaded;
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;

/* The site's secret, created on first use (the first process to write it wins). */
static int guard_secret_get(struct store *s, unsigned char key[crypto_auth_hmacsha256_KEYBYTES])
{
    int rc = -1;
    pthread_mutex_lock(&guard_lock);
    if (!guard_secret_loaded) {
        char *hex = store_setting_get(s, GUARD_SECRET_SETTING);
        if (!hex) {
            unsigned char raw[sizeof guard_secret];
            char fresh[sizeof guard_secret * 2 + 1];
            randombytes_buf(raw, sizeof raw);
            sodium_bin2hex(fresh, sizeof fresh, raw, sizeof raw);
            if (store_setting_add(s, GUARD_SECRET_SETTING, fresh) == STORE_OK)
                hex = store_setting_get(s, GUARD_SECRET_SETTING);
        }
        size_t len = 0;
        if (hex &&
            sodium_hex2bin(guard_secret, sizeof guard_secret, hex, strlen(hex), NULL, &len, NULL) ==
                0 &&
            len == sizeof guard_secret)
            guard_secret_loaded = true;
        else
            fprintf(stderr, "foison: secret des connexions illisible\n");
        free(hex);
    }
    if (guard_secret_loaded) {
        memcpy(key, guard_secret, sizeof guard_secret);
        rc = 0;
    }
    pthread_mutex_unlock(&guard_lock);
    return rc;
}

/* Hex HMAC of "label\n" + text under the site's secret: 64 characters into out. */
static int guard_mac(struct store *s, const char *label, const char *text, char out[65])
{
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES], mac[crypto_auth_hmacsha256_BYTES];
    if (guard_secret_get(s, key) != 0)
        return -1;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, sizeof key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)text, strlen(text));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    sodium_bin2hex(out, 65, mac, sizeof mac);
    return 0;
}

static bool guard_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* E-mail addresses compare without case, as the accounts table does. */
static void guard_email_fold(const char *email, char *out, size_t size)
{
    size_t i = 0;
    for (; email && email[i] && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)email[i]);
    out[i] = '\0';
}

int login_guard_device(struct store *s, const char *email, char out[LOGIN_DEVICE_LEN + 1])
{
    unsigned char raw[16];
    char nonce[33], text[300], mac[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
    char folded[256];
    guard_email_fold(email, folded, sizeof folded);
    snprintf(text, sizeof text, "%s\n%s", nonce, folded);
    if (guard_mac(s, "device", text, mac) != 0)
        return -1;
    snprintf(out, LOGIN_DEVICE_LEN + 1, "%s%s", nonce, mac);
    return 0;
}

/* Is token a device cookie of email? Its nonce (32 hex) goes to nonce. */
static bool guard_device_valid(struct store *s, const char *token, const char *email,
                               char nonce[33])
{
    if (!token || !guard_hex(token, LOGIN_DEVICE_LEN))
        return false;
    memcpy(nonce, token, 32);
    nonce[32] = '\0';
    char folded[256], text[300], mac[65];
    guard_email_fold(email, folded, sizeof folded);
    snprintf(text, sizeof text, "%s\n%s", nonce, folded);
    return guard_mac(s, "device", text, mac) == 0 && sodium_memcmp(mac, token + 32, 64) == 0;
}

int login_guard_challenge(struct store *s, long long now, char out[LOGIN_CHALLENGE_MAX + 1])
{
    unsigned char raw[16];
    char nonce[33], text[80], mac[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
    snprintf(text, sizeof text, "%d.%lld.%s", LOGIN_POW_BITS, now + LOGIN_POW_SECONDS, nonce);
    if (guard_mac(s, "pow", text, mac) != 0)
        return -1;
    snprintf(out, LOGIN_CHALLENGE_MAX + 1, "%s.%s", text, mac);
    return 0;
}

static bool guard_pow_solved(const char *challenge, const char *answer, int bits)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)challenge, strlen(challenge));
    crypto_hash_sha256_update(&st, (const unsigned char *)":", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)answer, strlen(answer));
    crypto_hash_sha256_final(&st, h);
    for (int i = 0; i < bits; i++)
        if (h[i / 8] & (0x80 >> (i % 8)))
            return false;
    return true;
}

bool login_guard_pow_valid(struct store *s, const char *challenge, const char *answer,
                           long long now)
{
    if (!challenge || !answer || strlen(challenge) > LOGIN_CHALLENGE_MAX || !*answer ||
        strlen(answer) > 20 || strspn(answer, "0123456789") != strlen(answer))
        return false;
    int bits;
    long long expires;
    char nonce[33], mac[65];
    int used = 0;
    if (sscanf(challenge, "%d.%lld.%32[0-9a-f].%64[0-9a-f]%n", &bits, &expires, nonce, mac,
               &used) != 4 ||
        challenge[used] != '\0' || bits != LOGIN_POW_BITS || expires < now ||
        expires > now + LOGIN_POW_SECONDS || strlen(nonce) != 32 || strlen(mac) != 64)
        return false;
    char text[80], want[65];
    snprintf(text, sizeof text, "%d.%lld.%s", bits, expires, nonce);
    if (guard_mac(s, "pow", text, want) != 0 || sodium_memcmp(want, mac, 64) != 0 ||
        !guard_pow_solved(challenge, answer, bits))
        return false;
    /* Once only: a solved challenge buys one attempt, never a series. */
    char key[64];
    snprintf(key, sizeof key, "pow:%s", nonce);
    return throttle_take(key, 1, LOGIN_POW_SECONDS, now) == 0;
}

static void guard_key(struct login_attempt *at, int window, const char *fmt, const char *value)
{
    snprintf(at->keys[at->nkeys], sizeof at->keys[0], fmt, value);
    at->windows[at->nkeys++] = window;
}

/* Takes every counter of the attempt, or none: a refusal gives back those already taken. */
static long guard_take_all(struct login_attempt *at, const int *max)
{
    for (int i = 0; i < at->nkeys; i++) {
        long w = throttle_take(at->keys[i], max[i], at->windows[i], at->now);
        if (w > 0) {
            for (int j = 0; j < i; j++)
                throttle_forgive(at->keys[j], at->windows[j], at->now);
            return w;
        }
    }
    return 0;
}

enum login_guard_verdict login_guard_begin(struct store *s, struct login_attempt *at, long *wait)
{
    char folded[256], nonce[33];
    guard_email_fold(at->email, folded, sizeof folded);
    at->nkeys = 0;
    at->trusted = guard_device_valid(s, at->device, folded, nonce);
    at->pow_used = false;
    *wait = 0;
    int max[4];
    if (at->trusted) {
        /* A browser that logged into this account before has its own budget, and only that:
         * whoever else guesses passwords, from any address (a proxy's or a NAT's shared by the
         * owner too), cannot lock it out. */
        max[at->nkeys] = LOGIN_MAX_PER_DEVICE;
        guard_key(at, THROTTLE_WINDOW_SECONDS, "device:%s", nonce);
        *wait = guard_take_all(at, max);
        return *wait ? LOGIN_GUARD_WAIT : LOGIN_GUARD_GO;
    }
    max[at->nkeys] = LOGIN_MAX_PER_IP;
    guard_key(at, THROTTLE_WINDOW_SECONDS, "ip:%s", at->ip);
    max[at->nkeys] = LOGIN_MAX_PER_ACCOUNT_HOUR;
    guard_key(at, 3600, "account-hour:%s", folded);
    max[at->nkeys] = LOGIN_MAX_PER_ACCOUNT;
    guard_key(at, THROTTLE_WINDOW_SECONDS, "account:%s", folded);
    *wait = guard_take_all(at, max);
    if (!*wait)
        return LOGIN_GUARD_GO;
    /* Which counter said no? Only the 15-minute one of the account can be passed, by work. */
    if (throttle_wait(at->keys[0], LOGIN_MAX_PER_IP, THROTTLE_WINDOW_SECONDS, at->now) > 0 ||
        throttle_wait(at->keys[1], LOGIN_MAX_PER_ACCOUNT_HOUR, 3600, at->now) > 0)
        return LOGIN_GUARD_WAIT;
    if (!login_guard_pow_valid(s, at->challenge, at->answer, at->now))
        return LOGIN_GUARD_PROVE;
    at->nkeys = 2; /* the address and the hour still count; the 15-minute budget is spent */
    *wait = guard_take_all(at, max);
    if (*wait)
        return LOGIN_GUARD_WAIT;
    at->pow_used = true;
    return LOGIN_GUARD_GO;
}

void login_guard_end(struct login_attempt *at, bool counted)
{
    if (counted)
        return;
    for (int i = 0; i < at->nkeys; i++)
        throttle_forgive(at->keys[i], at->windows[i], at->now);
}
