// uncached.test.mjs — the paths no cache answers (the API, the pages of a logged-in visitor)
// read stored revisions in place: the API list says of each entry exactly what the entry's own
// answer says, fields in the schema's order, authors in order of first contribution; only the
// published revision is ever shown (a pending revision, a deleted entry stay hidden); changes
// made to the site file by another program are seen at once (the counts kept between requests
// follow the file).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, loginOk, apiJson, sampleInnovation, parseCards } from './harness.mjs';

let srv, alice;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
});

after(async () => {
    await srv?.stop();
});

function sqlite(sql) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
}

async function create(fields, token = srv.users.a.token) {
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token, body: { kind: 'innovation', ...fields },
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
}

test('the API list says of each entry what its own answer says, in the schema\'s order', async () => {
    const made = await create(sampleInnovation({
        title: 'Liste et fiche : « les mêmes » \\ octets',
        summary: 'Guillemets "doubles", barre \\ oblique, tab\tet ligne\nnouvelle, émoji 😀.',
        point: { lat: 48.39, lon: -4.486 }, start_year: 2019,
    }));
    // A second author, so that the list has to keep the order of first contributions.
    const upd = await apiJson(srv.base, `/api/v1/entries/${made.slug}`, {
        method: 'PUT', token: srv.users.b.token,
        body: { base_revision: made.revision, summary: 'Résumé revu par un autre.' },
    });
    assert.equal(upd.status, 200, upd.text);
    const list = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    assert.equal(list.status, 200);
    assert.ok(list.json.entries.length > 1);
    for (const e of list.json.entries) {
        const one = await apiJson(srv.base, `/api/v1/entries/${e.slug}`);
        assert.equal(one.status, 200, e.slug);
        assert.deepEqual(e, one.json, `${e.slug}: list and entry agree`);
        // The same bytes too: the entry's answer is its list item plus a newline.
        assert.ok(list.text.includes(one.text.trimEnd()), `${e.slug}: same text in the list`);
    }
    const mine = list.json.entries.find((e) => e.slug === upd.json.slug);
    assert.ok(mine, 'the edited entry is listed');
    assert.deepEqual(mine.authors, [srv.users.a.name, srv.users.b.name]);
    assert.equal(mine.summary, 'Résumé revu par un autre.');
    assert.equal(mine.title, 'Liste et fiche : « les mêmes » \\ octets');
    assert.deepEqual(mine.point, { lat: 48.39, lon: -4.486 });
    const keys = Object.keys(mine);
    assert.deepEqual(keys.slice(0, 8), ['kind', 'slug', 'revision', 'state', 'created', 'updated',
        'authors', 'url']);
    assert.equal(keys[8], 'title', 'then the fields, in the schema\'s order');
    assert.equal(mine.website ?? null, mine.website, 'absent fields are null, not missing');
    assert.ok(keys.includes('website'));
});

test('a pending revision and a deleted entry stay hidden from the API and the pages', async () => {
    const made = await create(sampleInnovation({ title: 'Fiche avec une révision en attente',
        summary: 'Le résumé publié.' }));
    const id = sqlite(`SELECT id FROM entries WHERE slug = '${made.slug}'`);
    // A revision waiting for moderation, as moderation stores it: the latest, not the published
    // one, by someone else than the signed-in visitor below (its author would see it).
    sqlite(`INSERT INTO revisions (entry_id, number, parent_number, author_id, created, comment,
                state, fields, rendered, card)
              SELECT entry_id, 2, 1, (SELECT id FROM users WHERE email = '${srv.users.b.email}'),
                     created + 1, 'COMMENTAIRE-CACHE', 'pending',
                     json_set(fields, '$.summary', 'SECRET en attente'), rendered,
                     json_set(card, '$.summary', 'SECRET en attente')
              FROM revisions WHERE entry_id = ${id} AND number = 1;
            UPDATE entries SET latest_rev = 2 WHERE id = ${id};`);
    const list = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    const item = list.json.entries.find((e) => e.slug === made.slug);
    assert.equal(item.revision, 1);
    assert.equal(item.summary, 'Le résumé publié.');
    assert.doesNotMatch(list.text, /SECRET/);
    const one = await apiJson(srv.base, `/api/v1/entries/${made.slug}`);
    assert.doesNotMatch(one.text, /SECRET/);
    const revs = await apiJson(srv.base, `/api/v1/entries/${made.slug}/revisions`);
    assert.deepEqual(revs.json.revisions.map((r) => r.revision), [1]);
    for (const p of ['/innovations', `/innovations/${made.slug}`,
        `/innovations/${made.slug}/history`, '/']) {
        const r = await alice.get(p);
        assert.equal(r.status, 200, p);
        assert.doesNotMatch(r.text, /SECRET|COMMENTAIRE-CACHE/, `${p} shows nothing pending`);
    }
    const cards = parseCards((await alice.get('/innovations')).text);
    assert.ok(cards.some((c) => c.url === `/innovations/${made.slug}`));

    sqlite(`UPDATE entries SET deleted = 1 WHERE id = ${id}`);
    const after = await apiJson(srv.base, '/api/v1/entries?kind=innovation');
    assert.ok(!after.json.entries.some((e) => e.slug === made.slug), 'deleted: not listed');
    assert.equal(after.json.total, list.json.total - 1);
    assert.equal((await apiJson(srv.base, `/api/v1/entries/${made.slug}`)).status, 404);
    const page = await alice.get('/innovations');
    assert.ok(!parseCards(page.text).some((c) => c.url === `/innovations/${made.slug}`));
});

/* The count of a commune in the list's filter, "" when it is not offered. */
function communeCount(html, insee) {
    const m = new RegExp(`<option value="${insee}"[^>]*>[^<]*\\((\\d+)\\)`).exec(html);
    return m ? Number(m[1]) : '';
}

test('filter counts follow changes made to the site file by another program', async () => {
    const before = await alice.get('/innovations');
    const n = communeCount(before.text, '29011');
    assert.equal(n, '', 'Bohars has no record yet');
    // Twice through the server, then behind its back: the counts kept between requests must
    // not outlive the state they were read from.
    const made = await create(sampleInnovation({ title: 'Une fiche à Bohars', commune: '29011' }));
    const once = await alice.get('/innovations');
    assert.equal(communeCount(once.text, '29011'), 1);
    assert.equal(communeCount((await alice.get('/innovations')).text, '29011'), 1);
    sqlite(`UPDATE entries SET deleted = 1 WHERE slug = '${made.slug}'`);
    assert.equal(communeCount((await alice.get('/innovations')).text, '29011'), '');
    sqlite(`UPDATE entries SET deleted = 0 WHERE slug = '${made.slug}'`);
    assert.equal(communeCount((await alice.get('/innovations')).text, '29011'), 1);
});
