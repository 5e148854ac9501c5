// xss.test.mjs — every text field of a record (made through the API and through the form) holds
// script payloads; no page that shows them may contain an executable tag, an event-handler
// attribute or a javascript: URL, and the visible text must be the escaped payload.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    startServer, request, loginOk, login, getCsrf, inputValue, apiJson, sampleInnovation, formFields,
    decodeEntities,
    unmaskCsrf,
} from './harness.mjs';

const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const JS = 'javascript:alert(1)';
const ESCAPED_SCRIPT = '&lt;script&gt;alert(1)&lt;/script&gt;';

const LINE = `${SCRIPT} ${IMG} ${JS}`; // for one-line fields (≤ 120 characters)
const MARKDOWN = [
    SCRIPT,
    '',
    IMG,
    '',
    `[x](${JS}) [y](JaVaScRiPt:alert(1)) [z](javascript&#58;alert(1)) [w](<javascript:alert(1)>)`,
    `[v](vbscript:msgbox(1)) [d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
    `[tab](java\tscript:alert(1)) [ent](&#106;avascript:alert(1))`,
    `![i](${JS}) ![j](x" onerror="alert(1))`,
    '<a href="javascript:alert(1)">x</a> <A HREF=javascript:alert(1)>y</A>',
    `<${JS}>`,
    '<svg onload=alert(1)></svg> <iframe src="javascript:alert(1)"></iframe>',
    '<img src=x onerror=alert(1)>',
    '[ref][r]',
    '',
    `[r]: ${JS}`,
    '',
    '`<script>alert(1)</script>` and <style>body{display:none}</style>',
    '',
    '    <script>alert(1)</script>',
].join('\n');

const ONE_LINE_FIELDS = ['title', 'summary', 'holders'];
const MARKDOWN_FIELDS = ['description', 'how_it_works', 'needs', 'how_to_reproduce', 'strengths',
                         'difficulties', 'contacts'];

function payloadEntry(tag) {
    const e = sampleInnovation({ website: "https://example.org/?a='onmouseover='alert(1)", start_year: '2020',
                                 point: { lat: '48.4', lon: '-4.5' } });
    for (const f of ONE_LINE_FIELDS)
        e[f] = f === 'title' ? `${LINE} ${tag}` : `${LINE} ${f}`;
    for (const f of MARKDOWN_FIELDS)
        e[f] = `${MARKDOWN}\n\n${f} ${tag}`;
    return e;
}

/* ---- a small HTML tag scanner: tags with their attributes (values decoded) ---- */

function scanTags(html) {
    const tags = [];
    const nameRe = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)/y;
    const attrRe = /[\s/]*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?/y;
    let i = 0;
    while ((i = html.indexOf('<', i)) !== -1) {
        if (html.startsWith('<!--', i)) {
            const end = html.indexOf('-->', i + 4);
            i = end < 0 ? html.length : end + 3;
            continue;
        }
        nameRe.lastIndex = i;
        const m = nameRe.exec(html);
        if (!m) {
            i++;
            continue;
        }
        let j = nameRe.lastIndex;
        const attrs = [];
        for (;;) {
            while (j < html.length && /[\s/]/.test(html[j]))
                j++;
            if (j >= html.length || html[j] === '>')
                break;
            attrRe.lastIndex = j;
            const a = attrRe.exec(html);
            if (!a || attrRe.lastIndex === j) {
                j++;
                continue;
            }
            const raw = a[2] ?? a[3] ?? a[4];
            attrs.push({ name: a[1].toLowerCase(), value: raw === undefined ? null : decodeEntities(raw) });
            j = attrRe.lastIndex;
        }
        tags.push({ name: m[2].toLowerCase(), closing: m[1] === '/', attrs, at: i });
        i = j + 1;
    }
    return tags;
}

const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'background',
                           'data', 'srcdoc', 'cite']);

