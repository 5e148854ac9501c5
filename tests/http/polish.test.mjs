// polish.test.mjs — what visitors meet on the pages: template values stay in their scope (a
// card never borrows the page's values), the list filters offer only values with results and
// their counts, headings, navigation, required fields, the login page when logged in, meta
// descriptions, robots.txt and noindex.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
    startServer, loginOk, apiJson, sampleInnovation, parseCards, request, unmaskCsrf,
} from './harness.mjs';

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

/* ---- list filters ---- */

const decode = (s) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/* The options of <select name=NAME>: { value, label, count, selected }, the "all" one left out. */
function options(html, name) {
    const sel = new RegExp(`<select name="${name}">([\\s\\S]*?)</select>`).exec(html);
    assert.ok(sel, `select ${name}`);
    return [...sel[1].matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)]
        .filter((m) => m[1] !== '')
        .map((m) => {
            const t = /^(.*) \((\d+)\)$/.exec(decode(m[3]));
            assert.ok(t, `option "${m[3]}" shows a count`);
            return { value: m[1], label: t[1], count: Number(t[2]), selected: !!m[2] };
        });
}

const totalOf = (html) => {
    const m = /<h2 class="count">(\d+) fiches?<\/h2>/.exec(html);
    assert.ok(m, 'the list says how many records it has');
    return Number(m[1]);
};

async function get(p, client) {
    const r = client ? await client.get(p) : await fetch(srv.base + p).then(async (x) =>
        ({ status: x.status, text: await x.text(), headers: x.headers }));
    assert.equal(r.status, 200, p);
    return r;
}

/* Every option's count is the total the list shows when it is chosen (other filter kept). */
async function checkCounts(query, name, client) {
    const page = await get(`/innovations${query}`, client);
    const opts = options(page.text, name);
    assert.ok(opts.length > 0, `${query}: some ${name} offered`);
    for (const o of opts) {
        const q = new URLSearchParams(query);
        q.set(name, o.value);
        const p = `/innovations?${q}`;
        const r = await get(p, client);
        assert.equal(totalOf(r.text), o.count, `${p}: count ${o.count} offered for ${o.label}`);
        if (!o.selected)
            assert.ok(o.count > 0, `${query}: ${o.label} offered with no result`);
    }
    return opts;
}

test('filters offer only values that have records, with their counts', async () => {
    const all = await get('/innovations');
    const communes = options(all.text, 'commune');
    // The territory has about a hundred communes; the demo records are in a handful of them.
    assert.ok(communes.length > 0 && communes.length < 20, `${communes.length} communes offered`);
    assert.ok(communes.every((c) => c.count > 0), 'no commune without records');
    assert.equal(communes.reduce((n, c) => n + c.count, 0), totalOf(all.text),
        'every record has one commune');
    const brest = communes.find((c) => c.label === 'Brest');
    assert.ok(brest && brest.count > 1, 'Brest (N) is offered');
    assert.match(all.text, new RegExp(`<option value="29019">Brest \\(${brest.count}\\)</option>`));
    await checkCounts('', 'commune');
    await checkCounts('', 'theme');
});

test('counts respect the other active filter', async () => {
    const mob = await checkCounts('?theme=mobilite', 'commune');
    const all = options((await get('/innovations')).text, 'commune');
    assert.ok(mob.length < all.length, 'fewer communes have mobility records than records at all');
    await checkCounts('?commune=29019', 'theme');
    await checkCounts('?theme=numerique&commune=29019', 'theme');
    await checkCounts('?theme=numerique&commune=29019', 'commune');
});

test('the value chosen stays offered, even without results', async () => {
    // Argol (29001) has no record: chosen, it stays selected with (0), and the page is empty.
    const r = await get('/innovations?commune=29001');
    const argol = options(r.text, 'commune').find((c) => c.value === '29001');
    assert.deepEqual(argol, { value: '29001', label: 'Argol', count: 0, selected: true });
    assert.equal(totalOf(r.text), 0);
    assert.match(r.text, /Aucune innovation ne correspond/);
    // A theme chosen with a commune where it has no record.
    const both = await get('/innovations?theme=sante&commune=29177');
    const sante = options(both.text, 'theme').find((t) => t.value === 'sante');
    assert.equal(sante.selected, true);
    assert.equal(sante.count, totalOf(both.text));
});

