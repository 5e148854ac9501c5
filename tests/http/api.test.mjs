// api.test.mjs — JSON API v1: list, read, revisions, bearer-token writes, conflicts, per-field
// errors, malformed bodies, body limit and moved slugs. Every refused write leaves the site as is.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiJson, apiTotal, rawRequest, sampleInnovation } from './harness.mjs';

const MAX_BODY = 65536;
const SPEC_FIELDS = ['kind', 'slug', 'revision', 'state', 'created', 'updated', 'authors', 'url', 'title', 'summary',
                     'description', 'themes', 'commune', 'point', 'holders', 'website', 'start_year', 'status',
                     'how_it_works', 'needs', 'how_to_reproduce', 'strengths', 'difficulties', 'contacts',
                     'license'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let srv, tokenA, tokenB;

before(async () => {
    srv = await startServer({ maxBody: MAX_BODY });
    tokenA = srv.users.a.token;
    tokenB = srv.users.b.token;
});

after(async () => {
    await srv?.stop();
});

function assertJsonError(r, status, what) {
    assert.equal(r.status, status, `${what}: status (${r.text.slice(0, 300)})`);
    assert.match(r.headers.get('content-type'), /^application\/json/, `${what}: content type`);
    assert.ok(r.json, `${what}: body is JSON`);
}

function assertEntryShape(e, what) {
    for (const k of SPEC_FIELDS)
        assert.ok(k in e, `${what}: field ${k}`);
    assert.equal(e.fields, undefined, `${what}: flat object`);
    assert.equal(e.kind, 'innovation');
    assert.match(e.slug, /^[a-z0-9-]+$/);
    assert.ok(Number.isInteger(e.revision) && e.revision >= 1, `${what}: revision`);
    assert.equal(e.state, 'published', `${what}: what the public reads is published`);
    assert.match(e.created, ISO);
    assert.match(e.updated, ISO);
    assert.ok(e.updated >= e.created, `${what}: updated ≥ created`);
    assert.ok(Array.isArray(e.authors) && e.authors.length >= 1, `${what}: authors`);
    for (const a of e.authors)
        assert.equal(typeof a, 'string');
    assert.match(e.url, new RegExp(`^https?://[^/]+/innovations/${e.slug}$`));
    for (const k of ['title', 'summary', 'description', 'status', 'license'])
        assert.ok(typeof e[k] === 'string' && e[k].length > 0, `${what}: ${k} non-empty string`);
    assert.ok(Array.isArray(e.themes) && e.themes.length >= 1, `${what}: themes array`);
    for (const t of e.themes)
        assert.match(t, /^[a-z-]+$/);
    assert.equal(typeof e.commune, 'string');
    assert.match(e.commune, /^(\d{5}|2[AB]\d{3})$/);
    if (e.point !== null) {
        assert.equal(typeof e.point, 'object', `${what}: point object or null`);
        assert.deepEqual(Object.keys(e.point).sort(), ['lat', 'lon']);
        assert.equal(typeof e.point.lat, 'number');
        assert.equal(typeof e.point.lon, 'number');
    }
    assert.ok(e.start_year === null || Number.isInteger(e.start_year), `${what}: start_year int or null`);
    assert.ok(['idee', 'en-cours', 'en-pause', 'terminee'].includes(e.status), `${what}: status`);
    assert.ok(['CC-BY-SA-4.0', 'CC-BY-4.0', 'CC0-1.0'].includes(e.license), `${what}: license`);
    for (const k of ['holders', 'website', 'how_it_works', 'needs', 'how_to_reproduce', 'strengths', 'difficulties',
                     'contacts'])
        assert.ok(e[k] === null || typeof e[k] === 'string', `${what}: ${k} string or null`);
}

async function revisionsOf(slug) {
    const r = await apiJson(srv.base, `/api/v1/entries/${slug}/revisions`);
    assert.equal(r.status, 200);
    return r.json.revisions;
}

async function create(extra = {}, token = tokenA) {
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token, body: { kind: 'innovation', ...sampleInnovation(), ...extra },
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
}

test('list: shape, 20 per page, two pages of demo records', async () => {
    const r = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(Object.keys(r.json).sort(), ['entries', 'facets', 'page', 'pages', 'total']);
    // Every facet of the kind, by its query parameter, counted over the whole list.
    assert.deepEqual(Object.keys(r.json.facets).sort(), ['commune', 'status', 'theme']);
    assert.equal(Object.values(r.json.facets.status).reduce((a, b) => a + b, 0), r.json.total);
    assert.equal(r.json.page, 1);
    assert.equal(r.json.total, 38);
    assert.equal(r.json.pages, 2);
    assert.equal(r.json.entries.length, 20);
    for (const e of r.json.entries)
        assertEntryShape(e, `list ${e.slug}`);
    const p2 = await apiJson(srv.base, '/api/v1/entries?kind=innovation&page=2');
    assert.equal(p2.json.page, 2);
    assert.equal(p2.json.entries.length, 18);
    const all = new Set([...r.json.entries, ...p2.json.entries].map((e) => e.slug));
    assert.equal(all.size, 38, 'the two pages hold 38 different records');
    const p3 = await apiJson(srv.base, '/api/v1/entries?kind=innovation&page=3');
    assert.equal(p3.status, 200);
    assert.deepEqual(p3.json.entries, []);
    // Default kind is innovation.
    const d = await apiJson(srv.base, '/api/v1/entries');
    assert.equal(d.json.total, 38);
    for (const q of ['page=0', 'page=-1', 'page=abc', 'page=', 'kind=nope'])
        assertJsonError(await apiJson(srv.base, `/api/v1/entries?${q}`), 400, q);
});

test('get one: a flat object with every field of the spec', async () => {
    const list = await apiJson(srv.base, '/api/v1/entries');
    for (const item of list.json.entries.slice(0, 5)) {
        const r = await apiJson(srv.base, `/api/v1/entries/${item.slug}`);
        assert.equal(r.status, 200);
        assertEntryShape(r.json, item.slug);
        // One record lists its images and documents, and so does each item of the list.
        assert.ok(Array.isArray(r.json.media), 'media is a list');
        assert.deepEqual(r.json, item, 'the list holds the same objects');
    }
    // Some demo record has a point and one has none or a year: both shapes are valid JSON types.
    const p2 = await apiJson(srv.base, '/api/v1/entries?page=2');
    const every = [...list.json.entries, ...p2.json.entries];
    assert.ok(every.some((e) => e.point !== null), 'some record has a point');
    const nf = await apiJson(srv.base, '/api/v1/entries/nexiste-pas');
    assertJsonError(nf, 404, 'unknown slug');
    assert.equal(nf.json.error.status, 404);
});

test('revisions of a demo record', async () => {
    const list = await apiJson(srv.base, '/api/v1/entries');
    const multi = list.json.entries.find((e) => e.revision > 1);
    assert.ok(multi, 'a demo record with several revisions');
    const revs = await revisionsOf(multi.slug);
    assert.ok(revs.length >= 2);
    for (const rv of revs) {
        assert.deepEqual(Object.keys(rv).sort(), ['author', 'comment', 'created', 'parent', 'revision', 'state']);
        assert.equal(rv.state, 'published', 'the public sees published revisions only');
        assert.ok(Number.isInteger(rv.revision));
        assert.ok(rv.parent === null || Number.isInteger(rv.parent));
        assert.equal(typeof rv.author, 'string');
        assert.match(rv.created, ISO);
        assert.equal(typeof rv.comment, 'string');
    }
    const nums = revs.map((x) => x.revision).sort((a, b) => a - b);
    assert.deepEqual(nums, Array.from({ length: revs.length }, (_, i) => i + 1));
    assert.equal(revs.find((x) => x.revision === 1).parent, null);
    assert.equal(Math.max(...nums), multi.revision, 'the entry is at its latest revision');
    assertJsonError(await apiJson(srv.base, '/api/v1/entries/nexiste-pas/revisions'), 404, 'unknown');
});

test('writes need a valid bearer token (401 JSON), nothing written', async () => {
    const total = await apiTotal(srv.base);
    const body = { kind: 'innovation', ...sampleInnovation({ title: 'Sans jeton' }) };
    const cases = [
        ['no token', {}],
        ['bad token', { authorization: `Bearer ${'0'.repeat(64)}` }],
        ['short token', { authorization: 'Bearer abc' }],
        ['token with other scheme', { authorization: `Basic ${tokenA}` }],
        ['token with trailing junk', { authorization: `Bearer ${tokenA}x` }],
        ['empty bearer', { authorization: 'Bearer ' }],
    ];
    for (const [what, headers] of cases) {
        const r = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', headers, body });
        assertJsonError(r, 401, what);
        assert.equal(r.json.error.status, 401, what);
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/, what);
    }
    const list = await apiJson(srv.base, '/api/v1/entries');
    const slug = list.json.entries[0].slug;
    const put = await apiJson(srv.base, `/api/v1/entries/${slug}`, {
        method: 'PUT', body: { base_revision: list.json.entries[0].revision, title: 'Volé' },
    });
    assertJsonError(put, 401, 'PUT without token');
    assert.equal(await apiTotal(srv.base), total);
    assert.notEqual((await apiJson(srv.base, `/api/v1/entries/${slug}`)).json.title, 'Volé');
});

