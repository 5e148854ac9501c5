// Accounts opened by their owners: sign-up with its robot checks (honeypot, fill time, proof of
// work or, without JavaScript, a question), confirmation by the link of a real mail (read from
// the spool as MIME by Python's email package), the same answers for known and unknown
// addresses, "mot de passe oublié", the account page (profile, password, e-mail address, logging
// out everywhere), the data export, deleting one's account, session rotation on a change of
// rights, limits, and bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
    startServer, Client, getCsrf, inputValue, decodeEntities, loginOk, login, BIN, sampleInnovation,
    formFields,
} from './harness.mjs';

const cleanups = [];
after(async () => {
    for (const f of cleanups.reverse())
        await f();
});

let shared;
async function site() {
    if (!shared) {
        shared = await startServer();
        cleanups.push(() => shared.stop());
        // Every test here signs up from 127.0.0.1: the limits per address are tested apart.
        setting(shared, 'rate_signups', '10000');
        setting(shared, 'rate_mails', '10000');
    }
    return shared;
}

/* Settings are read from the file at each use: written here while the server runs. */
function setting(srv, key, value) {
    const q = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `INSERT OR REPLACE INTO settings (key, value) VALUES ('${key}', '${value}')`], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Every mail of the spool, parsed by Python's email package. A mail is written under a temporary
 * name then renamed (mail/), so each file is parsed once, when it appears: waiting for a mail
 * then costs a directory listing per look, not a Python run over the whole spool. */
const parsed = new Map();
function mails(srv) {
    const dir = `${srv.db}-courriels`;
    if (!existsSync(dir))
        return [];
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => path.join(dir, f));
    const key = (f) => {
        const st = statSync(f);
        return `${f} ${st.size} ${st.mtimeMs}`;
    };
    const keys = files.map(key);
    const fresh = keys.filter((k) => !parsed.has(k));
    if (fresh.length)
        parseMails(fresh.map((k) => k.split(' ')[0])).forEach((m, i) => parsed.set(fresh[i], m));
    return keys.map((k) => parsed.get(k));
}

function parseMails(files) {
    const py = `
import email, json, sys
from email import policy
out = []
for f in sys.argv[1:]:
    m = email.message_from_binary_file(open(f, 'rb'), policy=policy.default)
    parts = {}
    for p in m.walk():
        if p.get_content_maintype() != 'multipart':
            parts[p.get_content_type()] = p.get_content()
    out.append({'file': f, 'to': str(m['to']), 'subject': str(m['subject']), 'type': m.get_content_type(),
                'defects': [str(d) for d in m.defects], 'text': parts.get('text/plain', ''),
                'html': parts.get('text/html', '')})
print(json.dumps(out))`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

/* Once the worker has gone through the queue (nothing left queued; within 8 s): what was not
 * sent by then was never queued, since a request queues its mails before it answers. */
async function queueDone(srv) {
    for (let i = 0; i < 80; i++) {
        const q = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, "SELECT count(*) FROM outbox WHERE state = 'queued'"], { encoding: 'utf8' });
        assert.equal(q.status, 0, q.stderr);
        if (q.stdout.trim() === '0')
            return;
        await sleep(100);
    }
}

/* The mails to an address (waiting a few seconds for the worker to write them). */
async function mailsTo(srv, to, n = 1) {
    for (let i = 0; i < 80; i++) {
        const found = mails(srv).filter((m) => m.to === to);
        if (found.length >= n)
            return found;
        await sleep(100);
    }
    return mails(srv).filter((m) => m.to === to);
}

function linkIn(mail, p) {
    const m = new RegExp(`https?://[^\\s]+${p.replace('/', '\\/')}\\?jeton=([0-9a-f]{64})`).exec(mail.text);
    assert.ok(m, `a ${p} link in the mail:\n${mail.text}`);
    return m[1];
}

/* The first leading-16-zero-bit answer to a challenge, as static/login-pow.js finds it. */
function solve(challenge) {
    const bits = Number(challenge.split('.')[0]);
    for (let n = 0; ; n++) {
        const h = createHash('sha256').update(`${challenge}:${n}`).digest();
        const v = h.readUInt32BE(0);
        if ((v >>> (32 - bits)) === 0)
            return String(n);
    }
}

const NUMBERS = ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix'];
function questionAnswer(html) {
    const m = /Combien font (\S+) plus (\S+)\s?\?/.exec(decodeEntities(html));
    assert.ok(m, 'the sign-up form asks its question');
    return String(NUMBERS.indexOf(m[1]) + NUMBERS.indexOf(m[2]));
}

