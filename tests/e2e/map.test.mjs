// Browser test of the map (Debian's chromium driven by playwright-core; static/map.js on
// Leaflet and supercluster, src/web/map.c): /carte shows the demo's records as markers and
// clusters from GET /api/v1/geo/compact, the list beside it matches what the map shows, a
// theme filter reduces them and the address keeps it (a reload restores filters and view), a
// point's popup (its summary from /api/v1/geo?id=) links to the record, approximate positions
// say so, clusters zoom in, markers answer the keyboard, and the embedding code follows the
// view; /embed/carte frames in a page of another origin (a small node server on another port)
// where /carte is refused; with no tile reachable the map still shows its points over the
// communes' centres. axe-core finds no WCAG 2.1 A/AA violation on /carte and /embed/carte,
// nothing scrolls sideways at 320 px (the list under the map), and without JavaScript the list
// and the filters' form are the page. Tiles are answered by the test (this machine is offline):
// a plain PNG for the tile server the CSP allows. Screenshots: build/e2e-map-*.png. Owns its
// own server on a fresh demo site. Run from the repo root: `node --test tests/e2e/map.test.mjs`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, startSite, assertAccessible, freePort, pngTile, withWatchedPage,
    noSideScroll } from './support.mjs';

const TEST_MS = 240_000;
const NNBSP = '\u202f';
const FAILURE_SHOT = path.join(SHOTS, 'e2e-map-failure.png');

let site, base, browser, serverErrors;

before(async () => {
    rmSync(FAILURE_SHOT, { force: true });
    site = await startSite();
    ({ base, browser, serverErrors } = site);
});

after(async () => {
    await site?.stop();
});

// A tile of one colour, the tile server's answer unless options.tiles is 'off'.
const TILE = pngTile(() => [226, 234, 224]);

/* Runs body(page, context) in a fresh context (watchedContext's options; expected: console errors
 * that the test itself provokes); on failure the page is photographed first. */
function withPage(options, body) {
    return withWatchedPage(browser, FAILURE_SHOT, { tiles: TILE, serverErrors, ...options }, body);
}

async function compact(query = '') {
    const r = await fetch(`${base}/api/v1/geo/compact${query ? `?${query}` : ''}`);
    assert.equal(r.status, 200, `compact ${query}`);
    return r.json();
}

/* Opens path and waits until the map has drawn its points and listed its view. */
async function openMap(page, p) {
    await page.goto(`${base}${p}`);
    await page.locator('#carte[data-listed="1"]').waitFor({ state: 'attached' });
}

/* What the map draws now: { clusters: [count…], pins: [name…], total }. */
async function drawn(page) {
    const clusters = (await page.locator('#carte .cluster-icon .cluster').allInnerTexts())
        .map((t) => Number(t));
    const pins = await page.locator('#carte .pin-icon').evaluateAll((els) =>
        els.map((e) => e.getAttribute('aria-label')));
    return { clusters, pins, total: clusters.reduce((a, b) => a + b, 0) + pins.length };
}

/* The number the list's heading gives for the view. */
async function listCount(page) {
    const text = await page.locator('#carte-liste-titre').innerText();
    if (/^Aucune fiche/.test(text))
        return 0;
    const m = new RegExp(`^([\\d${NNBSP}]+) fiches? dans cette vue de la carte$`).exec(text);
    assert.ok(m, `the list's heading: ${text}`);
    return Number(m[1].replace(new RegExp(NNBSP, 'g'), ''));
}

/* Every title the list shows, after asking for all of them. */
async function listTitles(page) {
    for (;;) {
        const more = page.locator('#carte-liste-fiches > button.secondary');
        if (!(await more.count()))
            break;
        await more.click();
    }
    return page.locator('#carte-liste-fiches .map-items > li h3 a').allInnerTexts();
}

function zoomOf(url) {
    const v = new URL(url).searchParams.get('vue');
    return v ? Number(v.split('/')[0]) : null;
}

