// proxy.test.mjs — behind a reverse proxy: X-Forwarded-For names the client only when the peer is
// a trusted proxy (the trusted_proxies setting); then per-address login limits count the real
// visitors apart, and the access log shows them. Without the setting the header is ignored.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, login } from './harness.mjs';

const servers = [];
after(async () => {
    for (const s of servers)
        await s.stop();
});

const flush = () => new Promise((r) => setTimeout(r, 1200)); // the log is flushed every second

test('from a trusted proxy, the client is the rightmost address that is not a proxy', async () => {
    const srv = await startServer({ config: { trusted_proxies: '127.0.0.1, 10.0.0.0/8' } });
    servers.push(srv);
    await request(srv.base, '/healthz?one', { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    await request(srv.base, '/healthz?two',
        { headers: { 'X-Forwarded-For': '6.6.6.6, 198.51.100.4, 10.1.1.1' } });
    await request(srv.base, '/healthz?three');
    await flush();
    const log = srv.stderr();
    assert.match(log, /Z 203\.0\.113\.7 GET \/healthz /);
    assert.match(log, /Z 198\.51\.100\.4 GET \/healthz /);
    assert.doesNotMatch(log, /6\.6\.6\.6 GET/, 'what the client wrote on the left is not believed');
    assert.match(log, /Z 127\.0\.0\.1 GET \/healthz /);
    assert.match(log, /X-Forwarded-For lu des mandataires/);
});

test('a long forged line before the proxy\'s own line does not hide it', async () => {
    const srv = servers[0];
    // Two header lines: what the client sent (long, forged), then what the proxy added.
    const net = await import('node:net');
    const forged = Array.from({ length: 400 }, (_, i) => `6.6.${i % 250}.${i % 200}`).join(', ');
    const text = await new Promise((resolve) => {
        const s = net.connect(srv.port, '127.0.0.1');
        let out = '';
        s.on('data', (d) => { out += d; });
        s.on('close', () => resolve(out));
        s.write(`GET /healthz?long HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${forged}\r\n`
            + 'X-Forwarded-For: 192.0.2.77\r\nConnection: close\r\n\r\n');
    });
    assert.match(text, /^HTTP\/1\.1 200/);
    await flush();
    assert.match(srv.stderr(), /Z 192\.0\.2\.77 GET \/healthz /);
});

test('behind the proxy, one address\'s failures do not lock out the others', async () => {
    const srv = await startServer({ config: { trusted_proxies: '127.0.0.1' } });
    servers.push(srv);
    const as = (ip) => ({ 'X-Forwarded-For': ip });
    // 30 failures from one visitor, each on another (unknown) account: its address budget.
    for (let i = 0; i < 30; i++) {
        const r = await loginFrom(srv, `inconnu${i}@exemple.org`, 'mauvais-mot-de-passe', as('203.0.113.66'));
        assert.equal(r.status, 401, `failure ${i}`);
    }
    const held = await loginFrom(srv, srv.users.a.email, srv.users.a.password, as('203.0.113.66'));
    assert.equal(held.status, 429, 'that address is held back');
    // Before, every visitor behind the proxy shared that one address and was locked out.
    const other = await loginFrom(srv, srv.users.a.email, srv.users.a.password, as('198.51.100.23'));
    assert.equal(other.status, 303, 'another visitor behind the same proxy logs in');
});

test('without trusted proxies the header is ignored: a forged address buys nothing', async () => {
    const srv = await startServer();
    servers.push(srv);
    for (let i = 0; i < 30; i++) {
        const r = await loginFrom(srv, `inconnu${i}@exemple.org`, 'mauvais-mot-de-passe',
            { 'X-Forwarded-For': `192.0.2.${i}` });
        assert.equal(r.status, 401, `failure ${i}`);
    }
    const r = await loginFrom(srv, srv.users.a.email, srv.users.a.password, { 'X-Forwarded-For': '192.0.2.200' });
    assert.equal(r.status, 429, 'all 30 counted against the real peer');
    await flush();
    assert.doesNotMatch(srv.stderr(), /192\.0\.2\.\d+ (GET|POST)/);
});

test('foison config refuses a malformed trusted_proxies and accepts an empty one', async () => {
    const srv = servers[0];
    const { spawnSync } = await import('node:child_process');
    const { BIN } = await import('./harness.mjs');
    for (const bad of ['10.0.0.0/33', 'proxy.example.org', '1.2.3.4/x']) {
        const r = spawnSync(BIN, ['config', srv.db, 'trusted_proxies', bad], { encoding: 'utf8' });
        assert.notEqual(r.status, 0, bad);
        assert.match(r.stderr, /invalide/, bad);
    }
    const ok = spawnSync(BIN, ['config', srv.db, 'trusted_proxies', ''], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
});

/* A login through the real form (its own cookie jar, so no device cookie helps). */
async function loginFrom(srv, email, password, headers) {
    const { res } = await login(srv.base, email, password, headers);
    return res;
}
