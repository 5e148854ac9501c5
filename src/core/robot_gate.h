/* robot_gate.h — proof that a person is there, before the pages robots make expensive (the
 * history and the diffs of a record), as Fossil's robot-restrict: an anonymous visitor without
 * a valid signed cookie gets a small page that earns one, by a proof of work solved by its
 * browser (login_guard_challenge, static/login-pow.js) or, without JavaScript, by a button that
 * only works once the page has been open ROBOT_GATE_WAIT seconds (a signed time stamp). A crawler
 * that follows links and keeps no cookie never reaches those pages; a signed-in account is never
 * asked. It is no defence against a determined scraper (the rate limits are), only against the
 * robots that walk every history and every pair of revisions of a wiki. */
#ifndef FOISON_ROBOT_GATE_H
#define FOISON_ROBOT_GATE_H
#include <stdbool.h>

struct store;

#define ROBOT_GATE_COOKIE "foison_human"
#define ROBOT_GATE_SECONDS 86400 /* a proof is good for a day */
#define ROBOT_GATE_WAIT 2        /* seconds the page is open before its button works (no JS) */
#define ROBOT_GATE_STAMP_MAX_AGE 3600
#define ROBOT_GATE_COOKIE_MAX 160

/* The setting robot_restrict: on unless set to off. */
bool robot_gate_enabled(struct store *s);
/* A fresh cookie value (expiry, nonce, HMAC under the site's secret) into out. 0 or -1. */
int robot_gate_cookie(struct store *s, long long now, char out[ROBOT_GATE_COOKIE_MAX + 1]);
/* True when cookie was made by this site (any of its processes) and has not expired. */
bool robot_gate_cookie_valid(struct store *s, const char *cookie, long long now);

#endif
