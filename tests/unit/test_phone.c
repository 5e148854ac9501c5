/* test_phone.c — unit tests for phone numbers (core/phone): French numbers in every way people
 * type them, international ones kept in E.164 form, refusals with their messages, tel: URIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/phone.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NB "\u202f"

static struct arena *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

static void expect_phone(const char *in, const char *want)
{
    char *err = NULL;
    const char *got = phone_normalize(A, in, &err);
    if (!got || strcmp(got, want) != 0)
        fail_msg("\"%s\" gave \"%s\" (%s), want \"%s\"", in, got ? got : "NULL", err ? err : "",
                 want);
    /* Canonical output is a fixed point. */
    assert_string_equal(phone_normalize(A, got, &err), got);
}

static void expect_refused(const char *in, const char *want)
{
    char *err = NULL;
    const char *got = phone_normalize(A, in, &err);
    if (got)
        fail_msg("\"%s\" accepted as \"%s\"", in, got);
    assert_non_null(err);
    if (strcmp(err, want) != 0)
        fail_msg("\"%s\": message\n  %s\nwant\n  %s", in, err, want);
}

static void test_french_forms(void **state)
{
    (void)state;
    static const char *const same[] = {
        "02 98 00 00 00",
        "02.98.00.00.00",
        "0298000000",
        "02-98-00-00-00",
        "02/98/00/00/00",
        " 02 98 00 00 00 ",
        "02 98 000 000",
        "+33 2 98 00 00 00",
        "+33298000000",
        "+33 (0)2 98 00 00 00",
        "+33 (0) 298 000 000",
        "+33 02 98 00 00 00",
        "0033298000000",
        "0033 2 98 00 00 00",
        "00 33 2 98 00 00 00",
        "(+33) 2 98 00 00 00",
        "02\u00a098\u00a000\u00a000\u00a000",
        "02\u202f98\u202f00\u202f00\u202f00",
        "\t02 98 00 00 00",
        "(02) 98 00 00 00",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        expect_phone(same[i], "02 98 00 00 00");
    expect_phone("06 12 34 56 78", "06 12 34 56 78");
    expect_phone("+33 6 12 34 56 78", "06 12 34 56 78");
    expect_phone("0800 123 456", "08 00 12 34 56");
    expect_phone("09 72 12 34 56", "09 72 12 34 56");
    expect_phone("01 11 11 11 12", "01 11 11 11 12");
}

static void test_empty(void **state)
{
    (void)state;
    char *err = NULL;
    assert_string_equal(phone_normalize(A, NULL, &err), "");
    assert_string_equal(phone_normalize(A, "", &err), "");
    assert_string_equal(phone_normalize(A, "   ", &err), "");
    assert_string_equal(phone_normalize(A, " . - ", &err), "");
    assert_null(err);
}

static void test_international(void **state)
{
    (void)state;
    expect_phone("+44 20 7946 0958", "+44 20 7946 0958");
    expect_phone("+44-20-7946-0958", "+44 20 7946 0958");
    expect_phone("+44  20   7946 0958", "+44 20 7946 0958");
    expect_phone("+44 (0)20 7946 0958", "+44 20 7946 0958");
    expect_phone("0044 20 7946 0958", "+44 20 7946 0958");
    expect_phone("00 44 20 7946 0958", "+44 20 7946 0958");
    expect_phone("+442079460958", "+442079460958");
    expect_phone("+1 (555) 123-4567", "+1 555 123 4567");
    expect_phone("+49 30 123456", "+49 30 123456");
    expect_phone("+262 262 12 34 56", "+262 262 12 34 56");
    expect_phone("+12345678", "+12345678");
    expect_phone("+123456789012345", "+123456789012345");
}

static void test_refused(void **state)
{
    (void)state;
    const char *chars = "seuls des chiffres, des espaces, des points, des tirets et un + au début "
                        "sont acceptés";
    const char *short_fr = "numéro trop court" NB ": 10 chiffres attendus, par exemple "
                           "02 98 00 00 00";
    const char *long_fr = "numéro trop long" NB ": 10 chiffres attendus, par exemple "
                          "02 98 00 00 00";
    const char *intl = "un numéro international compte de 8 à 15 chiffres, indicatif du pays "
                       "compris";
    expect_refused("02 98 AB CD EF", chars);
    expect_refused("tél. 02 98 00 00 00", chars);
    expect_refused("02 98 00 00 00 poste 12", chars);
    expect_refused("02 98 00 00 00 #12", chars);
    expect_refused("02+98 00 00 00", chars);
    expect_refused("++33 2 98 00 00 00", chars);
    expect_refused("02 98 00 00 00\xff", chars);
    expect_refused("02 98 00 00", short_fr);
    expect_refused("15", short_fr);
    expect_refused("2 98 00 00 00", short_fr);
    expect_refused("02 98 00 00 00 0", long_fr);
    expect_refused("2 98 00 00 00 0", "un numéro français commence par 0" NB
                                      "; pour l'étranger, écrivez + et l'indicatif du pays");
    expect_refused("+33 2 98 00 00", "un numéro français compte 9 chiffres après +33");
    expect_refused("+33 2 98 00 00 00 00", "un numéro français compte 9 chiffres après +33");
    expect_refused("+33 12 34 56 78 90 12 34 56", "un numéro français compte 9 chiffres après +33");
    expect_refused("+33", "un numéro français compte 9 chiffres après +33");
    expect_refused("+44 20 79", intl);
    expect_refused("+1234567", intl);
    expect_refused("+1234567890123456", intl);
    expect_refused("+", intl);
    expect_refused("00 00 00 00 00", "indicatif de pays invalide (il ne commence jamais par 0)");
    expect_refused("+0 44 20 7946 0958",
                   "indicatif de pays invalide (il ne commence jamais par 0)");
    expect_refused("08 99 12 34 56", "les numéros surtaxés (08 9…) ne sont pas acceptés");
    expect_refused("+33 8 92 12 34 56", "les numéros surtaxés (08 9…) ne sont pas acceptés");
    expect_refused("06 00 00 00 00", "ce numéro semble fictif");
    expect_refused("01 11 11 11 11", "ce numéro semble fictif");
    expect_refused("01 23 45 67 89", "ce numéro semble fictif");
    expect_refused("0 0 12 34 56 78", "numéro invalide (00 est le préfixe international)");
    expect_refused("+33 0 0 12 34 56 78", "numéro invalide (00 est le préfixe international)");
    char spaced[PHONE_INPUT_MAX + 2];
    memset(spaced, ' ', sizeof spaced - 1);
    spaced[sizeof spaced - 1] = '\0';
    memcpy(spaced, "0298000000", 10);
    expect_refused(spaced, "numéro trop long");
    spaced[PHONE_INPUT_MAX] = '\0';
    expect_phone(spaced, "02 98 00 00 00");
    /* More digits than the buffer holds, after +33: refused, never read past the buffer. */
    {
        char *err = NULL;
        assert_null(phone_normalize(A, "+33 1234567890123456", &err));
        assert_non_null(err);
        assert_null(phone_normalize(A, "+33123456789012345678901234567890", &err));
    }
}

static void test_tel_uri(void **state)
{
    (void)state;
    assert_string_equal(phone_tel_uri(A, "02 98 00 00 00"), "tel:+33298000000");
    assert_string_equal(phone_tel_uri(A, "06 12 34 56 78"), "tel:+33612345678");
    assert_string_equal(phone_tel_uri(A, "+44 20 7946 0958"), "tel:+442079460958");
    assert_string_equal(phone_tel_uri(A, "+1 555 123 4567"), "tel:+15551234567");
    assert_string_equal(phone_tel_uri(A, "02 62 12 34 56"), "tel:+262262123456");
    assert_string_equal(phone_tel_uri(A, "06 92 12 34 56"), "tel:+262692123456");
    assert_string_equal(phone_tel_uri(A, "05 90 12 34 56"), "tel:+590590123456");
    assert_string_equal(phone_tel_uri(A, "05 94 12 34 56"), "tel:+594594123456");
    assert_string_equal(phone_tel_uri(A, "06 96 12 34 56"), "tel:+596696123456");
    assert_null(phone_tel_uri(A, ""));
    assert_null(phone_tel_uri(A, NULL));
    assert_null(phone_tel_uri(A, "0298000000"));
    assert_null(phone_tel_uri(A, "02 98 AB"));
    assert_null(phone_tel_uri(A, "javascript:alert(1)"));
}

/* Random strings of digits and separators: whatever is accepted is a fixed point with a tel:
 * link made of "+" and digits only. */
static void test_random_inputs(void **state)
{
    (void)state;
    static const char pieces[] = "0123456789012345678901234567890123456789 .-+()/";
    unsigned seed = 7;
    int accepted = 0;
    for (int i = 0; i < 50000; i++) {
        char in[32];
        int n = 6 + rand_r(&seed) % 14;
        for (int k = 0; k < n; k++)
            in[k] = pieces[rand_r(&seed) % (int)(sizeof pieces - 1)];
        in[n] = '\0';
        char *err = NULL;
        const char *got = phone_normalize(A, in, &err);
        if (!got) {
            assert_non_null(err);
            continue;
        }
        if (!*got)
            continue;
        accepted++;
        assert_string_equal(phone_normalize(A, got, &err), got);
        const char *tel = phone_tel_uri(A, got);
        assert_non_null(tel);
        assert_true(strncmp(tel, "tel:+", 5) == 0);
        assert_true(strspn(tel + 5, "0123456789") == strlen(tel + 5));
        size_t digits = strlen(tel + 5);
        assert_true(digits >= 8 && digits <= 15);
    }
    assert_true(accepted > 500);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_french_forms), T(test_empty),   T(test_international),
        T(test_refused),      T(test_tel_uri), T(test_random_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
