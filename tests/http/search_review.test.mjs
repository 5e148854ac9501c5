// search_review.test.mjs — what a hostile review of search (issue 9) found that the other tests
// missed, through the HTTP doors: a beginning typed after an elision or a hyphen ("l'a", "d'c",
// "x-ab") is a beginning of one or two characters once FTS5 sees it, which expanded to most of
// the vocabulary (every entry found, and each snippet matched the whole expression again: seconds
// a page at 100,000 entries); snippets of a search whose words are expanded by their beginning
// (read in one pass) still mark the words found.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiJson } from './harness.mjs';

let srv;

before(async () => {
    srv = await startServer();
});

after(async () => {
    await srv?.stop();
});

async function search(q) {
    const r = await apiJson(srv.base, `/api/v1/search?${new URLSearchParams({ q })}`);
    assert.equal(r.status, 200, `${q}: ${r.text.slice(0, 200)}`);
    return r.json;
}

async function suggest(q) {
    const r = await apiJson(srv.base, `/api/v1/search/suggest?${new URLSearchParams({ q })}`);
    assert.equal(r.status, 200, `${q}: ${r.text.slice(0, 200)}`);
    return r.json.results;
}

test('a beginning is counted on the word FTS5 expands, not on what was typed', async () => {
    // "a" and "c" alone are not searched by their beginning ("a" is a stop word, "c" one letter):
    // their elided forms neither.
    for (const q of ["l'a", "d'c", "L'A", "qu'e", "j'a"]) {
        const r = await search(q);
        assert.equal(r.total, 0, `${q} expands nothing (${r.total}: ${JSON.stringify(r.results.slice(0, 3).map((x) => x.slug))})`);
        assert.deepEqual(await suggest(q), [], `${q}: no suggestion`);
    }
    // Nor a beginning of two letters after a hyphen or an elision, which FTS5's prefix index (three
    // characters) does not hold: "ab" as typed is no beginning either.
    const two = await search('ab');
    for (const q of ["l'ab", 'x-ab']) {
        const r = await search(q);
        assert.ok(r.total <= two.total, `${q}: ${r.total} found, "ab" finds ${two.total}`);
    }
    // A beginning of three letters still is one, after an elision too.
    const three = await search("l'abe");
    assert.ok(three.total >= 1, `l'abe: ${three.total}`);
    assert.ok(three.results.some((x) => /<mark>abe/i.test(x.snippet)), JSON.stringify(three.results.slice(0, 2)));
});

test('snippets of words found by their beginning mark them, read in one pass', async () => {
    // "bibliothecairexx" is no word: its family "bibliothéc…" is looked for by its beginning.
    const r = await search('bibliothecairexx');
    assert.ok(r.total >= 2, `${r.total}`);
    for (const x of r.results)
        assert.match(x.snippet, /<mark>biblioth/i, `${x.slug}: ${x.snippet}`);
    // The same snippets as the entries' own (one match a hit): the text of the summary or the
    // description, not another entry's.
    for (const x of r.results.slice(0, 3)) {
        const e = await apiJson(srv.base, `/api/v1/entries/${x.slug}`);
        const plain = x.snippet.replace(/<\/?mark>/g, '').replace(/^…/, '').replace(/…$/, '')
            .replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
        const words = plain.split(/\s+/).filter((w) => w.length > 3).slice(0, 3);
        const text = JSON.stringify(e.json);
        for (const w of words)
            assert.ok(text.includes(w), `${x.slug}: "${w}" of its snippet is in its text`);
    }
    // The header box's prefix and the page's: one hit each, marked.
    const z = await search('atelier zot');
    assert.equal(z.total, 1);
});
