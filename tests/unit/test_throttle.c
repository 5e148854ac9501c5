/* test_throttle.c — the attempt counters: a key is held back after max attempts within its
 * window and free again after it; the window slides, so no span of a window's length ever sees
 * more than max attempts (checked against an exact log on random schedules), and the wait it
 * announces is exact; other keys, even many of them, never reset a held key, and a full table
 * applies its own overflow rule without touching another table; check-and-count is atomic under
 * parallel threads; forgiven attempts do not count; a used value is refused until it expires. */
#include "core/throttle.h"
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define W THROTTLE_WINDOW_SECONDS
#define STEP ((W + THROTTLE_SPLIT - 1) / THROTTLE_SPLIT)

static void test_limit_and_window(void **state)
{
    (void)state;
    struct throttle *t = throttle_new(64, W, THROTTLE_OVERFLOW_SHARE);
    long long now = 1000000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(throttle_wait(t, "a@example.org", 5, now), 0);
        assert_int_equal(throttle_take(t, "a@example.org", 5, now), 0);
    }
    long w = throttle_wait(t, "a@example.org", 5, now + 10);
    assert_true(w > 0 && w <= W + STEP);
    assert_true(throttle_take(t, "a@example.org", 5, now + 10) > 0);
    assert_int_equal(throttle_wait(t, "b@example.org", 5, now + 10), 0);
    assert_int_equal(throttle_wait(t, "a@example.org", 5, now + W + STEP), 0);
    throttle_take(t, "c@example.org", 5, now);
    throttle_clear(t, "c@example.org");
    assert_int_equal(throttle_wait(t, "c@example.org", 1, now), 0);
    throttle_free(t);
}

static void test_tables_are_separate(void **state)
{
    (void)state;
    struct throttle *hour = throttle_new(64, 3600, THROTTLE_OVERFLOW_SHARE);
    struct throttle *quarter = throttle_new(64, W, THROTTLE_OVERFLOW_SHARE);
    long long now = 2000000;
    for (int i = 0; i < 3; i++)
        assert_int_equal(throttle_take(hour, "w@example.org", 3, now), 0);
    assert_true(throttle_take(hour, "w@example.org", 3, now + 1000) > 0);
    /* The same name in another table is another counter. */
    assert_int_equal(throttle_take(quarter, "w@example.org", 3, now + 1000), 0);
    /* Still held after 15 minutes, free after the hour (and at most one step of it). */
    assert_true(throttle_wait(hour, "w@example.org", 3, now + W + 1) > 0);
    assert_int_equal(throttle_wait(hour, "w@example.org", 3, now + 3600 + 3600 / THROTTLE_SPLIT),
                     0);
    throttle_free(hour);
    throttle_free(quarter);
}

static void test_forgive(void **state)
{
    (void)state;
    struct throttle *t = throttle_new(64, W, THROTTLE_OVERFLOW_SHARE);
    long long now = 3000000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(throttle_take(t, "f@example.org", 2, now), 0);
        throttle_forgive(t, "f@example.org", now);
    }
    assert_int_equal(throttle_take(t, "f@example.org", 2, now), 0);
    assert_int_equal(throttle_take(t, "f@example.org", 2, now), 0);
    assert_true(throttle_take(t, "f@example.org", 2, now) > 0);
    /* Forgiving a key that has nothing counted does nothing. */
    throttle_forgive(t, "none@example.org", now);
    assert_int_equal(throttle_wait(t, "none@example.org", 1, now), 0);
    throttle_free(t);
}

/* max at the very end of a window, then at the very start of the next: the second series gets
 * nothing (a fixed window let it through: twice the limit in two seconds). */
static void test_no_double_rate_at_boundary(void **state)
{
    (void)state;
    struct throttle *t = throttle_new(64, W, THROTTLE_OVERFLOW_SHARE);
    long long start = 4000000LL / STEP * STEP; /* a step boundary, the worst case */
    assert_int_equal(throttle_take(t, "edge", 5, start), 0);
    int passed = 1;
    for (long long now = start + W - 2; now <= start + W + 2; now++)
        for (int i = 0; i < 10; i++)
            passed += throttle_take(t, "edge", 5, now) == 0;
    assert_int_equal(passed, 5);
    throttle_free(t);
}

/* Random schedules (bursts and trickles) against an exact log of the attempts let through: no
 * span of W seconds holds more than max; each refusal's wait is exact (refused one second before,
 * let through at it); and the key is held only when max attempts happened in the last W + STEP
 * seconds (the window is at most one step stricter than it says). */
static void test_sliding_window_is_exact_enough(void **state)
{
    (void)state;
    struct throttle *t = throttle_new(64, W, THROTTLE_OVERFLOW_SHARE);
    srand(42);
    for (int round = 0; round < 40; round++) {
        char key[32];
        snprintf(key, sizeof key, "random-%d", round);
        int max = 1 + rand() % 12;
        long long log[4096];
        int n = 0;
        long long now = 10000000 + round * 100000LL + rand() % 1000;
        for (int k = 0; k < 3000 && n < 4096; k++) {
            now += rand() % 4 == 0 ? rand() % (2 * W) : rand() % 30;
            int recent = 0, loose = 0;
            for (int i = 0; i < n; i++) {
                recent += log[i] > now - W;
                loose += log[i] > now - (W + STEP);
            }
            long w = throttle_take(t, key, max, now);
            if (w == 0) {
                assert_true(recent < max); /* never more than max in any W seconds */
                log[n++] = now;
            } else {
                assert_true(loose >= max); /* held only for what happened recently */
                assert_true(throttle_wait(t, key, max, now + w - 1) > 0);
                assert_int_equal(throttle_wait(t, key, max, now + w), 0);
            }
        }
    }
    throttle_free(t);
}

