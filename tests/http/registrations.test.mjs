// registrations.test.mjs — registrations to events over a real server and a real SMTP server on
// 127.0.0.1 (Debian's python3-aiosmtpd): a guest registers by the form, gets a mail whose .ics
// (text/calendar; method=PUBLISH) a real parser (python3-icalendar) reads, confirms and cancels
// by its links (GET shows, POST acts); the waiting list is promoted, with its mail, when a seat
// frees (a cancellation by the API and the link's secret, a capacity raised) and the save path
// refuses a capacity below the seats held; organisers list, export (CSV, formula-safe), close,
// reopen and write to participants, others get 403 and the public only counts; an account
// registers with one button; 50 parallel registrations for 10 seats give 10 registered and 40
// waiting in order of id; bad input is refused with clear errors and nothing written.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import {
    BIN, startServer, freePort, apiJson, request, loginOk, Client, getCsrf, inputValue, decodeEntities,
} from './harness.mjs';

const NNBSP = '\u202f';
let srv, smtp, alice, bruno;
let ipSeq = 0;
const nextIp = () => `198.51.100.${++ipSeq}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The CLI waits for the server's write lock (a busy file would fail the statement silently).
const sqlite = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
};

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
        async stop() {
            proc.kill('SIGTERM');
            await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

/* The message as Python's email package reads it, its calendar parts read by icalendar. */
function parseMime(file) {
    const py = `
import email, json, sys
from datetime import timezone
from email import policy
import icalendar
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
parts = []
for p in m.walk():
    if p.get_content_maintype() == 'multipart':
        continue
    part = {'type': p.get_content_type(), 'charset': p.get_content_charset(),
            'method': p.get_param('method'), 'filename': p.get_filename(),
            'disposition': p.get_content_disposition(), 'text': p.get_content()}
    if part['type'] == 'text/calendar':
        cal = icalendar.Calendar.from_ical(p.get_payload(decode=True))
        ev = [c for c in cal.walk('VEVENT')]
        utc = lambda d: d.astimezone(timezone.utc).isoformat()
        part['events'] = [{'summary': str(e.get('summary')), 'start': utc(e.decoded('dtstart')),
                           'end': utc(e.decoded('dtend')), 'uid': str(e.get('uid'))} for e in ev]
    parts.append(part)
print(json.dumps({'subject': str(m['subject']), 'to': str(m['to']), 'reply_to': str(m['reply-to']),
    'type': m.get_content_type(), 'defects': [str(d) for d in m.defects], 'parts': parts}))`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

const seen = new Map(); // file → parsed, so that each mail is parsed once
/* The delivered mails to `to` (subject matching re, when given), once there are n. */
async function mailsTo(to, n = 1, re = null, ms = 12000) {
    const until = Date.now() + ms;
    for (;;) {
        const files = existsSync(smtp.maildir) ? readdirSync(smtp.maildir) : [];
        // Only the mails to `to` are parsed (by their raw To header), each once.
        for (const f of files) {
            if (seen.has(f))
                continue;
            const raw = readFileSync(path.join(smtp.maildir, f), 'latin1');
            const m = /^To: <([^>]*)>/m.exec(raw);
            seen.set(f, { to: m && m[1], file: f });
        }
        for (const [f, v] of seen)
            if (v.to === to && !v.parts)
                seen.set(f, parseMime(path.join(smtp.maildir, f)));
        const mails = [...seen.values()].filter((m) => m.to === to && m.parts && (!re || re.test(m.subject)));
        if (mails.length >= n || Date.now() > until)
            return mails;
        await sleep(150);
    }
}

const textOf = (m) => m.parts.find((p) => p.type === 'text/plain').text;
const linkIn = (m, what) => {
    const u = new RegExp(`https?://[^\\s]+/inscriptions/${what}\\?jeton=([0-9a-f]{64})`).exec(textOf(m));
    assert.ok(u, `a ${what} link in the mail:\n${textOf(m)}`);
    return u[1];
};

let eventSeq = 0;
/* An event created through the API by alice (its manager); fields override. */
async function createEvent(fields = {}, token = srv.users.a.token) {
    eventSeq++;
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token, body: {
            kind: 'event', title: `Atelier de réparation numéro ${eventSeq}`,
            summary: 'On répare ensemble ordinateurs et téléphones.',
            start: `2031-06-${String(10 + eventSeq).padStart(2, '0')} 18:00`,
            end: `2031-06-${String(10 + eventSeq).padStart(2, '0')} 20:00`,
            registration: 'site', capacity: 2, ...fields,
        },
    });
    assert.equal(r.status, 201, r.text);
    return { ...r.json, day: String(10 + eventSeq).padStart(2, '0') };
}

