// Browser end-to-end of a public-writing workshop (Debian's chromium driven by playwright-core):
// the demo's administrator, a mediator, makes a batch of links on /atelier and gets the sheet to
// print (its cards, QR codes, and the print layout without the site's header); a participant
// opens a link on a phone 320 px wide and joins; their first text waits on the mediator's
// /atelier with its diff, and the mediator publishes it. /atelier, the sheet, the batch's page
// and the join page have no WCAG 2.1 A/AA violation found by axe-core and never scroll sideways
// at 320 px; screenshots in build/e2e-workshop-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, DEMO_ADMIN, startSite, assertAccessible, withWatchedPage, logIn,
    noSideScroll } from './support.mjs';

const TEST_MS = 180_000;
const TITLE = 'Atelier d\'écriture publique — médiathèque de Lannilis, 12 décembre';
const shot = (name) => path.join(SHOTS, `e2e-workshop-${name}.png`);

let site, base, browser, serverErrors;
let links = [];

before(async () => {
    site = await startSite();
    ({ base, browser, serverErrors } = site);
});

after(async () => {
    await site?.stop();
});

test('a mediator makes a batch of links and gets the sheet to print', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, shot('failure-mediator'), { ...DESKTOP, serverErrors, expected: [/status of 422/] }, async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.getByRole('link', { name: 'Ateliers' }).click();
        await page.waitForURL(/\/atelier$/);
        await assertAccessible(page, '/atelier');
        await page.screenshot({ path: shot('home'), fullPage: true });
        // A mistake first: kept and said beside the field.
        await page.getByLabel('Titre de l\'atelier').fill(TITLE);
        await page.getByLabel('Nombre de liens').fill('60');
        await page.getByRole('button', { name: 'Créer les liens et afficher la feuille' }).click();
        await page.locator('#error-count').waitFor();
        assert.equal(await page.getByLabel('Titre de l\'atelier').inputValue(), TITLE);
        await assertAccessible(page, '/atelier with errors');
        await page.getByLabel('Nombre de liens').fill('6');
        await page.getByRole('button', { name: 'Créer les liens et afficher la feuille' }).click();
        await page.locator('.ws-card').first().waitFor();
        assert.equal(await page.locator('.ws-card').count(), 6);
        assert.equal(await page.locator('.ws-card svg.qr[role="img"]').count(), 6);
        assert.equal(await page.getByRole('img', { name: 'Code QR du lien 1 sur 6' }).count(), 1);
        links = await page.locator('.ws-url').allTextContents();
        assert.equal(new Set(links).size, 6);
        for (const l of links)
            assert.match(l, new RegExp(`^${base}/atelier/rejoindre\\?jeton=[a-z2-9]{26}$`));
        const box = await page.locator('.ws-card svg.qr').first().boundingBox();
        assert.ok(box.width >= 120 && Math.abs(box.width - box.height) < 1, `a square code big enough to scan (${box.width})`);
        await assertAccessible(page, 'the sheet');
        await page.screenshot({ path: shot('sheet'), fullPage: true });
        // Printed: no site header or navigation, only the cards, two by two.
        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.locator('header.site').isVisible(), false);
        assert.equal(await page.locator('.ws-screen-only').isVisible(), false);
        const [a, b] = await page.locator('.ws-card').evaluateAll((cards) => cards.slice(0, 2).map((c) => c.getBoundingClientRect().top));
        assert.equal(a, b, 'two cards side by side when printed');
        await page.screenshot({ path: shot('print'), fullPage: true });
        await page.emulateMedia({ media: 'screen' });
        // The batch's page: its links, none used yet.
        await page.getByRole('link', { name: 'Suivre l\'utilisation des liens' }).click();
        await page.waitForURL(/\/atelier\/lots\/\d+$/);
        await assertAccessible(page, 'the batch page');
        assert.equal(await page.locator('table.ws-links tbody tr').count(), 6);
    });
});

