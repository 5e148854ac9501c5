/* diff.c — word tokenizer and linear-space Myers diff behind diff_words(). */
#include "core/diff.h"
#include "util/arena.h"
#include "util/mem.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A tokenized text: token i is s[off[i] .. off[i+1]), id[i] its interned number. */
struct diff_seq {
    const char *s;
    size_t *off;
    uint32_t *id;
    size_t n;
};

struct diff_ctx {
    struct diff_seq a, b;
    /* Chunks built so far (malloc'd, copied into the arena at the end). */
    struct diff_chunk *chunks;
    size_t nchunks, cap;
    /* The current change region: deletions and insertions seen since the last EQ. Keeping them
     * apart lets every region come out as one DEL then one INS, which reads better than the
     * interleaving the recursion produces. Token ranges; empty when start == end. */
    size_t del0, del1, ins0, ins1;
};

static bool diff_is_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool diff_is_joiner(unsigned char c)
{
    return c == '_' || c == '-' || c == '\'';
}

static bool diff_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Length of the token starting at s[0] (s[0] != NUL). */
static size_t diff_token_len(const unsigned char *s)
{
    size_t i = 1;
    if (diff_is_word(s[0])) {
        for (;;) {
            if (diff_is_word(s[i]))
                i++;
            else if (diff_is_joiner(s[i]) && diff_is_word(s[i + 1]))
                i += 2;
            else
                break;
        }
    } else if (diff_is_space(s[0])) {
        while (diff_is_space(s[i]))
            i++;
    }
    return i;
}

static void diff_tokenize(struct diff_seq *q, const char *s)
{
    size_t cap = 64;
    q->s = s;
    q->n = 0;
    q->off = xmalloc(cap * sizeof(*q->off));
    size_t pos = 0;
    for (;;) {
        if (q->n + 1 >= cap) {
            cap *= 2;
            q->off = xrealloc(q->off, cap * sizeof(*q->off));
        }
        q->off[q->n] = pos;
        if (!s[pos])
            break;
        pos += diff_token_len((const unsigned char *)s + pos);
        q->n++;
    }
    q->id = xmalloc((q->n + 1) * sizeof(*q->id));
}

static uint64_t diff_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Gives equal tokens of both texts the same number, so the diff compares integers. */
static void diff_intern(struct diff_seq *a, struct diff_seq *b)
{
    size_t total = a->n + b->n;
    size_t size = 16;
    while (size < 2 * total)
        size *= 2;
    struct slot {
        const char *p;
        size_t len;
        uint32_t id;
    } *tab = xcalloc(size, sizeof(*tab));
    uint32_t next_id = 0;
    struct diff_seq *seqs[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        struct diff_seq *q = seqs[k];
        for (size_t i = 0; i < q->n; i++) {
            const char *p = q->s + q->off[i];
            size_t len = q->off[i + 1] - q->off[i];
            size_t h = (size_t)diff_hash(p, len) & (size - 1);
            while (tab[h].p && (tab[h].len != len || memcmp(tab[h].p, p, len) != 0))
                h = (h + 1) & (size - 1);
            if (!tab[h].p) {
                tab[h].p = p;
                tab[h].len = len;
                tab[h].id = next_id++;
            }
            q->id[i] = tab[h].id;
        }
    }
    free(tab);
}

static void diff_push(struct diff_ctx *c, enum diff_op op, const char *text, size_t len)
{
    if (c->nchunks == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->chunks = xrealloc(c->chunks, c->cap * sizeof(*c->chunks));
    }
    c->chunks[c->nchunks++] = (struct diff_chunk){op, text, len};
}

static void diff_flush(struct diff_ctx *c)
{
    if (c->del1 > c->del0)
        diff_push(c, DIFF_DEL, c->a.s + c->a.off[c->del0], c->a.off[c->del1] - c->a.off[c->del0]);
    if (c->ins1 > c->ins0)
        diff_push(c, DIFF_INS, c->b.s + c->b.off[c->ins0], c->b.off[c->ins1] - c->b.off[c->ins0]);
    c->del0 = c->del1 = c->ins0 = c->ins1 = 0;
}

