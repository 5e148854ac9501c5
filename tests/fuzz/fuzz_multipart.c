/* fuzz_multipart.c — fuzz harness of the upload path: the multipart/form-data parser (its
 * boundary read from the first line, the body after it), then every file part through the
 * content sniffer and the image header probe, and, for the replayed corpus and one mutation in
 * FUZZ_IMAGE_EVERY, through libvips itself (image_make). Any input is refused or parsed into
 * spans that lie inside the body, with UTF-8 names; an image is made or refused, never a crash.
 * Built with -DFOISON_LIBFUZZER it is a libFuzzer target; otherwise main() replays the corpus
 * directories and runs a fixed-seed mutation loop, bounded, for CI under ASan. */
#include "http/http.h"
#include "render/image.h"
#include "util/arena.h"
#include "util/utf8.h"
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_multipart: check failed: %s\n", #cond);                          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define FUZZ_MAX_FILES 4
#define FUZZ_IMAGE_EVERY 20

static bool fuzz_images; /* image_make too, not only the sniffer and the probe */
static bool fuzz_vips;   /* libvips started */
static int fuzz_parsed, fuzz_files, fuzz_probed, fuzz_made; /* how far inputs went */

static void fuzz_check_file(struct arena *a, const struct http_file *f, const char *body, size_t n)
{
    FUZZ_CHECK(f->name && utf8_valid(f->name, strlen(f->name)));
    FUZZ_CHECK(f->filename && utf8_valid(f->filename, strlen(f->filename)));
    FUZZ_CHECK(strlen(f->filename) <= 200 && !strchr(f->filename, '/'));
    FUZZ_CHECK(f->content_type != NULL);
    FUZZ_CHECK((const char *)f->data >= body && f->len <= n &&
               (const char *)f->data - body <= (ptrdiff_t)(n - f->len));
    struct file_type t = file_sniff(f->data, f->len);
    FUZZ_CHECK(t.cls == FILE_UNKNOWN || t.cls == FILE_REFUSED || t.mime != NULL);
    FUZZ_CHECK(t.cls != FILE_REFUSED || t.reason != NULL);
    if (t.cls != FILE_IMAGE)
        return;
    fuzz_probed++;
    int w = 0, h = 0;
    enum image_status st = image_probe(f->data, f->len, &w, &h);
    FUZZ_CHECK(st != IMAGE_OK || (w > 0 && h > 0 && (long long)w * h <= IMAGE_MAX_PIXELS));
    if (st != IMAGE_OK || !fuzz_images || !fuzz_vips)
        return;
    struct image_made m;
    st = image_make(a, f->data, f->len, &m);
    if (st != IMAGE_OK)
        return;
    fuzz_made++;
    FUZZ_CHECK(m.nvariants >= 2 && m.nvariants <= IMAGE_MAX_VARIANTS);
    for (int i = 0; i < m.nvariants; i++)
        FUZZ_CHECK(m.v[i].len > 0 && m.v[i].width > 0 && m.v[i].width <= 1600);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    if (!nl)
        return 0;
    struct arena *a = arena_new();
    char *ctype = arena_strndup(a, in, (size_t)(nl - in));
    const char *boundary = http_multipart_boundary(a, ctype);
    if (boundary) {
        FUZZ_CHECK(strlen(boundary) >= 1 && strlen(boundary) <= 70);
        const char *body = nl + 1;
        size_t n = size - (size_t)(body - in);
        struct kvlist form = {0};
        struct http_file files[FUZZ_MAX_FILES];
        int nfiles = -1;
        if (http_parse_multipart(a, boundary, body, n, &form, files, FUZZ_MAX_FILES, &nfiles) ==
            0) {
            FUZZ_CHECK(nfiles >= 0 && nfiles <= FUZZ_MAX_FILES);
            fuzz_parsed++;
            fuzz_files += nfiles;
            for (int i = 0; i < form.n; i++) {
                FUZZ_CHECK(utf8_valid(form.items[i].key, strlen(form.items[i].key)));
                FUZZ_CHECK(utf8_valid(form.items[i].value, strlen(form.items[i].value)));
            }
            for (int i = 0; i < nfiles; i++)
                fuzz_check_file(a, &files[i], body, n);
        }
    }
    arena_free(a);
    return 0;
}

