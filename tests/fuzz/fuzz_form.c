/* fuzz_form.c — fuzz harness of the input path: the urlencoded form parser, then the schema
 * validation fed both with the parsed form and with the input read as a JSON body. Any input is
 * either refused or validated; never a crash, and what is accepted is valid UTF-8 within limits.
 * Built with -DFOISON_LIBFUZZER it is a libFuzzer target; otherwise main() replays corpus
 * directories and runs a fixed-seed mutation loop, bounded, for CI under ASan. */
#define _POSIX_C_SOURCE 200809L
#include "core/schema.h"
#include "core/territory.h"
#include "core/validate.h"
#include "http/http.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_form: check failed: %s\n", #cond);                               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static struct commune fuzz_communes[] = {
    {.insee = "29019", .name = "Brest", .lat = 48.39, .lon = -4.49, .has_point = true},
    {.insee = "29177", .name = "Plouarzel"},
};
static struct theme fuzz_themes[] = {{"numerique", "Numérique"}, {"culture", "Culture"}};
static struct territory fuzz_territory = {
    .site_name = "foison",
    .territory_name = "Pays de Brest",
    .base_url = "http://127.0.0.1",
    .license = "CC-BY-SA-4.0",
    .communes = fuzz_communes,
    .ncommunes = 2,
    .themes = fuzz_themes,
    .nthemes = 2,
};

/* Every string of an accepted entry is valid UTF-8 and within its field's limit. */
static void fuzz_check_clean(const struct kind_def *k, json_t *clean)
{
    for (size_t i = 0; i < k->nfields; i++) {
        json_t *v = json_object_get(clean, k->fields[i].name);
        FUZZ_CHECK(v != NULL);
        if (json_is_string(v)) {
            const char *s = json_string_value(v);
            size_t n = strlen(s);
            FUZZ_CHECK(utf8_valid(s, n) || n == 0);
            if (k->fields[i].max_len)
                FUZZ_CHECK(utf8_count(s, n) <= k->fields[i].max_len);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct kind_def *k = kind_find("innovation");
    struct arena *a = arena_new();
    struct kvlist form = {0};
    if (http_parse_urlencoded(a, (const char *)data, size, &form) == 0) {
        json_t *in = json_object();
        for (int i = 0; i < form.n; i++) {
            FUZZ_CHECK(utf8_valid(form.items[i].key, strlen(form.items[i].key)));
            FUZZ_CHECK(utf8_valid(form.items[i].value, strlen(form.items[i].value)));
            json_t *prev = json_object_get(in, form.items[i].key);
            if (prev && json_is_string(prev)) {
                json_t *arr = json_pack("[O, s]", prev, form.items[i].value);
                json_object_set_new(in, form.items[i].key, arr);
            } else if (prev && json_is_array(prev)) {
                json_array_append_new(prev, json_string(form.items[i].value));
            } else {
                json_object_set_new(in, form.items[i].key, json_string(form.items[i].value));
            }
        }
        struct field_errors errs = {0};
        json_t *clean = validate_entry(a, k, &fuzz_territory, in, false, &errs);
        FUZZ_CHECK((clean == NULL) == (errs.n > 0));
        if (clean)
            fuzz_check_clean(k, clean);
        json_decref(clean);
        json_decref(in);
    }
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (body) {
        struct field_errors errs = {0};
        json_t *clean = validate_entry(a, k, &fuzz_territory, body, true, &errs);
        FUZZ_CHECK((clean == NULL) == (errs.n > 0));
        if (clean)
            fuzz_check_clean(k, clean);
        json_decref(clean);
        json_decref(body);
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

int main(int argc, char **argv)
{
    static char seeds[16][4096];
    static size_t seed_len[16];
    int nseeds = 0, replayed = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d)) && nseeds < 16) {
            if (de->d_name[0] == '.')
                continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
            seed_len[nseeds] = fuzz_read_file(path, seeds[nseeds], sizeof seeds[0]);
            LLVMFuzzerTestOneInput((const uint8_t *)seeds[nseeds], seed_len[nseeds]);
            nseeds++;
            replayed++;
        }
        closedir(d);
    }
    if (nseeds == 0) {
        strcpy(seeds[0], "title=x&themes=numerique");
        seed_len[nseeds++] = strlen(seeds[0]);
    }
    static const char *const pieces[] = {
        "%",       "%C3%A9",  "%C3%28",     "%00",         "&",         "=",   "+",    "%ZZ",
        "\"",      "{",       "}",          "[",           "]",         ":",   "null", "1e999",
        "\\u0000", "themes=", "point.lat=", "javascript:", "%E2%80%AE", "\xff"};
    unsigned long long seed = 0x2545F4914F6CDD1DULL;
    int iterations = 20000, failures = 0;
    const char *env = getenv("FOISON_FUZZ_ITERATIONS");
    if (env)
        iterations = atoi(env);
    char buf[8192];
    for (int it = 0; it < iterations; it++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        int s = (int)(seed % (unsigned)nseeds);
        size_t n = seed_len[s];
        memcpy(buf, seeds[s], n);
        int edits = 1 + (int)((seed >> 8) % 8);
        for (int e = 0; e < edits; e++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            size_t pos = n ? (size_t)(seed % (n + 1)) : 0;
            if ((seed >> 20) % 3 == 0 && n) {
                buf[pos % n] = (char)(seed >> 32);
            } else {
                const char *p = pieces[(seed >> 24) % (sizeof(pieces) / sizeof(pieces[0]))];
                size_t pl = strlen(p);
                if (n + pl >= sizeof buf)
                    continue;
                memmove(buf + pos + pl, buf + pos, n - pos);
                memcpy(buf + pos, p, pl);
                n += pl;
            }
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
    }
    printf("fuzz_form: %d files replayed, %d passed, %d failed\n", replayed, iterations, failures);
    return 0;
}
#endif
