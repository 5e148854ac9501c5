/* test_spam.c — the spam score (core/spam.c): each signal on a small case of its own, then the
 * hand-written corpus of tests/spam/corpus.json (spam and vandalism of the kinds open wikis
 * receive, and legitimate French contributions, some with prices, shops and several links on
 * purpose), scored as the save path scores them. It prints the figures and holds the goals:
 * at least 95 % of spam scored at or above the hold threshold (held even from a trusted account;
 * a newcomer's is held anyway), no legitimate edit of a trusted contributor held, at most 10 %
 * of newcomers' legitimate edits scored above it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/spam.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct kind_def *K;

static json_t *record(const char *summary, const char *description)
{
    return json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:s}", "title", "Une fiche", "summary",
                     summary, "description", description, "themes", "numerique", "commune", "29019",
                     "status", "en-cours", "license", "CC-BY-SA-4.0");
}

static int score(json_t *fields, json_t *before, enum role role, long seconds, int repeats,
                 const char *blocked, struct spam_result *r)
{
    struct arena *a = arena_new();
    struct spam_input in = {.kind = K,
                            .fields = fields,
                            .before = before,
                            .role = role,
                            .account_age = 30 * 86400,
                            .fill_seconds = seconds,
                            .repeats = repeats,
                            .blocked_domains = blocked};
    spam_score(a, &in, r);
    int s = r->score;
    for (int i = 0; i < r->nreasons; i++)
        r->reasons[i] = NULL; /* in a, freed now */
    arena_free(a);
    return s;
}

