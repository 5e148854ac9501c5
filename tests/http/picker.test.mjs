// picker.test.mjs — the entry form's location picker as the server writes it
// (src/web/entry_form.c, templates/entry_form.html): the form of a kind with a point (innovation,
// place) loads Leaflet's style and script and static/picker.js, carries the map's settings and
// the communes' centres on the point's fieldset (a commune without a centre absent from them) and
// the select it follows, and its Content-Security-Policy allows the tile server's images (framed
// by nobody); a kind without a point gets none of it and the default policy. Without JavaScript
// the latitude and longitude inputs are the field: a point posted (comma or point decimals) is
// saved, a bad one comes back with the input kept and the error beside the field, the picker
// still there. The forms pass HTML Tidy.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
    startServer, loginOk, request, apiJson, inputValue, decodeEntities, sampleInnovation,
    formFields,
} from './harness.mjs';

let srv, alice;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
});

after(async () => {
    await srv?.stop();
});

const TILES = 'https://tile.openstreetmap.org';

/* The directives of a Content-Security-Policy: { name: [sources] }. */
function csp(r) {
    const text = r.headers.get('content-security-policy');
    assert.ok(text, 'a CSP');
    return Object.fromEntries(text.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
}

/* The opening tag of the point's fieldset and its data attributes (decoded), or null. */
function pickerFieldset(html) {
    const m = /<fieldset[^>]* class="point-picker"[^>]*>/.exec(html);
    if (!m)
        return null;
    const data = {};
    for (const a of m[0].matchAll(/ data-([a-z-]+)="([^"]*)"/g))
        data[a[1]] = decodeEntities(a[2]);
    return data;
}

function options(html, id) {
    const m = new RegExp(`<select id="${id.replace('.', '\\.')}" name="[^"]*"[^>]*>([\\s\\S]*?)</select>`).exec(html);
    assert.ok(m, `select ${id}`);
    return [...m[1].matchAll(/<option value="([^"]*)"/g)].map((o) => o[1]).filter(Boolean);
}

function assertTidy(html, what) {
    const r = spawnSync('tidy', ['-q', '-e', '-utf8'], { input: html, encoding: 'utf8' });
    assert.notEqual(r.status, null, 'tidy ran');
    const problems = r.stderr.split('\n').filter((l) => l.trim() !== '')
        .filter((l) => !/proprietary attribute "(inputmode|aria-current|autofocus)"/.test(l));
    assert.deepEqual(problems, [], `${what}: tidy says\n${problems.join('\n')}`);
}

/* The picker's assets in a page: { css, scripts } (URLs). */
function assets(html) {
    return {
        css: [...html.matchAll(/<link rel="stylesheet" href="(\/static\/leaflet\.[0-9a-f]{8}\.css)">/g)].map((m) => m[1]),
        scripts: [...html.matchAll(/<script src="(\/static\/(?:leaflet|picker)\.[0-9a-f]{8}\.js)" defer><\/script>/g)]
            .map((m) => m[1]),
    };
}

async function assertServed(url, type) {
    const r = await request(srv.base, url);
    assert.equal(r.status, 200, url);
    assert.match(r.headers.get('content-type'), type, url);
    assert.match(r.headers.get('cache-control'), /immutable/, url);
}

test('an innovation\'s form: Leaflet and picker.js, the settings, the centres, the tile server in its CSP', async () => {
    const r = await alice.get('/innovations/new');
    assert.equal(r.status, 200);
    const { css, scripts } = assets(r.text);
    assert.equal(css.length, 1, 'Leaflet\'s style once');
    assert.equal(scripts.length, 2, 'Leaflet then picker.js');
    assert.match(scripts[0], /leaflet/);
    assert.match(scripts[1], /picker/);
    await assertServed(css[0], /^text\/css/);
    for (const s of scripts)
        await assertServed(s, /javascript/);
    assert.doesNotMatch(r.text, /<script>|<script [^>]*>[^<]/, 'no inline script');

    const data = pickerFieldset(r.text);
    assert.ok(data, 'the point fieldset is the picker');
    assert.equal(data.field, 'point');
    assert.equal(data.tiles, `${TILES}/{z}/{x}/{y}.png`);
    assert.match(data.attribution, /OpenStreetMap/);
    assert.equal(data['commune-select'], 'commune');
    assert.match(data.bounds + data.center, /\d/, 'a first view');
    // The centres: those /carte knows, by INSEE code, only for communes of the select.
    const centres = JSON.parse(data.communes);
    const all = options(r.text, 'commune');
    const carte = await request(srv.base, '/carte');
    const placed = JSON.parse(decodeEntities(/ data-communes="([^"]*)"/.exec(carte.text)[1]));
    assert.equal(Object.keys(centres).length, placed.length, 'every commune with a centre');
    assert.ok(Object.keys(centres).length < all.length, 'the demo has communes without a centre');
    for (const [insee, c] of Object.entries(centres)) {
        assert.ok(all.includes(insee), `${insee} is a commune of the select`);
        assert.ok(Array.isArray(c) && c.length === 2 && Math.abs(c[0] - 48.4) < 1 && Math.abs(c[1] + 4.4) < 1,
                  `${insee}: [lat, lon] in the Pays de Brest`);
    }
    // The map, its hint and its button are hidden until the script shows them.
    assert.match(r.text, /<div class="picker" hidden>/);
    assert.match(r.text, /<p class="picker-hint" id="picker-aide-point">Cliquez sur la carte/);
    assert.match(r.text, /<div class="picker-map" id="picker-carte-point" role="region" aria-label="[^"]+" aria-describedby="picker-aide-point"><\/div>/);
    assert.match(r.text, /<button type="button" class="secondary picker-clear">Effacer la position<\/button>/);
    // The inputs a browser without JavaScript posts.
    assert.equal(inputValue(r.text, 'point.lat'), '');
    assert.equal(inputValue(r.text, 'point.lon'), '');

    const policy = csp(r);
    assert.deepEqual(policy['img-src'], ["'self'", 'data:', TILES]);
    assert.deepEqual(policy['frame-ancestors'], ["'none'"]);
    assert.deepEqual(policy['script-src'], ["'self'"]);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assertTidy(r.text, '/innovations/new');
});

test('a place\'s form follows its address\'s commune; kinds without a point have no picker', async () => {
    const place = await alice.get('/lieux/new');
    assert.equal(place.status, 200);
    assert.equal(pickerFieldset(place.text)['commune-select'], 'address.commune');
    assert.equal(assets(place.text).scripts.length, 2);
    assert.deepEqual(csp(place)['img-src'], ["'self'", 'data:', TILES]);
    assertTidy(place.text, '/lieux/new');
    for (const p of ['/acteurs/new', '/evenements/new']) {
        const r = await alice.get(p);
        assert.equal(r.status, 200, p);
        assert.equal(pickerFieldset(r.text), null, `${p}: no picker`);
        assert.deepEqual(assets(r.text), { css: [], scripts: [] }, `${p}: no Leaflet`);
        assert.deepEqual(csp(r)['img-src'], ["'self'", 'https:', 'data:'], `${p}: the default policy`);
    }
});

test('without JavaScript: lat/lon posted are saved, the edit form shows them with the picker', async () => {
    const inn = sampleInnovation({ point: { lat: '48,40123', lon: ' -4,51234 ' } });
    const created = await alice.post('/innovations/new', formFields(inn));
    assert.equal(created.status, 303, created.text.slice(0, 400));
    const slug = created.headers.get('location').split('/').pop();
    const api = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(api.status, 200);
    assert.deepEqual(api.json.point, { lat: 48.40123, lon: -4.51234 });
    const edit = await alice.get(`/innovations/${slug}/edit`);
    assert.equal(edit.status, 200);
    assert.equal(inputValue(edit.text, 'point.lat'), '48.40123');
    assert.equal(inputValue(edit.text, 'point.lon'), '-4.51234');
    assert.ok(pickerFieldset(edit.text));
    assert.deepEqual(csp(edit)['img-src'], ["'self'", 'data:', TILES]);
    // Both emptied: the position goes.
    const cleared = await alice.post(`/innovations/${slug}/edit`, {
        ...formFields(inn), 'point.lat': '', 'point.lon': '', base_revision: '1',
    });
    assert.equal(cleared.status, 303, cleared.text.slice(0, 400));
    const after = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(after.json.point, null);
});

test('a bad latitude: 422, the input kept, the error beside the point, the picker still there', async () => {
    const r = await alice.post('/innovations/new', formFields(sampleInnovation({ point: { lat: '148.2', lon: '-4.5' } })));
    assert.equal(r.status, 422);
    assert.equal(inputValue(r.text, 'point.lat'), '148.2');
    assert.equal(inputValue(r.text, 'point.lon'), '-4.5');
    const block = /<div class="field has-error" id="field-point">[\s\S]*?<\/div>\s*<div class="field/.exec(r.text);
    assert.ok(block, 'the point\'s block is in error');
    assert.match(block[0], /<fieldset aria-invalid="true" aria-describedby="help-point error-point" class="point-picker"/);
    assert.match(block[0], /<p class="error" id="error-point">Position sur la carte\u202f: la latitude doit être un nombre entre -90 et 90<\/p>/);
    assert.match(r.text, /<li><a href="#point\.lat">/, 'in the summary, linked to the field\'s first input');
    assert.match(r.text, /<input type="text" inputmode="decimal" id="point\.lat" name="point\.lat"/);
    assert.equal(assets(r.text).scripts.length, 2);
    assert.deepEqual(csp(r)['img-src'], ["'self'", 'data:', TILES]);
    assertTidy(r.text, '422 with a bad point');
});
