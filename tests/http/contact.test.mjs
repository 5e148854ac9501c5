// contact.test.mjs — the contact form of records whose kind has a private e-mail field (actors,
// places, networks): a visitor's and an account's message reach the record's address through a
// real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd), From the site, Reply-To the sender,
// as valid MIME, and only its headers stay in the queue once sent; the address never shows on a
// page, a form, an answer of the API, the history or a diff; spam, robots (the hidden field, a
// form sent too fast or without its stamp) and bad input are refused with the input kept and
// nothing queued; the limits per address, per sender and per record answer 429 with Retry-After;
// records without an address, pending or hidden ones, and kinds without the field answer 404;
// removing the address (form or API) closes the form.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import {
    startServer, freePort, apiJson, request, loginOk, Client, getCsrf, inputValue, textareaValue,
    decodeEntities, BIN,
} from './harness.mjs';

const NNBSP = '\u202f';
const FROM = 'Réseau foison <ne-pas-repondre@exemple.org>';
const ADDRESS = 'velo.partage@exemple.org';
let srv, smtp, alice, marc, actor, bare, inn;

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
        async stop() {
            proc.kill('SIGTERM');
            await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The CLI waits for the server's write lock (a busy file would fail the statement silently).
const sqlite = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
};
const queued = () => Number(sqlite('SELECT count(*) FROM outbox'));
const config = (k, v) => assert.equal(spawnSync(BIN, ['config', srv.db, k, v], { encoding: 'utf8' }).status, 0);

/* The delivered mails to `to` as Python's email package reads them, once there are n. */
async function mailsTo(to, n = 1, ms = 10000) {
    const until = Date.now() + ms;
    for (;;) {
        const files = existsSync(smtp.maildir) ? readdirSync(smtp.maildir) : [];
        const mails = files.map((f) => parseMime(path.join(smtp.maildir, f))).filter((m) => m.to === to);
        if (mails.length >= n || Date.now() > until)
            return mails;
        await sleep(150);
    }
}

function parseMime(file) {
    const py = `
import email, json, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
parts = []
for p in m.walk():
    if p.get_content_maintype() == 'multipart':
        continue
    parts.append({'type': p.get_content_type(), 'charset': p.get_content_charset(), 'text': p.get_content()})
print(json.dumps({'subject': str(m['subject']), 'from': str(m['from']), 'to': str(m['to']),
    'reply_to': str(m['reply-to']), 'id': str(m['message-id']), 'type': m.get_content_type(),
    'defects': [str(d) for d in m.defects], 'parts': parts}))`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

async function createOk(kind, fields, token = srv.users.m.token) {
    const r = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token, body: { kind, ...fields } });
    assert.equal(r.status, 201, `${kind}: ${r.text}`);
    return r.json;
}

before(async () => {
    smtp = await smtpServer();
    srv = await startServer({
        config: { smtp_url: `smtp://127.0.0.1:${smtp.port}`, smtp_starttls: 'off', mail_from: FROM,
                  trusted_proxies: '127.0.0.1' },
    });
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
    actor = await createOk('actor', { title: 'Vélo Partage du Bouguen', summary: 'Une association de prêt de vélos.',
        contact_email: ADDRESS });
    bare = await createOk('actor', { title: 'Collectif sans adresse', summary: 'Pas de contact enregistré.' });
    inn = (await apiJson(srv.base, '/api/v1/entries?kind=innovation')).json.entries[0];
});

after(async () => {
    await srv?.stop();
    await smtp?.stop();
});

/* A visitor (from address ip, through the trusted proxy) with the contact form of p open for
 * more than CONTACT_MIN_SECONDS: send(fields) posts it with its csrf and stamp. */
async function openForm(p, { client = new Client(srv.base), ip, wait = true } = {}) {
    const headers = ip ? { 'X-Forwarded-For': ip } : {};
    const form = await client.get(p, { headers });
    assert.equal(form.status, 200, `${p}: ${form.text.slice(0, 300)}`);
    const stamp = inputValue(form.text, 'started'), csrf = getCsrf(form.text);
    assert.ok(stamp && csrf, 'the form has its stamp and csrf');
    if (wait)
        await sleep(3100);
    return {
        form, client,
        send: (fields, extra = {}) => client.post(p, { csrf, started: stamp, contact_url: '', ...fields },
            { headers: { ...headers, ...(extra.headers || {}) } }),
    };
}