static void test_signals(void **state)
{
    (void)state;
    struct spam_result r;
    json_t *plain = record("Un atelier de réparation.", "Chaque samedi, on répare ensemble des "
                                                        "vélos et des grille-pain à Brest.");
    assert_int_equal(score(plain, NULL, ROLE_CONTRIBUTOR, 300, 0, NULL, &r), 0);
    /* Links: two are fine for a newcomer, eight for a trusted contributor. */
    json_t *links = record("Des liens.", "Voir https://a.example.org, https://b.example.org, "
                                         "https://c.example.org et https://d.example.org pour "
                                         "les partenaires de notre atelier de quartier.");
    assert_true(score(links, NULL, ROLE_CONTRIBUTOR, 300, 0, NULL, &r) > 0);
    assert_int_equal(score(links, NULL, ROLE_TRUSTED, 300, 0, NULL, &r) < SPAM_HOLD_DEFAULT, 1);
    /* An edit is judged by what it adds: the same links already there cost nothing. */
    assert_int_equal(score(links, links, ROLE_CONTRIBUTOR, 300, 0, NULL, &r), 0);
    /* A blocked domain is refused whoever writes. */
    json_t *blocked = record("Offre.", "Tout sur http://www.coffres.example/achat ici.");
    assert_true(score(blocked, NULL, ROLE_TRUSTED, 300, 0, "spam.example, coffres.example", &r) >=
                SPAM_REFUSE_DEFAULT);
    assert_true(score(blocked, NULL, ROLE_TRUSTED, 300, 0, "res.example", &r) <
                SPAM_REFUSE_DEFAULT); /* a suffix that is not a whole label does not match */
    /* Blanking a real text. */
    json_t *longer = record("Un atelier de réparation.",
                            "Chaque samedi, on répare ensemble des vélos, des grille-pain, des "
                            "radios et des ordinateurs dans la salle du quartier de Kerourien. "
                            "Les bénévoles apprennent aux habitants à démonter, diagnostiquer, "
                            "remplacer une pièce et remonter, avec des outils prêtés sur place.");
    json_t *blank = record("Un atelier de réparation.", "...");
    assert_true(score(blank, longer, ROLE_TRUSTED, 300, 0, NULL, &r) >= SPAM_HOLD_DEFAULT);
    /* Insults, another script, the same text from other accounts, a robot's speed. */
    json_t *insult = record("Un atelier.", "Ces connards de bénévoles sont des abrutis.");
    assert_true(score(insult, NULL, ROLE_TRUSTED, 300, 0, NULL, &r) >= SPAM_HOLD_DEFAULT);
    json_t *cyr = record("Реклама", "Купить дешево лучшие товары на нашем сайте прямо сейчас");
    assert_true(score(cyr, NULL, ROLE_TRUSTED, 300, 0, NULL, &r) >= SPAM_HOLD_DEFAULT);
    assert_true(score(plain, NULL, ROLE_TRUSTED, 300, 3, NULL, &r) >= SPAM_HOLD_DEFAULT);
    assert_true(score(plain, NULL, ROLE_CONTRIBUTOR, 1, 0, NULL, &r) >= 40);
    assert_true(r.nreasons >= 1);
    /* Ordinary French a reviewer found scored as spam: never held from a trusted author. */
    static const char *const honest[] = {
        "Le compostage réduit les ordures ménagères : moins d'ordures, moins de camions.",
        "Un lieu de rencontre au profit de tous, nulle part ailleurs dans la commune.",
        "La pharmacie du bourg garde les ordonnances ; code INSEE 29189.",
        "Le projet a permis -40 % de gaspillage à la cantine en un an.",
        "Une entreprise d'insertion propose une offre aux particuliers et à ses clients.",
        "La commande publique a seulement financé les produits, en avance.",
        "Le groupe WhatsApp du quartier : appelez Annie au 06 12 34 56 78.",
    };
    for (size_t i = 0; i < sizeof honest / sizeof *honest; i++) {
        json_t *h = record("Une initiative du quartier.", honest[i]);
        int sc = score(h, NULL, ROLE_TRUSTED, 300, 0, NULL, &r);
        if (sc >= SPAM_HOLD_DEFAULT)
            fprintf(stderr, "held: %s (%d)\n", honest[i], sc);
        assert_true(sc < SPAM_HOLD_DEFAULT);
        json_decref(h);
    }
    /* Tricks that hide words and links: invisible characters, entities, protocol-relative
     * links, a login before the host, a trailing dot. */
    json_t *hidden =
        record("Un atelier.", "Le ca\u00adsino bo\u00adnus jack\u00adpot et po\u200bker.");
    assert_true(score(hidden, NULL, ROLE_TRUSTED, 300, 0, NULL, &r) >= SPAM_HOLD_DEFAULT);
    static const char *const disguised[] = {
        "Voir [ici](https&#58;//tresbon.example/) pour tout savoir.",
        "Voir [ici](//tresbon.example/) pour tout savoir.",
        "Voir https://wiki-brest.net@tresbon.example/ pour tout savoir.",
        "Voir https://tresbon.example./ pour tout savoir.",
    };
    for (size_t i = 0; i < sizeof disguised / sizeof *disguised; i++) {
        json_t *d = record("Un atelier.", disguised[i]);
        assert_true(score(d, NULL, ROLE_TRUSTED, 300, 0, "tresbon.example", &r) >=
                    SPAM_REFUSE_DEFAULT);
        json_decref(d);
    }
    /* A blocked domain already in the record does not refuse an edit that leaves it alone. */
    json_t *old_link = record("Un atelier.", "Voir https://tresbon.example/ et la suite.");
    json_t *edit_link = record("Un atelier revu.", "Voir https://tresbon.example/ et la suite.");
    assert_true(score(edit_link, old_link, ROLE_TRUSTED, 300, 0, "tresbon.example", &r) <
                SPAM_HOLD_DEFAULT);
    json_decref(old_link);
    json_decref(edit_link);
    json_decref(hidden);
    json_decref(plain);
    json_decref(links);
    json_decref(blocked);
    json_decref(longer);
    json_decref(blank);
    json_decref(insult);
    json_decref(cyr);
}

struct tally {
    int n, caught;
};

struct corpus_figures {
    struct tally spam, legit_trusted, legit_new;
    int refused;
};

