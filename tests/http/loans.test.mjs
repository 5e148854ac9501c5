// loans.test.mjs — lending equipment over HTTP, with a real SMTP server on 127.0.0.1 (Debian's
// python3-aiosmtpd): a request through the API and through the record's form, the owners told
// by mail, an owner accepting (the borrower told, the days shown as « réservé » to everyone,
// never who borrows) or refusing, overlapping days refused at once, 20 overlapping requests
// accepted in parallel through the API giving one 200 and nineteen 409, the reminders the day
// before pick-up and return through `foison chores --at`, cancellation, the owners' private
// history, and bad input (days in the past, too long, too far, malformed; learning materials
// and other kinds) refused with nothing written.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { startServer, freePort, apiJson, request, loginOk, decodeEntities, getCsrf, BIN } from './harness.mjs';

const NNBSP = '\u202f';
let srv, smtp, alice, bruno, kit, guide, inn;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The CLI waits for the server's write lock (a busy file would fail the statement silently).
const sqlite = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
};

/* The Paris day n days from today, YYYY-MM-DD. */
function day(n) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' })
        .format(new Date(Date.now() + n * 86400000));
}

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
    if (parsed.has(file))
        return parsed.get(file);
    const py = `
import email, json, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
parts = [p.get_content() for p in m.walk() if p.get_content_maintype() != 'multipart']
print(json.dumps({'subject': str(m['subject']), 'to': str(m['to']), 'defects': [str(d) for d in m.defects], 'text': '\\n'.join(parts)}))`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    parsed.set(file, m);
    return m;
}

/* The delivered mails to `to` whose subject matches re, once there are n. */
async function mailsTo(to, re, n = 1, ms = 10000) {
    const until = Date.now() + ms;
    for (;;) {
        const files = existsSync(smtp.maildir) ? readdirSync(smtp.maildir) : [];
        const mails = files.map((f) => parseMime(path.join(smtp.maildir, f)))
            .filter((m) => m.to === to && re.test(m.subject));
        if (mails.length >= n || Date.now() > until)
            return mails;
        await sleep(150);
    }
}

async function createOk(kind, fields, token) {
    const r = await apiJson(srv.base, '/api/v1/entries', { method: 'POST', token, body: { kind, license: 'CC-BY-SA-4.0', ...fields } });
    assert.equal(r.status, 201, `${kind}: ${r.text}`);
    return r.json;
}

const ask = (slug, body, token = srv.users.a.token) =>
    apiJson(srv.base, `/api/v1/entries/${slug}/loans`, { method: 'POST', token, body });
const decide = (id, what, token = srv.users.b.token) =>
    apiJson(srv.base, `/api/v1/loans/${id}/${what}`, { method: 'POST', token });

before(async () => {
    smtp = await smtpServer();
    srv = await startServer({ config: { smtp_url: `smtp://127.0.0.1:${smtp.port}`, smtp_starttls: 'off' } });
    // Bruno owns the equipment (he created its record); Alice borrows.
    kit = await createOk('resource', { title: 'Kit caméra du centre de ressources', summary: 'Une caméra, un trépied et deux micros à emprunter.',
        resource_type: 'equipment', deposit: 'Chèque de 300 € non encaissé' }, srv.users.b.token);
    guide = await createOk('resource', { title: 'Guide d\'animation de réseau', summary: 'Un support pédagogique sous licence libre.',
        resource_type: 'material', link: 'https://exemple.org/guide' }, srv.users.b.token);
    inn = (await apiJson(srv.base, '/api/v1/entries?kind=innovation')).json.entries[0];
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
});

after(async () => {
    await srv?.stop();
    await smtp?.stop();
});

