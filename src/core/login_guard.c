/* login_guard.c — limits, device cookies and proof of work for logins (see login_guard.h). The
 * MACs use a secret drawn once per site and kept in its settings, so that every process serving
 * the site recognises the same cookies and challenges. Each limit has a counter table of its own
 * (core/throttle.h), sized for its kind, so that junk in one (a flood of addresses or of made-up
 * e-mails) never shares a counter with, or pushes out, another. */
#include "core/login_guard.h"
#include "core/throttle.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <arpa/inet.h>
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

/* Every address (or IPv6 /64) that failed in the last 15 minutes; when full of held addresses, a
 * new one is not counted: whoever can fill it has many addresses anyway, and the account's
 * limits still hold, while a shared counter would lock out everyone behind new addresses. */
static struct throttle *guard_by_ip;
/* Accounts (any e-mail tried, known or not) over 15 minutes and over the hour; when full of held
 * accounts, a new one shares its bucket's overflow counter of that table (never let through;
 * the owner's known browsers do not use these, and the proof of work passes the 15 minutes). */
static struct throttle *guard_by_account, *guard_by_account_hour;
/* Known browsers (only tokens this site made, so filling it needs many logins); when full of held
 * ones, a known browser is treated as an unknown one rather than sharing a counter. */
static struct throttle *guard_by_device;
/* Proofs of work used, each until its challenge expires (LOGIN_POW_SECONDS × the rate of logins
 * past a limit that the address limit lets through). When a bucket is full, the proof expiring
 * first is forgotten: replaying it still spends the address's and the account's hourly budget,
 * which no proof can pass. */
static struct throttle_set *guard_pow_used;
static pthread_once_t guard_tables_once = PTHREAD_ONCE_INIT;

static void guard_tables_init(void)
{
    guard_by_ip = throttle_new(4096, THROTTLE_WINDOW_SECONDS, THROTTLE_OVERFLOW_UNTRACKED);
    guard_by_account = throttle_new(4096, THROTTLE_WINDOW_SECONDS, THROTTLE_OVERFLOW_SHARE);
    guard_by_account_hour = throttle_new(4096, 3600, THROTTLE_OVERFLOW_SHARE);
    guard_by_device = throttle_new(1024, THROTTLE_WINDOW_SECONDS, THROTTLE_OVERFLOW_UNTRACKED);
    guard_pow_used = throttle_set_new(4096);
}

static void guard_tables(void)
{
    pthread_once(&guard_tables_once, guard_tables_init);
}

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

/* The address a limit counts: an IPv6 address by its /64 (what one subscriber or host gets; one
 * attacker holds 2^64 addresses), an IPv4 one (mapped into IPv6 or not) whole. */
static void guard_address(const char *ip, char *out, size_t size)
{
    unsigned char a6[16];
    struct in_addr a4;
    char text[INET6_ADDRSTRLEN];
    if (ip && inet_pton(AF_INET6, ip, a6) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a6, mapped, sizeof mapped) == 0) {
            memcpy(&a4, a6 + 12, 4);
            inet_ntop(AF_INET, &a4, text, sizeof text);
            snprintf(out, size, "%s", text);
            return;
        }
        memset(a6 + 8, 0, 8);
        inet_ntop(AF_INET6, a6, text, sizeof text);
        snprintf(out, size, "%s/64", text);
        return;
    }
    snprintf(out, size, "%s", ip ? ip : "?");
}

/* What a device token of an account is bound to: its id and its password hash, read from the
 * store into tag. false when the account is unknown or cannot be read. */
static bool guard_account_tag(struct store *s, const char *email, char *tag, size_t size)
{
    struct arena *a = arena_new();
    struct user_row row;
    bool ok = email && *email && store_user_by_email(s, a, email, &row) == STORE_OK;
    if (ok)
        snprintf(tag, size, "%lld\n%s", row.id, row.password_hash);
    arena_free(a);
    return ok;
}

/* The MAC part of the token of nonce for the account of tag: 64 hex characters. */
static int guard_device_mac(struct store *s, const char *nonce, const char *tag, char mac[65])
{
    char text[400];
    snprintf(text, sizeof text, "%s\n%s", nonce, tag);
    return guard_mac(s, "device", text, mac);
}

/* The next token of a cookie (tokens are separated by '.'): its start and length. */
static const char *guard_token_next(const char **p, size_t *len)
{
    while (**p == '.')
        (*p)++;
    if (!**p)
        return NULL;
    const char *start = *p;
    *len = strcspn(start, ".");
    *p = start + *len;
    return start;
}

/* Does the cookie hold a token of the account of tag? Its nonce (32 hex) goes to nonce. At most
 * LOGIN_DEVICE_MAX tokens are looked at. */