/* Opens the sign-up form; returns a function that posts it (after the minimum fill time). */
async function signupForm(base) {
    const c = new Client(base);
    const page = await c.get('/inscription');
    assert.equal(page.status, 200);
    const fields = {
        csrf: getCsrf(page.text),
        stamp: inputValue(page.text, 'stamp'),
        pow_challenge: inputValue(page.text, 'pow_challenge'),
    };
    return { c, page, fields };
}

async function signup(base, { name, email, password }, { how = 'pow', wait = true, extra = {} } = {}) {
    const { c, page, fields } = await signupForm(base);
    if (wait)
        await sleep(3100);
    const proof = how === 'pow' ? { pow_answer: solve(fields.pow_challenge) }
        : how === 'question' ? { human_answer: questionAnswer(page.text) } : {};
    const res = await c.post('/inscription', { ...fields, ...proof, name, email, password, ...extra });
    return { c, res, fields, page };
}

test('the sign-up form: honeypot, stamp, proof of work with a question for no-JavaScript, linked from login and the header', async () => {
    const srv = await site();
    const c = new Client(srv.base);
    const page = await c.get('/inscription');
    assert.equal(page.status, 200);
    assert.match(page.text, /<form method="post" action="\/inscription" data-pow="1"/);
    assert.match(page.text, /name="contact_url"/);
    assert.match(page.text, /<noscript>[\s\S]*name="human_answer"[\s\S]*<\/noscript>/);
    assert.match(page.text, /autocomplete="new-password"/);
    assert.match(page.text, /minlength="12"/);
    const loginPage = await c.get('/login');
    assert.match(loginPage.text, /href="\/inscription"/);
    assert.match(loginPage.text, /href="\/mot-de-passe-oublie"/);
    assert.doesNotMatch(loginPage.text, /arrive bientôt/);
    assert.match((await c.get('/')).text, /<a href="\/inscription">Créer un compte<\/a>/);
});

test('sign up → a real confirmation mail → its link asks the password → the account is active and logged in; the link serves once', async () => {
    const srv = await site();
    const email = 'yann.kerbrat@exemple.org';
    const { res } = await signup(srv.base, { name: 'Yann Kerbrat', email, password: 'le phare du petit minou' });
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /Vérifiez votre messagerie/);
    assert.equal((await login(srv.base, email, 'le phare du petit minou')).res.status, 401, 'not active before confirmation');
    const [mail] = await mailsTo(srv, email);
    assert.ok(mail, 'the confirmation mail is in the spool');
    assert.deepEqual(mail.defects, []);
    assert.equal(mail.type, 'multipart/alternative');
    assert.equal(mail.subject, 'Confirmez votre inscription');
    assert.match(mail.text, /Un compte vient d'être créé avec cette adresse/);
    assert.doesNotMatch(mail.text + mail.html, /Yann Kerbrat/, 'no text of the person signing up in a mail to an unconfirmed address');
    const token = linkIn(mail, '/confirmer');
    assert.match(mail.html, new RegExp(`<a href="[^"]*/confirmer\\?jeton=${token}">`));
    // Opening the link confirms nothing by itself (mail scanners open links).
    const visitor = new Client(srv.base);
    const form = await visitor.get(`/confirmer?jeton=${token}`);
    assert.equal(form.status, 200);
    assert.match(form.text, /Yann Kerbrat/);
    assert.equal((await login(srv.base, email, 'le phare du petit minou')).res.status, 401);
    const csrf = getCsrf(form.text);
    const wrong = await visitor.post('/confirmer', { jeton: token, password: 'pas le bon mot de passe', csrf });
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /id="error-password"/);
    const ok = await visitor.post('/confirmer', { jeton: token, password: 'le phare du petit minou', csrf });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/compte');
    assert.ok(visitor.jar.get('foison_session'), 'logged in by the confirmation');
    const account = await visitor.get('/compte');
    assert.equal(account.status, 200);
    assert.match(account.text, /Yann Kerbrat/);
    assert.match(account.text, /contributeur\s: vos modifications sont relues avant publication/);
    // The link is used up.
    const again = await new Client(srv.base).get(`/confirmer?jeton=${token}`);
    assert.equal(again.status, 404);
    assert.match(again.text, /Lien invalide ou expiré/);
    // And the account logs in.
    await loginOk(srv.base, email, 'le phare du petit minou');
    // Once sent, a mail keeps only its headers in the file: its one-time link is gone.
    for (let i = 0; i < 50; i++) {
        const q = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `SELECT state, instr(message, '${token}') FROM outbox WHERE recipient = '${email}'`], { encoding: 'utf8' });
        if (q.stdout.trim() === 'sent|0')
            break;
        await sleep(100);
    }
    const kept = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `SELECT state, instr(message, 'jeton'), instr(message, 'Subject:') > 0 FROM outbox WHERE recipient = '${email}'`], { encoding: 'utf8' });
    assert.equal(kept.stdout.trim(), 'sent|0|1');
});

