// Browser test of the pages' polish (Debian's chromium driven by playwright-core): at 320 px
// the record, list, form and login pages never scroll sideways (WCAG 1.4.10), the list and
// record pages are photographed at 320 px and on a desktop (build/e2e-polish-*.png, to look at),
// and every page touched by the polish work has no WCAG 2.1 A/AA violation found by axe-core
// (support.mjs), the admin pages among them (settings and communes, with their errors). Owns its
// own server on a fresh demo site. Run from the repo root: `node --test tests/e2e/`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, DEMO_ADMIN, startSite, assertAccessible, watchedContext, logIn,
    noSideScroll } from './support.mjs';

const TEST_MS = 120_000;

let site, base, browser, serverErrors;

before(async () => {
    site = await startSite();
    ({ base, browser, serverErrors } = site);
});

after(async () => {
    await site?.stop();
});

/* A context whose 5xx answers are collected; nothing else of it is watched. */
function newContext(options = {}) {
    return watchedContext(browser, { serverErrors, ...options });
}

/* Opens rec's history as an anonymous visitor: the gate before it (web/robots.c) solves its proof
 * of work in the browser and loads the history; its cookie then lets the context through. */
async function passGate(page, rec) {
    await page.goto(`${base}${rec}/history`);
    await page.locator('table.history').waitFor();
    assert.equal(new URL(page.url()).pathname, `${rec}/history`);
}

/* A record with several revisions, found from the list. */
async function someRecord(page) {
    await page.goto(`${base}/innovations`);
    const href = await page.locator('ul.cards li.card h3 a').first().getAttribute('href');
    return href;
}

test('at 320 px nothing scrolls sideways; screenshots of the list and record pages',
    { timeout: TEST_MS }, async () => {
        for (const [name, opts] of [['320', PHONE], ['desktop', DESKTOP]]) {
            const context = await newContext(opts);
            const page = await context.newPage();
            try {
                const rec = await someRecord(page);
                await page.screenshot({ path: path.join(SHOTS, `e2e-polish-list-${name}.png`),
                    fullPage: true });
                await page.screenshot({ path: path.join(SHOTS, `e2e-polish-list-${name}-top.png`) });
                await page.goto(`${base}${rec}`);
                // The permanent link is a long unbroken URL: it must wrap, not push the page.
                const permalink = page.locator('aside.attribution a[href^="http"]').first();
                assert.match(await permalink.innerText(), new RegExp(`^${base}/innovations/`));
                await page.screenshot({ path: path.join(SHOTS, `e2e-polish-record-${name}.png`),
                    fullPage: true });
                await page.screenshot({ path: path.join(SHOTS, `e2e-polish-record-${name}-top.png`) });
                await page.locator('aside.attribution').screenshot({
                    path: path.join(SHOTS, `e2e-polish-record-${name}-attribution.png`) });
                if (name === '320') {
                    await noSideScroll(page, rec);
                    const box = await permalink.boundingBox();
                    assert.ok(box.x + box.width <= 320, `the permanent link fits: ${JSON.stringify(box)}`);
                    for (const p of ['/innovations', '/innovations?commune=29001', '/login', '/']) {
                        await page.goto(`${base}${p}`);
                        await noSideScroll(page, p);
                    }
                    await logIn(page, base, DEMO_ADMIN);
                    for (const p of ['/innovations/new', `${rec}/edit`, '/login']) {
                        await page.goto(`${base}${p}`);
                        await noSideScroll(page, p);
                    }
                }
            } finally {
                await context.close();
            }
        }
    });

/* Every page the polish touched, anonymous then logged in. */
async function pagesToCheck(page) {
    const rec = await someRecord(page);
    return {
        rec,
        anonymous: ['/', '/innovations', '/innovations?theme=numerique&commune=29019',
            '/innovations?commune=29001', rec, `${rec}?rev=1`, `${rec}/history`,
            `${rec}/diff?from=1&to=2`, '/login', '/nope', '/mentions-legales',
            '/donnees-personnelles', '/accessibilite', '/inscription', '/mot-de-passe-oublie'],
        loggedIn: ['/innovations', rec, `${rec}/history`, '/innovations/new', `${rec}/edit`,
            '/login', '/moderation', '/moderation/log', `${rec}/signaler`,
            '/moderation/signalements', '/admin/reglages', '/admin/audit', '/admin/communes',
            '/compte'],
    };
}

