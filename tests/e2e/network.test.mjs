// Browser test of the network's pages (Debian's chromium driven by playwright-core): a trusted
// contributor creates an actor, then links it to an innovation through the "Portée par" field's
// search as you type (static/relation.js: a WAI-ARIA combobox driven by the keyboard), and the
// same without JavaScript by typing the actor's address; both records then show the link. The
// list, record and form pages of actors, places, networks and articles, the innovation with a
// lineage drawing and the open combobox have no WCAG 2.1 A/AA violation found by axe-core, never
// scroll sideways at 320 px, and are photographed on a desktop and at 320 px
// (build/e2e-network-*.png, to look at). Owns its own server on a fresh demo site. Run from the
// repo root: `node --test tests/e2e/`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, DEMO_ADMIN, startSite, assertAccessible, watchedContext, logIn,
    noSideScroll } from './support.mjs';

const TEST_MS = 240_000;
const TRUSTED = { email: 'katell.morvan@example.test', name: 'Katell Morvan',
    password: 'une-phrase-de-passe-pour-katell' };
const ACTOR = {
    title: 'Zéphyr, atelier de couture solidaire',
    summary: 'Une association de Landerneau où l\'on apprend à réparer et à coudre ses vêtements.',
};
// A person takes more than ten seconds to fill a form; faster, a text is held as a robot's
// (core/spam.c), which is not what this test is about.
const FILL_MS = 10_500;

let site, base, browser, serverErrors;

before(async () => {
    rmSync(path.join(SHOTS, 'e2e-network-failure.png'), { force: true });
    site = await startSite();
    ({ base, browser, serverErrors } = site);
    site.cli(['user', 'add', site.db, '--email', TRUSTED.email, '--name', TRUSTED.name,
        '--role', 'trusted'], `${TRUSTED.password}\n`);
});

after(async () => {
    await site?.stop();
});

/* A context whose console errors, page errors and CSP violations are collected in problems; the
 * forms with a point show a map, whose tiles it answers. */
function newContext(options = {}, problems = []) {
    return watchedContext(browser, { serverErrors, problems, tiles: 'blank', ...options });
}

async function save(page, openedAt, pathname) {
    const wait = openedAt + FILL_MS - Date.now();
    if (wait > 0)
        await page.waitForTimeout(wait);
    await Promise.all([
        page.waitForURL((u) => u.pathname === pathname),
        page.getByRole('button', { name: 'Enregistrer' }).click(),
    ]);
}

/* The titles listed under the relation heading that starts with label on a record page. */
async function related(page, label) {
    const h3 = page.locator('section.relations h3', { hasText: new RegExp(`^${label}\\b`) });
    if (!(await h3.count()))
        return [];
    return h3.locator('xpath=following-sibling::ul[1]').locator('li a').allInnerTexts();
}

async function apiEntries(kind) {
    const out = [];
    for (let page = 1; ; page++) {
        const r = await fetch(`${base}/api/v1/entries?kind=${kind}&page=${page}`);
        assert.equal(r.status, 200);
        const j = await r.json();
        out.push(...j.entries);
        if (page >= j.pages)
            return out;
    }
}

/* A demo record of kind whose page matches every pattern of wants, as a path. */
async function demoRecord(kind, wants, pick = () => true) {
    for (const e of await apiEntries(kind)) {
        if (!pick(e))
            continue;
        const p = new URL(e.url).pathname;
        const html = await (await fetch(`${base}${p}`)).text();
        if (wants.every((re) => re.test(html)))
            return p;
    }
    assert.fail(`no demo ${kind} with ${wants.join(', ')}`);
}

