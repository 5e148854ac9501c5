// cohorts.test.mjs — a training's sessions and applications to them over HTTP, with a real SMTP
// server on 127.0.0.1 (Debian's python3-aiosmtpd): the training's page lists its sessions, coming
// then past (never a pending one), with the projects their participants carried; a signed-in
// person applies to an open session (told by mail), the organisers — the managers of the
// session's record — review the applications on a private page and accept, put on the waiting
// list or refuse (the applicant told by mail at each step), within the session's capacity; the
// participants and their projects are public on the page and in the API, the message and the
// applicant's address never; the applicant withdraws; bad input is refused.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { startServer, freePort, apiJson, request, loginOk, decodeEntities } from './harness.mjs';

const NNBSP = '\u202f';
const SECRET = 'Message très confidentiel pour les organisateurs';
let srv, smtp, alice, bruno, chloe, coop, training, session, past, pending, actorA, inn;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The CLI waits for the server's write lock (a busy file would fail the statement silently).
const sqlite = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
};
function day(n) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + n * 86400000));
}

async function smtpServer() {
    const dir = mkdtempSync(path.join(tmpdir(), 'foison-smtp-'));
    const port = await freePort();
    const proc = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
        '-c', 'aiosmtpd.handlers.Mailbox', path.join(dir, 'mail')], { stdio: ['ignore', 'ignore', 'pipe'] });
    for (let i = 0; i < 100; i++) {
        const ok = await new Promise((resolve) => {
            const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
            c.on('error', () => resolve(false));
        });
        if (ok)
            break;
        assert.ok(i < 99, 'aiosmtpd did not start');
        await sleep(100);
    }
    return {
        maildir: path.join(dir, 'mail', 'new'), port,
        async stop() {
            proc.kill('SIGTERM');
            await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

const parsed = new Map();
function parseMime(file) {
    if (!parsed.has(file)) {
        const py = `
import email, json, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
parts = [p.get_content() for p in m.walk() if p.get_content_maintype() != 'multipart']
print(json.dumps({'subject': str(m['subject']), 'to': str(m['to']), 'defects': [str(d) for d in m.defects], 'text': '\\n'.join(parts)}))`;
        const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        parsed.set(file, JSON.parse(r.stdout));
    }
    return parsed.get(file);
}

async function mailsTo(to, re, n = 1, ms = 10000) {
    const until = Date.now() + ms;
    for (;;) {
        const files = existsSync(smtp.maildir) ? readdirSync(smtp.maildir) : [];
        const mails = files.map((f) => parseMime(path.join(smtp.maildir, f))).filter((m) => m.to === to && re.test(m.subject));
        if (mails.length >= n || Date.now() > until)
            return mails;
        await sleep(150);
    }
}

async function create(kind, fields, token) {
    const r = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token, body: { kind, license: 'CC-BY-SA-4.0', ...fields } });
    assert.equal(r.status, 201, `${kind}: ${r.text}`);
    return r.json;
}

before(async () => {
    smtp = await smtpServer();
    srv = await startServer({ config: { smtp_url: `smtp://127.0.0.1:${smtp.port}`, smtp_starttls: 'off' } });
    const { a, b, c, m } = srv.users;
    // Bruno creates the sessions of the training his cooperative organises: he manages them, so
    // he organises them (the managers of a session's record, and moderators; not whoever manages
    // an actor that a field names, since any editor may change a field).
    coop = await create('actor', { title: 'Coopérative d\'animation du Ponant', summary: 'Elle forme les animateurs de réseaux.' }, b.token);
    training = await create('training', { title: 'Animer un réseau coopératif', summary: 'Cent heures sur treize semaines.',
        organised_by: [coop.slug], format: 'hybride' }, m.token);
    session = await create('cohort', { title: 'Session du printemps', summary: 'Trois regroupements.', training: [training.slug],
        starts: day(20), ends: day(110), applications: 'ouvertes', capacity: 1 }, b.token);
    past = await create('cohort', { title: 'Session de 2011', summary: 'La deuxième session.', training: [training.slug],
        starts: '2011-03-01', ends: '2011-06-30', applications: 'ouvertes' }, b.token);
    pending = await create('cohort', { title: 'Session en attente de relecture', summary: 'Pas encore publiée.', training: [training.slug],
        starts: day(200), applications: 'ouvertes' }, c.token);
    actorA = await create('actor', { title: 'Tiers-lieu de la Rive droite', summary: 'Un tiers-lieu associatif.' }, a.token);
    inn = (await apiJson(srv.base, '/api/v1/entries?kind=innovation')).json.entries[0];
    alice = await loginOk(srv.base, a.email, a.password);
    bruno = await loginOk(srv.base, b.email, b.password);
    chloe = await loginOk(srv.base, c.email, c.password);
});

after(async () => {
    await srv?.stop();
    await smtp?.stop();
});

