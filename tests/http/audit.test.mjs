// audit.test.mjs — the security self-audit /admin/audit: admins only; a fresh demo site flags
// what an operator must fix before going online (no https base URL, mail only in the spool, no
// sender, sign-up open without mail, default legal notice, demo passwords); once fixed through
// the settings (the page or foison config) each check turns ok; risky values (thresholds and
// limits off, a proxy range open to all, an undeclared proxy, NORMAL durability…) are flagged.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, loginOk, request, getCsrf, decodeEntities, BIN } from './harness.mjs';

let srv, admin;

before(async () => {
    srv = await startServer();
    admin = await loginOk(srv.base, srv.admin.email, srv.admin.password);
});

after(async () => {
    await srv?.stop();
});

function config(k, v) {
    const r = spawnSync(BIN, ['config', srv.db, k, v], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, `config ${k} ${v}: ${r.stderr}`);
}

/* The checks of the audit page: id → { state, text }. */
async function audit() {
    const r = await admin.get('/admin/audit');
    assert.equal(r.status, 200);
    const out = {};
    for (const m of r.text.matchAll(/<li class="audit-item audit-(fix|watch|ok)" id="audit-([a-z_]+)">([\s\S]*?)<\/li>/g))
        out[m[2]] = { state: m[1], text: decodeEntities(m[3].replace(/<[^>]*>/g, ' ')) };
    assert.ok(Object.keys(out).length >= 14, `checks found: ${Object.keys(out)}`);
    for (const [id, c] of Object.entries(out)) {
        const label = { fix: 'à corriger', watch: 'à surveiller', ok: 'ok' }[c.state];
        assert.match(c.text, new RegExp(`\\s${label}\\s`), `${id} says its state in words`);
        if (c.state !== 'ok')
            assert.match(c.text, /Que faire/, `${id}: how to fix it`);
    }
    return out;
}

test('admins only', async () => {
    assert.equal((await request(srv.base, '/admin/audit')).status, 303);
    const marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
    assert.equal((await marc.get('/admin/audit')).status, 403);
    const chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    assert.equal((await chloe.get('/admin/audit')).status, 403);
});

test('a fresh demo site flags what must be fixed before going online', async () => {
    const a = await audit();
    for (const id of ['base_url', 'smtp', 'mail_from', 'signup', 'legal_notice', 'demo_password'])
        assert.equal(a[id]?.state, 'fix', `${id}: ${a[id]?.text}`);
    for (const id of ['privacy_notice', 'accessibility'])
        assert.equal(a[id]?.state, 'watch', id);
    for (const id of ['spam', 'limits', 'report_hide', 'robot_restrict', 'synchronous', 'proxies', 'staff'])
        assert.equal(a[id]?.state, 'ok', `${id}: ${a[id]?.text}`);
    assert.match(a.smtp.text, /SITE\.db-courriels/);
    assert.match(a.legal_notice.text, /éditeur/);
    assert.match(a.staff.text, /1 administrateur et 3 modérateurs actifs/);
    assert.match(a.demo_password.text, /3 comptes de l'équipe ont encore le mot de passe/);
});

test('fixed through the settings, each check turns ok', async () => {
    // Through the page for some…
    const page = await admin.get('/admin/reglages');
    const form = { csrf: getCsrf(page.text), base_url: 'https://communs.example.org',
        smtp_url: 'smtps://smtp.example.org:465', mail_from: 'Communs <contact@example.org>' };
    assert.equal((await admin.post('/admin/reglages', form)).status, 303);
    // … and the command line for the others.
    config('legal_notice', 'Éditeur : Association des communs, 1 rue de Siam, 29200 Brest.');
    config('privacy_notice', 'Responsable du traitement : l\'association, contact@example.org.');
    config('accessibility_statement', 'Partiellement conforme au RGAA 4.1 (audit de 2026).');
    // The demo passwords are changed (no password page yet: the hash of another password).
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `UPDATE users SET password_hash = (SELECT password_hash
        FROM users WHERE email = '${srv.users.a.email}') WHERE email LIKE '%@demo.foison.test'`]);
    assert.equal(r.status, 0, String(r.stderr));
    const a = await audit();
    for (const [id, c] of Object.entries(a))
        assert.equal(c.state, 'ok', `${id}: ${c.text}`);
    assert.match(a.base_url.text, /https:\/\/communs\.example\.org/);
    assert.match(a.signup.text, /ouverte à tous/);
    assert.match((await admin.get('/admin/audit')).text,
        /0 point à corriger, 0 à surveiller, \d+ en ordre/, 'the summary counts them');
});

test('risky values are flagged, and turn ok again when undone', async () => {
    config('smtp_url', 'smtp://smtp.example.org:587');
    config('smtp_starttls', 'off');
    config('spam_refuse', '40');
    config('rate_edits_new', '0');
    config('rate_mails', '0');
    config('report_hide', '0');
    config('synchronous', 'NORMAL');
    config('signup', 'closed');
    config('robot_restrict', 'off');
    config('trusted_proxies', '10.0.0.1, 0.0.0.0/0');
    let a = await audit();
    assert.equal(a.smtp.state, 'fix');
    assert.match(a.smtp.text, /sans STARTTLS/);
    assert.equal(a.spam.state, 'fix');
    assert.match(a.spam.text, /40/);
    assert.equal(a.limits.state, 'fix');
    assert.match(a.limits.text, /Modifications par minute \(nouveaux comptes\)/);
    assert.match(a.limits.text, /Courriels de compte par heure/);
    assert.doesNotMatch(a.limits.text, /Signalements par jour/);
    assert.equal(a.report_hide.state, 'watch');
    assert.equal(a.synchronous.state, 'watch');
    assert.equal(a.signup.state, 'watch');
    assert.equal(a.robot_restrict.state, 'watch');
    assert.equal(a.proxies.state, 'fix');
    assert.match(a.proxies.text, /\/0/);
    config('smtp_starttls', 'on');
    config('spam_refuse', '100');
    config('spam_hold', '0');
    config('rate_edits_new', '8');
    config('rate_mails', '10');
    config('trusted_proxies', '127.0.0.1');
    a = await audit();
    assert.equal(a.smtp.state, 'ok', a.smtp.text);
    assert.equal(a.spam.state, 'watch', 'hold at 0: every edit held');
    assert.equal(a.limits.state, 'ok');
    assert.equal(a.proxies.state, 'ok');
    config('spam_hold', '50');
    for (const [k, v] of [['report_hide', '3'], ['synchronous', 'FULL'], ['signup', 'open'],
        ['robot_restrict', 'on']])
        config(k, v);
    a = await audit();
    for (const [id, c] of Object.entries(a))
        assert.equal(c.state, 'ok', `${id}: ${c.text}`);
});

test('requests with X-Forwarded-For and no proxy declared: an undeclared proxy', async () => {
    config('trusted_proxies', '');
    let a = await audit();
    assert.equal(a.proxies.state, 'ok', a.proxies.text);
    await request(srv.base, '/', { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    a = await audit();
    assert.equal(a.proxies.state, 'fix');
    assert.match(a.proxies.text, /X-Forwarded-For/);
    config('trusted_proxies', '127.0.0.1');
    a = await audit();
    assert.equal(a.proxies.state, 'ok');
});

test('the team is counted from the active accounts', async () => {
    const r = spawnSync(BIN, ['user', 'add', srv.db, '--email', 'second.admin@test.foison', '--name',
        'Seconde', '--role', 'admin'], { input: 'un mot de passe solide\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match((await audit()).staff.text, /2 administrateurs et 3 modérateurs actifs/);
});
