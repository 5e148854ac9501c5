// html.test.mjs — every kind of page the site emits is well-formed HTML: HTML Tidy (Debian's
// `tidy`) reports neither errors nor warnings on it, for anonymous and logged-in visitors,
// forms with errors, the conflict page and error pages.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, loginOk, apiJson, sampleInnovation, formFields } from './harness.mjs';

let srv, slug, actorSlug, alice;

before(async () => {
    srv = await startServer();
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { kind: 'innovation', ...sampleInnovation({ title: 'Page à valider <b>&</b>',
            description: '# Titre\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n* un\n* deux\n\n> citation',
            point: { lat: 48.4, lon: -4.7 }, website: 'https://exemple.org/?a=1&b=2' }) },
    });
    assert.equal(r.status, 201);
    slug = r.json.slug;
    const up = await apiJson(srv.base, `/api/v1/entries/${slug}`, {
        method: 'PUT', token: srv.users.a.token, body: { base_revision: 1, summary: 'Deuxième résumé.' },
    });
    assert.equal(up.status, 200);
    const actor = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token,
        body: { kind: 'actor', title: 'Acteur à contacter <i>&</i>', summary: 'Un acteur avec une adresse de contact.',
            contact_email: 'contact@exemple.org' },
    });
    assert.equal(actor.status, 201, actor.text);
    actorSlug = actor.json.slug;
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
});

after(async () => {
    await srv?.stop();
});

// Tidy 5.6 (Debian 12) predates these standard HTML and WAI-ARIA 1.1 attributes.
// autofocus is a global attribute in the HTML Living Standard (the entry form's error summary).
const TIDY_UNKNOWN_BUT_VALID = [/proprietary attribute "inputmode"/,
    /proprietary attribute "aria-current"/, /<div> proprietary attribute "autofocus"/,
    // Responsive images (HTML Living Standard): sizes on <source>, lazy loading, downloads.
    /<source> proprietary attribute "sizes"/, /<img> proprietary attribute "loading"/,
    /<a> proprietary attribute "download"/];

function assertTidy(html, what) {
    const r = spawnSync('tidy', ['-q', '-e', '-utf8'], { input: html, encoding: 'utf8' });
    assert.notEqual(r.status, null, 'tidy ran');
    const problems = r.stderr.split('\n').filter((l) => l.trim() !== '')
        .filter((l) => !TIDY_UNKNOWN_BUT_VALID.some((re) => re.test(l)));
    assert.deepEqual(problems, [], `${what}: tidy says\n${problems.join('\n')}`);
}

test('anonymous pages are well-formed', async () => {
    const paths = ['/', '/innovations', '/innovations?theme=numerique', '/innovations?page=2',
        `/innovations/${slug}`, `/innovations/${slug}?rev=1`, `/innovations/${slug}/history`,
        `/innovations/${slug}/diff?from=1&to=2`, '/login', '/nope', `/innovations/${slug}/nope`,
        `/acteurs/${actorSlug}`, `/acteurs/${actorSlug}/contact`];
    // With the cookie of the gate before history and diff (and the gate itself, without it).
    const cookie = await srv.human();
    for (const p of paths) {
        const r = await fetch(srv.base + p, { headers: { cookie } });
        assertTidy(await r.text(), p);
    }
    const gate = await (await fetch(`${srv.base}/innovations/${slug}/history`)).text();
    assert.match(gate, /action="\/verification"/);
    assertTidy(gate, 'the gate before the history');
});

test('logged-in pages and forms are well-formed', async () => {
    for (const p of ['/', '/innovations/new', `/innovations/${slug}`, `/innovations/${slug}/edit`,
        `/innovations/${slug}/history`, `/acteurs/${actorSlug}`, `/acteurs/${actorSlug}/contact`,
        `/acteurs/${actorSlug}/edit`]) {
        const r = await alice.get(p);
        assert.equal(r.status, 200, p);
        assertTidy(r.text, p);
    }
});

test('a form with errors and the conflict page are well-formed', async () => {
    const bad = await alice.post('/innovations/new', { title: '', summary: 'x'.repeat(301), themes: 'inconnu' });
    assert.equal(bad.status, 422);
    assertTidy(bad.text, '422 form');
    const conflict = await alice.post(`/innovations/${slug}/edit`, {
        ...formFields(sampleInnovation({ title: 'Page à valider <b>&</b>' })), base_revision: 1,
    });
    assert.equal(conflict.status, 409);
    assertTidy(conflict.text, '409 conflict page');
    const contact = await alice.post(`/acteurs/${actorSlug}/contact`, { subject: '', text: '' });
    assert.equal(contact.status, 422);
    assertTidy(contact.text, '422 contact form');
    const anonymous = await fetch(`${srv.base}/acteurs/${actorSlug}/contact`);
    const cookie = anonymous.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = await anonymous.text();
    const csrf = /name="csrf" value="([^"]*)"/.exec(page)[1];
    const refused = await fetch(`${srv.base}/acteurs/${actorSlug}/contact`, {
        method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, name: '', email: 'x', subject: 'x', text: 'x' }).toString(),
    });
    assert.equal(refused.status, 422);
    assertTidy(await refused.text(), '422 contact form (anonymous)');
});
