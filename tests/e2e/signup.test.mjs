// Browser end-to-end of an account opened by its owner (Debian's chromium driven by
// playwright-core): sign up (the proof of work solved by the page's own script), confirm by the
// link of the mail the server really wrote (read as MIME by Python's email package), write a
// first record, which waits for moderation, a moderator approves it, the public sees it. The
// same sign-up without JavaScript answers the question instead. Every account page has no WCAG
// 2.1 A/AA violation found by axe-core and never scrolls sideways at 320 px; screenshots in
// build/e2e-signup-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { SHOTS, PHONE, DEMO_ADMIN, startSite, assertAccessible, watchedContext, logIn, noSideScroll }
    from './support.mjs';

const TEST_MS = 180_000;
const TITLE = 'Le Repair Café du Relecq-Kerhuon';

let site, base, browser, serverErrors;

before(async () => {
    site = await startSite();
    ({ base, browser, serverErrors } = site);
});

after(async () => {
    await site?.stop();
});

/* A context whose 5xx answers are collected; nothing else of it is watched. */
function newContext(options = {}) {
    return watchedContext(browser, { serverErrors, ...options });
}

/* The link of the last mail to `to` that points at p, from the spool. */
async function mailLink(to, p) {
    const dir = `${site.db}-courriels`;
    const py = `
import email, json, sys
from email import policy
out = []
for f in sys.argv[1:]:
    m = email.message_from_binary_file(open(f, 'rb'), policy=policy.default)
    assert not m.defects, m.defects
    out.append({'to': str(m['to']), 'text': m.get_body(('plain',)).get_content()})
print(json.dumps(out))`;
    for (let i = 0; i < 100; i++) {
        const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()
            .map((f) => path.join(dir, f)) : [];
        if (files.length) {
            const r = spawnSync('/usr/bin/python3', ['-c', py, ...files], { encoding: 'utf8' });
            assert.equal(r.status, 0, r.stderr);
            const found = JSON.parse(r.stdout).filter((m) => m.to === to)
                .map((m) => new RegExp(`(https?://\\S+${p}\\?jeton=[0-9a-f]{64})`).exec(m.text))
                .filter(Boolean);
            if (found.length)
                return found[found.length - 1][1];
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no mail with a ${p} link to ${to}`);
}

async function fillSignup(page, who) {
    await page.goto(`${base}/inscription`);
    await page.locator('#name').fill(who.name);
    await page.locator('#email').fill(who.email);
    await page.locator('#password').fill(who.password);
    await page.waitForTimeout(3200); // a person takes a few seconds; the server checks it
}

test('sign up → confirm by the mail\'s link → the first record waits → a moderator approves → the public sees it',
    { timeout: TEST_MS }, async () => {
        const who = { name: 'Soazig Le Bihan', email: 'soazig.lebihan@exemple.org', password: 'des vélos pour tout le quartier' };
        const ctx = await newContext(PHONE);
        const page = await ctx.newPage();
        await page.goto(`${base}/`);
        await page.getByRole('link', { name: 'Créer un compte' }).first().click();
        await page.waitForURL(/\/inscription$/);
        await noSideScroll(page, 'the sign-up form');
        await assertAccessible(page, 'the sign-up form at 320 px');
        await page.screenshot({ path: path.join(SHOTS, 'e2e-signup-form-320.png'), fullPage: true });
        // A refused password: the error beside the field, the other fields kept.
        await fillSignup(page, { ...who, password: 'azerty123456' });
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Créer mon compte' }).click()]);
        await page.locator('#error-password').waitFor();
        assert.match(await page.locator('#error-password').innerText(), /plus courants/);
        assert.equal(await page.locator('#email').inputValue(), who.email);
        await assertAccessible(page, 'the sign-up form with an error at 320 px');
        await page.screenshot({ path: path.join(SHOTS, 'e2e-signup-error-320.png'), fullPage: true });
        // The real sign-up: login-pow.js solves the proof of work on submit.
        await fillSignup(page, who);
        await Promise.all([
            page.waitForURL(/\/inscription$/),
            page.getByRole('button', { name: 'Créer mon compte' }).click(),
        ]);
        await page.getByRole('heading', { name: 'Vérifiez votre messagerie' }).waitFor();
        await assertAccessible(page, 'the "check your mail" page at 320 px');

        // The link of the mail asks for the password, and logs in.
        await page.goto(await mailLink(who.email, '/confirmer'));
        assert.match(await page.locator('main').innerText(), /Soazig Le Bihan/);
        await assertAccessible(page, 'the confirmation page at 320 px');
        await page.screenshot({ path: path.join(SHOTS, 'e2e-signup-confirm-320.png'), fullPage: true });
        await page.locator('#password').fill(who.password);
        await Promise.all([
            page.waitForURL(/\/compte$/),
            page.getByRole('button', { name: 'Activer mon compte' }).click(),
        ]);
        assert.match(await page.locator('p.flash').innerText(), /compte est activé/);
        await noSideScroll(page, 'the account page');
        await assertAccessible(page, 'the account page at 320 px');
        await page.screenshot({ path: path.join(SHOTS, 'e2e-signup-account-320.png'), fullPage: true });

        // The first record waits for moderation.
        await page.goto(`${base}/innovations/new`);
        await page.locator('#title').fill(TITLE);
        await page.locator('#summary').fill('Un samedi par mois, des bénévoles réparent avec les habitants ce qui est cassé.');
        await page.locator('#description').fill('Petit électroménager, vélos, vêtements : on apprend à réparer ensemble plutôt que jeter.'
            + '\n\nLes outils sont prêtés par la médiathèque.');
        await page.getByRole('checkbox', { name: 'Transition écologique' }).check();
        await page.locator('#commune').selectOption({ label: 'Le Relecq-Kerhuon' });
        await page.locator('#status').selectOption('en-cours');
        await page.waitForTimeout(1000);
        await Promise.all([
            page.waitForURL(/\/innovations\/(?!new$)[^/?#]+$/),
            page.getByRole('button', { name: 'Enregistrer' }).click(),
        ]);
        const url = page.url();
        assert.match(await page.locator('article.entry').innerText(), /attend la relecture/);
        const visitor = await newContext();
        const vp = await visitor.newPage();
        assert.equal((await vp.goto(url)).status(), 404, 'the public does not see it yet');

        // A moderator approves it in the queue.
        const mod = await newContext(PHONE);
        const mp = await mod.newPage();
        await logIn(mp, base, DEMO_ADMIN);
        await mp.goto(`${base}/moderation`);
        const item = mp.locator('li.queue-item', { hasText: TITLE });
        await item.waitFor();
        assert.match(await item.innerText(), /Soazig Le Bihan/);
        await Promise.all([
            mp.waitForURL(/\/moderation$/),
            item.getByRole('button', { name: 'Approuver' }).click(),
        ]);
        assert.match(await mp.locator('p.flash').innerText(), /publiée/);

        // The public sees it.
        assert.equal((await vp.goto(url)).status(), 200);
        assert.equal(await vp.locator('article.entry h1').innerText(), TITLE);
        await vp.screenshot({ path: path.join(SHOTS, 'e2e-signup-published.png'), fullPage: true });
        await ctx.close();
        await visitor.close();
        await mod.close();
    });

test('without JavaScript: the question replaces the proof of work; "mot de passe oublié" and the reset page',
    { timeout: TEST_MS }, async () => {
        const who = { name: 'Goulven Tanguy', email: 'goulven.tanguy@exemple.org', password: 'la cale du moulin blanc' };
        const noJs = await newContext({ ...PHONE, javaScriptEnabled: false });
        const page = await noJs.newPage();
        await fillSignup(page, who);
        const q = await page.locator('label[for="human_answer"]').innerText();
        const words = ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix'];
        const m = /Combien font (\S+) plus (\S+)/.exec(q);
        assert.ok(m, `the question is shown without JavaScript: ${q}`);
        await page.locator('#human_answer').fill(String(words.indexOf(m[1]) + words.indexOf(m[2])));
        await Promise.all([
            page.waitForURL(/\/inscription$/),
            page.getByRole('button', { name: 'Créer mon compte' }).click(),
        ]);
        await page.getByRole('heading', { name: 'Vérifiez votre messagerie' }).waitFor();
        await mailLink(who.email, '/confirmer');

        // Forgotten password, then the reset page, checked with JavaScript on for axe.
        const js = await newContext(PHONE);
        const p2 = await js.newPage();
        await p2.goto(`${base}/login`);
        await p2.getByRole('link', { name: /Mot de passe oublié/ }).click();
        await p2.waitForURL(/\/mot-de-passe-oublie$/);
        await noSideScroll(p2, 'the forgotten-password form');
        await assertAccessible(p2, 'the forgotten-password form at 320 px');
        await p2.locator('#email').fill(who.email);
        await Promise.all([
            p2.waitForURL(/\/mot-de-passe-oublie$/),
            p2.getByRole('button', { name: 'Recevoir le lien' }).click(),
        ]);
        await p2.getByRole('heading', { name: 'Vérifiez votre messagerie' }).waitFor();
        await p2.goto(await mailLink(who.email, '/reinitialiser'));
        await noSideScroll(p2, 'the reset form');
        await assertAccessible(p2, 'the reset form at 320 px');
        await p2.screenshot({ path: path.join(SHOTS, 'e2e-signup-reset-320.png'), fullPage: true });
        await p2.locator('#password').fill('une toute nouvelle phrase');
        await Promise.all([
            p2.waitForURL(/\/compte$/),
            p2.getByRole('button', { name: 'Enregistrer le mot de passe' }).click(),
        ]);
        assert.match(await p2.locator('p.flash').innerText(), /mot de passe est changé/);
        await noJs.close();
        await js.close();
    });
