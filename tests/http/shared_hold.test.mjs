// shared_hold.test.mjs — the page cache's references on shared answers (web/page_cache.c,
// http_shared_hold/free): big answers whose codings are made on demand, asked for at once in
// every coding, as HEAD, with If-None-Match, and dropped by clients mid-body, while writes
// replace their slots. Run under the sanitizer build (FOISON_BIN=build-asan/foison), stop()
// fails on any use after free or leak report.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { startServer, apiJson, rawRequest, sampleInnovation, BIN } from './harness.mjs';

let srv;

before(async () => {
    srv = await startServer({ config: { rate_searches: '100000', rate_edits_new: '100000', rate_edits: '100000' } });
    const made = spawnSync(BIN, ['bench-data', srv.db, '--entries', '6000'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
});

after(async () => {
    await srv?.stop();
});

/* A GET whose client hangs up after the first bytes of the body. */
function abandon(path, encoding) {
    return new Promise((resolve) => {
        const u = new URL(srv.base + path);
        const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search,
                               headers: { 'accept-encoding': encoding }, agent: false }, (res) => {
            res.once('data', () => { req.destroy(); resolve(res.statusCode); });
            res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', () => resolve(0));
    });
}

test('a big cached answer asked for in every way while writes replace it', async () => {
    const paths = ['/api/v1/geo', '/api/v1/geo/compact', '/api/v1/geo?kind=innovation'];
    const first = await rawRequest(srv.base, paths[0], { headers: { 'accept-encoding': 'identity' } });
    assert.equal(first.status, 200);
    assert.ok(first.raw.length > 512 * 1024, `${first.raw.length} bytes: a big answer`);
    const { a } = srv.users;
    for (let round = 0; round < 6; round++) {
        const jobs = [];
        for (const p of paths)
            for (const enc of ['br', 'gzip', 'identity', 'br, gzip']) {
                jobs.push(rawRequest(srv.base, p, { headers: { 'accept-encoding': enc } }).then((r) => {
                    assert.equal(r.status, 200, `${p} ${enc}`);
                    assert.equal(r.headers['access-control-allow-origin'], '*');
                    return rawRequest(srv.base, p, { headers: { 'accept-encoding': enc, 'if-none-match': r.headers.etag } });
                }));
                jobs.push(rawRequest(srv.base, p, { method: 'HEAD', headers: { 'accept-encoding': enc } }));
                jobs.push(abandon(p, enc));
            }
        // A write moves the generation: the slots are replaced while those are being sent.
        jobs.push(apiJson(srv.base, '/api/v1/entries', { method: 'POST', token: a.token,
            body: { kind: 'innovation', ...sampleInnovation({ title: `Fiche de course ${round}` }) } })
            .then((r) => assert.equal(r.status, 201, r.text)));
        await Promise.all(jobs);
    }
});
