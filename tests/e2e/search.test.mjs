// Browser test of the search (Debian's chromium driven by playwright-core): the header's box
// suggests records as one types (static/search.js: a WAI-ARIA combobox driven by the keyboard,
// its lookups debounced, a failed one silent), and a suggestion chosen with the arrows opens its
// page; the page /recherche lists what matches with the words marked, narrows by a facet link
// (the value chosen marked as such) and offers "Vous vouliez dire" for a misspelt word; without
// JavaScript the header's form still leads to the results. /recherche and the open suggestions
// have no WCAG 2.1 A/AA violation found by axe-core, nothing scrolls sideways at 320 px, and the
// pages are photographed (build/e2e-search-*.png, to look at). Owns its own server on a fresh
// demo site. Run from the repo root: `node --test tests/e2e/search.test.mjs`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, startSite, assertAccessible, withWatchedPage, noSideScroll }
    from './support.mjs';

const TEST_MS = 180_000;
const NNBSP = '\u202f';
// A word of many demo records (libraries, their multimedia spaces, Doc@Brest), typed without
// its accent; the prefix of "réparer", "réparation" for the suggestions.
const WORD = 'bibliotheque';
const PREFIX = 'repar';
const TYPO = 'biblotheque';
const FAILURE_SHOT = path.join(SHOTS, 'e2e-search-failure.png');

let site, base, browser, serverErrors;

before(async () => {
    rmSync(FAILURE_SHOT, { force: true });
    site = await startSite();
    ({ base, browser, serverErrors } = site);
});

after(async () => {
    await site?.stop();
});

async function api(pathname) {
    const r = await fetch(`${base}${pathname}`, { headers: { Accept: 'application/json' } });
    assert.equal(r.status, 200, pathname);
    return r.json();
}

/* Runs body(page) in a fresh context (watchedContext's options: failing is the address of a
 * lookup the test itself makes fail, whose 503 is then neither a 5xx answer nor a console error);
 * on failure the page is photographed first. */
function withPage({ failing = null, ...options }, body) {
    return withWatchedPage(browser, FAILURE_SHOT, { serverErrors, failing,
        expected: failing ? [/status of 503/] : [], ...options }, body);
}

/* Types text into the header's box as a person does, and waits for its suggestions. */
async function typeAndWait(page, text) {
    const input = page.locator('#site-q');
    await input.click();
    await input.pressSequentially(text, { delay: 40 });
    await page.locator('#site-q-suggestions [role="option"]').first().waitFor();
    return input;
}

