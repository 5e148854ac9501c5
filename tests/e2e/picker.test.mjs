// Browser test of the entry form's location picker (Debian's chromium driven by playwright-core;
// static/picker.js on Leaflet, src/web/entry_form.c): on the edit form of a demo innovation, a
// click on the map places the marker and fills latitude and longitude, dragging the marker
// changes them, typing moves the marker, choosing a commune centres the map on its centre
// without placing anything (a commune without a known centre leaves the map where it is and
// says so), Enter on the focused map places the marker at its centre, the button clears the
// position, and the record saved has the point. With no tile reachable a click still places the
// marker. axe-core finds no WCAG 2.1 A/AA violation on the form with the picker, nothing scrolls
// sideways at 320 px, and without JavaScript the inputs alone save the point. Tiles are answered
// by the test (this machine is offline). Screenshots: build/e2e-picker-*.png. Owns its own server
// on a fresh demo site. Run from the repo root: `node --test tests/e2e/picker.test.mjs`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ACTION_MS, SHOTS, PHONE, DESKTOP, DEMO_ADMIN, startSite, assertAccessible, pngTile,
    withWatchedPage, logIn, noSideScroll } from './support.mjs';

const TEST_MS = 120_000;
const FAILURE_SHOT = path.join(SHOTS, 'e2e-picker-failure.png');

let site, base, browser, serverErrors;

before(async () => {
    rmSync(FAILURE_SHOT, { force: true });
    site = await startSite();
    ({ base, browser, serverErrors } = site);
});

after(async () => {
    await site?.stop();
});

// A light tile with a darker grid line, the tile server's answer unless options.tiles is 'off'.
const TILE = pngTile((x, y) => (x === 0 || y === 0 ? [196, 208, 200] : [226, 234, 224]));

/* Runs body(page) logged in as the demo's administrator, in a fresh context (watchedContext's
 * options); on failure the page is photographed first. */
function withPage(options, body) {
    return withWatchedPage(browser, FAILURE_SHOT, { tiles: TILE, serverErrors, ...options },
        async (page) => {
            await logIn(page, base, DEMO_ADMIN);
            await body(page);
        });
}

async function api(p) {
    const r = await fetch(`${base}${p}`);
    assert.equal(r.status, 200, p);
    return r.json();
}

/* The demo's innovations as the API lists them (with their commune and point). */
async function fixtures() {
    const list = await api('/api/v1/entries?kind=innovation');
    return list.entries;
}

/* The picker's elements and its state. */
const mapEl = (page) => page.locator('#picker-carte-point');
const lat = (page) => page.locator('input[name="point.lat"]');
const lon = (page) => page.locator('input[name="point.lon"]');
async function view(page) {
    const [la, lo, z] = (await mapEl(page).getAttribute('data-view')).split(',').map(Number);
    return { lat: la, lon: lo, zoom: z };
}
async function point(page) {
    return { lat: await lat(page).inputValue(), lon: await lon(page).inputValue() };
}
const FIVE_DECIMALS = /^-?\d{1,3}(\.\d{1,5})?$/;

async function openForm(page, slug) {
    await page.goto(`${base}/innovations/${slug}/edit`);
    await page.locator('#picker-carte-point[data-ready="1"]').waitFor({ state: 'attached' });
    // The whole field in the window: the mouse acts on what it shows.
    await page.locator('#field-point').scrollIntoViewIfNeeded();
    return JSON.parse(await page.locator('fieldset.point-picker').getAttribute('data-communes'));
}

/* Where [la, lo] is in the window, from the map's view (Web Mercator, 256-pixel tiles). */
async function onScreen(page, la, lo) {
    const v = await view(page);
    const box = await mapEl(page).boundingBox();
    const scale = 256 * 2 ** v.zoom;
    const y = (d) => Math.log(Math.tan(Math.PI / 4 + (d * Math.PI) / 360)) / (2 * Math.PI);
    return {
        x: box.x + box.width / 2 + ((lo - v.lon) / 360) * scale,
        y: box.y + box.height / 2 - (y(la) - y(v.lat)) * scale,
    };
}