test('POST valid → 201, Location, revision 1', async () => {
    const total = await apiTotal(srv.base);
    const inn = sampleInnovation({ title: 'Repair café de Plouarzel', point: { lat: 48.4072, lon: -4.7957 },
                                   start_year: 2018, website: 'https://repair.example.org/' });
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: tokenA, body: { kind: 'innovation', ...inn, comment: 'Import' },
    });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const loc = r.headers.get('location');
    assert.equal(loc, `/api/v1/entries/${r.json.slug}`);
    assertEntryShape(r.json, 'created');
    assert.equal(r.json.revision, 1);
    assert.equal(r.json.title, inn.title);
    assert.deepEqual(r.json.themes, inn.themes);
    assert.equal(r.json.commune, '29177');
    assert.deepEqual(r.json.point, { lat: 48.4072, lon: -4.7957 });
    assert.equal(r.json.start_year, 2018);
    assert.deepEqual(r.json.authors, ['Alice Testeuse']);
    assert.equal(await apiTotal(srv.base), total + 1);
    const g = await apiJson(srv.base, loc);
    assert.equal(g.status, 200);
    assert.deepEqual(g.json, r.json);
    const revs = await revisionsOf(r.json.slug);
    assert.equal(revs.length, 1);
    assert.equal(revs[0].comment, 'Import');
    assert.equal(revs[0].author, 'Alice Testeuse');
    // Defaults: status and license filled in when absent.
    const d = await create({ title: 'Sans statut', status: undefined, license: undefined });
    assert.equal(d.status, 'en-cours');
    assert.equal(d.license, 'CC-BY-SA-4.0');
});

