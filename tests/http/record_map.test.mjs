// record_map.test.mjs — the small map of a record's position on its page (render/geo_svg.c,
// web/entry_view.c's entry_view_position): a demo innovation with its own point shows the SVG
// (well-formed: xmllint, from Debian's libxml2-utils) with its coordinates, a link to /carte on its
// view and to OpenStreetMap, in place of the raw point line; an actor with only a commune shows an
// approximate one; a record at a place is drawn at the place's point, and at its commune once the
// place is hidden by reports (the hidden place's point never appears); a pending edit's point
// never shows before it is approved, an older revision keeps its own point line without a map;
// an entry of a commune without a centre has no map until an administrator sets one, and the
// page, cached for visitors, shows it at once. A hostile title never reaches the SVG (it only
// names communes).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, request, apiJson, loginOk, decodeEntities, sampleInnovation, BIN } from './harness.mjs';

let srv;
const NNBSP = '\u202f';

before(async () => {
    srv = await startServer({ config: { rate_edits_new: '1000', rate_edits: '1000', rate_reports: '1000' } });
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);

function cli(args) {
    const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, `foison ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
    return r;
}

async function create(user, fields, kind = 'innovation') {
    const r = await api('/api/v1/entries', { method: 'POST', token: user.token, body: { kind, ...fields } });
    assert.equal(r.status, 201, r.text);
    return r.json;
}

async function page(p, client) {
    const r = client ? await client.get(p) : await request(srv.base, p);
    assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 300)}`);
    return r.text;
}

/* The record's map block, or null: { svg, title, caption, figure }. The SVG is checked by
 * xmllint (well-formed, the SVG namespace). */
function recordMap(html) {
    const fig = /<figure class="record-map">([\s\S]*?)<\/figure>/.exec(html);
    if (!fig)
        return null;
    const svg = /<svg [\s\S]*<\/svg>/.exec(fig[1])[0];
    const lint = spawnSync('xmllint', ['--noout', '--nonet', '-'], { input: svg, encoding: 'utf8' });
    assert.equal(lint.status, 0, `xmllint: ${lint.stderr}\n${svg.slice(0, 500)}`);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="geo-map" viewBox="0 0 360 240" width="100%" role="img" aria-label="([^"]*)" aria-describedby="geo-map-desc"><title>([^<]*)<\/title><desc id="geo-map-desc">/);
    const [, label, title] = /aria-label="([^"]*)"[^>]*><title>([^<]*)<\/title>/.exec(svg).map(decodeEntities);
    assert.equal(label, title, 'the name is the title');
    const caption = decodeEntities(/<figcaption>([\s\S]*?)<\/figcaption>/.exec(fig[1])[1].replace(/<[^>]+>/g, ''));
    return { svg, title, caption, figure: fig[1] };
}

/* The facts' point line ("Position sur la carte"), or null. */
function pointFact(html) {
    const m = /<dt>Position sur la carte<\/dt>\s*<dd>([\s\S]*?)<\/dd>/.exec(html);
    return m ? decodeEntities(m[1].replace(/<[^>]+>/g, '')).trim() : null;
}

test('a demo innovation with its point: the map instead of the raw line, linked to /carte and OSM', async () => {
    const geo = await api('/api/v1/geo?kind=innovation');
    const f = geo.json.features.find((x) => x.properties.precision === 'exact');
    assert.ok(f, 'a demo innovation with its own point');
    const [lon, lat] = f.geometry.coordinates;
    const html = await page(new URL(f.properties.url).pathname);
    const map = recordMap(html);
    assert.ok(map, 'the map is drawn');
    assert.equal(pointFact(html), null, 'no raw point line beside it');
    assert.match(map.title, new RegExp(`^Position${NNBSP}: près d`));
    assert.match(map.svg, /<g class="geo-marker" transform="translate\(180\.0 120\.0\)">/);
    assert.ok((map.svg.match(/class="geo-town"/g) || []).length >= 4, 'communes around it');
    assert.match(map.svg, /<g class="geo-scale">/);
    const fr = (v) => String(v).replace('.', ',');
    assert.ok(map.caption.includes(`${fr(lat)}${NNBSP}; ${fr(lon)}`), map.caption);
    assert.ok(map.figure.includes(`<a href="/carte?vue=15/${lat}/${lon}">voir sur la carte</a>`), map.figure);
    assert.ok(map.figure.includes(`<a href="https://www.openstreetmap.org/?mlat=${lat}&amp;mlon=${lon}#map=15/${lat}/${lon}">voir sur OpenStreetMap</a>`));
    assert.doesNotMatch(map.caption, /approximative/);
    // The view it links to is one /carte takes.
    const carte = await page(`/carte?vue=15/${lat}/${lon}`);
    assert.ok(carte.includes(`15/${lat}/${lon}`), '/carte keeps the view');
});