/* The tip of the marker's pin in the window (its icon's anchor, static/picker.js). */
async function pinTip(page) {
    const b = await page.locator('.picker-pin-icon').boundingBox();
    return { x: b.x + 15, y: b.y + 31 };
}

/* Waits until the map's view is near [la, lo] (its centre moves once the animation ends). */
async function viewNear(page, la, lo, what) {
    await page.waitForFunction(([a, b]) => {
        const v = document.getElementById('picker-carte-point').dataset.view.split(',').map(Number);
        return Math.abs(v[0] - a) < 0.002 && Math.abs(v[1] - b) < 0.002;
    }, [la, lo], { timeout: ACTION_MS }).catch(async () => {
        assert.fail(`${what}: view ${JSON.stringify(await view(page))}, expected near ${la}, ${lo}`);
    });
}

test('click, drag, type, commune, Enter, clear, save: the picker and the inputs agree', { timeout: TEST_MS }, async () => {
    const entries = await fixtures();
    await withPage(DESKTOP, async (page) => {
        // A demo innovation without a point, so that the first view is its commune's.
        const probe = entries.find((e) => !e.point && e.commune);
        assert.ok(probe, 'a demo innovation without a point');
        const centres = await openForm(page, probe.slug);
        const slug = probe.slug;
        const commune = await page.locator('#commune').inputValue();
        assert.equal(commune, probe.commune);
        assert.deepEqual(await point(page), { lat: '', lon: '' });
        await page.locator('.picker').waitFor({ state: 'visible' });
        assert.ok(await page.locator('.picker-hint').isVisible(), 'the hint is shown');
        assert.ok(await page.getByRole('button', { name: 'Effacer la position' }).isVisible());
        if (centres[commune])
            await viewNear(page, centres[commune][0], centres[commune][1], 'first view: the commune');
        assert.equal(await page.locator('.picker-pin-icon').count(), 0, 'no marker without a point');
        await page.locator('.leaflet-tile-loaded').first().waitFor({ state: 'attached' });
        await page.locator('#field-point').screenshot({ path: path.join(SHOTS, 'e2e-picker-empty.png') });

        // A click: the marker there, the inputs filled (a decimal point, five decimals at most).
        const box = await mapEl(page).boundingBox();
        const before = await view(page);
        await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.35);
        const clicked = await point(page);
        assert.match(clicked.lat, FIVE_DECIMALS);
        assert.match(clicked.lon, FIVE_DECIMALS);
        assert.ok(Number(clicked.lat) > before.lat && Number(clicked.lon) > before.lon,
                  `north-east of the centre: ${JSON.stringify(clicked)} vs ${JSON.stringify(before)}`);
        assert.ok(Math.abs(Number(clicked.lat) - before.lat) < 0.1, 'near the centre');
        assert.equal(await page.locator('.picker-pin-icon').count(), 1, 'one marker');
        const at = await onScreen(page, Number(clicked.lat), Number(clicked.lon));
        assert.ok(Math.abs(at.x - (box.x + box.width * 0.7)) < 2 && Math.abs(at.y - (box.y + box.height * 0.35)) < 2,
                  'the point filled is where the click was');
        const tip0 = await pinTip(page);
        assert.ok(Math.abs(tip0.x - at.x) < 2 && Math.abs(tip0.y - at.y) < 2, 'the pin\'s tip is there');
        assert.match(await page.locator('.picker-status').innerText(), /^Repère placé/);
        assert.equal(await mapEl(page).evaluate((e) => e.classList.contains('picker-keys')), false,
                     'no cross after a click');

        // A drag: the inputs follow the marker.
        const pin = await page.locator('.picker-pin-icon').boundingBox();
        const px = pin.x + pin.width / 2, py = pin.y + pin.height / 2;
        await page.mouse.move(px, py);
        await page.mouse.down();
        for (let i = 1; i <= 10; i++)
            await page.mouse.move(px - 12 * i, py + 8 * i);
        await page.mouse.up();
        const dragged = await point(page);
        assert.ok(Number(dragged.lon) < Number(clicked.lon), `west after the drag: ${JSON.stringify(dragged)}`);
        assert.ok(Number(dragged.lat) < Number(clicked.lat), `south after the drag: ${JSON.stringify(dragged)}`);
        assert.match(dragged.lat, FIVE_DECIMALS);
        assert.match(await page.locator('.picker-status').innerText(), /^Repère déplacé/);
        const moved = await page.locator('.picker-pin-icon').boundingBox();
        assert.ok(Math.abs(moved.x - (pin.x - 120)) < 3 && Math.abs(moved.y - (pin.y + 80)) < 3,
                  'the marker went where it was dragged');
        await page.locator('#field-point').screenshot({ path: path.join(SHOTS, 'e2e-picker-placed.png') });

        // Another commune with a centre: the map goes there, the point stays.
        const other = Object.keys(centres).find((c) => c !== commune && c !== '29019');
        await page.locator('#commune').selectOption(other);
        await viewNear(page, centres[other][0], centres[other][1], 'after choosing a commune');
        assert.deepEqual(await point(page), dragged, 'choosing a commune places nothing');
        assert.match(await page.locator('.picker-status').innerText(), /^Carte centrée sur .+ le repère n'a pas bougé/);
        // A commune without a known centre: the map stays, and says why.
        const options = await page.locator('#commune option').evaluateAll((os) => os.map((o) => o.value));
        const unknown = options.find((c) => c && !centres[c]);
        assert.ok(unknown, 'the demo has a commune without a centre');
        const still = await view(page);
        await page.locator('#commune').selectOption(unknown);
        await page.waitForTimeout(400);
        assert.deepEqual(await view(page), still, 'the map did not move');
        assert.match(await page.locator('.picker-status').innerText(), /n'est pas connu du site/);

        // Typing (a comma, as French writes it): the marker moves there.
        await lat(page).fill('48,3905');
        await lon(page).fill('-4.4862');
        await page.waitForTimeout(400); // a pan, if the point was out of view
        const mb = await mapEl(page).boundingBox();
        const want = await onScreen(page, 48.3905, -4.4862);
        const tip = await pinTip(page);
        assert.ok(Math.abs(tip.x - want.x) < 2 && Math.abs(tip.y - want.y) < 2,
                  `the marker at the typed point: ${JSON.stringify(tip)} vs ${JSON.stringify(want)}`);
        assert.ok(tip.x > mb.x && tip.x < mb.x + mb.width && tip.y > mb.y && tip.y < mb.y + mb.height,
                  'the marker is in the map');

        // The keyboard: Enter on the focused map places the marker at its centre.
        const keys = () => mapEl(page).evaluate((e) => e.classList.contains('picker-keys'));
        await mapEl(page).focus();
        assert.equal(await keys(), true, 'the cross shows where Enter places the marker');
        await page.keyboard.press('ArrowRight');
        await page.waitForTimeout(400);
        const centre = await view(page);
        await page.keyboard.press('Enter');
        const entered = await point(page);
        assert.ok(Math.abs(Number(entered.lat) - centre.lat) < 1e-4
                  && Math.abs(Number(entered.lon) - centre.lon) < 1e-4,
                  `Enter: the centre ${JSON.stringify(centre)}, got ${JSON.stringify(entered)}`);
        await page.locator('#field-point').screenshot({ path: path.join(SHOTS, 'e2e-picker-keyboard.png') });

        // Clear, then place again and save: the record has the point.
        await page.getByRole('button', { name: 'Effacer la position' }).click();
        assert.deepEqual(await point(page), { lat: '', lon: '' });
        assert.equal(await page.locator('.picker-pin-icon').count(), 0);
        assert.equal(await page.locator('.picker-status').innerText(), 'Position effacée.');
        await page.locator('#commune').selectOption(commune);
        await page.mouse.click(mb.x + mb.width / 2 + 30, mb.y + mb.height / 2 - 20);
        const saved = await point(page);
        await assertAccessible(page, 'the form with the picker');
        await Promise.all([
            page.waitForURL((u) => u.pathname === `/innovations/${slug}`),
            page.getByRole('button', { name: 'Enregistrer' }).click(),
        ]);
        const rec = await api(`/api/v1/entries/${slug}`);
        assert.deepEqual(rec.point, { lat: Number(saved.lat), lon: Number(saved.lon) });
        assert.equal(rec.commune, commune);

        // The form again: the marker at the saved point, the view on it.
        await openForm(page, slug);
        await viewNear(page, Number(saved.lat), Number(saved.lon), 'the saved point in view');
        assert.equal(await page.locator('.picker-pin-icon').count(), 1);
    });
});

test('no tile reachable: the map says so, a click still places the marker', { timeout: TEST_MS }, async () => {
    const entries = await fixtures();
    await withPage({ ...DESKTOP, tiles: 'off' }, async (page) => {
        const withPoint = entries.find((e) => e.point);
        assert.ok(withPoint, 'a demo innovation with a point');
        await openForm(page, withPoint.slug);
        await page.locator('#picker-carte-point.tiles-off').waitFor({ state: 'attached' });
        assert.match(await page.locator('.picker-status').innerText(), /Le fond de carte ne se charge pas/);
        assert.equal(await page.locator('.picker-pin-icon').count(), 1, 'the stored point is shown');
        const box = await mapEl(page).boundingBox();
        await page.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.6);
        const p = await point(page);
        assert.notDeepEqual(p, { lat: String(withPoint.point.lat), lon: String(withPoint.point.lon) });
        assert.match(p.lat, FIVE_DECIMALS);
        await page.locator('#field-point').screenshot({ path: path.join(SHOTS, 'e2e-picker-no-tiles.png') });
    });
});

