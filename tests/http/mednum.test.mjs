// mednum.test.mjs — places as "lieux de médiation numérique" (docs/MEDNUM.md). The export
// GET /api/v1/export/places.json is checked with the schema's reference library
// (tests/tools/mednum-validate.mjs, run on a temp file): valid, in OSM opening_hours syntax that
// reads back the same, without hidden or pending places, never with a private contact address,
// the places it cannot describe counted in X-Foison-Omitted. `foison import-places`: a good file
// creates its places, a bad one writes nothing and reports exactly its bad lieux, a second
// import of the same file is refused.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, startServer, apiJson, request } from './harness.mjs';

const VALIDATOR = path.resolve('tests/tools/mednum-validate.mjs');
const GOOD = path.resolve('tests/data/mednum-import.json');
const BAD = path.resolve('tests/data/mednum-import-bad.json');
const EXPORT = '/api/v1/export/places.json';
const PRIVATE = 'ne-pas-publier.lieu@test.foison';

let srv, tmp;

before(async () => {
    srv = await startServer();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foison-mednum-'));
});

after(async () => {
    await srv?.stop();
    if (tmp)
        fs.rmSync(tmp, { recursive: true, force: true });
});

const api = (p, opts) => apiJson(srv.base, p, opts);
const sqlite = (db, sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
};
const entryCount = () => Number(sqlite(srv.db, 'SELECT count(*) FROM entries'));

function cli(args) {
    const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.error, undefined);
    return r;
}