/* a tokens [a0, a1) are unchanged. */
static void diff_emit_eq(struct diff_ctx *c, size_t a0, size_t a1)
{
    if (a0 == a1)
        return;
    diff_flush(c);
    const char *p = c->a.s + c->a.off[a0];
    size_t len = c->a.off[a1] - c->a.off[a0];
    struct diff_chunk *last = c->nchunks ? &c->chunks[c->nchunks - 1] : NULL;
    if (last && last->op == DIFF_EQ && last->text + last->len == p)
        last->len += len;
    else
        diff_push(c, DIFF_EQ, p, len);
}

/* Within a change region the recursion emits in text order, so each range continues the last. */
static void diff_emit_del(struct diff_ctx *c, size_t a0, size_t a1)
{
    if (a0 == a1)
        return;
    if (c->del1 == c->del0)
        c->del0 = a0;
    c->del1 = a1;
}

static void diff_emit_ins(struct diff_ctx *c, size_t b0, size_t b1)
{
    if (b0 == b1)
        return;
    if (c->ins1 == c->ins0)
        c->ins0 = b0;
    c->ins1 = b1;
}

static void diff_rec(struct diff_ctx *c, size_t a0, size_t a1, size_t b0, size_t b1, long max_half);

/* Myers' middle snake (the linear-space variant, as in diff-match-patch's bisect): finds a point
 * on an optimal path and recurses on both sides. Gives up when the forward and backward searches
 * have not met after max_half steps each, i.e. the edit distance is above about 2 * max_half. */
static bool diff_bisect(struct diff_ctx *c, size_t a0, size_t a1, size_t b0, size_t b1,
                        long max_half)
{
    const uint32_t *x = c->a.id + a0, *y = c->b.id + b0;
    long n = (long)(a1 - a0), m = (long)(b1 - b0);
    long max_d = (n + m + 1) / 2;
    if (max_d > max_half + 1)
        max_d = max_half + 1;
    long v_off = max_d, v_len = 2 * max_d + 2;
    long *v1 = xmalloc((size_t)v_len * 2 * sizeof(*v1));
    long *v2 = v1 + v_len;
    for (long i = 0; i < v_len; i++)
        v1[i] = v2[i] = -1;
    v1[v_off + 1] = 0;
    v2[v_off + 1] = 0;
    long delta = n - m;
    bool front = (delta % 2 != 0);
    long k1start = 0, k1end = 0, k2start = 0, k2end = 0;
    long sx = -1, sy = -1;
    for (long d = 0; d < max_d && sx < 0; d++) {
        for (long k1 = -d + k1start; k1 <= d - k1end && sx < 0; k1 += 2) {
            long k1_off = v_off + k1;
            long x1;
            if (k1 == -d || (k1 != d && v1[k1_off - 1] < v1[k1_off + 1]))
                x1 = v1[k1_off + 1];
            else
                x1 = v1[k1_off - 1] + 1;
            long y1 = x1 - k1;
            while (x1 < n && y1 < m && x[x1] == y[y1]) {
                x1++;
                y1++;
            }
            v1[k1_off] = x1;
            if (x1 > n) {
                k1end += 2;
            } else if (y1 > m) {
                k1start += 2;
            } else if (front) {
                long k2_off = v_off + delta - k1;
                if (k2_off >= 0 && k2_off < v_len && v2[k2_off] != -1 && x1 >= n - v2[k2_off]) {
                    sx = x1;
                    sy = y1;
                }
            }
        }
        for (long k2 = -d + k2start; k2 <= d - k2end && sx < 0; k2 += 2) {
            long k2_off = v_off + k2;
            long x2;
            if (k2 == -d || (k2 != d && v2[k2_off - 1] < v2[k2_off + 1]))
                x2 = v2[k2_off + 1];
            else
                x2 = v2[k2_off - 1] + 1;
            long y2 = x2 - k2;
            while (x2 < n && y2 < m && x[n - x2 - 1] == y[m - y2 - 1]) {
                x2++;
                y2++;
            }
            v2[k2_off] = x2;
            if (x2 > n) {
                k2end += 2;
            } else if (y2 > m) {
                k2start += 2;
            } else if (!front) {
                long k1_off = v_off + delta - k2;
                if (k1_off >= 0 && k1_off < v_len && v1[k1_off] != -1) {
                    long x1 = v1[k1_off];
                    long y1 = v_off + x1 - k1_off;
                    if (x1 >= n - x2) {
                        sx = x1;
                        sy = y1;
                    }
                }
            }
        }
    }
    free(v1);
    if (sx < 0)
        return false;
    diff_rec(c, a0, a0 + (size_t)sx, b0, b0 + (size_t)sy, max_half);
    diff_rec(c, a0 + (size_t)sx, a1, b0 + (size_t)sy, b1, max_half);
    return true;
}

