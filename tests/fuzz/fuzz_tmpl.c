/* fuzz_tmpl.c — fuzz harness of the template engine: any input either fails to parse with a
 * message or renders, within budget, without ever letting markup from a TV_STR value through.
 * Built with -DFOISON_LIBFUZZER it is a libFuzzer target; otherwise its main() replays corpus
 * directories then runs a fixed-seed mutation loop, so CI can run it under ASan in seconds. */
#define _POSIX_C_SOURCE 200809L
#include "render/tmpl.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not assert(): it must hold in release builds too. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_tmpl: check failed: %s: ", #cond);                               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The partial every input may call; its own markup is <i>, and it is itself safe. */
static const char fuzz_partial[] =
    "<i>{{s}}{{{s}}}{{&q}}{{{h}}}{{#l}}{{s}}{{.}}{{../q}}{{{../h}}}{{/l}}{{{../s}}}</i>";

static struct arena *fuzz_arena;
static struct tv *fuzz_ctx;

/* Strings with every HTML special, a list of mixed items, nested objects, one TV_HTML value
 * whose only markup is <b>. */
static void fuzz_build_ctx(void)
{
    struct arena *a = arena_new();
    struct tv *c = tv_obj(a);
    tv_set_str(c, "s", "<script>alert('s')</script>");
    tv_set_str(c, "q", "\"'&<>");
    tv_set_html(c, "h", "<b>gras</b>");
    tv_set_str(c, "e", "");
    tv_set_bool(c, "yes", true);
    tv_set_bool(c, "no", false);
    tv_set_int(c, "n", 42);
    tv_set(c, "null", NULL);
    struct tv *l = tv_set_list(c, "l");
    for (int i = 0; i < 3; i++) {
        struct tv *item = tv_push_obj(l);
        tv_set_str(item, "s", "<script>item</script>");
        tv_set_strf(item, "name", "n%d&'\"", i);
        tv_set_bool(item, "yes", i % 2);
    }
    tv_push(l, tv_str(a, "<script>bare</script>"));
    tv_push(l, tv_html(a, "<b>item</b>"));
    tv_push(l, tv_bool(a, true));
    tv_push(l, NULL);
    tv_push(l, tv_list(a));
    struct tv *o = tv_set_obj(c, "o");
    tv_set_str(o, "s", "<script>o</script>");
    struct tv *oo = tv_set_obj(o, "o");
    tv_set_str(oo, "s", "<SCRIPT>oo</SCRIPT>");
    tv_set_html(oo, "h", "<b>oo</b>");
    tv_set_list(o, "l");
    tv_set_list(c, "empty");
    fuzz_arena = a;
    fuzz_ctx = c;
}

static bool has_byte(const uint8_t *data, size_t size, char c)
{
    return memchr(data, c, size) != NULL;
}

/* Every '<' of out must open the TV_HTML value's <b> or the partial's <i>. */
static bool only_trusted_tags(const char *out, size_t len)
{
    for (const char *p = out; (p = memchr(p, '<', len - (size_t)(p - out))) != NULL; p++) {
        size_t left = len - (size_t)(p - out);
        if (!(left >= 3 && (memcmp(p, "<b>", 3) == 0 || memcmp(p, "<i>", 3) == 0)) &&
            !(left >= 4 && (memcmp(p, "</b>", 4) == 0 || memcmp(p, "</i>", 4) == 0)))
            return false;
    }
    return true;
}

static size_t fuzz_parsed;