test('no WCAG 2.1 A/AA violation found by axe-core on the pages touched',
    { timeout: TEST_MS }, async () => {
        // The checker finds a violation where there is one, so a pass means something.
        const probe = await newContext(DESKTOP);
        const pp = await probe.newPage();
        await pp.setContent('<!doctype html><html><body><img src="x.png"></body></html>');
        await assert.rejects(assertAccessible(pp, 'probe'), /image-alt/);
        await probe.close();
        for (const opts of [DESKTOP, PHONE]) {
            const context = await newContext(opts);
            const page = await context.newPage();
            const at = `${opts.viewport.width} px`;
            try {
                const { rec, anonymous, loggedIn } = await pagesToCheck(page);
                // The gate page itself, held still (its script blocked), then passed for real.
                await page.route('**/static/login-pow*.js', (r) => r.abort());
                await page.goto(`${base}${rec}/history`);
                await page.locator('form[action="/verification"]').waitFor();
                await assertAccessible(page, `(gate) ${rec}/history at ${at}`);
                if (opts === PHONE)
                    await noSideScroll(page, 'the gate');
                await page.unroute('**/static/login-pow*.js');
                await passGate(page, rec);
                for (const p of anonymous) {
                    await page.goto(`${base}${p}`);
                    await assertAccessible(page, `${p} at ${at}`);
                    if (opts === PHONE)
                        await noSideScroll(page, p);
                }
                await logIn(page, base, DEMO_ADMIN);
                for (const p of loggedIn) {
                    await page.goto(`${base}${p}`);
                    await assertAccessible(page, `(connecté) ${p} at ${at}`);
                }
                // The form with its errors, as a person meets it.
                await page.goto(`${base}/innovations/new`);
                await page.getByRole('button', { name: 'Enregistrer' }).click();
                await page.locator('.error-summary').waitFor();
                await assertAccessible(page, `(422) /innovations/new at ${at}`);
                // Reporting a record: the form with its error, the answer, the moderators' page
                // with the report (the second pass meets "already reported").
                await page.goto(`${base}${rec}/signaler`);
                await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
                await page.locator('#error-reason').waitFor();
                await assertAccessible(page, `(422) ${rec}/signaler at ${at}`);
                await page.getByLabel('Contenu faux ou trompeur').check();
                await page.locator('#report-comment').fill('Les horaires ont changé.');
                await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
                await page.locator('h1').filter({ hasText: /Merci pour votre signalement|Signaler/ }).waitFor();
                await assertAccessible(page, `(sent) ${rec}/signaler at ${at}`);
                await page.goto(`${base}/moderation/signalements`);
                await page.locator('.report-items li').first().waitFor();
                await assertAccessible(page, `(one report) /moderation/signalements at ${at}`);
                if (opts === PHONE)
                    for (const p of [`${rec}/signaler`, '/moderation/signalements', rec]) {
                        await page.goto(`${base}${p}`);
                        await noSideScroll(page, p);
                    }
                // The settings form with its errors.
                await page.goto(`${base}/admin/reglages`);
                await page.locator('#set-trust_edits').fill('beaucoup');
                await page.getByRole('button', { name: 'Enregistrer les réglages' }).click();
                await page.locator('.error-summary').waitFor();
                await assertAccessible(page, `(422) /admin/reglages at ${at}`);
                if (opts === PHONE)
                    await noSideScroll(page, '/admin/reglages');
                // A commune's centre refused beside its field (the other forms untouched).
                await page.goto(`${base}/admin/communes`);
                await page.locator('#lat-29064').fill('quarante-huit');
                await page.locator('#lon-29064').fill('-4,3051');
                await page.locator('#commune-29064')
                    .getByRole('button', { name: 'Enregistrer ce centre' }).click();
                await page.locator('#error-lat-29064').waitFor();
                assert.equal(await page.locator('#lat-29064').inputValue(), 'quarante-huit');
                assert.equal(await page.locator('#lat-29064').getAttribute('aria-invalid'), 'true');
                await assertAccessible(page, `(422) /admin/communes at ${at}`);
                await page.screenshot({ path: path.join(SHOTS,
                    `e2e-polish-admin-communes-${opts === PHONE ? '320' : 'desktop'}.png`) });
                if (opts === PHONE)
                    await noSideScroll(page, '/admin/communes');
            } finally {
                await context.close();
            }
        }
    });

