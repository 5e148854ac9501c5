// geo.test.mjs — the map's APIs (issue 10): GET /api/v1/geo, RFC 7946 GeoJSON checked by a real
// validator (@placemarkio/check-geojson) on every answer, and GET /api/v1/geo/compact in the
// contract the map page reads. Where an entry is shown (its own point, its place's, its
// commune's centre, or unplaced) and that a place moved or a centre set later moves its
// dependents; bbox filtering (small, empty, across the antimeridian) and the search's filters
// and text, the same entries as /api/v1/search finds; bad parameters answered 400 with per-field
// errors; nothing hidden by reports, withdrawn, pending or deleted through either door; ETags
// from the site's generation and the query (not the body), 304, and gzip and brotli answers that
// decode to the plain body, a big answer's codings made once on demand; answers built counted
// against the search's rate limit.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import zlib from 'node:zlib';
import { getIssues } from '@placemarkio/check-geojson';
import { startServer, apiJson, loginOk, rawRequest, sampleInnovation, BIN } from './harness.mjs';

let srv, marc;

before(async () => {
    // The tests write records and reports in a minute.
    srv = await startServer({ config: { rate_edits_new: '1000', rate_edits: '1000', rate_reports: '1000', rate_searches: '100000' } });
    marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);
const PROPS = ['kind', 'kind_label', 'precision', 'slug', 'summary', 'title', 'url'];
const PRECISIONS = ['exact', 'place', 'commune'];

function qs(params) {
    return new URLSearchParams(params).toString();
}

function sqlite(sql) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
}

