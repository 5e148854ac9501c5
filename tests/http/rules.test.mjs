// rules.test.mjs — rules added after review: licences change only by moderators, reserved slugs,
// a form posted to a renamed record reaches it (conflict page, text kept), cached diffs,
// a null edit writes nothing, bidi controls refused, revert needs its base revision.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, startServer, apiJson, loginOk, sampleInnovation, formFields, textareaValue, inputValue }
    from './harness.mjs';

let srv;

before(async () => {
    // A public base URL of its own, as behind a reverse proxy (the proxy test below).
    srv = await startServer({ baseUrl: 'http://127.0.0.1:8080' });
});

after(async () => {
    await srv?.stop();
});

async function create(extra) {
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token, body: { kind: 'innovation', ...sampleInnovation(extra) },
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
}

test('a contributor cannot change the licence of an existing record; nothing is written', async () => {
    const e = await create({ title: 'Licence test contributeur' });
    const r = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: srv.users.b.token, body: { base_revision: e.revision, license: 'CC0-1.0' },
    });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.json.errors.map((x) => x.field), ['license']);
    const after = await apiJson(srv.base, `/api/v1/entries/${e.slug}`);
    assert.equal(after.json.license, 'CC-BY-SA-4.0');
    assert.equal(after.json.revision, e.revision);
});

test('a moderator (the demo admin) can change the licence through the form', async () => {
    const e = await create({ title: 'Licence test moderateur' });
    const admin = await loginOk(srv.base, srv.admin.email, srv.admin.password);
    const r = await admin.post(`/innovations/${e.slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Licence test moderateur' })),
        license: 'CC-BY-4.0', base_revision: e.revision, comment: 'licence',
    });
    assert.equal(r.status, 303, r.text.slice(0, 400));
    const after = await apiJson(srv.base, `/api/v1/entries/${e.slug}`);
    assert.equal(after.json.license, 'CC-BY-4.0');
});

test('a record titled "New" gets a slug that does not collide with /innovations/new', async () => {
    const e = await create({ title: 'New' });
    assert.notEqual(e.slug, 'new');
    const page = await fetch(`${srv.base}/innovations/${e.slug}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<h1>New<\/h1>/);
});