test('the same answer for a known and an unknown address; the owner of a known address is told by mail', async () => {
    const srv = await site();
    const known = srv.users.a.email;
    const [k, u] = await Promise.all([
        signup(srv.base, { name: 'Quelqu’un', email: known, password: 'une autre phrase secrète' }),
        signup(srv.base, { name: 'Quelqu’un', email: 'inconnue.totale@exemple.org', password: 'une autre phrase secrète' }),
    ]);
    assert.equal(k.res.status, 200);
    assert.equal(u.res.status, 200);
    const body = (r, e) => r.text.replace(/<input[^>]*>/g, '').split(e).join('ADRESSE')
        .replace(/<main[\s\S]*?>/, '').replace(/[\s\S]*<main/, '').replace(/<\/main>[\s\S]*/, '');
    assert.equal(body(k.res, known), body(u.res, 'inconnue.totale@exemple.org'));
    const [told] = await mailsTo(srv, known);
    assert.equal(told.subject, 'Vous avez déjà un compte');
    assert.match(told.text, /\/mot-de-passe-oublie/);
    // The known account is untouched: its password still works.
    await loginOk(srv.base, known, srv.users.a.password);
    // The forgotten-password form answers the same too.
    const ask = async (email) => {
        const c = new Client(srv.base);
        const f = await c.get('/mot-de-passe-oublie');
        const r = await c.post('/mot-de-passe-oublie', { email, csrf: getCsrf(f.text) });
        assert.equal(r.status, 200);
        return r.text.split(email).join('ADRESSE').replace(/<input[^>]*>/g, '');
    };
    assert.equal(await ask(srv.users.b.email), await ask('personne.ici@exemple.org'));
    const [reset] = await mailsTo(srv, srv.users.b.email);
    assert.equal(reset.subject, 'Choisir un nouveau mot de passe');
    await queueDone(srv);
    assert.equal(mails(srv).filter((m) => m.to === 'personne.ici@exemple.org').length, 0, 'no mail to an unknown address');
});

