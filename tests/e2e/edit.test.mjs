// End-to-end test in a real browser (Debian's chromium driven by playwright-core): a person logs
// in, creates an innovation (tripping a validation error on the way), edits it, reads its history
// and diff, and finds it in the list. Owns its own server on a fresh demo site so it can run
// alongside anything else. Run from the repo root: `node --test tests/e2e/`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ACTION_MS, SHOTS, DESKTOP, DEMO_ADMIN as ADMIN, startSite, answerTiles } from './support.mjs';

const TEST_MS = 90_000;

const TITLE = 'Atelier vélo partagé de Plouarzel';
const SUMMARY_1 = 'Des bénévoles réparent des vélos avec les habitants chaque samedi matin.';
const SUMMARY_2 = 'Des bénévoles réparent des vélos avec les habitants chaque mercredi soir.';
const DESCRIPTION = [
    'Un atelier **participatif** ouvert à toutes et tous, pour :',
    '',
    '- réparer son vélo soi-même ;',
    '- emprunter des outils ;',
    '- apprendre la mécanique de base.',
    '',
].join('\n');
const HOW_IT_WORKS = 'Chaque séance, un **bénévole** accueille les cyclistes.';
const NEEDS = '- des outils\n- un local chauffé';
const COMMENT_1 = 'Création de la fiche (test e2e)';
const COMMENT_2 = 'Le créneau passe au mercredi';

let site;
let base;
let browser;

before(async () => {
    rmSync(path.join(SHOTS, 'e2e-failure.png'), { force: true });
    // The site's base URL is fixed when it is created; startSite sets it to where the site is
    // served, so the permanent link in the attribution block can be checked.
    site = await startSite();
    ({ base, browser } = site);
});

after(async () => {
    await site?.stop();
});

// Console errors and CSP violations from every page of a context. Chromium reports CSP
// violations as console errors already; the securitypolicyviolation listener makes them explicit
// even if that wording changes.
function watch(context) {
    const problems = [];
    context.on('page', (page) => attach(page, problems));
    for (const p of context.pages()) attach(p, problems);
    return problems;
}