test('the record of equipment shows a month calendar, all free, and asks visitors to log in', async () => {
    const page = await request(srv.base, `/ressources/${kit.slug}`);
    assert.equal(page.status, 200);
    const html = decodeEntities(page.text);
    assert.match(html, /<section class="loans" id="prets"/);
    assert.match(html, /<table class="calendar">\s*<caption>Disponibilités en [a-zéû]+ \d{4}/);
    assert.match(html, /<th scope="col"><abbr title="lundi">lun\.<\/abbr><\/th>/);
    assert.match(html, /aria-current="date"/);
    assert.doesNotMatch(html, /class="state">réservé/);
    assert.match(html, /\?mois=\d{4}-\d{2}#calendrier/);
    assert.match(html, new RegExp(`href="/login\\?next=/ressources/${kit.slug}"`));
    assert.doesNotMatch(html, /name="from"/);
    // A month far away is refused quietly (the current one is shown); the next one works.
    const far = decodeEntities((await request(srv.base, `/ressources/${kit.slug}?mois=2999-01`)).text);
    assert.doesNotMatch(far, /Disponibilités en janvier 2999/);
    // Learning materials have no calendar.
    const g = await request(srv.base, `/ressources/${guide.slug}`);
    assert.doesNotMatch(g.text, /class="calendar"/);
});

let accepted;
test('a request through the API: the owners are told; an owner accepts, the borrower is told, the days are taken', async () => {
    const r = await ask(kit.slug, { from: day(10), to: day(12), message: 'Pour filmer la fête du quartier de Kerourien.' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'requested');
    assert.ok(Number.isInteger(r.json.id));
    accepted = r.json.id;
    const [toOwner] = await mailsTo(srv.users.b.email, /Demande de prêt/);
    assert.ok(toOwner, 'the owner is told');
    assert.deepEqual(toOwner.defects, []);
    assert.equal(toOwner.subject, `[foison] Demande de prêt${NNBSP}: Kit caméra du centre de ressources`);
    assert.match(toOwner.text, /Alice Testeuse demande à emprunter/);
    assert.match(toOwner.text, /Pour filmer la fête du quartier de Kerourien\./);
    assert.match(toOwner.text, new RegExp(`/ressources/${kit.slug}#prets`));
    // Only an owner decides: another account, the borrower herself, nobody without a token.
    assert.equal((await decide(accepted, 'accept', srv.users.c.token)).status, 403);
    assert.equal((await decide(accepted, 'accept', srv.users.a.token)).status, 403);
    assert.equal((await apiJson(srv.base, `/api/v1/loans/${accepted}/accept`, { method: 'POST' })).status, 401);
    assert.equal((await decide(999999, 'accept')).status, 404);
    const ok = await decide(accepted, 'accept');
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { id: accepted, state: 'accepted', from: day(10), to: day(12) });
    assert.equal((await decide(accepted, 'refuse')).status, 409, 'decided once');
    const [toBorrower] = await mailsTo(srv.users.a.email, /Prêt accepté/);
    assert.ok(toBorrower, 'the borrower is told');
    assert.match(toBorrower.text, /Votre demande d'emprunt de «.Kit caméra du centre de ressources.» du .* est acceptée/);
    // The public sees the days taken, never who borrows; the API gives the same.
    const busy = await apiJson(srv.base, `/api/v1/entries/${kit.slug}/loans`);
    assert.equal(busy.status, 200);
    assert.deepEqual(busy.json, { busy: [{ from: day(10), to: day(12) }] });
    const month = day(10).slice(0, 7);
    const page = decodeEntities((await request(srv.base, `/ressources/${kit.slug}?mois=${month}`)).text);
    assert.match(page, /class="state">réservé/);
    const n = Number(day(10).slice(8));
    assert.match(page, new RegExp(`<td class="busy"><span class="visually-hidden">[^<]* ${n}(er)? [^<]*: </span><span class="n" aria-hidden="true">${n}</span> <span class="state">réservé</span>`));
    const plain = decodeEntities((await request(srv.base, `/ressources/${kit.slug}`)).text);
    for (const html of [page, plain, JSON.stringify(busy.json), (await apiJson(srv.base, `/api/v1/entries/${kit.slug}`)).text]) {
        assert.doesNotMatch(html, /Alice Testeuse|alice\.http|Kerourien/);
    }
    // Days overlapping it are refused at once, nothing written.
    const loans = sqlite('SELECT count(*) FROM loans');
    const over = await ask(kit.slug, { from: day(12), to: day(14) }, srv.users.c.token);
    assert.equal(over.status, 409, over.text);
    assert.equal(sqlite('SELECT count(*) FROM loans'), loans);
    // The day after is free.
    const next = await ask(kit.slug, { from: day(13), to: day(13) }, srv.users.c.token);
    assert.equal(next.status, 201, next.text);
});

test('through the record\'s form: the borrower asks, sees her request; the owner refuses it; the history is the owners\'', async () => {
    const form = decodeEntities((await alice.get(`/ressources/${kit.slug}`)).text);
    assert.match(form, /<label for="loan-from">Premier jour \(retrait\)<\/label>/);
    assert.match(form, /<input type="date" id="loan-from" name="from"/);
    const r = await alice.post(`/ressources/${kit.slug}/prets`, { loan_form: '1', from: day(20), to: day(21), message: 'Pour une formation.' });
    assert.equal(r.status, 303, decodeEntities(r.text).slice(0, 500));
    assert.equal(r.headers.get('location'), `/ressources/${kit.slug}?pret=demande#prets`);
    const mine = decodeEntities((await alice.get(`/ressources/${kit.slug}?pret=demande`)).text);
    assert.match(mine, /Votre demande est transmise aux responsables du matériel/);
    assert.match(mine, /<h3>Vos demandes<\/h3>/);
    assert.match(mine, /: en attente de réponse/);
    assert.doesNotMatch(mine, /Demandes à traiter/);
    // The owner sees it with its buttons, and refuses it.
    const owner = decodeEntities((await bruno.get(`/ressources/${kit.slug}`)).text);
    assert.match(owner, /<h3>Demandes à traiter<\/h3>/);
    const id = sqlite(`SELECT id FROM loans WHERE from_day = '${day(20)}'`);
    assert.ok(owner.includes(`action="/ressources/${kit.slug}/prets/${id}/refuser"`));
    assert.ok(owner.includes(`href="/ressources/${kit.slug}/prets"`));
    assert.equal((await alice.post(`/ressources/${kit.slug}/prets/${id}/refuser`, {})).status, 403);
    const no = await bruno.post(`/ressources/${kit.slug}/prets/${id}/refuser`, {});
    assert.equal(no.status, 303);
    assert.equal(sqlite(`SELECT state FROM loans WHERE id = ${id}`), 'refused');
    const [m] = await mailsTo(srv.users.a.email, /Prêt refusé/);
    assert.ok(m, 'the borrower is told of the refusal');
    // Accepting a request that overlaps an accepted loan says so on the page (409).
    const clash = await ask(kit.slug, { from: day(30), to: day(31) });
    assert.equal(clash.status, 201);
    const other = await ask(kit.slug, { from: day(31), to: day(32) }, srv.users.c.token);
    assert.equal(other.status, 201);
    assert.equal((await decide(clash.json.id, 'accept')).status, 200);
    const page = await bruno.post(`/ressources/${kit.slug}/prets/${other.json.id}/accepter`, {});
    assert.equal(page.status, 409);
    assert.match(decodeEntities(page.text), /ses jours chevauchent un prêt déjà accepté/);
    // The history: every loan with its borrower, for the owners only, never indexed.
    const h = await bruno.get(`/ressources/${kit.slug}/prets`);
    assert.equal(h.status, 200);
    assert.match(h.text, /<meta name="robots" content="noindex">/);
    const ht = decodeEntities(h.text);
    assert.match(ht, /<caption id="historique-prets">Historique des prêts<\/caption>/);
    assert.match(ht, /Alice Testeuse/);
    assert.match(ht, /refusée/);
    assert.match(ht, /acceptée/);
    assert.match(h.headers.get('cache-control') || '', /no-store/);
    assert.equal((await alice.get(`/ressources/${kit.slug}/prets`)).status, 403);
    const anon = await request(srv.base, `/ressources/${kit.slug}/prets`);
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get('location'), /^\/login/);
});

test('bad input is refused with clear errors and nothing written', async () => {
    const loans = sqlite('SELECT count(*) FROM loans');
    const cases = [
        [{ from: day(-1), to: day(2) }, 'from', /déjà passé/],
        [{ from: day(5), to: day(4) }, 'to', /après le premier jour/],
        [{ from: day(5), to: day(65) }, 'to', /60 jours au plus/],
        [{ from: day(380), to: day(381) }, 'from', /365 jours/],
        [{ from: '12/02/2027', to: day(4) }, 'from', /AAAA-MM-JJ/],
        [{ from: day(5) }, 'to', /AAAA-MM-JJ/],
        [{ from: day(5), to: 20270101 }, 'to', /chaîne/],
        [{ from: day(5), to: day(6), borrower: 'x' }, 'borrower', /champ inconnu/],
        [{ from: day(5), to: day(6), message: 'x'.repeat(1001) }, 'message', /1000 caractères/],
    ];
    for (const [body, field, re] of cases) {
        const r = await ask(kit.slug, body);
        assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
        const e = r.json.errors.find((x) => x.field === field);
        assert.ok(e, `${field} in ${r.text}`);
        assert.match(e.message, re);
    }
    assert.equal((await ask(kit.slug, '[1,2]')).status, 400);
    assert.equal((await ask(kit.slug, { from: day(5), to: day(6) }, null)).status, 401);
    const material = await ask(guide.slug, { from: day(5), to: day(6) });
    assert.equal(material.status, 422);
    assert.match(material.json.errors[0].message, /ne se prête pas/);
    const other = await ask(inn.slug, { from: day(5), to: day(6) });
    assert.equal(other.status, 422);
    assert.match(other.json.errors[0].message, /n'est pas du matériel à emprunter/);
    assert.equal((await ask('pas-de-fiche-ainsi', { from: day(5), to: day(6) })).status, 404);
    // The form: the errors beside their fields, the input kept.
    const f = await alice.post(`/ressources/${kit.slug}/prets`, { loan_form: '1', from: day(9), to: day(3), message: 'Mon message gardé' });
    assert.equal(f.status, 422);
    const html = decodeEntities(f.text);
    assert.match(html, /<p class="error" id="error-loan-to">Dernier jour.: il doit venir après le premier jour<\/p>/);
    assert.match(html, /aria-invalid="true"/);
    assert.match(html, /Mon message gardé<\/textarea>/);
    assert.equal((await alice.post(`/ressources/${guide.slug}/prets`, { from: day(5), to: day(6) })).status, 404);
    assert.equal((await alice.post(`/ressources/${kit.slug}/prets`, { from: day(5), to: day(6), csrf: 'x' })).status, 403);
    assert.equal(sqlite('SELECT count(*) FROM loans'), loans);
});

test('20 overlapping requests accepted in parallel: exactly one 200, nineteen 409', async () => {
    const ids = [];
    for (let i = 0; i < 20; i++) {
        const r = await ask(kit.slug, { from: day(40 + (i % 5)), to: day(46 + (i % 3)) }, i % 2 ? srv.users.a.token : srv.users.c.token);
        assert.equal(r.status, 201, r.text);
        ids.push(r.json.id);
    }
    const answers = await Promise.all(ids.map((id) => decide(id, 'accept')));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, ...Array(19).fill(409)], answers.map((r) => r.text).join('\n'));
    assert.equal(sqlite(`SELECT count(*) FROM loans WHERE state = 'accepted' AND from_day >= '${day(40)}'`), '1');
    assert.ok(answers.filter((r) => r.status === 409).every((r) => /chevauchent un prêt déjà accepté/.test(r.json.error.message)));
});