test('at 320 px: nothing scrolls sideways, the picker usable, no WCAG violation', { timeout: TEST_MS }, async () => {
    const entries = await fixtures();
    await withPage(PHONE, async (page) => {
        await page.goto(`${base}/innovations/new`);
        await page.locator('#picker-carte-point[data-ready="1"]').waitFor({ state: 'attached' });
        await page.locator('.leaflet-tile-loaded').first().waitFor({ state: 'attached' });
        await noSideScroll(page, '/innovations/new', 'viewport');
        await page.locator('#picker-carte-point').scrollIntoViewIfNeeded();
        const box = await mapEl(page).boundingBox();
        assert.ok(box.width >= 240, `the map is ${box.width} px wide`);
        await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
        const p = await point(page);
        assert.match(p.lat, FIVE_DECIMALS, 'a tap places the marker');
        await noSideScroll(page, 'with the marker', 'viewport');
        await assertAccessible(page, '/innovations/new at 320 px');
        await page.locator('#field-point').screenshot({ path: path.join(SHOTS, 'e2e-picker-phone.png') });
        await page.goto(`${base}/innovations/${entries[0].slug}/edit`);
        await page.locator('#picker-carte-point[data-ready="1"]').waitFor({ state: 'attached' });
        await noSideScroll(page, 'the edit form', 'viewport');
    });
});

test('without JavaScript: no map, the inputs save the point', { timeout: TEST_MS }, async () => {
    const entries = await fixtures();
    await withPage({ ...DESKTOP, javaScriptEnabled: false }, async (page) => {
        const e = entries[1];
        await page.goto(`${base}/innovations/${e.slug}/edit`);
        assert.equal(await page.locator('.picker').isVisible(), false, 'the picker stays hidden');
        assert.ok(await page.getByLabel('Latitude').isVisible());
        await page.getByLabel('Latitude').fill('48,45678');
        await page.getByLabel('Longitude').fill('-4,56789');
        await Promise.all([
            page.waitForURL((u) => u.pathname === `/innovations/${e.slug}`),
            page.getByRole('button', { name: 'Enregistrer' }).click(),
        ]);
        const rec = await api(`/api/v1/entries/${e.slug}`);
        assert.deepEqual(rec.point, { lat: 48.45678, lon: -4.56789 });
        await page.goto(`${base}/innovations/${e.slug}/edit`);
        await page.locator('#field-point').screenshot({ path: path.join(SHOTS, 'e2e-picker-nojs.png') });
    });
});
