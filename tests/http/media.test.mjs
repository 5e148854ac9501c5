// media.test.mjs — images and documents of entries (issue 11 part 4), from the outside: uploads
// through the API (bearer token, or session + csrf form field) and the /medias page; what comes
// back (the JSON shape, upright dimensions, the srcset files with their real sizes, immutable
// caching, no EXIF/GPS/XMP/ICC left in any file); one stored copy of the same bytes; refused
// types by content (SVG, HTML, GIF, video, random bytes, a ZIP bomb named .pdf) → 415; size
// limits → 413; bad images (no alt, a 50,000 × 50,000 PNG header, truncated or corrupt JPEG)
// → 422; a multipart body cut short → 400 with nothing stored; 401/403 at the door; pending,
// deleted, hidden and never-published media never served to the public; documents as downloads.
// Inputs are made here with Debian's tools: vips (libvips-tools), exiftool, zip.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {
    startServer, loginOk, apiJson, sampleInnovation, request, rawRequest, postForm, getCsrf,
    decodeEntities, BIN,
} from './harness.mjs';

let srv, tmp, alice, chloe, marc, bruno;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const F = {}; // the input files, by name: Buffers

function run(cmd, args, what = cmd) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000, cwd: tmp });
    assert.equal(r.status, 0, `${what} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
}

/* A JPEG (or anything vips saves) of w × h, black unless bands/colour say otherwise. */
function vipsBlack(name, w, h, bands = 3) {
    run('vips', ['black', path.join(tmp, name), String(w), String(h), '--bands', String(bands)]);
    return fs.readFileSync(path.join(tmp, name));
}

/* A distinct small JPEG each call (random noise): for tests that need bytes of their own — and
 * files of their own, since files are shared by content (two black images of one size would
 * share their variants). */
let uniq = 0;
function uniqueJpeg() {
    uniq++;
    const name = path.join(tmp, `u${uniq}.jpg`);
    run('vips', ['gaussnoise', name, String(400 + uniq), '300', '--mean', '128', '--sigma', '40']);
    return fs.readFileSync(name);
}

const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        t[n] = c >>> 0;
    }
    return t;
})();

function crc32(buf) {
    let crc = 0xffffffff;
    for (let n = 0; n < buf.length; n++)
        crc = CRC_TABLE[(crc ^ buf[n]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
}

/* A PNG whose IHDR declares w × h (8-bit RGB), with a valid CRC and a tiny IDAT. */
function pngHeader(w, h) {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(w, 0);
    ihdr.writeUInt32BE(h, 4);
    ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
    return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), pngChunk('IHDR', ihdr),
                          pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(64))), pngChunk('IEND', Buffer.alloc(0))]);
}

/* A minimal valid PDF, its xref offsets computed. */
function minimalPdf(text) {
    const objs = [
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>',
    ];
    const stream = `BT /F1 12 Tf 20 100 Td (${text}) Tj ET`;
    objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
    let out = '%PDF-1.4\n';
    const offs = [];
    objs.forEach((o, i) => {
        offs.push(out.length);
        out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    });
    const xref = out.length;
    out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
    for (const o of offs)
        out += `${String(o).padStart(10, '0')} 00000 n \n`;
    out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(out, 'latin1');
}

/* A ZIP of one entry (name, data), deflated, with a correct central directory: the bomb. */
function zipOne(name, data) {
    const comp = zlib.deflateRawSync(data, { level: 9 });
    const nm = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nm.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(comp.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nm.length, 28);
    cd.writeUInt32LE(0, 42);
    const cdOff = 30 + nm.length + comp.length;
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(1, 8);
    eocd.writeUInt16LE(1, 10);
    eocd.writeUInt32LE(46 + nm.length, 12);
    eocd.writeUInt32LE(cdOff, 16);
    return Buffer.concat([local, nm, comp, cd, nm, eocd]);
}

/* A multipart/form-data body: fields [[name, value]…], files [{name, filename, type, data}…]. */
function multipart(fields = [], files = [], boundary = `----foison${crypto.randomBytes(8).toString('hex')}`) {
    const parts = [];
    for (const [k, v] of fields)
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    for (const f of files) {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name || 'file'}"; `
            + `filename="${f.filename.replace(/["\\]/g, '\\$&')}"\r\nContent-Type: ${f.type || 'application/octet-stream'}\r\n\r\n`));
        parts.push(f.data, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

/* POST the file (and texts) to the API of slug. who: {token} or {client} (session; csrf added
 * unless csrf: false or given). Returns apiJson-like { status, headers, text, json }. */
async function upload(slug, data, { token, client, filename = 'photo.jpg', type, alt = 'Une photo de test',
                                     fields = [], csrf = true, base = srv.base, route } = {}) {
    const f = [...fields];
    if (alt !== null)
        f.push(['alt', alt]);
    if (client && csrf === true)
        f.push(['csrf', client.csrf]);
    else if (typeof csrf === 'string')
        f.push(['csrf', csrf]);
    const mp = multipart(f, data ? [{ filename, type, data }] : []);
    const headers = { 'content-type': mp.type };
    if (token)
        headers.authorization = `Bearer ${token}`;
    if (client)
        headers.cookie = client.jar.header();
    const r = await request(base, route || `/api/v1/entries/${slug}/media`, { method: 'POST', headers, body: mp.body });
    let json = null;
    try { json = JSON.parse(r.text); } catch { /* not JSON */ }
    return { ...r, json };
}

async function newEntry(token, title) {
    const r = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token, body: { kind: 'innovation', ...sampleInnovation({ title }) },
    });
    assert.equal(r.status, 201, r.text);
    return r.json.slug;
}

