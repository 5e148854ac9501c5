// territory.test.mjs — the territory as configuration, through a running server: the page
// /admin/communes lists the communes no packaged data places (24 in the demo) with a
// latitude/longitude form each, for admins only; a bad or far-away centre is refused beside its
// field with what was typed kept and nothing written; a centre set (French decimals) moves the
// commune to the "set by an administrator" list, is logged, and moves the site's generation;
// CSRF is checked; the page is well-formed (HTML Tidy); and `foison territory` run against the
// served site changes the communes the running server offers, without a restart.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, loginOk, request, getCsrf, inputValue, decodeEntities, BIN } from './harness.mjs';

let srv, admin, chloe, marc;

before(async () => {
    srv = await startServer();
    admin = await loginOk(srv.base, srv.admin.email, srv.admin.password);
    chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
});

after(async () => {
    await srv?.stop();
});

function sql(query) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, query], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
}

function cli(...args) {
    const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000 });
    return { status: r.status, out: r.stdout, err: r.stderr };
}

// Tidy 5.6 (Debian 12) predates these standard HTML attributes (as in html.test.mjs).
const TIDY_UNKNOWN_BUT_VALID = [/proprietary attribute "inputmode"/,
    /proprietary attribute "aria-current"/];

function assertTidy(html, what) {
    const r = spawnSync('tidy', ['-q', '-e', '-utf8'], { input: html, encoding: 'utf8' });
    assert.notEqual(r.status, null, 'tidy ran');
    const problems = r.stderr.split('\n').filter((l) => l.trim() !== '')
        .filter((l) => !TIDY_UNKNOWN_BUT_VALID.some((re) => re.test(l)));
    assert.deepEqual(problems, [], `${what}: tidy says\n${problems.join('\n')}`);
}

/* The form of commune insee on a page: its <li>…</li>. */
function communeForm(html, insee) {
    const m = new RegExp(`<li id="commune-${insee}">([\\s\\S]*?)</li>`).exec(html);
    return m ? m[1] : null;
}

const GOULVEN = '29064';

test('only admins: a visitor goes to the login page, contributors and moderators get 403', async () => {
    const anon = await request(srv.base, '/admin/communes');
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get('location'), /^\/login\?next=\/admin\/communes/);
    for (const [who, c] of [['contributor', chloe], ['moderator', marc]]) {
        const r = await c.get('/admin/communes');
        assert.equal(r.status, 403, who);
        assert.doesNotMatch(r.text, /name="lat"/, `${who}: no form`);
        const p = await c.post('/admin/communes', { insee: GOULVEN, lat: '48.62', lon: '-4.30' });
        assert.equal(p.status, 403, `${who} POST`);
    }
    assert.equal(sql(`SELECT count(*) FROM communes WHERE insee = '${GOULVEN}' AND lat IS NULL`), '1');
});

test('the page lists the 24 communes without a position, each with a labelled form', async () => {
    const r = await admin.get('/admin/communes');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control')?.includes('no-store') ||
        r.headers.get('cache-control')?.includes('private'), true, r.headers.get('cache-control'));
    const unplaced = sql('SELECT insee FROM communes WHERE lat IS NULL ORDER BY insee').split('\n');
    assert.equal(unplaced.length, 24, 'the demo: 24 of the 103 communes have no centre in the data');
    const forms = [...r.text.matchAll(/<li id="commune-([0-9AB]{5})">/g)].map((m) => m[1]);
    assert.deepEqual([...forms].sort(), unplaced);
    const text = decodeEntities(r.text);
    assert.match(text, /Pays de Brest compte 103 communes\. 24 n'ont pas de position/);
    const f = communeForm(r.text, GOULVEN);
    assert.match(f, /<legend>Goulven <span class="commune-meta">29064 · CC Communauté Lesneven Côte des Légendes</);
    assert.match(f, /<label for="lat-29064">Latitude<\/label>/);
    assert.match(f, /<label for="lon-29064">Longitude<\/label>/);
    assert.match(f, /<input type="hidden" name="insee" value="29064">/);
    assert.ok(getCsrf(f), 'each form has its CSRF token');
    assert.equal(inputValue(f, 'lat'), '');
    // Linked from the settings page.
    assert.match((await admin.get('/admin/reglages')).text, /href="\/admin\/communes"/);
    assertTidy(r.text, '/admin/communes');
});

