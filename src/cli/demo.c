/* demo.c — `foison demo SITE.db`: a new site filled with the demo territory of
 * data/demo/innovations.json and the network around them (actors, places, networks, articles
 * and the links between all of them) of data/demo/network.json. Every revision goes through the
 * same validation and save path as the site's forms and API, with its date set in the past. */
#include "cli/cli.h"
#include "core/account.h"
#include "core/entry.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/markdown.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Demo accounts share one password, printed by the command: a demo site is for trying out. */
#define DEMO_PASSWORD "foison-demo-brest"
#define DEMO_FEATURED 4

static long long demo_author_id(struct store *s, struct arena *a, const char *email)
{
    struct user_row row;
    return email && store_user_by_email(s, a, email, &row) == STORE_OK ? row.id : 0;
}

/* What the loader knows while it runs: the slug each entry of the files was saved under (the
 * files name entries by a slug of their own), when and by whom it was last written. */
struct demo_state {
    struct store *s;
    struct arena *a;
    struct territory *t;
    long long now;
    struct demo_entry {
        const char *file_slug;
        const struct kind_def *kind;
        const char *slug;
        int rev;
        long long author, last;
    } * entries;
    int n, cap;
    int revisions;
    long long authors[16]; /* the demo accounts, in the file's order */
    int nauthors;
};

static struct demo_entry *demo_find(struct demo_state *d, const char *file_slug)
{
    for (int i = 0; file_slug && i < d->n; i++)
        if (strcmp(d->entries[i].file_slug, file_slug) == 0)
            return &d->entries[i];
    return NULL;
}

/* One revision through validation and the save path, in the name of its author with the
 * operator's rights. */
static int demo_save(struct demo_state *d, const struct kind_def *k, const char *slug, int base,
                     json_t *fields, long long author, const char *comment, long long when,
                     struct entry_saved *saved)
{
    struct field_errors errs = {0};
    json_t *clean = validate_entry(d->a, k, d->t, fields, true, &errs);
    if (!clean) {
        fprintf(stderr, "foison: démo, %s « %s » : %s : %s\n", k->label, slug ? slug : "?",
                errs.e[0].field, errs.e[0].message);
        return -1;
    }
    struct entry_save in = {
        .kind = k,
        .slug = slug,
        .base_rev = base,
        .fields = clean,
        /* The site's operator loads the demo: their rights, not the authors'. */
        .author = {author, ROLE_ADMIN},
        .operator= true,
        .comment = comment,
        .now = when,
        .errs = &errs,
    };
    int rc = entry_save(d->s, d->a, &in, saved);
    json_decref(clean);
    d->revisions += rc == ENTRY_OK;
    if (rc != ENTRY_OK) {
        fprintf(stderr, "foison: démo, %s « %s » : enregistrement impossible%s%s\n", k->label,
                slug ? slug : "?", errs.n ? " : " : "", errs.n ? errs.e[0].message : "");
        return -1;
    }
    return 0;
}

/* The entries of one kind in a file, each with its revisions. */
static int demo_load_kind(struct demo_state *d, json_t *list, const struct kind_def *k,
                          int featured)
{
    size_t i, j;
    json_t *item, *rev;
    json_array_foreach(list, i, item)
    {
        const char *slug = NULL;
        int base = 0;
        long long first_author = 0, when = 0;
        json_array_foreach(json_object_get(item, "revisions"), j, rev)
        {
            long long author =
                demo_author_id(d->s, d->a, json_string_value(json_object_get(rev, "author")));
            when = d->now -
                   (long long)json_integer_value(json_object_get(rev, "days_ago")) * 86400 -
                   (long long)(i * 3600);
            struct entry_saved saved;
            if (demo_save(d, k, slug, base, json_object_get(rev, "fields"), author,
                          json_string_value(json_object_get(rev, "comment")), when, &saved) != 0)
                return -1;
            slug = saved.entry.slug;
            base = saved.rev;
            if (j == 0) {
                first_author = author; /* and its manager: entry_save made it so */
                if ((int)i < featured)
                    entry_set_featured(d->s, &saved.entry, true);
            }
        }
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 128;
            struct demo_entry *grown = arena_alloc(d->a, sizeof(*grown) * (size_t)d->cap);
            if (d->n)
                memcpy(grown, d->entries, sizeof(*grown) * (size_t)d->n);
            d->entries = grown;
        }
        const char *file_slug = json_string_value(json_object_get(item, "slug"));
        d->entries[d->n++] =
            (struct demo_entry){file_slug ? file_slug : slug, k, slug, base, first_author, when};
    }
    return 0;
}

/* The links between entries, once every entry exists: for each entry, one more revision that
 * sets its relation fields, an hour after its last one. */