test('the map shows the demo records as markers and clusters; the list matches the view',
    { timeout: TEST_MS }, async () => {
        const data = await compact();
        assert.ok(data.points.length >= 50, `demo points: ${data.points.length}`);
        await withPage(DESKTOP, async (page) => {
            const asked = [];
            page.on('request', (r) => {
                if (r.url().includes('/api/v1/geo'))
                    asked.push(r.url());
            });
            await openMap(page, '/carte');
            // One request for every point.
            assert.deepEqual(asked.map((u) => new URL(u).pathname), ['/api/v1/geo/compact']);
            assert.ok(await page.locator('#carte-cadre').isVisible());
            const status = await page.locator('#carte-etat').innerText();
            assert.match(status, new RegExp(`^${data.points.length} fiches sur la carte`));
            // The first view holds the whole territory: every point is drawn once, in a cluster
            // or alone, and the list counts them all.
            const d = await drawn(page);
            assert.ok(d.clusters.length > 0, 'clusters');
            assert.equal(d.total, data.points.length, 'each point drawn once');
            assert.ok(d.clusters.length + d.pins.length < data.points.length, 'fewer markers than points');
            assert.equal(await listCount(page), data.points.length);
            await page.screenshot({ path: path.join(SHOTS, 'e2e-map-desktop.png') });
            const titles = await listTitles(page);
            assert.deepEqual([...titles].sort(), data.points.map((p) => p[5]).sort(),
                'the list has the records of the map');
            // In French alphabetical order.
            const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
            assert.deepEqual(titles, [...titles].sort(collator.compare));
            // Links to the records, by their kind's path.
            const first = page.locator('#carte-liste-fiches .map-items > li').first();
            const href = await first.locator('h3 a').getAttribute('href');
            const p = data.points.find((x) => x[5] === titles[0]);
            assert.equal(new URL(href, base).pathname, data.kinds[p[3]].path + p[6]);
            // The records without a position are listed as such.
            const unplaced = page.locator('#carte-inconnues');
            if (data.unplaced.length) {
                assert.ok(await unplaced.isVisible());
                assert.equal(await page.locator('#carte-inconnues-titre').innerText(),
                    `Position inconnue (${data.unplaced.length})`);
                assert.deepEqual((await page.locator('#carte-inconnues-fiches a').allInnerTexts()).sort(),
                    data.unplaced.map((u) => u[2]).sort());
            } else {
                assert.ok(await unplaced.isHidden());
            }
            // Zoomed in on Brest: fewer records in view, the list follows, and what is drawn
            // holds at least them.
            await page.locator('#carte').focus();
            for (let i = 0; i < 3; i++) {
                await page.keyboard.press('+');
                await page.waitForTimeout(400);
            }
            await page.waitForURL((u) => zoomOf(u) !== null);
            const inView = await listCount(page);
            assert.ok(inView < data.points.length, `zoomed in: ${inView} in view`);
            const z = await drawn(page);
            assert.ok(z.total >= inView, 'the markers hold the records of the view');
            assert.equal((await listTitles(page)).length, inView);
            await page.screenshot({ path: path.join(SHOTS, 'e2e-map-zoomed.png') });
        });
    });

test('a theme filter reduces the markers, the address keeps it, a reload restores filters and view',
    { timeout: TEST_MS }, async () => {
        const everything = (await compact()).points.length;
        // A theme with points, but fewer than all of them.
        const html = await (await fetch(`${base}/carte`)).text();
        const select = /<select id="carte-theme" name="theme">([\s\S]*?)<\/select>/.exec(html)[1];
        const themes = [...select.matchAll(/<option value="([a-z-]+)">/g)].map((m) => m[1]);
        let theme = null, expected = null;
        for (const t of themes) {
            const d = await compact(`theme=${t}`);
            if (d.points.length > 1 && d.points.length < everything) {
                theme = t;
                expected = d;
                break;
            }
        }
        assert.ok(theme, 'a theme that narrows the map');
        await withPage(DESKTOP, async (page) => {
            await openMap(page, '/carte');
            assert.equal((await drawn(page)).total, everything);
            await page.locator('#carte-theme').selectOption(theme);
            await Promise.all([
                page.waitForURL((u) => new URL(u).searchParams.get('theme') === theme),
                page.getByRole('button', { name: 'Filtrer' }).click(),
            ]);
            await page.locator('#carte[data-listed="1"]').waitFor({ state: 'attached' });
            const d = await drawn(page);
            assert.equal(d.total, expected.points.length, 'the theme\'s points');
            assert.ok(d.total < everything);
            assert.equal(await listCount(page), expected.points.length);
            assert.deepEqual((await listTitles(page)).sort(), expected.points.map((p) => p[5]).sort());
            // The view goes into the address as the map moves; the code to embed follows.
            await page.locator('#carte').focus();
            await page.keyboard.press('+');
            await page.waitForFunction(() => /[?&]vue=/.test(window.location.search));
            await page.waitForTimeout(400);
            const url = page.url();
            const params = new URL(url).searchParams;
            assert.equal(params.get('theme'), theme);
            assert.match(params.get('vue'), /^\d+\/-?\d+\.\d+\/-?\d+\.\d+$/);
            const code = await page.locator('#code-integration').inputValue();
            assert.ok(code.includes(`/embed/carte?theme=${theme}&amp;vue=${params.get('vue')}"`), code);
            // A reload (or the address shared) gives the same filter and the same view.
            const count = await listCount(page);
            await page.reload();
            await page.locator('#carte[data-listed="1"]').waitFor({ state: 'attached' });
            assert.equal(await page.locator('#carte-theme').inputValue(), theme);
            assert.equal(new URL(page.url()).searchParams.get('vue'), params.get('vue'));
            assert.equal(await listCount(page), count);
            // The filter's form keeps the view when another filter is chosen.
            assert.equal(await page.locator('#carte-filtres input[name="vue"]').inputValue(), params.get('vue'));
            await page.screenshot({ path: path.join(SHOTS, 'e2e-map-filtered.png') });
        });
    });

