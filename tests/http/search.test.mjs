// search.test.mjs — full-text search through its doors (issue 9): GET /api/v1/search in its
// documented shape (results, total, page, pages, the five facets always there, suggestion,
// relaxed), snippets marked and escaped; facets counted over the results, each with the other
// facets' filters, filters combined with the text, pages, sorting by date; nothing hidden shows
// (a newcomer's pending record, a record withdrawn, hidden by reports, deleted by a rollback, a
// pending or rejected revision) in results, the page, the header box's suggestions, the typo
// suggestion or the facet counts; the index follows edits, and `foison reindex [--search]` on a
// copy gives the same answers; hostile queries never get a 5xx nor stop the server; the page
// /recherche without JavaScript (typo suggestion, facet links that toggle, aria-current) and the
// header's search form on every page.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
    startServer, loginOk, apiJson, request, sampleInnovation, decodeEntities, BIN, freePort,
    rawRequest,
} from './harness.mjs';

let srv, marc;

before(async () => {
    // The tests write many records and reports in a minute.
    srv = await startServer({ config: { rate_edits_new: '1000', rate_edits: '1000', rate_reports: '1000' } });
    marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);
const FACETS = ['kind', 'theme', 'commune', 'year', 'status'];

/* A query string from an object or a list of [key, value] pairs (repeated keys). */
function qs(params) {
    const sp = new URLSearchParams();
    for (const [k, v] of Array.isArray(params) ? params : Object.entries(params))
        sp.append(k, String(v));
    return sp.toString();
}

/* GET /api/v1/search; asserts the status (200 by default) and returns the JSON. */
async function search(params, status = 200) {
    const r = await api(`/api/v1/search?${qs(params)}`);
    assert.equal(r.status, status, `search ${qs(params)} → ${r.status} ${r.text.slice(0, 300)}`);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    return r.json;
}

async function searchPage(params) {
    const r = await request(srv.base, `/recherche?${qs(params)}`);
    assert.equal(r.status, 200, `/recherche?${qs(params)} → ${r.status}`);
    return r.text;
}

/* Every slug of a search, all pages. */
async function allSlugs(params) {
    const out = [];
    for (let page = 1; ; page++) {
        const r = await search({ ...params, page });
        out.push(...r.results.map((x) => x.slug));
        if (page >= r.pages)
            return out;
    }
}

/* The documented shape, checked in full. */
function assertShape(r, what) {
    assert.deepEqual(Object.keys(r).sort(), ['facets', 'page', 'pages', 'relaxed', 'results', 'suggestion', 'total'], what);
    assert.ok(Array.isArray(r.results), what);
    for (const x of r.results) {
        assert.deepEqual(Object.keys(x).sort(), ['kind', 'score', 'slug', 'snippet', 'title', 'url'], what);
        assert.equal(typeof x.slug, 'string');
        assert.match(x.slug, /^[a-z0-9-]+$/);
        assert.equal(typeof x.kind, 'string');
        assert.equal(typeof x.title, 'string');
        assert.equal(typeof x.snippet, 'string');
        assert.equal(typeof x.score, 'number');
        assert.ok(x.url.startsWith(`${srv.base}/`) && x.url.endsWith(`/${x.slug}`), x.url);
    }
    for (const k of ['total', 'page', 'pages'])
        assert.ok(Number.isInteger(r[k]) && r[k] >= 0, `${what}: ${k} = ${r[k]}`);
    assert.ok(r.page >= 1, what);
    for (const f of FACETS) {
        assert.equal(typeof r.facets[f], 'object', `${what}: facet ${f} always present`);
        assert.ok(r.facets[f] && !Array.isArray(r.facets[f]), `${what}: facet ${f}`);
        for (const [v, n] of Object.entries(r.facets[f]))
            assert.ok(typeof v === 'string' && Number.isInteger(n) && n > 0, `${what}: ${f}.${v} = ${n}`);
    }
    assert.ok(r.suggestion === null || typeof r.suggestion === 'string', what);
    assert.equal(typeof r.relaxed, 'boolean', what);
}

function sqlite(sql) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
}

function cli(args, input) {
    const r = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, `foison ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /AddressSanitizer|LeakSanitizer|runtime error:/, r.stderr);
    return r;
}

async function create(user, fields, kind = 'innovation') {
    const r = await api('/api/v1/entries', { method: 'POST', token: user.token, body: { kind, ...fields } });
    assert.equal(r.status, 201, r.text);
    return r.json;
}

async function put(user, slug, base, fields) {
    const r = await api(`/api/v1/entries/${slug}`, {
        method: 'PUT', token: user.token, body: { base_revision: base, ...fields },
    });
    assert.equal(r.status, 200, r.text);
    return r.json;
}

async function pendingOf(slug) {
    const r = await api('/api/v1/moderation/pending', { token: srv.users.m.token });
    assert.equal(r.status, 200, r.text);
    return r.json.pending.filter((p) => p.slug === slug);
}

async function decide(revisionId, verb) {
    const r = await api(`/api/v1/moderation/${revisionId}/${verb}`, {
        method: 'POST', token: srv.users.m.token, body: { reason: 'Décision du test de recherche' },
    });
    assert.equal(r.status, 200, r.text);
    return r.json;
}

async function report(user, slug) {
    const r = await api(`/api/v1/entries/${slug}/reports`, { method: 'POST', token: user.token, body: { reason: 'spam' } });
    assert.equal(r.status, 201, r.text);
}

async function reportedId(slug) {
    const r = await api('/api/v1/moderation/reports', { token: srv.users.m.token });
    assert.equal(r.status, 200, r.text);
    const e = r.json.entries.find((x) => x.slug === slug);
    assert.ok(e, `${slug} is in the reports' queue`);
    return e.entry_id;
}

/* A demo innovation (already in the index) rewritten by Alice (trusted: published at once) with
 * fields; returns the API's answer (its slug follows the new title). Records created through the
 * API are tested on their own: these tests keep to what the index does with a published edit. */
let demoPool = null;
async function demoRecord(fields) {
    if (!demoPool) {
        demoPool = [];
        for (let page = 1; ; page++) {
            const r = await api(`/api/v1/entries?kind=innovation&page=${page}`);
            assert.equal(r.status, 200);
            demoPool.push(...r.json.entries.map((e) => e.slug));
            if (page >= r.json.pages)
                break;
        }
    }
    const slug = demoPool.pop();
    assert.ok(slug, 'demo innovations left');
    const e = (await api(`/api/v1/entries/${slug}`)).json;
    const r = await put(srv.users.a, slug, e.revision, fields);
    assert.equal(r.state, 'published');
    return r;
}

/* A typo the index cannot find by a word's beginning: the second and third letters swapped
 * (the first letter is kept: corrections are looked for among words starting with it). */
const typo = (w) => w[0] + w[2] + w[1] + w.slice(3);

/* The innovations' total as the search counts it (filters alone). */
async function innovationTotal() {
    const r = await search({ kind: 'innovation' });
    return r.total;
}