test('a trusted contributor links a new actor to an innovation, with and without JavaScript',
    { timeout: TEST_MS }, async () => {
        const problems = [];
        const context = await newContext(DESKTOP, problems);
        const page = await context.newPage();
        // Two innovations carried by someone already, one for each way of linking.
        const carried = (await apiEntries('innovation'))
            .filter((e) => e.carried_by.length && !/^Wiki-Brest/.test(e.title));
        assert.ok(carried.length >= 2, 'demo innovations with a carrier');
        const [inn, inn2] = carried;
        const dropped = inn.carried_by[0];
        let actorPath;
        try {
            await logIn(page, base, TRUSTED);
            await page.goto(`${base}/acteurs/new`);
            let openedAt = Date.now();
            // An actor has no relation field of its own to edit (its networks are managed).
            assert.equal(await page.locator('script[src*="relation"]').count(), 0);
            await page.getByRole('textbox', { name: 'Nom', exact: true }).fill(ACTOR.title);
            await page.getByLabel('Présentation courte').fill(ACTOR.summary);
            await page.getByLabel("Type d'acteur").selectOption({ label: 'Association' });
            await page.getByLabel('Commune').selectOption({ label: 'Landerneau' });
            await save(page, openedAt, '/acteurs/zephyr-atelier-de-couture-solidaire');
            actorPath = new URL(page.url()).pathname;
            assert.equal(await page.locator('article.entry h1').innerText(), ACTOR.title);

            await page.goto(`${base}/innovations/${inn.slug}/edit`);
            openedAt = Date.now();
            const input = page.getByRole('combobox', { name: 'Portée par' });
            const listbox = page.getByRole('listbox', { name: /Portée par/ });
            const chosen = page.getByRole('list', { name: /Fiches choisies.*Portée par/ });
            const status = page.locator('#field-carried_by [role="status"]');
            assert.equal(await input.getAttribute('aria-expanded'), 'false');
            assert.equal(await input.getAttribute('aria-controls'), 'carried_by-suggestions');
            assert.ok(await page.locator('#carried_by-suggestions[role="listbox"]').isHidden());
            // The records already named are listed by title, each with its button.
            await chosen.getByText(dropped.title).waitFor();
            assert.equal(await chosen.getByRole('button', { name: `Retirer ${dropped.title}` }).count(), 1);

            // Taking one out.
            await chosen.getByRole('button', { name: `Retirer ${dropped.title}` }).click();
            assert.doesNotMatch(await input.inputValue(), new RegExp(`\\b${dropped.slug}\\b`));
            await status.filter({ hasText: /retirée/ }).waitFor();
            assert.ok(await input.evaluate((el) => el === document.activeElement), 'focus back on the input');

            // Nothing found: said, and no list.
            await page.keyboard.type('qwxz');
            await status.filter({ hasText: 'Aucune fiche trouvée' }).waitFor();
            assert.equal(await input.getAttribute('aria-expanded'), 'false');
            for (let i = 0; i < 4; i++)
                await page.keyboard.press('Backspace');

            // Three letters of the name, the first suggestion by the keyboard.
            await page.keyboard.type('Zép');
            await listbox.waitFor();
            assert.equal(await input.getAttribute('aria-expanded'), 'true');
            const options = listbox.getByRole('option');
            assert.match(await options.first().innerText(), new RegExp(ACTOR.title));
            await status.filter({ hasText: /^\d+ suggestions?$/ }).waitFor();
            await page.keyboard.press('ArrowDown');
            const activeId = await input.getAttribute('aria-activedescendant');
            assert.equal(activeId, await options.first().getAttribute('id'));
            assert.equal(await options.first().getAttribute('aria-selected'), 'true');
            await assertAccessible(page, 'the open combobox');
            await page.screenshot({ path: path.join(SHOTS, 'e2e-network-combobox-desktop.png') });
            // Escape closes, ArrowDown opens again.
            await page.keyboard.press('Escape');
            assert.equal(await input.getAttribute('aria-expanded'), 'false');
            assert.ok(await listbox.isHidden());
            await page.keyboard.press('ArrowDown');
            assert.equal(await input.getAttribute('aria-expanded'), 'true');
            await page.keyboard.press('Enter');
            assert.equal(new URL(page.url()).pathname, `/innovations/${inn.slug}/edit`, 'Enter chose, did not send');
            assert.equal(await input.getAttribute('aria-expanded'), 'false');
            const slug = actorPath.split('/').pop();
            assert.match(await input.inputValue(), new RegExp(`(^|, )${slug}, $`));
            await chosen.getByText(ACTOR.title).waitFor();
            await status.filter({ hasText: `Fiche «\u202f${ACTOR.title}\u202f» ajoutée.` }).waitFor();
            await save(page, openedAt, `/innovations/${inn.slug}`);
            assert.ok((await related(page, 'Portée par')).includes(ACTOR.title));
            assert.ok(!(await related(page, 'Portée par')).includes(dropped.title), 'the one taken out');
            await page.goto(`${base}${actorPath}`);
            assert.deepEqual(await related(page, 'Porte'), [inn.title]);
        } catch (e) {
            await page.screenshot({ path: path.join(SHOTS, 'e2e-network-failure.png'), fullPage: true })
                .catch(() => {});
            throw e;
        } finally {
            await context.close();
        }
        assert.deepEqual(problems, [], 'no console error, page error or CSP violation');

        // Without JavaScript: the plain input, the address typed by hand.
        const noJs = await newContext({ ...PHONE, javaScriptEnabled: false });
        const p2 = await noJs.newPage();
        try {
            await logIn(p2, base, TRUSTED);
            await p2.goto(`${base}/innovations/${inn2.slug}/edit`);
            const openedAt = Date.now();
            const input = p2.getByRole('textbox', { name: 'Portée par' });
            const before = await input.inputValue();
            assert.equal(await p2.locator('#field-carried_by .chosen').count(), 0);
            await input.fill(`${before}, ${actorPath.split('/').pop()}`);
            await p2.locator('#field-carried_by').screenshot({ path: path.join(SHOTS, 'e2e-network-nojs-field-320.png') });
            await save(p2, openedAt, `/innovations/${inn2.slug}`);
            assert.ok((await related(p2, 'Portée par')).includes(ACTOR.title));
            await p2.goto(`${base}${actorPath}`);
            assert.deepEqual((await related(p2, 'Porte')).sort(), [inn.title, inn2.title].sort());
        } finally {
            await noJs.close();
        }
    });

