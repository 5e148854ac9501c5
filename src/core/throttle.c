/* throttle.c — tables of sliding-window attempt counters and sets of used one-time values (see
 * throttle.h for the rules when a table is full). Keys are hashed with SipHash under a key drawn
 * per table at start-up; a live counter is only ever given up when it holds its key back the
 * least of its bucket, never while it holds its key back. */
#include "core/throttle.h"
#include "util/mem.h"
#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THROTTLE_RING (THROTTLE_SPLIT + 1) /* steps that can overlap the last window */

struct throttle_slot {
    unsigned long long key; /* 0: free */
    long long step;         /* the newest step counted in ring (now / step length) */
    unsigned short max;     /* the limit of the last take (to tell held keys from others) */
    unsigned short ring[THROTTLE_RING]; /* attempts of step x in ring[x % RING], x ≤ step */
};

struct throttle_bucket {
    struct throttle_slot way[THROTTLE_WAYS];
    struct throttle_slot overflow; /* THROTTLE_OVERFLOW_SHARE only */
};

struct throttle {
    pthread_mutex_t lock;
    unsigned char secret[crypto_shorthash_KEYBYTES];
    int nbuckets, step_len;
    enum throttle_overflow overflow;
    struct throttle_bucket *bucket;
};

static unsigned long long throttle_hash(const unsigned char *secret, const char *key)
{
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), secret);
    unsigned long long h;
    memcpy(&h, out, sizeof h);
    return h > 1 ? h : 2;
}

struct throttle *throttle_new(int buckets, int window, enum throttle_overflow overflow)
{
    if (sodium_init() < 0)
        abort(); /* no random source: nothing secure can run */
    struct throttle *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    randombytes_buf(t->secret, sizeof t->secret);
    t->nbuckets = buckets > 0 ? buckets : 1;
    /* Rounded up, so that SPLIT steps always cover the whole window. */
    t->step_len = window > THROTTLE_SPLIT ? (window + THROTTLE_SPLIT - 1) / THROTTLE_SPLIT : 1;
    t->overflow = overflow;
    t->bucket = xcalloc((size_t)t->nbuckets, sizeof *t->bucket);
    return t;
}

void throttle_free(struct throttle *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->bucket);
    free(t);
}

static long long throttle_step(const struct throttle *t, long long now)
{
    return now > 0 ? now / t->step_len : 0;
}

static int throttle_ring_index(long long step)
{
    return (int)(step % THROTTLE_RING);
}

/* Brings s to the step of now: the steps that no longer overlap the window are emptied. A clock
 * that goes back is taken as standing still. */
static void throttle_roll(struct throttle_slot *s, long long step)
{
    if (!s->key || step <= s->step)
        return;
    if (step - s->step >= THROTTLE_RING)
        memset(s->ring, 0, sizeof s->ring);
    else
        for (long long x = s->step + 1; x <= step; x++)
            s->ring[throttle_ring_index(x)] = 0;
    s->step = step;
}

static int throttle_total(const struct throttle_slot *s)
{
    int n = 0;
    for (int i = 0; i < THROTTLE_RING; i++)
        n += s->ring[i];
    return n;
}

/* Seconds until s has fewer than max attempts in view: the oldest steps leave the view one by
 * one, the oldest at the start of the next step. */
static long throttle_left(const struct throttle *t, const struct throttle_slot *s, int max,
                          long long now)
{
    int total = throttle_total(s);
    if (total < max)
        return 0;
    int gone = 0;
    for (int m = 1; m <= THROTTLE_RING; m++) {
        gone += s->ring[throttle_ring_index(s->step - THROTTLE_SPLIT + m - 1)];
        if (total - gone < max) {
            long left = (long)((s->step + m) * t->step_len - now);
            return left > 0 ? left : 1;
        }
    }
    /* max ≤ 0: never free; say the longest a window can hold */
    return (long)t->step_len * THROTTLE_RING;
}

static struct throttle_slot *throttle_own(struct throttle *t, struct throttle_bucket *b,
                                          unsigned long long h, long long now)
{
    for (int i = 0; i < THROTTLE_WAYS; i++)
        if (b->way[i].key == h) {
            throttle_roll(&b->way[i], throttle_step(t, now));
            return &b->way[i];
        }
    return NULL;
}

/* The way a new key would take (see throttle.h): the one holding its key back the least, held
 * keys excepted — fewest attempts in view, then the oldest. -1 when every way holds its key. */
static int throttle_pick(struct throttle *t, struct throttle_bucket *b, long long now)
{
    int best = -1, best_total = 0;
    long long best_step = 0;
    for (int i = 0; i < THROTTLE_WAYS; i++) {
        struct throttle_slot *s = &b->way[i];
        if (!s->key)
            return i;
        throttle_roll(s, throttle_step(t, now));
        int total = throttle_total(s);
        if (total > 0 && total >= s->max)
            continue; /* holds its key back: never given up */
        if (best < 0 || total < best_total || (total == best_total && s->step < best_step)) {
            best = i;
            best_total = total;
            best_step = s->step;
        }
    }
    return best;
}

static struct throttle_slot *throttle_overflow_slot(struct throttle *t, struct throttle_bucket *b,
                                                    long long now)
{
    if (t->overflow != THROTTLE_OVERFLOW_SHARE)
        return NULL;
    struct throttle_slot *s = &b->overflow;
    if (!s->key) {
        s->key = 1;
        s->step = throttle_step(t, now);
    }
    throttle_roll(s, throttle_step(t, now));
    return s;
}

