// accompany.test.mjs — accompanied writing (core/accompany.c, web/accompany.c): a mediator
// (trusted or above) writes a record with or for an actor through the full form; the record
// page, its citation and its JSON credit the actor's people (or the actor itself while nobody
// speaks for it) and the mediator ("rédaction accompagnée par"), while the history keeps who
// typed each revision; an invitation mailed through a real SMTP server on loopback (Debian's
// python3-aiosmtpd) lets a person sign in (the link kept through the login) and take the record
// over: they manage it and the actor, the credits follow, the link serves once, an expired one
// says so, a deleted or withdrawn record never shows through it; bad input (unknown actor, a
// record that is not an actor, an unpublished actor, an invalid address, an address without an
// actor, a contributor trying) is refused beside its field in French, the input kept, nothing
// written; the person's data export lists their accompaniments; the new page is tidy.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import {
    startServer, loginOk, request, Client, getCsrf, decodeEntities, inputValue, sampleInnovation,
    formFields, apiJson, freePort,
} from './harness.mjs';

let srv, smtp, bruno, chloe, actor, bareActor, other;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* A real SMTP server delivering into a maildir; resolves once it accepts connections. */
async function smtpServer() {
    const dir = mkdtempSync(path.join(tmpdir(), 'foison-smtp-'));
    const port = await freePort();
    const proc = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
        '-c', 'aiosmtpd.handlers.Mailbox', path.join(dir, 'mail')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; i < 100; i++) {
        const ok = await new Promise((resolve) => {
            const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
            c.on('error', () => resolve(false));
        });
        if (ok)
            break;
        assert.ok(i < 99, `aiosmtpd did not start: ${stderr}`);
        await sleep(100);
    }
    return {
        port, maildir: path.join(dir, 'mail', 'new'),
        stop: async () => {
            proc.kill('SIGTERM');
            await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

/* The messages to `to` as Python's email package reads them, once there (within 8 s). */
async function mailsTo(to, n = 1) {
    const py = `
import email, json, sys
from email import policy
out = []
for f in sys.argv[1:]:
    m = email.message_from_binary_file(open(f, 'rb'), policy=policy.default)
    text = [p.get_content() for p in m.walk() if p.get_content_type() == 'text/plain']
    out.append({'to': str(m['to']), 'subject': str(m['subject']), 'text': text[0] if text else ''})
print(json.dumps(out))`;
    const until = Date.now() + 8000;
    for (;;) {
        const files = existsSync(smtp.maildir) ? readdirSync(smtp.maildir).map((f) => path.join(smtp.maildir, f)) : [];
        const r = files.length ? spawnSync('/usr/bin/python3', ['-c', py, ...files], { encoding: 'utf8' }) : null;
        const mails = r ? JSON.parse(r.stdout).filter((m) => m.to === to) : [];
        if (mails.length >= n || Date.now() > until)
            return mails;
        await sleep(100);
    }
}

function sqlite(sql) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
}

function assertTidy(html, what) {
    const r = spawnSync('tidy', ['-q', '-e', '-utf8'], { input: html, encoding: 'utf8' });
    assert.notEqual(r.status, null, 'tidy ran');
    const problems = r.stderr.split('\n').filter((l) => l.trim() !== '')
        .filter((l) => !/proprietary attribute "(inputmode|aria-current|autofocus)"/.test(l));
    assert.deepEqual(problems, [], `${what}: tidy says\n${problems.join('\n')}`);
}

/* The text of the page's main element, entities decoded, tags out. */
const mainText = (html) => decodeEntities((/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html)
    .replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/* client posts the new innovation form with extra fields; returns the answer. (Without the
 * form's stamp: a stamp a second old would be a spam signal strong enough to hold the text.) */
async function propose(client, title, extra = {}) {
    return client.post('/innovations/new', {
        ...formFields(sampleInnovation({ title, summary: `${title} : un résumé de la fiche.` })),
        ...extra,
    });
}

const slugOf = (res) => /^\/innovations\/([a-z0-9-]+)$/.exec(res.headers.get('location'))?.[1];
const counts = () => sqlite('SELECT (SELECT count(*) FROM entries) || \'/\' || (SELECT count(*) FROM accompaniments) || \'/\' || (SELECT count(*) FROM outbox)');

before(async () => {
    smtp = await smtpServer();
    srv = await startServer({ config: { smtp_url: `smtp://127.0.0.1:${smtp.port}`, smtp_starttls: 'off' } });
    bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
    chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    // An actor the moderator speaks for (its manager), one nobody speaks for but the mediator who
    // made its record, and a record of another kind.
    const mk = async (token, body) => {
        const r = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token, body });
        assert.equal(r.status, 201, r.text);
        return r.json;
    };
    actor = await mk(srv.users.m.token, { kind: 'actor', title: 'Vélo Solidaire du Ponant',
        summary: 'Une association qui répare des vélos avec les habitants.' });
    bareActor = await mk(srv.users.b.token, { kind: 'actor', title: 'Collectif des Abers numériques',
        summary: 'Un collectif de bénévoles du numérique dans les Abers.' });
    other = await mk(srv.users.a.token, { kind: 'innovation', ...sampleInnovation({ title: 'Une innovation sans acteur' }) });
});