test('robots: honeypot, too fast, no proof, a wrong answer, a replayed challenge are refused; the question works without JavaScript', async () => {
    const srv = await site();
    const who = (n) => ({ name: `Robot ${n}`, email: `robot${n}@exemple.org`, password: 'une phrase assez longue' });
    const [honey, fast, none, wrong, viaQuestion] = await Promise.all([
        signup(srv.base, who(1), { extra: { contact_url: 'http://spam.example' } }),
        signup(srv.base, who(2), { wait: false }),
        signup(srv.base, who(3), { how: 'none' }),
        signup(srv.base, who(4), { how: 'none', extra: { human_answer: '99' } }),
        signup(srv.base, who(5), { how: 'question' }),
    ]);
    for (const r of [honey, fast, none, wrong]) {
        assert.equal(r.res.status, 422, r.res.text.slice(0, 300));
        assert.match(r.res.text, /aucun compte n'a été créé/);
        assert.match(inputValue(r.res.text, 'email'), /^robot\d@exemple\.org$/, 'input kept');
    }
    assert.match(fast.res.text, /trop vite/);
    assert.match(wrong.res.text, /id="error-human_answer"/);
    assert.equal(viaQuestion.res.status, 200, viaQuestion.res.text.slice(0, 500));
    // The challenge of an accepted sign-up cannot serve again.
    const replay = await viaQuestion.c.post('/inscription', {
        ...viaQuestion.fields, human_answer: questionAnswer(viaQuestion.page.text), ...who(6),
    });
    assert.equal(replay.status, 422);
    await queueDone(srv);
    assert.equal(mails(srv).filter((m) => /robot[1-46]@/.test(m.to)).length, 0, 'no mail for a refused sign-up');
    assert.equal((await mailsTo(srv, 'robot5@exemple.org')).length, 1);
});

test('passwords: 12 characters at least, common ones refused, errors beside the fields with the input kept', async () => {
    const srv = await site();
    const cases = [
        ['court-court', /au moins 12 caractères/],
        ['password123456', /plus courants/],
        ['1q2w3e4r5t6y', /plus courants/],
        ['aaaaaaaaaaaaaaaa', /trop peu de caractères différents/],
        ['erwan.le-goff@exemple.org', /reprendre votre nom ou votre adresse/],
    ];
    // The three groups of refused sign-ups are independent: sent together, each after its fill time.
    const [results, bad, r] = await Promise.all([
        Promise.all(cases.map(([pw]) =>
            signup(srv.base, { name: 'Erwan Le Goff', email: 'erwan.le-goff@exemple.org', password: pw }))),
        Promise.all([
            signup(srv.base, { name: '', email: 'x@exemple.org', password: 'une phrase assez longue' }),
            signup(srv.base, { name: 'N'.repeat(81), email: 'x@exemple.org', password: 'une phrase assez longue' }),
            signup(srv.base, { name: 'Nom', email: 'pas-une-adresse', password: 'une phrase assez longue' }),
            signup(srv.base, { name: 'Nom', email: `${'a'.repeat(250)}@exemple.org`, password: 'une phrase assez longue' }),
            signup(srv.base, { name: 'Deux\nlignes', email: 'x@exemple.org', password: 'une phrase assez longue' }),
        ]),
        (async () => {
            // Invalid UTF-8 in the name.
            const { c, fields } = await signupForm(srv.base);
            await sleep(3100);
            const raw = `csrf=${fields.csrf}&stamp=${encodeURIComponent(fields.stamp)}&pow_challenge=${encodeURIComponent(fields.pow_challenge)}` +
                `&pow_answer=${solve(fields.pow_challenge)}&name=%C3%28&email=utf8%40exemple.org&password=une+phrase+assez+longue`;
            return c.post('/inscription', null, { raw });
        })(),
    ]);
    results.forEach(({ res }, i) => {
        assert.equal(res.status, 422, cases[i][0]);
        assert.match(decodeEntities(res.text), cases[i][1], cases[i][0]);
        assert.match(res.text, /id="error-password"/);
        assert.equal(inputValue(res.text, 'name'), 'Erwan Le Goff');
        assert.equal(inputValue(res.text, 'email'), 'erwan.le-goff@exemple.org');
        if (i < 4)
            assert.doesNotMatch(res.text, new RegExp(`value="${cases[i][0]}"`), 'the password is never echoed');
    });
    for (const { res } of bad)
        assert.equal(res.status, 422);
    assert.match(bad[0].res.text, /id="error-name"/);
    assert.match(bad[2].res.text, /id="error-email"/);
    // Invalid UTF-8 in the name: refused, never a 500.
    assert.ok([400, 422].includes(r.status), `invalid UTF-8: a clear refusal (${r.status})`);
});

test('mot de passe oublié: the link works once, ends the other sessions, confirms a pending account (no pre-hijacking)', async () => {
    const srv = await site();
    // Someone opens an account with Gaëlle's address before she does.
    const email = 'gaelle.morvan@exemple.org';
    const squat = await signup(srv.base, { name: 'Usurpateur', email, password: 'le mot de passe du squatteur' });
    assert.equal(squat.res.status, 200);
    const [confirm] = await mailsTo(srv, email);
    // Gaëlle, who does not know that password, cannot confirm it into the squatter's account…
    const token = linkIn(confirm, '/confirmer');
    const g = new Client(srv.base);
    const form = await g.get(`/confirmer?jeton=${token}`);
    assert.match(form.text, /Usurpateur/, 'the page says whose account it is');
    const no = await g.post('/confirmer', { jeton: token, password: 'la phrase de gaelle morvan', csrf: getCsrf(form.text) });
    assert.equal(no.status, 422);
    // …she resets the password, which confirms the address and makes the account hers.
    const f = await g.get('/mot-de-passe-oublie');
    assert.equal((await g.post('/mot-de-passe-oublie', { email, csrf: getCsrf(f.text) })).status, 200);
    const [resetMail] = (await mailsTo(srv, email, 2)).filter((m) => m.subject === 'Choisir un nouveau mot de passe');
    const rt = linkIn(resetMail, '/reinitialiser');
    const rf = await g.get(`/reinitialiser?jeton=${rt}`);
    assert.equal(rf.status, 200);
    const weak = await g.post('/reinitialiser', { jeton: rt, password: 'court', csrf: getCsrf(rf.text) });
    assert.equal(weak.status, 422);
    assert.match(weak.text, /id="error-password"/);
    const done = await g.post('/reinitialiser', { jeton: rt, password: 'la phrase de gaelle morvan', csrf: getCsrf(rf.text) });
    assert.equal(done.status, 303);
    assert.ok(g.jar.get('foison_session'));
    assert.equal((await login(srv.base, email, 'le mot de passe du squatteur')).res.status, 401, 'the squatter is out');
    await loginOk(srv.base, email, 'la phrase de gaelle morvan');
    assert.equal((await new Client(srv.base).get(`/reinitialiser?jeton=${rt}`)).status, 404, 'used once');
    const changed = (await mailsTo(srv, email, 3)).find((m) => m.subject === 'Votre mot de passe a changé');
    assert.ok(changed, 'the owner is told the password changed');

    // A reset ends the sessions opened before it.
    const before = await loginOk(srv.base, email, 'la phrase de gaelle morvan');
    const f2 = await new Client(srv.base).get('/mot-de-passe-oublie');
    const asker = new Client(srv.base);
    const f3 = await asker.get('/mot-de-passe-oublie');
    assert.equal((await asker.post('/mot-de-passe-oublie', { email, csrf: getCsrf(f3.text) })).status, 200);
    assert.ok(f2.status === 200);
    const second = (await mailsTo(srv, email, 4)).filter((m) => m.subject === 'Choisir un nouveau mot de passe');
    const rt2 = linkIn(second[second.length - 1], '/reinitialiser');
    const rf2 = await asker.get(`/reinitialiser?jeton=${rt2}`);
    assert.equal((await asker.post('/reinitialiser', { jeton: rt2, password: 'encore une autre phrase', csrf: getCsrf(rf2.text) })).status, 303);
    assert.equal((await before.get('/compte')).status, 303, 'the older session is gone');
    // An expired link is refused.
    const f4 = await asker.get('/mot-de-passe-oublie');
    await asker.post('/mot-de-passe-oublie', { email, csrf: getCsrf(f4.text) });
    const third = (await mailsTo(srv, email, 6)).filter((m) => m.subject === 'Choisir un nouveau mot de passe');
    const rt3 = linkIn(third[third.length - 1], '/reinitialiser');
    const q = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, "UPDATE account_links SET expires = 1 WHERE purpose = 'reset' AND used IS NULL"], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    assert.equal((await asker.get(`/reinitialiser?jeton=${rt3}`)).status, 404);
    assert.equal((await asker.get('/reinitialiser?jeton=zz')).status, 404);
});

