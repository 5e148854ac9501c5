// map.test.mjs — the map pages as a browser without JavaScript gets them (src/web/map.c): /carte
// lists the records that match its filters (the search's facets as selects with counts, and
// words), paged, kinds without a position left out, the map's data attributes and the code to
// embed it keeping the filters; /embed/carte is the same without the site's header. Their
// Content-Security-Policy allows images from the tile server of the map_tiles setting alone,
// and only /embed/carte may be framed by another site (frame-ancestors *, no X-Frame-Options),
// while every other page keeps the default policy. map_tiles and map_attribution are checked by
// `foison config` (one https machine with {z}, {x}, {y}), apply without a restart, and a value
// stored unchecked is no tile at all. Leaflet and supercluster are served from their npm
// packages like static/ files. Both pages pass HTML Tidy.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, request, decodeEntities, BIN } from './harness.mjs';

let srv;

before(async () => {
    srv = await startServer();
});

after(async () => {
    await srv?.stop();
});

function config(...args) {
    const r = spawnSync(BIN, ['config', srv.db, ...args], { encoding: 'utf8', timeout: 20000 });
    return { status: r.status, out: r.stdout.replace(/\n$/, ''), err: r.stderr };
}

async function page(p, status = 200) {
    const r = await request(srv.base, p);
    assert.equal(r.status, status, `${p}: ${r.text.slice(0, 300)}`);
    return r;
}

/* The list the server wrote: [{ href, title, kind }]. */
function listed(html) {
    const section = /<section class="map-list"[\s\S]*?<\/section>/.exec(html);
    assert.ok(section, 'the list is there');
    return [...section[0].matchAll(/<li class="result">\s*<h3><a href="([^"]+)"[^>]*>([^<]*)<\/a><\/h3>\s*<p class="meta">([^<]*)<\/p>/g)]
        .map((m) => ({ href: m[1], title: decodeEntities(m[2]), kind: m[3] }));
}

/* A select of the filters: { name, options: [{ value, label, selected }] }. */
function select(html, name) {
    const m = new RegExp(`<select id="carte-${name}" name="${name}">([\\s\\S]*?)</select>`).exec(html);
    if (!m)
        return null;
    const options = [...m[1].matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)]
        .map((o) => ({ value: decodeEntities(o[1]), selected: !!o[2], label: decodeEntities(o[3]) }));
    return { name, options };
}

function total(html) {
    const m = /<h2 id="carte-liste-titre" class="count" tabindex="-1">(\d+) fiches? correspond/.exec(html);
    assert.ok(m, 'the count is there');
    return Number(m[1]);
}

function dataAttr(html, name) {
    const m = new RegExp(`<div id="carte" class="map"[^>]*\\sdata-${name}="([^"]*)"`).exec(html);
    return m ? decodeEntities(m[1]) : null;
}

function embedCode(html) {
    const m = /<textarea id="code-integration"[^>]*>([^<]*)<\/textarea>/.exec(html);
    assert.ok(m, 'the embedding code is there');
    return decodeEntities(m[1]);
}

const TIDY_UNKNOWN_BUT_VALID = [/proprietary attribute "inputmode"/,
    /proprietary attribute "aria-current"/];

function assertTidy(html, what) {
    const r = spawnSync('tidy', ['-q', '-e', '-utf8'], { input: html, encoding: 'utf8' });
    assert.notEqual(r.status, null, 'tidy ran');
    const problems = r.stderr.split('\n').filter((l) => l.trim() !== '')
        .filter((l) => !TIDY_UNKNOWN_BUT_VALID.some((re) => re.test(l)));
    assert.deepEqual(problems, [], `${what}: tidy says\n${problems.join('\n')}`);
}