after(async () => {
    await srv?.stop();
    await smtp?.stop();
});

test('a mediator sees the fieldset; a contributor does not', async () => {
    const b = await bruno.get('/innovations/new');
    assert.match(b.text, /<legend>Rédaction accompagnée<\/legend>/);
    assert.match(b.text, /id="accompany_actor"[^>]*class="relation"[^>]*data-kind="innovation"[^>]*data-field="carried_by"/);
    assertTidy(b.text, 'the form with its fieldset');
    const c = await chloe.get('/innovations/new');
    assert.doesNotMatch(c.text, /Rédaction accompagnée/);
});

test('the record credits the actor (nobody speaks for it yet) and its mediator, everywhere', async () => {
    const made = await propose(bruno, 'Réparer ensemble aux Abers', { accompany_actor: bareActor.slug });
    assert.equal(made.status, 303, mainText(made.text).slice(0, 600));
    const slug = slugOf(made);
    const page = await request(srv.base, `/innovations/${slug}`);
    const text = mainText(page.text);
    assert.match(text, /Rédigée par Collectif des Abers numériques, rédaction accompagnée par Bruno Testeur\./);
    assert.match(text, /Fiche écrite avec ou pour l'acteur Collectif des Abers numériques/);
    assert.match(page.text, new RegExp(`href="/acteurs/${bareActor.slug}"`));
    // The text to paste for a republication carries both.
    const cite = decodeEntities(/<pre class="cite">([^<]*)<\/pre>/.exec(page.text)[1]);
    assert.match(cite, /par Collectif des Abers numériques, rédaction accompagnée par Bruno Testeur — http/);
    const json = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(json.status, 200);
    assert.deepEqual(json.json.authors, ['Collectif des Abers numériques']);
    assert.deepEqual(json.json.accompanied_by, { mediator: 'Bruno Testeur',
        actor: { slug: bareActor.slug, name: 'Collectif des Abers numériques' }, taken_over: false });
    // The list says the same of it.
    const list = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    const item = list.json.entries.find((x) => x.slug === slug);
    assert.deepEqual(item.authors, json.json.authors);
    assert.deepEqual(item.accompanied_by, json.json.accompanied_by);
    // Who typed it stays true in the history.
    const hist = await bruno.get(`/innovations/${slug}/history`);
    assert.match(mainText(hist.text), /Bruno Testeur/);
    // Another record says it is not accompanied.
    assert.equal((await apiJson(srv.base, `/api/v1/entries/${other.slug}`)).json.accompanied_by, null);
    // The edit form tells the mediator what it is, without inputs.
    const edit = await bruno.get(`/innovations/${slug}/edit`);
    assert.match(mainText(edit.text), /Cette fiche est rédigée avec ou pour l'acteur Collectif des Abers numériques ?, rédaction accompagnée par Bruno Testeur/);
    assert.doesNotMatch(edit.text, /id="accompany_actor"/);
});

test('an actor with people: the actor is credited, not its people, until one of them takes it over', async () => {
    const made = await propose(bruno, 'Vélos partagés du Ponant', { accompany_actor: `${srv.base}/acteurs/${actor.slug}` });
    assert.equal(made.status, 303, mainText(made.text).slice(0, 600));
    const json = await apiJson(srv.base, `/api/v1/entries/${slugOf(made)}`);
    // Marc manages the actor but did not write nor take this record: not named as its author.
    assert.deepEqual(json.json.authors, ['Vélo Solidaire du Ponant']);
    assert.equal(json.json.accompanied_by.mediator, 'Bruno Testeur');
});

test('a mediator accompanies an existing record from its edit form', async () => {
    const made = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token: srv.users.a.token,
        body: { kind: 'innovation', ...sampleInnovation({ title: 'Une fiche écrite avant l\'accompagnement' }) } });
    assert.equal(made.status, 201, made.text);
    const slug = made.json.slug;
    // Bruno, a mediator, neither wrote nor manages Alice's record: he cannot hand it over.
    const foreign = await bruno.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Une fiche écrite avant l\'accompagnement' })),
        base_revision: 1, accompany_actor: actor.slug, accompany_email: 'bruno.autre@exemple.org',
    });
    assert.equal(foreign.status, 422);
    assert.match(decodeEntities(foreign.text), /id="error-accompany_actor">Seule la personne qui a créé cette fiche/);
    assert.equal(sqlite(`SELECT count(*) FROM accompaniments c JOIN entries e ON e.id = c.entry_id WHERE e.slug = '${slug}'`), '0');
    const alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    const edit = await alice.get(`/innovations/${slug}/edit`);
    assert.match(edit.text, /id="accompany_actor"/, 'the inputs, for a record not accompanied yet');
    const r = await alice.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Une fiche écrite avant l\'accompagnement', summary: 'Reprise avec l\'acteur.' })),
        base_revision: 1, accompany_actor: actor.slug,
    });
    assert.equal(r.status, 303, mainText(r.text).slice(0, 500));
    const json = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.equal(json.json.revision, 2);
    // Alice wrote it and accompanies it: the actor is credited, she is named apart.
    assert.deepEqual(json.json.authors, ['Vélo Solidaire du Ponant']);
    assert.equal(json.json.accompanied_by.mediator, 'Alice Testeuse');
    // Once: the same request again is refused beside the field.
    const again = await alice.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Une fiche écrite avant l\'accompagnement', summary: 'Encore.' })),
        base_revision: 2, accompany_actor: bareActor.slug,
    });
    assert.equal(again.status, 422);
    assert.match(decodeEntities(again.text), /<p class="error" id="error-accompany_actor">Cette fiche est déjà rédigée avec un acteur/);
    assert.equal((await apiJson(srv.base, `/api/v1/entries/${slug}`)).json.revision, 2, 'nothing written');
});

