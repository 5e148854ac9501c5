/* test_accompany.c — unit tests of accompanied writing (core/accompany.c): the checks of the
 * form's request (mediators only, one visible actor, an address that is one, an address needs
 * an actor, once per record); the accompaniment written in the save's transaction, its
 * invitation queued and stored hashed, and nothing at all written when the save is refused; the
 * credits (the actor's people but the mediator, or the actor itself, then the other authors);
 * the invitation's states (open, used once, expired, record deleted, unknown) and a hidden
 * record never named through it; taking over (managers of the record and the actor); the data
 * export. */
#include "site_fixture.h"

#include "core/accompany.h"
#include "store/accompany_store.h"
#include <sodium.h>

#define NOW 1800000000LL

struct site {
    struct test_site site;
    struct viewer alice, bruno, chloe, marc;
    struct entry actor, bare, inno;
};

static json_t *actor_fields(const char *title)
{
    return json_pack("{s:s, s:s}", "title", title, "summary", "Un acteur du territoire.");
}

static json_t *inno_fields(const char *title)
{
    return json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:s}", "title", title, "summary",
                     "Un résumé de la fiche d'essai.", "description",
                     "Une description assez longue pour une fiche d'essai.", "themes", "numerique",
                     "commune", "29019", "status", "en-cours", "license", "CC-BY-SA-4.0");
}

static int site_setup(void **state)
{
    if (test_site_setup(state, sizeof(struct site), "accompany") != 0)
        return -1;
    struct site *x = *state;
    x->alice = (struct viewer){test_site_account(&x->site, "alice@exemple.org", "Alice", "trusted"),
                               ROLE_TRUSTED};
    x->bruno = (struct viewer){test_site_account(&x->site, "bruno@exemple.org", "Bruno", "trusted"),
                               ROLE_TRUSTED};
    x->chloe = (struct viewer){
        test_site_account(&x->site, "chloe@exemple.org", "Chloé", "contributor"), ROLE_CONTRIBUTOR};
    x->marc = (struct viewer){test_site_account(&x->site, "marc@exemple.org", "Marc", "moderator"),
                              ROLE_MODERATOR};
    /* An actor Marc speaks for, one only its mediator's record made, and an innovation. */
    x->actor = test_site_save(&x->site, "actor", actor_fields("Vélo Solidaire"), x->marc, NOW);
    x->bare = test_site_save(&x->site, "actor", actor_fields("Collectif des Abers"), x->alice, NOW);
    x->inno = test_site_save(&x->site, "innovation", inno_fields("Une innovation"), x->marc, NOW);
    return 0;
}

static const char *first_error(const struct field_errors *errs, const char *field)
{
    return validate_error_for(errs, field);
}

