/* test_workshop.c — unit tests of workshops (core/workshop.c and the mediators' part of
 * core/moderation.c): who may make a batch and the checks of its fields; tokens of the right
 * shape, distinct, stored only as their BLAKE2b hash; a link's states (open, used once, expired
 * at its batch's end, revoked by its mediator only, worthless once its mediator is blocked); the
 * account opened through a link (active, its sponsor and batch); and the one decision path: a
 * mediator approves and rejects the pending texts of their participants, never anyone else's,
 * and the moderation log names them. */
#include "site_fixture.h"

#include "core/moderation.h"
#include "core/workshop.h"
#include <sodium.h>

#define NOW 1800000000LL

struct site {
    struct test_site site;
    struct viewer alice, bruno, chloe;
};

static int site_setup(void **state)
{
    if (test_site_setup(state, sizeof(struct site), "workshop") != 0)
        return -1;
    struct site *x = *state;
    x->alice = (struct viewer){test_site_account(&x->site, "alice@exemple.org", "Alice", "trusted"),
                               ROLE_TRUSTED};
    x->bruno = (struct viewer){test_site_account(&x->site, "bruno@exemple.org", "Bruno", "trusted"),
                               ROLE_TRUSTED};
    x->chloe = (struct viewer){
        test_site_account(&x->site, "chloe@exemple.org", "Chloé", "contributor"), ROLE_CONTRIBUTOR};
    return 0;
}

static const char **batch(struct site *x, const struct viewer *v, int count, int days,
                          struct workshop *w)
{
    struct field_errors errs = {0};
    const char **tokens = NULL;
    assert_int_equal(workshop_create(x->site.s, x->site.a, v, "Atelier de Lannilis", count, days,
                                     NOW, &errs, w, &tokens),
                     WORKSHOP_OK);
    return tokens;
}

static struct registration_env env_at(long long now)
{
    return (struct registration_env){
        .ip = "192.0.2.7", .base_url = "http://x", .site_name = "foison", .now = now};
}

static int join(struct site *x, const char *token, const char *email, long long now)
{
    struct registration_env env = env_at(now);
    struct field_errors errs = {0};
    long wait = 0;
    char session[ACCOUNT_TOKEN_LEN + 1], csrf[ACCOUNT_TOKEN_LEN + 1];
    return workshop_join(x->site.s, x->site.a, &env, token, "Participant", email,
                         "une phrase assez longue", &errs, &wait, session, csrf);
}

static void test_create_checks(void **state)
{
    struct site *x = *state;
    struct field_errors errs = {0};
    struct workshop w;
    const char **tokens;
    assert_int_equal(
        workshop_create(x->site.s, x->site.a, &x->chloe, "Atelier", 3, 30, NOW, &errs, &w, &tokens),
        WORKSHOP_FORBIDDEN);
    assert_int_equal(workshop_create(x->site.s, x->site.a, &viewer_public, "Atelier", 3, 30, NOW,
                                     &errs, &w, &tokens),
                     WORKSHOP_FORBIDDEN);
    assert_int_equal(
        workshop_create(x->site.s, x->site.a, &x->alice, " ", 0, 91, NOW, &errs, &w, &tokens),
        WORKSHOP_INVALID);
    assert_int_equal(errs.n, 3);
    assert_string_equal(errs.e[0].field, "title");
    assert_string_equal(errs.e[1].field, "count");
    assert_string_equal(errs.e[2].field, "days");
    errs = (struct field_errors){0};
    assert_int_equal(workshop_create(x->site.s, x->site.a, &x->alice, "Titre\nsur deux lignes", 51,
                                     1, NOW, &errs, &w, &tokens),
                     WORKSHOP_INVALID);
    assert_int_equal(errs.n, 2);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM workshops"), 0);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM workshop_links"), 0);
}

static void test_tokens_hashed(void **state)
{
    struct site *x = *state;
    struct workshop w;
    const char **tokens = batch(x, &x->alice, 50, 30, &w);
    assert_int_equal(w.open, 50);
    assert_int_equal(w.expires, NOW + 30 * 86400LL);
    for (int i = 0; i < 50; i++) {
        assert_true(workshop_token_shape(tokens[i]));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(tokens[i], tokens[j]);
        /* Stored as the hash of sessions and API tokens, and never as itself. */
        unsigned char hash[32];
        account_hash_token(tokens[i], hash);
        char hex[65], sql[256];
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM workshop_links WHERE hex(token_hash) = upper('%s')", hex);
        assert_int_equal(test_site_count(&x->site, sql), 1);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM workshop_links WHERE instr(token_hash, '%s') > 0",
                 tokens[i]);
        assert_int_equal(test_site_count(&x->site, sql), 0);
    }
    assert_false(workshop_token_shape("abcdefghijkmnpqrstuvwxyz2"));   /* too short */
    assert_false(workshop_token_shape("abcdefghijkmnpqrstuvwxyz231")); /* too long */
    assert_false(workshop_token_shape("abcdefghijklmnpqrstuvwxyz2"));  /* an l */
    assert_false(workshop_token_shape("ABCDEFGHIJKMNPQRSTUVWXYZ23"));
    assert_false(workshop_token_shape(NULL));
}