test('a point\'s popup gives its kind, summary and link; approximate ones say so; clusters zoom in; the keyboard opens them',
    { timeout: TEST_MS }, async () => {
        const data = await compact();
        const approx = data.points.find((p) => p[4] === 2);
        const exact = data.points.find((p) => p[4] === 0);
        assert.ok(exact, 'an exact point in the demo');
        const detail = await (await fetch(`${base}/api/v1/geo?id=${exact[0]}`)).json();
        const props = detail.features[0].properties;
        await withPage(DESKTOP, async (page) => {
            await openMap(page, '/carte');
            // From the list: "Voir sur la carte" opens the popup there, the focus in it.
            const item = page.locator('#carte-liste-fiches .map-items > li', { hasText: exact[5] }).first();
            await listTitles(page);
            await item.getByRole('button', { name: `Voir sur la carte${NNBSP}: ${exact[5]}` }).click();
            const popup = page.locator('.leaflet-popup-content');
            await popup.locator('.popup-summary', { hasText: props.summary }).waitFor();
            assert.equal(await popup.locator('.popup-kind').innerText(), props.kind_label.toUpperCase());
            assert.equal(await popup.locator('.popup-title').innerText(), exact[5]);
            assert.equal(await popup.locator('.popup-approx').count(), 0);
            const link = popup.locator('.popup-title a');
            assert.equal(new URL(await link.getAttribute('href'), base).pathname, new URL(props.url, base).pathname);
            assert.ok(await link.evaluate((a) => a === document.activeElement), 'the focus is on the popup\'s link');
            assert.equal(await page.locator('.leaflet-popup-close-button').getAttribute('aria-label'), 'Fermer');
            await page.waitForTimeout(400); // the popup's fade
            await page.screenshot({ path: path.join(SHOTS, 'e2e-map-popup.png') });
            // The link opens the record.
            await Promise.all([
                page.waitForURL((u) => u.pathname === new URL(props.url, base).pathname),
                link.click(),
            ]);
            assert.equal(await page.locator('h1').innerText(), exact[5]);
            // Back on the map: the view it was left at, the point in its list.
            await page.goBack();
            await page.locator('#carte[data-listed="1"]').waitFor({ state: 'attached' });
            assert.ok(zoomOf(page.url()) >= 15, page.url());
            assert.ok((await listTitles(page)).includes(exact[5]));

            if (approx) {
                await openMap(page, '/carte');
                await listTitles(page);
                const a = page.locator('#carte-liste-fiches .map-items > li', { hasText: approx[5] }).first();
                assert.match(await a.locator('.meta').innerText(), /position approximative/);
                await a.getByRole('button', { name: `Voir sur la carte${NNBSP}: ${approx[5]}` }).click();
                await popup.locator('.popup-approx').waitFor();
                assert.equal(await popup.locator('.popup-approx').innerText(),
                    `Position approximative${NNBSP}: le centre de la commune.`);
                await page.keyboard.press('Escape');
            }

            // A cluster zooms in when clicked.
            await openMap(page, '/carte');
            const before = await page.evaluate(() => window.location.search);
            const cluster = page.locator('#carte .cluster-icon').first();
            const label = await cluster.getAttribute('aria-label');
            assert.match(label, new RegExp(`^Groupe de \\d+ fiches${NNBSP}: zoomer$`));
            await cluster.click();
            await page.waitForFunction((b) => window.location.search !== b && /vue=/.test(window.location.search), before);
            await page.waitForTimeout(400);
            const zoomed = zoomOf(page.url());
            assert.ok(zoomed > 9, `zoomed to ${zoomed}`);

            // The keyboard: Tab reaches markers, which are named buttons; Enter opens a point.
            await openMap(page, `/carte?vue=17/${exact[2]}/${exact[1]}`);
            const pin = page.locator('#carte .pin-icon[role="button"]');
            await pin.first().waitFor();
            const name = await pin.first().getAttribute('aria-label');
            assert.ok(name && name.length > 3, `a named marker: ${name}`);
            await pin.first().focus();
            await page.keyboard.press('Enter');
            await popup.locator('.popup-summary').waitFor();
            await page.waitForFunction(() => document.activeElement?.closest('.leaflet-popup-content'));
            assert.ok(name.startsWith(await popup.locator('.popup-title').innerText()), name);
            // Escape closes it and gives the focus back to the map.
            await page.keyboard.press('Escape');
            await page.waitForFunction(() => !document.querySelector('.leaflet-popup'));
            assert.ok(await page.evaluate(() => document.getElementById('carte').contains(document.activeElement)),
                'the focus is back on the map');
        });
    });

