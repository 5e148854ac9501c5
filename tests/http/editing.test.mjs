// editing.test.mjs — logging in and out, creating and editing through the forms, slugs that move,
// history, diff, revert, edit conflicts, CSRF protections, login-required pages.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    startServer, request, login, loginOk, Client, getCsrf, inputValue, textareaValue, postForm,
    apiJson, apiTotal, sampleInnovation, formFields, decodeEntities,
    unmaskCsrf,
} from './harness.mjs';

let srv, alice, bruno;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
});

after(async () => {
    await srv?.stop();
});

async function revisions(slug) {
    const r = await apiJson(srv.base, `/api/v1/entries/${slug}/revisions`);
    assert.equal(r.status, 200, `revisions of ${slug}`);
    return r.json.revisions;
}

async function entry(slug) {
    const r = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(r.status, 200, `entry ${slug}`);
    return r.json;
}

/* Loads the edit form of slug for client: { html, base, csrf }. */
async function editForm(client, slug) {
    const r = await client.get(`/innovations/${slug}/edit`);
    assert.equal(r.status, 200, `GET edit of ${slug}`);
    return { html: r.text, base: inputValue(r.text, 'base_revision'), csrf: getCsrf(r.text) };
}

function slugOf(location) {
    const m = /^\/innovations\/([a-z0-9-]+)$/.exec(location);
    assert.ok(m, `Location ${location}`);
    return m[1];
}

test('wrong password → 401 page with the error, email kept, no session', async () => {
    const { client, res } = await login(srv.base, srv.users.a.email, 'not-the-password');
    assert.equal(res.status, 401);
    assert.match(res.text, /<p class="error" role="alert">Adresse e-mail ou mot de passe incorrect\.<\/p>/);
    assert.equal(inputValue(res.text, 'email'), srv.users.a.email);
    assert.equal(client.jar.get('foison_session'), undefined);
    assert.ok(getCsrf(res.text), 'the form can be submitted again');
    const unknown = await login(srv.base, 'personne@nulle.part', 'whatever-password');
    assert.equal(unknown.res.status, 401);
});

test('login follows a local next only', async () => {
    const page = new Client(srv.base);
    const form = await page.get('/login?next=/innovations/new');
    const csrf = getCsrf(form.text);
    assert.equal(inputValue(form.text, 'next'), '/innovations/new');
    const r = await page.post('/login', { email: srv.users.b.email, password: srv.users.b.password,
                                          next: '/innovations/new', csrf });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/innovations/new');
    const evil = new Client(srv.base);
    const f2 = await evil.get('/login');
    const r2 = await evil.post('/login', { email: srv.users.b.email, password: srv.users.b.password,
                                           next: '//evil.example/', csrf: getCsrf(f2.text) });
    assert.equal(r2.status, 303);
    assert.equal(r2.headers.get('location'), '/');
});

test('anonymous login POST needs the double-submit cookie', async () => {
    const c = new Client(srv.base);
    const form = await c.get('/login');
    const csrf = getCsrf(form.text);
    // The right value but without the foison_csrf cookie.
    const r = await postForm(srv.base, '/login', { email: srv.users.a.email,
                                                   password: srv.users.a.password, csrf });
    assert.equal(r.status, 403);
    assert.equal(r.headers.getSetCookie().filter((s) => s.startsWith('foison_session=')).length, 0);
    // The cookie but another value in the form.
    const r2 = await c.post('/login', { email: srv.users.a.email, password: srv.users.a.password,
                                        csrf: 'f'.repeat(csrf.length) });
    assert.equal(r2.status, 403);
    assert.equal(c.jar.get('foison_session'), undefined);
});

test('anonymous GET /innovations/new → 303 to /login', async () => {
    const r = await request(srv.base, '/innovations/new');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login?next=/innovations/new');
    const total = await apiTotal(srv.base);
    const p = await postForm(srv.base, '/innovations/new', formFields(sampleInnovation()));
    assert.equal(p.status, 303);
    assert.match(p.headers.get('location'), /^\/login/);
    assert.equal(await apiTotal(srv.base), total);
});