test('bad input is refused beside its field, the input kept, nothing written', async () => {
    const before = counts();
    const cases = [
        [bruno, { accompany_actor: 'aucun-acteur-de-ce-nom' }, 'accompany_actor', /Aucun acteur publié n'a l'adresse « aucun-acteur-de-ce-nom »/],
        [bruno, { accompany_actor: other.slug }, 'accompany_actor', /« Une innovation sans acteur » est une fiche innovation, pas un acteur/],
        [bruno, { accompany_actor: `${actor.slug}, ${bareActor.slug}` }, 'accompany_actor', /Choisissez un seul acteur/],
        [bruno, { accompany_actor: actor.slug, accompany_email: 'pas-une-adresse' }, 'accompany_email', /Cette adresse e-mail n'est pas valide/],
        [bruno, { accompany_email: 'gwen@exemple.org' }, 'accompany_actor', /Choisissez l'acteur avec qui ou pour qui vous rédigez cette fiche/],
        [chloe, { accompany_actor: actor.slug }, 'accompany_actor', /Seules les personnes qui accompagnent l'écriture/],
    ];
    for (const [client, extra, field, message] of cases) {
        const r = await propose(client, 'Une fiche refusée pour son acteur', extra);
        assert.equal(r.status, 422, `${JSON.stringify(extra)}: ${mainText(r.text).slice(0, 400)}`);
        const err = new RegExp(`<p class="error" id="error-${field}">([^<]*)</p>`).exec(r.text);
        assert.ok(err, `an error beside ${field} for ${JSON.stringify(extra)}`);
        assert.match(decodeEntities(err[1]), message);
        assert.match(r.text, new RegExp(`<a href="#${field}">`), 'the summary leads to the input');
        assert.match(r.text, new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
        for (const [k, v] of Object.entries(extra))
            assert.equal(decodeEntities(inputValue(r.text, k) ?? ''), v, `${k} kept`);
        assert.equal(decodeEntities(inputValue(r.text, 'title')), 'Une fiche refusée pour son acteur', 'the title kept');
    }
    // An actor not published (a contributor's, pending) cannot be chosen.
    const pending = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token: srv.users.c.token,
        body: { kind: 'actor', title: 'Acteur en attente de relecture', summary: 'Pas encore public.' } });
    assert.equal(pending.json.state, 'pending', pending.text);
    const mid = counts();
    const r = await propose(bruno, 'Une fiche pour un acteur caché', { accompany_actor: pending.json.slug });
    assert.equal(r.status, 422);
    assert.match(decodeEntities(r.text), /Aucun acteur publié n'a l'adresse/);
    assert.equal(counts(), mid, 'nothing written');
    assert.equal(Number(before.split('/')[1]), Number(mid.split('/')[1]), 'no accompaniment written');
    assert.equal(Number(mid.split('/')[0]), Number(before.split('/')[0]) + 1, 'only the pending actor');
});

test('the invitation: mailed, kept through the login, taken over once', async () => {
    const to = 'gaelle.kerouac@exemple.org';
    const made = await propose(bruno, 'Atelier vélo de Plouguerneau', { accompany_actor: bareActor.slug, accompany_email: to });
    assert.equal(made.status, 303, mainText(made.text).slice(0, 600));
    const slug = slugOf(made);
    const [mail] = await mailsTo(to);
    assert.ok(mail, 'the invitation went out through the SMTP server');
    assert.match(mail.subject, /Une fiche rédigée pour Collectif des Abers numériques vous attend/);
    assert.match(mail.text, /Bruno Testeur a rédigé sur .* la fiche « Atelier vélo de Plouguerneau » avec ou pour Collectif des Abers numériques/s);
    const token = /\/accompagnement\?jeton=([0-9a-f]{64})/.exec(mail.text)?.[1];
    assert.ok(token, 'a one-time link');
    assert.equal(sqlite(`SELECT count(*) FROM accompaniments WHERE invite_hash = X'${token}'`), '0', 'stored hashed');
    const link = `/accompagnement?jeton=${token}`;

    // Anonymous: the record and a way to sign in that comes back here.
    const anon = await request(srv.base, link);
    assert.equal(anon.status, 200);
    assertTidy(anon.text, 'the invitation page');
    assert.match(mainText(anon.text), /Bruno Testeur a rédigé la fiche Atelier vélo de Plouguerneau avec ou pour Collectif des Abers numériques/);
    const login = /href="(\/login\?next=[^"]+)"/.exec(anon.text)[1];
    const visitor = new Client(srv.base);
    const lform = await visitor.get(decodeEntities(login));
    assert.equal(decodeEntities(inputValue(lform.text, 'next')), link);
    const logged = await visitor.post('/login', { email: srv.users.c.email, password: srv.users.c.password,
        next: link, csrf: getCsrf(lform.text) });
    assert.equal(logged.status, 303);
    assert.equal(logged.headers.get('location'), link);
    const page = await visitor.get(link);
    assert.equal(page.status, 200);
    assertTidy(page.text, 'the invitation page, signed in');
    assert.match(page.text, /<button type="submit">Reprendre la fiche<\/button>/);
    // The mediator cannot take it over themselves.
    const bpage = await bruno.get(link);
    const self = await bruno.post('/accompagnement', { jeton: token, csrf: getCsrf(bpage.text) });
    assert.equal(self.status, 403, 'not the mediator themselves');
    // A POST without its CSRF token takes nothing.
    assert.equal((await visitor.post('/accompagnement', { jeton: token }, { csrf: false })).status, 403);
    const take = await visitor.post('/accompagnement', { jeton: token, csrf: getCsrf(page.text) });
    assert.equal(take.status, 303);
    assert.equal(take.headers.get('location'), `/innovations/${slug}`);
    const chloeId = sqlite(`SELECT id FROM users WHERE email = '${srv.users.c.email}'`);
    assert.equal(sqlite(`SELECT taken_by || '/' || (taken_at > 0) || '/' || coalesce(invite_email, '-') FROM accompaniments c JOIN entries e ON e.id = c.entry_id WHERE e.slug = '${slug}'`), `${chloeId}/1/-`);
    // She manages the record now; the actor's own record stays its managers' to give.
    assert.equal(sqlite(`SELECT count(*) FROM entry_managers m JOIN entries e ON e.id = m.entry_id WHERE m.user_id = ${chloeId} AND e.slug = '${slug}'`), '1');
    assert.equal(sqlite(`SELECT count(*) FROM entry_managers m JOIN entries e ON e.id = m.entry_id WHERE m.user_id = ${chloeId} AND e.slug = '${bareActor.slug}'`), '0');
    assert.equal(sqlite(`SELECT count(*) FROM moderation_log l JOIN entries e ON e.id = l.entry_id WHERE l.action = 'accompany_take' AND e.slug = '${slug}' AND l.moderator_id = ${chloeId}`), '1', 'in the moderators\' log');
    // The credits follow: the actor's person is its author now, the mediator keeps theirs.
    const shown = mainText((await request(srv.base, `/innovations/${slug}`)).text);
    assert.match(shown, /Rédigée par Chloé Nouvelle, rédaction accompagnée par Bruno Testeur\./);
    const json = await apiJson(srv.base, `/api/v1/entries/${slug}`);
    assert.deepEqual(json.json.authors, ['Chloé Nouvelle']);
    assert.equal(json.json.accompanied_by.taken_over, true);

    // Once only: the same link again, for anyone.
    const again = await visitor.post('/accompagnement', { jeton: token, csrf: getCsrf(page.text) });
    assert.equal(again.status, 409);
    assert.match(mainText(again.text), /Invitation déjà utilisée/);
    assert.equal((await request(srv.base, link)).status, 409);

    // The person edits it as their own (a contributor: held for moderation like any of theirs),
    // and the history shows who typed what.
    const edit = await visitor.get(`/innovations/${slug}/edit`);
    assert.equal(edit.status, 200);
    const saved = await visitor.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Atelier vélo de Plouguerneau', summary: 'Repris par l\'association elle-même.' })),
        base_revision: inputValue(edit.text, 'base_revision'),
    });
    assert.equal(saved.status, 303, mainText(saved.text).slice(0, 400));
    const hist = mainText((await visitor.get(`/innovations/${slug}/history`)).text);
    assert.match(hist, /Bruno Testeur/);
    assert.match(hist, /Chloé Nouvelle/);

    // The data exports list it: taken over by one, written by the other.
    const mine = JSON.parse((await visitor.get('/compte/donnees.json')).text);
    assert.deepEqual(mine.accompaniments.map((x) => [x.role, x.record, x.actor]), [['taken_over', slug, bareActor.slug]]);
    const theirs = JSON.parse((await bruno.get('/compte/donnees.json')).text);
    assert.ok(theirs.accompaniments.some((x) => x.role === 'mediator' && x.record === slug && x.taken_at > 0));
    assert.ok(theirs.accompaniments.every((x) => x.invited_email === undefined), 'a taken invitation forgets its address');
});

