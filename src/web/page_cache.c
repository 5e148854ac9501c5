/* page_cache.c — a fixed hash table of ready-made responses for anonymous visitors. A cached
 * libmicrohttpd response is shared by every request that hits it: the read lock is held from
 * the lookup until libmicrohttpd has taken its own reference (when the response is queued), so
 * a writer replacing the slot can never free a response that is about to be sent. A slot holds
 * one response per content coding (identity, gzip, brotli), compressed once when it is stored,
 * so a hit only chooses among them. */
#include "web/page_cache.h"
#include "http/compress.h"
#include "http/server_internal.h"
#include "util/hash.h"
#include "util/mem.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_CACHE_SLOTS 1024
#define PAGE_CACHE_MAX_PAGE (512 * 1024)
#define PAGE_CACHE_MAX_KEY 400

struct page_slot {
    unsigned long gen;
    char *key;
    struct MHD_Response *resp[COMPRESS_COUNT]; /* identity always; the others when smaller */
    unsigned mask;                             /* COMPRESS_BIT of the encoded ones present */
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
    if (slot->resp[COMPRESS_IDENTITY] && slot->gen == gen && strcmp(slot->key, key) == 0) {
        enum compress_encoding enc =
            compress_choose(http_header(req, "Accept-Encoding"), slot->mask);
        req->prepared = slot->resp[enc];
        req->prepared_release = page_cache_unlock; /* called by http_queue() */
        req->status = 200;
        return true;
    }
    pthread_rwlock_unlock(&page_lock);
    return false;
}

void page_cache_store(struct request *req, const char *key, unsigned long gen)
{
    if (req->status != 200 || req->logged_in || req->nheaders > 0 || req->prepared ||
        req->out.len > PAGE_CACHE_MAX_PAGE || strlen(key) > PAGE_CACHE_MAX_KEY)
        return;
    /* Compressed outside the lock: readers of other slots never wait for it. */
    struct compress_variants v;
    compress_variants_build(&v, req->content_type, COMPRESS_CACHED, req->out.data, req->out.len);
    char *copy = xmalloc(req->out.len ? req->out.len : 1);
    memcpy(copy, req->out.data, req->out.len);
    v.data[COMPRESS_IDENTITY] = copy;
    v.len[COMPRESS_IDENTITY] = req->out.len;
    char etag[24];
    hash_etag(copy, req->out.len, etag);
    struct MHD_Response *resp[COMPRESS_COUNT] = {0};
    unsigned mask = 0;
    for (int e = 0; e < COMPRESS_COUNT; e++) {
        if (!v.data[e])
            continue;
        char tag[COMPRESS_ETAG_SIZE];
        compress_etag(etag, (enum compress_encoding)e, tag);
        resp[e] = http_build_encoded_response(req, v.data[e], v.len[e], MHD_RESPMEM_MUST_FREE, tag,
                                              (enum compress_encoding)e);
        if (!resp[e])
            free(v.data[e]);
        else if (e != COMPRESS_IDENTITY)
            mask |= COMPRESS_BIT(e);
        v.data[e] = NULL; /* owned by the response (or freed) from here on */
    }
    if (!resp[COMPRESS_IDENTITY]) {
        for (int e = 0; e < COMPRESS_COUNT; e++)
            if (resp[e])
                MHD_destroy_response(resp[e]);
        return;
    }
    struct page_slot *slot = &page_slots[page_hash(key)];
    char *k = xstrdup(key);
    struct MHD_Response *old[COMPRESS_COUNT];
    pthread_rwlock_wrlock(&page_lock);
    memcpy(old, slot->resp, sizeof old);
    char *old_key = slot->key;
    memcpy(slot->resp, resp, sizeof resp);
    slot->mask = mask;
    slot->key = k;
    slot->gen = gen;
    pthread_rwlock_unlock(&page_lock);
    /* Responses still being sent keep their own reference inside libmicrohttpd. */
    for (int e = 0; e < COMPRESS_COUNT; e++)
        if (old[e])
            MHD_destroy_response(old[e]);
    free(old_key);
}
