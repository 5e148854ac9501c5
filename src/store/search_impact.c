/* search_impact.c — the impact-ordered lists of common queries (see search_impact.h): making one
 * from a query's scored matches (ids bucketed by their score: the scores of one query take few
 * values, so this is two passes and a sort of the distinct scores, not a sort of every match),
 * and keeping a few of them, the least recently used dropped first, for the current version of
 * the copy of search_docs only. */
#include "store/search_impact.h"
#include "util/mem.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* At a million entries a word of two entries in three takes 2.6 MB (4 bytes a match and a
 * bitmap of 125 KB): the limits leave room for the lists of every common word of a site's
 * usual queries, well within the server's memory goal (256 MiB; 153 without them). */
#define SI_MAX_BYTES (48u << 20)
#define SI_MAX_LISTS 16

static struct search_impact *si_lists; /* most recently used first */
static unsigned long long si_clock;
static pthread_mutex_t si_lock = PTHREAD_MUTEX_INITIALIZER;

static void si_free(struct search_impact *l)
{
    free(l->ids);
    free(l->run_score);
    free(l->run_end);
    free(l->bits);
    free(l->key);
    free(l);
}

/* Takes l out of the kept lists (under si_lock); freed now, or by its last holder. A list out
 * of them has next pointing to itself. */
static void si_drop(struct search_impact **at)
{
    struct search_impact *l = *at;
    *at = l->next;
    l->next = l;
    if (l->refs == 0)
        si_free(l);
}

const struct search_impact *search_impact_get(const void *key, size_t key_len,
                                              unsigned long long version)
{
    struct search_impact *found = NULL;
    pthread_mutex_lock(&si_lock);
    for (struct search_impact **at = &si_lists; *at;) {
        struct search_impact *l = *at;
        /* The copy's versions only grow: a list of an older one is never asked for again. */
        if (l->version < version) {
            si_drop(at);
            continue;
        }
        if (!found && l->version == version && l->key_len == key_len &&
            memcmp(l->key, key, key_len) == 0)
            found = l;
        at = &l->next;
    }
    if (found) {
        found->refs++;
        found->used = ++si_clock;
    }
    pthread_mutex_unlock(&si_lock);
    return found;
}

void search_impact_release(const struct search_impact *cl)
{
    if (!cl)
        return;
    struct search_impact *l = (struct search_impact *)cl;
    pthread_mutex_lock(&si_lock);
    bool gone = --l->refs == 0 && l->next == l;
    pthread_mutex_unlock(&si_lock);
    if (gone)
        si_free(l);
}

size_t search_impact_bytes(int *nlists)
{
    size_t bytes = 0;
    int n = 0;
    pthread_mutex_lock(&si_lock);
    for (const struct search_impact *l = si_lists; l; l = l->next, n++)
        bytes += l->bytes;
    pthread_mutex_unlock(&si_lock);
    if (nlists)
        *nlists = n;
    return bytes;
}

/* The distinct scores of the matches: an open-addressing table on the doubles' bits. */
struct si_scores {
    uint64_t *bits;
    int *slot; /* index into score/count, -1 empty */
    int cap;
    double *score;
    int *count;
    int n, room;
};

static uint64_t si_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static int si_find(const struct si_scores *t, uint64_t b)
{
    uint32_t mask = (uint32_t)t->cap - 1;
    for (uint32_t i = (uint32_t)((b * 0x9E3779B97F4A7C15ull) >> 32) & mask;; i = (i + 1) & mask)
        if (t->slot[i] < 0 || t->bits[i] == b)
            return (int)i;
}

static void si_grow(struct si_scores *t)
{
    uint64_t *bits = t->bits;
    int *slot = t->slot, cap = t->cap;
    t->cap = cap ? cap * 2 : 1024;
    t->bits = xcalloc((size_t)t->cap, sizeof *t->bits);
    t->slot = xrealloc(NULL, sizeof *t->slot * (size_t)t->cap);
    memset(t->slot, -1, sizeof *t->slot * (size_t)t->cap);
    for (int i = 0; i < cap; i++)
        if (slot[i] >= 0) {
            int j = si_find(t, bits[i]);
            t->bits[j] = bits[i];
            t->slot[j] = slot[i];
        }
    free(bits);
    free(slot);
}

