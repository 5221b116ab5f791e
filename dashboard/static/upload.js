// Clout upload page: pick or drop a file, check it (dry run) with an upload
// progress bar, show the report and every error, then import the same file with
// one click (the server kept it; no second upload). Every text from the server
// goes into the page as text (textContent), never as HTML.
(function () {
  'use strict';
  var form = document.getElementById('upload-form');
  if (!form) { return; }
  var fileInput = document.getElementById('file');
  var datasetInput = document.getElementById('dataset');
  var dropzone = document.getElementById('dropzone');
  var fileInfo = document.getElementById('file-info');
  var progressBox = document.getElementById('progress-box');
  var progress = document.getElementById('progress');
  var progressLabel = document.getElementById('progress-label');
  var result = document.getElementById('result');
  var importButton = document.getElementById('import');
  var maxBytes = parseInt(form.getAttribute('data-max-bytes'), 10) || 0;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var datasetTouched = false;
  var stage = '';

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function humanBytes(n) {
    if (n < 1024) { return n + ' B'; }
    if (n < 1048576) { return (n / 1024).toFixed(1) + ' KiB'; }
    return (n / 1048576).toFixed(1) + ' MiB';
  }

  function stem(name) {
    var base = name.replace(/^.*[\\/]/, '');
    var dot = base.lastIndexOf('.');
    return dot > 0 ? base.slice(0, dot) : base;
  }

  function fileChosen() {
    var f = fileInput.files && fileInput.files[0];
    invalidate();
    if (!f) { fileInfo.textContent = ''; return; }
    fileInfo.textContent = f.name + ' — ' + humanBytes(f.size);
    if (maxBytes && f.size > maxBytes) {
      fileInfo.textContent += ' (over the ' + humanBytes(maxBytes) + ' limit)';
    }
    if (!datasetTouched) { datasetInput.value = stem(f.name); }
  }

  // The checked file is imported with the name and layout it was checked with:
  // changing either asks for a new check.
  function invalidate() {
    stage = '';
    importButton.hidden = true;
  }

  datasetInput.addEventListener('input', function () {
    datasetTouched = datasetInput.value !== '';
    invalidate();
  });
  document.getElementById('format').addEventListener('change', invalidate);
  fileInput.addEventListener('change', fileChosen);

  ['dragenter', 'dragover'].forEach(function (type) {
    dropzone.addEventListener(type, function (e) { e.preventDefault(); dropzone.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (type) {
    dropzone.addEventListener(type, function () { dropzone.classList.remove('over'); });
  });
  dropzone.addEventListener('drop', function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length) {
      fileInput.files = e.dataTransfer.files;
      fileChosen();
    }
  });

  // send posts a form to /api/imports with XMLHttpRequest, whose upload events
  // drive the progress bar (fetch has none).
  function send(data, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('action'));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    progressBox.hidden = false;
    progress.value = 0;
    progressLabel.textContent = '';
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable) {
        progress.value = Math.round(100 * e.loaded / e.total);
        progressLabel.textContent = humanBytes(e.loaded) + ' of ' + humanBytes(e.total);
      }
    });
    xhr.upload.addEventListener('load', function () {
      progress.value = 100;
      progressLabel.textContent = 'uploaded; reading the file…';
    });
    xhr.addEventListener('load', function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      if (xhr.status === 202 && body && body.url) {
        follow(body.url, done);
        return;
      }
      progressLabel.textContent = 'done';
      done(xhr.status, body || { error: 'HTTP ' + xhr.status });
    });
    xhr.addEventListener('error', function () {
      progressLabel.textContent = '';
      done(0, { error: 'The upload failed: the server could not be reached.' });
    });
    xhr.send(data);
  }

  // follow polls an import operation the server answered 202 for (the import
  // outlasted the answer) until it is done or failed, then hands on the
  // import's own status and answer.
  function follow(url, done) {
    progressLabel.textContent = 'uploaded; the import is queued or running…';
    var poll = new XMLHttpRequest();
    poll.open('GET', url);
    poll.setRequestHeader('Accept', 'application/json');
    poll.addEventListener('load', function () {
      var op = null;
      try { op = JSON.parse(poll.responseText); } catch (err) { op = null; }
      if (poll.status !== 200 || !op) {
        progressLabel.textContent = '';
        done(poll.status, op || { error: 'HTTP ' + poll.status });
        return;
      }
      if (op.state === 'done' || op.state === 'failed') {
        progressLabel.textContent = 'done';
        done(op.status, op.result || { error: 'HTTP ' + op.status });
        return;
      }
      window.setTimeout(function () { follow(url, done); }, 1000);
    });
    poll.addEventListener('error', function () {
      window.setTimeout(function () { follow(url, done); }, 2000);
    });
    poll.send();
  }

  function setBusy(busy) {
    document.getElementById('check').disabled = busy;
    importButton.disabled = busy;
  }

  function summaryRow(dl, label, value) {
    if (value === undefined || value === null || value === '') { return; }
    dl.appendChild(el('dt', label));
    dl.appendChild(el('dd', value));
  }

  function showSummary(r) {
    var dl = document.getElementById('summary');
    clear(dl);
    if (!r) { return; }
    summaryRow(dl, 'Dataset', r.dataset);
    summaryRow(dl, 'File', r.file ? r.file + (r.size ? ' (' + humanBytes(r.size) + ')' : '') : '');
    summaryRow(dl, 'Layout', r.layout);
    summaryRow(dl, 'Rows read', r.rows);
    summaryRow(dl, 'Observations', r.observations);
    summaryRow(dl, 'Missing cells', r.missing);
    summaryRow(dl, 'Skipped rows', r.skipped_rows);
    summaryRow(dl, 'Indicators', (r.indicators || []).join(', '));
    summaryRow(dl, 'Countries', r.countries);
    if (r.periods && r.periods.from) {
      summaryRow(dl, 'Periods', r.periods.from === r.periods.to ? r.periods.from : r.periods.from + ' – ' + r.periods.to);
    }
    summaryRow(dl, 'SHA-256', r.sha256);
  }

  function table(caption, cls, headers, rows) {
    var t = el('table', null, cls);
    t.appendChild(el('caption', caption));
    var thead = el('thead');
    var tr = el('tr');
    headers.forEach(function (h) { var th = el('th', h); th.scope = 'col'; tr.appendChild(th); });
    thead.appendChild(tr);
    t.appendChild(thead);
    var tbody = el('tbody');
    rows.forEach(function (row) {
      var r = el('tr');
      row.forEach(function (cell) { r.appendChild(el('td', cell)); });
      tbody.appendChild(r);
    });
    t.appendChild(tbody);
    var wrap = el('div', null, 'table-wrap');
    wrap.appendChild(t);
    return wrap;
  }

  function problemRows(list) {
    return list.map(function (p) {
      return [p.sheet || '', p.row ? String(p.row) : '', p.column || '', p.message || ''];
    });
  }

  function showProblems(errors, warnings) {
    var box = document.getElementById('problems');
    clear(box);
    if (errors && errors.length) {
      box.appendChild(el('h3', errors.length + (errors.length === 1 ? ' error' : ' errors')));
      box.appendChild(table('Every error in the file', 'errors', ['Sheet', 'Row', 'Column', 'Message'], problemRows(errors)));
    }
    if (warnings && warnings.length) {
      box.appendChild(el('h3', warnings.length + (warnings.length === 1 ? ' warning' : ' warnings')));
      box.appendChild(table('Warnings', 'warnings', ['Sheet', 'Row', 'Column', 'Message'], problemRows(warnings)));
    }
  }

  function showSample(r) {
    var box = document.getElementById('sample');
    clear(box);
    var sample = (r && r.sample) || [];
    if (!sample.length) { return; }
    box.appendChild(el('h3', 'Sample of the parsed rows'));
    box.appendChild(table('The first observations as Clout read them', 'sample',
      ['Indicator', 'Country', 'Partner', 'Period', 'Value', 'Unit', 'Source'],
      sample.map(function (o) {
        return [o.indicator, o.country, o.partner || '', o.period, String(o.value), o.unit || '', o.source || ''];
      })));
  }

  function showResult(kind, title, message) {
    result.hidden = false;
    result.className = 'result ' + kind;
    document.getElementById('result-title').textContent = title;
    document.getElementById('result-message').textContent = message || '';
    clear(document.getElementById('done'));
  }

  function onChecked(status, body) {
    setBusy(false);
    stage = '';
    importButton.hidden = true;
    if (status === 200) {
      showResult('checked', 'Checked: the file can be imported', 'Nothing is stored yet. Review the report, then import.');
      showSummary(body);
      showProblems(body.errors, body.warnings);
      showSample(body);
      if (body.stage) {
        stage = body.stage;
        importButton.hidden = false;
        importButton.focus();
      }
      return;
    }
    if (status === 422) {
      var r = body.report || null;
      showResult('rejected', 'Rejected: nothing was stored', body.error);
      showSummary(r);
      showProblems(body.details || (r && r.errors), r && r.warnings);
      showSample(r);
      return;
    }
    showResult('rejected', 'The file could not be checked', body.error);
    showSummary(null);
    showProblems(body.details, null);
    showSample(null);
  }

  function onImported(status, body) {
    setBusy(false);
    var done = document.getElementById('done');
    clear(done);
    if (status !== 200) {
      if (status === 422) { onChecked(status, body); return; }
      done.appendChild(el('p', body.error || ('HTTP ' + status), 'notice error'));
      return;
    }
    importButton.hidden = true;
    stage = '';
    showResult('imported', 'Imported', '');
    showSummary(body);
    var p = el('p', null, 'notice ok');
    p.id = 'imported';
    p.appendChild(document.createTextNode('Version ' + body.version + ' of dataset “'));
    var a = el('a', body.dataset);
    a.href = '/datasets/' + encodeURIComponent(body.dataset);
    p.appendChild(a);
    p.appendChild(document.createTextNode('” is now current (data version ' + body.data_version + ').'));
    done.appendChild(p);
    document.dispatchEvent(new CustomEvent('clout:data-changed', { detail: { version: body.data_version } }));
    var charts = body.charts || [];
    if (charts.length) {
      done.appendChild(el('h3', 'Charts this import changes'));
      var ul = el('ul', null, 'chart-links');
      charts.forEach(function (c) {
        var li = el('li');
        var link = el('a', c.title);
        link.href = c.url;
        li.appendChild(link);
        ul.appendChild(li);
      });
      done.appendChild(ul);
    }
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!fileInput.files || !fileInput.files[0]) { fileInput.focus(); return; }
    // A file over the limit is refused here, before any upload, so it is never
    // shown as checked.
    if (maxBytes && fileInput.files[0].size > maxBytes) {
      showResult('rejected', 'Not checked: the file is too large',
        'The file is over the ' + humanBytes(maxBytes) + ' upload limit; raise it with --max-upload / CLOUT_MAX_UPLOAD (MiB) or limits.upload_mib in the config.');
      return;
    }
    var data = new FormData(form);
    data.set('dry_run', 'true');
    setBusy(true);
    send(data, onChecked);
  });

  importButton.addEventListener('click', function () {
    if (!stage) { return; }
    var data = new FormData();
    data.set('stage', stage);
    data.set('dry_run', 'false');
    var older = document.getElementById('allow_older');
    if (older && older.checked) { data.set('allow_older', 'true'); }
    // The staged file keeps its name, dataset and layout, not the indicator
    // typed for a file whose rows name none: send it again.
    var indicator = document.getElementById('indicator');
    if (indicator && indicator.value.trim()) { data.set('indicator', indicator.value.trim()); }
    setBusy(true);
    send(data, onImported);
  });

  // A file chosen before this script ran (or restored by the browser when going
  // back) counts as chosen; data-ready tells scripts and tests the page is live.
  if (fileInput.files && fileInput.files.length) { fileChosen(); }
  form.dataset.ready = 'true';
}());