static void fuzz_one(const uint8_t *data, size_t size)
{
    if (!fuzz_ctx)
        fuzz_build_ctx();
    struct tmpl_set *set = tmpl_set_new();
    tmpl_set_budget(set, 20000); /* keeps each input fast; the engine's default is larger */
    char *err = NULL;
    FUZZ_CHECK(tmpl_set_add(set, "p", fuzz_partial, strlen(fuzz_partial), &err) == 0, "%s", err);
    int rc = tmpl_set_add(set, "t", (const char *)data, size, &err);
    if (rc != 0) {
        FUZZ_CHECK(rc == -1 && err && strstr(err, "gabarit « t »"), "bad error %d %s", rc,
                   err ? err : "(null)");
        FUZZ_CHECK(!tmpl_set_has(set, "t"), "failed parse left a template");
        free(err);
        tmpl_set_free(set);
        return;
    }
    FUZZ_CHECK(err == NULL, "error set on success");
    fuzz_parsed++;

    struct buf out = BUF_INIT;
    buf_puts(&out, "#");
    rc = tmpl_render(set, "t", fuzz_ctx, &out);
    FUZZ_CHECK(rc == 0 || rc == -1, "render returned %d", rc);
    if (rc == -1)
        FUZZ_CHECK(out.len == 1, "failed render left %zu bytes", out.len);
    const char *s = buf_cstr(&out);
    FUZZ_CHECK(strlen(s) <= out.len, "length mismatch");
    /* Markup in the output can only come from the template's text or from TV_HTML. */
    if (!has_byte(data, size, '<'))
        FUZZ_CHECK(only_trusted_tags(s, out.len), "untrusted markup in output: %s", s);
    if (!has_byte(data, size, '"'))
        FUZZ_CHECK(!memchr(s, '"', out.len), "raw \" in output: %s", s);
    if (!has_byte(data, size, '\''))
        FUZZ_CHECK(!memchr(s, '\'', out.len), "raw ' in output: %s", s);
    /* A NULL context must be just as safe. */
    buf_reset(&out);
    rc = tmpl_render(set, "t", NULL, &out);
    FUZZ_CHECK(rc == 0 || rc == -1, "render returned %d", rc);
    if (!has_byte(data, size, '<'))
        FUZZ_CHECK(only_trusted_tags(buf_cstr(&out), out.len), "markup with NULL context");
    buf_free(&out);
    tmpl_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size);
    return 0;
}

#ifndef FOISON_LIBFUZZER
#include <dirent.h>

#define FUZZ_MAX_INPUT 4096
#define FUZZ_MAX_CORPUS 512

struct input {
    uint8_t *data;
    size_t size;
};

static struct input corpus[FUZZ_MAX_CORPUS];
static size_t corpus_len;

static void corpus_add(const uint8_t *data, size_t size)
{
    if (corpus_len == FUZZ_MAX_CORPUS || size > FUZZ_MAX_INPUT)
        return;
    corpus[corpus_len].data = malloc(size ? size : 1);
    memcpy(corpus[corpus_len].data, data, size);
    corpus[corpus_len].size = size;
    corpus_len++;
}

static int replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    static uint8_t data[1 << 20];
    size_t n = fread(data, 1, sizeof(data), fp);
    fclose(fp);
    fuzz_one(data, n);
    corpus_add(data, n);
    return 0;
}

/* A directory's files, or the argument itself when it is a file (e.g. a crash to replay). */
static size_t replay_path(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return replay_file(path) == 0 ? 1 : 0;
    size_t count = 0;
    struct dirent *e;
    char full[4096];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
        if (replay_file(full) == 0)
            count++;
    }
    closedir(d);
    return count;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static size_t rng_below(size_t n)
{
    return n ? (size_t)(rng_next() % n) : 0;
}

static const char *const tokens[] = {
    "{{",
    "}}",
    "{{{",
    "}}}",
    "{{#l}}",
    "{{/l}}",
    "{{#o}}",
    "{{/o}}",
    "{{^e}}",
    "{{/e}}",
    "{{#a}}",
    "{{/a}}",
    "{{s}}",
    "{{{s}}}",
    "{{&s}}",
    "{{&h}}",
    "{{{h}}}",
    "{{.}}",
    "{{{.}}}",
    "{{>p}}",
    "{{>t}}",
    "{{! c }}",
    "{{o.s}}",
    "{{{o.o.s}}}",
    "{{o.o.h}}",
    "{{#yes}}",
    "{{/yes}}",
    "{{^no}}",
    "{{/no}}",
    "{{#o.o}}",
    "{{/o.o}}",
    "{{q}}",
    "\n",
    " ",
    ".",
    "#",
    "^",
    "/",
    "!",
    ">",
    "&",
    "{",
    "}",
    "{{ name }}",
    "{{#l}}{{#l}}",
    "{{/l}}{{/l}}",
    "{{#null}}",
    "{{/null}}",
    "../",
    "{{../s}}",
    "{{{../h}}}",
    "{{../../q}}",
    "{{../.}}",
    "{{{../.}}}",
    "{{#../l}}",
    "{{/../l}}",
    "{{../o.o.s}}",
};