async function entryMedia(slug, token) {
    const r = await apiJson(srv.base, `/api/v1/entries/${slug}`, { token });
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json.media), 'the entry JSON has a media list');
    return r.json.media;
}

const pathOf = (url) => new URL(url, srv.base).pathname;

/* GET a file; returns { status, headers, buf }. */
async function getFile(url, { token, client } = {}) {
    const headers = {};
    if (token)
        headers.authorization = `Bearer ${token}`;
    if (client)
        headers.cookie = client.jar.header();
    const res = await fetch(srv.base + pathOf(url), { headers, redirect: 'manual' });
    return { status: res.status, headers: res.headers, buf: Buffer.from(await res.arrayBuffer()) };
}

/* exiftool's view of files: one object per file (-a -G1 -n). */
function exif(files) {
    return JSON.parse(run('exiftool', ['-json', '-a', '-G1', '-n', ...files]));
}

/* vipsheader: [width, height] of each file, in one run ("FILE: WxH uchar, …" per line). */
function dims(files) {
    const lines = run('vipsheader', files).trim().split('\n');
    assert.equal(lines.length, files.length, 'vipsheader: one line per file');
    return lines.map((l) => {
        const m = /: (\d+)x(\d+) /.exec(l);
        assert.ok(m, `vipsheader: ${l}`);
        return [Number(m[1]), Number(m[2])];
    });
}

/* exiftool -G1 groups that hold metadata (EXIF's IFDs, GPS, XMP-*, ICC_Profile…): none may be
 * left. ExifTool:, File:, JFIF:, RIFF: describe the file itself. */
const METADATA_GROUP = /^(IFD\d|ExifIFD|SubIFD|InteropIFD|GPS|XMP|ICC|IPTC|Photoshop|MakerNotes|Adobe|MPF|EXIF:)/i;

async function healthy() {
    const r = await request(srv.base, '/healthz');
    assert.equal(r.status, 200, '/healthz still answers');
}

before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foison-media-'));
    // The rate of edits counts uploads; this file uploads many: no limit here (ratelimit tests
    // cover the limit itself).
    srv = await startServer({ config: { rate_edits: '0', rate_edits_new: '0', report_hide: '1' } });
    [alice, bruno, chloe, marc] = await Promise.all(['a', 'b', 'c', 'm'].map(
        (k) => loginOk(srv.base, srv.users[k].email, srv.users[k].password)));

    // A phone photo: 4000 × 3000 stored, Orientation 6 (shown 3000 × 4000), GPS and XMP inside.
    vipsBlack('big.jpg', 4000, 3000);
    run('exiftool', ['-overwrite_original', '-n', '-GPSLatitude=48.39', '-GPSLatitudeRef=N',
                     '-GPSLongitude=4.49', '-GPSLongitudeRef=W', '-Orientation=6', '-Artist=Secret Artist',
                     '-XMP-dc:Creator=Secret Creator', 'big.jpg']);
    F.bigJpeg = fs.readFileSync(path.join(tmp, 'big.jpg'));
    const check = exif([path.join(tmp, 'big.jpg')])[0];
    assert.equal(check['GPS:GPSLatitude'], 48.39, 'the input has a GPS position');
    assert.equal(check['IFD0:Orientation'], 6, 'the input has Orientation 6');
    F.png = vipsBlack('alpha.png', 300, 200, 4);
    F.webp = vipsBlack('pic.webp', 800, 600);
    run('vips', ['black', path.join(tmp, 'h.v'), '640', '480', '--bands', '3']);
    run('vips', ['heifsave', path.join(tmp, 'h.v'), path.join(tmp, 'pic.heic'), '--compression', 'hevc']);
    F.heic = fs.readFileSync(path.join(tmp, 'pic.heic'));
    F.pdf = minimalPdf('Charte');
    // OpenDocument: "mimetype" first, stored (-0), no extra fields (-X); content deflated after.
    fs.mkdirSync(path.join(tmp, 'odt'));
    fs.writeFileSync(path.join(tmp, 'odt', 'mimetype'), 'application/vnd.oasis.opendocument.text');
    fs.writeFileSync(path.join(tmp, 'odt', 'content.xml'),
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:body><office:text/></office:body></office:document-content>');
    spawnSync('zip', ['-0', '-X', '../doc.odt', 'mimetype'], { cwd: path.join(tmp, 'odt') });
    spawnSync('zip', ['-X', '-r', '../doc.odt', 'content.xml'], { cwd: path.join(tmp, 'odt') });
    F.odt = fs.readFileSync(path.join(tmp, 'doc.odt'));
    assert.equal(F.odt.subarray(30, 38).toString(), 'mimetype', 'zip put mimetype first');
});