/* Twenty thousand other failing keys (enough to fill every bucket several times) must not reset
 * the held key's count. */
static void test_floods_never_free_a_held_key(void **state)
{
    (void)state;
    struct throttle *t = throttle_new(1024, W, THROTTLE_OVERFLOW_SHARE);
    long long now = 5000000;
    for (int i = 0; i < 5; i++)
        throttle_take(t, "victim@example.org", 5, now);
    assert_true(throttle_wait(t, "victim@example.org", 5, now) > 0);
    char key[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "x%d@example.org", i);
        throttle_take(t, key, 5, now + 1);
    }
    assert_true(throttle_wait(t, "victim@example.org", 5, now + 2) > 0);
    throttle_free(t);
}

/* A table full of keys each with one failure gives their counters up to newcomers (no sharing);
 * a table full of held keys applies its rule: SHARE holds newcomers back together (never lets
 * them through), UNTRACKED says so; another table is untouched by either flood. */
static void test_full_tables(void **state)
{
    (void)state;
    struct throttle *shared = throttle_new(16, W, THROTTLE_OVERFLOW_SHARE);
    struct throttle *untracked = throttle_new(16, W, THROTTLE_OVERFLOW_UNTRACKED);
    struct throttle *other = throttle_new(16, W, THROTTLE_OVERFLOW_SHARE);
    long long now = 6000000;
    char key[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "one-%d", i);
        assert_int_equal(throttle_take(shared, key, 5, now), 0);
        assert_int_equal(throttle_take(untracked, key, 5, now), 0);
    }
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "new-%d", i);
        assert_int_equal(throttle_take(shared, key, 5, now), 0);
        throttle_forgive(shared, key, now);
    }
    /* Now every counter holds its key back. */
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "held-%d", i);
        for (int k = 0; k < 5; k++) {
            throttle_take(shared, key, 5, now + 1);
            throttle_take(untracked, key, 5, now + 1);
        }
    }
    int refused = 0, untracked_n = 0;
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "late-%d", i);
        refused += throttle_take(shared, key, 5, now + 2) > 0;
        untracked_n += throttle_take(untracked, key, 5, now + 2) == THROTTLE_UNTRACKED;
        assert_int_equal(throttle_take(other, key, 5, now + 2), 0);
    }
    assert_int_equal(refused, 100);
    assert_int_equal(untracked_n, 100);
    /* Once the flood's window is over, everyone has a counter of their own again. */
    assert_int_equal(throttle_take(shared, "late-0", 5, now + W + 2 * STEP), 0);
    assert_int_equal(throttle_take(untracked, "late-0", 5, now + W + 2 * STEP), 0);
    throttle_free(shared);
    throttle_free(untracked);
    throttle_free(other);
}

static void test_set_once(void **state)
{
    (void)state;
    struct throttle_set *set = throttle_set_new(4);
    long long now = 8000000;
    assert_true(throttle_set_add(set, "nonce-1", now + 600, now));
    assert_false(throttle_set_add(set, "nonce-1", now + 600, now + 600));
    assert_true(throttle_set_add(set, "nonce-1", now + 1200, now + 601)); /* it had expired */
    /* Full of live values: the one expiring first goes, the others stay used. */
    struct throttle_set *one = throttle_set_new(1);
    char key[32];
    for (int i = 0; i <= THROTTLE_WAYS; i++) {
        snprintf(key, sizeof key, "flood-%d", i);
        assert_true(throttle_set_add(one, key, now + 1000 + i, now));
    }
    for (int i = 1; i <= THROTTLE_WAYS; i++) {
        snprintf(key, sizeof key, "flood-%d", i);
        assert_false(throttle_set_add(one, key, now + 1000 + i, now + 1));
    }
    assert_true(throttle_set_add(one, "flood-0", now + 1000, now + 1));
    throttle_set_free(one);
    throttle_set_free(set);
}

static atomic_int parallel_passed;
static struct throttle *parallel_table;

static void *parallel_try(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++)
        if (throttle_take(parallel_table, "parallel@example.org", 5, 7000000) == 0)
            atomic_fetch_add(&parallel_passed, 1);
    return NULL;
}

/* 8 threads × 50 attempts at once: exactly the limit gets through. */
static void test_parallel_takes_are_atomic(void **state)
{
    (void)state;
    parallel_table = throttle_new(64, W, THROTTLE_OVERFLOW_SHARE);
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, parallel_try, NULL), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&parallel_passed), 5);
    throttle_free(parallel_table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_and_window),
        cmocka_unit_test(test_tables_are_separate),
        cmocka_unit_test(test_forgive),
        cmocka_unit_test(test_no_double_rate_at_boundary),
        cmocka_unit_test(test_sliding_window_is_exact_enough),
        cmocka_unit_test(test_floods_never_free_a_held_key),
        cmocka_unit_test(test_full_tables),
        cmocka_unit_test(test_set_once),
        cmocka_unit_test(test_parallel_takes_are_atomic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