const contactPath = (e) => `/acteurs/${e.slug}/contact`;
const message = (n = '') => ({
    subject: `Prêt de vélos pour la fête de quartier${n}`,
    text: `Bonjour,\n\nnous organisons une fête de quartier le 14 juin et voudrions emprunter trois vélos cargo pour l'après-midi.\nPouvez-vous nous dire si c'est possible ?${n}\n\nMerci d'avance.`,
});

test('the record offers the form; a visitor\'s message reaches the contact address, Reply-To the sender', async () => {
    const page = await request(srv.base, `/acteurs/${actor.slug}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h2 id="contact-titre">Contacter<\/h2>/);
    assert.match(page.text, new RegExp(`href="/acteurs/${actor.slug}/contact"`));
    const { form, client, send } = await openForm(contactPath(actor), { ip: '198.51.100.1' });
    assert.match(form.text, /<meta name="robots" content="noindex">/);
    assert.match(decodeEntities(form.text), new RegExp(`Écrire à «${NNBSP}Vélo Partage du Bouguen${NNBSP}»`));
    assert.match(form.text, /name="name"/);
    assert.match(form.text, /name="email"/);
    const before = queued();
    const r = await send({ name: 'Gwenaëlle Le Bris', email: 'gwen.lebris@exemple.net', ...message() });
    assert.equal(r.status, 303, decodeEntities(r.text).slice(0, 600));
    assert.equal(r.headers.get('location'), `/acteurs/${actor.slug}`);
    assert.equal(queued(), before + 1);
    const after = await client.get(`/acteurs/${actor.slug}`);
    assert.match(decodeEntities(after.text), /Votre message a été transmis\./);
    const [m] = await mailsTo(ADDRESS);
    assert.ok(m, 'delivered through aiosmtpd');
    assert.deepEqual(m.defects, []);
    assert.equal(m.to, ADDRESS);
    assert.equal(m.reply_to, 'gwen.lebris@exemple.net');
    assert.equal(m.from, FROM);
    assert.equal(m.subject, `[foison] Message via la fiche «${NNBSP}Vélo Partage du Bouguen${NNBSP}»${NNBSP}: Prêt de vélos pour la fête de quartier`);
    assert.match(m.id, /^<[0-9a-f]{32}@[^>]+>$/);
    assert.equal(m.type, 'text/plain');
    assert.deepEqual(m.parts.map((p) => [p.type, p.charset]), [['text/plain', 'utf-8']]);
    const body = m.parts[0].text;
    assert.match(body, /Gwenaëlle Le Bris <gwen\.lebris@exemple\.net> vous écrit par le formulaire de contact/);
    assert.match(body, new RegExp(`:\\r?\\n${srv.base}/acteurs/${actor.slug}\\r?\\n`), 'the permanent link');
    assert.ok(body.includes('voudrions emprunter trois vélos cargo'), 'the text');
    assert.match(body, /répondez simplement à ce courriel/);
    assert.match(body, /n'a vérifié ni ce nom ni cette adresse/);
    assert.match(body, /Pour ne plus en recevoir, retirez l'adresse de contact de la fiche/);
    assert.ok(body.includes(`${srv.base}/acteurs/${actor.slug}/edit`));
    // Once sent, only the headers stay in the queue (no text of the message).
    const row = sqlite(`SELECT state, instr(message, char(13, 10, 13, 10)), instr(message, 'Reply-To: <gwen.lebris@exemple.net>') > 0 FROM outbox WHERE recipient = '${ADDRESS}'`);
    assert.equal(row, 'sent|0|1');
});

test('a signed-in account writes under its own name and address, whatever the form says', async () => {
    const { form, send } = await openForm(contactPath(actor), { client: alice });
    assert.match(decodeEntities(form.text), /Vous écrivez en tant que <strong>Alice Testeuse<\/strong>/);
    assert.doesNotMatch(form.text, /name="email"/);
    const r = await send({ name: 'Quelqu\'un d\'autre', email: 'usurpation@exemple.net', ...message(' (2)') });
    assert.equal(r.status, 303, decodeEntities(r.text).slice(0, 600));
    const mails = await mailsTo(ADDRESS, 2);
    const m = mails.find((x) => x.reply_to === srv.users.a.email);
    assert.ok(m, `a mail Reply-To ${srv.users.a.email}: ${mails.map((x) => x.reply_to)}`);
    assert.deepEqual(m.defects, []);
    assert.match(m.subject, /: Prêt de vélos pour la fête de quartier \(2\)$/);
    assert.match(m.parts[0].text, /Alice Testeuse <alice\.http@test\.foison> vous écrit/);
    assert.match(m.parts[0].text, /d'un compte de foison dont l'adresse a été confirmée/);
    assert.doesNotMatch(JSON.stringify(mails), /usurpation@exemple\.net/);
});

test('the contact address never appears on a page, a form, the API, the history or a diff', async () => {
    const put = await apiJson(srv.base, `/api/v1/entries/${actor.slug}`, {
        method: 'PUT', token: srv.users.a.token, body: { base_revision: 1, summary: 'Une association de prêt de vélos cargo.' },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal('contact_email' in put.json, false);
    const human = await srv.human();
    const anonymous = ['', '/contact', '/history', '/diff?from=1&to=2', '?rev=1'];
    const texts = [];
    for (const s of anonymous)
        texts.push([`anonymous ${s}`, (await request(srv.base, `/acteurs/${actor.slug}${s}`, { headers: { cookie: human } })).text]);
    for (const s of ['', '/contact', '/edit', '/history', '/diff?from=1&to=2'])
        texts.push([`alice ${s}`, (await alice.get(`/acteurs/${actor.slug}${s}`)).text]);
    for (const p of [`/api/v1/entries/${actor.slug}`, `/api/v1/entries/${actor.slug}/revisions`,
        '/api/v1/entries?kind=actor', `/api/v1/entries/${actor.slug}/related`,
        `/api/v1/suggest?q=velo`])
        texts.push([p, (await apiJson(srv.base, p)).text]);
    // A refused message's answer, and the sign-in data export of the sender.
    const { send } = await openForm(contactPath(actor), { ip: '198.51.100.2', wait: false });
    texts.push(['422', (await send({ name: '', email: 'x', subject: '', text: '' })).text]);
    texts.push(['export', (await alice.get('/compte/donnees.json')).text]);
    for (const [what, text] of texts) {
        assert.ok(text.length > 0, what);
        assert.doesNotMatch(decodeEntities(text), /velo\.partage@exemple\.org/, what);
    }
    const diff = texts.find(([w]) => w === 'alice /diff?from=1&to=2')[1];
    assert.match(diff, /<ins> cargo<\/ins>/, 'the diff page is the real one');
});

test('spam is refused with its reasons, the input kept, and nothing queued', async () => {
    const { send } = await openForm(contactPath(actor), { ip: '198.51.100.3' });
    const before = queued();
    const spam = await send({ name: 'Promo', email: 'promo@exemple.net', subject: 'Casino en ligne',
        text: 'Casino bonus jackpot : viagra cialis pas cher sur https://casino-bonus.example/a https://casino-bonus.example/b https://casino-bonus.example/c' });
    assert.equal(spam.status, 422);
    const html = decodeEntities(spam.text);
    assert.match(html, /Ce message ressemble à du spam et n'a pas été transmis/);
    assert.match(html, /mots de publicité ou de jeux d'argent/);
    assert.match(html, /connectez-vous/);
    assert.match(textareaValue(spam.text, 'text'), /viagra cialis/, 'the text is kept');
    assert.equal(inputValue(spam.text, 'email'), 'promo@exemple.net');
    // Above the hold threshold (50), under the refuse one: refused too (a message cannot wait).
    const english = await send({ name: 'Bob', email: 'bob@exemple.net', subject: 'Hello',
        text: 'Hello, we are the best online service for you and your team, click here to get more from our services now.' });
    assert.equal(english.status, 422);
    assert.match(decodeEntities(english.text), /texte ajouté en anglais/);
    assert.equal(queued(), before, 'nothing queued');
});

test('robots and bad input are refused with the input kept (422), and nothing queued', async () => {
    const before = queued();
    const good = { name: 'Yann Kerjean', email: 'yann@exemple.net', ...message(' (robots)') };
    // Both forms that need their fill time are opened together (a form shown is not a message).
    const [first, third] = await Promise.all([openForm(contactPath(actor), { ip: '198.51.100.4' }),
        openForm(contactPath(actor), { ip: '198.51.100.4' })]);
    // The field hidden from people, filled.
    let f = first;
    let r = await f.send({ ...good, contact_url: 'https://spam.example' });
    assert.equal(r.status, 422);
    assert.match(decodeEntities(r.text), /rempli par un robot/);
    assert.equal(textareaValue(r.text, 'text'), good.text.replace(/\r\n/g, '\n'));
    // Sent at once after the form was shown.
    f = await openForm(contactPath(actor), { ip: '198.51.100.4', wait: false });
    r = await f.send(good);
    assert.equal(r.status, 422);
    assert.match(decodeEntities(r.text), /envoyé trop vite/);
    assert.equal(inputValue(r.text, 'name'), 'Yann Kerjean');
    // Without its stamp, or with a forged one.
    for (const started of ['', '1700000000.' + '0'.repeat(64)]) {
        r = await f.send({ ...good, started });
        assert.equal(r.status, 422);
        assert.match(decodeEntities(r.text), /Le formulaire a expiré/);
    }
    // The fields' own limits, each beside its field.
    f = third;
    const cases = [
        [{ name: '' }, 'name', /Indiquez votre nom/],
        [{ name: 'x'.repeat(81) }, 'name', /80 caractères au plus/],
        [{ email: 'pas-une-adresse' }, 'email', /adresse e-mail valide/],
        [{ email: 'a@b.fr\r\nBcc: victime@exemple.net' }, 'email', /adresse e-mail valide/],
        [{ subject: '' }, 'subject', /Indiquez l'objet/],
        [{ subject: 'é'.repeat(121) }, 'subject', /120 caractères au plus/],
        [{ subject: 'Objet\r\nBcc: victime@exemple.net' }, 'subject', /sur une ligne/],
        [{ text: '   \n ' }, 'text', /Écrivez votre message/],
        [{ text: 'é'.repeat(5001) }, 'text', /5000 caractères au plus \(vous en avez écrit 5001\)/],
        [{ text: 'Un texte qui se lit \u202eà l\'envers.' }, 'text', /texte simple/],
        [{ name: 'Yann\u200b Kerjean' }, 'name', /Indiquez votre nom/],
    ];
    for (const [bad, field, re] of cases) {
        r = await f.send({ ...good, ...bad });
        assert.equal(r.status, 422, `${JSON.stringify(bad).slice(0, 60)}: ${r.status}`);
        const err = new RegExp(`<p class="error" id="error-${field}">([^<]*)</p>`).exec(decodeEntities(r.text));
        assert.ok(err, `an error beside ${field}`);
        assert.match(err[1], re);
    }
    // Bytes that are not UTF-8: refused before any page sees them.
    const raw = `csrf=${f.form.text.match(/name="csrf" value="([^"]*)"/)[1]}&started=${encodeURIComponent(inputValue(f.form.text, 'started'))}`
        + '&name=Yann&email=yann%40exemple.net&subject=Objet&text=Caf%C3%A9%FF%FE';
    r = await f.client.post(contactPath(actor), null, { raw, headers: { 'X-Forwarded-For': '198.51.100.4' } });
    assert.equal(r.status, 400);
    assert.equal(queued(), before, 'nothing queued');
    // Without the CSRF token: 403.
    r = await request(srv.base, contactPath(actor), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'subject=x&text=y' });
    assert.equal(r.status, 403);
});

