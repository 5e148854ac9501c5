// polish.test.mjs — what visitors meet on the pages: template values stay in their scope (a
// card never borrows the page's values), the list filters offer only values with results and
// their counts, headings, navigation, required fields, the login page when logged in, meta
// descriptions, robots.txt and noindex.
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
    const r = spawnSync('sqlite3', [srv.db, sql], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
}

async function createEntry(fields) {
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.a.token, body: { kind: 'innovation', ...fields },
    });
    assert.equal(r.status, 201, r.text);
    return r.json.slug;
}

test('a card of a record without themes does not print the page\'s theme list', async () => {
    // Themes are required for innovations, so neither the form nor the API can save a record
    // without them; the kinds to come (actors, places) will have no themes at all. The record is
    // saved through the API, then given a published revision without themes in the site file,
    // as such a kind would store it.
    const slug = await createEntry(sampleInnovation({ title: 'Fiche sans thèmes pour la carte',
        commune: '29019' }));
    const id = sqlite(`SELECT id FROM entries WHERE slug = '${slug}'`);
    assert.match(id, /^\d+$/);
    sqlite(`BEGIN;
        INSERT INTO revisions (entry_id, number, parent_number, author_id, created, comment, state,
                               fields, rendered, card)
          SELECT entry_id, number + 1, number, author_id, created + 1, 'sans thèmes', 'published',
                 json_remove(fields, '$.themes'), rendered, json_remove(card, '$.themes')
          FROM revisions WHERE entry_id = ${id} AND number = 1;
        UPDATE entries SET published_rev = 2, latest_rev = 2, updated = updated + 1
          WHERE id = ${id};
        DELETE FROM entry_terms WHERE entry_id = ${id} AND facet = 'themes';
        COMMIT;`);
    // Logged-in pages are never served from the cache, so the change made outside is seen.
    const pages = ['/innovations', '/innovations?commune=29019', '/'];
    for (const p of pages) {
        const r = await alice.get(p);
        assert.equal(r.status, 200, p);
        const cards = parseCards(r.text);
        const card = cards.find((c) => c.url === `/innovations/${slug}`);
        assert.ok(card, `the record's card is on ${p}`);
        assert.deepEqual(card.themes, [], `${p}: no themes on the card`);
        const html = r.text.split('<li class="card">').find((c) => c.includes(`/${slug}"`))
            .split('</li>')[0];
        assert.doesNotMatch(html, /<span>/, `${p}: no theme span in the card:\n${html}`);
        assert.match(html, /<span class="commune">Brest<\/span>/, `${p}: commune still shown`);
        // The other cards still show their themes.
        assert.ok(cards.some((c) => c.url !== `/innovations/${slug}` && c.themes.length > 0 &&
                              c.themes[0] !== ''), `${p}: other cards keep their themes`);
    }
});
