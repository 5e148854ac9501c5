/* test_attendance.c — registrations to events (core/attendance.c) over a real site file: seats
 * within the capacity then the waiting list in order of id, its bound, the refusals (past,
 * closed, not on this site, twice the same address, bad input), the links of the mails (confirm,
 * cancel) and their .ics, promotion of the first person waiting when a seat frees (cancellation,
 * expiry of an unconfirmed guest, capacity raised), the save path refusing a capacity below the
 * seats held, the organisers' rights, and no overbooking with 50 threads each on its own
 * connection for 10 seats. Also outbox_compose with an attachment (multipart/mixed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/account.h"
#include "core/attendance.h"
#include "core/chores.h"
#include "core/entry.h"
#include "core/outbox.h"
#include "core/territory.h"
#include "core/validate.h"
#include "store/agenda_store.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "site_fixture.h"
#include <sodium.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1900000000LL    /* 2030-03-17 */
#define START (NOW + 86400) /* the next day */
#define SECOND (NOW + 8 * 86400)

static int site_setup(void **state)
{
    if (test_site_setup(state, sizeof(struct test_site), "attendance") != 0)
        return -1;
    struct test_site *x = *state;
    test_site_account(x, "orga@exemple.org", "Organisatrice", "trusted");
    test_site_account(x, "autre@exemple.org", "Autre Personne", "trusted");
    return 0;
}

static struct user user_of(struct test_site *x, const char *email)
{
    long long id;
    assert_int_equal(account_id_by_email(x->s, x->a, email, &id), 0);
    return (struct user){.id = id, .email = email, .name = "?", .role = "trusted"};
}

/* Saves an event (a new one when slug is NULL) by author (NULL: the operator); capacity -1:
 * none. The return code of the save. */
static int event_save(struct test_site *x, const char *slug, int base, long long capacity,
                      const char *registration, const struct user *author, struct entry *out,
                      struct field_errors *errs)
{
    json_t *in = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "title", "Atelier de réparation",
                           "summary", "On répare ensemble.", "start", (json_int_t)START, "end",
                           (json_int_t)(START + 7200), "registration", registration, "license",
                           "CC-BY-SA-4.0");
    if (capacity > 0)
        json_object_set_new(in, "capacity", json_integer(capacity));
    json_t *f = test_site_fields(x, "event", in);
    struct field_errors local = {0};
    struct entry_save save = {.kind = kind_find("event"),
                              .slug = slug,
                              .base_rev = base,
                              .fields = f,
                              .author = author ? viewer_of(author) : viewer_operator,
                              .operator= author == NULL,
                              .comment = "test",
                              .now = NOW,
                              .errs = errs ? errs : &local};
    struct entry_saved saved;
    int rc = entry_save(x->s, x->a, &save, &saved);
    json_decref(f);
    if (rc == ENTRY_OK && out)
        *out = saved.entry;
    return rc;
}

static struct entry event(struct test_site *x, long long capacity)
{
    struct user orga = user_of(x, "orga@exemple.org");
    struct entry e;
    assert_int_equal(event_save(x, NULL, 0, capacity, "site", &orga, &e, NULL), ENTRY_OK);
    return e;
}

static struct attendance_env env_at(long long now)
{
    return (struct attendance_env){.base_url = "http://x", .site_name = "Essai", .now = now};
}

static int guest(struct test_site *x, const struct entry *e, const char *email,
                 long long occurrence, struct attendance_item *out, struct field_errors *errs)
{
    struct attendance_env env = env_at(NOW);
    long wait;
    memset(errs, 0, sizeof(*errs));
    return attendance_register(x->s, x->a, &env, e, NULL, "Invitée Test", email, occurrence, errs,
                               out, &wait);
}

