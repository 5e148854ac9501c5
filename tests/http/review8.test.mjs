// review8.test.mjs — a hostile review of issue 8 (events, the agenda, registrations): what a
// contributor who is no organiser can reach (the participants of someone else's event, the
// dates of someone else's series), a capacity lowered by a held edit and approved later, a
// newcomer's held edit never reaching the public's calendar, and recurrence rules that cost
// seconds of libical before being refused. Each test names the rule it holds the code to.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiJson, request } from './harness.mjs';

let srv;
let ipSeq = 0;
const nextIp = () => `198.51.100.${++ipSeq}`;
const api = (p, opts) => apiJson(srv.base, p, opts);

let seq = 0;
/* An event created through the API (alice manages it); fields override. */
async function createEvent(fields = {}, token = srv.users.a.token) {
    seq++;
    const day = String(10 + seq).padStart(2, '0');
    const r = await api('/api/v1/entries', {
        method: 'POST', token, body: {
            kind: 'event', title: `Atelier relu numéro ${seq}`,
            summary: 'Un atelier pour la relecture de la version 8.',
            start: `2031-09-${day} 18:00`, end: `2031-09-${day} 20:00`,
            registration: 'site', capacity: 3, ...fields,
        },
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
}

const register = (slug, name, email) =>
    api(`/api/v1/entries/${slug}/registrations`, {
        method: 'POST', body: { name, email }, headers: { 'X-Forwarded-For': nextIp() },
    });

before(async () => {
    srv = await startServer({ config: { trusted_proxies: '127.0.0.1' } });
});

after(async () => {
    await srv?.stop();
});

test('an editor who is no organiser cannot make themselves one by naming their own actor in organised_by', async () => {
    const ev = await createEvent();
    const reg = await register(ev.slug, 'Participante Privée', 'privee@exemple.org');
    assert.equal(reg.status, 201, reg.text);
    // Bruno (trusted: his edits publish at once) creates an actor: he manages it.
    const actor = await api('/api/v1/entries', {
        method: 'POST', token: srv.users.b.token,
        body: { kind: 'actor', title: 'Association de Bruno', summary: 'Une association créée pour la relecture.' },
    });
    assert.equal(actor.status, 201, actor.text);
    assert.equal((await api(`/api/v1/entries/${ev.slug}/registrations`, { token: srv.users.b.token })).status, 403,
        'before: bruno is no organiser');
    // He names it among the event's organisers: a wiki edit of someone else's event.
    const put = await api(`/api/v1/entries/${ev.slug}`, {
        method: 'PUT', token: srv.users.b.token,
        body: { base_revision: ev.revision, organised_by: [actor.json.slug] },
    });
    // Either the edit is refused, or it gives no access to the participants' names and addresses.
    if (put.status === 200) {
        const list = await api(`/api/v1/entries/${ev.slug}/registrations`, { token: srv.users.b.token });
        assert.equal(list.status, 403,
            `an edit of organised_by gave bruno the participants' list: ${list.text.slice(0, 300)}`);
    }
});

test('a capacity lowered by a held edit and approved later never goes below the seats held', async () => {
    const ev = await createEvent({ capacity: 3 });
    // Chloé (a newcomer) lowers the capacity to 1: held for moderation, nobody registered yet.
    const put = await api(`/api/v1/entries/${ev.slug}`, {
        method: 'PUT', token: srv.users.c.token, body: { base_revision: ev.revision, capacity: 1 },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.state, 'pending');
    for (let i = 1; i <= 3; i++)
        assert.equal((await register(ev.slug, `Personne ${i}`, `personne${i}@exemple.org`)).status, 201);
    const q = await api('/api/v1/moderation/pending', { token: srv.users.m.token });
    const item = q.json.pending.find((p) => p.slug === ev.slug);
    assert.ok(item, 'the held edit is in the queue');
    const ok = await api(`/api/v1/moderation/${item.revision_id}/approve`, {
        method: 'POST', token: srv.users.m.token,
    });
    const pub = await api(`/api/v1/entries/${ev.slug}`);
    assert.ok(!(ok.status === 200 && pub.json.capacity < 3),
        `approved (${ok.status}): capacity ${pub.json.capacity} with 3 people registered`);
});

test('an event of someone else cannot take over a date of their series (series + replaces)', async () => {
    const series = await createEvent({
        title: 'Série de la relecture', start: '2031-10-07T18:00', end: '2031-10-07T20:00',
        recurrence: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4', registration: 'aucune', capacity: null,
    });
    // Bruno, who neither manages nor organises it, "changes" its second date.
    const r = await api('/api/v1/entries', {
        method: 'POST', token: srv.users.b.token, body: {
            kind: 'event', title: 'Séance détournée', summary: 'Rendez-vous ailleurs, chez Bruno.',
            start: '2031-10-14T18:00', end: '2031-10-14T20:00',
            series: [series.slug], replaces: '2031-10-14T18:00:00+02:00',
        },
    });
    if (r.status !== 201)
        return; // refused: the rule holds
    const ics = await request(srv.base, `/evenements/${series.slug}.ics`);
    assert.equal(ics.status, 200);
    assert.doesNotMatch(ics.text, /Séance détournée|RECURRENCE-ID/,
        "bruno's event is written as an instance of alice's series, under its UID");
});

test("a newcomer's held edit of an event's dates reaches neither its .ics nor the agenda", async () => {
    const ev = await createEvent({ start: '2031-11-04T18:00', end: '2031-11-04T20:00', registration: 'aucune' });
    const put = await api(`/api/v1/entries/${ev.slug}`, {
        method: 'PUT', token: srv.users.c.token,
        body: { base_revision: ev.revision, start: '2031-11-05T09:00', end: '2031-11-05T10:00',
                recurrence: 'FREQ=DAILY;COUNT=3', title: 'TITRE-EN-ATTENTE' },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.state, 'pending');
    const ics = await request(srv.base, `/evenements/${ev.slug}.ics`);
    const vevent = ics.text.slice(ics.text.indexOf('BEGIN:VEVENT'));
    assert.match(vevent, /DTSTART;TZID=Europe\/Paris:20311104T180000/);
    assert.doesNotMatch(vevent, /TITRE-EN-ATTENTE|RRULE|20311105/);
    const feed = await request(srv.base, '/agenda.ics');
    assert.doesNotMatch(feed.text, /TITRE-EN-ATTENTE/);
    const month = await request(srv.base, '/agenda?vue=mois&mois=2031-11');
    assert.doesNotMatch(month.text, /TITRE-EN-ATTENTE/);
    assert.match(month.text, new RegExp(`/evenements/${ev.slug}"`));
    assert.doesNotMatch(month.text, /2031-11-05T09:00/);
});

test('a rule that never matches is refused quickly (no seconds of libical per request)', { timeout: 120000 }, async () => {
    for (const rule of ['FREQ=MONTHLY;BYDAY=6MO;COUNT=3',
        'FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11;COUNT=3',
        'FREQ=MONTHLY;BYDAY=MO;BYMONTHDAY=1,2,3,4,5,6,7;BYSETPOS=8;COUNT=3']) {
        const t0 = Date.now();
        const r = await api('/api/v1/entries', {
            method: 'POST', token: srv.users.a.token, body: {
                kind: 'event', title: 'Règle impossible', summary: 'Une règle qui ne tombe jamais.',
                start: '2031-12-01T18:00', end: '2031-12-01T20:00', recurrence: rule,
            },
        });
        const ms = Date.now() - t0;
        assert.equal(r.status, 422, `${rule}: ${r.text}`);
        assert.ok(ms < 1500, `${rule}: refused after ${ms} ms of one worker thread`);
    }
});

test('a client gone in the middle of the streamed /agenda.ics leaves the server whole', async () => {
    const net = await import('node:net');
    const url = new URL(srv.base);
    for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => {
            const c = net.connect(Number(url.port), url.hostname, () =>
                c.write('GET /agenda.ics HTTP/1.1\r\nHost: x\r\n\r\n'));
            c.once('data', () => { c.destroy(); resolve(); });
            c.on('error', resolve);
        });
    }
    const r = await request(srv.base, '/agenda.ics');
    assert.equal(r.status, 200);
    assert.match(r.text, /END:VCALENDAR\r\n$/);
});