/* The pages of the network: name -> path; forms need an account. */
async function networkPages() {
    const [actor, place, network, article, innovation] = await Promise.all([
        demoRecord('actor', [/<section class="relations"/]),
        demoRecord('place', [/<section class="relations"/, /<table class="hours"/]),
        demoRecord('network', [/<section class="relations"/]),
        demoRecord('article', [/<section class="relations"/]),
        demoRecord('innovation', [/<svg [^>]*class="lineage /], (e) => /^Wiki-Brest/.test(e.title)),
    ]);
    return {
        anonymous: {
            acteurs: '/acteurs', lieux: '/lieux', reseaux: '/reseaux', articles: '/articles',
            acteur: actor, lieu: place, reseau: network, article, innovation,
        },
        loggedIn: { 'acteur-form': '/acteurs/new', 'lieu-form': '/lieux/new',
            'innovation-form': `${innovation}/edit` },
    };
}

test('the network pages: no WCAG 2.1 A/AA violation, no sideways scroll at 320 px, screenshots',
    { timeout: TEST_MS }, async () => {
        const { anonymous, loggedIn } = await networkPages();
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
                        await noSideScroll(page, p);
                    await page.screenshot({ path: path.join(SHOTS, `e2e-network-${name}-${at}.png`),
                        fullPage: true });
                };
                for (const [name, p] of Object.entries(anonymous))
                    await visit(name, p);

                // The lineage keeps its boxes readable: at 320 px its own box scrolls.
                await page.goto(`${base}${anonymous.innovation}`);
                const svg = page.locator('section.lineage svg.lineage');
                const cols = Number((await svg.getAttribute('class')).match(/lineage-cols-(\d)/)[1]);
                const natural = 192 * cols - 24;
                const width = (await svg.boundingBox()).width;
                const least = opts === PHONE ? natural : natural * 0.8;
                assert.ok(width >= least - 1 && width <= natural + 1,
                    `lineage of ${cols} columns drawn ${width} px wide (natural ${natural})`);
                const scroller = page.locator('section.lineage .lineage-scroll');
                await scroller.screenshot({ path: path.join(SHOTS, `e2e-network-lineage-${at}.png`) });
                if (opts === PHONE)
                    assert.ok(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth),
                        'the drawing scrolls in its box');
                // Opening hours: one row per day, the day's name on one line.
                await page.goto(`${base}${anonymous.lieu}`);
                const hours = page.locator('table.hours');
                assert.equal(await hours.locator('tr').count(), 7);
                const th = await hours.locator('th').evaluateAll((ths) => ths.map(
                    (t) => t.getBoundingClientRect().height));
                const td = await hours.locator('td').first().evaluate((t) => parseFloat(getComputedStyle(t).lineHeight));
                assert.ok(th.every((h) => h < 2 * td), `day names on one line: ${th.join(', ')}`);

                // Every link of the header is a 44 px tap target inside the page.
                for (const el of await page.locator('header.site nav a, header.site nav button').all()) {
                    const box = await el.boundingBox();
                    assert.ok(box.height >= 44, `header target ${await el.innerText()}: ${box.height} px`);
                    assert.ok(box.x >= 0 && box.x + box.width <= opts.viewport.width, 'inside the page');
                }

                await logIn(page, base, DEMO_ADMIN);
                if (opts === PHONE)
                    await noSideScroll(page, 'the header of an administrator');
                await page.locator('header.site').screenshot({
                    path: path.join(SHOTS, `e2e-network-header-${at}.png`) });
                for (const [name, p] of Object.entries(loggedIn))
                    await visit(name, p);
                // The place form: an input per day beside its label, or under it at 320 px.
                await page.goto(`${base}/lieux/new`);
                const label = await page.locator('label[for="opening_hours.mo"]').boundingBox();
                const day = await page.locator('#opening_hours\\.mo').boundingBox();
                if (opts === PHONE)
                    assert.ok(day.y >= label.y + label.height - 1, 'the input under its label');
                else
                    assert.ok(day.x > label.x + label.width && Math.abs(day.y - label.y) < day.height,
                        'the input beside its label');
                await page.locator('#field-address').screenshot({
                    path: path.join(SHOTS, `e2e-network-address-${at}.png`) });
                await page.locator('#field-opening_hours').screenshot({
                    path: path.join(SHOTS, `e2e-network-hours-${at}.png`) });

                // The combobox open on a phone too.
                await page.goto(`${base}${loggedIn['innovation-form']}`);
                const input = page.getByRole('combobox', { name: 'Portée par' });
                await input.click();
                await page.keyboard.press('End');
                await page.keyboard.type('bib');
                await page.getByRole('listbox', { name: /Portée par/ }).waitFor();
                await page.keyboard.press('ArrowDown');
                await assertAccessible(page, `the open combobox at ${at}`);
                if (opts === PHONE)
                    await noSideScroll(page, 'the open combobox');
                // The field with its open list, which lies over what follows.
                const clip = await page.evaluate(() => {
                    const f = document.getElementById('field-carried_by').getBoundingClientRect();
                    const l = document.getElementById('carried_by-suggestions').getBoundingClientRect();
                    return { x: 0, y: f.top + window.scrollY - 8, width: window.innerWidth,
                        height: Math.max(f.bottom, l.bottom) - f.top + 16 };
                });
                await page.screenshot({ path: path.join(SHOTS, `e2e-network-combobox-field-${at}.png`),
                    fullPage: true, clip });
            } finally {
                await context.close();
            }
            assert.deepEqual(problems, [], `no console error, page error or CSP violation at ${at}`);
        }
    });