/* What a browser would see as the scheme: controls and whitespace removed, lower case. */
function schemeOf(value) {
    // eslint-disable-next-line no-control-regex
    return value.replace(/[\u0000-\u0020\u007f]/g, '').toLowerCase();
}

function assertSafeHtml(html, where) {
    assert.ok(!/<script>alert\(1\)/i.test(html), `${where}: unescaped <script>alert(1)`);
    for (const t of scanTags(html)) {
        if (t.closing)
            continue;
        const ctx = `${where}: <${t.name} ${t.attrs.map((a) => `${a.name}=${a.value}`).join(' ')}> at ${t.at}\n` +
            html.slice(Math.max(0, t.at - 80), t.at + 160);
        // The record's map is the server's own SVG (render/geo_svg.c): it names communes only.
        const recordMap = t.name === 'svg' && t.attrs.some((a) => a.name === 'class' && a.value === 'geo-map');
        if (recordMap) {
            const body = html.slice(t.at, html.indexOf('</svg>', t.at));
            assert.ok(!/alert|onerror|javascript/i.test(body), `content inside the record map ${ctx}`);
        }
        assert.ok(!['svg', 'iframe', 'object', 'embed', 'math', 'base', 'meta'].includes(t.name) ||
                  (t.name === 'meta' && t.at < 400) || recordMap, `forbidden tag ${ctx}`);
        if (t.name === 'script') {
            const src = t.attrs.find((a) => a.name === 'src');
            assert.ok(src && src.value.startsWith('/static/'), `inline script ${ctx}`);
        }
        if (t.name === 'style')
            assert.ok(t.at < 600, `style element from content ${ctx}`);
        for (const a of t.attrs) {
            assert.ok(!a.name.startsWith('on'), `event handler attribute ${ctx}`);
            assert.notEqual(a.name, 'style', `style attribute ${ctx}`);
            if (URL_ATTRS.has(a.name) && a.value !== null) {
                const s = schemeOf(a.value);
                assert.ok(!s.startsWith('javascript:') && !s.startsWith('vbscript:'), `script URL ${ctx}`);
                if (a.name === 'href' || a.name === 'src' || a.name === 'action')
                    assert.ok(!s.startsWith('data:text') && !s.startsWith('data:application'), `data URL ${ctx}`);
            }
        }
        if (t.name === 'img') {
            const src = t.attrs.find((a) => a.name === 'src')?.value ?? '';
            assert.ok(/^(https?:\/\/|\/)/i.test(src), `img with src ${src} ${ctx}`);
        }
    }
}

function assertEscapedShown(html, where) {
    assert.ok(html.includes(ESCAPED_SCRIPT), `${where}: the escaped payload ${ESCAPED_SCRIPT} is shown`);
    assert.ok(html.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'), `${where}: escaped img payload`);
}

/* ---- the tests ---- */

let srv, alice, bruno;
const slugs = {};
const sent = {};

before(async () => {
    // The payloads are junk a spam score refuses: this file is about escaping, so the score
    // never holds or refuses here (tests/http/spam.test.mjs tests the score).
    srv = await startServer({ config: { spam_hold: '100000', spam_refuse: '100000' } });
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
});

after(async () => {
    await srv?.stop();
});

test('an entry full of payloads is accepted through the API (and revised)', async () => {
    const e = payloadEntry('api');
    sent.api = e;
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { kind: 'innovation', ...e, point: { lat: 48.4, lon: -4.5 }, start_year: 2020, comment: LINE },
    });
    assert.equal(r.status, 201, r.text);
    slugs.api = r.json.slug;
    assert.match(slugs.api, /^[a-z0-9-]+$/);
    const e2 = { ...e, title: `${e.title} v2`, description: `${e.description}\n\n${SCRIPT} ajout` };
    sent.api2 = e2;
    const u = await apiJson(srv.base, `/api/v1/entries/${slugs.api}`, {
        method: 'PUT', token: srv.users.b.token,
        body: { base_revision: 1, title: e2.title, description: e2.description, comment: `${IMG} v2` },
    });
    assert.equal(u.status, 200, u.text);
    slugs.api = u.json.slug;
});

