// network.test.mjs — the network's kinds (actor, place, network, article) and the typed relations
// between entries: each kind created, edited, with its history and API; each relation shown on
// both sides with the right label, by id (a rename keeps it), never showing a hidden entry;
// generic facets on a kind that is not innovation; the relation field's refusals; private
// contact addresses never shown; the derived data rebuilt when the schemas change.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
    startServer, apiJson, request, loginOk, decodeEntities, sampleInnovation, parseCards,
} from './harness.mjs';

let srv, alice, marc;

before(async () => {
    srv = await startServer();
    alice = await loginOk(srv.base, srv.users.a.email, srv.users.a.password);
    marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
});

after(async () => {
    await srv?.stop();
});

const api = (p, opts) => apiJson(srv.base, p, opts);
// The CLI waits for the server's write lock (a busy file would fail the statement silently).
const sqlite = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
};

let seq = 0;
async function create(kind, fields, token = srv.users.m.token) {
    seq++;
    const r = await api('/api/v1/entries', { method: 'POST', token, body: { kind, ...fields } });
    return r;
}

async function createOk(kind, fields, token) {
    const r = await create(kind, fields, token);
    assert.equal(r.status, 201, `${kind}: ${r.text}`);
    return r.json;
}

const actor = (title, extra = {}) => ({ title, summary: `Une association du territoire (${title}).`, ...extra });

async function page(p, client) {
    const r = client ? await client.get(p) : await request(srv.base, p);
    return { status: r.status, html: decodeEntities(r.text) };
}

/* The relation blocks of a record page: label → titles listed under it. */
function relationsOf(html) {
    const block = html.match(/<section class="relations"[\s\S]*?<\/section>/);
    if (!block)
        return {};
    const out = {};
    for (const m of block[0].matchAll(/<h3>([^<]*)(?:<span class="kinds">\(([^)]*)\)<\/span>)?<\/h3>\s*<ul class="related">([\s\S]*?)<\/ul>/g)) {
        const label = m[1].trim() + (m[2] ? ` (${m[2]})` : '');
        out[label] = [...m[3].matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((a) => a[2]);
    }
    return out;
}

test('every new kind: created small through the API, shown, listed, edited, with its history', async () => {
    const cases = [
        ['actor', 'acteurs', actor('Collectif des réparateurs de Lannilis')],
        ['place', 'lieux', { title: 'Espace numérique de Landéda', summary: 'Des postes en accès libre.', address: { commune: '29101' } }],
        ['network', 'reseaux', { title: 'Réseau des ateliers vélo', summary: 'Les ateliers vélo du pays.' }],
        ['article', 'articles', { title: 'Retour sur la fête du vélo', summary: 'Ce que la journée a montré.' }],
    ];
    for (const [kind, segment, fields] of cases) {
        const e = await createOk(kind, fields);
        assert.equal(e.kind, kind);
        assert.match(e.url, new RegExp(`/${segment}/${e.slug}$`));
        const p = await page(`/${segment}/${e.slug}`);
        assert.equal(p.status, 200, `${kind} page`);
        assert.match(p.html, new RegExp(`<h1>${fields.title}</h1>`));
        const list = await page(`/${segment}`);
        assert.ok(parseCards(list.html).some((c) => c.title === fields.title), `${kind} listed on /${segment}`);
        const put = await api(`/api/v1/entries/${e.slug}`, {
            method: 'PUT', token: srv.users.m.token,
            body: { base_revision: e.revision, summary: `${fields.summary} Modifié.`, comment: 'Précision' },
        });
        assert.equal(put.status, 200, put.text);
        assert.equal(put.json.revision, 2);
        const revs = await api(`/api/v1/entries/${e.slug}/revisions`);
        assert.deepEqual(revs.json.revisions.map((r) => r.revision), [2, 1]);
        const hist = await page(`/${segment}/${e.slug}/history`, alice);
        assert.equal(hist.status, 200);
        assert.match(hist.html, /Précision/);
        const diff = await page(`/${segment}/${e.slug}/diff?from=1&to=2`, alice);
        assert.equal(diff.status, 200);
        assert.match(diff.html, /Modifié/);
        const form = await page(`/${segment}/${e.slug}/edit`, alice);
        assert.equal(form.status, 200);
        assert.match(form.html, /<form method="post"/);
    }
});

