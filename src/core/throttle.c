/* throttle.c — a fixed table of failure counters keyed by a hash of the key. A collision can
 * only make two keys share a budget, never open a door; the table is small and never grows,
 * so floods of random keys cost nothing but recycled slots. */
#include "core/throttle.h"
#include "util/hash.h"
#include <pthread.h>
#include <string.h>

#define THROTTLE_SLOTS 4096

struct throttle_slot {
    unsigned long long key;
    long long window_start;
    int failures;
};

static struct throttle_slot throttle_slots[THROTTLE_SLOTS];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

static struct throttle_slot *throttle_slot_of(unsigned long long h)
{
    return &throttle_slots[h % THROTTLE_SLOTS];
}

long throttle_wait(const char *key, int max, long long now)
{
    unsigned long long h = hash_fnv64(key, strlen(key));
    long wait = 0;
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = throttle_slot_of(h);
    if (s->key == h && now - s->window_start < THROTTLE_WINDOW_SECONDS && s->failures >= max)
        wait = (long)(s->window_start + THROTTLE_WINDOW_SECONDS - now);
    pthread_mutex_unlock(&throttle_lock);
    return wait;
}

void throttle_fail(const char *key, long long now)
{
    unsigned long long h = hash_fnv64(key, strlen(key));
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = throttle_slot_of(h);
    if (s->key != h || now - s->window_start >= THROTTLE_WINDOW_SECONDS) {
        s->key = h;
        s->window_start = now;
        s->failures = 0;
    }
    s->failures++;
    pthread_mutex_unlock(&throttle_lock);
}

void throttle_clear(const char *key)
{
    unsigned long long h = hash_fnv64(key, strlen(key));
    pthread_mutex_lock(&throttle_lock);
    struct throttle_slot *s = throttle_slot_of(h);
    if (s->key == h)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&throttle_lock);
}