test('the code to embed the map is copied; /embed/carte frames in a page of another origin, /carte does not',
    { timeout: TEST_MS }, async () => {
        const data = await compact('theme=numerique');
        // Another origin: another port of 127.0.0.1, serving a page that frames the map.
        const port = await freePort();
        const other = `http://127.0.0.1:${port}`;
        const server = createServer((req, res) => {
            const src = req.url === '/refused' ? `${base}/carte` : `${base}/embed/carte?theme=numerique`;
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
            res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Un autre site</title></head>
<body><h1>Un autre site</h1><iframe src="${src}" title="La carte" width="800" height="500"></iframe></body></html>`);
        });
        await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
        try {
            await withPage({ ...DESKTOP, permissions: ['clipboard-read', 'clipboard-write'] }, async (page) => {
                await openMap(page, '/carte?theme=numerique');
                const copy = page.getByRole('button', { name: 'Copier le code d\'intégration' });
                await copy.click();
                await page.locator('#copier-etat', { hasText: 'Code copié.' }).waitFor();
                const code = await page.locator('#code-integration').inputValue();
                assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
                assert.match(code, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\/carte\?theme=numerique/);

                // The snippet's page, on the other origin.
                await page.goto(other);
                const frame = page.frameLocator('iframe');
                await frame.locator('#carte[data-listed="1"]').waitFor({ state: 'attached' });
                const inFrame = page.frames().find((f) => f.url().startsWith(`${base}/embed/carte`));
                assert.ok(inFrame, 'the embedded map is a frame of the other site');
                const clusters = (await inFrame.locator('#carte .cluster').allInnerTexts()).map(Number);
                const pins = await inFrame.locator('#carte .pin-icon').count();
                assert.equal(clusters.reduce((a, b) => a + b, 0) + pins, data.points.length);
                assert.equal(await inFrame.locator('header.site').count(), 0, 'no site header');
                // Its links open the site in a new tab (the site's pages refuse to be framed).
                const targets = await inFrame.locator('#carte-liste-fiches a').evaluateAll((as) =>
                    [...new Set(as.map((a) => a.target))]);
                assert.deepEqual(targets, ['_blank']);
                await page.screenshot({ path: path.join(SHOTS, 'e2e-map-embed.png') });
            });
            // The full page refuses to be framed (frame-ancestors 'none'): Chromium says so.
            await withPage({ ...DESKTOP, expected: [/Refused to (frame|display)|frame-ancestors|X-Frame-Options/] }, async (page) => {
                const refused = [];
                page.on('console', (m) => {
                    if (/frame-ancestors|X-Frame-Options|Refused to/.test(m.text()))
                        refused.push(m.text());
                });
                await page.goto(`${other}/refused`);
                await page.waitForTimeout(1500);
                const framed = page.frames().find((f) => f !== page.mainFrame());
                const hasMap = framed ? await framed.locator('#carte').count().catch(() => 0) : 0;
                assert.equal(hasMap, 0, '/carte is not shown in another site\'s frame');
                assert.ok(refused.length > 0, 'Chromium refused the frame');
            });
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
    });

test('no WCAG 2.1 A/AA violation on /carte and /embed/carte, nothing sideways at 320 px, the list under the map',
    { timeout: TEST_MS }, async () => {
        await withPage(DESKTOP, async (page) => {
            await openMap(page, '/carte');
            await assertAccessible(page, '/carte');
            await listTitles(page);
            await page.locator('#carte-liste-fiches .show-on-map').first().click();
            await page.locator('.leaflet-popup-content .popup-summary').waitFor();
            await assertAccessible(page, '/carte with a popup open');
            await openMap(page, '/embed/carte?theme=numerique');
            await assertAccessible(page, '/embed/carte');
        });
        await withPage(PHONE, async (page) => {
            await openMap(page, '/carte');
            await noSideScroll(page, '/carte at 320 px');
            const map = await page.locator('#carte').boundingBox();
            const list = await page.locator('#carte-liste').boundingBox();
            assert.ok(map.width >= 250 && map.height >= 250, `the map at 320 px: ${map.width}×${map.height}`);
            assert.ok(list.y >= map.y + map.height, 'the list comes under the map');
            await page.locator('#carte-cadre').evaluate((e) => e.scrollIntoView());
            await page.screenshot({ path: path.join(SHOTS, 'e2e-map-phone.png') });
            await page.locator('#carte-liste-fiches .show-on-map').first().click();
            await page.locator('.leaflet-popup-content .popup-summary').waitFor();
            await page.waitForTimeout(600); // the popup's fade and the map's move to fit it
            const now = await page.locator('#carte').boundingBox();
            const popup = await page.locator('.leaflet-popup').boundingBox();
            assert.ok(popup.x >= now.x - 1 && popup.x + popup.width <= now.x + now.width + 1
                && popup.y >= now.y - 1 && popup.y + popup.height <= now.y + now.height + 1,
                `the popup fits the map at 320 px: ${JSON.stringify({ popup, map: now })}`);
            await noSideScroll(page, '/carte at 320 px with a popup');
            await page.screenshot({ path: path.join(SHOTS, 'e2e-map-phone-popup.png') });
            await page.goto(`${base}/embed/carte`);
            await page.locator('#carte[data-listed="1"]').waitFor({ state: 'attached' });
            await noSideScroll(page, '/embed/carte at 320 px');
            await assertAccessible(page, '/embed/carte at 320 px');
        });
    });

test('with no tile reachable the map still shows its points, over the communes\' centres',
    { timeout: TEST_MS }, async () => {
        const data = await compact();
        await withPage({ ...DESKTOP, tiles: 'off' }, async (page) => {
            await openMap(page, '/carte');
            await page.locator('#carte-etat', { hasText: 'Le fond de carte ne se charge pas' }).waitFor();
            assert.equal((await drawn(page)).total, data.points.length);
            const communes = await page.locator('#carte .leaflet-overlay-pane path').count();
            assert.ok(communes > 50, `the communes' centres: ${communes}`);
            await page.locator('#carte-legende').evaluate((e) => e.scrollIntoView({ block: 'end' }));
            await page.screenshot({ path: path.join(SHOTS, 'e2e-map-offline.png') });
        });
    });