static void test_once_and_expiry(void **state)
{
    struct site *x = *state;
    struct workshop w;
    const char **tokens = batch(x, &x->alice, 3, 2, &w);
    struct workshop_ticket t;
    long wait;
    assert_int_equal(workshop_ticket(x->site.s, x->site.a, tokens[0], "192.0.2.7", NOW, &t, &wait),
                     WORKSHOP_OK);
    assert_string_equal(t.title, "Atelier de Lannilis");
    assert_string_equal(t.mediator, "Alice");
    /* One changed character is another, unknown, link. */
    char other[WORKSHOP_TOKEN_LEN + 1];
    memcpy(other, tokens[0], sizeof other);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    assert_int_equal(workshop_ticket(x->site.s, x->site.a, other, "192.0.2.7", NOW, &t, &wait),
                     WORKSHOP_NOTFOUND);
    assert_int_equal(join(x, other, "p0@exemple.org", NOW), WORKSHOP_NOTFOUND);
    /* Used once. */
    assert_int_equal(join(x, tokens[0], "p1@exemple.org", NOW + 10), WORKSHOP_OK);
    assert_int_equal(join(x, tokens[0], "p2@exemple.org", NOW + 20), WORKSHOP_USED);
    assert_int_equal(workshop_ticket(x->site.s, x->site.a, tokens[0], "192.0.2.7", NOW, &t, &wait),
                     WORKSHOP_USED);
    assert_int_equal(
        test_site_count(&x->site, "SELECT count(*) FROM users WHERE email = 'p2@exemple.org'"), 0);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM users WHERE email = 'p1@exemple.org' AND status = 'active'"
             " AND role = 'contributor' AND sponsor_id = %lld AND workshop_id = %lld",
             x->alice.user_id, w.id);
    assert_int_equal(test_site_count(&x->site, sql), 1);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM outbox"
                                               " WHERE recipient = 'p1@exemple.org'"),
                     1);
    /* Expired at the batch's end, to the second. */
    long long end = NOW + 2 * 86400LL;
    assert_int_equal(
        workshop_ticket(x->site.s, x->site.a, tokens[1], "192.0.2.7", end - 1, &t, &wait),
        WORKSHOP_OK);
    assert_int_equal(workshop_ticket(x->site.s, x->site.a, tokens[1], "192.0.2.7", end, &t, &wait),
                     WORKSHOP_EXPIRED);
    assert_int_equal(t.expires, end);
    assert_int_equal(join(x, tokens[1], "p3@exemple.org", end), WORKSHOP_EXPIRED);
    assert_int_equal(join(x, tokens[2], "p4@exemple.org", end - 1), WORKSHOP_OK);
}

static void test_revoke(void **state)
{
    struct site *x = *state;
    struct workshop w, got;
    const char **tokens = batch(x, &x->alice, 3, 30, &w);
    int n;
    struct workshop_link *links;
    assert_int_equal(join(x, tokens[0], "r1@exemple.org", NOW), WORKSHOP_OK);
    /* Another mediator neither sees nor revokes it. */
    assert_int_equal(workshop_get(x->site.s, x->site.a, &x->bruno, w.id, &got, &links, &n),
                     WORKSHOP_NOTFOUND);
    assert_int_equal(workshop_revoke(x->site.s, x->site.a, &x->bruno, w.id, 0, NOW, &n),
                     WORKSHOP_NOTFOUND);
    assert_int_equal(workshop_get(x->site.s, x->site.a, &x->alice, w.id, &got, &links, &n),
                     WORKSHOP_OK);
    assert_int_equal(n, 3);
    assert_string_equal(links[0].state, "used");
    assert_string_equal(links[0].participant, "Participant");
    /* One link, then the rest; a used one stays used. */
    assert_int_equal(workshop_revoke(x->site.s, x->site.a, &x->alice, w.id, links[1].id, NOW, &n),
                     WORKSHOP_OK);
    assert_int_equal(n, 1);
    struct workshop_ticket t;
    long wait;
    assert_int_equal(workshop_ticket(x->site.s, x->site.a, tokens[1], "192.0.2.8", NOW, &t, &wait),
                     WORKSHOP_REVOKED);
    assert_int_equal(workshop_ticket(x->site.s, x->site.a, tokens[2], "192.0.2.8", NOW, &t, &wait),
                     WORKSHOP_OK);
    assert_int_equal(workshop_revoke(x->site.s, x->site.a, &x->alice, w.id, 0, NOW, &n),
                     WORKSHOP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(join(x, tokens[2], "r3@exemple.org", NOW), WORKSHOP_REVOKED);
    assert_int_equal(workshop_ticket(x->site.s, x->site.a, tokens[0], "192.0.2.8", NOW, &t, &wait),
                     WORKSHOP_USED);
    /* A blocked mediator vouches for nobody. */
    const char **more = batch(x, &x->bruno, 1, 30, &w);
    assert_int_equal(store_user_set_status(x->site.s, x->bruno.user_id, "blocked"), STORE_OK);
    assert_int_equal(join(x, more[0], "r4@exemple.org", NOW), WORKSHOP_REVOKED);
}

/* A pending innovation by the account id (saved by the operator in its name). */
static struct entry pending_by(struct site *x, long long id, const char *title)
{
    return test_site_save(&x->site, "innovation",
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", title, "summary",
                                    "Un résumé.", "description", "Un texte écrit en atelier.",
                                    "themes", "numerique", "commune", "29019", "license",
                                    "CC-BY-SA-4.0"),
                          test_site_contributor(id), NOW);
}

