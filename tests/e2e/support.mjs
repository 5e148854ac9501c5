// support.mjs — what browser tests share: a real `foison serve` on a fresh demo site (its base
// URL set to where it is served), Debian's chromium through playwright-core with the flags this
// closed machine needs, and axe-core's WCAG 2.1 A/AA check of a page.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.FOISON_BIN
    ? path.resolve(process.cwd(), process.env.FOISON_BIN)
    : path.join(ROOT, 'build', 'foison');
export const ACTION_MS = 15_000;
const AXE = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

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

/* Starts a server and a browser. config: settings given by `foison config` before the server
 * starts (e.g. smtp_url). Returns { base, db, cli(args, input), browser, stop() }. */
export async function startSite({ config = {} } = {}) {
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
        base, db, cli, browser,
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
        },
    };
}

/* The tile server of the site's default map_tiles, which the map pages and the entry forms
 * with a point (static/picker.js) ask: this machine is offline, so a test that counts console
 * errors answers it with a blank tile (answerTiles(context)) rather than log a failed load per
 * tile. tests/e2e/map.test.mjs and picker.test.mjs answer it their own way. */
export const TILE_SERVER = 'https://tile.openstreetmap.org/';
const BLANK_TILE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    'base64');
export function answerTiles(context) {
    return context.route(`${TILE_SERVER}**`,
        (route) => route.fulfill({ status: 200, contentType: 'image/png', body: BLANK_TILE }));
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