test('a form posted to a renamed record reaches it: 409 conflict page with the text kept', async () => {
    const e = await create({ title: 'Avant renommage' });
    const alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const ren = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: srv.users.b.token, body: { base_revision: 1, title: 'Après renommage' },
    });
    assert.equal(ren.status, 200);
    assert.notEqual(ren.json.slug, e.slug);
    const mine = 'Mon texte à moi, écrit pendant le renommage.';
    const r = await alice.post(`/innovations/${e.slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Avant renommage', description: mine })),
        base_revision: 1, comment: 'ma modification',
    });
    assert.equal(r.status, 409);
    assert.match(r.text, /Quelqu&#39;un a modifié cette fiche|Quelqu'un a modifié cette fiche/);
    assert.equal(textareaValue(r.text, 'description'), mine);
    assert.equal(inputValue(r.text, 'base_revision'), '2');
    // The conflict view lists only fields that really differ (the title), not formatting.
    assert.doesNotMatch(r.text, /<h3>Commune<\/h3>/);
    assert.doesNotMatch(r.text, /<h3>Licence<\/h3>/);
    assert.match(r.text, /<h3>Titre<\/h3>/);
});

test('a save that changes nothing adds no revision', async () => {
    const e = await create({ title: 'Sauvegarde sans changement' });
    const r = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: srv.users.a.token, body: { base_revision: 1 },
    });
    assert.equal(r.status, 200);
    assert.equal(r.json.revision, 1);
    const revs = await apiJson(srv.base, `/api/v1/entries/${e.slug}/revisions`);
    assert.equal(revs.json.revisions.length, 1);
});

test('bidi override characters are refused in one-line fields', async () => {
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { kind: 'innovation', ...sampleInnovation({ title: 'abc\u202Edcba' }) },
    });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.errors.map((x) => x.field), ['title']);
});

test('an anonymous diff is served from the cache (same ETag), and changes after a write', async () => {
    const e = await create({ title: 'Diff en cache' });
    const up = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: srv.users.a.token, body: { base_revision: 1, summary: 'Un autre résumé.' },
    });
    assert.equal(up.status, 200);
    const url = `${srv.base}/innovations/${e.slug}/diff?from=1&to=2`;
    // An anonymous visitor past the gate (robots.test.mjs) shares the cached diff.
    const human = { headers: { cookie: await srv.human() } };
    const a = await fetch(url, human);
    assert.equal(a.status, 200);
    assert.match(await a.text(), /<ins>/);
    // Changed behind the server's back (no write through foison): a cached page cannot see it.
    const hidden = 'Alice Renommée En Douce';
    const sql = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db,
        `UPDATE users SET name = '${hidden}' WHERE email = '${srv.users.a.email}';`], { encoding: 'utf8' });
    assert.equal(sql.status, 0, sql.stderr);
    const b = await fetch(url, human);
    assert.equal(b.headers.get('etag'), a.headers.get('etag'), 'served from the cache');
    assert.doesNotMatch(await b.text(), new RegExp(hidden), 'served from the cache');
    // Any write through foison invalidates it: the next visitor gets a fresh rendering.
    const w = await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: srv.users.b.token, body: { base_revision: 2, summary: 'Troisième résumé.' },
    });
    assert.equal(w.status, 200);
    const c = await fetch(url, human);
    assert.notEqual(c.headers.get('etag'), a.headers.get('etag'), 'changed after the write');
    assert.match(await c.text(), new RegExp(hidden), 'rendered again after the write');
    // Put the name back for the other tests.
    spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `UPDATE users SET name = '${srv.users.a.name}' WHERE email = '${srv.users.a.email}';`]);
});

test('revert without base_revision is refused and writes nothing', async () => {
    const e = await create({ title: 'Retour sans base' });
    await apiJson(srv.base, `/api/v1/entries/${e.slug}`, {
        method: 'PUT', token: srv.users.a.token, body: { base_revision: 1, summary: 'Deuxième version.' },
    });
    const alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const r = await alice.post(`/innovations/${e.slug}/revert`, { rev: 1 });
    assert.equal(r.status, 400);
    const revs = await apiJson(srv.base, `/api/v1/entries/${e.slug}/revisions`);
    assert.equal(revs.json.revisions.length, 2);
});

test('after an action the next page says what happened, once', async () => {
    const alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const r = await alice.post('/innovations/new', {
        ...formFields(sampleInnovation({ title: 'Message de confirmation' })), comment: 'création',
    });
    assert.equal(r.status, 303);
    const page = await alice.get(r.headers.get('location'));
    assert.equal(page.status, 200);
    assert.match(page.text, /class="flash" role="status"[^>]*>La fiche a été créée/);
    const again = await alice.get(r.headers.get('location'));
    assert.doesNotMatch(again.text, /class="flash"/);
});

test('theme and commune filters combine; a page past the end is 404', async () => {
    const all = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    const pages = [];
    for (let p = 1; p <= all.json.pages; p++)
        pages.push(...(await apiJson(srv.base, `/api/v1/entries?kind=innovation&page=${p}`)).json.entries);
    const expected = pages.filter((e) => e.themes.includes('numerique') && e.commune === '29019').length;
    const onlyTheme = pages.filter((e) => e.themes.includes('numerique')).length;
    assert.ok(expected > 0 && expected < onlyTheme, 'the demo makes the test meaningful');
    const r = await fetch(`${srv.base}/innovations?theme=numerique&commune=29019`);
    const html = await r.text();
    assert.equal(r.status, 200);
    assert.match(html, new RegExp(`${expected} fiches?\\b`));
    assert.match(html, /<h1>Les innovations — Numérique, Brest<\/h1>/);
    const beyond = await fetch(`${srv.base}/innovations?page=99`);
    assert.equal(beyond.status, 404);
});

test('a revoked API token is refused at once', async () => {
    const email = srv.users.b.email;
    const before = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.b.token, body: { kind: 'innovation', ...sampleInnovation({ title: 'Avant révocation' }) },
    });
    assert.equal(before.status, 201);
    const r = spawnSync(BIN, ['token', 'revoke', srv.db, '--email', email], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const after = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.b.token, body: { kind: 'innovation', ...sampleInnovation({ title: 'Après révocation' }) },
    });
    assert.equal(after.status, 401);
});

test('a form posted through a reverse proxy (Origin = the base URL) is accepted; others are not', async () => {
    const alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const e = await create({ title: 'Derrière un proxy' });
    const fields = { ...formFields(sampleInnovation({ title: 'Derrière un proxy', summary: 'Par le proxy.' })),
        base_revision: e.revision };
    // The site's base URL is http://127.0.0.1:8080, not this server's address.
    const ok = await alice.post(`/innovations/${e.slug}/edit`, fields, { headers: { origin: 'http://127.0.0.1:8080' } });
    assert.equal(ok.status, 303);
    const bad = await alice.post(`/innovations/${e.slug}/edit`, { ...fields, base_revision: e.revision + 1 },
        { headers: { origin: 'https://evil.example' } });
    assert.equal(bad.status, 403);
});
