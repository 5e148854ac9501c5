// review8b.test.mjs — a hostile review of issue 8's sessions (applications, participants) and
// loans of equipment: who is told of a loan request (never the managers of an actor an editor
// named in owned_by), an id of another record's loan or application in a route, a request whose
// days have passed accepted later, control characters in the messages to owners and organisers,
// and a deleted account's name left public among a session's participants. The demo site has
// its own sessions and loans: every query here is filtered by this file's own entries.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, apiJson, request, loginOk, decodeEntities, BIN } from './harness.mjs';

let srv, alice, bruno, kit, other, coop, training, sessionA, sessionB;

const api = (p, opts) => apiJson(srv.base, p, opts);
// The CLI waits for the server's write lock (a busy file would fail the statement silently).
const sqlite = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
};
function day(n) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + n * 86400000));
}

async function create(kind, fields, token) {
    const r = await api('/api/v1/entries', { method: 'POST', token, body: { kind, license: 'CC-BY-SA-4.0', ...fields } });
    assert.equal(r.status, 201, `${kind}: ${r.text}`);
    return r.json;
}

const ask = (slug, body, token) => api(`/api/v1/entries/${slug}/loans`, { method: 'POST', token, body });

before(async () => {
    // No SMTP server: the mails stay queued in the outbox, where their recipients are read.
    srv = await startServer();
    const { a, b, m } = srv.users;
    // Alice owns two pieces of equipment (she created their records); Bruno owns nothing.
    kit = await create('resource', { title: 'Sono portable relue', summary: 'Deux enceintes et une table de mixage.',
        resource_type: 'equipment' }, a.token);
    other = await create('resource', { title: 'Vidéoprojecteur de Bruno', summary: 'Un vidéoprojecteur à prêter.',
        resource_type: 'equipment' }, b.token);
    coop = await create('actor', { title: 'Collectif de relecture', summary: 'Une association créée pour la relecture.' }, b.token);
    training = await create('training', { title: 'Formation relue', summary: 'Une formation pour la relecture.' }, m.token);
    sessionA = await create('cohort', { title: 'Session relue A', summary: 'Première session.', training: [training.slug],
        starts: day(30), ends: day(60), applications: 'ouvertes' }, a.token);
    sessionB = await create('cohort', { title: 'Session relue B', summary: 'Deuxième session.', training: [training.slug],
        starts: day(30), ends: day(60), applications: 'ouvertes' }, b.token);
    alice = await loginOk(srv.base, a.email, a.password);
    bruno = await loginOk(srv.base, b.email, b.password);
});

after(async () => {
    await srv?.stop();
});

test("naming one's actor in owned_by brings no borrower's request by mail", async () => {
    // Bruno (trusted: published at once) names his actor as the owner of Alice's equipment.
    const put = await api(`/api/v1/entries/${kit.slug}`, {
        method: 'PUT', token: srv.users.b.token,
        body: { base_revision: kit.revision, owned_by: [coop.slug] },
    });
    assert.equal(put.status, 200, put.text);
    const last = Number(sqlite('SELECT coalesce(max(id), 0) FROM outbox'));
    const r = await ask(kit.slug, { from: day(40), to: day(41), message: 'Pour le mariage de ma sœur, rue de Siam.' },
        srv.users.c.token);
    assert.equal(r.status, 201, r.text);
    const to = sqlite(`SELECT group_concat(recipient, ' ') FROM outbox WHERE id > ${last}`).split(' ');
    assert.ok(to.includes(srv.users.a.email), `the owner is told: ${to}`);
    assert.ok(!to.includes(srv.users.b.email),
        `an editor who named his actor in owned_by received the borrower's request: ${to}`);
    // Nor does he decide.
    assert.equal((await api(`/api/v1/loans/${r.json.id}/accept`, { method: 'POST', token: srv.users.b.token })).status, 403);
});

test("an owner cannot decide another record's loan through their own record's route", async () => {
    const r = await ask(kit.slug, { from: day(50), to: day(51) }, srv.users.c.token);
    assert.equal(r.status, 201, r.text);
    // Bruno owns `other`, not `kit`: the id of kit's loan under other's route is not found.
    for (const action of ['accepter', 'refuser', 'annuler']) {
        const p = await bruno.post(`/ressources/${other.slug}/prets/${r.json.id}/${action}`, {});
        assert.ok([403, 404].includes(p.status), `${action}: ${p.status}`);
    }
    assert.equal(sqlite(`SELECT state FROM loans WHERE id = ${r.json.id}`), 'requested');
    // Without the form's token nothing changes either.
    const noCsrf = await alice.post(`/ressources/${kit.slug}/prets/${r.json.id}/accepter`, {}, { csrf: false });
    assert.equal(noCsrf.status, 403);
    assert.equal(sqlite(`SELECT state FROM loans WHERE id = ${r.json.id}`), 'requested');
});

