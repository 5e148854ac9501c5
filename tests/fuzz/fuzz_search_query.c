/* fuzz_search_query.c — fuzz harness of the search query parser (core/search_query.c): any
 * input parses, as typed and as you type, into clauses that keep the invariants of search.h,
 * and the canonical text of a query parses back into the same query.
 * Built with -DFOISON_LIBFUZZER it is a libFuzzer target; otherwise main() replays corpus
 * directories then runs a fixed-seed mutation loop, bounded, for CI under ASan. */
#define _POSIX_C_SOURCE 200809L
#include "core/search.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not assert(): it must hold in release builds too. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_search_query: check failed: %s\n", #cond);                       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void fuzz_check_query(const struct search_query *q, bool as_you_type)
{
    FUZZ_CHECK(q->n >= 0 && q->n <= SEARCH_MAX_CLAUSES);
    for (int i = 0; i < q->n; i++) {
        const struct search_clause *c = &q->clauses[i];
        FUZZ_CHECK(c->nwords >= 1 && c->nwords <= SEARCH_MAX_PHRASE);
        FUZZ_CHECK(c->phrase == (c->nwords > 1));
        for (int k = 0; k < c->nwords; k++) {
            const char *w = c->words[k];
            size_t n = strlen(w);
            FUZZ_CHECK(n > 0 && n <= SEARCH_MAX_WORD);
            FUZZ_CHECK(utf8_valid(w, n));
            FUZZ_CHECK(w[0] != '-');
            for (size_t j = 0; j < n; j++) {
                unsigned char b = (unsigned char)w[j];
                FUZZ_CHECK(b > 0x20 && b != 0x7f && b != '"' && b != '|');
            }
            /* no Unicode space, quote, C1 control nor invisible separator */
            const char *p = w;
            unsigned cp;
            while ((cp = utf8_next(&p)) != 0) {
                FUZZ_CHECK(!(cp >= 0x80 && cp <= 0xa0) && cp != 0x1680 && cp != 0x202f &&
                           !(cp >= 0x2000 && cp <= 0x200b) && cp != 0x205f && cp != 0x3000 &&
                           cp != 0xab && cp != 0xbb && cp != 0x201c && cp != 0x201d &&
                           cp != 0xfeff && cp != 0x2028 && cp != 0x2029);
            }
        }
        if (c->or_next) {
            FUZZ_CHECK(i + 1 < q->n);
            FUZZ_CHECK(!c->negated && !q->clauses[i + 1].negated);
        }
        if (c->prefix)
            FUZZ_CHECK(as_you_type && i == q->n - 1 && !c->phrase && !c->negated);
    }
}