test('without JavaScript: the list of records, the note, and the filters sent by GET',
    { timeout: TEST_MS }, async () => {
        await withPage({ ...PHONE, javaScriptEnabled: false }, async (page) => {
            await page.goto(`${base}/carte`);
            assert.ok(await page.locator('#carte-cadre').isHidden(), 'no empty map');
            assert.match(await page.locator('#contenu .notice').first().innerText(),
                new RegExp(`^La carte a besoin de JavaScript${NNBSP}; sans lui, voici la liste`));
            const items = page.locator('#carte-liste li.result');
            assert.equal(await items.count(), 20);
            const heading = await page.locator('#carte-liste-titre').innerText();
            const all = Number(/^(\d+) fiches correspondent$/.exec(heading)[1]);
            await noSideScroll(page, '/carte without JavaScript at 320 px');
            await page.screenshot({ path: path.join(SHOTS, 'e2e-map-nojs.png'), fullPage: true });
            const theme = page.locator('#carte-theme');
            const value = await theme.locator('option').nth(1).getAttribute('value');
            await theme.selectOption(value);
            await Promise.all([
                page.waitForURL((u) => u.searchParams.get('theme') === value),
                page.getByRole('button', { name: 'Filtrer' }).click(),
            ]);
            const n = Number(/^(\d+) fiches? correspond/.exec(await page.locator('#carte-liste-titre').innerText())[1]);
            assert.ok(n < all, `the theme narrows the list (${n} of ${all})`);
            assert.equal(await page.locator('#carte-theme').inputValue(), value);
            // The code to embed is there as text to select.
            assert.match(await page.locator('#code-integration').inputValue(),
                new RegExp(`/embed/carte\\?theme=${value}"`));
            assert.ok(await page.getByRole('button', { name: 'Copier le code d\'intégration' }).isHidden());
        });
    });
