/* test_store.c — unit tests for the storage layer and what sits right on it: opening a site
 * file (store/db), seeding and loading the territory, the entry life cycle with immutable
 * revisions (core/entry over store/entry_store) and accounts (core/account). Each test works
 * on a fresh site in its own temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/draft.h"
#include "core/password.h"
#include "core/entry.h"
#include "core/relation.h"
#include "core/schema.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/markdown.h"
#include "store/draft_store.h"
#include "store/entry_store.h"
#include "store/relation_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json_read.h"
#include "site_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kind most of these tests save. */
static const struct kind_def *innovation(void)
{
    return kind_find("innovation");
}

static void site_path(struct test_site *x, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", x->dir, name);
}

/* A temporary directory, the site file not yet made. */
static int dir_setup(void **state)
{
    struct test_site *x = calloc(1, sizeof(*x));
    if (!x)
        return -1;
    *state = x;
    return test_site_make(x, "store");
}

/* A new seeded site, open, with its territory loaded. */
static int site_setup(void **state)
{
    return test_site_setup(state, sizeof(struct test_site), "store");
}

static void test_open_modes(void **state)
{
    struct test_site *x = *state;
    char err[512] = "";
    struct store *s = store_open(x->path, STORE_OPEN_CREATE, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(access(x->path, F_OK), 0);
    store_close(s);

    err[0] = '\0';
    s = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    assert_non_null(s);
    store_close(s);

    /* CREATE never overwrites an existing site. */
    err[0] = '\0';
    assert_null(store_open(x->path, STORE_OPEN_CREATE, err, sizeof err));
    assert_non_null(strstr(err, "existe déjà"));

    char missing[256];
    site_path(x, "absent.foison", missing, sizeof missing);
    err[0] = '\0';
    assert_null(store_open(missing, STORE_OPEN_EXISTING, err, sizeof err));
    assert_true(strlen(err) > 0);
    assert_non_null(strstr(err, "introuvable"));
    /* Refusing must not leave an empty file behind. */
    assert_int_not_equal(access(missing, F_OK), 0);

    /* A directory is not a site. */
    err[0] = '\0';
    assert_null(store_open(x->dir, STORE_OPEN_EXISTING, err, sizeof err));
    assert_non_null(strstr(err, "n'est pas"));

    /* A small error buffer is filled, truncated, never overflowed. */
    char small[8];
    assert_null(store_open(missing, STORE_OPEN_EXISTING, small, sizeof small));
    assert_true(strlen(small) < sizeof small);
}

static void test_open_not_sqlite(void **state)
{
    struct test_site *x = *state;
    char path[256], err[512] = "";
    site_path(x, "notes.txt", path, sizeof path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fprintf(f, "Ceci est un fichier texte, pas une base SQLite. Ligne %d.\n", i);
    fclose(f);
    assert_null(store_open(path, STORE_OPEN_EXISTING, err, sizeof err));
    assert_non_null(strstr(err, "n'est pas"));

    /* A short one too (under the size of an SQLite header). */
    site_path(x, "short.txt", path, sizeof path);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("bonjour\n", f);
    fclose(f);
    err[0] = '\0';
    assert_null(store_open(path, STORE_OPEN_EXISTING, err, sizeof err));
    assert_non_null(strstr(err, "n'est pas"));
}

static void test_open_foreign_sqlite(void **state)
{
    struct test_site *x = *state;
    char path[256], err[512] = "";
    site_path(x, "autre.db", path, sizeof path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_null(store_open(path, STORE_OPEN_EXISTING, err, sizeof err));
    assert_non_null(strstr(err, "n'est pas un site foison"));

    /* Another application's id. */
    site_path(x, "autre2.db", path, sizeof path);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA application_id=1234; CREATE TABLE t(x);", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    err[0] = '\0';
    assert_null(store_open(path, STORE_OPEN_EXISTING, err, sizeof err));
    assert_non_null(strstr(err, "n'est pas un site foison"));
}

static void test_open_newer_schema(void **state)
{
    struct test_site *x = *state;
    char err[512] = "";
    struct store *s = store_open(x->path, STORE_OPEN_CREATE, err, sizeof err);
    assert_non_null(s);
    store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(x->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err));
    assert_non_null(strstr(err, "plus récente"));
}

static const char *pragma_text(struct store *s, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void test_pragmas(void **state)
{
    struct test_site *x = *state;
    char v[64];
    assert_string_equal(pragma_text(x->s, "PRAGMA journal_mode", v, sizeof v), "wal");
    assert_string_equal(pragma_text(x->s, "PRAGMA foreign_keys", v, sizeof v), "1");
    snprintf(v, sizeof v, "%d", STORE_APPLICATION_ID);
    char id[64];
    assert_string_equal(pragma_text(x->s, "PRAGMA application_id", id, sizeof id), v);
    snprintf(v, sizeof v, "%d", STORE_SCHEMA_VERSION);
    assert_string_equal(pragma_text(x->s, "PRAGMA user_version", id, sizeof id), v);

    /* Re-opening keeps all of it (the pragmas are per connection). */
    char err[512];
    struct store *s2 = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    assert_non_null(s2);
    assert_string_equal(pragma_text(s2, "PRAGMA journal_mode", v, sizeof v), "wal");
    assert_string_equal(pragma_text(s2, "PRAGMA foreign_keys", v, sizeof v), "1");
    store_close(s2);
}

static void test_territory(void **state)
{
    struct test_site *x = *state;
    assert_true(x->t->ncommunes >= 90);
    const struct commune *brest = territory_commune(x->t, "29019");
    assert_non_null(brest);
    assert_string_equal(brest->name, "Brest");
    assert_true(brest->has_point);
    assert_true(brest->lat > 48 && brest->lat < 49 && brest->lon > -5 && brest->lon < -4);
    assert_string_equal(brest->epci_name, "Brest Métropole");
    assert_true(brest->population > 100000);
    assert_string_equal(territory_commune(x->t, "29177")->name, "Plouarzel");
    assert_null(territory_commune(x->t, "75056"));
    assert_null(territory_commune(x->t, NULL));

    assert_int_equal(x->t->nthemes, 12);
    assert_string_equal(x->t->themes[0].id, "numerique");
    assert_non_null(territory_theme(x->t, "solidarite"));
    assert_non_null(territory_theme(x->t, "documentation"));
    assert_null(territory_theme(x->t, "inconnu"));

    assert_string_equal(x->t->base_url, "http://x");
    assert_string_equal(x->t->site_name, "foison");
    assert_string_equal(x->t->territory_name, "Pays de Brest");
    assert_string_equal(x->t->license, "CC-BY-SA-4.0");

    /* Seeding a missing file fails with a message and writes nothing. */
    char err[512] = "";
    char path[256];
    site_path(x, "autre.foison", path, sizeof path);
    struct store *s2 = store_open(path, STORE_OPEN_CREATE, err, sizeof err);
    assert_non_null(s2);
    assert_int_equal(territory_seed(s2, "data/absent.tsv", "http://x", err, sizeof err), -1);
    assert_non_null(strstr(err, "absent.tsv"));
    struct territory *t2 = territory_load(s2);
    assert_non_null(t2);
    assert_int_equal(t2->ncommunes, 0);
    assert_int_equal(t2->nthemes, 0);
    territory_free(t2);
    store_close(s2);
}

static void test_settings(void **state)
{
    struct test_site *x = *state;
    assert_null(store_setting_get(x->s, "absent"));
    assert_int_equal(store_setting_set(x->s, "couleur", "bleu"), STORE_OK);
    char *v = store_setting_get(x->s, "couleur");
    assert_string_equal(v, "bleu");
    free(v);
    assert_int_equal(store_setting_set(x->s, "couleur", "vert « é »"), STORE_OK);
    v = store_setting_get(x->s, "couleur");
    assert_string_equal(v, "vert « é »");
    free(v);
    v = store_setting_get(x->s, "base_url");
    assert_string_equal(v, "http://x");
    free(v);

    /* Settings survive closing the file. */
    store_close(x->s);
    char err[512];
    x->s = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    assert_non_null(x->s);
    v = store_setting_get(x->s, "couleur");
    assert_string_equal(v, "vert « é »");
    free(v);
}

/* Validated fields for an innovation (the caller json_decref()s them). */
static json_t *fields_for(struct test_site *x, const char *title, const char *themes,
                          const char *commune)
{
    return test_site_fields(x, "innovation",
                            json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", title, "summary",
                                      "Réparer ensemble plutôt que jeter.", "description",
                                      "Un **samedi** par mois, <script>alert(1)</script>.",
                                      "themes", themes, "commune", commune));
}

static int save(struct test_site *x, const char *slug, int base_rev, json_t *fields,
                long long author, long long now, struct entry *out, int *rev)
{
    struct entry_save in = {.kind = innovation(),
                            .slug = slug,
                            .base_rev = base_rev,
                            .fields = fields,
                            .author = {author, ROLE_TRUSTED},
                            .operator= true,
                            .comment = slug ? "modification" : "création",
                            .now = now};
    struct entry_saved saved;
    int rc = entry_save(x->s, x->a, &in, &saved);
    if (rc == ENTRY_OK) {
        *out = saved.entry;
        *rev = saved.rev;
    }
    return rc;
}

static long long user_id(struct test_site *x, const char *email, const char *name)
{
    return test_site_account(x, email, name, "contributor");
}

static void test_entry_life_cycle(void **state)
{
    struct test_site *x = *state;
    markdown_init();
    long long alice = user_id(x, "alice@example.org", "Alice");
    long long bob = user_id(x, "bob@example.org", "Bob");
    unsigned long gen = entry_generation(x->s);

    /* Create: the slug comes from the title. */
    json_t *f1 = fields_for(x, "Repair café de Brest", "solidarite", "29019");
    struct entry e;
    int rev = 0;
    assert_int_equal(save(x, NULL, 0, f1, alice, 1000, &e, &rev), ENTRY_OK);
    assert_int_equal(rev, 1);
    assert_string_equal(e.slug, "repair-cafe-de-brest");
    assert_int_equal(e.published_rev, 1);
    assert_int_equal(e.latest_rev, 1);
    assert_true(entry_generation(x->s) > gen);

    struct entry found;
    const char *moved = NULL;
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "repair-cafe-de-brest", &found, &moved),
                     ENTRY_OK);
    assert_int_equal(found.id, e.id);
    assert_ptr_equal(found.kind, innovation());
    assert_int_equal(found.created, 1000);
    assert_int_equal(found.updated, 1000);
    assert_int_equal(found.published_rev, 1);
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "absent", &found, &moved),
                     ENTRY_NOTFOUND);

    /* Revision 0 is the visible one, here revision 1. */
    struct revision r;
    assert_int_equal(entry_revision(x->s, x->a, &viewer_public, &e, 0, &r), ENTRY_OK);
    assert_int_equal(r.number, 1);
    assert_int_equal(r.parent, 0);
    assert_int_equal(r.author_id, alice);
    assert_string_equal(r.author_name, "Alice");
    assert_string_equal(r.comment, "création");
    assert_string_equal(r.state, "published");
    assert_true(json_equal(r.fields, f1));
    const char *html = json_string_value(json_object_get(r.rendered, "description"));
    assert_non_null(html);
    assert_non_null(strstr(html, "<strong>samedi</strong>"));
    assert_null(strstr(html, "<script>"));
    assert_null(json_object_get(r.rendered, "title"));
    assert_int_equal(entry_revision(x->s, x->a, &viewer_public, &e, 1, &r), ENTRY_OK);
    assert_int_equal(r.number, 1);
    assert_int_equal(entry_revision(x->s, x->a, &viewer_public, &e, 2, &r), ENTRY_NOTFOUND);

    /* Update from revision 1: revision 2 with parent 1. */
    json_t *f2 = fields_for(x, "Repair café de Brest", "solidarite", "29019");
    json_object_set_new(f2, "summary", json_string("Version 2."));
    assert_int_equal(save(x, e.slug, 1, f2, bob, 2000, &e, &rev), ENTRY_OK);
    assert_int_equal(rev, 2);
    assert_string_equal(e.slug, "repair-cafe-de-brest");
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, e.slug, &found, NULL), ENTRY_OK);
    assert_int_equal(found.published_rev, 2);
    assert_int_equal(found.latest_rev, 2);
    assert_int_equal(found.created, 1000);
    assert_int_equal(found.updated, 2000);
    assert_int_equal(entry_revision(x->s, x->a, &viewer_public, &found, 0, &r), ENTRY_OK);
    assert_int_equal(r.number, 2);
    assert_int_equal(r.parent, 1);
    assert_string_equal(json_string_value(json_object_get(r.fields, "summary")), "Version 2.");
    /* The old revision is still there, unchanged. */
    assert_int_equal(entry_revision(x->s, x->a, &viewer_public, &found, 1, &r), ENTRY_OK);
    assert_string_equal(json_string_value(json_object_get(r.fields, "summary")),
                        "Réparer ensemble plutôt que jeter.");

    /* A stale edit (still based on 1) conflicts and writes nothing. */
    gen = entry_generation(x->s);
    json_t *f3 = fields_for(x, "Titre concurrent", "numerique", "29177");
    struct entry untouched = {0};
    rev = -7;
    assert_int_equal(save(x, e.slug, 1, f3, alice, 3000, &untouched, &rev), ENTRY_CONFLICT);
    assert_int_equal(rev, -7);
    assert_int_equal(entry_generation(x->s), gen);
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "repair-cafe-de-brest", &found, NULL),
                     ENTRY_OK);
    assert_int_equal(found.latest_rev, 2);
    assert_int_equal(found.updated, 2000);
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "titre-concurrent", &found, NULL),
                     ENTRY_NOTFOUND);
    struct revision *hist;
    int nhist;
    assert_int_equal(entry_history(x->s, x->a, &viewer_public, &e, &hist, &nhist), ENTRY_OK);
    assert_int_equal(nhist, 2);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM revisions"), 2);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM entry_terms WHERE value = '29177'"),
                     0);
    /* Based on a revision that does not exist yet: also a conflict. */
    assert_int_equal(save(x, e.slug, 5, f3, alice, 3000, &untouched, &rev), ENTRY_CONFLICT);
    assert_int_equal(save(x, "absent", 1, f3, alice, 3000, &untouched, &rev), ENTRY_NOTFOUND);

    /* Renaming the title moves the entry; the old slug redirects. */
    json_t *f4 = fields_for(x, "L'Atelier du vélo", "solidarite", "29019");
    assert_int_equal(save(x, e.slug, 2, f4, alice, 4000, &e, &rev), ENTRY_OK);
    assert_int_equal(rev, 3);
    assert_string_equal(e.slug, "l-atelier-du-velo");
    moved = NULL;
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "repair-cafe-de-brest", &found, &moved),
                     ENTRY_MOVED);
    assert_non_null(moved);
    assert_string_equal(moved, "l-atelier-du-velo");
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "repair-cafe-de-brest", &found, NULL),
                     ENTRY_NOTFOUND);
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "l-atelier-du-velo", &found, NULL),
                     ENTRY_OK);
    assert_int_equal(found.id, e.id);
    /* An edit through the old name is not found (clients follow the redirect first). */
    assert_int_equal(save(x, "repair-cafe-de-brest", 3, f4, alice, 4500, &untouched, &rev),
                     ENTRY_NOTFOUND);

    /* A new entry may not take the old name: it still redirects. */
    struct entry other;
    assert_int_equal(save(x, NULL, 0, f1, bob, 5000, &other, &rev), ENTRY_OK);
    assert_int_equal(rev, 1);
    assert_string_equal(other.slug, "repair-cafe-de-brest-2");
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "repair-cafe-de-brest", &found, &moved),
                     ENTRY_MOVED);

    /* Renaming back to the first title: whatever slug it gets (today a fresh "-3", as
     * entry_unique_slug never reuses an old slug, even the entry's own), it is not the other
     * entry's and every former name leads to it. */
    assert_int_equal(save(x, "l-atelier-du-velo", 3, f1, alice, 6000, &e, &rev), ENTRY_OK);
    assert_int_equal(rev, 4);
    assert_int_equal(strncmp(e.slug, "repair-cafe-de-brest", 20), 0);
    assert_string_not_equal(e.slug, other.slug);
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, e.slug, &found, &moved), ENTRY_OK);
    assert_int_equal(found.id, e.id);
    const char *former[] = {"repair-cafe-de-brest", "l-atelier-du-velo"};
    for (size_t i = 0; i < 2; i++) {
        if (strcmp(former[i], e.slug) == 0)
            continue;
        moved = NULL;
        assert_int_equal(entry_find(x->s, x->a, &viewer_public, former[i], &found, &moved),
                         ENTRY_MOVED);
        assert_string_equal(moved, e.slug);
    }
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, other.slug, &found, NULL), ENTRY_OK);
    assert_int_equal(found.id, other.id);

    /* History, newest first, with parents. */
    assert_int_equal(entry_history(x->s, x->a, &viewer_public, &e, &hist, &nhist), ENTRY_OK);
    assert_int_equal(nhist, 4);
    for (int i = 0; i < nhist; i++) {
        assert_int_equal(hist[i].number, 4 - i);
        assert_int_equal(hist[i].parent, 3 - i);
    }
    assert_int_equal(hist[0].created, 6000);
    assert_int_equal(hist[3].created, 1000);
    assert_string_equal(hist[2].author_name, "Bob");
    const char **authors;
    int nauthors;
    assert_int_equal(entry_authors(x->s, x->a, &e, &authors, &nauthors), ENTRY_OK);
    assert_int_equal(nauthors, 2);
    assert_string_equal(authors[0], "Alice");
    assert_string_equal(authors[1], "Bob");

    assert_int_equal(store_entries_check(x->s), 0);
    assert_int_equal(store_check_sqlite(x->s), 0);
    json_decref(f1);
    json_decref(f2);
    json_decref(f3);
    json_decref(f4);
}

