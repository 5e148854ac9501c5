// Browser test of open contribution under moderation (Debian's chromium driven by
// playwright-core): a newcomer writes a record through the form, it waits (the newcomer is told
// and sees it, the public does not), a moderator approves it in the queue, and the public sees
// it. The queue, the log and the waiting record have no WCAG 2.1 A/AA violation found by
// axe-core and never scroll sideways at 320 px; screenshots in build/e2e-moderation-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, DEMO_ADMIN, startSite, assertAccessible, watchedContext, logIn,
    noSideScroll } from './support.mjs';

const TEST_MS = 180_000;
const NEWCOMER = { email: 'nouvelle.e2e@test.foison', name: 'Nadia Nouvelle', password: 'nadia-mot-de-passe-1' };
const TITLE = 'La grainothèque de la médiathèque de Plabennec';

let site, base, browser, serverErrors;

before(async () => {
    site = await startSite();
    ({ base, browser, serverErrors } = site);
    site.cli(['user', 'add', site.db, '--email', NEWCOMER.email, '--name', NEWCOMER.name,
        '--role', 'contributor'], `${NEWCOMER.password}\n`);
});

after(async () => {
    await site?.stop();
});

/* A context whose 5xx answers are collected; nothing else of it is watched. */
function newContext(options = {}) {
    return watchedContext(browser, { serverErrors, ...options });
}

test('a newcomer\'s record waits, a moderator approves it in the queue, the public sees it',
    { timeout: TEST_MS }, async () => {
        const author = await newContext(PHONE);
        const page = await author.newPage();
        await logIn(page, base, NEWCOMER);
        await page.goto(`${base}/innovations/new`);
        await page.locator('#title').fill(TITLE);
        await page.locator('#summary').fill('Des graines de légumes et de fleurs échangées librement entre habitants.');
        await page.locator('#description').fill('Un meuble à tiroirs de la médiathèque accueille les sachets de graines : '
            + 'chacun dépose, chacun emporte.\n\nDes ateliers de semis ont lieu au printemps.');
        await page.getByRole('checkbox', { name: 'Transition écologique' }).check();
        await page.locator('#commune').selectOption({ label: 'Plabennec' });
        await page.locator('#status').selectOption('en-cours');
        await Promise.all([
            page.waitForURL(/\/innovations\/(?!new$)[^/?#]+$/),
            page.getByRole('button', { name: 'Enregistrer' }).click(),
        ]);
        const url = page.url();
        await page.locator('p.flash').waitFor();
        assert.match(await page.locator('p.flash').innerText(), /relu/);
        assert.match(await page.locator('article.entry').innerText(), /attend la relecture/);
        await noSideScroll(page, 'the waiting record');
        await assertAccessible(page, 'the waiting record, its author, at 320 px');
        await page.screenshot({ path: path.join(SHOTS, 'e2e-moderation-pending-320.png'), fullPage: true });

        // The public does not see it.
        const visitor = await newContext();
        const vp = await visitor.newPage();
        assert.equal((await vp.goto(url)).status(), 404);

        // The moderator approves it from the queue, on a phone.
        const mod = await newContext(PHONE);
        const mp = await mod.newPage();
        await logIn(mp, base, DEMO_ADMIN);
        await mp.getByRole('link', { name: 'Modération' }).click();
        await mp.waitForURL(/\/moderation$/);
        const item = mp.locator('li.queue-item', { hasText: TITLE });
        await item.waitFor();
        assert.match(await item.innerText(), /Nouvelle fiche/);
        assert.match(await item.innerText(), new RegExp(NEWCOMER.name));
        await noSideScroll(mp, 'the queue');
        await assertAccessible(mp, 'the moderation queue at 320 px');
        await mp.screenshot({ path: path.join(SHOTS, 'e2e-moderation-queue-320.png'), fullPage: true });
        await Promise.all([
            mp.waitForURL(/\/moderation$/),
            item.getByRole('button', { name: 'Approuver' }).click(),
        ]);
        assert.match(await mp.locator('p.flash').innerText(), /publiée/);
        await mp.goto(`${base}/moderation/log`);
        assert.match(await mp.locator('main').innerText(), /Approbation/);
        await noSideScroll(mp, 'the log');
        await assertAccessible(mp, 'the moderation log at 320 px');
        await mp.screenshot({ path: path.join(SHOTS, 'e2e-moderation-log-320.png'), fullPage: true });

        // The public sees it now, on a desktop too.
        const desk = await newContext(DESKTOP);
        const dp = await desk.newPage();
        await mp.setViewportSize({ width: 1280, height: 900 });
        await mp.goto(`${base}/moderation`);
        await assertAccessible(mp, 'the empty moderation queue on a desktop');
        await mp.screenshot({ path: path.join(SHOTS, 'e2e-moderation-queue-desktop.png'), fullPage: true });
        assert.equal((await dp.goto(url)).status(), 200);
        assert.equal(await dp.locator('article.entry h1').innerText(), TITLE);
        await author.close();
        await visitor.close();
        await mod.close();
        await desk.close();
    });
