// Validates data/demo/innovations.json, the demo territory loaded by the server's demo mode:
// shape, field limits, allowed vocabularies, communes present in data/communes.tsv, and a
// history (2-4 revisions by different authors, going forward in time, each one changing
// something). When the seed documents are beside the repo (../shared/seeds), also checks that
// the demo text does not copy their sentences.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo_root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = JSON.parse(readFileSync(join(repo_root, 'data', 'demo', 'innovations.json'), 'utf8'));

const communes = new Map();
for (const line of readFileSync(join(repo_root, 'data', 'communes.tsv'), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)) {
    const [insee, name, lat, lon] = line.split('\t');
    communes.set(insee, { name, lat: lat === '' ? null : Number(lat), lon: lon === '' ? null : Number(lon) });
}

const FIELDS = [
    'title', 'summary', 'description', 'themes', 'commune', 'point', 'holders', 'website',
    'start_year', 'status', 'how_it_works', 'needs', 'how_to_reproduce', 'strengths',
    'difficulties', 'contacts', 'license',
];
const MARKDOWN = ['description', 'how_it_works', 'needs', 'how_to_reproduce', 'strengths',
    'difficulties', 'contacts'];
const THEMES = new Set(['numerique', 'solidarite', 'ess', 'education-populaire',
    'transition-ecologique', 'culture', 'services-publics', 'participation-citoyenne', 'sante',
    'documentation', 'patrimoine', 'mobilite']);
const STATUSES = new Set(['idee', 'en-cours', 'terminee', 'en-pause']);
const ROLES = new Set(['admin', 'moderator', 'contributor']);
// Only sites named in the seed documents.
const WEBSITES = new Set(['', 'https://www.a-brest.net', 'https://www.wiki-brest.net',
    'https://animacoop.net']);

const chars = (s) => [...s].length;

test('authors', () => {
    const { authors } = doc;
    assert.ok(authors.length >= 6 && authors.length <= 8, `${authors.length} authors`);
    assert.equal(authors[0].role, 'admin');
    assert.equal(new Set(authors.map((a) => a.email)).size, authors.length, 'unique emails');
    for (const a of authors) {
        assert.deepEqual(Object.keys(a).sort(), ['email', 'name', 'role']);
        assert.match(a.email, /^[a-z0-9.-]+@demo\.foison\.test$/);
        assert.ok(a.name.trim().length > 3);
        assert.ok(ROLES.has(a.role), a.role);
    }
});

