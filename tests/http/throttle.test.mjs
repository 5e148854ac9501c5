// throttle.test.mjs — password guessing is slowed down: after 5 failed logins for one account
// within 15 minutes, further attempts (even with the right password) get 429 with Retry-After,
// while other accounts can still log in; a browser stays known (its own budget) for each account
// it logged into, until that account's password changes.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, login, Client, CookieJar, getCsrf, BIN } from './harness.mjs';

let srv;

before(async () => {
    srv = await startServer();
});

after(async () => {
    await srv?.stop();
});

test('five failures lock the account for a while; others are not affected', async () => {
    const b = srv.users.b;
    for (let i = 0; i < 5; i++) {
        const { res } = await login(srv.base, b.email, `wrong-password-${i}`);
        assert.equal(res.status, 401, `attempt ${i + 1}`);
    }
    const { res } = await login(srv.base, b.email, b.password);
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0, 'Retry-After');
    assert.match(res.text, /Trop de tentatives de connexion/);
    assert.ok(!(res.headers.get('set-cookie') || '').includes('foison_session='), 'no session');
    // Same address, another account: still fine (the per-address budget is larger).
    const other = await login(srv.base, srv.users.a.email, srv.users.a.password);
    assert.equal(other.res.status, 303);
});

/* Logs in from a browser that carries only the device cookie device (or none); returns the answer
 * and the device cookie the browser holds afterwards. */
async function loginFrom(device, email, password) {
    const c = new Client(srv.base, new CookieJar(device ? { foison_device: device } : {}));
    const page = await c.get('/login');
    const res = await c.post('/login', { email, password, next: '/', csrf: getCsrf(page.text) });
    return { res, device: c.jar.get('foison_device') };
}

function addUser(email, password) {
    const r = spawnSync(BIN, ['user', 'add', srv.db, '--email', email, '--name', 'Dominique',
        '--role', 'contributor'], { input: `${password}\n`, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
}

test('one browser is known for each of its accounts, until that account\'s password changes', async () => {
    const one = { email: 'one.device@test.foison', password: 'premier-mot-de-passe' };
    const two = { email: 'two.device@test.foison', password: 'second-mot-de-passe' };
    addUser(one.email, one.password);
    addUser(two.email, two.password);
    addUser('spare.device@test.foison', 'nouveau-mot-de-passe');
    // The same browser logs into one, then two: its cookie holds a token for each.
    const first = await loginFrom(null, one.email, one.password);
    assert.equal(first.res.status, 303);
    const second = await loginFrom(first.device, two.email, two.password);
    assert.equal(second.res.status, 303);
    assert.match(second.device || '', /^[0-9a-f]{96}\.[0-9a-f]{96}$/, 'two tokens in one cookie');
    // Someone locks both accounts out for unknown browsers.
    for (const u of [one, two])
        for (let i = 0; i < 5; i++)
            assert.equal((await login(srv.base, u.email, `devine-${i}`)).res.status, 401);
    assert.equal((await login(srv.base, one.email, one.password)).res.status, 429);
    // The browser gets into both.
    let device = second.device;
    for (const u of [one, two]) {
        const r = await loginFrom(device, u.email, u.password);
        assert.equal(r.res.status, 303, `known browser, ${u.email}`);
        device = r.device;
    }
    // one's password changes (here: the hash of another password, as a password change writes):
    // the browser's token for one is worth nothing now, two's still counts.
    const sql = "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email ="
        + " 'spare.device@test.foison') WHERE email = 'one.device@test.foison';";
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, r.stderr);
    const revoked = await loginFrom(device, one.email, 'nouveau-mot-de-passe');
    assert.equal(revoked.res.status, 429, 'an old device cookie is an unknown browser');
    assert.match(revoked.res.text, /vérification de sécurité/);
    assert.equal((await loginFrom(device, two.email, two.password)).res.status, 303);
});