/* What every door of search says about a word found in a listed record's title. */
async function assertFound(word, slug, what) {
    const r = await search({ q: word });
    assert.ok(r.results.some((x) => x.slug === slug), `${what}: ${word} finds ${slug} (${JSON.stringify(r.results.map((x) => x.slug))})`);
    assert.ok((r.facets.kind.innovation ?? 0) >= 1, `${what}: counted in the kind facet`);
    const html = await searchPage({ q: word });
    assert.ok(html.includes(`href="/innovations/${slug}"`), `${what}: /recherche?q=${word} links to it`);
    const sg = await api(`/api/v1/search/suggest?${qs({ q: word.slice(0, 6) })}`);
    assert.equal(sg.status, 200);
    assert.ok(sg.json.results.some((x) => x.slug === slug), `${what}: suggested as ${word.slice(0, 6)} is typed`);
    const t = await search({ q: typo(word) });
    assert.equal(t.suggestion, word, `${what}: the typo ${typo(word)} suggests ${word}`);
}

/* And about a word only hidden content has. */
async function assertHidden(word, slug, what) {
    const r = await search({ q: word });
    assertShape(r, what);
    assert.equal(r.total, 0, `${what}: ${word} finds nothing (${JSON.stringify(r.results.map((x) => x.slug))})`);
    assert.deepEqual(r.results, []);
    for (const f of FACETS)
        assert.deepEqual(r.facets[f], {}, `${what}: facet ${f} counts nothing`);
    // (A suggestion may come from elsewhere; it never is the hidden word.)
    assert.ok(!(r.suggestion ?? '').toLowerCase().includes(word), `${what}: ${r.suggestion}`);
    const html = await searchPage({ q: word });
    assert.match(html, /<h2 class="count" id="resultats">0 résultat<\/h2>/, `${what}: the page says 0`);
    assert.doesNotMatch(html, /<li class="result">/);
    assert.ok(!html.includes(slug), `${what}: the page never names ${slug}`);
    for (const prefix of [word.slice(0, 4), word.slice(0, 6), word]) {
        const sg = await api(`/api/v1/search/suggest?${qs({ q: prefix })}`);
        assert.equal(sg.status, 200);
        assert.ok(!sg.json.results.some((x) => x.slug === slug || x.title.toLowerCase().includes(word)),
            `${what}: not suggested as ${prefix} is typed (${sg.text})`);
    }
    const t = await search({ q: typo(word) });
    assert.ok(!(t.suggestion ?? '').toLowerCase().includes(word), `${what}: the typo ${typo(word)} does not reveal ${word} (${t.suggestion})`);
    assert.equal(t.total, 0);
    const tp = await searchPage({ q: typo(word) });
    assert.ok(!tp.toLowerCase().includes(word), `${what}: the typo's page does not reveal ${word}`);
}

/* ---- 1. the API's shape ---- */

test('the API answers in the documented shape, snippets marked and escaped', async () => {
    const r = await search({ q: 'bibliotheque' });
    assertShape(r, 'bibliotheque');
    assert.ok(r.total >= 3 && r.results.length >= 3, `bibliotheque: ${r.total}`);
    assert.equal(r.page, 1);
    assert.equal(r.pages, Math.ceil(r.total / 20));
    assert.equal(r.suggestion, null);
    assert.equal(r.relaxed, false);
    for (let i = 1; i < r.results.length; i++)
        assert.ok(r.results[i - 1].score >= r.results[i].score, 'by relevance: scores do not increase');
    assert.ok(r.results.every((x) => x.score > 0));
    // Each result's address is its page, of its kind.
    for (const x of r.results.slice(0, 5)) {
        const p = await request(srv.base, new URL(x.url).pathname);
        assert.equal(p.status, 200, x.url);
        const e = await api(`/api/v1/entries/${x.slug}`);
        assert.equal(e.json.kind, x.kind);
        assert.equal(e.json.title, x.title);
    }
    // The matched word is marked, in every form the French rules find (bibliothèque, …).
    assert.ok(r.results.some((x) => /<mark>biblioth[eè]ques?<\/mark>/i.test(x.snippet)), JSON.stringify(r.results[0]));
    for (const x of r.results)
        assert.doesNotMatch(x.snippet.replace(/<\/?mark>/g, ''), /<|>/, 'nothing but marks is markup');

    // Text with markup and a matched word: escaped, the word marked.
    const made = await demoRecord({
        title: 'Le coin du vraxilune',
        summary: 'Le vraxilune <script>alert(1)</script> & "guillemets" au quotidien.',
        description: 'Une présentation sans le mot cherché, pour que le résumé porte la trace.',
    });
    const x = await search({ q: 'vraxilune' });
    assertShape(x, 'vraxilune');
    assert.equal(x.total, 1);
    const hit = x.results[0];
    assert.equal(hit.slug, made.slug);
    assert.equal(hit.kind, 'innovation');
    assert.equal(hit.title, 'Le coin du vraxilune');
    assert.equal(hit.url, `${srv.base}/innovations/${made.slug}`);
    assert.match(hit.snippet, /<mark>vraxilune<\/mark>/);
    assert.ok(hit.snippet.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), hit.snippet);
    assert.ok(!hit.snippet.includes('<script>'), hit.snippet);
    assert.ok(hit.snippet.includes('&amp;'), hit.snippet);
    // The same, escaped, on the page; the title too.
    const html = await searchPage({ q: 'vraxilune' });
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!html.includes('<script>alert(1)'));
    assert.match(html, /<mark>vraxilune<\/mark>/);

    // Nothing has all the words: the entries with some of them, said so.
    const relaxed = await search({ q: 'vraxilune zzqqwwnotaword' });
    assertShape(relaxed, 'relaxed');
    assert.equal(relaxed.relaxed, true);
    assert.deepEqual(relaxed.results.map((y) => y.slug), [made.slug]);
    assert.match(decodeEntities(await searchPage({ q: 'vraxilune zzqqwwnotaword' })), /Aucune fiche n'a tous ces mots/);
    // Filters alone list entries, the latest first, without snippets' marks nor scores.
    const alone = await search({ kind: 'place' });
    assertShape(alone, 'filters alone');
    assert.ok(alone.total > 5);
    assert.ok(alone.results.every((y) => y.kind === 'place' && y.score === 0 && !y.snippet.includes('<mark>')));
    // Nothing asked: nothing found, the shape kept.
    const none = await search({});
    assertShape(none, 'nothing asked');
    assert.equal(none.total, 0);
});

/* ---- 2. facets, filters, pages, sorting ---- */

