// robots.test.mjs — the gate before a record's history and diffs (Fossil's robot-restrict): an
// anonymous visitor without a valid foison_human cookie gets a small noindex page and none of
// the history; solving its proof of work (as static/login-pow.js does) or, without JavaScript,
// pressing its button after two seconds earns the cookie and goes on to the page; a forged,
// expired or replayed proof is refused; signed-in accounts are never stopped; the setting
// robot_restrict off opens the pages; a cached diff never goes past the gate.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
    startServer, loginOk, request, postForm, CookieJar, getCsrf, inputValue, solvePow, proveHuman,
    BIN,
} from './harness.mjs';

let srv, hist, diff, slug;

before(async () => {
    srv = await startServer();
    const list = await request(srv.base, '/api/v1/entries?kind=innovation');
    // A record with at least two revisions, for a real diff.
    const alice = srv.users.a;
    slug = list.json().entries[0].slug;
    const e = (await request(srv.base, `/api/v1/entries/${slug}`)).json();
    const put = await fetch(`${srv.base}/api/v1/entries/${slug}`, {
        method: 'PUT', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ base_revision: e.revision, summary: `${e.summary} Ajout visible dans la différence.` }),
    });
    assert.equal(put.status, 200, await put.text());
    hist = `/innovations/${slug}/history`;
    diff = `/innovations/${slug}/diff?from=${e.revision}&to=${e.revision + 1}`;
});

after(async () => {
    await srv?.stop();
});

function config(k, v) {
    const r = spawnSync(BIN, ['config', srv.db, k, v], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, r.stderr);
}

function assertGate(r, what) {
    assert.equal(r.status, 200, what);
    assert.match(r.text, /<meta name="robots" content="noindex">/, `${what}: noindex`);
    assert.match(r.headers.get('x-robots-tag') || '', /noindex/, `${what}: X-Robots-Tag`);
    assert.match(r.headers.get('cache-control'), /no-store/, `${what}: never cached`);
    assert.match(r.text, /<form method="post" action="\/verification" data-pow="auto">/, what);
    assert.ok(inputValue(r.text, 'pow_challenge'), `${what}: a challenge`);
    assert.doesNotMatch(r.text, /<table class="history"|<ins>|<del>|Ajout visible/, `${what}: none of the page`);
}

const isHistory = (r) => /<table class="history"/.test(r.text);

test('without the cookie, history and diff answer the gate, with none of their content', async () => {
    assertGate(await request(srv.base, hist), 'history');
    assertGate(await request(srv.base, diff), 'diff');
    assertGate(await request(srv.base, `/innovations/${slug}/diff`), 'diff without from/to');
    // Each gate is a fresh challenge.
    const a = inputValue((await request(srv.base, hist)).text, 'pow_challenge');
    const b = inputValue((await request(srv.base, hist)).text, 'pow_challenge');
    assert.notEqual(a, b);
    // Unknown records are still 404 (the gate is only on pages that would exist)… or the gate:
    // what matters is that nothing of a record leaks; a visitor learns nothing from a 200 gate.
});

test('a solved proof of work sets the cookie and goes on to the page asked for', async () => {
    const jar = new CookieJar();
    const gate = await request(srv.base, diff, { cookies: jar });
    assert.equal(inputValue(gate.text, 'next'), diff);
    const challenge = inputValue(gate.text, 'pow_challenge');
    const fields = { csrf: getCsrf(gate.text), next: diff, stamp: inputValue(gate.text, 'stamp'),
        pow_challenge: challenge, pow_answer: solvePow(challenge) };
    const r = await postForm(srv.base, '/verification', fields, { cookies: jar });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), diff);
    const set = r.headers.getSetCookie().find((c) => c.startsWith('foison_human='));
    assert.match(set, /HttpOnly/);
    assert.match(set, /Max-Age=86400/);
    const page = await request(srv.base, diff, { cookies: jar });
    assert.equal(page.status, 200);
    assert.match(page.text, /Ajout visible/);
    assert.match(page.text, /<ins>/);
    assert.ok(isHistory(await request(srv.base, hist, { cookies: jar })), 'and the history');
    // The same proof twice: refused (a challenge buys one cookie).
    const again = await postForm(srv.base, '/verification', fields, { cookies: jar.clone() });
    assert.equal(again.status, 403);
    assertGate({ ...again, status: 200 }, 'a replayed proof shows a new gate');
    // A wrong answer: refused.
    const g2 = await request(srv.base, hist, { cookies: new CookieJar({ foison_csrf: jar.get('foison_csrf') }) });
    const c2 = inputValue(g2.text, 'pow_challenge');
    const wrong = String(Number(solvePow(c2)) + 1);
    const bad = await postForm(srv.base, '/verification', { csrf: getCsrf(g2.text), next: hist,
        pow_challenge: c2, pow_answer: wrong, stamp: inputValue(g2.text, 'stamp') },
    { cookies: new CookieJar({ foison_csrf: jar.get('foison_csrf') }) });
    // (a wrong answer can, rarely, solve it too: then it is accepted, and that is right)
    assert.ok(bad.status === 403 || bad.status === 303);
});