test('the training lists its sessions, coming then past, never one not yet published', async () => {
    assert.equal(pending.state, 'pending');
    const html = decodeEntities((await request(srv.base, `/formations/${training.slug}`)).text);
    assert.match(html, /<h2 id="sessions-titre">Les sessions<\/h2>/);
    const coming = html.indexOf('À venir et en cours'), gone = html.indexOf('Sessions passées');
    assert.ok(coming > 0 && gone > coming, 'coming, then past');
    assert.ok(html.indexOf(`href="/sessions/${session.slug}"`) > coming);
    assert.ok(html.indexOf(`href="/sessions/${past.slug}"`) > gone);
    assert.match(html, /du mardi 1er mars 2011 au jeudi 30 juin 2011/);
    assert.doesNotMatch(html, /Session en attente de relecture/);
});

test('an open session asks visitors to log in; a past one takes no application', async () => {
    const html = decodeEntities((await request(srv.base, `/sessions/${session.slug}`)).text);
    assert.match(html, /Les candidatures sont ouvertes\. Pour candidater, <a href="\/login\?next=\/sessions\//);
    assert.match(html, /Aucun participant n'est encore inscrit/);
    const old = decodeEntities((await alice.get(`/sessions/${past.slug}`)).text);
    assert.match(old, /Les candidatures à cette session sont fermées/);
    assert.doesNotMatch(old, /name="project_text"/);
    const r = await alice.post(`/sessions/${past.slug}/candidature`, { project_text: 'Un projet' });
    assert.equal(r.status, 409);
});

let appA, appC;
test('applying: the applicant is told by mail, sees the application, cannot apply twice', async () => {
    const form = decodeEntities((await alice.get(`/sessions/${session.slug}`)).text);
    assert.match(form, /<label for="cohort-message">Message aux organisateurs \(facultatif\)<\/label>/);
    const r = await alice.post(`/sessions/${session.slug}/candidature`, { cohort_form: '1', actor: actorA.slug, project: inn.slug, message: SECRET });
    assert.equal(r.status, 303, decodeEntities(r.text).slice(0, 600));
    assert.equal(r.headers.get('location'), `/sessions/${session.slug}?candidature=envoyee#candidater`);
    const page = decodeEntities((await alice.get(`/sessions/${session.slug}?candidature=envoyee`)).text);
    assert.match(page, /Votre candidature est envoyée aux organisateurs/);
    assert.match(page, /candidature en attente de réponse/);
    assert.doesNotMatch(page, /name="project_text"/);
    const [m] = await mailsTo(srv.users.a.email, /Candidature reçue/);
    assert.ok(m, 'received');
    assert.deepEqual(m.defects, []);
    assert.equal(m.subject, `[foison] Candidature reçue${NNBSP}: Session du printemps`);
    const again = await alice.post(`/sessions/${session.slug}/candidature`, { cohort_form: '1', project_text: 'Un autre' });
    assert.equal(again.status, 422);
    assert.match(decodeEntities(again.text), /Vous avez déjà candidaté à cette session/);
    const c = await chloe.post(`/sessions/${session.slug}/candidature`, { cohort_form: '1', project_text: 'Une grainothèque au Relecq-Kerhuon', show_name: '1' });
    assert.equal(c.status, 303);
    // The demo site has its own sessions' participants: only this session's applications.
    const ofSession = `cohort_id = (SELECT id FROM entries WHERE slug = '${session.slug}')`;
    appA = Number(sqlite(`SELECT id FROM applications WHERE ${ofSession} AND project_id IS NOT NULL`));
    appC = Number(sqlite(`SELECT id FROM applications WHERE ${ofSession} AND project_text != ''`));
    assert.ok(appA && appC);
});

test('the organisers review privately: accept (mail), capacity, waiting list (mail), refusal (mail)', async () => {
    const list = await bruno.get(`/sessions/${session.slug}/candidatures`);
    assert.equal(list.status, 200);
    assert.match(list.text, /<meta name="robots" content="noindex">/);
    assert.match(list.headers.get('cache-control') || '', /no-store/);
    const html = decodeEntities(list.text);
    assert.ok(html.includes(SECRET), 'the message, for the organisers');
    assert.ok(html.includes(srv.users.a.email), 'the address, for the organisers');
    assert.equal((await alice.get(`/sessions/${session.slug}/candidatures`)).status, 403);
    assert.equal((await request(srv.base, `/sessions/${session.slug}/candidatures`)).status, 303);
    assert.equal((await alice.post(`/sessions/${session.slug}/candidatures/${appC}/accepter`, {})).status, 403);
    // The session's own page shows the organiser the way in.
    assert.match(decodeEntities((await bruno.get(`/sessions/${session.slug}`)).text), /Examiner les candidatures/);
    const ok = await bruno.post(`/sessions/${session.slug}/candidatures/${appA}/accepter`, {});
    assert.equal(ok.status, 303);
    const [acc] = await mailsTo(srv.users.a.email, /Candidature acceptée/);
    assert.ok(acc, 'accepted');
    // One place: the second is refused, with a reason.
    const full = await bruno.post(`/sessions/${session.slug}/candidatures/${appC}/accepter`, {});
    assert.equal(full.status, 409);
    assert.match(decodeEntities(full.text), /La session est complète/);
    assert.equal(sqlite(`SELECT state FROM applications WHERE id = ${appC}`), 'pending');
    assert.equal((await bruno.post(`/sessions/${session.slug}/candidatures/${appC}/attente`, {})).status, 303);
    const [wait] = await mailsTo(srv.users.c.email, /Liste d'attente/);
    assert.ok(wait, 'waiting');
    assert.equal((await bruno.post(`/sessions/${session.slug}/candidatures/${appC}/attente`, {})).status, 409);
    assert.equal((await bruno.post(`/sessions/${session.slug}/candidatures/${appC}/refuser`, {})).status, 303);
    const [no] = await mailsTo(srv.users.c.email, /Candidature non retenue/);
    assert.ok(no, 'refused');
});

test('participants and their projects are public, on the page and in the API; nothing else of the application', async () => {
    const html = decodeEntities((await request(srv.base, `/sessions/${session.slug}`)).text);
    assert.match(html, new RegExp(`<a href="/acteurs/${actorA.slug}">Tiers-lieu de la Rive droite</a>${NNBSP}: <a href="/innovations/${inn.slug}">`));
    const api = await apiJson(srv.base, `/api/v1/entries/${session.slug}`);
    assert.equal(api.status, 200);
    assert.equal(api.json.participants.length, 1);
    assert.equal(api.json.participants[0].actor.slug, actorA.slug);
    assert.equal(api.json.participants[0].project.slug, inn.slug);
    for (const text of [html, api.text]) {
        assert.ok(!text.includes(SECRET), 'never the message');
        assert.ok(!text.includes(srv.users.a.email) && !text.includes(srv.users.c.email), 'never an address');
        assert.ok(!text.includes('grainothèque'), 'never a refused application');
    }
    // The training's page shows the project the session carried.
    const t = decodeEntities((await request(srv.base, `/formations/${training.slug}`)).text);
    assert.match(t, new RegExp(`Projets des participants${NNBSP}: <span class="project"><a href="/innovations/${inn.slug}">`));
});

test('the applicant withdraws: the participant leaves the page and the API', async () => {
    assert.equal((await chloe.post(`/sessions/${session.slug}/candidatures/${appA}/retirer`, {})).status, 403);
    const r = await alice.post(`/sessions/${session.slug}/candidatures/${appA}/retirer`, {});
    assert.equal(r.status, 303);
    assert.equal(sqlite(`SELECT state FROM applications WHERE id = ${appA}`), 'withdrawn');
    const api = await apiJson(srv.base, `/api/v1/entries/${session.slug}`);
    assert.deepEqual(api.json.participants, []);
    const html = decodeEntities((await request(srv.base, `/sessions/${session.slug}`)).text);
    assert.match(html, /Aucun participant n'est encore inscrit/);
});

test('bad input is refused beside its field, nothing written', async () => {
    const before = sqlite('SELECT count(*) FROM applications');
    const cases = [
        [{}, /Projet.: donnez l'adresse de sa fiche ou décrivez-le/],
        [{ project: 'pas-une-fiche-du-site' }, /aucune fiche d'innovation à cette adresse/],
        [{ project_text: 'x'.repeat(301) }, /300 caractères au plus/],
        [{ project_text: 'Un projet', actor: coop.slug }, /vous ne gérez pas cette fiche d'acteur/],
        [{ project_text: 'Un projet', actor: inn.slug }, /aucune fiche d'acteur/],
        [{ project_text: 'Un projet', message: 'm'.repeat(2001) }, /2000 caractères au plus/],
    ];
    for (const [fields, re] of cases) {
        const r = await chloe.post(`/sessions/${session.slug}/candidature`, { cohort_form: '1', ...fields });
        assert.equal(r.status, 422, JSON.stringify(fields).slice(0, 80));
        assert.match(decodeEntities(r.text), re);
    }
    const kept = await chloe.post(`/sessions/${session.slug}/candidature`, { cohort_form: '1', project: 'nulle-part', message: 'Gardé tel quel' });
    assert.match(decodeEntities(kept.text), /Gardé tel quel<\/textarea>/);
    assert.equal((await chloe.post(`/sessions/${session.slug}/candidature`, { project_text: 'x', csrf: 'faux' })).status, 403);
    assert.equal((await chloe.post(`/formations/${training.slug}/candidature`, { project_text: 'x' })).status, 404);
    assert.equal((await bruno.post(`/sessions/${session.slug}/candidatures/999999/accepter`, {})).status, 404);
    assert.equal(sqlite('SELECT count(*) FROM applications'), before);
});