test('facet counts match the results, each counted with the other facets\' filters', async () => {
    const base = await search({ q: 'atelier' });
    assertShape(base, 'atelier');
    assert.ok(base.total > 40, `atelier: ${base.total}`);
    // Every entry has one kind: the kind counts add up to the total, and are the kinds of all
    // the results.
    const kinds = Object.values(base.facets.kind).reduce((s, n) => s + n, 0);
    assert.equal(kinds, base.total);
    const counted = {};
    for (let page = 1; page <= base.pages; page++)
        for (const x of (await search({ q: 'atelier', page })).results)
            counted[x.kind] = (counted[x.kind] ?? 0) + 1;
    assert.deepEqual(counted, base.facets.kind);
    // Each value's count is the total once that value is chosen.
    for (const f of FACETS)
        for (const [v, n] of Object.entries(base.facets[f]).slice(0, 6)) {
            const r = await search({ q: 'atelier', [f]: v });
            assert.equal(r.total, n, `atelier ${f}=${v}`);
        }

    // Choosing a kind: the kind facet still lists every kind, counted without it.
    const ev = await search({ q: 'atelier', kind: 'event' });
    assert.equal(ev.total, base.facets.kind.event);
    assert.ok(ev.results.every((x) => x.kind === 'event'));
    assert.deepEqual(ev.facets.kind, base.facets.kind, 'kind=event: the other kinds keep their counts');
    // The other facets are counted among the events.
    for (const [t, n] of Object.entries(ev.facets.theme))
        assert.equal((await search({ q: 'atelier', kind: 'event', theme: t })).total, n, `events, theme ${t}`);
    assert.ok(Object.keys(ev.facets.theme).length >= 1);

    // Two facets chosen: each is counted with the other's filter only.
    const both = await search({ q: 'atelier', kind: 'event', theme: 'numerique' });
    assert.deepEqual(both.facets.kind, (await search({ q: 'atelier', theme: 'numerique' })).facets.kind);
    assert.deepEqual(both.facets.theme, ev.facets.theme);
    assert.equal(both.total, ev.facets.theme.numerique);

    // Two values of one facet: either will do.
    const two = await search([['q', 'atelier'], ['kind', 'event'], ['kind', 'place']]);
    assert.equal(two.total, base.facets.kind.event + base.facets.kind.place);
    assert.ok(two.results.every((x) => x.kind === 'event' || x.kind === 'place'));
});

test('filters combine with the text: q + kind + theme + commune', async () => {
    const params = { q: 'atelier', kind: 'event', theme: 'numerique', commune: '29019' };
    const r = await search(params);
    assertShape(r, 'combined');
    assert.ok(r.total >= 1 && r.total < (await search({ q: 'atelier' })).total, `combined: ${r.total}`);
    for (const drop of ['q', 'kind', 'theme', 'commune']) {
        const rest = { ...params };
        delete rest[drop];
        assert.ok((await search(rest)).total >= r.total, `dropping ${drop} finds no fewer`);
    }
    for (const x of r.results) {
        assert.equal(x.kind, 'event');
        const e = (await api(`/api/v1/entries/${x.slug}`)).json;
        assert.ok(e.themes.includes('numerique'), `${x.slug}: ${e.themes}`);
        assert.ok(JSON.stringify(e).includes('"29019"'), `${x.slug} is in Brest`);
        // The word is in its text, or in a label (an event of type "Atelier").
        assert.ok(/atelier/i.test(JSON.stringify(e)), `${x.slug}: it has the word`);
    }
    // The page says the same, with the filters kept in its form and listed as chosen.
    const html = await searchPage(params);
    assert.match(html, new RegExp(`<h2 class="count" id="resultats">${r.total} résultats?</h2>`));
    for (const [k, v] of [['kind', 'event'], ['theme', 'numerique'], ['commune', '29019']])
        assert.ok(html.includes(`<input type="hidden" name="${k}" value="${v}">`), k);
    assert.match(decodeEntities(html), /Commune\u202f: Brest <a href="[^"]*">retirer/);

    // A value nobody has: nothing, with the shape kept; an unknown kind is an error.
    for (const [k, v] of [['theme', 'theme-inconnu'], ['commune', '99999'], ['year', '1700'], ['status', 'nulle-part'],
                          ['place_type', 'chateau-fort']]) {
        const u = await search({ q: 'atelier', [k]: v });
        assertShape(u, `${k}=${v}`);
        assert.equal(u.total, 0, `${k}=${v}`);
        assert.deepEqual(u.results, []);
        assert.equal((await search({ [k]: v })).total, 0, `${k}=${v} alone`);
    }
    const bad = await search({ q: 'atelier', kind: 'unknown' }, 400);
    assert.ok(Array.isArray(bad.errors), JSON.stringify(bad));
    assert.deepEqual(bad.errors.map((e) => e.field), ['kind']);
    assert.equal(typeof bad.errors[0].message, 'string');
    // Every wrong field is named at once.
    const many = await search({ q: 'atelier', kind: 'unknown', page: '0', sort: 'bizarre', theme: 'x'.repeat(101) }, 400);
    assert.deepEqual(many.errors.map((e) => e.field).sort(), ['kind', 'page', 'sort', 'theme']);
    // The page shows the error and still answers.
    const page = decodeEntities(await searchPage({ q: 'atelier', kind: 'unknown' }));
    assert.match(page, /<p class="notice" role="alert">type de fiche inconnu<\/p>/);
});

test('pages: 20 by page, consistent totals, wrong page numbers refused by the API', async () => {
    const p1 = await search({ q: 'atelier' });
    assert.ok(p1.pages >= 3, `atelier: ${p1.pages} pages`);
    assert.equal(p1.results.length, 20);
    const p2 = await search({ q: 'atelier', page: 2 });
    assert.equal(p2.page, 2);
    assert.equal(p2.total, p1.total);
    assert.equal(p2.pages, p1.pages);
    assert.deepEqual(p2.facets, p1.facets, 'facets count every page');
    assert.equal(p2.results.length, 20);
    const s1 = new Set(p1.results.map((x) => x.slug));
    assert.ok(p2.results.every((x) => !s1.has(x.slug)), 'page 2 follows page 1');
    assert.ok(p1.results.at(-1).score >= p2.results[0].score);
    const slugs = await allSlugs({ q: 'atelier' });
    assert.equal(slugs.length, p1.total);
    assert.equal(new Set(slugs).size, p1.total, 'no result twice');
    const last = await search({ q: 'atelier', page: p1.pages });
    assert.equal(last.results.length, p1.total - 20 * (p1.pages - 1));
    // The page's pager.
    const html = await searchPage({ q: 'atelier', page: 2 });
    assert.match(html, new RegExp(`<span>Page 2 sur ${p1.pages}</span>`));
    assert.ok(html.includes('<a rel="prev" href="/recherche?q=atelier">'));
    assert.ok(html.includes('<a rel="next" href="/recherche?q=atelier&amp;page=3">'));
    // Not a page number: 400 from the API naming the field; the page says so and shows page 1.
    for (const bad of ['0', 'abc', '-1', '1.5', '', '99999999999']) {
        const r = await search({ q: 'atelier', page: bad }, 400);
        assert.deepEqual(r.errors.map((e) => e.field), ['page'], `page=${bad}`);
        const h = decodeEntities(await searchPage({ q: 'atelier', page: bad }));
        assert.match(h, /role="alert">numéro de page attendu/, `page=${bad} on the page`);
        assert.match(h, /<h2 class="count" id="resultats">\d+ résultats<\/h2>/);
    }
});

