// Clout dashboard: draws each chart from the ECharts option embedded in the page
// as JSON (never evaluated as code), follows light/dark mode, and turns control
// changes into a new URL (the permalink).
(function () {
  'use strict';
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var atlas = null; // Promises of the maps' GeoJSON by name, each loaded once

  function theme() { return dark && dark.matches ? 'dark' : null; }

  function readOption(el) {
    var script = document.getElementById(el.getAttribute('data-option'));
    return script ? JSON.parse(script.textContent) : null;
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
  // and registers them under that name. url (the raw world atlas) is no longer
  // needed: the projected maps are served by name.
  function loadAtlas(url, name) {
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

  // withoutTitle hides the option's title where the page shows it as a heading
  // already, and gives its room back to the plot.
  function withoutTitle(option) {
    option.title = { show: false };
    var grids = Array.isArray(option.grid) ? option.grid : (option.grid ? [option.grid] : []);
    grids.forEach(function (g) {
      var top = Number(g.top);
      if (!isNaN(top) && top >= 60) { g.top = top - 40; }
    });
    return option;
  }

  // pageOption is the option as the page draws it.
  function pageOption(el) {
    var option = readOption(el);
    if (!option) { return null; }
    if (el.getAttribute('data-title') === 'hide') { option = withoutTitle(option); }
    // On the dark page the chart takes the page's background.
    if (theme() === 'dark' && !option.backgroundColor) { option.backgroundColor = 'transparent'; }
    return option;
  }

  function draw(el) {
    var option = pageOption(el);
    if (!option) { return; }
    var old = echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var paint = function () {
      var chart = echarts.init(el, theme(), { renderer: 'canvas' });
      chart.setOption(option);
      el.setAttribute('data-drawn', 'true');
    };
    var name = mapName(option);
    if (name) {
      loadAtlas(el.getAttribute('data-atlas'), name).then(paint, function (err) {
        el.textContent = 'The world map could not be loaded: ' + err.message;
      });
    } else {
      paint();
    }
  }

  function drawAll() {
    var els = document.querySelectorAll('.chart[data-option]');
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
  }

  // A changed control submits the GET form: the URL (the permalink) and the chart
  // change together. A change made with the keyboard (arrows through a select)
  // waits for Enter or the button, so keyboard users can move through the
  // options without reloading at each step.
  function wireControls() {
    var forms = document.querySelectorAll('form.controls');
    var keyAt = 0;
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' && ev.target.tagName === 'SELECT') {
          ev.preventDefault();
          submitClean(ev.currentTarget);
          return;
        }
        keyAt = Date.now();
      });
      forms[i].addEventListener('change', function (ev) {
        var form = ev.currentTarget;
        if (Date.now() - keyAt < 1000 || !form.checkValidity()) { return; }
        submitClean(form);
      });
      forms[i].addEventListener('submit', function (ev) {
        ev.preventDefault();
        submitClean(ev.currentTarget);
      });
    }
  }

  // submitClean navigates to the form's URL without empty parameters, so
  // permalinks stay short; multi-selects become one comma-separated value.
  function submitClean(form) {
    var params = new URLSearchParams();
    var lists = {};
    var data = new FormData(form);
    data.forEach(function (value, key) {
      if (value === '') { return; }
      (lists[key] = lists[key] || []).push(value);
    });
    Object.keys(lists).forEach(function (k) { params.set(k, lists[k].join(',')); });
    var q = params.toString();
    window.location.assign(form.getAttribute('action') + (q ? '?' + q : ''));
  }

  function resizeAll() {
    var els = document.querySelectorAll('.chart[data-drawn]');
    for (var i = 0; i < els.length; i++) {
      var c = echarts.getInstanceByDom(els[i]);
      if (c) { c.resize(); }
    }
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
    drawAll();
    wireControls();
    wireDownloads();
    window.addEventListener('resize', resizeAll);
    if (dark && dark.addEventListener) { dark.addEventListener('change', drawAll); }
  });
})();