static void test_check(void **state)
{
    struct site *x = *state;
    struct store *s = x->site.s;
    struct arena *a = x->site.a;
    struct accompany_request rq;
    struct field_errors errs = {0};
    /* Nothing asked: nothing to do, for anyone. */
    assert_int_equal(accompany_check(s, a, &x->chloe, 0, "  ", "", NOW, &errs, &rq), ACCOMPANY_OK);
    assert_int_equal(rq.actor_id, 0);
    assert_int_equal(errs.n, 0);
    /* A contributor may not. */
    assert_int_equal(accompany_check(s, a, &x->chloe, 0, x->actor.slug, "", NOW, &errs, &rq),
                     ACCOMPANY_INVALID);
    assert_non_null(strstr(first_error(&errs, "accompany_actor"), "Seules les personnes"));
    /* Unknown, not an actor, several, an address without an actor, an invalid address. */
    errs = (struct field_errors){0};
    assert_int_equal(accompany_check(s, a, &x->alice, 0, "personne-de-ce-nom", "", NOW, &errs, &rq),
                     ACCOMPANY_INVALID);
    assert_non_null(strstr(first_error(&errs, "accompany_actor"), "Aucun acteur publié"));
    errs = (struct field_errors){0};
    assert_int_equal(accompany_check(s, a, &x->alice, 0, x->inno.slug, "", NOW, &errs, &rq),
                     ACCOMPANY_INVALID);
    assert_non_null(strstr(first_error(&errs, "accompany_actor"), "pas un acteur"));
    errs = (struct field_errors){0};
    char two[200];
    snprintf(two, sizeof two, "%s, %s", x->actor.slug, x->bare.slug);
    assert_int_equal(accompany_check(s, a, &x->alice, 0, two, "", NOW, &errs, &rq),
                     ACCOMPANY_INVALID);
    assert_non_null(strstr(first_error(&errs, "accompany_actor"), "un seul acteur"));
    errs = (struct field_errors){0};
    assert_int_equal(accompany_check(s, a, &x->alice, 0, "", "a@exemple.org", NOW, &errs, &rq),
                     ACCOMPANY_INVALID);
    assert_non_null(first_error(&errs, "accompany_actor"));
    errs = (struct field_errors){0};
    assert_int_equal(
        accompany_check(s, a, &x->alice, 0, x->actor.slug, "pas une adresse", NOW, &errs, &rq),
        ACCOMPANY_INVALID);
    assert_non_null(strstr(first_error(&errs, "accompany_email"), "pas valide"));
    assert_null(first_error(&errs, "accompany_actor"));
    /* An actor's address, its slug: both name it. */
    errs = (struct field_errors){0};
    char url[200];
    snprintf(url, sizeof url, "https://x/acteurs/%s", x->actor.slug);
    assert_int_equal(
        accompany_check(s, a, &x->alice, 0, url, " gaelle@exemple.org ", NOW, &errs, &rq),
        ACCOMPANY_OK);
    assert_int_equal(rq.actor_id, x->actor.id);
    assert_string_equal(rq.actor_title, "Vélo Solidaire");
    assert_string_equal(rq.mediator_name, "Alice");
    assert_string_equal(rq.email, "gaelle@exemple.org");
    /* A deleted actor is no actor; writes nothing. */
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE entries SET deleted = 1 WHERE id = %lld", x->bare.id);
    assert_int_equal(sqlite3_exec(x->site.s->db, sql, NULL, NULL, NULL), SQLITE_OK);
    errs = (struct field_errors){0};
    assert_int_equal(accompany_check(s, a, &x->alice, 0, x->bare.slug, "", NOW, &errs, &rq),
                     ACCOMPANY_INVALID);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM accompaniments"), 0);
}

/* Saves a new innovation by v (as the operator would, with v's rights) accompanied as rq asks;
 * the entry saved into *out. */
static int save_with(struct site *x, const struct viewer *v, const char *title,
                     struct accompany_request *rq, struct entry *out)
{
    json_t *f = test_site_fields(&x->site, "innovation", inno_fields(title));
    struct field_errors errs = {0};
    rq->base_url = "http://x";
    rq->site_name = "foison";
    rq->entry_title = title;
    struct entry_save sv = {.kind = kind_find("innovation"),
                            .fields = f,
                            .author = *v,
                            .operator= true,
                            .comment = "test",
                            .now = NOW,
                            .errs = &errs,
                            .with = accompany_write,
                            .with_arg = rq};
    struct entry_saved saved;
    int rc = entry_save(x->site.s, x->site.a, &sv, &saved);
    json_decref(f);
    if (rc == ENTRY_OK)
        *out = saved.entry;
    return rc;
}

static struct accompany_request checked(struct site *x, const struct viewer *v, const char *actor,
                                        const char *email)
{
    struct accompany_request rq;
    struct field_errors errs = {0};
    assert_int_equal(accompany_check(x->site.s, x->site.a, v, 0, actor, email, NOW, &errs, &rq),
                     ACCOMPANY_OK);
    return rq;
}

