/* import.c — `foison import-places SITE.db FILE.json [--author EMAIL]`: creates the places of a
 * file in the national schema of "lieux de médiation numérique" (docs/MEDNUM.md), all or
 * nothing. Every lieu is mapped (core/mednum.c) and validated as the site's forms validate a
 * place before the first one is saved; one refused lieu refuses the file, with a report of one
 * line per problem. The places are then saved one by one through the one save path, as the
 * operator (published at once). */
#include "cli/cli.h"
#include "core/entry.h"
#include "core/mednum.h"
#include "core/territory.h"
#include "core/validate.h"
#include "render/markdown.h"
#include "store/entry_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define IMPORT_MAX_BYTES (2 * 1024 * 1024)
#define IMPORT_MAX_LIEUX 2000
#define IMPORT_SITE_PAGE 200
#define NB "\u202f"

struct import_lieu {
    const char *label; /* "lieu 3 (id «…», «…»)", for the report */
    json_t *fields;    /* validated place fields; NULL when refused */
    const char *comment;
    const char *key; /* mednum_place_key of fields */
    const char *id;  /* the lieu's id, NULL when it has none */
    struct mednum_report report;
};

/* The file's bytes (a UTF-8 BOM skipped) as a JSON array, or NULL with the reason printed. */
static json_t *import_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "foison: %s" NB ": lecture impossible\n", path);
        return NULL;
    }
    struct stat st;
    char *data = NULL;
    size_t n = 0;
    json_t *root = NULL;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "foison: %s" NB ": ce n'est pas un fichier\n", path);
        goto done;
    }
    if (st.st_size > IMPORT_MAX_BYTES) {
        fprintf(stderr, "foison: %s" NB ": fichier trop gros (%d Mio au plus)\n", path,
                IMPORT_MAX_BYTES / (1024 * 1024));
        goto done;
    }
    data = malloc((size_t)st.st_size + 1);
    if (!data || (n = fread(data, 1, (size_t)st.st_size + 1, f)) > (size_t)st.st_size ||
        ferror(f)) {
        fprintf(stderr, "foison: %s" NB ": lecture impossible\n", path);
        goto done;
    }
    size_t skip = n >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    json_error_t jerr;
    /* jansson refuses invalid UTF-8 and NUL in strings; repeated keys would hide a value. */
    root = json_loadb(data + skip, n - skip, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        fprintf(stderr, "foison: %s" NB ": JSON illisible, ligne %d" NB ": %s\n", path, jerr.line,
                jerr.text);
    else if (!json_is_array(root)) {
        fprintf(stderr, "foison: %s" NB ": un tableau JSON de lieux est attendu\n", path);
        json_decref(root);
        root = NULL;
    } else if (json_array_size(root) > IMPORT_MAX_LIEUX) {
        fprintf(stderr, "foison: %s" NB ": %zu lieux, %d au plus par fichier\n", path,
                json_array_size(root), IMPORT_MAX_LIEUX);
        json_decref(root);
        root = NULL;
    }
done:
    free(data);
    fclose(f);
    return root;
}

static const char *import_label(struct arena *a, size_t i, json_t *lieu)
{
    const char *id = json_string_value(json_object_get(lieu, "id"));
    const char *nom = json_string_value(json_object_get(lieu, "nom"));
    return arena_printf(
        a, "lieu %zu%s%s%s%s%s%s%s", i + 1, id || nom ? " (" : "", id ? "id «" NB : "",
        id ? id : "", id ? NB "»" : "", id && nom && *nom ? ", " : "",
        nom && *nom ? arena_printf(a, "«" NB "%s" NB "»", nom) : "", id || nom ? ")" : "");
}

static int import_key_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The keys (mednum_place_key) of every place of the site that has a published revision,
 * hidden or withdrawn ones too (importing must not bring back what moderators took down),
 * sorted; *n of them. -1 on a storage error. */
