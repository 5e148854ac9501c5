/* test_settings.c — the table of site settings (core/settings.c): every key once, every default
 * valid by its own rule, the keys agreed across sessions with their defaults, and the boundaries
 * of each kind of value. No database involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/settings.h"
#include <stdio.h>
#include <string.h>

/* Stands for http_proxies_parse: the table hands the list to it and reports its reason. */
static int fake_proxies(const char *text, char *why, size_t whylen)
{
    if (strcmp(text, "bad") == 0) {
        snprintf(why, whylen, "adresse invalide : bad");
        return -1;
    }
    return 0;
}

static const char *check(const char *key, const char *value)
{
    static char why[200];
    const struct setting *st = settings_find(key);
    assert_non_null(st);
    return settings_check(st, value, fake_proxies, why, sizeof why);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < settings_count; i++) {
        const struct setting *st = &settings_table[i];
        assert_ptr_equal(settings_find(st->name), st); /* once */
        assert_true(strlen(st->label) > 3 && strlen(st->help) > 10);
        assert_true(st->section < SECTION_COUNT);
        assert_true(*settings_section_title(st->section));
        /* The default is a value the check accepts (names and texts may be empty by default:
         * site_name's fallback is set). */
        if (st->type != SETTING_NAME || *st->fallback)
            assert_null(check(st->name, st->fallback));
    }
    assert_null(settings_find("login_secret")); /* internal, never shown or set */
    assert_null(settings_find(NULL));
    static const struct {
        const char *key, *fallback;
    } agreed[] = {{"rate_edits_new", "8"},     {"rate_edits", "90"},     {"rate_reports", "10"},
                  {"report_hide", "3"},        {"rate_signups", "5"},    {"rate_mails", "10"},
                  {"signup", "open"},          {"robot_restrict", "on"}, {"rate_contact", "5"},
                  {"rate_contact_entry", "20"}};
    for (size_t i = 0; i < sizeof agreed / sizeof *agreed; i++) {
        const struct setting *st = settings_find(agreed[i].key);
        assert_non_null(st);
        assert_string_equal(st->fallback, agreed[i].fallback);
    }
    assert_null(settings_find("signup_confirm"));
}

static void test_values(void **state)
{
    (void)state;
    assert_null(check("rate_edits", "0"));
    assert_null(check("rate_edits", "100000"));
    assert_string_equal(check("rate_edits", "100001"), "un entier de 0 à 100000");
    assert_non_null(check("rate_edits", "-1"));
    assert_non_null(check("rate_edits", "1e3"));
    assert_non_null(check("rate_edits", ""));
    assert_non_null(check("rate_edits", " 5"));
    assert_null(check("signup", "closed"));
    assert_string_equal(check("signup", "ouvert"), "open ou closed");
    assert_null(check("robot_restrict", "off"));
    assert_non_null(check("robot_restrict", "ON"));
    assert_null(check("base_url", ""));
    assert_null(check("base_url", "https://foison.example.org:8443"));
    assert_non_null(check("base_url", "https://foison.example.org/"));
    assert_non_null(check("base_url", "javascript:alert(1)"));
    assert_non_null(check("site_name", ""));
    assert_non_null(check("site_name", "a\nb"));
    assert_non_null(check("site_name", "abc\u202edef"));
    assert_null(check("legal_notice", "# Titre\n\nUn texte."));
    assert_non_null(check("legal_notice", "a\r\nb"));
    assert_null(check("trusted_proxies", "127.0.0.1"));
    assert_string_equal(check("trusted_proxies", "bad"), "adresse invalide : bad");
    assert_null(check("mail_from", "Réseau <contact@example.org>"));
    assert_non_null(check("mail_from", "Réseau <contact@example.org> x"));
    assert_null(check("smtp_url", "smtps://h:465"));
    assert_non_null(check("smtp_url", "http://h"));
    assert_null(check("synchronous", "NORMAL"));
    assert_non_null(check("synchronous", "OFF"));
    assert_null(check("license", "CC0-1.0"));
    assert_non_null(check("license", "GPL"));
    /* Without the proxies' parser, a list is refused rather than trusted unchecked. */
    char why[200];
    assert_non_null(
        settings_check(settings_find("trusted_proxies"), "127.0.0.1", NULL, why, sizeof why));
}

/* The map's tiles: one https machine (its origin goes into the map pages' CSP as it is), the
 * three placeholders once each, nothing that could break out of a header or an attribute. */
static void test_map_tiles(void **state)
{
    (void)state;
    char origin[300];
    assert_null(check("map_tiles", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"));
    assert_true(settings_tiles_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png", origin,
                                      sizeof origin));
    assert_string_equal(origin, "https://tile.openstreetmap.org");
    assert_null(check("map_tiles", "https://tiles.example.org:8443/a/{z}/{y}/{x}{r}.png?key=a1"));
    assert_true(settings_tiles_origin("https://tiles.example.org:8443/a/{z}/{y}/{x}{r}.png?key=a1",
                                      origin, sizeof origin));
    assert_string_equal(origin, "https://tiles.example.org:8443");
    static const char *const bad[] = {
        "http://tile.openstreetmap.org/{z}/{x}/{y}.png",    /* not https */
        "https://{s}.tile.example.org/{z}/{x}/{y}.png",     /* several machines */
        "https://tile.example.org/{z}/{x}.png",             /* no {y} */
        "https://tile.example.org/{z}/{x}/{y}/{y}.png",     /* twice */
        "https://tile.example.org/{z}/{x}/{y}.png?k={key}", /* an unknown placeholder */
        "https://tile.example.org/{z}/{x}/{y}.png}",        /* a stray brace */
        "https://tile.example.org/{z}/{x}/{y}.png'; script-src *",
        "https://tile.example.org;/{z}/{x}/{y}.png",
        "https://tile.example.org /{z}/{x}/{y}.png",
        "https://a..org/{z}/{x}/{y}.png",            /* an empty label */
        "https://tile-.example.org/{z}/{x}/{y}.png", /* a label ending with a hyphen */
        "https://tile.example.org/{z}/{x}/{y}.png\"><script>",
        "https://tile.example.org/{z},{x},{y}.png",
        "https://user@tile.example.org/{z}/{x}/{y}.png",
        "https://tile.example.org:/{z}/{x}/{y}.png",
        "https://.example.org/{z}/{x}/{y}.png",
        "https://tile.example.org",
        "https:///{z}/{x}/{y}.png",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_non_null(check("map_tiles", bad[i]));
        assert_false(settings_tiles_origin(bad[i], origin, sizeof origin));
        assert_string_equal(origin, "");
    }
    assert_false(settings_tiles_origin(NULL, origin, sizeof origin));
    /* Too small a buffer is no origin at all, never a cut one. */
    assert_false(
        settings_tiles_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png", origin, 10));
    assert_null(check("map_attribution", "© les contributeurs d'OpenStreetMap"));
    assert_non_null(check("map_attribution", ""));
    assert_non_null(check("map_attribution", "a\nb"));
    char long_credit[260];
    memset(long_credit, 'a', 201);
    long_credit[201] = '\0';
    assert_non_null(check("map_attribution", long_credit));
    long_credit[200] = '\0';
    assert_null(check("map_attribution", long_credit));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_map_tiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