static void test_write_and_credit(void **state)
{
    struct site *x = *state;
    struct entry e;
    /* For the actor nobody but its mediator speaks for: the actor is credited. */
    struct accompany_request rq = checked(x, &x->alice, x->bare.slug, "gaelle@exemple.org");
    long long mails = test_site_count(&x->site, "SELECT count(*) FROM outbox");
    assert_int_equal(save_with(x, &x->alice, "Réparer aux Abers", &rq, &e), ENTRY_OK);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM outbox"), mails + 1);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM accompaniments WHERE "
                                               "invite_email = 'gaelle@exemple.org' AND "
                                               "length(invite_hash) = 32"),
                     1);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM outbox WHERE recipient = "
                                               "'gaelle@exemple.org'"),
                     1);
    const char **names;
    int n;
    struct accompany_credit c;
    assert_int_equal(entry_authors(x->site.s, x->site.a, &e, &names, &n), ENTRY_OK);
    assert_int_equal(accompany_credit(x->site.s, x->site.a, &e, names, n, &c), ACCOMPANY_OK);
    assert_true(c.accompanied);
    assert_string_equal(c.mediator, "Alice");
    assert_string_equal(c.actor_title, "Collectif des Abers");
    assert_int_equal(c.nauthors, 1);
    assert_string_equal(c.authors[0], "Collectif des Abers");
    /* For an actor with people: still the actor until one of them takes the record over (the
     * mediator chose the actor, not its people), and whoever else wrote a revision. */
    rq = checked(x, &x->bruno, x->actor.slug, "");
    assert_int_equal(save_with(x, &x->bruno, "Vélos partagés", &rq, &e), ENTRY_OK);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM outbox"), mails + 1);
    assert_int_equal(entry_authors(x->site.s, x->site.a, &e, &names, &n), ENTRY_OK);
    assert_int_equal(accompany_credit(x->site.s, x->site.a, &e, names, n, &c), ACCOMPANY_OK);
    assert_int_equal(c.nauthors, 1);
    assert_string_equal(c.authors[0], "Vélo Solidaire");
    assert_string_equal(c.mediator, "Bruno");
    /* A record never accompanied keeps its authors as they are. */
    assert_int_equal(entry_authors(x->site.s, x->site.a, &x->inno, &names, &n), ENTRY_OK);
    assert_int_equal(accompany_credit(x->site.s, x->site.a, &x->inno, names, n, &c), ACCOMPANY_OK);
    assert_false(c.accompanied);
    assert_int_equal(c.nauthors, n);
    /* Asked once per record. */
    struct field_errors errs = {0};
    assert_int_equal(
        accompany_check(x->site.s, x->site.a, &x->bruno, e.id, x->bare.slug, "", NOW, &errs, &rq),
        ACCOMPANY_INVALID);
}

/* An edit that changes no field still writes the accompaniment asked with it (and no
 * revision). */
static void test_edit_without_change(void **state)
{
    struct site *x = *state;
    struct accompany_request rq;
    struct field_errors errs = {0};
    /* Bruno neither wrote nor manages Marc's record: he cannot hand it over. */
    assert_int_equal(accompany_check(x->site.s, x->site.a, &x->bruno, x->inno.id, x->actor.slug, "",
                                     NOW, &errs, &rq),
                     ACCOMPANY_INVALID);
    errs = (struct field_errors){0};
    assert_int_equal(accompany_check(x->site.s, x->site.a, &x->marc, x->inno.id, x->actor.slug, "",
                                     NOW, &errs, &rq),
                     ACCOMPANY_OK);
    json_t *f = test_site_fields(&x->site, "innovation", inno_fields("Une innovation"));
    long long revisions = test_site_count(&x->site, "SELECT count(*) FROM revisions");
    struct entry_save sv = {.kind = kind_find("innovation"),
                            .slug = x->inno.slug,
                            .base_rev = 1,
                            .fields = f,
                            .author = x->marc,
                            .operator= true,
                            .comment = "test",
                            .now = NOW + 5,
                            .errs = &errs,
                            .with = accompany_write,
                            .with_arg = &rq};
    struct entry_saved saved;
    assert_int_equal(entry_save(x->site.s, x->site.a, &sv, &saved), ENTRY_OK);
    json_decref(f);
    assert_int_equal(saved.rev, 1);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM revisions"), revisions);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM accompaniments WHERE entry_id = %lld AND actor_id = %lld AND "
             "mediator_id = %lld AND invite_hash IS NULL",
             x->inno.id, x->actor.id, x->marc.user_id);
    assert_int_equal(test_site_count(&x->site, sql), 1);
}

