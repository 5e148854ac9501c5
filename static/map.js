// map.js — the map of /carte and /embed/carte (templates/map_view.html, src/web/map.c), on
// Leaflet and supercluster (npm packages served by foison beside this file). The page already
// holds the filters' form, the list of matching records and the settings (data attributes of
// #carte); without this script, or when Leaflet did not load, that list is the page.
//
// One request, GET /api/v1/geo/compact with the page's filters, brings every point in a
// compact form; supercluster indexes them once, and each view of the map draws only the
// clusters and points it shows (a few hundred markers at most, whatever the number of points:
// 100,000 never become 100,000 Leaflet markers). The list beside the map is replaced by the
// records of the view, in alphabetical order, each a link (the accessible path); markers and
// clusters are buttons reached by Tab, and Enter opens them. A point's popup reads its summary
// from GET /api/v1/geo?id=N. The view goes into the address (vue=zoom/lat/lon) as it moves, so
// that a map shared or reloaded shows the same place; the filters are already there (the form
// is sent by GET and keeps the view). With no tile reachable the map says so and draws the
// communes' centres under the points.
//
// What the server sends is only ever set as text (textContent), never parsed as HTML; only
// addresses of this site are followed; no style is set from here beyond what Leaflet itself
// positions (the CSP allows no style attribute).
//
// Performance marks for bench/map_browser.mjs (docs/PERFORMANCE.md, "Map at size"): map:start
// (this script runs), map:data (the answer is parsed), map:read (its arrays are made), map:indexed
// (supercluster holds every point), map:rendered (the first clusters are in the page),
// map:painted (the frame after the one that drew them), map:listed (the list beside the map is
// sorted and shown); and the measures map:draw and map:list for every view drawn and listed.
'use strict';
(function () {
    performance.mark('map:start');
    const NNBSP = '\u202f';
    const MAX_ZOOM = 18;
    const LIST_STEP = 100;
    const VIEW_DEBOUNCE_MS = 250;

    const root = document.getElementById('carte');
    if (!root || !window.L || !window.Supercluster)
        return;
    const L = window.L;
    const data = root.dataset;
    // Asked for before the map is made: the answer is on its way meanwhile.
    const filterQuery = data.query || '';
    const answer = fetch(`${data.api}${filterQuery ? `?${filterQuery}` : ''}`,
        { headers: { Accept: 'application/json' } });
    const embed = data.embed === '1';
    const frame = document.getElementById('carte-cadre');
    const status = document.getElementById('carte-etat');
    const listSection = document.getElementById('carte-liste');
    const listTitle = document.getElementById('carte-liste-titre');
    const listBody = document.getElementById('carte-liste-fiches');
    const unplacedSection = document.getElementById('carte-inconnues');
    const unplacedList = document.getElementById('carte-inconnues-fiches');
    const form = document.getElementById('carte-filtres');
    const code = document.getElementById('code-integration');
    const copy = document.getElementById('copier-code');
    const copyStatus = document.getElementById('copier-etat');

    // "1 fiche", "12 fiches", "100 000 fiches" (thousands by a narrow no-break space).
    const plural = (n, one, many) =>
        `${n.toLocaleString('fr-FR').replace(/[\u00a0 ]/g, NNBSP)} ${n > 1 ? many : one}`;

    // An address of this site from what the server sent, or null.
    function siteUrl(path) {
        try {
            const u = new URL(path, window.location.origin);
            return u.origin === window.location.origin ? u.href : null;
        } catch {
            return null;
        }
    }

    function el(tag, className, text) {
        const e = document.createElement(tag);
        if (className)
            e.className = className;
        if (text !== undefined)
            e.textContent = text;
        return e;
    }

    function recordLink(href, title) {
        const a = el('a', '', title);
        a.href = href;
        if (embed)
            a.target = '_blank'; // the site's pages refuse to be framed
        return a;
    }

    function numbers(text, n) {
        const v = String(text || '').split(',').map(Number);
        return v.length === n && v.every(Number.isFinite) ? v : null;
    }

    // ---- the map ----
    frame.hidden = false;
    frame.parentElement.classList.add('has-map');
    const map = L.map(root, {
        maxZoom: MAX_ZOOM,
        minZoom: 2,
        zoomControl: false,
        attributionControl: false,
        keyboard: true,
        worldCopyJump: true,
    });
    root.setAttribute('role', 'region');
    root.setAttribute('aria-label', `Carte${NNBSP}: flèches pour la déplacer, + et − pour zoomer${NNBSP}; `
        + 'Tab atteint les fiches et les groupes de fiches');
    L.control.zoom({ zoomInTitle: 'Zoomer', zoomOutTitle: 'Dézoomer' }).addTo(map);
    const credit = L.control.attribution({ prefix: false }).addTo(map);

    // The view the address names; without one, a first view from the settings until the points
    // are there, then the box of the points (fitPoints).
    const vue = /^(\d{1,2})\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(data.vue || '');
    const center = numbers(data.center, 2);
    const bounds = numbers(data.bounds, 4);
    if (vue)
        map.setView([Number(vue[2]), Number(vue[3])], Math.min(Number(vue[1]), MAX_ZOOM));
    else if (center && Number.isInteger(Number(data.zoom)) && data.zoom !== '')
        map.setView(center, Number(data.zoom));
    else if (bounds)
        map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
    else
        map.setView([48.39, -4.49], 10);

    // The tiles: their credit as text (Leaflet writes attributions as HTML), linked to
    // OpenStreetMap's copyright page for its tiles.
    if (data.tiles) {
        const holder = el('span');
        let host = '';
        try {
            host = new URL(data.tiles.replace(/[{}]/g, '')).hostname;
        } catch { /* the server checked it */ }
        if (/(^|\.)openstreetmap\.org$/.test(host)) {
            const a = el('a', '', data.attribution || '© OpenStreetMap');
            a.href = 'https://www.openstreetmap.org/copyright';
            holder.append(a);
        } else {
            holder.textContent = data.attribution || '';
        }
        const tiles = L.tileLayer(data.tiles, { maxZoom: MAX_ZOOM, attribution: holder.innerHTML });
        let failed = 0, loaded = 0;
        tiles.on('tileload', () => { loaded++; });
        tiles.on('tileerror', () => {
            if (++failed === 1 && loaded === 0)
                tilesOff();
        });
        tiles.addTo(map);
    } else {
        tilesOff();
    }

    // No background: the communes' centres, faint and silent, so that the points stand over a
    // territory one recognises; the status says why the map looks bare.
    function tilesOff() {
        root.classList.add('tiles-off');
        let communes = [];
        try {
            communes = JSON.parse(data.communes || '[]');
        } catch { /* none */ }
        const layer = L.layerGroup();
        for (const c of communes)
            if (Array.isArray(c) && Number.isFinite(c[0]) && Number.isFinite(c[1]))
                L.circleMarker([c[1], c[0]], {
                    radius: 3, weight: 1, color: '#7b878f', fillColor: '#c9d1d6', fillOpacity: 1,
                    interactive: false, keyboard: false,
                }).addTo(layer);
        layer.addTo(map);
        layer.eachLayer((m) => m.bringToBack());
        note('Le fond de carte ne se charge pas' + `${NNBSP}: les fiches restent à leur place`
            + `${NNBSP}; les points gris sont les centres des communes.`, true);
    }

    let noteText = '', tilesNote = '';
    function note(text, tilesMessage) {
        if (tilesMessage)
            tilesNote = text;
        else
            noteText = text;
        status.textContent = [noteText, tilesNote].filter(Boolean).join(' ');
    }

    // Leaflet's popups say "Close popup".
    map.on('popupopen', (e) => {
        const close = e.popup.getElement()?.querySelector('.leaflet-popup-close-button');
        if (close) {
            close.setAttribute('aria-label', 'Fermer');
            close.title = 'Fermer';
        }
    });

    // ---- the points ----
    let kinds = [];
    let n = 0;
    let ids, lon, lat, kind, precision, titles, slugs;
    let sorted = null; // indexes by title, made once the first view is drawn
    let byKeyboard = false; // the last marker was opened with Enter or Space, not a pointer
    let index = null;
    const layer = L.layerGroup().addTo(map);

    // The link to point i's record (its address made when shown: a URL object for each of
    // 100,000 points would cost more than the index), or its title alone.
    function recordOf(i) {
        const href = kinds[kind[i]] ? siteUrl(kinds[kind[i]].path + slugs[i]) : null;
        return href ? recordLink(href, titles[i]) : document.createTextNode(titles[i]);
    }

    function kindLabel(k) {
        return kinds[k] ? kinds[k].label : '';
    }

    function load(body) {
        if (!body || !Array.isArray(body.points) || !Array.isArray(body.kinds))
            throw new Error('réponse inattendue');
        // A record's kind in the singular, as the page names it; the answer's plural otherwise.
        let singular = {};
        try {
            singular = JSON.parse(data.kindLabels || '{}');
        } catch { /* the answer's labels */ }
        kinds = body.kinds.map((k) => ({
            label: typeof singular[k.id] === 'string' ? singular[k.id]
                : typeof k.label === 'string' ? k.label : '',
            path: typeof k.path === 'string' ? k.path : '',
        }));
        const points = body.points.filter((p) => Array.isArray(p) && p.length >= 7
            && Number.isFinite(p[1]) && Number.isFinite(p[2]) && Math.abs(p[2]) <= 90
            && Math.abs(p[1]) <= 180 && typeof p[5] === 'string' && typeof p[6] === 'string');
        n = points.length;
        ids = new Float64Array(n);
        lon = new Float64Array(n);
        lat = new Float64Array(n);
        kind = new Uint8Array(n);
        precision = new Uint8Array(n);
        titles = new Array(n);
        slugs = new Array(n);
        const features = new Array(n);
        for (let i = 0; i < n; i++) {
            const p = points[i];
            ids[i] = p[0];
            lon[i] = p[1];
            lat[i] = p[2];
            kind[i] = p[3];
            precision[i] = p[4];
            titles[i] = p[5];
            slugs[i] = p[6];
            features[i] = { geometry: { coordinates: [p[1], p[2]] }, properties: { i } };
        }
        performance.mark('map:read');
        index = new window.Supercluster({ radius: 60, maxZoom: MAX_ZOOM, minPoints: 2 });
        index.load(features);
        performance.mark('map:indexed');
        const unplaced = Array.isArray(body.unplaced) ? body.unplaced : [];
        // Thousands of links at 100,000 points, laid out with the page: after the first paint.
        pendingUnplaced = unplaced;
        const total = Number.isFinite(body.total) ? body.total : n + unplaced.length;
        note(n === 0 && total === 0
            ? 'Aucune fiche ne correspond à ces filtres.'
            : `${plural(n, 'fiche', 'fiches')} sur la carte`
              + (unplaced.length ? `, ${plural(unplaced.length, 'fiche', 'fiches')} à position inconnue.` : '.'));
    }

    let pendingUnplaced = [];
    function showUnplaced(unplaced) {
        if (!unplacedSection)
            return;
        const items = [];
        for (const u of unplaced) {
            if (!Array.isArray(u) || u.length < 4 || typeof u[2] !== 'string')
                continue;
            const href = kinds[u[1]] ? siteUrl(kinds[u[1]].path + u[3]) : null;
            if (!href)
                continue;
            const li = el('li');
            li.append(recordLink(href, u[2]));
            if (kindLabel(u[1]))
                li.append(' ', el('span', 'kind-tag', kindLabel(u[1])));
            items.push(li);
        }
        unplacedList.replaceChildren(...items);
        unplacedSection.hidden = items.length === 0;
        const h = document.getElementById('carte-inconnues-titre');
        if (h)
            h.textContent = `Position inconnue (${items.length})`;
    }

    // ---- drawing a view ----
    function pinIcon(i) {
        const approx = precision[i] === 2;
        return L.divIcon({
            className: 'pin-icon',
            html: `<span class="pin pin-k${kind[i] % 8}${approx ? ' pin-approx' : ' pin-exact'}"></span>`,
            iconSize: [18, 18],
            iconAnchor: [9, 9],
            popupAnchor: [0, -9],
        });
    }

    function clusterIcon(count) {
        const size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 46 : 54;
        const label = count >= 10000 ? `${Math.round(count / 1000)}${NNBSP}k` : String(count);
        return L.divIcon({
            className: 'cluster-icon',
            html: `<span class="cluster">${label}</span>`,
            iconSize: [size, size],
            iconAnchor: [size / 2, size / 2],
        });
    }

    // A marker as a named button: Enter and Space do what a click does (Leaflet's own keyboard
    // handling only opens popups bound to the marker).
    function named(marker, name, open) {
        marker.on('add', () => {
            const e = marker.getElement();
            if (e)
                e.setAttribute('aria-label', name);
        });
        marker.on('click', open);
        marker.on('keypress', (e) => {
            const key = e.originalEvent.key;
            if (key === 'Enter' || key === ' ') {
                e.originalEvent.preventDefault();
                byKeyboard = true;
                open();
            }
        });
        return marker;
    }

    function draw() {
        if (!index)
            return;
        const t0 = performance.now();
        const b = map.getBounds().pad(0.1);
        const zoom = map.getZoom();
        const found = index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom);
        const markers = [];
        for (const f of found) {
            const [x, y] = f.geometry.coordinates;
            if (f.properties.cluster) {
                const count = f.properties.point_count;
                const id = f.properties.cluster_id;
                const m = named(L.marker([y, x], { icon: clusterIcon(count), keyboard: true }),
                    `Groupe de ${count} fiches${NNBSP}: zoomer`, () => openCluster(id, [y, x]));
                markers.push(m);
            } else {
                const i = f.properties.i;
                const approx = precision[i] === 2 ? ', position approximative' : '';
                const m = named(L.marker([lat[i], lon[i]], { icon: pinIcon(i), keyboard: true }),
                    `${titles[i]} (${kindLabel(kind[i])}${approx})`, () => openPoint(i));
                markers.push(m);
            }
        }
        // A marker with the focus is drawn anew too (the view moved to fit a popup, say): the
        // focus goes to its new element, not to the page.
        const had = document.activeElement;
        const focusedName = had && root.contains(had) && had.classList.contains('leaflet-marker-icon')
            ? had.getAttribute('aria-label') : null;
        layer.clearLayers();
        for (const m of markers)
            layer.addLayer(m);
        if (focusedName !== null && !root.contains(document.activeElement)) {
            const again = [...root.querySelectorAll('.leaflet-marker-icon')]
                .find((e) => e.getAttribute('aria-label') === focusedName);
            (again || root).focus();
        }
        root.dataset.markers = String(markers.length);
        performance.measure('map:draw', { start: t0 });
    }

    // The first view when the address names none: every point in sight (the settings' view
    // may leave them in a corner), within the settings' box when there is one (a record far
    // away, a partner in Paris, must not zoom the territory's map out to France), else that
    // box. Not written into the address: a shared link without a view keeps following the
    // points. Leaflet moves at once (no animation), so moveend has drawn it by the time this
    // returns.
    let quiet = false, moved = false;
    map.on('movestart', () => {
        if (!quiet)
            moved = true; // the visitor's own move before the points came: kept
    });
    function fitPoints() {
        if (moved)
            return false;
        let w = 180, s = 90, e = -180, nn = -90;
        for (let i = 0; i < n; i++) {
            if (lon[i] < w) w = lon[i];
            if (lon[i] > e) e = lon[i];
            if (lat[i] < s) s = lat[i];
            if (lat[i] > nn) nn = lat[i];
        }
        if (n && bounds) {
            // The points' box cut to the frame, with a margin (a frame of communes' centres
            // leaves out their coasts); none inside: the frame.
            const mx = (bounds[2] - bounds[0]) * 0.1, my = (bounds[3] - bounds[1]) * 0.1;
            w = Math.max(w, bounds[0] - mx);
            s = Math.max(s, bounds[1] - my);
            e = Math.min(e, bounds[2] + mx);
            nn = Math.min(nn, bounds[3] + my);
            if (w > e || s > nn)
                [w, s, e, nn] = bounds;
        }
        const box = n ? [[s, w], [nn, e]] : bounds ? [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] : null;
        if (!box)
            return false;
        quiet = true;
        try {
            map.fitBounds(box, { animate: false, padding: [16, 16], maxZoom: 15 });
        } finally {
            quiet = false;
        }
        return true;
    }

    // A cluster zooms in; one that no zoom splits (records at one commune's centre) lists its
    // records in a popup.
    function openCluster(id, latlng) {
        const next = index.getClusterExpansionZoom(id);
        if (next <= MAX_ZOOM && next > map.getZoom()) {
            map.setView(latlng, next);
            return;
        }
        const all = index.getLeaves(id, Infinity).map((l) => l.properties.i);
        const total = all.length;
        const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
        const leaves = all.sort((a, b) => collator.compare(titles[a], titles[b])).slice(0, 30);
        const box = el('div', 'popup');
        box.append(el('p', 'popup-title', `${plural(total, 'fiche', 'fiches')} à cet endroit`));
        const ul = el('ul', 'popup-list');
        for (const i of leaves) {
            const li = el('li');
            li.append(recordOf(i));
            li.append(' ', el('span', 'kind-tag', kindLabel(kind[i])));
            ul.append(li);
        }
        box.append(ul);
        if (total > leaves.length)
            box.append(el('p', 'meta', `et ${total - leaves.length} autres, dans la liste`));
        if (leaves.some((i) => precision[i] === 2))
            box.append(el('p', 'popup-approx', 'Positions approximatives (centre de la commune).'));
        L.popup(popupOptions()).setLatLng(latlng).setContent(box).openOn(map);
        focusPopup();
    }

    // As wide as a phone's map leaves beside the zoom buttons.
    function popupOptions() {
        const width = Math.max(160, Math.min(300, root.clientWidth - 90));
        return { maxWidth: width, minWidth: Math.min(200, width), autoPanPaddingTopLeft: [50, 10],
            autoPanPaddingBottomRight: [10, 10] };
    }

    const details = new Map(); // id -> properties from /api/v1/geo?id=

    async function openPoint(i) {
        const box = el('div', 'popup');
        box.append(el('p', 'popup-kind', kindLabel(kind[i])));
        const title = el('p', 'popup-title');
        title.append(recordOf(i));
        box.append(title);
        const summary = el('p', 'popup-summary', 'Chargement du résumé…');
        box.append(summary);
        if (precision[i] === 2)
            box.append(el('p', 'popup-approx', 'Position approximative' + `${NNBSP}: le centre de la commune.`));
        const popup = L.popup(popupOptions()).setLatLng([lat[i], lon[i]]).setContent(box).openOn(map);
        focusPopup();
        const id = ids[i];
        try {
            let p = details.get(id);
            if (!p) {
                const r = await fetch(`${data.popupApi}?id=${encodeURIComponent(id)}`,
                    { headers: { Accept: 'application/geo+json, application/json' } });
                if (!r.ok)
                    throw new Error(String(r.status));
                const body = await r.json();
                p = body && Array.isArray(body.features) && body.features[0]
                    ? body.features[0].properties || {} : {};
                details.set(id, p);
            }
            summary.textContent = typeof p.summary === 'string' ? p.summary : '';
            const im = p.image;
            if (im && typeof im.url === 'string' && im.url.startsWith('/media/')) {
                const img = el('img', 'popup-image');
                img.src = im.url;
                img.alt = typeof im.alt === 'string' ? im.alt : '';
                if (im.width) { img.width = im.width; img.height = im.height; }
                box.insertBefore(img, title);
            }
            if (typeof p.kind_label === 'string' && p.kind_label)
                box.firstChild.textContent = p.kind_label;
        } catch {
            summary.textContent = 'Le résumé n\'a pas pu être chargé.';
        }
        // Taller now: placed again, and the map moved for it to fit (Leaflet puts the content in
        // again, which takes the focus from it: given back).
        if (popup.isOpen()) {
            const focused = box.contains(document.activeElement) ? document.activeElement : null;
            popup.update();
            if (focused)
                focused.focus();
        }
    }

    // A popup opened from the keyboard takes the focus (its first link), so that Tab goes on
    // inside it; Escape closes it (Leaflet) and gives the focus back to the map.
    let focusBefore = null;
    root.addEventListener('pointerdown', () => { byKeyboard = false; }, true);
    // Leaflet closes a popup on Escape only while the map's box itself has the focus: from a
    // marker or the popup's link too.
    root.addEventListener('keydown', (e) => {
        if (e.key === 'Escape' && document.activeElement !== root
            && document.querySelector('.leaflet-popup')) {
            e.preventDefault();
            map.closePopup();
        }
    });
    function focusPopup() {
        const active = document.activeElement;
        if (!byKeyboard || !active || !root.contains(active) || active === root)
            return;
        focusBefore = active;
        setTimeout(() => {
            const link = document.querySelector('.leaflet-popup-content a');
            if (link)
                link.focus();
        }, 0);
    }
    map.on('popupclose', () => {
        // The focus is still in the map, or was lost with the popup's content (body): back to
        // the marker, or the map when the marker was drawn again meanwhile.
        const active = document.activeElement;
        if (focusBefore && (!active || active === document.body || root.contains(active))) {
            const back = document.body.contains(focusBefore) ? focusBefore : root;
            focusBefore = null;
            back.focus();
        }
    });

    // ---- the list of the view ----
    let shown = LIST_STEP;

    function sortByTitle() {
        const order = new Uint32Array(n);
        for (let i = 0; i < n; i++)
            order[i] = i;
        const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
        sorted = Uint32Array.from(Array.from(order).sort((a, b) => collator.compare(titles[a], titles[b])));
    }

    function list() {
        if (!listBody || !index)
            return;
        const t0 = performance.now();
        const b = map.getBounds();
        // Every point is looked at (the count is the view's): the box as plain numbers, the
        // order as a typed array (60 ms a zoom at 100,000 points before, 10 to 20 now).
        const south = b.getSouth(), north = b.getNorth(), west = b.getWest(), east = b.getEast();
        const order = sorted;
        const picked = [];
        let count = 0;
        for (let k = 0; k < n; k++) {
            const i = order ? order[k] : k;
            if (lat[i] >= south && lat[i] <= north && lon[i] >= west && lon[i] <= east) {
                count++;
                if (picked.length < shown)
                    picked.push(i);
            }
        }
        listTitle.textContent = count === 0
            ? 'Aucune fiche dans cette vue de la carte'
            : `${plural(count, 'fiche', 'fiches')} dans cette vue de la carte`;
        const parts = [];
        if (count === 0) {
            parts.push(el('p', '', n ? 'Dézoomez ou déplacez la carte pour en voir.'
                : 'Aucune fiche placée ne correspond à ces filtres.'));
        } else {
            parts.push(el('p', 'help', count > picked.length
                ? `Les ${picked.length} premières par ordre alphabétique.`
                : 'Par ordre alphabétique.'));
            const ol = el('ol', 'results map-items');
            for (const i of picked) {
                const li = el('li', 'result');
                const h = el('h3');
                h.append(recordOf(i));
                const meta = el('p', 'meta', kindLabel(kind[i]));
                if (precision[i] === 2)
                    meta.append(el('span', 'approx', 'position approximative'));
                const show = el('button', 'link show-on-map', 'Voir sur la carte');
                show.type = 'button';
                show.append(el('span', 'visually-hidden', `${NNBSP}: ${titles[i]}`));
                show.addEventListener('click', () => {
                    map.setView([lat[i], lon[i]], Math.max(map.getZoom(), 15));
                    focusBefore = root;
                    openPoint(i);
                    setTimeout(() => {
                        const link = document.querySelector('.leaflet-popup-content a');
                        if (link)
                            link.focus();
                    }, 0);
                });
                li.append(h, meta, show);
                ol.append(li);
            }
            parts.push(ol);
            if (count > picked.length) {
                const more = el('button', 'secondary', `Afficher ${Math.min(LIST_STEP, count - picked.length)} fiches de plus`);
                more.type = 'button';
                more.addEventListener('click', () => {
                    const first = picked.length;
                    shown += LIST_STEP;
                    list();
                    // The focus goes to the first record added.
                    const link = listBody.querySelectorAll('.map-items > li')[first]?.querySelector('a');
                    if (link)
                        link.focus();
                });
                parts.push(more);
            }
        }
        listBody.replaceChildren(...parts);
        listSection.dataset.inView = String(count);
        performance.measure('map:list', { start: t0 });
    }

    // ---- the address, the form and the embedding code follow the view ----
    let viewTimer = 0;
    function remember() {
        clearTimeout(viewTimer);
        viewTimer = setTimeout(() => {
            const c = map.getCenter();
            const v = `${map.getZoom()}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`;
            const params = new URLSearchParams(filterQuery);
            params.set('vue', v);
            const url = `${window.location.pathname}?${params.toString().replace(/%2F/g, '/')}`;
            window.history.replaceState(null, '', url);
            if (form) {
                let hidden = form.querySelector('input[name="vue"]');
                if (!hidden) {
                    hidden = el('input');
                    hidden.type = 'hidden';
                    hidden.name = 'vue';
                    form.append(hidden);
                }
                hidden.value = v;
            }
            if (code) {
                // The server wrote the code with its own base address; only the query changes.
                code.value = code.value.replace(/src="([^"?]*)[^"]*"/, (_, base) =>
                    `src="${base}?${params.toString().replace(/%2F/g, '/').replace(/&/g, '&amp;')}"`);
            }
        }, VIEW_DEBOUNCE_MS);
    }

    if (copy && code) {
        copy.hidden = false;
        copy.addEventListener('click', async () => {
            code.focus();
            code.select();
            try {
                await navigator.clipboard.writeText(code.value);
                copyStatus.textContent = 'Code copié.';
            } catch {
                copyStatus.textContent = 'Code sélectionné' + `${NNBSP}: Ctrl+C (ou Cmd+C) pour le copier.`;
            }
        });
    }

    // ---- start ----
    map.on('moveend', () => {
        shown = LIST_STEP;
        draw();
        // The first fit's list comes with the titles' order, after the first paint.
        if (quiet)
            return;
        list();
        remember();
    });

    note('Chargement des fiches…');
    answer
        .then((r) => {
            if (!r.ok)
                throw new Error(String(r.status));
            return r.json();
        })
        .then((body) => {
            performance.mark('map:data');
            load(body);
            // A view that fitting does not change fires no moveend: drawn here then.
            const before = performance.getEntriesByName('map:draw').length;
            if (vue || !fitPoints() || performance.getEntriesByName('map:draw').length === before)
                draw();
            performance.mark('map:rendered');
            root.dataset.ready = '1';
            // The list waits for the titles' order (a second at 100,000 points), sorted once the
            // first clusters are on screen: a task queued now would run before that frame.
            requestAnimationFrame(() => requestAnimationFrame(() => {
                performance.mark('map:painted');
                setTimeout(() => {
                    showUnplaced(pendingUnplaced);
                    pendingUnplaced = [];
                    sortByTitle();
                    list();
                    root.dataset.listed = '1';
                    performance.mark('map:listed');
                }, 0);
            }));
        })
        .catch(() => {
            note('Les fiches n\'ont pas pu être chargées sur la carte' + `${NNBSP}: la liste reste celle des fiches qui correspondent.`);
            root.dataset.ready = 'error';
        });
})();