static long long pending_rev(struct site *x, long long entry_id)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT id FROM revisions WHERE entry_id = %lld AND state = 'pending'", entry_id);
    return test_site_count(&x->site, sql);
}

static void test_mediator_decides(void **state)
{
    struct site *x = *state;
    struct workshop w;
    const char **tokens = batch(x, &x->alice, 1, 30, &w);
    assert_int_equal(join(x, tokens[0], "yann@exemple.org", NOW), WORKSHOP_OK);
    long long yann;
    assert_int_equal(account_id_by_email(x->site.s, x->site.a, "yann@exemple.org", &yann), 0);
    struct entry mine = pending_by(x, yann, "Écrivains publics des Abers");
    struct entry theirs = pending_by(x, x->chloe.user_id, "Fiche de Chloé");
    long long r1 = pending_rev(x, mine.id), r2 = pending_rev(x, theirs.id);
    /* The mediator's queue: their participant's text only. */
    struct moderation_item *items;
    int n, total;
    assert_int_equal(
        moderation_queue_sponsored(x->site.s, x->site.a, &x->alice, 1, 20, &items, &n, &total),
        MODERATION_OK);
    assert_int_equal(total, 1);
    assert_int_equal(items[0].revision_id, r1);
    assert_string_equal(items[0].title, "Écrivains publics des Abers");
    assert_int_equal(
        moderation_queue_sponsored(x->site.s, x->site.a, &x->bruno, 1, 20, &items, &n, &total),
        MODERATION_OK);
    assert_int_equal(total, 0);
    assert_int_equal(
        moderation_queue_sponsored(x->site.s, x->site.a, &x->chloe, 1, 20, &items, &n, &total),
        MODERATION_FORBIDDEN);
    /* Nobody else's. */
    assert_int_equal(moderation_approve(x->site.s, x->site.a, &x->bruno, r1, "", NOW),
                     MODERATION_FORBIDDEN);
    assert_int_equal(moderation_approve(x->site.s, x->site.a, &x->chloe, r1, "", NOW),
                     MODERATION_FORBIDDEN);
    assert_int_equal(moderation_approve(x->site.s, x->site.a, &x->alice, r2, "", NOW),
                     MODERATION_FORBIDDEN);
    assert_int_equal(moderation_reject(x->site.s, x->site.a, &x->alice, r2, "", NOW),
                     MODERATION_FORBIDDEN);
    assert_int_equal(test_site_count(&x->site, "SELECT count(*) FROM moderation_log"), 0);
    /* Their own participant's: through the one decision, logged under their name. */
    assert_int_equal(moderation_approve(x->site.s, x->site.a, &x->alice, r1, "relu ensemble", NOW),
                     MODERATION_OK);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM moderation_log WHERE action = 'approve' AND moderator_id = %lld"
             " AND target_user_id = %lld AND reason = 'relu ensemble'",
             x->alice.user_id, yann);
    assert_int_equal(test_site_count(&x->site, sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM entries WHERE id = %lld AND published_rev = 1",
             mine.id);
    assert_int_equal(test_site_count(&x->site, sql), 1);
    assert_int_equal(moderation_approve(x->site.s, x->site.a, &x->alice, r1, "", NOW),
                     MODERATION_NOTFOUND);
    /* A mediator no longer trusted decides nothing. */
    struct entry again = pending_by(x, yann, "Deuxième texte");
    long long r3 = pending_rev(x, again.id);
    assert_int_equal(store_user_set_role(x->site.s, x->alice.user_id, "contributor"), STORE_OK);
    assert_int_equal(moderation_reject(x->site.s, x->site.a, &x->alice, r3, "", NOW),
                     MODERATION_FORBIDDEN);
    assert_int_equal(store_user_set_role(x->site.s, x->alice.user_id, "trusted"), STORE_OK);
    assert_int_equal(moderation_reject(x->site.s, x->site.a, &x->alice, r3, "", NOW),
                     MODERATION_OK);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM revisions WHERE id = %lld AND state = 'rejected'", r3);
    assert_int_equal(test_site_count(&x->site, sql), 1);
}

int main(void)
{
    if (account_init() != 0)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        S(test_create_checks), S(test_tokens_hashed),    S(test_once_and_expiry),
        S(test_revoke),        S(test_mediator_decides),
    };
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
