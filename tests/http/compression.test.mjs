// compression.test.mjs — gzip and brotli responses through raw node:http requests (fetch would
// decompress by itself): every kind of body (cached pages, an uncached logged-in page, the JSON
// API, a static asset) decodes to the identity body; Vary, per-encoding ETags and 304s; HEAD
// gives the encoded length; cached pages are compressed once (same bytes each time); small
// bodies and refused codings go out as they are.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startServer, rawRequest, loginOk, apiJson } from './harness.mjs';

let srv, slug, cookie;

before(async () => {
    srv = await startServer();
    const list = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    assert.equal(list.status, 200);
    slug = list.json.entries[0].slug;
    const client = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    cookie = client.jar.header();
});

after(async () => {
    await srv?.stop();
});

function get(p, ae, { headers = {}, method = 'GET', cookies } = {}) {
    const h = { ...headers };
    if (ae !== undefined)
        h['accept-encoding'] = ae;
    if (cookies)
        h.cookie = cookies;
    return rawRequest(srv.base, p, { method, headers: h });
}

function decode(r) {
    const ce = r.headers['content-encoding'];
    if (ce === 'gzip')
        return zlib.gunzipSync(r.raw);
    if (ce === 'br')
        return zlib.brotliDecompressSync(r.raw);
    assert.equal(ce, undefined, `unexpected Content-Encoding ${ce}`);
    return r.raw;
}

function varyHas(r, name) {
    const v = [].concat(r.headers.vary || []).join(',');
    return v.split(',').map((s) => s.trim().toLowerCase()).includes(name.toLowerCase());
}

// Bodies that must be compressed, with whether they carry an ETag and a cookie to send.
const targets = () => [
    { name: 'home page (cached)', path: '/', etag: true },
    { name: 'list (cached)', path: '/innovations', etag: true },
    { name: 'record (cached)', path: `/innovations/${slug}`, etag: true },
    { name: 'logged-in list (uncached)', path: '/innovations', etag: true, cookies: cookie },
    { name: 'API list, JSON (uncached)', path: '/api/v1/entries?kind=innovation', etag: true },
    { name: 'API entry, JSON (uncached)', path: `/api/v1/entries/${slug}`, etag: true },
    { name: 'style.css (static)', path: '/static/style.css', etag: true },
];

