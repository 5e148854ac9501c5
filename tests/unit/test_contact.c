/* test_contact.c — the contact form's rules (core/contact.c) over a real site file: which kinds
 * take messages (from the schema), which records (published, not hidden, with an address), the
 * mail queued (To the record's address, Reply-To the sender, the subject and the text), the
 * refusals that write nothing (bad input, the hidden field, a form too fast or unstamped, spam,
 * above the hold threshold too), the limits per address, per sender and per record, and the
 * removal of an address that closes the form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/contact.h"
#include "core/entry.h"
#include "core/outbox.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/outbox_store.h"
#include "store/store.h"
#include "util/arena.h"
#include "site_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1700000000LL

static int site_setup(void **state)
{
    if (test_site_setup(state, sizeof(struct test_site), "contact") != 0)
        return -1;
    struct test_site *x = *state;
    /* The throttle tables live as long as the process and entry ids start again at 1 in each
     * site: the per-record limit stays off but where it is tested. */
    return store_setting_set(x->s, "rate_contact_entry", "0") == STORE_OK ? 0 : -1;
}

/* An actor published by the operator, with address as its contact (NULL: none). */
static struct entry actor(struct test_site *x, const char *title, const char *address)
{
    json_t *in = json_pack("{s:s, s:s, s:s}", "title", title, "summary", "Une association.",
                           "license", "CC-BY-SA-4.0");
    if (address)
        json_object_set_new(in, "contact_email", json_string(address));
    return test_site_save(x, "actor", in, viewer_operator, NOW);
}

