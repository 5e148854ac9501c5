// support.mjs — what browser tests share: a real `foison serve` on a fresh demo site (its base
// URL set to where it is served), Debian's chromium through playwright-core with the flags this
// closed machine needs, the phone and desktop screens, the demo's administrator and a login, a
// browser context that collects what a test must not meet (console and page errors, CSP
// violations, 5xx answers) and answers the tile server, a page run in such a context and
// photographed when it fails, the check that nothing scrolls sideways, and axe-core's WCAG 2.1
// A/AA check of a page.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.FOISON_BIN
    ? path.resolve(process.cwd(), process.env.FOISON_BIN)
    : path.join(ROOT, 'build', 'foison');
export const ACTION_MS = 15_000;
// Where the tests' screenshots go, to look at (build/e2e-*.png).
export const SHOTS = path.join(ROOT, 'build');
const AXE = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/* The two screens the pages are tried on: a phone 320 px wide (the width WCAG 1.4.10 asks
 * content to reflow to), touch and twice the pixels; and a desktop. */
export const PHONE = { viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, isMobile: true,
    hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

/* The demo site's administrator (the first author of data/demo/innovations.json), with the
 * password `foison demo` gives every demo account (src/cli/demo.c). */
const demo = JSON.parse(readFileSync(path.join(ROOT, 'data/demo/innovations.json'), 'utf8'));
export const DEMO_PASSWORD = 'foison-demo-brest';
export const DEMO_ADMIN = { ...demo.authors[0], password: DEMO_PASSWORD };

export function freePort() {
    return new Promise((resolve, reject) => {
        const s = createServer();
        s.unref();
        s.on('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

/* Starts a server and a browser, and makes SHOTS if need be. config: settings given by `foison
 * config` before the server starts (e.g. smtp_url). Returns { base, db, cli(args, input), browser,
 * serverErrors, stop() }: serverErrors is the array to give watchedContext for the 5xx answers,
 * which stop() finds empty, after it has seen the server exit cleanly. */
export async function startSite({ config = {} } = {}) {
    mkdirSync(SHOTS, { recursive: true });
    const serverErrors = [];
    const tmp = mkdtempSync(path.join(tmpdir(), 'foison-e2e-'));
    const db = path.join(tmp, 'site.db');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const cli = (args, input) => execFileSync(BIN, args, {
        cwd: ROOT, env: { ...process.env, FOISON_BASE_URL: base }, input,
        stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000, encoding: 'utf8',
    });
    cli(['demo', db]);
    for (const [k, v] of Object.entries(config))
        cli(['config', db, k, v]);
    let stderr = '';
    // The mail worker looks at its queue every 100 ms (2 s by default): the sign-up waits for a mail.
    const server = spawn(BIN, ['serve', db, '--listen', `127.0.0.1:${port}`, '--threads', '2',
        '--mail-poll-ms', '100'], {
        cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
    const until = Date.now() + 10_000;
    for (;;) {
        try {
            const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
            if (r.ok)
                break;
        } catch { /* not yet */ }
        if (Date.now() > until || server.exitCode !== null)
            throw new Error(`server not healthy:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
    }
    const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        timeout: ACTION_MS,
        args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--disable-dev-shm-usage'],
    });
    return {
        base, db, cli, browser, serverErrors,
        async stop() {
            await browser.close().catch(() => {});
            if (server.exitCode === null && server.signalCode === null) {
                server.kill('SIGTERM');
                const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
                const { code, signal } = await exit;
                clearTimeout(killer);
                assert.equal(signal, null, `server killed by ${signal}`);
                assert.equal(code, 0, `server exit code:\n${stderr.slice(-2000)}`);
            }
            assert.doesNotMatch(stderr, /AddressSanitizer|runtime error:|LeakSanitizer/, stderr.slice(-4000));
            rmSync(tmp, { recursive: true, force: true });
            assert.deepEqual(serverErrors, [], 'no 5xx answer');
        },
    };
}

/* The tile server of the site's default map_tiles, which the map pages and the entry forms
 * with a point (static/picker.js) ask: this machine is offline, so a test that counts console
 * errors answers it, with a blank tile (answerTiles(context)) or a tile of its own (pngTile(),
 * watchedContext's tiles), rather than log a failed load per tile. */
export const TILE_SERVER = 'https://tile.openstreetmap.org/';
const BLANK_TILE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    'base64');
export function answerTiles(context) {
    return context.route(`${TILE_SERVER}**`,
        (route) => route.fulfill({ status: 200, contentType: 'image/png', body: BLANK_TILE }));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++)
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});

function pngCrc(buf) {
    let c = 0xffffffff;
    for (const x of buf)
        c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(pngCrc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
}

/* A PNG tile of size × size pixels (RGB, 8 bits), the pixel at x, y of the colour [r, g, b]
 * that colourAt(x, y) gives: a tile that "loads", for a test whose screenshots show the map's
 * ground. Made here, as the machine has no network. */
export function pngTile(colourAt, size = 256) {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(size, 0);
    ihdr.writeUInt32BE(size, 4);
    ihdr[8] = 8; // depth
    ihdr[9] = 2; // RGB
    const rows = [];
    for (let y = 0; y < size; y++) {
        const row = Buffer.alloc(1 + 3 * size);
        for (let x = 0; x < size; x++)
            row.set(colourAt(x, y), 1 + 3 * x);
        rows.push(row);
    }
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr),
        pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

/* A context of browser in French, with ACTION_MS as its timeouts, that watches what a test must
 * not meet. Its own options, beside playwright's:
 * - serverErrors: an array that gets every 5xx answer, but those to an address that contains
 *   failing (a lookup the test itself makes fail);
 * - problems: an array that gets every console error, page error and CSP violation (an init
 *   script logs them once JavaScript runs), but console errors matching one of the expected
 *   regular expressions (those the test provokes); without it, none of these is watched;
 * - tiles: what the tile server (TILE_SERVER) answers: 'blank' a blank tile (answerTiles), a
 *   Buffer that PNG (pngTile), 'off' nothing (unreachable, as it is on this machine, but at once;
 *   the console errors of its tiles are then no problem); without it, the server is left alone. */
export async function watchedContext(browser, { serverErrors, problems, expected = [], failing = null,
    tiles, ...options } = {}) {
    const context = await browser.newContext({ locale: 'fr-FR', ...options });
    context.setDefaultTimeout(ACTION_MS);
    context.setDefaultNavigationTimeout(ACTION_MS);
    if (serverErrors)
        context.on('response', (r) => {
            if (r.status() >= 500 && !(failing && r.url().includes(failing)))
                serverErrors.push(`HTTP ${r.status()} for ${r.url()}`);
        });
    if (tiles === 'blank')
        await answerTiles(context);
    else if (tiles)
        await context.route(`${TILE_SERVER}**`, (route) => (tiles === 'off'
            ? route.abort('internetdisconnected')
            : route.fulfill({ status: 200, contentType: 'image/png', body: tiles })));
    if (!problems)
        return context;
    if (options.javaScriptEnabled !== false)
        await context.addInitScript(() => {
            document.addEventListener('securitypolicyviolation', (e) => {
                console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
            });
        });
    context.on('page', (page) => {
        page.on('console', (msg) => {
            if (msg.type() !== 'error')
                return;
            const where = msg.location()?.url || '';
            if (tiles === 'off' && where.startsWith(TILE_SERVER))
                return; // the tiles the test made unreachable
            if (expected.some((re) => re.test(msg.text())))
                return;
            problems.push(`console error on ${page.url()}: ${msg.text()} (${where})`);
        });
        page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
    });
    return context;
}

/* Runs body(page, context) on a page of a fresh watchedContext(browser, options) whose problems
 * it collects, and fails if body leaves any; on a failure the page is photographed into the file
 * shot first. The context is closed in every case. */
export async function withWatchedPage(browser, shot, options, body) {
    const problems = [];
    const context = await watchedContext(browser, { ...options, problems });
    const page = await context.newPage();
    try {
        await body(page, context);
        assert.deepEqual(problems, [], 'no console error, page error or CSP violation');
    } catch (err) {
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
        throw err;
    } finally {
        await context.close();
    }
}

/* Logs who ({ email, password }) in by the form of base's /login, and waits until the form has
 * sent the page elsewhere. */
export async function logIn(page, base, who) {
    await page.goto(`${base}/login`);
    await page.locator('#email').fill(who.email);
    await page.locator('#password').fill(who.password);
    await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/login')),
        page.getByRole('button', { name: 'Se connecter' }).click(),
    ]);
}

/* Nothing scrolls sideways (WCAG 1.4.10): the document is no wider than against, which is
 * - 'window': window.innerWidth;
 * - 'viewport': the viewport asked for (page.viewportSize()), stricter on a phone, whose browser
 *   widens its layout viewport, and window.innerWidth, to content that overflows;
 * - 'client': the document's clientWidth, the window without its scroll bar. */
export async function noSideScroll(page, what, against = 'window') {
    const { sw, width } = await page.evaluate((a) => ({
        sw: document.documentElement.scrollWidth,
        width: a === 'client' ? document.documentElement.clientWidth : window.innerWidth,
    }), against);
    const want = against === 'viewport' ? page.viewportSize().width : width;
    assert.ok(sw <= want, `${what}: horizontal scroll at ${want} px (scrollWidth ${sw})`);
}

/* axe-core on the page as it is: no WCAG 2.1 A or AA violation. Evaluated through the DevTools
 * protocol, which the page's CSP (no inline script) rightly does not allow from the page. Needs
 * JavaScript enabled in the context. */
export async function assertAccessible(page, what) {
    await page.evaluate(AXE);
    const result = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
    const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
    assert.deepEqual(found, [], `${what}: WCAG violations`);
}
