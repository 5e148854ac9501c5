// Browser test of issue 8's pages (Debian's chromium driven by playwright-core), with a real SMTP
// server on 127.0.0.1 (Debian's python3-aiosmtpd). An event of two seats is created through the
// API; one person takes a seat; a guest finds the event from /agenda by clicking, registers by
// the form and gets the last seat, confirms and later cancels by the links of the mail received;
// a second guest, without JavaScript, lands on the waiting list and is promoted when the seat
// frees, told by mail, as the event's page, the organisers' list and the API show. The agenda
// (views, a filter), events (single and recurring), the registration pages, the organisers' list,
// trainings, sessions, resources and their loans have no WCAG 2.1 A/AA violation found by
// axe-core, never scroll sideways at 320 px, and are photographed on a desktop and at 320 px
// (build/e2e-agenda-*.png, to look at). Owns its server, site and SMTP server. Run from the repo
// root: `node --test tests/e2e/agenda.test.mjs`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SHOTS, PHONE as PHONE_2X, DESKTOP, DEMO_ADMIN, DEMO_PASSWORD, startSite,
    assertAccessible, freePort, watchedContext, logIn, noSideScroll } from './support.mjs';

const TEST_MS = 120_000;
const NNBSP = '\u202f';
// The phone, with one device pixel per CSS pixel.
const PHONE = { ...PHONE_2X, deviceScaleFactor: 1 };
const MEMBER = { email: 'karim.benali@demo.foison.test', name: 'Karim Benali', password: DEMO_PASSWORD };
const FIRST = { name: 'Yann Le Gall', email: 'yann@exemple.org' };
const GUEST = { name: 'Gwenaëlle Le Bris', email: 'gwenaelle@exemple.org' };
const NOJS = { name: 'Tristan Kerléo', email: 'tristan@exemple.org' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let site, base, browser, serverErrors, smtp, adminToken, event;

/* A real SMTP server delivering into a maildir; resolves once it accepts connections. */
async function smtpServer() {
    const dir = mkdtempSync(path.join(tmpdir(), 'foison-smtp-'));
    const port = await freePort();
    const proc = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
        '-c', 'aiosmtpd.handlers.Mailbox', path.join(dir, 'mail')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; ; i++) {
        const ok = await new Promise((resolve) => {
            const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
            c.on('error', () => resolve(false));
        });
        if (ok)
            break;
        assert.ok(i < 100, `aiosmtpd did not start: ${stderr}`);
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

/* Every delivered mail as Python's email package reads it: to, subject and the plain text. */
function readMails() {
    if (!existsSync(smtp.maildir) || !readdirSync(smtp.maildir).length)
        return [];
    const py = `
import email, json, os, sys
from email import policy
out = []
for f in sorted(os.listdir(sys.argv[1])):
    m = email.message_from_binary_file(open(os.path.join(sys.argv[1], f), 'rb'), policy=policy.default)
    body = m.get_body(preferencelist=('plain',))
    out.append({'to': str(m['to']), 'subject': str(m['subject']),
                'text': body.get_content() if body else '',
                'types': [p.get_content_type() for p in m.walk()]})
print(json.dumps(out))`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, smtp.maildir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

/* The mail to `to` whose subject matches re, once it has arrived. */
async function mailTo(to, re, ms = 12_000) {
    const until = Date.now() + ms;
    for (;;) {
        const m = readMails().find((x) => x.to.includes(to) && re.test(x.subject));
        if (m)
            return m;
        assert.ok(Date.now() < until, `no mail to ${to} matching ${re}: ${JSON.stringify(
            readMails().map((x) => [x.to, x.subject]))}`);
        await sleep(150);
    }
}

/* A link of the mail: what is confirmer or annuler. */
function linkIn(mail, what) {
    const u = new RegExp(`https?://[^\\s]+/inscriptions/${what}\\?jeton=[0-9a-f]{64}`).exec(mail.text);
    assert.ok(u, `a ${what} link in the mail:\n${mail.text}`);
    const url = new URL(u[0]);
    assert.equal(url.origin, base, 'the link points at the site');
    return url.pathname + url.search;
}

async function api(p, { method = 'GET', token, body } = {}) {
    const headers = { accept: 'application/json' };
    if (token)
        headers.authorization = `Bearer ${token}`;
    if (body)
        headers['content-type'] = 'application/json';
    const r = await fetch(`${base}${p}`, { method, headers, body: body && JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text };
}

/* Today plus days, as a date in Paris (YYYY-MM-DD). */
function parisDay(days) {
    return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

before(async () => {
    rmSync(path.join(SHOTS, 'e2e-agenda-failure.png'), { force: true });
    smtp = await smtpServer();
    site = await startSite({ config: { smtp_url: `smtp://127.0.0.1:${smtp.port}`, smtp_starttls: 'off' } });
    ({ base, browser, serverErrors } = site);
    adminToken = site.cli(['token', 'create', site.db, '--email', DEMO_ADMIN.email]).trim();
    assert.match(adminToken, /^[0-9a-f]{64}$/);
    // Tomorrow evening: among the first events of the agenda's default view.
    const day = parisDay(1);
    const r = await api('/api/v1/entries', {
        method: 'POST', token: adminToken, body: {
            kind: 'event', title: 'Atelier de réparation d\'ordinateurs au PAPI de Kerourien',
            summary: 'On apporte sa machine en panne et on la répare ensemble, avec les bénévoles.',
            event_type: 'atelier', themes: ['numerique'], price: 'gratuit',
            start: `${day} 18:00`, end: `${day} 20:00`, registration: 'site', capacity: 2,
        },
    });
    assert.equal(r.status, 201, r.text);
    event = r.json;
    assert.equal(event.capacity, 2);
});

after(async () => {
    try {
        await site?.stop();
    } finally {
        await smtp?.stop();
    }
});

/* A context whose console errors, page errors and CSP violations are collected in problems, in
 * the time zone of the site's events (Paris). */
function newContext(options = {}, problems = []) {
    return watchedContext(browser, { serverErrors, problems, timezoneId: 'Europe/Paris', ...options });
}

/* From /agenda to the event by its link, then to the form by the event's « S'inscrire ». */
async function registerFromAgenda(page, who) {
    await page.goto(`${base}/agenda`);
    await Promise.all([
        page.waitForURL((u) => u.pathname === `/evenements/${event.slug}`),
        page.locator('.agenda-day').getByRole('link', { name: event.title }).first().click(),
    ]);
    const seats = await page.locator('#inscription .seats').innerText();
    await Promise.all([
        page.waitForURL((u) => u.pathname === `/evenements/${event.slug}/inscription`),
        page.locator('#inscription').getByRole('link', { name: 'S\'inscrire', exact: true }).click(),
    ]);
    await page.getByLabel('Votre nom').fill(who.name);
    await page.getByLabel('Votre adresse e-mail').fill(who.email);
    await Promise.all([
        page.waitForURL((u) => u.pathname === `/evenements/${event.slug}/inscription`),
        page.getByRole('button', { name: 'S\'inscrire' }).click(),
    ]);
    await page.getByRole('heading', { name: 'Inscription enregistrée' }).waitFor();
    return { seats, text: await page.locator('main').innerText() };
}

/* The seats the event's public page tells. */
async function seatsOnPage(page) {
    await page.goto(`${base}/evenements/${event.slug}`);
    return page.locator('#inscription .seats').innerText();
}

test('a guest registers from /agenda, confirms and cancels by the mail\'s links; the first waiting is promoted',
    { timeout: TEST_MS }, async () => {
        // Someone takes one of the two seats.
        const first = await api(`/api/v1/entries/${event.slug}/registrations`, { method: 'POST', body: FIRST });
        assert.equal(first.status, 201, first.text);
        assert.equal(first.json.state, 'registered');

        const problems = [];
        const context = await newContext(DESKTOP, problems);
        const page = await context.newPage();
        let guestMail;
        try {
            const { seats, text } = await registerFromAgenda(page, GUEST);
            assert.match(seats, /^1 place restante \(sur 2\) pour la séance du /);
            assert.match(text, /Une place vous est réservée/);
            assert.match(text, new RegExp(GUEST.email.replace('.', '\\.')));
            await page.screenshot({ path: path.join(SHOTS, 'e2e-agenda-registered-desktop.png'), fullPage: true });

            guestMail = await mailTo(GUEST.email, new RegExp(`\] Inscription${NNBSP}: `));
            assert.ok(guestMail.types.includes('text/calendar'), 'the mail carries the .ics');
            assert.match(guestMail.text, /Confirmez votre inscription/);
            // The confirmation link: the page shows, its button confirms.
            await page.goto(`${base}${linkIn(guestMail, 'confirmer')}`);
            assert.match(await page.locator('main').innerText(), new RegExp(`Inscription de ${GUEST.name}`));
            await page.getByRole('button', { name: 'Confirmer mon inscription' }).click();
            await page.getByRole('heading', { name: 'Inscription confirmée' }).waitFor();
            assert.match(await seatsOnPage(page), /^Complet, liste d'attente \(sur 2\)/);
        } catch (e) {
            await page.screenshot({ path: path.join(SHOTS, 'e2e-agenda-failure.png'), fullPage: true })
                .catch(() => {});
            throw e;
        }

        // Without JavaScript, on a phone: the same way, onto the waiting list.
        const noJs = await newContext({ ...PHONE, javaScriptEnabled: false });
        const p2 = await noJs.newPage();
        try {
            const { seats, text } = await registerFromAgenda(p2, NOJS);
            assert.match(seats, /^Complet, liste d'attente/);
            assert.match(text, /vous êtes sur la liste d'attente, en position 1/);
            await p2.screenshot({ path: path.join(SHOTS, 'e2e-agenda-waiting-nojs-320.png'), fullPage: true });
            const waitMail = await mailTo(NOJS.email, /Liste d'attente/);
            assert.match(waitMail.text, /liste d'attente, en position 1/);

            // The guest cancels by the mail's other link: the seat goes to the first waiting.
            await page.goto(`${base}${linkIn(guestMail, 'annuler')}`);
            await page.getByRole('button', { name: 'Annuler mon inscription' }).click();
            await page.getByRole('heading', { name: 'Inscription annulée' }).waitFor();
            const promo = await mailTo(NOJS.email, /Une place pour vous/);
            assert.match(promo.text, /Une place s'est libérée/);
            assert.ok(promo.types.includes('text/calendar'), 'the promotion mail carries the .ics');
            // The promoted person's link (from the first mail) tells a seat, without JavaScript too.
            await p2.goto(`${base}${linkIn(waitMail, 'annuler')}`);
            assert.match(await p2.locator('main').innerText(), /: inscrit/);
            assert.match(await seatsOnPage(p2), /^Complet, liste d'attente \(sur 2\)/);
            const json = await api(`/api/v1/entries/${event.slug}`);
            assert.equal(json.json.seats_left, 0);

            // The organisers' list: the first two registered, nobody waiting.
            await logIn(page, base, DEMO_ADMIN);
            await page.goto(`${base}/evenements/${event.slug}/inscriptions`);
            const rows = await page.locator('table.participants:not(.waiting) tbody tr').allInnerTexts();
            assert.deepEqual(rows.map((r) => r.split('\t').slice(1, 3)),
                [[FIRST.name, FIRST.email], [NOJS.name, NOJS.email]]);
            assert.equal(await page.locator('table.participants.waiting').count(), 0);
            const list = await api(`/api/v1/entries/${event.slug}/registrations`, { token: adminToken });
            assert.deepEqual(list.json.registrations.map((x) => [x.email, x.state]),
                [[FIRST.email, 'registered'], [NOJS.email, 'registered']]);
        } catch (e) {
            await p2.screenshot({ path: path.join(SHOTS, 'e2e-agenda-failure.png'), fullPage: true })
                .catch(() => {});
            throw e;
        } finally {
            await noJs.close();
            await context.close();
        }
        assert.deepEqual(problems, [], 'no console error, page error or CSP violation');
    });

/* A demo record's path, found through the API by its slug. */
async function demoPath(slug) {
    const r = await api(`/api/v1/entries/${slug}`);
    assert.equal(r.status, 200, `demo ${slug}`);
    return new URL(r.json.url).pathname;
}

test('the pages of events, trainings and resources: no WCAG 2.1 A/AA violation, no sideways scroll at 320 px, screenshots',
    { timeout: TEST_MS }, async () => {
        // A registration of its own to get the links of its mail (showing them changes nothing).
        const zotero = 'doc-at-brest-atelier-zotero-pour-sa-bibliographie';
        const reg = await api(`/api/v1/entries/${zotero}/registrations`, { method: 'POST',
            body: { name: 'Soazig Morvan', email: 'soazig@exemple.org' } });
        assert.equal(reg.status, 201, reg.text);
        const mail = await mailTo('soazig@exemple.org', new RegExp(`\] Inscription${NNBSP}: `));
        const [training, session, pastSession, resource, single, series] = await Promise.all([
            demoPath('animacoop'), demoPath('animacoop-la-prochaine-session-au-pays-de-brest'),
            demoPath('animacoop-printemps-2011-animacoop-4'),
            demoPath('videoprojecteur-portable-du-centre-de-ressources'), demoPath(zotero),
            demoPath('premiers-pas-en-informatique-au-papi-de-bellevue'),
        ]);
        const anonymous = {
            agenda: '/agenda', 'agenda-semaine': '/agenda?vue=semaine', 'agenda-mois': '/agenda?vue=mois',
            'agenda-filtre': '/agenda?vue=mois&theme=numerique',
            evenement: single, serie: series, inscription: `${single}/inscription`,
            confirmer: linkIn(mail, 'confirmer'), annuler: linkIn(mail, 'annuler'),
            formations: '/formations', formation: training, session, 'session-passee': pastSession,
            ressources: '/ressources', ressource: resource,
        };
        // A contributor's view: the application form of a session, the loan form of equipment.
        const asMember = { 'session-candidater': session, 'ressource-emprunter': resource };
        // The organisers' and owners' view: registrations, applications, requests, history.
        const asAdmin = {
            inscriptions: `${single}/inscriptions`, candidatures: `${session}/candidatures`,
            'ressource-responsable': resource, prets: `${resource}/prets`,
        };
        for (const [at, opts] of [['desktop', DESKTOP], ['320', PHONE]]) {
            const problems = [];
            const context = await newContext(opts, problems);
            const page = await context.newPage();
            try {
                const visit = async (name, p) => {
                    const r = await page.goto(`${base}${p}`);
                    assert.equal(r.status(), 200, p);
                    await assertAccessible(page, `${p} at ${at}`);
                    if (opts === PHONE)
                        await noSideScroll(page, p, 'viewport');
                    await page.screenshot({ path: path.join(SHOTS, `e2e-agenda-${name}-${at}.png`),
                        fullPage: true });
                };
                for (const [name, p] of Object.entries(anonymous))
                    await visit(name, p);
                await logIn(page, base, MEMBER);
                for (const [name, p] of Object.entries(asMember))
                    await visit(name, p);
                if (opts === DESKTOP) {
                    // Once: an application and a loan request by their forms; the pages after
                    // (and at 320 px) show them, and the organisers have them to review.
                    await page.goto(`${base}${session}`);
                    await page.getByLabel('… ou en quelques mots').fill(
                        'Un jardin partagé et son site, avec les habitants du quartier');
                    await Promise.all([page.waitForURL((u) => u.pathname === session),
                        page.getByRole('button', { name: 'Envoyer ma candidature' }).click()]);
                    await page.locator('#candidater .notice').waitFor();
                    await page.goto(`${base}${resource}`);
                    await page.getByLabel('Premier jour (retrait)').fill(parisDay(20));
                    await page.getByLabel('Dernier jour (retour)').fill(parisDay(21));
                    await Promise.all([page.waitForURL((u) => u.pathname === resource),
                        page.getByRole('button', { name: 'Demander le prêt' }).click()]);
                    await page.locator('#prets .notice').waitFor();
                }
                for (const [name, p] of Object.entries(asMember))
                    await visit(`${name}-envoye`, p);
                await page.context().clearCookies();
                await logIn(page, base, DEMO_ADMIN);
                for (const [name, p] of Object.entries(asAdmin))
                    await visit(name, p);
                const review = await page.goto(`${base}${session}/candidatures`);
                assert.match(await review.text(), new RegExp(MEMBER.name));
            } finally {
                await context.close();
            }
            assert.deepEqual(problems, [], `no console error, page error or CSP violation at ${at}`);
        }
    });