/* search.h: a page out of range answers the nearest page: past the last, the last one (same
 * results, "page" never above "pages"), on the API and the page alike. */
test('a page beyond the end answers the last page', async () => {
    const first = await search({ q: 'atelier' });
    for (const page of [first.pages + 1, 999]) {
        const r = await search({ q: 'atelier', page });
        assertShape(r, `page ${page}`);
        assert.equal(r.total, first.total);
        assert.equal(r.pages, first.pages);
        assert.ok(r.page <= r.pages, `page ${page}: the answer says page ${r.page} of ${r.pages}`);
        assert.deepEqual(r.results.map((x) => x.slug),
                         (await search({ q: 'atelier', page: first.pages })).results.map((x) => x.slug));
        const h = await searchPage({ q: 'atelier', page });
        assert.match(h, new RegExp(`<span>Page ${first.pages} sur ${first.pages}</span>`));
    }
});

test('sort=recent lists the latest published first, and follows an edit', async () => {
    const updated = async (slug) => Date.parse((await api(`/api/v1/entries/${slug}`)).json.updated);
    const r = await search({ q: 'atelier', sort: 'recent' });
    assertShape(r, 'recent');
    assert.equal(r.total, (await search({ q: 'atelier' })).total, 'the same entries, another order');
    const dates = [];
    for (const x of r.results)
        dates.push(await updated(x.slug));
    for (let i = 1; i < dates.length; i++)
        assert.ok(dates[i - 1] >= dates[i], `recent: ${r.results[i - 1].slug} before ${r.results[i].slug}`);
    assert.ok(r.results.every((x) => x.score === 0));
    assert.deepEqual((await search({ q: 'atelier', tri: 'date' })).results, r.results, 'tri=date is the same');
    // An older innovation edited now comes first.
    const older = r.results.slice(1).find((x) => x.kind === 'innovation');
    assert.ok(older, 'an innovation further down');
    const e = (await api(`/api/v1/entries/${older.slug}`)).json;
    await put(srv.users.a, older.slug, e.revision, { summary: `${e.summary} Relu pour la recherche.` });
    const again = await search({ q: 'atelier', sort: 'recent' });
    const at = again.results.findIndex((x) => x.slug === older.slug);
    assert.ok(at >= 0, `the edited ${older.slug} is on the first page by date`);
    const editedAt = await updated(older.slug);
    assert.ok(editedAt >= dates[0], 'the edit is the latest change');
    // Only entries changed in the same second may come before it.
    for (const x of again.results.slice(0, at))
        assert.equal(await updated(x.slug), editedAt, `${x.slug} before the edited record`);
    // The page links both orders.
    const html = await searchPage({ q: 'atelier', tri: 'date' });
    assert.match(html, /<a href="\/recherche\?q=atelier">pertinence<\/a> · <strong aria-current="true">date<\/strong>/);
    const firstHit = /<li class="result">\s*<h3><a href="([^"]*)">/.exec(html);
    assert.equal(firstHit?.[1], new URL(again.results[0].url).pathname, 'the page in the same order');
});

/* ---- 3. nothing hidden shows ---- */

test('a record created through the API is found at once, through every door', async () => {
    const total = await innovationTotal();
    const made = await create(srv.users.a, sampleInnovation({
        title: 'La halle du nouvelagrix', summary: 'Le nouvelagrix, une fiche toute neuve.',
    }));
    assert.equal(made.state, 'published');
    await assertFound('nouvelagrix', made.slug, 'created by a trusted account');
    assert.equal(await innovationTotal(), total + 1, 'counted in the kind facet');
    const r = await search({ q: 'nouvelagrix', kind: 'innovation', theme: 'mobilite', commune: '29177' });
    assert.deepEqual(r.results.map((x) => x.slug), [made.slug], 'with its facet terms');
    assert.equal(r.facets.kind.innovation, 1);
    assert.equal(r.facets.theme.mobilite, 1);
    assert.equal(r.facets.commune['29177'], 1);
});

test('a newcomer\'s pending record is never found, suggested nor counted; approved, it is', async () => {
    const total = await innovationTotal();
    const made = await create(srv.users.c, sampleInnovation({
        title: 'Le zorbulatex du quartier', summary: 'Un zorbulatex que personne ne voit encore.',
    }));
    assert.equal(made.state, 'pending');
    await assertHidden('zorbulatex', made.slug, 'pending record');
    assert.equal(await innovationTotal(), total, 'the kind facet does not count it');
    // Approved: found through every door.
    const [item] = await pendingOf(made.slug);
    await decide(item.revision_id, 'approve');
    await assertFound('zorbulatex', made.slug, 'approved record');
    assert.equal(await innovationTotal(), total + 1);
});

test('a record withdrawn by a moderator leaves the index', async () => {
    const total = await innovationTotal();
    const made = await demoRecord({ title: 'Le quimbraxol de Guipavas', summary: 'Le quimbraxol, bientôt retiré.' });
    await assertFound('quimbraxol', made.slug, 'published');
    for (const u of [srv.users.a, srv.users.b, srv.users.c])
        await report(u, made.slug);
    const id = await reportedId(made.slug);
    const out = await marc.post(`/moderation/signalements/${id}/retirer`, { reason: 'Publicité' });
    assert.equal(out.status, 303);
    assert.equal(sqlite(`SELECT hidden FROM entries WHERE slug = '${made.slug}'`), '2');
    await assertHidden('quimbraxol', made.slug, 'withdrawn');
    assert.equal(await innovationTotal(), total - 1, 'no longer counted');
});

test('a record hidden by readers\' reports leaves the index; kept by a moderator, it is back', async () => {
    const total = await innovationTotal();
    const made = await demoRecord({ title: 'Le flindorquet de Plougonvelin', summary: 'Un flindorquet signalé par trois comptes.' });
    await assertFound('flindorquet', made.slug, 'before the reports');
    await report(srv.users.b, made.slug);
    await report(srv.users.c, made.slug);
    await assertFound('flindorquet', made.slug, 'two reports (report_hide is 3)');
    await report(srv.users.m, made.slug);
    assert.equal(sqlite(`SELECT hidden FROM entries WHERE slug = '${made.slug}'`), '1');
    await assertHidden('flindorquet', made.slug, 'hidden by reports');
    assert.equal(await innovationTotal(), total - 1);
    const id = await reportedId(made.slug);
    const keep = await marc.post(`/moderation/signalements/${id}/garder`, {});
    assert.equal(keep.status, 303);
    await assertFound('flindorquet', made.slug, 'kept by a moderator');
    assert.equal(await innovationTotal(), total);
});

/* An account made on the CLI, with a token; its id. */
function newAccount(email, role) {
    cli(['user', 'add', srv.db, '--email', email, '--name', `Compte ${role}`, '--role', role], 'un-mot-de-passe-solide-42\n');
    return {
        token: cli(['token', 'create', srv.db, '--email', email]).stdout.trim(),
        id: sqlite(`SELECT id FROM users WHERE email = '${email}'`),
    };
}

