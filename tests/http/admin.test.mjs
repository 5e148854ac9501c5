// admin.test.mjs — the admin settings page /admin/reglages (the map's frame among them): only
// admins (a visitor is sent to the login page, contributors and moderators get 403); every field
// saved and read back by `foison config`; invalid values refused beside their fields with the
// input kept and nothing written; the SMTP password never shown back (an empty field keeps it, a
// box clears it); CSRF and foreign origins refused; `foison config` and the page agree both
// ways; changes apply at once without a restart (site name on cached pages, trusted proxies, the
// history gate); every save is in the moderation log, without the values.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
    startServer, loginOk, request, Client, getCsrf, inputValue, textareaValue, decodeEntities,
    BIN,
} from './harness.mjs';

let srv, admin, chloe, marc;

before(async () => {
    srv = await startServer();
    admin = await loginOk(srv.base, srv.admin.email, srv.admin.password);
    chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
});

after(async () => {
    await srv?.stop();
});

function config(...args) {
    const r = spawnSync(BIN, ['config', srv.db, ...args], { encoding: 'utf8', timeout: 20000 });
    return { status: r.status, out: r.stdout.replace(/\n$/, ''), err: r.stderr };
}

/* Every field of the settings form as the page shows it: name → value ('' for the password). */
function formValues(html) {
    const out = {};
    for (const m of html.matchAll(/<input type="(?:text|password)"[^>]*id="set-([a-z_]+)"[^>]*>/g))
        out[m[1]] = inputValue(m[0], m[1]) ?? '';
    for (const m of html.matchAll(/<select id="set-([a-z_]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
        const sel = /<option value="([^"]*)" selected>/.exec(m[2]);
        out[m[1]] = sel ? decodeEntities(sel[1]) : '';
    }
    for (const m of html.matchAll(/<textarea id="set-([a-z_]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
        out[m[1]] = decodeEntities(m[2]);
    return out;
}

const KEYS = ['site_name', 'territory_name', 'base_url', 'license', 'synchronous', 'trusted_proxies',
    'trust_edits', 'trust_days', 'spam_hold', 'spam_refuse', 'blocked_domains', 'smtp_url',
    'smtp_user', 'smtp_password', 'smtp_starttls', 'mail_from', 'legal_notice', 'privacy_notice',
    'accessibility_statement', 'signup', 'report_hide', 'rate_edits_new', 'rate_edits',
    'rate_previews', 'rate_reports', 'rate_signups', 'rate_mails', 'rate_contact', 'rate_contact_entry', 'rate_registrations',
    'rate_registration_mails', 'rate_searches',
    'robot_restrict', 'map_center', 'map_zoom', 'map_bounds', 'map_tiles', 'map_attribution'];

async function settingsPage(client = admin) {
    const r = await client.get('/admin/reglages');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    return r;
}

async function save(fields, client = admin) {
    const page = await settingsPage(client);
    const form = { ...formValues(page.text), ...fields, csrf: getCsrf(page.text) };
    return client.post('/admin/reglages', form);
}

test('only admins: a visitor goes to the login page, contributors and moderators get 403', async () => {
    for (const p of ['/admin/reglages', '/admin/audit']) {
        const anon = await request(srv.base, p);
        assert.equal(anon.status, 303, p);
        assert.match(anon.headers.get('location'), /^\/login\?next=\/admin\//, p);
        for (const [who, c] of [['contributor', chloe], ['moderator', marc]]) {
            const r = await c.get(p);
            assert.equal(r.status, 403, `${who} ${p}`);
            assert.match(r.text, /réservée aux administrateurs/, `${who} ${p}`);
            assert.doesNotMatch(r.text, /name="spam_hold"/, `${who} ${p}: no form`);
        }
        assert.equal((await admin.get(p)).status, 200, `admin ${p}`);
    }
    // A moderator's POST, even with a valid token of their own, writes nothing.
    const before = config('site_name').out;
    const r = await marc.post('/admin/reglages', { site_name: 'Pris par un modérateur' });
    assert.equal(r.status, 403);
    assert.equal(config('site_name').out, before);
});

test('the page shows every setting in its section, with label, help and current value', async () => {
    const r = await settingsPage();
    for (const title of ['Site', 'Contributions et confiance', 'Anti-spam et limites', 'Courriel SMTP',
        'Mandataires inverses', 'Textes des pages légales', 'Carte'])
        assert.match(r.text, new RegExp(`<h2 class="form-section"[^>]*>${title}</h2>`), title);
    const values = formValues(r.text);
    assert.deepEqual(Object.keys(values).sort(), [...KEYS].sort(), 'one field per setting');
    for (const k of KEYS) {
        if (k === 'smtp_password')
            continue;
        assert.equal(values[k], config(k).out, `${k}: the page shows what foison config reads`);
        assert.match(r.text, new RegExp(`<p class="help" id="help-${k}">`), `${k}: help`);
        assert.match(r.text, new RegExp(`<label for="set-${k}">`), `${k}: label`);
    }
    assert.equal(values.rate_edits_new, '8');
    assert.equal(values.signup, 'open');
    assert.equal(values.robot_restrict, 'on');
    // The demo's frame, computed from the Pays de Brest's communes when the site was made.
    assert.equal(values.map_center, '48.38802,-4.33047');
    assert.equal(values.map_zoom, '9');
    assert.equal(values.map_bounds, '-4.82086,48.07538,-3.84007,48.70066');
    // What only start-up reads says so.
    assert.match(r.text, /id="help-synchronous">[^<]*<strong>Pris en compte au prochain démarrage/);
    // The header links the admin pages for an admin, not for a moderator.
    assert.match(r.text, /<a href="\/admin\/reglages" aria-current="page">Réglages<\/a>/);
    assert.doesNotMatch((await marc.get('/moderation')).text, /href="\/admin\/reglages"/);
    assert.match((await admin.get('/moderation')).text, /href="\/admin\/audit"/);
});

test('every field is saved, and foison config reads what the page wrote', async () => {
    const wanted = {
        site_name: 'Réseau des communs', territory_name: 'Pays d\'Iroise',
        base_url: 'https://communs.example.org', license: 'CC-BY-4.0', synchronous: 'NORMAL',
        trusted_proxies: '127.0.0.2, 10.0.0.0/8', trust_edits: '3', trust_days: '2', spam_hold: '40',
        spam_refuse: '90', blocked_domains: 'casino.example, pilules.example',
        smtp_url: 'smtps://smtp.example.org:465', smtp_user: 'foison', smtp_password: 's3cret-Ω-pass',
        smtp_starttls: 'off', mail_from: 'Réseau <contact@example.org>',
        legal_notice: '# Éditeur\n\nAssociation Communs, 1 rue de Siam, Brest.',
        privacy_notice: 'Nous gardons votre adresse.', accessibility_statement: 'Partiellement conforme.',
        signup: 'closed', report_hide: '4', rate_edits_new: '6', rate_edits: '80', rate_previews: '30', rate_reports: '7',
        rate_signups: '3', rate_mails: '9', rate_contact: '4', rate_contact_entry: '15',
        rate_registrations: '12', rate_registration_mails: '3', rate_searches: '240',
        robot_restrict: 'off', map_center: '48.1,-1.7', map_zoom: '11',
        map_bounds: '-2.1,47.9,-1.4,48.4',
        map_tiles: 'https://tuiles.example.org/carte/{z}/{x}/{y}.png?cle=a1',
        map_attribution: '© Tuiles d\'exemple',
    };
    assert.deepEqual(Object.keys(wanted).sort(), [...KEYS].sort());
    const r = await save(wanted);
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.equal(r.headers.get('location'), '/admin/reglages');
    for (const [k, v] of Object.entries(wanted))
        assert.equal(config(k).out, v, k);
    const page = await settingsPage();
    assert.match(page.text, /Les réglages sont enregistrés/);
    const shown = formValues(page.text);
    for (const [k, v] of Object.entries(wanted))
        assert.equal(shown[k], k === 'smtp_password' ? '' : v, k);
    // The password never comes back to a browser, in any form.
    assert.ok(!page.text.includes('s3cret'), 'the SMTP password is not echoed');
    assert.match(page.text, /Un mot de passe est enregistré/);
    // Empty field: kept. The box: cleared.
    assert.equal((await save({ smtp_password: '', smtp_user: 'foison2' })).status, 303);
    assert.equal(config('smtp_password').out, 's3cret-Ω-pass');
    assert.equal(config('smtp_user').out, 'foison2');
    assert.equal((await save({ smtp_password: '', smtp_password_clear: '1' })).status, 303);
    assert.equal(config('smtp_password').out, '');
    assert.match((await settingsPage()).text, /Aucun mot de passe n'est enregistré/);
    // The log names the keys changed and the admin, never a value.
    const log = (await admin.get('/moderation/log')).text;
    assert.match(decodeEntities(log), /Réglages modifiés : [a-z_, ]*smtp_password/);
    assert.ok(!log.includes('s3cret'), 'no value in the log');
    // Back to what the other tests expect.
    for (const [k, v] of [['base_url', ''], ['trusted_proxies', ''], ['robot_restrict', 'on'],
        ['synchronous', 'FULL'], ['signup', 'open'], ['site_name', 'foison'],
        ['territory_name', 'Pays de Brest'], ['license', 'CC-BY-SA-4.0'],
        ['map_center', '48.38802,-4.33047'], ['map_zoom', '9'],
        ['map_bounds', '-4.82086,48.07538,-3.84007,48.70066'],
        ['map_tiles', 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'],
        ['map_attribution', '© les contributeurs d\'OpenStreetMap']])
        assert.equal(config(k, v).status, 0, k);
});

test('invalid values: errors beside each field, all input kept, nothing written', async () => {
    const before = Object.fromEntries(KEYS.map((k) => [k, config(k).out]));
    const bad = {
        site_name: 'Un nom valide cette fois', // valid, but must not be written either
        base_url: 'https://x.example/chemin', trust_edits: 'beaucoup', spam_refuse: '100001',
        smtp_url: 'http://smtp.example', mail_from: 'pas une adresse', license: 'GPL',
        trusted_proxies: '300.1.1.1', blocked_domains: 'a_b.example', signup: 'peut-être',
        rate_mails: '-1', territory_name: '', map_center: '48,39;-4,49', map_zoom: '19',
        map_bounds: '-3.8,48.0,-4.8,48.7',
        map_tiles: 'https://{s}.tile.example.org/{z}/{x}/{y}.png', map_attribution: '',
    };
    const r = await save(bad);
    assert.equal(r.status, 422);
    const html = r.text;
    assert.match(html, /Le formulaire contient des erreurs/);
    const invalid = Object.keys(bad).filter((k) => k !== 'site_name');
    for (const k of invalid) {
        assert.match(html, new RegExp(`<div class="field has-error" id="field-${k}">`), k);
        assert.match(html, new RegExp(`<p class="error" id="error-${k}">[^<]+</p>`), k);
        assert.match(html, new RegExp(`id="set-${k}"[^>]*aria-describedby="help-${k} error-${k}"[^>]*aria-invalid="true"`), k);
        assert.match(html, new RegExp(`<li><a href="#set-${k}">`), `${k} in the summary`);
    }
    assert.doesNotMatch(html, /id="error-site_name"/);
    assert.match(html, /id="error-trust_edits">Un entier de 0 à 100000</);
    assert.match(html, /id="error-license">Licence inconnue\u202f: CC-BY-SA-4.0/);
    const kept = formValues(html);
    for (const [k, v] of Object.entries(bad))
        assert.equal(kept[k], v, `${k}: input kept`);
    const after = Object.fromEntries(KEYS.map((k) => [k, config(k).out]));
    assert.deepEqual(after, before, 'nothing written');
    // Control characters and over-long texts, one field at a time.
    for (const [k, v] of [['site_name', 'a\tb'], ['legal_notice', 'x'.repeat(20001)],
        ['site_name', 'abc\u202Edef'], ['smtp_user', 'x'.repeat(501)]]) {
        const one = await save({ [k]: v });
        assert.equal(one.status, 422, k);
        assert.match(one.text, new RegExp(`id="error-${k}"`), k);
    }
    assert.deepEqual(Object.fromEntries(KEYS.map((k) => [k, config(k).out])), before);
});

test('CSRF: a missing or foreign token, or a foreign Origin, is refused and writes nothing', async () => {
    const before = config('site_name').out;
    const page = await settingsPage();
    const fields = { ...formValues(page.text), site_name: 'Volé' };
    let r = await admin.post('/admin/reglages', fields, { csrf: false });
    assert.equal(r.status, 403);
    r = await admin.post('/admin/reglages', { ...fields, csrf: getCsrf((await chloe.get('/')).text) });
    assert.equal(r.status, 403, 'another session\'s token');
    r = await admin.post('/admin/reglages', { ...fields, csrf: getCsrf(page.text) },
        { headers: { origin: 'https://evil.example' } });
    assert.equal(r.status, 403, 'foreign Origin');
    assert.equal(config('site_name').out, before);
});

test('foison config and the page agree both ways', async () => {
    assert.equal(config('spam_hold', '45').status, 0);
    assert.equal(config('rate_reports', '12').status, 0);
    const shown = formValues((await settingsPage()).text);
    assert.equal(shown.spam_hold, '45');
    assert.equal(shown.rate_reports, '12');
    assert.equal((await save({ rate_signups: '4', spam_hold: '50' })).status, 303);
    assert.equal(config('rate_signups').out, '4');
    assert.equal(config('spam_hold').out, '50');
    // The command line refuses what the page refuses, with the same reason.
    const c = config('rate_signups', 'beaucoup');
    assert.equal(c.status, 2);
    assert.match(c.err, /rate_signups : un entier de 0 à 100000/);
    assert.equal(config('signup', 'maybe').status, 2);
    assert.equal(config('robot_restrict', 'maybe').status, 2);
    // Both log: the command line as "système".
    assert.match(decodeEntities((await admin.get('/moderation/log')).text),
        /système[\s\S]*?Réglages modifiés : rate_reports/);
});

test('changes apply at once, without a restart', async () => {
    // The site's name, on a page cached for visitors.
    const home1 = await request(srv.base, '/');
    assert.match(home1.text, /<title>[^<]*foison<\/title>/);
    assert.equal((await save({ site_name: 'Communs du Ponant' })).status, 303);
    const home2 = await request(srv.base, '/');
    assert.match(home2.text, /<title>[^<]*Communs du Ponant<\/title>/);
    assert.match(home2.text, /Communs du Ponant — les innovations sociales/);
    // Trusted proxies: from now on, X-Forwarded-For from 127.0.0.1 names the client.
    await request(srv.base, '/healthz?avant', { headers: { 'X-Forwarded-For': '203.0.113.50' } });
    assert.equal((await save({ trusted_proxies: '127.0.0.1' })).status, 303);
    await request(srv.base, '/healthz?apres', { headers: { 'X-Forwarded-For': '203.0.113.51' } });
    await new Promise((r) => setTimeout(r, 1200)); // the access log is flushed every second
    assert.doesNotMatch(srv.stderr(), /203\.0\.113\.50/, 'before: the header is ignored');
    assert.match(srv.stderr(), /Z 203\.0\.113\.51 GET \/healthz /, 'after: it names the client');
    // The history gate, switched off and on.
    const list = await request(srv.base, '/api/v1/entries?kind=innovation');
    const hist = `/innovations/${list.json().entries[0].slug}/history`;
    assert.doesNotMatch((await request(srv.base, hist)).text, /<table class="history"/);
    assert.equal((await save({ robot_restrict: 'off' })).status, 303);
    assert.match((await request(srv.base, hist)).text, /<table class="history"/);
    // By the command line too (another process: the generation tells this one).
    assert.equal(config('robot_restrict', 'on').status, 0);
    assert.doesNotMatch((await request(srv.base, hist)).text, /<table class="history"/);
    assert.equal(config('site_name', 'foison').status, 0);
    assert.match((await request(srv.base, '/')).text, /<title>[^<]*foison<\/title>/);
    assert.equal(config('trusted_proxies', '').status, 0);
});

test('a text setting keeps its lines; the legal page shows it at once', async () => {
    const text = 'Éditeur : Association des communs.\n\nDirectrice de la publication : Anne Le Gall.';
    assert.equal((await save({ legal_notice: text })).status, 303);
    assert.equal(config('legal_notice').out, text);
    assert.equal(textareaValue((await settingsPage()).text, 'legal_notice'), text);
    assert.match((await request(srv.base, '/mentions-legales')).text, /Anne Le Gall/);
    assert.equal(config('legal_notice', '').status, 0);
});

test('an anonymous POST is sent to the login page, not written', async () => {
    const anon = new Client(srv.base);
    const r = await anon.post('/admin/reglages', { site_name: 'Anonyme' }, { csrf: false });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /^\/login/);
    assert.equal(config('site_name').out, 'foison');
});