test('a cached diff never goes past the gate', async () => {
    const cookie = await srv.human();
    const withCookie = await request(srv.base, diff, { cookies: cookie });
    assert.match(withCookie.text, /Ajout visible/);
    const again = await request(srv.base, diff, { cookies: cookie });
    assert.match(again.text, /Ajout visible/, 'served from the page cache');
    assertGate(await request(srv.base, diff), 'the same diff, no cookie');
});

/* A cookie signed with the site's own secret, to show that only its expiry refuses it. */
function signedCookie(expires) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, "SELECT value FROM settings WHERE key = 'login_secret'"],
        { encoding: 'utf8' });
    const key = Buffer.from(r.stdout.trim(), 'hex');
    assert.equal(key.length, 32, 'the site secret');
    const text = `${expires}.${crypto.randomBytes(16).toString('hex')}`;
    const mac = crypto.createHmac('sha256', key).update(`human\n${text}`).digest('hex');
    return `foison_human=${text}.${mac}`;
}

test('forged, expired or too long-lived cookies are refused', async () => {
    const good = await srv.human();
    assert.ok(isHistory(await request(srv.base, hist, { cookies: good })));
    const value = good.split('=')[1];
    const flipped = value.slice(0, -1) + (value.endsWith('0') ? '1' : '0');
    const now = Math.floor(Date.now() / 1000);
    for (const [what, c] of [
        ['a changed MAC', `foison_human=${flipped}`],
        ['a later expiry with the old MAC', `foison_human=${Number(value.split('.')[0]) + 100}.${value.split('.').slice(1).join('.')}`],
        ['garbage', 'foison_human=1.2.3'],
        ['empty', 'foison_human='],
        ['too long', `foison_human=${'a'.repeat(500)}`],
        ['expired (signed by the site)', signedCookie(now - 5)],
        ['valid for more than a day (signed by the site)', signedCookie(now + 3 * 86400)],
    ])
        assertGate(await request(srv.base, hist, { cookies: c }), what);
    // The same signing, fresh: accepted (so the two above were refused for their dates).
    assert.ok(isHistory(await request(srv.base, hist, { cookies: signedCookie(now + 3600) })));
});

test('without JavaScript: the button works once the page has been open two seconds', async () => {
    const jar = new CookieJar();
    const gate = await request(srv.base, hist, { cookies: jar });
    assert.match(gate.text, /Sans JavaScript, attendez 2 secondes puis appuyez sur le bouton/);
    assert.match(gate.text, /<button type="submit">Continuer vers la page demandée<\/button>/);
    const fields = { csrf: getCsrf(gate.text), next: hist, stamp: inputValue(gate.text, 'stamp'),
        pow_challenge: inputValue(gate.text, 'pow_challenge'), pow_answer: '' };
    const early = await postForm(srv.base, '/verification', fields, { cookies: jar });
    assert.equal(early.status, 403);
    assert.match(early.text, /attendez deux secondes/);
    assert.ok(!jar.get('foison_human'));
    await new Promise((r) => setTimeout(r, 2200));
    const later = await postForm(srv.base, '/verification', fields, { cookies: jar });
    assert.equal(later.status, 303);
    assert.equal(later.headers.get('location'), hist);
    assert.ok(isHistory(await request(srv.base, hist, { cookies: jar })));
    // A stamp of another gate, or made up, does not count.
    const other = await request(srv.base, hist, { cookies: jar.clone() });
    for (const stamp of [inputValue(other.text, 'stamp'), `${Math.floor(Date.now() / 1000) - 10}.${'0'.repeat(64)}`]) {
        const j = new CookieJar({ foison_csrf: jar.get('foison_csrf') });
        const r = await postForm(srv.base, '/verification', { ...fields, stamp }, { cookies: j });
        assert.equal(r.status, 403, stamp);
        assert.ok(!j.get('foison_human'));
    }
});

test('the form is checked: CSRF, and only local pages to go on to', async () => {
    const jar = new CookieJar();
    const gate = await request(srv.base, hist, { cookies: jar });
    const challenge = inputValue(gate.text, 'pow_challenge');
    const base = { stamp: inputValue(gate.text, 'stamp'), pow_challenge: challenge,
        pow_answer: solvePow(challenge) };
    const noCsrf = await postForm(srv.base, '/verification', { ...base, next: hist }, { cookies: jar });
    assert.equal(noCsrf.status, 403);
    assert.ok(!jar.get('foison_human'));
    const r = await postForm(srv.base, '/verification',
        { ...base, next: 'https://evil.example/x', csrf: getCsrf(gate.text) }, { cookies: jar });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/');
    await proveHuman(srv.base, hist); // the harness's way works too
});

test('signed-in accounts are never stopped', async () => {
    for (const u of [srv.users.c, srv.users.a]) {
        const c = await loginOk(srv.base, u.email, u.password);
        assert.ok(isHistory(await c.get(hist)), u.email);
        assert.match((await c.get(diff)).text, /Ajout visible/, u.email);
    }
});

test('robot_restrict off opens the pages to everyone, at once', async () => {
    config('robot_restrict', 'off');
    try {
        assert.ok(isHistory(await request(srv.base, hist)));
        assert.match((await request(srv.base, diff)).text, /Ajout visible/);
    } finally {
        config('robot_restrict', 'on');
    }
    assertGate(await request(srv.base, hist), 'on again');
});
