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

static unsigned long long throttle_hash(const char *key)
{
    pthread_once(&throttle_once, throttle_init);
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), throttle_secret);
    unsigned long long h;
    memcpy(&h, out, sizeof h);
    return h ? h : 1;
}

static bool throttle_live(const struct throttle_slot *s, long long now)
{
    return s->key && now - s->window_start < THROTTLE_WINDOW_SECONDS;
}

/* The counter of h in its bucket: its own, a free or expired way (claimed when claim), or the
 * bucket's shared overflow counter. */
static struct throttle_slot *throttle_find(unsigned long long h, long long now, bool claim)
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
            b->way[i].failures = 0;
            return &b->way[i];
        }
    if (!claim)
        return throttle_live(&b->overflow, now) ? &b->overflow : NULL;
    if (!throttle_live(&b->overflow, now)) {
        b->overflow.key = 1;
        b->overflow.window_start = now;
        b->overflow.failures = 0;
    }
    return &b->overflow;
}

long throttle_wait(const char *key, int max, long long now)
{
    unsigned long long h = throttle_hash(key);
    long wait = 0;
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = throttle_find(h, now, false);
    if (s && s->failures >= max)
        wait = (long)(s->window_start + THROTTLE_WINDOW_SECONDS - now);
    pthread_mutex_unlock(&throttle_lock);
    return wait;
}

void throttle_fail(const char *key, long long now)
{
    unsigned long long h = throttle_hash(key);
    pthread_mutex_lock(&throttle_lock);
    throttle_find(h, now, true)->failures++;
    pthread_mutex_unlock(&throttle_lock);
}

void throttle_clear(const char *key)
{
    unsigned long long h = throttle_hash(key);
    pthread_mutex_lock(&throttle_lock);
    struct throttle_bucket *b = &throttle_table[h % THROTTLE_BUCKETS];
    for (int i = 0; i < THROTTLE_WAYS; i++)
        if (b->way[i].key == h)
            memset(&b->way[i], 0, sizeof b->way[i]);
    pthread_mutex_unlock(&throttle_lock);
}
