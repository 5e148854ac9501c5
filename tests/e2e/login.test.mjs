// login.test.mjs — in a real browser: past the limit of failed logins for an account, a browser
// the account does not know is asked for a proof of work, which static/login-pow.js solves when the
// form is sent, so that the owner can still log in from a new browser (and, without JavaScript,
// is told how long to wait); the pages pass axe-core's WCAG 2.1 AA rules, at 320 px too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startSite, assertAccessible, ACTION_MS, SHOTS } from './support.mjs';

const EMAIL = 'pow.e2e@test.foison';
const PASSWORD = 'le-bon-mot-de-passe';
let site;

before(async () => {
    site = await startSite();
    site.cli(['user', 'add', site.db, '--email', EMAIL, '--name', 'Camille', '--role', 'contributor'],
        `${PASSWORD}\n`);
});

after(async () => {
    await site?.stop();
});

async function submit(page, password) {
    await page.fill('#email', EMAIL);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation({ timeout: ACTION_MS }), page.click('main form[action="/login"] button[type=submit]')]);
}

test('a new browser passes the account\'s limit with a proof of work and logs in', { timeout: 120_000 }, async () => {
    const attacker = await site.browser.newContext();
    const a = await attacker.newPage();
    await a.goto(`${site.base}/login`);
    for (let i = 0; i < 5; i++)
        await submit(a, `mauvais-${i}`);
    await attacker.close();

    const ctx = await site.browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await ctx.newPage();
    const errors = [];
    // The 429 of the refused attempt is expected; any other console error is a defect.
    page.on('console', (m) => {
        if (m.type() === 'error' && !/status of 429/.test(m.text()))
            errors.push(m.text());
    });
    await page.goto(`${site.base}/login`);
    await submit(page, PASSWORD);
    assert.match(await page.textContent('.error'), /vérification de sécurité/);
    await page.waitForFunction(() => /à l.envoi du formulaire/.test(document.getElementById('pow-status')?.textContent || ''));
    await assertAccessible(page, 'login page asking for a proof of work');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `no horizontal scrolling at 320 px (${width})`);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-login-pow-320.png'), fullPage: true });
    // The password field is kept empty by the browser after a refusal: type it again and send.
    await submit(page, PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.textContent('.flash'), /connecté/);
    assert.deepEqual(errors, []);
    await ctx.close();
});

test('without JavaScript the page says how long to wait', { timeout: 60_000 }, async () => {
    const ctx = await site.browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${site.base}/login`);
    await submit(page, 'encore-faux');
    assert.match(await page.textContent('#pow-status'), /Sans JavaScript.*réessayez dans \d+ minutes?/);
    // The same HTML as with JavaScript, which the first test checks with axe-core.
    await ctx.close();
});