test('create, rename (301 from the old slug), history, diff, revert', async () => {
    const before = await apiTotal(srv.base);
    const newForm = await alice.get('/innovations/new');
    assert.equal(newForm.status, 200);
    assert.match(newForm.headers.get('cache-control'), /no-store/);
    const csrf = getCsrf(newForm.text);
    assert.equal(unmaskCsrf(csrf), unmaskCsrf(alice.csrf));
    const v1 = sampleInnovation({
        title: 'Atelier vélo du samedi',
        point: { lat: '48.4072', lon: '-4.7957' },
        website: 'https://velo.example.org/',
        start_year: '2019',
        holders: 'Association Roue Libre',
    });
    const created = await alice.post('/innovations/new', { ...formFields(v1), comment: 'Première version', csrf });
    assert.equal(created.status, 303, created.text.slice(0, 500));
    const slug1 = slugOf(created.headers.get('location'));
    assert.equal(await apiTotal(srv.base), before + 1);

    const page = await request(srv.base, `/innovations/${slug1}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Atelier vélo du samedi<\/h1>/);
    assert.match(page.text, /Chaque samedi matin/);
    assert.match(page.text, /Alice Testeuse/);
    assert.match(page.text, /Plouarzel/);
    // The list and the home page show it too.
    const list = await request(srv.base, '/innovations');
    assert.match(list.text, new RegExp(`href="/innovations/${slug1}"`));

    // Edit: new title (→ new slug) and one changed word in the description.
    const form = await editForm(alice, slug1);
    assert.equal(form.base, '1');
    assert.equal(inputValue(form.html, 'title'), 'Atelier vélo du samedi');
    assert.equal(textareaValue(form.html, 'description'), v1.description);
    assert.equal(inputValue(form.html, 'point.lat'), '48.4072');
    const v2 = { ...v1, title: 'Atelier vélo solidaire du samedi',
                 description: v1.description.replace('Chaque samedi matin', 'Chaque dimanche matin') };
    const upd = await alice.post(`/innovations/${slug1}/edit`,
                                 { ...formFields(v2), base_revision: form.base, comment: 'Titre plus précis' });
    assert.equal(upd.status, 303, upd.text.slice(0, 500));
    const slug2 = slugOf(upd.headers.get('location'));
    assert.notEqual(slug2, slug1);
    const moved = await request(srv.base, `/innovations/${slug1}`);
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.get('location'), `/innovations/${slug2}`);
    const movedHist = await request(srv.base, `/innovations/${slug1}/history`, { cookies: await srv.human() });
    assert.equal(movedHist.status, 301);
    assert.equal(movedHist.headers.get('location'), `/innovations/${slug2}/history`);
    const now = await request(srv.base, `/innovations/${slug2}`);
    assert.equal(now.status, 200);
    assert.match(now.text, /<h1>Atelier vélo solidaire du samedi<\/h1>/);
    assert.equal((await entry(slug2)).revision, 2);

    // History: both revisions, author and comment.
    const hist = await request(srv.base, `/innovations/${slug2}/history`, { cookies: await srv.human() });
    assert.equal(hist.status, 200);
    assert.match(hist.text, /2 révisions/);
    const rows = [...hist.text.matchAll(/<tr[^>]*>\s*<td><input type="radio" name="from" value="(\d+)"[\s\S]*?<\/tr>/g)];
    assert.deepEqual(rows.map((m) => m[1]), ['2', '1']);
    assert.match(rows[0][0], /<td>Alice Testeuse<\/td>/);
    assert.match(rows[0][0], /<td>Titre plus précis<\/td>/);
    assert.match(rows[1][0], /<td>Première version<\/td>/);

    // Diff: the changed words.
    const diff = await request(srv.base, `/innovations/${slug2}/diff?from=1&to=2`, { cookies: await srv.human() });
    assert.equal(diff.status, 200);
    assert.match(diff.text, /<ins>[^<]*solidaire[^<]*<\/ins>/);
    assert.match(diff.text, /<del>[^<]*samedi[^<]*<\/del>/);
    assert.match(diff.text, /<ins>[^<]*dimanche[^<]*<\/ins>/);
    assert.doesNotMatch(diff.text, /<(ins|del)>[^<]*Plouarzel/);
    const bad = await request(srv.base, `/innovations/${slug2}/diff?from=1&to=99`, { cookies: await srv.human() });
    assert.equal(bad.status, 404);

    // Revert to revision 1 → revision 3, title back.
    const h = await alice.get(`/innovations/${slug2}/history`);
    const revertForm = /<form method="post" action="\/innovations\/[a-z0-9-]+\/revert"[^>]*>([\s\S]*?)<\/form>/g;
    const revertRevs = [...h.text.matchAll(revertForm)].map((m) => inputValue(m[1], 'rev'));
    assert.deepEqual(revertRevs, ['1'], 'a revert form for revision 1 only');
    const rv = await alice.post(`/innovations/${slug2}/revert`, { rev: '1', base_revision: '2' });
    assert.equal(rv.status, 303, rv.text.slice(0, 300));
    const slug3 = slugOf(rv.headers.get('location'));
    const e3 = await entry(slug3);
    assert.equal(e3.revision, 3);
    assert.equal(e3.title, 'Atelier vélo du samedi');
    assert.equal(e3.description, v1.description);
    const revs = await revisions(slug3);
    assert.equal(revs.length, 3);
    const r3 = revs.find((r) => r.revision === 3);
    assert.equal(r3.comment, 'Retour à la révision 1');
    assert.equal(r3.author, 'Alice Testeuse');
    const hist3 = await request(srv.base, `/innovations/${slug3}/history`, { cookies: await srv.human() });
    assert.match(hist3.text, /<td>Retour à la révision 1<\/td>/);
    // Every slug it ever had leads to it.
    for (const s of [slug1, slug2]) {
        if (s === slug3)
            continue;
        const r = await request(srv.base, `/innovations/${s}`);
        assert.equal(r.status, 301, s);
        assert.equal(r.headers.get('location'), `/innovations/${slug3}`, s);
    }
    const final = await request(srv.base, `/innovations/${slug3}`);
    assert.equal(final.status, 200);
    assert.match(final.text, /<h1>Atelier vélo du samedi<\/h1>/);
    // An old revision is still readable.
    const old = await request(srv.base, `/innovations/${slug3}?rev=2`);
    assert.equal(old.status, 200);
    assert.match(old.text, /Atelier vélo solidaire du samedi/);
    assert.match(old.text, /n'est pas la version actuelle/);
});

test('edit conflict: 409, the second text kept, nothing overwritten', async () => {
    const created = await alice.post('/innovations/new',
                                     formFields(sampleInnovation({ title: 'Grainothèque de quartier' })));
    assert.equal(created.status, 303);
    const slug = slugOf(created.headers.get('location'));
    const formA = await editForm(alice, slug);
    const formB = await editForm(bruno, slug);
    assert.equal(formA.base, formB.base);
    const revsBefore = (await revisions(slug)).length;

    const textA = 'Version de Alice : les graines sont rangées par saison.';
    const textB = 'Version de Bruno : les graines sont rangées par famille.';
    const base = sampleInnovation({ title: 'Grainothèque de quartier' });
    const a = await alice.post(`/innovations/${slug}/edit`,
                               { ...formFields({ ...base, description: textA }), base_revision: formA.base,
                                 comment: 'par Alice', csrf: formA.csrf });
    assert.equal(a.status, 303);
    const b = await bruno.post(`/innovations/${slug}/edit`,
                               { ...formFields({ ...base, description: textB }), base_revision: formB.base,
                                 comment: 'par Bruno', csrf: formB.csrf });
    assert.equal(b.status, 409);
    assert.match(b.headers.get('content-type'), /^text\/html/);
    assert.match(b.text, /Quelqu(?:'|&#39;|&#x27;)un a modifié cette fiche/);
    assert.equal(textareaValue(b.text, 'description'), textB, "Bruno's text stays in the form");
    assert.equal(inputValue(b.text, 'comment'), 'par Bruno');
    assert.ok(decodeEntities(b.text).includes(textA), "Alice's version is shown");
    assert.match(b.text, /Alice Testeuse/);
    assert.equal(inputValue(b.text, 'base_revision'), String(Number(formA.base) + 1),
                 'the form now builds on the latest revision');
    const e = await entry(slug);
    assert.equal(e.description, textA);
    assert.equal((await revisions(slug)).length, revsBefore + 1);

    // Saving again from the conflict page (now based on the latest) works.
    const again = await bruno.post(`/innovations/${slug}/edit`,
                                   { ...formFields({ ...base, description: textB }),
                                     base_revision: inputValue(b.text, 'base_revision'),
                                     comment: 'par Bruno', csrf: getCsrf(b.text) });
    assert.equal(again.status, 303);
    assert.equal((await entry(slug)).description, textB);
    assert.equal((await revisions(slug)).length, revsBefore + 2);
});

test('CSRF: missing, wrong or foreign-origin posts → 403, nothing written', async () => {
    const created = await alice.post('/innovations/new',
                                     formFields(sampleInnovation({ title: 'Café réparation' })));
    assert.equal(created.status, 303);
    const slug = slugOf(created.headers.get('location'));
    const total = await apiTotal(srv.base);
    const revs = (await revisions(slug)).length;
    const fields = formFields(sampleInnovation({ title: 'Piratée' }));
    const wrong = alice.csrf.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const attempts = [
        ['new, no csrf', '/innovations/new', fields, {}],
        ['new, wrong csrf', '/innovations/new', { ...fields, csrf: wrong }, {}],
        ['new, empty csrf', '/innovations/new', { ...fields, csrf: '' }, {}],
        ['new, foreign Origin', '/innovations/new', { ...fields, csrf: alice.csrf },
         { origin: 'http://evil.example' }],
        ['new, Origin null', '/innovations/new', { ...fields, csrf: alice.csrf }, { origin: 'null' }],
        ['edit, no csrf', `/innovations/${slug}/edit`, { ...fields, base_revision: '1' }, {}],
        ['edit, wrong csrf', `/innovations/${slug}/edit`, { ...fields, base_revision: '1', csrf: wrong }, {}],
        ['edit, foreign Origin', `/innovations/${slug}/edit`,
         { ...fields, base_revision: '1', csrf: alice.csrf }, { origin: 'https://evil.example' }],
        ['edit, same host other port', `/innovations/${slug}/edit`,
         { ...fields, base_revision: '1', csrf: alice.csrf }, { origin: `http://127.0.0.1:${srv.port + 1}` }],
        ['revert, no csrf', `/innovations/${slug}/revert`, { rev: '1', base_revision: '1' }, {}],
        ['logout, no csrf', '/logout', {}, {}],
    ];
    for (const [what, path, f, headers] of attempts) {
        const r = await postForm(srv.base, path, f, { cookies: alice.jar, headers });
        assert.equal(r.status, 403, what);
        assert.match(r.text, /Action refusée/, what);
    }
    assert.equal(await apiTotal(srv.base), total);
    assert.equal((await revisions(slug)).length, revs);
    assert.equal((await entry(slug)).title, 'Café réparation');
    // The session survived the refused logout, and a same-origin Origin is accepted.
    const ok = await postForm(srv.base, `/innovations/${slug}/edit`,
                              { ...fields, base_revision: '1', csrf: alice.csrf },
                              { cookies: alice.jar, headers: { origin: srv.base } });
    assert.equal(ok.status, 303);
});

