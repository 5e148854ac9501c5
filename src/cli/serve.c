/* serve.c — `foison serve SITE.db [--listen HOST:PORT] [--threads N]`. */
#include "cli/cli.h"
#include "core/entry.h"
#include "core/search.h"
#include "core/territory.h"
#include "core/account.h"
#include "http/http.h"
#include "render/image.h"
#include "render/markdown.h"
#include "store/media_store.h"
#include "store/store.h"
#include "web/app.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int serve_usage(FILE *f)
{
    fprintf(f,
            "usage : foison serve SITE.db [--listen 127.0.0.1:8080] [--threads N]\n"
            "          [--max-body OCTETS] [--max-upload OCTETS] [--timeout SECONDES] [--quiet]\n"
            "          [--mail-poll-ms MILLISECONDES] [--media-dir DOSSIER | --media-s3 URL]\n"
            "Sert le site. --threads : nombre de fils (défaut : nombre de cœurs).\n"
            "--max-body : taille maximale d'un corps de requête (défaut 1048576).\n"
            "--max-upload : celle d'un envoi d'image ou de document (défaut 26214400).\n"
            "--mail-poll-ms : pause du courrier entre deux regards sur sa file vide\n"
            "  (défaut 2000 ; les tests la raccourcissent pour ne pas attendre).\n"
            "--media-dir : les fichiers des images et documents dans ce dossier ;\n"
            "--media-s3 : dans un stockage S3 (https://hôte[:port]/compartiment[/préfixe]),\n"
            "  clés dans l'environnement : FOISON_S3_ACCESS_KEY, FOISON_S3_SECRET_KEY,\n"
            "  FOISON_S3_REGION (défaut us-east-1). Sans l'un ni l'autre : dans le site.\n"
            "Journal d'accès sur la sortie d'erreur (--quiet pour le couper).\n");
    return f == stdout ? 0 : 2;
}

static int serve_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
        return -1;
    unsigned long v = strtoul(s, NULL, 10);
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

struct serve_uint {
    const char *name;
    unsigned long min, max;
    unsigned *as_uint;
    size_t *as_size;
};

