// workshop.test.mjs — public-writing workshops (web/workshop.c, core/workshop.c): a mediator
// (trusted or above) makes a batch of one-time sign-up links and gets its sheet once, whose QR
// codes really decode (rsvg-convert then zbarimg, Debian's) to as many distinct links as asked;
// contributors and visitors are refused; a link joins once (a second use, an expired or revoked
// link say so plainly); the participant's account remembers its mediator; their edit is held
// like any newcomer's, hidden from the public, and their mediator approves or rejects it through
// the moderation decision (logged under the mediator's name) — only their own participants'
// texts, never another mediator's or a plain contributor's; every POST checks its CSRF token.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    startServer, loginOk, request, Client, getCsrf, decodeEntities, inputValue, sampleInnovation,
    formFields, apiJson,
} from './harness.mjs';

let srv, alice, bruno, chloe, marc;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

function sqlite(sql) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
}

const userId = (email) => Number(sqlite(`SELECT id FROM users WHERE email = '${email}'`));

/* Every QR code of a page (inline <svg class="qr">), decoded by a real reader: each SVG is
 * rasterised by rsvg-convert and read by zbarimg. */
function decodeQrCodes(html) {
    const svgs = html.match(/<svg[^>]*class="qr"[\s\S]*?<\/svg>/g) || [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foison-qr-'));
    try {
        return svgs.map((svg, i) => {
            const file = path.join(dir, `${i}.svg`), png = path.join(dir, `${i}.png`);
            fs.writeFileSync(file, svg);
            const r = spawnSync('rsvg-convert', ['-w', '330', '-b', 'white', '-o', png, file], { encoding: 'utf8' });
            assert.equal(r.status, 0, `rsvg-convert: ${r.stderr}`);
            const z = spawnSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' });
            assert.equal(z.status, 0, `zbarimg could not read QR code ${i}: ${z.stderr}`);
            return z.stdout.trim();
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/* Makes a batch as client; returns { res, urls (decoded from the QR codes), id }. */
async function makeBatch(client, title, count, days = 30) {
    const res = await client.post('/atelier', { title, count, days });
    assert.equal(res.status, 200, res.text.slice(0, 800));
    const urls = decodeQrCodes(res.text);
    const id = Number(/href="\/atelier\/lots\/(\d+)"/.exec(res.text)?.[1]);
    assert.ok(id, 'the sheet links to its batch');
    return { res, urls, id };
}

const pathOf = (url) => { const u = new URL(url); return u.pathname + u.search; };
const tokenOf = (url) => new URL(url).searchParams.get('jeton');

/* Joins through link as a new visitor; returns { client, res }. */
async function join(link, fields) {
    const client = new Client(srv.base);
    const form = await client.get(pathOf(link));
    assert.equal(form.status, 200, form.text.slice(0, 500));
    const res = await client.post('/atelier/rejoindre', { jeton: tokenOf(link), ...fields, csrf: getCsrf(form.text) });
    return { client, res, form };
}

test('only mediators (trusted and above) reach /atelier; visitors are sent to log in', async () => {
    const anon = await request(srv.base, '/atelier');
    assert.ok([302, 303].includes(anon.status), `anonymous → login (got ${anon.status})`);
    assert.match(anon.headers.get('location'), /^\/login/);
    const c = await chloe.get('/atelier');
    assert.equal(c.status, 403);
    assert.match(decodeEntities(c.text), /médiateurs/);
    const post = await chloe.post('/atelier', { title: 'Atelier pirate', count: 3, days: 30 });
    assert.equal(post.status, 403);
    assert.equal(sqlite('SELECT count(*) FROM workshops'), '0', 'a contributor made nothing');
    assert.equal((await alice.get('/atelier')).status, 200);
    assert.equal((await marc.get('/atelier')).status, 200, 'moderators are mediators too');
    assert.match((await alice.get('/')).text, /href="\/atelier"/, 'the navigation offers it');
    assert.doesNotMatch((await chloe.get('/')).text, /href="\/atelier"/);
});

test('creating a batch: CSRF checked, bad input answered beside its field, the sheet shown once with N QR codes that decode to N distinct links', async () => {
    const title = 'Atelier d\'écriture publique — médiathèque de Lannilis, 12 décembre';
    // No token, a wrong one, a foreign origin: 403, nothing written.
    assert.equal((await alice.post('/atelier', { title, count: 3, days: 30 }, { csrf: false })).status, 403);
    assert.equal((await alice.post('/atelier', { title, count: 3, days: 30, csrf: 'f'.repeat(128) })).status, 403);
    assert.equal((await alice.post('/atelier', { title, count: 3, days: 30 }, { headers: { origin: 'https://evil.example' } })).status, 403);
    assert.equal(sqlite('SELECT count(*) FROM workshops'), '0');
    // Bad input: 422, the errors beside the fields, the title kept.
    const bad = await alice.post('/atelier', { title, count: 51, days: 0 });
    assert.equal(bad.status, 422);
    const text = decodeEntities(bad.text);
    assert.match(text, /id="error-count">Le nombre de liens va de 1 à 50\./);
    assert.match(text, /id="error-days">La durée de validité va de 1 à 90 jours\./);
    assert.equal(inputValue(bad.text, 'title'), title);
    const noTitle = await alice.post('/atelier', { title: '  ', count: 2, days: 30 });
    assert.equal(noTitle.status, 422);
    assert.match(noTitle.text, /id="error-title"/);
    assert.equal(sqlite('SELECT count(*) FROM workshops'), '0', 'a refused form wrote nothing');
    // The sheet.
    const { res, urls } = await makeBatch(alice, title, 4);
    assert.match(res.headers.get('cache-control'), /no-store/);
    assert.equal(urls.length, 4, 'four QR codes');
    assert.equal(new Set(urls).size, 4, 'four distinct links');
    for (const u of urls) {
        assert.match(u, new RegExp(`^${srv.base.replace(/[.]/g, '\\.')}/atelier/rejoindre\\?jeton=[a-z2-9]{26}$`));
        assert.ok(res.text.includes(`<p class="ws-url">${u}</p>`), 'each link is also printed in clear');
    }
    const page = decodeEntities(res.text);
    assert.equal((page.match(/<li class="ws-card">/g) || []).length, 4);
    assert.equal(page.split(`<p class="ws-card-title">${title}</p>`).length - 1, 4, 'the batch title on every card');
    assert.match(res.text, /<svg[^>]*role="img"[^>]*aria-label="Code QR du lien 1 sur 4"/);
    // Only hashes are kept: no token in the file.
    const dump = spawnSync('sqlite3', [srv.db, '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
    for (const u of urls)
        assert.ok(!dump.includes(tokenOf(u)), 'a token is never stored');
    assert.equal(sqlite('SELECT count(*) FROM workshop_links WHERE length(token_hash) = 32'), '4');
    // The list on /atelier names it; the batch page shows its links without tokens.
    const home = decodeEntities((await alice.get('/atelier')).text);
    assert.ok(home.includes(title));
    assert.match(home, /4 liens libres/);
});

test('a link joins once, without a mail confirmation; the account remembers its mediator; a second use, an expired or a revoked link are refused plainly', async () => {
    const { urls, id } = await makeBatch(alice, 'Atelier du mardi — Plouguerneau', 3);
    const [first, second, third] = urls;
    // The link's page shows the workshop; opening it changes nothing.
    const looked = await request(srv.base, pathOf(first));
    assert.equal(looked.status, 200);
    assert.match(decodeEntities(looked.text), /Atelier du mardi — Plouguerneau/);
    assert.match(decodeEntities(looked.text), new RegExp(srv.users.a.name));
    // CSRF on the join form.
    const anon = new Client(srv.base);
    await anon.get(pathOf(first));
    const noCsrf = await anon.post('/atelier/rejoindre', { jeton: tokenOf(first), name: 'Personne', email: 'x@exemple.org', password: 'une phrase assez longue' }, { csrf: false });
    assert.equal(noCsrf.status, 403);
    // A weak password: 422 beside the field, the link still free.
    const weak = await join(first, { name: 'Maëlle Kerjean', email: 'maelle.kerjean@exemple.org', password: 'court' });
    assert.equal(weak.res.status, 422);
    assert.match(weak.res.text, /id="error-password"/);
    assert.equal(inputValue(weak.res.text, 'name'), 'Maëlle Kerjean');
    assert.equal(sqlite(`SELECT count(*) FROM users WHERE email = 'maelle.kerjean@exemple.org'`), '0');
    // An address that has an account: said beside the field, the link still free.
    const taken = await join(first, { name: 'Chloé bis', email: srv.users.c.email, password: 'une phrase assez longue' });
    assert.equal(taken.res.status, 422);
    assert.match(decodeEntities(taken.res.text), /id="error-email">Cette adresse a déjà un compte/);
    // Joining.
    const ok = await join(first, { name: 'Maëlle Kerjean', email: 'maelle.kerjean@exemple.org', password: 'les goélands de l\'aber wrac\'h' });
    assert.equal(ok.res.status, 303, ok.res.text.slice(0, 500));
    assert.ok(ok.client.jar.get('foison_session'), 'signed in at once');
    const row = sqlite(`SELECT role, status, sponsor_id, workshop_id FROM users WHERE email = 'maelle.kerjean@exemple.org'`);
    assert.equal(row, `contributor|active|${userId(srv.users.a.email)}|${id}`);
    const account = await ok.client.get('/compte');
    assert.equal(account.status, 200);
    assert.match(decodeEntities(account.text), /Maëlle Kerjean/);
    // What the site keeps about it, in the person's own copy of their data.
    const mine = (await ok.client.get('/compte/donnees.json')).json();
    assert.deepEqual(mine.workshop.map((w) => [w.title, w.mediator]), [['Atelier du mardi — Plouguerneau', srv.users.a.name]]);
    assert.ok(mine.workshop[0].joined > 0);
    const led = (await alice.get('/compte/donnees.json')).json().workshops_led;
    assert.deepEqual(led.find((w) => w.title === 'Atelier du mardi — Plouguerneau')?.links, 3);
    // Used: a second use says so, and writes nothing.
    const again = await request(srv.base, pathOf(first));
    assert.equal(again.status, 410);
    assert.match(decodeEntities(again.text), /Ce lien a déjà servi/);
    const c2 = new Client(srv.base);
    const f2 = await c2.get('/atelier/rejoindre?jeton=' + tokenOf(second));
    const reuse = await c2.post('/atelier/rejoindre', { jeton: tokenOf(first), name: 'Autre', email: 'autre@exemple.org', password: 'une phrase assez longue', csrf: getCsrf(f2.text) });
    assert.equal(reuse.status, 410);
    assert.match(decodeEntities(reuse.text), /déjà servi/);
    assert.equal(sqlite(`SELECT count(*) FROM users WHERE email = 'autre@exemple.org'`), '0');
    // Unknown or malformed tokens.
    assert.equal((await request(srv.base, '/atelier/rejoindre?jeton=abcdefghijkmnpqrstuvwxyz23')).status, 404);
    assert.equal((await request(srv.base, '/atelier/rejoindre?jeton=%3Cscript%3E')).status, 404);
    assert.equal((await request(srv.base, '/atelier/rejoindre')).status, 404);
    // Revoked: another mediator cannot; the batch's mediator can, one link or all.
    const revokeUrl = `/atelier/lots/${id}/retirer`;
    assert.equal((await bruno.get(`/atelier/lots/${id}`)).status, 404, 'another mediator never sees it');
    assert.equal((await bruno.post(revokeUrl, {})).status, 404);
    assert.equal((await alice.post(revokeUrl, {}, { csrf: false })).status, 403);
    const linkIds = sqlite(`SELECT id FROM workshop_links WHERE workshop_id = ${id} AND state = 'open' ORDER BY id`).split('\n');
    assert.equal(linkIds.length, 2);
    const one = await alice.post(revokeUrl, { lien: linkIds[0] });
    assert.equal(one.status, 303);
    assert.equal(sqlite(`SELECT group_concat(state) FROM (SELECT state FROM workshop_links WHERE workshop_id = ${id} ORDER BY id)`), 'used,revoked,open');
    const revoked = await request(srv.base, pathOf(second));
    assert.equal(revoked.status, 410);
    assert.match(decodeEntities(revoked.text), /Ce lien a été retiré/);
    const batch = decodeEntities((await alice.get(`/atelier/lots/${id}`)).text);
    assert.match(batch, /Maëlle Kerjean/);
    assert.match(batch, /retiré/);
    assert.ok(!batch.includes(tokenOf(third)), 'the batch page never shows a token');
    // Expired: the third link's batch is past its validity.
    sqlite(`UPDATE workshops SET expires = strftime('%s','now') - 60 WHERE id = ${id}`);
    const expired = await request(srv.base, pathOf(third));
    assert.equal(expired.status, 410);
    assert.match(decodeEntities(expired.text), /Ce lien a expiré/);
    const c3 = new Client(srv.base);
    const f3 = await c3.get('/login');
    const late = await c3.post('/atelier/rejoindre', { jeton: tokenOf(third), name: 'En retard', email: 'retard@exemple.org', password: 'une phrase assez longue', csrf: getCsrf(f3.text) });
    assert.equal(late.status, 410);
    assert.equal(sqlite(`SELECT count(*) FROM users WHERE email = 'retard@exemple.org'`), '0');
});

test('a participant\'s edit waits, hidden from the public; their mediator approves or rejects it through the moderation decision, and nobody else\'s', async () => {
    const { urls } = await makeBatch(alice, 'Atelier de Landéda', 1);
    const p = await join(urls[0], { name: 'Yann Participant', email: 'yann.participant@exemple.org', password: 'le phare de l\'île vierge' });
    assert.equal(p.res.status, 303);
    const yann = p.client;
    await yann.refreshCsrf('/');
    const form = await yann.get('/innovations/new');
    assert.equal(form.status, 200);
    await sleep(1100);
    const made = await yann.post('/innovations/new', { ...formFields(sampleInnovation({ title: 'Écrivains publics du pays des Abers', summary: 'ATELIER-TEXTE un texte écrit en atelier.' })), started: inputValue(form.text, 'started') ?? '' });
    assert.equal(made.status, 303, made.text.slice(0, 500));
    const slug = /^\/innovations\/([a-z0-9-]+)$/.exec(made.headers.get('location'))[1];
    // Pending: invisible to the public, on every door we try here.
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 404);
    assert.equal((await apiJson(srv.base, `/api/v1/entries/${slug}`)).status, 404);
    assert.doesNotMatch((await request(srv.base, '/innovations')).text, /ATELIER-TEXTE/);
    assert.equal((await bruno.get(`/innovations/${slug}`)).status, 404, 'another mediator does not see it');
    // A plain contributor's pending edit, for the refusals below.
    const cform = await chloe.get('/innovations/new');
    await sleep(1100);
    const cmade = await chloe.post('/innovations/new', { ...formFields(sampleInnovation({ title: 'Fiche de Chloé', summary: 'CHLOE-TEXTE en attente.' })), started: inputValue(cform.text, 'started') ?? '' });
    assert.equal(cmade.status, 303);
    const chloeRev = Number(sqlite(`SELECT r.id FROM revisions r JOIN users u ON u.id = r.author_id WHERE u.email = '${srv.users.c.email}' AND r.state = 'pending' ORDER BY r.id DESC LIMIT 1`));
    // The mediator's page lists the participant's text with its diff, and only theirs.
    const home = await alice.get('/atelier');
    const html = decodeEntities(home.text);
    assert.match(html, /1 texte de vos participants attend votre relecture/);
    assert.match(html, /Écrivains publics du pays des Abers/);
    assert.match(html, /<ins>[^<]*ATELIER-TEXTE/);
    assert.doesNotMatch(html, /CHLOE-TEXTE|Fiche de Chloé/);
    const rev = Number(/action="\/atelier\/contributions\/(\d+)\/approuver"/.exec(home.text)[1]);
    assert.doesNotMatch(decodeEntities((await bruno.get('/atelier')).text), /Écrivains publics/);
    // Moderators still see it in the queue.
    assert.match(decodeEntities((await marc.get('/moderation')).text), /Écrivains publics du pays des Abers/);
    // Refused: another mediator, a contributor, the mediator on someone else's text, no CSRF.
    assert.equal((await bruno.post(`/atelier/contributions/${rev}/approuver`, {})).status, 403);
    assert.equal((await chloe.post(`/atelier/contributions/${rev}/approuver`, {})).status, 403);
    assert.equal((await alice.post(`/atelier/contributions/${chloeRev}/approuver`, {})).status, 403);
    assert.equal((await alice.post(`/atelier/contributions/${chloeRev}/refuser`, {})).status, 403);
    assert.equal((await alice.post(`/atelier/contributions/${rev}/approuver`, {}, { csrf: false })).status, 403);
    assert.equal((await alice.post('/moderation/' + rev + '/approve', {})).status, 403, 'the moderation pages stay moderators\'');
    assert.equal(sqlite(`SELECT state FROM revisions WHERE id = ${rev}`), 'pending');
    assert.equal(sqlite(`SELECT state FROM revisions WHERE id = ${chloeRev}`), 'pending');
    // Approved by the mediator: public, and the log names the mediator.
    const ok = await alice.post(`/atelier/contributions/${rev}/approuver`, {});
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/atelier');
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 200);
    assert.match((await request(srv.base, '/innovations')).text, /Écrivains publics du pays des Abers/);
    assert.equal(sqlite(`SELECT action || '|' || moderator_id || '|' || target_user_id FROM moderation_log ORDER BY id DESC LIMIT 1`),
                 `approve|${userId(srv.users.a.email)}|${userId('yann.participant@exemple.org')}`);
    assert.match(decodeEntities((await marc.get('/moderation/log')).text), new RegExp(`${srv.users.a.name}[\\s\\S]*Approbation`));
    assert.equal((await alice.post(`/atelier/contributions/${rev}/approuver`, {})).status, 404, 'decided once');
    // A second text, rejected: it stays hidden.
    const edit = await yann.get(`/innovations/${slug}/edit`);
    assert.equal(edit.status, 200);
    await sleep(1100);
    const fields = { ...formFields(sampleInnovation({ title: 'Écrivains publics du pays des Abers', summary: 'REJET-TEXTE une modification à refuser.' })) };
    const upd = await yann.post(`/innovations/${slug}/edit`, { ...fields, base_revision: inputValue(edit.text, 'base_revision'), started: inputValue(edit.text, 'started') ?? '' });
    assert.equal(upd.status, 303, upd.text.slice(0, 500));
    const rev2 = Number(/action="\/atelier\/contributions\/(\d+)\/refuser"/.exec((await alice.get('/atelier')).text)[1]);
    const no = await alice.post(`/atelier/contributions/${rev2}/refuser`, { reason: 'À reprendre ensemble' });
    assert.equal(no.status, 303);
    assert.equal(sqlite(`SELECT state FROM revisions WHERE id = ${rev2}`), 'rejected');
    assert.doesNotMatch((await request(srv.base, `/innovations/${slug}`)).text, /REJET-TEXTE/);
    assert.equal(sqlite(`SELECT action || '|' || reason FROM moderation_log ORDER BY id DESC LIMIT 1`), 'reject|À reprendre ensemble');
});

test('a room behind one address joins in full; guessing links from an address is throttled (429 with Retry-After)', async () => {
    const { urls } = await makeBatch(alice, 'Atelier de la salle polyvalente', 8);
    for (const [i, u] of urls.entries()) {
        const r = await join(u, { name: `Participant ${i + 1}`, email: `salle.${i + 1}@exemple.org`, password: 'une phrase assez longue' });
        assert.equal(r.res.status, 303, `participant ${i + 1} joins from the same address`);
    }
    let limited = null;
    for (let i = 0; i < 40 && !limited; i++) {
        const r = await request(srv.base, `/atelier/rejoindre?jeton=${'abcdefghijkmnpqrstuvwxyz2'}${i % 8 + 2}`);
        if (r.status === 429)
            limited = { i, r };
        else
            assert.equal(r.status, 404);
    }
    assert.ok(limited, 'unknown links are throttled');
    assert.ok(limited.i >= 20, `not before a few dozen (${limited.i})`);
    assert.ok(Number(limited.r.headers.get('retry-after')) > 0);
    assert.match(decodeEntities(limited.r.text), /Trop de liens inconnus/);
});