#ifndef FOISON_LIBFUZZER
#define FUZZ_SEEDS 16
#define FUZZ_SEED_MAX 65536

static size_t fuzz_read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static unsigned long long fuzz_next(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

int main(int argc, char **argv)
{
    static char seeds[FUZZ_SEEDS][FUZZ_SEED_MAX];
    static size_t seed_len[FUZZ_SEEDS];
    int nseeds = 0, replayed = 0;
    fuzz_vips = image_init();
    fuzz_images = true;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d)) && nseeds < FUZZ_SEEDS) {
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
    /* The corpus holds three images that must come out made: the harness reaches libvips. */
    FUZZ_CHECK(nseeds == 0 || !fuzz_vips || fuzz_made >= 3);
    if (nseeds == 0) {
        static const char base[] = "multipart/form-data; boundary=b\n--b\r\nContent-Disposition: "
                                   "form-data; name=\"alt\"\r\n\r\nx\r\n--b--\r\n";
        memcpy(seeds[0], base, sizeof base - 1);
        seed_len[nseeds++] = sizeof base - 1;
    }
    static const char *const pieces[] = {
        "\r\n",
        "--b",
        "--",
        "\r\n\r\n",
        "Content-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n",
        "Content-Type: image/svg+xml\r\n",
        "filename=\"../../etc/passwd\"",
        "name=\"\xc3\x28\"",
        "\"",
        ";",
        "\xff\xd8\xff\xe0",
        "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\xc3\x50\0\0\xc3\x50\x08\x02",
        "RIFF\0\0\0\0WEBPVP8 ",
        "\0\0\0\x18"
        "ftypheic",
        "%PDF-1.7\n",
        "PK\x03\x04",
        "<svg",
        "\0"};
    unsigned long long seed = 0x9E3779B97F4A7C15ULL;
    int iterations = 20000;
    const char *env = getenv("FOISON_FUZZ_ITERATIONS");
    if (env)
        iterations = atoi(env);
    static char buf[FUZZ_SEED_MAX + 4096];
    for (int it = 0; it < iterations; it++) {
        int s = (int)(fuzz_next(&seed) % (unsigned)nseeds);
        size_t n = seed_len[s];
        memcpy(buf, seeds[s], n);
        int edits = 1 + (int)((fuzz_next(&seed) >> 8) % 8);
        for (int e = 0; e < edits; e++) {
            unsigned long long r = fuzz_next(&seed);
            size_t pos = n ? (size_t)(r % (n + 1)) : 0;
            switch ((r >> 20) % 4) {
            case 0: /* one byte changed */
                if (n)
                    buf[pos % n] = (char)(r >> 32);
                break;
            case 1: /* cut short: a body cut in the middle */
                n = pos;
                break;
            default: { /* a piece inserted */
                const char *p = pieces[(r >> 24) % (sizeof(pieces) / sizeof(pieces[0]))];
                size_t pl = strlen(p);
                if (pl == 0)
                    pl = 1; /* the NUL piece */
                if (n + pl >= sizeof buf)
                    break;
                memmove(buf + pos + pl, buf + pos, n - pos);
                memcpy(buf + pos, p, pl);
                n += pl;
            }
            }
        }
        fuzz_images = it % FUZZ_IMAGE_EVERY == 0;
        LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
    }
    printf("fuzz_multipart: %d files replayed, %d mutations, libvips %s; %d bodies parsed, %d "
           "files, %d images probed, %d made\n",
           replayed, iterations, fuzz_vips ? "on" : "off", fuzz_parsed, fuzz_files, fuzz_probed,
           fuzz_made);
    return 0;
}
#endif