/* Scores every sample of path as the save path would, printing each miss and the figures. */
static void corpus_score(const char *path, struct corpus_figures *out)
{
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        fprintf(stderr, "%s: %s (line %d)\n", path, err.text, err.line);
    assert_non_null(root);
    json_t *samples = json_object_get(root, "samples");
    assert_true(json_is_array(samples));
    struct tally spam = {0}, legit_trusted = {0}, legit_new = {0};
    int spam_refused = 0;
    printf("%s:\n", path);
    size_t i;
    json_t *s;
    json_array_foreach(samples, i, s)
    {
        const char *cls = json_string_value(json_object_get(s, "class"));
        const char *account = json_string_value(json_object_get(s, "account"));
        json_t *secs = json_object_get(s, "seconds");
        bool trusted = account && strcmp(account, "trusted") == 0;
        struct spam_result r;
        struct arena *a = arena_new();
        struct spam_input in = {
            .kind = K,
            .fields = json_object_get(s, "fields"),
            .before = json_object_get(s, "before"),
            .role = trusted ? ROLE_TRUSTED : ROLE_CONTRIBUTOR,
            .account_age = trusted ? 400L * 86400 : 2L * 86400,
            .fill_seconds = json_is_integer(secs) ? (long)json_integer_value(secs) : -1,
        };
        spam_score(a, &in, &r);
        bool held = r.score >= SPAM_HOLD_DEFAULT;
        const char *id = json_string_value(json_object_get(s, "id"));
        if (cls && strcmp(cls, "spam") == 0) {
            spam.n++;
            spam.caught += held;
            spam_refused += r.score >= SPAM_REFUSE_DEFAULT;
            if (!held) {
                printf("  spam let through: %s (%s) score %d:", id,
                       json_string_value(json_object_get(s, "category")), r.score);
                for (int j = 0; j < r.nreasons; j++)
                    printf(" %s;", r.reasons[j]);
                printf("\n");
            }
        } else {
            struct tally *t = trusted ? &legit_trusted : &legit_new;
            t->n++;
            t->caught += held;
            if (held) {
                printf("  legitimate held: %s (%s, %s) score %d:", id,
                       json_string_value(json_object_get(s, "category")), account, r.score);
                for (int j = 0; j < r.nreasons; j++)
                    printf(" %s;", r.reasons[j]);
                printf("\n");
            }
        }
        arena_free(a);
    }
    printf("  %d spam samples, %d scored at or above the hold threshold (%.1f %%), "
           "%d refused outright\n",
           spam.n, spam.caught, spam.n ? 100.0 * spam.caught / spam.n : 0, spam_refused);
    printf("  %d legitimate edits of trusted contributors, %d held (%.1f %%)\n", legit_trusted.n,
           legit_trusted.caught,
           legit_trusted.n ? 100.0 * legit_trusted.caught / legit_trusted.n : 0);
    printf("  %d legitimate edits of newcomers, %d scored above the hold threshold "
           "(%.1f %%)\n",
           legit_new.n, legit_new.caught, legit_new.n ? 100.0 * legit_new.caught / legit_new.n : 0);
    json_decref(root);
    *out = (struct corpus_figures){spam, legit_trusted, legit_new, spam_refused};
}

/* The corpus the score was calibrated on: the goals hold. */
static void test_corpus(void **state)
{
    (void)state;
    struct corpus_figures f;
    corpus_score("tests/spam/corpus.json", &f);
    assert_true(f.spam.n >= 100);
    assert_true(f.legit_trusted.n + f.legit_new.n >= 100);
    assert_true(f.spam.caught * 100 >= f.spam.n * 95);
    assert_int_equal(f.legit_trusted.caught, 0);
    assert_true(f.legit_new.caught * 10 <= f.legit_new.n);
}

/* A held-out corpus written apart, never used to tune the score: what it does on text it has
 * not seen. Its figures are printed; the bars are those a real site can live with: nothing a
 * trusted contributor writes is held, few newcomers' texts are, most spam is (a newcomer's
 * spam waits for moderation anyway, whatever its score). */
static void test_holdout(void **state)
{
    (void)state;
    struct corpus_figures f;
    corpus_score("tests/spam/holdout.json", &f);
    assert_true(f.spam.n >= 60);
    assert_int_equal(f.legit_trusted.caught, 0);
    assert_true(f.legit_new.caught * 10 <= f.legit_new.n);
    assert_true(f.spam.caught * 100 >= f.spam.n * 70);
}

int main(void)
{
    K = kind_find("innovation");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signals),
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_holdout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