static const struct serve_uint *serve_uint_option(const struct serve_uint *opts, size_t n,
                                                  const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

int cli_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return serve_usage(stdout);
    if (argc < 2)
        return serve_usage(stderr);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct server_options opt = {
        .listen_host = "127.0.0.1",
        .port = 8080,
        .threads = cores > 0 ? (unsigned)cores : 2,
        .max_body = 1024 * 1024,
        .max_upload = 25 * 1024 * 1024,
        .timeout_seconds = 30,
        .request_timeout_seconds = 60,
        .max_connections = 4096,
        .max_per_ip = 64,
    };
    /* The mail worker's pause when the queue had nothing due: short in the tests, which wait
     * for mails (a shorter pause costs a few indexed reads per round, nothing else). */
    unsigned mail_poll_ms = 2000;
    /* The numeric options: name, bounds, the field they set. */
    const struct serve_uint uints[] = {
        {"--threads", 1, 256, &opt.threads, NULL},
        {"--max-body", 1024, 64UL * 1024 * 1024, NULL, &opt.max_body},
        {"--max-upload", 1024, 256UL * 1024 * 1024, NULL, &opt.max_upload},
        {"--timeout", 1, 3600, &opt.timeout_seconds, NULL},
        {"--request-timeout", 1, 3600, &opt.request_timeout_seconds, NULL},
        {"--max-connections", 1, 65536, &opt.max_connections, NULL},
        {"--max-per-ip", 1, 65536, &opt.max_per_ip, NULL},
        {"--mail-poll-ms", 50, 60000, &mail_poll_ms, NULL},
    };
    const struct serve_uint *u;
    static char host[64];
    const char *media_dir = NULL, *media_s3 = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long n;
        if (strcmp(a, "--quiet") == 0) {
            opt.quiet = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "foison: option %s : valeur manquante\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--listen") == 0) {
            const char *colon = strrchr(v, ':');
            if (!colon || (size_t)(colon - v) >= sizeof host || colon == v ||
                serve_parse_uint(colon + 1, 1, 65535, &n) != 0) {
                fprintf(stderr, "foison: --listen attend HÔTE:PORT (ex. 127.0.0.1:8080)\n");
                return 2;
            }
            memcpy(host, v, (size_t)(colon - v));
            host[colon - v] = '\0';
            opt.listen_host = host;
            opt.port = (unsigned short)n;
        } else if (strcmp(a, "--media-dir") == 0) {
            media_dir = v;
        } else if (strcmp(a, "--media-s3") == 0) {
            media_s3 = v;
        } else if ((u = serve_uint_option(uints, sizeof uints / sizeof uints[0], a))) {
            if (serve_parse_uint(v, u->min, u->max, &n) != 0) {
                fprintf(stderr, "foison: %s attend un entier de %lu à %lu\n", a, u->min, u->max);
                return 2;
            }
            if (u->as_size)
                *u->as_size = n;
            else
                *u->as_uint = (unsigned)n;
        } else {
            fprintf(stderr, "foison: option inconnue : %s\n", a);
            return serve_usage(stderr);
        }
    }
    if (media_dir && media_s3) {
        fprintf(stderr, "foison: --media-dir et --media-s3 s'excluent : choisir l'un des deux\n");
        return 2;
    }
    /* Before opening the site: a wrong address or missing keys stop here, and libcurl starts
     * before any thread. */
    char err[512];
    if (media_s3 && store_media_s3_set(media_s3, err, sizeof err) != 0) {
        fprintf(stderr, "foison: %s\n", err);
        return 2;
    }
    /* Dates on pages are local to the territory; TZ in the environment wins. */
    if (!getenv("TZ"))
        setenv("TZ", "Europe/Paris", 1);
    tzset();
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    if (media_dir && store_media_dir_set(media_dir, err, sizeof err) != 0) {
        fprintf(stderr, "foison: %s\n", err);
        store_close(s);
        return 2;
    }
    if (cli_account_init() != 0) {
        store_close(s);
        return 1;
    }
    markdown_init();
    /* Derived data made by an older program (other facets, other relations) is made again
     * before anyone reads it. */
    bool rebuilt = false;
    if (entry_derive_check(s, &rebuilt) != ENTRY_OK) {
        fprintf(stderr, "foison: le calcul des données dérivées du site a échoué\n");
        store_close(s);
        return 1;
    }
    if (rebuilt)
        fprintf(stderr, "foison: données dérivées recalculées (les types de fiches ont changé)\n");
    /* The search's copy in memory is loaded before the first search, not by it (a second at a
     * million entries); a failure here only leaves it to the first search. */
    (void)search_warm(s);
    /* Blocks of 256 KiB and more (an upload's body, a decoded photo, its encoded sizes) are
     * mapped and unmapped on their own: glibc would otherwise raise this threshold after the
     * first such block is freed and keep every later photo's memory in its heap for good (the
     * server grew by 20 MiB per upload in bench/media.sh). A fixed value turns that off. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    /* Two heaps, not eight per core: what libvips' threads free in their own heap stayed there
     * (+60 MiB after four photos one after another; +20 MiB with two heaps). Requests allocate
     * from their arena in large blocks, so they seldom wait on each other's heap. */
    mallopt(M_ARENA_MAX, 2);
    /* libvips started before the threads that upload (its start is not thread-safe). */
    if (!image_init())
        fprintf(stderr, "foison: les images ne pourront pas être reçues (libvips)\n");
    struct app *app = app_load(s, cli_datadir());
    if (app && cli_mailer_start(s, argv[1], mail_poll_ms) != 0) {
        app_free(app);
        app = NULL;
    }
    store_close(s);
    if (!app)
        return 1;
    /* Without a base URL of its own, the site's permanent links point where it is served. */
    char here[128];
    snprintf(here, sizeof here, "http://%s:%u",
             strcmp(opt.listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : opt.listen_host, opt.port);
    if (!app->territory->base_url[0]) {
        if (strcmp(opt.listen_host, "0.0.0.0") == 0)
            fprintf(stderr,
                    "foison: pas d'adresse publique réglée : les liens permanents "
                    "utiliseront %s (foison config SITE base_url https://…)\n",
                    here);
    }
    /* Also when it has one: an admin may empty it while the server runs (app_refresh). */
    app_follow_listen(app, here);
    store_thread_setup(argv[1]);
    int rc = app_serve(app, &opt);
    app_free(app);
    return rc;
}