/* The last mail queued to `to`, decoded: its bodies in base64 are decoded by a tiny reader. */
static const char *last_message(struct test_site *x, const char *to)
{
    sqlite3_stmt *st = NULL;
    const char *m = NULL;
    assert_int_equal(sqlite3_prepare_v2(x->s->db,
                                        "SELECT message FROM outbox WHERE recipient = ?1"
                                        " ORDER BY id DESC LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        m = arena_strdup(x->a, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return m;
}

/* The base64 parts of a message decoded and joined (what a reader sees of its bodies). */
static const char *decoded(struct test_site *x, const char *message)
{
    struct buf out = BUF_INIT;
    const char *p = message;
    while ((p = strstr(p, "base64\r\n\r\n"))) {
        p += 10;
        const char *end = strstr(p, "\r\n--");
        if (!end)
            break;
        char *clean = arena_alloc(x->a, (size_t)(end - p) + 1);
        size_t k = 0;
        for (const char *q = p; q < end; q++)
            if (*q != '\r' && *q != '\n')
                clean[k++] = *q;
        unsigned char *bin = arena_alloc(x->a, k + 1);
        size_t len = 0;
        assert_int_equal(sodium_base642bin(bin, k + 1, clean, k, NULL, &len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        buf_append(&out, bin, len);
        buf_puts(&out, "\n----\n");
        p = end;
    }
    const char *r = arena_strdup(x->a, buf_cstr(&out));
    buf_free(&out);
    return r;
}

/* The secret of a link in a decoded mail (?jeton=…). */
static const char *token_in(struct test_site *x, const char *text, const char *path)
{
    const char *p = strstr(text, path);
    assert_non_null(p);
    p = strstr(p, "jeton=");
    assert_non_null(p);
    return arena_strndup(x->a, p + 6, 64);
}

static void test_capacity_and_waiting(void **state)
{
    struct test_site *x = *state;
    struct entry e = event(x, 2);
    struct attendance_item it[4];
    struct field_errors errs;
    const char *emails[] = {"a@exemple.org", "b@exemple.org", "c@exemple.org", "d@exemple.org"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(guest(x, &e, emails[i], 0, &it[i], &errs), ENTRY_OK);
    assert_string_equal(it[0].state, "registered");
    assert_int_equal(it[0].position, 1);
    assert_string_equal(it[1].state, "registered");
    assert_int_equal(it[1].position, 2);
    assert_string_equal(it[2].state, "waiting");
    assert_int_equal(it[2].position, 1);
    assert_string_equal(it[3].state, "waiting");
    assert_int_equal(it[3].position, 2);
    assert_int_equal(it[0].occurrence, START);
    assert_false(it[0].confirmed);
    /* The same address twice: refused, nothing written. */
    assert_int_equal(guest(x, &e, "A@Exemple.org", 0, &it[0], &errs), ENTRY_CONFLICT);
    assert_non_null(validate_error_for(&errs, "email"));
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM registrations"), 4);
    /* The mail of a guest: confirm and cancel links, the .ics attached. */
    const char *m = last_message(x, "c@exemple.org");
    assert_non_null(m);
    assert_non_null(strstr(m, "Content-Type: multipart/mixed"));
    assert_non_null(strstr(m, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH; "
                              "name=\"evenement.ics\""));
    const char *text = decoded(x, m);
    assert_non_null(strstr(text, "liste d'attente, en position 1"));
    assert_non_null(strstr(text, "/inscriptions/confirmer?jeton="));
    assert_non_null(strstr(text, "BEGIN:VCALENDAR"));
    /* Seats as the public sees them. */
    struct attendance_seats seats;
    json_t *f = json_pack("{s:s, s:i}", "registration", "site", "capacity", 2);
    assert_int_equal(attendance_seats(x->s, x->a, &e, f, NOW, 5, &seats), ENTRY_OK);
    assert_true(seats.on_site);
    assert_int_equal(seats.n, 1);
    assert_int_equal(seats.occurrences[0].seats_left, 0);
    assert_int_equal(seats.occurrences[0].waiting, 2);
    assert_false(seats.occurrences[0].full);
    json_decref(f);
    long long cap = 2, left = 9;
    assert_int_equal(attendance_seats_left(x->s, &e.id, &cap, 1, NOW, &left), ENTRY_OK);
    assert_int_equal(left, 0);
}

static void test_refusals(void **state)
{
    struct test_site *x = *state;
    struct attendance_item it;
    struct field_errors errs;
    struct entry e = event(x, 1);
    /* Bad input. */
    struct attendance_env env = env_at(NOW);
    long wait;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(attendance_register(x->s, x->a, &env, &e, NULL, "", "pas-une-adresse", 0,
                                         &errs, &it, &wait),
                     ENTRY_INVALID);
    assert_non_null(validate_error_for(&errs, "name"));
    assert_non_null(validate_error_for(&errs, "email"));
    memset(&errs, 0, sizeof errs);
    assert_int_equal(attendance_register(x->s, x->a, &env, &e, NULL, "Nom\xff", "a@exemple.org", 0,
                                         &errs, &it, &wait),
                     ENTRY_INVALID);
    char long_name[200];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    memset(&errs, 0, sizeof errs);
    assert_int_equal(attendance_register(x->s, x->a, &env, &e, NULL, long_name, "a@exemple.org", 0,
                                         &errs, &it, &wait),
                     ENTRY_INVALID);
    /* Not a date of the event. */
    assert_int_equal(guest(x, &e, "a@exemple.org", START + 60, &it, &errs), ENTRY_INVALID);
    assert_non_null(validate_error_for(&errs, "occurrence"));
    /* Past: the day after. */
    struct attendance_env later = env_at(START + 1);
    memset(&errs, 0, sizeof errs);
    assert_int_equal(attendance_register(x->s, x->a, &later, &e, NULL, "Nom", "a@exemple.org", 0,
                                         &errs, &it, &wait),
                     ENTRY_CONFLICT);
    assert_non_null(strstr(validate_error_for(&errs, "occurrence"), "passé"));
    memset(&errs, 0, sizeof errs);
    assert_int_equal(attendance_register(x->s, x->a, &later, &e, NULL, "Nom", "a@exemple.org",
                                         START, &errs, &it, &wait),
                     ENTRY_CONFLICT);
    /* Closed by an organiser, not by someone else. */
    struct user orga = user_of(x, "orga@exemple.org"), other = user_of(x, "autre@exemple.org");
    struct viewer vo = viewer_of(&orga), vx = viewer_of(&other);
    assert_int_equal(attendance_set_closed(x->s, x->a, &vx, &e, true, NOW), ENTRY_FORBIDDEN);
    assert_int_equal(attendance_set_closed(x->s, x->a, &vo, &e, true, NOW), ENTRY_OK);
    assert_int_equal(guest(x, &e, "a@exemple.org", 0, &it, &errs), ENTRY_CONFLICT);
    assert_non_null(strstr(validate_error_for(&errs, "occurrence"), "closes"));
    assert_int_equal(attendance_set_closed(x->s, x->a, &vo, &e, false, NOW), ENTRY_OK);
    /* Full: 1 seat and a waiting list of ATTENDANCE_WAITING_MIN. */
    for (int i = 0; i < 1 + ATTENDANCE_WAITING_MIN; i++) {
        char email[64];
        snprintf(email, sizeof email, "p%d@exemple.org", i);
        assert_int_equal(guest(x, &e, email, 0, &it, &errs), ENTRY_OK);
    }
    assert_int_equal(guest(x, &e, "trop@exemple.org", 0, &it, &errs), ENTRY_CONFLICT);
    assert_non_null(strstr(validate_error_for(&errs, "occurrence"), "Complet"));
    /* No registration on this site. */
    struct entry ext;
    assert_int_equal(event_save(x, NULL, 0, 5, "externe", NULL, &ext, NULL), ENTRY_OK);
    assert_int_equal(guest(x, &ext, "a@exemple.org", 0, &it, &errs), ENTRY_CONFLICT);
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM registrations WHERE entry_id = 2"),
                     0);
    /* Only organisers list; the registrant cancels their own. */
    struct attendance_item *items;
    int n;
    assert_int_equal(attendance_list(x->s, x->a, &vx, &e, NOW, &items, &n), ENTRY_FORBIDDEN);
    assert_int_equal(attendance_list(x->s, x->a, &viewer_public, &e, NOW, &items, &n),
                     ENTRY_FORBIDDEN);
    assert_int_equal(attendance_list(x->s, x->a, &vo, &e, NOW, &items, &n), ENTRY_OK);
    assert_int_equal(n, 1 + ATTENDANCE_WAITING_MIN);
    assert_int_equal(attendance_cancel(x->s, x->a, &env, &vx, items[0].id, &it), ENTRY_FORBIDDEN);
    struct attendance_item mine;
    assert_int_equal(
        attendance_register(x->s, x->a, &env, &ext, &other, NULL, NULL, 0, &errs, &mine, &wait),
        ENTRY_CONFLICT);
}

static void test_links_and_promotion(void **state)
{
    struct test_site *x = *state;
    struct entry e = event(x, 1);
    struct attendance_item a1, a2, a3;
    struct field_errors errs;
    struct user other = user_of(x, "autre@exemple.org");
    struct attendance_env env = env_at(NOW);
    long wait;
    /* An account: confirmed at once, its own name and address. */
    assert_int_equal(
        attendance_register(x->s, x->a, &env, &e, &other, NULL, NULL, 0, &errs, &a1, &wait),
        ENTRY_OK);
    assert_true(a1.confirmed);
    assert_string_equal(a1.email, "autre@exemple.org");
    assert_string_equal(a1.name, "Autre Personne");
    assert_int_equal(guest(x, &e, "g2@exemple.org", 0, &a2, &errs), ENTRY_OK);
    assert_int_equal(guest(x, &e, "g3@exemple.org", 0, &a3, &errs), ENTRY_OK);
    assert_string_equal(a2.state, "waiting");
    const char *text2 = decoded(x, last_message(x, "g2@exemple.org"));
    const char *confirm = token_in(x, text2, "/inscriptions/confirmer");
    const char *cancel = token_in(x, text2, "/inscriptions/annuler");
    assert_string_equal(confirm, cancel);
    /* What a link is for, without change. */
    struct attendance_item seen;
    const char *slug, *title;
    assert_int_equal(attendance_link(x->s, x->a, confirm, NOW, &seen, &slug, &title), ENTRY_OK);
    assert_int_equal(seen.id, a2.id);
    assert_false(seen.confirmed);
    assert_string_equal(slug, e.slug);
    assert_int_equal(attendance_link(x->s, x->a, "0000", NOW, &seen, &slug, &title),
                     ENTRY_NOTFOUND);
    assert_int_equal(attendance_confirm(x->s, x->a, &env, confirm, &seen), ENTRY_OK);
    assert_true(seen.confirmed);
    /* The account cancels its own seat: the first waiting (g2) gets it, and a mail. */
    struct viewer vo = viewer_of(&other);
    struct attendance_item done;
    int before =
        test_site_count(x, "SELECT count(*) FROM outbox WHERE recipient = 'g2@exemple.org'");
    assert_int_equal(attendance_cancel(x->s, x->a, &env, &vo, a1.id, &done), ENTRY_OK);
    assert_int_equal(attendance_cancel(x->s, x->a, &env, &vo, a1.id, &done), ENTRY_NOTFOUND);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM outbox WHERE recipient = 'g2@exemple.org'"),
        before + 1);
    const char *promoted = decoded(x, last_message(x, "g2@exemple.org"));
    assert_non_null(strstr(promoted, "Une place s'est libérée"));
    assert_non_null(strstr(promoted, "BEGIN:VCALENDAR"));
    assert_int_equal(test_site_count(x,
                                     "SELECT count(*) FROM registrations WHERE state = 'registered'"
                                     " AND email = 'g2@exemple.org' AND promoted IS NOT NULL"),
                     1);
    /* g2 cancels by the link: g3 is promoted. */
    assert_int_equal(attendance_cancel_token(x->s, x->a, &env, cancel, &done), ENTRY_OK);
    assert_int_equal(attendance_cancel_token(x->s, x->a, &env, cancel, &done), ENTRY_NOTFOUND);
    assert_int_equal(attendance_confirm(x->s, x->a, &env, confirm, &done), ENTRY_NOTFOUND);
    assert_int_equal(test_site_count(x,
                                     "SELECT count(*) FROM registrations WHERE state = 'registered'"
                                     " AND email = 'g3@exemple.org'"),
                     1);
    /* The organiser cancels g3: told by mail. */
    struct user orga = user_of(x, "orga@exemple.org");
    struct viewer vorga = viewer_of(&orga);
    assert_int_equal(attendance_cancel(x->s, x->a, &env, &vorga, a3.id, &done), ENTRY_OK);
    assert_non_null(strstr(decoded(x, last_message(x, "g3@exemple.org")), "annulée par"));
}

static void test_expiry(void **state)
{
    struct test_site *x = *state;
    struct entry e = event(x, 1);
    /* A date a week away: still to come when the 48 hours are over. */
    long long starts[] = {SECOND}, ends[] = {SECOND + 3600};
    assert_int_equal(store_occurrences_replace(x->s, e.id, starts, ends, 1), STORE_OK);
    struct attendance_item a1, a2;
    struct field_errors errs;
    assert_int_equal(guest(x, &e, "lent@exemple.org", 0, &a1, &errs), ENTRY_OK);
    assert_int_equal(guest(x, &e, "suivant@exemple.org", 0, &a2, &errs), ENTRY_OK);
    struct attendance_env env = env_at(NOW);
    struct attendance_item done;
    const char *t2 = token_in(x, decoded(x, last_message(x, "suivant@exemple.org")), "confirmer");
    assert_int_equal(attendance_confirm(x->s, x->a, &env, t2, &done), ENTRY_OK);
    /* Before 48 hours nothing happens; after, the seat goes to the next. Run as the chore. */
    int n = 0;
    assert_int_equal(chores_run(x->s, NOW + ATTENDANCE_CONFIRM_SECONDS - 10, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(chores_run(x->s, NOW + ATTENDANCE_CONFIRM_SECONDS + 10, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(test_site_count(x,
                                     "SELECT count(*) FROM registrations WHERE state = 'cancelled'"
                                     " AND email = 'lent@exemple.org'"),
                     1);
    assert_int_equal(test_site_count(x,
                                     "SELECT count(*) FROM registrations WHERE state = 'registered'"
                                     " AND email = 'suivant@exemple.org'"),
                     1);
    assert_non_null(
        strstr(decoded(x, last_message(x, "suivant@exemple.org")), "Une place s'est libérée"));
    /* Twice is safe: nothing more. */
    assert_int_equal(chores_run(x->s, NOW + ATTENDANCE_CONFIRM_SECONDS + 20, &n), 0);
    assert_int_equal(n, 0);
}

static void test_save_path(void **state)
{
    struct test_site *x = *state;
    struct entry e = event(x, 3);
    struct attendance_item it;
    struct field_errors errs;
    const char *emails[] = {"s1@exemple.org", "s2@exemple.org", "s3@exemple.org", "s4@exemple.org",
                            "s5@exemple.org"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(guest(x, &e, emails[i], 0, &it, &errs), ENTRY_OK);
    struct user orga = user_of(x, "orga@exemple.org");
    /* Below the 3 registered: refused beside the field, nothing written. */
    memset(&errs, 0, sizeof errs);
    assert_int_equal(event_save(x, e.slug, 1, 2, "site", &orga, NULL, &errs), ENTRY_INVALID);
    const char *why = validate_error_for(&errs, "capacity");
    assert_non_null(why);
    assert_non_null(strstr(why, "Nombre de places"));
    assert_non_null(strstr(why, "3 personnes sont déjà inscrites"));
    assert_int_equal(test_site_count(x, "SELECT count(*) FROM revisions"), 1);
    /* Raised to 4: the first waiting is promoted, in the save's transaction. */
    struct entry e2;
    assert_int_equal(event_save(x, e.slug, 1, 4, "site", &orga, &e2, NULL), ENTRY_OK);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM registrations WHERE state = 'registered'"), 4);
    assert_int_equal(test_site_count(x,
                                     "SELECT count(*) FROM registrations WHERE state = 'registered'"
                                     " AND email = 's4@exemple.org'"),
                     1);
    /* No limit any more: everybody in. */
    assert_int_equal(event_save(x, e.slug, 2, -1, "site", &orga, NULL, NULL), ENTRY_OK);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM registrations WHERE state = 'registered'"), 5);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM outbox WHERE recipient = 's5@exemple.org'"), 2);
}

static void test_occurrences(void **state)
{
    struct test_site *x = *state;
    struct entry e = event(x, 1);
    long long starts[] = {START, SECOND}, ends[] = {START + 3600, SECOND + 3600};
    assert_int_equal(store_occurrences_replace(x->s, e.id, starts, ends, 2), STORE_OK);
    struct attendance_item a, b;
    struct field_errors errs;
    assert_int_equal(guest(x, &e, "x@exemple.org", 0, &a, &errs), ENTRY_OK);
    assert_int_equal(a.occurrence, START);
    /* The same address for another date of the series: its own seat. */
    assert_int_equal(guest(x, &e, "x@exemple.org", SECOND, &b, &errs), ENTRY_OK);
    assert_string_equal(b.state, "registered");
    /* The next occurrence once the first is past. */
    struct attendance_env later = env_at(START + 10);
    long wait;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(attendance_register(x->s, x->a, &later, &e, NULL, "Nom", "y@exemple.org", 0,
                                         &errs, &b, &wait),
                     ENTRY_OK);
    assert_int_equal(b.occurrence, SECOND);
    assert_string_equal(b.state, "waiting");
}

/* ---- no overbooking: 50 threads, each on its own connection, for 10 seats ---- */

struct racer {
    const char *path;
    struct entry e;
    int i, rc;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    char err[256];
    struct store *s = store_open(r->path, STORE_OPEN_EXISTING, err, sizeof err);
    if (!s) {
        r->rc = -100;
        return NULL;
    }
    struct arena *a = arena_new();
    char email[64];
    snprintf(email, sizeof email, "course%d@exemple.org", r->i);
    struct attendance_env env = env_at(NOW);
    struct attendance_item it;
    struct field_errors errs = {0};
    long wait;
    r->rc = attendance_register(s, a, &env, &r->e, NULL, "Coureur", email, 0, &errs, &it, &wait);
    arena_free(a);
    store_close(s);
    return NULL;
}

static void test_concurrency(void **state)
{
    struct test_site *x = *state;
    struct entry e = event(x, 10);
    /* FULL durability on every commit: as the server runs. */
    enum { N = 50 };
    pthread_t th[N];
    struct racer r[N];
    for (int i = 0; i < N; i++) {
        r[i] = (struct racer){.path = x->path, .e = e, .i = i};
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(r[i].rc, ENTRY_OK);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM registrations WHERE state = 'registered'"), 10);
    assert_int_equal(
        test_site_count(x, "SELECT count(*) FROM registrations WHERE state = 'waiting'"), 40);
    /* In order of id: every registered id below every waiting one. */
    assert_int_equal(test_site_count(x, "SELECT (SELECT max(id) FROM registrations WHERE state ="
                                        " 'registered') < (SELECT min(id) FROM registrations WHERE"
                                        " state = 'waiting')"),
                     1);
}

static void test_compose_attachment(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    struct outbox_attachment f = {.name = "evenement.ics",
                                  .content_type = "text/calendar; charset=utf-8; method=PUBLISH",
                                  .data = ics,
                                  .len = strlen(ics)};
    struct outbox_mail m = {.to = "a@exemple.org",
                            .subject = "Inscription",
                            .text = "Bonjour",
                            .html = "<p>Bonjour</p>",
                            .attachments = &f,
                            .nattachments = 1};
    char *msg = outbox_compose(a, "foison <x@exemple.org>", &m, "id@x", NOW);
    const char *mixed = strstr(msg, "Content-Type: multipart/mixed; boundary=\"foison-mixed-");
    const char *alt = strstr(msg, "Content-Type: multipart/alternative");
    const char *cal = strstr(msg, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH; "
                                  "name=\"evenement.ics\"\r\nContent-Disposition: attachment; "
                                  "filename=\"evenement.ics\"");
    assert_non_null(mixed);
    assert_non_null(alt);
    assert_non_null(cal);
    assert_true(mixed < alt && alt < cal);
    /* The alternative closes before the file, the mixed at the end. */
    assert_non_null(strstr(msg, "--\r\n--foison-mixed-"));
    size_t n = strlen(msg);
    assert_true(n > 4 && strcmp(msg + n - 4, "--\r\n") == 0);
    /* Without files: the alternative alone, as before. */
    m.attachments = NULL;
    m.nattachments = 0;
    msg = outbox_compose(a, "foison <x@exemple.org>", &m, "id@x", NOW);
    assert_null(strstr(msg, "multipart/mixed"));
    assert_non_null(strstr(msg, "multipart/alternative"));
    /* A name that could break the header is refused by outbox_queue (checked without a store:
     * composing trusts its caller, queueing does not). */
    arena_free(a);
}

int main(void)
{
    if (account_init() != 0)
        return 1;
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, test_site_teardown)
    const struct CMUnitTest tests[] = {
        S(test_capacity_and_waiting),
        S(test_refusals),
        S(test_links_and_promotion),
        S(test_expiry),
        S(test_save_path),
        S(test_occurrences),
        S(test_concurrency),
        cmocka_unit_test(test_compose_attachment),
    };
#undef S
    return cmocka_run_group_tests(tests, NULL, NULL);
}