static void test_entry_list(void **state)
{
    struct test_site *x = *state;
    static const struct {
        const char *title, *themes, *commune;
    } seeds[] = {
        {"Fablab de Brest", "numerique", "29019"},
        {"Épicerie solidaire", "solidarite", "29019"},
        {"Bibliothèque de graines", "documentation", "29177"},
        {"Cartopartie", "numerique", "29177"},
        {"Médiation numérique solidaire", "numerique", "29019"},
    };
    const size_t nseeds = sizeof(seeds) / sizeof(seeds[0]);
    for (size_t i = 0; i < nseeds; i++) {
        json_t *f = fields_for(x, seeds[i].title, seeds[i].themes, seeds[i].commune);
        if (i == 4) { /* two themes */
            json_array_append_new(json_object_get(f, "themes"), json_string("solidarite"));
        }
        struct entry e;
        int rev;
        assert_int_equal(save(x, NULL, 0, f, 0, 1000 + (long long)i * 10, &e, &rev), ENTRY_OK);
        json_decref(f);
    }

    struct entry_item *items;
    int n, total;
    assert_int_equal(entry_list(x->s, x->a, innovation(), NULL, 0, 1, 10, &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 5);
    assert_int_equal(total, 5);
    /* Newest first. */
    assert_string_equal(items[0].slug, "mediation-numerique-solidaire");
    assert_string_equal(items[4].slug, "fablab-de-brest");
    assert_int_equal(items[0].revision, 1);
    assert_int_equal(items[0].updated, 1040);
    struct json_span title;
    assert_true(json_read_get(items[1].values, "title", &title));
    assert_string_equal(json_read_string(x->a, title), "Cartopartie");

    /* Paging: the total is the whole count, not the page's. */
    assert_int_equal(entry_list(x->s, x->a, innovation(), NULL, 0, 1, 2, &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 5);
    assert_string_equal(items[0].slug, "mediation-numerique-solidaire");
    assert_int_equal(entry_list(x->s, x->a, innovation(), NULL, 0, 2, 2, &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].slug, "bibliotheque-de-graines");
    assert_int_equal(entry_list(x->s, x->a, innovation(), NULL, 0, 3, 2, &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 5);
    assert_string_equal(items[0].slug, "fablab-de-brest");
    assert_int_equal(entry_list(x->s, x->a, innovation(), NULL, 0, 4, 2, &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 5);
    /* Page 0 or below is the first page. */
    assert_int_equal(entry_list(x->s, x->a, innovation(), NULL, 0, 0, 2, &items, &n, &total),
                     ENTRY_OK);
    assert_string_equal(items[0].slug, "mediation-numerique-solidaire");

    /* Facets. */
    assert_int_equal(entry_list(x->s, x->a, innovation(),
                                (struct entry_filter[]){{"themes", "numerique"}}, 1, 1, 10, &items,
                                &n, &total),
                     ENTRY_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    assert_int_equal(entry_list(x->s, x->a, innovation(),
                                (struct entry_filter[]){{"themes", "solidarite"}}, 1, 1, 10, &items,
                                &n, &total),
                     ENTRY_OK);
    assert_int_equal(total, 2);
    assert_string_equal(items[0].slug, "mediation-numerique-solidaire");
    assert_string_equal(items[1].slug, "epicerie-solidaire");
    assert_int_equal(entry_list(x->s, x->a, innovation(),
                                (struct entry_filter[]){{"themes", "numerique"}}, 1, 2, 2, &items,
                                &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 3);
    assert_string_equal(items[0].slug, "fablab-de-brest");
    assert_int_equal(entry_list(x->s, x->a, innovation(),
                                (struct entry_filter[]){{"commune", "29177"}}, 1, 1, 10, &items, &n,
                                &total),
                     ENTRY_OK);
    assert_int_equal(total, 2);
    assert_string_equal(items[0].slug, "cartopartie");
    assert_string_equal(items[1].slug, "bibliotheque-de-graines");
    assert_int_equal(entry_list(x->s, x->a, innovation(),
                                (struct entry_filter[]){{"status", "en-cours"}}, 1, 1, 10, &items,
                                &n, &total),
                     ENTRY_OK);
    assert_int_equal(total, 5);
    assert_int_equal(entry_list(x->s, x->a, innovation(),
                                (struct entry_filter[]){{"themes", "sante"}}, 1, 1, 10, &items, &n,
                                &total),
                     ENTRY_OK);
    assert_int_equal(total, 0);
    assert_int_equal(n, 0);

    /* An edit that drops a theme updates the facet terms (and moves the entry to the top). */
    struct entry e;
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "fablab-de-brest", &e, NULL), ENTRY_OK);
    json_t *f = fields_for(x, "Fablab de Brest", "documentation", "29019");
    int rev;
    assert_int_equal(save(x, e.slug, 1, f, 0, 2000, &e, &rev), ENTRY_OK);
    json_decref(f);
    assert_int_equal(entry_list(x->s, x->a, innovation(),
                                (struct entry_filter[]){{"themes", "numerique"}}, 1, 1, 10, &items,
                                &n, &total),
                     ENTRY_OK);
    assert_int_equal(total, 2);
    assert_int_equal(entry_list(x->s, x->a, innovation(),
                                (struct entry_filter[]){{"themes", "documentation"}}, 1, 1, 10,
                                &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(total, 2);
    assert_string_equal(items[0].slug, "fablab-de-brest");
    assert_int_equal(items[0].revision, 2);

    int entries, communes, contributors;
    assert_int_equal(entry_counts(x->s, innovation(), &entries, &communes, &contributors),
                     ENTRY_OK);
    assert_int_equal(entries, 5);
    assert_int_equal(communes, 2);

    assert_int_equal(store_entries_check(x->s), 0);
    assert_int_equal(store_check_sqlite(x->s), 0);
}

/* A site written by schema 1 (built here from migration 1 itself, with a row in every table
 * the later migrations touch) opens as the current schema: the users table rebuilt for the
 * trusted role with every row and every reference intact, the list indexes of migration 2, the
 * moderation tables of migration 3, and its record read through all of them. */
static void test_migrate_from_1(void **state)
{
    struct test_site *x = *state;
    territory_free(x->t);
    x->t = NULL;
    store_close(x->s);
    x->s = NULL;
    assert_int_equal(unlink(x->path), 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(x->path, &db), SQLITE_OK);
    char appid[64];
    snprintf(appid, sizeof appid, "PRAGMA application_id=%d", STORE_APPLICATION_ID);
    assert_int_equal(sqlite3_exec(db, appid, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, store_migration(1), NULL, NULL, NULL), SQLITE_OK);
    const char *rows =
        "INSERT INTO users(id, email, name, role, password_hash, created)"
        "  VALUES (7, 'alice@example.org', 'Alice', 'contributor', 'x', 100);"
        "INSERT INTO sessions VALUES (x'00', 7, 'c', 100, 9999999999);"
        "INSERT INTO entries(id, kind, slug, created, updated, published_rev, latest_rev)"
        "  VALUES (1, 'innovation', 'fiche-d-avant', 100, 100, 1, 1);"
        "INSERT INTO revisions(entry_id, number, author_id, created, fields, card)"
        "  VALUES (1, 1, 7, 100, '{\"title\":\"Fiche d''avant la migration\"}',"
        "  '{\"title\":\"Fiche d''avant la migration\"}');"
        "PRAGMA user_version=1;";
    assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char err[512] = "";
    x->s = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    if (!x->s)
        fprintf(stderr, "%s\n", err);
    assert_non_null(x->s);
    char v[64];
    snprintf(appid, sizeof appid, "%d", STORE_SCHEMA_VERSION);
    assert_string_equal(pragma_text(x->s, "PRAGMA user_version", v, sizeof v), appid);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                        " AND name IN ('revisions_authors', 'revisions_cards',"
                                        " 'revisions_pending', 'revisions_by_author')"),
                     4);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM users WHERE id = 7 AND name = 'Alice'"), 1);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM sessions WHERE user_id = 7"), 1);
    assert_int_equal(test_site_count(x, "SELECT generation FROM site_state"), 1);
    /* The new role is accepted, and the references still point at users. */
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM pragma_foreign_key_list('sessions')"
                                        " WHERE \"table\" = 'users'"),
                     1);
    assert_int_equal(store_check_sqlite(x->s), 0);
    char *msg = NULL;
    assert_int_equal(
        sqlite3_exec(x->s->db, "UPDATE users SET role = 'trusted' WHERE id = 7", NULL, NULL, &msg),
        SQLITE_OK);
    sqlite3_free(msg);
    /* The foreign keys are enforced again after the migration: a session of no account fails. */
    assert_int_equal(
        sqlite3_exec(x->s->db,
                     "DELETE FROM sessions WHERE user_id = 7;"
                     " INSERT INTO sessions (token_hash, user_id, csrf, created, expires)"
                     " VALUES (x'01', 99, 'c', 1, 2)",
                     NULL, NULL, NULL),
        SQLITE_CONSTRAINT);
    x->t = territory_load(x->s);
    struct entry_item *items;
    int n, total;
    assert_int_equal(entry_records(x->s, x->a, innovation(), NULL, 0, 1, 20, &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].nauthors, 1);
    assert_string_equal(items[0].authors[0], "Alice");
    assert_int_equal(entry_list(x->s, x->a, innovation(), NULL, 0, 1, 20, &items, &n, &total),
                     ENTRY_OK);
    struct json_span title;
    assert_true(json_read_get(items[0].values, "title", &title));
    assert_string_equal(json_read_string(x->a, title), "Fiche d'avant la migration");
}