static bool guard_device_find(struct store *s, const char *cookie, const char *tag, char nonce[33])
{
    if (!cookie || strlen(cookie) > LOGIN_DEVICE_COOKIE_MAX)
        return false;
    const char *p = cookie, *tok;
    size_t len;
    bool found = false;
    for (int n = 0; n < LOGIN_DEVICE_MAX && (tok = guard_token_next(&p, &len)); n++) {
        if (len != LOGIN_DEVICE_LEN || !guard_hex(tok, len))
            continue;
        char mine[33], mac[65];
        memcpy(mine, tok, 32);
        mine[32] = '\0';
        if (guard_device_mac(s, mine, tag, mac) == 0 && sodium_memcmp(mac, tok + 32, 64) == 0 &&
            !found) {
            memcpy(nonce, mine, 33);
            found = true;
        }
    }
    return found;
}

int login_guard_device(struct store *s, const char *email, const char *old,
                       char out[LOGIN_DEVICE_COOKIE_MAX + 1])
{
    char tag[300], nonce[33], mac[65];
    if (!guard_account_tag(s, email, tag, sizeof tag))
        return -1;
    char prev[LOGIN_DEVICE_COOKIE_MAX + 1] = ""; /* old may be out */
    if (old && strlen(old) <= LOGIN_DEVICE_COOKIE_MAX)
        memcpy(prev, old, strlen(old) + 1);
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
    if (guard_device_mac(s, nonce, tag, mac) != 0)
        return -1;
    size_t used = (size_t)snprintf(out, LOGIN_DEVICE_COOKIE_MAX + 1, "%s%s", nonce, mac);
    /* The other accounts' tokens follow, the oldest falling off the end; this account's old
     * ones (and anything malformed) are dropped. */
    const char *p = prev, *tok;
    size_t len;
    int kept = 1;
    for (int seen = 0;
         kept < LOGIN_DEVICE_MAX && seen < LOGIN_DEVICE_MAX && (tok = guard_token_next(&p, &len));
         seen++) {
        if (len != LOGIN_DEVICE_LEN || !guard_hex(tok, len))
            continue;
        char theirs[33];
        memcpy(theirs, tok, 32);
        theirs[32] = '\0';
        if (guard_device_mac(s, theirs, tag, mac) != 0)
            return -1;
        if (sodium_memcmp(mac, tok + 32, 64) == 0 || strstr(out, theirs))
            continue;
        out[used++] = '.';
        memcpy(out + used, tok, len);
        used += len;
        out[used] = '\0';
        kept++;
    }
    return 0;
}

int login_guard_form_stamp(struct store *s, long long now, const char *bind,
                           char out[LOGIN_FORM_STAMP_MAX + 1])
{
    char text[200], mac[65];
    snprintf(text, sizeof text, "%lld|%.128s", now, bind ? bind : "");
    if (guard_mac(s, "form", text, mac) != 0)
        return -1;
    snprintf(out, LOGIN_FORM_STAMP_MAX + 1, "%lld.%s", now, mac);
    return 0;
}