async function newAccount(srv, name, email, password) {
    const { res } = await signup(srv.base, { name, email, password });
    assert.equal(res.status, 200, res.text.slice(0, 400));
    const [mail] = await mailsTo(srv, email);
    const token = linkIn(mail, '/confirmer');
    const c = new Client(srv.base);
    const form = await c.get(`/confirmer?jeton=${token}`);
    const r = await c.post('/confirmer', { jeton: token, password, csrf: getCsrf(form.text) });
    assert.equal(r.status, 303);
    await c.refreshCsrf('/compte');
    return c;
}

test('the account page: profile, password (other sessions end), e-mail address re-confirmed, logging out everywhere', async () => {
    const srv = await site();
    const email = 'lena.guillou@exemple.org';
    const c = await newAccount(srv, 'Léna Guillou', email, 'vive les tiers-lieux du pays');
    const other = await loginOk(srv.base, email, 'vive les tiers-lieux du pays');
    // Profile.
    let r = await c.post('/compte/profil', { name: 'Léna G.', bio: 'Animatrice du Repair Café de Plouzané.' });
    assert.equal(r.status, 303);
    let page = await c.get('/compte');
    assert.equal(inputValue(page.text, 'name'), 'Léna G.');
    assert.match(page.text, /Animatrice du Repair Café de Plouzané\./);
    r = await c.post('/compte/profil', { name: '', bio: 'x'.repeat(501) });
    assert.equal(r.status, 422);
    assert.match(r.text, /id="error-name"/);
    assert.match(r.text, /id="error-bio"/);
    assert.equal(decodeEntities(/<textarea[^>]*name="bio"[^>]*>([\s\S]*?)<\/textarea>/.exec(r.text)[1]), 'x'.repeat(501), 'input kept');
    // Password: the current one is required; the change ends the other sessions, not this one.
    r = await c.post('/compte/mot-de-passe', { current: 'pas celui-là du tout', password: 'une nouvelle phrase longue' });
    assert.equal(r.status, 422);
    assert.match(r.text, /id="error-current"/);
    r = await c.post('/compte/mot-de-passe', { current: 'vive les tiers-lieux du pays', password: 'password' });
    assert.equal(r.status, 422);
    r = await c.post('/compte/mot-de-passe', { current: 'vive les tiers-lieux du pays', password: 'une nouvelle phrase longue' });
    assert.equal(r.status, 303);
    assert.equal((await c.get('/compte')).status, 200, 'this session goes on (rotated)');
    assert.equal((await other.get('/compte')).status, 303, 'the other session ended');
    await c.refreshCsrf('/compte');
    // E-mail address: a link to the new one; the address changes when it is followed.
    r = await c.post('/compte/adresse', { new_email: 'lena@tiers-lieu.exemple.org', email_current: 'mauvais mot de passe' });
    assert.equal(r.status, 422);
    assert.equal(inputValue(r.text, 'new_email'), 'lena@tiers-lieu.exemple.org');
    r = await c.post('/compte/adresse', { new_email: 'lena@tiers-lieu.exemple.org', email_current: 'une nouvelle phrase longue' });
    assert.equal(r.status, 303);
    const [toNew] = await mailsTo(srv, 'lena@tiers-lieu.exemple.org');
    assert.equal(toNew.subject, 'Confirmez votre nouvelle adresse');
    const notice = (await mailsTo(srv, email, 2)).find((m) => m.subject === "Changement d'adresse demandé");
    assert.ok(notice, 'the old address is told');
    await loginOk(srv.base, email, 'une nouvelle phrase longue'); // not changed yet
    const et = linkIn(toNew, '/compte/adresse');
    const ef = await c.get(`/compte/adresse?jeton=${et}`);
    assert.equal(ef.status, 200);
    r = await c.post('/compte/adresse/confirmer', { jeton: et, csrf: getCsrf(ef.text) });
    assert.equal(r.status, 303);
    assert.equal((await login(srv.base, email, 'une nouvelle phrase longue')).res.status, 401);
    const byNew = await loginOk(srv.base, 'lena@tiers-lieu.exemple.org', 'une nouvelle phrase longue');
    assert.equal((await c.post('/compte/adresse/confirmer', { jeton: et, csrf: getCsrf(ef.text) })).status, 404, 'used once');
    // Logging out everywhere.
    r = await c.post('/compte/deconnexion-partout', {});
    assert.equal(r.status, 303);
    assert.equal((await c.get('/compte')).status, 303);
    assert.equal((await byNew.get('/compte')).status, 303);
    // CSRF is required on every account form.
    const d = await loginOk(srv.base, 'lena@tiers-lieu.exemple.org', 'une nouvelle phrase longue');
    assert.equal((await d.post('/compte/profil', { name: 'Pirate' }, { csrf: false })).status, 403);
    assert.equal((await new Client(srv.base).get('/compte')).status, 303, 'visitors go to the login');
});