after(async () => {
    await srv?.stop();
    if (tmp && !process.env.FOISON_KEEP_TMP)
        fs.rmSync(tmp, { recursive: true, force: true });
});

let photo; // the big photo's answer, on slugPhoto
let slugPhoto;

test('a phone photo: 201, the JSON shape, upright, every srcset file right and without metadata', async () => {
    slugPhoto = await newEntry(srv.users.a.token, 'Atelier photo de Plouzané');
    const r = await upload(slugPhoto, F.bigJpeg, { token: srv.users.a.token, alt: 'Des bénévoles à l’atelier',
                                                   fields: [['author', 'Alice'], ['caption', 'Le samedi']] });
    assert.equal(r.status, 201, r.text);
    const m = r.json;
    for (const k of ['id', 'type', 'url', 'width', 'height', 'srcset', 'alt', 'license', 'author'])
        assert.ok(k in m, `field ${k} in ${r.text}`);
    assert.ok(Number.isInteger(m.id));
    assert.equal(m.type, 'image');
    assert.equal(m.alt, 'Des bénévoles à l’atelier');
    assert.equal(m.author, 'Alice');
    assert.equal(m.license, 'CC-BY-SA-4.0', "the licence defaults to the entry's");
    assert.equal(m.state, 'published', 'a trusted account publishes at once');
    assert.deepEqual([m.width, m.height], [3000, 4000], 'dimensions upright (Orientation 6)');
    assert.equal(pathOf(r.headers.get('location')), pathOf(m.url), 'Location is the main file');
    assert.ok(Array.isArray(m.srcset) && m.srcset.length === 8, `8 files: ${m.srcset.length}`);
    const widths = [...new Set(m.srcset.map((s) => s.width))];
    assert.deepEqual(widths, [320, 640, 1024, 1600]);
    for (const w of widths)
        assert.deepEqual(m.srcset.filter((s) => s.width === w).map((s) => s.type).sort(), ['image/jpeg', 'image/webp']);
    assert.ok(m.srcset.some((s) => pathOf(s.url) === pathOf(m.url)), 'url is one of the srcset');
    const files = [];
    for (const s of m.srcset) {
        assert.match(pathOf(s.url), /^\/media\/[0-9a-f]{64}\.(webp|jpg)$/);
        const f = await getFile(s.url);
        assert.equal(f.status, 200, s.url);
        assert.equal(f.headers.get('content-type').split(';')[0], s.type, `${s.url} type`);
        assert.equal(f.headers.get('cache-control'), IMMUTABLE, `${s.url} cache`);
        const file = path.join(tmp, `got-${path.basename(pathOf(s.url))}`);
        fs.writeFileSync(file, f.buf);
        files.push(file);
    }
    dims(files).forEach(([w, h], i) => {
        const s = m.srcset[i];
        assert.deepEqual([w, h], [s.width, s.height], `${s.url}: real size = JSON's`);
        assert.ok(h > w, `${s.url} is upright (portrait)`);
        assert.ok(Math.abs(s.width * 4000 / 3000 - s.height) <= 1, `${s.url} keeps the ratio`);
    });
    for (const info of exif(files)) {
        const bad = Object.keys(info).filter((k) => METADATA_GROUP.test(k) || /GPS/i.test(k));
        assert.deepEqual(bad, [], `${info.SourceFile}: no metadata left`);
        assert.ok(!JSON.stringify(info).includes('Secret'), `${info.SourceFile}: the artist is gone`);
    }
    photo = m;
    const listed = await entryMedia(slugPhoto);
    assert.deepEqual(listed.map((x) => x.id), [m.id], 'the public entry JSON lists it');
    assert.deepEqual(listed[0].srcset, m.srcset);
});

test('PNG with alpha, WebP, HEIC: 201 with files of their real sizes', async () => {
    const slug = await newEntry(srv.users.a.token, 'Formats d’images variés');
    const cases = [
        ['alpha.png', F.png, [300, 200], [300]],
        ['pic.webp', F.webp, [800, 600], [320, 640]],
        ['pic.heic', F.heic, [640, 480], [320, 640]],
    ];
    for (const [name, data, size, widths] of cases) {
        const r = await upload(slug, data, { token: srv.users.a.token, filename: name, alt: `Image ${name}` });
        assert.equal(r.status, 201, `${name}: ${r.text}`);
        assert.deepEqual([r.json.width, r.json.height], size, name);
        assert.deepEqual([...new Set(r.json.srcset.map((s) => s.width))], widths, name);
        for (const s of r.json.srcset) {
            const f = await getFile(s.url);
            assert.equal(f.status, 200);
            assert.equal(f.headers.get('content-type').split(';')[0], s.type);
            const file = path.join(tmp, `fmt-${path.basename(pathOf(s.url))}`);
            fs.writeFileSync(file, f.buf);
            assert.deepEqual(dims([file])[0], [s.width, s.height], `${name} ${s.url}`);
        }
    }
    assert.equal((await entryMedia(slug)).length, 3);
});