static int import_site_keys(struct store *s, struct arena *a, const char ***keys, size_t *n)
{
    size_t cap = 64;
    *keys = malloc(cap * sizeof(**keys));
    *n = 0;
    long long after = 0;
    for (;;) {
        struct entry_published_row *rows;
        int len;
        if (!*keys ||
            store_entries_published_after(s, a, after, IMPORT_SITE_PAGE, &rows, &len) != STORE_OK)
            return -1;
        for (int i = 0; i < len; i++) {
            after = rows[i].id;
            if (strcmp(rows[i].kind, "place") != 0)
                continue;
            json_t *fields = json_loads(rows[i].fields, 0, NULL);
            const char *key = fields ? mednum_place_key(a, fields) : NULL;
            json_decref(fields);
            if (!key)
                continue;
            if (*n == cap) {
                const char **grown = realloc(*keys, 2 * cap * sizeof(**keys));
                if (!grown)
                    return -1;
                *keys = grown;
                cap *= 2;
            }
            (*keys)[(*n)++] = key;
        }
        if (len < IMPORT_SITE_PAGE)
            break;
    }
    qsort(*keys, *n, sizeof(**keys), import_key_cmp);
    return 0;
}

/* Maps and validates lieu i; its problems go to its report. */
static void import_check(struct arena *a, const struct territory *t, const struct kind_def *k,
                         json_t *lieu, struct import_lieu *l)
{
    json_t *raw = mednum_place_from_lieu(a, t, lieu, &l->comment, &l->report);
    if (!raw)
        return;
    struct field_errors errs = {0};
    json_t *clean = validate_entry(a, k, t, raw, true, &errs);
    json_decref(raw);
    if (l->comment && !validate_comment(a, l->comment, &errs))
        l->comment = "Import de lieux de médiation numérique";
    for (int e = 0; e < errs.n; e++)
        mednum_report_error(&l->report, mednum_field_of(errs.e[e].field), errs.e[e].message);
    if (!clean)
        return;
    l->fields = clean;
    l->key = mednum_place_key(a, clean);
}

/* Repeated ids and places met twice (in the file, or already on the site): errors. */
static void import_duplicates(struct arena *a, struct import_lieu *l, size_t n,
                              const char **site_keys, size_t nsite)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; l[i].id && j < i; j++)
            if (l[j].id && strcmp(l[i].id, l[j].id) == 0) {
                mednum_report_error(
                    &l[i].report, "id",
                    arena_printf(a, "«" NB "%s" NB "» est déjà celui du lieu %zu", l[i].id, j + 1));
                break;
            }
        if (!l[i].key)
            continue;
        if (bsearch(&l[i].key, site_keys, nsite, sizeof(*site_keys), import_key_cmp)) {
            mednum_report_error(&l[i].report, "nom",
                                "un lieu de ce nom existe déjà dans cette commune sur le site");
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (l[j].key && strcmp(l[i].key, l[j].key) == 0) {
                mednum_report_error(
                    &l[i].report, "nom",
                    arena_printf(a, "même nom et même commune que le lieu %zu", j + 1));
                break;
            }
    }
}

/* Prints every problem; returns the number of refused lieux. */
static size_t import_report(const struct import_lieu *l, size_t n)
{
    size_t refused = 0;
    for (size_t i = 0; i < n; i++) {
        const struct mednum_report *r = &l[i].report;
        for (int e = 0; e < r->nerrors; e++)
            printf("%s" NB ": %s" NB ": %s\n", l[i].label, r->errors[e].field,
                   r->errors[e].message);
        for (int w = 0; w < r->nwarnings; w++)
            printf("avertissement" NB ": %s" NB ": %s" NB ": %s\n", l[i].label,
                   r->warnings[w].field, r->warnings[w].message);
        refused += r->nerrors > 0;
    }
    return refused;
}

static const char *import_lieux(size_t n)
{
    return n <= 1 ? "lieu" : "lieux";
}

