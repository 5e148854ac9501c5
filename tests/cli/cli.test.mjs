// cli.test.mjs — the foison command line: --help everywhere, sites created once and never
// overwritten, clear French errors for missing files, foreign files and newer sites, accounts
// with the password on stdin, API tokens, `check` catching a broken invariant, and bench-data
// generating linked entries through the save path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = path.resolve(process.env.FOISON_BIN || 'build/foison');
const SANITIZER = /AddressSanitizer|LeakSanitizer|runtime error:/;

function run(args, { input, env } = {}) {
    const r = spawnSync(BIN, args, {
        input: input ?? '', encoding: 'utf8', timeout: 60000,
        env: { ...process.env, ...env },
    });
    assert.doesNotMatch(r.stderr, SANITIZER, `foison ${args.join(' ')}: ${r.stderr}`);
    return r;
}

function tmp() {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'foison-cli-'));
}

test('every subcommand answers --help with exit 0; bad usage exits 2', () => {
    const top = run(['--help']);
    assert.equal(top.status, 0);
    for (const c of ['init', 'demo', 'serve', 'user', 'token', 'check', 'config', 'bench-data'])
        assert.match(top.stdout, new RegExp(`foison ${c}`));
    for (const args of [['init', '--help'], ['demo', '--help'], ['serve', '--help'],
        ['user', '--help'], ['token', '--help'], ['check', '--help'], ['config', '--help'],
        ['bench-data', '--help']]) {
        const r = run(args);
        assert.equal(r.status, 0, args.join(' '));
        assert.match(r.stdout, /usage/, args.join(' '));
    }
    assert.equal(run([]).status, 2);
    assert.equal(run(['frobnicate']).status, 2);
    assert.match(run(['frobnicate']).stderr, /commande inconnue/);
    assert.equal(run(['init']).status, 2);
    assert.equal(run(['check', 'a.db', 'b.db']).status, 2);
});

test('init creates a site once and refuses to overwrite any file', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    const r = run(['init', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(run(['check', db]).status, 0);
    const again = run(['init', db]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /existe déjà/);
    const other = path.join(d, 'notes.txt');
    fs.writeFileSync(other, 'précieux');
    assert.equal(run(['init', other]).status, 1);
    assert.equal(fs.readFileSync(other, 'utf8'), 'précieux');
    const bad = run(['init', path.join(d, 'x.db')], { env: { FOISON_BASE_URL: 'javascript:alert(1)' } });
    assert.equal(bad.status, 1);
    assert.equal(fs.existsSync(path.join(d, 'x.db')), false);
    fs.rmSync(d, { recursive: true, force: true });
});

test('clear errors for a missing file, a foreign file and a site newer than the binary', () => {
    const d = tmp();
    const missing = run(['check', path.join(d, 'absent.db')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /introuvable/);
    const text = path.join(d, 'text.db');
    fs.writeFileSync(text, 'ceci n\'est pas une base SQLite, mais un texte assez long pour le dire'.repeat(20));
    const t = run(['check', text]);
    assert.equal(t.status, 1);
    assert.match(t.stderr, /n'est pas un site foison/);
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    const s = spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, 'PRAGMA user_version=99;'], { encoding: 'utf8' });
    assert.equal(s.status, 0, s.stderr);
    const newer = run(['check', db]);
    assert.equal(newer.status, 1);
    assert.match(newer.stderr, /plus récente/);
    const serve = run(['serve', db, '--listen', '127.0.0.1:1']);
    assert.equal(serve.status, 1);
    fs.rmSync(d, { recursive: true, force: true });
});

test('user add reads the password from stdin and validates every argument', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    const add = (args, input) => run(['user', 'add', db, ...args], { input });
    const ok = add(['--email', 'anne@example.org', '--name', 'Anne Le Gall', '--role', 'admin'],
        'un mot de passe solide\n');
    assert.equal(ok.status, 0, ok.stderr);
    assert.doesNotMatch(ok.stdout + ok.stderr, /solide/, 'the password is never echoed');
    const cases = [
        [['--email', 'anne@example.org', '--name', 'Deux', '--role', 'admin'], 'un autre mot de passe\n', /existe déjà/],
        [['--email', 'pas-une-adresse', '--name', 'X', '--role', 'admin'], 'un mot de passe solide\n', /e-mail invalide/],
        [['--email', 'b@example.org', '--name', 'B', '--role', 'roi'], 'un mot de passe solide\n', /rôle inconnu/],
        [['--email', 'c@example.org', '--name', 'C', '--role', 'contributor'], 'court\n', /au moins 12 caractères/],
        [['--email', 'd@example.org', '--name', 'D', '--role', 'contributor'], 'motdepasse2026\n', /plus courants/],
        [['--email', 'd@example.org', '--name', '', '--role', 'contributor'], 'un mot de passe solide\n', /nom est obligatoire/],
        [['--email', 'e@example.org', '--role', 'contributor'], 'un mot de passe solide\n', /requis/],
        [['--email', 'f@example.org', '--name', 'F', '--role', 'contributor', '--password', 'x'], '', /option inconnue|requis/],
    ];
    for (const [args, input, msg] of cases) {
        const r = add(args, input);
        assert.notEqual(r.status, 0, args.join(' '));
        assert.match(r.stderr, msg, args.join(' '));
    }
    const tok = run(['token', 'create', db, '--email', 'anne@example.org']);
    assert.equal(tok.status, 0, tok.stderr);
    assert.match(tok.stdout.trim(), /^[0-9a-f]{64}$/);
    const tok2 = run(['token', 'create', db, '--email', 'anne@example.org']);
    assert.notEqual(tok2.stdout.trim(), tok.stdout.trim(), 'a new token each time');
    const none = run(['token', 'create', db, '--email', 'personne@example.org']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /aucun compte/);
    fs.rmSync(d, { recursive: true, force: true });
});

