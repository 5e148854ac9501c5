// validation.test.mjs — the innovation form refuses bad input with 422 and an error beside each
// faulty field, keeps what was typed, never answers 500 on malformed bytes, and writes nothing.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    startServer, loginOk, inputValue, textareaValue, apiTotal, sampleInnovation, formFields,
    encodeForm, rawRequest,
} from './harness.mjs';

let srv, alice, totalAtStart;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    totalAtStart = await apiTotal(srv.base);
});

after(async () => {
    await srv?.stop();
});

/* The field blocks of an entry form: { name: { hasError, error, html } }. */
function formBlocks(html) {
    const out = {};
    const parts = html.split(/(?=<div class="field)/);
    for (const p of parts) {
        const m = /^<div class="field( has-error)?" id="field-([a-z_]+)">/.exec(p);
        if (!m)
            continue;
        const err = /<p class="error"[^>]*>([\s\S]*?)<\/p>/.exec(p);
        out[m[2]] = { hasError: Boolean(m[1]), error: err ? err[1] : null, html: p };
    }
    return out;
}

function erroredFields(html) {
    return Object.entries(formBlocks(html)).filter(([, b]) => b.hasError || b.error).map(([n]) => n).sort();
}

/* Posts the form and asserts a 422 with errors exactly on the expected fields. */
async function expectErrors(fields, expected, what) {
    const r = await alice.post('/innovations/new', fields);
    assert.equal(r.status, 422, `${what}: status (body starts ${r.text.slice(0, 200)})`);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /class="error-summary" role="alert"/, what);
    const blocks = formBlocks(r.text);
    for (const name of expected) {
        assert.ok(blocks[name], `${what}: block field-${name} exists`);
        assert.ok(blocks[name].hasError, `${what}: field-${name} has-error`);
        assert.ok(blocks[name].error && blocks[name].error.length > 3, `${what}: message beside ${name}`);
    }
    assert.deepEqual(erroredFields(r.text), [...expected].sort(), `${what}: only these fields in error`);
    return r;
}

test('missing required fields → 422, an error beside each, other values kept', async () => {
    const fields = {
        title: '', summary: '   ', description: '', commune: '',
        holders: 'Collectif « Les Mains Vertes » & amis', website: 'https://mains-vertes.example.org/',
        start_year: '2021', 'point.lat': '48.39', 'point.lon': '-4.49', status: 'idee',
        license: 'CC0-1.0', needs: 'Des **bénévoles** <le samedi>', comment: 'Mon commentaire',
    };
    const r = await expectErrors(fields, ['title', 'summary', 'description', 'themes', 'commune'],
                                 'missing required');
    assert.equal(inputValue(r.text, 'holders'), fields.holders);
    assert.equal(inputValue(r.text, 'website'), fields.website);
    assert.equal(inputValue(r.text, 'start_year'), '2021');
    assert.equal(inputValue(r.text, 'point.lat'), '48.39');
    assert.equal(inputValue(r.text, 'point.lon'), '-4.49');
    assert.equal(textareaValue(r.text, 'needs'), fields.needs);
    assert.equal(inputValue(r.text, 'comment'), 'Mon commentaire');
    assert.match(r.text, /<option value="idee" selected>/);
    assert.match(r.text, /<option value="CC0-1.0" selected>/);
    assert.ok(inputValue(r.text, 'csrf'), 'the form can be sent again');
    assert.equal(inputValue(r.text, 'base_revision'), '0');
});

test('the error summary links to the inputs themselves; required inputs say so; the summary takes the focus', async () => {
    const fields = {
        title: '', summary: '', description: '', commune: '', 'point.lat': '91', 'point.lon': '0',
        status: 'idee', license: 'CC0-1.0',
    };
    const r = await expectErrors(fields, ['title', 'summary', 'description', 'themes', 'commune', 'point'],
                                 'summary links');
    const summary = /<div class="error-summary" role="alert" id="erreurs" tabindex="-1" autofocus>([\s\S]*?)<\/div>/.exec(r.text);
    assert.ok(summary, 'the summary is focusable and focused without JavaScript');
    const hrefs = [...summary[1].matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(hrefs.sort(), ['commune', 'description', 'point.lat', 'summary', 'themes-numerique', 'title'].sort());
    for (const id of hrefs)
        assert.match(r.text, new RegExp(`<(input|textarea|select) [^>]*id="${id.replace('.', '\\.')}"`), `#${id} is an input`);
    for (const name of ['title', 'summary', 'description', 'commune'])
        assert.match(r.text, new RegExp(`<(input|textarea|select)[^>]* id="${name}"[^>]* required aria-required="true"`), name);
    // Every input the markup marks required says it to assistive technologies too.
    for (const m of r.text.matchAll(/<(input|textarea|select)\b[^>]*>/g))
        if (/ required[ >]/.test(m[0]))
            assert.match(m[0], /aria-required="true"/, m[0]);
});

test('editing with an error keeps the record\'s name in the title and the heading', async () => {
    const list = await (await fetch(`${srv.base}/api/v1/entries?kind=innovation`)).json();
    const { slug, title, revision } = list.entries[0];
    const r = await alice.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: '' })), base_revision: String(revision),
    });
    assert.equal(r.status, 422);
    const esc = title.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;');
    assert.ok(r.text.includes(`<h1>Modifier «\u202f${esc}\u202f»</h1>`), 'h1');
    assert.match(r.text, /<title>Erreur[^<]*Modifier «/, 'title');
});

