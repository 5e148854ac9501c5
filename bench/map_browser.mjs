// bench/map_browser.mjs BASE LOADS ZOOMS — bench/map.sh's browser part: /carte in Debian's
// chromium through playwright-core, launched as tests/e2e/support.mjs does, on a site the shell
// made (its compact answer already kept by the server, so that the page's one request is the
// cached answer every visitor gets). Tiles are answered here with one small PNG (the machine is
// offline; an unreachable tile server would change the page).
//  - LOADS times, in a fresh context (no HTTP cache), the page is opened at 1280×900 and the
//    performance marks of static/map.js are read: map:data (answer parsed), map:read, map:indexed,
//    map:rendered (first clusters in the page), map:painted (the frame after them), map:listed
//    (the list beside the map sorted); the first clustered render is map:painted, from the
//    navigation's start;
//  - on the last load, once the list has been sorted, ZOOMS zooms in with the zoom
//    button then as many out, each timed by requestAnimationFrame from the click to the frame
//    after the map drew its new view (map:draw): every frame's length, and each draw's and list's
//    duration (map:draw, map:list).
// Prints JSON on stdout. Bounded: each wait gives up after 60 s.
import { chromium } from 'playwright-core';
import zlib from 'node:zlib';

const [base, loadsText, zoomsText] = process.argv.slice(2);
const LOADS = Number(loadsText || 3);
const ZOOMS = Number(zoomsText || 4);
const WAIT_MS = 60_000;
const TILES = 'https://tile.openstreetmap.org/';

/* A 256×256 PNG of one colour. */
function png() {
    const chunk = (type, data) => {
        const out = Buffer.alloc(12 + data.length);
        out.writeUInt32BE(data.length, 0);
        out.write(type, 4, 'ascii');
        data.copy(out, 8);
        out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
        return out;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(256, 0);
    ihdr.writeUInt32BE(256, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    const row = Buffer.alloc(1 + 3 * 256, 0xe2);
    row[0] = 0;
    const raw = Buffer.concat(Array.from({ length: 256 }, () => row));
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
        chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const TILE = png();

function stats(values) {
    const s = [...values].sort((a, b) => a - b);
    const pct = (p) => (s.length ? s[Math.min(s.length - 1, Math.round((p / 100) * (s.length - 1)))] : 0);
    return { n: s.length, p50_ms: pct(50), p95_ms: pct(95), max_ms: s.length ? s[s.length - 1] : 0 };
}

const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    timeout: WAIT_MS,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-dev-shm-usage'],
});
const out = { loads: [], zoom: null, version: browser.version() };
try {
    for (let l = 0; l < LOADS; l++) {
        const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
        context.setDefaultTimeout(WAIT_MS);
        const errors = [];
        await context.route(`${TILES}**`, (route) =>
            route.fulfill({ status: 200, contentType: 'image/png', body: TILE }));
        const page = await context.newPage();
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${base}/carte`);
        await page.waitForFunction(() => performance.getEntriesByName('map:listed').length > 0,
            null, { timeout: WAIT_MS, polling: 50 });
        const marks = await page.evaluate(() => {
            const m = {};
            for (const e of performance.getEntriesByType('mark'))
                if (e.name.startsWith("map:") && !(e.name.slice(4) in m))
                    m[e.name.slice(4)] = e.startTime;
            const nav = performance.getEntriesByType('navigation')[0];
            const api = performance.getEntriesByType('resource')
                .find((r) => r.name.includes('/api/v1/geo/compact'));
            m.dom_content_loaded = nav ? nav.domContentLoadedEventEnd : null;
            m.api_request = api ? api.startTime : null;
            m.api_response_end = api ? api.responseEnd : null;
            m.api_bytes = api ? api.encodedBodySize : null;
            m.api_decoded_bytes = api ? api.decodedBodySize : null;
            m.markers = Number(document.getElementById('carte').dataset.markers || 0);
            m.first_draw_ms = performance.getEntriesByName('map:draw')[0]?.duration ?? null;
            return m;
        });
        marks.errors = errors;
        out.loads.push(marks);
        if (l === LOADS - 1) {
            const steps = [];
            const click = async (selector) => page.evaluate(async ({ sel, wait }) => {
                const frames = [];
                let last = null, running = true;
                const loop = (t) => {
                    if (last !== null)
                        frames.push(t - last);
                    last = t;
                    if (running)
                        requestAnimationFrame(loop);
                };
                requestAnimationFrame(loop);
                await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
                const before = performance.getEntriesByName('map:draw').length;
                const t0 = performance.now();
                document.querySelector(sel).click();
                while (performance.getEntriesByName('map:draw').length === before
                    && performance.now() - t0 < wait)
                    await new Promise((r) => setTimeout(r, 5));
                await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
                running = false;
                const draws = performance.getEntriesByName('map:draw');
                const lists = performance.getEntriesByName('map:list');
                const listed = lists.length ? lists[lists.length - 1] : null;
                return { frames, ms: performance.now() - t0,
                    draw_ms: draws.length > before ? draws[draws.length - 1].duration : null,
                    list_ms: listed && listed.startTime >= t0 ? listed.duration : null,
                    markers: Number(document.getElementById('carte').dataset.markers || 0) };
            }, { sel: selector, wait: WAIT_MS });
            for (let z = 0; z < ZOOMS; z++)
                steps.push({ dir: 'in', ...(await click('.leaflet-control-zoom-in')) });
            for (let z = 0; z < ZOOMS; z++)
                steps.push({ dir: 'out', ...(await click('.leaflet-control-zoom-out')) });
            const frames = steps.flatMap((s) => s.frames);
            out.zoom = { steps: steps.map(({ frames: f, ...rest }) => ({ ...rest, frames: f.length })),
                frames: stats(frames), draws: stats(steps.map((s) => s.draw_ms ?? 0)),
                lists: stats(steps.map((s) => s.list_ms ?? 0)),
                over_50ms: frames.filter((f) => f > 50).length };
            marks.errors = errors;
        }
        await context.close();
    }
} finally {
    await browser.close();
}
console.log(JSON.stringify(out));