test('the header box suggests records as one types; the keyboard opens the one chosen',
    { timeout: TEST_MS }, async () => {
        const expected = (await api(`/api/v1/search/suggest?q=${PREFIX}`)).results;
        assert.ok(expected.length >= 2 && expected.length <= 8, `suggestions for ${PREFIX}: ${expected.length}`);
        await withPage(DESKTOP, async (page) => {
            const asked = [];
            page.on('request', (r) => {
                if (r.url().includes('/api/v1/search/suggest'))
                    asked.push(new URL(r.url()).searchParams.get('q'));
            });
            await page.goto(`${base}/`);
            const input = page.getByRole('combobox', { name: 'Rechercher sur le site' });
            assert.equal(await input.getAttribute('aria-expanded'), 'false');
            assert.equal(await input.getAttribute('aria-autocomplete'), 'list');
            assert.equal(await input.getAttribute('aria-controls'), 'site-q-suggestions');
            const list = page.locator('#site-q-suggestions[role="listbox"]');
            assert.ok(await list.isHidden());

            // Two letters ask nothing (a beginning needs three); the whole prefix, typed at a
            // person's pace, asks once.
            await input.click();
            await input.pressSequentially('re');
            await page.waitForTimeout(400);
            assert.deepEqual(asked, [], 'no lookup for two letters');
            await input.pressSequentially(PREFIX.slice(2), { delay: 40 });
            const options = list.locator('[role="option"]');
            await options.first().waitFor();
            // One lookup after the typing stopped (a slow machine may let the debounce expire
            // once between two keys; never one per key).
            assert.equal(asked.at(-1), PREFIX);
            assert.ok(asked.length <= 2, `lookups: ${asked.join(', ')}`);
            assert.equal(await input.getAttribute('aria-expanded'), 'true');
            assert.equal(await options.count(), expected.length);
            const titles = await options.locator('.suggestion-title').allInnerTexts();
            assert.deepEqual(titles, expected.map((e) => e.title));
            assert.deepEqual(await options.locator('.kind-tag').allInnerTexts(),
                expected.map((e) => e.kind_label));
            const status = page.getByRole('status').filter({ hasText: 'suggestion' });
            assert.equal(await status.innerText(),
                `${expected.length} suggestions pour «${NNBSP}${PREFIX}${NNBSP}»${NNBSP}: flèche bas pour les parcourir.`);

            // Down, down, up: the first is active; the listbox says so and the input points to it.
            await input.press('ArrowDown');
            await input.press('ArrowDown');
            await input.press('ArrowUp');
            const first = options.first();
            assert.equal(await input.getAttribute('aria-activedescendant'), await first.getAttribute('id'));
            assert.equal(await first.getAttribute('aria-selected'), 'true');
            assert.equal(await list.locator('[aria-selected="true"]').count(), 1);
            await assertAccessible(page, 'the open suggestions');
            await noSideScroll(page, 'the open suggestions', 'client');
            await page.screenshot({ path: path.join(SHOTS, 'e2e-search-popup-desktop.png') });

            // Escape closes the list and keeps the text; the arrow opens it again.
            await input.press('Escape');
            assert.ok(await list.isHidden());
            assert.equal(await input.getAttribute('aria-expanded'), 'false');
            assert.equal(await input.getAttribute('aria-activedescendant'), null);
            assert.equal(await input.inputValue(), PREFIX);
            await input.press('ArrowDown');
            await input.press('ArrowDown');
            assert.equal(await input.getAttribute('aria-activedescendant'), 'site-q-suggestions-1');

            // Enter on the active suggestion opens its record.
            const target = expected[1];
            await Promise.all([
                page.waitForURL((u) => u.pathname === new URL(target.url, base).pathname),
                input.press('Enter'),
            ]);
            assert.equal(await page.locator('h1').innerText(), target.title);

            // A click opens one too.
            const again = await typeAndWait(page, PREFIX);
            assert.equal(await again.getAttribute('aria-expanded'), 'true');
            await Promise.all([
                page.waitForURL((u) => u.pathname === new URL(expected[0].url, base).pathname),
                page.locator('#site-q-suggestions [role="option"]').first().click(),
            ]);
            assert.equal(await page.locator('h1').innerText(), expected[0].title);
        });
    });

test('a stale lookup is dropped for the newer one; a failed one is silent and the form still searches',
    { timeout: TEST_MS }, async () => {
        const expected = (await api(`/api/v1/search/suggest?q=${PREFIX}`)).results.map((e) => e.title);
        await withPage(DESKTOP, async (page) => {
            // The lookup of the first three letters answers late, after the one of the whole
            // prefix.
            await page.route('**/api/v1/search/suggest*', async (route) => {
                if (new URL(route.request().url()).searchParams.get('q') === PREFIX.slice(0, 3))
                    await new Promise((r) => setTimeout(r, 1000));
                await route.continue().catch(() => {}); // aborted by the page meanwhile
            });
            const aborted = [];
            page.on('requestfailed', (r) => {
                if (r.url().includes('/api/v1/search/suggest'))
                    aborted.push(new URL(r.url()).searchParams.get('q'));
            });
            await page.goto(`${base}/`);
            const input = page.locator('#site-q');
            await input.click();
            await input.pressSequentially(PREFIX.slice(0, 3));
            await page.waitForTimeout(400); // its lookup is on its way
            await input.pressSequentially(PREFIX.slice(3), { delay: 20 });
            await page.locator('#site-q-suggestions [role="option"]').first().waitFor();
            await page.waitForTimeout(1200); // the late answer would have come by now
            assert.deepEqual(await page.locator('#site-q-suggestions .suggestion-title').allInnerTexts(), expected);
            assert.deepEqual(aborted, [PREFIX.slice(0, 3)], 'the stale lookup was aborted');
        });
        await withPage({ ...DESKTOP, failing: '/api/v1/search/suggest' }, async (page) => {
            await page.route('**/api/v1/search/suggest*', (r) => r.fulfill({ status: 503, body: 'busy' }));
            let asked = 0;
            page.on('request', (r) => {
                if (r.url().includes('/api/v1/search/suggest'))
                    asked++;
            });
            await page.goto(`${base}/`);
            const input = page.locator('#site-q');
            await input.click();
            await input.pressSequentially(WORD, { delay: 20 });
            await page.waitForTimeout(600);
            assert.ok(asked >= 1, 'asked');
            assert.ok(await page.locator('#site-q-suggestions').isHidden());
            assert.equal(await input.getAttribute('aria-expanded'), 'false');
            assert.equal(await page.getByRole('status').filter({ hasText: /suggestion/ }).count(), 0,
                'nothing said');
            await Promise.all([
                page.waitForURL((u) => u.pathname === '/recherche' && u.searchParams.get('q') === WORD),
                input.press('Enter'),
            ]);
            assert.ok(await page.locator('ol.results li.result').count() > 0);
        });
    });