test('a relation is shown on both sides, each with its own label, and in the API both ways', async () => {
    const a = await createOk('actor', actor('Les Bricoleurs du Vern'));
    const p = await createOk('place', { title: 'Local des Bricoleurs', summary: 'Un local prêté.', address: { commune: '29019' } });
    const inn = await createOk('innovation', sampleInnovation({
        title: 'Repair café du Vern', carried_by: [a.slug], located_at: [p.slug],
    }));
    assert.deepEqual(inn.carried_by, [{ kind: 'actor', slug: a.slug, title: 'Les Bricoleurs du Vern' }]);
    assert.deepEqual(inn.located_at, [{ kind: 'place', slug: p.slug, title: 'Local des Bricoleurs' }]);
    const innPage = relationsOf((await page(`/innovations/${inn.slug}`)).html);
    assert.deepEqual(innPage['Portée par'], ['Les Bricoleurs du Vern']);
    assert.deepEqual(innPage['Se trouve à'], ['Local des Bricoleurs']);
    const actorPage = relationsOf((await page(`/acteurs/${a.slug}`)).html);
    assert.deepEqual(actorPage['Porte (innovations)'], ['Repair café du Vern']);
    const placePage = relationsOf((await page(`/lieux/${p.slug}`)).html);
    assert.deepEqual(placePage['Accueille (innovations)'], ['Repair café du Vern']);
    const rel = await api(`/api/v1/entries/${a.slug}/related`);
    assert.equal(rel.status, 200, rel.text);
    assert.deepEqual(rel.json.related, [{
        field: 'carried_by', direction: 'in', kind: 'innovation', label: 'porte',
        entries: [{ kind: 'innovation', slug: inn.slug, title: 'Repair café du Vern' }],
    }]);
    const out = await api(`/api/v1/entries/${inn.slug}/related`);
    assert.deepEqual(out.json.related.map((g) => [g.field, g.direction, g.label]),
                     [['carried_by', 'out', 'portée par'], ['located_at', 'out', 'se trouve à']]);
    // A network animated by the actor; an article written by the actor about the innovation.
    const net = await createOk('network', { title: 'Réseau des repair cafés', summary: 'Entraide entre ateliers.', animated_by: [a.slug] });
    const art = await createOk('article', {
        title: 'Un samedi au repair café', summary: 'Reportage.', written_by: [a.slug], about: [inn.slug, net.slug],
    });
    assert.deepEqual(relationsOf((await page(`/reseaux/${net.slug}`)).html)['Animé par'], ['Les Bricoleurs du Vern']);
    const actorNow = relationsOf((await page(`/acteurs/${a.slug}`)).html);
    assert.deepEqual(actorNow['Anime (réseaux)'], ['Réseau des repair cafés']);
    assert.deepEqual(actorNow['A écrit (articles)'], ['Un samedi au repair café']);
    assert.deepEqual(relationsOf((await page(`/innovations/${inn.slug}`)).html)['Cité dans (articles)'], ['Un samedi au repair café']);
    assert.deepEqual(relationsOf((await page(`/articles/${art.slug}`)).html)['Parle de'],
                     ['Repair café du Vern', 'Réseau des repair cafés']);
});

test('relations are kept by id: renaming an entry keeps its links, on both sides', async () => {
    const a = await createOk('actor', actor('Atelier partagé de Kerinou'));
    const inn = await createOk('innovation', sampleInnovation({ title: 'Outilthèque de Kerinou', carried_by: [a.slug] }));
    const put = await api(`/api/v1/entries/${a.slug}`, {
        method: 'PUT', token: srv.users.m.token, body: { base_revision: a.revision, title: 'Atelier coopératif de Kerinou' },
    });
    assert.equal(put.status, 200, put.text);
    assert.notEqual(put.json.slug, a.slug, 'the title gives a new address');
    const got = await api(`/api/v1/entries/${inn.slug}`);
    assert.deepEqual(got.json.carried_by, [{ kind: 'actor', slug: put.json.slug, title: 'Atelier coopératif de Kerinou' }]);
    const innPage = await page(`/innovations/${inn.slug}`);
    assert.match(innPage.html, new RegExp(`<a href="/acteurs/${put.json.slug}">Atelier coopératif de Kerinou</a>`));
    assert.deepEqual(relationsOf((await page(`/acteurs/${put.json.slug}`)).html)['Porte (innovations)'], ['Outilthèque de Kerinou']);
    // The old slug written in a relation names the same entry.
    const other = await createOk('innovation', sampleInnovation({ title: 'Grainothèque de Kerinou', carried_by: [a.slug] }));
    assert.equal(other.carried_by[0].slug, put.json.slug);
});