static void test_refused_writes_nothing(void **state)
{
    struct site *x = *state;
    struct accompany_request rq = checked(x, &x->alice, x->actor.slug, "yann@exemple.org");
    long long entries = test_site_count(&x->site, "SELECT count(*) FROM entries");
    long long revisions = test_site_count(&x->site, "SELECT count(*) FROM revisions");
    long long mails = test_site_count(&x->site, "SELECT count(*) FROM outbox");
    /* The actor withdrawn between the check and the save: the whole save is refused. */
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE entries SET hidden = 2 WHERE id = %lld", x->actor.id);
    assert_int_equal(sqlite3_exec(x->site.s->db, sql, NULL, NULL, NULL), SQLITE_OK);
    struct entry e;
    assert_int_equal(save_with(x, &x->alice, "Une fiche refusée", &rq, &e), ENTRY_INVALID);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM entries"), entries);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM revisions"), revisions);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM outbox"), mails);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM accompaniments"), 0);
}

/* An accompaniment of entry by mediator for actor with an invitation of a known token. */
static void invite(struct site *x, long long entry, long long actor, const struct viewer *mediator,
                   const char *token, long long expires)
{
    unsigned char hash[32];
    account_hash_token(token, hash);
    assert_int_equal(store_accompany_insert(x->site.s, entry, actor, mediator->user_id, NOW, hash,
                                            "p@exemple.org", expires),
                     STORE_OK);
}

