// basics.test.mjs — health, home, list paging and filters, HEAD, ETag/304, caching of assets,
// security headers, French error pages, 405/Allow, keep-alive, body limits, API 404 in JSON.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, request, rawRequest, parseCards, postForm, apiJson } from './harness.mjs';

const MAX_BODY = 4096;
let srv;

before(async () => {
    srv = await startServer({ maxBody: MAX_BODY });
});

after(async () => {
    await srv?.stop();
});

test('GET /healthz answers ok', async () => {
    const r = await request(srv.base, '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.text.trim(), 'ok');
    assert.match(r.headers.get('content-type'), /^text\/plain/);
});

test('home page shows the counts of the demo site', async () => {
    const r = await request(srv.base, '/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.match(r.text, /<html lang="fr">/);
    assert.match(r.text, /<strong>38<\/strong> innovations/);
    assert.match(r.text, /<strong>\d+<\/strong> communes/);
    assert.match(r.text, /<strong>\d+<\/strong> contributrices et contributeurs/);
    assert.ok(parseCards(r.text).length > 0, 'home lists some cards');
});

test('innovation list is paged by 20', async () => {
    const p1 = await request(srv.base, '/innovations');
    assert.equal(p1.status, 200);
    assert.match(p1.text, /38 fiches/);
    assert.equal(parseCards(p1.text).length, 20);
    assert.match(p1.text, /Page 1 sur 2/);
    assert.match(p1.text, /href="\/innovations\?page=2"/);
    const p2 = await request(srv.base, '/innovations?page=2');
    assert.equal(p2.status, 200);
    const cards2 = parseCards(p2.text);
    assert.equal(cards2.length, 18);
    assert.match(p2.text, /Page 2 sur 2/);
    const urls1 = new Set(parseCards(p1.text).map((c) => c.url));
    for (const c of cards2)
        assert.ok(!urls1.has(c.url), `${c.url} appears on both pages`);
    // A page past the end does not exist.
    const p9 = await request(srv.base, '/innovations?page=9');
    assert.equal(p9.status, 404);
});

async function allFilteredCards(query) {
    let cards = [], url = `/innovations?${query}`, total = null;
    for (let i = 0; url && i < 10; i++) {
        const r = await request(srv.base, url);
        assert.equal(r.status, 200, url);
        total ??= Number(/(\d+) fiches?\b/.exec(r.text)[1]);
        cards = cards.concat(parseCards(r.text));
        const next = /rel="next" href="([^"]*)"/.exec(r.text);
        url = next ? next[1].replace(/&amp;/g, '&') : null;
    }
    return { cards, total };
}

async function allApiEntries() {
    const out = [];
    for (let page = 1; ; page++) {
        const r = await apiJson(srv.base, `/api/v1/entries?kind=innovation&page=${page}`);
        assert.equal(r.status, 200);
        out.push(...r.json.entries);
        if (page >= r.json.pages)
            return out;
    }
}

test('filter ?theme=documentation narrows the list', async () => {
    const { cards, total } = await allFilteredCards('theme=documentation');
    const expected = (await allApiEntries()).filter((e) => e.themes.includes('documentation'));
    assert.ok(total > 0 && total < 38, `total ${total}`);
    assert.equal(total, expected.length);
    assert.equal(cards.length, total);
    for (const c of cards)
        assert.ok(c.themes.includes('Documentation et savoirs'), `${c.url}: ${c.themes}`);
});

test('filter ?commune=29019 narrows the list to Brest', async () => {
    const { cards, total } = await allFilteredCards('commune=29019');
    const expected = (await allApiEntries()).filter((e) => e.commune === '29019');
    assert.ok(total > 0 && total < 38, `total ${total}`);
    assert.equal(total, expected.length);
    assert.equal(cards.length, total);
    for (const c of cards)
        assert.equal(c.commune, 'Brest', c.url);
});

