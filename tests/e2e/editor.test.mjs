// Browser test of the entry form's editor (static/editor.js, web/entry_form.c, web/preview.c):
// the Markdown toolbar by its buttons and by Ctrl+B/I/K, the "Aperçu" toggle rendered by the
// server, drafts kept in localStorage and offered back after a reload, forgotten after a save,
// the error summary taking the focus and giving it to the inputs, axe-core on the form with the
// toolbar and with a preview open, 320 px without sideways scroll, and screenshots
// (build/e2e-editor-desktop.png, build/e2e-editor-phone.png). Owns its own server on a fresh demo
// site. Run from the repo root: `node --test tests/e2e/editor.test.mjs`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, DEMO_ADMIN, startSite, withWatchedPage, logIn, noSideScroll,
    assertAccessible } from './support.mjs';

const TEST_MS = 120_000;

let site, base, browser, serverErrors, record;

before(async () => {
    site = await startSite();
    ({ base, browser, serverErrors } = site);
    const r = await fetch(`${base}/api/v1/entries?kind=innovation`);
    record = `/innovations/${(await r.json()).entries[0].slug}`;
});

after(async () => {
    await site?.stop();
});

const options = (screen) => ({ ...screen, serverErrors, tiles: 'blank',
    // Chromium logs the form's deliberate 422 as a console error.
    expected: [/status of 422/] });

function toolbarOf(page, label) {
    return page.getByRole('toolbar', { name: `Mise en forme\u202f: ${label}` });
}

async function drafts(page) {
    return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('foison-brouillon:')));
}

async function select(locator, start, end) {
    await locator.evaluate((t, [s, e]) => { t.focus(); t.setSelectionRange(s, e); }, [start, end]);
}

test('the toolbar formats by its buttons and by Ctrl+B, Ctrl+I, Ctrl+K', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, path.join(SHOTS, 'e2e-editor-failure.png'), options(DESKTOP), async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}${record}/edit`);
        const bar = toolbarOf(page, 'Comment ça marche');
        await bar.waitFor();
        assert.equal(await page.locator('markdown-toolbar').count(), await page.locator('textarea.markdown').count(),
            'a toolbar on every Markdown textarea');
        for (const name of ['Gras', 'Italique', 'Titre', 'Liste à puces', 'Lien', 'Image', 'Citation'])
            assert.equal(await bar.getByRole('button', { name, exact: true }).count(), 1, name);
        const ta = page.locator('#how_it_works');
        await ta.fill('un mot');
        await select(ta, 3, 6);
        await bar.getByRole('button', { name: 'Gras', exact: true }).click();
        assert.equal(await ta.inputValue(), 'un **mot**');
        await ta.fill('autre');
        await select(ta, 0, 5);
        await page.keyboard.press('Control+b');
        assert.equal(await ta.inputValue(), '**autre**');
        await ta.fill('penché');
        await select(ta, 0, 6);
        await page.keyboard.press('Control+i');
        assert.equal(await ta.inputValue(), '_penché_');
        await ta.fill('le site');
        await select(ta, 3, 7);
        await page.keyboard.press('Control+k');
        assert.equal(await ta.inputValue(), 'le [site](url)');
        await ta.fill('Étapes');
        await select(ta, 0, 6);
        await bar.getByRole('button', { name: 'Liste à puces' }).click();
        assert.equal(await ta.inputValue(), '- Étapes');
        // One Tab stop for the toolbar; the arrows move inside it.
        const bold = bar.getByRole('button', { name: 'Gras', exact: true });
        await bold.focus();
        await page.keyboard.press('ArrowRight');
        assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Italique');
        // 44 px targets.
        for (const b of await bar.getByRole('button').all()) {
            const box = await b.boundingBox();
            assert.ok(box.width >= 44 && box.height >= 44, `target ${await b.innerText()}: ${box.width}×${box.height}`);
        }
        await assertAccessible(page, 'the form with its toolbars');
        // Leave without saving: nothing is kept once the text is back as it was.
        await page.goto(`${base}${record}`);
    });
});

test('"Aperçu" shows the server\'s rendering in a live region, safe as the record page', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, path.join(SHOTS, 'e2e-editor-failure.png'), options(DESKTOP), async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}${record}/edit`);
        await toolbarOf(page, 'Description').waitFor();
        const ta = page.locator('#description');
        await ta.fill('Un atelier **solidaire** :\n\n- réparer\n- prêter\n\n[piège](javascript:alert(1)) <script>alert(2)</script>');
        const field = page.locator('#field-description');
        await page.evaluate(() => document.getElementById('field-description').scrollIntoView({ block: 'start' }));
        await page.screenshot({ path: path.join(SHOTS, 'e2e-editor-desktop.png') });
        const toggle = field.getByRole('button', { name: 'Aperçu' });
        const [resp] = await Promise.all([
            page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/preview'),
            toggle.click(),
        ]);
        assert.equal(resp.status(), 200);
        const live = field.locator('.md-live');
        await live.locator('strong').waitFor();
        assert.equal(await live.getAttribute('aria-live'), 'polite');
        assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
        assert.equal(await live.locator('strong').innerText(), 'solidaire');
        assert.equal(await live.locator('li').count(), 2);
        assert.equal(await live.locator('a').count(), 0, 'the javascript: link is only text');
        assert.equal(await live.locator('script').count(), 0);
        assert.ok(await ta.isHidden(), 'the preview stands in place of the text');
        await field.scrollIntoViewIfNeeded();
        await page.evaluate(() => document.getElementById('field-description').scrollIntoView({ block: 'start' }));
        await page.screenshot({ path: path.join(SHOTS, 'e2e-editor-desktop-preview.png') });
        await assertAccessible(page, 'the form with a preview open');
        // Back to the text, focus in it.
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
        assert.ok(await ta.isVisible());
        assert.equal(await page.evaluate(() => document.activeElement.id), 'description');
    });
});

