// Checks tests/tools/mednum-validate.mjs and the schema files the import tests read: the sample
// and tests/data/mednum-import.json pass the reference library, mednum-import-bad.json fails on
// exactly its two bad lieux, and hand-broken lieux fail with a message naming the field. Run with
// `node --test tests/data/` after `npm ci`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo_root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const validator = join(repo_root, 'tests', 'tools', 'mednum-validate.mjs');
const sample_path = join(repo_root, 'tests', 'tools', 'mednum-sample.json');
const import_path = join(repo_root, 'tests', 'data', 'mednum-import.json');
const import_bad_path = join(repo_root, 'tests', 'data', 'mednum-import-bad.json');

function validate(path) {
    const run = spawnSync(process.execPath, [validator, path], { encoding: 'utf8' });
    return { status: run.status, out: run.stdout + run.stderr };
}

function with_file(content, body) {
    const dir = mkdtempSync(join(tmpdir(), 'mednum-'));
    try {
        const path = join(dir, 'lieux.json');
        writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
        return body(path);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

test('the sample and the import file pass the reference library', () => {
    assert.deepEqual(validate(sample_path), { status: 0, out: '3 lieux valides\n' });
    assert.deepEqual(validate(import_path), { status: 0, out: '5 lieux valides\n' });
});

test('the import file has what the import tests need', () => {
    const lieux = JSON.parse(readFileSync(import_path, 'utf8'));
    assert.equal(lieux.length, 5);
    const two_rules = lieux.filter((l) => typeof l.horaires === 'string' && l.horaires.split(';').length === 2);
    assert.ok(two_rules.length >= 1, 'one lieu has opening hours in two OSM rules');
    assert.ok(lieux.some((l) => l.latitude === undefined), 'one lieu has no coordinates');
});

test('the bad import file fails on lieux 2 and 4 only', () => {
    const { status, out } = validate(import_bad_path);
    assert.equal(status, 1);
    const failing = [...out.matchAll(/^lieu (\d+)/gmu)].map((m) => Number(m[1]));
    assert.deepEqual(failing, [2, 4]);
    assert.match(out, /^ {2}- nom\u202F: champ obligatoire absent$/mu);
    assert.match(out, /^ {2}- code_postal\u202F: Le code postal 2929 n'est pas valide/mu);
    assert.match(out, /^2 lieux en erreur sur 5$/mu);
});

test('each defect is reported on the field it is about', () => {
    const good = JSON.parse(readFileSync(sample_path, 'utf8'))[0];
    const defects = [
        ['pivot', (l) => delete l.pivot, /pivot\u202F: champ obligatoire absent/u],
        ['pivot', (l) => (l.pivot = '123'), /pivot\u202F: Le Pivot 123 n'est pas valide/u],
        ['date_maj', (l) => (l.date_maj = '14/03/2025'), /date_maj\u202F: .* n'est pas une date lisible/u],
        ['date_maj', (l) => (l.date_maj = '2025-03-14T10:00:00Z'), /date_maj\u202F: .*forme non canonique/u],
        ['services', (l) => delete l.services, /services\u202F: champ obligatoire absent/u],
        ['services', (l) => (l.services = 'Wifi'), /services\u202F: Le service 'Wifi' n'est pas une valeur admise/u],
        ['typologie', (l) => (l.typologie = 'PAPI'), /typologie\u202F: La typologie 'PAPI'/u],
        ['courriel', (l) => (l.courriel = 'accueil@example.org'), /courriel\u202F: champ inconnu du schéma/u],
        ['latitude', (l) => delete l.longitude, /latitude\u202F: ignoré par la bibliothèque/u],
        ['latitude', (l) => (l.latitude = '48.4'), /latitude\u202F: un nombre est attendu/u],
        ['resume', (l) => (l.presentation_resume = 'é'.repeat(281)), /presentation_resume\u202F: 281 caractères/u],
        ['telephone', (l) => (l.telephone = '98 00 00 00'), /telephone\u202F: Le telephone 98 00 00 00/u],
        ['adresse', (l) => (l.adresse = 'rue « Saint-Exupéry »'), /adresse\u202F: La voie/u],
    ];
    for (const [name, spoil, expected] of defects) {
        const lieu = structuredClone(good);
        spoil(lieu);
        const { status, out } = with_file([lieu], validate);
        assert.equal(status, 1, `${name}: ${out}`);
        assert.match(out, expected, name);
    }
});

test('duplicate ids, non-objects and non-arrays are refused', () => {
    const good = JSON.parse(readFileSync(sample_path, 'utf8'))[0];
    const dup = with_file([good, good], validate);
    assert.equal(dup.status, 1);
    assert.match(dup.out, /id\u202F: «\u202Flieu-12\u202F» est déjà celui du lieu 1/u);
    assert.equal(with_file([good, 42], validate).status, 1);
    assert.equal(with_file('{}', validate).status, 2);
    assert.equal(with_file('[', validate).status, 2);
});
