// Browser end-to-end of the guided path to propose a record (/proposer, web/propose.c): the
// demo's administrator proposes an innovation question by question, trips an error on the way
// (the step comes back with the error beside the field and the input kept), reads the preview
// and sends it; the record is published. On a phone 320 px wide the same pages never scroll
// sideways. Every page met (start, a step, an error, the preview) has no WCAG 2.1 A/AA
// violation found by axe-core; screenshots in build/e2e-propose-*.png at both widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, DEMO_ADMIN, startSite, assertAccessible, withWatchedPage, logIn,
    noSideScroll } from './support.mjs';

const TEST_MS = 180_000;
const TITLE = 'La grainothèque de Lanrivoaré';
const SUMMARY = 'Une boîte à graines où chacun dépose et emporte des semences de son jardin.';

let site, base, browser, serverErrors;

before(async () => {
    site = await startSite();
    ({ base, browser, serverErrors } = site);
});

after(async () => {
    await site?.stop();
});

const shot = (name) => path.join(SHOTS, `e2e-propose-${name}.png`);
// The refused steps answer 422, which Chromium logs as a console error.
const OPTIONS = { serverErrors, expected: [/status of 422/], tiles: 'blank' };

async function next(page, label = 'Suivant') {
    await Promise.all([
        page.waitForLoadState('load'),
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: label, exact: true }).click(),
    ]);
}

test('an innovation proposed through the guided path, on a desktop', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, shot('failure-desktop'), { ...OPTIONS, ...DESKTOP }, async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.getByRole('link', { name: 'Proposer une innovation', exact: true }).first().click();
        await page.waitForURL(/\/proposer$/);
        await assertAccessible(page, 'start page');
        await page.screenshot({ path: shot('start-desktop'), fullPage: true });

        await page.locator('.propose-kinds a.propose-kind').first().click();
        await page.waitForURL(/\/proposer\/innovations$/);
        assert.match(await page.locator('.propose-count').innerText(), /Étape 1 sur 10/);
        assert.equal(await page.locator('.propose-steps li[aria-current="step"]').count(), 1);
        await page.locator('#title').fill(TITLE);
        await page.locator('#summary').fill(SUMMARY);
        await next(page);
        await page.waitForURL(/etape=2$/);

        // Step 2 sent empty: the error beside the field, in French, and a summary.
        await next(page);
        await page.locator('#field-description.has-error p.error').waitFor();
        assert.match(await page.locator('#error-description').innerText(), /obligatoire/);
        await page.locator('.error-summary').waitFor();
        await assertAccessible(page, 'a step with an error');
        await page.screenshot({ path: shot('error-desktop'), fullPage: true });
        await page.locator('#description').fill('Née d\'un **troc de graines** à la médiathèque.');
        await next(page);
        await page.waitForURL(/etape=3$/);

        await assertAccessible(page, 'a step');
        await page.screenshot({ path: shot('step-desktop'), fullPage: true });
        await page.locator('#strengths').fill('Des jardiniers de tous âges se rencontrent.');
        await next(page);
        await page.locator('#holders').fill('Association des jardiniers de Lanrivoaré');
        await page.locator('#start_year').fill('2021');
        await next(page);
        await page.locator('#how_it_works').fill('Une boîte dans le hall, des sachets, un cahier.');
        await next(page);
        await page.locator('#needs').fill('Des enveloppes et un meuble ; aucun budget.');
        await next(page);
        await page.locator('#how_to_reproduce').fill('Commencer petit, dans un lieu ouvert souvent.');
        await next(page);
        await page.locator('#commune').selectOption({ label: 'Lanrivoaré' });
        await page.getByRole('checkbox', { name: 'Transition écologique' }).check();
        await next(page);
        assert.match(await page.locator('.propose-count').innerText(), /Étape 9 sur 10/);
        await page.locator('#contacts').fill('À l\'accueil de la médiathèque.');
        await next(page, 'Relire la fiche');
        await page.waitForURL(/etape=10$/);

        // The preview: the record as its page will show it, links to change each step.
        await page.locator('article.propose-record').waitFor();
        assert.equal((await page.locator('.propose-record-title').innerText()).trim(), TITLE);
        assert.equal((await page.locator('section.description strong').innerText()).trim(), 'troc de graines');
        assert.equal(await page.locator('.propose-edit a').count(), 9);
        assert.equal(await page.locator('.error-summary').count(), 0);
        await assertAccessible(page, 'the preview');
        await page.screenshot({ path: shot('preview-desktop'), fullPage: true });

        // Change one step from the preview, and come back to it.
        await page.locator('.propose-edit a').nth(2).click();
        await page.waitForURL(/etape=3$/);
        await page.locator('#strengths').fill('Des jardiniers de tous âges se rencontrent et échangent.');
        await next(page, 'Revenir à la relecture');
        await page.waitForURL(/etape=10$/);

        await Promise.all([
            page.waitForURL(/\/innovations\/la-grainotheque-de-lanrivoare$/),
            page.getByRole('button', { name: 'Envoyer la fiche' }).click(),
        ]);
        assert.equal((await page.locator('article.entry h1').innerText()).trim(), TITLE);
        assert.match(await page.locator('.flash').innerText(), /créée/);
        assert.match(await page.locator('section#section-source').innerText(), /échangent/);
    });
});

test('the guided path on a phone 320 px wide: no sideways scroll', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, shot('failure-phone'), { ...OPTIONS, ...PHONE }, async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}/proposer`);
        await noSideScroll(page, 'start page', 'viewport');
        await assertAccessible(page, 'start page (phone)');
        await page.screenshot({ path: shot('start-phone'), fullPage: true });
        await page.goto(`${base}/proposer/lieux`);
        await noSideScroll(page, 'step 1', 'viewport');
        await next(page);
        await page.locator('.error-summary').waitFor();
        await noSideScroll(page, 'error state', 'viewport');
        await assertAccessible(page, 'error state (phone)');
        await page.screenshot({ path: shot('error-phone'), fullPage: true });
        await page.locator('#title').fill('Le fablab des Capucins');
        await page.locator('#summary').fill('Des machines pour fabriquer, réparer, apprendre.');
        await next(page);
        await page.waitForURL(/etape=2$/);
        await noSideScroll(page, 'a step with the location picker', 'viewport');
        await assertAccessible(page, 'a step (phone)');
        await page.screenshot({ path: shot('step-phone'), fullPage: true });
        await page.locator('#place_type').selectOption('fablab');
        await page.locator('[id="address.commune"]').selectOption({ label: 'Brest' });
        await next(page);
        await page.waitForURL(/etape=3$/);
        // Straight to the preview: what is still missing is said there.
        const url = new URL(page.url());
        url.searchParams.set('etape', '7');
        await page.goto(url.toString());
        await page.locator('article.propose-record').waitFor();
        await noSideScroll(page, 'the preview', 'viewport');
        await assertAccessible(page, 'the preview (phone)');
        await page.screenshot({ path: shot('preview-phone'), fullPage: true });
        // Kept for later: the account page lists the draft.
        await page.goto(`${base}/compte`);
        await page.locator('#brouillons').waitFor();
        assert.match(await page.locator('.propose-draft-list').innerText(), /Le fablab des Capucins/);
        await noSideScroll(page, 'the account page', 'viewport');
        await assertAccessible(page, 'the account page with drafts (phone)');
        await page.screenshot({ path: shot('account-phone'), fullPage: true });
    });
});