test('the same bytes on another entry are stored once; twice on one entry → 422', async () => {
    const other = await newEntry(srv.users.b.token, 'Autre atelier photo');
    const r = await upload(other, F.bigJpeg, { token: srv.users.b.token, alt: 'La même photo ailleurs' });
    assert.equal(r.status, 201, r.text);
    assert.notEqual(r.json.id, photo.id, 'a medium of its own');
    assert.deepEqual(r.json.srcset.map((s) => pathOf(s.url)), photo.srcset.map((s) => pathOf(s.url)),
                     'the same files');
    const again = await upload(slugPhoto, F.bigJpeg, { token: srv.users.b.token, alt: 'Encore' });
    assert.equal(again.status, 422, again.text);
    assert.ok(again.json, 'JSON errors');
    assert.equal((await entryMedia(slugPhoto)).length, 1, 'nothing added');
});

test('documents: PDF and ODT served as attachments with their type, sandboxed', async () => {
    const slug = await newEntry(srv.users.a.token, 'Charte et guide');
    for (const [name, data, mime] of [['charte.pdf', F.pdf, 'application/pdf'],
                                      ['guide "été".odt', F.odt, 'application/vnd.oasis.opendocument.text']]) {
        const r = await upload(slug, data, { token: srv.users.a.token, filename: name, alt: null,
                                             type: 'application/octet-stream' });
        assert.equal(r.status, 201, `${name}: ${r.text}`);
        assert.equal(r.json.type, 'document');
        assert.deepEqual(r.json.srcset, []);
        const f = await getFile(r.json.url);
        assert.equal(f.status, 200);
        assert.equal(f.headers.get('content-type').split(';')[0], mime);
        assert.match(f.headers.get('content-disposition'), /^attachment;/);
        assert.match(f.headers.get('content-security-policy'), /sandbox/);
        assert.equal(f.headers.get('cache-control'), IMMUTABLE);
        assert.ok(f.buf.equals(data), `${name}: the bytes as uploaded`);
        if (name.endsWith('.odt')) {
            assert.equal(r.json.filename, name);
            assert.equal(f.headers.get('content-disposition'),
                         "attachment; filename=\"guide ___t___.odt\"; filename*=UTF-8''guide%20%22%C3%A9t%C3%A9%22.odt");
        }
    }
    const page = await request(srv.base, `/innovations/${slug}`);
    assert.match(page.text, /<section class="documents"/);
});

test('refused types, told by content → 415 (whatever their name and declared type)', async () => {
    const slug = await newEntry(srv.users.a.token, 'Types refusés');
    const bomb = zipOne('zeros.bin', Buffer.alloc(32 * 1024 * 1024));
    assert.ok(bomb.length < 100 * 1024, 'the bomb is small: 32 MiB of zeros in a few dozen KB');
    const refused = [
        ['a.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
        ['b.svg', 'image/svg+xml', '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'],
        ['c.jpg', 'image/jpeg', '\ufeff  \r\n<SVG onload="alert(1)"></SVG>'],
        ['d.png', 'image/png', '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>'],
        ['e.svg', 'image/svg+xml', '<!-- c --><svg/>'],
        ['f.svgz', 'image/svg+xml', zlib.gzipSync('<svg xmlns="http://www.w3.org/2000/svg"/>')],
        ['g.html', 'text/html', '<!doctype html><html><script>alert(1)</script></html>'],
        ['h.jpg', 'image/jpeg', '<html><body>x</body></html>'],
        ['i.gif', 'image/gif', Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(32)])],
        ['j.mp4', 'video/mp4', Buffer.concat([Buffer.from('\0\0\0\x18ftypisom\0\0\x02\0isomiso2', 'latin1'), Buffer.alloc(64)])],
        ['k.jpg', 'image/jpeg', crypto.randomBytes(4096)],
        ['bomb.pdf', 'application/pdf', bomb],
        ['l.pdf', 'application/pdf', Buffer.from('PK\x03\x04', 'latin1')],
    ];
    const before = Date.now();
    for (const [name, type, content] of refused) {
        const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
        const r = await upload(slug, data, { token: srv.users.a.token, filename: name, type });
        assert.equal(r.status, 415, `${name}: ${r.status} ${r.text}`);
        assert.ok(r.json, `${name}: JSON errors`);
    }
    assert.ok(Date.now() - before < 10000, 'refused quickly (the bomb is never inflated)');
    assert.equal((await entryMedia(slug)).length, 0, 'nothing stored');
    await healthy();
});

