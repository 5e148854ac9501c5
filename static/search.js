// search.js — suggestions as you type in the header's search box (templates/top.html:
// input#site-q with data-suggest, loaded on every page by templates/footer.html). Without it the
// box is a plain form sent to /recherche; with it the input becomes a WAI-ARIA 1.2 combobox: the
// text typed so far is looked up in the address of data-suggest (GET /api/v1/search/suggest,
// src/web/search.c) and up to eight records are listed under the box. Choosing one (arrows then
// Enter, or a click) opens its page; Enter with none chosen sends the form as before. Built on
// the approach of static/relation.js; unlike it, a failed lookup says nothing, since the form
// still works. What the server sends is only ever set as text (textContent), never parsed as
// HTML, and only addresses of this site are followed; no style is set from here (the CSP allows
// none): classes and the hidden attribute.
'use strict';
(function () {
    const DEBOUNCE_MS = 200;
    const MIN_CHARS = 3;
    const MAX_SHOWN = 8;
    const NNBSP = '\u202f';

    const quoted = (text) => `«${NNBSP}${text}${NNBSP}»`;

    // A suggestion as this script uses it, or null when the server's entry lacks a field or
    // points off the site (a record's page is always a path of this origin).
    function suggestionOf(e) {
        if (!e || typeof e.title !== 'string' || typeof e.url !== 'string' || !e.title)
            return null;
        let url;
        try {
            url = new URL(e.url, window.location.origin);
        } catch {
            return null;
        }
        if (url.origin !== window.location.origin)
            return null;
        const kind = typeof e.kind_label === 'string' ? e.kind_label : (typeof e.kind === 'string' ? e.kind : '');
        return { title: e.title, kind, href: url.href };
    }

    function enhance(input) {
        const endpoint = input.dataset.suggest;
        if (!endpoint || !input.id)
            return;

        const box = document.createElement('div');
        box.className = 'combobox site-search-box';
        input.parentNode.insertBefore(box, input);
        box.appendChild(input);

        const list = document.createElement('ul');
        list.id = `${input.id}-suggestions`;
        list.className = 'suggestions';
        list.setAttribute('role', 'listbox');
        list.setAttribute('aria-label', 'Suggestions de fiches');
        list.hidden = true;
        box.appendChild(list);

        // Polite, and in the page from the start so that screen readers watch it before its first
        // message; never shown (the list itself is what sighted people see).
        const status = document.createElement('p');
        status.className = 'visually-hidden';
        status.setAttribute('role', 'status');
        box.after(status);

        input.setAttribute('role', 'combobox');
        input.setAttribute('aria-autocomplete', 'list');
        input.setAttribute('aria-expanded', 'false');
        input.setAttribute('aria-controls', list.id);

        let results = [];
        let active = -1;
        let timer = 0;
        let controller = null;
        let asked = ''; // the text whose suggestions are listed

        function setActive(i) {
            active = i;
            for (const [j, li] of [...list.children].entries())
                li.setAttribute('aria-selected', j === i ? 'true' : 'false');
            if (i >= 0) {
                const li = list.children[i];
                input.setAttribute('aria-activedescendant', li.id);
                li.scrollIntoView({ block: 'nearest' });
            } else {
                input.removeAttribute('aria-activedescendant');
            }
        }

        function open() {
            list.hidden = false;
            input.setAttribute('aria-expanded', 'true');
        }

        function close() {
            list.hidden = true;
            input.setAttribute('aria-expanded', 'false');
            setActive(-1);
        }

        function cancel() {
            clearTimeout(timer);
            if (controller)
                controller.abort();
            controller = null;
        }

        function forget() {
            cancel();
            results = [];
            asked = '';
            list.replaceChildren();
            close();
        }

        function go(s) {
            cancel();
            close();
            window.location.assign(s.href);
        }

        function show(q) {
            const items = results.map((s, i) => {
                const li = document.createElement('li');
                li.id = `${list.id}-${i}`;
                li.setAttribute('role', 'option');
                li.setAttribute('aria-selected', 'false');
                const title = document.createElement('span');
                title.className = 'suggestion-title';
                title.textContent = s.title;
                li.append(title);
                if (s.kind) {
                    const tag = document.createElement('span');
                    tag.className = 'kind-tag';
                    tag.textContent = s.kind;
                    li.append(' ', tag);
                }
                li.addEventListener('click', () => go(s));
                return li;
            });
            list.replaceChildren(...items);
            asked = q;
            if (!items.length) {
                close();
                status.textContent = `Aucune suggestion pour ${quoted(q)}${NNBSP}; Entrée lance la recherche.`;
                return;
            }
            // An answer after the person left the box waits for them to come back (focus).
            if (document.activeElement !== input)
                return;
            open();
            setActive(-1);
            const n = items.length === 1 ? '1 suggestion' : `${items.length} suggestions`;
            status.textContent = `${n} pour ${quoted(q)}${NNBSP}: flèche bas pour les parcourir.`;
        }

        async function suggest(q) {
            cancel();
            const mine = new AbortController();
            controller = mine;
            const url = `${endpoint}?${new URLSearchParams({ q })}`;
            try {
                const r = await fetch(url, {
                    headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: mine.signal,
                });
                if (!r.ok)
                    throw new Error(`HTTP ${r.status}`);
                const data = await r.json();
                if (controller !== mine)
                    return; // a newer lookup replaced this one
                controller = null;
                results = (Array.isArray(data.results) ? data.results : []).map(suggestionOf)
                    .filter(Boolean).slice(0, MAX_SHOWN);
                show(q);
            } catch (err) {
                if (err.name === 'AbortError' || controller !== mine)
                    return;
                // Silently: the form still sends the search to /recherche.
                forget();
                status.textContent = '';
            }
        }

        input.addEventListener('input', () => {
            cancel();
            const q = input.value.trim();
            if ([...q].length < MIN_CHARS) {
                forget();
                status.textContent = '';
                return;
            }
            timer = setTimeout(() => suggest(q), DEBOUNCE_MS);
        });

        input.addEventListener('keydown', (ev) => {
            if (ev.isComposing)
                return;
            const n = results.length;
            switch (ev.key) {
            case 'ArrowDown':
                if (!n)
                    return;
                if (list.hidden) {
                    open();
                    if (!ev.altKey)
                        setActive(0);
                } else {
                    setActive((active + 1) % n);
                }
                break;
            case 'ArrowUp':
                if (!n)
                    return;
                if (list.hidden)
                    open();
                setActive(active <= 0 ? n - 1 : active - 1);
                break;
            case 'Enter':
                if (list.hidden || active < 0)
                    return; // the form is sent, as without this script
                go(results[active]);
                break;
            case 'Escape':
                if (list.hidden)
                    return; // a search input's own Escape empties it
                close();
                break;
            default:
                return;
            }
            ev.preventDefault();
        });

        // Back in the box with the same text: its suggestions are still good.
        input.addEventListener('focus', () => {
            if (results.length && asked === input.value.trim())
                open();
        });
        input.addEventListener('blur', () => {
            clearTimeout(timer);
            close();
        });

        // A click on a suggestion must not take the focus from the input (which closes the list).
        list.addEventListener('mousedown', (ev) => ev.preventDefault());
    }

    for (const input of document.querySelectorAll('input[type="search"][data-suggest]'))
        enhance(input);
})();
