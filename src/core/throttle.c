/* throttle.c — a fixed table of failure counters. Keys are hashed with SipHash under a key drawn
 * at start-up, so nobody can compute in advance which keys share a bucket; a bucket holds four
 * counters and a live counter is never given to another key, so colliding failures can never
 * reset someone's count. Keys that find their bucket full share its overflow counter: at worst
 * they are slowed down together, never let through. */
#include "core/throttle.h"
#include <stdbool.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define THROTTLE_BUCKETS 1024
#define THROTTLE_WAYS 4

struct throttle_slot {
    unsigned long long key; /* 0: free */
    long long window_start;
    int window; /* seconds */
    int failures;
};

struct throttle_bucket {
    struct throttle_slot way[THROTTLE_WAYS];
    struct throttle_slot overflow;
};

static struct throttle_bucket throttle_table[THROTTLE_BUCKETS];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char throttle_secret[crypto_shorthash_KEYBYTES];
static pthread_once_t throttle_once = PTHREAD_ONCE_INIT;

static void throttle_init(void)
{
    randombytes_buf(throttle_secret, sizeof throttle_secret);
}

/* The window is part of the key: one name may be counted over several windows. */
static unsigned long long throttle_hash(const char *key, int window)
{
    pthread_once(&throttle_once, throttle_init);
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), throttle_secret);
    unsigned long long h;
    memcpy(&h, out, sizeof h);
    h ^= (unsigned long long)window * 0x9e3779b97f4a7c15ULL;
    return h > 1 ? h : 2;
}

static bool throttle_live(const struct throttle_slot *s, long long now)
{
    return s->key && now - s->window_start < s->window;
}

/* The counter of h in its bucket: its own, a free or expired way (claimed when claim), or the
 * bucket's shared overflow counter. */
static struct throttle_slot *throttle_find(unsigned long long h, int window, long long now,
                                           bool claim)
{
    struct throttle_bucket *b = &throttle_table[h % THROTTLE_BUCKETS];
    for (int i = 0; i < THROTTLE_WAYS; i++)
        if (b->way[i].key == h && throttle_live(&b->way[i], now))
            return &b->way[i];
    for (int i = 0; i < THROTTLE_WAYS; i++)
        if (!throttle_live(&b->way[i], now)) {
            if (!claim)
                return NULL; /* a first failure would get a counter of its own */
            b->way[i].key = h;
            b->way[i].window_start = now;
            b->way[i].window = window;
            b->way[i].failures = 0;
            return &b->way[i];
        }
    if (!claim)
        return throttle_live(&b->overflow, now) ? &b->overflow : NULL;
    if (!throttle_live(&b->overflow, now)) {
        b->overflow.key = 1;
        b->overflow.window_start = now;
        b->overflow.window = window;
        b->overflow.failures = 0;
    } else if (window > b->overflow.window) {
        b->overflow.window = window; /* a shared counter holds back as long as its longest key */
    }
    return &b->overflow;
}

static long throttle_left(const struct throttle_slot *s, long long now)
{
    long left = (long)(s->window_start + s->window - now);
    return left > 0 ? left : 1;
}

long throttle_take(const char *key, int max, int window, long long now)
{
    unsigned long long h = throttle_hash(key, window);
    long wait = 0;
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = throttle_find(h, window, now, true);
    if (s->failures >= max)
        wait = throttle_left(s, now);
    else
        s->failures++;
    pthread_mutex_unlock(&throttle_lock);
    return wait;
}

long throttle_wait(const char *key, int max, int window, long long now)
{
    unsigned long long h = throttle_hash(key, window);
    long wait = 0;
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = throttle_find(h, window, now, false);
    if (s && s->failures >= max)
        wait = throttle_left(s, now);
    pthread_mutex_unlock(&throttle_lock);
    return wait;
}

void throttle_forgive(const char *key, int window, long long now)
{
    unsigned long long h = throttle_hash(key, window);
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = throttle_find(h, window, now, false);
    if (s && s->failures > 0)
        s->failures--;
    pthread_mutex_unlock(&throttle_lock);
}

void throttle_clear(const char *key, int window)
{
    unsigned long long h = throttle_hash(key, window);
    pthread_mutex_lock(&throttle_lock);
    struct throttle_bucket *b = &throttle_table[h % THROTTLE_BUCKETS];
    for (int i = 0; i < THROTTLE_WAYS; i++)
        if (b->way[i].key == h)
            memset(&b->way[i], 0, sizeof b->way[i]);
    pthread_mutex_unlock(&throttle_lock);
}