test('hidden entries never appear on the other side: pending, withdrawn', async () => {
    const a = await createOk('actor', actor('Maison de quartier de Bellevue'));
    // A newcomer's record is held for moderation: the actor's page and /related do not show it.
    const held = await create('innovation', sampleInnovation({ title: 'Jardin partagé en attente', carried_by: [a.slug] }), srv.users.c.token);
    assert.equal(held.status, 201, held.text);
    assert.equal(held.json.state, 'pending');
    const shown = await createOk('innovation', sampleInnovation({ title: 'Jardin partagé publié', carried_by: [a.slug] }));
    assert.deepEqual(relationsOf((await page(`/acteurs/${a.slug}`)).html)['Porte (innovations)'], ['Jardin partagé publié']);
    const rel = await api(`/api/v1/entries/${a.slug}/related`);
    assert.deepEqual(rel.json.related[0].entries.map((e) => e.title), ['Jardin partagé publié']);
    // A withdrawn record leaves every other page too.
    for (const u of [srv.users.a, srv.users.b, srv.users.c])
        assert.equal((await api(`/api/v1/entries/${shown.slug}/reports`, { method: 'POST', token: u.token, body: { reason: 'spam' } })).status, 201);
    const reports = await api('/api/v1/moderation/reports', { token: srv.users.m.token });
    const entry = reports.json.entries.find((e) => e.slug === shown.slug);
    assert.equal((await marc.post(`/moderation/signalements/${entry.entry_id}/retirer`, { reason: 'Essai' })).status, 303);
    assert.equal(relationsOf((await page(`/acteurs/${a.slug}`)).html)['Porte (innovations)'], undefined);
    assert.deepEqual((await api(`/api/v1/entries/${a.slug}/related`)).json.related, []);
    // Nor can a new record point to a hidden one.
    const bad = await create('article', { title: 'Sur le jardin', summary: 'x', about: [shown.slug] }, srv.users.a.token);
    assert.equal(bad.status, 422);
    assert.equal(bad.json.errors[0].field, 'about');
    // The held record's own page shows its author the link, the public nothing.
    assert.equal((await page(`/innovations/${held.json.slug}`)).status, 404);
});