static int demo_load_links(struct demo_state *d, json_t *links)
{
    for (int e = 0; e < d->n; e++) {
        struct demo_entry *de = &d->entries[e];
        json_t *set = json_object();
        size_t i, j;
        json_t *link, *to;
        json_array_foreach(links, i, link)
        {
            if (strcmp(json_string_value(json_object_get(link, "from")) ?: "", de->file_slug))
                continue;
            json_t *slugs = json_array();
            json_array_foreach(json_object_get(link, "to"), j, to)
            {
                struct demo_entry *target = demo_find(d, json_string_value(to));
                if (!target) {
                    fprintf(stderr, "foison: démo, lien de « %s » vers « %s » : fiche inconnue\n",
                            de->file_slug, json_string_value(to));
                    json_decref(slugs);
                    json_decref(set);
                    return -1;
                }
                json_array_append_new(slugs, json_string(target->slug));
            }
            json_object_set_new(set, json_string_value(json_object_get(link, "field")) ?: "",
                                slugs);
        }
        if (json_object_size(set) == 0) {
            json_decref(set);
            continue;
        }
        struct entry found;
        struct revision r;
        int rc =
            entry_find(d->s, d->a, &viewer_operator, de->slug, &found, NULL) == ENTRY_OK &&
                    entry_revision(d->s, d->a, &viewer_operator, &found, de->rev, &r) == ENTRY_OK
                ? 0
                : -1;
        json_t *fields = rc == 0 ? json_deep_copy(r.fields) : NULL;
        if (fields)
            json_object_update(fields, set);
        json_decref(set);
        /* Another hand links it to the network: a record is written by several people. */
        long long linker = de->author;
        for (int k = 0; k < d->nauthors; k++)
            if (d->authors[k] == de->author)
                linker = d->authors[(k + 1 + e % 3) % d->nauthors];
        struct entry_saved saved;
        if (!fields || demo_save(d, de->kind, de->slug, de->rev, fields, linker,
                                 "Liens avec le réseau", de->last + 3600, &saved) != 0) {
            json_decref(fields);
            return -1;
        }
        json_decref(fields);
        de->rev = saved.rev;
    }
    return 0;
}

static int demo_load(struct store *s, const char *innovations_path, const char *network_path)
{
    json_error_t jerr;
    json_t *root = json_load_file(innovations_path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        fprintf(stderr, "foison: %s:%d : %s\n", innovations_path, jerr.line, jerr.text);
        return -1;
    }
    json_t *net = json_load_file(network_path, JSON_REJECT_DUPLICATES, &jerr);
    if (!net) {
        fprintf(stderr, "foison: %s:%d : %s\n", network_path, jerr.line, jerr.text);
        json_decref(root);
        return -1;
    }
    int rc = -1;
    char err[512];
    struct demo_state d = {.s = s, .a = arena_new(), .now = (long long)time(NULL)};
    d.t = territory_load(s);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(root, "authors"), i, item)
    {
        if (account_create(s, json_string_value(json_object_get(item, "email")),
                           json_string_value(json_object_get(item, "name")),
                           json_string_value(json_object_get(item, "role")), DEMO_PASSWORD, err,
                           sizeof err) != 0) {
            fprintf(stderr, "foison: auteur de démonstration %zu : %s\n", i, err);
            goto done;
        }
        if (d.nauthors < 16)
            d.authors[d.nauthors++] =
                demo_author_id(s, d.a, json_string_value(json_object_get(item, "email")));
    }
    static const struct {
        const char *key, *kind;
    } files[] = {
        {"actors", "actor"}, {"places", "place"}, {"networks", "network"}, {"articles", "article"}};
    if (!d.t || demo_load_kind(&d, json_object_get(root, "innovations"), kind_find("innovation"),
                               DEMO_FEATURED) != 0)
        goto done;
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++)
        if (demo_load_kind(&d, json_object_get(net, files[f].key), kind_find(files[f].kind), 0) !=
            0)
            goto done;
    if (demo_load_links(&d, json_object_get(net, "links")) != 0)
        goto done;
    bool rebuilt;
    if (entry_derive_check(s, &rebuilt) != ENTRY_OK)
        goto done;
    printf("démo : %d fiches, %d révisions ; comptes de démonstration (mot de passe « %s ») :\n",
           d.n, d.revisions, DEMO_PASSWORD);
    json_array_foreach(json_object_get(root, "authors"), i, item)
        printf("  %s (%s)\n", json_string_value(json_object_get(item, "email")),
               json_string_value(json_object_get(item, "role")));
    rc = 0;
done:
    territory_free(d.t);
    arena_free(d.a);
    json_decref(root);
    json_decref(net);
    return rc;
}

int cli_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc != 2) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage : foison demo SITE.db\n"
                "Crée un nouveau site rempli avec le territoire de démonstration (le Pays de\n"
                "Brest : ses communes, une trentaine d'innovations et leur historique).\n");
        return cli_wants_help(argc, argv) ? 0 : 2;
    }
    if (cli_account_init() != 0)
        return 1;
    markdown_init();
    if (cli_create_site(argv[1]) != 0)
        return 1;
    char err[512];
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        return 1;
    }
    char path[1024], network[1024];
    snprintf(path, sizeof path, "%s/data/demo/innovations.json", cli_datadir());
    snprintf(network, sizeof network, "%s/data/demo/network.json", cli_datadir());
    int rc = demo_load(s, path, network);
    store_close(s);
    if (rc != 0) {
        unlink(argv[1]);
        return 1;
    }
    return 0;
}
