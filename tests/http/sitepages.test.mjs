// sitepages.test.mjs — the pages a French public platform must have: mentions légales, données
// personnelles and the accessibility statement (RGAA 4.1, with its state of conformity in the
// footer link), linked from every page's footer; their texts are site settings in Markdown,
// shown through the safe renderer, and a change shows at once, cached pages included.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, request, decodeEntities, BIN } from './harness.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const PAGES = [
    ['/mentions-legales', 'Mentions légales', /Creative Commons Attribution/],
    ['/donnees-personnelles', 'Données personnelles', /foison_session/],
    ['/accessibilite', 'Déclaration d\u2019accessibilité|Déclaration d\'accessibilité', /RGAA 4\.1[\s\S]*Défenseur des droits/],
];

test('the three pages answer, with their default texts, from every page\'s footer', async () => {
    for (const [p, title, body] of PAGES) {
        const r = await request(srv.base, p);
        assert.equal(r.status, 200, p);
        const text = decodeEntities(r.text);
        assert.match(text, new RegExp(`<h1>(${title})</h1>`), p);
        assert.match(text, body, p);
    }
    for (const p of ['/', '/innovations', '/login']) {
        const html = decodeEntities((await request(srv.base, p)).text);
        assert.match(html, /href="\/mentions-legales"/, p);
        assert.match(html, /href="\/donnees-personnelles"/, p);
        assert.match(html, /href="\/accessibilite">Accessibilité\u202f: non conforme</, `${p}: the state of conformity`);
    }
});

test('the site\'s own text, in Markdown, replaces the default at once, safely', async () => {
    const before = await request(srv.base, '/mentions-legales'); // cached now
    assert.equal(before.status, 200);
    const md = '## Éditeur\n\nLa **Ville de Brest**, 2 rue Frézier.\n\n<script>alert(1)</script>';
    const r = spawnSync(BIN, ['config', srv.db, 'legal_notice', md], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const after = decodeEntities((await request(srv.base, '/mentions-legales')).text);
    assert.match(after, /<strong>Ville de Brest<\/strong>, 2 rue Frézier/);
    assert.doesNotMatch(after, /<script>alert/);
    assert.doesNotMatch(after, /texte est celui que foison propose par défaut/);
    const bad = spawnSync(BIN, ['config', srv.db, 'legal_notice', 'x'.repeat(20001)], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.equal(spawnSync(BIN, ['config', srv.db, 'legal_notice', ''], { encoding: 'utf8' }).status, 0);
    assert.match(decodeEntities((await request(srv.base, '/mentions-legales')).text),
        /texte est celui que foison propose par défaut/, 'empty: the default again');
});