test('bad relations are refused per field, and nothing is written', async () => {
    const a = await createOk('actor', actor('Association des usagers du numérique'));
    const inn = await createOk('innovation', sampleInnovation({ title: 'Permanence numérique de Guipavas' }));
    const before = sqlite('SELECT count(*) FROM revisions');
    const cases = [
        [{ carried_by: ['pas-une-fiche-qui-existe'] }, 'carried_by', /aucune fiche publiée ne porte le nom «.pas-une-fiche-qui-existe.»/],
        [{ carried_by: [inn.slug] }, 'carried_by', /est une innovation, ce champ n'en accepte pas/],
        [{ located_at: [a.slug] }, 'located_at', /est un acteur/],
        [{ carried_by: ['Pas Un Slug!'] }, 'carried_by', /référence invalide/],
        [{ carried_by: 'pas-une-liste' }, 'carried_by', /aucune fiche publiée/],
        [{ carried_by: [12.5] }, 'carried_by', /référence invalide/],
        [{ carried_by: Array.from({ length: 51 }, (_, i) => `x${i}`) }, 'carried_by', /50 fiches au plus/],
    ];
    for (const [extra, field, message] of cases) {
        const r = await create('innovation', sampleInnovation({ title: 'Fiche refusée', ...extra }));
        assert.equal(r.status, 422, `${JSON.stringify(extra).slice(0, 80)}: ${r.text}`);
        const err = r.json.errors.find((e) => e.field === field);
        assert.ok(err, `error on ${field}: ${r.text}`);
        assert.match(err.message, message);
    }
    // An innovation cannot be inspired by itself.
    const self = await api(`/api/v1/entries/${inn.slug}`, {
        method: 'PUT', token: srv.users.m.token, body: { base_revision: inn.revision, inspired_by: [inn.slug] },
    });
    assert.equal(self.status, 422);
    assert.match(self.json.errors[0].message, /ne peut pas être liée à elle-même/);
    assert.equal(sqlite('SELECT count(*) FROM revisions'), before, 'no revision written');
    // The form says the same next to the field, with the input kept.
    const form = await alice.get(`/innovations/${inn.slug}/edit`);
    const base = form.text.match(/name="base_revision" value="(\d+)"/)[1];
    const fields = { ...sampleInnovation({ title: 'Permanence numérique de Guipavas' }), base_revision: base, carried_by: 'inconnu-au-bataillon' };
    const r = await alice.post(`/innovations/${inn.slug}/edit`, fields);
    assert.equal(r.status, 422);
    const html = decodeEntities(r.text);
    assert.match(html, /<p class="error" id="error-carried_by">Portée par\u202f: aucune fiche publiée ne porte le nom «.inconnu-au-bataillon.»<\/p>/);
    assert.match(html, /name="carried_by"[^>]*value="inconnu-au-bataillon"/);
});

test('the relation field of the form takes slugs, and shows them back', async () => {
    const a = await createOk('actor', actor('Les Petits Débrouillards de Brest'));
    const b = await createOk('actor', actor('Association Vivre la rue'));
    const created = await alice.post('/innovations/new', { ...sampleInnovation({ title: 'Atelier de sciences au marché' }), carried_by: `${a.slug}, ${b.slug}` });
    assert.equal(created.status, 303, created.text.slice(0, 500));
    const slug = created.headers.get('location').split('/').pop();
    const got = await api(`/api/v1/entries/${slug}`);
    assert.deepEqual(got.json.carried_by.map((e) => e.slug), [a.slug, b.slug]);
    const form = decodeEntities((await alice.get(`/innovations/${slug}/edit`)).text);
    assert.match(form, new RegExp(`name="carried_by"[^>]* value="${a.slug}, ${b.slug}"`));
});

test('search as you type for a relation field: only the kinds it allows, only what is public', async () => {
    await createOk('actor', actor('Médiathèque de Saint-Renan amis'));
    await createOk('place', { title: 'Médiathèque de Saint-Renan', summary: 'Le lieu.', address: { commune: '29260' } });
    const r = await api('/api/v1/suggest?kind=innovation&field=located_at&q=mediatheque%20saint');
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.results.length >= 1);
    assert.ok(r.json.results.every((e) => e.kind === 'place'), JSON.stringify(r.json));
    assert.ok(r.json.results.some((e) => e.title === 'Médiathèque de Saint-Renan'));
    const any = await api('/api/v1/suggest?kind=article&field=about&q=saint-renan');
    const kinds = new Set(any.json.results.map((e) => e.kind));
    assert.ok(kinds.has('actor') && kinds.has('place'), JSON.stringify(any.json));
    for (const q of ['?kind=innovation&field=title&q=x', '?kind=nope&field=about&q=x', '?kind=article&field=about'])
        assert.equal((await api(`/api/v1/suggest${q}`)).status, 400, q);
    assert.deepEqual((await api('/api/v1/suggest?kind=article&field=about&q=%27%22%3C')).json.results, []);
});

test('facets are generic: an actor list filters on its type and commune, combined, with counts', async () => {
    const list = await page('/acteurs');
    assert.match(list.html, /<select name="actor_type">/);
    assert.match(list.html, /<select name="commune">/);
    assert.match(list.html, /<select name="theme">/);
    const assoc = await api('/api/v1/entries?kind=actor&actor_type=association');
    assert.equal(assoc.status, 200, assoc.text);
    assert.ok(assoc.json.total > 0);
    assert.ok(assoc.json.entries.every((e) => e.actor_type === 'association'));
    assert.equal(assoc.json.facets.actor_type.association, assoc.json.total);
    const both = await api('/api/v1/entries?kind=actor&actor_type=association&commune=29019');
    assert.ok(both.json.entries.every((e) => e.actor_type === 'association' && e.commune === '29019'));
    assert.equal(both.json.total, assoc.json.facets.commune['29019']);
    const htmlBoth = await page('/acteurs?actor_type=association&commune=29019');
    assert.equal(parseCards(htmlBoth.html).length, Math.min(both.json.total, 20));
    assert.match(htmlBoth.html, new RegExp(`<option value="association" selected>Association \\(${both.json.total}\\)</option>`));
    // Places filter on the commune of their address, and on their equipment.
    const places = await api('/api/v1/entries?kind=place&commune=29019');
    assert.ok(places.json.total > 0);
    assert.ok(places.json.entries.every((e) => e.address.commune === '29019'));
    const wifi = await api('/api/v1/entries?kind=place&equipement=wifi');
    assert.ok(wifi.json.entries.every((e) => e.equipment.includes('wifi')));
    // A parameter no facet has is a 400 in the API, and lists nothing odd on pages.
    const bad = await api('/api/v1/entries?kind=actor&status=en-cours');
    assert.equal(bad.status, 400);
    const unknown = await page('/acteurs?actor_type=martien');
    assert.equal(unknown.status, 200);
    assert.match(unknown.html, /Ce filtre ne correspond à aucune valeur connue/);
    assert.equal(parseCards(unknown.html).length, 0);
});