/* Runs the validator on lieux (written to a temp file): { status, out }. */
function validate(lieux) {
    const file = path.join(tmp, `export-${Date.now()}-${Math.random()}.json`);
    fs.writeFileSync(file, typeof lieux === 'string' ? lieux : JSON.stringify(lieux));
    const r = spawnSync(process.execPath, [VALIDATOR, file], { encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
}

async function exportPlaces() {
    const r = await request(srv.base, EXPORT);
    assert.equal(r.status, 200, r.text);
    return { ...r, lieux: r.json() };
}

/* Every visible place through the API, with all its fields. */
async function allPlaces() {
    const out = [];
    for (let page = 1; ; page++) {
        const r = await api(`/api/v1/entries?kind=place&page=${page}`);
        assert.equal(r.status, 200);
        out.push(...r.json.entries);
        if (page >= r.json.pages)
            return out;
    }
}

/* The slug of the record a lieu came from, read in its "Fiche : URL" line. */
const slugOf = (lieu) => lieu.presentation_detail.match(/\/lieux\/([a-z0-9-]+) \(licence/)[1];

test('the demo places have no street: none is a valid lieu, each one is counted', async () => {
    const r = await exportPlaces();
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.match(r.headers.get('content-disposition'), /filename="[^"]+\.json"/);
    assert.deepEqual(r.lieux, []);
    const places = await allPlaces();
    assert.ok(places.length >= 15, `${places.length} demo places`);
    assert.equal(r.headers.get('x-foison-omitted'), String(places.length));
    assert.equal(r.headers.get('x-foison-omitted-reasons'), `no-address=${places.length}`);
    assert.deepEqual(validate(r.text), { status: 0, out: '0 lieu valide\n' });
});

test('the demo places with a street: every one a valid lieu, no private address', async () => {
    const places = await allPlaces();
    const left = ['campus-de-telecom-bretagne', 'hotel-de-ville-de-brest', 'local-de-canal-ti-zef'];
    const streets = places.filter((p) => !left.includes(p.slug));
    assert.equal(streets.length, places.length - 3);
    for (const [i, p] of streets.entries()) {
        const body = { base_revision: p.revision, address: { ...p.address, street: `${i + 1} rue de l'Exemple` } };
        if (i === 0)
            body.contact_email = PRIVATE;
        const put = await api(`/api/v1/entries/${p.slug}`, { method: 'PUT', token: srv.users.m.token, body });
        assert.equal(put.status, 200, put.text);
        assert.equal(put.json.state, 'published');
    }
    const r = await exportPlaces();
    assert.ok(r.lieux.length >= 15, `${r.lieux.length} lieux`);
    assert.equal(r.lieux.length, streets.length);
    assert.equal(r.headers.get('x-foison-omitted'), '3');
    const v = validate(r.text);
    assert.deepEqual(v, { status: 0, out: `${streets.length} lieux valides\n` }, v.out);
    assert.ok(!r.text.includes(PRIVATE), 'the private contact address is never exported');
    assert.ok(r.lieux.every((l) => !('courriels' in l)));
    // Ids follow the entry, not its slug; services and types come from what the demo says.
    assert.ok(r.lieux.every((l) => /^lieu-\d+$/.test(l.id)));
    assert.equal(new Set(r.lieux.map((l) => l.id)).size, r.lieux.length);
    const papi = r.lieux.find((l) => l.nom === 'PAPI de Pontanézen');
    assert.equal(papi.typologie, 'EPN');
    assert.match(papi.services, /Accès internet et matériel informatique/);
    assert.equal(papi.commune, 'Brest');
    assert.equal(papi.code_insee, '29019');
});

test('the export is cached like every anonymous page: ETag and 304', async () => {
    const r = await request(srv.base, EXPORT);
    const etag = r.headers.get('etag');
    assert.ok(etag, 'an ETag');
    assert.match(r.headers.get('cache-control'), /public/);
    const again = await request(srv.base, EXPORT, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
});

test('opening hours are OpenStreetMap opening_hours that read back as the same week', async () => {
    const { lieux } = await exportPlaces();
    const withHours = lieux.filter((l) => l.horaires);
    assert.ok(withHours.length >= 10, `${withHours.length} lieux with hours`);
    const rule = /^(Mo|Tu|We|Th|Fr|Sa|Su)([-,](Mo|Tu|We|Th|Fr|Sa|Su))* \d\d:\d\d-\d\d:\d\d(,\d\d:\d\d-\d\d:\d\d)*$/;
    for (const l of withHours)
        assert.ok(l.horaires === '24/7' || l.horaires.split('; ').every((r) => rule.test(r)), l.horaires);
    // One known week, from data/demo/network.json: Tu and Th 14-18, Sa 9:30-12.
    const recouvrance = lieux.find((l) => l.nom === 'PAPI de Recouvrance');
    assert.equal(recouvrance?.horaires, 'Tu,Th 14:00-18:00; Sa 09:30-12:00');
    // Imported into a new site, every lieu gets back the hours its place has here.
    const site = path.join(tmp, 'round-trip.db');
    const file = path.join(tmp, 'round-trip.json');
    fs.writeFileSync(file, JSON.stringify(lieux));
    const init = cli(['init', site]);
    assert.equal(init.status, 0, init.stderr);
    const imp = cli(['import-places', site, file]);
    assert.equal(imp.status, 0, imp.stdout + imp.stderr);
    const rows = sqlite(site, "SELECT json_extract(r.fields, '$.title') || char(9) || json_extract(r.fields, '$.opening_hours')"
        + ' FROM entries e JOIN revisions r ON r.entry_id = e.id AND r.number = e.published_rev').split('\n');
    const imported = new Map(rows.map((line) => line.split('\t')).map(([t, h]) => [t, JSON.parse(h)]));
    assert.equal(imported.size, lieux.length);
    const here = new Map((await allPlaces()).map((p) => [p.slug, p]));
    for (const l of withHours) {
        const { note, ...days } = here.get(slugOf(l)).opening_hours;
        assert.deepEqual(imported.get(l.nom), days, l.nom);
        if (note)
            assert.match(l.presentation_detail, new RegExp(`Horaires\u202f: ${note.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
});

test('a place waiting for moderation is not exported', async () => {
    const r = await api('/api/v1/entries', {
        method: 'POST', token: srv.users.c.token,
        body: {
            kind: 'place', title: 'Cyberespace en attente de Guilers', summary: 'Des postes en accès libre.',
            address: { street: '2 rue de la Mairie', postcode: '29820', commune: '29069' },
            equipment: ['ordinateurs'],
        },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'pending');
    const { lieux, text } = await exportPlaces();
    assert.ok(!text.includes('Cyberespace en attente'), 'pending place absent');
    assert.equal(validate(lieux).status, 0);
});

test('import: a file with bad lieux writes nothing and names exactly them', () => {
    const before = entryCount();
    const r = cli(['import-places', srv.db, BAD]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const refused = [...r.stdout.matchAll(/^lieu (\d+) /gmu)].map((m) => Number(m[1]));
    assert.deepEqual([...new Set(refused)], [2, 4], r.stdout);
    assert.match(r.stdout, /^lieu 2 \(id «\u202fhub29-0102\u202f»\)\u202f: nom\u202f: champ obligatoire absent$/mu);
    assert.match(r.stdout, /^lieu 4 \(id «\u202fhub29-0104\u202f», «\u202fMJC du Ponant\u202f»\)\u202f: code_postal\u202f: .*2929/mu);
    assert.match(r.stdout, /2 lieux refusés sur 5\u202f: rien n'a été importé/u);
    assert.equal(entryCount(), before);
});

test('import: a good file creates its places, visible at once; a second time is refused', async () => {
    const before = entryCount();
    const lieux = JSON.parse(fs.readFileSync(GOOD, 'utf8'));
    const r = cli(['import-places', srv.db, GOOD, '--author', srv.users.a.email]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /5 lieux importés/);
    assert.equal(entryCount(), before + 5);
    const places = await allPlaces();
    for (const l of lieux) {
        const p = places.find((e) => e.title === l.nom);
        assert.ok(p, `${l.nom} listed`);
        assert.equal(p.state, 'published');
        assert.deepEqual(p.authors, [srv.users.a.name]);
    }
    const centre = places.find((e) => e.title === 'Centre social du Passage');
    assert.equal(centre.phone, '02 98 00 01 03');
    assert.deepEqual(centre.opening_hours, {
        mo: [['14:00', '18:00']],
        tu: [['09:00', '12:00'], ['14:00', '18:00']],
        we: [['09:00', '12:00'], ['14:00', '18:00']],
        th: [['09:00', '12:00'], ['14:00', '18:00']],
        fr: [['09:00', '12:00'], ['14:00', '18:00']],
    });
    assert.deepEqual(centre.mednum_services, ['demarches', 'outils-quotidien', 'usage-securise']);
    assert.ok(!('contact_email' in centre), 'a private field is never shown by the API');
    // Exported again, they are valid lieux with the services they came with.
    const { lieux: out, text } = await exportPlaces();
    assert.equal(validate(text).status, 0, validate(text).out);
    const again = out.find((l) => l.nom === 'Tiers-lieu Ti ar Gêr');
    assert.equal(again.services, 'Acquisition de matériel informatique à prix solidaire|Loisirs et créations numériques');
    assert.equal(again.horaires, 'Tu-Sa 10:00-18:00');
    assert.ok(!text.includes('contact@tiargeur'), 'the imported courriel stays private');

    const second = cli(['import-places', srv.db, GOOD]);
    assert.equal(second.status, 1);
    const refused = [...second.stdout.matchAll(/^lieu (\d+) .*existe déjà/gmu)].map((m) => Number(m[1]));
    assert.deepEqual(refused, [1, 2, 3, 4, 5], second.stdout);
    assert.equal(entryCount(), before + 5);
});

test('import: unreadable files and bad usage', () => {
    const notArray = path.join(tmp, 'object.json');
    fs.writeFileSync(notArray, '{"id": "x"}');
    const broken = path.join(tmp, 'broken.json');
    fs.writeFileSync(broken, '[{"id": "x",');
    for (const f of [notArray, broken, path.join(tmp, 'absent.json')]) {
        const r = cli(['import-places', srv.db, f]);
        assert.equal(r.status, 1, f);
        assert.match(r.stderr, /foison: /);
    }
    const big = path.join(tmp, 'big.json');
    fs.writeFileSync(big, `[${' '.repeat(2 * 1024 * 1024)}]`);
    assert.match(cli(['import-places', srv.db, big]).stderr, /trop gros/);
    assert.equal(cli(['import-places', srv.db]).status, 2);
    const help = cli(['import-places', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage/);
    assert.equal(cli(['import-places', srv.db, GOOD, '--author', 'personne@test.foison']).status, 1);
});
