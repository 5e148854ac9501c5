/* bench_data.c — `foison bench-data SITE.db [--entries N] [--events M] [--hub] [--seed S]`: adds
 * N generated entries to an existing site (after `foison demo`, say), for measuring the site at
 * sizes the demo does not reach: mostly innovations, with actors, places, networks and articles,
 * in the communes and themes of the site's territory, linked to one another; and M events within
 * half a year of today, a tenth of them weekly series, at those places and by those actors. Their
 * texts come from cli/bench_words.c. Every entry goes through validation and the one save path, as
 * the site's operator (like the demo loader), in the name of the site's accounts.
 *
 * Durability: a bulk load of generated data has nothing to lose on a power cut that running it
 * again would not give back, and synchronous=FULL would spend most of its time in fsyncs. So the
 * command sets the site's "synchronous" setting to NORMAL for its run (read when a connection
 * opens: it reopens the file) and puts the site's own value back at the end, also on Ctrl-C.
 * Only a crash or a kill -9 in between leaves NORMAL, which `foison config` and the audit
 * show. */
#include "cli/bench_words.h"
#include "cli/cli.h"
#include "core/account.h"
#include "core/entry.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/markdown.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/mem.h"
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_ENTRIES 2000000
#define BENCH_DEFAULT_SEED 1
/* Accounts looked for as authors: the first ids of the users table. */
#define BENCH_MAX_AUTHORS 64

/* Ctrl-C or a TERM stops after the save in progress: the setting is put back. */
static volatile sig_atomic_t bench_stop;

static void bench_on_signal(int sig)
{
    (void)sig;
    bench_stop = 1;
}

/* How many of each kind, in the order they are made: what an entry links to exists before it. */
enum { B_ACTOR, B_PLACE, B_INNOVATION, B_NETWORK, B_ARTICLE, B_KINDS };
static const char *const bench_kind_names[B_KINDS] = {"actor", "place", "innovation", "network",
                                                      "article"};

struct bench_run {
    struct store *s;
    struct territory *t;
    struct bench_gen g;
    struct bench_pools pools;
    long long authors[BENCH_MAX_AUTHORS];
    int nauthors;
    long long done, total;
    struct timespec start, shown;
    bool tty;
};

static int bench_usage(FILE *f)
{
    fprintf(
        f,
        "usage\u202f: foison bench-data SITE.db [--entries N] [--events M] [--hub] [--seed S]\n"
        "Ajoute N fiches générées (de 1 à 2\u202f000\u202f000) à un site existant, par exemple "
        "après\n"
        "«\u202ffoison demo\u202f»\u202f: surtout des innovations, puis des acteurs, des lieux, "
        "des réseaux\n"
        "et des articles, liés entre eux, dans les communes et les thèmes du territoire du\n"
        "site. Pour mesurer le site à grande taille\u202f: les textes sont fictifs.\n"
        "  --entries N  le nombre de fiches à créer\n"
        "  --events M   le nombre d'événements à créer, dans les six mois autour d'aujourd'hui,\n"
        "               un sur dix répété chaque semaine (avec des acteurs et des lieux si\n"
        "               --entries n'est pas donné)\n"
        "  --hub        crée aussi le «\u202fCollectif du banc d'essai\u202f», lié à chaque "
        "innovation,\n"
        "               article et réseau créé, et écrit à la fin son nom d'adresse "
        "(ligne\n"
        "               «\u202fhub: NOM\u202f»)\n"
        "  --seed S     la graine du tirage (par défaut %d)\u202f: les mêmes textes et les "
        "mêmes\n"
        "               liens pour une même graine sur un même site\n"
        "Le chargement se fait en durabilité NORMAL (réglage synchronous), rétablie à la "
        "fin.\n",
        BENCH_DEFAULT_SEED);
    return f == stdout ? 0 : 2;
}

/* A whole decimal number of at most maxdigits digits, nothing else. */
static bool bench_parse_count(const char *s, int maxdigits, unsigned long long *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > (size_t)maxdigits || strspn(s, "0123456789") != n)
        return false;
    *out = strtoull(s, NULL, 10);
    return true;
}