/* What the browser exposes, checked without axe: roles and names a screen reader gets. */
test('headings, current page, required fields and the login page, as the browser exposes them',
    { timeout: TEST_MS }, async () => {
        const context = await newContext(DESKTOP);
        const page = await context.newPage();
        try {
            const { rec } = await pagesToCheck(page);
            await page.goto(`${base}/innovations`);
            const levels = await page.locator('h1, h2, h3, h4').evaluateAll(
                (hs) => hs.map((h) => Number(h.tagName[1])));
            assert.equal(levels[0], 1);
            for (let i = 1; i < levels.length; i++)
                assert.ok(levels[i] <= levels[i - 1] + 1, `heading levels ${levels.join(' ')}`);
            const current = page.locator('nav[aria-label="Navigation principale"] [aria-current="page"]');
            assert.equal(await current.count(), 1);
            assert.equal(await current.innerText(), 'Innovations');
            // Every option of the filters leads to records, and says how many.
            for (const name of ['theme', 'commune']) {
                const texts = await page.locator(`select[name="${name}"] option:not([value=""])`)
                    .allInnerTexts();
                assert.ok(texts.length > 0 && texts.every((t) => /\(\d+\)$/.test(t) && !/\(0\)$/.test(t)),
                    `${name}: ${texts.join(', ')}`);
            }
            await passGate(page, rec);
            const headers = await page.locator('table.history thead th').allInnerTexts();
            assert.ok(headers.every((h) => h.trim() !== ''), `history headers: ${headers.join('|')}`);

            await logIn(page, base, DEMO_ADMIN);
            await page.goto(`${base}/innovations/new`);
            for (const id of ['title', 'summary', 'description', 'commune'])
                assert.equal(await page.locator(`#${id}`).evaluate((el) => el.required), true, id);
            // The accessible name of the themes group says it is required.
            const group = page.getByRole('group', { name: /Thèmes.*\(obligatoire\)/ });
            assert.equal(await group.count(), 1);
            assert.equal(await page.getByRole('textbox', { name: 'Titre' }).count(), 1,
                'the asterisk is not read as part of the name');
            await page.goto(`${base}/login`);
            assert.equal(await page.locator('#password').count(), 0, 'no second login form');
            await page.getByText(/Vous êtes déjà connecté·e en tant que/).waitFor();
            await Promise.all([
                page.waitForURL(`${base}/`),
                page.locator('#contenu').getByRole('button', { name: 'Se déconnecter' }).click(),
            ]);
            await page.getByRole('link', { name: 'Se connecter' }).waitFor();
        } finally {
            await context.close();
        }
    });

test('the gate before the history: solved by the browser, or by its button without JavaScript',
    { timeout: TEST_MS }, async () => {
        const context = await newContext(DESKTOP);
        const page = await context.newPage();
        try {
            const rec = await someRecord(page);
            const solved = [];
            page.on('request', (r) => {
                if (r.url().endsWith('/verification') && r.method() === 'POST')
                    solved.push(r.postData() || '');
            });
            await page.goto(`${base}${rec}/diff?from=1&to=2`);
            await page.locator('.diff-field, .diff').first().waitFor();
            assert.equal(solved.length, 1, 'one proof posted');
            assert.match(solved[0], /pow_answer=\d+/, 'the browser found the answer');
            const cookies = await context.cookies();
            assert.ok(cookies.some((c) => c.name === 'foison_human' && c.httpOnly));
            await page.screenshot({ path: path.join(SHOTS, 'e2e-gate-solved.png') });
            await passGate(page, rec); // the cookie lets the history through at once
            assert.equal(solved.length, 1, 'no second proof');
        } finally {
            await context.close();
        }
        const noJs = await newContext({ ...PHONE, javaScriptEnabled: false });
        const page2 = await noJs.newPage();
        try {
            const rec = await someRecord(page2);
            await page2.goto(`${base}${rec}/history`);
            await page2.getByText('Sans JavaScript, attendez 2 secondes').waitFor();
            await page2.screenshot({ path: path.join(SHOTS, 'e2e-gate-nojs-320.png') });
            await page2.waitForTimeout(2300);
            await Promise.all([
                page2.waitForURL((u) => u.pathname === `${rec}/history`),
                page2.getByRole('button', { name: 'Continuer vers la page demandée' }).click(),
            ]);
            await page2.locator('table.history').waitFor();
        } finally {
            await noJs.close();
        }
    });