function cli(args, input) {
    const r = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, `foison ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /AddressSanitizer|LeakSanitizer|runtime error:/, r.stderr);
    return r;
}

/* GET /api/v1/geo: 200, GeoJSON that the validator accepts, in the documented shape; the
 * FeatureCollection. */
async function geo(params = {}) {
    const r = await api(`/api/v1/geo?${qs(params)}`);
    assert.equal(r.status, 200, `geo ${qs(params)} → ${r.status} ${r.text.slice(0, 300)}`);
    assert.equal(r.headers.get('content-type'), 'application/geo+json');
    assertGeoJson(r.text, qs(params));
    return r.json;
}

function assertGeoJson(text, what) {
    assert.deepEqual(getIssues(text), [], `${what}: valid GeoJSON`);
    const fc = JSON.parse(text);
    assert.deepEqual(Object.keys(fc).sort(), ['features', 'type'], what);
    assert.equal(fc.type, 'FeatureCollection');
    for (const f of fc.features) {
        assert.deepEqual(Object.keys(f).sort(), ['geometry', 'id', 'properties', 'type'], what);
        assert.equal(f.type, 'Feature');
        assert.ok(Number.isInteger(f.id) && f.id > 0, `${what}: id ${f.id}`);
        assert.deepEqual(Object.keys(f.properties).sort(), PROPS, what);
        const p = f.properties;
        assert.match(p.slug, /^[a-z0-9-]+$/);
        for (const k of ['kind', 'kind_label', 'title', 'summary'])
            assert.equal(typeof p[k], 'string', `${what}: ${k}`);
        assert.ok(p.url.startsWith(`${srv.base}/`) && p.url.endsWith(`/${p.slug}`), p.url);
        if (f.geometry === null) {
            assert.equal(p.precision, null, `${what}: only an entry without position has no geometry`);
            continue;
        }
        assert.ok(PRECISIONS.includes(p.precision), `${what}: precision ${p.precision}`);
        assert.deepEqual(Object.keys(f.geometry).sort(), ['coordinates', 'type']);
        assert.equal(f.geometry.type, 'Point');
        const [lon, lat] = f.geometry.coordinates;
        assert.equal(f.geometry.coordinates.length, 2);
        assert.ok(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90, `${what}: ${lon},${lat}`);
    }
    // Five decimals, [lon, lat]: as written.
    for (const m of text.matchAll(/"coordinates":\[([^\]]*)\]/g))
        assert.match(m[1], /^-?\d+\.\d{5},-?\d+\.\d{5}$/, `${what}: coordinates ${m[1]}`);
}

/* GET /api/v1/geo/compact in its contract. */
async function compact(params = {}) {
    const r = await api(`/api/v1/geo/compact?${qs(params)}`);
    assert.equal(r.status, 200, `compact ${qs(params)} → ${r.status} ${r.text.slice(0, 300)}`);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const c = r.json;
    assert.deepEqual(Object.keys(c).sort(), ['generation', 'kinds', 'points', 'total', 'unplaced']);
    assert.match(c.generation, /^\d+$/);
    for (const k of c.kinds) {
        assert.deepEqual(Object.keys(k).sort(), ['id', 'label', 'path']);
        assert.match(k.path, /^\/[a-z]+\/$/);
    }
    for (const p of c.points) {
        assert.equal(p.length, 7);
        const [id, lon, lat, k, prec, title, slug] = p;
        assert.ok(Number.isInteger(id) && id > 0);
        assert.ok(typeof lon === 'number' && typeof lat === 'number');
        assert.ok(Number.isInteger(k) && k >= 0 && k < c.kinds.length);
        assert.ok([0, 1, 2].includes(prec));
        assert.equal(typeof title, 'string');
        assert.match(slug, /^[a-z0-9-]+$/);
    }
    for (const u of c.unplaced) {
        assert.equal(u.length, 4);
        const [id, k, title, slug] = u;
        assert.ok(Number.isInteger(id) && id > 0);
        assert.ok(Number.isInteger(k) && k >= 0 && k < c.kinds.length);
        assert.equal(typeof title, 'string');
        assert.match(slug, /^[a-z0-9-]+$/);
    }
    assert.equal(c.total, c.points.length + c.unplaced.length);
    return c;
}

async function create(user, fields, kind = 'innovation') {
    const r = await api('/api/v1/entries', { method: 'POST', token: user.token, body: { kind, ...fields } });
    assert.equal(r.status, 201, r.text);
    return r.json;
}

async function put(user, slug, base, fields) {
    const r = await api(`/api/v1/entries/${slug}`, {
        method: 'PUT', token: user.token, body: { base_revision: base, ...fields },
    });
    assert.equal(r.status, 200, r.text);
    return r.json;
}

const idOf = (slug) => Number(sqlite(`SELECT id FROM entries WHERE slug = '${slug}'`));

function feature(fc, slug) {
    return fc.features.find((f) => f.properties.slug === slug);
}

function compactPoint(c, slug) {
    return c.points.find((p) => p[6] === slug);
}

const place = (title, extra = {}) => ({
    title, summary: `Le lieu ${title}.`, license: 'CC-BY-SA-4.0',
    address: { street: '1 rue du Test', postcode: '29200', commune: '29019' }, ...extra,
});

test('the demo: every placed entry once, GeoJSON and the compact form agree', async () => {
    const fc = await geo();
    const c = await compact();
    assert.ok(fc.features.length > 50, `${fc.features.length} features`);
    assert.deepEqual(fc.features.map((f) => f.id).sort((a, b) => a - b),
                     c.points.map((p) => p[0]).sort((a, b) => a - b), 'the same entries placed');
    assert.equal(new Set(fc.features.map((f) => f.id)).size, fc.features.length, 'each once');
    // Kinds that can be placed only, in the site's order, with their record paths.
    assert.deepEqual(c.kinds.map((k) => k.id),
                     ['innovation', 'actor', 'place', 'network', 'event', 'cohort', 'resource']);
    assert.deepEqual(c.kinds.find((k) => k.id === 'event'), { id: 'event', label: 'Événements', path: '/evenements/' });
    // The demo's communes without a centre leave some entries unplaced, never at a wrong place.
    assert.ok(c.unplaced.length > 0, 'some demo entries have no known position');
    const byId = new Map(fc.features.map((f) => [f.id, f]));
    for (const [id, lon, lat, k, prec, title, slug] of c.points) {
        const f = byId.get(id);
        assert.deepEqual(f.geometry.coordinates, [lon, lat]);
        assert.equal(f.properties.precision, PRECISIONS[prec]);
        assert.equal(f.properties.kind, c.kinds[k].id);
        assert.equal(f.properties.title, title);
        assert.equal(f.properties.url, `${srv.base}${c.kinds[k].path}${slug}`);
    }
    // The compact form's links are the records' addresses.
    const [, , , k0, , , slug0] = c.points[0];
    assert.equal((await api(`${c.kinds[k0].path}${slug0}`)).status, 200);
    const [, k1, , slug1] = c.unplaced[0];
    assert.equal((await api(`${c.kinds[k1].path}${slug1}`)).status, 200);
    // Total: every listed entry of the kinds placed, as counted by the search.
    let listed = 0;
    for (const k of c.kinds)
        listed += (await api(`/api/v1/search?kind=${k.id}`)).json.total;
    assert.equal(c.total, listed);
});

test('own point, place, commune, unplaced; a place moved and a centre set move their dependents', async () => {
    const a = srv.users.a;
    const pointed = await create(a, place('Le phare de géotest', { point: { lat: 48.4012, lon: -4.4723 } }), 'place');
    const bare = await create(a, place('La cabane de géotest', { address: { commune: '29064' } }), 'place');
    const own = await create(a, sampleInnovation({ title: 'La géotest chez elle', point: { lat: 48.5123, lon: -4.6011 } }));
    const at = await create(a, sampleInnovation({ title: 'La géotest ailleurs', commune: '29019', located_at: [bare.slug, pointed.slug] }));
    const town = await create(a, sampleInnovation({ title: 'La géotest en ville', commune: '29019' }));
    const nowhere = await create(a, {
        title: 'Un acteur de géotest à Goulven', summary: 'Un acteur.', commune: '29064', license: 'CC-BY-SA-4.0',
    }, 'actor');
    const brest = sqlite("SELECT lon || ',' || lat FROM communes WHERE insee = '29019'").split(',').map(Number);
    const round5 = (v) => Math.round(v * 1e5) / 1e5;

    let fc = await geo();
    assert.deepEqual(feature(fc, own.slug).geometry.coordinates, [-4.6011, 48.5123]);
    assert.equal(feature(fc, own.slug).properties.precision, 'exact');
    assert.deepEqual(feature(fc, at.slug).geometry.coordinates, [-4.4723, 48.4012], 'its first place with a point');
    assert.equal(feature(fc, at.slug).properties.precision, 'place');
    assert.deepEqual(feature(fc, town.slug).geometry.coordinates, brest.map(round5));
    assert.equal(feature(fc, town.slug).properties.precision, 'commune');
    assert.equal(feature(fc, nowhere.slug), undefined, 'no centre known for Goulven: not on the map');
    assert.equal(feature(fc, bare.slug), undefined);
    let c = await compact();
    assert.ok(c.unplaced.some((u) => u[3] === nowhere.slug), 'listed as unplaced');
    assert.ok(c.unplaced.some((u) => u[3] === bare.slug));
    assert.equal(compactPoint(c, at.slug)[4], 1);
    // One entry by id, for a popup: a placed one, and one without position (null geometry).
    const one = await geo({ id: idOf(at.slug) });
    assert.equal(one.features.length, 1);
    assert.equal(one.features[0].properties.title, 'La géotest ailleurs');
    const lost = await geo({ id: idOf(nowhere.slug) });
    assert.equal(lost.features.length, 1);
    assert.equal(lost.features[0].geometry, null);
    assert.equal((await geo({ id: 999999 })).features.length, 0);

    // The place moves: its dependent follows at once (a new generation, new answers).
    await put(a, pointed.slug, pointed.revision, { point: { lat: 48.4101, lon: -4.4801 } });
    fc = await geo();
    assert.deepEqual(feature(fc, at.slug).geometry.coordinates, [-4.4801, 48.4101]);
    assert.deepEqual(compactPoint(await compact(), at.slug).slice(1, 3), [-4.4801, 48.4101]);
    // A centre set for Goulven by an admin (from another process, the running server sees it).
    cli(['territory', srv.db, '--centre', '29064=48.631,-4.302']);
    c = await compact();
    assert.deepEqual(compactPoint(c, nowhere.slug)?.slice(1, 5), [-4.302, 48.631, 1, 2], 'at the commune\'s centre now');
    assert.ok(!c.unplaced.some((u) => u[3] === nowhere.slug));
    fc = await geo();
    assert.equal(feature(fc, nowhere.slug).properties.precision, 'commune');
    assert.equal(feature(fc, bare.slug).properties.precision, 'commune');
    assert.equal(feature(fc, at.slug).properties.precision, 'place', 'a place\'s point before its commune');
});

test('bbox: a small box, an empty one, the whole world, across the antimeridian', async () => {
    const a = srv.users.a;
    const inbox = await create(a, sampleInnovation({ title: 'La boîte de géotest', point: { lat: 47.1001, lon: -2.2002 } }));
    const near = await create(a, sampleInnovation({ title: 'Presque dans la boîte', point: { lat: 47.1101, lon: -2.2002 } }));
    const fiji = await create(a, sampleInnovation({ title: 'La géotest des Fidji', point: { lat: -17.7134, lon: 178.065 } }));
    const samoa = await create(a, sampleInnovation({ title: 'La géotest des Samoa', point: { lat: -13.759, lon: -172.1046 } }));
    let fc = await geo({ bbox: '-2.21,47.09,-2.19,47.105' });
    assert.deepEqual(fc.features.map((f) => f.properties.slug), [inbox.slug]);
    fc = await geo({ bbox: '-2.2002,47.1001,-2.2002,47.1001' });
    assert.deepEqual(fc.features.map((f) => f.properties.slug), [inbox.slug], 'edges included');
    fc = await geo({ bbox: '10,10,11,11' });
    assert.deepEqual(fc.features, []);
    fc = await geo({ bbox: '170,-20,-170,-10' });
    assert.deepEqual(fc.features.map((f) => f.properties.slug).sort(), [fiji.slug, samoa.slug].sort());
    fc = await geo({ bbox: '-175,-20,-170,-10' });
    assert.deepEqual(fc.features.map((f) => f.properties.slug), [samoa.slug]);
    const world = await geo({ bbox: '-180,-90,180,90' });
    assert.equal(world.features.length, (await geo()).features.length);
    assert.ok(feature(world, near.slug));
    // The box with the filters.
    fc = await geo({ bbox: '170,-20,-170,-10', q: 'Samoa' });
    assert.deepEqual(fc.features.map((f) => f.properties.slug), [samoa.slug]);
    fc = await geo({ bbox: '170,-20,-170,-10', kind: 'place' });
    assert.deepEqual(fc.features, []);
});

test('kind, theme, commune and q: the entries the search finds, placed or not', async () => {
    for (const params of [{ kind: 'place' }, { kind: 'actor' }, { theme: 'numerique' },
                          { commune: '29019' }, { kind: 'innovation', commune: '29019' },
                          { q: 'réseau' }, { q: 'réseau', kind: 'innovation' }, { status: 'en-cours' }]) {
        const c = await compact(params);
        const s = await api(`/api/v1/search?${qs(params)}`);
        assert.equal(s.status, 200);
        // Every kind of the search's answer can be placed here but articles and trainings
        // (counted by the kind facet, which takes the other filters only).
        const notPlaced = params.kind ? 0
            : (s.json.facets.kind.article ?? 0) + (s.json.facets.kind.training ?? 0);
        assert.equal(c.total, s.json.total - notPlaced, `${qs(params)}: the same entries`);
        assert.ok(c.total > 0, `${qs(params)} finds something`);
        const fc = await geo(params);
        assert.equal(fc.features.length, c.points.length, qs(params));
        if (params.kind)
            for (const f of fc.features)
                assert.equal(f.properties.kind, params.kind);
    }
    const made = await create(srv.users.a, sampleInnovation({ title: 'Le zwibblequark de géotest', point: { lat: 48.3, lon: -4.3 } }));
    assert.deepEqual((await geo({ q: 'zwibblequark' })).features.map((f) => f.properties.slug), [made.slug]);
    assert.deepEqual((await compact({ q: 'zwibblequark' })).points.map((p) => p[6]), [made.slug]);
    assert.deepEqual((await geo({ q: 'zwibblequark', kind: 'actor' })).features, []);
    assert.deepEqual((await geo({ q: '-zwibblequark' })).features, [], 'exclusions alone find nothing');
    assert.equal((await geo({ q: '' })).features.length, (await geo()).features.length, 'an empty text: all');
    assert.equal((await geo({ kind: '' })).features.length, (await geo()).features.length, '"Tous": all');
});

test('bad parameters: 400 with per-field French errors', async () => {
    const cases = [
        ['/api/v1/geo?bbox=a,b,c,d', 'bbox', /quatre nombres/],
        ['/api/v1/geo?bbox=1,2,3', 'bbox', /quatre nombres/],
        ['/api/v1/geo?bbox=1,2,3,4,5', 'bbox', /quatre nombres/],
        ['/api/v1/geo?bbox=1,,3,4', 'bbox', /quatre nombres/],
        ['/api/v1/geo?bbox=Infinity,0,1,1', 'bbox', /finis/],
        ['/api/v1/geo?bbox=1e999,0,1,1', 'bbox', /finis/],
        ['/api/v1/geo?bbox=NaN,0,1,1', 'bbox', /finis/],
        ['/api/v1/geo?bbox=-181,0,0,1', 'bbox', /longitude/],
        ['/api/v1/geo?bbox=0,0,180.5,1', 'bbox', /longitude/],
        ['/api/v1/geo?bbox=0,-91,1,0', 'bbox', /latitude/],
        ['/api/v1/geo?bbox=0,1,1,0', 'bbox', /sud/],
        ['/api/v1/geo?bbox=10,0,5,1', 'bbox', /ouest/],
        ['/api/v1/geo?bbox=-5,0,-10,1', 'bbox', /ouest/],
        ['/api/v1/geo?bbox=1,2,3,4&bbox=1,2,3,4', 'bbox', /une seule/],
        ['/api/v1/geo?kind=licorne', 'kind', /type de fiche inconnu/],
        ['/api/v1/geo?theme=' + 'x'.repeat(101), 'theme', /trop longue/],
        ['/api/v1/geo?id=abc', 'id', /numéro/],
        ['/api/v1/geo?id=0', 'id', /numéro/],
        ['/api/v1/geo?q=' + 'a'.repeat(1001), 'q', /trop longue/],
        ['/api/v1/geo/compact?bbox=-5,47,-4,48', 'bbox', /compacte/],
        ['/api/v1/geo/compact?kind=licorne', 'kind', /type de fiche inconnu/],
    ];
    for (const [p, field, message] of cases) {
        const r = await api(p);
        assert.equal(r.status, 400, `${p} → ${r.status}`);
        assert.match(r.headers.get('content-type'), /^application\/json/);
        assert.ok(Array.isArray(r.json.errors), p);
        const e = r.json.errors.find((x) => x.field === field);
        assert.ok(e, `${p}: an error for ${field} in ${r.text}`);
        assert.match(e.message, message, p);
        assert.equal(r.headers.get('cache-control'), 'no-store');
    }
    // Two fields wrong: both named.
    const r = await api('/api/v1/geo?bbox=10,0,5,1&kind=licorne');
    assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['bbox', 'kind']);
    // French typography: a narrow no-break space before the colon.
    assert.match((await api('/api/v1/geo?bbox=x')).json.errors[0].message, /\u202f:/);
});

/* In neither door, by no parameter. */
async function assertAbsent(slug, what) {
    const id = idOf(slug);
    for (const fc of [await geo(), await geo({ bbox: '-180,-90,180,90' }), await geo({ id }),
                      await geo({ q: 'vorpalgeo' }), await geo({ kind: 'innovation' })])
        assert.equal(fc.features.some((f) => f.id === id || f.properties.slug === slug), false, `${what}: in the GeoJSON`);
    for (const c of [await compact(), await compact({ q: 'vorpalgeo' }), await compact({ kind: 'innovation' })]) {
        assert.equal(c.points.some((p) => p[0] === id), false, `${what}: among the points`);
        assert.equal(c.unplaced.some((u) => u[0] === id), false, `${what}: among the unplaced`);
    }
}

async function assertPresent(slug, what) {
    assert.ok(feature(await geo({ q: 'vorpalgeo' }), slug), `${what}: on the map`);
}

async function report(user, slug) {
    const r = await api(`/api/v1/entries/${slug}/reports`, { method: 'POST', token: user.token, body: { reason: 'spam' } });
    assert.equal(r.status, 201, r.text);
}

async function reportedId(slug) {
    const r = await api('/api/v1/moderation/reports', { token: srv.users.m.token });
    assert.equal(r.status, 200, r.text);
    return r.json.entries.find((x) => x.slug === slug).entry_id;
}

test('hidden by reports, withdrawn, pending, deleted: absent from both doors', async () => {
    const { a, b, c, m } = srv.users;
    // Hidden by three readers' reports, then kept by a moderator.
    const hidden = await create(a, sampleInnovation({ title: 'Le vorpalgeo signalé', point: { lat: 48.2, lon: -4.2 } }));
    await assertPresent(hidden.slug, 'published');
    for (const u of [b, c, m])
        await report(u, hidden.slug);
    assert.equal(sqlite(`SELECT hidden FROM entries WHERE slug = '${hidden.slug}'`), '1');
    await assertAbsent(hidden.slug, 'hidden by reports');
    const keep = await marc.post(`/moderation/signalements/${await reportedId(hidden.slug)}/garder`, {});
    assert.equal(keep.status, 303);
    await assertPresent(hidden.slug, 'kept by a moderator');
    // Withdrawn by a moderator.
    const withdrawn = await create(a, sampleInnovation({ title: 'Le vorpalgeo retiré', point: { lat: 48.21, lon: -4.21 } }));
    for (const u of [b, c, m])
        await report(u, withdrawn.slug);
    const out = await marc.post(`/moderation/signalements/${await reportedId(withdrawn.slug)}/retirer`, { reason: 'Publicité' });
    assert.equal(out.status, 303);
    assert.equal(sqlite(`SELECT hidden FROM entries WHERE slug = '${withdrawn.slug}'`), '2');
    await assertAbsent(withdrawn.slug, 'withdrawn');
    // A newcomer's record waits for moderation.
    const pending = await create(c, sampleInnovation({ title: 'Le vorpalgeo en attente', point: { lat: 48.22, lon: -4.22 } }));
    assert.equal(pending.state, 'pending');
    await assertAbsent(pending.slug, 'pending');
    // Deleted by rolling back the account that alone wrote it.
    const email = 'vorpal.geo@test.foison';
    cli(['user', 'add', srv.db, '--email', email, '--name', 'Compte géo', '--role', 'trusted'], 'un-mot-de-passe-solide-42\n');
    const token = cli(['token', 'create', srv.db, '--email', email]).stdout.trim();
    const gone = await create({ token }, sampleInnovation({ title: 'Le vorpalgeo effacé', point: { lat: 48.23, lon: -4.23 } }));
    await assertPresent(gone.slug, 'before the rollback');
    const uid = sqlite(`SELECT id FROM users WHERE email = '${email}'`);
    const rb = await marc.post(`/moderation/accounts/${uid}/rollback`, { reason: 'spam' });
    assert.equal(rb.status, 303);
    assert.equal(sqlite(`SELECT deleted FROM entries WHERE slug = '${gone.slug}'`), '1');
    await assertAbsent(gone.slug, 'deleted');
    // A place hidden: the entries at it are shown at their commune, never at the hidden place.
    const spot = await create(a, place('Le repaire vorpalgeo', { point: { lat: 47.61, lon: -3.41 } }), 'place');
    const guest = await create(a, sampleInnovation({ title: 'Le vorpalgeo hébergé', commune: '29019', located_at: [spot.slug] }));
    assert.deepEqual(feature(await geo({ q: 'vorpalgeo' }), guest.slug).geometry.coordinates, [-3.41, 47.61]);
    for (const u of [b, c, m])
        await report(u, spot.slug);
    await assertAbsent(spot.slug, 'a hidden place');
    const f = feature(await geo({ q: 'vorpalgeo' }), guest.slug);
    assert.equal(f.properties.precision, 'commune');
    assert.equal((await geo({ bbox: '-3.42,47.6,-3.4,47.62' })).features.length, 0, 'nothing at the hidden place');
});

test('ETags from the generation and the query: 304, and a new one after any write', async () => {
    for (const p of ['/api/v1/geo', '/api/v1/geo?bbox=-5,47,-4,49', '/api/v1/geo?kind=place',
                     '/api/v1/geo/compact', '/api/v1/geo/compact?theme=numerique', `/api/v1/geo?id=1`]) {
        const r1 = await rawRequest(srv.base, p);
        assert.equal(r1.status, 200, p);
        const etag = r1.headers.etag;
        assert.match(etag, /^"[0-9a-f]+-[0-9a-f]{16}"$/, `${p}: ${etag}`);
        assert.equal((await rawRequest(srv.base, p)).headers.etag, etag, `${p}: the same ETag again`);
        const nm = await rawRequest(srv.base, p, { headers: { 'if-none-match': etag } });
        assert.equal(nm.status, 304, p);
        assert.equal(nm.raw.length, 0);
        assert.equal(nm.headers.etag, etag);
        assert.match(nm.headers.vary, /Accept-Encoding/);
    }
    // Not a hash of the body: two queries with the same (empty) answer have their own ETags.
    const e1 = await rawRequest(srv.base, '/api/v1/geo?bbox=10,10,11,11');
    const e2 = await rawRequest(srv.base, '/api/v1/geo?bbox=10,10,12,12');
    assert.equal(e1.body, e2.body);
    assert.notEqual(e1.headers.etag, e2.headers.etag);
    // The generation is the ETag's first part: any write moves it.
    const before = await rawRequest(srv.base, '/api/v1/geo/compact');
    const gen = JSON.parse(before.body).generation;
    assert.ok(before.headers.etag.startsWith(`"${Number(gen).toString(16)}-`), before.headers.etag);
    await create(srv.users.a, sampleInnovation({ title: 'La géotest qui change tout', point: { lat: 48.1, lon: -4.1 } }));
    const after = await rawRequest(srv.base, '/api/v1/geo/compact', { headers: { 'if-none-match': before.headers.etag } });
    assert.equal(after.status, 200, 'a write: the old ETag no longer holds');
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.ok(Number(JSON.parse(after.body).generation) > Number(gen));
});