static void fuzz_check_same(const struct search_query *a, const struct search_query *b)
{
    FUZZ_CHECK(a->n == b->n);
    for (int i = 0; i < a->n; i++) {
        const struct search_clause *x = &a->clauses[i], *y = &b->clauses[i];
        FUZZ_CHECK(x->nwords == y->nwords);
        FUZZ_CHECK(x->phrase == y->phrase && x->negated == y->negated);
        FUZZ_CHECK(x->or_next == y->or_next);
        for (int k = 0; k < x->nwords; k++)
            FUZZ_CHECK(strcmp(x->words[k], y->words[k]) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new();
    for (int ayt = 0; ayt < 2; ayt++) {
        struct search_query q, back;
        search_query_parse(a, (const char *)data, size, ayt, &q);
        fuzz_check_query(&q, ayt);
        const char *t = search_query_text(a, &q);
        size_t tn = strlen(t);
        FUZZ_CHECK(tn <= SEARCH_MAX_QUERY);
        FUZZ_CHECK(tn == 0 || utf8_valid(t, tn));
        FUZZ_CHECK((tn == 0) == (q.n == 0));
        /* The canonical text reads back as the same query (prefixes aside: the text does not
         * carry them), and is its own canonical text. */
        search_query_parse(a, t, tn, false, &back);
        fuzz_check_query(&back, false);
        fuzz_check_same(&q, &back);
        FUZZ_CHECK(strcmp(search_query_text(a, &back), t) == 0);
        search_query_parse(a, t, tn, true, &back);
        fuzz_check_same(&q, &back);
        bool positive = false;
        for (int i = 0; i < q.n; i++)
            positive |= !q.clauses[i].negated;
        FUZZ_CHECK(search_query_positive(&q) == positive);
    }
    arena_free(a);
    return 0;
}

#ifndef FOISON_LIBFUZZER
static size_t fuzz_read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static unsigned long long fuzz_rand(unsigned long long *seed)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    return *seed;
}

int main(int argc, char **argv)
{
    enum { MAX_SEEDS = 32, SEED_CAP = 4096 };
    static char seeds[MAX_SEEDS][SEED_CAP];
    static size_t seed_len[MAX_SEEDS];
    int nseeds = 0, replayed = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "fuzz_search_query: cannot open %s\n", argv[i]);
            return 1;
        }
        struct dirent *de;
        while ((de = readdir(d)) && nseeds < MAX_SEEDS) {
            if (de->d_name[0] == '.')
                continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
            seed_len[nseeds] = fuzz_read_file(path, seeds[nseeds], SEED_CAP);
            LLVMFuzzerTestOneInput((const uint8_t *)seeds[nseeds], seed_len[nseeds]);
            nseeds++;
            replayed++;
        }
        closedir(d);
    }
    if (nseeds == 0) {
        strcpy(seeds[0], "jardin \"tiers-lieu partagé\" -vélo OR trottinette");
        seed_len[nseeds++] = strlen(seeds[0]);
    }
    /* The language's own pieces, and what breaks text: NUL, invalid and cut sequences,
     * Unicode spaces, long runs. */
    static const char *const pieces[] = {
        "\"",
        "«",
        "»",
        "“",
        "”",
        "-",
        "--",
        "|",
        "OR",
        "OU",
        " OR ",
        " ",
        "\t",
        "\n",
        "\xc2\xa0",
        "\u202f",
        "\u3000",
        "\u200b",
        "\xef\xbb\xbf",
        "\x7f",
        "\xc2\x85",
        "\xff",
        "\xc3",
        "\xe2\x80",
        "\xed\xa0\x80",
        "\xc0\xaf",
        "é",
        "l’été",
        "a",
        "NEAR(",
        ")",
        "*",
        "^",
        ":",
        "title:",
        "{",
        "}",
        "AND",
        "NOT",
        "\"\"",
        "-\"",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    unsigned long long seed = 0x2545F4914F6CDD1DULL;
    int iterations = 20000;
    const char *env = getenv("FOISON_FUZZ_ITERATIONS");
    if (env)
        iterations = atoi(env);
    static char buf[8192];
    for (int it = 0; it < iterations; it++) {
        int s = (int)(fuzz_rand(&seed) % (unsigned)nseeds);
        size_t n = seed_len[s];
        memcpy(buf, seeds[s], n);
        int edits = 1 + (int)(fuzz_rand(&seed) % 16);
        for (int e = 0; e < edits; e++) {
            unsigned long long r = fuzz_rand(&seed);
            size_t pos = (size_t)(r % (n + 1));
            switch ((r >> 20) % 4) {
            case 0: /* a random byte */
                if (n)
                    buf[pos % n] = (char)(r >> 32);
                break;
            case 1: /* a cut */
                if (n) {
                    size_t l = (size_t)((r >> 32) % 8);
                    if (pos + l > n)
                        l = n - pos;
                    memmove(buf + pos, buf + pos + l, n - pos - l);
                    n -= l;
                }
                break;
            default: { /* a piece inserted, sometimes many times (long inputs) */
                const char *p = pieces[(r >> 24) % (sizeof pieces / sizeof pieces[0])];
                size_t pl = strlen(p);
                int times = (r >> 40) % 8 == 0 ? 1 + (int)((r >> 44) % 200) : 1;
                for (int k = 0; k < times && n + pl < sizeof buf; k++) {
                    memmove(buf + pos + pl, buf + pos, n - pos);
                    memcpy(buf + pos, p, pl);
                    n += pl;
                }
                break;
            }
            }
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
    }
    printf("fuzz_search_query: %d files replayed, %d passed, 0 failed\n", replayed, iterations);
    return 0;
}
#endif
