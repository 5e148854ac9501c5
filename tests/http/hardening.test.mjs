// hardening.test.mjs — defects found by the review of the foundation (issue 5), each seen failing
// before its fix: revert goes through the save path's licence rule; a storage error during login
// is not a wrong password; parallel wrong passwords get exactly the limit of password checks; the
// owner keeps access during an attack (known browser, or proof of work from a new one); a cached
// page depends only on its cache key.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startServer, apiJson, loginOk, login, sampleInnovation, formFields, Client, getCsrf,
    inputValue, decodeEntities } from './harness.mjs';

let srv;

before(async () => {
    // The storage-error test provokes 503s on POST /login, and only there.
    srv = await startServer({ expected5xx: /^\S+Z \S+ POST \/login 503 / });
});

after(async () => {
    await srv?.stop();
});

function sqlite(sql) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
}

test('a contributor cannot undo a moderator\'s licence change by reverting; a moderator can', async () => {
    const c = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { kind: 'innovation', ...sampleInnovation({ title: 'Licence et retour' }) },
    });
    assert.equal(c.status, 201, c.text);
    const slug = c.json.slug;
    const admin = await loginOk(srv.base, srv.admin.email, srv.admin.password);
    const m = await admin.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Licence et retour' })),
        license: 'CC0-1.0', base_revision: 1, comment: 'domaine public',
    });
    assert.equal(m.status, 303, m.text.slice(0, 300));
    const alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const r = await alice.post(`/innovations/${slug}/revert`, { rev: 1, base_revision: 2 });
    assert.equal(r.status, 422, r.text.slice(0, 300));
    assert.match(r.text, /seuls les modérateurs peuvent changer la licence/);
    assert.match(r.text, new RegExp(`href="/innovations/${slug}/history"`));
    let now = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(now.json.license, 'CC0-1.0');
    assert.equal(now.json.revision, 2, 'nothing written');
    const ok = await admin.post(`/innovations/${slug}/revert`, { rev: 1, base_revision: 2 });
    assert.equal(ok.status, 303);
    now = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(now.json.license, 'CC-BY-SA-4.0');
    assert.equal(now.json.revision, 3);
});

test('a storage error during login is a 503 and never feeds the throttle', async () => {
    const u = srv.users.b;
    sqlite('ALTER TABLE sessions RENAME TO sessions_away;');
    try {
        for (let i = 0; i < 7; i++) {
            const { res } = await login(srv.base, u.email, u.password);
            assert.equal(res.status, 503, `attempt ${i + 1}: ${res.status}`);
            assert.match(res.text, /indisponible/);
        }
    } finally {
        sqlite('ALTER TABLE sessions_away RENAME TO sessions;');
    }
    const { res } = await login(srv.base, u.email, u.password);
    assert.equal(res.status, 303, 'the owner is not locked out by our errors');
});

/* Finds N such that SHA-256(challenge ":" N) starts with the challenge's number of zero bits. */
function solve(challenge) {
    const bits = Number(challenge.split('.')[0]);
    for (let n = 0; ; n++) {
        const h = crypto.createHash('sha256').update(`${challenge}:${n}`).digest();
        let ok = true;
        for (let i = 0; i < bits && ok; i++)
            ok = (h[i >> 3] & (0x80 >> (i & 7))) === 0;
        if (ok)
            return String(n);
    }
}

