// record_map.test.mjs — the small map of a record's position (render/geo_svg.c) in Debian's
// chromium: on an innovation with its own point and on an actor placed at its commune's centre,
// the page has no WCAG 2.1 A/AA violation found by axe-core, the drawing is exposed as one image
// named in French, fits its box (at most 360 px wide, never past the page at 320 px, no sideways
// scroll), its marker sits in the middle, and "voir sur la carte" opens /carte on that view.
// Screenshots of the pages and of the map alone in build/e2e-svgmap-*.png, to look at. Owns its
// server and site. Run from the repo root: `node --test tests/e2e/record_map.test.mjs`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ACTION_MS, SHOTS, PHONE, DESKTOP, startSite, assertAccessible } from './support.mjs';

const NNBSP = '\u202f';

let site, base;

before(async () => {
    site = await startSite();
    base = site.base;
});

after(async () => {
    await site?.stop();
});

/* The path of the first demo record of kind that the map places with this precision. */
async function placed(kind, precision) {
    const r = await fetch(`${base}/api/v1/geo?kind=${kind}`);
    assert.equal(r.status, 200);
    const f = (await r.json()).features.find((x) => x.properties.precision === precision);
    assert.ok(f, `a demo ${kind} placed (${precision})`);
    return { path: new URL(f.properties.url).pathname, lon: f.geometry.coordinates[0],
        lat: f.geometry.coordinates[1] };
}

test('record maps: accessible, responsive, linked to /carte, photographed', { timeout: 120_000 },
    async () => {
        const pages = { innovation: await placed('innovation', 'exact'),
            acteur: await placed('actor', 'commune') };
        for (const [at, opts] of [['desktop', DESKTOP], ['320', PHONE]]) {
            const context = await site.browser.newContext({ locale: 'fr-FR', ...opts });
            context.setDefaultTimeout(ACTION_MS);
            const problems = [];
            const page = await context.newPage();
            page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
            try {
                for (const [name, rec] of Object.entries(pages)) {
                    const r = await page.goto(`${base}${rec.path}`);
                    assert.equal(r.status(), 200, rec.path);
                    await assertAccessible(page, `${rec.path} at ${at}`);
                    const { sw, iw } = await page.evaluate(() => ({
                        sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
                    assert.ok(sw <= iw, `${rec.path}: sideways scroll at ${at} (${sw} > ${iw})`);
                    const img = page.getByRole('img', { name: /^Position/ });
                    assert.equal(await img.count(), 1, 'one map image');
                    const title = await img.evaluate((el) => el.querySelector('title').textContent);
                    if (name === 'acteur')
                        assert.match(title, new RegExp(`^Position approximative${NNBSP}: centre d`));
                    const box = await img.boundingBox();
                    assert.ok(box.width <= 360.5 && box.width >= 200, `map ${box.width} px wide`);
                    assert.ok(box.x >= 0 && box.x + box.width <= iw, 'the map is inside the page');
                    assert.ok(Math.abs(box.height / box.width - 240 / 360) < 0.01, 'its ratio kept');
                    const marker = await page.locator('svg.geo-map .geo-marker').boundingBox();
                    const mx = marker.x + marker.width / 2 - box.x;
                    assert.ok(Math.abs(mx - box.width / 2) < box.width * 0.05, 'marker in the middle');
                    const caption = page.locator('figure.record-map figcaption');
                    if (name === 'acteur')
                        assert.match(await caption.innerText(), /Position approximative/);
                    await page.screenshot({ path: path.join(SHOTS, `e2e-svgmap-${name}-${at}.png`),
                        fullPage: true });
                    await page.locator('figure.record-map').screenshot({
                        path: path.join(SHOTS, `e2e-svgmap-${name}-map-${at}.png`) });
                }
                assert.deepEqual(problems, [], 'console errors on the record pages');
                // The link opens the map on the record's view (its tiles, unreachable here, fail).
                await page.goto(`${base}${pages.innovation.path}`);
                await Promise.all([
                    page.waitForURL((u) => u.pathname === '/carte'),
                    page.getByRole('link', { name: 'voir sur la carte' }).click(),
                ]);
                const vue = new URL(page.url()).searchParams.get('vue');
                const [z, lat, lon] = vue.split('/').map(Number);
                assert.equal(z, 15);
                assert.ok(Math.abs(lat - pages.innovation.lat) < 1e-4 &&
                    Math.abs(lon - pages.innovation.lon) < 1e-4, vue);
            } finally {
                await context.close();
            }
        }
    });