test('a link asked for by whoever had the password dies when the owner changes it or logs out everywhere; password guesses on the account page are limited', async () => {
    const srv = await site();
    const email = 'nolwenn.quere@exemple.org';
    const owner = await newAccount(srv, 'Nolwenn Quéré', email, 'le marché de saint-louis');
    // Someone who learnt the password asks to move the account to their address…
    const thief = await loginOk(srv.base, email, 'le marché de saint-louis');
    assert.equal((await thief.post('/compte/adresse', { new_email: 'voleur@exemple.org', email_current: 'le marché de saint-louis' })).status, 303);
    const [stolen] = await mailsTo(srv, 'voleur@exemple.org');
    const link = linkIn(stolen, '/compte/adresse');
    // …the owner changes the password: the link is worth nothing any more.
    assert.equal((await owner.post('/compte/mot-de-passe', { current: 'le marché de saint-louis', password: 'une phrase toute neuve ici' })).status, 303);
    const anon = new Client(srv.base);
    assert.equal((await anon.get(`/compte/adresse?jeton=${link}`)).status, 404);
    // The same with "log out everywhere".
    await owner.refreshCsrf('/compte');
    const thief2 = await loginOk(srv.base, email, 'une phrase toute neuve ici');
    assert.equal((await thief2.post('/compte/adresse', { new_email: 'voleur2@exemple.org', email_current: 'une phrase toute neuve ici' })).status, 303);
    const link2 = linkIn((await mailsTo(srv, 'voleur2@exemple.org'))[0], '/compte/adresse');
    assert.equal((await owner.post('/compte/deconnexion-partout', {})).status, 303);
    assert.equal((await anon.get(`/compte/adresse?jeton=${link2}`)).status, 404);
    // Guessing the current password from a session: 5 tries per 15 minutes, then 429.
    const s = await loginOk(srv.base, email, 'une phrase toute neuve ici');
    const codes = [];
    for (let i = 0; i < 6; i++)
        codes.push((await s.post('/compte/mot-de-passe', { current: `essai ${i} au hasard`, password: 'une autre phrase encore' })).status);
    assert.deepEqual(codes, [422, 422, 422, 422, 422, 429]);
    const last = await s.post('/compte/supprimer', { delete_password: 'une phrase toute neuve ici' });
    assert.equal(last.status, 429, 'even the right password waits once the limit is reached');
    assert.ok(Number(last.headers.get('retry-after')) > 0);
    // Names and bios: no invisible characters, bios on lines.
    const s2 = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
    // (the HTTP layer may refuse some of them first, with 400: refused either way, never saved)
    for (const [name, bio] of [['Bruno\u202eTesteur', ''], ['Bruno\u200bTesteur', ''], ['Bruno Testeur', 'ligne\u001bescape']]) {
        const r = await s2.post('/compte/profil', { name, bio });
        assert.ok([400, 422].includes(r.status), `${JSON.stringify(name)} ${JSON.stringify(bio)}: ${r.status}`);
    }
    assert.doesNotMatch((await s2.get('/compte')).text, /\u202e|\u200b|\u001b/);
    assert.equal((await s2.post('/compte/profil', { name: 'Bruno Testeur', bio: 'une ligne\r\nune autre' })).status, 303);
    assert.match((await s2.get('/compte')).text, />une ligne\nune autre<\/textarea>/);
});

