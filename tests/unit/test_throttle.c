/* test_throttle.c — the failure counters: a key is held back after max failures within the
 * window and free again after it; other keys, even many of them, never reset or free a held key. */
#include "core/throttle.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

static void test_limit_and_window(void **state)
{
    (void)state;
    long long now = 1000000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(throttle_wait("email:a@example.org", 5, now), 0);
        throttle_fail("email:a@example.org", now);
    }
    long w = throttle_wait("email:a@example.org", 5, now + 10);
    assert_true(w > 0 && w <= THROTTLE_WINDOW_SECONDS);
    assert_int_equal(throttle_wait("email:b@example.org", 5, now + 10), 0);
    assert_int_equal(throttle_wait("email:a@example.org", 5, now + THROTTLE_WINDOW_SECONDS), 0);
    throttle_fail("email:c@example.org", now);
    throttle_clear("email:c@example.org");
    assert_int_equal(throttle_wait("email:c@example.org", 1, now), 0);
}

/* Thousands of other failing keys (enough to fill every bucket several times) must not reset
 * the held key's count. */
static void test_floods_never_free_a_held_key(void **state)
{
    (void)state;
    long long now = 5000000;
    for (int i = 0; i < 5; i++)
        throttle_fail("email:victim@example.org", now);
    assert_true(throttle_wait("email:victim@example.org", 5, now) > 0);
    char key[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "email:x%d@example.org", i);
        throttle_fail(key, now + 1);
    }
    assert_true(throttle_wait("email:victim@example.org", 5, now + 2) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_and_window),
        cmocka_unit_test(test_floods_never_free_a_held_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
