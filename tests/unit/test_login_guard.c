/* test_login_guard.c — logins stay slow to guess without locking the owner out: the account's
 * limit holds unknown browsers back, a browser that logged in before keeps its own budget, a
 * proof of work lets a new browser try once more per solved challenge (never twice with one),
 * and nothing passes the hourly cap of the account. Works on a fresh site file (for the secret). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/login_guard.h"
#include "store/store.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], path[128];
static struct store *site;

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "/tmp/foison-guard-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/site.foison", dir);
    char err[512];
    site = store_open(path, STORE_OPEN_CREATE, err, sizeof err);
    return site ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    store_close(site);
    char p[200];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
    return 0;
}

/* Finds the answer of a challenge the way static/login-pow.js does. */
static void solve(const char *challenge, char answer[24])
{
    for (unsigned long n = 0;; n++) {
        char text[LOGIN_CHALLENGE_MAX + 32];
        snprintf(text, sizeof text, "%s:%lu", challenge, n);
        unsigned char h[32];
        crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
        if (h[0] == 0 && h[1] == 0) { /* LOGIN_POW_BITS = 16 */
            snprintf(answer, 24, "%lu", n);
            return;
        }
    }
}

static enum login_guard_verdict attempt(struct login_attempt *at, const char *ip, const char *email,
                                        const char *device, long long now, bool wrong)
{
    memset(at, 0, sizeof *at);
    at->ip = ip;
    at->email = email;
    at->device = device;
    at->now = now;
    long wait;
    enum login_guard_verdict v = login_guard_begin(site, at, &wait);
    if (v == LOGIN_GUARD_GO)
        login_guard_end(at, wrong);
    else
        assert_true(wait > 0);
    return v;
}

static void test_owner_keeps_access(void **state)
{
    (void)state;
    long long now = 1800000000;
    struct login_attempt at;
    char device[LOGIN_DEVICE_LEN + 1];
    assert_int_equal(login_guard_device(site, "Owner@Example.org", device), 0);
    assert_int_equal(strlen(device), LOGIN_DEVICE_LEN);
    /* An attacker from several addresses spends the account's budget for unknown browsers. */
    for (int i = 0; i < LOGIN_MAX_PER_ACCOUNT; i++)
        assert_int_equal(
            attempt(&at, i % 2 ? "192.0.2.1" : "192.0.2.2", "owner@example.org", NULL, now, true),
            LOGIN_GUARD_GO);
    assert_int_equal(attempt(&at, "192.0.2.3", "owner@example.org", NULL, now, true),
                     LOGIN_GUARD_PROVE);
    /* The owner's browser (its cookie, e-mail in any case) still gets in. */
    assert_int_equal(attempt(&at, "198.51.100.7", "OWNER@example.org", device, now, false),
                     LOGIN_GUARD_GO);
    assert_true(at.trusted);
    /* Another account's cookie, or a forged one, is an unknown browser. */
    char other[LOGIN_DEVICE_LEN + 1];
    assert_int_equal(login_guard_device(site, "someone@example.org", other), 0);
    assert_int_equal(attempt(&at, "198.51.100.7", "owner@example.org", other, now, false),
                     LOGIN_GUARD_PROVE);
    device[LOGIN_DEVICE_LEN - 1] = device[LOGIN_DEVICE_LEN - 1] == '0' ? '1' : '0';
    assert_int_equal(attempt(&at, "198.51.100.7", "owner@example.org", device, now, false),
                     LOGIN_GUARD_PROVE);
}

static void test_device_budget(void **state)
{
    (void)state;
    long long now = 1810000000;
    struct login_attempt at;
    char device[LOGIN_DEVICE_LEN + 1];
    assert_int_equal(login_guard_device(site, "dev@example.org", device), 0);
    for (int i = 0; i < LOGIN_MAX_PER_DEVICE; i++)
        assert_int_equal(attempt(&at, "203.0.113.1", "dev@example.org", device, now, true),
                         LOGIN_GUARD_GO);
    /* A known browser that keeps failing is held back too, with no way around it. */
    assert_int_equal(attempt(&at, "203.0.113.1", "dev@example.org", device, now, false),
                     LOGIN_GUARD_WAIT);
    /* Another address spending its whole budget (a proxy or NAT the owner shares) does not
     * hold back a known browser. */
    for (int i = 0; i < LOGIN_MAX_PER_IP + 5; i++) {
        char junk[64];
        snprintf(junk, sizeof junk, "junk%d@example.org", i);
        attempt(&at, "203.0.113.9", junk, NULL, now, true);
    }
    char d2[LOGIN_DEVICE_LEN + 1];
    assert_int_equal(login_guard_device(site, "dev2@example.org", d2), 0);
    assert_int_equal(attempt(&at, "203.0.113.9", "dev2@example.org", d2, now, false),
                     LOGIN_GUARD_GO);
    assert_int_equal(attempt(&at, "203.0.113.9", "other@example.org", NULL, now, false),
                     LOGIN_GUARD_WAIT);
    /* Its failures did not touch the account's budget for other browsers. */
    assert_int_equal(attempt(&at, "203.0.113.2", "dev@example.org", NULL, now, false),
                     LOGIN_GUARD_GO);
}