test('counts only visible records', async () => {
    // A record in a commune that had none, then deleted in the site file: it leaves the list
    // and the counts together. Logged in, so no cached page hides the change made outside.
    const slug = await createEntry(sampleInnovation({ title: 'Fiche comptée puis effacée',
        commune: '29011' }));
    let r = await get('/innovations', alice);
    assert.deepEqual(options(r.text, 'commune').find((c) => c.value === '29011'),
        { value: '29011', label: 'Bohars', count: 1, selected: false });
    sqlite(`UPDATE entries SET deleted = 1 WHERE slug = '${slug}'`);
    r = await get('/innovations', alice);
    assert.equal(options(r.text, 'commune').find((c) => c.value === '29011'), undefined,
        'a deleted record is not counted');
    await checkCounts('', 'theme', alice);
});

test('an empty or single-page result shows no pager', async () => {
    for (const p of ['/innovations?commune=29001', '/innovations?theme=zzz',
        '/innovations?commune=29177']) {
        const r = await get(p);
        assert.doesNotMatch(r.text, /Page 1 sur 1/, p);
        assert.doesNotMatch(r.text, /class="pager"/, p);
    }
    const r = await get('/innovations');
    assert.match(r.text, /<nav class="pager" aria-label="Pages">[\s\S]*Page 1 sur \d/);
});

/* ---- robots ---- */