test('limits: the 6th message in an hour from one address, or from one sender, gets 429 with Retry-After', async () => {
    const target = await createOk('actor', { title: 'Atelier de couture de Recouvrance', summary: 'Couture partagée.',
        contact_email: 'couture@exemple.org' });
    const p = contactPath(target);
    // Both forms opened together, each waiting its fill time (a form shown is not a message).
    const [f, g] = await Promise.all([openForm(p, { ip: '203.0.113.7' }), openForm(p, { ip: '203.0.113.8' })]);
    const before = queued();
    for (let i = 1; i <= 5; i++) {
        const r = await f.send({ name: `Voisin ${i}`, email: `voisin${i}@exemple.net`, ...message(` n° ${i}`) });
        assert.equal(r.status, 303, `message ${i}: ${decodeEntities(r.text).slice(0, 400)}`);
    }
    const sixth = await f.send({ name: 'Voisin 6', email: 'voisin6@exemple.net', ...message(' n° 6') });
    assert.equal(sixth.status, 429);
    assert.ok(Number(sixth.headers.get('retry-after')) > 0, 'Retry-After');
    assert.match(decodeEntities(sixth.text), /Trop de messages envoyés en peu de temps/);
    assert.equal(textareaValue(sixth.text, 'text'), message(' n° 6').text, 'the text is kept');
    assert.equal(queued(), before + 5);
    // Another address is not held back by that one...
    assert.equal((await g.send({ name: 'Voisine', email: 'voisine@exemple.net', ...message(' bis') })).status, 303);
    // ...but one sender is, whatever address it writes from (its address in any case).
    for (let i = 1; i <= 4; i++) {
        const r = await g.send({ name: 'Voisine', email: 'Voisine@exemple.net', ...message(` ter ${i}`) },
            { headers: { 'X-Forwarded-For': `203.0.113.${20 + i}` } });
        assert.equal(r.status, 303, `sender message ${i + 1}: ${r.status}`);
    }
    const over = await g.send({ name: 'Voisine', email: 'voisine@exemple.net', ...message(' 6') },
        { headers: { 'X-Forwarded-For': '203.0.113.30' } });
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get('retry-after')) > 0);
});