static void diff_rec(struct diff_ctx *c, size_t a0, size_t a1, size_t b0, size_t b1, long max_half)
{
    size_t p = 0;
    while (a0 + p < a1 && b0 + p < b1 && c->a.id[a0 + p] == c->b.id[b0 + p])
        p++;
    diff_emit_eq(c, a0, a0 + p);
    a0 += p;
    b0 += p;
    size_t s = 0;
    while (a1 - s > a0 && b1 - s > b0 && c->a.id[a1 - s - 1] == c->b.id[b1 - s - 1])
        s++;
    a1 -= s;
    b1 -= s;
    if (a0 == a1 || b0 == b1 || !diff_bisect(c, a0, a1, b0, b1, max_half)) {
        diff_emit_del(c, a0, a1);
        diff_emit_ins(c, b0, b1);
    }
    diff_emit_eq(c, a1, a1 + s);
}

/* A lone space between two changes ("chat noir" -> "chien blanc") would split the change into
 * DEL INS EQ(" ") DEL INS, which is hard to read; fold such blanks into the surrounding region.
 * Line breaks stay visible as EQ because they separate paragraphs. Output goes to out[], which
 * has room for c->nchunks entries; returns how many were written. */
static size_t diff_cleanup(const struct diff_ctx *c, struct diff_chunk *out)
{
    size_t n = 0, pa = 0, pb = 0;
    bool open = false;
    size_t ra0 = 0, ra1 = 0, rb0 = 0, rb1 = 0;
    for (size_t i = 0; i < c->nchunks; i++) {
        struct diff_chunk ch = c->chunks[i];
        if (ch.op == DIFF_EQ) {
            bool blank = true;
            for (size_t j = 0; j < ch.len && blank; j++)
                blank = diff_is_space((unsigned char)ch.text[j]) && ch.text[j] != '\n';
            if (open && blank && i + 1 < c->nchunks) {
                ra1 += ch.len;
                rb1 += ch.len;
            } else {
                if (open && ra1 > ra0)
                    out[n++] = (struct diff_chunk){DIFF_DEL, c->a.s + ra0, ra1 - ra0};
                if (open && rb1 > rb0)
                    out[n++] = (struct diff_chunk){DIFF_INS, c->b.s + rb0, rb1 - rb0};
                open = false;
                out[n++] = ch;
            }
            pa += ch.len;
            pb += ch.len;
            continue;
        }
        if (!open) {
            open = true;
            ra0 = ra1 = pa;
            rb0 = rb1 = pb;
        }
        if (ch.op == DIFF_DEL) {
            ra1 += ch.len;
            pa += ch.len;
        } else {
            rb1 += ch.len;
            pb += ch.len;
        }
    }
    if (open && ra1 > ra0)
        out[n++] = (struct diff_chunk){DIFF_DEL, c->a.s + ra0, ra1 - ra0};
    if (open && rb1 > rb0)
        out[n++] = (struct diff_chunk){DIFF_INS, c->b.s + rb0, rb1 - rb0};
    return n;
}

size_t diff_words(struct arena *ar, const char *a, const char *b, struct diff_chunk **out)
{
    struct diff_ctx c = {0};
    diff_tokenize(&c.a, a);
    diff_tokenize(&c.b, b);
    diff_intern(&c.a, &c.b);
    /* Sub-problems of an optimal split never need more steps than the top level, so the one
     * budget bounds the whole recursion. */
    diff_rec(&c, 0, c.a.n, 0, c.b.n, DIFF_MAX_EDITS / 2);
    diff_flush(&c);
    *out = NULL;
    size_t n = 0;
    if (c.nchunks) {
        *out = arena_alloc(ar, c.nchunks * sizeof(**out));
        n = diff_cleanup(&c, *out);
    }
    free(c.chunks);
    free(c.a.off);
    free(c.a.id);
    free(c.b.off);
    free(c.b.id);
    return n;
}