test('rolling back an account undoes its published vandalism in the index too', async () => {
    const v = newAccount('vandale.recherche@test.foison', 'trusted');
    const victim = await demoRecord({ title: 'La fiche plumbaxilor', summary: 'Le bon texte du plumbaxilor.' });
    const total = await innovationTotal();
    const vand = await put(v, victim.slug, victim.revision, { summary: 'Le gostrapelin a tout remplacé.' });
    assert.equal(vand.state, 'published');
    assert.deepEqual((await search({ q: 'gostrapelin' })).results.map((x) => x.slug), [victim.slug], 'the vandal\'s text is found');
    assert.equal((await search({ q: typo('gostrapelin') })).suggestion, 'gostrapelin');
    assert.equal((await search({ q: 'plumbaxilor' })).results[0].snippet.includes('bon texte'), false);
    const r = await marc.post(`/moderation/accounts/${v.id}/rollback`, { reason: 'vandalisme' });
    assert.equal(r.status, 303);
    await assertHidden('gostrapelin', victim.slug, 'undone vandalism');
    await assertFound('plumbaxilor', victim.slug, 'the good text is back');
    assert.match((await search({ q: 'plumbaxilor' })).results[0].snippet, /Le bon texte du <mark>plumbaxilor<\/mark>/);
    assert.equal(await innovationTotal(), total);
});

test('rolling back an account deletes what it alone wrote, and the index forgets it', async () => {
    const v = newAccount('spammeur.recherche@test.foison', 'trusted');
    const total = await innovationTotal();
    const theirs = await create(v, sampleInnovation({ title: 'Le krandivolte pas cher', summary: 'Le krandivolte, de la publicité.' }));
    assert.equal(theirs.state, 'published');
    await assertFound('krandivolte', theirs.slug, 'the spammer\'s own record');
    assert.equal(await innovationTotal(), total + 1);
    const r = await marc.post(`/moderation/accounts/${v.id}/rollback`, { reason: 'spam' });
    assert.equal(r.status, 303);
    assert.equal(sqlite(`SELECT deleted FROM entries WHERE slug = '${theirs.slug}'`), '1');
    await assertHidden('krandivolte', theirs.slug, 'deleted by the rollback');
    assert.equal(await innovationTotal(), total);
});

test('a pending revision: the published text is found, the new words are not; rejected, they never are', async () => {
    const made = await demoRecord({ title: 'La maison du vrastomil', summary: 'Le vrastomil, texte publié.' });
    const slug = made.slug;
    await assertFound('vrastomil', slug, 'published text');
    const total = await innovationTotal();
    const edit = await put(srv.users.c, slug, made.revision, {
        title: 'La maison du drenouvax', summary: 'Le drenouvax, texte en attente.',
    });
    assert.equal(edit.state, 'pending');
    // The old published title and text still found, the new words nowhere.
    await assertFound('vrastomil', slug, 'published text, a revision pending');
    const r = await search({ q: 'vrastomil' });
    assert.equal(r.results[0].title, 'La maison du vrastomil');
    assert.doesNotMatch(JSON.stringify(r), /drenouvax/);
    await assertHidden('drenouvax', slug, 'pending revision');
    assert.equal(await innovationTotal(), total, 'counted once');
    const [item] = await pendingOf(slug);
    await decide(item.revision_id, 'reject');
    await assertHidden('drenouvax', slug, 'rejected revision');
    await assertFound('vrastomil', slug, 'published text after the rejection');
    assert.equal(await innovationTotal(), total);

    // Another pending revision, approved: the index follows the published text.
    const cur = (await api(`/api/v1/entries/${slug}`)).json;
    const edit2 = await put(srv.users.c, slug, cur.revision, {
        title: 'La maison du brulvinage', summary: 'Le brulvinage, texte approuvé.',
    });
    assert.equal(edit2.state, 'pending');
    await assertHidden('brulvinage', slug, 'second pending revision');
    const [item2] = await pendingOf(slug);
    await decide(item2.revision_id, 'approve');
    const now = (await search({ q: 'brulvinage' })).results;
    assert.equal(now.length, 1);
    await assertFound('brulvinage', now[0].slug, 'approved revision');
    assert.equal((await search({ q: 'vrastomil' })).total, 0, 'the replaced text left the index');
    assert.equal(await innovationTotal(), total);
});

/* ---- 4. the index follows edits; reindex gives the same answers ---- */

/* Runs `foison serve` on another site file; returns { base, stop() } (stop checks a clean exit,
 * no sanitizer report, no 5xx). */