test('the mediator\'s pages and the sheet never scroll sideways at 320 px', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, shot('failure-phone-mediator'), { ...PHONE, serverErrors }, async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}/atelier`);
        await noSideScroll(page, '/atelier', 'viewport');
        await page.screenshot({ path: shot('home-phone'), fullPage: true });
        await page.getByLabel('Titre de l\'atelier').fill('Atelier du mardi — Plouguerneau');
        await page.getByLabel('Nombre de liens').fill('2');
        await page.getByRole('button', { name: 'Créer les liens et afficher la feuille' }).click();
        await page.locator('.ws-card').first().waitFor();
        await noSideScroll(page, 'the sheet', 'viewport');
        await page.screenshot({ path: shot('sheet-phone'), fullPage: true });
        await page.getByRole('link', { name: 'Suivre l\'utilisation des liens' }).click();
        await page.waitForURL(/\/atelier\/lots\/\d+$/);
        await noSideScroll(page, 'the batch page', 'viewport');
        await page.screenshot({ path: shot('batch-phone'), fullPage: true });
    });
});

test('a participant joins from a link on a phone; their first text waits for the mediator, who publishes it', { timeout: TEST_MS }, async () => {
    assert.ok(links.length, 'the first test made the links');
    const title = 'Les écrivains publics du pays des Abers';
    await withWatchedPage(browser, shot('failure-participant'), { ...PHONE, serverErrors, tiles: 'blank', expected: [/status of 410/] }, async (page) => {
        await page.goto(links[0]);
        await page.getByRole('heading', { name: 'Rejoindre l\'atelier' }).waitFor();
        assert.match(await page.locator('main').innerText(), /médiathèque de Lannilis/);
        await noSideScroll(page, 'the join page', 'viewport');
        await assertAccessible(page, 'the join page');
        await page.screenshot({ path: shot('join'), fullPage: true });
        await page.getByLabel('Nom affiché sur vos textes').fill('Gwenaëlle Participante');
        await page.getByLabel('Adresse e-mail').fill('gwenaelle@exemple.org');
        await page.getByLabel('Mot de passe').fill('les goélands de l\'aber');
        await page.getByRole('button', { name: 'Ouvrir mon compte' }).click();
        await page.waitForURL(`${base}/`);
        assert.match(await page.locator('.flash').innerText(), /Votre compte est ouvert/);
        await noSideScroll(page, 'home after joining', 'viewport');
        await page.screenshot({ path: shot('joined'), fullPage: true });
        // The same link again: it has served.
        await page.goto(links[0]);
        await page.getByRole('heading', { name: 'Ce lien a déjà servi' }).waitFor();
        await assertAccessible(page, 'a used link');
        await noSideScroll(page, 'a used link', 'viewport');
        // A first text, through the form's own fields (posted by the page's session).
        await page.goto(`${base}/innovations/new`);
        const form = await page.locator('form[action="/innovations/new"]').evaluate((f) =>
            Object.fromEntries([...new FormData(f)].filter(([, v]) => typeof v === 'string')));
        await page.waitForTimeout(1100);
        const res = await page.request.post(`${base}/innovations/new`, {
            form: { ...form, title, summary: 'Des textes écrits ensemble à la médiathèque.',
                description: 'Chaque mardi, un atelier aide à écrire pour le web.', themes: 'numerique',
                commune: '29117', status: 'en-cours', license: 'CC-BY-SA-4.0' },
            maxRedirects: 0,
        });
        assert.equal(res.status(), 303, (await res.text()).slice(0, 400));
    });
    assert.equal((await fetch(`${base}/innovations`).then((r) => r.text())).includes(title), false, 'pending: not public');
    await withWatchedPage(browser, shot('failure-review'), { ...DESKTOP, serverErrors }, async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}/atelier`);
        await page.getByRole('heading', { name: title }).waitFor();
        await assertAccessible(page, '/atelier with a text to review');
        await page.screenshot({ path: shot('review'), fullPage: true });
        await page.getByRole('button', { name: 'Approuver et publier' }).click();
        await page.waitForURL(/\/atelier$/);
        assert.match(await page.locator('.flash').innerText(), /publiée/);
    });
    assert.equal((await fetch(`${base}/innovations`).then((r) => r.text())).includes(title), true, 'published');
});