test('bad images → 422: no alt, a 50,000 × 50,000 PNG header, truncated or corrupt JPEG', async () => {
    const slug = await newEntry(srv.users.a.token, 'Images invalides');
    const noAlt = await upload(slug, uniqueJpeg(), { token: srv.users.a.token, alt: null });
    assert.equal(noAlt.status, 422, noAlt.text);
    assert.ok(noAlt.text.includes('alt'), 'the error names alt');
    const blank = await upload(slug, uniqueJpeg(), { token: srv.users.a.token, alt: '   ' });
    assert.equal(blank.status, 422, blank.text);
    const huge = pngHeader(50000, 50000);
    assert.ok(huge.length < 1000);
    const t0 = Date.now();
    const big = await upload(slug, huge, { token: srv.users.a.token, filename: 'huge.png' });
    assert.equal(big.status, 422, big.text);
    assert.ok(Date.now() - t0 < 5000, 'refused from its header');
    // 20,001 px on a side (well under 50 MP) is refused too.
    const tall = await upload(slug, pngHeader(20001, 10), { token: srv.users.a.token, filename: 'tall.png' });
    assert.equal(tall.status, 422, tall.text);
    const cut = await upload(slug, F.bigJpeg.subarray(0, Math.floor(F.bigJpeg.length * 0.6)),
                             { token: srv.users.a.token, filename: 'cut.jpg' });
    assert.equal(cut.status, 422, cut.text);
    // Corrupt: the Huffman tables replaced by junk (libjpeg: "Bogus Huffman table definition").
    const corrupt = Buffer.from(uniqueJpeg());
    let dht = -1;
    for (let i = 2; i + 4 < corrupt.length; i++)
        if (corrupt[i] === 0xff && corrupt[i + 1] === 0xc4) { dht = i; break; }
    assert.ok(dht > 0, 'the JPEG has a DHT segment');
    corrupt.fill(0xff, dht + 5, dht + 5 + 16);
    const bad = await upload(slug, corrupt, { token: srv.users.a.token, filename: 'corrupt.jpg' });
    assert.equal(bad.status, 422, bad.text);
    // A JPEG of only its first bytes.
    const stub = await upload(slug, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), { token: srv.users.a.token });
    assert.equal(stub.status, 422, stub.text);
    assert.equal((await entryMedia(slug)).length, 0, 'nothing stored');
    await healthy();
});

test('a multipart body cut in the middle → 400, nothing stored; a missing file → 422', async () => {
    const slug = await newEntry(srv.users.a.token, 'Envoi coupé');
    const mp = multipart([['alt', 'Coupée']], [{ filename: 'x.jpg', type: 'image/jpeg', data: uniqueJpeg() }]);
    const end = Buffer.from(`\r\n--${mp.type.split('boundary=')[1]}--\r\n`);
    const cut = mp.body.subarray(0, mp.body.length - end.length - 10);
    const r = await rawRequest(srv.base, `/api/v1/entries/${slug}/media`, {
        method: 'POST', body: cut,
        headers: { 'content-type': mp.type, authorization: `Bearer ${srv.users.a.token}`, 'content-length': cut.length },
    });
    assert.equal(r.status, 400, r.body);
    // No closing delimiter at all (the whole file there).
    const noClose = mp.body.subarray(0, mp.body.length - end.length + 2);
    const r2 = await rawRequest(srv.base, `/api/v1/entries/${slug}/media`, {
        method: 'POST', body: noClose,
        headers: { 'content-type': mp.type, authorization: `Bearer ${srv.users.a.token}` },
    });
    assert.equal(r2.status, 400, r2.body);
    // A boundary the body does not hold.
    const r3 = await rawRequest(srv.base, `/api/v1/entries/${slug}/media`, {
        method: 'POST', body: mp.body,
        headers: { 'content-type': 'multipart/form-data; boundary=autre', authorization: `Bearer ${srv.users.a.token}` },
    });
    assert.equal(r3.status, 400, r3.body);
    assert.equal((await entryMedia(slug)).length, 0, 'nothing stored');
    const none = await upload(slug, null, { token: srv.users.a.token });
    assert.equal(none.status, 422, none.text);
    await healthy();
});

test('the door: 401 anonymous or bad token, 403 session without or with a bad csrf', async () => {
    const slug = await newEntry(srv.users.a.token, 'La porte des envois');
    const data = uniqueJpeg();
    const anon = await upload(slug, data, {});
    assert.equal(anon.status, 401, anon.text);
    const badToken = await upload(slug, data, { token: 'f'.repeat(64) });
    assert.equal(badToken.status, 401, badToken.text);
    const noCsrf = await upload(slug, data, { client: alice, csrf: false });
    assert.equal(noCsrf.status, 403, noCsrf.text);
    const badCsrf = await upload(slug, data, { client: alice, csrf: '0'.repeat(128) });
    assert.equal(badCsrf.status, 403, badCsrf.text);
    assert.equal((await entryMedia(slug)).length, 0);
    const ok = await upload(slug, data, { client: alice });
    assert.equal(ok.status, 201, ok.text);
    const unknown = await upload('pas-de-fiche-ainsi', uniqueJpeg(), { token: srv.users.a.token });
    assert.equal(unknown.status, 404, unknown.text);
});