test('PUT with the current base → 200, revision + 1; stale base → 409, nothing written', async () => {
    const e = await create({ title: 'Jardin partagé des Capucins', commune: '29019' });
    const u = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: tokenB, body: { base_revision: 1, summary: 'Un jardin ouvert à tous.', comment: 'Résumé' },
    });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.revision, 2);
    assert.equal(u.json.summary, 'Un jardin ouvert à tous.');
    assert.equal(u.json.title, e.title, 'fields not sent keep their value');
    assert.equal(u.json.description, e.description);
    assert.deepEqual(u.json.themes, e.themes);
    assert.deepEqual(u.json.authors.sort(), ['Alice Testeuse', 'Bruno Testeur']);
    assert.equal(u.json.slug, e.slug, 'same title, same slug');

    const stale = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: tokenA, body: { base_revision: 1, summary: 'Écrasé ?' },
    });
    assertJsonError(stale, 409, 'stale base');
    assert.equal(stale.json.error.status, 409);
    assert.equal(stale.json.current_revision, 2);
    const now = await apiJson(srv.base, `/api/v1/entries/${e.slug}`);
    assert.equal(now.json.revision, 2);
    assert.equal(now.json.summary, 'Un jardin ouvert à tous.');
    assert.equal((await revisionsOf(e.slug)).length, 2);

    // A base in the future is not the current one either.
    const future = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: tokenA, body: { base_revision: 5, summary: 'Futur' },
    });
    assert.equal(future.status, 409);
    // base_revision missing or not an integer → 422.
    for (const b of [{ summary: 'x' }, { base_revision: '2', summary: 'x' }, { base_revision: 0, summary: 'x' }]) {
        const r = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, { method: 'PUT', token: tokenA, body: b });
        assertJsonError(r, 422, JSON.stringify(b));
        assert.ok(r.json.errors.some((x) => x.field === 'base_revision'));
    }
    assert.equal((await revisionsOf(e.slug)).length, 2);
});