long login_guard_form_age(struct store *s, const char *stamp, const char *bind, long long now)
{
    long long t;
    char mac[65], want[65], text[200];
    int used = 0;
    if (!stamp || strlen(stamp) > LOGIN_FORM_STAMP_MAX ||
        sscanf(stamp, "%lld.%64[0-9a-f]%n", &t, mac, &used) != 2 || stamp[used] != '\0' ||
        strlen(mac) != 64 || t > now || t < now - LOGIN_FORM_STAMP_SECONDS)
        return -1;
    snprintf(text, sizeof text, "%lld|%.128s", t, bind ? bind : "");
    if (guard_mac(s, "form", text, want) != 0 || sodium_memcmp(want, mac, 64) != 0)
        return -1;
    return (long)(now - t);
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

/* Is challenge one this server made, still fresh? Its nonce into nonce. */
static bool guard_challenge_ours(struct store *s, const char *challenge, long long now,
                                 char nonce[33], long long *expires)
{
    if (!challenge || strlen(challenge) > LOGIN_CHALLENGE_MAX)
        return false;
    int bits;
    char mac[65];
    int used = 0;
    if (sscanf(challenge, "%d.%lld.%32[0-9a-f].%64[0-9a-f]%n", &bits, expires, nonce, mac, &used) !=
            4 ||
        challenge[used] != '\0' || bits != LOGIN_POW_BITS || *expires < now ||
        *expires > now + LOGIN_POW_SECONDS || strlen(nonce) != 32 || strlen(mac) != 64)
        return false;
    char text[80], want[65];
    snprintf(text, sizeof text, "%d.%lld.%s", bits, *expires, nonce);
    return guard_mac(s, "pow", text, want) == 0 && sodium_memcmp(want, mac, 64) == 0;
}

bool login_guard_pow_valid(struct store *s, const char *challenge, const char *answer,
                           long long now)
{
    if (!answer || !*answer || strlen(answer) > 20 ||
        strspn(answer, "0123456789") != strlen(answer))
        return false;
    char nonce[33];
    long long expires;
    if (!guard_challenge_ours(s, challenge, now, nonce, &expires) ||
        !guard_pow_solved(challenge, answer, LOGIN_POW_BITS))
        return false;
    /* Once only: a solved challenge buys one attempt, never a series. */
    guard_tables();
    return throttle_set_add(guard_pow_used, nonce, expires, now);
}

int login_guard_question(struct store *s, const char *challenge, long long now, int *a, int *b)
{
    char nonce[33];
    long long expires;
    if (!guard_challenge_ours(s, challenge, now, nonce, &expires))
        return -1;
    /* From the nonce, which only the server's MAC vouches for: the question cannot be chosen. */
    *a = 2 + utf8_hex_digit(nonce[0]) % 8;
    *b = 1 + utf8_hex_digit(nonce[1]) % 9;
    return 0;
}

bool login_guard_question_valid(struct store *s, const char *challenge, const char *answer,
                                long long now)
{
    int a, b;
    char nonce[33];
    long long expires;
    if (!answer || login_guard_question(s, challenge, now, &a, &b) != 0 ||
        !guard_challenge_ours(s, challenge, now, nonce, &expires))
        return false;
    while (*answer == ' ')
        answer++;
    char want[8];
    snprintf(want, sizeof want, "%d", a + b);
    size_t n = strlen(want);
    if (strncmp(answer, want, n) != 0 || strspn(answer + n, " ") != strlen(answer + n))
        return false;
    guard_tables();
    return throttle_set_add(guard_pow_used, nonce, expires, now);
}

/* Takes one attempt of key in table t, remembered to be forgiven. 0, the seconds to wait, or
 * THROTTLE_UNTRACKED (nothing counted, nothing to forgive). */
static long guard_take(struct login_attempt *at, struct throttle *t, const char *key, int max)
{
    long w = throttle_take(t, key, max, at->now);
    if (w == 0) {
        at->tables[at->nkeys] = t;
        snprintf(at->keys[at->nkeys], sizeof at->keys[0], "%s", key);
        at->nkeys++;
    }
    return w;
}

static void guard_forgive_all(struct login_attempt *at)
{
    for (int i = 0; i < at->nkeys; i++)
        throttle_forgive(at->tables[i], at->keys[i], at->now);
    at->nkeys = 0;
}

enum login_guard_verdict login_guard_begin(struct store *s, struct login_attempt *at, long *wait)
{
    guard_tables();
    char folded[256], nonce[33], tag[300], address[80];
    guard_email_fold(at->email, folded, sizeof folded);
    at->nkeys = 0;
    at->pow_used = false;
    at->trusted = false;
    *wait = 0;
    if (at->device && *at->device) {
        /* An unknown account gets the same MACs computed, so a cookie says nothing of it. */
        bool known = guard_account_tag(s, at->email, tag, sizeof tag);
        if (!known)
            snprintf(tag, sizeof tag, "0\n");
        at->trusted = guard_device_find(s, at->device, tag, nonce) && known;
    }
    if (at->trusted) {
        /* A browser that logged into this account before has its own budget, and only that:
         * whoever else guesses passwords, from any address (a proxy's or a NAT's shared by the
         * owner too), cannot lock it out. */
        long w = guard_take(at, guard_by_device, nonce, LOGIN_MAX_PER_DEVICE);
        if (w == 0)
            return LOGIN_GUARD_GO;
        if (w > 0) {
            *wait = w;
            return LOGIN_GUARD_WAIT;
        }
        at->trusted = false; /* no counter for it: an unknown browser, with its limits */
    }
    guard_address(at->ip, address, sizeof address);
    long w = guard_take(at, guard_by_ip, address, LOGIN_MAX_PER_IP);
    if (w <= 0) /* 0, or not counted (see guard_by_ip) */
        w = guard_take(at, guard_by_account_hour, folded, LOGIN_MAX_PER_ACCOUNT_HOUR);
    if (w > 0) {
        guard_forgive_all(at);
        *wait = w;
        return LOGIN_GUARD_WAIT;
    }
    w = guard_take(at, guard_by_account, folded, LOGIN_MAX_PER_ACCOUNT);
    if (w <= 0)
        return LOGIN_GUARD_GO;
    /* Only the 15-minute budget of the account can be passed, by work; the address and the hour
     * still count this attempt. */
    if (login_guard_pow_valid(s, at->challenge, at->answer, at->now)) {
        at->pow_used = true;
        return LOGIN_GUARD_GO;
    }
    guard_forgive_all(at);
    *wait = w;
    return LOGIN_GUARD_PROVE;
}

void login_guard_end(struct login_attempt *at, bool counted)
{
    if (!counted)
        guard_forgive_all(at);
}

int login_guard_sign(struct store *s, const char *label, const char *text, char out[65])
{
    return guard_mac(s, label, text, out);
}