test('directories are sorted as their kind says: actors by name, articles by date', async () => {
    const actors = (await api('/api/v1/entries?kind=actor')).json.entries.map((e) => e.title);
    const folded = actors.map((t) => t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-'));
    assert.deepEqual(folded, [...folded].sort(), 'actors in alphabetical order');
    const dates = (await api('/api/v1/entries?kind=article')).json.entries.map((e) => e.published).filter(Boolean);
    assert.deepEqual(dates, [...dates].sort().reverse(), 'articles newest first');
    const home = await page('/');
    assert.match(home.html, /<h2>Derniers articles<\/h2>/);
});

test('a place: commune or point required, structured hours shown in French, contact never shown', async () => {
    const none = await create('place', { title: 'Lieu sans adresse', summary: 'x' });
    assert.equal(none.status, 422);
    assert.equal(none.json.errors[0].field, 'address');
    const badPost = await create('place', { title: 'Lieu au code faux', summary: 'x', address: { postcode: '2920', commune: '29019' } });
    assert.equal(badPost.status, 422);
    assert.match(badPost.json.errors[0].message, /cinq chiffres/);
    const badHours = await create('place', { title: 'Lieu aux horaires faux', summary: 'x', address: { commune: '29019' }, opening_hours: { tu: '18h-9h' } });
    assert.equal(badHours.status, 422, badHours.text);
    assert.equal(badHours.json.errors[0].field, 'opening_hours');
    const p = await createOk('place', {
        title: 'Cyber-espace de Plougonvelin', summary: 'Postes et ateliers.',
        address: { street: '1 rue du Stade', postcode: '29217', commune: '29190' },
        opening_hours: { mo: '14h-18h', we: '9h-12h, 14h-18h', note: 'fermé en août' },
        phone: '02.98.00.00.01', contact_email: 'cyber@example.org', accessible: 'oui',
    });
    assert.deepEqual(p.opening_hours, { mo: [['14:00', '18:00']], we: [['09:00', '12:00'], ['14:00', '18:00']], note: 'fermé en août' });
    assert.equal(p.phone, '02 98 00 00 01');
    assert.equal('contact_email' in p, false, 'the API never gives the contact address');
    const html = (await page(`/lieux/${p.slug}`)).html;
    assert.match(html, /<th scope="row">mercredi<\/th><td>9 h – 12 h, 14 h – 18 h<\/td>/);
    assert.match(html, /<th scope="row">mardi<\/th><td>fermé<\/td>/);
    assert.match(html, /1 rue du Stade, 29217 /);
    assert.match(html, /href="tel:\+33298000001"/);
    assert.doesNotMatch(html, /cyber@example\.org/);
    const form = decodeEntities((await alice.get(`/lieux/${p.slug}/edit`)).text);
    assert.doesNotMatch(form, /cyber@example\.org/, 'not even in the edit form');
    assert.match(form, /Une adresse est déjà enregistrée/);
    // An edit that does not give it keeps it; history and diff never show it.
    const put = await api(`/api/v1/entries/${p.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: 1, summary: 'Postes, ateliers, aide.' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(sqlite(`SELECT json_extract(fields, '$.contact_email') FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${p.slug}' AND r.number = 2`), 'cyber@example.org');
    const diff = await page(`/lieux/${p.slug}/diff?from=1&to=2`, alice);
    assert.doesNotMatch(diff.html, /cyber@example\.org/);
    const list = await api(`/api/v1/entries?kind=place&commune=29190`);
    assert.doesNotMatch(list.text, /cyber@example\.org/);
});

test('reuse lineage: drawn on the innovation page two levels each way, cycles allowed and bounded', async () => {
    const root = await createOk('innovation', sampleInnovation({ title: 'Premier wiki de quartier' }));
    const mid = await createOk('innovation', sampleInnovation({ title: 'Wiki des abers', inspired_by: [root.slug] }));
    const leaf = await createOk('innovation', sampleInnovation({ title: 'Wiki des îles', inspired_by: [mid.slug] }));
    // A cycle: the first is said to be inspired by the last.
    const put = await api(`/api/v1/entries/${root.slug}`, { method: 'PUT', token: srv.users.m.token, body: { base_revision: root.revision, inspired_by: [leaf.slug] } });
    assert.equal(put.status, 200, put.text);
    const html = (await page(`/innovations/${mid.slug}`)).html;
    const svg = html.match(/<svg [^>]*class="lineage[\s\S]*?<\/svg>/);
    assert.ok(svg, 'a lineage drawing');
    assert.match(svg[0], /<title[^>]*>Filiation de «.Wiki des abers.»<\/title>/);
    assert.match(svg[0], new RegExp(`href="/innovations/${root.slug}"`));
    assert.match(svg[0], new RegExp(`href="/innovations/${leaf.slug}"`));
    const rel = relationsOf(html);
    assert.deepEqual(rel["S'inspire de"], ['Premier wiki de quartier']);
    assert.deepEqual(rel['A inspiré (innovations)'], ['Wiki des îles']);
    assert.equal((await page(`/innovations/${root.slug}`)).status, 200);
});

test('the header links every kind, with aria-current on the section', async () => {
    const list = (await page('/acteurs')).html;
    assert.match(list, /<a href="\/acteurs" aria-current="page">Acteurs<\/a>/);
    for (const [href, label] of [['/innovations', 'Innovations'], ['/lieux', 'Lieux'], ['/reseaux', 'Réseaux'], ['/articles', 'Articles']])
        assert.match(list, new RegExp(`<a href="${href}">${label}</a>`));
    const one = (await api('/api/v1/entries?kind=actor')).json.entries[0];
    assert.match((await page(`/acteurs/${one.slug}`)).html, /<a href="\/acteurs" aria-current="true">Acteurs<\/a>/);
});

test('the demo network is linked both ways', async () => {
    const doc = (await api('/api/v1/entries?kind=network')).json.entries.find((e) => /Doc@Brest/.test(e.title));
    assert.ok(doc, 'Doc@Brest is a network of the demo');
    const rel = await api(`/api/v1/entries/${doc.slug}/related`);
    const members = rel.json.related.find((g) => g.field === 'member_of' && g.direction === 'in');
    assert.ok(members && members.entries.length >= 2, JSON.stringify(rel.json).slice(0, 300));
    assert.equal(members.label, 'membres');
    assert.ok(Number(sqlite('SELECT count(*) FROM relations')) > 100);
});

test('foison reindex rebuilds the derived data: terms, relations and sort keys', () => {
    // What a site made by an older program has: no fingerprint, no terms, no relations.
    const terms = sqlite('SELECT count(*) FROM entry_terms');
    const relations = sqlite('SELECT count(*) FROM relations');
    const copy = `${srv.db}.old.db`;
    spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `VACUUM INTO '${copy}'`]);
    spawnSync('sqlite3', ['-cmd', '.timeout 10000', copy, "DELETE FROM entry_terms; DELETE FROM relations; UPDATE entries SET sort_key = ''; DELETE FROM settings WHERE key = 'derived_fingerprint';"]);
    const r = spawnSync(process.env.FOISON_BIN || 'build/foison', ['reindex', copy], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /données dérivées recalculées/);
    const q = (sql) => spawnSync('sqlite3', ['-cmd', '.timeout 10000', copy, sql], { encoding: 'utf8' }).stdout.trim();
    assert.equal(q('SELECT count(*) FROM entry_terms'), terms);
    assert.equal(q('SELECT count(*) FROM relations'), relations);
    assert.equal(q("SELECT count(*) FROM entries WHERE kind = 'actor' AND sort_key = ''"), '0');
});

test('joining a network: asked by the actor\'s managers, decided by the network\'s, never by editing', async () => {
    const bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
    const a = await createOk('actor', actor('Atelier vélo de Saint-Martin'), srv.users.a.token);
    const net = await createOk('network', { title: 'Réseau des ateliers de quartier', summary: 'Entraide.' }, srv.users.b.token);
    // Editing cannot make members: the API says why, the form has no such field.
    const put = await api(`/api/v1/entries/${a.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: a.revision, member_of: [net.slug] } });
    assert.equal(put.status, 422, put.text);
    assert.equal(put.json.errors[0].field, 'member_of');
    assert.match(put.json.errors[0].message, /demande acceptée par les responsables/);
    const born = await create('actor', actor('Collectif déjà membre', { member_of: [net.slug] }), srv.users.a.token);
    assert.equal(born.status, 422);
    assert.doesNotMatch((await alice.get(`/acteurs/${a.slug}/edit`)).text, /name="member_of"/);
    // Alice manages the actor she created: she may ask, with a message.
    const netPage = decodeEntities((await alice.get(`/reseaux/${net.slug}`)).text);
    assert.match(netPage, new RegExp(`<option value="${a.slug}">Atelier vélo de Saint-Martin</option>`));
    const ask = await alice.post(`/reseaux/${net.slug}/adhesion`, { holder: a.slug, message: 'Nous réparons des vélos le samedi.' });
    assert.equal(ask.status, 303, ask.text.slice(0, 300));
    const again = await alice.post(`/reseaux/${net.slug}/adhesion`, { holder: a.slug, message: '' });
    assert.equal(again.status, 422);
    assert.match(decodeEntities(again.text), /Une demande pour cette fiche attend déjà une réponse/);
    // Someone who does not manage the actor cannot ask for it.
    const chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    const foreign = await chloe.post(`/reseaux/${net.slug}/adhesion`, { holder: a.slug });
    assert.equal(foreign.status, 422);
    // Only the network's managers see and decide the request.
    assert.doesNotMatch(decodeEntities((await alice.get(`/reseaux/${net.slug}`)).text), /Demandes en attente/);
    const managed = decodeEntities((await bruno.get(`/reseaux/${net.slug}`)).text);
    assert.match(managed, /Demandes en attente/);
    assert.match(managed, /Nous réparons des vélos le samedi\./);
    const id = managed.match(new RegExp(`/reseaux/${net.slug}/adhesion/(\\d+)/accepter`))[1];
    assert.equal((await alice.post(`/reseaux/${net.slug}/adhesion/${id}/accepter`, {})).status, 403);
    const ok = await bruno.post(`/reseaux/${net.slug}/adhesion/${id}/accepter`, {});
    assert.equal(ok.status, 303);
    assert.equal((await bruno.post(`/reseaux/${net.slug}/adhesion/${id}/accepter`, {})).status, 404, 'decided once');
    assert.deepEqual(relationsOf((await page(`/reseaux/${net.slug}`)).html)['Membres (acteurs)'], ['Atelier vélo de Saint-Martin']);
    assert.deepEqual(relationsOf((await page(`/acteurs/${a.slug}`)).html)['Membre de'], ['Réseau des ateliers de quartier']);
    const revs = (await api(`/api/v1/entries/${a.slug}/revisions`)).json.revisions;
    assert.equal(revs[0].author, 'Bruno Testeur');
    assert.match(revs[0].comment, /Adhésion à «.Réseau des ateliers de quartier.» acceptée/);
    assert.equal(revs[0].state, 'published');
    // An edit of the actor keeps the membership.
    const edit = await api(`/api/v1/entries/${a.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: revs[0].revision, summary: 'Un atelier vélo associatif.' } });
    assert.equal(edit.status, 200, edit.text);
    assert.deepEqual(edit.json.member_of.map((e) => e.slug), [net.slug]);
    // The actor's manager may leave; then it is no longer a member.
    assert.equal((await chloe.post(`/reseaux/${net.slug}/membres/${a.slug}/retirer`, {})).status, 403);
    assert.equal((await alice.post(`/reseaux/${net.slug}/membres/${a.slug}/retirer`, {})).status, 303);
    assert.equal(relationsOf((await page(`/reseaux/${net.slug}`)).html)['Membres (acteurs)'], undefined);
    // Anonymous visitors are told how to join.
    assert.match((await page(`/reseaux/${net.slug}`)).html, /connectez-vous<\/a>/);
});

