// throttle.test.mjs — password guessing is slowed down: after 5 failed logins for one account
// within 15 minutes, further attempts (even with the right password) get 429 with Retry-After,
// while other accounts can still log in.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login } from './harness.mjs';

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