test('the /medias page: its form uploads with the session, refuses without csrf, deletes', async () => {
    const slug = await newEntry(srv.users.a.token, 'Page des médias');
    const anonPage = await request(srv.base, `/innovations/${slug}/medias`);
    assert.ok([302, 303].includes(anonPage.status), `anonymous → login (${anonPage.status})`);
    const page = await alice.get(`/innovations/${slug}/medias`);
    assert.equal(page.status, 200);
    assert.match(page.text, /enctype="multipart\/form-data"/);
    const csrf = getCsrf(page.text);
    const data = uniqueJpeg();
    const noCsrf = await upload(slug, data, { client: alice, csrf: false, route: `/innovations/${slug}/medias` });
    assert.equal(noCsrf.status, 403, `no csrf: ${noCsrf.status}`);
    const failed = await upload(slug, data, { client: alice, csrf, alt: null, fields: [['caption', 'Gardée']],
                                              route: `/innovations/${slug}/medias` });
    assert.equal(failed.status, 422, 'no alt on the page → 422');
    assert.match(decodeEntities(failed.text), /texte alternatif/i);
    assert.match(failed.text, /value="Gardée"/, 'the caption sent is kept');
    const r = await upload(slug, data, { client: alice, csrf, alt: 'Par le formulaire',
                                         route: `/innovations/${slug}/medias` });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const list = await entryMedia(slug);
    assert.equal(list.length, 1);
    assert.equal(list[0].alt, 'Par le formulaire');
    const urls = list[0].srcset.map((s) => s.url);
    assert.equal((await getFile(urls[0])).status, 200);
    // The record page shows it: main image with alt and srcset.
    const rec = await request(srv.base, `/innovations/${slug}`);
    assert.match(rec.text, /<figure class="media-main">/);
    assert.match(rec.text, /<img [^>]*alt="Par le formulaire"/);
    for (const u of urls)
        assert.ok(rec.text.includes(pathOf(u)), `record page srcset has ${pathOf(u)}`);
    // Removed through the page's form.
    const del = await postForm(srv.base, `/innovations/${slug}/medias/${list[0].id}`,
                               { csrf: alice.csrf, action: 'delete' }, { cookies: alice.jar });
    assert.equal(del.status, 303, del.text.slice(0, 300));
    assert.deepEqual(await entryMedia(slug), []);
    for (const u of urls)
        assert.equal((await getFile(u)).status, 404, `deleted: ${u} 404 for the public`);
    const after = await request(srv.base, `/innovations/${slug}`);
    assert.ok(!after.text.includes(pathOf(urls[0])), 'gone from the record page');
});

