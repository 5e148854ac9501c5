// Browser end-to-end of the guided path to propose a record (/proposer, web/propose.c): the
// demo's administrator proposes an innovation question by question, trips an error on the way
// (the step comes back with the error beside the field and the input kept), reads the preview
// and sends it; the record is published. On a phone 320 px wide the same pages never scroll
// sideways. Every page met (start, a step, an error, the preview) has no WCAG 2.1 A/AA
// violation found by axe-core; screenshots in build/e2e-propose-*.png at both widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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

let tmp;
after(async () => {
    await site?.stop();
    if (tmp)
        fs.rmSync(tmp, { recursive: true, force: true });
});

/* A real JPEG made here with Debian's vips (libvips-tools): w × h of coloured noise. */
function makeJpeg(name, w, h) {
    tmp ||= fs.mkdtempSync(path.join(os.tmpdir(), 'foison-e2e-propose-'));
    const file = path.join(tmp, name);
    const r = spawnSync('vips', ['gaussnoise', file, String(w), String(h), '--mean', '128', '--sigma', '50'],
        { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return file;
}

/* The innovation path from its first step up to the photo step (step 10), answered briefly. */
async function walkToPhoto(page, title) {
    await page.goto(`${base}/proposer/innovations`);
    await page.locator('#title').fill(title);
    await page.locator('#summary').fill(SUMMARY);
    await next(page);
    await page.waitForURL(/etape=2$/);
    const answers = [
        ['#description', 'Née d\'un troc de graines à la médiathèque.'],
        ['#strengths', 'Des jardiniers de tous âges se rencontrent.'],
        ['#holders', 'Association des jardiniers'],
        ['#how_it_works', 'Une boîte dans le hall, des sachets, un cahier.'],
        ['#needs', 'Des enveloppes et un meuble.'],
        ['#how_to_reproduce', 'Commencer petit, dans un lieu ouvert souvent.'],
    ];
    for (const [sel, text] of answers) {
        await page.locator(sel).fill(text);
        await next(page);
    }
    await page.locator('#commune').selectOption({ label: 'Lanrivoaré' });
    await page.getByRole('checkbox', { name: 'Transition écologique' }).check();
    await next(page);
    await next(page);
    await page.waitForURL(/etape=10$/);
}

const shot = (name) => path.join(SHOTS, `e2e-propose-${name}.png`);
// The refused steps answer 422, which Chromium logs as a console error.
// The refused photo answers 415.
const OPTIONS = { serverErrors, expected: [/status of 422/, /status of 415/], tiles: 'blank' };

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
        assert.match(await page.locator('.propose-count').innerText(), /Étape 1 sur 11/);
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
        assert.match(await page.locator('.propose-count').innerText(), /Étape 9 sur 11/);
        await page.locator('#contacts').fill('À l\'accueil de la médiathèque.');
        await next(page);
        await page.waitForURL(/etape=10$/);
        // The photo step is optional: passed without a file.
        assert.equal((await page.locator('h1').innerText()).trim(), 'Une photo pour illustrer la fiche ?');
        await next(page, 'Relire la fiche');
        await page.waitForURL(/etape=11$/);

        // The preview: the record as its page will show it, links to change each step.
        await page.locator('article.propose-record').waitFor();
        assert.equal((await page.locator('.propose-record-title').innerText()).trim(), TITLE);
        assert.equal((await page.locator('section.description strong').innerText()).trim(), 'troc de graines');
        assert.equal(await page.locator('.propose-edit a').count(), 10);
        assert.equal(await page.locator('.propose-photo').count(), 0, 'no photo given');
        assert.equal(await page.locator('.error-summary').count(), 0);
        await assertAccessible(page, 'the preview');
        await page.screenshot({ path: shot('preview-desktop'), fullPage: true });

        // Change one step from the preview, and come back to it.
        await page.locator('.propose-edit a').nth(2).click();
        await page.waitForURL(/etape=3$/);
        await page.locator('#strengths').fill('Des jardiniers de tous âges se rencontrent et échangent.');
        await next(page, 'Revenir à la relecture');
        await page.waitForURL(/etape=11$/);

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
        url.searchParams.set('etape', '8');
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

for (const [where, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`propose an innovation through the guided path with a photo from a file, preview, submit (${where})`,
        { timeout: TEST_MS }, async () => {
            await withWatchedPage(browser, shot(`photo-failure-${where}`), { ...OPTIONS, ...viewport }, async (page) => {
                await logIn(page, base, DEMO_ADMIN);
                const title = `La grainothèque en photo (${where})`;
                await walkToPhoto(page, title);
                assert.match(await page.locator('.propose-count').innerText(), /Étape 10 sur 11/);
                const input = page.locator('input[type="file"]#file');
                assert.equal(await input.getAttribute('accept'), 'image/jpeg,image/png,image/webp,image/heic');
                await assertAccessible(page, `the photo step (${where})`);
                await noSideScroll(page, 'the photo step', 'viewport');

                // A refused file: the error beside the field, the summary focused, the texts kept.
                await input.setInputFiles({ name: 'dessin.svg', mimeType: 'image/svg+xml',
                    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
                await page.locator('#alt').fill('Une boîte en bois pleine de sachets de graines');
                await page.locator('#caption').fill('La boîte à graines du hall');
                await next(page, 'Relire la fiche');
                await page.locator('#field-file.has-error #error-file').waitFor();
                assert.equal(await page.evaluate(() => document.activeElement?.id), 'erreurs', 'focus on the summary');
                assert.equal(await page.locator('#alt').inputValue(), 'Une boîte en bois pleine de sachets de graines');
                assert.equal(await page.locator('#caption').inputValue(), 'La boîte à graines du hall');
                await assertAccessible(page, `the photo step with an error (${where})`);
                await noSideScroll(page, 'the photo step with an error', 'viewport');

                await page.locator('#file').setInputFiles(makeJpeg(`grainotheque-${where}.jpg`, 1200, 800));
                await page.locator('#author').fill('Équipe de la médiathèque');
                await page.screenshot({ path: shot(`photo-${where}`), fullPage: true });
                await next(page, 'Relire la fiche');
                await page.waitForURL(/etape=11$/);

                // The preview shows the photo, from the draft's own address.
                const img = page.locator('figure.propose-photo img');
                await img.waitFor();
                assert.equal(await img.getAttribute('alt'), 'Une boîte en bois pleine de sachets de graines');
                assert.match(await img.getAttribute('src'), /^\/proposer\/brouillons\/[0-9a-f]{24}\/photo\/[0-9a-f]{64}\.jpg$/);
                await page.waitForFunction(() => {
                    const i = document.querySelector('figure.propose-photo img');
                    return i && i.complete && i.naturalWidth > 0;
                });
                assert.match(await page.locator('figure.propose-photo figcaption').innerText(), /Équipe de la médiathèque/);
                await noSideScroll(page, 'the preview with a photo', 'viewport');
                await assertAccessible(page, `the preview with a photo (${where})`);
                await page.screenshot({ path: shot(`photo-preview-${where}`), fullPage: true });

                await Promise.all([
                    page.waitForURL(/\/innovations\/la-grainotheque-en-photo-/),
                    page.getByRole('button', { name: 'Envoyer la fiche' }).click(),
                ]);
                // The record's main image: the same photo, now a medium of the entry.
                const main = page.locator('figure.media-main img');
                await main.waitFor();
                assert.equal(await main.getAttribute('alt'), 'Une boîte en bois pleine de sachets de graines');
                assert.match(await main.getAttribute('src'), /^\/media\/[0-9a-f]{64}\.jpg$/);
                await page.screenshot({ path: shot(`photo-entry-${where}`), fullPage: true });
            });
        });
}

test('the photo step without JavaScript: a plain multipart form post', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, shot('photo-nojs-failure'), { ...OPTIONS, ...PHONE, javaScriptEnabled: false },
        async (page) => {
            await logIn(page, base, DEMO_ADMIN);
            await walkToPhoto(page, 'La grainothèque sans script');
            await page.locator('#file').setInputFiles(makeJpeg('sans-script.jpg', 600, 600));
            await page.locator('#alt').fill('Des sachets de graines étiquetés à la main');
            await next(page, 'Relire la fiche');
            await page.waitForURL(/etape=11$/);
            const img = page.locator('figure.propose-photo img');
            assert.equal(await img.getAttribute('alt'), 'Des sachets de graines étiquetés à la main');
            await noSideScroll(page, 'the preview without JavaScript', 'viewport');
            await page.screenshot({ path: shot('photo-nojs-phone'), fullPage: true });
            await Promise.all([
                page.waitForURL(/\/innovations\/la-grainotheque-sans-script$/),
                page.getByRole('button', { name: 'Envoyer la fiche' }).click(),
            ]);
            assert.equal(await page.locator('figure.media-main img').getAttribute('alt'),
                'Des sachets de graines étiquetés à la main');
        });
});