/* The index of score d in t, added when new. */
static int si_score(struct si_scores *t, double d)
{
    if ((t->n + 1) * 2 > t->cap)
        si_grow(t);
    uint64_t b = si_bits(d);
    int i = si_find(t, b);
    if (t->slot[i] < 0) {
        if (t->n == t->room) {
            t->room = t->room ? t->room * 2 : 256;
            t->score = xrealloc(t->score, sizeof *t->score * (size_t)t->room);
            t->count = xrealloc(t->count, sizeof *t->count * (size_t)t->room);
        }
        t->bits[i] = b;
        t->slot[i] = t->n;
        t->score[t->n] = d;
        t->count[t->n++] = 0;
    }
    return t->slot[i];
}

struct si_run {
    double score;
    int of; /* its index in si_scores */
};

static int si_desc(const void *x, const void *y)
{
    double a = ((const struct si_run *)x)->score, b = ((const struct si_run *)y)->score;
    return a > b ? -1 : a < b;
}

static bool si_listed(const struct search_cache *c, long long id)
{
    return id > 0 && id < c->ndocs && c->scoring[id];
}

const struct search_impact *search_impact_make(const void *key, size_t key_len,
                                               const struct search_cache *c,
                                               const struct ss_match *m, int n)
{
    struct search_impact *l = xcalloc(1, sizeof *l);
    l->version = c->version;
    l->nwords = (c->ndocs + 63) / 64;
    l->bits = xcalloc((size_t)(l->nwords ? l->nwords : 1), sizeof *l->bits);
    struct si_scores t = {0};
    int *of = xrealloc(NULL, sizeof *of * (size_t)(n ? n : 1)); /* each match's distinct score */
    for (int i = 0; i < n; i++) {
        of[i] = -1;
        if (!si_listed(c, m[i].id))
            continue;
        of[i] = si_score(&t, m[i].score);
        t.count[of[i]]++;
        l->bits[m[i].id >> 6] |= 1ull << (m[i].id & 63);
        l->n++;
    }
    /* The runs: the distinct scores, best first. */
    struct si_run *order = xrealloc(NULL, sizeof *order * (size_t)(t.n ? t.n : 1));
    for (int r = 0; r < t.n; r++)
        order[r] = (struct si_run){t.score[r], r};
    qsort(order, (size_t)t.n, sizeof *order, si_desc);
    int *start = xrealloc(NULL, sizeof *start * (size_t)(t.n ? t.n : 1)); /* by distinct score */
    l->nruns = t.n;
    l->run_score = xrealloc(NULL, sizeof *l->run_score * (size_t)(t.n ? t.n : 1));
    l->run_end = xrealloc(NULL, sizeof *l->run_end * (size_t)(t.n ? t.n : 1));
    for (int r = 0, at = 0; r < t.n; r++) {
        start[order[r].of] = at;
        at += t.count[order[r].of];
        l->run_score[r] = order[r].score;
        l->run_end[r] = at;
    }
    /* Within a run, the higher id first: the matches from the last. */
    l->ids = xrealloc(NULL, sizeof *l->ids * (size_t)(l->n ? l->n : 1));
    for (int i = n - 1; i >= 0; i--)
        if (of[i] >= 0)
            l->ids[start[of[i]]++] = (uint32_t)m[i].id;
    free(start);
    free(order);
    free(of);
    free(t.bits);
    free(t.slot);
    free(t.score);
    free(t.count);
    l->key = xrealloc(NULL, key_len ? key_len : 1);
    memcpy(l->key, key, key_len);
    l->key_len = key_len;
    l->bytes = sizeof *l + key_len + sizeof *l->ids * (size_t)l->n +
               (sizeof *l->run_score + sizeof *l->run_end) * (size_t)l->nruns +
               sizeof *l->bits * (size_t)l->nwords;
    l->refs = 1;
    pthread_mutex_lock(&si_lock);
    l->used = ++si_clock;
    /* Another thread's list of the same query, and the lists of older versions, go. */
    size_t bytes = l->bytes;
    int count = 1;
    for (struct search_impact **at = &si_lists; *at;) {
        struct search_impact *o = *at;
        if (o->version < l->version || (o->version == l->version && o->key_len == key_len &&
                                        memcmp(o->key, key, key_len) == 0)) {
            si_drop(at);
            continue;
        }
        bytes += o->bytes;
        count++;
        at = &o->next;
    }
    /* Past the limits, the least recently used go (never the new one). */
    while (si_lists && (bytes > SI_MAX_BYTES || count > SI_MAX_LISTS)) {
        struct search_impact **oldest = &si_lists;
        for (struct search_impact **at = &si_lists; *at; at = &(*at)->next)
            if ((*at)->used < (*oldest)->used)
                oldest = at;
        bytes -= (*oldest)->bytes;
        count--;
        si_drop(oldest);
    }
    l->next = si_lists;
    si_lists = l;
    pthread_mutex_unlock(&si_lock);
    return l;
}