function attach(page, problems) {
    page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const where = msg.location().url;
        // Chromium logs every 4xx as a console error; the only one the scenario expects is the 422
        // of the deliberately invalid form.
        const expected = /status of 422/.test(msg.text())
            && new URL(where).pathname === '/innovations/new';
        if (expected) return;
        problems.push(`console error on ${page.url()} (${where}): ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
    page.on('response', (r) => {
        if (r.status() >= 500) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
}

async function newContext(options = {}) {
    const context = await browser.newContext({ locale: 'fr-FR', ...options });
    context.setDefaultTimeout(ACTION_MS);
    context.setDefaultNavigationTimeout(ACTION_MS);
    await answerTiles(context); // the innovation form's location picker shows a map
    await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
            console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
        });
    });
    return context;
}

const recordUrl = /\/innovations\/(?!new$)[^/?#]+$/;

test('a contributor creates, edits and reviews an innovation', { timeout: TEST_MS }, async (t) => {
    const context = await newContext(DESKTOP);
    const problems = watch(context);
    const page = await context.newPage();
    let slug;
    let broken = false;
    // Later steps make no sense once one fails: skip them, and keep a picture of the failure.
    const step = (name, fn) => {
        const options = broken ? { skip: 'an earlier step failed' } : {};
        return t.test(name, options, async () => {
            try {
                await fn();
            } catch (e) {
                broken = true;
                const shot = path.join(SHOTS, 'e2e-failure.png');
                await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
                throw e;
            }
        });
    };

    await step('home page and login', async () => {
        const r = await page.goto(`${base}/`);
        assert.equal(r.status(), 200);
        await page.screenshot({ path: path.join(SHOTS, 'e2e-home.png'), fullPage: true });
        await page.getByRole('link', { name: 'Se connecter' }).click();
        await page.waitForURL(/\/login/);
        await page.locator('#email').fill(ADMIN.email);
        await page.locator('#password').fill(ADMIN.password);
        await Promise.all([
            page.waitForURL((u) => !u.pathname.startsWith('/login')),
            page.getByRole('button', { name: 'Se connecter' }).click(),
        ]);
        await assertText(page.locator('header.site .who'), ADMIN.name);
        assert.equal(await page.getByRole('link', { name: 'Se connecter' }).count(), 0);
    });

    await step('the form keeps the input and shows the error beside an empty title', async () => {
        await page.getByRole('link', { name: 'Proposer une innovation', exact: true }).first().click();
        await page.waitForURL(/\/proposer$/);
        await page.getByRole('link', { name: 'ou le formulaire complet pour proposer une innovation' }).click();
        await page.waitForURL(/\/innovations\/new$/);
        await page.locator('#title').fill(TITLE);
        await page.locator('#summary').fill(SUMMARY_1);
        await page.locator('#description').fill(DESCRIPTION);
        await page.getByRole('checkbox', { name: 'Mobilité' }).check();
        await page.getByRole('checkbox', { name: 'Économie sociale et solidaire' }).check();
        await page.locator('#commune').selectOption({ label: 'Plouarzel' });
        await page.locator('#status').selectOption('idee');
        await page.locator('#how_it_works').fill(HOW_IT_WORKS);
        await page.locator('#needs').fill(NEEDS);
        await page.locator('#comment').fill(COMMENT_1);
        await page.locator('#title').fill(''); // a person changes their mind and clears it

        const [resp] = await Promise.all([
            page.waitForResponse((r) => r.request().method() === 'POST'
                && new URL(r.url()).pathname === '/innovations/new'),
            page.getByRole('button', { name: 'Enregistrer' }).click(),
        ]);
        assert.equal(resp.status(), 422);
        const err = page.locator('#field-title.has-error p.error#error-title');
        await err.waitFor();
        assert.ok((await err.textContent()).trim().length > 0, 'error message is empty');
        assert.equal(await page.locator('.field.has-error').count(), 1, 'only the title in error');
        await page.locator('.error-summary').waitFor();
        assert.equal(await page.locator('#title').inputValue(), '');
        assert.equal(await page.locator('#summary').inputValue(), SUMMARY_1);
        assert.equal(await page.locator('#description').inputValue(), DESCRIPTION);
        assert.ok(await page.locator('input[name="themes"][value="mobilite"]').isChecked());
        assert.ok(await page.locator('input[name="themes"][value="ess"]').isChecked());
        assert.equal(await page.locator('#commune').inputValue(), '29177');
        assert.equal(await page.locator('#status').inputValue(), 'idee');
        assert.equal(await page.locator('#how_it_works').inputValue(), HOW_IT_WORKS);
        assert.equal(await page.locator('#needs').inputValue(), NEEDS);
        assert.equal(await page.locator('#comment').inputValue(), COMMENT_1);
        await page.screenshot({ path: path.join(SHOTS, 'e2e-form-errors.png'), fullPage: true });
    });

    await step('fixing the title creates the record', async () => {
        await page.locator('#title').fill(TITLE);
        await Promise.all([
            page.waitForURL(recordUrl),
            page.getByRole('button', { name: 'Enregistrer' }).click(),
        ]);
        slug = new URL(page.url()).pathname.split('/').pop();
        await assertText(page.locator('article.entry h1'), TITLE);
        await assertText(page.locator('article.entry .summary'), SUMMARY_1);
        await assertText(page.locator('section.description strong'), 'participatif');
        assert.equal(await page.locator('section.description li').count(), 3);
        await assertText(page.locator('section.description li').first(), 'réparer son vélo');
        const facts = await page.locator('dl.facts').innerText();
        assert.match(facts, /Plouarzel/);
        assert.match(facts, /Mobilité/);
        assert.match(facts, /Idée/);
        const source = page.locator('section.source');
        await assertText(source.locator('strong'), 'bénévole');
        assert.equal(await source.locator('li').count(), 2);
        const attribution = page.locator('aside.attribution');
        await assertText(attribution.locator('h2'), 'Réutiliser cette fiche');
        const lic = attribution.locator('a[rel="license"]');
        assert.match(await lic.getAttribute('href'), /creativecommons\.org\/licenses\/by-sa\/4\.0/);
        const attributionText = await attribution.innerText();
        assert.match(attributionText, new RegExp(ADMIN.name));
        const permalink = `${base}/innovations/${slug}`;
        assert.equal(await attribution.locator(`a[href="${permalink}"]`).count(), 1,
            `permalink ${permalink} in:\n${attributionText}`);
        assert.match(await attribution.locator('pre.cite').innerText(),
            new RegExp(`${escapeRe(TITLE)}.*${escapeRe(permalink)}`, 's'));
        await page.screenshot({ path: path.join(SHOTS, 'e2e-record.png'), fullPage: true });
    });

    await step('editing the summary', async () => {
        await page.getByRole('link', { name: 'Modifier', exact: true }).click();
        await page.waitForURL(/\/edit$/);
        assert.equal(await page.locator('#title').inputValue(), TITLE);
        assert.equal(await page.locator('#comment').inputValue(), '', 'edit comment starts empty');
        await page.locator('#summary').fill(SUMMARY_2);
        await page.locator('#comment').fill(COMMENT_2);
        await Promise.all([
            page.waitForURL(recordUrl),
            page.getByRole('button', { name: 'Enregistrer' }).click(),
        ]);
        assert.equal(new URL(page.url()).pathname, `/innovations/${slug}`);
        await assertText(page.locator('article.entry .summary'), SUMMARY_2);
    });

    await step('history and diff', async () => {
        await page.getByRole('link', { name: 'Historique' }).click();
        await page.waitForURL(/\/history$/);
        const rows = page.locator('table.history tbody tr');
        assert.equal(await rows.count(), 2);
        const text = await page.locator('table.history').innerText();
        assert.equal(text.split(ADMIN.name).length - 1, 2, `author twice in:\n${text}`);
        assert.match(text, new RegExp(escapeRe(COMMENT_1)));
        assert.match(text, new RegExp(escapeRe(COMMENT_2)));
        await page.screenshot({ path: path.join(SHOTS, 'e2e-history.png'), fullPage: true });

        await page.getByRole('link', { name: 'différences' }).click();
        await page.waitForURL(/\/diff\?/);
        const diff = page.locator('section.diff-field');
        assert.equal(await diff.count(), 1, 'only the summary changed');
        await assertText(diff.locator('h2'), 'Résumé');
        const dels = (await diff.locator('del').allTextContents()).join(' ');
        const inss = (await diff.locator('ins').allTextContents()).join(' ');
        assert.match(dels, /samedi/);
        assert.match(dels, /matin/);
        assert.match(inss, /mercredi/);
        assert.match(inss, /soir/);
        assert.doesNotMatch(dels + inss, /bénévoles/, 'unchanged words are not marked');
        await page.screenshot({ path: path.join(SHOTS, 'e2e-diff.png'), fullPage: true });
    });

    await step('the new card is in the list', async () => {
        await page.getByRole('link', { name: 'Innovations', exact: true }).click();
        await page.waitForURL(/\/innovations$/);
        const card = page.locator('ul.cards li.card', {
            has: page.locator(`a[href$="/${slug}"]`),
        });
        let listPage = 1;
        while (!(await card.count())) {
            const next = page.locator('a[rel="next"]');
            assert.ok(await next.count(), `card for ${slug} not found on any of ${listPage} pages`);
            assert.ok(listPage < 20, 'pager does not end');
            const href = new URL(await next.getAttribute('href'), page.url()).href;
            await Promise.all([page.waitForURL(href), next.click()]);
            listPage++;
        }
        t.diagnostic(`new card found on list page ${listPage}`);
        assert.equal(await card.count(), 1);
        await assertText(card.locator('h3'), TITLE);
        await assertText(card, SUMMARY_2);
        await assertText(card.locator('.meta'), 'Plouarzel');
    });

    await step('record page fits a phone screen', async () => {
        const mobile = await newContext({
            viewport: { width: 390, height: 844 },
            deviceScaleFactor: 2,
            isMobile: true,
            hasTouch: true,
        });
        const mobileProblems = watch(mobile);
        try {
            const p = await mobile.newPage();
            const r = await p.goto(`${base}/innovations/${slug}`);
            assert.equal(r.status(), 200);
            const { sw, iw } = await p.evaluate(() => ({
                sw: document.documentElement.scrollWidth, iw: window.innerWidth,
            }));
            await p.screenshot({ path: path.join(SHOTS, 'e2e-record-mobile.png'), fullPage: true });
            assert.ok(sw <= iw, `horizontal scroll on a phone: scrollWidth ${sw} > ${iw}`);
        } finally {
            await mobile.close();
            problems.push(...mobileProblems);
        }
    });

    await context.close();
    await t.test('no console errors, CSP violations or 5xx responses', () => {
        assert.deepEqual(problems, []);
    });
});

async function assertText(locator, expected) {
    await locator.first().waitFor();
    const text = await locator.first().innerText();
    assert.ok(text.includes(expected), `expected "${expected}" in "${text}"`);
}

function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
