/* fragment_cache.c — a fixed hash table of rendered fragments, each valid for one generation of
 * the site: a write anywhere makes every fragment stale at once, as it does whole pages. */
#include "web/fragment_cache.h"
#include "util/arena.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FRAGMENT_SLOTS 512
#define FRAGMENT_MAX (256 * 1024)

struct fragment_slot {
    unsigned long gen;
    char *key, *html;
};

static struct fragment_slot fragment_slots[FRAGMENT_SLOTS];
static pthread_rwlock_t fragment_lock = PTHREAD_RWLOCK_INITIALIZER;

static unsigned fragment_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % FRAGMENT_SLOTS;
}

const char *fragment_cache_get(struct arena *a, const char *key, unsigned long gen)
{
    struct fragment_slot *slot = &fragment_slots[fragment_hash(key)];
    const char *out = NULL;
    pthread_rwlock_rdlock(&fragment_lock);
    if (slot->key && slot->gen == gen && strcmp(slot->key, key) == 0)
        out = arena_strdup(a, slot->html);
    pthread_rwlock_unlock(&fragment_lock);
    return out;
}

void fragment_cache_put(const char *key, unsigned long gen, const char *html)
{
    if (!gen || strlen(html) > FRAGMENT_MAX)
        return; /* 0 matches nothing: the generation could not be read */
    char *k = strdup(key), *h = strdup(html);
    if (!k || !h) {
        free(k);
        free(h);
        return;
    }
    struct fragment_slot *slot = &fragment_slots[fragment_hash(key)];
    pthread_rwlock_wrlock(&fragment_lock);
    char *old_key = slot->key, *old_html = slot->html;
    *slot = (struct fragment_slot){gen, k, h};
    pthread_rwlock_unlock(&fragment_lock);
    free(old_key);
    free(old_html);
}