test('valid fields are kept when one field is wrong', async () => {
    const inn = sampleInnovation({ summary: 'x'.repeat(301) });
    const r = await expectErrors(formFields(inn), ['summary'], 'summary 301');
    assert.equal(inputValue(r.text, 'title'), inn.title);
    assert.equal(textareaValue(r.text, 'description'), inn.description);
    assert.equal(inputValue(r.text, 'summary'), inn.summary);
    for (const t of inn.themes)
        assert.match(r.text, new RegExp(`name="themes" value="${t}" checked`));
    assert.match(r.text, /<option value="29177" selected>/);
});

test('summary of 301 characters (multi-byte too) → error', async () => {
    await expectErrors(formFields(sampleInnovation({ summary: 'é'.repeat(301) })), ['summary'], 'é×301');
    await expectErrors(formFields(sampleInnovation({ title: 't'.repeat(121) })), ['title'], 'title 121');
});

test('website must be http or https', async () => {
    for (const w of ['javascript:alert(1)', 'ftp://x', 'JavaScript:alert(1)', '  javascript:alert(1)',
                     'data:text/html,<script>alert(1)</script>', 'http://', '//evil.example/', 'https://a b.c/']) {
        await expectErrors(formFields(sampleInnovation({ website: w })), ['website'], `website ${w}`);
    }
});

test('unknown theme, unknown commune → error', async () => {
    await expectErrors(formFields(sampleInnovation({ themes: ['numerique', 'pas-un-theme'] })), ['themes'],
                       'unknown theme');
    await expectErrors(formFields(sampleInnovation({ themes: ['<b>x</b>'] })), ['themes'], 'markup theme');
    await expectErrors(formFields(sampleInnovation({ commune: '99999' })), ['commune'], 'unknown commune');
    await expectErrors(formFields(sampleInnovation({ commune: '75056' })), ['commune'], 'Paris is not in the territory');
    await expectErrors(formFields(sampleInnovation({ status: 'finie' })), ['status'], 'unknown status');
    await expectErrors(formFields(sampleInnovation({ license: 'proprietaire' })), ['license'], 'unknown license');
    const six = ['numerique', 'solidarite', 'ess', 'culture', 'sante', 'mobilite'];
    await expectErrors(formFields(sampleInnovation({ themes: six })), ['themes'], 'six themes (max 5)');
});

test('coordinates: out of range or half given → error', async () => {
    const cases = [
        [{ lat: '91', lon: '-4.49' }, 'lat 91'],
        [{ lat: '-90.5', lon: '-4.49' }, 'lat -90.5'],
        [{ lat: '48.39', lon: '200' }, 'lon 200'],
        [{ lat: '48.39', lon: '' }, 'lat without lon'],
        [{ lat: '', lon: '-4.49' }, 'lon without lat'],
        [{ lat: 'abc', lon: '-4.49' }, 'lat not a number'],
        [{ lat: 'nan', lon: 'inf' }, 'nan/inf'],
        [{ lat: '0x10', lon: '1' }, 'hex'],
    ];
    for (const [point, what] of cases)
        await expectErrors(formFields(sampleInnovation({ point })), ['point'], what);
});