test('innovations: count, slugs and required initiatives', () => {
    const list = doc.innovations;
    assert.ok(list.length >= 32, `${list.length} innovations`);
    const slugs = list.map((i) => i.slug);
    assert.equal(new Set(slugs).size, slugs.length, 'unique slugs');
    for (const s of slugs) assert.match(s, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    const titles = list.map((i) => i.revisions.at(-1).fields.title).join('\n');
    const required = [/Doc@Brest/, /Wiki-Brest/, /Animacoop/, /carte participative de Plouarzel/i,
        /radioPi/, /Solinter/, /Abers Net/, /Boulon/, /Canal Ti Zef/, /Intergénération/,
        /Visio-Bmo/, /CD bureau libre/, /Brest en biens communs/, /a-brest/, /Mediaspip/,
        /Centre de ressources coopératif pour l'accès public à internet du Pays de Brest/i,
        /PAPI/, /Infini/, /internet sans crainte/i, /Brest à pied et à vélo/, /Pontanézen/,
        /lavoir/i, /cantine numérique/i, /open bidouille camp/i, /Forum des usages coopératifs/i,
        /médiablog coopératif/i, /Médi@-sciences/, /Tiriad/, /écriture publique/i,
        /Territoires en transition/i];
    for (const re of required) assert.match(titles, re);
});

test('revisions: 2-4, distinct authors, time goes forward, every edit changes something', () => {
    const emails = new Set(doc.authors.map((a) => a.email));
    for (const inn of doc.innovations) {
        const revs = inn.revisions;
        assert.ok(revs.length >= 2 && revs.length <= 4, `${inn.slug}: ${revs.length} revisions`);
        const by = revs.map((r) => r.author);
        assert.equal(new Set(by).size, by.length, `${inn.slug}: authors differ`);
        for (let i = 0; i < revs.length; i++) {
            const r = revs[i];
            assert.deepEqual(Object.keys(r).sort(), ['author', 'comment', 'days_ago', 'fields']);
            assert.ok(emails.has(r.author), `${inn.slug}: unknown author ${r.author}`);
            assert.ok(Number.isInteger(r.days_ago) && r.days_ago >= 0, `${inn.slug}: days_ago`);
            assert.ok(r.comment.trim().length > 0);
            if (i > 0) {
                assert.ok(r.days_ago < revs[i - 1].days_ago, `${inn.slug}: days_ago decreases`);
                assert.notDeepEqual(r.fields, revs[i - 1].fields, `${inn.slug}: rev ${i} changes`);
            }
        }
    }
});

test('fields: full set, limits and vocabularies on every revision', () => {
    for (const inn of doc.innovations) {
        for (const [i, { fields: f }] of inn.revisions.entries()) {
            const where = `${inn.slug} rev ${i}`;
            assert.deepEqual(Object.keys(f).sort(), [...FIELDS].sort(), `${where}: field set`);
            assert.ok(f.title.trim() && chars(f.title) <= 120, `${where}: title`);
            assert.ok(f.summary.trim() && chars(f.summary) <= 300, `${where}: summary`);
            for (const k of MARKDOWN) {
                assert.equal(typeof f[k], 'string', `${where}: ${k}`);
                assert.ok(chars(f[k]) <= 8000, `${where}: ${k} too long`);
            }
            const paragraphs = f.description.split(/\n\s*\n/).filter((p) => p.trim());
            assert.ok(paragraphs.length >= 1 && paragraphs.length <= 4, `${where}: paragraphs`);
            assert.ok(Array.isArray(f.themes) && f.themes.length >= 1 && f.themes.length <= 4,
                `${where}: 1-4 themes`);
            assert.equal(new Set(f.themes).size, f.themes.length, `${where}: unique themes`);
            for (const t of f.themes) assert.ok(THEMES.has(t), `${where}: theme ${t}`);
            assert.ok(communes.has(f.commune), `${where}: commune ${f.commune}`);
            if (f.point !== null) {
                const c = communes.get(f.commune);
                assert.deepEqual(Object.keys(f.point).sort(), ['lat', 'lon']);
                assert.ok(c.lat !== null, `${where}: point on a commune without coordinates`);
                assert.ok(Math.abs(f.point.lat - c.lat) < 0.05 && Math.abs(f.point.lon - c.lon) < 0.05,
                    `${where}: point far from ${c.name}`);
            }
            assert.equal(typeof f.holders, 'string');
            assert.ok(WEBSITES.has(f.website), `${where}: website ${f.website}`);
            assert.ok(f.start_year === null ||
                (Number.isInteger(f.start_year) && f.start_year >= 1990 && f.start_year <= 2030),
                `${where}: start_year`);
            assert.ok(STATUSES.has(f.status), `${where}: status ${f.status}`);
            assert.equal(f.license, 'CC-BY-SA-4.0');
            assert.doesNotMatch(f.contacts, /[\w.+-]+@[\w-]+\.\w/, `${where}: no email in contacts`);
            assert.doesNotMatch(f.contacts, /\d{2}[ .]?\d{2}[ .]?\d{2}[ .]?\d{2}/,
                `${where}: no phone number in contacts`);
        }
    }
});

test('the latest revisions are well filled in', () => {
    for (const inn of doc.innovations) {
        const f = inn.revisions.at(-1).fields;
        const paragraphs = f.description.split(/\n\s*\n/).filter((p) => p.trim());
        assert.ok(paragraphs.length >= 2, `${inn.slug}: description has 2-4 paragraphs`);
        assert.ok(f.how_it_works.trim(), `${inn.slug}: how_it_works`);
        assert.ok(f.contacts.trim(), `${inn.slug}: contacts`);
    }
});

const seeds_dir = join(repo_root, '..', 'shared', 'seeds');
test('no sentence is copied from the seed documents', { skip: !existsSync(seeds_dir) }, () => {
    const N = 8; // names of projects and institutions are shorter than this outside titles
    const words = (s) => s.toLowerCase().replace(/[’']/g, "'").split(/[^\p{L}\p{N}']+/u)
        .filter(Boolean);
    const grams = new Set();
    for (const f of readdirSync(seeds_dir)) {
        const w = words(readFileSync(join(seeds_dir, f), 'utf8'));
        for (let i = 0; i + N <= w.length; i++) grams.add(w.slice(i, i + N).join(' '));
    }
    const copied = [];
    for (const inn of doc.innovations) {
        for (const { fields } of inn.revisions) {
            for (const [k, v] of Object.entries(fields)) {
                if (typeof v !== 'string' || k === 'title') continue;
                const w = words(v);
                for (let i = 0; i + N <= w.length; i++) {
                    const g = w.slice(i, i + N).join(' ');
                    if (grams.has(g)) copied.push(`${inn.slug}.${k}: ${g}`);
                }
            }
        }
    }
    assert.deepEqual([...new Set(copied)], []);
});
