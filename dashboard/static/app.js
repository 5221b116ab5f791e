// Clout dashboard: draws each chart from the ECharts option embedded in the page
// as JSON (never evaluated as code), follows light/dark mode, and turns control
// changes into a new URL (the permalink).
(function () {
  'use strict';
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var atlas = null; // Promise of the world GeoJSON, loaded once

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

  // loadAtlas fetches the world atlas (TopoJSON) once, converts it to GeoJSON
  // and registers it under the name the option uses.
  function loadAtlas(url, name) {
    if (!atlas) {
      atlas = fetch(url).then(function (r) {
        if (!r.ok) { throw new Error('world map: HTTP ' + r.status); }
        return r.json();
      }).then(function (topo) {
        return topojson.feature(topo, topo.objects.countries);
      });
    }
    return atlas.then(function (geo) {
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

  function draw(el) {
    var option = readOption(el);
    if (!option) { return; }
    if (el.getAttribute('data-title') === 'hide') { option = withoutTitle(option); }
    var old = echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    // On the dark page the chart takes the page's background.
    if (theme() === 'dark' && !option.backgroundColor) { option.backgroundColor = 'transparent'; }
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

  document.addEventListener('DOMContentLoaded', function () {
    drawAll();
    wireControls();
    window.addEventListener('resize', resizeAll);
    if (dark && dark.addEventListener) { dark.addEventListener('change', drawAll); }
  });
})();
