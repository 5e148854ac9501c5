/* test_throttle.c — the attempt counters: a key is held back after max attempts within its
 * window and free again after it; other keys, even many of them, never reset or free a held key;
 * check-and-count is atomic under parallel threads; forgiven attempts do not count. */
#include "core/throttle.h"
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#define W THROTTLE_WINDOW_SECONDS

static void test_limit_and_window(void **state)
{
    (void)state;
    long long now = 1000000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(throttle_wait("email:a@example.org", 5, W, now), 0);
        assert_int_equal(throttle_take("email:a@example.org", 5, W, now), 0);
    }
    long w = throttle_wait("email:a@example.org", 5, W, now + 10);
    assert_true(w > 0 && w <= W);
    assert_true(throttle_take("email:a@example.org", 5, W, now + 10) > 0);
    assert_int_equal(throttle_wait("email:b@example.org", 5, W, now + 10), 0);
    assert_int_equal(throttle_wait("email:a@example.org", 5, W, now + W), 0);
    throttle_take("email:c@example.org", 5, W, now);
    throttle_clear("email:c@example.org", W);
    assert_int_equal(throttle_wait("email:c@example.org", 1, W, now), 0);
}

static void test_windows_are_separate(void **state)
{
    (void)state;
    long long now = 2000000;
    for (int i = 0; i < 3; i++)
        assert_int_equal(throttle_take("email:w@example.org", 3, 3600, now), 0);
    assert_true(throttle_take("email:w@example.org", 3, 3600, now + 1000) > 0);
    /* The same name over another window is another counter. */
    assert_int_equal(throttle_take("email:w@example.org", 3, W, now + 1000), 0);
    /* Still held after 15 minutes, free after the hour. */
    assert_true(throttle_wait("email:w@example.org", 3, 3600, now + W + 1) > 0);
    assert_int_equal(throttle_wait("email:w@example.org", 3, 3600, now + 3600), 0);
}

static void test_forgive(void **state)
{
    (void)state;
    long long now = 3000000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(throttle_take("email:f@example.org", 2, W, now), 0);
        throttle_forgive("email:f@example.org", W, now);
    }
    assert_int_equal(throttle_take("email:f@example.org", 2, W, now), 0);
    assert_int_equal(throttle_take("email:f@example.org", 2, W, now), 0);
    assert_true(throttle_take("email:f@example.org", 2, W, now) > 0);
    /* Forgiving a key that has nothing counted does nothing. */
    throttle_forgive("email:none@example.org", W, now);
    assert_int_equal(throttle_wait("email:none@example.org", 1, W, now), 0);
}

/* Thousands of other failing keys (enough to fill every bucket several times) must not reset
 * the held key's count. */
static void test_floods_never_free_a_held_key(void **state)
{
    (void)state;
    long long now = 5000000;
    for (int i = 0; i < 5; i++)
        throttle_take("email:victim@example.org", 5, W, now);
    assert_true(throttle_wait("email:victim@example.org", 5, W, now) > 0);
    char key[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "email:x%d@example.org", i);
        throttle_take(key, 5, W, now + 1);
    }
    assert_true(throttle_wait("email:victim@example.org", 5, W, now + 2) > 0);
}

static atomic_int parallel_passed;

static void *parallel_try(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++)
        if (throttle_take("email:parallel@example.org", 5, W, 7000000) == 0)
            atomic_fetch_add(&parallel_passed, 1);
    return NULL;
}

/* 8 threads × 50 attempts at once: exactly the limit gets through. */
static void test_parallel_takes_are_atomic(void **state)
{
    (void)state;
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, parallel_try, NULL), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&parallel_passed), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_and_window),
        cmocka_unit_test(test_windows_are_separate),
        cmocka_unit_test(test_forgive),
        cmocka_unit_test(test_floods_never_free_a_held_key),
        cmocka_unit_test(test_parallel_takes_are_atomic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