static double bench_seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The bar of reindex.c, with the rate and the time left; at most ten times a second. */
static void bench_progress(struct bench_run *r, bool last)
{
    if (!r->tty || (!last && bench_seconds_since(&r->shown) < 0.1))
        return;
    clock_gettime(CLOCK_MONOTONIC, &r->shown);
    double secs = bench_seconds_since(&r->start);
    double rate = secs > 0 ? (double)r->done / secs : 0;
    int width = 40, filled = r->total ? (int)(r->done * width / r->total) : width;
    long left = rate > 0 ? (long)((double)(r->total - r->done) / rate) : 0;
    char rest[32];
    if (left >= 60)
        snprintf(rest, sizeof rest, "%ld min %02ld s", left / 60, left % 60);
    else
        snprintf(rest, sizeof rest, "%ld s", left);
    fprintf(stderr, "\r[%-*.*s] %lld/%lld · %.0f fiches/s · reste %s   ", width, filled,
            "########################################", r->done, r->total, rate, rest);
}

/* One entry through validation and the save path; its id and slug (copied) on success. */
static int bench_save(struct bench_run *r, const struct kind_def *k, json_t *fields,
                      long long author, long long when, long long *id, char **slug)
{
    struct arena *a = arena_new();
    struct field_errors errs = {0};
    int rc = -1;
    const char *title = json_string_value(json_object_get(fields, "title"));
    json_t *clean = validate_entry(a, k, r->t, fields, true, &errs);
    if (!clean) {
        fprintf(stderr, "\nfoison: bench-data, %s «\u202f%s\u202f»\u202f: %s\u202f: %s\n", k->label,
                title ? title : "?", errs.e[0].field, errs.e[0].message);
        goto done;
    }
    struct entry_save in = {
        .kind = k,
        .fields = clean,
        /* The operator loads the data, in the name of one of the site's accounts. */
        .author = {author, ROLE_ADMIN},
        .operator= true,
        .comment = "Création de la fiche",
        .now = when,
        .errs = &errs,
    };
    struct entry_saved saved;
    int src = entry_save(r->s, a, &in, &saved);
    json_decref(clean);
    if (src != ENTRY_OK) {
        fprintf(stderr,
                "\nfoison: bench-data, %s «\u202f%s\u202f»\u202f: enregistrement "
                "impossible%s%s\n",
                k->label, title ? title : "?", errs.n ? "\u202f: " : "",
                errs.n ? errs.e[0].message : "");
        goto done;
    }
    *id = saved.entry.id;
    if (slug)
        *slug = xstrdup(saved.entry.slug);
    rc = 0;
done:
    arena_free(a);
    return rc;
}

/* The site's active accounts among the first ids: the generated revisions are theirs. */
static void bench_authors(struct bench_run *r)
{
    struct arena *a = arena_new();
    for (long long id = 1; id <= BENCH_MAX_AUTHORS; id++) {
        struct user_row u;
        if (store_user_by_id(r->s, a, id, &u) == STORE_OK && strcmp(u.status, "active") == 0)
            r->authors[r->nauthors++] = id;
    }
    arena_free(a);
}

/* The fields of a new entry of kind; *called: how texts name an actor or a place (in a). */
static json_t *bench_fields(struct bench_run *r, struct arena *a, int kind, long long when,
                            const char **called)
{
    *called = NULL;
    switch (kind) {
    case B_ACTOR:
        return bench_fields_actor(&r->g, a, called);
    case B_PLACE:
        return bench_fields_place(&r->g, a, called);
    case B_INNOVATION:
        return bench_fields_innovation(&r->g, a, &r->pools, when);
    case B_NETWORK:
        return bench_fields_network(&r->g, a, &r->pools);
    default:
        return bench_fields_article(&r->g, a, &r->pools, when);
    }
}

static int bench_generate(struct bench_run *r, const long long count[B_KINDS])
{
    for (int kind = 0; kind < B_KINDS; kind++) {
        const struct kind_def *k = kind_find(bench_kind_names[kind]);
        for (long long i = 0; i < count[kind] && !bench_stop; i++) {
            struct arena *a = arena_new();
            long long when = bench_when(&r->g);
            long long author = r->nauthors ? r->authors[bench_pick(&r->g, (size_t)r->nauthors)] : 0;
            const char *called;
            json_t *fields = bench_fields(r, a, kind, when, &called);
            long long id;
            int rc = bench_save(r, k, fields, author, when, &id, NULL);
            json_decref(fields);
            if (rc == 0) {
                if (kind == B_ACTOR)
                    bench_pool_add(&r->pools.actors, id, called, 1);
                else if (kind == B_PLACE)
                    bench_pool_add(&r->pools.places, id, called, 1);
                else if (kind == B_INNOVATION)
                    bench_pool_add(&r->pools.innovations, id, NULL, 0);
            }
            arena_free(a);
            if (rc != 0)
                return -1;
            r->done++;
            bench_progress(r, false);
        }
    }
    return bench_stop ? -1 : 0;
}

