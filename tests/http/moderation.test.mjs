// moderation.test.mjs — open contribution under moderation: a newcomer's edits wait, hidden from
// every door (page, list, home counts, history, diff, API, page cache) but shown to their author
// and to moderators; approving publishes them (with the pending texts they were written on),
// rejecting keeps them out; an edit written on a text since replaced cannot be approved; the
// queue, its API and the log answer moderators only; blocking kills sessions and tokens at once;
// rolling back an account undoes its edits everywhere; contributors become trusted by settings;
// two server processes on one site file never serve a stale page.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
    startServer, loginOk, apiJson, apiTotal, sampleInnovation, request, parseCards, BIN,
    decodeEntities, freePort,
} from './harness.mjs';

let srv, alice, chloe, marc;

before(async () => {
    srv = await startServer({ config: { rate_edits_new: '100' } }); // c edits more than 8 times a minute
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);

function sqlite(sql) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
}

async function createAs(user, fields) {
    const r = await api('/api/v1/entries', {
        method: 'POST', token: user.token, body: { kind: 'innovation', ...fields },
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
}

async function putAs(user, slug, base, fields) {
    return api(`/api/v1/entries/${slug}`, {
        method: 'PUT', token: user.token, body: { base_revision: base, ...fields },
    });
}

async function pendingIds(slug) {
    const q = await api('/api/v1/moderation/pending', { token: srv.users.m.token });
    assert.equal(q.status, 200, q.text);
    return q.json.pending.filter((p) => p.slug === slug);
}

async function homeCount() {
    const r = await request(srv.base, '/');
    const m = decodeEntities(r.text).match(/<strong>(\d+)<\/strong>\s*innovations?/);
    assert.ok(m, 'the home page shows a count of innovations');
    return Number(m[1]);
}

test('a newcomer\'s new record waits for moderation, seen only by its author and moderators', async () => {
    const totalBefore = await apiTotal(srv.base);
    const countBefore = await homeCount();
    const made = await createAs(srv.users.c, sampleInnovation({
        title: 'Le jardin partagé de Kerourien', summary: 'PENDING-NEW un jardin en attente.',
    }));
    assert.equal(made.state, 'pending');
    const slug = made.slug;
    // Every public door: 404 or absent.
    assert.equal((await api(`/api/v1/entries/${slug}`)).status, 404);
    assert.equal((await api(`/api/v1/entries/${slug}/revisions`)).status, 404);
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 404);
    assert.equal((await request(srv.base, `/innovations/${slug}/history`, { cookies: await srv.human() })).status, 404);
    assert.equal((await alice.get(`/innovations/${slug}`)).status, 404, 'another contributor');
    assert.equal((await api(`/api/v1/entries/${slug}`, { token: srv.users.a.token })).status, 404);
    for (const p of ['/innovations', '/', '/innovations?page=2']) {
        assert.doesNotMatch((await request(srv.base, p)).text, /PENDING-NEW|jardin partagé/, p);
        assert.doesNotMatch((await alice.get(p)).text, /PENDING-NEW/, `${p} for another account`);
    }
    const list = await api('/api/v1/entries?kind=innovation');
    assert.doesNotMatch(list.text, /PENDING-NEW/);
    assert.equal(await apiTotal(srv.base), totalBefore, 'the API total is unchanged');
    assert.equal(await homeCount(), countBefore, 'the home count is unchanged');
    // Its author and the moderators see it, marked as waiting.
    const mine = await chloe.get(`/innovations/${slug}`);
    assert.equal(mine.status, 200);
    assert.match(decodeEntities(mine.text), /attend la relecture/);
    assert.match(mine.text, /<meta name="robots" content="noindex">/);
    const own = await api(`/api/v1/entries/${slug}`, { token: srv.users.c.token });
    assert.equal(own.status, 200);
    assert.equal(own.json.state, 'pending');
    assert.equal((await marc.get(`/innovations/${slug}`)).status, 200);
    // The queue lists it; approving publishes it everywhere, counts included.
    const [item] = await pendingIds(slug);
    assert.ok(item, 'in the queue');
    assert.equal(item.new_entry, true);
    assert.equal(item.author, srv.users.c.name);
    assert.ok(Array.isArray(item.reasons));
    const ok = await api(`/api/v1/moderation/${item.revision_id}/approve`, {
        method: 'POST', token: srv.users.m.token, body: { reason: 'Fiche utile' },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.state, 'published');
    const pub = await api(`/api/v1/entries/${slug}`);
    assert.equal(pub.status, 200);
    assert.equal(pub.json.state, 'published');
    assert.equal(await apiTotal(srv.base), totalBefore + 1);
    assert.equal(await homeCount(), countBefore + 1);
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 200);
    // Deciding twice: the second answers 404, nothing changes.
    const again = await api(`/api/v1/moderation/${item.revision_id}/approve`, {
        method: 'POST', token: srv.users.m.token,
    });
    assert.equal(again.status, 404);
});

test('a newcomer\'s edit of a published record: the public keeps the published text on every door', async () => {
    const made = await createAs(srv.users.a, sampleInnovation({
        title: 'La ressourcerie de Saint-Renan', summary: 'Le texte publié.',
    }));
    const slug = made.slug;
    // Warm the anonymous page cache with the published text.
    const page0 = await request(srv.base, `/innovations/${slug}`);
    assert.match(page0.text, /Le texte publié/);
    const edit = await putAs(srv.users.c, slug, 1, { summary: 'SECRET-EDIT texte en attente.' });
    assert.equal(edit.status, 200, edit.text);
    assert.equal(edit.json.state, 'pending');
    assert.equal(edit.json.revision, 2);
    for (const p of [`/innovations/${slug}`, `/innovations/${slug}/history`, '/innovations', '/',
        `/innovations/${slug}/diff?from=1&to=1`]) {
        // Anonymous visitors past the gate before history and diff (robots.test.mjs).
        const anon = await request(srv.base, p, { cookies: await srv.human() });
        assert.equal(anon.status, 200, p);
        assert.doesNotMatch(anon.text, /SECRET-EDIT/, `${p}: anonymous`);
        if (/history|diff/.test(p))
            assert.match(anon.text, /<table class="history"|<title>Différences entre/, `${p}: the page itself`);
        assert.doesNotMatch((await alice.get(p)).text, /SECRET-EDIT/, `${p}: another account`);
    }
    assert.equal((await request(srv.base, `/innovations/${slug}/diff?from=1&to=2`, { cookies: await srv.human() })).status, 404);
    assert.equal((await request(srv.base, `/innovations/${slug}?rev=2`)).status, 404);
    const one = await api(`/api/v1/entries/${slug}`);
    assert.equal(one.json.revision, 1);
    assert.doesNotMatch(one.text, /SECRET-EDIT/);
    const revs = await api(`/api/v1/entries/${slug}/revisions`);
    assert.deepEqual(revs.json.revisions.map((r) => r.revision), [1]);
    // Its author: told on the record, sees the text in the form and in the history.
    const rec = decodeEntities((await chloe.get(`/innovations/${slug}`)).text);
    assert.match(rec, /Votre modification attend la relecture/);
    assert.match(rec, /Le texte publié/, 'the record shows what is published');
    const form = decodeEntities((await chloe.get(`/innovations/${slug}/edit`)).text);
    assert.match(form, /SECRET-EDIT texte en attente/, 'the author edits their own pending text');
    assert.match(form, /name="base_revision" value="2"/);
    const hist = decodeEntities((await chloe.get(`/innovations/${slug}/history`)).text);
    assert.match(hist, /en attente de relecture/);
    const ownRevs = await api(`/api/v1/entries/${slug}/revisions`, { token: srv.users.c.token });
    assert.deepEqual(ownRevs.json.revisions.map((r) => [r.revision, r.state]),
        [[2, 'pending'], [1, 'published']]);
    // A second edit on top of their own pending text: pending too; a stale base is a conflict.
    const second = await putAs(srv.users.c, slug, 2, { summary: 'SECRET-EDIT deuxième jet.' });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json.revision, 3);
    assert.equal((await putAs(srv.users.c, slug, 1, { summary: 'x' })).status, 409);
    // Approving the latest publishes both texts of the chain, and the cached page follows.
    const items = await pendingIds(slug);
    assert.deepEqual(items.map((i) => i.revision).sort(), [2, 3]);
    const top = items.find((i) => i.revision === 3);
    const ok = await api(`/api/v1/moderation/${top.revision_id}/approve`, {
        method: 'POST', token: srv.users.m.token,
    });
    assert.equal(ok.status, 200, ok.text);
    const after = await request(srv.base, `/innovations/${slug}`);
    assert.match(after.text, /deuxième jet/);
    const pubRevs = await api(`/api/v1/entries/${slug}/revisions`);
    assert.deepEqual(pubRevs.json.revisions.map((r) => [r.revision, r.state]),
        [[3, 'published'], [2, 'published'], [1, 'published']]);
    assert.deepEqual(await pendingIds(slug), []);
});