test('/recherche: results with the words marked, a facet narrows them and is marked chosen',
    { timeout: TEST_MS }, async () => {
        const all = await api(`/api/v1/search?q=${WORD}`);
        assert.ok(all.total >= 5, `results for ${WORD}: ${all.total}`);
        await withPage(DESKTOP, async (page) => {
            await page.goto(`${base}/recherche`);
            await page.getByLabel('Chercher dans tout le site').fill(WORD);
            await Promise.all([
                page.waitForURL((u) => u.pathname === '/recherche' && u.searchParams.get('q') === WORD),
                page.locator('form.search-form').getByRole('button', { name: 'Rechercher' }).click(),
            ]);
            const results = page.locator('ol.results > li.result');
            assert.equal(await results.count(), Math.min(all.total, all.results.length));
            assert.deepEqual(await results.locator('h3 a').allInnerTexts(), all.results.map((r) => r.title));
            assert.ok(await page.locator('ol.results mark').count() > 0, 'the words found are marked');
            const marks = await page.locator('ol.results mark').allInnerTexts();
            assert.ok(marks.every((m) => /^biblioth/i.test(m)), `marked: ${marks.join(', ')}`);
            await assertAccessible(page, `/recherche?q=${WORD}`);
            await page.screenshot({ path: path.join(SHOTS, 'e2e-search-results-desktop.png'), fullPage: true });

            // The facets stand beside the results on a wide screen.
            const r = await page.locator('.search-results').boundingBox();
            const f = await page.locator('aside.facets').boundingBox();
            assert.ok(f.x >= r.x + r.width, `facets to the right: ${JSON.stringify({ r, f })}`);

            // A kind that is not all the results: its link narrows them to its count.
            const kinds = page.locator('aside.facets a[href*="kind="]:not(.on)');
            assert.ok(await kinds.count() >= 2, 'several kinds to choose from');
            let link = null;
            for (const l of await kinds.all()) {
                const n = Number((await l.locator('.n').innerText()).replace(/\D/g, ''));
                if (n < all.total) {
                    link = { l, n, label: (await l.innerText()).replace(/\s*\(\d+\)\s*$/, '').trim(),
                        kind: new URL(await l.getAttribute('href'), base).searchParams.get('kind') };
                    break;
                }
            }
            assert.ok(link, 'a kind narrows the results');
            await Promise.all([
                page.waitForURL((u) => u.searchParams.get('kind') === link.kind),
                link.l.click(),
            ]);
            const narrowed = await api(`/api/v1/search?q=${WORD}&kind=${link.kind}`);
            assert.equal(narrowed.total, link.n, 'the count on the link is what it finds');
            assert.ok(await results.count() > 0);
            assert.deepEqual(await results.locator('h3 a').allInnerTexts(), narrowed.results.map((x) => x.title));
            for (const x of narrowed.results)
                assert.equal(x.kind, link.kind);
            const metas = await results.locator('.meta').allInnerTexts();
            assert.ok(metas.every((m) => m.startsWith(metas[0].split(' · ')[0])), `one kind: ${metas.join(' | ')}`);
            const on = page.locator('aside.facets a.on[aria-current="true"]');
            assert.equal(await on.count(), 1, 'one value chosen');
            assert.equal(new URL(await on.getAttribute('href'), base).searchParams.get('kind'), null,
                'the chosen value\'s link takes the filter away');
            assert.match(await on.innerText(), new RegExp(`^${link.label}`));
            await page.locator('div.chosen li').filter({ hasText: link.label }).waitFor();
            await assertAccessible(page, `/recherche?q=${WORD}&kind=${link.kind}`);
            await page.screenshot({ path: path.join(SHOTS, 'e2e-search-facet-desktop.png'), fullPage: true });

            // The chosen one, clicked again, gives all the results back.
            await Promise.all([
                page.waitForURL((u) => !u.searchParams.has('kind')),
                on.click(),
            ]);
            assert.equal(await page.locator('aside.facets a.on').count(), 0);
        });
    });