/* A guest registration through the API, from its own client address. */
const apiRegister = (slug, body, { ip = nextIp(), token } = {}) =>
    apiJson(srv.base, `/api/v1/entries/${slug}/registrations`, {
        method: 'POST', body, token, headers: { 'X-Forwarded-For': ip },
    });

const listAs = (slug, token) => apiJson(srv.base, `/api/v1/entries/${slug}/registrations`, { token });

before(async () => {
    smtp = await smtpServer();
    srv = await startServer({
        config: { smtp_url: `smtp://127.0.0.1:${smtp.port}`, smtp_starttls: 'off',
                  trusted_proxies: '127.0.0.1' },
    });
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
});

after(async () => {
    await srv?.stop();
    await smtp?.stop();
});

test('a guest registers by the form, gets the mail with its .ics, confirms and cancels by its links', async () => {
    const ev = await createEvent();
    const page = await request(srv.base, `/evenements/${ev.slug}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /2 places restantes/);
    assert.match(page.text, new RegExp(`href="/evenements/${ev.slug}/inscription"`));
    const ip = nextIp();
    const guest = new Client(srv.base);
    const form = await guest.get(`/evenements/${ev.slug}/inscription`, { headers: { 'X-Forwarded-For': ip } });
    assert.equal(form.status, 200);
    assert.match(form.text, /<meta name="robots" content="noindex">/);
    const csrf = getCsrf(form.text);
    const r = await guest.post(`/evenements/${ev.slug}/inscription`, {
        csrf, name: 'Gwenaëlle Le Bris', email: 'gwen@exemple.org', site_web: '',
        occurrence: inputValue(form.text, 'occurrence'),
    }, { headers: { 'X-Forwarded-For': ip } });
    assert.equal(r.status, 200, r.text.slice(0, 2000));
    assert.match(r.text, /Inscription enregistrée/);
    assert.match(r.text, /gwen@exemple\.org/);

    const [m] = await mailsTo('gwen@exemple.org');
    assert.ok(m, 'the confirmation mail arrived');
    assert.deepEqual(m.defects, []);
    assert.equal(m.type, 'multipart/mixed');
    assert.match(m.subject, new RegExp(`Inscription${NNBSP}: Atelier de réparation`));
    assert.deepEqual(m.parts.map((p) => p.type), ['text/plain', 'text/html', 'text/calendar']);
    const cal = m.parts[2];
    assert.equal(cal.method, 'PUBLISH');
    assert.equal(cal.filename, 'evenement.ics');
    assert.equal(cal.disposition, 'attachment');
    assert.equal(cal.events.length, 1);
    assert.equal(cal.events[0].summary, ev.title);
    assert.equal(cal.events[0].start, `2031-06-${ev.day}T16:00:00+00:00`, 'Paris summer time: 18:00 is 16:00 UTC');
    assert.match(textOf(m), /Confirmez votre inscription dans les 48 heures/);
    assert.match(m.parts[1].text, /<a href="http[^"]+\/inscriptions\/annuler\?jeton=/);
    const token = linkIn(m, 'confirmer');
    assert.equal(linkIn(m, 'annuler'), token);

    // GET shows the confirmation, changes nothing; POST confirms.
    const list0 = await listAs(ev.slug, srv.users.a.token);
    assert.equal(list0.json.registrations[0].confirmed, false);
    const show = await guest.get(`/inscriptions/confirmer?jeton=${token}`);
    assert.equal(show.status, 200);
    assert.match(show.text, /Gwenaëlle Le Bris/);
    assert.equal((await listAs(ev.slug, srv.users.a.token)).json.registrations[0].confirmed, false,
        'following the link changes nothing');
    const ok = await guest.post('/inscriptions/confirmer', { csrf: getCsrf(show.text), jeton: token });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /Inscription confirmée/);
    assert.equal((await listAs(ev.slug, srv.users.a.token)).json.registrations[0].confirmed, true);
    // Seats left on the page (the cached page follows the generation) and in the API.
    assert.match((await request(srv.base, `/evenements/${ev.slug}`)).text, /1 place restante/);
    const json = await apiJson(srv.base, `/api/v1/entries/${ev.slug}`);
    assert.equal(json.json.capacity, 2);
    assert.equal(json.json.seats_left, 1);

    // The cancel link: GET shows, POST cancels; then the link does nothing.
    const cshow = await guest.get(`/inscriptions/annuler?jeton=${token}`);
    assert.equal(cshow.status, 200);
    assert.equal((await listAs(ev.slug, srv.users.a.token)).json.total, 1);
    const c = await guest.post('/inscriptions/annuler', { csrf: getCsrf(cshow.text), jeton: token });
    assert.equal(c.status, 200);
    assert.match(c.text, /Inscription annulée/);
    assert.equal((await listAs(ev.slug, srv.users.a.token)).json.total, 0);
    assert.equal((await guest.get(`/inscriptions/annuler?jeton=${token}`)).status, 404);
    assert.equal((await apiJson(srv.base, `/api/v1/entries/${ev.slug}`)).json.seats_left, 2);
});

test('the first person waiting gets a freed seat, told by mail; a capacity below the seats held is refused', async () => {
    const ev = await createEvent({ capacity: 1 });
    const r1 = await apiRegister(ev.slug, { name: 'Premier Inscrit', email: 'premier@exemple.org' });
    assert.equal(r1.status, 201, r1.text);
    assert.deepEqual([r1.json.state, r1.json.position, r1.json.confirmed], ['registered', 1, false]);
    const r2 = await apiRegister(ev.slug, { name: 'Deuxième Attente', email: 'deuxieme@exemple.org' });
    assert.deepEqual([r2.status, r2.json.state, r2.json.position], [201, 'waiting', 1]);
    const r3 = await apiRegister(ev.slug, { name: 'Troisième Attente', email: 'troisieme@exemple.org' });
    assert.deepEqual([r3.status, r3.json.state, r3.json.position], [201, 'waiting', 2]);
    const [waitMail] = await mailsTo('deuxieme@exemple.org', 1, /Liste d'attente/);
    assert.match(textOf(waitMail), /liste d'attente, en position 1/);
    // The first cancels by the API with the secret of their link: the second is promoted.
    const [first] = await mailsTo('premier@exemple.org');
    const secret = linkIn(first, 'annuler');
    assert.equal((await apiJson(srv.base, `/api/v1/registrations/${r2.json.id}?token=${secret}`,
        { method: 'DELETE' })).status, 403, 'a secret cancels only its own registration');
    const del = await apiJson(srv.base, `/api/v1/registrations/${r1.json.id}?token=${secret}`, { method: 'DELETE' });
    assert.equal(del.status, 200, del.text);
    assert.equal(del.json.state, 'cancelled');
    const [promo] = await mailsTo('deuxieme@exemple.org', 1, /Une place pour vous/);
    assert.ok(promo, 'the promotion mail');
    assert.match(textOf(promo), /Une place s'est libérée/);
    assert.ok(promo.parts.some((p) => p.type === 'text/calendar'), 'with the .ics');
    let list = (await listAs(ev.slug, srv.users.a.token)).json.registrations;
    assert.deepEqual(list.map((x) => [x.email, x.state, x.position]),
        [['deuxieme@exemple.org', 'registered', 1], ['troisieme@exemple.org', 'waiting', 1]]);
    // Capacity raised by an edit: the third is promoted in the save.
    const get = await apiJson(srv.base, `/api/v1/entries/${ev.slug}`);
    const up = await apiJson(srv.base, `/api/v1/entries/${ev.slug}`, {
        method: 'PUT', token: srv.users.a.token, body: { base_revision: get.json.revision, capacity: 2 },
    });
    assert.equal(up.status, 200, up.text);
    assert.ok((await mailsTo('troisieme@exemple.org', 1, /Une place pour vous/)).length);
    list = (await listAs(ev.slug, srv.users.a.token)).json.registrations;
    assert.deepEqual(list.map((x) => x.state), ['registered', 'registered']);
    // Below the 2 registered: refused beside the field, nothing saved.
    const down = await apiJson(srv.base, `/api/v1/entries/${ev.slug}`, {
        method: 'PUT', token: srv.users.a.token, body: { base_revision: up.json.revision, capacity: 1 },
    });
    assert.equal(down.status, 422, down.text);
    const err = down.json.errors.find((e) => e.field === 'capacity');
    assert.match(err.message, new RegExp(`^Nombre de places${NNBSP}: 2 personnes sont déjà inscrites`));
    assert.equal((await apiJson(srv.base, `/api/v1/entries/${ev.slug}`)).json.revision, up.json.revision);
});

test('organisers list, export, close, reopen and write; others get 403; the public sees counts only', async () => {
    const ev = await createEvent({ capacity: 1 });
    await apiRegister(ev.slug, { name: '=HYPERLINK("http://x")', email: 'formule@exemple.org' });
    await apiRegister(ev.slug, { name: 'Personne "Attente"', email: 'attente@exemple.org' });
    // The API list: 401 without a token, 403 for another account, 200 for the manager and a moderator.
    assert.equal((await listAs(ev.slug)).status, 401);
    assert.equal((await listAs(ev.slug, srv.users.b.token)).status, 403);
    const mine = await listAs(ev.slug, srv.users.a.token);
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.json.registrations.map((x) => x.email), ['formule@exemple.org', 'attente@exemple.org']);
    assert.equal((await listAs(ev.slug, srv.users.m.token)).status, 200);
    // The page: login first, 403 for bruno, the lists for alice (not indexed, not stored).
    assert.equal((await request(srv.base, `/evenements/${ev.slug}/inscriptions`)).status, 303);
    const denied = await bruno.get(`/evenements/${ev.slug}/inscriptions`);
    assert.equal(denied.status, 403);
    assert.doesNotMatch(denied.text, /formule@exemple\.org/);
    const pageA = await alice.get(`/evenements/${ev.slug}/inscriptions`);
    assert.equal(pageA.status, 200);
    assert.match(pageA.text, /<meta name="robots" content="noindex">/);
    assert.match(pageA.headers.get('cache-control'), /no-store/);
    assert.match(pageA.text, /formule@exemple\.org/);
    assert.match(decodeEntities(pageA.text), /Liste d'attente/);
    // CSV: quoted, formula-safe.
    const csv = await alice.get(`/evenements/${ev.slug}/inscriptions.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    assert.match(csv.headers.get('content-disposition'), /attachment; filename="inscriptions-/);
    assert.match(csv.text, /"'=HYPERLINK\(""http:\/\/x""\)","formule@exemple\.org"/);
    assert.match(csv.text, /"Personne ""Attente""","attente@exemple\.org"/);
    assert.equal((await bruno.get(`/evenements/${ev.slug}/inscriptions.csv`)).status, 403);
    // The public: counts, never who.
    const pub = await request(srv.base, `/evenements/${ev.slug}`);
    assert.match(decodeEntities(pub.text), /Complet, liste d'attente/);
    for (const t of [pub.text, (await apiJson(srv.base, `/api/v1/entries/${ev.slug}`)).text,
        (await apiJson(srv.base, '/api/v1/entries?kind=event')).text,
        (await bruno.get(`/evenements/${ev.slug}`)).text]) {
        assert.doesNotMatch(t, /formule@exemple|attente@exemple|HYPERLINK/);
    }
    const listApi = (await apiJson(srv.base, '/api/v1/entries?kind=event')).json.entries;
    const inList = listApi.find((x) => x.slug === ev.slug);
    assert.ok(inList, 'the event in the API list');
    assert.equal(inList.capacity, 1);
    assert.equal(inList.seats_left, 0);
    assert.ok(listApi.every((x) => 'seats_left' in x));
    // Close: registrations refused (409); bruno may not close; reopen.
    assert.equal((await bruno.post(`/evenements/${ev.slug}/inscriptions/fermer`, {})).status, 403);
    const close = await alice.post(`/evenements/${ev.slug}/inscriptions/fermer`, {});
    assert.equal(close.status, 303);
    const refused = await apiRegister(ev.slug, { name: 'Trop Tard', email: 'tard@exemple.org' });
    assert.equal(refused.status, 409);
    assert.match(refused.json.error.message, /closes/);
    assert.match((await request(srv.base, `/evenements/${ev.slug}`)).text, /Les inscriptions sont closes/);
    assert.equal((await alice.post(`/evenements/${ev.slug}/inscriptions/rouvrir`, {})).status, 303);
    assert.equal((await apiRegister(ev.slug, { name: 'Enfin', email: 'enfin@exemple.org' })).status, 201);
    // Write to the registered (one mail each, Reply-To the organiser), with the waiting too.
    const bad = await alice.post(`/evenements/${ev.slug}/inscriptions/ecrire`, { subject: '', text: '' });
    assert.equal(bad.status, 422);
    assert.match(decodeEntities(bad.text), /Indiquez l'objet du message/);
    const w = await alice.post(`/evenements/${ev.slug}/inscriptions/ecrire`,
        { subject: 'Changement de salle', text: 'Rendez-vous salle B, au premier étage.', waiting: '1', occurrence: '' });
    assert.equal(w.status, 200);
    assert.match(w.text, /Message envoyé à 3 personnes/);
    const [wm] = await mailsTo('attente@exemple.org', 1, /Changement de salle/);
    assert.ok(wm);
    assert.equal(wm.reply_to, srv.users.a.email);
    assert.match(textOf(wm), /Rendez-vous salle B/);
    // The organiser cancels one: told by mail, the next promoted.
    const id = mine.json.registrations[0].id;
    const oc = await alice.post(`/evenements/${ev.slug}/inscriptions/${id}/annuler`, {});
    assert.equal(oc.status, 303);
    assert.ok((await mailsTo('formule@exemple.org', 1, /Inscription annulée/)).length);
    assert.ok((await mailsTo('attente@exemple.org', 1, /Une place pour vous/)).length);
    assert.equal((await apiJson(srv.base, `/api/v1/registrations/${id}`, { method: 'DELETE', token: srv.users.b.token })).status, 404);
    const other = (await listAs(ev.slug, srv.users.a.token)).json.registrations[0].id;
    assert.equal((await apiJson(srv.base, `/api/v1/registrations/${other}`, { method: 'DELETE', token: srv.users.b.token })).status, 403);
});

test('an account registers with one button and cancels its own seat', async () => {
    const ev = await createEvent({ capacity: 3 }, srv.users.m.token);
    const page = await bruno.get(`/evenements/${ev.slug}`);
    assert.match(page.text, /<button type="submit">S'inscrire<\/button>/);
    assert.doesNotMatch(page.text, /Participants et liste d'attente/, 'bruno does not organise it');
    const r = await bruno.post(`/evenements/${ev.slug}/inscription`, { occurrence: inputValue(page.text, 'occurrence') });
    assert.equal(r.status, 303, r.text.slice(0, 1000));
    const after = await bruno.get(`/evenements/${ev.slug}`);
    assert.match(after.text, /Vous êtes inscrit pour la séance du/);
    const [m] = await mailsTo(srv.users.b.email, 1, /Inscription/);
    assert.doesNotMatch(textOf(m), /Confirmez/, 'an account has nothing to confirm');
    const list = (await listAs(ev.slug, srv.users.m.token)).json.registrations;
    assert.deepEqual(list.map((x) => [x.name, x.confirmed, x.account]), [[srv.users.b.name, true, true]]);
    // Twice: refused beside the form.
    const again = await bruno.post(`/evenements/${ev.slug}/inscription`, {});
    assert.equal(again.status, 422);
    assert.match(again.text, /Vous êtes déjà inscrit/);
    // By the API with its token too.
    const api = await apiRegister(ev.slug, {}, { token: srv.users.a.token });
    assert.equal(api.status, 201, api.text);
    const cancel = /<form method="post" action="([^"]+\/annuler)"/.exec(after.text)[1];
    assert.equal((await bruno.post(decodeEntities(cancel), {})).status, 303);
    assert.doesNotMatch((await bruno.get(`/evenements/${ev.slug}`)).text, /Vous êtes inscrit/);
    assert.equal((await apiJson(srv.base, `/api/v1/registrations/${api.json.id}`, { method: 'DELETE', token: srv.users.a.token })).status, 200);
});

test('50 parallel registrations for 10 seats: 10 registered, 40 waiting, in order of id', async () => {
    const ev = await createEvent({ capacity: 10 });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        apiRegister(ev.slug, { name: `Coureur ${i}`, email: `course${i}@exemple.org` }, { ip: `203.0.113.${i + 1}` })));
    assert.deepEqual(answers.map((a) => a.status), Array(50).fill(201));
    const byId = answers.map((a) => a.json).sort((x, y) => x.id - y.id);
    assert.deepEqual(byId.map((x) => x.state), [...Array(10).fill('registered'), ...Array(40).fill('waiting')]);
    assert.deepEqual(byId.slice(10).map((x) => x.position), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.deepEqual(byId.slice(0, 10).map((x) => x.position), Array.from({ length: 10 }, (_, i) => i + 1));
    const n = sqlite(`SELECT state, count(*) FROM registrations WHERE entry_id = (SELECT id FROM entries WHERE slug = '${ev.slug}') GROUP BY state ORDER BY state`);
    assert.equal(n, 'registered|10\nwaiting|40');
    assert.equal((await apiJson(srv.base, `/api/v1/entries/${ev.slug}`)).json.seats_left, 0);
});

test('bad input: clear errors, nothing written', async () => {
    const ev = await createEvent({ capacity: 5 });
    const count = () => Number(sqlite(`SELECT count(*) FROM registrations WHERE entry_id = (SELECT id FROM entries WHERE slug = '${ev.slug}')`));
    const cases = [
        [{ name: '', email: 'a@exemple.org' }, 422, 'name'],
        [{ name: 'x'.repeat(81), email: 'a@exemple.org' }, 422, 'name'],
        [{ name: 'Nom\u202eInversé', email: 'a@exemple.org' }, 422, 'name'],
        [{ name: 'Nom', email: 'pas une adresse' }, 422, 'email'],
        [{ name: 'Nom', email: 'a@exemple.org', occurrence: 'demain' }, 422, 'occurrence'],
        [{ name: 'Nom', email: 'a@exemple.org', occurrence: '2031-07-01T10:00:00+02:00' }, 422, 'occurrence'],
        [{ name: 42, email: 'a@exemple.org' }, 422, '_'],
    ];
    for (const [body, status, field] of cases) {
        const r = await apiRegister(ev.slug, body);
        assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
        assert.ok(r.json.errors.some((e) => e.field === field), r.text);
    }
    assert.equal((await apiRegister(ev.slug, '{"name": "x",')).status, 400);
    assert.equal(count(), 0);
    // The occurrence by its RFC 3339 time works.
    const at = await apiRegister(ev.slug, { name: 'À l\'heure', email: 'heure@exemple.org',
        occurrence: `2031-06-${String(10 + eventSeq).padStart(2, '0')}T18:00:00+02:00` });
    assert.equal(at.status, 201, at.text);
    assert.equal(at.json.occurrence, `2031-06-${String(10 + eventSeq).padStart(2, '0')}T18:00:00+02:00`);
    // Twice the same address (in another case): 409.
    const dup = await apiRegister(ev.slug, { name: 'Encore', email: 'HEURE@exemple.org' });
    assert.equal(dup.status, 409);
    assert.ok(dup.json.errors.some((e) => e.field === 'email'));
    // A past event, one without registration here, an unknown one.
    const past = await createEvent({ start: '2020-01-10 18:00', end: '2020-01-10 20:00' });
    const rp = await apiRegister(past.slug, { name: 'Nom', email: 'a@exemple.org' });
    assert.equal(rp.status, 409);
    assert.match(rp.json.error.message, /passé/);
    assert.match((await request(srv.base, `/evenements/${past.slug}`)).text, /Cet événement est passé/);
    const none = await createEvent({ registration: 'aucune' });
    const rn = await apiRegister(none.slug, { name: 'Nom', email: 'a@exemple.org' });
    assert.equal(rn.status, 409);
    assert.match(rn.json.error.message, /pas d'inscription sur ce site/);
    assert.doesNotMatch((await request(srv.base, `/evenements/${none.slug}`)).text, /id="inscription"/);
    assert.equal((await apiRegister('pas-un-evenement-du-tout', { name: 'Nom', email: 'a@exemple.org' })).status, 404);
    // The form: errors beside their fields, input kept; the hidden field refused.
    const ip = nextIp();
    const guest = new Client(srv.base);
    const form = await guest.get(`/evenements/${ev.slug}/inscription`, { headers: { 'X-Forwarded-For': ip } });
    const post = (fields) => guest.post(`/evenements/${ev.slug}/inscription`,
        { csrf: getCsrf(form.text), site_web: '', ...fields }, { headers: { 'X-Forwarded-For': ip } });
    const f1 = await post({ name: 'Gaëlle', email: 'faux' });
    assert.equal(f1.status, 422);
    assert.match(f1.text, /id="error-email"/);
    assert.equal(inputValue(f1.text, 'name'), 'Gaëlle');
    const f2 = await post({ name: 'Robot', email: 'robot@exemple.org', site_web: 'http://spam.example' });
    assert.equal(f2.status, 422);
    assert.match(f2.text, /rempli par un robot/);
    assert.equal((await post({ name: 'Sans jeton', email: 'x@exemple.org', csrf: 'faux' })).status, 403);
    assert.equal(count(), 1);
    // The rate of guests per address: 429 with Retry-After beyond the limit.
    const one = nextIp();
    const answers = [];
    for (let i = 0; i < 11; i++)
        answers.push((await apiRegister(ev.slug, { name: `Flot ${i}`, email: `flot${i}@exemple.org` }, { ip: one })).status);
    assert.deepEqual(answers.slice(0, 4), [201, 201, 201, 201]);
    assert.equal(answers[10], 429);
});

test('an account sees its registrations in its data, and deleting it removes its name and address from them', async () => {
    const email = 'yuna.effacee@test.foison', password = 'une phrase pour yuna seulement';
    const add = spawnSync(BIN, ['user', 'add', srv.db, '--email', email, '--name', 'Yuna Effacée', '--role', 'contributor'],
        { input: `${password}\n`, encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    const yuna = await loginOk(srv.base, email, password);
    const ev = await createEvent({ capacity: 5 }, srv.users.m.token);
    const page = await yuna.get(`/evenements/${ev.slug}`);
    assert.equal((await yuna.post(`/evenements/${ev.slug}/inscription`, { occurrence: inputValue(page.text, 'occurrence') })).status, 303);
    const data = JSON.parse((await yuna.get('/compte/donnees.json')).text);
    assert.deepEqual(data.registrations.map((r) => [r.slug, r.email, r.state]), [[ev.slug, email, 'registered']]);
    assert.deepEqual(data.applications, []);
    assert.deepEqual(data.loans, []);
    assert.equal((await yuna.post('/compte/supprimer', { delete_password: password, pseudonym: '' })).status, 303);
    const list = (await listAs(ev.slug, srv.users.m.token)).json.registrations;
    assert.equal(list.length, 0, 'its seat to come is cancelled');
    assert.equal(sqlite(`SELECT count(*) FROM registrations WHERE email = '${email}' OR name = 'Yuna Effacée'`), '0');
});

test('an event moved to another date takes its registrations along; a series that loses a date cancels them; each person is told', async () => {
    const ev = await createEvent({ capacity: 4 }, srv.users.m.token);
    const guest = await apiRegister(ev.slug, { name: 'Gwenn Déplacée', email: 'gwenn.deplacee@example.org' });
    assert.equal(guest.status, 201, guest.text);
    const moved = await apiJson(srv.base, `/api/v1/entries/${ev.slug}`, {
        method: 'PUT', token: srv.users.m.token,
        body: { base_revision: ev.revision, start: '2031-09-02 18:00', end: '2031-09-02 20:00' },
    });
    assert.equal(moved.status, 200, moved.text);
    const list = (await listAs(ev.slug, srv.users.m.token)).json.registrations;
    assert.deepEqual(list.map((r) => [r.name, r.state, r.occurrence.slice(0, 10)]), [['Gwenn Déplacée', 'registered', '2031-09-02']]);
    const [m] = await mailsTo('gwenn.deplacee@example.org', 1, /Changement de date/);
    assert.ok(m, 'told of the new date');
    assert.match(textOf(m), /n'a plus lieu .*juin.2031.* mais .*septembre.2031/);
    assert.ok(m.parts.some((p) => p.type.startsWith('text/calendar')), 'with the new date\'s .ics');
    // A series of four Tuesdays shortened to two: the registration to the third is cancelled.
    const series = await createEvent({ capacity: 4, start: '2031-10-07 18:00', end: '2031-10-07 20:00',
        recurrence: 'FREQ=WEEKLY;COUNT=4' }, srv.users.m.token);
    const third = await apiRegister(series.slug, { name: 'Tanguy Troisième', email: 'tanguy.troisieme@example.org',
        occurrence: '2031-10-21T18:00:00+02:00' });
    assert.equal(third.status, 201, third.text);
    const shortened = await apiJson(srv.base, `/api/v1/entries/${series.slug}`, {
        method: 'PUT', token: srv.users.m.token, body: { base_revision: series.revision, recurrence: 'FREQ=WEEKLY;COUNT=2' },
    });
    assert.equal(shortened.status, 200, shortened.text);
    assert.equal((await listAs(series.slug, srv.users.m.token)).json.registrations.length, 0);
    const [c] = await mailsTo('tanguy.troisieme@example.org', 1, /Séance annulée/);
    assert.ok(c, 'told that the date is gone');
});
