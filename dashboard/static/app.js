// Clout dashboard: draws each chart from the ECharts option embedded in the page
// as JSON (never evaluated as code), follows light/dark mode, formats numbers
// in one style (Intl.NumberFormat), and on a chart page turns control changes
// into in-place redraws from the JSON API, with the URL (the permalink) kept in
// step by history.replaceState. Without this script the page is a plain form.
(function () {
  'use strict';
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var atlas = null; // Promises of the maps' GeoJSON by name, each loaded once

  function theme() { return dark && dark.matches ? 'dark' : null; }

  // locale is the page's language: numbers are written in one style across
  // the page, its tables and the server's pages and exports.
  function locale() { return document.documentElement.lang || 'en'; }

  // optionScript is the element holding el's option in the page's theme: the
  // dark one on a dark page when the page has it, else the light one.
  function optionScript(el) {
    var dark = theme() === 'dark' && el.getAttribute('data-option-dark');
    var script = dark && document.getElementById(dark);
    if (script && script.textContent.trim()) { return script; }
    return document.getElementById(el.getAttribute('data-option'));
  }

  function readOption(el) {
    var script = optionScript(el);
    return script && script.textContent.trim() ? JSON.parse(script.textContent) : null;
  }

  // themed adds theme=dark to an API URL on a dark page, so the option it
  // answers with has the dark theme's colours.
  function themed(url) {
    if (theme() !== 'dark') { return url; }
    return url + (url.indexOf('?') < 0 ? '?' : '&') + 'theme=dark';
  }

  // mapName returns the name of the map a map series draws on ('' if none).
  function mapName(option) {
    var series = option.series || [];
    for (var i = 0; i < series.length; i++) {
      if (series[i].type === 'map') { return series[i].map; }
    }
    return '';
  }

  // loadAtlas fetches the shapes of the map the option names once, as the
  // server projected them (the same GeoJSON its renderer draws exports with),
  // and registers them under that name.
  function loadAtlas(name) {
    if (!atlas) { atlas = {}; }
    if (!atlas[name]) {
      atlas[name] = fetch('/geo/' + encodeURIComponent(name) + '.json').then(function (r) {
        if (!r.ok) { throw new Error('map ' + name + ': HTTP ' + r.status); }
        return r.json();
      });
    }
    return atlas[name].then(function (geo) {
      if (!echarts.getMap(name)) { echarts.registerMap(name, geo); }
    });
  }

  // numberFormatter writes a value as the option's cloutFormat F says:
  // prefix + the number in the page's style + suffix ("$4.5 billion").
  // A missing value reads "no data", never 0.
  function numberFormatter(F) {
    F = F || {};
    var digits = typeof F.digits === 'number' ? F.digits : 2;
    var nf = new Intl.NumberFormat(locale(), { maximumFractionDigits: digits });
    var prefix = F.prefix || '', suffix = F.suffix || '';
    return function (value) {
      if (Array.isArray(value)) { value = value[value.length - 1]; }
      if (value && typeof value === 'object' && 'value' in value) { value = value.value; }
      if (value === null || value === undefined || value === '' || value === '-') { return 'no data'; }
      var x = Number(value);
      if (!isFinite(x)) { return 'no data'; }
      return (x < 0 ? '-' : '') + prefix + nf.format(Math.abs(x)) + suffix;
    };
  }

  // installFormat gives the option's tooltips the number style the option's
  // cloutFormat names, per series where it names one.
  function installFormat(option) {
    var spec = option.cloutFormat || {};
    var byName = spec.series || {};
    var tips = Array.isArray(option.tooltip) ? option.tooltip : [option.tooltip = option.tooltip || {}];
    var fallback = numberFormatter(spec['default']);
    tips.forEach(function (t) { t.valueFormatter = fallback; });
    (option.series || []).forEach(function (s) {
      if (s && s.name && byName[s.name]) {
        s.tooltip = Object.assign({}, s.tooltip, { valueFormatter: numberFormatter(byName[s.name]) });
      }
    });
    return option;
  }

  // tableNumber writes a table cell's number: grouped thousands, two decimals
  // at most (four for small values, none for millions), in the page's style.
  var tableFormats = {};
  function tableNumber(x) {
    var a = Math.abs(x);
    var digits = a !== 0 && a < 0.1 ? 4 : (a >= 1e6 ? 0 : 2);
    var nf = tableFormats[digits] || (tableFormats[digits] = new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }));
    return nf.format(x);
  }

  // withoutDownloads drops ECharts' own image download: it saves the chart
  // without title, sources or data version. The page's Download panel gives
  // the captioned image instead.
  function withoutDownloads(option) {
    var boxes = Array.isArray(option.toolbox) ? option.toolbox : (option.toolbox ? [option.toolbox] : []);
    boxes.forEach(function (t) { if (t.feature) { delete t.feature.saveAsImage; } });
    if (boxes.length && boxes.every(function (t) { return !t.feature || Object.keys(t.feature).length === 0; })) { delete option.toolbox; }
    return option;
  }

  // withoutTitle hides the option's title where the page shows it as a heading
  // already, and gives its room back to the plot.
  // height is the chart's height in pixels (0 if unknown): a top panel sized
  // in % of it grows by the room the title gave back, so it keeps its lower
  // edge and its distance to the panel below.
  function withoutTitle(option, height) {
    option.title = { show: false };
    var grids = Array.isArray(option.grid) ? option.grid : (option.grid ? [option.grid] : []);
    grids.forEach(function (g) {
      var top = Number(g.top);
      if (isNaN(top) || top < 60) { return; }
      g.top = top - 40;
      if (grids.length > 1 && height > 0 && /%$/.test(String(g.height))) {
        g.height = parseFloat(g.height) / 100 * height + 40;
      }
    });
    return option;
  }

  // prepared is an option as the page draws it.
  function prepared(option, hideTitle, height) {
    if (hideTitle) { option = withoutTitle(option, height || 0); }
    // On the dark page the chart takes the page's background.
    if (theme() === 'dark' && !option.backgroundColor) { option.backgroundColor = 'transparent'; }
    return installFormat(withoutDownloads(option));
  }

  // pageOption is the option of a chart element as the page draws it.
  function pageOption(el) {
    var option = readOption(el);
    return option ? prepared(option, el.getAttribute('data-title') === 'hide', el.offsetHeight) : null;
  }

  // shown reports whether el is laid out (not in a hidden tab panel): a chart
  // is drawn when it can be seen, at its size.
  function shown(el) { return el.offsetWidth > 0 && el.offsetHeight > 0; }

  // paint draws option into el; drawn resolves when it is on screen.
  function paint(el, option) {
    var old = echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var run = function () {
      var chart = echarts.init(el, theme(), { renderer: 'canvas' });
      chart.setOption(option);
      el.setAttribute('data-drawn', 'true');
      el.removeAttribute('data-stale');
    };
    var name = mapName(option);
    if (!name) { run(); return Promise.resolve(); }
    return loadAtlas(name).then(run, function (err) {
      el.textContent = 'The world map could not be loaded: ' + err.message;
    });
  }

  function draw(el) {
    if (!shown(el)) { el.setAttribute('data-stale', 'true'); return Promise.resolve(); }
    var option = pageOption(el);
    return option ? paint(el, option) : Promise.resolve();
  }

  function drawAll() {
    var els = document.querySelectorAll('.chart[data-option]');
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
    var page = document.querySelector('.chart-page');
    if (page && page.cloutRedrawMap) { page.cloutRedrawMap(); }
  }

  // resizeAll fits the drawn charts to their boxes. A chart in a hidden panel
  // has no size to fit (ECharts' map view cannot invert a zero-sized frame):
  // it is marked stale and fitted when its panel shows.
  function resizeAll() {
    var els = document.querySelectorAll('[data-drawn]');
    for (var i = 0; i < els.length; i++) {
      var c = echarts.getInstanceByDom(els[i]);
      if (!c) { continue; }
      if (!shown(els[i])) { els[i].setAttribute('data-stale', 'true'); continue; }
      try {
        c.resize();
      } catch (err) {
        // A map caught mid-layout keeps a frame it cannot invert; drawing it
        // afresh at its new size recovers it.
        if (els[i].hasAttribute('data-option')) { draw(els[i]); } else { throw err; }
      }
    }
  }

  // formatTables writes the numbers of the page's tables in the page's style
  // (the server wrote them for readers without script).
  function formatTables(root) {
    var cells = root.querySelectorAll('td.num[data-v]');
    for (var i = 0; i < cells.length; i++) {
      var x = Number(cells[i].getAttribute('data-v'));
      if (isFinite(x)) { cells[i].textContent = tableNumber(x); }
    }
  }

  // ---- the chart page ----

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  // safeURL keeps only web links from data (never javascript: or data:).
  function safeURL(u) { return /^https?:\/\//i.test(u || '') ? u : ''; }

  // formQuery is the form's parameters as a short query string: empty values
  // left out, a multi-select as one comma-separated value.
  function formQuery(form) {
    var params = new URLSearchParams();
    var lists = {};
    new FormData(form).forEach(function (value, key) {
      if (value === '') { return; }
      (lists[key] = lists[key] || []).push(value);
    });
    Object.keys(lists).forEach(function (k) { params.set(k, lists[k].join(',')); });
    return params.toString();
  }

  // ChartPage redraws one chart page in place from the JSON API.
  function ChartPage(root) {
    this.root = root;
    this.id = root.getAttribute('data-chart');
    this.form = root.querySelector('form.controls');
    this.chartEl = document.getElementById('chart-' + this.id);
    this.mapEl = document.getElementById('map-' + this.id);
    this.errorEl = root.querySelector('[data-bind="error"]');
    this.query = this.form ? formQuery(this.form) : '';
    this.seq = 0;
    this.result = null;
  }

  ChartPage.prototype.bind = function (name) { return this.root.querySelectorAll('[data-bind="' + name + '"]'); };

  ChartPage.prototype.setText = function (name, text) {
    this.bind(name).forEach(function (e) {
      e.textContent = text || '';
      e.hidden = !text;
    });
  };

  // update fetches the chart for the form's parameters and redraws the page;
  // it resolves when the page shows them (or the error is shown).
  ChartPage.prototype.update = function () {
    var self = this;
    var q = formQuery(this.form);
    if (q === this.query && !this.failed) { return Promise.resolve(); }
    var seq = ++this.seq;
    this.root.setAttribute('aria-busy', 'true');
    var url = themed(this.root.getAttribute('data-api') + (q ? '?' + q : ''));
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().catch(function () { return { error: 'HTTP ' + r.status }; }).then(function (body) {
        if (!r.ok) { throw new Error(body.error || ('HTTP ' + r.status)); }
        return body;
      });
    }).then(function (body) {
      if (seq !== self.seq) { return; } // a newer change is on its way
      self.query = q;
      self.failed = false;
      return self.render(body).then(function () {
        history.replaceState(history.state, '', self.root.getAttribute('data-page') + (q ? '?' + q : ''));
      });
    }).catch(function (err) {
      if (seq !== self.seq) { return; }
      self.failed = true;
      self.errorEl.textContent = 'The chart could not be updated: ' + err.message;
    }).then(function () {
      if (seq === self.seq) { self.root.removeAttribute('aria-busy'); }
    });
  };

  // render shows an API answer: chart, words, table, sources and panels.
  ChartPage.prototype.render = function (body) {
    var page = body.page || {};
    this.result = body;
    this.errorEl.textContent = '';
    this.setText('title', body.title);
    this.setText('subtitle', body.subtitle);
    this.setText('statement', body.statement);
    document.title = body.title + ' · Clout';
    this.chartEl.setAttribute('aria-label', body.title);
    this.renderTable(body);
    this.renderSources(body, page);
    this.renderPanels(body, page);
    // The answer's option is in the page's theme. The other theme's copy is
    // now stale: it is replaced (dark page) or dropped (light page), so a
    // theme change still draws the new figures.
    var light = document.getElementById(this.chartEl.getAttribute('data-option'));
    var darkID = this.chartEl.getAttribute('data-option-dark');
    var dark = darkID && document.getElementById(darkID);
    if (theme() === 'dark' && dark) {
      dark.textContent = JSON.stringify(body.option);
      light.textContent = dark.textContent;
    } else {
      light.textContent = JSON.stringify(body.option);
      if (dark) { dark.textContent = ''; }
    }
    if (this.mapEl) { this.mapEl.setAttribute('data-map-api', page.map_api || ''); this.mapDrawn = ''; }
    var mapTab = this.root.querySelector('[data-tab="map"]');
    if (mapTab) {
      mapTab.hidden = !page.map_api;
      this.root.querySelector('[data-panel="map"]').hidden = !page.map_api || mapTab.getAttribute('aria-selected') !== 'true';
      if (!page.map_api && mapTab.getAttribute('aria-selected') === 'true') { this.select('chart'); }
      else if (page.map_api && mapTab.getAttribute('aria-selected') === 'true') { this.showMap(); }
    }
    this.bind('map-page').forEach(function (a) { a.href = page.map_page || '#'; });
    if (this.timeline) { this.timeline.sync(body.params || {}); }
    return draw(this.chartEl);
  };

  ChartPage.prototype.renderTable = function (body) {
    var table = this.bind('table')[0];
    if (!table) { return; }
    var t = body.table || { columns: [], rows: [] };
    var caption = el('caption', { id: 'tcap-' + this.id }, body.title + (body.subtitle ? ' — ' + body.subtitle : '') + ' ');
    caption.appendChild(el('span', { 'class': 'unit' }, '(' + t.rows.length + ' rows)'));
    var head = el('tr');
    t.columns.forEach(function (c) {
      var th = el('th', { scope: 'col' }, c.name);
      if (c.unit) { th.appendChild(document.createTextNode(' ')); th.appendChild(el('span', { 'class': 'unit' }, '(' + c.unit + ')')); }
      head.appendChild(th);
    });
    var thead = el('thead'); thead.appendChild(head);
    var tbody = el('tbody');
    t.rows.forEach(function (row) {
      var tr = el('tr');
      row.forEach(function (v) {
        if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) {
          tr.appendChild(el('td', { 'class': 'missing' }, 'no data'));
        } else if (typeof v === 'number') {
          tr.appendChild(el('td', { 'class': 'num', 'data-v': String(v) }, tableNumber(v)));
        } else {
          tr.appendChild(el('td', null, String(v)));
        }
      });
      tbody.appendChild(tr);
    });
    table.replaceChildren(caption, thead, tbody);
  };

  ChartPage.prototype.renderSources = function (body, page) {
    this.bind('citations').forEach(function (ul) {
      ul.replaceChildren.apply(ul, (page.citations || []).map(function (c) {
        var li = el('li');
        li.appendChild(el('span', { 'class': 'cite-text' }, c.text));
        var href = safeURL(c.url);
        if (href) { li.appendChild(document.createTextNode(' ')); li.appendChild(el('a', { href: href, rel: 'noopener' }, href)); }
        if (c.retrieved) { li.appendChild(document.createTextNode(' ')); li.appendChild(el('span', { 'class': 'retrieved' }, '(retrieved ' + c.retrieved + ')')); }
        if (c.details && c.details.length) {
          var d = el('details'), s = el('summary', null, 'Details ');
          s.appendChild(el('span', { 'class': 'unit' }, '(' + c.details.length + ')'));
          var list = el('ul');
          c.details.forEach(function (t) { list.appendChild(el('li', null, t)); });
          d.appendChild(s); d.appendChild(list); li.appendChild(d);
        }
        return li;
      }));
    });
    this.setText('vintage', page.vintage_note ? page.vintage_note + '.' : '');
    var lists = [['caveats', page.caveats || []], ['coverage', body.coverage || []]];
    var self = this;
    lists.forEach(function (pair) {
      self.bind(pair[0]).forEach(function (box) {
        var ul = box.querySelector('ul');
        ul.replaceChildren.apply(ul, pair[1].map(function (t) { return el('li', null, t); }));
        box.hidden = pair[1].length === 0;
      });
    });
    this.bind('version-line').forEach(function (p) { p.textContent = 'Data version ' + body.data_version + '.'; });
  };

  // htmlEscape escapes as the server's embed code does (pages.go attrEscaper).
  function htmlEscape(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
    });
  }

  // absolutize writes the share, embed and cite texts with absolute links:
  // the server writes site-relative ones when it is not told its own address,
  // and a link pasted elsewhere must name the site.
  ChartPage.prototype.absolutize = function () {
    var share = this.bind('share-url')[0], embed = this.bind('embed-link')[0];
    if (!share || !embed) { return; }
    var pinned = share.value, pinnedEmbed = embed.getAttribute('href');
    var abs = function (u) { return u && u.charAt(0) === '/' ? new URL(u, location.href).href : u; };
    share.value = abs(pinned);
    this.bind('embed-code').forEach(function (t) {
      t.value = t.value.split('src="' + htmlEscape(pinnedEmbed) + '"').join('src="' + htmlEscape(abs(pinnedEmbed)) + '"');
    });
    this.bind('cite').forEach(function (t) { t.value = t.value.split(' from ' + pinned).join(' from ' + abs(pinned)); });
  };

  ChartPage.prototype.renderPanels = function (body, page) {
    this.bind('version').forEach(function (s) { s.textContent = String(body.data_version); });
    this.bind('share-url').forEach(function (i) { i.value = page.pinned || ''; });
    this.bind('embed-code').forEach(function (t) { t.value = page.embed_code || ''; });
    this.bind('cite').forEach(function (t) { t.value = page.cite || ''; });
    this.bind('embed-link').forEach(function (a) { a.href = page.pinned_embed || '#'; });
    this.bind('api-link').forEach(function (a) { a.href = page.api || '#'; });
    var links = {};
    (page.downloads || []).forEach(function (d) { links[d.label] = d; });
    this.bind('downloads').forEach(function (ul) {
      ul.querySelectorAll('a[data-format-label]').forEach(function (a) {
        var d = links[a.getAttribute('data-format-label')];
        if (!d) { return; }
        a.href = d.url;
        if (d.file_name) { a.setAttribute('data-filename', d.file_name); }
      });
    });
    var cap = document.getElementById('cap-' + this.id);
    if (cap && page.caption) { cap.textContent = JSON.stringify(page.caption); }
    this.absolutize();
  };

  // ---- tabs: Chart / Table / Map (the ARIA tabs pattern) ----

  ChartPage.prototype.select = function (name) {
    var self = this;
    this.root.querySelectorAll('[role="tab"]').forEach(function (tab) {
      var on = tab.getAttribute('data-tab') === name;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(tab.getAttribute('aria-controls'));
      panel.hidden = !on || tab.hidden;
    });
    if (name === 'chart' && this.chartEl.getAttribute('data-stale') === 'true') { draw(this.chartEl); }
    if (name === 'map') { this.showMap(); }
    resizeAll();
    this.root.setAttribute('data-view', name);
    return self;
  };

  ChartPage.prototype.wireTabs = function () {
    var self = this;
    var list = this.root.querySelector('[role="tablist"]');
    if (!list) { return; }
    list.hidden = false;
    this.root.classList.add('tabbed');
    var tabs = function () { return Array.prototype.filter.call(list.querySelectorAll('[role="tab"]'), function (t) { return !t.hidden; }); };
    list.addEventListener('click', function (ev) {
      var tab = ev.target.closest('[role="tab"]');
      if (tab) { self.select(tab.getAttribute('data-tab')); }
    });
    list.addEventListener('keydown', function (ev) {
      var all = tabs(), i = all.indexOf(document.activeElement), next = -1;
      if (i < 0) { return; }
      if (ev.key === 'ArrowRight') { next = (i + 1) % all.length; }
      if (ev.key === 'ArrowLeft') { next = (i - 1 + all.length) % all.length; }
      if (ev.key === 'Home') { next = 0; }
      if (ev.key === 'End') { next = all.length - 1; }
      if (next < 0) { return; }
      ev.preventDefault();
      all[next].focus();
      self.select(all[next].getAttribute('data-tab'));
    });
    this.select('chart');
  };

  // showMap draws the map of the same countries and year, fetched when its
  // parameters change.
  ChartPage.prototype.showMap = function () {
    var self = this, mapEl = this.mapEl;
    if (!mapEl) { return Promise.resolve(); }
    var api = mapEl.getAttribute('data-map-api');
    if (!api || this.mapDrawn === api) { return Promise.resolve(); }
    this.mapDrawn = api;
    return fetch(themed(api), { headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.error || ('HTTP ' + r.status)); }
        return body;
      });
    }).then(function (body) {
      if (self.mapDrawn !== api) { return; }
      self.mapOption = body.option;
      mapEl.setAttribute('aria-label', body.title + ': ' + body.statement);
      return paint(mapEl, prepared(JSON.parse(JSON.stringify(body.option)), true));
    }).catch(function (err) {
      self.mapDrawn = '';
      self.errorEl.textContent = 'The map could not be drawn: ' + err.message;
    });
  };

  ChartPage.prototype.redrawMap = function () {
    if (this.mapOption && this.mapEl && shown(this.mapEl)) {
      paint(this.mapEl, prepared(JSON.parse(JSON.stringify(this.mapOption)), true));
    }
  };

  // ---- controls ----

  // wireControls makes every control change redraw the page in place. A
  // change made with the keyboard in a select (arrows through its options)
  // waits for Enter, so keyboard users can move through the options without
  // a redraw at each step.
  ChartPage.prototype.wireControls = function () {
    var self = this, form = this.form, keyAt = 0, timer = 0;
    if (!form) { return; }
    var soon = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.update(); }, 120);
    };
    form.classList.add('live');
    form.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && ev.target.tagName === 'SELECT') {
        ev.preventDefault();
        self.update();
        return;
      }
      keyAt = Date.now();
    });
    // Controls that apply under one value of another (a map's partners with
    // metric=trade-share) show only then.
    var applies = function () {
      form.querySelectorAll('[data-when-name]').forEach(function (box) {
        var other = form.elements.namedItem(box.getAttribute('data-when-name'));
        if (other && other.value) { box.hidden = other.value !== box.getAttribute('data-when-value'); }
      });
    };
    form.addEventListener('change', function (ev) {
      var t = ev.target;
      if (!t.name) { return; } // the picker's own inputs
      applies();
      if (t.tagName === 'SELECT' && !t.multiple && Date.now() - keyAt < 1000) { return; }
      if (!form.checkValidity()) { return; }
      soon();
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (form.checkValidity()) { self.update(); }
    });
    form.querySelectorAll('[data-picker]').forEach(function (box) {
      if (window.CloutPicker) { window.CloutPicker.attach(box, soon); }
    });
  };

  // ---- timeline: a slider (with play) over the chart's years or periods ----

  function Timeline(page, box) {
    this.page = page;
    this.box = box;
    this.form = page.form;
    this.year = this.form.querySelector('select[name="year"]');
    this.from = this.form.querySelector('select[name="from"]');
    this.to = this.form.querySelector('select[name="to"]');
    this.playing = false;
  }

  // values are the periods the slider offers: the select's, in time order,
  // of the chart's frequency.
  Timeline.prototype.values = function (select) {
    var vals = Array.prototype.map.call(select.options, function (o) { return o.value; }).filter(Boolean);
    var freq = this.form.querySelector('[name="freq"]');
    if (freq) {
      var monthly = freq.value === 'monthly';
      var kept = vals.filter(function (v) { return (v.indexOf('-') > 0) === monthly; });
      if (kept.length > 1) { vals = kept; }
    }
    return vals.sort();
  };

  Timeline.prototype.build = function () {
    var self = this;
    this.box.replaceChildren();
    this.sliders = [];
    if (this.year) {
      this.vals = this.values(this.year);
      if (this.vals.length < 2) { this.box.hidden = true; return false; }
      this.sliders.push(this.slider(this.year, 'Year'));
    } else if (this.from && this.to) {
      this.vals = this.values(this.from);
      if (this.vals.length < 2) { this.box.hidden = true; return false; }
      this.sliders.push(this.slider(this.from, 'From'), this.slider(this.to, 'To'));
    } else {
      this.box.hidden = true;
      return false;
    }
    this.signature = this.vals.join(',');
    this.play = el('button', { type: 'button', 'class': 'play', 'aria-pressed': 'false' }, '▶ Play');
    this.play.addEventListener('click', function () { if (self.playing) { self.stop(); } else { self.start(); } });
    this.box.appendChild(this.play);
    this.sliders.forEach(function (s) { self.box.appendChild(s.wrap); });
    this.box.hidden = false;
    this.sync(this.page.resolved || {});
    return true;
  };

  Timeline.prototype.slider = function (select, label) {
    var self = this;
    var id = 'tl-' + select.name + '-' + this.page.id;
    var wrap = el('div', { 'class': 'tl-slider' });
    var lab = el('label', { 'for': id }, label);
    var input = el('input', { type: 'range', id: id, min: '0', max: String(this.vals.length - 1), step: '1' });
    var out = el('output', { 'for': id });
    wrap.appendChild(lab); wrap.appendChild(input); wrap.appendChild(out);
    var s = { select: select, input: input, out: out, wrap: wrap };
    input.addEventListener('input', function () {
      self.clamp(s);
      self.label(s);
    });
    input.addEventListener('change', function () {
      self.stop();
      self.apply(s);
      self.page.update();
    });
    return s;
  };

  // clamp keeps From at or before To.
  Timeline.prototype.clamp = function (s) {
    if (this.sliders.length !== 2) { return; }
    var a = this.sliders[0].input, b = this.sliders[1].input;
    if (Number(a.value) > Number(b.value)) {
      if (s.input === a) { b.value = a.value; this.label(this.sliders[1]); } else { a.value = b.value; this.label(this.sliders[0]); }
    }
  };

  Timeline.prototype.label = function (s) {
    var v = this.vals[Number(s.input.value)];
    s.out.textContent = v;
    s.input.setAttribute('aria-valuetext', v);
  };

  Timeline.prototype.apply = function (s) {
    var self = this;
    (this.sliders.length === 2 ? this.sliders : [s]).forEach(function (x) {
      x.select.value = self.vals[Number(x.input.value)];
    });
  };

  // sync moves the sliders to the periods the chart shows (params are the
  // resolved ones: "latest" is a year there).
  Timeline.prototype.sync = function (params) {
    var self = this;
    if (!this.sliders || !this.sliders.length) { return; }
    this.page.resolved = params;
    this.sliders.forEach(function (s, i) {
      var v = s.select.value || params[s.select.name] || '';
      var at = self.vals.indexOf(v);
      if (at < 0) { at = i === 0 && self.sliders.length === 2 ? 0 : self.vals.length - 1; }
      s.input.value = String(at);
      self.label(s);
    });
  };

  Timeline.prototype.start = function () {
    var self = this;
    var s = this.sliders[this.sliders.length - 1];
    var lo = this.sliders.length === 2 ? Number(this.sliders[0].input.value) + 1 : 0;
    if (Number(s.input.value) >= this.vals.length - 1) { s.input.value = String(Math.min(lo, this.vals.length - 1)); }
    this.playing = true;
    this.play.setAttribute('aria-pressed', 'true');
    this.play.textContent = '❚❚ Pause';
    var step = function () {
      if (!self.playing) { return; }
      self.label(s);
      self.apply(s);
      self.page.update().then(function () {
        if (!self.playing) { return; }
        if (Number(s.input.value) >= self.vals.length - 1) { self.stop(); return; }
        self.timer = setTimeout(function () {
          s.input.value = String(Number(s.input.value) + 1);
          step();
        }, 700);
      });
    };
    step();
  };

  Timeline.prototype.stop = function () {
    if (!this.playing) { return; }
    this.playing = false;
    clearTimeout(this.timer);
    this.play.setAttribute('aria-pressed', 'false');
    this.play.textContent = '▶ Play';
  };

  // ---- share and cite: copy buttons ----

  function wireCopy(root) {
    var status = root.querySelector('.copy-status');
    root.querySelectorAll('button[data-copy]').forEach(function (b) {
      b.hidden = false;
      b.addEventListener('click', function () {
        var field = document.getElementById(b.getAttribute('data-copy'));
        var say = function (text) { if (status) { status.textContent = text; } };
        var fallback = function () {
          field.focus();
          field.select();
          var ok = false;
          try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
          say(ok ? 'Copied.' : 'Selected: press Ctrl+C (⌘C) to copy.');
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(field.value).then(function () { say('Copied.'); }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  function wireChartPage(root) {
    var page = new ChartPage(root);
    root.cloutRedrawMap = function () { page.redrawMap(); };
    var box = root.querySelector('[data-timeline]');
    if (box && page.form) {
      page.resolved = { year: box.getAttribute('data-year'), from: box.getAttribute('data-from'), to: box.getAttribute('data-to') };
      page.timeline = new Timeline(page, box);
      if (!page.timeline.build()) { page.timeline = null; }
      page.form.addEventListener('change', function (ev) {
        if (ev.target.name === 'freq' && page.timeline) { page.timeline.build(); }
      });
    }
    var controlsBox = root.querySelector('details.controls-box');
    if (controlsBox && window.matchMedia && window.matchMedia('(max-width: 40rem)').matches) { controlsBox.open = false; }
    page.absolutize();
    page.wireControls();
    page.wireTabs();
    wireCopy(root);
    return page;
  }

  // Image downloads are made here from the chart already drawn, captioned like
  // the server's snapshots (title and subtitle above; sources, data version,
  // date and permalink below, in the words of the page's caption), so a reader's
  // download needs no server render. The links keep the server's snapshot URL,
  // which browsers without script (or a failure here) still follow.
  var CAPTION = { margin: 16, top: 10, title: 18, subtitle: 12, gap: 6, foot: 11, footer: 50,
    sourcesBottom: 26, stampBottom: 8, muted: '#6e7079' };

  // captionLayout places the caption's lines around a chart w×h (CSS pixels).
  function captionLayout(cap, w, h) {
    var stamp = cap.stamp.concat([new Date().toISOString().slice(0, 10)]);
    if (cap.permalink) { stamp.push(cap.permalink); }
    var subTop = CAPTION.top + CAPTION.title * 1.25 + CAPTION.gap;
    var head = (cap.subtitle ? subTop + CAPTION.subtitle * 1.25 : subTop) + CAPTION.gap;
    var height = Math.round(head + h + CAPTION.footer);
    var lines = [{ text: cap.title, size: CAPTION.title, bold: true, y: CAPTION.top }];
    if (cap.subtitle) { lines.push({ text: cap.subtitle, size: CAPTION.subtitle, muted: true, y: subTop }); }
    if (cap.sources) { lines.push({ text: cap.sources, size: CAPTION.foot, muted: true, y: height - CAPTION.sourcesBottom - CAPTION.foot }); }
    lines.push({ text: stamp.join(cap.separator), size: CAPTION.foot, muted: true, y: height - CAPTION.stampBottom - CAPTION.foot });
    return { width: w, height: height, head: Math.round(head), lines: lines };
  }

  function captionColors() {
    var style = getComputedStyle(document.body);
    var bg = style.backgroundColor;
    if (!bg || bg === 'transparent' || bg === 'rgba(0, 0, 0, 0)') { bg = theme() === 'dark' ? '#100c2a' : '#ffffff'; }
    return { background: bg, text: style.color || '#333', muted: CAPTION.muted, font: style.fontFamily || 'sans-serif' };
  }

  function fontOf(line, colors) { return (line.bold ? 'bold ' : '') + line.size + 'px ' + colors.font; }

  // fit cuts text to width pixels with an ellipsis, as ECharts' truncation does.
  function fit(ctx, text, width) {
    if (ctx.measureText(text).width <= width) { return text; }
    var lo = 0, hi = text.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(text.slice(0, mid) + '...').width <= width) { lo = mid; } else { hi = mid - 1; }
    }
    return text.slice(0, lo) + '...';
  }

  // fitted returns the layout's lines cut to the image's width.
  function fitted(layout, colors) {
    var ctx = document.createElement('canvas').getContext('2d');
    return layout.lines.map(function (line) {
      ctx.font = fontOf(line, colors);
      return { text: fit(ctx, line.text, layout.width - 2 * CAPTION.margin), line: line };
    });
  }

  function captionedPNG(chart, cap) {
    var w = chart.getWidth(), h = chart.getHeight(), ratio = Math.max(2, window.devicePixelRatio || 1);
    var colors = captionColors();
    var layout = captionLayout(cap, w, h);
    // The toolbox's buttons mean nothing in a picture (the server drops them too).
    var url = chart.getDataURL({ type: 'png', pixelRatio: ratio, backgroundColor: colors.background, excludeComponents: ['toolbox'] });
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onerror = function () { reject(new Error('the drawn chart could not be read')); };
      img.onload = function () {
        var canvas = document.createElement('canvas');
        canvas.width = Math.round(w * ratio);
        canvas.height = Math.round(layout.height * ratio);
        var ctx = canvas.getContext('2d');
        ctx.scale(ratio, ratio);
        ctx.fillStyle = colors.background;
        ctx.fillRect(0, 0, w, layout.height);
        ctx.drawImage(img, 0, layout.head, w, h);
        ctx.textBaseline = 'top';
        fitted(layout, colors).forEach(function (t) {
          ctx.font = fontOf(t.line, colors);
          ctx.fillStyle = t.line.muted ? colors.muted : colors.text;
          ctx.fillText(t.text, CAPTION.margin, t.line.y);
        });
        canvas.toBlob(function (blob) { if (blob) { resolve(blob); } else { reject(new Error('no PNG')); } }, 'image/png');
      };
      img.src = url;
    });
  }

  function xmlEscape(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // captionedSVG draws the page's option with ECharts' SVG renderer at the drawn
  // chart's size and wraps it with the caption as SVG text.
  function captionedSVG(el, chart, cap) {
    var w = chart.getWidth(), h = chart.getHeight();
    var option = pageOption(el);
    option.animation = false;
    delete option.toolbox;
    var ssr = echarts.init(null, theme(), { renderer: 'svg', ssr: true, width: w, height: h });
    var inner;
    try {
      ssr.setOption(option);
      inner = ssr.renderToSVGString();
    } finally {
      ssr.dispose();
    }
    var colors = captionColors();
    var layout = captionLayout(cap, w, h);
    var text = fitted(layout, colors).map(function (t) {
      return '<text x="' + CAPTION.margin + '" y="' + t.line.y + '" dominant-baseline="text-before-edge" font-family="' +
        xmlEscape(colors.font) + '" font-size="' + t.line.size + '"' + (t.line.bold ? ' font-weight="bold"' : '') +
        ' fill="' + xmlEscape(t.line.muted ? colors.muted : colors.text) + '">' + xmlEscape(t.text) + '</text>';
    }).join('');
    var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + layout.height +
      '" viewBox="0 0 ' + w + ' ' + layout.height + '"><rect width="100%" height="100%" fill="' + xmlEscape(colors.background) + '"/>' +
      text + '<g transform="translate(0,' + layout.head + ')">' + inner.replace(/^<\?xml[^>]*>/, '') + '</g></svg>';
    return Promise.resolve(new Blob([svg], { type: 'image/svg+xml' }));
  }

  function saveBlob(blob, name) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }

  function wireDownloads() {
    document.addEventListener('click', function (ev) {
      var link = ev.target.closest ? ev.target.closest('a[data-image]') : null;
      if (!link) { return; }
      var el = document.getElementById(link.getAttribute('data-chart'));
      var capEl = document.getElementById(link.getAttribute('data-caption'));
      var chart = el && el.getAttribute('data-drawn') === 'true' ? echarts.getInstanceByDom(el) : null;
      if (!chart || !capEl) { return; } // not drawn: the server's snapshot
      ev.preventDefault();
      var cap = JSON.parse(capEl.textContent);
      var made;
      try {
        made = link.getAttribute('data-image') === 'svg' ? captionedSVG(el, chart, cap) : captionedPNG(chart, cap);
      } catch (err) {
        made = Promise.reject(err);
      }
      made.then(function (blob) {
        saveBlob(blob, link.getAttribute('data-filename'));
      }, function () {
        window.location.assign(link.href);
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.documentElement.classList.add('js');
    formatTables(document);
    document.querySelectorAll('.chart-page').forEach(wireChartPage);
    drawAll();
    wireDownloads();
    window.addEventListener('resize', resizeAll);
    if (dark && dark.addEventListener) { dark.addEventListener('change', drawAll); }
  });
})();