test('serve validates its options', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    for (const args of [['--listen', 'nowhere'], ['--listen', '127.0.0.1:99999'], ['--threads', '0'],
        ['--threads', 'deux'], ['--max-body', '10'], ['--timeout', '-1'], ['--bogus', '1'], ['--listen']]) {
        const r = run(['serve', db, ...args]);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    fs.rmSync(d, { recursive: true, force: true });
});

test('demo builds the territory, and check finds a broken invariant', () => {
    const d = tmp();
    const db = path.join(d, 'demo.db');
    const r = run(['demo', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\d+ fiches, \d+ révisions/);
    const [, fiches, revisions] = r.stdout.match(/(\d+) fiches, (\d+) révisions/).map(Number);
    assert.ok(fiches >= 30, `${fiches} fiches`);
    assert.ok(revisions >= 2 * fiches, `${revisions} révisions`);
    assert.equal(run(['demo', db]).status, 1, 'demo never overwrites');
    assert.equal(run(['check', db]).status, 0);
    const q = (sql) => spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, sql], { encoding: 'utf8' });
    const communes = Number(q('SELECT count(*) FROM communes').stdout.trim());
    assert.ok(communes >= 90, `${communes} communes`);
    const authors = Number(q("SELECT min(n) FROM (SELECT count(DISTINCT author_id) n FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.kind = 'innovation' GROUP BY entry_id)").stdout.trim());
    assert.ok(authors >= 2, 'every innovation has revisions by at least two demo authors');
    // The network around them: every kind, linked.
    for (const kind of ['actor', 'place', 'network', 'article'])
        assert.ok(Number(q(`SELECT count(*) FROM entries WHERE kind = '${kind}'`).stdout.trim()) >= 5, kind);
    assert.ok(Number(q('SELECT count(*) FROM relations').stdout.trim()) >= 100, 'relations');
    assert.equal(q('UPDATE entries SET latest_rev = 99 WHERE id = 1').status, 0);
    const broken = run(['check', db]);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /latest_rev/);
    fs.rmSync(d, { recursive: true, force: true });
});

test('config lists, reads and changes settings, refusing bad values', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    const list = run(['config', db]);
    assert.equal(list.status, 0);
    // No base URL set: the server's --listen address is used.
    assert.match(list.stdout, /^base_url = $/m);
    assert.equal(run(['config', db, 'base_url', 'https://foison.example.org']).status, 0);
    assert.equal(run(['config', db, 'base_url']).stdout.trim(), 'https://foison.example.org');
    for (const [k, v] of [['base_url', 'javascript:alert(1)'], ['base_url', 'https://x.org/'],
        ['license', 'GPL'], ['site_name', ''], ['site_name', 'x'.repeat(81)], ['nope', 'x']]) {
        const r = run(['config', db, k, v]);
        assert.equal(r.status, 2, `${k}=${v}`);
    }
    assert.equal(run(['config', db, 'base_url']).stdout.trim(), 'https://foison.example.org');
    assert.equal(run(['config', db, 'license', 'CC-BY-4.0']).status, 0);
    assert.equal(run(['check', db]).status, 0);
    fs.rmSync(d, { recursive: true, force: true });
});

test('config synchronous: FULL by default, NORMAL on request, nothing else', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    assert.match(run(['config', db]).stdout, /^synchronous = FULL$/m);
    assert.equal(run(['config', db, 'synchronous']).stdout.trim(), 'FULL');
    for (const v of ['OFF', 'full', 'EXTRA', ''])
        assert.equal(run(['config', db, 'synchronous', v]).status, 2, v);
    assert.equal(run(['config', db, 'synchronous', 'NORMAL']).status, 0);
    assert.equal(run(['config', db, 'synchronous']).stdout.trim(), 'NORMAL');
    assert.match(run(['config', '--help']).stdout, /synchronous/);
    fs.rmSync(d, { recursive: true, force: true });
});