static void test_proof_of_work(void **state)
{
    (void)state;
    long long now = 1820000000;
    struct login_attempt at;
    for (int i = 0; i < LOGIN_MAX_PER_ACCOUNT; i++)
        attempt(&at, "192.0.2.10", "pow@example.org", NULL, now, true);
    char ch[LOGIN_CHALLENGE_MAX + 1], answer[24];
    assert_int_equal(login_guard_challenge(site, now, ch), 0);
    solve(ch, answer);
    memset(&at, 0, sizeof at);
    at.ip = "192.0.2.11";
    at.email = "pow@example.org";
    at.now = now;
    at.challenge = ch;
    at.answer = answer;
    long wait;
    assert_int_equal(login_guard_begin(site, &at, &wait), LOGIN_GUARD_GO);
    assert_true(at.pow_used);
    login_guard_end(&at, true);
    /* The same solved challenge a second time buys nothing. */
    memset(&at, 0, sizeof at);
    at.ip = "192.0.2.11";
    at.email = "pow@example.org";
    at.now = now + 1;
    at.challenge = ch;
    at.answer = answer;
    assert_int_equal(login_guard_begin(site, &at, &wait), LOGIN_GUARD_PROVE);
    /* A wrong answer, an altered or an expired challenge neither. */
    char ch2[LOGIN_CHALLENGE_MAX + 1];
    assert_int_equal(login_guard_challenge(site, now, ch2), 0);
    assert_false(login_guard_pow_valid(site, ch2, "x", now));
    solve(ch2, answer);
    assert_false(login_guard_pow_valid(site, ch2, answer, now + LOGIN_POW_SECONDS + 1));
    char forged[LOGIN_CHALLENGE_MAX + 1];
    snprintf(forged, sizeof forged, "%s", ch2);
    forged[0] = '8'; /* fewer bits asked */
    assert_false(login_guard_pow_valid(site, forged, answer, now));
    assert_true(login_guard_pow_valid(site, ch2, answer, now));
    assert_false(login_guard_pow_valid(site, ch2, answer, now));
}

/* With a fresh proof of work each time, an attacker still gets at most the hourly cap of
 * password checks for one account (the per-address limit is avoided with many addresses). */
static void test_hourly_cap(void **state)
{
    (void)state;
    long long now = 1830000000;
    int checks = 0;
    for (int i = 0; i < LOGIN_MAX_PER_ACCOUNT_HOUR + 20; i++) {
        char ip[32], ch[LOGIN_CHALLENGE_MAX + 1], answer[24];
        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 200, i % 200);
        struct login_attempt at = {.ip = ip, .email = "cap@example.org", .now = now};
        long wait;
        enum login_guard_verdict v = login_guard_begin(site, &at, &wait);
        if (v == LOGIN_GUARD_PROVE) {
            /* As the browser does: solve the challenge of the answer, send the form again. */
            assert_int_equal(login_guard_challenge(site, now, ch), 0);
            solve(ch, answer);
            at.challenge = ch;
            at.answer = answer;
            v = login_guard_begin(site, &at, &wait);
        }
        if (v == LOGIN_GUARD_GO) {
            checks++;
            login_guard_end(&at, true);
        } else {
            assert_int_equal(v, LOGIN_GUARD_WAIT);
        }
    }
    assert_int_equal(checks, LOGIN_MAX_PER_ACCOUNT_HOUR);
    /* After the hour, the account may be tried again. */
    struct login_attempt at;
    assert_int_equal(attempt(&at, "10.9.9.9", "cap@example.org", NULL, now + 3600, false),
                     LOGIN_GUARD_GO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owner_keeps_access),
        cmocka_unit_test(test_device_budget),
        cmocka_unit_test(test_proof_of_work),
        cmocka_unit_test(test_hourly_cap),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