static size_t mutate(uint8_t *buf, size_t size)
{
    int rounds = 1 + (int)rng_below(4);
    for (int r = 0; r < rounds; r++) {
        switch (rng_below(7)) {
        case 0: /* flip a bit */
            if (size)
                buf[rng_below(size)] ^= (uint8_t)(1u << rng_below(8));
            break;
        case 1: /* a random byte */
            if (size)
                buf[rng_below(size)] = (uint8_t)rng_next();
            break;
        case 2:
        case 3: { /* insert a token */
            const char *t = tokens[rng_below(sizeof(tokens) / sizeof(tokens[0]))];
            size_t tl = strlen(t);
            if (size + tl > FUZZ_MAX_INPUT)
                break;
            size_t at = rng_below(size + 1);
            memmove(buf + at + tl, buf + at, size - at);
            memcpy(buf + at, t, tl);
            size += tl;
            break;
        }
        case 4: { /* delete a range */
            if (!size)
                break;
            size_t at = rng_below(size);
            size_t n = 1 + rng_below(size - at < 16 ? size - at : 16);
            memmove(buf + at, buf + at + n, size - at - n);
            size -= n;
            break;
        }
        case 5: { /* duplicate a range */
            if (!size)
                break;
            size_t at = rng_below(size);
            size_t n = 1 + rng_below(size - at < 32 ? size - at : 32);
            if (size + n > FUZZ_MAX_INPUT)
                break;
            size_t to = rng_below(size + 1);
            uint8_t tmp[32];
            memcpy(tmp, buf + at, n);
            memmove(buf + to + n, buf + to, size - to);
            memcpy(buf + to, tmp, n);
            size += n;
            break;
        }
        default: { /* splice in the head of another input */
            const struct input *o = &corpus[rng_below(corpus_len)];
            size_t n = rng_below(o->size + 1);
            size_t at = rng_below(size + 1);
            if (at + n > FUZZ_MAX_INPUT)
                n = FUZZ_MAX_INPUT - at;
            memcpy(buf + at, o->data, n);
            if (at + n > size)
                size = at + n;
            break;
        }
        }
    }
    return size;
}

int main(int argc, char **argv)
{
    size_t replayed = 0;
    for (int i = 1; i < argc; i++)
        replayed += replay_path(argv[i]);
    if (corpus_len == 0) {
        static const char *const seeds[] = {
            "<p>{{s}}</p>{{#l}}<li>{{name}}</li>{{/l}}{{^empty}}vide{{/empty}}",
            "{{{h}}}{{>p}}{{#o}}{{s}}{{#o}}{{{h}}}{{/o}}{{/o}}",
        };
        for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
            corpus_add((const uint8_t *)seeds[i], strlen(seeds[i]));
    }
    long iterations = 20000;
    const char *env = getenv("FOISON_FUZZ_ITERATIONS");
    if (env && atol(env) > 0)
        iterations = atol(env);

    static uint8_t buf[FUZZ_MAX_INPUT];
    size_t parsed_before = fuzz_parsed;
    for (long it = 0; it < iterations; it++) {
        const struct input *in = &corpus[rng_below(corpus_len)];
        memcpy(buf, in->data, in->size);
        size_t size = mutate(buf, in->size);
        size_t before = fuzz_parsed;
        fuzz_one(buf, size);
        /* Inputs that still parse are the interesting ones to mutate further. */
        if (fuzz_parsed > before && rng_below(8) == 0)
            corpus_add(buf, size);
    }
    printf("fuzz_tmpl: %zu files replayed, %ld mutated inputs (%zu parsed), 0 failures\n", replayed,
           iterations, fuzz_parsed - parsed_before);
    for (size_t i = 0; i < corpus_len; i++)
        free(corpus[i].data);
    arena_free(fuzz_arena);
    return 0;
}
#endif
