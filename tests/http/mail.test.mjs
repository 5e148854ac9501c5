// mail.test.mjs — the site's mail really goes out: through a real SMTP server on 127.0.0.1
// (Debian's python3-aiosmtpd, started and stopped here) or, with no SMTP server configured, as
// .eml files in the spool folder beside the site; every message parses as valid MIME with
// Python's email package (multipart/alternative, French subject in RFC 2047, UTF-8 bodies,
// Date, Message-ID); a mail queued while no server runs goes out when one starts (the queue is
// in the site file); STARTTLS, when required, is never skipped; the sign-up confirmation and
// password reset mails arrive through it and their links work once and expire.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { startServer, BIN, freePort } from './harness.mjs';

const cleanups = [];
after(async () => {
    for (const c of cleanups.reverse())
        await c();
});


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
        await new Promise((r) => setTimeout(r, 100));
    }
    const stop = async () => {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.exitCode !== null ? r() : proc.on('exit', r));
        rmSync(dir, { recursive: true, force: true });
    };
    cleanups.push(stop);
    return { port, maildir: path.join(dir, 'mail', 'new'), stop };
}

/* The files of a folder once at least n are there (within a few seconds). */
async function waitFiles(dir, n = 1, ms = 8000) {
    const until = Date.now() + ms;
    for (;;) {
        const files = existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith('.tmp')) : [];
        if (files.length >= n)
            return files.map((f) => path.join(dir, f));
        if (Date.now() > until)
            return files.map((f) => path.join(dir, f));
        await new Promise((r) => setTimeout(r, 100));
    }
}

/* The message as Python's email package reads it. */
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
    'date': str(m['date']), 'id': str(m['message-id']), 'type': m.get_content_type(),
    'defects': [str(d) for d in m.defects], 'parts': parts}))`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

function assertTestMail(m, to) {
    assert.deepEqual(m.defects, []);
    assert.equal(m.type, 'multipart/alternative');
    assert.equal(m.subject, 'Courriel d\'essai de foison — ça marche !');
    assert.equal(m.to, to);
    assert.match(m.date, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.match(m.id, /^<[0-9a-f]{32}@[^>]+>$/);
    assert.deepEqual(m.parts.map((p) => [p.type, p.charset]), [['text/plain', 'utf-8'], ['text/html', 'utf-8']]);
    assert.match(m.parts[0].text, /envoie bien ses courriels \(confirmations d'inscription, mots de passe oubliés…\)/);
    assert.match(m.parts[1].text, /<p>Bonjour,<\/p>/);
}

const cli = (args) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 20000 });

test('without an SMTP server, mail is written to the spool beside the site, as valid MIME', async () => {
    const srv = await startServer({ config: { mail_from: 'Réseau des médiathèques <contact@exemple.org>' } });
    cleanups.push(() => srv.stop());
    assert.match(srv.stderr(), /les courriels sont écrits dans .*-courriels\//);
    const q = cli(['mail', srv.db, '--test', 'lectrice@exemple.org']);
    assert.equal(q.status, 0, q.stderr);
    const [file] = await waitFiles(`${srv.db}-courriels`);
    assert.ok(file, 'a .eml in the spool');
    const m = parseMime(file);
    assertTestMail(m, 'lectrice@exemple.org');
    assert.equal(m.from, 'Réseau des médiathèques <contact@exemple.org>', 'a French sender name, encoded');
    assert.equal(cli(['mail', srv.db, '--test', 'pas une adresse']).status, 1);
});

/* foison serve on site, until the test ends; resolves once it answers /healthz. */
async function serve(site) {
    const port = await freePort();
    // The mail worker looks at its queue every 100 ms (2 s by default): the tests wait for it.
    const proc = spawn(BIN, ['serve', site, '--listen', `127.0.0.1:${port}`, '--threads', '2', '--mail-poll-ms', '100'],
        { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const stop = async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            await new Promise((r) => proc.on('exit', r));
        }
    };
    cleanups.push(stop);
    for (let i = 0; i < 100; i++) {
        try {
            if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok)
                break;
        } catch { /* not yet */ }
        await new Promise((r) => setTimeout(r, 100));
    }
    return { stop, stderr: () => stderr };
}

test('over SMTP: queued while no server runs, delivered once one starts; STARTTLS is never skipped', async () => {
    const smtp = await smtpServer();
    const dir = mkdtempSync(path.join(tmpdir(), 'foison-mail-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const site = path.join(dir, 'site.db');
    assert.equal(cli(['init', site]).status, 0);
    assert.equal(cli(['config', site, 'smtp_url', `smtp://127.0.0.1:${smtp.port}`]).status, 0);
    // STARTTLS required (the default) and the server offers none: nothing goes out in clear.
    let srv = await serve(site);
    assert.match(srv.stderr(), /courriels envoyés par smtp:\/\/127\.0\.0\.1:\d+ \(STARTTLS exigé\)/);
    assert.equal(cli(['mail', site, '--test', 'refus@exemple.org']).status, 0);
    // Until the worker has tried once (within 3 s, as the fixed wait that was here).
    for (let i = 0; i < 30; i++) {
        const tried = spawnSync('sqlite3', ['-cmd', '.timeout 10000', site, "SELECT tries FROM outbox WHERE recipient = 'refus@exemple.org'"],
            { encoding: 'utf8' }).stdout.trim();
        if (Number(tried) >= 1)
            break;
        await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(await waitFiles(smtp.maildir, 1, 500), []);
    const row = spawnSync('sqlite3', ['-cmd', '.timeout 10000', site, "SELECT state, tries, last_error <> '' FROM outbox WHERE recipient = 'refus@exemple.org'"],
        { encoding: 'utf8' }).stdout.trim();
    assert.match(row, /^queued\|[1-9]\d*\|1$/, `kept for later with its error: ${row}`);
    await srv.stop();
    // Allowed in clear on this loopback server; a mail queued with no server running...
    assert.equal(cli(['config', site, 'smtp_starttls', 'off']).status, 0);
    assert.equal(cli(['mail', site, '--test', 'lecteur@exemple.org']).status, 0);
    // ...goes out when the server starts.
    srv = await serve(site);
    const files = await waitFiles(smtp.maildir, 1);
    assert.equal(files.length, 1, 'delivered through aiosmtpd');
    assertTestMail(parseMime(files[0]), 'lecteur@exemple.org');
    const sent = spawnSync('sqlite3', ['-cmd', '.timeout 10000', site, "SELECT state FROM outbox WHERE recipient = 'lecteur@exemple.org'"],
        { encoding: 'utf8' }).stdout.trim();
    assert.equal(sent, 'sent');
    // foison config refuses what would not work.
    assert.notEqual(cli(['config', site, 'smtp_url', 'http://mail.example']).status, 0);
    assert.notEqual(cli(['config', site, 'mail_from', 'pas une adresse']).status, 0);
});