test('limits: a record receives at most rate_contact_entry messages a day', async () => {
    config('rate_contact_entry', '2');
    try {
        const target = await createOk('actor', { title: 'Jardin des Capucins', summary: 'Un jardin partagé.',
            contact_email: 'capucins@exemple.org' });
        const other = await createOk('actor', { title: 'Jardin de Kerinou', summary: 'Un autre jardin.',
            contact_email: 'kerinou@exemple.org' });
        // Both forms opened together, each waiting its fill time (a form shown is not a message).
        const [f, otherForm] = await Promise.all([openForm(contactPath(target), { ip: '203.0.113.40' }),
            openForm(contactPath(other), { ip: '203.0.113.44' })]);
        for (let i = 1; i <= 2; i++) {
            const r = await f.send({ name: `Jardinier ${i}`, email: `j${i}@exemple.net`, ...message(` j${i}`) },
                { headers: { 'X-Forwarded-For': `203.0.113.${40 + i}` } });
            assert.equal(r.status, 303, `message ${i}: ${decodeEntities(r.text).replace(/[\s\S]*<main[^>]*>/, '').slice(0, 800)}`);
        }
        const third = await f.send({ name: 'Jardinier 3', email: 'j3@exemple.net', ...message(' j3') },
            { headers: { 'X-Forwarded-For': '203.0.113.43' } });
        assert.equal(third.status, 429);
        assert.ok(Number(third.headers.get('retry-after')) > 3600, 'a day\'s window');
        // Another record is not held back.
        assert.equal((await otherForm
            .send({ name: 'Jardinier 4', email: 'j4@exemple.net', ...message(' j4') })).status, 303);
    } finally {
        config('rate_contact_entry', '20');
    }
});

