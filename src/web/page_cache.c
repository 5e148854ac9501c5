/* page_cache.c — a fixed hash table of rendered pages. Each page is an immutable, reference
 * counted blob: a response in flight keeps its blob alive even after the slot is replaced. */
#include "web/page_cache.h"
#include "http/server_internal.h"
#include "util/mem.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_CACHE_SLOTS 1024
#define PAGE_CACHE_MAX_PAGE (512 * 1024)

struct page_blob {
    atomic_int refs;
    unsigned long gen;
    char *path;
    char etag[24];
    size_t len;
    char data[];
};

static struct page_blob *page_slots[PAGE_CACHE_SLOTS];
static pthread_rwlock_t page_lock = PTHREAD_RWLOCK_INITIALIZER;

static unsigned page_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % PAGE_CACHE_SLOTS;
}

static void page_blob_release(void *p)
{
    struct page_blob *b = p;
    if (atomic_fetch_sub(&b->refs, 1) == 1) {
        free(b->path);
        free(b);
    }
}

bool page_cache_serve(struct request *req, const char *path, unsigned long gen)
{
    unsigned slot = page_hash(path);
    struct page_blob *b = NULL;
    pthread_rwlock_rdlock(&page_lock);
    b = page_slots[slot];
    if (b && (b->gen != gen || strcmp(b->path, path) != 0))
        b = NULL;
    if (b)
        atomic_fetch_add(&b->refs, 1);
    pthread_rwlock_unlock(&page_lock);
    if (!b)
        return false;
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
        b->len, b->data, page_blob_release, b);
    if (!resp) {
        page_blob_release(b);
        return false;
    }
    http_add_standard_headers(resp);
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "public, no-cache");
    MHD_add_response_header(resp, "ETag", b->etag);
    req->prepared = resp;
    req->status = 200;
    return true;
}

void page_cache_store(struct request *req, const char *path, unsigned long gen)
{
    if (req->status != 200 || req->logged_in || req->nheaders > 0 ||
        req->out.len > PAGE_CACHE_MAX_PAGE)
        return;
    struct page_blob *b = xmalloc(sizeof(*b) + req->out.len);
    atomic_init(&b->refs, 1); /* the slot's reference */
    b->gen = gen;
    b->path = xstrdup(path);
    b->len = req->out.len;
    memcpy(b->data, req->out.data, req->out.len);
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < b->len; i++) {
        h ^= (unsigned char)b->data[i];
        h *= 1099511628211ULL;
    }
    snprintf(b->etag, sizeof b->etag, "\"%016llx\"", h);
    unsigned slot = page_hash(path);
    pthread_rwlock_wrlock(&page_lock);
    struct page_blob *old = page_slots[slot];
    page_slots[slot] = b;
    pthread_rwlock_unlock(&page_lock);
    if (old)
        page_blob_release(old);
}