test('logout invalidates the session', async () => {
    const c = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
    const stolen = c.jar.clone();
    const before = await c.get('/innovations/new');
    assert.equal(before.status, 200);
    const out = await c.post('/logout', {});
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/');
    const cleared = out.headers.getSetCookie().find((s) => s.startsWith('foison_session='));
    assert.ok(cleared, 'logout clears the cookie');
    assert.match(cleared, /^foison_session=;|Max-Age=0/);
    assert.equal(c.jar.get('foison_session'), undefined);
    const after1 = await c.get('/innovations/new');
    assert.equal(after1.status, 303);
    assert.match(after1.headers.get('location'), /^\/login\?next=/);
    // The old cookie itself no longer works: the session is gone on the server.
    const replay = await request(srv.base, '/innovations/new', { cookies: stolen });
    assert.equal(replay.status, 303);
    assert.match(replay.headers.get('location'), /^\/login/);
    // Other sessions of other users are untouched.
    assert.equal((await bruno.get('/innovations/new')).status, 200);
});

test('session cookies are HttpOnly, SameSite=Lax, Path=/', async () => {
    const c = new Client(srv.base);
    const form = await c.get('/login');
    const anon = form.headers.getSetCookie().find((s) => s.startsWith('foison_csrf='));
    assert.ok(anon, 'login page sets foison_csrf');
    assert.match(anon, /HttpOnly/i);
    assert.match(anon, /SameSite=Lax/i);
    assert.match(anon, /Path=\//);
    assert.match(form.headers.get('cache-control'), /no-store/, 'a page with a csrf token is not stored');
    const r = await c.post('/login', { email: srv.users.a.email, password: srv.users.a.password,
                                       csrf: getCsrf(form.text) });
    assert.equal(r.status, 303);
    const sess = r.headers.getSetCookie().find((s) => s.startsWith('foison_session='));
    assert.ok(sess);
    assert.match(sess, /HttpOnly/i);
    assert.match(sess, /SameSite=Lax/i);
    assert.match(sess, /Path=\//);
    assert.match(sess, /Max-Age=\d+/);
    assert.ok(c.jar.get('foison_session').length >= 32, 'a long random session token');
});

test('pages of a logged-in visitor are never publicly cacheable', async () => {
    const list = await request(srv.base, '/innovations');
    const rec = /<li class="card">\s*<h3><a href="([^"]*)"/.exec(list.text)[1];
    for (const p of ['/', '/innovations', rec, `${rec}/history`, `${rec}/edit`, '/innovations/new', '/nope']) {
        const r = await alice.get(p);
        assert.ok([200, 404].includes(r.status), `${p} → ${r.status}`);
        const cc = r.headers.get('cache-control') ?? '';
        assert.ok(/private|no-store/.test(cc), `${p}: Cache-Control ${cc}`);
        assert.doesNotMatch(cc, /public/, p);
        if (r.text.includes(alice.csrf))
            assert.ok(/no-store|private/.test(cc), `${p} holds the csrf token`);
        assert.match(r.text, /Alice Testeuse/, `${p} is the logged-in version`);
    }
    // The anonymous version of the same page does not carry the user's name or token.
    const anon = await request(srv.base, rec);
    assert.doesNotMatch(anon.text, /Alice Testeuse<\/span>/);
    assert.ok(!anon.text.includes(alice.csrf));
});