test('an entry full of payloads is accepted through the form (and revised)', async () => {
    const e = payloadEntry('form');
    sent.form = e;
    const r = await alice.post('/innovations/new', { ...formFields(e), comment: LINE });
    assert.equal(r.status, 303, r.text.slice(0, 400));
    slugs.form = /^\/innovations\/([a-z0-9-]+)$/.exec(r.headers.get('location'))[1];
    const edit = await alice.get(`/innovations/${slugs.form}/edit`);
    assert.equal(edit.status, 200);
    assertSafeHtml(edit.text, 'edit form');
    assertEscapedShown(edit.text, 'edit form');
    // What the form shows is exactly what was typed (no double escaping, nothing lost).
    assert.equal(inputValue(edit.text, 'title'), e.title);
    const e2 = { ...e, summary: `${e.summary} v2` };
    const u = await alice.post(`/innovations/${slugs.form}/edit`,
                               { ...formFields(e2), base_revision: '1', comment: `${IMG} v2` });
    assert.equal(u.status, 303, u.text.slice(0, 400));
    slugs.form = /^\/innovations\/([a-z0-9-]+)$/.exec(u.headers.get('location'))[1];
});

test('record, old revision, history and diff pages are safe', async () => {
    for (const which of ['api', 'form']) {
        const s = slugs[which];
        assert.ok(s, `${which} entry created`);
        for (const p of [`/innovations/${s}`, `/innovations/${s}?rev=1`, `/innovations/${s}/history`,
                         `/innovations/${s}/diff?from=1&to=2`, `/innovations/${s}/diff`]) {
            // Anonymous visitors with the cookie of the gate before history and diff.
            const human = await srv.human();
            for (const [who, get] of [['anonymous', (x) => request(srv.base, x, { cookies: human })], ['logged in', (x) => alice.get(x)]]) {
                const r = await get(p);
                assert.equal(r.status, 200, `${which} ${p}`);
                assertSafeHtml(r.text, `${which} ${who} ${p}`);
                assertEscapedShown(r.text, `${which} ${who} ${p}`);
            }
        }
    }
});

test('the record page shows the markdown payloads as text or drops them, never as markup', async () => {
    const r = await request(srv.base, `/innovations/${slugs.api}`);
    // The description section exists and its links (if any) are safe.
    const desc = /<section class="description">([\s\S]*?)<\/section>/.exec(r.text);
    assert.ok(desc, 'description section');
    assert.ok(desc[1].length > 50, 'description rendered');
    assertSafeHtml(desc[1], 'description');
    // The website link keeps its quote escaped inside the attribute.
    const site = scanTags(r.text).find((t) => t.name === 'a' &&
        t.attrs.some((a) => a.name === 'href' && a.value.startsWith('https://example.org/')));
    assert.ok(site, 'website link');
    assert.equal(site.attrs.find((a) => a.name === 'href').value, "https://example.org/?a='onmouseover='alert(1)");
    assert.deepEqual(site.attrs.map((a) => a.name).sort(), ['href', 'rel']);
});

test('list, filters and home page are safe', async () => {
    const pages = ['/', '/innovations', '/innovations?theme=mobilite', '/innovations?commune=29177'];
    for (const p of pages) {
        for (const get of [(x) => request(srv.base, x), (x) => alice.get(x)]) {
            const r = await get(p);
            assert.equal(r.status, 200, p);
            assertSafeHtml(r.text, p);
            assertEscapedShown(r.text, p);
        }
    }
    // Payloads in the query string are not reflected as markup either.
    for (const p of [`/innovations?theme=${encodeURIComponent(SCRIPT)}`,
                     `/innovations?commune=${encodeURIComponent(IMG)}`,
                     `/innovations?page=${encodeURIComponent(SCRIPT)}`,
                     `/login?next=${encodeURIComponent(JS)}`,
                     `/login?next=${encodeURIComponent('/"><script>alert(1)</script>')}`]) {
        const r = await request(srv.base, p);
        assert.equal(r.status, 200, p);
        assertSafeHtml(r.text, p);
    }
});