test('a draft survives a reload, is offered back, and is forgotten after the save', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, path.join(SHOTS, 'e2e-editor-failure.png'), options(DESKTOP), async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}${record}/edit`);
        const ta = page.locator('#needs');
        const before = await ta.inputValue();
        const text = `${before}\n\n- un local chauffé (brouillon)`;
        await ta.fill(text);
        await page.waitForTimeout(600); // kept after 400 ms without typing
        assert.equal((await drafts(page)).length, 1, 'one draft kept');
        // The tab is closed: a new page of the same browser opens the form again.
        await page.reload();
        const offer = page.locator('.draft-offer');
        await offer.waitFor();
        assert.match(await offer.innerText(), /Vous aviez un texte non enregistré du \d+(er)? \S+ \d{4} à \d+ h \d\d, le reprendre/);
        assert.equal(await ta.inputValue(), before, 'the page shows the saved text until asked');
        await assertAccessible(page, 'the form offering a draft');
        // Discarding forgets it.
        await page.getByRole('button', { name: 'L’écarter' }).click();
        assert.equal(await offer.count(), 0);
        assert.deepEqual(await drafts(page), []);
        await page.reload();
        await toolbarOf(page, 'De quoi a-t-on besoin').waitFor();
        assert.equal(await page.locator('.draft-offer').count(), 0, 'nothing offered once discarded');
        // Typed again, reloaded, taken back, saved.
        await ta.fill(text);
        await page.waitForTimeout(600);
        await page.reload();
        await page.getByRole('button', { name: 'Le reprendre' }).click();
        assert.equal(await ta.inputValue(), text);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'needs', 'focus on what came back');
        await Promise.all([
            page.waitForURL(`${base}${record}`),
            page.getByRole('button', { name: 'Enregistrer', exact: true }).click(),
        ]);
        await page.locator('.flash[data-draft-saved]').waitFor();
        assert.match(await page.locator('article.entry').innerText(), /un local chauffé \(brouillon\)/);
        await page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith('foison-brouillon:')));
        // Opened again: the saved text, and nothing offered.
        await page.goto(`${base}${record}/edit`);
        await toolbarOf(page, 'De quoi a-t-on besoin').waitFor();
        assert.equal(await ta.inputValue(), text);
        assert.equal(await page.locator('.draft-offer').count(), 0);
    });
});

test('a failed submit puts the focus on the summary, whose links focus the inputs', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, path.join(SHOTS, 'e2e-editor-failure.png'), options(DESKTOP), async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}/innovations/new`);
        await page.locator('#description').fill('Un texte gardé.');
        await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
        const summary = page.locator('.error-summary');
        await summary.waitFor();
        await page.waitForFunction(() => document.activeElement?.id === 'erreurs');
        assert.match(await page.title(), /^Erreur/);
        for (const link of await summary.locator('a').all()) {
            const id = decodeURIComponent((await link.getAttribute('href')).slice(1));
            assert.equal(await page.evaluate((i) => !!document.getElementById(i), id), true, `#${id} exists`);
        }
        await summary.getByRole('link', { name: /Titre/ }).click();
        assert.equal(await page.evaluate(() => document.activeElement.id), 'title');
        await summary.getByRole('link', { name: /Thèmes/ }).click();
        assert.equal(await page.evaluate(() => document.activeElement.name), 'themes');
        await page.locator('#description').waitFor();
        assert.equal(await page.locator('#description').inputValue(), 'Un texte gardé.');
        await assertAccessible(page, 'the form with its errors');
    });
    // Without JavaScript the summary has the focus too (autofocus).
    await withWatchedPage(browser, path.join(SHOTS, 'e2e-editor-failure.png'),
        { ...options(DESKTOP), javaScriptEnabled: false }, async (page) => {
            await logIn(page, base, DEMO_ADMIN);
            await page.goto(`${base}/innovations/new`);
            await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
            await page.locator('.error-summary').waitFor();
            assert.equal(await page.locator('markdown-toolbar').count(), 0, 'no toolbar without JavaScript');
            assert.equal(await page.locator('.error-summary').evaluate((s) => s === document.activeElement), true);
            // The form's own preview.
            await page.locator('#description').fill('Du **gras** sans script.');
            await page.getByRole('button', { name: 'Prévisualiser' }).click();
            await page.locator('#apercu-description').waitFor();
            assert.equal(await page.locator('#field-description .md-preview strong').innerText(), 'gras');
        });
});

test('at 320 px: toolbar and preview without sideways scroll', { timeout: TEST_MS }, async () => {
    await withWatchedPage(browser, path.join(SHOTS, 'e2e-editor-failure.png'), options(PHONE), async (page) => {
        await logIn(page, base, DEMO_ADMIN);
        await page.goto(`${base}${record}/edit`);
        const bar = toolbarOf(page, 'Description');
        await bar.waitFor();
        await noSideScroll(page, 'the form with its toolbars', 'viewport');
        const field = page.locator('#field-description');
        await field.getByRole('button', { name: 'Aperçu' }).click();
        await field.locator('.md-live .md-preview-body').waitFor();
        await noSideScroll(page, 'the form with a preview', 'viewport');
        await field.getByRole('button', { name: 'Aperçu' }).click();
        await page.evaluate(() => document.getElementById('field-description').scrollIntoView({ block: 'start' }));
        await page.screenshot({ path: path.join(SHOTS, 'e2e-editor-phone.png') });
        for (const b of await bar.getByRole('button').all()) {
            const box = await b.boundingBox();
            assert.ok(box.width >= 44 && box.height >= 44, `target ${await b.innerText()}`);
        }
        await assertAccessible(page, 'the form at 320 px');
    });
});