/* entry_records gives each entry what entry_find, entry_revision and entry_authors give it
 * one by one: the same fields and the same authors in the same order. */
static void test_entry_records(void **state)
{
    struct test_site *x = *state;
    long long ids[3] = {user_id(x, "a@example.org", "Anne"), user_id(x, "b@example.org", "Bruno"),
                        user_id(x, "c@example.org", "Chloé")};
    /* Entry i is written by authors i, i+1, i (again), i+2: first contributions in order. */
    for (int i = 0; i < 3; i++) {
        char title[64];
        snprintf(title, sizeof title, "Fiche numéro %d", i + 1);
        struct entry e;
        int rev = 0;
        const char *slug = NULL;
        for (int r = 0; r < 4; r++) {
            json_t *f = fields_for(x, title, "numerique", "29019");
            json_object_set_new(f, "summary", json_sprintf("Version %d de %d.", r + 1, i + 1));
            /* Each record its own text: the same text from several accounts is a spam signal. */
            json_object_set_new(f, "description",
                                json_sprintf("La fiche %d, un samedi par mois, à Brest.", i + 1));
            int who = r == 2 ? i : (i + (r == 3 ? 2 : r)) % 3;
            assert_int_equal(save(x, slug, rev, f, ids[who], 1000 + i * 100 + r, &e, &rev),
                             ENTRY_OK);
            slug = e.slug;
            json_decref(f);
        }
    }
    struct entry_item *items;
    int n, total;
    assert_int_equal(entry_records(x->s, x->a, innovation(), NULL, 0, 1, 20, &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    for (int i = 0; i < n; i++) {
        struct entry e;
        struct revision r;
        assert_int_equal(entry_find(x->s, x->a, &viewer_public, items[i].slug, &e, NULL), ENTRY_OK);
        assert_int_equal(entry_revision(x->s, x->a, &viewer_public, &e, 0, &r), ENTRY_OK);
        assert_int_equal(items[i].revision, r.number);
        json_t *fields = json_loadb(items[i].values.p, items[i].values.n, 0, NULL);
        assert_non_null(fields);
        assert_true(json_equal(fields, r.fields));
        json_decref(fields);
        const char **names;
        int nn;
        assert_int_equal(entry_authors(x->s, x->a, &e, &names, &nn), ENTRY_OK);
        assert_int_equal(items[i].nauthors, nn);
        assert_int_equal(nn, 3);
        for (int j = 0; j < nn; j++)
            assert_string_equal(items[i].authors[j], names[j]);
    }
    /* A page past the end: nothing, and no error. */
    assert_int_equal(entry_records(x->s, x->a, innovation(), NULL, 0, 5, 20, &items, &n, &total),
                     ENTRY_OK);
    assert_int_equal(n, 0);
    /* The history holds no values, only each revision's card. */
    struct entry e;
    struct revision *hist;
    int nhist;
    assert_int_equal(entry_find(x->s, x->a, &viewer_public, "fiche-numero-1", &e, NULL), ENTRY_OK);
    assert_int_equal(entry_history(x->s, x->a, &viewer_public, &e, &hist, &nhist), ENTRY_OK);
    assert_int_equal(nhist, 4);
    assert_null(hist[0].fields);
    assert_int_equal(hist[0].raw_fields.n, 0);
    struct json_span sum;
    assert_true(json_read_get(hist[0].raw_card, "summary", &sum));
    assert_string_equal(json_read_string(x->a, sum), "Version 4 de 1.");
}

/* Facet counts kept by a connection are read again as soon as the file changes, whoever
 * changed it: this connection, or another one (another thread, another program). */
static void test_facet_counts_follow_the_file(void **state)
{
    struct test_site *x = *state;
    json_t *f = fields_for(x, "Une fiche à Brest", "numerique", "29019");
    struct entry e;
    int rev;
    assert_int_equal(save(x, NULL, 0, f, 0, 1000, &e, &rev), ENTRY_OK);
    json_decref(f);
    struct entry_facet_count *c;
    int n;
    assert_int_equal(entry_facet_counts(x->s, x->a, innovation(), "commune", NULL, 0, &c, &n),
                     ENTRY_OK);
    assert_int_equal(entry_facet_count_of(c, n, "29019"), 1);
    /* Kept: the same answer again (and a second look changes nothing). */
    assert_int_equal(entry_facet_counts(x->s, x->a, innovation(), "commune", NULL, 0, &c, &n),
                     ENTRY_OK);
    assert_int_equal(entry_facet_count_of(c, n, "29019"), 1);
    long long stamp = store_stamp(x->s);
    assert_true(stamp >= 0);
    assert_true(store_stamp(x->s) == stamp);
    /* Another connection writes: the stamp moves, the counts follow. */
    char err[512];
    struct store *other = store_open(x->path, STORE_OPEN_EXISTING, err, sizeof err);
    assert_non_null(other);
    assert_int_equal(sqlite3_exec(other->db, "UPDATE entries SET deleted = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_true(store_stamp(x->s) != stamp);
    assert_int_equal(entry_facet_counts(x->s, x->a, innovation(), "commune", NULL, 0, &c, &n),
                     ENTRY_OK);
    assert_int_equal(entry_facet_count_of(c, n, "29019"), 0);
    assert_int_equal(sqlite3_exec(other->db, "UPDATE entries SET deleted = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    store_close(other);
    assert_int_equal(entry_facet_counts(x->s, x->a, innovation(), "commune", NULL, 0, &c, &n),
                     ENTRY_OK);
    assert_int_equal(entry_facet_count_of(c, n, "29019"), 1);
    /* This connection writes: the same. */
    f = fields_for(x, "Une autre fiche à Brest", "numerique", "29019");
    assert_int_equal(save(x, NULL, 0, f, 0, 2000, &e, &rev), ENTRY_OK);
    json_decref(f);
    assert_int_equal(entry_facet_counts(x->s, x->a, innovation(), "commune", NULL, 0, &c, &n),
                     ENTRY_OK);
    assert_int_equal(entry_facet_count_of(c, n, "29019"), 2);
    /* Inside one read, the counts and the list agree, and the read ends cleanly. */
    entry_read_begin(x->s);
    struct entry_item *items;
    int ni, total;
    assert_int_equal(entry_list(x->s, x->a, innovation(), NULL, 0, 1, 20, &items, &ni, &total),
                     ENTRY_OK);
    assert_int_equal(entry_facet_counts(x->s, x->a, innovation(), "commune", NULL, 0, &c, &n),
                     ENTRY_OK);
    entry_read_end(x->s);
    assert_int_equal(total, entry_facet_count_of(c, n, "29019"));
    assert_true(sqlite3_get_autocommit(x->s->db));
    /* Many different questions: the connection keeps a bounded number, answers stay right. */
    for (int i = 0; i < 100; i++) {
        char v[16];
        snprintf(v, sizeof v, "29%03d", i);
        struct entry_filter flt = {"commune", v};
        assert_int_equal(entry_facet_counts(x->s, x->a, innovation(), "themes", &flt, 1, &c, &n),
                         ENTRY_OK);
        assert_int_equal(entry_facet_count_of(c, n, "numerique"), i == 19 ? 2 : 0);
    }
}

static void test_revisions_immutable(void **state)
{
    struct test_site *x = *state;
    json_t *f = fields_for(x, "Fiche figée", "numerique", "29019");
    struct entry e;
    int rev;
    assert_int_equal(save(x, NULL, 0, f, 0, 1000, &e, &rev), ENTRY_OK);
    json_decref(f);

    char *msg = NULL;
    assert_int_not_equal(
        sqlite3_exec(x->s->db, "UPDATE revisions SET fields = '{}'", NULL, NULL, &msg), SQLITE_OK);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "immutable"));
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(
        sqlite3_exec(x->s->db, "UPDATE revisions SET comment = 'x', number = 9", NULL, NULL, &msg),
        SQLITE_OK);
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(sqlite3_exec(x->s->db, "DELETE FROM revisions", NULL, NULL, &msg),
                         SQLITE_OK);
    sqlite3_free(msg);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM revisions"), 1);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM revisions WHERE fields = '{}'"), 0);
    struct revision r;
    assert_int_equal(entry_revision(x->s, x->a, &viewer_public, &e, 0, &r), ENTRY_OK);
    assert_string_equal(json_string_value(json_object_get(r.fields, "title")), "Fiche figée");

    /* Deleting an entry that has revisions breaks a foreign key: refused too. */
    assert_int_not_equal(sqlite3_exec(x->s->db, "DELETE FROM entries", NULL, NULL, NULL),
                         SQLITE_OK);

    /* The checks see a healthy site, then the corruption. */
    assert_int_equal(store_check_sqlite(x->s), 0);
    assert_int_equal(store_entries_check(x->s), 0);
    assert_int_equal(sqlite3_exec(x->s->db, "UPDATE entries SET latest_rev = 9", NULL, NULL, NULL),
                     SQLITE_OK);
    fprintf(stderr, "(the next line about latest_rev is expected)\n");
    assert_true(store_entries_check(x->s) >= 1);
}

static void test_accounts(void **state)
{
    struct test_site *x = *state;
    char err[256] = "";
    assert_int_equal(account_create(x->s, "alice@example.org", "Alice Martin", "contributor",
                                    "un mot de passe solide", err, sizeof err),
                     0);
    /* The same address again, whatever its case. */
    err[0] = '\0';
    assert_int_equal(account_create(x->s, "ALICE@example.org", "Alice 2", "contributor",
                                    "un mot de passe solide", err, sizeof err),
                     -1);
    assert_true(strlen(err) > 0);

    struct user u = {0};
    char token[ACCOUNT_TOKEN_LEN + 1], csrf[ACCOUNT_TOKEN_LEN + 1];
    assert_int_equal(
        account_login(x->s, x->a, "alice@example.org", "un mot de passe solide", &u, token, csrf),
        0);
    assert_true(u.id > 0);
    assert_string_equal(u.email, "alice@example.org");
    assert_string_equal(u.name, "Alice Martin");
    assert_string_equal(u.role, "contributor");
    assert_int_equal(strlen(token), ACCOUNT_TOKEN_LEN);
    assert_int_equal(strlen(csrf), ACCOUNT_TOKEN_LEN);
    assert_string_not_equal(token, csrf);
    assert_true(account_can_edit(&u));
    assert_false(account_can_moderate(&u));

    struct user bad = {0};
    char t2[ACCOUNT_TOKEN_LEN + 1], c2[ACCOUNT_TOKEN_LEN + 1];
    assert_int_equal(
        account_login(x->s, x->a, "alice@example.org", "un mot de passe faux", &bad, t2, c2), -1);
    assert_int_equal(account_login(x->s, x->a, "alice@example.org", "", &bad, t2, c2), -1);
    assert_int_equal(
        account_login(x->s, x->a, "inconnu@example.org", "un mot de passe solide", &bad, t2, c2),
        -1);
    assert_int_equal(account_login(x->s, x->a, NULL, NULL, &bad, t2, c2), -1);
    assert_int_equal(bad.id, 0);

    /* The session token finds the user and the session's CSRF token. */
    struct user su = {0};
    const char *scsrf = NULL, *rot = NULL;
    assert_int_equal(account_session(x->s, x->a, token, &su, &scsrf, &rot), 0);
    assert_int_equal(su.id, u.id);
    assert_string_equal(su.email, "alice@example.org");
    assert_non_null(scsrf);
    assert_string_equal(scsrf, csrf);
    assert_true(account_token_equal(scsrf, csrf));
    assert_false(account_token_equal(token, csrf));
    assert_false(account_token_equal("", ""));
    assert_null(rot);

    /* A change of rights rotates the session: the old token dies, the new one carries on. */
    assert_int_equal(store_user_set_role(x->s, u.id, "trusted"), STORE_OK);
    assert_int_equal(account_session(x->s, x->a, token, &su, &scsrf, &rot), 0);
    assert_non_null(rot);
    assert_string_not_equal(rot, token);
    assert_string_equal(scsrf, csrf); /* the CSRF token stays: forms already shown still work */
    char rotated[ACCOUNT_TOKEN_LEN + 1];
    snprintf(rotated, sizeof rotated, "%s", rot);
    const char *rot2 = NULL;
    assert_int_equal(account_session(x->s, x->a, token, &su, &scsrf, &rot2), -1);
    assert_int_equal(account_session(x->s, x->a, rotated, &su, &scsrf, &rot2), 0);
    assert_null(rot2);
    assert_string_equal(su.role, "trusted");
    snprintf(token, sizeof token, "%s", rotated);
    snprintf(csrf, sizeof csrf, "%s", scsrf);

    /* Anything else is no session. */
    char forged[ACCOUNT_TOKEN_LEN + 1];
    account_random_token(forged);
    assert_int_equal(account_session(x->s, x->a, forged, &su, &scsrf, &rot), -1);
    assert_int_equal(account_session(x->s, x->a, "", &su, &scsrf, &rot), -1);
    assert_int_equal(account_session(x->s, x->a, NULL, &su, &scsrf, &rot), -1);
    assert_int_equal(account_session(x->s, x->a, "zz", &su, &scsrf, &rot), -1);
    /* The stored value is a hash: the csrf is not a session token. */
    assert_int_equal(account_session(x->s, x->a, csrf, &su, &scsrf, &rot), -1);

    account_logout(x->s, token);
    assert_int_equal(account_session(x->s, x->a, token, &su, &scsrf, &rot), -1);
    account_logout(x->s, token); /* twice is harmless */
    account_logout(x->s, "garbage");

    /* API tokens. */
    char api[ACCOUNT_TOKEN_LEN + 1];
    err[0] = '\0';
    assert_int_equal(account_token_create(x->s, "alice@example.org", api, err, sizeof err), 0);
    assert_int_equal(strlen(api), ACCOUNT_TOKEN_LEN);
    struct user tu = {0};
    assert_int_equal(account_token_user(x->s, x->a, api, &tu), 0);
    assert_int_equal(tu.id, u.id);
    assert_string_equal(tu.name, "Alice Martin");
    assert_int_equal(account_token_user(x->s, x->a, forged, &tu), -1);
    assert_int_equal(account_token_user(x->s, x->a, "court", &tu), -1);
    /* A session token is not an API token. */
    char tok3[ACCOUNT_TOKEN_LEN + 1], csrf3[ACCOUNT_TOKEN_LEN + 1];
    assert_int_equal(
        account_login(x->s, x->a, "Alice@Example.org", "un mot de passe solide", &u, tok3, csrf3),
        0);
    assert_int_equal(account_token_user(x->s, x->a, tok3, &tu), -1);
    assert_int_equal(account_session(x->s, x->a, api, &su, &scsrf, &rot), -1);
    err[0] = '\0';
    assert_int_equal(account_token_create(x->s, "inconnu@example.org", api, err, sizeof err), -1);
    assert_true(strlen(err) > 0);

    /* Validation of new accounts. */
    const struct {
        const char *email, *name, *role, *password;
    } refused[] = {
        {"bob@example.org", "Bob", "root", "un mot de passe solide"},
        {"bob@example.org", "Bob", NULL, "un mot de passe solide"},
        {"bob@example.org", "Bob", "contributor", "court"},
        {"bob@example.org", "Bob", "contributor", "123456789"},
        {"bob@example.org", "Bob", "contributor", "dix-car-ok"},        /* 10 < 12 */
        {"bob@example.org", "Bob", "contributor", "qwertyuiop123456"},  /* common, padded */
        {"bob@example.org", "Bob", "contributor", "1q2w3e4r5t6y"},      /* in the list */
        {"bob@example.org", "Bob", "contributor", "abababababababab"},  /* 2 characters */
        {"bob@example.org", "Bob", "contributor", "bob@example.org!!"}, /* the address */
        {"bob@example.org", "Bob", "contributor", NULL},
        {"pas-une-adresse", "Bob", "contributor", "un mot de passe solide"},
        {"bob@", "Bob", "contributor", "un mot de passe solide"},
        {"@example.org", "Bob", "contributor", "un mot de passe solide"},
        {"bob@example", "Bob", "contributor", "un mot de passe solide"},
        {"bob@@example.org", "Bob", "contributor", "un mot de passe solide"},
        {"bob smith@example.org", "Bob", "contributor", "un mot de passe solide"},
        {NULL, "Bob", "contributor", "un mot de passe solide"},
        {"bob@example.org", "", "contributor", "un mot de passe solide"},
        {"bob@example.org", "Bob\nMallory", "contributor", "un mot de passe solide"},
        {"bob@example.org", NULL, "contributor", "un mot de passe solide"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        err[0] = '\0';
        if (account_create(x->s, refused[i].email, refused[i].name, refused[i].role,
                           refused[i].password, err, sizeof err) != -1)
            fail_msg("account %zu should be refused", i);
        assert_true(strlen(err) > 0);
    }
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM users"), 1);
    assert_int_equal(account_create(x->s, "bob@example.org", "Bob", "moderator", "0123456789-ab",
                                    err, sizeof err),
                     0);
    assert_int_equal(account_login(x->s, x->a, "bob@example.org", "0123456789-ab", &u, tok3, csrf3),
                     0);
    assert_true(account_can_moderate(&u));
}

/* A validated entry of kind from a JSON text of its fields (the caller json_decref()s it). */
static json_t *fields_of(struct test_site *x, const struct kind_def *k, const char *json)
{
    return test_site_fields(x, k->name, json_loads(json, 0, NULL));
}

static int save_kind(struct test_site *x, const struct kind_def *k, const char *slug, int base,
                     json_t *fields, struct entry *out, struct field_errors *errs)
{
    struct entry_save in = {.kind = k,
                            .slug = slug,
                            .base_rev = base,
                            .fields = fields,
                            .author = {0, ROLE_ADMIN},
                            .operator= true,
                            .comment = "essai",
                            .now = 1700000000,
                            .errs = errs};
    struct entry_saved saved;
    int rc = entry_save(x->s, x->a, &in, &saved);
    if (rc == ENTRY_OK)
        *out = saved.entry;
    return rc;
}

/* Relations: written as slugs, stored as ids, derived into the table both ways, kept through a
 * rename; refusals per field; the other side never shows a deleted entry. */
static void test_relations(void **state)
{
    struct test_site *x = *state;
    const struct kind_def *actor = kind_find("actor"), *inn = kind_find("innovation");
    struct entry a, b, i;
    struct field_errors errs = {0};
    json_t *f =
        fields_of(x, actor, "{\"title\":\"Les Amis du vélo\",\"summary\":\"Une association.\"}");
    assert_int_equal(save_kind(x, actor, NULL, 0, f, &a, &errs), ENTRY_OK);
    json_decref(f);
    f = fields_of(x, actor, "{\"title\":\"Vélo solidaire\",\"summary\":\"Un collectif.\"}");
    assert_int_equal(save_kind(x, actor, NULL, 0, f, &b, &errs), ENTRY_OK);
    json_decref(f);
    char json[512];
    snprintf(json, sizeof json,
             "{\"title\":\"Atelier vélo\",\"summary\":\"Réparer.\",\"description\":\"Le samedi.\","
             "\"themes\":[\"mobilite\"],\"commune\":\"29019\",\"carried_by\":\"%s, %s\"}",
             a.slug, b.slug);
    f = fields_of(x, inn, json);
    assert_int_equal(save_kind(x, inn, NULL, 0, f, &i, &errs), ENTRY_OK);
    json_decref(f);
    /* Stored as ids, in the order written. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM revisions WHERE entry_id = %lld AND "
             "json_extract(fields, '$.carried_by') = '[%lld,%lld]'",
             i.id, a.id, b.id);
    assert_int_equal(test_site_count(x, sql), 1);
    struct entry_brief_row *rows;
    int n;
    assert_int_equal(store_relations_out(x->s, x->a, i.id, "carried_by", &rows, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, a.id);
    assert_int_equal(rows[1].id, b.id);
    assert_int_equal(store_relations_in(x->s, x->a, a.id, NULL, &rows, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, i.id);
    assert_string_equal(rows[0].field, "carried_by");
    /* Both sides as a viewer reads them. */
    struct related_group *g;
    int ng;
    struct revision r;
    assert_int_equal(entry_revision_raw(x->s, x->a, &viewer_public, &a, 0, &r), ENTRY_OK);
    assert_int_equal(relation_groups(x->s, x->a, &viewer_public, &a, r.raw_fields, &g, &ng),
                     ENTRY_OK);
    assert_int_equal(ng, 1);
    assert_true(g[0].in);
    assert_string_equal(g[0].label, "Porte");
    assert_int_equal(g[0].n, 1);
    assert_string_equal(g[0].entries[0].title, "Atelier vélo");
    /* Refused: unknown, wrong kind, self. */
    static const char *const bad[] = {"\"carried_by\":[\"inconnu\"]", "\"located_at\":[\"%s\"]",
                                      "\"inspired_by\":[\"%s\"]"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char extra[128], body[512];
        snprintf(extra, sizeof extra, bad[k], k == 1 ? a.slug : i.slug);
        snprintf(body, sizeof body,
                 "{\"title\":\"Atelier vélo\",\"summary\":\"Réparer.\",\"description\":\"Le "
                 "samedi.\",\"themes\":[\"mobilite\"],\"commune\":\"29019\",%s}",
                 extra);
        f = fields_of(x, inn, body);
        struct field_errors e = {0};
        struct entry out;
        assert_int_equal(save_kind(x, inn, i.slug, 1, f, &out, &e), ENTRY_INVALID);
        assert_int_equal(e.n, 1);
        json_decref(f);
    }
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM revisions"), 3);
    /* A rename keeps the link: the other side reads the new title. */
    f = fields_of(x, actor,
                  "{\"title\":\"Les Amis de la bicyclette\",\"summary\":\"Une association.\"}");
    struct entry renamed;
    assert_int_equal(save_kind(x, actor, a.slug, 1, f, &renamed, &errs), ENTRY_OK);
    json_decref(f);
    assert_string_not_equal(renamed.slug, a.slug);
    assert_int_equal(entry_revision_raw(x->s, x->a, &viewer_public, &i, 0, &r), ENTRY_OK);
    assert_int_equal(relation_groups(x->s, x->a, &viewer_public, &i, r.raw_fields, &g, &ng),
                     ENTRY_OK);
    assert_int_equal(ng, 1);
    assert_int_equal(g[0].n, 2);
    assert_string_equal(g[0].entries[0].title, "Les Amis de la bicyclette");
    /* A deleted entry leaves the other side. */
    assert_int_equal(store_entry_set_deleted(x->s, b.id, true), STORE_OK);
    assert_int_equal(relation_groups(x->s, x->a, &viewer_public, &i, r.raw_fields, &g, &ng),
                     ENTRY_OK);
    assert_int_equal(g[0].n, 1);
}

/* Lists with any number of facet filters, in each kind's order, and their counts. */
static void test_facets_and_orders(void **state)
{
    struct test_site *x = *state;
    const struct kind_def *actor = kind_find("actor");
    static const char *const actors[] = {
        "{\"title\":\"Zèbre "
        "associatif\",\"summary\":\"s\",\"actor_type\":\"association\",\"commune\":\"29019\","
        "\"themes\":[\"culture\",\"ess\"]}",
        "{\"title\":\"Abeille "
        "coopérative\",\"summary\":\"s\",\"actor_type\":\"entreprise\",\"commune\":\"29019\","
        "\"themes\":[\"ess\"]}",
        "{\"title\":\"Élan "
        "collectif\",\"summary\":\"s\",\"actor_type\":\"association\",\"commune\":\"29075\","
        "\"themes\":[\"culture\"]}",
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *f = fields_of(x, actor, actors[i]);
        struct entry e;
        struct field_errors errs = {0};
        assert_int_equal(save_kind(x, actor, NULL, 0, f, &e, &errs), ENTRY_OK);
        json_decref(f);
    }
    struct entry_item *items;
    int n, total;
    /* Alphabetical, accents folded: Abeille, Élan, Zèbre. */
    assert_int_equal(entry_list(x->s, x->a, actor, NULL, 0, 1, 20, &items, &n, &total), ENTRY_OK);
    assert_int_equal(total, 3);
    assert_non_null(strstr(items[0].values.p, "Abeille"));
    assert_non_null(strstr(items[1].values.p, "Élan"));
    assert_non_null(strstr(items[2].values.p, "Zèbre"));
    struct entry_filter f3[] = {
        {"actor_type", "association"}, {"themes", "culture"}, {"commune", "29019"}};
    for (int nf = 0; nf <= 3; nf++) {
        assert_int_equal(entry_list(x->s, x->a, actor, f3, nf, 1, 20, &items, &n, &total),
                         ENTRY_OK);
        assert_int_equal(total, nf == 0 ? 3 : nf == 3 ? 1 : 2);
    }
    struct entry_facet_count *c;
    int nc;
    assert_int_equal(entry_facet_counts(x->s, x->a, actor, "themes", f3, 1, &c, &nc), ENTRY_OK);
    assert_int_equal(entry_facet_count_of(c, nc, "culture"), 2);
    assert_int_equal(entry_facet_count_of(c, nc, "ess"), 1);
    /* The filter on the facet counted is left out of its own counts. */
    assert_int_equal(entry_facet_counts(x->s, x->a, actor, "actor_type", f3, 1, &c, &nc), ENTRY_OK);
    assert_int_equal(entry_facet_count_of(c, nc, "entreprise"), 1);
    /* More filters than a list takes is refused, not truncated. */
    struct entry_filter many[ENTRY_MAX_FILTERS + 1];
    for (int i = 0; i <= ENTRY_MAX_FILTERS; i++)
        many[i] = (struct entry_filter){"themes", "ess"};
    assert_int_equal(
        entry_list(x->s, x->a, actor, many, ENTRY_MAX_FILTERS + 1, 1, 20, &items, &n, &total),
        ENTRY_ERR);
    assert_int_equal(
        entry_list(x->s, x->a, actor, many, ENTRY_MAX_FILTERS, 1, 20, &items, &n, &total),
        ENTRY_OK);
    assert_int_equal(total, 2);
    /* Derived data made again from nothing gives the same lists. */
    assert_int_equal(sqlite3_exec(x->s->db,
                                  "DELETE FROM entry_terms; UPDATE entries SET sort_key = ''", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_begin(x->s), STORE_OK);
    assert_int_equal(entry_derive_all(x->s, NULL, NULL), ENTRY_OK);
    assert_int_equal(store_commit(x->s), STORE_OK);
    assert_int_equal(entry_list(x->s, x->a, actor, f3, 3, 1, 20, &items, &n, &total), ENTRY_OK);
    assert_int_equal(total, 1);
    assert_int_equal(entry_list(x->s, x->a, actor, NULL, 0, 1, 20, &items, &n, &total), ENTRY_OK);
    assert_non_null(strstr(items[0].values.p, "Abeille"));
    bool rebuilt;
    assert_int_equal(entry_derive_check(x->s, &rebuilt), ENTRY_OK);
    assert_true(rebuilt);
    assert_int_equal(entry_derive_check(x->s, &rebuilt), ENTRY_OK);
    assert_false(rebuilt);
}

/* The lineage of a fully connected graph: every level full, every pair of adjacent levels
 * linked both ways; the builder stays within its bounds and names every node right. */
static void test_lineage_bounds(void **state)
{
    struct test_site *x = *state;
    const struct kind_def *inn = innovation();
    char body[8192], title[64];
    struct entry bs[12], as[12], root, cs[12], ds[12];
    struct field_errors errs = {0};
    for (int i = 0; i < 12; i++) {
        snprintf(title, sizeof title, "Source numéro %d", i);
        snprintf(body, sizeof body,
                 "{\"title\":\"%s\",\"summary\":\"s\",\"description\":\"d\",\"themes\":[\"ess\"],"
                 "\"commune\":\"29019\"}",
                 title);
        json_t *f = fields_of(x, inn, body);
        assert_int_equal(save_kind(x, inn, NULL, 0, f, &bs[i], &errs), ENTRY_OK);
        json_decref(f);
    }
    /* Each A is inspired by every B. */
    struct buf list = BUF_INIT;
    for (int i = 0; i < 12; i++)
        buf_printf(&list, "%s\"%s\"", i ? "," : "", bs[i].slug);
    for (int i = 0; i < 12; i++) {
        snprintf(body, sizeof body,
                 "{\"title\":\"Relais numéro "
                 "%d\",\"summary\":\"s\",\"description\":\"d\",\"themes\":[\"ess\"],\"commune\":"
                 "\"29019\",\"inspired_by\":[%s]}",
                 i, buf_cstr(&list));
        json_t *f = fields_of(x, inn, body);
        assert_int_equal(save_kind(x, inn, NULL, 0, f, &as[i], &errs), ENTRY_OK);
        json_decref(f);
    }
    buf_reset(&list);
    for (int i = 0; i < 12; i++)
        buf_printf(&list, "%s\"%s\"", i ? "," : "", as[i].slug);
    snprintf(body, sizeof body,
             "{\"title\":\"Racine "
             "centrale\",\"summary\":\"s\",\"description\":\"d\",\"themes\":[\"ess\"],\"commune\":"
             "\"29019\",\"inspired_by\":[%s]}",
             buf_cstr(&list));
    json_t *f = fields_of(x, inn, body);
    assert_int_equal(save_kind(x, inn, NULL, 0, f, &root, &errs), ENTRY_OK);
    json_decref(f);
    for (int i = 0; i < 12; i++) {
        snprintf(body, sizeof body,
                 "{\"title\":\"Suite numéro "
                 "%d\",\"summary\":\"s\",\"description\":\"d\",\"themes\":[\"ess\"],\"commune\":"
                 "\"29019\",\"inspired_by\":[\"%s\"]}",
                 i, root.slug);
        f = fields_of(x, inn, body);
        assert_int_equal(save_kind(x, inn, NULL, 0, f, &cs[i], &errs), ENTRY_OK);
        json_decref(f);
    }
    buf_reset(&list);
    for (int i = 0; i < 12; i++)
        buf_printf(&list, "%s\"%s\"", i ? "," : "", cs[i].slug);
    for (int i = 0; i < 12; i++) {
        snprintf(body, sizeof body,
                 "{\"title\":\"Héritière numéro "
                 "%d\",\"summary\":\"s\",\"description\":\"d\",\"themes\":[\"ess\"],\"commune\":"
                 "\"29019\",\"inspired_by\":[%s]}",
                 i, buf_cstr(&list));
        f = fields_of(x, inn, body);
        assert_int_equal(save_kind(x, inn, NULL, 0, f, &ds[i], &errs), ENTRY_OK);
        json_decref(f);
    }
    buf_free(&list);
    struct lineage l;
    assert_int_equal(relation_lineage(x->s, x->a, &viewer_public, &root, "inspired_by", &l),
                     ENTRY_OK);
    assert_int_equal(l.n, 1 + 4 * 12);
    int p = LINEAGE_MAX_PER_LEVEL;
    assert_true(l.m <= 2 * (p + p * p) + 2 * p + 8);
    assert_true(l.m >= 4 * 12);
    for (int i = 1; i < l.n; i++) {
        assert_non_null(l.nodes[i].slug);
        assert_true(strspn(l.nodes[i].slug, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
                    strlen(l.nodes[i].slug));
        assert_true(l.levels[i] >= -2 && l.levels[i] <= 2 && l.levels[i] != 0);
    }
    for (int i = 0; i < l.m; i++)
        assert_true(l.edges[i][0] >= 0 && l.edges[i][0] < l.n && l.edges[i][1] >= 0 &&
                    l.edges[i][1] < l.n);
}

/* Drafts (migration 14, store/draft_store.c, core/draft.c): the rows answer by name and by
 * account only; the one rule gives a draft to its author alone (not to moderators nor the
 * operator); a draft is no entry (nothing listed, no slug taken) until it is sent through the
 * save path, which deletes it; an account deleted takes its drafts with it. */
static void test_drafts(void **state)
{
    struct test_site *x = *state;
    const struct kind_def *k = innovation();
    long long now = 1700000000;
    long long ann = test_site_user(x, "ann@example.org", "Ann", "trusted", now - 86400 * 30);
    long long bob = test_site_user(x, "bob@example.org", "Bob", "moderator", now - 86400 * 30);
    struct viewer va = {ann, ROLE_TRUSTED}, vb = {bob, ROLE_MODERATOR};

    /* The rule. */
    assert_true(viewer_sees(&va, "draft", ann));
    assert_false(viewer_sees(&vb, "draft", ann));
    assert_false(viewer_sees(&viewer_operator, "draft", ann));
    assert_false(viewer_sees(&viewer_public, "draft", 0));
    assert_false(viewer_sees(NULL, "draft", ann));

    /* The store: by key, by account. */
    long long id = 0;
    assert_int_equal(store_draft_insert(x->s, "00112233445566778899aabb", ann, "innovation", 1,
                                        "{\"title\":\"A\"}", now, &id),
                     STORE_OK);
    assert_true(id > 0);
    assert_int_equal(
        store_draft_insert(x->s, "00112233445566778899aabb", bob, "innovation", 1, "{}", now, NULL),
        STORE_CONFLICT);
    struct draft_row r;
    assert_int_equal(store_draft_get(x->s, x->a, "00112233445566778899aabb", &r), STORE_OK);
    assert_int_equal(r.user_id, ann);
    assert_string_equal(r.fields, "{\"title\":\"A\"}");
    assert_int_equal(store_draft_get(x->s, x->a, "ffffffffffffffffffffffff", &r), STORE_NOTFOUND);
    assert_int_equal(store_draft_update(x->s, id, bob, 2, "{}", now), STORE_NOTFOUND);
    assert_int_equal(store_draft_delete(x->s, id, bob), STORE_NOTFOUND);
    assert_int_equal(store_draft_update(x->s, id, ann, 3, "{\"title\":\"B\"}", now + 5), STORE_OK);
    int n = -1;
    assert_int_equal(store_draft_count(x->s, ann, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_draft_count(x->s, bob, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_draft_delete(x->s, id, ann), STORE_OK);
    assert_int_equal(store_draft_delete(x->s, id, ann), STORE_NOTFOUND);

    /* The domain: made, found by its author only, listed, written, sent. */
    json_t *answers = json_pack("{s:s, s:s}", "title", "Le jardin du brouillon", "summary",
                                "Un jardin partagé au pied des immeubles.");
    struct draft d;
    assert_int_equal(draft_create(x->s, x->a, &viewer_public, k, answers, 1, now, &d),
                     DRAFT_FORBIDDEN);
    assert_int_equal(draft_create(x->s, x->a, &va, k, answers, 2, now, &d), DRAFT_OK);
    json_decref(answers);
    assert_true(draft_key_valid(d.key));
    assert_false(draft_key_valid("0011"));
    assert_false(draft_key_valid("00112233445566778899AABB"));
    struct draft found;
    assert_int_equal(draft_find(x->s, x->a, &vb, d.key, &found), DRAFT_NOTFOUND);
    assert_int_equal(draft_find(x->s, x->a, &viewer_public, d.key, &found), DRAFT_NOTFOUND);
    assert_int_equal(draft_find(x->s, x->a, &viewer_operator, d.key, &found), DRAFT_NOTFOUND);
    assert_int_equal(draft_find(x->s, x->a, &va, "not-a-key", &found), DRAFT_NOTFOUND);
    assert_int_equal(draft_find(x->s, x->a, &va, d.key, &found), DRAFT_OK);
    assert_string_equal(draft_title(&found), "Le jardin du brouillon");
    assert_int_equal(found.step, 2);
    assert_int_equal(draft_write(x->s, &vb, &found, 3, now + 1), DRAFT_NOTFOUND);
    assert_int_equal(draft_delete(x->s, &vb, &found), DRAFT_NOTFOUND);
    struct draft *list;
    assert_int_equal(draft_list(x->s, x->a, &vb, &list, &n), DRAFT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(draft_list(x->s, x->a, &va, &list, &n), DRAFT_OK);
    assert_int_equal(n, 1);

    /* No entry exists for it: nothing listed, the slug free. */
    struct entry e;
    const char *moved = NULL;
    assert_int_equal(entry_find(x->s, x->a, &va, "le-jardin-du-brouillon", &e, &moved),
                     ENTRY_NOTFOUND);
    struct entry_item *items;
    int total = -1, ni = 0;
    assert_int_equal(entry_list(x->s, x->a, k, NULL, 0, 1, 50, &items, &ni, &total), ENTRY_OK);
    int before = total;

    /* Sent incomplete: refused by the one validation path, nothing written, still a draft. */
    struct field_errors errs = {0};
    struct entry_save in = {.now = now + 60, .errs = &errs, .comment = "test"};
    struct entry_saved saved;
    assert_int_equal(draft_submit(x->s, x->a, x->t, &va, &found, &in, &saved), ENTRY_INVALID);
    assert_non_null(validate_error_for(&errs, "description"));
    assert_int_equal(draft_find(x->s, x->a, &va, d.key, &found), DRAFT_OK);
    /* Another account cannot send it. */
    json_object_set_new(found.answers, "description", json_string("Des bacs, des graines."));
    json_object_set_new(found.answers, "themes", json_pack("[s]", "transition-ecologique"));
    json_object_set_new(found.answers, "commune", json_string("29019"));
    json_object_set_new(found.answers, "status", json_string("en-cours"));
    json_object_set_new(found.answers, "license", json_string("CC-BY-SA-4.0"));
    assert_int_equal(draft_write(x->s, &va, &found, 10, now + 30), DRAFT_OK);
    struct entry_save in2 = {.now = now + 60, .comment = "test"};
    assert_int_equal(draft_submit(x->s, x->a, x->t, &vb, &found, &in2, &saved), ENTRY_NOTFOUND);
    /* Its author sends it: the save path publishes (trusted, and the draft took a minute). */
    struct field_errors errs3 = {0};
    struct entry_save in3 = {.now = now + 60, .comment = "test", .errs = &errs3};
    assert_int_equal(draft_submit(x->s, x->a, x->t, &va, &found, &in3, &saved), ENTRY_OK);
    assert_string_equal(saved.state, "published");
    assert_string_equal(saved.entry.slug, "le-jardin-du-brouillon");
    assert_int_equal(draft_find(x->s, x->a, &va, d.key, &found), DRAFT_NOTFOUND);
    assert_int_equal(entry_list(x->s, x->a, k, NULL, 0, 1, 50, &items, &ni, &total), ENTRY_OK);
    assert_int_equal(total, before + 1);

    /* An account deleted takes its drafts with it. */
    answers = json_pack("{s:s}", "title", "Encore un");
    assert_int_equal(draft_create(x->s, x->a, &va, k, answers, 1, now, &d), DRAFT_OK);
    json_decref(answers);
    assert_int_equal(store_draft_count(x->s, ann, &n), STORE_OK);
    assert_int_equal(n, 1);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE users SET status = 'deleted' WHERE id = %lld", ann);
    assert_int_equal(sqlite3_exec(x->s->db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_draft_count(x->s, ann, &n), STORE_OK);
    assert_int_equal(n, 0);

    /* At most DRAFT_MAX_PER_ACCOUNT, and DRAFT_MAX_BYTES each. */
    answers = json_object();
    for (int i = 0; i < DRAFT_MAX_PER_ACCOUNT; i++)
        assert_int_equal(draft_create(x->s, x->a, &vb, k, answers, 1, now, &d), DRAFT_OK);
    assert_int_equal(draft_create(x->s, x->a, &vb, k, answers, 1, now, &d), DRAFT_FULL);
    json_decref(answers);
    char *big = malloc(DRAFT_MAX_BYTES + 10);
    memset(big, 'a', DRAFT_MAX_BYTES + 9);
    big[DRAFT_MAX_BYTES + 9] = '\0';
    json_object_set_new(d.answers, "description", json_string(big));
    free(big);
    assert_int_equal(draft_write(x->s, &vb, &d, 2, now), DRAFT_TOO_BIG);
}

int main(void)
{
    if (account_init() != 0) {
        fprintf(stderr, "account_init failed\n");
        return 1;
    }
    /* The list the set-up installs (npm ci): the common-password tests need it. */
    if (password_list_load(".") < 10000) {
        fprintf(stderr, "liste des mots de passe courants absente (make deps)\n");
        return 1;
    }
#define D(f) cmocka_unit_test_setup_teardown(f, dir_setup, test_site_teardown)
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        D(test_open_modes),
        D(test_open_not_sqlite),
        D(test_open_foreign_sqlite),
        D(test_open_newer_schema),
        S(test_pragmas),
        S(test_territory),
        S(test_settings),
        S(test_entry_life_cycle),
        S(test_entry_list),
        S(test_migrate_from_1),
        S(test_entry_records),
        S(test_facet_counts_follow_the_file),
        S(test_revisions_immutable),
        S(test_accounts),
        S(test_relations),
        S(test_facets_and_orders),
        S(test_lineage_bounds),
        S(test_drafts),
    };
#undef D
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