test('an actor with only a commune: an approximate map at its centre', async () => {
    const geo = await api('/api/v1/geo?kind=actor');
    const f = geo.json.features.find((x) => x.properties.precision === 'commune');
    assert.ok(f);
    const map = recordMap(await page(new URL(f.properties.url).pathname));
    assert.ok(map, 'the map is drawn');
    assert.match(map.title, new RegExp(`^Position approximative${NNBSP}: centre d`));
    assert.match(map.svg, /class="geo-marker geo-approximate"/);
    assert.match(map.caption, new RegExp(`^Position approximative${NNBSP}: centre de la commune`));
    assert.ok(map.figure.includes('/carte?vue=13/'), 'a wider view for a commune');
});

test('at a place: its point, then its commune once the place is hidden; pending and old points never drawn', async () => {
    const { a, b, c, m } = srv.users;
    const spot = await create(a, { title: 'Le repaire cartosvg', summary: 'Un lieu.', license: 'CC-BY-SA-4.0',
        address: { street: '1 rue du Test', postcode: '29280', commune: '29212' }, point: { lat: 48.3702, lon: -4.6301 } }, 'place');
    const guest = await create(a, sampleInnovation({ title: 'La cartosvg </title><script>x</script>', commune: '29019',
        located_at: [spot.slug] }));
    let html = await page(`/innovations/${guest.slug}`);
    let map = recordMap(html);
    assert.ok(map);
    assert.match(map.caption, /^Position du lieu/);
    assert.ok(map.caption.includes(`48,3702${NNBSP}; -4,6301`));
    assert.doesNotMatch(map.svg, /cartosvg|script/, 'the SVG names communes only');
    for (const u of [b, c, m]) {
        const r = await api(`/api/v1/entries/${spot.slug}/reports`, { method: 'POST', token: u.token, body: { reason: 'spam' } });
        assert.equal(r.status, 201, r.text);
    }
    html = await page(`/innovations/${guest.slug}`);
    map = recordMap(html);
    assert.ok(map, 'still drawn, at its commune');
    assert.match(map.caption, /^Position approximative/);
    assert.match(map.title, new RegExp(`centre de Brest$`));
    assert.ok(!html.includes('48,3702') && !html.includes('48.3702'), 'the hidden place\'s point nowhere');

    // A newcomer's edit of the point waits for moderation: the public map stays where it was.
    const own = await create(a, sampleInnovation({ title: 'La cartosvg pointée', point: { lat: 48.4012, lon: -4.4723 } }));
    const edit = await api(`/api/v1/entries/${own.slug}`, { method: 'PUT', token: c.token,
        body: { base_revision: own.revision, point: { lat: 48.4555, lon: -4.4666 } } });
    assert.equal(edit.status, 200, edit.text);
    assert.equal(edit.json.state, 'pending');
    html = await page(`/innovations/${own.slug}`);
    assert.ok(recordMap(html).caption.includes(`48,4012${NNBSP}; -4,4723`));
    assert.ok(!html.includes('48,4555') && !html.includes('48.4555'), 'the pending point nowhere');
    // Its author sees the pending revision with its own point as a line, not a map of it.
    const chloe = await loginOk(srv.base, c.email, c.password);
    html = await page(`/innovations/${own.slug}?rev=${own.revision + 1}`, chloe);
    assert.equal(recordMap(html), null);
    assert.match(pointFact(html), new RegExp(`^48,4555${NNBSP}; -4,4666 \\(voir sur OpenStreetMap\\)$`));
});

test('a commune without a centre: no map, then one as soon as an administrator sets it', async () => {
    const goulven = await create(srv.users.a, { title: 'Un acteur cartosvg à Goulven', summary: 'Un acteur.',
        commune: '29064', license: 'CC-BY-SA-4.0' }, 'actor');
    const p = `/acteurs/${goulven.slug}`;
    assert.equal(recordMap(await page(p)), null, 'unplaced: no map');
    assert.equal(recordMap(await page(p)), null, 'from the page cache too');
    cli(['territory', srv.db, '--centre', '29064=48.631,-4.302']);
    const map = recordMap(await page(p));
    assert.ok(map, 'the cached page followed the new centre');
    assert.equal(map.title, `Position approximative${NNBSP}: centre de Goulven`);
    assert.ok(map.caption.includes(`48,631${NNBSP}; -4,302`));
});