#define TOKEN_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define TOKEN_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define TOKEN_D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define TOKEN_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static void test_ticket_and_take(void **state)
{
    struct site *x = *state;
    struct store *s = x->site.s;
    struct arena *a = x->site.a;
    struct entry e1 =
        test_site_save(&x->site, "innovation", inno_fields("Fiche un"), x->alice, NOW);
    struct entry e2 =
        test_site_save(&x->site, "innovation", inno_fields("Fiche deux"), x->alice, NOW);
    struct entry e3 =
        test_site_save(&x->site, "innovation", inno_fields("Fiche trois"), x->alice, NOW);
    invite(x, e1.id, x->bare.id, &x->alice, TOKEN_A, NOW + 100);
    invite(x, e2.id, x->bare.id, &x->alice, TOKEN_B, NOW + 100);
    invite(x, e3.id, x->bare.id, &x->alice, TOKEN_C, NOW + 100);
    struct accompany_ticket t;
    assert_int_equal(accompany_ticket(s, a, &viewer_public, TOKEN_A, NOW, &t), ACCOMPANY_OK);
    assert_string_equal(t.mediator, "Alice");
    assert_string_equal(t.entry_title, "Fiche un");
    assert_string_equal(t.actor_title, "Collectif des Abers");
    /* Unknown, malformed. */
    assert_int_equal(accompany_ticket(s, a, &viewer_public, TOKEN_A "a", NOW, &t),
                     ACCOMPANY_NOTFOUND);
    assert_int_equal(accompany_ticket(s, a, &viewer_public,
                                      "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
                                      "eeee",
                                      NOW, &t),
                     ACCOMPANY_NOTFOUND);
    assert_int_equal(accompany_ticket(s, a, &viewer_public, NULL, NOW, &t), ACCOMPANY_NOTFOUND);
    /* Anonymous: no taking over. */
    assert_int_equal(accompany_take(s, a, &viewer_public, TOKEN_A, NOW, &t), ACCOMPANY_FORBIDDEN);
    /* Taken once: Chloé manages the record (not the actor's: its managers give that), and is
     * its author now. */
    assert_int_equal(accompany_take(s, a, &x->chloe, TOKEN_A, NOW + 1, &t), ACCOMPANY_OK);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM entry_managers WHERE user_id = %lld AND entry_id IN (%lld, "
             "%lld)",
             x->chloe.user_id, e1.id, x->bare.id);
    assert_int_equal(test_site_count(&x->site, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM accompaniments WHERE entry_id = %lld AND taken_by = %lld AND "
             "taken_at = %lld AND invite_email IS NULL",
             e1.id, x->chloe.user_id, NOW + 1);
    assert_int_equal(test_site_count(&x->site, sql), 1);
    const char **names;
    int n;
    struct accompany_credit c;
    assert_int_equal(entry_authors(s, a, &e1, &names, &n), ENTRY_OK);
    assert_int_equal(accompany_credit(s, a, &e1, names, n, &c), ACCOMPANY_OK);
    assert_int_equal(c.nauthors, 1);
    assert_string_equal(c.authors[0], "Chloé");
    assert_string_equal(c.mediator, "Alice");
    assert_true(c.taken_at > 0);
    assert_int_equal(accompany_take(s, a, &x->bruno, TOKEN_A, NOW + 2, &t), ACCOMPANY_USED);
    assert_int_equal(accompany_ticket(s, a, &viewer_public, TOKEN_A, NOW + 2, &t), ACCOMPANY_USED);
    /* Expired. */
    assert_int_equal(accompany_ticket(s, a, &viewer_public, TOKEN_B, NOW + 100, &t),
                     ACCOMPANY_EXPIRED);
    assert_int_equal(accompany_take(s, a, &x->bruno, TOKEN_B, NOW + 100, &t), ACCOMPANY_EXPIRED);
    /* Withdrawn: open, but the record is not named to whoever could not see it. */
    snprintf(sql, sizeof sql, "UPDATE entries SET hidden = 2 WHERE id = %lld", e3.id);
    assert_int_equal(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(accompany_ticket(s, a, &viewer_public, TOKEN_C, NOW, &t), ACCOMPANY_OK);
    assert_null(t.entry_slug);
    assert_null(t.entry_title);
    assert_int_equal(accompany_ticket(s, a, &x->marc, TOKEN_C, NOW, &t), ACCOMPANY_OK);
    assert_non_null(t.entry_slug); /* a moderator sees it anyway */
    /* Deleted: gone, for everyone. */
    snprintf(sql, sizeof sql, "UPDATE entries SET deleted = 1 WHERE id = %lld", e3.id);
    assert_int_equal(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(accompany_ticket(s, a, &x->marc, TOKEN_C, NOW, &t), ACCOMPANY_GONE);
    assert_int_equal(accompany_take(s, a, &x->chloe, TOKEN_C, NOW, &t), ACCOMPANY_GONE);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM entry_managers WHERE user_id = %lld AND entry_id = %lld",
             x->chloe.user_id, e3.id);
    assert_int_equal(test_site_count(&x->site, sql), 0);

    /* The exports: the mediator's three, Chloé's one taken over. */
    json_t *mine = accompany_export(s, a, x->alice.user_id);
    assert_int_equal(json_array_size(mine), 3);
    json_decref(mine);
    json_t *hers = accompany_export(s, a, x->chloe.user_id);
    assert_int_equal(json_array_size(hers), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(hers, 0), "role")),
                        "taken_over");
    assert_null(json_object_get(json_array_get(hers, 0), "invited_email"));
    json_decref(hers);

    /* The mediator's account deleted: their open invitations die, the addresses go. */
    struct entry e4 =
        test_site_save(&x->site, "innovation", inno_fields("Fiche quatre"), x->alice, NOW);
    invite(x, e4.id, x->bare.id, &x->alice, TOKEN_D, NOW + 1000);
    assert_int_equal(store_user_forget_activity(s, x->alice.user_id, NOW), STORE_OK);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM accompaniments WHERE "
                                               "invite_email IS NOT NULL"),
                     0);
    assert_int_equal(accompany_ticket(s, a, &viewer_public, TOKEN_D, NOW, &t), ACCOMPANY_EXPIRED);
}

int main(void)
{
    if (account_init() != 0)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        S(test_check),
        S(test_write_and_credit),
        S(test_edit_without_change),
        S(test_refused_writes_nothing),
        S(test_ticket_and_take),
    };
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
