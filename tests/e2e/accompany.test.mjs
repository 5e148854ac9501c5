// Browser end-to-end of accompanied writing (Debian's chromium driven by playwright-core): the
// demo's administrator, a mediator, writes an innovation for an actor through the full form —
// the actor chosen with the relation fields' search as you type, a person of the actor invited
// by e-mail; the invitation really goes out through an SMTP server on loopback (Debian's
// python3-aiosmtpd), its link is read from the captured mail; that person opens it, signs in
// (the link kept through the login), takes the record over, edits it, and the history shows
// both. The record credits the actor's person and the mediator. The invitation page has no
// WCAG 2.1 A/AA violation found by axe-core, signed in or not, nor the form with its fieldset,
// and never scrolls sideways at 320 px; screenshots in build/e2e-accompany-*.png (desktop and
// 390 px).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, DEMO_ADMIN, startSite, assertAccessible, withWatchedPage, logIn,
    noSideScroll, freePort } from './support.mjs';

const TEST_MS = 180_000;
const shot = (name) => path.join(SHOTS, `e2e-accompany-${name}.png`);
const NARROW = { ...PHONE, viewport: { width: 390, height: 844 } };
const PERSON = { email: 'nolwenn.velo@exemple.org', name: 'Nolwenn Guéguen', password: 'les rayons de la roue avant' };
const ACTOR = 'Roue Libre du Pays d\'Iroise';
const TITLE = 'Atelier de réparation itinérant en Iroise';

let site, base, browser, serverErrors, smtp, smtpProc, invitation;

async function startSmtp() {
    const dir = mkdtempSync(path.join(tmpdir(), 'foison-e2e-smtp-'));
    const port = await freePort();
    smtpProc = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
        '-c', 'aiosmtpd.handlers.Mailbox', path.join(dir, 'mail')], { stdio: ['ignore', 'ignore', 'pipe'] });
    for (let i = 0; ; i++) {
        const ok = await new Promise((resolve) => {
            const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
            c.on('error', () => resolve(false));
        });
        if (ok)
            break;
        assert.ok(i < 100, 'aiosmtpd did not start');
        await new Promise((r) => setTimeout(r, 100));
    }
    return { port, dir, maildir: path.join(dir, 'mail', 'new') };
}

/* The plain text of the first mail to `to` the SMTP server received (within 10 s). */
async function mailTo(to) {
    const py = `
import email, json, sys
from email import policy
for f in sys.argv[2:]:
    m = email.message_from_binary_file(open(f, 'rb'), policy=policy.default)
    if str(m['to']) == sys.argv[1]:
        print(json.dumps([p.get_content() for p in m.walk() if p.get_content_type() == 'text/plain'][0]))
        break`;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
        const files = existsSync(smtp.maildir) ? readdirSync(smtp.maildir).map((f) => path.join(smtp.maildir, f)) : [];
        if (files.length) {
            const r = spawnSync('/usr/bin/python3', ['-c', py, to, ...files], { encoding: 'utf8' });
            if (r.stdout.trim())
                return JSON.parse(r.stdout);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`no mail to ${to}`);
}

before(async () => {
    smtp = await startSmtp();
    site = await startSite({ config: { smtp_url: `smtp://127.0.0.1:${smtp.port}`, smtp_starttls: 'off' } });
    ({ base, browser, serverErrors } = site);
    // The actor's person has an account already (a contributor); the actor's record is the
    // mediator's, made through the API: nobody speaks for the actor yet.
    site.cli(['user', 'add', site.db, '--email', PERSON.email, '--name', PERSON.name, '--role', 'contributor'], `${PERSON.password}\n`);
    const token = site.cli(['token', 'create', site.db, '--email', DEMO_ADMIN.email]).trim();
    const r = await fetch(`${base}/api/v1/entries`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'actor', title: ACTOR, summary: 'Une association qui remet les vélos en route, de Ploudalmézeau au Conquet.' }),
    });
    assert.equal(r.status, 201, await r.text());
});

after(async () => {
    await site?.stop();
    if (smtpProc) {
        smtpProc.kill('SIGTERM');
        await new Promise((r) => (smtpProc.exitCode !== null ? r() : smtpProc.on('exit', r)));
    }
    if (smtp)
        rmSync(smtp.dir, { recursive: true, force: true });
});