test('expired, unknown, deleted and withdrawn: said plainly, nothing shown', async () => {
    const to = 'yann.le-bihan@exemple.org';
    const made = await propose(bruno, 'Répar\'café de Landéda', { accompany_actor: actor.slug, accompany_email: to });
    assert.equal(made.status, 303, mainText(made.text).slice(0, 600));
    const slug = slugOf(made);
    const [mail] = await mailsTo(to);
    const token = /jeton=([0-9a-f]{64})/.exec(mail.text)[1];
    const link = `/accompagnement?jeton=${token}`;
    // The mediator's export shows the address while the invitation is open.
    const theirs = JSON.parse((await bruno.get('/compte/donnees.json')).text);
    assert.ok(theirs.accompaniments.some((x) => x.record === slug && x.invited_email === to));

    // Withdrawn by a moderator: the page no longer names the record to the public.
    sqlite(`UPDATE entries SET hidden = 2 WHERE slug = '${slug}'`);
    const hidden = await request(srv.base, link);
    assert.equal(hidden.status, 200);
    assert.doesNotMatch(hidden.text, /Répar'café de Landéda|R&#39;épar|Landéda/);
    assert.doesNotMatch(hidden.text, new RegExp(slug));
    assert.match(mainText(hidden.text), /La fiche n'est pas encore publiée/);
    sqlite(`UPDATE entries SET hidden = 0 WHERE slug = '${slug}'`);

    sqlite(`UPDATE accompaniments SET invite_expires = 1 WHERE invite_hash IS NOT NULL AND taken_by IS NULL`);
    const expired = await request(srv.base, link);
    assert.equal(expired.status, 410);
    assert.match(mainText(expired.text), /Invitation expirée .* Demandez une nouvelle invitation à Bruno Testeur/);
    const page = await chloe.get('/');
    const late = await chloe.post('/accompagnement', { jeton: token, csrf: getCsrf(page.text) });
    assert.equal(late.status, 410, 'an expired link takes nothing');
    assert.equal(sqlite(`SELECT count(*) FROM accompaniments c JOIN entries e ON e.id = c.entry_id WHERE e.slug = '${slug}' AND taken_by IS NOT NULL`), '0');

    sqlite(`UPDATE entries SET deleted = 1 WHERE slug = '${slug}'`);
    const gone = await request(srv.base, link);
    assert.equal(gone.status, 410);
    assert.match(mainText(gone.text), /Fiche supprimée/);
    assert.doesNotMatch(gone.text, /Landéda/);

    for (const t of ['0'.repeat(64), 'pas-un-jeton', '']) {
        const r = await request(srv.base, `/accompagnement?jeton=${t}`);
        assert.equal(r.status, 404);
        assert.match(mainText(r.text), /Invitation inconnue/);
    }
});
