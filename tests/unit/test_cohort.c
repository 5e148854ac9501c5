/* test_cohort.c — a training's sessions and their participants (core/cohort.c) over a real site
 * file: the operator's participants (an actor or a name, an innovation or a few words) and
 * their refusals, who organises a session (its managers, and those of the actors its training
 * names), applying and its refusals, the capacity, withdrawing, and the sessions of a training
 * as the visibility rule lets each viewer see them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/cohort.h"
#include "core/entry.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/store.h"
#include "store/user_store.h"
#include "util/arena.h"
#include "util/tz.h"
#include "site_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long NOW; /* 2027-01-15 10:00 in Paris */
static const struct cohort_env env = {"Réseau", "https://foison.example"};

struct site {
    struct test_site site; /* first: test_site_teardown frees the whole */
    long long organiser, applicant, other;
    struct entry coop, training, open, closed, inn, mine;
};

static long long user(struct site *x, const char *email, const char *name)
{
    return test_site_user(&x->site, email, name, "contributor", NOW);
}

/* An entry of kind with fields (a JSON text) saved by the operator in author's name. */
static struct entry save(struct site *x, const char *kind, const char *fields, long long author,
                         enum role role)
{
    json_t *in = json_loads(fields, 0, NULL);
    assert_non_null(in);
    json_object_set_new(in, "license", json_string("CC-BY-SA-4.0"));
    return test_site_save(&x->site, kind, in, (struct viewer){author, role}, NOW);
}

static int site_setup(void **state)
{
    if (test_site_setup(state, sizeof(struct site), "cohort") != 0)
        return -1;
    struct site *x = *state;
    x->organiser = user(x, "orga@exemple.org", "Organisatrice");
    x->applicant = user(x, "gwen@exemple.net", "Gwen Candidate");
    x->other = user(x, "yann@exemple.net", "Yann Autre");
    x->coop = save(x, "actor", "{\"title\": \"Coopérative\", \"summary\": \"Elle forme.\"}",
                   x->organiser, ROLE_TRUSTED);
    x->mine = save(x, "actor", "{\"title\": \"Tiers-lieu\", \"summary\": \"Un lieu.\"}",
                   x->applicant, ROLE_TRUSTED);
    char *json = arena_printf(x->site.a,
                              "{\"title\": \"Animacoop\", \"summary\": \"Cent heures.\","
                              " \"organised_by\": [\"%s\"]}",
                              x->coop.slug);
    x->training = save(x, "training", json, 0, ROLE_ADMIN);
    x->open = save(x, "cohort",
                   arena_printf(x->site.a,
                                "{\"title\": \"Printemps 2027\", \"summary\": \"Treize semaines.\","
                                " \"training\": [\"%s\"], \"starts\": \"2027-03-01\","
                                " \"ends\": \"2027-06-01\", \"applications\": \"ouvertes\","
                                " \"capacity\": 1}",
                                x->training.slug),
                   x->organiser, ROLE_TRUSTED);
    x->closed = save(x, "cohort",
                     arena_printf(x->site.a,
                                  "{\"title\": \"Printemps 2011\", \"summary\": \"La deuxième.\","
                                  " \"training\": [\"%s\"], \"starts\": \"2011-03-01\","
                                  " \"ends\": \"2011-06-01\", \"applications\": \"ouvertes\"}",
                                  x->training.slug),
                     x->organiser, ROLE_TRUSTED);
    x->inn = save(x, "innovation",
                  "{\"title\": \"Repair café\", \"summary\": \"On répare ensemble.\","
                  " \"description\": \"Chaque mois.\", \"themes\": [\"numerique\"],"
                  " \"commune\": \"29019\", \"status\": \"en-cours\"}",
                  0, ROLE_ADMIN);
    return 0;
}

static void test_operator(void **state)
{
    struct site *x = *state;
    long long id;
    assert_int_equal(cohort_participant_add(x->site.s, x->site.a, x->closed.id, x->coop.id, NULL,
                                            x->inn.id, NULL, NOW, &id),
                     COHORT_OK);
    assert_int_equal(cohort_participant_add(x->site.s, x->site.a, x->closed.id, 0, "Marie Dupont",
                                            0, "Un jardin partagé", NOW, NULL),
                     COHORT_OK);
    /* A participant and a project are needed; the ids must name what they say. */
    assert_int_equal(cohort_participant_add(x->site.s, x->site.a, x->closed.id, 0, NULL, x->inn.id,
                                            NULL, NOW, NULL),
                     COHORT_INVALID);
    assert_int_equal(cohort_participant_add(x->site.s, x->site.a, x->closed.id, x->coop.id, NULL, 0,
                                            "", NOW, NULL),
                     COHORT_INVALID);
    assert_int_equal(cohort_participant_add(x->site.s, x->site.a, x->closed.id, 0, "Deux\nlignes",
                                            0, "p", NOW, NULL),
                     COHORT_INVALID);
    assert_int_equal(cohort_participant_add(x->site.s, x->site.a, x->training.id, x->coop.id, NULL,
                                            x->inn.id, NULL, NOW, NULL),
                     COHORT_NOTFOUND);
    assert_int_equal(cohort_participant_add(x->site.s, x->site.a, x->closed.id, x->inn.id, NULL,
                                            x->inn.id, NULL, NOW, NULL),
                     COHORT_NOTFOUND);
    struct cohort_participant *p;
    int n;
    assert_int_equal(
        cohort_participants(x->site.s, x->site.a, &viewer_public, x->closed.id, &p, &n), COHORT_OK);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].actor.slug, x->coop.slug);
    assert_string_equal(p[0].project.slug, x->inn.slug);
    assert_null(p[1].actor.kind);
    assert_string_equal(p[1].name, "Marie Dupont");
    assert_string_equal(p[1].project_text, "Un jardin partagé");
    /* The training's sessions: the coming one, then the past one, by first day. */
    struct cohort_session *ss;
    assert_int_equal(
        cohort_sessions(x->site.s, x->site.a, &viewer_public, x->training.id, NOW, &ss, &n),
        COHORT_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ss[0].entry.slug, x->closed.slug);
    assert_true(ss[0].past);
    assert_false(ss[1].past);
}