test('private addresses: never on a conflict page, erased only on purpose', async () => {
    const a = await createOk('actor', actor('Association secrète du port', { contact_email: 'secret.port@example.org' }), srv.users.a.token);
    const put = await api(`/api/v1/entries/${a.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: 1, summary: 'Une association du port.' } });
    assert.equal(put.status, 200, put.text);
    // A stale form: the conflict page shows what changed, never the address.
    const chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    const stale = await chloe.post(`/acteurs/${a.slug}/edit`, { ...actor('Association secrète du port'), base_revision: 1, summary: 'Autre chose.' });
    assert.equal(stale.status, 409);
    assert.doesNotMatch(stale.text, /secret\.port@example\.org/);
    // The form keeps it when left empty; its box erases it.
    const form = await alice.get(`/acteurs/${a.slug}/edit`);
    const base = form.text.match(/name="base_revision" value="(\d+)"/)[1];
    assert.match(form.text, /name="contact_email.remove"/);
    const kept = await alice.post(`/acteurs/${a.slug}/edit`, { ...actor('Association secrète du port'), summary: 'Une association du port de Brest.', base_revision: base, contact_email: '' });
    assert.equal(kept.status, 303);
    const email = () => sqlite(`SELECT json_extract(r.fields, '$.contact_email') FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${a.slug}' AND r.number = e.published_rev`);
    assert.equal(email(), 'secret.port@example.org');
    const again = await alice.get(`/acteurs/${a.slug}/edit`);
    const base2 = again.text.match(/name="base_revision" value="(\d+)"/)[1];
    const erased = await alice.post(`/acteurs/${a.slug}/edit`, { ...actor('Association secrète du port'), summary: 'Une association du port de Brest.', base_revision: base2, contact_email: '', 'contact_email.kept': '1', 'contact_email.remove': '1' });
    assert.equal(erased.status, 303);
    assert.equal(email(), '');
    // Through the API, an empty value erases (absent keeps).
    const b = await createOk('actor', actor('Collectif du quai', { contact_email: 'quai@example.org' }), srv.users.a.token);
    const p1 = await api(`/api/v1/entries/${b.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: 1, summary: 'Un collectif.' } });
    assert.equal(p1.status, 200);
    const p2 = await api(`/api/v1/entries/${b.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: 2, contact_email: '' } });
    assert.equal(p2.status, 200);
    assert.equal(sqlite(`SELECT json_extract(r.fields, '$.contact_email') FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.slug = '${b.slug}' AND r.number = 3`), '');
});