test('HEAD returns the headers and no body', async () => {
    const get = await rawRequest(srv.base, '/innovations');
    const head = await rawRequest(srv.base, '/innovations', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.match(head.headers['content-type'], /^text\/html/);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
    assert.ok(head.headers['content-security-policy']);
    const css = await rawRequest(srv.base, '/static/style.css', { method: 'HEAD' });
    assert.equal(css.status, 200);
    assert.equal(css.body, '');
    assert.match(css.headers['content-type'], /^text\/css/);
    assert.ok(Number(css.headers['content-length']) > 0);
});

async function firstRecordPath() {
    const r = await request(srv.base, '/innovations');
    return parseCards(r.text)[0].url;
}

test('ETag then If-None-Match gives 304 for a record page', async () => {
    const p = await firstRecordPath();
    const r1 = await request(srv.base, p);
    assert.equal(r1.status, 200);
    const etag = r1.headers.get('etag');
    // fetch sends Accept-Encoding: gzip, deflate, br: the ETag names the encoding sent.
    assert.match(etag, /^"[0-9a-f]+(-br|-gz)?"$/);
    assert.match(r1.headers.get('cache-control'), /no-cache/);
    const r2 = await request(srv.base, p, { headers: { 'if-none-match': etag } });
    assert.equal(r2.status, 304);
    assert.equal(r2.text, '');
    assert.equal(r2.headers.get('etag'), etag);
    // The same page again (now from the page cache) keeps its ETag.
    const r3 = await request(srv.base, p);
    assert.equal(r3.headers.get('etag'), etag);
    const r4 = await request(srv.base, p, { headers: { 'if-none-match': '"0000000000000000"' } });
    assert.equal(r4.status, 200);
    // A write to the record changes the page: new ETag, and the old one no longer gives 304.
    const slug = p.split('/').pop();
    const cur = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    const up = await apiJson(srv.base, `/api/v1/entries/${slug}`, {
        method: 'PUT', token: srv.users.a.token,
        body: { base_revision: cur.json.revision, summary: 'Résumé changé pour le test des ETag.' },
    });
    assert.equal(up.status, 200, up.text);
    const r5 = await request(srv.base, p, { headers: { 'if-none-match': etag } });
    assert.equal(r5.status, 200, 'the old ETag is stale after a write');
    assert.notEqual(r5.headers.get('etag'), etag);
    assert.match(r5.text, /Résumé changé pour le test des ETag\./);
    const r6 = await request(srv.base, p, { headers: { 'if-none-match': r5.headers.get('etag') } });
    assert.equal(r6.status, 304);
});

test('ETag then If-None-Match gives 304 for /static/style.css', async () => {
    const r1 = await request(srv.base, '/static/style.css');
    assert.equal(r1.status, 200);
    const etag = r1.headers.get('etag');
    assert.ok(etag);
    assert.doesNotMatch(r1.headers.get('cache-control'), /immutable/);
    const r2 = await request(srv.base, '/static/style.css', { headers: { 'if-none-match': etag } });
    assert.equal(r2.status, 304);
    assert.equal(r2.text, '');
});

test('fingerprinted CSS is immutable and the same file', async () => {
    const home = await request(srv.base, '/');
    const m = /<link rel="stylesheet" href="(\/static\/style\.[0-9a-f]{8}\.css)">/.exec(home.text);
    assert.ok(m, 'home links a fingerprinted stylesheet');
    const fp = await request(srv.base, m[1]);
    assert.equal(fp.status, 200);
    assert.match(fp.headers.get('cache-control'), /immutable/);
    assert.match(fp.headers.get('cache-control'), /max-age=31536000/);
    const plain = await request(srv.base, '/static/style.css');
    assert.equal(fp.text, plain.text);
    const missing = await request(srv.base, '/static/nope.css');
    assert.equal(missing.status, 404);
});

function assertSecurityHeaders(h, what) {
    const csp = h.get('content-security-policy');
    assert.ok(csp, `${what}: CSP`);
    const scriptSrc = /(?:^|;)\s*script-src([^;]*)/.exec(csp) ?? /(?:^|;)\s*default-src([^;]*)/.exec(csp);
    assert.ok(scriptSrc, `${what}: script-src or default-src`);
    assert.doesNotMatch(scriptSrc[1], /'unsafe-inline'|'unsafe-eval'/, `${what}: script-src`);
    assert.match(csp, /frame-ancestors 'none'/, `${what}: frame-ancestors`);
    assert.equal(h.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
    assert.ok(h.get('referrer-policy'), `${what}: Referrer-Policy`);
}

test('security headers on every page', async () => {
    const rec = await firstRecordPath();
    const paths = ['/', '/innovations', '/innovations?theme=documentation', rec, `${rec}/history`,
                   `${rec}/diff`, '/login', '/static/style.css', '/healthz', '/nope', '/innovations/nope',
                   '/api/v1/entries', '/api/v1/nope'];
    for (const p of paths) {
        const r = await request(srv.base, p);
        assertSecurityHeaders(r.headers, p);
    }
    const r405 = await request(srv.base, '/', { method: 'DELETE' });
    assertSecurityHeaders(r405.headers, 'DELETE /');
    const r303 = await request(srv.base, '/innovations/new');
    assertSecurityHeaders(r303.headers, 'redirect /innovations/new');
});

test('404 is a French HTML page', async () => {
    for (const p of ['/nope', '/innovations/cette-fiche-nexiste-pas', '/innovations/x/y/z']) {
        const r = await request(srv.base, p);
        assert.equal(r.status, 404, p);
        assert.match(r.headers.get('content-type'), /^text\/html/, p);
        assert.match(r.text, /<html lang="fr">/, p);
        assert.match(r.text, /Page introuvable/, p);
        assert.match(r.headers.get('cache-control'), /no-store/, p);
    }
});

test('405 with Allow for DELETE /', async () => {
    const r = await request(srv.base, '/', { method: 'DELETE' });
    assert.equal(r.status, 405);
    const allow = r.headers.get('allow');
    assert.ok(allow, 'Allow header');
    const methods = allow.split(',').map((s) => s.trim());
    assert.ok(methods.includes('GET'), allow);
    assert.ok(!methods.includes('DELETE'), allow);
    assert.match(r.text, /lang="fr"/);
    const p = await request(srv.base, '/login', { method: 'PUT', body: 'x' });
    assert.equal(p.status, 405);
    const pm = p.headers.get('allow').split(',').map((s) => s.trim());
    assert.ok(pm.includes('GET') && pm.includes('POST'), p.headers.get('allow'));
});

test('keep-alive: two requests reuse one socket', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
        const r1 = await rawRequest(srv.base, '/healthz', { agent });
        const r2 = await rawRequest(srv.base, '/innovations', { agent });
        assert.equal(r1.status, 200);
        assert.equal(r2.status, 200);
        assert.notEqual(r1.headers.connection?.toLowerCase(), 'close');
        assert.notEqual(r2.headers.connection?.toLowerCase(), 'close');
        assert.equal(r2.reusedSocket, true, 'second request went over the same connection');
        assert.equal(r1.socket, r2.socket);
        // A POST with a body also keeps the connection.
        const r3 = await rawRequest(srv.base, '/login', {
            agent, method: 'POST', body: 'email=x', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(r3.status, 403);
        assert.notEqual(r3.headers.connection?.toLowerCase(), 'close');
        const r4 = await rawRequest(srv.base, '/healthz', { agent });
        assert.equal(r4.reusedSocket, true);
        assert.equal(r4.socket, r1.socket);
    } finally {
        agent.destroy();
    }
});

test('413 for a form POST larger than --max-body', async () => {
    const body = 'email=a%40b.c&password=' + 'x'.repeat(MAX_BODY * 2);
    const r = await rawRequest(srv.base, '/login', {
        method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(r.status, 413);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.match(r.body, /lang="fr"/);
    assert.match(r.body, /Requête trop volumineuse/);
    // Just under the limit is read normally (403: no csrf).
    const small = 'email=a%40b.c&password=' + 'x'.repeat(MAX_BODY - 100);
    const ok = await postForm(srv.base, '/login', null, { raw: small });
    assert.equal(ok.status, 403);
});

test('413 for a chunked body (no Content-Length) larger than --max-body', async () => {
    const chunk = 'x'.repeat(1024);
    const r = await rawRequest(srv.base, '/login', {
        method: 'POST', chunks: ['password=', ...Array(MAX_BODY / 1024 + 2).fill(chunk)],
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
    });
    assert.equal(r.status, 413);
});

test('413 for an API body larger than --max-body is JSON', async () => {
    const body = JSON.stringify({ kind: 'innovation', title: 'x', description: 'y'.repeat(MAX_BODY * 2) });
    const r = await rawRequest(srv.base, '/api/v1/entries', {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${srv.users.a.token}` },
    });
    assert.equal(r.status, 413);
    assert.match(r.headers['content-type'], /^application\/json/);
    const j = JSON.parse(r.body);
    assert.equal(j.error.status, 413);
    assert.equal(typeof j.error.message, 'string');
});

test('/api/... 404 is JSON', async () => {
    for (const p of ['/api/v1/nope', '/api/v1/entries/cette-fiche-nexiste-pas', '/api/v2/entries']) {
        const r = await request(srv.base, p);
        assert.equal(r.status, 404, p);
        assert.match(r.headers.get('content-type'), /^application\/json/, p);
        const j = r.json();
        assert.equal(j.error.status, 404, p);
    }
    const r = await request(srv.base, '/api/v1/entries', { method: 'DELETE' });
    assert.equal(r.status, 405);
    assert.match(r.headers.get('content-type'), /^application\/json/);
});

// RFC 9110 §15.4.5: a 304 carries the Cache-Control (and Vary) the 200 would have had, so a cache
// refreshing its copy keeps the right policy.
test('304 answers keep Cache-Control', async () => {
    const p = await firstRecordPath();
    for (const path of [p, '/static/style.css', '/innovations']) {
        const r1 = await request(srv.base, path);
        const r2 = await request(srv.base, path, { headers: { 'if-none-match': r1.headers.get('etag') } });
        assert.equal(r2.status, 304, path);
        assert.equal(r2.headers.get('cache-control'), r1.headers.get('cache-control'), path);
    }
});

test('after an early 413 the unread body is never parsed as a request', async () => {
    const net = await import('node:net');
    const smuggled = 'GET /smuggled-after-413 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const body = smuggled.repeat(Math.ceil((MAX_BODY * 2) / smuggled.length));
    const head = `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`;
    const answer = await new Promise((resolve, reject) => {
        const sock = net.connect(srv.port, '127.0.0.1');
        let data = '';
        const done = () => { sock.destroy(); resolve(data); };
        sock.setEncoding('utf8');
        sock.on('data', (d) => { data += d; });
        sock.on('close', done);
        sock.on('error', () => done());
        sock.setTimeout(3000, done);
        sock.write(head + body + `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, (e) => e && done());
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    // Either the connection is closed after the 413, or the body was skipped and /healthz answered.
    assert.ok(statuses.length === 1 || (statuses.length === 2 && statuses[1] === '200'),
              `answers on the connection: ${statuses}`);
    const h = await request(srv.base, '/healthz');
    assert.equal(h.status, 200);
    assert.doesNotMatch(srv.stderr(), /smuggled-after-413/);
});
