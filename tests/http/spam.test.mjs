// spam.test.mjs — the spam score at the doors: a text scored above the refuse threshold is
// refused with its reasons (422, nothing written) even from a trusted contributor; between the
// thresholds it waits for moderation whoever writes it, with its score and reasons in the queue;
// blocked domains are refused; the form's hidden field traps robots, and its signed time stamp
// tells a robot's seconds from a person's.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
    startServer, loginOk, apiJson, apiTotal, sampleInnovation, formFields, inputValue, BIN,
    decodeEntities,
} from './harness.mjs';

let srv, alice;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);

async function pending() {
    const q = await api('/api/v1/moderation/pending', { token: srv.users.m.token });
    assert.equal(q.status, 200, q.text);
    return q.json.pending;
}

test('an advertisement is refused with its reasons, even from a trusted contributor', async () => {
    const total = await apiTotal(srv.base);
    const r = await api('/api/v1/entries', {
        method: 'POST', token: srv.users.a.token, body: {
            kind: 'innovation', ...sampleInnovation({
                title: 'Coffres-forts pas chers à Brest',
                description: 'Achetez votre coffre-fort : -40 % avec le code COFFRE40 sur '
                    + 'https://casino-coffres.example et https://bonus-casino.example !',
            }),
        },
    });
    assert.equal(r.status, 422, r.text);
    const err = r.json.errors.find((e) => e.field === 'spam');
    assert.ok(err, 'a spam error');
    assert.match(err.message, /ressemble à du spam/);
    assert.match(err.message, /code de promotion/, 'the reasons are given');
    assert.equal(await apiTotal(srv.base), total, 'nothing written');
});

test('between the thresholds a trusted contributor\'s edit waits, with its score and reasons', async () => {
    const made = await api('/api/v1/entries', {
        method: 'POST', token: srv.users.a.token, body: { kind: 'innovation', ...sampleInnovation({
            title: 'Le café des aidants de Plouzané', summary: 'Un café mensuel pour les aidants.',
        }) },
    });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.state, 'published');
    const edit = await api(`/api/v1/entries/${made.json.slug}`, {
        method: 'PUT', token: srv.users.a.token,
        body: { base_revision: 1, summary: 'Un café mensuel pour les aidants, animé par des abrutis.' },
    });
    assert.equal(edit.status, 200, edit.text);
    assert.equal(edit.json.state, 'pending', 'held even though the author is trusted');
    const one = await api(`/api/v1/entries/${made.json.slug}`);
    assert.equal(one.json.summary, 'Un café mensuel pour les aidants.');
    const item = (await pending()).find((p) => p.slug === made.json.slug);
    assert.ok(item.score >= 50, `score ${item.score}`);
    assert.ok(item.reasons.some((x) => /insulte/.test(x)), item.reasons.join(' | '));
    const page = decodeEntities((await (await loginOk(srv.base, srv.users.m.email, srv.users.m.password)).get('/moderation')).text);
    assert.match(page, /score de spam \d+/);
    assert.match(page, /insulte/);
});

test('links to a blocked domain are refused; the setting is checked by foison config', async () => {
    const bad = spawnSync(BIN, ['config', srv.db, 'blocked_domains', 'a<b'], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    const ok = spawnSync(BIN, ['config', srv.db, 'blocked_domains', 'bloque.example, autre.example'],
        { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const r = await api('/api/v1/entries', {
        method: 'POST', token: srv.users.a.token, body: { kind: 'innovation', ...sampleInnovation({
            title: 'Une fiche avec un lien douteux',
            description: 'Voir https://www.bloque.example/page pour en savoir plus sur le projet.',
        }) },
    });
    assert.equal(r.status, 422, r.text);
    assert.match(r.json.errors[0].message, /domaine bloqué \(www\.bloque\.example\)/);
    // A domain that only ends like a blocked one is not blocked.
    const fine = await api('/api/v1/entries', {
        method: 'POST', token: srv.users.a.token, body: { kind: 'innovation', ...sampleInnovation({
            title: 'Une fiche avec un lien honnête',
            description: 'Voir https://nonbloque.example/page pour en savoir plus sur le projet.',
        }) },
    });
    assert.equal(fine.status, 201, fine.text);
    spawnSync(BIN, ['config', srv.db, 'blocked_domains', ''], { encoding: 'utf8' });
});

test('the form\'s hidden field traps robots; its signed stamp times the filling', async () => {
    const total = await apiTotal(srv.base);
    const form = await alice.get('/innovations/new');
    const started = inputValue(form.text, 'started');
    assert.match(started, /^\d+\.[0-9a-f]{64}$/, 'a signed stamp in the form');
    assert.match(form.text, /<div class="trap" aria-hidden="true">/);
    // A robot fills every field, the hidden one too.
    const inn = sampleInnovation({ title: 'Rempli par un robot' });
    const trapped = await alice.post('/innovations/new',
        { ...formFields(inn), started, contact_url: 'http://x.example' });
    assert.equal(trapped.status, 422);
    assert.match(decodeEntities(trapped.text), /rempli par un robot/);
    assert.equal(inputValue(trapped.text, 'title'), 'Rempli par un robot', 'the input is kept');
    assert.equal(await apiTotal(srv.base), total, 'nothing written');
    // Posted the second it was shown: a person is not that fast; the text waits for moderation.
    const quick = await alice.post('/innovations/new',
        { ...formFields(sampleInnovation({ title: 'Envoyée dans la seconde' })), started });
    assert.equal(quick.status, 303);
    assert.equal(await apiTotal(srv.base), total, 'held, not published');
    const item = (await pending()).find((p) => p.title === 'Envoyée dans la seconde');
    assert.ok(item, 'in the queue');
    assert.ok(item.reasons.some((x) => /formulaire rempli en \d+ s/.test(x)), item.reasons.join(' | '));
    // A forged stamp counts for nothing (neither fast nor slow).
    const forged = await alice.post('/innovations/new',
        { ...formFields(sampleInnovation({ title: 'Tampon contrefait' })), started: `1.${'0'.repeat(64)}` });
    assert.equal(forged.status, 303);
    assert.equal(await apiTotal(srv.base), total + 1, 'published: the forged stamp is ignored');
});