test('anonymous cached pages follow edits (home counts, record, list)', async () => {
    const home1 = await request(srv.base, '/');
    const count1 = Number(/<strong>(\d+)<\/strong> innovations/.exec(home1.text)[1]);
    const created = await alice.post('/innovations/new',
                                     formFields(sampleInnovation({ title: 'Boîte à livres du port' })));
    assert.equal(created.status, 303);
    const slug = slugOf(created.headers.get('location'));
    const home2 = await request(srv.base, '/');
    assert.match(home2.text, new RegExp(`<strong>${count1 + 1}</strong> innovations`));
    assert.ok(home2.text.includes(`/innovations/${slug}`), 'home lists the new record');
    assert.notEqual(home2.headers.get('etag'), home1.headers.get('etag'));
    // An old ETag does not get a 304 any more.
    const cond = await request(srv.base, '/', { headers: { 'if-none-match': home1.headers.get('etag') } });
    assert.equal(cond.status, 200);
    const page1 = await request(srv.base, `/innovations/${slug}`);
    assert.equal(page1.status, 200);
    const form = await editForm(alice, slug);
    const upd = await alice.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Boîte à livres du port', summary: 'Résumé modifié après coup.' })),
        base_revision: form.base,
    });
    assert.equal(upd.status, 303);
    const page2 = await request(srv.base, `/innovations/${slug}`);
    assert.match(page2.text, /Résumé modifié après coup\./);
    assert.notEqual(page2.headers.get('etag'), page1.headers.get('etag'));
    const stale = await request(srv.base, `/innovations/${slug}`,
                                { headers: { 'if-none-match': page1.headers.get('etag') } });
    assert.equal(stale.status, 200);
});