static int import_run(struct store *s, struct arena *a, json_t *lieux, long long author,
                      const char *path)
{
    const struct kind_def *k = kind_find("place");
    struct territory *t = territory_load(s);
    const char **site_keys = NULL;
    size_t nsite = 0, n = json_array_size(lieux);
    struct import_lieu *l = NULL;
    int rc = 1;
    if (!k || !t || import_site_keys(s, a, &site_keys, &nsite) != 0) {
        fprintf(stderr, "foison: lecture du site impossible\n");
        goto done;
    }
    l = arena_alloc(a, sizeof(*l) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        json_t *lieu = json_array_get(lieux, i);
        l[i].label = import_label(a, i, lieu);
        l[i].id = json_string_value(json_object_get(lieu, "id"));
        import_check(a, t, k, lieu, &l[i]);
    }
    import_duplicates(a, l, n, site_keys, nsite);
    size_t refused = import_report(l, n);
    if (refused) {
        printf("%zu %s refusé%s sur %zu" NB ": rien n'a été importé.\n", refused,
               import_lieux(refused), refused > 1 ? "s" : "", n);
        goto done;
    }
    /* Everything a save checks was checked above (fields, relations: none, the author's
     * account; the operator is neither rate-limited nor held for moderation nor refused as
     * spam): what remains is a storage failure, reported with what was already saved. */
    long long now = (long long)time(NULL);
    for (size_t i = 0; i < n; i++) {
        struct field_errors errs = {0};
        struct entry_save in = {
            .kind = k,
            .fields = l[i].fields,
            .author = {author, ROLE_ADMIN},
            .operator= true,
            .comment = l[i].comment,
            .now = now,
            .errs = &errs,
        };
        struct entry_saved saved;
        int src = entry_save(s, a, &in, &saved);
        if (src != ENTRY_OK) {
            printf("%s" NB ": enregistrement impossible%s%s\n", l[i].label,
                   errs.n ? NB ": " : " (erreur de stockage)", errs.n ? errs.e[0].message : "");
            printf("%zu %s sur %zu %s enregistré%s avant l'erreur (ci-dessus)" NB
                   ": relancez l'import après avoir retiré du fichier ceux qui y sont.\n",
                   i, import_lieux(i), n, i > 1 ? "ont été" : "a été", i > 1 ? "s" : "");
            goto done;
        }
        printf("%s → /%s/%s\n", l[i].label, k->segment, saved.entry.slug);
    }
    printf("%zu %s importé%s depuis %s.\n", n, import_lieux(n), n > 1 ? "s" : "", path);
    rc = 0;
done:
    for (size_t i = 0; l && i < n; i++)
        json_decref(l[i].fields);
    free(site_keys);
    territory_free(t);
    return rc;
}

int cli_import_places(int argc, char **argv)
{
    bool help = cli_wants_help(argc, argv);
    bool with_author = argc == 5 && strcmp(argv[3], "--author") == 0;
    if (help || !(argc == 3 || with_author)) {
        fprintf(help ? stdout : stderr,
                "usage : foison import-places SITE.db FICHIER.json [--author ADRESSE]\n"
                "Crée les lieux d'un fichier au format du schéma national des lieux de\n"
                "médiation numérique (un tableau JSON, %d Mio et %d lieux au plus), tout ou\n"
                "rien" NB ": chaque lieu est vérifié avant le premier enregistrement, et un seul\n"
                "lieu refusé fait refuser le fichier, avec une ligne par problème" NB ":\n"
                "  lieu 3 (id «" NB "…" NB "», «" NB "nom" NB "»)" NB ": champ" NB ": message\n"
                "Les avertissements disent ce qui n'a pas été repris. Un lieu dont le nom et la\n"
                "commune sont déjà ceux d'un lieu du site est refusé" NB ": réimporter un fichier\n"
                "ne crée pas de doublons. Les lieux sont publiés aussitôt, au nom du compte\n"
                "--author s'il est donné (sinon sans auteur).\n"
                "Les lieux sont enregistrés un par un" NB ": seule une panne de stockage (disque\n"
                "plein…) pendant les enregistrements peut laisser un import à moitié fait" NB ";\n"
                "la commande dit alors combien sont déjà enregistrés (ils le restent).\n",
                IMPORT_MAX_BYTES / (1024 * 1024), IMPORT_MAX_LIEUX);
        return help ? 0 : 2;
    }
    char err[512];
    json_t *lieux = import_read(argv[2]);
    if (!lieux)
        return 1;
    struct store *s = store_open(argv[1], STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        fprintf(stderr, "foison: %s\n", err);
        json_decref(lieux);
        return 1;
    }
    markdown_init();
    struct arena *a = arena_new();
    int rc = 1;
    long long author = 0;
    bool rebuilt;
    if (with_author) {
        struct user_row u;
        if (store_user_by_email(s, a, argv[4], &u) != STORE_OK || strcmp(u.status, "active") != 0) {
            fprintf(stderr, "foison: %s" NB ": aucun compte actif à cette adresse\n", argv[4]);
            goto done;
        }
        author = u.id;
    }
    if (entry_derive_check(s, &rebuilt) != ENTRY_OK) {
        fprintf(stderr, "foison: mise à jour des données dérivées impossible\n");
        goto done;
    }
    rc = import_run(s, a, lieux, author, argv[2]);
done:
    arena_free(a);
    store_close(s);
    json_decref(lieux);
    return rc;
}