test('a mediator writes for an actor and the actor takes it over', { timeout: TEST_MS }, async () => {
    let recordPath;
    await withWatchedPage(browser, shot('failure-mediator'), { ...DESKTOP, serverErrors, tiles: 'blank' }, async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}/innovations/new`);
        await page.getByRole('group', { name: 'Rédaction accompagnée' }).waitFor();
        await page.getByRole('textbox', { name: 'Titre', exact: true }).fill(TITLE);
        await page.getByLabel('Résumé').fill('Un atelier de réparation de vélos qui va de commune en commune avec une remorque.');
        await page.locator('#description').fill('Chaque samedi, une commune différente accueille l\'atelier sur sa place.');
        await page.getByRole('checkbox', { name: 'Mobilité' }).check();
        await page.locator('#commune').selectOption({ label: 'Ploudalmézeau' });
        await page.locator('#status').selectOption({ label: 'En cours' });
        // The actor by the search as you type, as a relation field chooses one.
        const input = page.getByRole('combobox', { name: 'Acteur' });
        await input.click();
        await page.keyboard.type('Roue Lib');
        const listbox = page.getByRole('listbox', { name: /Acteur/ });
        await listbox.waitFor();
        await listbox.getByRole('option').filter({ hasText: ACTOR }).first().click();
        assert.match(await input.inputValue(), /^roue-libre-du-pays-d-iroise, $/);
        await page.getByLabel('Inviter une personne de l\'acteur').fill(PERSON.email);
        await assertAccessible(page, 'the form with its fieldset');
        await page.locator('#field-accompany').screenshot({ path: shot('fieldset') });
        await Promise.all([
            page.waitForURL(/\/innovations\/[a-z0-9-]+$/),
            page.getByRole('button', { name: 'Enregistrer', exact: true }).click(),
        ]);
        recordPath = new URL(page.url()).pathname;
        const credit = await page.locator('aside.attribution').innerText();
        assert.match(credit, new RegExp(`Rédigée par ${ACTOR}, rédaction accompagnée par ${DEMO_ADMIN.name}\\.`));
        assert.match(await page.locator('pre.cite').innerText(), new RegExp(`rédaction accompagnée par ${DEMO_ADMIN.name}`));
    });

    const text = await mailTo(PERSON.email);
    assert.match(text, new RegExp(`« ${TITLE} » avec ou pour ${ACTOR}`));
    invitation = new RegExp(`${base}/accompagnement\\?jeton=[0-9a-f]{64}`).exec(text)?.[0];
    assert.ok(invitation, 'the mail holds the link');

    await withWatchedPage(browser, shot('failure-person'), { ...NARROW, serverErrors, tiles: 'blank', expected: [/status of 409/] }, async (page) => {
        await page.goto(invitation);
        await page.getByRole('heading', { name: 'Reprendre une fiche' }).waitFor();
        assert.match(await page.locator('main').innerText(), new RegExp(`${DEMO_ADMIN.name} a rédigé la fiche ${TITLE} avec ou pour ${ACTOR}`));
        await assertAccessible(page, 'the invitation');
        await noSideScroll(page, 'the invitation at 390 px', 'viewport');
        await page.screenshot({ path: shot('invitation-390'), fullPage: true });
        // Signing in brings the person back to the invitation.
        await page.locator('main').getByRole('link', { name: 'Se connecter' }).click();
        await page.locator('#email').fill(PERSON.email);
        await page.locator('#password').fill(PERSON.password);
        await Promise.all([
            page.waitForURL((u) => u.pathname === '/accompagnement'),
            page.getByRole('button', { name: 'Se connecter' }).click(),
        ]);
        assert.equal(page.url(), invitation);
        await assertAccessible(page, 'the invitation, signed in');
        await page.screenshot({ path: shot('signed-in-390'), fullPage: true });
        await Promise.all([
            page.waitForURL(`${base}${recordPath}`),
            page.getByRole('button', { name: 'Reprendre la fiche' }).click(),
        ]);
        assert.match(await page.locator('.flash').innerText(), /La fiche est à vous/);
        assert.match(await page.locator('aside.attribution').innerText(),
            new RegExp(`Rédigée par ${PERSON.name}, rédaction accompagnée par ${DEMO_ADMIN.name}\\.`));
        await page.screenshot({ path: shot('taken-390'), fullPage: true });
        // The person edits it as their own (their text is held for moderation, as any of theirs).
        await page.goto(`${base}${recordPath}/edit`);
        await page.getByLabel('Résumé').fill('Un atelier de vélos itinérant, tenu par l\'association elle-même depuis qu\'elle a repris la fiche.');
        await Promise.all([
            page.waitForURL(`${base}${recordPath}`),
            page.getByRole('button', { name: 'Enregistrer', exact: true }).click(),
        ]);
        await page.goto(`${base}${recordPath}/history`);
        const history = await page.locator('main').innerText();
        assert.match(history, new RegExp(DEMO_ADMIN.name), 'the mediator typed the first revision');
        assert.match(history, new RegExp(PERSON.name), 'the person typed the second');
        await page.screenshot({ path: shot('history-390'), fullPage: true });
        // The same link again: used, said plainly.
        await page.goto(invitation);
        await page.getByRole('heading', { name: 'Invitation déjà utilisée' }).waitFor();
        await assertAccessible(page, 'a used invitation');
    });
});

test('the invitation page never scrolls sideways at 320 px, and looks right on a desktop', { timeout: TEST_MS }, async () => {
    assert.ok(invitation, 'the first test made the invitation');
    await withWatchedPage(browser, shot('failure-phone'), { ...PHONE, serverErrors, expected: [/status of 409/] }, async (page) => {
        await page.goto(invitation);
        await page.getByRole('heading', { name: 'Invitation déjà utilisée' }).waitFor();
        await noSideScroll(page, 'a used invitation at 320 px', 'viewport');
    });
    // A fresh invitation, seen by a visitor at 320 px and on a desktop.
    const fresh = await withMediatorInvitation('Vélo-école de Lanildut', 'gwenn.iroise@exemple.org');
    await withWatchedPage(browser, shot('failure-phone2'), { ...PHONE, serverErrors }, async (page) => {
        await page.goto(fresh);
        await page.getByRole('heading', { name: 'Reprendre une fiche' }).waitFor();
        await noSideScroll(page, 'the invitation at 320 px', 'viewport');
        await assertAccessible(page, 'the invitation at 320 px');
    });
    await withWatchedPage(browser, shot('failure-desktop'), { ...DESKTOP, serverErrors }, async (page) => {
        await page.goto(fresh);
        await page.getByRole('heading', { name: 'Reprendre une fiche' }).waitFor();
        await noSideScroll(page, 'the invitation on a desktop');
        await page.screenshot({ path: shot('invitation-desktop'), fullPage: true });
    });
});

/* The mediator writes one more record for the actor, by the form without JavaScript's help
 * (the actor's address typed), inviting to; the link of the mail. */
async function withMediatorInvitation(title, to) {
    await withWatchedPage(browser, shot('failure-mediator2'), { ...DESKTOP, serverErrors, tiles: 'blank' }, async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}/innovations/new`);
        await page.getByRole('textbox', { name: 'Titre', exact: true }).fill(title);
        await page.getByLabel('Résumé').fill('Des cours de vélo pour adultes, sur le port, avec des bénévoles.');
        await page.locator('#description').fill('Tous les mercredis, une heure de cours pour apprendre à rouler en confiance.');
        await page.getByRole('checkbox', { name: 'Mobilité' }).check();
        await page.locator('#commune').selectOption({ label: 'Lanildut' });
        await page.locator('#status').selectOption({ label: 'Idée' });
        await page.getByRole('combobox', { name: 'Acteur' }).fill(`${base}/acteurs/roue-libre-du-pays-d-iroise`);
        await page.getByLabel('Inviter une personne de l\'acteur').fill(to);
        await Promise.all([
            page.waitForURL(/\/innovations\/[a-z0-9-]+$/),
            page.getByRole('button', { name: 'Enregistrer', exact: true }).click(),
        ]);
        await page.screenshot({ path: shot('record-desktop'), fullPage: true });
    });
    const text = await mailTo(to);
    return new RegExp(`${base}/accompagnement\\?jeton=[0-9a-f]{64}`).exec(text)[0];
}
