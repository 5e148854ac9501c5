// picker.js — the location picker of the entry form (templates/entry_form.html,
// src/web/entry_form.c), on Leaflet (the npm package served by foison beside this file). The
// form already holds the point as two text inputs (latitude, longitude) and the commune as a
// select: without this script, or when Leaflet did not load, they are the whole field, and they
// stay the accessible path with it. The script shows a small map above the inputs: a click
// places the marker and fills them, dragging the marker updates them, typing in them moves the
// marker, choosing the commune centres the map (it places nothing: the commune is not the
// point), and a button clears the position. Keyboard: the map takes the focus, the arrows move
// it and Enter places the marker at its centre (a cross marks it while the map has the focus).
//
// The settings come from the fieldset's data attributes (tiles, their credit, the first view,
// the communes' centres by INSEE code, the id of the commune select). Numbers are written with
// a decimal point and five decimals at most (about a metre), which the server reads. What the
// server sent is only ever set as text; no style is set from here beyond what Leaflet itself
// positions (the CSP allows no style attribute).
'use strict';
(function () {
    const NNBSP = '\u202f';
    const MAX_ZOOM = 18;
    const POINT_ZOOM = 15; // a point shown: the streets around it
    const COMMUNE_ZOOM = 13; // a commune shown: the whole of it
    const L = window.L;
    if (!L)
        return;

    function numbers(text, n) {
        const v = String(text || '').split(',').map(Number);
        return v.length === n && v.every(Number.isFinite) ? v : null;
    }

    // A coordinate as typed ("48,39" or "48.39", spaces around), or null.
    function parseCoord(text, limit) {
        const s = String(text || '').trim().replace(',', '.');
        if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s))
            return null;
        const v = Number(s);
        return Number.isFinite(v) && Math.abs(v) <= limit ? v : null;
    }

    // Five decimals, no trailing zero, never "-0".
    const format = (v) => String(Number(v.toFixed(5)) || 0);

    function setUp(fieldset) {
        const data = fieldset.dataset;
        const field = data.field;
        const latInput = fieldset.querySelector(`input[name="${CSS.escape(field)}.lat"]`);
        const lonInput = fieldset.querySelector(`input[name="${CSS.escape(field)}.lon"]`);
        const box = fieldset.querySelector('.picker');
        const root = fieldset.querySelector('.picker-map');
        const status = fieldset.querySelector('.picker-status');
        const clear = fieldset.querySelector('.picker-clear');
        if (!latInput || !lonInput || !box || !root || !status || !clear)
            return;
        const communeSelect = data.communeSelect ? document.getElementById(data.communeSelect) : null;
        let centres = {};
        try {
            centres = JSON.parse(data.communes || '{}') || {};
        } catch { /* no centre known: choosing a commune moves nothing */ }
        const centreOf = (insee) => {
            const c = Object.prototype.hasOwnProperty.call(centres, insee) ? centres[insee] : null;
            return Array.isArray(c) && Number.isFinite(c[0]) && Number.isFinite(c[1]) ? c : null;
        };
        const communeName = () => communeSelect?.selectedOptions[0]?.textContent.trim() || '';

        box.hidden = false;
        const map = L.map(root, {
            maxZoom: MAX_ZOOM,
            minZoom: 2,
            zoomControl: false,
            attributionControl: false,
            keyboard: true,
            worldCopyJump: true,
        });
        L.control.zoom({ zoomInTitle: 'Zoomer', zoomOutTitle: 'Dézoomer' }).addTo(map);
        L.control.attribution({ prefix: false }).addTo(map);

        let tilesNote = '';
        function say(text) {
            status.textContent = [text, tilesNote].filter(Boolean).join(' ');
        }

        // ---- the first view: the point, else the commune, else the site's ----
        const typed = () => {
            const lat = parseCoord(latInput.value, 90), lon = parseCoord(lonInput.value, 180);
            return lat === null || lon === null ? null : [lat, lon];
        };
        const start = typed();
        const startCommune = communeSelect ? centreOf(communeSelect.value) : null;
        const center = numbers(data.center, 2);
        const bounds = numbers(data.bounds, 4);
        if (start)
            map.setView(start, POINT_ZOOM);
        else if (startCommune)
            map.setView(startCommune, COMMUNE_ZOOM);
        else if (center && data.zoom !== '' && Number.isInteger(Number(data.zoom)))
            map.setView(center, Number(data.zoom));
        else if (bounds)
            map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
        else
            map.setView([48.39, -4.49], 10);

        // ---- the tiles, and without them the communes' centres, faint ----
        if (data.tiles) {
            const holder = document.createElement('span');
            let host = '';
            try {
                host = new URL(data.tiles.replace(/[{}]/g, '')).hostname;
            } catch { /* the server checked it */ }
            if (/(^|\.)openstreetmap\.org$/.test(host)) {
                const a = document.createElement('a');
                a.textContent = data.attribution || '© OpenStreetMap';
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

        function tilesOff() {
            root.classList.add('tiles-off');
            const layer = L.layerGroup();
            for (const insee of Object.keys(centres)) {
                const c = centreOf(insee);
                if (c)
                    L.circleMarker(c, {
                        radius: 3, weight: 1, color: '#7b878f', fillColor: '#c9d1d6', fillOpacity: 1,
                        interactive: false, keyboard: false,
                    }).addTo(layer);
            }
            layer.addTo(map);
            tilesNote = `Le fond de carte ne se charge pas${NNBSP}: un clic place tout de même le repère`
                + `${NNBSP}; les points gris sont les centres des communes.`;
            say('');
        }

        // ---- the marker and the inputs ----
        const pin = document.createElement('span');
        pin.className = 'picker-pin';
        const icon = L.divIcon({ className: 'picker-pin-icon', html: pin, iconSize: [30, 34],
            iconAnchor: [15, 31] });
        let marker = null;

        function place(latlng) {
            if (!marker) {
                // Not a tab stop: it cannot be moved from the keyboard, the inputs can.
                marker = L.marker(latlng, { icon, draggable: true, keyboard: false, autoPan: true });
                marker.on('drag', () => fill(marker.getLatLng()));
                marker.on('dragend', () => {
                    const p = fill(marker.getLatLng());
                    say(`Repère déplacé${NNBSP}: latitude ${p[0]}, longitude ${p[1]}.`);
                });
                marker.addTo(map);
            } else {
                marker.setLatLng(latlng);
            }
        }

        // The inputs from a position of the map (wrapped into -180…180); their texts.
        function fill(latlng) {
            const w = L.latLng(latlng).wrap();
            latInput.value = format(w.lat);
            lonInput.value = format(w.lng);
            return [latInput.value, lonInput.value];
        }

        function unplace() {
            if (marker) {
                marker.remove();
                marker = null;
            }
        }

        function placeAt(latlng, what) {
            const p = fill(latlng);
            place(L.latLng(Number(p[0]), Number(p[1])));
            say(`${what}${NNBSP}: latitude ${p[0]}, longitude ${p[1]}.`);
        }

        if (start)
            place(start);

        map.on('click', (e) => placeAt(e.latlng, 'Repère placé'));

        // Enter on the focused map: the marker at the map's centre, which a cross marks while
        // the keyboard moves the map (not after a click: Leaflet focuses the map then too).
        let pointing = false;
        root.addEventListener('pointerdown', () => {
            pointing = true;
            root.classList.remove('picker-keys');
        });
        document.addEventListener('pointerup', () => setTimeout(() => { pointing = false; }));
        root.addEventListener('focus', () => {
            if (!pointing)
                root.classList.add('picker-keys');
        });
        root.addEventListener('keydown', (e) => {
            if (e.target !== root)
                return;
            root.classList.add('picker-keys');
            if (e.key !== 'Enter')
                return;
            e.preventDefault();
            placeAt(map.getCenter(), 'Repère placé au centre de la carte');
        });

        function typedMoved() {
            const p = typed();
            if (p) {
                place(p);
                if (!map.getBounds().pad(-0.1).contains(p))
                    map.panTo(p);
            } else if (!latInput.value.trim() && !lonInput.value.trim()) {
                unplace();
            }
        }
        latInput.addEventListener('input', typedMoved);
        lonInput.addEventListener('input', typedMoved);

        clear.addEventListener('click', () => {
            latInput.value = '';
            lonInput.value = '';
            unplace();
            say('Position effacée.');
        });

        // ---- the commune: centres the map, places nothing ----
        communeSelect?.addEventListener('change', () => {
            if (!communeSelect.value)
                return;
            const name = communeName();
            const c = centreOf(communeSelect.value);
            if (!c) {
                say(`Le centre de ${name} n'est pas connu du site${NNBSP}: la carte ne bouge pas.`);
                return;
            }
            map.setView(c, Math.max(map.getZoom(), COMMUNE_ZOOM));
            say(marker
                ? `Carte centrée sur ${name}${NNBSP}; le repère n'a pas bougé${NNBSP}: `
                    + 'cliquez sur la carte pour le déplacer.'
                : `Carte centrée sur ${name}${NNBSP}: cliquez sur la carte pour placer le repère.`);
        });

        // The view, for whoever checks what the map shows (the browser tests).
        const view = () => {
            const c = map.getCenter();
            root.dataset.view = `${c.lat.toFixed(5)},${c.lng.toFixed(5)},${map.getZoom()}`;
        };
        map.on('moveend', view);
        view();
        root.dataset.ready = '1';
    }

    for (const fieldset of document.querySelectorAll('fieldset.point-picker'))
        setUp(fieldset);
}());