test('rejecting keeps an edit out; an edit written on a replaced text cannot be approved', async () => {
    const made = await createAs(srv.users.a, sampleInnovation({
        title: 'Le repair café de Bellevue', summary: 'Publié au départ.',
    }));
    const slug = made.slug;
    const spam = await putAs(srv.users.c, slug, 1, { summary: 'Achetez des coffres-forts SPAM-REJECT.' });
    assert.equal(spam.json.state, 'pending');
    const [item] = await pendingIds(slug);
    // Through the page form, with a reason.
    const queue = await marc.get('/moderation');
    assert.equal(queue.status, 200);
    assert.match(decodeEntities(queue.text), /coffres-forts/, 'the queue shows the diff');
    const r = await marc.post(`/moderation/${item.revision_id}/reject`, { reason: 'publicité' });
    assert.equal(r.status, 303);
    assert.doesNotMatch((await request(srv.base, `/innovations/${slug}`)).text, /SPAM-REJECT/);
    assert.deepEqual(await pendingIds(slug), []);
    const own = await chloe.get(`/innovations/${slug}?rev=2`);
    assert.equal(own.status, 200);
    assert.match(decodeEntities(own.text), /a été refusée/);
    const log = decodeEntities((await marc.get('/moderation/log')).text);
    assert.match(log, /Refus/);
    assert.match(log, /publicité/);
    // Stale: the newcomer writes on revision 1, a trusted contributor publishes revision 4 meanwhile.
    const late = await putAs(srv.users.c, slug, 1, { summary: 'Une correction STALE.' });
    assert.equal(late.status, 200, late.text);
    const pub = await putAs(srv.users.a, slug, 1, { summary: 'Publié entre-temps.' });
    assert.equal(pub.status, 200, pub.text);
    assert.equal(pub.json.state, 'published');
    const [stale] = await pendingIds(slug);
    const no = await api(`/api/v1/moderation/${stale.revision_id}/approve`, {
        method: 'POST', token: srv.users.m.token,
    });
    assert.equal(no.status, 409, no.text);
    assert.match((await request(srv.base, `/innovations/${slug}`)).text, /Publié entre-temps/);
    // Their next edit starts from what is published, not from the stale text.
    const form = decodeEntities((await chloe.get(`/innovations/${slug}/edit`)).text);
    assert.match(form, /Publié entre-temps/);
});

