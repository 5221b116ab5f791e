// Clout jobs page: "Run now" through fetch, so the button says the job is
// running while it runs and an error shows next to it. The result is then shown
// by loading the page for the run, as after the plain form post this replaces
// (the page works the same without JavaScript). Server text goes in as text.
(function () {
  'use strict';
  if (!window.fetch) { return; }

  function pageFor(job, run) {
    var q = '?ran=' + encodeURIComponent(job) + (run && run.id ? '&run=' + encodeURIComponent(run.id) : '');
    return location.pathname + q + '#job-' + job;
  }

  function go(url) {
    var target = new URL(url, location.href).href;
    if (target === location.href) { location.reload(); } else { location.assign(target); }
  }

  function run(form) {
    var button = form.querySelector('button');
    var state = form.querySelector('.run-state');
    var job = form.getAttribute('data-job');
    var token = form.querySelector('input[name="_csrf"]').value;
    button.disabled = true;
    state.className = 'run-state';
    state.textContent = 'Running ' + job + '…';
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'X-CSRF-Token': token }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (res.status === 200) { go(pageFor(job, body)); return; }
        if (res.status === 409) { go(pageFor(job, body.run)); return; }
        if (res.status === 202) { go(pageFor(job, null)); return; }
        throw new Error(body.error || ('the server answered ' + res.status));
      });
    }).catch(function (err) {
      button.disabled = false;
      state.className = 'run-state error';
      state.textContent = 'Could not run ' + job + ': ' + err.message;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('form.run-now'), function (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      run(form);
    });
  });
})();