static void test_apply(void **state)
{
    struct site *x = *state;
    struct viewer ap = test_site_contributor(x->applicant),
                  org = test_site_contributor(x->organiser),
                  other = test_site_contributor(x->other);
    assert_true(cohort_organises(x->site.s, x->site.a, &org, x->open.id));
    assert_false(cohort_organises(x->site.s, x->site.a, &ap, x->open.id));
    assert_true(cohort_open(x->site.s, x->site.a, &x->open, NOW));
    assert_false(cohort_open(x->site.s, x->site.a, &x->closed, NOW));
    struct field_errors errs = {0};
    long long id, id2;
    struct cohort_apply_in in = {.actor = x->mine.slug, .project = x->inn.slug, .message = "Privé"};
    assert_int_equal(
        cohort_apply(x->site.s, x->site.a, &ap, &x->closed, &in, &env, NOW, &errs, &id),
        COHORT_CLOSED);
    assert_int_equal(
        cohort_apply(x->site.s, x->site.a, &viewer_public, &x->open, &in, &env, NOW, &errs, &id),
        COHORT_FORBIDDEN);
    struct cohort_apply_in bad = {.actor = x->mine.slug, .project_text = "Un projet"};
    assert_int_equal(
        cohort_apply(x->site.s, x->site.a, &other, &x->open, &bad, &env, NOW, &errs, &id),
        COHORT_INVALID);
    assert_non_null(validate_error_for(&errs, "actor"));
    memset(&errs, 0, sizeof errs);
    assert_int_equal(cohort_apply(x->site.s, x->site.a, &ap, &x->open, &in, &env, NOW, &errs, &id),
                     COHORT_OK);
    memset(&errs, 0, sizeof errs);
    assert_int_equal(cohort_apply(x->site.s, x->site.a, &ap, &x->open, &in, &env, NOW, &errs, &id2),
                     COHORT_INVALID);
    assert_non_null(validate_error_for(&errs, "_"));
    memset(&errs, 0, sizeof errs);
    struct cohort_apply_in words = {.project_text = "Une grainothèque", .show_name = true};
    assert_int_equal(
        cohort_apply(x->site.s, x->site.a, &other, &x->open, &words, &env, NOW, &errs, &id2),
        COHORT_OK);
    /* Organisers only decide; one place. */
    assert_int_equal(cohort_decide(x->site.s, x->site.a, &ap, &x->open, id, "accepted", &env, NOW),
                     COHORT_FORBIDDEN);
    assert_int_equal(cohort_decide(x->site.s, x->site.a, &org, &x->open, id, "accepted", &env, NOW),
                     COHORT_OK);
    assert_int_equal(
        cohort_decide(x->site.s, x->site.a, &org, &x->open, id2, "accepted", &env, NOW),
        COHORT_FULL);
    assert_int_equal(cohort_decide(x->site.s, x->site.a, &org, &x->open, id2, "waiting", &env, NOW),
                     COHORT_OK);
    assert_int_equal(cohort_decide(x->site.s, x->site.a, &org, &x->open, id2, "waiting", &env, NOW),
                     COHORT_STATE);
    assert_int_equal(
        cohort_decide(x->site.s, x->site.a, &org, &x->closed, id2, "refused", &env, NOW),
        COHORT_NOTFOUND);
    assert_int_equal(
        cohort_decide(x->site.s, x->site.a, &org, &x->open, id2, "withdrawn", &env, NOW),
        COHORT_INVALID);
    struct cohort_application *l;
    int n;
    assert_int_equal(cohort_applications(x->site.s, x->site.a, &ap, &x->open, &l, &n),
                     COHORT_FORBIDDEN);
    assert_int_equal(cohort_applications(x->site.s, x->site.a, &org, &x->open, &l, &n), COHORT_OK);
    assert_int_equal(n, 2);
    assert_string_equal(l[0].message, "Privé");
    assert_string_equal(l[1].p.name, "Yann Autre");
    /* The applicant withdraws: a place is free for the one waiting. */
    assert_int_equal(cohort_withdraw(x->site.s, x->site.a, &other, &x->open, id, NOW),
                     COHORT_FORBIDDEN);
    assert_int_equal(cohort_withdraw(x->site.s, x->site.a, &ap, &x->open, id, NOW), COHORT_OK);
    assert_int_equal(
        cohort_decide(x->site.s, x->site.a, &org, &x->open, id2, "accepted", &env, NOW), COHORT_OK);
    struct cohort_participant *p;
    assert_int_equal(cohort_participants(x->site.s, x->site.a, &viewer_public, x->open.id, &p, &n),
                     COHORT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].project_text, "Une grainothèque");
}

int main(void)
{
    if (account_init() != 0 || tz_parse_local("2027-01-15T10:00", &NOW) != TZ_OK)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {S(test_operator), S(test_apply)};
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