long throttle_take(struct throttle *t, const char *key, int max, long long now)
{
    unsigned long long h = throttle_hash(t->secret, key);
    long wait = 0;
    pthread_mutex_lock(&t->lock);
    struct throttle_bucket *b = &t->bucket[h % (unsigned long long)t->nbuckets];
    struct throttle_slot *s = throttle_own(t, b, h, now);
    if (!s) {
        int i = throttle_pick(t, b, now);
        if (i >= 0) {
            s = &b->way[i];
            memset(s, 0, sizeof *s);
            s->key = h;
            s->step = throttle_step(t, now);
        } else {
            s = throttle_overflow_slot(t, b, now);
        }
    }
    if (!s) {
        wait = THROTTLE_UNTRACKED;
    } else {
        s->max = (unsigned short)(max < 0 ? 0 : max > 65535 ? 65535 : max);
        wait = throttle_left(t, s, max, now);
        if (!wait)
            s->ring[throttle_ring_index(s->step)]++;
    }
    pthread_mutex_unlock(&t->lock);
    return wait;
}

long throttle_wait(struct throttle *t, const char *key, int max, long long now)
{
    unsigned long long h = throttle_hash(t->secret, key);
    long wait = 0;
    pthread_mutex_lock(&t->lock);
    /* On a copy: a look (maybe at another time than the next take) changes nothing. */
    struct throttle_bucket copy = t->bucket[h % (unsigned long long)t->nbuckets], *b = &copy;
    struct throttle_slot *s = throttle_own(t, b, h, now);
    if (!s && throttle_pick(t, b, now) < 0 && b->overflow.key)
        s = throttle_overflow_slot(t, b, now); /* where a first failure would be counted */
    if (s)
        wait = throttle_left(t, s, max, now);
    pthread_mutex_unlock(&t->lock);
    return wait;
}

void throttle_forgive(struct throttle *t, const char *key, long long now)
{
    unsigned long long h = throttle_hash(t->secret, key);
    pthread_mutex_lock(&t->lock);
    struct throttle_bucket *b = &t->bucket[h % (unsigned long long)t->nbuckets];
    struct throttle_slot *s = throttle_own(t, b, h, now);
    if (!s && b->overflow.key)
        s = throttle_overflow_slot(t, b, now); /* the attempt was counted there */
    if (s) {
        /* The attempt was counted at now; when the clock moved on meanwhile, the newest step
         * that holds one. */
        for (int m = 0; m < THROTTLE_RING; m++) {
            unsigned short *c = &s->ring[throttle_ring_index(s->step - m)];
            if (*c) {
                (*c)--;
                break;
            }
        }
    }
    pthread_mutex_unlock(&t->lock);
}

void throttle_clear(struct throttle *t, const char *key)
{
    unsigned long long h = throttle_hash(t->secret, key);
    pthread_mutex_lock(&t->lock);
    struct throttle_bucket *b = &t->bucket[h % (unsigned long long)t->nbuckets];
    for (int i = 0; i < THROTTLE_WAYS; i++)
        if (b->way[i].key == h)
            memset(&b->way[i], 0, sizeof b->way[i]);
    pthread_mutex_unlock(&t->lock);
}

struct throttle_set_slot {
    unsigned long long key; /* 0: free */
    long long expires;      /* remembered while expires ≥ now */
};

struct throttle_set {
    pthread_mutex_t lock;
    unsigned char secret[crypto_shorthash_KEYBYTES];
    int nbuckets;
    struct throttle_set_slot *slot; /* nbuckets × THROTTLE_WAYS */
};

struct throttle_set *throttle_set_new(int buckets)
{
    if (sodium_init() < 0)
        abort();
    struct throttle_set *set = xcalloc(1, sizeof *set);
    pthread_mutex_init(&set->lock, NULL);
    randombytes_buf(set->secret, sizeof set->secret);
    set->nbuckets = buckets > 0 ? buckets : 1;
    set->slot = xcalloc((size_t)set->nbuckets * THROTTLE_WAYS, sizeof *set->slot);
    return set;
}

void throttle_set_free(struct throttle_set *set)
{
    if (!set)
        return;
    pthread_mutex_destroy(&set->lock);
    free(set->slot);
    free(set);
}

bool throttle_set_add(struct throttle_set *set, const char *key, long long expires, long long now)
{
    unsigned long long h = throttle_hash(set->secret, key);
    bool added = true;
    pthread_mutex_lock(&set->lock);
    struct throttle_set_slot *b =
        &set->slot[(h % (unsigned long long)set->nbuckets) * THROTTLE_WAYS];
    int pick = 0;
    for (int i = 0; i < THROTTLE_WAYS; i++) {
        bool live = b[i].key && b[i].expires >= now;
        if (live && b[i].key == h) {
            added = false;
            break;
        }
        /* A free or expired way first, else the value expiring first. */
        bool pick_live = b[pick].key && b[pick].expires >= now;
        if ((pick_live && !live) || (pick_live && live && b[i].expires < b[pick].expires))
            pick = i;
    }
    if (added) {
        b[pick].key = h;
        b[pick].expires = expires;
    }
    pthread_mutex_unlock(&set->lock);
    return added;
}

void throttle_address(const char *ip, char *out, size_t size)
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
