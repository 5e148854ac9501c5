// media.test.mjs — images and documents in Debian's chromium: the demo administrator adds a
// phone photo (a JPEG from a file, with GPS and a rotation in its EXIF) through the record's
// "Images et documents" page, a missing alternative text is refused with the error next to the
// field and focus-able from the summary, then the photo is accepted, shown on the record upright
// with its alternative text and srcset, opened large in the lightbox with the keyboard (Enter,
// arrows, Échap, focus given back), and a document is listed as a download; the record page and
// the media page have no WCAG 2.1 A/AA violation, nothing scrolls sideways at 320 px, and the
// page works without JavaScript (the image link opens the large file). Screenshots in
// build/e2e-media-*.png. Owns its server and site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SHOTS, PHONE, DESKTOP, startSite, withWatchedPage, logIn, noSideScroll, assertAccessible,
    DEMO_ADMIN } from './support.mjs';

let site, base, dir, photo, pdf, slug;

before(async () => {
    site = await startSite();
    base = site.base;
    dir = mkdtempSync(path.join(tmpdir(), 'foison-e2e-media-'));
    // A landscape photo stored sideways (Orientation 6: shown upright it is portrait), with a
    // position, as a phone writes them.
    photo = path.join(dir, 'IMG_2041.jpg');
    execFileSync('vips', ['xyz', path.join(dir, 'xyz.v'), '1600', '1200']);
    execFileSync('vips', ['extract_band', path.join(dir, 'xyz.v'), path.join(dir, 'x.v'), '0']);
    execFileSync('vips', ['linear', path.join(dir, 'x.v'), path.join(dir, 'g.v'), '0.15', '20']);
    execFileSync('vips', ['bandjoin_const', path.join(dir, 'g.v'), photo + '[Q=90]', '120 180']);
    execFileSync('exiftool', ['-q', '-overwrite_original', '-n', '-Orientation=6',
        '-GPSLatitude=48.3904', '-GPSLatitudeRef=N', '-GPSLongitude=4.4861', '-GPSLongitudeRef=W',
        photo]);
    pdf = path.join(dir, 'charte.pdf');
    writeFileSync(pdf, '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
        '2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    // A record without a main image yet: the first actor of the demo (innovations have one).
    const list = await (await fetch(`${base}/api/v1/entries?kind=actor`)).json();
    slug = list.entries[0].slug;
});

after(async () => {
    await site?.stop();
    if (dir)
        rmSync(dir, { recursive: true, force: true });
});

test('a photo and a document added from files, shown, opened with the keyboard', { timeout: 180_000 },
    async () => {
        await withWatchedPage(site.browser, path.join(SHOTS, 'e2e-media-fail.png'),
            { ...DESKTOP, serverErrors: site.serverErrors, expected: [/status of 422/] }, async (page) => {
                await logIn(page, base, DEMO_ADMIN);
                await page.goto(`${base}/acteurs/${slug}`);
                await page.getByRole('link', { name: 'Images et documents' }).click();
                await page.waitForURL(`**/acteurs/${slug}/medias`);
                await assertAccessible(page, 'the media page');
                // Without an alternative text: refused, the texts kept, the error at the field.
                await page.locator('#media-file').setInputFiles(photo);
                await page.locator('#media-caption').fill('L’atelier du mardi soir');
                await page.locator('#media-author').fill('Maëlle K.');
                await page.getByRole('button', { name: 'Envoyer' }).click();
                await page.locator('.error-summary').waitFor();
                assert.match(await page.locator('#error-alt').innerText(), /Décrivez l’image/);
                assert.equal(await page.locator('#media-caption').inputValue(), 'L’atelier du mardi soir');
                await assertAccessible(page, 'the media page with an error');
                await page.locator('.error-summary a[href="#media-alt"]').click();
                assert.equal(await page.evaluate(() => document.activeElement.id), 'media-alt');
                // Sent again with its alternative text (the file chosen again).
                await page.locator('#media-file').setInputFiles(photo);
                await page.locator('#media-alt').fill('Trois bénévoles réparent un vélo sur un établi');
                await page.getByRole('button', { name: 'Envoyer' }).click();
                await page.getByText('Le fichier est ajouté à la fiche.').waitFor();
                // And a document.
                await page.locator('#media-file').setInputFiles(pdf);
                await page.locator('#media-alt').fill('Charte de l’atelier');
                await page.getByRole('button', { name: 'Envoyer' }).click();
                await page.getByText('Le fichier est ajouté à la fiche.').waitFor();
                await page.screenshot({ path: path.join(SHOTS, 'e2e-media-page-desktop.png'), fullPage: true });

                await page.goto(`${base}/acteurs/${slug}`);
                const img = page.locator('.media-main img');
                assert.equal(await img.getAttribute('alt'), 'Trois bénévoles réparent un vélo sur un établi');
                assert.match(await img.getAttribute('srcset'), /\/media\/[0-9a-f]{64}\.jpg 320w/);
                await img.evaluate((i) => i.decode());
                const shown = await img.evaluate((i) => ({ w: i.naturalWidth, h: i.naturalHeight }));
                assert.ok(shown.h > shown.w, `upright: taller than wide (${shown.w}×${shown.h})`);
                // Metadata gone from what is served.
                const src = await img.evaluate((i) => i.currentSrc);
                const bytes = Buffer.from(await (await fetch(src)).arrayBuffer());
                const served = path.join(dir, 'served');
                writeFileSync(served, bytes);
                const tags = JSON.parse(execFileSync('exiftool', ['-json', '-a', '-G1', served]).toString())[0];
                assert.deepEqual(Object.keys(tags).filter((k) => /GPS|IFD0|ExifIFD|XMP|ICC/.test(k)), []);
                const doc = page.getByRole('link', { name: 'Charte de l’atelier' });
                assert.match(await doc.getAttribute('href'), /^\/media\/[0-9a-f]{64}\.pdf$/);
                await assertAccessible(page, 'the record with its image');
                await page.screenshot({ path: path.join(SHOTS, 'e2e-media-record-desktop.png'), fullPage: true });

                // The lightbox, with the keyboard only.
                const link = page.locator('.media-main a.lightbox-link');
                await link.focus();
                await page.keyboard.press('Enter');
                const dialog = page.getByRole('dialog');
                await dialog.waitFor();
                assert.match(await dialog.innerText(), /Image 1 sur 1/);
                assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Fermer');
                await assertAccessible(page, 'the lightbox');
                await page.screenshot({ path: path.join(SHOTS, 'e2e-media-lightbox.png') });
                await page.keyboard.press('Escape');
                await dialog.waitFor({ state: 'hidden' });
                assert.ok(await link.evaluate((a) => a === document.activeElement), 'focus back on the link');
            });
    });

test('at 320 px and without JavaScript', { timeout: 120_000 }, async () => {
    await withWatchedPage(site.browser, path.join(SHOTS, 'e2e-media-phone-fail.png'),
        { ...PHONE, serverErrors: site.serverErrors }, async (page) => {
            await logIn(page, base, DEMO_ADMIN);
            for (const p of [`/acteurs/${slug}`, `/acteurs/${slug}/medias`]) {
                await page.goto(`${base}${p}`);
                await noSideScroll(page, p);
                await assertAccessible(page, `${p} at 320 px`);
            }
            await page.screenshot({ path: path.join(SHOTS, 'e2e-media-page-phone.png'), fullPage: true });
            await page.goto(`${base}/acteurs/${slug}`);
            await page.screenshot({ path: path.join(SHOTS, 'e2e-media-record-phone.png'), fullPage: true });
        });
    await withWatchedPage(site.browser, path.join(SHOTS, 'e2e-media-nojs-fail.png'),
        { ...DESKTOP, javaScriptEnabled: false, serverErrors: site.serverErrors }, async (page) => {
            await page.goto(`${base}/acteurs/${slug}`);
            const href = await page.locator('.media-main a').getAttribute('href');
            const r = await page.goto(`${base}${href}`);
            assert.equal(r.status(), 200);
            assert.equal(r.headers()['content-type'], 'image/jpeg');
        });
});