test('a bad latitude is refused beside its field, the input kept, nothing written', async () => {
    const gen = sql('SELECT generation FROM site_state');
    const page = await admin.get('/admin/communes');
    const csrf = getCsrf(page.text);
    const r = await admin.post('/admin/communes',
        { csrf, insee: GOULVEN, lat: 'quarante-huit', lon: '-4,3051' });
    assert.equal(r.status, 422);
    const f = communeForm(r.text, GOULVEN);
    assert.equal(inputValue(f, 'lat'), 'quarante-huit', 'the latitude typed is kept');
    assert.equal(inputValue(f, 'lon'), '-4,3051', 'the longitude typed is kept');
    assert.match(f, /<div class="field has-error">\s*<label for="lat-29064">/);
    assert.match(f, /id="lat-29064"[^>]*aria-describedby="help-lat-29064 error-lat-29064"[^>]*aria-invalid="true"/);
    assert.match(f, /<p class="error" id="error-lat-29064">La latitude doit être un nombre de -90 à 90/);
    assert.doesNotMatch(f, /id="error-lon-29064"/, 'the longitude was fine');
    assert.match(r.text, /<div class="error-summary" role="alert"[\s\S]*<a href="#lat-29064">La latitude/);
    // The other communes' forms stay empty.
    assert.equal(inputValue(communeForm(r.text, '29100'), 'lat'), '');
    assertTidy(r.text, '/admin/communes (422)');
    // Out of range, missing, swapped (far from the territory), an unknown commune.
    for (const [fields, field, msg] of [
        [{ lat: '91', lon: '-4.3' }, 'lat', /de -90 à 90/],
        [{ lat: '48.6', lon: '' }, 'lon', /Indiquez la longitude/],
        [{ lat: '48.6', lon: '-181' }, 'lon', /de -180 à 180/],
        [{ lat: '48.6', lon: '4.3e0' }, 'lon', /de -180 à 180/],
        [{ lat: '-4.3051', lon: '48.6234' }, 'lat', /loin des autres communes/],
    ]) {
        const one = await admin.post('/admin/communes', { csrf, insee: GOULVEN, ...fields });
        assert.equal(one.status, 422, JSON.stringify(fields));
        assert.match(decodeEntities(communeForm(one.text, GOULVEN)),
            new RegExp(`id="error-${field}-29064">[^<]*${msg.source}`), JSON.stringify(fields));
    }
    const unknown = await admin.post('/admin/communes', { csrf, insee: '75056', lat: '48.85', lon: '2.35' });
    assert.equal(unknown.status, 422);
    assert.match(decodeEntities(unknown.text), /Commune inconnue du territoire.*75056/);
    const shape = await admin.post('/admin/communes', { csrf, insee: '<b>', lat: '48.85', lon: '2.35' });
    assert.equal(shape.status, 422);
    assert.doesNotMatch(shape.text, /<b>/);
    assert.equal(sql(`SELECT count(*) FROM communes WHERE lat IS NULL`), '24', 'nothing written');
    assert.equal(sql('SELECT generation FROM site_state'), gen, 'the generation did not move');
});

test('CSRF: a missing token or a foreign Origin writes nothing', async () => {
    let r = await admin.post('/admin/communes', { insee: GOULVEN, lat: '48.6', lon: '-4.3' },
        { csrf: false });
    assert.equal(r.status, 403);
    const csrf = getCsrf((await admin.get('/admin/communes')).text);
    r = await admin.post('/admin/communes', { csrf, insee: GOULVEN, lat: '48.6', lon: '-4.3' },
        { headers: { origin: 'https://evil.example' } });
    assert.equal(r.status, 403);
    assert.equal(sql(`SELECT count(*) FROM communes WHERE insee = '${GOULVEN}' AND lat IS NULL`), '1');
});