test('20 parallel wrong passwords get 5 password checks; the owner keeps access', async () => {
    // The owner logged in from this browser before: it carries a device cookie.
    const email = 'owner.guard@test.foison', password = 'owner-password-9';
    const add = spawnSync(process.env.FOISON_BIN || 'build/foison',
        ['user', 'add', srv.db, '--email', email, '--name', 'Propriétaire', '--role', 'contributor'],
        { input: `${password}\n`, encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    const first = await login(srv.base, email, password);
    assert.equal(first.res.status, 303);
    const device = first.client.jar.get('foison_device');
    assert.match(device || '', /^[0-9a-f]{96}$/, 'a device cookie after a login');

    // An attacker: 20 attempts at once, each with its own form.
    const forms = await Promise.all(Array.from({ length: 20 }, async () => {
        const c = new Client(srv.base);
        const page = await c.get('/login');
        return { c, csrf: getCsrf(page.text) };
    }));
    const answers = await Promise.all(forms.map(({ c, csrf }, i) =>
        c.post('/login', { email, password: `guess-${i}`, next: '/', csrf })));
    const statuses = answers.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 15, statuses.join(','));

    // The owner's browser still gets in, with the right password.
    const owner = new Client(srv.base);
    owner.jar.set('foison_device', device);
    const page = await owner.get('/login');
    const ok = await owner.post('/login', { email, password, next: '/', csrf: getCsrf(page.text) });
    assert.equal(ok.status, 303, 'the owner\'s known browser is not locked out');

    // A new browser is asked for a proof of work; once solved it may try (here: rightly).
    const fresh = new Client(srv.base);
    const p2 = await fresh.get('/login');
    const asked = await fresh.post('/login', { email, password, next: '/', csrf: getCsrf(p2.text) });
    assert.equal(asked.status, 429);
    assert.ok(!(asked.headers.get('set-cookie') || '').includes('foison_session='), 'no session');
    const challenge = decodeEntities(inputValue(asked.text, 'pow_challenge') || '');
    assert.match(challenge, /^\d+\.\d+\.[0-9a-f]{32}\.[0-9a-f]{64}$/);
    assert.match(asked.text, /<script src="\/static\/login-pow\.[0-9a-f]{8}\.js" defer><\/script>/);
    const answer = solve(challenge);
    const proved = await fresh.post('/login', {
        email, password, next: '/', csrf: getCsrf(asked.text), pow_challenge: challenge, pow_answer: answer,
    });
    assert.equal(proved.status, 303, proved.text.slice(0, 300));
    // The same solution twice buys nothing.
    const again = new Client(srv.base);
    const p3 = await again.get('/login');
    const replay = await again.post('/login', {
        email, password, next: '/', csrf: getCsrf(p3.text), pow_challenge: challenge, pow_answer: answer,
    });
    assert.equal(replay.status, 429);
});

function loginLink(html) {
    const m = /href="\/login\?next=([^"]*)"/.exec(html);
    assert.ok(m, 'a login link');
    return decodeURIComponent(decodeEntities(m[1]));
}

test('a cached page depends only on its cache key, not on the query of the first visitor', async () => {
    // A write makes every cached page stale: the next visitor renders them.
    const w = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { kind: 'innovation', ...sampleInnovation({ title: 'Clé de cache' }) },
    });
    assert.equal(w.status, 201);
    const first = await fetch(`${srv.base}/?utm=piege`);
    assert.equal(first.status, 200);
    assert.equal(loginLink(await first.text()), '/');
    const home = await fetch(`${srv.base}/`);
    assert.equal(loginLink(await home.text()), '/');
    const list = await fetch(`${srv.base}/innovations?page=01`);
    assert.equal(loginLink(await list.text()), '/innovations?page=1');
    const list2 = await fetch(`${srv.base}/innovations?page=1`);
    assert.equal(loginLink(await list2.text()), '/innovations?page=1');
    const rec = await fetch(`${srv.base}/innovations/${w.json.slug}`);
    assert.equal(loginLink(await rec.text()), `/innovations/${w.json.slug}`);
});

test('without a base URL of its own, permanent links follow --listen', async () => {
    const list = await fetch(`${srv.base}/innovations`);
    const slug = /href="\/innovations\/([a-z0-9-]+)"/.exec(await list.text())[1];
    const page = await (await fetch(`${srv.base}/innovations/${slug}`)).text();
    assert.ok(page.includes(`${srv.base}/innovations/${slug}`), 'the permanent link is this server\'s');
    assert.doesNotMatch(page, /127\.0\.0\.1:8080/);
    const api = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(api.json.url, `${srv.base}/innovations/${slug}`);
});