test('an account never confirmed frees its address once its link expired', async () => {
    const srv = await site();
    const email = 'loic.prigent@exemple.org';
    assert.equal((await signup(srv.base, { name: 'Squat', email, password: 'le mot de passe du squat' })).res.status, 200);
    const q = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `UPDATE users SET created = created - 3 * 86400 WHERE email = '${email}'`], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    assert.equal((await signup(srv.base, { name: 'Loïc Prigent', email, password: 'la phrase de loic ici' })).res.status, 200);
    const confirms = (await mailsTo(srv, email, 2)).filter((m) => m.subject === 'Confirmez votre inscription');
    const token = linkIn(confirms[confirms.length - 1], '/confirmer');
    const c = new Client(srv.base);
    const form = await c.get(`/confirmer?jeton=${token}`);
    assert.match(form.text, /Loïc Prigent/);
    assert.equal((await c.post('/confirmer', { jeton: token, password: 'la phrase de loic ici', csrf: getCsrf(form.text) })).status, 303);
});

test('my data as JSON, and deleting my account: contributions stay under the pseudonym, everything personal goes', async () => {
    const srv = await site();
    const email = 'tanguy.lelann@exemple.org';
    const c = await newAccount(srv, 'Tanguy Le Lann', email, 'la grève de saint-anne');
    // An edit as a contributor: pending, attributed to him.
    const form = await c.get('/innovations/new');
    assert.equal(form.status, 200);
    const inn = sampleInnovation({ title: 'Atelier vélo du Relecq-Kerhuon' });
    await sleep(1000);
    const created = await c.post('/innovations/new', { ...formFields(inn), started: inputValue(form.text, 'started') ?? '' });
    assert.equal(created.status, 303, created.text.slice(0, 500));
    // A draft of the guided path: private, but part of the person's data.
    await c.get('/proposer/innovations');
    const drafted = await c.post('/proposer/innovations', { title: 'Brouillon de grainothèque', summary: 'Une boîte à graines où chacun dépose et emporte des semences.', aller: 'suivant' });
    assert.equal(drafted.status, 303, `${drafted.status} ${(drafted.text.match(/class="error[^<]*<[^<]*/g) || []).join(' ')}`);
    const exp = await c.get('/compte/donnees.json');
    assert.equal(exp.status, 200);
    assert.match(exp.headers.get('content-disposition'), /attachment/);
    assert.match(exp.headers.get('cache-control'), /no-store/);
    const data = exp.json();
    assert.equal(data.account.email, email);
    assert.equal(data.account.name, 'Tanguy Le Lann');
    assert.equal(data.account.status, 'active');
    assert.equal(data.revisions.length, 1);
    assert.equal(data.revisions[0].state, 'pending');
    assert.equal(data.revisions[0].fields.title, 'Atelier vélo du Relecq-Kerhuon');
    assert.ok(data.sessions.length >= 1);
    assert.ok(data.mails.length >= 1, 'the confirmation mail is listed');
    assert.deepEqual(data.reports, []);
    assert.equal(data.drafts.length, 1, 'the draft is in the copy');
    assert.equal(data.drafts[0].kind, 'innovation');
    assert.equal(data.drafts[0].title, 'Brouillon de grainothèque');
    assert.equal(data.drafts[0].answers.title, 'Brouillon de grainothèque');
    assert.match(data.drafts[0].key, /^[0-9a-f]{24}$/);
    assert.ok(!('password_hash' in data.account));
    assert.equal((await new Client(srv.base).get('/compte/donnees.json')).status, 303, 'visitors get nothing');
    // Deleting: the password is required; the pseudonym is checked.
    let r = await c.post('/compte/supprimer', { delete_password: 'faux', pseudonym: '' });
    assert.equal(r.status, 422);
    assert.match(r.text, /id="error-delete_password"/);
    r = await c.post('/compte/supprimer', { delete_password: 'la grève de saint-anne', pseudonym: 'p'.repeat(81) });
    assert.equal(r.status, 422);
    r = await c.post('/compte/supprimer', { delete_password: 'la grève de saint-anne', pseudonym: 'Un ancien du Relecq' });
    assert.equal(r.status, 303);
    assert.equal((await c.get('/compte')).status, 303, 'logged out');
    assert.equal((await login(srv.base, email, 'la grève de saint-anne')).res.status, 401);
    const q = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `SELECT name, status, bio, email LIKE '%@invalid' FROM users WHERE name = 'Un ancien du Relecq'`], { encoding: 'utf8' });
    assert.equal(q.stdout.trim(), 'Un ancien du Relecq|deleted||1');
    const left = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `SELECT count(*) FROM outbox WHERE recipient = '${email}'`], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '0', 'the mails to the address are forgotten with the account');
    // The contribution stays, under the pseudonym: the moderators see it in the queue.
    const m = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
    const queue = await m.get('/moderation');
    assert.match(queue.text, /Atelier vélo du Relecq-Kerhuon[\s\S]*?par Un ancien du Relecq/);
    // The address is free again: a new account can use it.
    const again = await signup(srv.base, { name: 'Tanguy', email, password: 'la grève de saint-anne' });
    assert.equal(again.res.status, 200);
    const latest = (await mailsTo(srv, email, 2)).filter((m) => m.subject === 'Confirmez votre inscription');
    assert.equal(latest.length, 2);
});

