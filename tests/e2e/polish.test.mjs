// Browser test of the pages' polish (Debian's chromium driven by playwright-core): at 320 px
// the record, list, form and login pages never scroll sideways (WCAG 1.4.10), the list and
// record pages are photographed at 320 px and on a desktop (build/e2e-polish-*.png, to look at),
// and every page touched by the polish work has no WCAG 2.1 A/AA violation found by axe-core
// (npm devDependency, injected into each page). Owns its own server on a fresh demo site. Run
// from the repo root: `node --test tests/e2e/`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.FOISON_BIN
    ? path.resolve(process.cwd(), process.env.FOISON_BIN)
    : path.join(ROOT, 'build', 'foison');
const SHOTS = path.join(ROOT, 'build');
const ACTION_MS = 15_000;
const TEST_MS = 120_000;

const demo = JSON.parse(readFileSync(path.join(ROOT, 'data/demo/innovations.json'), 'utf8'));
const ADMIN = demo.authors[0];
const PASSWORD = 'foison-demo';

/* axe-core's browser bundle (a missing package fails the test: it must not pass unchecked). */
const AXE = readFileSync(createRequire(path.join(ROOT, 'package.json'))
    .resolve('axe-core/axe.min.js'), 'utf8');

let tmp, server, serverExit, base, browser, stderr = '';

function freePort() {
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

async function waitHealthy(url, deadlineMs) {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
        if (server.exitCode !== null)
            throw new Error(`server exited early (${server.exitCode}):\n${stderr}`);
        try {
            const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
            if (r.ok && (await r.text()).trim() === 'ok') return;
        } catch { /* not yet */ }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server not healthy after ${deadlineMs} ms:\n${stderr}`);
}

before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'foison-e2e-polish-'));
    mkdirSync(SHOTS, { recursive: true });
    const db = path.join(tmp, 'site.db');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The base URL must be where we serve, so the permanent link is the long real one.
    execFileSync(BIN, ['demo', db], {
        cwd: ROOT, env: { ...process.env, FOISON_BASE_URL: base },
        stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000,
    });
    server = spawn(BIN, ['serve', db, '--listen', `127.0.0.1:${port}`, '--threads', '2'], {
        cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (d) => (stderr += d));
    serverExit = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
    await waitHealthy(`${base}/healthz`, 10_000);
    browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        timeout: ACTION_MS,
        args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--disable-dev-shm-usage'],
    });
});

after(async () => {
    if (browser) await browser.close().catch(() => {});
    if (server && server.exitCode === null && server.signalCode === null) {
        server.kill('SIGTERM');
        const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
        const { code, signal } = await serverExit;
        clearTimeout(killer);
        assert.equal(signal, null, `server killed by ${signal} instead of exiting on SIGTERM`);
        assert.equal(code, 0, `server exit code after SIGTERM:\n${stderr.slice(-2000)}`);
    }
    assert.doesNotMatch(stderr, /AddressSanitizer|runtime error:|LeakSanitizer/, stderr.slice(-4000));
    assert.deepEqual(stderr.split('\n').filter((l) => /^\S+Z [A-Z]+ .* 5\d\d \d+us/.test(l)), [],
        'no 5xx answer');
    if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function newContext(options = {}) {
    // bypassCSP only lets the test inject axe-core; the site's own pages run no script.
    const context = await browser.newContext({ locale: 'fr-FR', bypassCSP: true, ...options });
    context.setDefaultTimeout(ACTION_MS);
    context.setDefaultNavigationTimeout(ACTION_MS);
    return context;
}

const PHONE = { viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, isMobile: true,
    hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 900 } };

async function loginIn(page) {
    await page.goto(`${base}/login`);
    await page.locator('#email').fill(ADMIN.email);
    await page.locator('#password').fill(PASSWORD);
    await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/login')),
        page.getByRole('button', { name: 'Se connecter' }).click(),
    ]);
}

/* A record with several revisions, found from the list. */
async function someRecord(page) {
    await page.goto(`${base}/innovations`);
    const href = await page.locator('ul.cards li.card h3 a').first().getAttribute('href');
    return href;
}

async function noSideScroll(page, what) {
    const { sw, iw } = await page.evaluate(() => ({
        sw: document.documentElement.scrollWidth, iw: window.innerWidth,
    }));
    assert.ok(sw <= iw, `${what}: horizontal scroll at ${iw} px (scrollWidth ${sw})`);
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
                    await loginIn(page);
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
            `${rec}/diff?from=1&to=2`, '/login', '/nope'],
        loggedIn: ['/innovations', rec, `${rec}/history`, '/innovations/new', `${rec}/edit`,
            '/login'],
    };
}

async function axeViolations(page) {
    await page.addScriptTag({ content: AXE });
    return page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} × `
            + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
    });
}

test('no WCAG 2.1 A/AA violation found by axe-core on the pages touched',
    { timeout: TEST_MS }, async () => {
        // The checker itself finds a violation where there is one.
        const probe = await newContext(DESKTOP);
        const p = await probe.newPage();
        await p.setContent('<!doctype html><html><body><img src="x.png"><a href="/"></a></body></html>');
        const seen = await axeViolations(p);
        await probe.close();
        assert.ok(seen.some((v) => v.startsWith('image-alt')), `axe runs: ${seen.join('; ')}`);
        assert.ok(seen.some((v) => v.startsWith('html-has-lang')), `axe runs: ${seen.join('; ')}`);
        for (const opts of [DESKTOP, PHONE]) {
            const context = await newContext(opts);
            const page = await context.newPage();
            try {
                const { anonymous, loggedIn } = await pagesToCheck(page);
                const found = [];
                for (const p of anonymous) {
                    await page.goto(`${base}${p}`);
                    for (const v of await axeViolations(page)) found.push(`${p}: ${v}`);
                }
                await loginIn(page);
                for (const p of loggedIn) {
                    await page.goto(`${base}${p}`);
                    for (const v of await axeViolations(page)) found.push(`(connecté) ${p}: ${v}`);
                }
                // The form with its errors, as a person meets it.
                await page.goto(`${base}/innovations/new`);
                await page.getByRole('button', { name: 'Enregistrer' }).click();
                await page.locator('.error-summary').waitFor();
                for (const v of await axeViolations(page)) found.push(`(422) /innovations/new: ${v}`);
                assert.deepEqual(found, [], `at ${opts.viewport.width} px`);
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
            await page.goto(`${base}${rec}/history`);
            const headers = await page.locator('table.history thead th').allInnerTexts();
            assert.ok(headers.every((h) => h.trim() !== ''), `history headers: ${headers.join('|')}`);

            await loginIn(page);
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