test('reminders the day before pick-up and the day before return, each once (foison chores --at)', async () => {
    const chores = (at) => {
        const r = spawnSync(BIN, ['chores', srv.db, '--at', at], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
    };
    assert.match(chores(`${day(9)}T07:00`), /ok\u202f: 0 tâche/);
    assert.match(chores(`${day(9)}T09:00`), /ok\u202f: [1-9]/);
    assert.match(chores(`${day(9)}T09:30`), /ok\u202f: 0 tâche/);
    const [pick] = await mailsTo(srv.users.a.email, /Rappel.: retrait/);
    assert.ok(pick, 'the pick-up reminder');
    assert.equal(pick.subject, `[foison] Rappel${NNBSP}: retrait de Kit caméra du centre de ressources demain`);
    assert.match(pick.text, /vous retirez «.Kit caméra du centre de ressources.» demain/);
    chores(`${day(11)}T10:00`);
    const [back] = await mailsTo(srv.users.a.email, /Rappel.: retour/);
    assert.ok(back, 'the return reminder');
    assert.match(back.text, /est à rendre demain/);
    assert.equal(sqlite(`SELECT reminded_pickup || reminded_return FROM loans WHERE id = ${accepted}`), '11');
    assert.equal((await mailsTo(srv.users.a.email, /Rappel.: retrait de Kit/, 2, 500)).length, 1, 'sent once');
});

test('the borrower cancels: the days are free again, the owners are told', async () => {
    assert.equal((await decide(accepted, 'cancel', srv.users.c.token)).status, 403);
    const r = await decide(accepted, 'cancel', srv.users.a.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'cancelled');
    assert.equal((await decide(accepted, 'cancel', srv.users.a.token)).status, 409);
    const busy = (await apiJson(srv.base, `/api/v1/entries/${kit.slug}/loans`)).json.busy;
    assert.ok(!busy.some((b) => b.from === day(10)), JSON.stringify(busy));
    const [m] = await mailsTo(srv.users.b.email, /Prêt annulé/);
    assert.ok(m, 'the owner is told');
    // The page's cached calendar follows at once.
    const month = day(10).slice(0, 7);
    const page = decodeEntities((await request(srv.base, `/ressources/${kit.slug}`)).text);
    if (day(0).slice(0, 7) === month)
        assert.doesNotMatch(page.replace(/[\s\S]*?<tbody>|<\/tbody>[\s\S]*/g, ''), new RegExp(`>${Number(day(10).slice(8))}</span> <span class="state">`));
});