test('a centre set moves the commune to the list set by hand, is logged, moves the generation', async () => {
    const gen = Number(sql('SELECT generation FROM site_state'));
    const csrf = getCsrf((await admin.get('/admin/communes')).text);
    const r = await admin.post('/admin/communes', { csrf, insee: GOULVEN, lat: ' 48,6234 ', lon: '-4,3051' });
    assert.equal(r.status, 303, r.text.slice(0, 400));
    assert.equal(r.headers.get('location'), '/admin/communes');
    assert.equal(sql(`SELECT lat, lon, placed FROM communes WHERE insee = '${GOULVEN}'`),
        '48.6234|-4.3051|admin');
    assert.ok(Number(sql('SELECT generation FROM site_state')) > gen, 'cached pages refresh');
    const page = await admin.get('/admin/communes');
    const text = decodeEntities(page.text);
    assert.match(text, /Le centre de la commune est enregistré\./);
    assert.match(text, /23 n'ont pas de position/);
    const placed = page.text.slice(page.text.indexOf('id="placees"'));
    assert.ok(page.text.indexOf('id="placees"') > 0, 'a list of centres set by hand');
    const f = communeForm(placed, GOULVEN);
    assert.equal(inputValue(f, 'lat'), '48,6234', 'shown as it is written in French');
    assert.equal(inputValue(f, 'lon'), '-4,3051');
    assert.equal(communeForm(page.text.slice(0, page.text.indexOf('id="placees"')), GOULVEN), null,
        'no longer among the communes to place');
    assertTidy(page.text, '/admin/communes (one placed)');
    // Corrected in place: the same form.
    const again = await admin.post('/admin/communes',
        { csrf: getCsrf(page.text), insee: GOULVEN, lat: '48.62', lon: '-4.31' });
    assert.equal(again.status, 303);
    assert.equal(sql(`SELECT lat, lon FROM communes WHERE insee = '${GOULVEN}'`), '48.62|-4.31');
    // In the moderation log, under the admin's name.
    const log = decodeEntities((await admin.get('/moderation/log')).text);
    assert.match(log, /Territoire et centres des communes/);
    assert.match(log, /Centre de Goulven \(29064\) fixé\s*: 48\.62000, -4\.31000/);
    // The command line sees it.
    const status = cli('territory', srv.db);
    assert.equal(status.status, 0, status.err);
    assert.match(status.out, /Territoire « Pays de Brest » : 103 communes\./);
    assert.match(status.out, /80 communes ont une position ; 23 n'en ont pas/);
    assert.doesNotMatch(status.out, /29064 Goulven/);
});

test('foison territory on the served site: the running server offers the new communes', async () => {
    const form1 = await chloe.get('/innovations/new');
    assert.equal(form1.status, 200);
    assert.doesNotMatch(form1.text, /<option value="35238"/, 'Rennes is not in the Pays de Brest');
    const r = cli('territory', srv.db, '--epci', '243500139');
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /Territoire « Rennes Métropole » : \d+ communes \(43 ajoutées, \d+ retirées\)/);
    assert.match(r.out, /gardées? parce que des fiches/, 'the demo\'s communes in use stay');
    assert.match(r.out, /29019 Brest \(\d+ fiches\)/);
    const form2 = await chloe.get('/innovations/new');
    assert.match(form2.text, /<option value="35238"[^>]*>Rennes</, 'read again without a restart');
    assert.match(form2.text, /<option value="29019"[^>]*>Brest</, 'Brest stays: records use it');
    // The admin's centre is kept by the reload only for the communes still there: Goulven is
    // not used by any record, so it left with the Pays de Brest.
    assert.equal(sql(`SELECT count(*) FROM communes WHERE insee = '${GOULVEN}'`), '0');
    const page = decodeEntities((await admin.get('/admin/communes')).text);
    assert.match(page, /Rennes Métropole compte \d+ communes/);
    assert.match(page, /L'Hermitage/);
});
