/* page_cache.c — a fixed hash table of ready-made answers for anonymous visitors. A slot holds
 * one shared response (http_shared_new(): one variant per content coding, compressed once when it
 * is stored, or for a big answer when first asked for), sent to every request that hits it: the
 * request takes a reference under the read lock and drops it once libmicrohttpd has its own (when
 * the response is queued), so a writer replacing the slot never frees a response about to be
 * sent, and never waits for a big answer's coding being made. */
#include "web/page_cache.h"
#include "http/http.h"
#include "util/mem.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_CACHE_SLOTS 1024
#define PAGE_CACHE_MAX_KEY 400

struct page_slot {
    unsigned long gen;
    char *key;
    struct http_shared *page;
    bool big;     /* above PAGE_CACHE_MAX_PAGE (page_cache_store_public) */
    bool primary; /* a big answer every visitor asks for: never refused a slot */
};

static struct page_slot page_slots[PAGE_CACHE_SLOTS];
static int page_big; /* slots holding a big answer, under page_lock */
static pthread_rwlock_t page_lock = PTHREAD_RWLOCK_INITIALIZER;

static unsigned page_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % PAGE_CACHE_SLOTS;
}

bool page_cache_serve(struct request *req, const char *key, unsigned long gen)
{
    /* A visitor with a message to see gets a freshly rendered page. */
    if (strlen(key) > PAGE_CACHE_MAX_KEY || req->flash)
        return false;
    req->page_key = key; /* what the page may depend on, if it is rendered now and stored */
    struct page_slot *slot = &page_slots[page_hash(key)];
    pthread_rwlock_rdlock(&page_lock);
    struct http_shared *page = slot->page && slot->gen == gen && strcmp(slot->key, key) == 0
                                   ? http_shared_hold(slot->page)
                                   : NULL;
    pthread_rwlock_unlock(&page_lock);
    if (page)
        http_shared_send(req, page, true);
    return page != NULL;
}

/* Puts page (big or not) into key's slot for gen; false when it was not kept (too many big
 * answers of this generation already), page then freed. A primary big answer takes the room
 * of another big answer of its generation instead: four requests of odd parameters must not
 * keep the map's own answer out of the cache until the next write. */
static bool page_slot_put(const char *key, unsigned long gen, struct http_shared *page, bool big,
                          bool primary)
{
    struct page_slot *slot = &page_slots[page_hash(key)];
    char *k = xstrdup(key);
    struct http_shared *dead[PAGE_CACHE_SLOTS];
    char *dead_keys[PAGE_CACHE_SLOTS];
    int ndead = 0;
    pthread_rwlock_wrlock(&page_lock);
    if (big && page_big >= PAGE_CACHE_BIG_ANSWERS)
        /* The big answers of past generations are never asked for again: they go first. */
        for (int i = 0; i < PAGE_CACHE_SLOTS; i++)
            if (page_slots[i].big && page_slots[i].gen != gen && &page_slots[i] != slot) {
                dead[ndead] = page_slots[i].page;
                dead_keys[ndead++] = page_slots[i].key;
                page_slots[i] = (struct page_slot){0};
                page_big--;
            }
    if (big && primary && page_big - (slot->big ? 1 : 0) >= PAGE_CACHE_BIG_ANSWERS)
        for (int i = 0; i < PAGE_CACHE_SLOTS; i++)
            if (page_slots[i].big && !page_slots[i].primary && &page_slots[i] != slot) {
                dead[ndead] = page_slots[i].page;
                dead_keys[ndead++] = page_slots[i].key;
                page_slots[i] = (struct page_slot){0};
                page_big--;
                break;
            }
    bool kept = !big || page_big - (slot->big ? 1 : 0) < PAGE_CACHE_BIG_ANSWERS;
    if (kept) {
        dead[ndead] = slot->page;
        dead_keys[ndead++] = slot->key;
        page_big += (big ? 1 : 0) - (slot->big ? 1 : 0);
        *slot = (struct page_slot){
            .gen = gen, .key = k, .page = page, .big = big, .primary = big && primary};
    }
    pthread_rwlock_unlock(&page_lock);
    /* Responses still being sent keep their own reference inside libmicrohttpd. */
    for (int i = 0; i < ndead; i++) {
        http_shared_free(dead[i]);
        free(dead_keys[i]);
    }
    if (!kept) {
        http_shared_free(page);
        free(k);
    }
    return kept;
}

void page_cache_store(struct request *req, const char *key, unsigned long gen)
{
    /* A page with a policy of its own (http_set_csp()) is not kept: the shared response carries
     * the default one. */
    if (req->status != 200 || req->logged_in || req->nheaders > 0 || req->shared || req->csp ||
        req->cache != HTTP_CACHE_PAGE || req->out.len > PAGE_CACHE_MAX_PAGE ||
        strlen(key) > PAGE_CACHE_MAX_KEY)
        return;
    /* Built and compressed outside the lock: readers of other slots never wait for it. */
    struct http_shared *page = http_shared_new(req->content_type, HTTP_CACHE_PAGE, req->out.data,
                                               req->out.len, COMPRESS_CACHED);
    if (page)
        page_slot_put(key, gen, page, false, false);
}

void page_cache_store_public(struct request *req, const char *key, unsigned long gen, bool primary)
{
    if (req->status != 200 || req->nheaders > 0 || req->shared || req->csp ||
        req->cache != HTTP_CACHE_PAGE || req->out.len > PAGE_CACHE_MAX_ANSWER ||
        strlen(key) > PAGE_CACHE_MAX_KEY)
        return;
    /* A big answer compressed at the effort of an uncached one: gzip 9 and brotli 9 of tens of
     * megabytes would take seconds, paid after every write to the site. */
    bool big = req->out.len > PAGE_CACHE_MAX_PAGE;
    struct http_shared *page =
        http_shared_new_etag(req->content_type, HTTP_CACHE_PAGE, req->out.data, req->out.len,
                             big ? COMPRESS_DYNAMIC : COMPRESS_CACHED, req->etag, req->open_read);
    if (!page || !page_slot_put(key, gen, page, big, primary))
        return;
    /* Sent from the slot, its encodings made once; the body built for it is no longer needed
     * (unless the slot was taken meanwhile: then it is sent as it is). */
    const char *flash = req->flash;
    req->flash = NULL;
    if (page_cache_serve(req, key, gen))
        buf_free(&req->out);
    req->flash = flash;
}

void page_cache_store_file(struct request *req, const char *key, unsigned long gen)
{
    if (req->status != 200 || req->nheaders > 0 || req->shared || req->csp ||
        req->cache != HTTP_CACHE_IMMUTABLE || req->out.len > PAGE_CACHE_MAX_PAGE ||
        strlen(key) > PAGE_CACHE_MAX_KEY)
        return;
    struct http_shared *page =
        http_shared_new_etag(req->content_type, HTTP_CACHE_IMMUTABLE, req->out.data, req->out.len,
                             COMPRESS_CACHED, req->etag, false);
    if (!page || !page_slot_put(key, gen, page, false, false))
        return;
    const char *flash = req->flash;
    req->flash = NULL;
    if (page_cache_serve(req, key, gen))
        buf_free(&req->out);
    req->flash = flash;
}