/* RFC 9309 matching: the longest matching rule wins, Allow on a tie; "*" any run, "$" the end. */
function robotsAllows(rules, path) {
    let best = null;
    for (const r of rules) {
        const re = new RegExp('^' + r.pattern.replace(/[.+?^{}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*').replace(/\\\$$|\$$/, '$'));
        if (re.test(path) && (!best || r.pattern.length > best.pattern.length ||
            (r.pattern.length === best.pattern.length && r.allow)))
            best = r;
    }
    return !best || best.allow;
}

test('/robots.txt keeps crawlers off the write-only and repeated pages, not the site', async () => {
    const r = await fetch(`${srv.base}/robots.txt`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; charset=utf-8/);
    const text = await r.text();
    const lines = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    assert.equal(lines[0], 'User-agent: *');
    const rules = lines.slice(1).map((l) => {
        const m = /^(Allow|Disallow): (\/\S*)$/.exec(l);
        assert.ok(m, `a rule: "${l}"`);
        return { allow: m[1] === 'Allow', pattern: m[2] };
    });
    // Nothing pointed to that does not exist: no sitemap (there is none yet).
    assert.doesNotMatch(text, /sitemap/i);
    const slug = await createEntry(sampleInnovation({ title: 'Edition locale pour les robots' }));
    const rec = `/innovations/${slug}`;
    assert.match(slug, /^edition-/, 'a slug that starts like "edit"');
    const disallowed = ['/login', '/login?next=%2F', '/innovations/new', `${rec}/edit`,
        `${rec}/history`, `${rec}/diff`, `${rec}/diff?from=1&to=1`];
    const allowed = ['/', '/innovations', '/innovations?theme=numerique&page=2', rec,
        `${rec}?rev=1`, '/api/v1/entries?kind=innovation', `/api/v1/entries/${slug}`,
        '/static/style.css', '/innovations/newsletter-du-quartier', '/innovations/edition-x',
        '/robots.txt'];
    for (const p of disallowed)
        assert.equal(robotsAllows(rules, p), false, `${p} disallowed`);
    for (const p of allowed)
        assert.equal(robotsAllows(rules, p), true, `${p} allowed`);
    // Each rule names pages that exist.
    for (const p of disallowed) {
        const x = await fetch(srv.base + p, { redirect: 'manual' });
        assert.ok([200, 303].includes(x.status), `${p} exists (${x.status})`);
    }
});

/* ---- head: description, robots ---- */

function metas(html) {
    const desc = [...html.matchAll(/<meta name="description" content="([^"]*)">/g)].map((m) => m[1]);
    const robots = [...html.matchAll(/<meta name="robots" content="([^"]*)">/g)].map((m) => m[1]);
    const head = html.slice(0, html.indexOf('</head>'));
    return { desc, robots, inHead: desc.every(() => head.includes('name="description"')) };
}

test('every page has one meta description, escaped and at most 160 characters', async () => {
    const summary = 'Un « atelier » <b>libre</b> & "gratuit" où l\'on répare ensemble vélos, '
        + 'grille-pain et ordinateurs ; chaque samedi, des bénévoles accueillent, conseillent, '
        + 'prêtent des outils et apprennent à chacun à faire soi-même, sans rien vendre.';
    assert.ok(summary.length > 160 && summary.length <= 300);
    const slug = await createEntry(sampleInnovation({ title: 'Fiche à décrire', summary }));
    const short = await createEntry(sampleInnovation({ title: 'Fiche courte à décrire',
        summary: 'Court & <net>.' }));
    const rec = `/innovations/${slug}`;
    const pages = [['/', null], ['/innovations', null], ['/innovations?theme=numerique', null],
        ['/innovations?commune=29001', null], ['/innovations?theme=zzz', null], [rec, null],
        [`/innovations/${short}`, 'Court & <net>.'], [`${rec}/history`, null],
        [`${rec}/diff?from=1&to=1`, null], ['/login', null], ['/nope', null]];
    // History and diff with the cookie of their gate; the gate page too, without it.
    const cookie = await srv.human();
    pages.push([`${rec}/history?gate`, null]);
    for (const [p, want] of pages) {
        const gate = p.endsWith('?gate');
        const r = await fetch(srv.base + p, gate ? {} : { headers: { cookie } });
        const html = await r.text();
        if (gate)
            assert.match(html, /action="\/verification"/, `${p}: the gate`);
        const { desc, inHead } = metas(html);
        assert.equal(desc.length, 1, `${p}: one meta description`);
        assert.ok(inHead, `${p}: in the head`);
        assert.doesNotMatch(desc[0], /[<>"]/, `${p}: escaped`);
        const text = decode(desc[0]);
        assert.ok(text.length >= (want ? want.length : 30) && [...text].length <= 160,
            `${p}: "${text}"`);
        if (want)
            assert.equal(text, want, `${p}: the record's summary`);
    }
    // A long summary is cut at a word, with an ellipsis.
    const { desc } = metas(await (await fetch(srv.base + rec)).text());
    const text = decode(desc[0]);
    assert.match(text, /…$/);
    assert.ok(summary.startsWith(text.slice(0, -1)), `"${text}" begins the summary`);
    assert.ok([...text].length <= 160 && [...text].length > 120, `${[...text].length} chars`);
    assert.match(summary.slice(text.length - 1), /^[ ,;]/, 'cut between words');
    // Distinct texts: a list filtered, the list, the home page.
    const d = async (p) => decode(metas(await (await fetch(srv.base + p)).text()).desc[0]);
    assert.match(await d('/innovations?theme=mobilite'), /Mobilité/);
    assert.notEqual(await d('/innovations'), await d('/'));
});

test('history, diff, forms, login, errors and old revisions are noindex; the rest is not',
    async () => {
        const slug = await createEntry(sampleInnovation({ title: 'Fiche à ne pas indexer' }));
        const up = await apiJson(srv.base, `/api/v1/entries/${slug}`, {
            method: 'PUT', token: srv.users.a.token,
            body: { base_revision: 1, summary: 'Un autre résumé pour une deuxième révision.' },
        });
        assert.equal(up.status, 200);
        const rec = `/innovations/${slug}`;
        const noindex = [[`${rec}/history`], [`${rec}/diff?from=1&to=2`], ['/login'],
            [`${rec}/history`, 'gate'], [`${rec}/diff?from=1&to=2`, 'gate'],
            ['/nope'], ['/innovations/nope'], [`${rec}?rev=1`], ['/innovations/new', alice],
            [`${rec}/edit`, alice], ['/login', alice], [`${rec}/history`, alice]];
        const cookies = await srv.human();
        for (const [p, c] of noindex) {
            // Anonymous history and diff past their gate, and the gate itself ('gate').
            const r = c === 'gate' ? await request(srv.base, p)
                : c ? await c.get(p) : await request(srv.base, p, { cookies });
            if (/history|diff/.test(p))
                assert.match(r.text, c === 'gate' ? /action="\/verification"/ : /<table class="history"|<title>Différences entre/, p);
            assert.deepEqual(metas(r.text).robots, ['noindex'], `${p} is noindex`);
        }
        const bad = await alice.post('/innovations/new', { title: '', summary: 'x' });
        assert.equal(bad.status, 422);
        assert.deepEqual(metas(bad.text).robots, ['noindex'], 'a form with errors');
        for (const p of ['/', '/innovations', '/innovations?theme=numerique', rec, `${rec}?rev=2`]) {
            const r = await request(srv.base, p);
            assert.equal(r.status, 200, p);
            assert.deepEqual(metas(r.text).robots, [], `${p} may be indexed`);
        }
    });

/* ---- pages ---- */

test('the login page of someone logged in says so and offers to log out or go back', async () => {
    const r = await alice.get('/login?next=%2Finnovations');
    assert.equal(r.status, 200);
    assert.match(r.text, /Vous êtes déjà connecté·e en tant que <strong>Alice Testeuse<\/strong>/);
    assert.doesNotMatch(r.text, /action="\/login"/, 'no login form');
    assert.doesNotMatch(r.text, /type="password"/);
    assert.match(r.text, /<a class="button" href="\/innovations">Revenir à la page précédente<\/a>/);
    const main = r.text.slice(r.text.indexOf('<main'));
    const logout = /<form method="post" action="\/logout">\s*<input type="hidden" name="csrf" value="([0-9a-f]{128})">/
        .exec(main);
    assert.ok(logout, 'a logout form in the page');
    assert.equal(unmaskCsrf(logout[1]), unmaskCsrf(alice.csrf));
    const home = await alice.get('/login');
    assert.match(home.text, /<a class="button" href="\/">Aller à l'accueil<\/a>/);
    // The logout button works from there.
    const out = await alice.post('/logout', { csrf: logout[1] });
    assert.equal(out.status, 303);
    const again = await alice.get('/login');
    assert.match(again.text, /action="\/login"/, 'logged out: the form again');
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
});

function headings(html) {
    return [...html.matchAll(/<h([1-6])[ >]/g)].map((m) => Number(m[1]));
}

test('heading levels never skip one', async () => {
    const slug = await createEntry(sampleInnovation({ title: 'Fiche aux titres' }));
    for (const [p, c] of [['/'], ['/innovations'], ['/innovations?commune=29001'],
        [`/innovations/${slug}`], [`/innovations/${slug}/history`], ['/innovations/new', alice],
        ['/login'], ['/nope'], [`/innovations/${slug}/history`, 'gate']]) {
        const r = c === 'gate' ? await request(srv.base, p)
            : c ? await c.get(p) : await request(srv.base, p, { cookies: await srv.human() });
        const h = headings(r.text);
        assert.equal(h[0], 1, `${p}: starts with h1`);
        for (let i = 1; i < h.length; i++)
            assert.ok(h[i] <= h[i - 1] + 1, `${p}: h${h[i - 1]} then h${h[i]} (${h.join(' ')})`);
    }
    const list = await request(srv.base, '/innovations');
    assert.match(list.text, /<h1>[^]*<h2 class="count">\d+ fiches<\/h2>[^]*<h3><a href=/);
});

test('the history table has no empty header cell', async () => {
    const slug = await createEntry(sampleInnovation({ title: 'Fiche à l\'historique' }));
    for (const c of [null, alice]) {
        const p = `/innovations/${slug}/history`;
        const r = c ? await c.get(p) : await request(srv.base, p, { cookies: await srv.human() });
        const head = /<thead>([\s\S]*?)<\/thead>/.exec(r.text)[1];
        const ths = [...head.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1].trim());
        assert.ok(ths.length >= 7 && ths.every((t) => t !== ''), `headers: ${ths.join('|')}`);
        assert.equal((head.match(/<th/g) || []).length, ths.length);
        const row = /<tbody>\s*<tr[^>]*>([\s\S]*?)<\/tr>/.exec(r.text)[1];
        assert.equal((row.match(/<td/g) || []).length, ths.length, 'as many cells as headers');
        assert.equal(ths.includes('Action'), c !== null, 'the action column for contributors');
    }
});

test('the navigation marks the current page', async () => {
    const current = (html) => [...html.slice(0, html.indexOf('<main'))
        .matchAll(/<a [^>]*href="([^"]*)"[^>]*aria-current="page"/g)].map((m) => m[1]);
    assert.deepEqual(current((await request(srv.base, '/innovations')).text), ['/innovations']);
    assert.deepEqual(current((await request(srv.base, '/innovations?theme=numerique')).text),
        ['/innovations']);
    assert.deepEqual(current((await request(srv.base, '/')).text), ['/']);
    assert.deepEqual(current((await request(srv.base, '/login')).text), ['/login?next=%2Flogin']);
    // The header's "Proposer une innovation" leads to the guided path (/proposer).
    assert.deepEqual(current((await alice.get('/proposer')).text), ['/proposer']);
    assert.deepEqual(current((await alice.get('/innovations/new')).text), []);
    const slug = await createEntry(sampleInnovation({ title: 'Fiche hors navigation' }));
    assert.deepEqual(current((await request(srv.base, `/innovations/${slug}`)).text), []);
    // A record is inside its kind's section: the section's link says so, and only it.
    const record = (await request(srv.base, `/innovations/${slug}`)).text;
    assert.deepEqual([...record.matchAll(/<a [^>]*href="([^"]*)"[^>]*aria-current="([^"]*)"/g)].map((m) => [m[1], m[2]]),
                     [['/innovations', 'true']]);
});

test('required fields are marked, explained and announced as required', async () => {
    const r = await alice.get('/innovations/new');
    assert.match(r.text, /<p class="help">Les champs marqués d'un astérisque \(<span class="req">\*<\/span>\) sont obligatoires\.<\/p>/);
    const form = r.text.slice(r.text.indexOf('<form method="post" action="/innovations/new"'));
    assert.ok(r.text.indexOf('sont obligatoires') < r.text.indexOf('<form method="post" action="/innovations/new"'),
        'explained before the form');
    const mark = '<span class="req" aria-hidden="true">*</span>';
    for (const name of ['title', 'summary', 'description', 'commune']) {
        assert.match(form, new RegExp(`<label for="${name}">[^<]*${escapeRe(mark)}</label>`), name);
        assert.match(form, new RegExp(`<(input|textarea|select)[^>]*id="${name}"[^>]* required[ >]`), name);
    }
    for (const name of ['status', 'license'])
        assert.match(form, new RegExp(`<select id="${name}"[^>]* aria-required="true">`), name);
    assert.match(form, new RegExp(`<legend>Thèmes ${escapeRe(mark)}<span class="visually-hidden"> \\(obligatoire\\)</span></legend>`));
    for (const name of ['holders', 'website', 'start_year', 'how_it_works']) {
        assert.match(form, new RegExp(`<label for="${name}">[^<]*</label>`), `${name} not marked`);
        assert.doesNotMatch(form, new RegExp(`id="${name}"[^>]* (required|aria-required)`), name);
    }
    // The browser does not stop the form: the server's messages stay the ones people read.
    assert.match(form, /<form method="post" action="\/innovations\/new" class="entry-form" novalidate[ >]/);
});

function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