test("a contributor's upload is pending: only its uploader and moderators see it", async () => {
    const slug = await newEntry(srv.users.a.token, 'Fiche où Chloé envoie');
    const r = await upload(slug, uniqueJpeg(), { token: srv.users.c.token, alt: 'Photo de Chloé' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'pending');
    const urls = r.json.srcset.map((s) => s.url);
    for (const u of urls) {
        assert.equal((await getFile(u)).status, 404, `anonymous: ${u}`);
        assert.equal((await getFile(u, { client: bruno })).status, 404, `another account: ${u}`);
        assert.equal((await getFile(u, { token: srv.users.b.token })).status, 404, `another token: ${u}`);
        const own = await getFile(u, { client: chloe });
        assert.equal(own.status, 200, `the uploader: ${u}`);
        assert.doesNotMatch(own.headers.get('cache-control') || '', /public/, 'not cached publicly');
        assert.equal((await getFile(u, { token: srv.users.c.token })).status, 200, `uploader's token: ${u}`);
        assert.equal((await getFile(u, { client: marc })).status, 200, `a moderator: ${u}`);
    }
    // Another contributor (made for this test) sees nothing either.
    const other = { email: 'diane.media@test.foison', password: 'diane-password-5' };
    const add = spawnSync(BIN, ['user', 'add', srv.db, '--email', other.email, '--name', 'Diane Autre',
                                '--role', 'contributor'], { input: `${other.password}\n`, encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    const tok = spawnSync(BIN, ['token', 'create', srv.db, '--email', other.email], { encoding: 'utf8' });
    assert.equal(tok.status, 0, tok.stderr);
    const diane = await loginOk(srv.base, other.email, other.password);
    for (const u of urls) {
        assert.equal((await getFile(u, { client: diane })).status, 404, `another contributor: ${u}`);
        assert.equal((await getFile(u, { token: tok.stdout.trim() })).status, 404, `her token: ${u}`);
    }
    assert.deepEqual(await entryMedia(slug), [], 'not in the public entry JSON');
    assert.deepEqual(await entryMedia(slug, srv.users.b.token), [], "not in another account's entry JSON");
    const own = await entryMedia(slug, srv.users.c.token);
    assert.deepEqual(own.map((x) => [x.id, x.state]), [[r.json.id, 'pending']], "in the uploader's entry JSON");
    const rec = await request(srv.base, `/innovations/${slug}`);
    assert.ok(!rec.text.includes(pathOf(urls[0])), 'not on the public record page');
    // And still not public after the uploader fetched it (no cache leak).
    assert.equal((await getFile(urls[0])).status, 404);

    // The moderators' page lists it; approved, it is public.
    const mod = await marc.get('/moderation');
    assert.ok(mod.text.includes(`/moderation/medias/${r.json.id}/approve`), 'on the moderation page');
    const ok = await postForm(srv.base, `/moderation/medias/${r.json.id}/approve`, { csrf: marc.csrf },
                              { cookies: marc.jar });
    assert.equal(ok.status, 303, ok.text.slice(0, 200));
    assert.equal((await getFile(urls[0])).status, 200, 'approved: public');
    assert.deepEqual((await entryMedia(slug)).map((x) => x.id), [r.json.id]);

    // Rejected: never public, and gone from the uploader's view of the entry JSON.
    const r2 = await upload(slug, uniqueJpeg(), { token: srv.users.c.token, alt: 'Autre photo de Chloé' });
    assert.equal(r2.status, 201, r2.text);
    const no = await postForm(srv.base, `/moderation/medias/${r2.json.id}/reject`, { csrf: marc.csrf },
                              { cookies: marc.jar });
    assert.equal(no.status, 303);
    for (const s of r2.json.srcset)
        assert.equal((await getFile(s.url)).status, 404, `rejected: ${s.url}`);
    // A contributor may not decide.
    const r3 = await upload(slug, uniqueJpeg(), { token: srv.users.c.token, alt: 'Troisième' });
    const self = await postForm(srv.base, `/moderation/medias/${r3.json.id}/approve`, { csrf: chloe.csrf },
                                { cookies: chloe.jar });
    assert.equal(self.status, 403);
    assert.equal((await getFile(r3.json.url)).status, 404);
});

test('after a removal the same file may come back; the parser refuses odd bodies (400)', async () => {
    const slug = await newEntry(srv.users.a.token, 'Retour après retrait');
    const data = uniqueJpeg();
    const r = await upload(slug, data, { token: srv.users.a.token });
    assert.equal(r.status, 201, r.text);
    const del = await postForm(srv.base, `/innovations/${slug}/medias/${r.json.id}`,
                               { csrf: alice.csrf, action: 'delete' }, { cookies: alice.jar });
    assert.equal(del.status, 303);
    const back = await upload(slug, data, { token: srv.users.a.token });
    assert.equal(back.status, 201, `re-upload after removal: ${back.text}`);
    assert.equal((await getFile(back.json.url)).status, 200);

    const token = srv.users.a.token;
    const post = (body, type) => rawRequest(srv.base, `/api/v1/entries/${slug}/media`, {
        method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${token}` },
    });
    // Five file parts (four at most).
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, filename: `${i}.jpg`, data: Buffer.from('x') }));
    const five = multipart([['alt', 'x']], files);
    assert.equal((await post(five.body, five.type)).status, 400, 'five files');
    // A text part that is not UTF-8.
    const bad = multipart([['alt', 'x']], [{ filename: 'a.jpg', data: uniqueJpeg() }]);
    const badBody = Buffer.from(bad.body);
    const at = badBody.indexOf('\r\n\r\nx\r\n') + 4;
    badBody[at] = 0xff;
    assert.equal((await post(badBody, bad.type)).status, 400, 'alt not UTF-8');
    // A part without a name.
    const b = 'XyZ';
    const noName = Buffer.from(`--${b}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--${b}--\r\n`);
    assert.equal((await post(noName, `multipart/form-data; boundary=${b}`)).status, 400, 'no name');
    // No boundary parameter, or one too long: not multipart, so no file → 422 (or 400).
    const plain = await post(bad.body, 'multipart/form-data');
    assert.ok([400, 415, 422].includes(plain.status), `no boundary: ${plain.status}`);
    // A quoted boundary works.
    const q = multipart([['alt', 'Guillemets']], [{ filename: 'q.jpg', data: uniqueJpeg() }], 'quoted-b');
    const qr = await post(q.body, 'multipart/form-data; boundary="quoted-b"');
    assert.equal(qr.status, 201, qr.body);
    assert.equal((await entryMedia(slug)).length, 2, 'only the two good uploads stored');
    await healthy();
});

test('a medium on a hidden entry or on a never-published one is not served to the public', async () => {
    // Hidden: one report hides (report_hide 1).
    const slug = await newEntry(srv.users.a.token, 'Fiche bientôt masquée');
    const r = await upload(slug, uniqueJpeg(), { token: srv.users.a.token });
    assert.equal(r.status, 201, r.text);
    const u = r.json.srcset[0].url;
    assert.equal((await getFile(u)).status, 200, 'public before');
    const rep = await apiJson(srv.base, `/api/v1/entries/${slug}/reports`, {
        method: 'POST', token: srv.users.b.token, body: { reason: 'spam', comment: 'test' },
    });
    assert.ok([200, 201].includes(rep.status), rep.text);
    assert.equal((await request(srv.base, `/innovations/${slug}`)).status, 404, 'the entry is hidden');
    for (const s of r.json.srcset)
        assert.equal((await getFile(s.url)).status, 404, `hidden entry: ${s.url}`);
    assert.equal((await getFile(u, { client: marc })).status, 200, 'a moderator still sees it');

    // Never published: Chloé's new entry waits; a moderator's medium on it stays unseen.
    const c = await apiJson(srv.base, '/api/v1/entries', {
        method: 'POST', token: srv.users.c.token, body: { kind: 'innovation', ...sampleInnovation({ title: 'Fiche de Chloé en attente' }) },
    });
    assert.equal(c.status, 201, c.text);
    assert.notEqual(c.json.state, 'published');
    const m = await upload(c.json.slug, uniqueJpeg(), { token: srv.users.m.token });
    assert.equal(m.status, 201, m.text);
    for (const s of m.json.srcset)
        assert.equal((await getFile(s.url)).status, 404, `never-published entry: ${s.url}`);
    assert.equal((await getFile(m.json.url, { client: marc })).status, 200);
});

test('size limits: over the domain limit (20 MiB) → 413', async () => {
    const slug = await newEntry(srv.users.a.token, 'Trop lourd');
    const big = Buffer.concat([minimalPdf('x'), Buffer.alloc(21 * 1024 * 1024, 0x20)]);
    const r = await upload(slug, big, { token: srv.users.a.token, filename: 'gros.pdf', alt: null });
    assert.equal(r.status, 413, r.text.slice(0, 300));
    assert.equal((await entryMedia(slug)).length, 0);
    await healthy();
});

test('--max-upload: a body over it → 413 before it is read', async () => {
    const small = await startServer({ serveArgs: ['--max-upload', '100000', '--max-body', '65536'] });
    try {
        const slugR = await apiJson(small.base, '/api/v1/entries', {
            method: 'POST', token: small.users.a.token, body: { kind: 'innovation', ...sampleInnovation() },
        });
        assert.equal(slugR.status, 201, slugR.text);
        const slug = slugR.json.slug;
        // Under --max-upload but over --max-body: accepted on the upload route (only there).
        const mid = Buffer.concat([minimalPdf('x'), Buffer.alloc(80000, 0x20)]);
        const ok = await upload(slug, mid, { token: small.users.a.token, base: small.base, alt: null,
                                             filename: 'moyen.pdf' });
        assert.equal(ok.status, 201, ok.text);
        const elsewhere = await request(small.base, '/api/v1/entries', {
            method: 'POST', body: mid,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${small.users.a.token}` },
        }).catch((e) => ({ status: `error ${e.cause?.code || e.code}` }));
        assert.equal(elsewhere.status, 413, 'other routes keep --max-body');
        const over = Buffer.concat([minimalPdf('x'), Buffer.alloc(150000, 0x20)]);
        const r = await upload(slug, over, { token: small.users.a.token, base: small.base, alt: null });
        assert.equal(r.status, 413, r.text.slice(0, 300));
        // Chunked (no Content-Length) and over it: 413 too.
        const mp = multipart([['alt', 'x']], [{ filename: 'x.pdf', data: over }]);
        const half = Math.floor(mp.body.length / 2);
        const c = await rawRequest(small.base, `/api/v1/entries/${slug}/media`, {
            method: 'POST', chunks: [mp.body.subarray(0, half), mp.body.subarray(half)],
            headers: { 'content-type': mp.type, authorization: `Bearer ${small.users.a.token}`, 'transfer-encoding': 'chunked' },
        }).catch((e) => ({ status: `error ${e.code}` }));
        assert.equal(c.status, 413);
        const h = await request(small.base, '/healthz');
        assert.equal(h.status, 200);
    } finally {
        await small.stop();
    }
});

test('the server still answers after every bad input', async () => {
    await healthy();
    const r = await request(srv.base, `/media/${'0'.repeat(64)}.jpg`);
    assert.equal(r.status, 404);
    const wrongExt = await request(srv.base, pathOf(photo.srcset[1].url).replace(/\.\w+$/, '.pdf'));
    assert.equal(wrongExt.status, 404, 'another extension names no file');
    assert.ok(BIN);
});
