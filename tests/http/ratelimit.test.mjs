// ratelimit.test.mjs — the rate of edits, checked in the one save path: a contributor's 9th edit
// within a minute is refused with 429 and Retry-After (by the API and by the form, whose input is
// kept), per account and per address (another newcomer behind the same address waits too);
// trusted accounts are limited per account only (two of them from 127.0.0.1 both make 9+ edits);
// moderators are limited by rate_edits; both limits are settings that apply at once, 0 turning
// one off. The reset after the window is tested without sleeping in tests/unit/test_rate.c.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
    startServer, loginOk, apiJson, sampleInnovation, formFields, decodeEntities, inputValue,
    textareaValue, BIN,
} from './harness.mjs';

let srv, chloe;

before(async () => {
    srv = await startServer();
    chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);

function cli(args, input) {
    const r = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, `foison ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
}

const config = (key, value) => cli(['config', srv.db, key, value]);

/* A new account of role with an API token. */
function account(name, role) {
    const email = `${name}.rate@test.foison`;
    cli(['user', 'add', srv.db, '--email', email, '--name', name, '--role', role], `${name}-password-9\n`);
    return { email, token: cli(['token', 'create', srv.db, '--email', email]) };
}

const create = (user, title) => api('/api/v1/entries', {
    method: 'POST', token: user.token, body: { kind: 'innovation', ...sampleInnovation({ title }) },
});
const edit = (user, slug, base, summary) => api(`/api/v1/entries/${slug}`, {
    method: 'PUT', token: user.token, body: { base_revision: base, summary },
});

/* n edits by user on a record of their own (the creation counts as one); the last answer. */
async function edits(user, n, title) {
    let r = await create(user, title);
    assert.equal(r.status, 201, r.text);
    const slug = r.json.slug;
    for (let i = 1; i < n; i++) {
        r = await edit(user, slug, r.json.revision, `${title} : résumé numéro ${i}.`);
        assert.equal(r.status, 200, `edit ${i + 1}: ${r.text}`);
    }
    return { slug, rev: r.json.revision };
}

test('a contributor\'s 9th edit in a minute is refused (API and form, input kept), per account and per address', async () => {
    const { slug, rev } = await edits(srv.users.c, 8, 'Huit modifications de Chloé');
    // The 9th through the API.
    const refused = await edit(srv.users.c, slug, rev, 'Une neuvième modification.');
    assert.equal(refused.status, 429, refused.text);
    const wait = Number(refused.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 66, `Retry-After ${wait}`);
    assert.equal(refused.json.error.retry_after, wait);
    assert.match(refused.json.error.message, /beaucoup de modifications en peu de temps/);
    // Nothing was written.
    const cur = await api(`/api/v1/entries/${slug}`, { token: srv.users.c.token });
    assert.equal(cur.json.revision, rev);
    // The 9th through the form: 429, the message, the text kept.
    const form = await chloe.get(`/innovations/${slug}/edit`);
    assert.equal(form.status, 200);
    const fields = formFields(sampleInnovation({ title: 'Huit modifications de Chloé',
                                                 summary: 'Mon résumé tapé à la main.' }));
    fields.description = 'Ma description, gardée malgré le refus.';
    const posted = await chloe.post(`/innovations/${slug}/edit`, {
        ...fields, base_revision: inputValue(form.text, 'base_revision'),
        started: inputValue(form.text, 'started'), comment: 'mon commentaire',
    });
    assert.equal(posted.status, 429);
    assert.ok(Number(posted.headers.get('retry-after')) >= 1);
    assert.match(decodeEntities(posted.text), /Vous avez enregistré beaucoup de modifications en peu de temps\u202f: rien n'a été enregistré cette fois\. Patientez \d+ secondes?/);
    assert.equal(inputValue(posted.text, 'summary'), 'Mon résumé tapé à la main.');
    assert.equal(textareaValue(posted.text, 'description'), 'Ma description, gardée malgré le refus.');
    assert.equal(inputValue(posted.text, 'comment'), 'mon commentaire');
    // A new record too, by the form.
    const made = await chloe.post('/innovations/new', formFields(sampleInnovation({ title: 'Une fiche de trop' })));
    assert.equal(made.status, 429);
    // Another newcomer from the same address (127.0.0.1) waits too: the address has had its 8.
    const dora = account('dora', 'contributor');
    const other = await create(dora, 'La première fiche de Dora');
    assert.equal(other.status, 429, other.text);
    assert.ok(Number(other.headers.get('retry-after')) >= 1);
});

test('trusted accounts are limited per account only: two of them from one address make 9+ edits each', async () => {
    for (const user of [srv.users.a, srv.users.b]) {
        const { slug, rev } = await edits(user, 12, `Douze modifications de ${user.name}`);
        const r = await api(`/api/v1/entries/${slug}`);
        assert.equal(r.status, 200);
        assert.equal(r.json.revision, rev);
        assert.equal(rev, 12, 'every edit published');
    }
});

test('the limits are settings, applied at once; moderators use rate_edits; 0 turns a limit off', async () => {
    // Alice made 12 edits this minute: a limit of 5 refuses her next one at once.
    config('rate_edits', '5');
    const alice = await create(srv.users.a, 'Une fiche au-delà de cinq');
    assert.equal(alice.status, 429, alice.text);
    // A moderator has 5 too.
    const { slug, rev } = await edits(srv.users.m, 5, 'Cinq modifications du modérateur');
    assert.equal((await edit(srv.users.m, slug, rev, 'Sixième.')).status, 429);
    config('rate_edits', '0');
    assert.equal((await create(srv.users.a, 'Sans limite pour les comptes de confiance')).status, 201);
    assert.equal((await edit(srv.users.m, slug, rev, 'Sixième, sans limite.')).status, 200);
    config('rate_edits', '90');
    // Newcomers: a larger limit applies at once (Chloé and the address are at 8).
    config('rate_edits_new', '10');
    const made = await create(srv.users.c, 'La neuvième de Chloé');
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.state, 'pending');
    config('rate_edits_new', '0');
    const dora = account('dora2', 'contributor');
    for (let i = 0; i < 10; i++)
        assert.equal((await create(dora, `Dora sans limite ${i}`)).status, 201);
    config('rate_edits_new', '8');
    assert.equal((await create(dora, 'Dora de nouveau limitée')).status, 429);
    // foison config checks the values.
    const bad = spawnSync(BIN, ['config', srv.db, 'rate_edits', '-1'], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /un entier de 0 à 100000/);
    assert.notEqual(spawnSync(BIN, ['config', srv.db, 'report_hide', '100001']).status, 0);
});