test('a change of rights rotates the session: the old cookie dies, the browser gets a new one', async () => {
    const srv = await site();
    const email = 'morgane.kervella@exemple.org';
    const c = await newAccount(srv, 'Morgane Kervella', email, 'les vélos de la rive droite');
    const oldCookie = c.jar.get('foison_session');
    const id = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `SELECT id FROM users WHERE email = '${email}'`], { encoding: 'utf8' }).stdout.trim();
    const m = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
    const t = await m.post(`/moderation/accounts/${id}/trust`, { reason: 'fiable' });
    assert.equal(t.status, 303, t.text.slice(0, 300));
    const page = await c.get('/compte');
    assert.equal(page.status, 200);
    assert.notEqual(c.jar.get('foison_session'), oldCookie, 'a new session cookie');
    assert.match(page.text, /contributeur de confiance/);
    const stale = new Client(srv.base);
    stale.jar.set('foison_session', oldCookie);
    assert.equal((await stale.get('/compte')).status, 303, 'the old token is dead');
});

test('limits: sign-ups per address per hour (429 with Retry-After); sign-up closed by a setting', async () => {
    const srv = await startServer();
    cleanups.push(() => srv.stop());
    setting(srv, 'rate_signups', '2');
    const rs = await Promise.all([1, 2, 3].map((i) =>
        signup(srv.base, { name: `Personne ${i}`, email: `p${i}@exemple.org`, password: 'une phrase assez longue' })));
    const statuses = rs.map((x) => x.res.status).sort();
    assert.deepEqual(statuses, [200, 200, 429]);
    const limited = rs.find((x) => x.res.status === 429).res;
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.match(decodeEntities(limited.text), /réessayez dans \d+ minutes?/);
    const closed = srv;
    setting(closed, 'signup', 'closed');
    const page = await new Client(closed.base).get('/inscription');
    assert.match(page.text, /L'inscription libre est fermée/);
    const r = await signup(closed.base, { name: 'X', email: 'x@exemple.org', password: 'une phrase assez longue' }, { wait: false, how: 'none' });
    assert.equal(r.res.status, 403);
});

test('the CLI refuses short and common passwords too', async () => {
    const srv = await site();
    const r = spawnSync(BIN, ['user', 'add', srv.db, '--email', 'cli@exemple.org', '--name', 'CLI', '--role', 'contributor'],
        { input: 'azerty123456\n', encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /plus courants/);
});