test('every compressible body decodes to the identity body, in gzip and in brotli', async () => {
    for (const t of targets()) {
        const id = await get(t.path, undefined, { cookies: t.cookies });
        assert.equal(id.status, 200, t.name);
        assert.equal(id.headers['content-encoding'], undefined, `${t.name}: identity without AE`);
        assert.ok(id.raw.length >= 1024, `${t.name}: a body worth compressing`);
        assert.ok(varyHas(id, 'Accept-Encoding'), `${t.name}: Vary names Accept-Encoding`);
        for (const [ae, ce, suffix] of [['gzip', 'gzip', '-gz'], ['br', 'br', '-br'],
                                         ['gzip, deflate, br', 'br', '-br'],
                                         ['br;q=0.5, gzip', 'gzip', '-gz']]) {
            const r = await get(t.path, ae, { cookies: t.cookies });
            assert.equal(r.status, 200, `${t.name} ${ae}`);
            assert.equal(r.headers['content-encoding'], ce, `${t.name}: ${ae} → ${ce}`);
            assert.ok(varyHas(r, 'Accept-Encoding'), `${t.name} ${ae}: Vary`);
            assert.equal(r.headers['content-type'], id.headers['content-type'], t.name);
            assert.equal(Number(r.headers['content-length']), r.raw.length, `${t.name}: length`);
            assert.ok(r.raw.length < id.raw.length * 0.7,
                      `${t.name} ${ae}: ${r.raw.length} bytes vs ${id.raw.length}`);
            assert.ok(decode(r).equals(id.raw), `${t.name} ${ae}: decodes to the identity body`);
            if (t.etag)
                assert.equal(r.headers.etag, id.headers.etag.replace(/"$/, `${suffix}"`),
                             `${t.name} ${ae}: ETag of the encoding`);
        }
    }
});

test('If-None-Match gives 304 only for the ETag of the encoding being sent', async () => {
    for (const t of targets()) {
        const id = await get(t.path, undefined, { cookies: t.cookies });
        const gz = await get(t.path, 'gzip', { cookies: t.cookies });
        const br = await get(t.path, 'br', { cookies: t.cookies });
        const tags = { identity: id.headers.etag, gzip: gz.headers.etag, br: br.headers.etag };
        assert.equal(new Set(Object.values(tags)).size, 3, `${t.name}: three distinct ETags`);
        for (const [ae, enc] of [[undefined, 'identity'], ['gzip', 'gzip'], ['br', 'br']]) {
            const nm = await get(t.path, ae, { cookies: t.cookies,
                                               headers: { 'if-none-match': tags[enc] } });
            assert.equal(nm.status, 304, `${t.name}: ${enc} tag with ${ae ?? 'no AE'} → 304`);
            assert.equal(nm.headers.etag, tags[enc], `${t.name}: 304 repeats the ETag`);
            assert.ok(varyHas(nm, 'Accept-Encoding'), `${t.name}: 304 repeats Vary`);
            assert.equal(nm.raw.length, 0);
            for (const other of Object.keys(tags).filter((k) => k !== enc)) {
                const r = await get(t.path, ae, { cookies: t.cookies,
                                                  headers: { 'if-none-match': tags[other] } });
                assert.equal(r.status, 200, `${t.name}: ${other} tag with ${ae ?? 'no AE'} → 200`);
                assert.equal(r.headers.etag, tags[enc]);
                assert.ok(decode(r).equals(id.raw), `${t.name}: full body after a foreign tag`);
            }
        }
    }
});

test('HEAD answers the headers of GET with the length of the encoded body', async () => {
    for (const t of targets()) {
        for (const ae of [undefined, 'gzip', 'br']) {
            const g = await get(t.path, ae, { cookies: t.cookies });
            const h = await get(t.path, ae, { cookies: t.cookies, method: 'HEAD' });
            assert.equal(h.status, 200, `${t.name} HEAD ${ae}`);
            assert.equal(h.raw.length, 0);
            assert.equal(Number(h.headers['content-length']), g.raw.length,
                         `${t.name} HEAD ${ae}: Content-Length of the body GET sends`);
            for (const name of ['content-encoding', 'etag', 'vary', 'content-type'])
                assert.equal(h.headers[name], g.headers[name], `${t.name} HEAD ${ae}: ${name}`);
        }
    }
});

test('a cached page is compressed once: two requests get the same bytes and ETag', async () => {
    for (const p of ['/', '/innovations', `/innovations/${slug}`]) {
        for (const ae of ['gzip', 'br']) {
            const a = await get(p, ae);
            const b = await get(p, ae);
            assert.equal(a.headers['content-encoding'], ae);
            assert.ok(a.raw.equals(b.raw), `${p} ${ae}: identical compressed bytes`);
            assert.equal(a.headers.etag, b.headers.etag, `${p} ${ae}: same ETag`);
        }
    }
});

test('small bodies and refused codings go out uncompressed', async () => {
    const small = [['/healthz', 200], ['/api/v1/nope', 404]];
    for (const [p, status] of small) {
        const r = await get(p, 'gzip, br');
        assert.equal(r.status, status, p);
        assert.ok(r.raw.length < 1024, `${p} is small (${r.raw.length} bytes)`);
        assert.equal(r.headers['content-encoding'], undefined, `${p}: not compressed`);
    }
    for (const t of targets()) {
        const id = await get(t.path, undefined, { cookies: t.cookies });
        for (const ae of ['gzip;q=0', 'gzip;q=0, br;q=0', '*;q=0', 'deflate', 'identity']) {
            const r = await get(t.path, ae, { cookies: t.cookies });
            assert.equal(r.status, 200);
            assert.equal(r.headers['content-encoding'], undefined, `${t.name}: ${ae}`);
            assert.ok(r.raw.equals(id.raw), `${t.name} ${ae}: the identity body`);
            assert.equal(r.headers.etag, id.headers.etag, `${t.name} ${ae}: the identity ETag`);
        }
        // q=0 on br with gzip allowed falls back to gzip.
        const g = await get(t.path, 'br;q=0, gzip', { cookies: t.cookies });
        assert.equal(g.headers['content-encoding'], 'gzip', `${t.name}: br;q=0, gzip`);
    }
});

test('a write changes the compressed cached page as well', async () => {
    const p = `/innovations/${slug}`;
    const before1 = await get(p, 'br');
    const cur = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    const put = await apiJson(srv.base, `/api/v1/entries/${slug}`, {
        method: 'PUT', token: srv.users.a.token,
        body: { base_revision: cur.json.revision, summary: 'Résumé changé pour la compression.' },
    });
    assert.equal(put.status, 200, put.text);
    for (const ae of ['br', 'gzip']) {
        const r = await get(p, ae);
        assert.equal(r.headers['content-encoding'], ae);
        assert.match(decode(r).toString('utf8'), /Résumé changé pour la compression\./);
        if (ae === 'br')
            assert.notEqual(r.headers.etag, before1.headers.etag);
    }
});