test('revert from a stale history → back to the history, nothing written', async () => {
    const created = await alice.post('/innovations/new',
                                     formFields(sampleInnovation({ title: 'Marché de producteurs' })));
    const slug = slugOf(created.headers.get('location'));
    const f = await editForm(alice, slug);
    const u = await alice.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Marché de producteurs', summary: 'Deuxième version du résumé.' })),
        base_revision: f.base,
    });
    assert.equal(u.status, 303);
    // Bruno's history page was shown at revision 2; Alice saves revision 3 meanwhile.
    const f2 = await editForm(alice, slug);
    const u2 = await alice.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Marché de producteurs', summary: 'Troisième version du résumé.' })),
        base_revision: f2.base,
    });
    assert.equal(u2.status, 303);
    const rv = await bruno.post(`/innovations/${slug}/revert`, { rev: '1', base_revision: '2' });
    assert.equal(rv.status, 303);
    assert.equal(rv.headers.get('location'), `/innovations/${slug}/history`);
    assert.equal((await revisions(slug)).length, 3);
    assert.equal((await entry(slug)).summary, 'Troisième version du résumé.');
    const none = await bruno.post(`/innovations/${slug}/revert`, { rev: '9', base_revision: '3' });
    assert.equal(none.status, 404);
    assert.equal((await revisions(slug)).length, 3);
});

test('featuring needs a moderator', async () => {
    const list = await request(srv.base, '/innovations');
    const rec = /<li class="card">\s*<h3><a href="\/innovations\/([^"]*)"/.exec(list.text)[1];
    const refused = await alice.post(`/innovations/${rec}/feature`, { featured: '1' });
    assert.equal(refused.status, 403);
    const admin = await loginOk(srv.base, srv.admin.email, srv.admin.password);
    const page = await admin.get(`/innovations/${rec}`);
    assert.match(page.text, /action="\/innovations\/[a-z0-9-]+\/feature"/);
    const ok = await admin.post(`/innovations/${rec}/feature`, { featured: '1' });
    assert.equal(ok.status, 303);
    const shown = await request(srv.base, `/innovations/${rec}`);
    assert.match(shown.text, /<span class="badge">À la une<\/span>/);
    const home = await request(srv.base, '/');
    const une = /<h2>À la une<\/h2>([\s\S]*?)<\/section>/.exec(home.text)[1];
    assert.ok(une.includes(`/innovations/${rec}"`), 'home shows it under « À la une »');
});