test('malformed JSON → 400, nothing written', async () => {
    const total = await apiTotal(srv.base);
    const bodies = ['{"kind": "innovation", "title": ', 'not json', '', '[1,2,3]', '"a string"',
                    '{"title":"a","title":"b"}', '{"title": "\\ud800"}'];
    for (const b of bodies) {
        const r = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token: tokenA, body: b });
        assert.ok(r.status === 400 || (b.includes('ud800') && r.status === 422), `${JSON.stringify(b)} → ${r.status}`);
        assert.match(r.headers.get('content-type'), /^application\/json/);
        assert.ok(r.json.error || r.json.errors, 'error body');
    }
    const invalidUtf8 = Buffer.concat([Buffer.from('{"kind":"innovation","title":"'), Buffer.from([0xc3, 0x28]),
                                       Buffer.from('"}')]);
    const r = await rawRequest(srv.base, '/api/v1/entries', {
        method: 'POST', body: invalidUtf8, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
    });
    assert.ok(r.status === 400 || r.status === 422, `invalid UTF-8 → ${r.status}`);
    const list = await apiJson(srv.base, '/api/v1/entries');
    const slug = list.json.entries[0].slug;
    const put = await apiJson(srv.base, `/api/v1/entries/${slug}`, { method: 'PUT', token: tokenA, body: '{"base_revision":' });
    assertJsonError(put, 400, 'PUT malformed');
    assert.equal(await apiTotal(srv.base), total);
});

test('invalid fields → 422 with errors[] (field + message), several at once, nothing written', async () => {
    const total = await apiTotal(srv.base);
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: tokenA,
        body: {
            kind: 'innovation', title: '', summary: 'x'.repeat(301), website: 'javascript:alert(1)',
            themes: ['nope'], commune: '99999', point: { lat: 91, lon: 0 }, start_year: 1800, status: 'finie',
        },
    });
    assertJsonError(r, 422, 'invalid');
    assert.deepEqual(Object.keys(r.json), ['errors']);
    assert.ok(Array.isArray(r.json.errors));
    for (const e of r.json.errors) {
        assert.equal(typeof e.field, 'string');
        assert.ok(typeof e.message === 'string' && e.message.length > 3);
    }
    const fields = new Set(r.json.errors.map((e) => e.field));
    for (const f of ['title', 'summary', 'description', 'website', 'themes', 'commune', 'point', 'start_year', 'status'])
        assert.ok(fields.has(f), `error for ${f} (got ${[...fields]})`);
    // Wrong JSON types are field errors too.
    const types = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: tokenA,
        body: { ...sampleInnovation(), title: 42, themes: 'pas-une-liste-connue', point: [1, 2], start_year: 'deux mille' },
    });
    assertJsonError(types, 422, 'types');
    const tf = new Set(types.json.errors.map((e) => e.field));
    for (const f of ['title', 'themes', 'point', 'start_year'])
        assert.ok(tf.has(f), `type error for ${f} (got ${[...tf]})`);
    const kind = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: tokenA, body: { ...sampleInnovation(), kind: 'vaisseau' },
    });
    assertJsonError(kind, 422, 'unknown kind');
    assert.ok(kind.json.errors.some((e) => e.field === 'kind'));
    assert.equal(await apiTotal(srv.base), total);
});