test('token revoke removes every token of an account', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    assert.equal(run(['user', 'add', db, '--email', 'r@example.org', '--name', 'R', '--role', 'contributor'],
        { input: 'un mot de passe solide\n' }).status, 0);
    run(['token', 'create', db, '--email', 'r@example.org']);
    run(['token', 'create', db, '--email', 'r@example.org']);
    const r = run(['token', 'revoke', db, '--email', 'r@example.org']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^2 jetons révoqués/);
    assert.equal(run(['token', 'revoke', db, '--email', 'personne@example.org']).status, 1);
    fs.rmSync(d, { recursive: true, force: true });
});

test('base URLs are scheme://host[:port] only, at init and in config', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    for (const v of ['https://a.example/x', 'https://a.example/?q', 'https://a.example#f', 'https://u@a.example']) {
        assert.equal(run(['config', db, 'base_url', v]).status, 2, v);
        assert.equal(run(['init', path.join(d, 'x.db')], { env: { FOISON_BASE_URL: v } }).status, 1, v);
    }
    assert.equal(run(['config', db, 'base_url', 'https://foison.example.org:8443']).status, 0);
    assert.equal(run(['config', db, 'site_name', 'a\tb']).status, 2);
    assert.equal(run(['config', db, 'site_name', 'abc\u202Edef']).status, 2);
    fs.rmSync(d, { recursive: true, force: true });
});

test('bench-data validates its arguments, then adds linked entries that pass check', () => {
    const d = tmp();
    const db = path.join(d, 'site.db');
    assert.equal(run(['init', db]).status, 0);
    const copy = path.join(d, 'copy.db');
    fs.copyFileSync(db, copy);
    for (const [args, msg] of [
        [[], /usage/],
        [['--entries', '0'], /de 1 à 2\u202f000\u202f000/],
        [['--entries', '2000001'], /de 1 à 2\u202f000\u202f000/],
        [['--entries', 'dix'], /«\u202fdix\u202f»/],
        [['--entries', '5', '--entries', '6'], /une seule fois/],
        [['--entries'], /attend une valeur/],
        [['--entries', '5', '--seed', '-1'], /--seed/],
        [['--entries', '5', '--hub', '--hub'], /deux fois/],
        [['--entries', '5', '--vite'], /option inconnue/],
    ]) {
        const r = run(['bench-data', db, ...args]);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, msg, args.join(' '));
    }
    const missing = run(['bench-data', path.join(d, 'absent.db'), '--entries', '5']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /introuvable/);
    const q = (file, sql) => spawnSync('sqlite3', ['-cmd', '.timeout 10000', file, sql], { encoding: 'utf8' }).stdout.trim();
    assert.equal(q(db, 'SELECT count(*) FROM entries'), '0', 'refused arguments write nothing');

    const r = run(['bench-data', db, '--entries', '50', '--hub']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /51 fiches créées \(35 innovations, 6 acteurs, 4 lieux, 1 réseau, 4 articles/);
    const hub = r.stdout.match(/^hub: ([a-z0-9-]+)$/m);
    assert.ok(hub, r.stdout);
    assert.equal(run(['check', db]).status, 0);
    assert.equal(q(db, 'SELECT count(*) FROM entries WHERE published_rev = 1'), '51');
    // Every innovation, article and network points to the hub: 35 + 4 + 1.
    assert.equal(q(db, `SELECT count(*) FROM relations WHERE to_id =
        (SELECT id FROM entries WHERE slug = '${hub[1]}')`), '40');
    assert.ok(Number(q(db, `SELECT count(*) FROM relations WHERE field = 'carried_by' AND to_id <>
        (SELECT id FROM entries WHERE slug = '${hub[1]}')`)) >= 35, 'innovations have carriers');
    assert.ok(Number(q(db, "SELECT count(*) FROM relations WHERE field = 'about'")) >= 4);
    // The load ran with synchronous=NORMAL and put the site's own setting back.
    assert.equal(run(['config', db, 'synchronous']).stdout.trim(), 'FULL');
    // The same seed on the same site writes the same entries.
    assert.equal(run(['bench-data', copy, '--entries', '50', '--hub']).status, 0);
    const titles = "SELECT group_concat(slug, ' ') FROM (SELECT slug FROM entries ORDER BY id)";
    assert.equal(q(copy, titles), q(db, titles));
    const other = run(['bench-data', copy, '--entries', '5', '--seed', '7']);
    assert.equal(other.status, 0, other.stderr);
    assert.doesNotMatch(other.stdout, /^hub:/m);
    fs.rmSync(d, { recursive: true, force: true });
});
