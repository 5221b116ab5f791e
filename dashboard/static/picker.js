// Clout entity picker: turns a chart page's multi-select of countries and
// groups into a searchable list with chips (the ARIA combobox and listbox
// pattern). The native <select multiple> stays in the form, hidden, and holds
// the choice, so the form submits the same parameters with or without this
// script. Aggregates (World, regions, income groups) and residual lines
// ("Asia not specified") are offered only when asked for.
(function () {
  'use strict';

  // fold makes text comparable for search: lower case, no diacritics
  // ("Türkiye" matches "turk", "Côte" matches "cote").
  function fold(s) {
    return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  function make(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  var kindTitles = { group: 'Groups', country: 'Countries', aggregate: 'Aggregates and residual lines' };
  var kindOrder = ['group', 'country', 'aggregate'];

  // entryOf reads one <option>: "Turkey (TUR)" is the country Turkey, code
  // TUR; "EAEU — Eurasian Economic Union" the group EAEU.
  function entryOf(option, i) {
    var kind = option.getAttribute('data-kind') || 'country';
    var label = option.textContent;
    var name = label, detail = option.value;
    if (kind === 'group') {
      var parts = label.split(' — ');
      name = option.value;
      detail = parts.slice(1).join(' — ');
    } else {
      var m = /^(.*) \(([^()]*)\)$/.exec(label);
      if (m) { name = m[1]; detail = m[2]; }
    }
    return { option: option, kind: kind, name: name, detail: detail, code: fold(option.value),
      words: fold(name), all: fold(label), index: i };
  }

  // rank orders a match: the code itself first, then names that start with
  // the query, then words that do, then the rest; -1 is no match.
  function rank(e, q) {
    if (!q) { return 3; }
    if (e.code === q) { return 0; }
    if (e.words.indexOf(q) === 0) { return 1; }
    if ((' ' + e.words).indexOf(' ' + q) >= 0 || e.code.indexOf(q) === 0) { return 2; }
    return e.all.indexOf(q) >= 0 ? 3 : -1;
  }

  function Picker(box, onChange) {
    this.box = box;
    this.onChange = onChange;
    this.select = box.querySelector('select[multiple]');
    this.name = this.select.name;
    this.entries = Array.prototype.map.call(this.select.options, entryOf);
    this.order(this.select.getAttribute('data-order') || '');
    this.active = -1;
    this.shown = [];
    this.build();
  }

  // order puts the chosen options in the order the URL names them, which is
  // the order of the chart's series (the list itself is alphabetical).
  Picker.prototype.order = function (list) {
    var self = this;
    list.split(',').forEach(function (v) {
      v = fold(v.trim());
      var e = self.entries.filter(function (x) { return x.code === v && x.option.selected; })[0];
      if (e) { self.select.appendChild(e.option); }
    });
  };

  Picker.prototype.build = function () {
    var self = this, name = this.name;
    var label = this.box.querySelector('label[for="p-' + name + '"]');
    var help = this.box.querySelector('#h-' + name);
    this.wrap = make('div', { 'class': 'picker' });
    this.field = make('div', { 'class': 'picker-field' });
    this.chips = make('ul', { 'class': 'chips', 'aria-label': 'Chosen ' + (label ? label.textContent.toLowerCase() : name) });
    this.input = make('input', {
      type: 'text', id: 'p-' + name + '-search', role: 'combobox', 'aria-expanded': 'false',
      'aria-controls': 'lb-' + name, 'aria-autocomplete': 'list', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'Search countries, codes or groups'
    });
    if (help) { this.input.setAttribute('aria-describedby', help.id); }
    this.list = make('div', { role: 'listbox', id: 'lb-' + name, 'class': 'picker-list', 'aria-multiselectable': 'true',
      'aria-label': (label ? label.textContent : name) + ': choices' });
    this.list.hidden = true;
    var aggregates = this.entries.some(function (e) { return e.kind === 'aggregate'; });
    this.toggle = make('input', { type: 'checkbox', id: 'p-' + name + '-aggregates' });
    var toggleLabel = make('label', { 'for': this.toggle.id, 'class': 'picker-toggle' });
    toggleLabel.appendChild(this.toggle);
    toggleLabel.appendChild(document.createTextNode(' Show aggregates (World, regions, income groups, areas not specified)'));
    this.field.appendChild(this.chips);
    this.field.appendChild(this.input);
    // The list opens under the field, over what follows.
    var combo = make('div', { 'class': 'picker-combo' });
    combo.appendChild(this.field);
    combo.appendChild(this.list);
    // The switch sits above the field, where the open list cannot cover it.
    if (aggregates) { this.wrap.appendChild(toggleLabel); }
    this.wrap.appendChild(combo);
    this.select.hidden = true;
    this.select.setAttribute('tabindex', '-1');
    this.select.insertAdjacentElement('afterend', this.wrap);
    if (label) { label.setAttribute('for', this.input.id); }
    var picked = help && help.querySelector('.picked');
    if (picked && picked.nextSibling) { picked.nextSibling.remove(); }
    if (picked) { picked.remove(); }
    this.box.classList.add('picker-on');

    this.field.addEventListener('click', function (ev) { if (ev.target === self.field || ev.target === self.chips) { self.input.focus(); } });
    this.input.addEventListener('input', function () { self.open(); self.filter(true); });
    this.input.addEventListener('focus', function () { self.open(); self.filter(false); });
    this.input.addEventListener('blur', function () { setTimeout(function () { if (!self.wrap.contains(document.activeElement)) { self.close(); } }, 150); });
    this.input.addEventListener('keydown', function (ev) { self.key(ev); });
    this.list.addEventListener('mousedown', function (ev) { ev.preventDefault(); }); // keep the focus in the input
    this.list.addEventListener('click', function (ev) {
      var opt = ev.target.closest('[role="option"]');
      if (opt) { self.toggleEntry(self.entries[Number(opt.getAttribute('data-i'))]); }
    });
    this.chips.addEventListener('click', function (ev) {
      var b = ev.target.closest('button[data-i]');
      if (!b) { return; }
      self.remove(self.entries[Number(b.getAttribute('data-i'))]);
      self.input.focus();
    });
    this.toggle.addEventListener('change', function () { self.filter(false); });
    this.renderChips();
  };

  Picker.prototype.open = function () {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  };

  Picker.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  };

  // filter lists the entries that match the typed text, best first within
  // each kind; aggregates only when the box is ticked or one is typed by code.
  Picker.prototype.filter = function (typed) {
    var q = fold(this.input.value.trim());
    var withAggregates = this.toggle.checked;
    var groups = {};
    this.entries.forEach(function (e) {
      if (e.kind === 'aggregate' && !withAggregates && !(q && e.code === q)) { return; }
      var r = rank(e, q);
      if (r < 0) { return; }
      (groups[e.kind] = groups[e.kind] || []).push({ e: e, r: r });
    });
    var self = this;
    this.shown = [];
    var nodes = [];
    var order = kindOrder.slice();
    // When the search names something, the best match of any kind comes first.
    if (q) {
      order.sort(function (a, b) { return best(groups[a]) - best(groups[b]); });
    }
    order.forEach(function (kind) {
      var list = groups[kind];
      if (!list || !list.length) { return; }
      list.sort(function (a, b) { return a.r - b.r || a.e.index - b.e.index; });
      var g = make('div', { role: 'group', 'aria-labelledby': 'lb-' + self.name + '-' + kind });
      g.appendChild(make('div', { role: 'presentation', id: 'lb-' + self.name + '-' + kind, 'class': 'lb-head' }, kindTitles[kind]));
      list.forEach(function (m) {
        var e = m.e;
        var o = make('div', { role: 'option', id: 'lb-' + self.name + '-o' + e.index, 'data-i': String(e.index),
          'aria-selected': e.option.selected ? 'true' : 'false', 'class': 'lb-option' });
        o.appendChild(make('span', { 'class': 'lb-name' }, e.name));
        o.appendChild(make('span', { 'class': 'lb-code' }, e.detail));
        g.appendChild(o);
        self.shown.push(e);
      });
      nodes.push(g);
    });
    if (!nodes.length) { nodes.push(make('div', { role: 'presentation', 'class': 'lb-empty' }, 'No match' + (withAggregates ? '' : ' (aggregates are hidden)'))); }
    this.list.replaceChildren.apply(this.list, nodes);
    this.setActive(typed && q ? 0 : (this.active >= this.shown.length ? this.shown.length - 1 : this.active));
  };

  function best(list) {
    if (!list || !list.length) { return 9; }
    return Math.min.apply(null, list.map(function (m) { return m.r; }));
  }

  Picker.prototype.setActive = function (i) {
    var prev = this.list.querySelector('.lb-option.active');
    if (prev) { prev.classList.remove('active'); }
    this.active = this.shown.length ? Math.max(-1, Math.min(i, this.shown.length - 1)) : -1;
    if (this.active < 0) { this.input.removeAttribute('aria-activedescendant'); return; }
    var node = document.getElementById('lb-' + this.name + '-o' + this.shown[this.active].index);
    node.classList.add('active');
    node.scrollIntoView({ block: 'nearest' });
    this.input.setAttribute('aria-activedescendant', node.id);
  };

  Picker.prototype.key = function (ev) {
    switch (ev.key) {
      case 'ArrowDown':
        ev.preventDefault();
        if (this.list.hidden) { this.open(); this.filter(false); }
        this.setActive(this.active + 1);
        return;
      case 'ArrowUp':
        ev.preventDefault();
        this.setActive(this.active <= 0 ? 0 : this.active - 1);
        return;
      case 'Enter':
        ev.preventDefault(); // the form is not sent: the choice applies at once
        if (!this.list.hidden && this.active >= 0) { this.toggleEntry(this.shown[this.active]); }
        return;
      case 'Escape':
        if (!this.list.hidden) { ev.preventDefault(); this.close(); } else if (this.input.value) { ev.preventDefault(); this.input.value = ''; }
        return;
      case 'Backspace':
        if (this.input.value === '') {
          var chosen = this.chosen();
          if (chosen.length) { ev.preventDefault(); this.remove(chosen[chosen.length - 1]); }
        }
        return;
      case 'Tab':
        this.close();
    }
  };

  // chosen are the selected entries in the order the form sends them.
  Picker.prototype.chosen = function () {
    var byOption = new Map(this.entries.map(function (e) { return [e.option, e]; }));
    return Array.prototype.filter.call(this.select.options, function (o) { return o.selected; }).map(function (o) { return byOption.get(o); });
  };

  Picker.prototype.toggleEntry = function (e) {
    if (e.option.selected) { this.remove(e); return; }
    // The newest choice goes last: the form sends the options in document order.
    this.select.appendChild(e.option);
    e.option.selected = true;
    this.input.value = '';
    this.changed(e.name + ' added');
  };

  Picker.prototype.remove = function (e) {
    if (this.chosen().length <= 1) {
      this.say('At least one is needed: add another before removing ' + e.name + '.');
      return;
    }
    e.option.selected = false;
    this.changed(e.name + ' removed');
  };

  Picker.prototype.changed = function (what) {
    this.renderChips();
    if (!this.list.hidden) { this.filter(false); }
    this.say(what + '. ' + this.chosen().length + ' chosen.');
    this.onChange();
  };

  Picker.prototype.say = function (text) {
    var live = this.live || (this.live = this.wrap.appendChild(make('span', { 'class': 'visually-hidden', role: 'status' })));
    live.textContent = text;
  };

  Picker.prototype.renderChips = function () {
    var chips = this.chosen().map(function (e) {
      var li = make('li', { 'class': 'chip chip-' + e.kind });
      li.appendChild(make('span', { title: e.option.textContent }, e.name));
      li.appendChild(make('button', { type: 'button', 'data-i': String(e.index), 'aria-label': 'Remove ' + e.name }, '×'));
      return li;
    });
    this.chips.replaceChildren.apply(this.chips, chips);
  };

  window.CloutPicker = {
    attach: function (box, onChange) {
      if (!box.querySelector('select[multiple]')) { return null; }
      return new Picker(box, onChange);
    }
  };
})();