/* n events, every tenth a weekly series. */
static int bench_events(struct bench_run *r, long long n)
{
    const struct kind_def *k = kind_find("event");
    for (long long i = 0; i < n && !bench_stop; i++) {
        struct arena *a = arena_new();
        long long author = r->nauthors ? r->authors[bench_pick(&r->g, (size_t)r->nauthors)] : 0;
        json_t *fields = bench_fields_event(&r->g, a, &r->pools, i % 10 == 9);
        long long id;
        int rc = bench_save(r, k, fields, author, r->g.now - 86400 * 30, &id, NULL);
        json_decref(fields);
        arena_free(a);
        if (rc != 0)
            return -1;
        r->done++;
        bench_progress(r, false);
    }
    return bench_stop ? -1 : 0;
}

/* Opens the site with synchronous=NORMAL for this run; *restore receives the value to put
 * back (NULL when the site was already NORMAL). */
static struct store *bench_open(const char *path, char **restore)
{
    char err[512];
    *restore = NULL;
    struct store *s = store_open(path, STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return NULL;
    }
    char *mode = store_setting_get(s, STORE_SYNC_SETTING);
    if (mode && strcmp(mode, "NORMAL") == 0) {
        free(mode);
        return s;
    }
    /* Unset means the default, FULL: written back as FULL. */
    *restore = mode ? mode : xstrdup("FULL");
    if (store_setting_set(s, STORE_SYNC_SETTING, "NORMAL") != STORE_OK) {
        fprintf(stderr, "foison: %s\u202f: écriture du réglage synchronous impossible\n", path);
        store_close(s);
        free(*restore);
        *restore = NULL;
        return NULL;
    }
    store_close(s);
    s = store_open(path, STORE_OPEN_EXISTING, err, sizeof err);
    if (!s)
        fprintf(stderr, "foison: %s\n", err);
    return s;
}

static void bench_restore(struct store *s, const char *path, const char *mode)
{
    if (mode && store_setting_set(s, STORE_SYNC_SETTING, mode) != STORE_OK)
        fprintf(stderr,
                "foison: %s\u202f: le réglage synchronous n'a pas pu être remis à %s\u202f: "
                "faites-le avec «\u202ffoison config %s synchronous %s\u202f»\n",
                path, mode, path, mode);
}