test('no address, another kind, a pending or a hidden record: 404, and no block', async () => {
    assert.doesNotMatch((await request(srv.base, `/acteurs/${bare.slug}`)).text, /contact-titre/);
    assert.equal((await request(srv.base, contactPath(bare))).status, 404);
    assert.equal((await alice.get(contactPath(bare))).status, 404);
    const post = await alice.post(contactPath(bare), { ...message() });
    assert.equal(post.status, 404);
    assert.equal((await request(srv.base, `/innovations/${inn.slug}/contact`)).status, 404, 'a kind without the field');
    assert.equal((await request(srv.base, `/acteurs/pas-une-fiche/contact`)).status, 404);
    // A newcomer's record waits for moderation: not for the public, nor for its author (no
    // published revision), nor for a moderator.
    const held = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token: srv.users.c.token,
        body: { kind: 'actor', title: 'Ressourcerie en attente', summary: 'En attente de relecture.', contact_email: 'attente@exemple.org' } });
    assert.equal(held.status, 201, held.text);
    assert.equal(held.json.state, 'pending');
    const chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    assert.equal((await request(srv.base, contactPath(held.json))).status, 404);
    assert.equal((await chloe.get(contactPath(held.json))).status, 404);
    assert.equal((await marc.get(contactPath(held.json))).status, 404);
    assert.doesNotMatch((await chloe.get(`/acteurs/${held.json.slug}`)).text, /contact-titre/);
    // A record hidden after reports: 404 for everyone, moderators included.
    const hidden = await createOk('actor', { title: 'Association signalée', summary: 'Signalée trois fois.',
        contact_email: 'signalee@exemple.org' });
    assert.equal((await request(srv.base, contactPath(hidden))).status, 200);
    for (const u of [srv.users.a, srv.users.b, srv.users.c])
        assert.equal((await apiJson(srv.base, `/api/v1/entries/${hidden.slug}/reports`,
            { method: 'POST', token: u.token, body: { reason: 'spam' } })).status, 201);
    assert.equal((await request(srv.base, contactPath(hidden))).status, 404);
    assert.equal((await marc.get(contactPath(hidden))).status, 404);
    assert.equal(sqlite(`SELECT count(*) FROM outbox WHERE recipient IN ('attente@exemple.org', 'signalee@exemple.org')`), '0');
});