test('gzip and brotli answers decode to the plain body; HEAD; ETags per coding', async () => {
    for (const p of ['/api/v1/geo', '/api/v1/geo?bbox=-5,47,-4,49', '/api/v1/geo?kind=innovation',
                     '/api/v1/geo/compact', '/api/v1/geo/compact?q=réseau']) {
        const plain = await rawRequest(srv.base, p, { headers: { 'accept-encoding': 'identity' } });
        assert.equal(plain.status, 200);
        assert.equal(plain.headers['content-encoding'], undefined);
        const etags = new Set([plain.headers.etag]);
        for (const [coding, decode] of [['gzip', zlib.gunzipSync], ['br', zlib.brotliDecompressSync]]) {
            const r = await rawRequest(srv.base, p, { headers: { 'accept-encoding': coding } });
            assert.equal(r.status, 200, `${p} ${coding}`);
            assert.equal(r.headers['content-encoding'], coding, `${p}: ${coding}`);
            assert.ok(r.raw.length < plain.raw.length, `${p}: ${coding} is smaller`);
            assert.equal(decode(r.raw).toString('utf8'), plain.body, `${p}: ${coding} decodes to the plain body`);
            etags.add(r.headers.etag);
            const nm = await rawRequest(srv.base, p, { headers: { 'accept-encoding': coding, 'if-none-match': r.headers.etag } });
            assert.equal(nm.status, 304, `${p} ${coding} 304`);
            if (p.includes('/geo?') || p === '/api/v1/geo')
                assertGeoJson(decode(r.raw).toString('utf8'), `${p} ${coding}`);
            const head = await rawRequest(srv.base, p, { method: 'HEAD', headers: { 'accept-encoding': coding } });
            assert.equal(head.status, 200);
            assert.equal(Number(head.headers['content-length']), r.raw.length, `${p} HEAD ${coding}`);
        }
        assert.equal(etags.size, 3, `${p}: one ETag per coding`);
    }
});

