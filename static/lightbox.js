// lightbox.js — the record page's images shown large in a dialog: opened from each image's link
// (which, without this script, simply opens the large file), closed with Échap or its button,
// previous / next with the arrow keys or the buttons; focus goes back to the link it came from.
(function () {
  'use strict';
  var links = Array.prototype.slice.call(document.querySelectorAll('a.lightbox-link'));
  if (!links.length || typeof HTMLDialogElement === 'undefined') return;
  var current = 0, opener = null;
  var dialog = document.createElement('dialog');
  dialog.className = 'lightbox';
  dialog.setAttribute('aria-labelledby', 'lightbox-count');
  dialog.innerHTML =
    '<p class="lightbox-count" id="lightbox-count"></p>' +
    '<figure><img alt=""><figcaption></figcaption></figure>' +
    '<p class="lightbox-buttons">' +
    '<button type="button" class="secondary" data-go="-1">← Image précédente</button> ' +
    '<button type="button" class="secondary" data-go="1">Image suivante →</button> ' +
    '<button type="button" data-close>Fermer</button></p>';
  document.body.appendChild(dialog);
  var img = dialog.querySelector('img'), caption = dialog.querySelector('figcaption');
  var count = dialog.querySelector('#lightbox-count');
  var prev = dialog.querySelector('[data-go="-1"]'), next = dialog.querySelector('[data-go="1"]');
  if (links.length < 2) { prev.hidden = true; next.hidden = true; }

  function show(i) {
    current = (i + links.length) % links.length;
    var a = links[current], thumb = a.querySelector('img');
    img.src = a.href;
    img.alt = thumb ? thumb.alt : '';
    if (a.dataset.width) { img.width = +a.dataset.width; img.height = +a.dataset.height; }
    caption.textContent = a.dataset.caption || '';
    caption.hidden = !a.dataset.caption;
    count.textContent = 'Image ' + (current + 1) + ' sur ' + links.length;
  }
  links.forEach(function (a, i) {
    a.addEventListener('click', function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button) return;
      ev.preventDefault();
      opener = a;
      show(i);
      dialog.showModal();
      dialog.querySelector('[data-close]').focus();
    });
  });
  dialog.addEventListener('click', function (ev) {
    var t = ev.target;
    if (t === dialog) dialog.close(); // a click on the backdrop
    else if (t.dataset && t.dataset.go) show(current + +t.dataset.go);
    else if (t.hasAttribute && t.hasAttribute('data-close')) dialog.close();
  });
  dialog.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowLeft' && links.length > 1) { ev.preventDefault(); show(current - 1); }
    if (ev.key === 'ArrowRight' && links.length > 1) { ev.preventDefault(); show(current + 1); }
  });
  dialog.addEventListener('close', function () {
    img.removeAttribute('src');
    if (opener) opener.focus();
  });
})();