/* The last mail queued: its recipient and message, in the arena. */
static void last_mail(struct test_site *x, const char **to, const char **message)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(x->s->db,
                                        "SELECT recipient, message FROM outbox ORDER BY id DESC",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *to = arena_strdup(x->a, (const char *)sqlite3_column_text(st, 0));
    *message = arena_strdup(x->a, (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
}

static struct contact_message anonymous(const char *ip, const char *email)
{
    return (struct contact_message){
        .name = "Gwenaëlle Le Bris",
        .email = email,
        .subject = "Prêt de vélos",
        .text = "Bonjour,\r\n\r\nnous voudrions emprunter trois vélos cargo pour la fête du "
                "quartier. Est-ce possible ?\r\n\r\nMerci.",
        .form_age = 30,
        .ip = ip,
        .base_url = "https://foison.example",
        .site_name = "Réseau",
        .now = NOW,
    };
}

static int send(struct test_site *x, const struct entry *e, const struct contact_message *m,
                struct field_errors *errs, long *wait)
{
    memset(errs, 0, sizeof(*errs));
    return contact_send(x->s, x->a, e, m, errs, wait);
}

static void test_kinds(void **state)
{
    (void)state;
    static const char *const with[] = {"actor", "place", "network"};
    for (size_t i = 0; i < 3; i++) {
        const struct field_def *f = contact_field(kind_find(with[i]));
        assert_non_null(f);
        assert_string_equal(f->name, "contact_email");
    }
    assert_null(contact_field(kind_find("innovation")));
    assert_null(contact_field(kind_find("article")));
    assert_null(contact_field(NULL));
}

static void test_send(void **state)
{
    struct test_site *x = *state;
    struct entry e = actor(x, "Vélo Partage", "velo@exemple.org");
    struct entry none = actor(x, "Sans adresse", NULL);
    assert_true(contact_open(x->s, x->a, &e));
    assert_false(contact_open(x->s, x->a, &none));
    struct field_errors errs;
    long wait;
    struct contact_message m = anonymous("192.0.2.1", "gwen@exemple.net");
    assert_int_equal(send(x, &none, &m, &errs, &wait), CONTACT_NOTFOUND);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal(send(x, &e, &m, &errs, &wait), CONTACT_OK);
    const char *to, *msg;
    last_mail(x, &to, &msg);
    assert_string_equal(to, "velo@exemple.org");
    assert_non_null(strstr(msg, "\r\nTo: <velo@exemple.org>\r\n"));
    assert_non_null(strstr(msg, "\r\nReply-To: <gwen@exemple.net>\r\n"));
    assert_non_null(strstr(msg, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_null(strstr(msg, "multipart"));
    /* The subject, as RFC 2047 encodes it. */
    char *subject = outbox_header_encode(
        x->a, "[Réseau] Message via la fiche «\u202fVélo Partage\u202f»\u202f: Prêt de vélos");
    assert_non_null(strstr(msg, subject));
    /* The sender's account deleted: the mails it sent go too (store_outbox_forget). */
    assert_int_equal(store_outbox_forget(x->s, "autre@exemple.net"), STORE_OK);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM outbox"), 1);
    assert_int_equal(store_outbox_forget(x->s, "GWEN@exemple.net"), STORE_OK);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM outbox"), 0);
}

static void test_refused(void **state)
{
    struct test_site *x = *state;
    struct entry e = actor(x, "Vélo Partage", "velo@exemple.org");
    struct field_errors errs;
    long wait;
    struct contact_message m = anonymous("192.0.2.2", "yann@exemple.net");
    struct contact_message bad = m;
    bad.name = "  ";
    bad.email = "pas une adresse";
    bad.subject = "Deux\nlignes";
    bad.text = "";
    assert_int_equal(send(x, &e, &bad, &errs, &wait), CONTACT_INVALID);
    assert_non_null(validate_error_for(&errs, "name"));
    assert_non_null(validate_error_for(&errs, "email"));
    assert_non_null(validate_error_for(&errs, "subject"));
    assert_non_null(validate_error_for(&errs, "text"));
    bad = m;
    bad.email = "a@b.fr\r\nBcc: victime@exemple.net";
    assert_int_equal(send(x, &e, &bad, &errs, &wait), CONTACT_INVALID);
    assert_non_null(validate_error_for(&errs, "email"));
    bad = m;
    bad.trap = "https://spam.example";
    assert_int_equal(send(x, &e, &bad, &errs, &wait), CONTACT_INVALID);
    assert_non_null(strstr(validate_error_for(&errs, "_"), "robot"));
    bad = m;
    bad.form_age = -1;
    assert_int_equal(send(x, &e, &bad, &errs, &wait), CONTACT_INVALID);
    assert_non_null(strstr(validate_error_for(&errs, "_"), "expiré"));
    bad.form_age = CONTACT_MIN_SECONDS - 1;
    assert_int_equal(send(x, &e, &bad, &errs, &wait), CONTACT_INVALID);
    assert_non_null(strstr(validate_error_for(&errs, "_"), "trop vite"));
    bad.form_age = CONTACT_MIN_SECONDS;
    bad.text = "Casino jackpot : viagra et cialis pas cher, https://casino-bonus.example/a";
    assert_int_equal(send(x, &e, &bad, &errs, &wait), CONTACT_INVALID);
    assert_non_null(strstr(validate_error_for(&errs, "text"), "spam"));
    /* Above spam_hold (50) and under spam_refuse: refused as well; a hold at 0 does not refuse
     * everything. */
    bad.text = "Hello, we are the best online service for you and your team, click here now.";
    assert_int_equal(send(x, &e, &bad, &errs, &wait), CONTACT_INVALID);
    assert_non_null(strstr(validate_error_for(&errs, "text"), "anglais"));
    assert_int_equal(store_setting_set(x->s, "spam_hold", "0"), STORE_OK);
    assert_int_equal(send(x, &e, &bad, &errs, &wait), CONTACT_OK);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM outbox"), 1);
}

static void test_limits(void **state)
{
    struct test_site *x = *state;
    struct entry e = actor(x, "Vélo Partage", "velo@exemple.org");
    struct field_errors errs;
    long wait;
    /* Refusals of the input count for nothing. */
    struct contact_message m = anonymous("192.0.2.3", "a@exemple.net");
    m.subject = "";
    for (int i = 0; i < 10; i++)
        assert_int_equal(send(x, &e, &m, &errs, &wait), CONTACT_INVALID);
    m = anonymous("192.0.2.3", NULL);
    char email[64];
    for (int i = 0; i < CONTACT_RATE_SENDER_DEFAULT; i++) {
        snprintf(email, sizeof email, "voisin%d@exemple.net", i);
        m.email = email;
        assert_int_equal(send(x, &e, &m, &errs, &wait), CONTACT_OK);
    }
    m.email = "voisin9@exemple.net";
    assert_int_equal(send(x, &e, &m, &errs, &wait), CONTACT_LIMITED);
    /* the window slides by steps of a tenth: a wait may be one step longer (core/throttle.h) */
    assert_true(wait > 0 && wait <= CONTACT_RATE_WINDOW + CONTACT_RATE_WINDOW / 10);
    /* One sender from several addresses (its address in any case). */
    m = anonymous("192.0.2.4", "Voisine@exemple.net");
    char ip[32];
    for (int i = 0; i < CONTACT_RATE_SENDER_DEFAULT; i++) {
        snprintf(ip, sizeof ip, "192.0.2.%d", 10 + i);
        m.ip = ip;
        m.email = i % 2 ? "voisine@exemple.net" : "Voisine@exemple.net";
        assert_int_equal(send(x, &e, &m, &errs, &wait), CONTACT_OK);
    }
    m.ip = "192.0.2.30";
    assert_int_equal(send(x, &e, &m, &errs, &wait), CONTACT_LIMITED);
    /* Per record, over a day. */
    assert_int_equal(store_setting_set(x->s, "rate_contact_entry", "2"), STORE_OK);
    struct entry f = actor(x, "Jardin partagé", "jardin@exemple.org");
    for (int i = 0; i < 3; i++) {
        snprintf(ip, sizeof ip, "192.0.2.%d", 40 + i);
        snprintf(email, sizeof email, "jardinier%d@exemple.net", i);
        m = anonymous(ip, email);
        assert_int_equal(send(x, &f, &m, &errs, &wait), i < 2 ? CONTACT_OK : CONTACT_LIMITED);
    }
    assert_true(wait > CONTACT_RATE_WINDOW);
    assert_int_equal(store_setting_set(x->s, "rate_contact_entry", "0"), STORE_OK);
}

static void test_removed(void **state)
{
    struct test_site *x = *state;
    struct entry e = actor(x, "Vélo Partage", "velo@exemple.org");
    const struct kind_def *k = kind_find("actor");
    /* An edit that leaves the field empty keeps the address; one that asks removes it. */
    for (int removing = 0; removing < 2; removing++) {
        json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "title", "Vélo Partage", "summary",
                               removing ? "Une association." : "Une association de vélos.",
                               "license", "CC-BY-SA-4.0", "contact_email", "");
        struct field_errors errs = {0};
        json_t *f = validate_entry(x->a, k, x->t, in, false, &errs);
        json_decref(in);
        assert_non_null(f);
        static const char *const removed[] = {"contact_email", NULL};
        struct entry_save save = {.kind = k,
                                  .slug = e.slug,
                                  .base_rev = 1 + removing,
                                  .fields = f,
                                  .author = viewer_operator,
                                  .operator= true,
                                  .comment = "test",
                                  .now = NOW,
                                  .private_removed = removing ? removed : NULL};
        struct entry_saved out;
        assert_int_equal(entry_save(x->s, x->a, &save, &out), ENTRY_OK);
        json_decref(f);
        assert_int_equal(out.rev, 2 + removing);
        e = out.entry;
        assert_int_equal(contact_open(x->s, x->a, &e), !removing);
    }
    struct field_errors errs;
    long wait;
    struct contact_message m = anonymous("192.0.2.50", "tardif@exemple.net");
    assert_int_equal(send(x, &e, &m, &errs, &wait), CONTACT_NOTFOUND);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM outbox"), 0);
}

int main(void)
{
    if (account_init() != 0)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        S(test_send),
        S(test_refused),
        S(test_limits),
        S(test_removed),
    };
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