test('a signed-in visitor gets the same public answer', async () => {
    const anon = await rawRequest(srv.base, '/api/v1/geo/compact');
    const signed = await marc.get('/api/v1/geo/compact');
    assert.equal(signed.status, 200);
    assert.equal(signed.text, anon.body, 'moderators see no hidden entry on the map either');
    const withToken = await api('/api/v1/geo', { token: srv.users.m.token });
    assert.equal(withToken.status, 200);
    assert.equal(withToken.text, (await api('/api/v1/geo')).text);
});

test('a big answer (1,500 more entries): compressed once per coding on demand, the same bytes', async () => {
    // Above the page cache's 512 KiB: kept whole, each coding made when first asked for.
    cli(['bench-data', srv.db, '--entries', '1500']);
    const plain = await rawRequest(srv.base, '/api/v1/geo', { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.status, 200);
    assert.ok(plain.raw.length > 512 * 1024, `${plain.raw.length} bytes`);
    assertGeoJson(plain.body, 'big');
    const c = await compact();
    assert.equal(JSON.parse(plain.body).features.length, c.points.length);
    for (const [coding, decode] of [['br', zlib.brotliDecompressSync], ['gzip', zlib.gunzipSync]]) {
        // Several at once: one of them makes the coding, the others wait for it.
        const all = await Promise.all(Array.from({ length: 6 }, () =>
            rawRequest(srv.base, '/api/v1/geo', { headers: { 'accept-encoding': coding } })));
        for (const r of all) {
            assert.equal(r.status, 200);
            assert.equal(r.headers['content-encoding'], coding);
            assert.ok(r.raw.equals(all[0].raw), `${coding}: the same bytes each time`);
            assert.equal(r.headers.etag, all[0].headers.etag);
        }
        assert.equal(decode(all[0].raw).toString('utf8'), plain.body, `${coding} decodes to the plain body`);
        const nm = await rawRequest(srv.base, '/api/v1/geo', { headers: { 'accept-encoding': coding, 'if-none-match': all[0].headers.etag } });
        assert.equal(nm.status, 304);
    }
    const z = await rawRequest(srv.base, '/api/v1/geo/compact', { headers: { 'accept-encoding': 'br' } });
    assert.deepEqual(JSON.parse(zlib.brotliDecompressSync(z.raw).toString('utf8')), c);
    // Boxes of the generated entries, uncached: the same features as the whole map has there
    // (read by key when they are few, by a pass over every entry when they are many).
    const all = JSON.parse(plain.body).features;
    for (const [w, s, e, n, least] of [[-4.6, 48.3, -4.4, 48.5, 200], [-4.8, 48.42, -4.7, 48.48, 5], [-4.2, 48.2, -4.1, 48.3, 0]]) {
        const box = await geo({ bbox: `${w},${s},${e},${n}` });
        const inside = all.filter(({ geometry: { coordinates: [lon, lat] } }) => lon >= w && lon <= e && lat >= s && lat <= n);
        assert.ok(inside.length >= least, `${w},${s},${e},${n}: ${inside.length}`);
        assert.deepEqual(box.features.map((f) => f.id).sort((a, b) => a - b), inside.map((f) => f.id).sort((a, b) => a - b));
    }
});

test('answers built count as searches (rate_searches); cached ones and 304s do not', async () => {
    const small = await startServer({ config: { rate_searches: '3' } });
    try {
        const first = await rawRequest(small.base, '/api/v1/geo/compact');
        assert.equal(first.status, 200);
        for (let i = 0; i < 5; i++) { // from the cache, or 304: free
            assert.equal((await rawRequest(small.base, '/api/v1/geo/compact')).status, 200);
            assert.equal((await rawRequest(small.base, '/api/v1/geo/compact', { headers: { 'if-none-match': first.headers.etag } })).status, 304);
        }
        assert.equal((await rawRequest(small.base, '/api/v1/geo?bbox=-5,47,-4,48')).status, 200);
        assert.equal((await rawRequest(small.base, '/api/v1/geo?bbox=-5,47,-4,49')).status, 200);
        const r = await rawRequest(small.base, '/api/v1/geo?bbox=-5,47,-4,50');
        assert.equal(r.status, 429);
        assert.ok(Number(r.headers['retry-after']) > 0);
        assert.match(JSON.parse(r.body).errors[0].message, /trop de recherches/);
    } finally {
        await small.stop();
    }
});

test('a box of more than 5,000 features counts one more search (it is built each time), compressed five', async () => {
    const big = await startServer({ config: { rate_searches: '8' } });
    try {
        const made = spawnSync(BIN, ['bench-data', big.db, '--entries', '5600'], { encoding: 'utf8' });
        assert.equal(made.status, 0, made.stderr);
        const whole = await rawRequest(big.base, '/api/v1/geo?bbox=-180,-90,180,90', { headers: { 'accept-encoding': 'identity' } });
        assert.equal(whole.status, 200);
        const n = JSON.parse(whole.body).features.length;
        assert.ok(n > 5000 && n < 6000, `${n} features`);
        // Plain: 1 + 1 (one more a 5,000 features). Compressed as it is sent: 1 + 5 (one more
        // a 1,000). That makes the 8 allowed: a small box is then refused (with one search a
        // box, or no more for compressing, it would still be allowed).
        const br = await rawRequest(big.base, '/api/v1/geo?bbox=-180,-90,180,90', { headers: { 'accept-encoding': 'br' } });
        assert.equal(br.status, 200);
        assert.equal(br.headers['content-encoding'], 'br');
        const r = await rawRequest(big.base, '/api/v1/geo?bbox=-4.5,48.3,-4.4,48.4');
        assert.equal(r.status, 429);
        assert.match(JSON.parse(r.body).errors[0].message, /trop de recherches/);
    } finally {
        await big.stop();
    }
});