test('unknown field → 422 (POST and PUT), nothing written', async () => {
    const total = await apiTotal(srv.base);
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: tokenA, body: { kind: 'innovation', ...sampleInnovation(), color: 'bleu' },
    });
    assertJsonError(r, 422, 'unknown field POST');
    assert.deepEqual(r.json.errors.map((e) => e.field), ['color']);
    assert.equal(await apiTotal(srv.base), total);
    const e = await create({ title: 'Ludothèque itinérante' });
    const put = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: tokenA, body: { base_revision: 1, summary: 'Nouveau résumé', colour: 'rouge' },
    });
    assertJsonError(put, 422, 'unknown field PUT');
    assert.ok(put.json.errors.some((x) => x.field === 'colour'));
    const now = await apiJson(srv.base, `/api/v1/entries/${e.slug}`);
    assert.equal(now.json.revision, 1);
    assert.equal(now.json.summary, e.summary);
    const kind = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: tokenA, body: { base_revision: 1, kind: 'evenement' },
    });
    assertJsonError(kind, 422, 'changing kind');
    assert.equal((await revisionsOf(e.slug)).length, 1);
});

test('body over --max-body → 413 JSON, nothing written', async () => {
    const total = await apiTotal(srv.base);
    const body = JSON.stringify({ kind: 'innovation', ...sampleInnovation(), description: 'd'.repeat(MAX_BODY + 10) });
    const r = await rawRequest(srv.base, '/api/v1/entries', {
        method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
    });
    assert.equal(r.status, 413);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.equal(JSON.parse(r.body).error.status, 413);
    // Without Content-Length (chunked) too.
    const chunk = 'd'.repeat(8192);
    const c = await rawRequest(srv.base, '/api/v1/entries', {
        method: 'POST', chunks: ['{"kind":"innovation","description":"', ...Array(10).fill(chunk), '"}'],
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}`, 'transfer-encoding': 'chunked' },
    });
    assert.equal(c.status, 413);
    assert.equal(JSON.parse(c.body).error.status, 413);
    // A PUT too.
    const list = await apiJson(srv.base, '/api/v1/entries');
    const p = await rawRequest(srv.base, `/api/v1/entries/${list.json.entries[0].slug}`, {
        method: 'PUT', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
    });
    assert.equal(p.status, 413);
    assert.equal(await apiTotal(srv.base), total);
});

test('GET old slug after a rename → 301 to the new one', async () => {
    const e = await create({ title: 'Bibliothèque de rue' });
    const u = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: tokenA, body: { base_revision: 1, title: 'Bibliothèque de rue de Recouvrance' },
    });
    assert.equal(u.status, 200, u.text);
    assert.notEqual(u.json.slug, e.slug);
    assert.match(u.json.url, new RegExp(`/innovations/${u.json.slug}$`));
    const old = await apiJson(srv.base, `/api/v1/entries/${e.slug}`);
    assert.equal(old.status, 301);
    assert.equal(old.headers.get('location'), `/api/v1/entries/${u.json.slug}`);
    const oldRevs = await apiJson(srv.base, `/api/v1/entries/${e.slug}/revisions`);
    assert.equal(oldRevs.status, 301);
    assert.equal(oldRevs.headers.get('location'), `/api/v1/entries/${u.json.slug}/revisions`);
    const now = await apiJson(srv.base, `/api/v1/entries/${u.json.slug}`);
    assert.equal(now.status, 200);
    assert.equal(now.json.title, 'Bibliothèque de rue de Recouvrance');
    // Following redirects as a client would.
    const followed = await fetch(`${srv.base}/api/v1/entries/${e.slug}`);
    assert.equal(followed.status, 200);
    assert.equal((await followed.json()).slug, u.json.slug);
    // The HTML page moved too.
    const page = await fetch(`${srv.base}/innovations/${e.slug}`, { redirect: 'manual' });
    assert.equal(page.status, 301);
    assert.equal(page.headers.get('location'), `/innovations/${u.json.slug}`);
});

test('concurrent writes: unique slugs, exactly one winner per base revision', async () => {
    const total = await apiTotal(srv.base);
    const creates = await Promise.all(Array.from({ length: 8 }, (_, i) => apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: i % 2 ? tokenA : tokenB,
        body: { kind: 'innovation', ...sampleInnovation({ title: 'Fiche concurrente' }) },
    })));
    assert.deepEqual(creates.map((r) => r.status), Array(8).fill(201));
    const slugs = creates.map((r) => r.json.slug);
    assert.equal(new Set(slugs).size, 8, `unique slugs: ${slugs}`);
    assert.equal(await apiTotal(srv.base), total + 8);
    const target = slugs[0];
    const puts = await Promise.all(Array.from({ length: 8 }, (_, i) => apiJson(srv.base, `/api/v1/entries/${target}`, {
        method: 'PUT', token: i % 2 ? tokenA : tokenB, body: { base_revision: 1, summary: `Version ${i}` },
    })));
    const statuses = puts.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, ...Array(7).fill(409)], `statuses ${statuses}`);
    const winner = puts.find((r) => r.status === 200).json.summary;
    assert.equal((await apiJson(srv.base, `/api/v1/entries/${target}`)).json.summary, winner);
    assert.equal((await revisionsOf(target)).length, 2);
});

test('API reads are open to other sites (CORS *), without credentials; writes and pages are not', async () => {
    const slug = (await apiJson(srv.base, '/api/v1/entries?kind=innovation')).json.entries[0].slug;
    const origin = { origin: 'https://autre-site.example' };
    for (const path of ['/api/v1/entries', `/api/v1/entries/${slug}`, '/api/v1/geo/compact', '/api/v1/geo/compact',
        '/api/v1/geo?bbox=-5,48,-4,49', '/api/v1/search?q=jardin', '/api/v1/entries/pas-de-fiche']) {
        const r = await rawRequest(srv.base, path, { headers: origin });
        assert.equal(r.headers['access-control-allow-origin'], '*', `${path} (${r.status})`);
        assert.equal(r.headers['access-control-allow-credentials'], undefined, path);
        if (r.headers.etag) {
            const nm = await rawRequest(srv.base, path, { headers: { ...origin, 'if-none-match': r.headers.etag } });
            assert.equal(nm.status, 304, path);
            assert.equal(nm.headers['access-control-allow-origin'], '*', `${path} 304`);
        }
    }
    // A preflight (what a token in Authorization needs) is never granted.
    const pre = await rawRequest(srv.base, '/api/v1/entries', { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    assert.notEqual(pre.headers['access-control-allow-origin'], '*');
    assert.equal(pre.headers['access-control-allow-headers'], undefined);
    const post = await rawRequest(srv.base, '/api/v1/entries', { method: 'POST', headers: { ...origin, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(post.headers['access-control-allow-origin'], undefined, `POST (${post.status})`);
    for (const path of ['/', `/innovation/${slug}`, '/carte'])
        assert.equal((await rawRequest(srv.base, path, { headers: origin })).headers['access-control-allow-origin'], undefined, path);
});
