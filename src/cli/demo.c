/* demo.c — `foison demo SITE.db`: a new site filled with the demo territory of
 * data/demo/innovations.json. Every revision goes through the same validation and save path as
 * the site's forms and API, with its date set in the past. */
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

static int demo_load(struct store *s, const char *json_path)
{
    json_error_t jerr;
    json_t *root = json_load_file(json_path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        fprintf(stderr, "foison: %s:%d : %s\n", json_path, jerr.line, jerr.text);
        return -1;
    }
    int rc = -1;
    char err[512];
    struct arena *a = arena_new();
    struct territory *t = territory_load(s);
    const struct kind_def *k = kind_find("innovation");
    size_t i, j;
    json_t *item, *rev;
    json_array_foreach(json_object_get(root, "authors"), i, item)
    {
        if (account_create(s, json_string_value(json_object_get(item, "email")),
                           json_string_value(json_object_get(item, "name")),
                           json_string_value(json_object_get(item, "role")), DEMO_PASSWORD, err,
                           sizeof err) != 0) {
            fprintf(stderr, "foison: auteur de démonstration %zu : %s\n", i, err);
            goto done;
        }
    }
    long long now = (long long)time(NULL);
    int count = 0, revisions = 0;
    json_array_foreach(json_object_get(root, "innovations"), i, item)
    {
        const char *slug = NULL;
        int base = 0;
        json_array_foreach(json_object_get(item, "revisions"), j, rev)
        {
            struct field_errors errs = {0};
            json_t *clean = validate_entry(a, k, t, json_object_get(rev, "fields"), true, &errs);
            if (!clean) {
                fprintf(stderr, "foison: démo, fiche %zu révision %zu : %s : %s\n", i, j,
                        errs.e[0].field, errs.e[0].message);
                goto done;
            }
            struct entry_save in = {
                .kind = k,
                .slug = slug,
                .base_rev = base,
                .fields = clean,
                /* The site's operator loads the demo: their rights, not the authors'. */
                .author = {demo_author_id(s, a, json_string_value(json_object_get(rev, "author"))),
                           ROLE_ADMIN},
                .operator= true,
                .comment = json_string_value(json_object_get(rev, "comment")),
                .now = now -
                       (long long)json_integer_value(json_object_get(rev, "days_ago")) * 86400 -
                       (long long)(i * 3600),
            };
            struct entry_saved saved;
            int src = entry_save(s, a, &in, &saved);
            struct entry e = saved.entry;
            int n = saved.rev;
            json_decref(clean);
            if (src != ENTRY_OK) {
                fprintf(stderr, "foison: démo, fiche %zu : enregistrement impossible\n", i);
                goto done;
            }
            slug = e.slug;
            base = n;
            revisions++;
            if (i < DEMO_FEATURED && j == 0)
                entry_set_featured(s, &e, true);
        }
        count++;
    }
    printf("démo : %d fiches, %d révisions ; comptes de démonstration (mot de passe « %s ») :\n",
           count, revisions, DEMO_PASSWORD);
    json_array_foreach(json_object_get(root, "authors"), i, item)
        printf("  %s (%s)\n", json_string_value(json_object_get(item, "email")),
               json_string_value(json_object_get(item, "role")));
    rc = 0;
done:
    territory_free(t);
    arena_free(a);
    json_decref(root);
    return rc;
}

int cli_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc != 2) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage : foison demo SITE.db\n"
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
    char path[1024];
    snprintf(path, sizeof path, "%s/data/demo/innovations.json", cli_datadir());
    int rc = demo_load(s, path);
    store_close(s);
    if (rc != 0) {
        unlink(argv[1]);
        return 1;
    }
    return 0;
}