test('without JavaScript /carte is the list of the records that match, paged, with the filters as selects', async () => {
    const r = await page('/carte');
    const html = r.text;
    assert.match(html, /<h1>La carte<\/h1>/);
    // The map waits for the script; the page says what it shows instead.
    assert.match(html, /<div class="map-frame" id="carte-cadre" hidden>/);
    assert.match(decodeEntities(html), /<noscript><p class="notice">La carte a besoin de JavaScript\u202f; sans lui, voici la liste des fiches qui correspondent aux filtres\.<\/p><\/noscript>/);
    const all = total(html);
    const items = listed(html);
    assert.equal(items.length, Math.min(20, all));
    // Kinds that have no position (articles, trainings) are not on the map's list.
    const kinds = select(html, 'kind').options.map((o) => o.value);
    assert.deepEqual(kinds.filter((k) => ['article', 'training'].includes(k)), []);
    for (const k of ['innovation', 'actor', 'place', 'event'])
        assert.ok(kinds.includes(k), `${k} in the kinds`);
    assert.equal(select(html, 'kind').options[0].label, 'Tous les types');
    assert.equal(select(html, 'commune').options[0].label, 'Toutes les communes');
    assert.deepEqual(items.filter((i) => /^\/(articles|formations)\//.test(i.href)), []);
    // The counts of the kinds add up to the list's total.
    const sum = select(html, 'kind').options.slice(1)
        .reduce((n, o) => n + Number(/\((\d+)\)$/.exec(o.label)[1]), 0);
    assert.equal(sum, all, 'the kinds count every record listed');
    for (const name of ['theme', 'commune', 'status'])
        assert.ok(select(html, name)?.options.length > 1, `a ${name} select`);
    assert.match(html, /<input type="search" id="carte-q" name="q" value="" maxlength="1000"/);
    assert.match(html, /<form method="get" action="\/carte" class="filters map-filters"/);
    // Paged like the other lists: the next page has other records, the last one the rest.
    assert.ok(all > 40, `the demo has enough records (${all})`);
    assert.match(html, /<a rel="next" href="\/carte\?page=2">/);
    const p2 = listed((await page('/carte?page=2')).text);
    assert.equal(p2.length, 20);
    assert.deepEqual(p2.filter((i) => items.some((j) => j.href === i.href)), [], 'page 2 is other records');
    const last = Math.ceil(all / 20);
    const pl = await page(`/carte?page=${last}`);
    assert.equal(listed(pl.text).length, all - 20 * (last - 1));
    assert.doesNotMatch(pl.text, /rel="next"/);
    assert.match((await page('/carte?page=abc')).text, /Numéro de page inconnu\u202f: voici la première\./);
    // The site's navigation leads here.
    assert.match(html, /<nav class="kinds" aria-label="Navigation principale">[\s\S]*<a href="\/carte" aria-current="page">Carte<\/a>/);
    assert.match((await page('/')).text, /<a href="\/carte">Carte<\/a>/);
    assertTidy(html, '/carte');
});

test('a filter narrows the list, is kept by the selects, the pages, the map and the code to embed it', async () => {
    const everything = total((await page('/carte')).text);
    const r = await page('/carte?theme=numerique');
    const html = r.text;
    const n = total(html);
    assert.ok(n > 0 && n < everything, `numerique: ${n} of ${everything}`);
    assert.match(html, /<h1>La carte — Numérique<\/h1>/);
    assert.match(html, /<title>La carte — Numérique · /);
    const theme = select(html, 'theme');
    assert.deepEqual(theme.options.filter((o) => o.selected).map((o) => o.value), ['numerique']);
    // The other selects count within the theme: the kinds add up to its total.
    const sum = select(html, 'kind').options.slice(1)
        .reduce((s, o) => s + Number(/\((\d+)\)$/.exec(o.label)[1]), 0);
    assert.equal(sum, n);
    assert.equal(dataAttr(html, 'query'), 'theme=numerique');
    assert.equal(dataAttr(html, 'api'), '/api/v1/geo/compact');
    assert.equal(dataAttr(html, 'popup-api'), '/api/v1/geo');
    const code = embedCode(html);
    assert.match(code, new RegExp(`^<iframe src="${srv.base.replace(/[.]/g, '\\.')}/embed/carte\\?theme=numerique" title="Carte des initiatives du Pays de Brest \\(foison\\)" width="100%" height="500" style="border:0" loading="lazy"></iframe>$`));
    assert.match(html, /<a href="\/carte" id="carte-effacer">Effacer les filtres<\/a>/);
    if (n > 20)
        assert.match(html, /<a rel="next" href="\/carte\?theme=numerique&amp;page=2">/);
    // Two filters and words; each is in the map's query and the code.
    const two = await page('/carte?kind=innovation&theme=numerique&q=atelier');
    assert.equal(dataAttr(two.text, 'query'), 'kind=innovation&theme=numerique&q=atelier');
    assert.ok(total(two.text) <= n);
    for (const i of listed(two.text))
        assert.match(i.href, /^\/innovations\//);
    // In the attribute, written as HTML: &amp;.
    assert.match(embedCode(two.text), /embed\/carte\?kind=innovation&amp;theme=numerique&amp;q=atelier"/);
    assert.match(two.text, /<h1>La carte — Innovations, Numérique, «\u202fatelier\u202f»<\/h1>/);
    // Once a kind is chosen, its own facets join the form.
    assert.ok(select(two.text, 'status'), 'the innovations\' status');
    // A kind that is not on the map is said so and ignored; an unknown parameter is ignored.
    const article = await page('/carte?kind=article&foo=bar');
    assert.match(decodeEntities(article.text), /Ce type de fiche n'est pas sur la carte\u202f: le filtre est ignoré\./);
    assert.equal(total(article.text), everything);
    assert.equal(dataAttr(article.text, 'query'), '');
    // One value a filter: the first.
    assert.equal(dataAttr((await page('/carte?theme=numerique&theme=culture')).text, 'query'),
        'theme=numerique');
    // A filter's value that is too long is refused as such.
    const long = await page(`/carte?theme=${'x'.repeat(101)}`);
    assert.match(long.text, /Un filtre était trop long/);
    // Without any record.
    const none = await page('/carte?q=zzzyyyxxxwww');
    assert.match(none.text, /<h2 id="carte-liste-titre" class="count" tabindex="-1">Aucune fiche ne correspond<\/h2>/);
    assert.match(none.text, /Aucune fiche ne correspond à ces filtres\./);
    assertTidy(html, '/carte?theme=numerique');
});

test('the view of the map (vue=zoom/lat/lon) is kept by the form and the code, a bad one ignored', async () => {
    const r = await page('/carte?theme=culture&vue=13/48.39000/-4.48600');
    assert.equal(dataAttr(r.text, 'vue'), '13/48.39000/-4.48600');
    assert.match(r.text, /<input type="hidden" name="vue" value="13\/48\.39000\/-4\.48600">/);
    assert.match(embedCode(r.text), /\/embed\/carte\?theme=culture&amp;vue=13\/48\.39000\/-4\.48600"/);
    assert.match(decodeEntities(r.text), /la carte s'y affiche avec les filtres choisis ici et cette vue\./);
    for (const bad of ['19/48/-4', '12/91/0', '12/48/-181', 'abc', '12/48', '12/48/-4/1', '1e3/1/1'])
        assert.equal(dataAttr((await page(`/carte?vue=${encodeURIComponent(bad)}`)).text, 'vue'), '', bad);
});

test('the settings of the map are in the page: tiles, their credit, the first view from the communes', async () => {
    const html = (await page('/carte')).text;
    assert.equal(dataAttr(html, 'tiles'), 'https://tile.openstreetmap.org/{z}/{x}/{y}.png');
    assert.equal(dataAttr(html, 'attribution'), '© les contributeurs d\'OpenStreetMap');
    // The territory's frame, or without one the box of the communes that have a centre.
    const bounds = dataAttr(html, 'bounds').split(',').map(Number);
    assert.equal(bounds.length, 4);
    const [w, s, e, n] = bounds;
    assert.ok(w < -4.7 && e > -4 && s > 48 && n < 48.8 && w < e && s < n, `bounds ${bounds}`);
    const communes = JSON.parse(dataAttr(html, 'communes'));
    assert.ok(communes.length > 50);
    assert.ok(communes.some(([lon, lat, name]) => name === 'Brest' && Math.abs(lon + 4.486) < 0.01 && Math.abs(lat - 48.39) < 0.01));
    // The scripts come from the npm packages, fingerprinted, in order, deferred.
    const scripts = [...html.matchAll(/<script src="([^"]+)" defer><\/script>/g)].map((m) => m[1]);
    assert.deepEqual(scripts.slice(0, 3).map((s) => s.replace(/\.[0-9a-f]{8}\./, '.')),
        ['/static/leaflet.js', '/static/supercluster.js', '/static/map.js']);
    assert.match(html, /<link rel="stylesheet" href="\/static\/leaflet\.[0-9a-f]{8}\.css">\n<link rel="stylesheet" href="\/static\/style\./);
    // Other pages load none of it.
    assert.doesNotMatch((await page('/')).text, /leaflet/);
});

test('Leaflet and supercluster are served from their npm packages like static files', async () => {
    const html = (await page('/carte')).text;
    const urls = [...html.matchAll(/"(\/static\/(?:leaflet|supercluster)\.[0-9a-f]{8}\.(?:js|css))"/g)].map((m) => m[1]);
    assert.equal(urls.length, 3, urls.join(' '));
    const fs = await import('node:fs');
    const files = { leaflet: 'node_modules/leaflet/dist/leaflet', supercluster: 'node_modules/supercluster/dist/supercluster.min' };
    for (const u of urls) {
        const r = await request(srv.base, u, { headers: { 'accept-encoding': 'identity' } });
        assert.equal(r.status, 200, u);
        assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', u);
        assert.match(r.headers.get('content-type'), u.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
        const name = /\/static\/([a-z]+)\./.exec(u)[1];
        const file = `${files[name]}${u.endsWith('.css') ? '.css' : '.js'}`;
        assert.equal(r.text, fs.readFileSync(file, 'utf8'), `${u} is ${file}`);
        const br = await fetch(srv.base + u, { headers: { 'accept-encoding': 'br' } });
        assert.equal(br.headers.get('content-encoding'), 'br', `${u} compressed`);
        assert.equal(await br.text(), r.text, `${u} decoded is the file`);
    }
    // Under their plain names they revalidate.
    const plain = await request(srv.base, '/static/leaflet.js');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('cache-control'), 'public, no-cache');
});

/* The directives of a Content-Security-Policy: { name: [sources] }. */
function csp(r) {
    const text = r.headers.get('content-security-policy');
    assert.ok(text, 'a CSP');
    return Object.fromEntries(text.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
}

test('CSP: the map pages allow the tile server\'s images alone; only /embed/carte may be framed', async () => {
    const map = await page('/carte?theme=numerique');
    const embed = await page('/embed/carte?theme=numerique');
    const home = await page('/');
    const search = await page('/recherche?q=atelier');
    const m = csp(map), e = csp(embed), h = csp(home), s = csp(search);
    assert.deepEqual(m['img-src'], ["'self'", 'data:', 'https://tile.openstreetmap.org']);
    assert.deepEqual(e['img-src'], m['img-src']);
    assert.deepEqual(m['frame-ancestors'], ["'none'"]);
    assert.equal(map.headers.get('x-frame-options'), 'DENY');
    assert.deepEqual(e['frame-ancestors'], ['*']);
    assert.equal(embed.headers.get('x-frame-options'), null, 'no X-Frame-Options on the embedded map');
    // Everything else is the default policy's.
    for (const d of ['default-src', 'script-src', 'style-src', 'object-src', 'base-uri', 'form-action'])
        for (const p of [m, e])
            assert.deepEqual(p[d], h[d], d);
    assert.deepEqual(m['script-src'], ["'self'"]);
    for (const other of [h, s]) {
        assert.deepEqual(other['frame-ancestors'], ["'none'"]);
        assert.deepEqual(other['img-src'], ["'self'", 'https:', 'data:']);
    }
    assert.equal(home.headers.get('x-frame-options'), 'DENY');
    // An error on the embedded map's address is not framable: only the page itself is.
    const record = await page('/innovations');
    assert.deepEqual(csp(record)['frame-ancestors'], ["'none'"]);
    const api = await request(srv.base, '/api/v1/entries?kind=innovation');
    assert.deepEqual(csp(api)['frame-ancestors'], ["'none'"]);
    const asset = await request(srv.base, '/static/style.css');
    assert.deepEqual(csp(asset)['frame-ancestors'], ["'none'"]);
});

test('/embed/carte is the bare map: no site header, links open a new tab, not indexed', async () => {
    const r = await page('/embed/carte?theme=culture');
    const html = r.text;
    assert.doesNotMatch(html, /<header class="site">/);
    assert.doesNotMatch(html, /<footer class="site">/);
    assert.doesNotMatch(html, /class="map-filters"/);
    assert.doesNotMatch(html, /code-integration/);
    assert.match(html, /<meta name="robots" content="noindex">/);
    assert.match(html, /<body class="embedded">/);
    assert.match(html, /<h1>La carte — Culture<\/h1>/);
    assert.match(html, /<a href="\/carte\?theme=culture" target="_blank">Ouvrir sur foison<span class="visually-hidden"> \(nouvel onglet\)<\/span><\/a>/);
    assert.match(html, /data-embed="1"/);
    assert.equal(dataAttr(html, 'query'), 'theme=culture');
    const items = listed(html);
    assert.ok(items.length > 0);
    assert.equal((html.match(/<h3><a href="[^"]+" target="_blank">/g) || []).length, items.length,
        'every record opens in a new tab');
    assert.equal(total(html), total((await page('/carte?theme=culture')).text));
    assertTidy(html, '/embed/carte');
});

test('map_tiles and map_attribution: checked, applied without a restart, an unchecked value is no tile', async () => {
    for (const bad of ['http://tile.example.org/{z}/{x}/{y}.png', 'https://{s}.tile.example.org/{z}/{x}/{y}.png',
        'https://tile.example.org/{z}/{x}.png', "https://tile.example.org/{z}/{x}/{y}.png'; script-src *"]) {
        const r = config('map_tiles', bad);
        assert.notEqual(r.status, 0, bad);
        assert.match(r.err, /map_tiles/, bad);
    }
    assert.notEqual(config('map_attribution', '').status, 0);
    assert.equal(config('map_tiles', 'https://tuiles.example.org:8443/osm/{z}/{x}/{y}.png?cle=a&b=1').status, 0);
    assert.equal(config('map_attribution', 'Fond <b>Exemple</b> & co').status, 0);
    try {
        const r = await page('/carte');
        assert.deepEqual(csp(r)['img-src'], ["'self'", 'data:', 'https://tuiles.example.org:8443']);
        assert.equal(dataAttr(r.text, 'tiles'), 'https://tuiles.example.org:8443/osm/{z}/{x}/{y}.png?cle=a&b=1');
        assert.match(r.text, /data-attribution="Fond &lt;b&gt;Exemple&lt;\/b&gt; &amp; co"/);
        assert.deepEqual(csp(await page('/embed/carte'))['img-src'], ["'self'", 'data:', 'https://tuiles.example.org:8443']);
        // A value written behind the checks' back (an older program, a hand-edited file): no
        // tiles, and no source in the policy.
        const sql = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db,
            "UPDATE settings SET value = 'https://x.example/{z}/{x}/{y}.png; script-src *' WHERE key = 'map_tiles'"],
        { encoding: 'utf8' });
        assert.equal(sql.status, 0, sql.stderr);
        const broken = await page('/carte');
        assert.deepEqual(csp(broken)['img-src'], ["'self'", 'data:']);
        assert.deepEqual(csp(broken)['script-src'], ["'self'"]);
        assert.equal(dataAttr(broken.text, 'tiles'), '');
    } finally {
        assert.equal(config('map_tiles', 'https://tile.openstreetmap.org/{z}/{x}/{y}.png').status, 0);
        assert.equal(config('map_attribution', '© les contributeurs d\'OpenStreetMap').status, 0);
    }
    assert.deepEqual(csp(await page('/carte'))['img-src'], ["'self'", 'data:', 'https://tile.openstreetmap.org']);
});

test('the territory\'s frame (map_center, map_zoom, map_bounds) is the map\'s first view; a bad one is ignored', async () => {
    const sql = (text) => {
        const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, text], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
    };
    const set = (key, value) => sql(`INSERT OR REPLACE INTO settings (key, value) VALUES ('${key}', '${value}')`);
    try {
        set('map_center', '48.38802,-4.33047');
        set('map_zoom', '10');
        set('map_bounds', '-4.82086,48.07538,-3.84007,48.70066');
        let html = (await page('/carte')).text;
        assert.equal(dataAttr(html, 'center'), '48.388020,-4.330470');
        assert.equal(dataAttr(html, 'zoom'), '10');
        assert.equal(dataAttr(html, 'bounds'), '-4.820860,48.075380,-3.840070,48.700660');
        set('map_center', '48.4;-4.3');
        set('map_zoom', '25');
        set('map_bounds', '-3,48,-4,49');
        html = (await page('/carte')).text;
        assert.equal(dataAttr(html, 'center'), '');
        assert.equal(dataAttr(html, 'zoom'), '');
        // Back to the communes' box.
        const [w, s, e, n] = dataAttr(html, 'bounds').split(',').map(Number);
        assert.ok(w < e && s < n && w > -5 && e < -3.5, `the communes' box: ${[w, s, e, n]}`);
    } finally {
        sql("DELETE FROM settings WHERE key IN ('map_center', 'map_zoom', 'map_bounds')");
    }
});