test('the 422 form and the 409 conflict page are safe', async () => {
    const bad = payloadEntry('invalid');
    bad.website = 'ftp://x';
    const r = await alice.post('/innovations/new', { ...formFields(bad), comment: LINE });
    assert.equal(r.status, 422);
    assertSafeHtml(r.text, '422 form');
    assertEscapedShown(r.text, '422 form');
    const unknownTheme = await alice.post('/innovations/new',
                                          formFields({ ...payloadEntry('t'), themes: [SCRIPT] }));
    assert.equal(unknownTheme.status, 422);
    assertSafeHtml(unknownTheme.text, '422 unknown theme');

    // Bruno edits from revision 1 while the form entry is at revision 2 → conflict page.
    const c = await bruno.post(`/innovations/${slugs.form}/edit`,
                               { ...formFields(payloadEntry('conflict')), base_revision: '1', comment: LINE });
    assert.equal(c.status, 409);
    assertSafeHtml(c.text, '409 conflict');
    assertEscapedShown(c.text, '409 conflict');
});

test('error pages and the login form do not reflect payloads as markup', async () => {
    const { res } = await login(srv.base, SCRIPT + IMG, 'wrong-password');
    assert.equal(res.status, 401);
    assertSafeHtml(res.text, 'login error');
    assert.ok(res.text.includes(ESCAPED_SCRIPT) || !res.text.includes('alert(1)'), 'email escaped or dropped');
    const nf = await request(srv.base, `/innovations/${encodeURIComponent(SCRIPT)}`);
    assert.equal(nf.status, 404);
    assertSafeHtml(nf.text, '404');
    const hist = await alice.get(`/innovations/${slugs.form}/history`);
    assert.equal(unmaskCsrf(getCsrf(hist.text)), unmaskCsrf(alice.csrf),
        'history forms carry the session token');
    assertSafeHtml(hist.text, 'history (logged in)');
});

test('API JSON returns the payloads as data, exactly, with a JSON content type', async () => {
    for (const [which, e] of [['api', sent.api2], ['form', { ...sent.form, summary: `${sent.form.summary} v2` }]]) {
        const r = await apiJson(srv.base, `/api/v1/entries/${slugs[which]}`);
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /^application\/json/);
        assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
        assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
        for (const f of [...ONE_LINE_FIELDS, ...MARKDOWN_FIELDS])
            assert.equal(r.json[f], e[f].trim(), `${which}.${f} round-trips`);
        assert.equal(r.json.website, e.website);
        const revs = await apiJson(srv.base, `/api/v1/entries/${slugs[which]}/revisions`);
        assert.match(revs.headers.get('content-type'), /^application\/json/);
        assert.equal(revs.json.revisions.find((x) => x.revision === 1).comment, LINE);
    }
    const list = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    assert.match(list.headers.get('content-type'), /^application\/json/);
    assert.ok(list.json.entries.some((x) => x.title.includes(SCRIPT)));
});

test('the scanner itself catches what it must', () => {
    // Guard against a scanner that silently passes everything.
    const bad = [
        '<p><script>alert(1)</script></p>',
        '<p><img src=x onerror=alert(1)></p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href=" JaVa\tScRiPt:alert(1)">x</a>',
        "<a href='vbscript:x'>x</a>",
        '<input value="" onfocus="alert(1)">',
        '<svg onload=alert(1)>',
        '<textarea></textarea><script>alert(1)</script>',
    ];
    for (const h of bad)
        assert.throws(() => assertSafeHtml(`<!doctype html><html><body>${h}</body></html>`, 'probe'), h);
    assertSafeHtml('<p>&lt;script&gt;alert(1)&lt;/script&gt; <input value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"></p>'
        + '<a href="https://x.test/?q=javascript:alert(1)">javascript:alert(1)</a>', 'escaped probe');
});
