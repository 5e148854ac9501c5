/* page_cache.c — a fixed hash table of ready-made answers for anonymous visitors. A slot holds
 * one shared response (http_shared_new(): one variant per content coding, compressed once when it
 * is stored), sent to every request that hits it: the read lock is held from the lookup until
 * libmicrohttpd has taken its own reference (when the response is queued), so a writer replacing
 * the slot can never free a response that is about to be sent. */
#include "web/page_cache.h"
#include "http/http.h"
#include "util/mem.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_CACHE_SLOTS 1024
#define PAGE_CACHE_MAX_PAGE (512 * 1024)
#define PAGE_CACHE_MAX_KEY 400

struct page_slot {
    unsigned long gen;
    char *key;
    struct http_shared *page;
};

static struct page_slot page_slots[PAGE_CACHE_SLOTS];
static pthread_rwlock_t page_lock = PTHREAD_RWLOCK_INITIALIZER;

static unsigned page_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % PAGE_CACHE_SLOTS;
}

static void page_cache_unlock(void)
{
    pthread_rwlock_unlock(&page_lock);
}

bool page_cache_serve(struct request *req, const char *key, unsigned long gen)
{
    /* A visitor with a message to see gets a freshly rendered page. */
    if (strlen(key) > PAGE_CACHE_MAX_KEY || req->flash)
        return false;
    req->page_key = key; /* what the page may depend on, if it is rendered now and stored */
    struct page_slot *slot = &page_slots[page_hash(key)];
    pthread_rwlock_rdlock(&page_lock);
    if (slot->page && slot->gen == gen && strcmp(slot->key, key) == 0) {
        http_shared_send(req, slot->page, page_cache_unlock); /* unlocked once queued */
        return true;
    }
    pthread_rwlock_unlock(&page_lock);
    return false;
}

void page_cache_store(struct request *req, const char *key, unsigned long gen)
{
    if (req->status != 200 || req->logged_in || req->nheaders > 0 || req->shared ||
        req->cache != HTTP_CACHE_PAGE || req->out.len > PAGE_CACHE_MAX_PAGE ||
        strlen(key) > PAGE_CACHE_MAX_KEY)
        return;
    /* Built and compressed outside the lock: readers of other slots never wait for it. */
    struct http_shared *page = http_shared_new(req->content_type, HTTP_CACHE_PAGE, req->out.data,
                                               req->out.len, COMPRESS_CACHED);
    if (!page)
        return;
    struct page_slot *slot = &page_slots[page_hash(key)];
    char *k = xstrdup(key);
    pthread_rwlock_wrlock(&page_lock);
    struct http_shared *old = slot->page;
    char *old_key = slot->key;
    slot->page = page;
    slot->key = k;
    slot->gen = gen;
    pthread_rwlock_unlock(&page_lock);
    /* Responses still being sent keep their own reference inside libmicrohttpd. */
    http_shared_free(old);
    free(old_key);
}