test('removing the address, by the form or the API, closes the form; an empty field keeps it', async () => {
    const a = await createOk('actor', { title: 'Recyclerie du Relecq', summary: 'Objets réparés.', contact_email: 'recyclerie@exemple.org' });
    const b = await createOk('actor', { title: 'Repair café de Saint-Marc', summary: 'Réparations.', contact_email: 'repair@exemple.org' });
    // The edit form offers the removal; leaving the box unticked keeps the address.
    const edit = await alice.get(`/acteurs/${a.slug}/edit`);
    assert.match(edit.text, /name="contact_email\.remove"/);
    const fields = { title: 'Recyclerie du Relecq', summary: 'Objets réparés et revendus.', contact_email: '',
        'contact_email.kept': '1', license: 'CC-BY-SA-4.0', base_revision: 1 };
    let r = await alice.post(`/acteurs/${a.slug}/edit`, fields);
    assert.equal(r.status, 303, decodeEntities(r.text).slice(0, 500));
    assert.equal((await request(srv.base, contactPath(a))).status, 200, 'kept');
    r = await alice.post(`/acteurs/${a.slug}/edit`, { ...fields, summary: 'Objets réparés.', base_revision: 2, 'contact_email.remove': '1' });
    assert.equal(r.status, 303, decodeEntities(r.text).slice(0, 500));
    assert.equal((await request(srv.base, contactPath(a))).status, 404);
    assert.doesNotMatch((await request(srv.base, `/acteurs/${a.slug}`)).text, /contact-titre/);
    assert.equal(sqlite(`SELECT coalesce(json_extract(fields, '$.contact_email'), '') FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${a.slug}' AND r.number = 3`), '');
    // Through the API: null (or "") removes; a PUT that does not name it keeps it.
    r = await apiJson(srv.base, `/api/v1/entries/${b.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: 1, summary: 'Réparations le samedi.' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await request(srv.base, contactPath(b))).status, 200, 'kept');
    r = await apiJson(srv.base, `/api/v1/entries/${b.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: 2, contact_email: null } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await request(srv.base, contactPath(b))).status, 404);
});