test('a misspelt word: "Vous vouliez dire" leads to the results', { timeout: TEST_MS }, async () => {
    await withPage(DESKTOP, async (page) => {
        await page.goto(`${base}/recherche?q=${TYPO}`);
        const hint = page.locator('p.suggestion');
        await hint.waitFor();
        assert.match(await hint.innerText(), new RegExp(`^Vous vouliez dire${NNBSP}: .+${NNBSP}\\?$`));
        const fix = hint.getByRole('link');
        const fixed = await fix.innerText();
        assert.match(fixed, /biblioth[eè]que/i);
        await assertAccessible(page, `/recherche?q=${TYPO}`);
        await page.screenshot({ path: path.join(SHOTS, 'e2e-search-typo-desktop.png') });
        await Promise.all([
            page.waitForURL((u) => u.searchParams.get('q') === fixed),
            fix.click(),
        ]);
        assert.ok(await page.locator('ol.results li.result').count() > 0);
        assert.equal(await page.locator('p.suggestion').count(), 0);
    });
});

test('at 320 px: the header box under the brand, the page in one column, nothing sideways',
    { timeout: TEST_MS }, async () => {
        await withPage(PHONE, async (page) => {
            await page.goto(`${base}/`);
            await noSideScroll(page, '/', 'client');
            const brand = await page.locator('header.site .brand').boundingBox();
            const form = await page.locator('form.site-search').boundingBox();
            assert.ok(form.y >= brand.y + brand.height, 'the box is under the brand');
            assert.ok(form.x >= 0 && form.x + form.width <= 320, `the box fits: ${JSON.stringify(form)}`);
            await page.locator('header.site').screenshot({ path: path.join(SHOTS, 'e2e-search-header-320.png') });

            const input = await typeAndWait(page, PREFIX);
            await input.press('ArrowDown');
            const list = await page.locator('#site-q-suggestions').boundingBox();
            assert.ok(list.x >= 0 && list.x + list.width <= 320, `the list fits: ${JSON.stringify(list)}`);
            await noSideScroll(page, 'the open suggestions', 'client');
            await assertAccessible(page, 'the open suggestions at 320 px');
            await page.screenshot({ path: path.join(SHOTS, 'e2e-search-popup-320.png') });
            await input.press('Escape');

            await page.goto(`${base}/recherche?q=${WORD}`);
            await noSideScroll(page, `/recherche?q=${WORD}`, 'client');
            const r = await page.locator('.search-results').boundingBox();
            const f = await page.locator('aside.facets').boundingBox();
            assert.ok(f.y >= r.y + r.height, 'the facets come after the results');
            await assertAccessible(page, `/recherche?q=${WORD} at 320 px`);
            await page.screenshot({ path: path.join(SHOTS, 'e2e-search-results-320.png'), fullPage: true });
            await page.locator('aside.facets a[href*="kind="]').first().click();
            await page.locator('div.chosen').waitFor();
            await noSideScroll(page, '/recherche with a filter', 'client');
            await page.goto(`${base}/recherche?q=${TYPO}`);
            await noSideScroll(page, `/recherche?q=${TYPO}`, 'client');
            await page.goto(`${base}/recherche`);
            await noSideScroll(page, '/recherche', 'client');
        });
    });

test('without JavaScript the header form leads to the results', { timeout: TEST_MS }, async () => {
    await withPage({ ...PHONE, javaScriptEnabled: false }, async (page) => {
        await page.goto(`${base}/innovations`);
        const input = page.getByRole('searchbox', { name: 'Rechercher sur le site' });
        assert.equal(await input.getAttribute('role'), null, 'a plain search box');
        await input.fill(WORD);
        await Promise.all([
            page.waitForURL((u) => u.pathname === '/recherche' && u.searchParams.get('q') === WORD),
            input.press('Enter'),
        ]);
        assert.ok(await page.locator('ol.results li.result').count() > 0);
        await page.screenshot({ path: path.join(SHOTS, 'e2e-search-nojs-320.png') });
        // and by its button
        await page.goto(`${base}/`);
        await page.locator('#site-q').fill(WORD);
        await Promise.all([
            page.waitForURL((u) => u.pathname === '/recherche' && u.searchParams.get('q') === WORD),
            page.locator('form.site-search').getByRole('button', { name: 'Rechercher' }).click(),
        ]);
        assert.ok(await page.locator('ol.results li.result').count() > 0);
    });
});
