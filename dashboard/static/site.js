// Clout site frame: keeps the footer's data version current. The page names the
// version it was rendered at; after an import (here, in another tab, by a job or
// on another replica) the footer shows the new one and offers a reload, without
// reloading by itself. It asks GET /api/version when the tab comes back into
// view, when a page script announces a change (the "clout:data-changed" event,
// e.g. after an upload), and every minute while the tab is visible.
(function () {
  'use strict';
  var box = document.querySelector('footer .data-version');
  if (!box || !window.fetch) { return; }
  var number = box.querySelector('.data-version-number');
  var shown = Number(box.getAttribute('data-version'));
  var current = shown;
  var pending = false;
  var every = 60000;

  function show(v) {
    if (!(v > 0) || v === current) { return; }
    current = v;
    number.textContent = String(v);
    box.setAttribute('data-version', String(v));
    var note = box.querySelector('.data-version-note');
    if (v === shown) {
      if (note) { note.remove(); }
      return;
    }
    if (!note) {
      note = document.createElement('span');
      note.className = 'data-version-note';
      note.append(' New since this page was loaded (version ' + shown + '): ');
      var a = document.createElement('a');
      a.href = location.href;
      a.textContent = 'reload';
      note.append(a, '.');
      box.append(note);
    }
  }

  function check() {
    if (pending) { return; }
    pending = true;
    fetch('/api/version', { credentials: 'same-origin', headers: { 'Accept': 'application/json' }, cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) { show(Number(body.data_version)); } })
      .catch(function () { /* offline or restarting: the next check tries again */ })
      .then(function () { pending = false; });
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') { check(); }
  });
  window.addEventListener('focus', check);
  document.addEventListener('clout:data-changed', check);
  setInterval(function () {
    if (document.visibilityState === 'visible') { check(); }
  }, every);
})();