test("an organiser cannot decide another session's application through their own session's route", async () => {
    const chloe = await loginOk(srv.base, srv.users.c.email, srv.users.c.password);
    const ap = await chloe.post(`/sessions/${sessionA.slug}/candidature`,
        { cohort_form: '1', project_text: 'Un jardin partagé', message: 'Message privé pour la session A.' });
    assert.equal(ap.status, 303, decodeEntities(ap.text).slice(0, 400));
    const id = sqlite(`SELECT id FROM applications WHERE cohort_id = (SELECT id FROM entries WHERE slug = '${sessionA.slug}')`);
    assert.ok(id);
    for (const action of ['accepter', 'attente', 'refuser', 'retirer']) {
        const p = await bruno.post(`/sessions/${sessionB.slug}/candidatures/${id}/${action}`, {});
        assert.equal(p.status, 404, `${action}: ${p.status}`);
    }
    assert.equal(sqlite(`SELECT state FROM applications WHERE id = ${id}`), 'pending');
    const list = await bruno.get(`/sessions/${sessionA.slug}/candidatures`);
    assert.equal(list.status, 403);
    assert.doesNotMatch(list.text, /Message privé/);
});

test('a request whose first day has passed is not accepted later', async () => {
    const r = await ask(kit.slug, { from: day(2), to: day(3) }, srv.users.c.token);
    assert.equal(r.status, 201, r.text);
    // The owner answers a week late: the days asked for are gone.
    sqlite(`UPDATE loans SET from_day = '${day(-5)}', to_day = '${day(-4)}' WHERE id = ${r.json.id}`);
    const late = await api(`/api/v1/loans/${r.json.id}/accept`, { method: 'POST', token: srv.users.a.token });
    assert.equal(late.status, 409, late.text);
    assert.equal(sqlite(`SELECT state FROM loans WHERE id = ${r.json.id}`), 'requested');
    // Refusing it is still possible.
    const no = await api(`/api/v1/loans/${r.json.id}/refuse`, { method: 'POST', token: srv.users.a.token });
    assert.equal(no.status, 200, no.text);
});

test('control characters in the messages to owners and organisers are refused, line breaks kept', async () => {
    const before = sqlite(`SELECT count(*) FROM loans WHERE resource_id = (SELECT id FROM entries WHERE slug = '${kit.slug}')`);
    for (const message of ['bip\u0007bip', 'efface\u0008', 'échap\u001b[31mrouge']) {
        const r = await ask(kit.slug, { from: day(70), to: day(70), message }, srv.users.m.token);
        // (the HTTP layer may refuse some of them first, with 400: refused either way)
        assert.ok([400, 422].includes(r.status), `${JSON.stringify(message)}: ${r.status} ${r.text}`);
    }
    assert.equal(sqlite(`SELECT count(*) FROM loans WHERE resource_id = (SELECT id FROM entries WHERE slug = '${kit.slug}')`), before);
    const ok = await ask(kit.slug, { from: day(70), to: day(70), message: 'ligne un\r\nligne deux\tet un onglet' }, srv.users.m.token);
    assert.equal(ok.status, 201, ok.text);
    const marc = await loginOk(srv.base, srv.users.m.email, srv.users.m.password);
    const bad = await marc.post(`/sessions/${sessionB.slug}/candidature`,
        { cohort_form: '1', project_text: 'Une radio associative', message: 'bip\u0007bip' });
    assert.ok([400, 422].includes(bad.status), `${bad.status} ${decodeEntities(bad.text).slice(0, 300)}`);
    const good = await marc.post(`/sessions/${sessionB.slug}/candidature`,
        { cohort_form: '1', project_text: 'Une radio associative', message: 'Bonjour,\r\nje candidate.' });
    assert.equal(good.status, 303, decodeEntities(good.text).slice(0, 300));
});

test("a deleted account's name leaves the session's participants", async () => {
    const email = 'ronan.relu@test.foison', password = 'une phrase de passe bien longue 8b';
    const add = spawnSync(BIN, ['user', 'add', srv.db, '--email', email, '--name', 'Ronan Kerlouégan', '--role', 'contributor'],
        { input: `${password}\n`, encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    const ronan = await loginOk(srv.base, email, password);
    const ap = await ronan.post(`/sessions/${sessionB.slug}/candidature`,
        { cohort_form: '1', project_text: 'Une ressourcerie', show_name: '1' });
    assert.equal(ap.status, 303, decodeEntities(ap.text).slice(0, 300));
    const id = sqlite(`SELECT p.id FROM applications p JOIN users u ON u.id = p.user_id WHERE u.email = '${email}'`);
    assert.equal((await bruno.post(`/sessions/${sessionB.slug}/candidatures/${id}/accepter`, {})).status, 303);
    assert.match(decodeEntities((await request(srv.base, `/sessions/${sessionB.slug}`)).text), /Ronan Kerlouégan/,
        'shown, as he agreed');
    const del = await ronan.post('/compte/supprimer', { delete_password: password, pseudonym: '' });
    assert.equal(del.status, 303, decodeEntities(del.text).slice(0, 300));
    const page = decodeEntities((await request(srv.base, `/sessions/${sessionB.slug}`)).text);
    const json = (await api(`/api/v1/entries/${sessionB.slug}`)).text;
    for (const text of [page, json])
        assert.doesNotMatch(text, /Ronan Kerlouégan/, 'the name of a deleted account is still public');
    assert.equal(sqlite(`SELECT public_name FROM applications WHERE id = ${id}`), '');
});