test('start_year out of range or not a year → error', async () => {
    for (const y of ['1800', '1899', '3000', 'deux-mille', '2019.5', '-2019'])
        await expectErrors(formFields(sampleInnovation({ start_year: y })), ['start_year'], `start_year ${y}`);
});

test('several wrong fields at once → every one reported', async () => {
    await expectErrors(formFields(sampleInnovation({
        website: 'ftp://x', start_year: '1800', commune: '00000', point: { lat: '91', lon: '0' },
    })), ['website', 'start_year', 'commune', 'point'], 'four errors');
});

test('invalid UTF-8 in a form field → 400 or 422, never 500', async () => {
    const valid = encodeForm({ ...formFields(sampleInnovation()), csrf: alice.csrf });
    const bodies = [
        // percent-encoded invalid sequence
        valid.replace(/title=[^&]*/, 'title=%C3%28'),
        valid.replace(/description=[^&]*/, 'description=%FF%FE'),
        // overlong encoding of '/'
        valid.replace(/summary=[^&]*/, 'summary=%C0%AF'),
        // an invalid sequence in a key
        `${valid}&%C3%28=x`,
        // a bad escape
        valid.replace(/title=[^&]*/, 'title=%G1'),
        valid.replace(/title=[^&]*/, 'title=%C'),
    ];
    for (const b of bodies) {
        const r = await alice.post('/innovations/new', null, { raw: b });
        assert.ok(r.status === 400 || r.status === 422, `status ${r.status} for ${b.slice(0, 60)}`);
    }
    // Raw bytes, not escaped at all.
    const raw = Buffer.concat([Buffer.from(valid.replace(/title=[^&]*/, 'title=')),
                               Buffer.from([0xc3, 0x28])]);
    const r = await rawRequest(srv.base, '/innovations/new', {
        method: 'POST', body: raw,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: alice.jar.header() },
    });
    assert.ok(r.status === 400 || r.status === 422, `raw bytes: ${r.status}`);
    // A NUL byte in a value.
    const nul = await alice.post('/innovations/new', null, { raw: valid.replace(/title=[^&]*/, 'title=a%00b') });
    assert.ok(nul.status === 400 || nul.status === 422, `NUL: ${nul.status}`);
    // Invalid UTF-8 in the query string is ignored, in the path is a 404.
    const q = await alice.get('/innovations?theme=%C3%28');
    assert.equal(q.status, 200);
    const p = await alice.get('/innovations/%C3%28');
    assert.ok(p.status === 404 || p.status === 400, `path: ${p.status}`);
});

test('comment over 300 characters and control characters → error', async () => {
    const r = await alice.post('/innovations/new', { ...formFields(sampleInnovation()), comment: 'c'.repeat(301) });
    assert.equal(r.status, 422);
    assert.match(r.text, /<div class="field has-error"[^>]*>\s*<label for="comment">/);
    assert.match(r.text, /<p class="error" id="error-comment">Commentaire\s: [^<]+<\/p>/);
    assert.equal(inputValue(r.text, 'comment'), 'c'.repeat(301), 'the comment is kept');
    // Control characters are refused, as a malformed request (400) or as a field error (422).
    for (const [field, value] of [['title', 'Bip\u0007bip'], ['holders', 'a\u001bb'], ['summary', 'a\u007fb']]) {
        const c = await alice.post('/innovations/new', formFields(sampleInnovation({ [field]: value })));
        assert.ok(c.status === 400 || c.status === 422, `${field}: ${c.status}`);
        if (c.status === 422)
            assert.deepEqual(erroredFields(c.text), [field]);
    }
});

test('nothing was written by any refused form', async () => {
    assert.equal(await apiTotal(srv.base), totalAtStart);
});

test('boundaries are accepted: 300 characters of summary, lat 90, year 1900', async () => {
    const inn = sampleInnovation({
        title: 'Frontières acceptées', summary: 'é'.repeat(300),
        point: { lat: '90', lon: '-180' }, start_year: '1900',
    });
    const r = await alice.post('/innovations/new', formFields(inn));
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(await apiTotal(srv.base), totalAtStart + 1);
});