test('the queue, its API and the log answer moderators only', async () => {
    assert.equal((await api('/api/v1/moderation/pending')).status, 401);
    assert.equal((await api('/api/v1/moderation/pending', { token: srv.users.a.token })).status, 403);
    assert.equal((await api('/api/v1/moderation/pending', { token: srv.users.c.token })).status, 403);
    assert.equal((await api('/api/v1/moderation/1/approve', { method: 'POST', token: srv.users.c.token })).status, 403);
    assert.equal((await api('/api/v1/moderation/999999/approve', { method: 'POST', token: srv.users.m.token })).status, 404);
    const bad = await api('/api/v1/moderation/1/reject', {
        method: 'POST', token: srv.users.m.token, body: { reason: 'x'.repeat(501) },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.errors[0].field, 'reason');
    for (const p of ['/moderation', '/moderation/log']) {
        assert.equal((await request(srv.base, p)).status, 303, `${p}: anonymous goes to login`);
        assert.equal((await alice.get(p)).status, 403, `${p}: trusted contributor`);
        assert.equal((await marc.get(p)).status, 200, `${p}: moderator`);
    }
    assert.equal((await alice.post('/moderation/1/approve', {})).status, 403);
    assert.match((await marc.get('/')).text, /href="\/moderation"/, 'moderators get the link');
    assert.doesNotMatch((await alice.get('/')).text, /href="\/moderation"/);
});

async function newAccount(email, name, role) {
    const pw = `${name.toLowerCase()}-mot-de-passe-1`;
    const add = spawnSync(BIN, ['user', 'add', srv.db, '--email', email, '--name', name, '--role', role],
        { input: `${pw}\n`, encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    const token = spawnSync(BIN, ['token', 'create', srv.db, '--email', email], { encoding: 'utf8' })
        .stdout.trim();
    const client = await loginOk(srv.base, email, pw);
    const id = Number(sqlite(`SELECT id FROM users WHERE email = '${email}'`));
    return { email, name, token, client, id };
}

test('blocking an account kills its sessions and tokens at once and rejects its pending edits', async () => {
    const v = await newAccount('vandale@test.foison', 'Vandale', 'contributor');
    const made = await createAs(srv.users.a, sampleInnovation({ title: 'La fiche qu\'on vandalise' }));
    const pending = await putAs(v, made.slug, 1, { summary: 'VANDAL tout effacé.' });
    assert.equal(pending.json.state, 'pending');
    assert.match((await v.client.get('/')).text, /action="\/logout"/, 'signed in before');
    const r = await marc.post(`/moderation/accounts/${v.id}/block`, { reason: 'vandalisme' });
    assert.equal(r.status, 303);
    assert.doesNotMatch((await v.client.get('/')).text, /action="\/logout"/, 'the session is dead');
    const put = await putAs(v, made.slug, 1, { summary: 'encore' });
    assert.equal(put.status, 401, 'the token is dead');
    assert.deepEqual(await pendingIds(made.slug), [], 'its pending edit is rejected');
    // A moderator cannot be blocked by a moderator, nor anyone by themselves.
    const self = await marc.post(`/moderation/accounts/${sqlite(`SELECT id FROM users WHERE email = '${srv.users.m.email}'`)}/block`, {});
    assert.equal(self.status, 403);
    assert.match(decodeEntities((await marc.get('/moderation/log')).text), /Blocage d'un compte/);
});

test('rolling back an account undoes its edits on every record and removes what it alone wrote', async () => {
    const s = await newAccount('spammeur@test.foison', 'Spammeur', 'trusted');
    const theirs = await createAs(s, sampleInnovation({ title: 'Coffres-forts pas chers ROLLBACK' }));
    const victim = await createAs(srv.users.a, sampleInnovation({
        title: 'La fiche à réparer', summary: 'Le bon texte.',
    }));
    const vand = await putAs(s, victim.slug, 1, { summary: 'ROLLBACK texte vandalisé.' });
    assert.equal(vand.json.state, 'published', 'a trusted account publishes at once');
    assert.match((await request(srv.base, `/innovations/${victim.slug}`)).text, /ROLLBACK/);
    const r = await marc.post(`/moderation/accounts/${s.id}/rollback`, { reason: 'spam' });
    assert.equal(r.status, 303);
    const page = await request(srv.base, `/innovations/${victim.slug}`);
    assert.doesNotMatch(page.text, /ROLLBACK/);
    assert.match(page.text, /Le bon texte/);
    assert.equal((await request(srv.base, `/innovations/${theirs.slug}`)).status, 404);
    assert.equal((await api(`/api/v1/entries/${theirs.slug}`)).status, 404);
    const list = await api('/api/v1/entries?kind=innovation');
    assert.doesNotMatch(list.text, /ROLLBACK/);
    const hist = await api(`/api/v1/entries/${victim.slug}/revisions`);
    assert.equal(hist.json.revisions[0].author, srv.users.m.name, 'the undo is a new revision by the moderator');
});

test('a contributor becomes trusted after enough approved edits (settings)', async () => {
    spawnSync(BIN, ['config', srv.db, 'trust_edits', '1'], { encoding: 'utf8' });
    spawnSync(BIN, ['config', srv.db, 'trust_days', '0'], { encoding: 'utf8' });
    const n = await newAccount('nouvelle@test.foison', 'Nouvelle', 'contributor');
    const made = await createAs(n, sampleInnovation({ title: 'Une première fiche approuvée' }));
    assert.equal(made.state, 'pending');
    const [item] = await pendingIds(made.slug);
    assert.equal((await api(`/api/v1/moderation/${item.revision_id}/approve`, {
        method: 'POST', token: srv.users.m.token,
    })).status, 200);
    assert.equal(sqlite(`SELECT role FROM users WHERE id = ${n.id}`), 'trusted');
    const next = await putAs(n, made.slug, 1, { summary: 'Publié sans attendre.' });
    assert.equal(next.json.state, 'published');
    assert.match(decodeEntities((await marc.get('/moderation/log')).text), /Confiance accordée/);
    spawnSync(BIN, ['config', srv.db, 'trust_edits', '5'], { encoding: 'utf8' });
    spawnSync(BIN, ['config', srv.db, 'trust_days', '7'], { encoding: 'utf8' });
});


test('two server processes on one site file: neither serves a page older than the last write', async () => {
    const port = await freePort();
    const other = spawn(BIN, ['serve', srv.db, '--listen', `127.0.0.1:${port}`, '--threads', '2'],
        { stdio: ['ignore', 'ignore', 'pipe'] });
    const base2 = `http://127.0.0.1:${port}`;
    try {
        for (let i = 0; i < 100; i++) {
            try {
                if ((await request(base2, '/healthz')).status === 200)
                    break;
            } catch { /* not listening yet */ }
            await new Promise((r) => setTimeout(r, 50));
        }
        const made = await createAs(srv.users.a, sampleInnovation({
            title: 'Deux processus, une fiche', summary: 'Version une.',
        }));
        const p = `/innovations/${made.slug}`;
        // Both processes cache the page...
        for (const b of [srv.base, base2])
            for (let i = 0; i < 2; i++)
                assert.match((await request(b, p)).text, /Version une/);
        const list1 = parseCards((await request(base2, '/innovations')).text).length;
        assert.ok(list1 > 0);
        // ...a write through the first, then the second serves the new text at once.
        const w = await putAs(srv.users.a, made.slug, 1, { summary: 'Version deux.' });
        assert.equal(w.status, 200);
        assert.match((await request(base2, p)).text, /Version deux/);
        // And a moderation decision made through the second shows on the first.
        const pend = await putAs(srv.users.c, made.slug, 2, { summary: 'Version trois.' });
        assert.equal(pend.json.state, 'pending');
        const [item] = await pendingIds(made.slug);
        const ok = await apiJson(base2, `/api/v1/moderation/${item.revision_id}/approve`, {
            method: 'POST', token: srv.users.m.token,
        });
        assert.equal(ok.status, 200, ok.text);
        assert.match((await request(srv.base, p)).text, /Version trois/);
    } finally {
        other.kill('SIGTERM');
        await new Promise((r) => other.on('exit', r));
    }
});

test('a held text never goes out with a harmless edit on top of it, and the queue shows it all', async () => {
    const made = await createAs(srv.users.a, sampleInnovation({
        title: 'La boîte à livres de Kerinou', summary: 'Une boîte à livres en libre service.',
    }));
    const slug = made.slug;
    // A trusted contributor's edit held by its spam score…
    const held = await putAs(srv.users.a, slug, 1, {
        holders: 'HIDDEN-IN-A Les habitants. Ces abrutis de voisins.',
    });
    assert.equal(held.status, 200, held.text);
    assert.equal(held.json.state, 'pending');
    // …and a harmless edit on top of it: scored against what the public sees, it waits too.
    const typo = await putAs(srv.users.a, slug, 2, { summary: 'Une boîte à livres en libre-service.' });
    assert.equal(typo.status, 200, typo.text);
    assert.equal(typo.json.state, 'pending');
    assert.doesNotMatch((await request(srv.base, `/innovations/${slug}`)).text, /HIDDEN-IN-A/);
    // The queue shows, for the top revision, everything approving it would publish.
    const queue = decodeEntities((await marc.get('/moderation')).text);
    const top = (await pendingIds(slug)).find((p) => p.revision === 3);
    const at = queue.indexOf(`/moderation/${top.revision_id}/approve`);
    const item = queue.slice(queue.lastIndexOf('<li class="queue-item">', at), at);
    assert.match(item, /HIDDEN-IN-A/, 'the diff is against the published text');
});

test('one approval of a chain counts once towards trust', async () => {
    spawnSync(BIN, ['config', srv.db, 'trust_edits', '2'], { encoding: 'utf8' });
    spawnSync(BIN, ['config', srv.db, 'trust_days', '0'], { encoding: 'utf8' });
    const n = await newAccount('chaine@test.foison', 'Chaîne', 'contributor');
    const made = await createAs(srv.users.a, sampleInnovation({ title: 'Une fiche en cinq temps' }));
    let base = 1;
    for (let i = 0; i < 5; i++) {
        const r = await putAs(n, made.slug, base, { summary: `Étape ${i + 1} d'une relecture.` });
        assert.equal(r.json.state, 'pending', r.text);
        base = r.json.revision;
    }
    const top = (await pendingIds(made.slug)).find((p) => p.revision === base);
    assert.equal((await api(`/api/v1/moderation/${top.revision_id}/approve`, {
        method: 'POST', token: srv.users.m.token,
    })).status, 200);
    assert.equal(sqlite(`SELECT role FROM users WHERE id = ${n.id}`), 'contributor',
        'five revisions, one decision: not yet trusted');
    spawnSync(BIN, ['config', srv.db, 'trust_edits', '5'], { encoding: 'utf8' });
    spawnSync(BIN, ['config', srv.db, 'trust_days', '7'], { encoding: 'utf8' });
});

test('a rejected new entry: its author still reads it, a moderator can take it over', async () => {
    const made = await createAs(srv.users.c, sampleInnovation({ title: 'Une fiche refusée puis reprise' }));
    const [item] = await pendingIds(made.slug);
    assert.equal((await api(`/api/v1/moderation/${item.revision_id}/reject`, {
        method: 'POST', token: srv.users.m.token, body: { reason: 'incomplète' },
    })).status, 200);
    const own = await api(`/api/v1/entries/${made.slug}`, { token: srv.users.c.token });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.state, 'rejected');
    assert.equal((await api(`/api/v1/entries/${made.slug}`)).status, 404);
    // Nothing pending left to build on: the moderator gets a plain 404, never a garbage 409.
    const put = await putAs(srv.users.m, made.slug, 1, { summary: 'Reprise par la modération.' });
    assert.ok(put.status === 404, `${put.status} ${put.text}`);
});

test('a diff with only "to" compares with its parent; a deleted entry\'s old address is gone', async () => {
    const made = await createAs(srv.users.a, sampleInnovation({ title: 'Un premier titre de diff' }));
    const r2 = await putAs(srv.users.a, made.slug, 1, { summary: 'Un second résumé.' });
    assert.equal(r2.status, 200);
    const d = await request(srv.base, `/innovations/${made.slug}/diff?to=2`, { cookies: await srv.human() });
    assert.equal(d.status, 200);
    assert.match(decodeEntities(d.text), /révision 1 → 2/);
    // Rename it, then have it rolled back away with its author: the old slug redirects nowhere.
    const s = await newAccount('renomme@test.foison', 'Renomme', 'trusted');
    const mine = await createAs(s, sampleInnovation({ title: 'Premier nom caché' }));
    const renamed = await putAs(s, mine.slug, 1, { title: 'Deuxième nom caché' });
    assert.equal(renamed.status, 200);
    assert.equal((await marc.post(`/moderation/accounts/${s.id}/rollback`, { reason: 'spam' })).status, 303);
    assert.equal((await request(srv.base, `/innovations/${mine.slug}`)).status, 404);
});

test('a moderator reaches an account with nothing pending by its e-mail; others get 403 pages', async () => {
    const s = await newAccount('sans-attente@test.foison', 'Sans Attente', 'trusted');
    const victim = await createAs(srv.users.a, sampleInnovation({ title: 'Une fiche vandalisée sans attente' }));
    const v = await putAs(s, victim.slug, 1, { summary: 'BYEMAIL texte remplacé par un vandale.' });
    assert.equal(v.json.state, 'published');
    const r = await marc.post('/moderation/accounts/by-email',
        { email: 'sans-attente@test.foison', action: 'block', reason: 'vandalisme' });
    assert.equal(r.status, 303);
    assert.equal(sqlite(`SELECT status FROM users WHERE id = ${s.id}`), 'blocked');
    const r2 = await marc.post('/moderation/accounts/by-email',
        { email: 'sans-attente@test.foison', action: 'rollback', reason: 'vandalisme' });
    assert.equal(r2.status, 303);
    assert.doesNotMatch((await request(srv.base, `/innovations/${victim.slug}`)).text, /BYEMAIL/);
    const unknown = await marc.post('/moderation/accounts/by-email',
        { email: 'personne@test.foison', action: 'block', reason: '' });
    assert.equal(unknown.status, 404);
    const denied = await alice.get('/moderation');
    assert.equal(denied.status, 403);
    assert.match(decodeEntities(denied.text), /réservée à l'équipe de modération/);
});
