// reports.test.mjs — readers' reports ("signaler"): the form on a record and its page, the API,
// one open report per account and record, visitors asked to log in, bad input answered beside the
// field (422) with nothing written; report_hide distinct accounts hide a record from the public
// through every door (page, list, home counts, history, diff, API get/list/revisions, the page
// cache) while moderators still read it; "Garder la fiche" brings it back, "Retirer la fiche"
// keeps it hidden for good, both logged; the moderators' page and API answer moderators only;
// rate_reports per account and day → 429 with Retry-After; the limits are settings.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
    startServer, loginOk, apiJson, apiTotal, sampleInnovation, request, decodeEntities, postForm,
    getCsrf, textareaValue, BIN, rawRequest, encodeForm,
} from './harness.mjs';

let srv, alice, bruno, chloe, marc;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
    chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);

function sqlite(sql) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
}

function config(key, value) {
    const r = spawnSync(BIN, ['config', srv.db, key, value], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, `foison config ${key} ${value}: ${r.stderr}`);
}

/* A published record by Alice (trusted) with two revisions, so that a diff exists. */
async function published(title) {
    const r = await api('/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { kind: 'innovation', ...sampleInnovation({ title, summary: `${title} : le résumé.` }) },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'published');
    const put = await api(`/api/v1/entries/${r.json.slug}`, {
        method: 'PUT', token: srv.users.a.token,
        body: { base_revision: r.json.revision, summary: `${title} : le résumé, revu.` },
    });
    assert.equal(put.status, 200, put.text);
    return put.json.slug;
}

async function reportApi(user, slug, body) {
    return api(`/api/v1/entries/${slug}/reports`, { method: 'POST', token: user.token, body });
}

async function homeCount() {
    const r = await request(srv.base, '/');
    const m = decodeEntities(r.text).match(/<strong>(\d+)<\/strong>\s*innovations?/);
    assert.ok(m, 'the home page shows a count of innovations');
    return Number(m[1]);
}

/* Every slug of the public API list (all pages). */
async function listedSlugs() {
    const out = [];
    for (let page = 1; ; page++) {
        const r = await api(`/api/v1/entries?kind=innovation&page=${page}`);
        assert.equal(r.status, 200);
        out.push(...r.json.entries.map((e) => e.slug));
        if (page >= r.json.pages)
            return out;
    }
}

/* The record's id as the moderators' API gives it, or undefined when it has no open report. */
async function reportedEntry(slug) {
    const r = await api('/api/v1/moderation/reports', { token: srv.users.m.token });
    assert.equal(r.status, 200, r.text);
    return r.json.entries.find((e) => e.slug === slug);
}

/* What the public gets from every door of a record. */
async function publicDoors(slug) {
    const list = await request(srv.base, '/innovations');
    return {
        page: (await request(srv.base, `/innovations/${slug}`)).status,
        history: (await request(srv.base, `/innovations/${slug}/history`, { cookies: await srv.human() })).status,
        diff: (await request(srv.base, `/innovations/${slug}/diff?from=1&to=2`, { cookies: await srv.human() })).status,
        apiGet: (await api(`/api/v1/entries/${slug}`)).status,
        apiRevisions: (await api(`/api/v1/entries/${slug}/revisions`)).status,
        inList: list.text.includes(`/innovations/${slug}"`),
        inApiList: (await listedSlugs()).includes(slug),
    };
}

test('a visitor is asked to log in; the form and the API refuse anonymous reports', async () => {
    const slug = await published('Fiche pour les visiteurs');
    const page = await request(srv.base, `/innovations/${slug}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`<a href="/login\\?next=/innovations/${slug}/signaler">Connectez-vous pour signaler cette fiche</a>`));
    assert.doesNotMatch(page.text, /name="reason"/, 'no form for a visitor');
    const post = await postForm(srv.base, `/innovations/${slug}/signaler`, { reason: 'spam' });
    assert.equal(post.status, 303);
    assert.match(post.headers.get('location'), /^\/login\?next=/);
    const get = await request(srv.base, `/innovations/${slug}/signaler`);
    assert.equal(get.status, 303, 'the report page needs a login too');
    const r = await api(`/api/v1/entries/${slug}/reports`, { method: 'POST', body: { reason: 'spam' } });
    assert.equal(r.status, 401);
    assert.equal(sqlite(`SELECT count(*) FROM reports r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${slug}'`), '0');
});

test('a signed-in reader reports by the form once; a second report says it is already done', async () => {
    const slug = await published('Fiche signalée par le formulaire');
    const page = await bruno.get(`/innovations/${slug}`);
    assert.equal(page.status, 200);
    for (const code of ['spam', 'faux', 'injurieux', 'donnees-personnelles', 'autre'])
        assert.match(page.text, new RegExp(`<input type="radio" name="reason" value="${code}">`), code);
    assert.match(page.text, new RegExp(`<form method="post" action="/innovations/${slug}/signaler"`));
    // Without the CSRF token, or from another site: refused, nothing written.
    const noCsrf = await bruno.post(`/innovations/${slug}/signaler`, { reason: 'spam' }, { csrf: false });
    assert.equal(noCsrf.status, 403);
    const foreign = await bruno.post(`/innovations/${slug}/signaler`, { reason: 'spam' },
                                     { headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(sqlite(`SELECT count(*) FROM reports r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${slug}'`), '0');

    const ok = await bruno.post(`/innovations/${slug}/signaler`,
                                { reason: 'faux', comment: 'Les horaires\r\nsont faux.' });
    assert.equal(ok.status, 200, ok.text.slice(0, 500));
    assert.match(decodeEntities(ok.text), /Votre signalement est enregistré/);
    assert.equal(sqlite(`SELECT reason || '|' || comment || '|' || state FROM reports r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${slug}'`),
                 'faux|Les horaires\nsont faux.|open');
    const again = await bruno.post(`/innovations/${slug}/signaler`, { reason: 'spam' });
    assert.equal(again.status, 409);
    assert.match(decodeEntities(again.text), /Vous avez déjà signalé cette fiche/);
    const apiAgain = await reportApi(srv.users.b, slug, { reason: 'spam' });
    assert.equal(apiAgain.status, 409);
    assert.match(apiAgain.json.error.message, /déjà signalé/);
    assert.equal(sqlite(`SELECT count(*) FROM reports r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${slug}'`), '1');
    // One report does not hide a record.
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 200);
    // The page of the form alone (no JavaScript needed, the form open).
    const alone = await bruno.get(`/innovations/${slug}/signaler`);
    assert.equal(alone.status, 200);
    assert.match(alone.text, /<details class="report-details" open>/);
});

test('bad input: the reasons are a closed list, details are limited text; nothing is written', async () => {
    const slug = await published('Fiche aux signalements mal formés');
    const count = () => sqlite(`SELECT count(*) FROM reports r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${slug}'`);
    const unknown = await chloe.post(`/innovations/${slug}/signaler`, { reason: 'pub', comment: 'Mon texte gardé' });
    assert.equal(unknown.status, 422);
    assert.match(decodeEntities(unknown.text), /<p class="error" id="error-reason">Raison inconnue\u202f: choisissez-en une dans la liste<\/p>/);
    assert.equal(textareaValue(unknown.text, 'comment'), 'Mon texte gardé', 'the input is kept');
    const none = await chloe.post(`/innovations/${slug}/signaler`, { comment: 'x' });
    assert.equal(none.status, 422);
    assert.match(decodeEntities(none.text), /id="error-reason">Raison\u202f: choisissez-en une/);
    const long = await chloe.post(`/innovations/${slug}/signaler`, { reason: 'spam', comment: 'é'.repeat(1001) });
    assert.equal(long.status, 422);
    assert.match(decodeEntities(long.text), /id="error-comment">Précisions\u202f: 1000 caractères au plus \(vous en avez écrit 1001\)/);
    assert.equal(textareaValue(long.text, 'comment'), 'é'.repeat(1001));
    const other = await chloe.post(`/innovations/${slug}/signaler`, { reason: 'autre', comment: '  ' });
    assert.equal(other.status, 422);
    assert.match(decodeEntities(other.text), /id="error-comment">Précisions\u202f: dites en quelques mots/);
    const control = await chloe.post(`/innovations/${slug}/signaler`, { reason: 'spam', comment: 'a\u0007b' });
    assert.ok(control.status === 400 || control.status === 422, `control character: ${control.status}`);
    // Invalid UTF-8: refused by the request parser or the form, never stored.
    const body = encodeForm({ reason: 'spam', csrf: chloe.csrf }) + '&comment=%C3%28';
    const bad = await chloe.post(`/innovations/${slug}/signaler`, null, { raw: body });
    assert.ok(bad.status === 400 || bad.status === 422, `invalid UTF-8: ${bad.status}`);
    const raw = await rawRequest(srv.base, `/innovations/${slug}/signaler`, {
        method: 'POST',
        body: Buffer.concat([Buffer.from(encodeForm({ reason: 'spam', csrf: chloe.csrf }) + '&comment='),
                             Buffer.from([0xff, 0xfe])]),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: chloe.jar.header() },
    });
    assert.ok(raw.status === 400 || raw.status === 422, `raw bytes: ${raw.status}`);
    // The API: 422 with the field named.
    const cases = [
        [{ reason: 'pub' }, 'reason'],
        [{}, 'reason'],
        [{ reason: 42 }, 'reason'],
        [{ reason: 'spam', comment: 'x'.repeat(1001) }, 'comment'],
        [{ reason: 'spam', comment: ['liste'] }, 'comment'],
        [{ reason: 'autre' }, 'comment'],
        [{ reason: 'spam', extra: 1 }, 'extra'],
    ];
    for (const [b, field] of cases) {
        const r = await reportApi(srv.users.c, slug, b);
        assert.equal(r.status, 422, `${JSON.stringify(b)} → ${r.status} ${r.text}`);
        assert.ok(r.json.errors.some((e) => e.field === field), `${JSON.stringify(b)}: ${r.text}`);
    }
    const notJson = await reportApi(srv.users.c, slug, '{"reason": "spam"');
    assert.equal(notJson.status, 400);
    assert.match(notJson.json.error.message, /^JSON mal formé/);
    const nul = await reportApi(srv.users.c, slug, { reason: 'spam', comment: 'a\u0000b' });
    assert.equal(nul.status, 400, 'a NUL inside a string is malformed JSON for the server');
    assert.equal((await reportApi(srv.users.c, slug, [])).status, 400);
    const badUtf8 = await api(`/api/v1/entries/${slug}/reports`, {
        method: 'POST', token: srv.users.c.token,
        body: Buffer.concat([Buffer.from('{"reason":"spam","comment":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    });
    assert.equal(badUtf8.status, 400);
    assert.equal((await reportApi(srv.users.c, 'fiche-qui-n-existe-pas', { reason: 'spam' })).status, 404);
    assert.equal(count(), '0');
    const made = await reportApi(srv.users.c, slug, { reason: 'spam', comment: ' Une publicité. ' });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.json.report, { slug, reason: 'spam', comment: 'Une publicité.', state: 'open' });
    assert.equal(count(), '1');
});

test('three accounts hide a record from the public through every door; moderators still see it; keeping it brings it back', async () => {
    const slug = await published('Fiche signalée trois fois');
    // The public's views, cached before the reports.
    const before = await publicDoors(slug);
    assert.deepEqual(before, { page: 200, history: 200, diff: 200, apiGet: 200, apiRevisions: 200, inList: true, inApiList: true });
    const home = await homeCount();
    const total = await apiTotal(srv.base);

    assert.equal((await reportApi(srv.users.a, slug, { reason: 'spam', comment: 'Une réclame.' })).status, 201);
    assert.equal((await bruno.post(`/innovations/${slug}/signaler`, { reason: 'injurieux' })).status, 200);
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 200, 'two reports: still shown');
    const third = await chloe.post(`/innovations/${slug}/signaler`, { reason: 'autre', comment: 'Coordonnées privées.' });
    assert.equal(third.status, 200);
    assert.match(decodeEntities(third.text), /elle est masquée au public/);
    assert.doesNotMatch(third.text, new RegExp(`href="/innovations/${slug}"`), 'no link to a record the reader may no longer see');

    assert.deepEqual(await publicDoors(slug), { page: 404, history: 404, diff: 404, apiGet: 404, apiRevisions: 404, inList: false, inApiList: false });
    assert.equal(await homeCount(), home - 1, 'home counts');
    assert.equal(await apiTotal(srv.base), total - 1, 'API total');
    assert.equal((await alice.get(`/innovations/${slug}`)).status, 404, 'its author, not a moderator, does not see it');
    assert.equal((await api(`/api/v1/entries/${slug}`, { token: srv.users.a.token })).status, 404);
    assert.equal((await alice.get(`/innovations/${slug}/edit`)).status, 404, 'nor edit it');
    const put = await api(`/api/v1/entries/${slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: 2, summary: 'Autre chose.' } });
    assert.equal(put.status, 404);
    // Moderators read it, with a notice, and its history.
    const mod = await marc.get(`/innovations/${slug}`);
    assert.equal(mod.status, 200);
    assert.match(decodeEntities(mod.text), /Cette fiche est masquée au public\u202f: plusieurs comptes l'ont signalée/);
    assert.equal((await marc.get(`/innovations/${slug}/history`)).status, 200);
    assert.equal((await api(`/api/v1/entries/${slug}`, { token: srv.users.m.token })).status, 200);
    // The moderators' page: the record, its count, reasons, details and reporters.
    const list = await marc.get('/moderation/signalements');
    assert.equal(list.status, 200);
    const text = decodeEntities(list.text);
    let item = text.slice(text.indexOf(`<a href="/innovations/${slug}">`));
    item = item.slice(0, item.indexOf('</ul>'));
    assert.match(item, /^<a href="[^"]*">Fiche signalée trois fois<\/a><\/h2>\s*<p class="meta"><span>3 comptes l'ont signalée<\/span> <span class="badge">Masquée au public<\/span>/);
    for (const s of ['Spam ou publicité</strong>, par Alice Testeuse', 'Propos injurieux</strong>, par Bruno Testeur',
                     'Autre raison</strong>, par Chloé Nouvelle', '<blockquote>Une réclame.</blockquote>',
                     '<blockquote>Coordonnées privées.</blockquote>'])
        assert.ok(item.includes(s), s);
    assert.match((await marc.get('/moderation')).text, /<a href="\/moderation\/signalements">Signalements<\/a>/);
    const entry = await reportedEntry(slug);
    assert.equal(entry.count, 3);
    assert.equal(entry.hidden, true);
    assert.deepEqual(entry.reports.map((r) => r.reason), ['spam', 'injurieux', 'autre']);
    assert.deepEqual(entry.reports.map((r) => r.reporter), ['Alice Testeuse', 'Bruno Testeur', 'Chloé Nouvelle']);

    // The decision needs the CSRF token.
    assert.equal((await marc.post(`/moderation/signalements/${entry.entry_id}/garder`, {}, { csrf: false })).status, 403);
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 404);
    const keep = await marc.post(`/moderation/signalements/${entry.entry_id}/garder`, {});
    assert.equal(keep.status, 303);
    assert.equal(keep.headers.get('location'), '/moderation/signalements');
    assert.deepEqual(await publicDoors(slug), before);
    assert.equal(await homeCount(), home);
    assert.equal(await reportedEntry(slug), undefined, 'no longer listed');
    assert.equal(sqlite(`SELECT group_concat(state) FROM reports r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${slug}'`), 'dismissed,dismissed,dismissed');
    const again = await marc.post(`/moderation/signalements/${entry.entry_id}/garder`, {});
    assert.equal(again.status, 404, 'already decided');
    const log = decodeEntities((await marc.get('/moderation/log')).text);
    assert.match(log, new RegExp(`<td>Marc Modérateur</td><td>Signalements écartés\u202f: fiche gardée</td><td><a href="/innovations/${slug}\\?rev=2">${slug}, révision 2</a></td><td></td><td>3 signalements</td>`));
    assert.match(log, new RegExp(`<td>système</td><td>Fiche masquée après des signalements</td><td><a href="/innovations/${slug}\\?rev=2">${slug}, révision 2</a></td><td></td><td>signalée par 3 comptes</td>`));
    // A reader may report it again after a decision: a new open report.
    assert.equal((await reportApi(srv.users.a, slug, { reason: 'spam' })).status, 201);
});

test('withdrawing a record keeps it hidden from the public for good; moderators still read it', async () => {
    const slug = await published('Fiche retirée par la modération');
    for (const u of [srv.users.a, srv.users.b, srv.users.c])
        assert.equal((await reportApi(u, slug, { reason: 'spam' })).status, 201);
    const entry = await reportedEntry(slug);
    const out = await marc.post(`/moderation/signalements/${entry.entry_id}/retirer`, { reason: 'Publicité manifeste' });
    assert.equal(out.status, 303);
    assert.deepEqual(await publicDoors(slug), { page: 404, history: 404, diff: 404, apiGet: 404, apiRevisions: 404, inList: false, inApiList: false });
    assert.equal((await bruno.get(`/innovations/${slug}`)).status, 404);
    const mod = await marc.get(`/innovations/${slug}`);
    assert.equal(mod.status, 200);
    assert.match(decodeEntities(mod.text), /Cette fiche a été retirée par l'équipe de modération/);
    assert.equal(await reportedEntry(slug), undefined);
    assert.equal(sqlite(`SELECT hidden FROM entries WHERE slug = '${slug}'`), '2');
    assert.match(decodeEntities((await marc.get('/moderation/log')).text),
                 /<td>Marc Modérateur<\/td><td>Signalements retenus\u202f: fiche retirée<\/td><td><a [^>]*>[^<]*<\/a><\/td><td><\/td><td>Publicité manifeste<\/td>/);
    // Nobody else can report it (they cannot see it) or edit it.
    assert.equal((await reportApi(srv.users.b, slug, { reason: 'faux' })).status, 404);
    assert.equal((await api(`/api/v1/entries/${slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: 2, summary: 'Retour.' } })).status, 404);
});

test('the moderators\' page and API answer moderators only', async () => {
    const slug = await published('Fiche pour les non-modérateurs');
    assert.equal((await reportApi(srv.users.b, slug, { reason: 'spam' })).status, 201);
    const id = (await reportedEntry(slug)).entry_id;
    assert.equal((await request(srv.base, '/moderation/signalements')).status, 303, 'visitor → login');
    for (const c of [alice, chloe]) {
        assert.equal((await c.get('/moderation/signalements')).status, 403);
        assert.equal((await c.post(`/moderation/signalements/${id}/garder`, {})).status, 403);
        assert.equal((await c.post(`/moderation/signalements/${id}/retirer`, {})).status, 403);
    }
    assert.equal((await api('/api/v1/moderation/reports')).status, 401);
    assert.equal((await api('/api/v1/moderation/reports', { token: srv.users.a.token })).status, 403);
    assert.equal((await api('/api/v1/moderation/reports', { token: srv.users.c.token })).status, 403);
    assert.equal((await reportedEntry(slug)).count, 1, 'nothing decided');
    assert.equal((await marc.post('/moderation/signalements/999999/garder', {})).status, 404);
});

test('report_hide and rate_reports are settings: one report may hide, a reader has a daily budget', async () => {
    config('report_hide', '1');
    const slug = await published('Fiche masquée dès le premier signalement');
    assert.equal((await reportApi(srv.users.b, slug, { reason: 'spam' })).status, 201);
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 404);
    config('report_hide', '0');
    const never = await published('Fiche jamais masquée');
    for (const u of [srv.users.a, srv.users.b, srv.users.c, srv.users.m])
        assert.equal((await reportApi(u, never, { reason: 'spam' })).status, 201);
    assert.equal((await request(srv.base, `/innovations/${never}`)).status, 200, 'report_hide 0: never hidden');
    config('report_hide', '3');

    // Marc has filed one report today; with a budget of 3 he may file two more.
    assert.equal(sqlite(`SELECT count(*) FROM reports r JOIN users u ON u.id = r.reporter_id WHERE u.email = '${srv.users.m.email}'`), '1');
    config('rate_reports', '3');
    const targets = [];
    for (let i = 0; i < 3; i++)
        targets.push(await published(`Fiche du budget ${i}`));
    assert.equal((await reportApi(srv.users.m, targets[0], { reason: 'faux' })).status, 201);
    assert.equal((await marc.post(`/innovations/${targets[1]}/signaler`, { reason: 'faux' })).status, 200);
    const refused = await reportApi(srv.users.m, targets[2], { reason: 'faux' });
    assert.equal(refused.status, 429);
    const wait = Number(refused.headers.get('retry-after'));
    assert.ok(wait > 86000 && wait <= 86400, `Retry-After ${wait}`);
    const form = await marc.post(`/innovations/${targets[2]}/signaler`, { reason: 'faux', comment: 'Gardé' });
    assert.equal(form.status, 429);
    assert.ok(Number(form.headers.get('retry-after')) > 86000);
    assert.match(decodeEntities(form.text), /Vous avez envoyé beaucoup de signalements aujourd'hui\u202f: réessayez dans 24 heures/);
    assert.equal(textareaValue(form.text, 'comment'), 'Gardé');
    assert.equal(sqlite(`SELECT count(*) FROM reports r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${targets[2]}'`), '0');
    // Another account keeps its own budget: a new one, that has reported nothing yet.
    const email = 'dora.http@test.foison';
    const add = spawnSync(BIN, ['user', 'add', srv.db, '--email', email, '--name', 'Dora Lectrice',
                                '--role', 'contributor'], { input: 'dora-password-5\n', encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    const token = spawnSync(BIN, ['token', 'create', srv.db, '--email', email], { encoding: 'utf8' }).stdout.trim();
    assert.equal((await reportApi({ token }, targets[2], { reason: 'faux' })).status, 201);
    // A larger budget applies at once.
    config('rate_reports', '10');
    assert.equal((await reportApi(srv.users.m, targets[2], { reason: 'faux' })).status, 201);
});
