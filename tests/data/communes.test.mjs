// Checks data/communes.tsv: it must be exactly what scripts/gen-communes.mjs produces from the
// pinned npm packages (so nobody edits it by hand), and its content must look like the Pays de
// Brest. Run with `node --test tests/data/` after `npm ci`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo_root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsv_path = join(repo_root, 'data', 'communes.tsv');
const committed = readFileSync(tsv_path, 'utf8');

function parse_tsv(text) {
    const lines = text.split('\n');
    assert.equal(lines.pop(), '', 'file ends with a newline');
    const header = lines.shift().split('\t');
    return lines.map((line) => {
        const cols = line.split('\t');
        assert.equal(cols.length, header.length, `column count of: ${line}`);
        return Object.fromEntries(header.map((h, i) => [h, cols[i]]));
    });
}

const rows = parse_tsv(committed);
const by_code = new Map(rows.map((r) => [r.insee, r]));

test('regenerating gives the committed file byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foison-communes-'));
    try {
        const out = join(dir, 'communes.tsv');
        execFileSync(process.execPath, [join(repo_root, 'scripts', 'gen-communes.mjs'), out], {
            stdio: ['ignore', 'ignore', 'pipe'],
        });
        assert.ok(readFileSync(out).equals(readFileSync(tsv_path)), 'data/communes.tsv is stale');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

test('header line', () => {
    assert.equal(committed.split('\n')[0], 'insee\tname\tlat\tlon\tepci\tepci_name\tpopulation');
});

test('well-known communes have their INSEE code', () => {
    const expect = {
        Brest: '29019',
        Plouarzel: '29177',
        Plougonvelin: '29190',
        Landerneau: '29103',
        Lesneven: '29124',
        Crozon: '29042',
        Châteaulin: '29026',
        Plabennec: '29160',
    };
    for (const [name, code] of Object.entries(expect)) {
        const r = by_code.get(code);
        assert.ok(r, `${code} present`);
        assert.equal(r.name, name);
    }
});

test('Brest centroid and population', () => {
    const brest = by_code.get('29019');
    assert.ok(Math.abs(Number(brest.lat) - 48.39) < 0.02, `lat ${brest.lat}`);
    assert.ok(Math.abs(Number(brest.lon) - -4.49) < 0.02, `lon ${brest.lon}`);
    assert.ok(Number(brest.population) > 100000);
    assert.equal(brest.epci_name, 'Brest Métropole');
});

test('row count, unique codes, seven EPCI', () => {
    assert.ok(rows.length >= 90 && rows.length <= 110, `${rows.length} rows`);
    assert.equal(by_code.size, rows.length, 'INSEE codes are unique');
    for (const r of rows) assert.match(r.insee, /^29\d{3}$/);
    assert.equal(new Set(rows.map((r) => r.epci)).size, 7);
    for (const r of rows) assert.match(r.epci, /^\d{9}$/);
    for (const r of rows) assert.match(r.population, /^\d+$/);
});

test('coordinates are in the Pays de Brest box, 5 decimals, or both empty', () => {
    let with_coords = 0;
    for (const r of rows) {
        if (r.lat === '' && r.lon === '') continue;
        with_coords++;
        assert.match(r.lat, /^-?\d+\.\d{5}$/);
        assert.match(r.lon, /^-?\d+\.\d{5}$/);
        const lat = Number(r.lat);
        const lon = Number(r.lon);
        assert.ok(lat >= 47.9 && lat <= 48.8, `${r.name} lat ${lat}`);
        assert.ok(lon >= -5.2 && lon <= -3.8, `${r.name} lon ${lon}`);
    }
    // Small communes are missing from GeoNames cities500; most must still be placed.
    assert.ok(with_coords >= 0.7 * rows.length, `${with_coords}/${rows.length} with coordinates`);
});

test('sorted by French collation of the name', () => {
    const names = rows.map((r) => r.name);
    const sorted = [...names].sort((a, b) => a.localeCompare(b, 'fr'));
    assert.deepEqual(names, sorted);
});