int cli_bench_data(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return bench_usage(stdout);
    if (argc < 2 || argv[1][0] == '-')
        return bench_usage(stderr);
    const char *entries = NULL, *seed_text = NULL, *events_text = NULL;
    bool hub = false;
    for (int i = 2; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--entries") == 0  ? &entries
                            : strcmp(argv[i], "--events") == 0 ? &events_text
                            : strcmp(argv[i], "--seed") == 0   ? &seed_text
                                                               : NULL;
        if (strcmp(argv[i], "--hub") == 0) {
            if (hub) {
                fprintf(stderr, "foison: --hub donné deux fois\n");
                return 2;
            }
            hub = true;
        } else if (!slot) {
            fprintf(stderr, "foison: option inconnue\u202f: %s\n", argv[i]);
            return bench_usage(stderr);
        } else if (*slot || i + 1 >= argc) {
            fprintf(stderr, "foison: %s attend une valeur, une seule fois\n", argv[i]);
            return 2;
        } else {
            *slot = argv[++i];
        }
    }
    unsigned long long n = 0, nevents = 0, seed = BENCH_DEFAULT_SEED;
    if (!entries && !events_text) {
        fprintf(stderr, "foison: --entries N ou --events N est requis\n");
        return bench_usage(stderr);
    }
    if (events_text && (!bench_parse_count(events_text, 7, &nevents) || nevents < 1 ||
                        nevents > BENCH_MAX_ENTRIES)) {
        fprintf(stderr,
                "foison: --events\u202f: un nombre entier de 1 à 2\u202f000\u202f000 est "
                "attendu (pas «\u202f%s\u202f»)\n",
                events_text);
        return 2;
    }
    if (entries && (!bench_parse_count(entries, 7, &n) || n < 1 || n > BENCH_MAX_ENTRIES)) {
        fprintf(stderr,
                "foison: --entries\u202f: un nombre entier de 1 à 2\u202f000\u202f000 est "
                "attendu (pas «\u202f%s\u202f»)\n",
                entries);
        return 2;
    }
    if (seed_text && !bench_parse_count(seed_text, 18, &seed)) {
        fprintf(stderr,
                "foison: --seed\u202f: un nombre entier positif d'au plus 18 chiffres est "
                "attendu (pas «\u202f%s\u202f»)\n",
                seed_text);
        return 2;
    }
    if (account_init() != 0)
        return 1;
    markdown_init();

    /* Realistic proportions for a network's site: innovations first and foremost. */
    long long count[B_KINDS];
    count[B_ACTOR] = (long long)n * 12 / 100;
    count[B_PLACE] = (long long)n * 8 / 100;
    count[B_NETWORK] = (long long)n * 2 / 100;
    count[B_ARTICLE] = (long long)n * 8 / 100;
    count[B_INNOVATION] =
        (long long)n - count[B_ACTOR] - count[B_PLACE] - count[B_NETWORK] - count[B_ARTICLE];
    /* Events need organisers and places: with no entries asked for, one of each per fifty. */
    if (!entries && nevents) {
        count[B_ACTOR] = count[B_PLACE] = (long long)(nevents + 49) / 50;
        n = (unsigned long long)(count[B_ACTOR] + count[B_PLACE]);
    }

    char *restore = NULL;
    struct bench_run r = {.total = (long long)(n + nevents) + (hub ? 1 : 0),
                          .tty = isatty(STDERR_FILENO)};
    r.s = bench_open(argv[1], &restore);
    if (!r.s) {
        free(restore);
        return 1;
    }
    int rc = 1;
    char *hub_slug = NULL;
    bool rebuilt;
    r.t = territory_load(r.s);
    if (!r.t || entry_derive_check(r.s, &rebuilt) != ENTRY_OK) {
        fprintf(stderr, "foison: %s\u202f: lecture du site impossible\n", argv[1]);
        goto done;
    }
    if (bench_gen_init(&r.g, r.t, seed, (long long)time(NULL)) != 0) {
        fprintf(stderr, "foison: %s\u202f: le territoire n'a pas de communes ou pas de thèmes\n",
                argv[1]);
        goto done;
    }
    bench_authors(&r);
    struct sigaction sa = {.sa_handler = bench_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    clock_gettime(CLOCK_MONOTONIC, &r.start);
    r.shown = r.start;
    r.shown.tv_sec -= 1;
    if (hub) {
        json_t *fields = bench_fields_hub(&r.g);
        int hrc = bench_save(&r, kind_find("actor"), fields, 0, bench_when(&r.g), &r.pools.hub,
                             &hub_slug);
        json_decref(fields);
        if (hrc != 0)
            goto stopped;
        r.done++;
    }
    if (bench_generate(&r, count) != 0 || bench_events(&r, (long long)nevents) != 0)
        goto stopped;
    bench_progress(&r, true);
    if (r.tty)
        fputc('\n', stderr);
    double secs = bench_seconds_since(&r.start);
    /* Tenths of a second with a decimal comma, as French writes them. */
    long tenths = (long)(secs * 10 + 0.5);
    printf("bench-data\u202f: %lld %s (%lld innovation%s, %lld acteur%s, %lld lieu%s, "
           "%lld réseau%s, %lld article%s%s) en %ld,%ld s, soit %.0f fiches/s\n",
           r.done, r.done > 1 ? "fiches créées" : "fiche créée", count[B_INNOVATION],
           count[B_INNOVATION] > 1 ? "s" : "", count[B_ACTOR], count[B_ACTOR] > 1 ? "s" : "",
           count[B_PLACE], count[B_PLACE] > 1 ? "x" : "", count[B_NETWORK],
           count[B_NETWORK] > 1 ? "x" : "", count[B_ARTICLE], count[B_ARTICLE] > 1 ? "s" : "",
           hub ? ", et le collectif du banc d'essai" : "", tenths / 10, tenths % 10,
           secs > 0 ? (double)r.done / secs : 0.0);
    if (nevents)
        printf("bench-data\u202f: dont %llu événement%s (%llu série%s hebdomadaire%s)\n", nevents,
               nevents > 1 ? "s" : "", nevents / 10, nevents / 10 > 1 ? "s" : "",
               nevents / 10 > 1 ? "s" : "");
    if (hub_slug)
        printf("hub: %s\n", hub_slug);
    rc = 0;
    goto done;
stopped:
    if (r.tty)
        fputc('\n', stderr);
    fprintf(stderr, "foison: %s après %lld fiches créées (elles restent dans le site)\n",
            bench_stop ? "interrompu" : "arrêt", r.done);
    if (bench_stop)
        rc = 130;
done:
    bench_restore(r.s, argv[1], restore);
    free(restore);
    free(hub_slug);
    bench_pool_free(&r.pools.actors);
    bench_pool_free(&r.pools.places);
    bench_pool_free(&r.pools.innovations);
    bench_gen_free(&r.g);
    territory_free(r.t);
    store_close(r.s);
    return rc;
}