test('a link to an entry hidden for a while survives edits of the other side', async () => {
    const target = await createOk('actor', actor('Actrice masquée un temps'));
    const art = await createOk('article', { title: 'Article qui la cite', summary: 'x', written_by: [target.slug] }, srv.users.a.token);
    spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `UPDATE entries SET hidden = 1 WHERE slug = '${target.slug}'`]);
    // Its editor cannot see it: the form leaves it out; saving keeps it anyway.
    const form = await alice.get(`/articles/${art.slug}/edit`);
    assert.doesNotMatch(form.text, new RegExp(target.slug));
    const base = form.text.match(/name="base_revision" value="(\d+)"/)[1];
    const saved = await alice.post(`/articles/${art.slug}/edit`, { title: 'Article qui la cite', summary: 'x, relu.', base_revision: base, license: 'CC-BY-SA-4.0' });
    assert.equal(saved.status, 303, saved.text.slice(0, 400));
    const put = await api(`/api/v1/entries/${art.slug}`, { method: 'PUT', token: srv.users.a.token, body: { base_revision: Number(base) + 1, summary: 'x, relu deux fois.' } });
    assert.equal(put.status, 200, put.text);
    spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, `UPDATE entries SET hidden = 0 WHERE slug = '${target.slug}'`]);
    const rel = await api(`/api/v1/entries/${target.slug}/related`);
    assert.deepEqual(rel.json.related.map((g) => g.entries.map((e) => e.slug)), [[art.slug]]);
});

test('"Refuser" refuses, whatever the network is called', async () => {
    const bruno = await loginOk(srv.base, srv.users.b.email, srv.users.b.password);
    const net = await createOk('network', { title: 'Accepter les différences', summary: 'Un réseau.' }, srv.users.a.token);
    const a = await createOk('actor', actor('Atelier des différences'), srv.users.b.token);
    assert.equal((await bruno.post(`/reseaux/${net.slug}/adhesion`, { holder: a.slug })).status, 303);
    const managed = decodeEntities((await alice.get(`/reseaux/${net.slug}`)).text);
    const id = managed.match(new RegExp(`/reseaux/${net.slug}/adhesion/(\\d+)/refuser`))[1];
    assert.equal((await alice.post(`/reseaux/${net.slug}/adhesion/${id}/refuser`, {})).status, 303);
    assert.equal(sqlite(`SELECT state FROM join_requests WHERE id = ${id}`), 'refused');
    assert.equal(relationsOf((await page(`/reseaux/${net.slug}`)).html)['Membres (acteurs)'], undefined);
});