test('over SMTP: the confirmation and reset mails arrive, parse as MIME, and their links work once and expire', async () => {
    const { createHash } = await import('node:crypto');
    const { Client, getCsrf, inputValue } = await import('./harness.mjs');
    const smtp = await smtpServer();
    const srv = await startServer({ config: { smtp_url: `smtp://127.0.0.1:${smtp.port}`, smtp_starttls: 'off' } });
    cleanups.push(() => srv.stop());
    const email = 'annaig.lhostis@exemple.org', password = 'les bancs du jardin partagé';
    const c = new Client(srv.base);
    const form = await c.get('/inscription');
    const challenge = inputValue(form.text, 'pow_challenge');
    let n = 0;
    while (createHash('sha256').update(`${challenge}:${n}`).digest().readUInt16BE(0) !== 0)
        n++;
    await new Promise((r) => setTimeout(r, 3100));
    const r = await c.post('/inscription', {
        csrf: getCsrf(form.text), stamp: inputValue(form.text, 'stamp'), pow_challenge: challenge,
        pow_answer: String(n), name: 'Annaïg L\'Hostis', email, password,
    });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const link = async (count, p) => {
        const files = await waitFiles(smtp.maildir, count);
        assert.equal(files.length, count, `${count} mail(s) delivered through aiosmtpd`);
        const mails = files.map(parseMime).filter((m) => m.to === email);
        const m = mails.find((x) => new RegExp(`${p}\\?jeton=`).test(x.parts[0].text));
        assert.deepEqual(m.defects, []);
        assert.equal(m.type, 'multipart/alternative');
        assert.deepEqual(m.parts.map((q) => [q.type, q.charset]), [['text/plain', 'utf-8'], ['text/html', 'utf-8']]);
        return new RegExp(`${p}\\?jeton=([0-9a-f]{64})`).exec(m.parts[0].text)[1];
    };
    const confirm = await link(1, '/confirmer');
    const page = await c.get(`/confirmer?jeton=${confirm}`);
    assert.equal(page.status, 200);
    assert.equal((await c.post('/confirmer', { jeton: confirm, password, csrf: getCsrf(page.text) })).status, 303);
    assert.equal((await new Client(srv.base).get(`/confirmer?jeton=${confirm}`)).status, 404, 'once');
    // Mot de passe oublié, through the same server.
    const v = new Client(srv.base);
    const f = await v.get('/mot-de-passe-oublie');
    assert.equal((await v.post('/mot-de-passe-oublie', { email, csrf: getCsrf(f.text) })).status, 200);
    const reset = await link(2, '/reinitialiser');
    assert.equal((await v.get(`/reinitialiser?jeton=${reset}`)).status, 200);
    const q = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, "UPDATE account_links SET expires = 1 WHERE purpose = 'reset'"], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    assert.equal((await v.get(`/reinitialiser?jeton=${reset}`)).status, 404, 'expired');
    const again = await v.get('/mot-de-passe-oublie');
    const late = await v.post('/reinitialiser', { jeton: reset, password: 'une autre phrase longue', csrf: getCsrf(again.text) });
    assert.equal(late.status, 404, late.text.replace(/[\s\S]*<main[^>]*>/, '').slice(0, 400));
});