async function serveFile(db) {
    const port = await freePort();
    const proc = spawn(BIN, ['serve', db, '--listen', `127.0.0.1:${port}`, '--threads', '2'],
        { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
        try {
            if ((await request(base, '/healthz')).status === 200)
                break;
        } catch { /* not listening yet */ }
        assert.ok(i < 200, `serve ${db} did not start\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
    }
    return {
        base,
        async stop() {
            proc.kill('SIGTERM');
            assert.deepEqual(await exited, { code: 0, signal: null }, stderr.slice(-2000));
            assert.doesNotMatch(stderr, /AddressSanitizer|LeakSanitizer|runtime error:/, stderr);
            assert.deepEqual(stderr.split('\n').filter((l) => /^\S+Z \S+ [A-Z]+ .* 5\d\d \d+us/.test(l)), []);
        },
    };
}

test('the index follows an edit of the title; reindex (all, or --search) gives the same answers', async () => {
    const made = await demoRecord({ title: 'La grange de trembolaxe', summary: 'Une grange rénovée pour le quartier.' });
    await assertFound('trembolaxe', made.slug, 'before the edit');
    const edit = await put(srv.users.a, made.slug, made.revision, { title: 'La grange de quirvandelle' });
    assert.equal(edit.state, 'published');
    const slug = edit.slug;
    assert.notEqual(slug, made.slug, 'the address follows the title');
    await assertFound('quirvandelle', slug, 'edited title');
    const old = await search({ q: 'trembolaxe' });
    assert.equal(old.total, 0, 'the old title no longer finds it');
    assert.ok(!(old.suggestion ?? '').includes('trembolaxe'));
    const sg = await api('/api/v1/search/suggest?q=trembo');
    assert.ok(!sg.json.results.some((x) => x.slug === slug));
    assert.equal((await search({ q: 'grange renovee' })).results[0].slug, slug, 'the rest of the text still found');

    // Two copies of the site file, rebuilt each way, served: the same answers.
    const queries = [
        { q: 'quirvandelle' }, { q: 'trembolaxe' }, { q: 'bibliotheque cooperative' }, { q: 'atelier', kind: 'event' },
        { q: 'atelier', page: 2 }, { q: 'atelier', sort: 'recent' }, { q: 'zotro' }, { q: 'vraxilune' },
        { q: 'brulvinage' }, { q: 'krandivolte' }, { q: 'quimbraxol' }, { q: 'velo OR jardin -partage' },
        { kind: 'place', theme: 'numerique' }, { q: '"espace multimedia"' },
    ];
    const answers = async (base) => {
        const out = [];
        for (const p of queries) {
            const r = await apiJson(base, `/api/v1/search?${qs(p)}`);
            assert.equal(r.status, 200);
            out.push(r.text.split(base).join('BASE'));
        }
        for (const p of ['quirv', 'biblio', 'atel'])
            out.push((await apiJson(base, `/api/v1/search/suggest?q=${p}`)).text);
        return out;
    };
    const expected = await answers(srv.base);
    for (const args of [['--search'], []]) {
        const copy = path.join(srv.dir, `copy${args.join('')}.db`);
        sqlite(`.backup '${copy}'`);
        const r = cli(['reindex', copy, ...args]);
        assert.match(r.stdout, args.length ? /index de recherche refait/ : /données dérivées recalculées/);
        const other = await serveFile(copy);
        try {
            const got = await answers(other.base);
            for (let i = 0; i < expected.length; i++)
                assert.equal(got[i], expected[i], `reindex ${args.join(' ')}: ${JSON.stringify(queries[i] ?? 'suggest')}`);
        } finally {
            await other.stop();
        }
        for (const f of fs.readdirSync(srv.dir))
            if (f.startsWith(path.basename(copy)))
                fs.rmSync(path.join(srv.dir, f), { force: true });
    }
});

/* ---- 5. hostile queries ---- */

test('hostile queries never get a 5xx, neither from the page nor from the API', async () => {
    const words20 = 'jardin velo atelier numerique bibliotheque brest plouzane cooperative reseau ' +
        'formation animateur association logiciel libre quartier habitants partage ecole mediation papi';
    assert.equal(words20.split(' ').length, 20);
    const hostile = [
        '"jardin', 'jardin"', '«jardin', '“jardin', 'OR', 'OR OR', 'velo OR', 'OR velo', 'velo OR OR jardin',
        '-', '--', '- -', '-velo', '-velo -jardin', '-"jardin partagé"', '--velo', 'AND', 'NOT', 'NOT velo',
        'velo AND', 'velo NOT jardin', 'NEAR(a b)', 'NEAR(velo jardin, 2)', 'NEAR', 'a*', '*', '**', 'velo*',
        '^a', '^velo', '{title}:x', '{title lead}: velo', '{', '}', 'title:bibliotheque', 'title : velo',
        'lead:velo', '""', '" "', '"""', '"" ""', '«»', '« »', '()', ')(', '(velo', 'velo)', ':', '+',
        '+velo', "'", "l'", "l'atelier", "aujourd'hui", '\\', '\\"', '%', '_', '|', '||', 'velo | jardin',
        'velo|jardin', 'le la les', 'le', 'de du des', 'a', 'é', '\u0301', 'ß', 'ǅ', '😀', '\u200b', '\u202e velo',
        '\u00a0', '\ufeff', 'a\u0001b', '\u0001velo\u0002', '\t\n\r', 'x'.repeat(64), 'x'.repeat(300),
        'é'.repeat(300), words20, `${words20} ${words20}`, '"velo jardin atelier numerique brest plouzane reseau libre papi ecole quartier partage formation"',
        '-'.repeat(500), '"'.repeat(500), 'OR '.repeat(300), 'a '.repeat(500), '0', '00000', '1e999',
        'NULL', 'null', 'undefined', '%s%s%n', "'; DROP TABLE entries; --", '<script>alert(1)</script>',
        'bibliotheque*', 'biblioth', 'bib', 'bi', 'b',
    ];
    for (const q of hostile) {
        const r = await api(`/api/v1/search?${qs({ q })}`);
        assert.ok(r.status === 200 || r.status === 400, `API q=${JSON.stringify(q).slice(0, 60)} → ${r.status}`);
        if (r.status === 200)
            assertShape(r.json, JSON.stringify(q).slice(0, 60));
        else
            assert.deepEqual(r.json.errors.map((e) => e.field), ['q'], JSON.stringify(q).slice(0, 60));
        const p = await request(srv.base, `/recherche?${qs({ q })}`);
        assert.equal(p.status, 200, `page q=${JSON.stringify(q).slice(0, 60)}`);
        assert.match(p.text, /<h1>Recherche<\/h1>/);
        const s = await api(`/api/v1/search/suggest?${qs({ q })}`);
        assert.ok(s.status === 200 || s.status === 400, `suggest q=${JSON.stringify(q).slice(0, 60)} → ${s.status}`);
        if (s.status === 200)
            assert.ok(Array.isArray(s.json.results));
    }
    // What these mean, for some: an unbalanced quote runs to the end (a one-word phrase is the
    // word), operators alone find nothing, exclusions alone find nothing.
    assert.equal((await search({ q: '"jardin' })).total, (await search({ q: 'jardin' })).total);
    assert.ok((await search({ q: 'jardin' })).total > 0);
    for (const q of ['OR', '-', 'le la les', '-velo', '-velo -jardin', '""', '" "', '*', '^a', '{'])
        assert.equal((await search({ q })).total, 0, `q=${q}`);
    assert.equal((await search({ q: 'velo -velo' })).total, 0);
    const velo = (await search({ q: 'velo' })).total;
    assert.ok(velo > 0);
    assert.equal((await search({ q: 'velo OR' })).total, velo, 'an OR with nothing on its right is dropped');
    assert.equal((await search({ q: 'velo|zzqqxxnothing' })).total, velo, '| is OR');
    // The page echoes what was typed, escaped.
    const echo = await searchPage({ q: '<script>alert(1)</script> "x' });
    assert.ok(echo.includes('value="&lt;script&gt;alert(1)&lt;/script&gt; &quot;x"'), 'the input keeps the text, escaped');
    assert.ok(!echo.includes('<script>alert'));

    // Long queries: the input says 1000; the API refuses more with the field named, the page
    // takes the first 1000 bytes (on a character boundary) and says so. Past the 4096 bytes of a
    // request line, the server refuses the request itself.
    const exact = 'jardin '.repeat(142) + 'velo12';
    assert.equal(Buffer.byteLength(exact), 1000);
    assert.equal((await api(`/api/v1/search?${qs({ q: exact })}`)).status, 200);
    assert.doesNotMatch(await searchPage({ q: exact }), /seuls ses 1/);
    for (const q of ['jardin '.repeat(430), 'é'.repeat(501), `${'x'.repeat(999)}é`]) {
        assert.ok(Buffer.byteLength(q) > 1000);
        const r = await api(`/api/v1/search?${qs({ q })}`);
        assert.equal(r.status, 400, `${Buffer.byteLength(q)} bytes`);
        assert.deepEqual(r.json.errors.map((e) => e.field), ['q']);
        assert.match(r.json.errors[0].message, /1000 octets/);
        const p = await searchPage({ q });
        assert.match(p, /Votre recherche était très longue&#8239;: seuls ses 1&#8239;000 premiers caractères ont été pris en compte/);
    }
    const cutPage = await searchPage({ q: 'jardin '.repeat(430) });
    assert.match(cutPage, /<h2 class="count" id="resultats">\d+ résultats?<\/h2>/, 'the cut query is searched');
    const five = 'x'.repeat(5000);
    for (const p of [`/api/v1/search?q=${five}`, `/recherche?q=${five}`, `/api/v1/search/suggest?q=${five}`]) {
        const r = await rawRequest(srv.base, p);
        assert.equal(r.status, 414, `5000 characters: ${p.slice(0, 20)}`);
    }
    const sgLong = await api(`/api/v1/search/suggest?${qs({ q: 'x'.repeat(201) })}`);
    assert.equal(sgLong.status, 400);
    assert.deepEqual(sgLong.json.errors.map((e) => e.field), ['q']);

    // NUL bytes and invalid UTF-8: the server's rule for any parameter (a NUL ends the value, a
    // value that is not UTF-8 is dropped): never a 5xx.
    for (const raw of ['velo%00jardin', '%00', '%00velo', 'velo%00', '%FF', 'velo%FFjardin', '%C3%28', '%ED%A0%80',
                       '%F4%90%80%80', '%C0%AF', 'velo%', 'velo%2', '%%', '%GG']) {
        for (const p of [`/api/v1/search?q=${raw}`, `/recherche?q=${raw}`, `/api/v1/search/suggest?q=${raw}`,
                         `/api/v1/search?q=velo&kind=${raw}`, `/recherche?q=velo&theme=${raw}`]) {
            const r = await rawRequest(srv.base, p);
            assert.ok(r.status < 500, `${p} → ${r.status}`);
            assert.ok([200, 400].includes(r.status), `${p} → ${r.status}`);
            if (p.startsWith('/api/') && r.status === 200)
                assert.ok(Array.isArray(JSON.parse(r.body).results), p);
            // An API does not answer another question than the one asked: a value that is not
            // UTF-8 is a 400 there (a page shows what it understood).
            if (p.startsWith('/api/') && /%(FF|C3%28|ED|F4%90|C0)/.test(raw))
                assert.equal(r.status, 400, p);
        }
    }

    // Filters: 8 at most (the page says it, the API names the field); unknown parameters are
    // ignored; past 64 parameters the request itself is refused.
    const themes = ['numerique', 'culture', 'solidarite', 'documentation', 'services-publics', 'ess', 'patrimoine', 'mobilite', 'sante', 'education-populaire'];
    const eight = themes.slice(0, 8).map((t) => ['theme', t]);
    const r8 = await search([['q', 'atelier'], ...eight]);
    assert.ok(r8.total > 0);
    const r9 = await search([['q', 'atelier'], ...eight, ['kind', 'event']], 400);
    assert.deepEqual(r9.errors.map((e) => e.field), ['kind']);
    assert.match(r9.errors[0].message, /trop de filtres/);
    const r20 = await search([['q', 'atelier'], ...themes.map((t) => ['theme', t]), ...themes.map((t) => ['commune', t])], 400);
    assert.ok(r20.errors.length >= 1 && r20.errors.every((e) => /trop de filtres/.test(e.message)));
    assert.match(await searchPage([['q', 'atelier'], ...eight, ['kind', 'event']]), /role="alert">trop de filtres/);
    assert.equal((await search({ q: 'atelier', inconnu: 'x', foo: 'bar' })).total, (await search({ q: 'atelier' })).total);
    const many = [['q', 'atelier'], ...Array.from({ length: 70 }, (_, i) => ['foo', String(i)])];
    assert.equal((await rawRequest(srv.base, `/api/v1/search?${qs(many)}`)).status, 414);
    assert.equal((await rawRequest(srv.base, `/recherche?${qs(many)}`)).status, 414);

    // After all of it, the server still answers.
    const h = await request(srv.base, '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.text.trim(), 'ok');
    assert.ok((await search({ q: 'bibliotheque' })).total > 0);
});

/* ---- 6. the page /recherche ---- */

test('/recherche works without JavaScript: plain GET form, typo suggestion, facet links that toggle', async () => {
    // The form is a plain GET to /recherche; no script is needed to search.
    const empty = await searchPage({});
    assert.match(empty, /<form method="get" action="\/recherche" role="search" class="search-form"/);
    assert.match(empty, /<input type="search" id="recherche-q" name="q" value="" maxlength="1000"/);
    assert.doesNotMatch(empty, /<h2 class="count"/, 'nothing asked: no results block');

    // A typo of a demo word: few results, the correction finds more.
    const t = await search({ q: 'zotro' });
    assert.equal(t.suggestion, 'zotero');
    assert.ok(t.total < 3);
    const z = await search({ q: 'zotero' });
    assert.ok(z.total > t.total);
    assert.equal(z.suggestion, null, 'a word found is not corrected');
    const html = await searchPage({ q: 'zotro' });
    assert.match(html, /<p class="suggestion">Vous vouliez dire&#8239;: <a href="\/recherche\?q=zotero">zotero<\/a>&#8239;\?<\/p>/);
    assert.doesNotMatch(await searchPage({ q: 'zotero' }), /Vous vouliez dire/);
    assert.doesNotMatch(await searchPage({ q: 'bibliotheque' }), /Vous vouliez dire/, 'many results: no suggestion');
    // Filters are kept in the suggestion's link.
    const kept = await searchPage({ q: 'zotro', kind: 'event' });
    assert.ok(kept.includes('<a href="/recherche?q=zotero&amp;kind=event">zotero</a>'), 'the suggestion keeps the filters');

    // Facet links: choosing a value adds it, the chosen one is marked aria-current and its link
    // takes it away again.
    const base = await searchPage({ q: 'atelier' });
    const api0 = await search({ q: 'atelier' });
    const link = /<a href="(\/recherche\?q=atelier&amp;kind=event)">([^<]*) <span class="n">\((\d+)\)<\/span><\/a>/.exec(base);
    assert.ok(link, 'a link per kind');
    assert.equal(Number(link[3]), api0.facets.kind.event, 'the page\'s count is the API\'s');
    assert.doesNotMatch(base, /aria-current="true" class="on"/, 'nothing chosen yet');
    const chosen = await request(srv.base, decodeEntities(link[1]));
    assert.equal(chosen.status, 200);
    assert.match(chosen.text, new RegExp(`<h2 class="count" id="resultats">${api0.facets.kind.event} résultats</h2>`));
    const on = /<a href="([^"]*)" aria-current="true" class="on">([^<]*) <span class="n">\((\d+)\)<\/span><span class="visually-hidden"> — filtre choisi, cliquer pour le retirer<\/span><\/a>/g;
    const ons = [...chosen.text.matchAll(on)];
    assert.equal(ons.length, 1, 'one value chosen, marked');
    assert.equal(decodeEntities(ons[0][1]), '/recherche?q=atelier', 'its link takes the filter away');
    assert.equal(Number(ons[0][3]), api0.facets.kind.event);
    // The other kinds' links add theirs to the choice (either kind will do).
    const place = /<a href="(\/recherche\?q=atelier&amp;kind=event&amp;kind=place)">/.exec(chosen.text);
    assert.ok(place, 'another kind adds to the choice');
    const two = await request(srv.base, decodeEntities(place[1]));
    assert.equal([...two.text.matchAll(on)].length, 2);
    // A theme added on top; removing the kind keeps the theme.
    const theme = /<a href="(\/recherche\?q=atelier&amp;kind=event&amp;theme=numerique)">/.exec(chosen.text);
    assert.ok(theme, 'a theme link keeps the kind');
    const both = await request(srv.base, decodeEntities(theme[1]));
    const offKind = [...both.text.matchAll(on)].find((m) => m[2].startsWith('Agenda') || m[1].includes('theme=numerique'));
    assert.ok(offKind);
    assert.equal(decodeEntities(offKind[1]), '/recherche?q=atelier&theme=numerique');
    const apiBoth = await search({ q: 'atelier', kind: 'event', theme: 'numerique' });
    assert.match(both.text, new RegExp(`<h2 class="count" id="resultats">${apiBoth.total} résultats?</h2>`));
    // The chosen filters' "retirer" links.
    assert.match(decodeEntities(both.text), /<li>Thème\u202f: Numérique <a href="\/recherche\?q=atelier&kind=event">retirer/);
    // A kind's own facets show once the kind is chosen.
    assert.doesNotMatch(base, /id="facette-place_type"/);
    assert.match(await searchPage({ q: 'atelier', kind: 'place' }), /id="facette-place_type"/);
});

test('every page has the header search form, pointing to /recherche', async () => {
    const slug = (await search({ q: 'bibliotheque' })).results[0].url;
    const pages = ['/', '/innovations', '/acteurs', '/lieux', '/agenda', '/recherche', '/recherche?q=velo',
                   '/login', '/inscription', new URL(slug).pathname, '/mentions-legales', '/page-qui-n-existe-pas'];
    for (const p of pages) {
        const r = await request(srv.base, p);
        assert.ok(r.status === 200 || r.status === 404, `${p} → ${r.status}`);
        assert.match(r.text, /<form class="site-search" method="get" action="\/recherche" role="search"[^>]*>/, p);
        assert.match(r.text, /<input type="search" id="site-q" name="q"[^>]*data-suggest="\/api\/v1\/search\/suggest"/, p);
    }
    // Signed in too.
    const alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    assert.match((await alice.get('/compte')).text, /<form class="site-search" method="get" action="\/recherche"/);
});

test('typo suggestions stay close to what was typed', async () => {
    // A correction is a word of the vocabulary within 1 edit (words under 8 letters) or 2 (longer):
    // never an unrelated word that merely starts with the same letter.
    const dist = (a, b) => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++)
            d[0][j] = j;
        for (let i = 1; i <= a.length; i++)
            for (let j = 1; j <= b.length; j++) {
                d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        return d[a.length][b.length];
    };
    const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (const q of ['zotro', 'fablb', 'brets', 'vleo', 'jardn', 'wikipedia', 'cartographie', 'cartografie', 'title']) {
        const r = await search({ q });
        if (r.suggestion === null)
            continue;
        const max = [...q].length < 8 ? 1 : 2;
        assert.ok(dist(fold(q), fold(r.suggestion)) <= max,
            `q=${q}: suggestion ${JSON.stringify(r.suggestion)} is ${dist(fold(q), fold(r.suggestion))} edits away (at most ${max})`);
    }
});

/* The header box's suggestions read the titles and summaries only ({title lead} : …), with the
 * last word a beginning: one word alone, a word and a beginning, a whole word. */
test('suggestions as you type: one beginning, several words, a word of the text alone', async () => {
    const slug = 'doc-at-brest-atelier-zotero-pour-sa-bibliographie';
    for (const q of ['zoter', 'Zotero', 'atelier zot', 'bibliog'])
        assert.ok((await api(`/api/v1/search/suggest?${qs({ q })}`)).json.results.some((x) => x.slug === slug), `suggest ${q}`);
    // "quotidien" is in the event's text (its description), not in its title nor its summary.
    const body = await api(`/api/v1/search/suggest?${qs({ q: 'zotero quotidien' })}`);
    assert.ok(!body.json.results.some((x) => x.slug === slug), 'a word of the text alone is not a title match');
});

/* rate_searches: searches a minute from one address (the double for suggestions); past it,
 * 429 with Retry-After, on the API (a JSON error naming q) and on the page (a message). Last in
 * this file: the limit is the address's for the whole minute. */
test('one address past rate_searches waits: 429 with Retry-After, API and page', async () => {
    cli(['config', srv.db, 'rate_searches', '3']);
    try {
        let r;
        for (let i = 0; i < 4; i++)
            r = await api(`/api/v1/search?${qs({ q: `atelier ${i}` })}`);
        assert.equal(r.status, 429, 'the fourth search in the minute');
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
        assert.equal(r.json.errors[0].field, 'q');
        assert.match(r.json.errors[0].message, /trop de recherches/);
        const page = await request(srv.base, `/recherche?${qs({ q: 'atelier' })}`);
        assert.equal(page.status, 429);
        assert.match(page.text, /Trop de recherches depuis votre adresse/);
        assert.match(page.text, /action="\/recherche"/, 'the form is still there');
        // Suggestions have their own count, twice the limit (the tests above already asked
        // for some this minute): the seventh in a row at the latest is refused.
        const codes = [];
        for (let i = 0; i < 7; i++)
            codes.push((await api(`/api/v1/search/suggest?${qs({ q: `atel${i}` })}`)).status);
        assert.equal(codes.at(-1), 429, codes.join(' '));
        assert.ok(codes.every((c) => c === 200 || c === 429), codes.join(' '));
    } finally {
        cli(['config', srv.db, 'rate_searches', '0']);
    }
    assert.equal((await api(`/api/v1/search?${qs({ q: 'atelier' })}`)).status, 200, '0: no limit');
});

/* foison check: every listed entry is in the index once, and nothing else (on a copy). */
test('foison check finds an index that lost an entry, and reindex --search mends it', () => {
    const copy = path.join(path.dirname(srv.db), 'check-copy.db');
    const b = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `.backup '${copy}'`], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const check = () => spawnSync(BIN, ['check', copy], { encoding: 'utf8', timeout: 60000 });
    assert.equal(check().status, 0, check().stderr);
    const cut = spawnSync('sqlite3', ['-cmd', '.timeout 10000', copy,
        "UPDATE search_docs SET listed = 0 WHERE entry_id = (SELECT id FROM entries WHERE slug = 'doc-at-brest-atelier-zotero-pour-sa-bibliographie')"],
    { encoding: 'utf8' });
    assert.equal(cut.status, 0, cut.stderr);
    const bad = check();
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /absentes de l'index de recherche/);
    cli(['reindex', copy, '--search']);
    assert.equal(check().status, 0);
});
