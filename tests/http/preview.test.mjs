// preview.test.mjs — POST /api/v1/preview (web/preview.c): the editor's preview renders Markdown
// exactly as a record page shows it once saved, for a bearer token or a signed-in browser that
// sends its form's CSRF token in X-CSRF-Token; anonymous callers, foreign origins and missing
// tokens are refused; the size, the UTF-8, the shape and the rate are limited; nothing is written.
// The form's own preview without JavaScript ("Prévisualiser") is tested here too.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    startServer, loginOk, apiJson, apiTotal, rawRequest, getCsrf, decodeEntities, textareaValue,
    sampleInnovation, formFields,
} from './harness.mjs';

let srv, alice, csrf, totalAtStart;

before(async () => {
    srv = await startServer({ config: { rate_previews: '12' } });
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    csrf = getCsrf((await alice.get('/innovations/new')).text);
    totalAtStart = await apiTotal(srv.base);
});

after(async () => {
    assert.equal(await apiTotal(srv.base), totalAtStart, 'no preview wrote anything');
    await srv?.stop();
});

const PREVIEW = '/api/v1/preview';

/* The preview as a signed-in browser asks it: session cookie, the form's token in the header. */
function browserPreview(body, { token = csrf, headers = {}, client = alice } = {}) {
    const h = { 'content-type': 'application/json', ...headers };
    if (token)
        h['x-csrf-token'] = token;
    return client.get(PREVIEW, {
        method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then((r) => {
        let json = null;
        try { json = JSON.parse(r.text); } catch { /* asserted by the tests */ }
        return { ...r, json };
    });
}

function assertJson(r, status, what) {
    assert.equal(r.status, status, `${what}: status (${r.text.slice(0, 300)})`);
    assert.match(r.headers.get('content-type'), /^application\/json/, `${what}: JSON`);
    assert.ok(r.json, `${what}: body is JSON`);
    assert.match(r.headers.get('cache-control') || '', /no-store/, `${what}: never cached`);
}

test('a bearer token gets the rendered HTML', async () => {
    const r = await apiJson(srv.base, PREVIEW, {
        method: 'POST', token: srv.users.a.token, body: { markdown: 'Un **atelier** :\n\n- vélo\n- outils' },
    });
    assertJson(r, 200, 'bearer');
    assert.match(r.json.html, /<strong>atelier<\/strong>/);
    assert.match(r.json.html, /<li>vélo<\/li>/);
    const empty = await apiJson(srv.base, PREVIEW, { method: 'POST', token: srv.users.a.token, body: { markdown: '   ' } });
    assertJson(empty, 200, 'blank text');
    assert.equal(empty.json.html, '');
});

test('a signed-in browser with the form’s CSRF token gets it; without the token it is refused', async () => {
    const ok = await browserPreview({ markdown: '_italique_' });
    assertJson(ok, 200, 'cookie + X-CSRF-Token');
    assert.match(ok.json.html, /<em>italique<\/em>/);
    const missing = await browserPreview({ markdown: 'x' }, { token: null });
    assertJson(missing, 403, 'cookie without the token');
    const wrong = await browserPreview({ markdown: 'x' }, { token: 'ab'.repeat(64) });
    assertJson(wrong, 403, 'cookie with a wrong token');
    // The token in the body, as a form would send it, is not what this door reads.
    const inBody = await browserPreview({ markdown: 'x', csrf }, { token: null });
    assertJson(inBody, 403, 'token in the body only');
    const foreign = await browserPreview({ markdown: 'x' }, { headers: { origin: 'https://evil.example' } });
    assertJson(foreign, 403, 'foreign Origin');
    const same = await browserPreview({ markdown: 'x' }, { headers: { origin: srv.base } });
    assertJson(same, 200, 'own Origin');
});

test('anonymous callers and bad tokens get 401', async () => {
    const anon = await apiJson(srv.base, PREVIEW, { method: 'POST', body: { markdown: 'x' } });
    assertJson(anon, 401, 'anonymous');
    assert.match(anon.headers.get('www-authenticate') || '', /^Bearer/);
    const bad = await apiJson(srv.base, PREVIEW, { method: 'POST', token: 'f'.repeat(64), body: { markdown: 'x' } });
    assertJson(bad, 401, 'unknown token');
    // A bearer header is judged alone: a session cookie beside a bad token does not help.
    const mixed = await browserPreview({ markdown: 'x' }, { headers: { authorization: `Bearer ${'f'.repeat(64)}` } });
    assertJson(mixed, 401, 'bad token with a good session');
    // An anonymous browser's double-submit token is no session.
    const anonPage = await fetch(`${srv.base}/login`);
    const cookie = anonPage.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const anonCsrf = getCsrf(await anonPage.text());
    const r = await fetch(srv.base + PREVIEW, {
        method: 'POST', body: JSON.stringify({ markdown: 'x' }),
        headers: { cookie, 'x-csrf-token': anonCsrf, 'content-type': 'application/json' },
    });
    assert.equal(r.status, 401, 'anonymous browser with its CSRF cookie');
});

test('raw HTML and script URLs are neutralised exactly as on the record page', async () => {
    const text = [
        '<script>alert(1)</script> <img src=x onerror=alert(1)> <b>gras</b>',
        '',
        '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](javascript&#58;alert(1)) [d](<javascript:alert(1)>)',
        '',
        '![i](javascript:alert(1)) ![j](data:image/png;base64,AAAA) [k](data:text/html,x) [l](vbscript:x)',
        '',
        '[bon](https://exemple.org/) [rel](/innovations) <https://auto.example/> ~~barré~~ ~5 km',
        '',
        '| a | b |\n|---|---|\n| 1 | 2 |',
        '',
        '<iframe src="https://evil.example"></iframe>\r\n<style>body{display:none}</style>',
    ].join('\n');
    const r = await apiJson(srv.base, PREVIEW, { method: 'POST', token: srv.users.a.token, body: { markdown: text } });
    assertJson(r, 200, 'payload');
    const html = r.json.html;
    assert.doesNotMatch(html, /<script|<img[^>]*onerror|<iframe|<style|<b>/i, 'no raw HTML');
    assert.doesNotMatch(html, /href="\s*(javascript|vbscript|data):/i, 'no script link');
    assert.doesNotMatch(html, /src="\s*(javascript|data):/i, 'no script image');
    assert.match(html, /<a rel="nofollow ugc" href="https:\/\/exemple\.org\/">bon<\/a>/);
    assert.match(html, /<del>barré<\/del>/);
    assert.match(html, /<table>/);

    // The same text saved in a record: its page holds the very same HTML.
    const created = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { ...sampleInnovation({ title: 'Aperçu fidèle à la page' }), needs: text },
    });
    assert.equal(created.status, 201, created.text.slice(0, 300));
    totalAtStart++;
    const page = await alice.get(`/innovations/${created.json.slug}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(html), `the record page shows the preview's HTML:\n${html}`);
});

test('limits: too long 413, not UTF-8 or not a string 422, missing field 422, not JSON 400', async () => {
    const post = (body, extra = {}) => apiJson(srv.base, PREVIEW, { method: 'POST', token: srv.users.b.token, body, ...extra });
    const max = 50000; // the longest Markdown field (an article's body, a material's content)
    const fits = await post({ markdown: 'é'.repeat(max) });
    assertJson(fits, 200, `${max} characters`);
    const long = await post({ markdown: 'é'.repeat(max + 1) });
    assertJson(long, 413, `${max + 1} characters`);
    assert.match(long.json.error.message, /50000 caractères/);
    const huge = await post(JSON.stringify({ markdown: 'a'.repeat(400000) }));
    assertJson(huge, 413, 'a body far past the limit');
    const badUtf8 = await post(Buffer.concat([Buffer.from('{"markdown":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
    assertJson(badUtf8, 422, 'invalid UTF-8');
    assert.equal(badUtf8.json.errors[0].field, 'markdown');
    const nul = await post('{"markdown":"a\\u0000b"}');
    assertJson(nul, 422, 'a NUL character');
    const number = await post({ markdown: 12 });
    assertJson(number, 422, 'not a string');
    assert.equal(number.json.errors[0].field, 'markdown');
    const missing = await post({ text: 'x' });
    assertJson(missing, 422, 'missing field');
    assert.equal(missing.json.errors[0].field, 'markdown');
    assert.match(missing.json.errors[0].message, /requis/);
    for (const [body, what] of [['{"markdown": ', 'truncated JSON'], ['markdown=x', 'a form body'],
        ['["x"]', 'an array'], ['', 'no body'], ['{"markdown":"a","markdown":"b"}', 'duplicate keys']]) {
        const r = await post(body);
        assertJson(r, 400, what);
        assert.equal(r.json.error.status, 400);
    }
});

test('other methods are refused with 405 and Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
        const r = await rawRequest(srv.base, PREVIEW, { method, headers: { authorization: `Bearer ${srv.users.a.token}` } });
        assert.equal(r.status, 405, method);
        assert.equal(r.headers.allow, 'POST', method);
        assert.match(r.headers['content-type'], /^application\/json/, method);
    }
});

test('past rate_previews a minute: 429 with Retry-After, per account', async () => {
    // The moderator has used none of this server's 12 previews a minute yet.
    const token = srv.users.m.token;
    let refused = null;
    for (let i = 0; i < 13 && !refused; i++) {
        const r = await apiJson(srv.base, PREVIEW, { method: 'POST', token, body: { markdown: `essai ${i}` } });
        if (r.status === 429)
            refused = { r, i };
        else
            assertJson(r, 200, `preview ${i}`);
    }
    assert.ok(refused, 'the 13th preview within a minute is refused');
    assert.equal(refused.i, 12, 'exactly 12 let through');
    assertJson(refused.r, 429, '429');
    const wait = Number(refused.r.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 66, `Retry-After ${wait}`);
    assert.equal(refused.r.json.error.retry_after, wait);
    // Another account keeps its own budget.
    const other = await apiJson(srv.base, PREVIEW, { method: 'POST', token: srv.users.c.token, body: { markdown: 'x' } });
    assertJson(other, 200, 'another account');
});

test('the form previews without JavaScript: texts rendered under their fields, input kept, nothing saved', async () => {
    const fields = formFields(sampleInnovation({ title: 'Aperçu sans script' }));
    fields.needs = 'Il faut des **outils** et [un local](javascript:alert(1)).';
    fields.how_it_works = '';
    const r = await alice.post('/innovations/new', { ...fields, preview: '1' });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /<h3 id="apercu-needs">Aperçu\u202f: De quoi a-t-on besoin<\/h3><div class="md-preview-body"><p>Il faut des <strong>outils<\/strong> et un local\.<\/p>/);
    assert.match(r.text, /<h3 id="apercu-how_it_works">[^<]*<\/h3><p class="empty">/);
    assert.equal(decodeEntities(textareaValue(r.text, 'needs')), fields.needs, 'the text is kept');
    assert.doesNotMatch(r.text, /error-summary/, 'a preview is no error');
    assert.equal(await apiTotal(srv.base), totalAtStart, 'nothing created');
    // Editing: the page keeps the record's name, and the base revision.
    const list = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    const { slug, title, revision } = list.json.entries[0];
    const edit = await alice.post(`/innovations/${slug}/edit`, {
        ...fields, title: '', base_revision: String(revision), preview: '1',
    });
    assert.equal(edit.status, 200);
    assert.match(edit.text, new RegExp(`<h1>Modifier «\u202f${escapeRe(encodeHtml(title))}\u202f»</h1>`));
    assert.match(edit.text, /name="base_revision" value="\d+"/);
    assert.match(edit.text, / data-posted/, 'the form says it came back from a POST (editor.js keeps the draft)');
    const after = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(after.json.revision, revision, 'nothing saved');
});

function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function encodeHtml(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
