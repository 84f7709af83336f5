// Island "calcolatore" (/calcola/): asks POST /api/v1/calcolo/importo how much a fine
// costs on a given day and shows the amount, the deadline, the next phase and the reasoning.
// Without JavaScript the page shows the table of amounts rendered by Hugo instead.
(function () {
  'use strict';
  var root = document.querySelector('[data-island="calcolatore"]');
  if (!root) { return; }

  var lang = document.documentElement.lang || 'it';
  var locale = lang === 'it' ? 'it-IT' : 'en-GB';
  var msg = JSON.parse(root.getAttribute('data-messages'));
  var endpoint = root.getAttribute('data-endpoint');
  var form = root.querySelector('[data-calc-form]');
  var errorsBox = root.querySelector('[data-calc-errors]');
  var status = root.querySelector('[data-calc-status]');
  var result = root.querySelector('[data-calc-result]');
  var select = form.querySelector('#calc-violazione');
  var search = form.querySelector('#calc-cerca');
  var allOptions = Array.prototype.slice.call(select.options, 1);
  var money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR', useGrouping: 'always' });

  root.querySelector('[data-calc-fallback]').hidden = true;
  form.hidden = false;

  // The engine's own list: violations are then sent as {articolo, comma} and the engine applies
  // the amounts in force on the day of the violation. If it cannot be loaded, the options rendered
  // by Hugo stay and carry the amounts explicitly.
  fetch(endpoint.replace(/importo$/, 'violazioni'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (res) { if (!res.ok) { throw new Error(String(res.status)); } return res.json(); })
    .then(function (data) {
      if (!data || !data.violazioni || !data.violazioni.length) { return; }
      var labels = {};
      allOptions.forEach(function (o) { labels[o.getAttribute('data-articolo') + '|' + o.getAttribute('data-comma-testo')] = o.textContent; });
      var fresh = data.violazioni.map(function (v) {
        var o = document.createElement('option');
        o.value = v.articolo + '|' + v.comma;
        o.setAttribute('data-articolo', v.articolo);
        o.setAttribute('data-comma', v.comma);
        o.textContent = labels[v.articolo + '|' + (v.comma_testo || v.comma)] || (v.descrizione + ' (art. ' + v.articolo + (v.comma_testo ? ' c. ' + v.comma_testo : '') + ')');
        return o;
      });
      allOptions.forEach(function (o) { o.remove(); });
      fresh.forEach(function (o) { select.appendChild(o); });
      allOptions = fresh;
      search.dispatchEvent(new Event('input'));
    })
    .catch(function () { /* keep the list rendered by Hugo */ });

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function isoDate(d) { return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }
  function formatDate(iso) {
    var p = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    if (!p) { return iso || ''; }
    return new Date(+p[1], +p[2] - 1, +p[3]).toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric' });
  }
  function euros(cents) { return money.format(cents / 100); }
  // "42", "42,5", "1.234,56" (it) or "42.50", "1,234.56" (en) → integer cents, or NaN.
  function parseCents(text) {
    var s = String(text).trim().replace(/\s|€/g, '');
    if (s === '') { return NaN; }
    if (lang === 'it') { s = s.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.'); } else { s = s.replace(/,(?=\d{3}(\D|$))/g, ''); }
    if (!/^\d+(\.\d{1,2})?$/.test(s)) { return NaN; }
    return Math.round(parseFloat(s) * 100);
  }
  // The offset of Europe/Rome on a civil date-time, so the API gets a correct RFC 3339 instant.
  function romeOffset(date, time) {
    var utc = new Date(date + 'T' + time + ':00Z');
    var parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(utc);
    var v = {};
    parts.forEach(function (p) { v[p.type] = p.value; });
    var asRome = Date.UTC(+v.year, +v.month - 1, +v.day, +v.hour % 24, +v.minute);
    var minutes = Math.round((asRome - utc.getTime()) / 60000);
    return (minutes >= 0 ? '+' : '-') + pad(Math.floor(Math.abs(minutes) / 60)) + ':' + pad(Math.abs(minutes) % 60);
  }

  var today = isoDate(new Date());
  form.elements.pagamento.value = today;
  form.elements.data.max = today;
  form.elements.ricevuta.max = today;

  function mode() { return form.querySelector('input[name="modo"]:checked').value; }
  function showMode() {
    var m = mode();
    form.querySelectorAll('[data-calc-mode]').forEach(function (el) {
      var on = el.getAttribute('data-calc-mode') === m;
      el.hidden = !on;
      el.querySelectorAll('input, select').forEach(function (f) { f.disabled = !on; });
    });
  }
  form.querySelectorAll('input[name="modo"]').forEach(function (r) { r.addEventListener('change', showMode); });
  showMode();

  search.addEventListener('input', function () {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var chosen = select.value;
    allOptions.forEach(function (opt) {
      var text = opt.textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      opt.hidden = !match;
      opt.disabled = !match && opt.value !== chosen;
    });
  });

  function setError(field, text) {
    var box = form.querySelector('#' + field.id + '-err');
    field.classList.toggle('is-invalid', !!text);
    if (text) { field.setAttribute('aria-invalid', 'true'); } else { field.removeAttribute('aria-invalid'); }
    if (box) { box.textContent = text || ''; }
  }
  function labelOf(field) { return form.querySelector('label[for="' + field.id + '"]').textContent; }

  function validate() {
    var errors = [];
    form.querySelectorAll('.is-invalid').forEach(function (f) { setError(f, ''); });
    function fail(field, text) { setError(field, text); errors.push({ field: field, text: text }); }
    var e = form.elements;
    var body = { violazioni: [] };
    if (mode() === 'elenco') {
      var opt = select.options[select.selectedIndex];
      if (!select.value) { fail(select, msg.required); } else if (opt.hasAttribute('data-comma')) {
        body.violazioni.push({ articolo: opt.getAttribute('data-articolo'), comma: opt.getAttribute('data-comma') });
      } else {
        body.violazioni.push({
          minimo_cent: +opt.getAttribute('data-min'),
          massimo_cent: +opt.getAttribute('data-max'),
          punti: +opt.getAttribute('data-punti'),
          sospensione_patente: opt.getAttribute('data-sospensione') === 'true',
          maggiorazione_notturna: opt.getAttribute('data-notturna') === 'true'
        });
      }
    } else {
      var min = parseCents(e.minimo.value);
      var max = parseCents(e.massimo.value);
      if (e.minimo.value.trim() === '') { fail(e.minimo, msg.required); } else if (isNaN(min)) { fail(e.minimo, msg.amount); }
      if (e.massimo.value.trim() === '') { fail(e.massimo, msg.required); } else if (isNaN(max)) { fail(e.massimo, msg.amount); } else if (!isNaN(min) && max < min) { fail(e.massimo, msg.minmax); }
      body.violazioni.push({
        minimo_cent: min, massimo_cent: max, punti: parseInt(e.punti.value, 10) || 0,
        sospensione_patente: e.sospensione.checked, maggiorazione_notturna: e.notturna.checked
      });
    }
    if (!e.data.value) { fail(e.data, msg.required); }
    if (!e.ora.value) { fail(e.ora, msg.required); }
    if (!e.ricevuta.value) { fail(e.ricevuta, msg.required); } else if (e.data.value && e.ricevuta.value < e.data.value) { fail(e.ricevuta, msg.dateorder); }
    if (!e.pagamento.value) { fail(e.pagamento, msg.required); } else if (e.data.value && e.pagamento.value < e.data.value) { fail(e.pagamento, msg.dateorder); }
    var spese = e.spese.value.trim() === '' ? 0 : parseCents(e.spese.value);
    if (isNaN(spese)) { fail(e.spese, msg.amount); }
    if (errors.length) { return { errors: errors }; }
    body.data_ora_violazione = e.data.value + 'T' + e.ora.value + ':00' + romeOffset(e.data.value, e.ora.value);
    body[form.querySelector('input[name="ricezione"]:checked').value === 'contestazione' ? 'data_contestazione' : 'data_notifica'] = e.ricevuta.value;
    body.spese_cent = spese;
    body.data_pagamento = e.pagamento.value;
    body.neopatentato = e.neopatentato.checked;
    return { body: body };
  }

  function showErrors(errors) {
    errorsBox.replaceChildren();
    var h = document.createElement('h2');
    h.className = 'h5';
    h.textContent = msg.errorsTitle;
    var ul = document.createElement('ul');
    ul.className = 'mb-0';
    errors.forEach(function (err) {
      var li = document.createElement('li');
      if (err.field) {
        var a = document.createElement('a');
        a.href = '#' + err.field.id;
        a.textContent = labelOf(err.field) + ': ' + err.text;
        a.addEventListener('click', function (ev) { ev.preventDefault(); err.field.focus(); });
        li.appendChild(a);
      } else {
        li.textContent = err.text;
      }
      ul.appendChild(li);
    });
    errorsBox.appendChild(h);
    errorsBox.appendChild(ul);
    errorsBox.hidden = false;
    errorsBox.focus();
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined) { n.textContent = text; }
    return n;
  }
  function phaseLabel(f) { return (msg.phases && msg.phases[f]) || f; }

  function showResult(r) {
    result.replaceChildren();
    var card = el('div', 'card shadow-sm rounded border');
    var body = el('div', 'card-body');
    body.appendChild(el('h2', 'h4', msg.resultTitle));
    var total = el('p', 'portale-calc-total mb-1');
    total.appendChild(el('span', 'd-block small text-uppercase', msg.total));
    total.appendChild(el('strong', 'display-6', euros(r.importo_cent)));
    body.appendChild(total);
    if (typeof r.sanzione_cent === 'number' && typeof r.spese_cent === 'number') {
      body.appendChild(el('p', 'text-muted', msg.fine + ' ' + euros(r.sanzione_cent) + ' + ' + msg.costs.toLowerCase() + ' ' + euros(r.spese_cent)));
    }
    var dl = el('dl', 'portale-facts mt-3');
    function fact(dt, dd) { var d = el('div'); d.appendChild(el('dt', '', dt)); d.appendChild(el('dd', '', dd)); dl.appendChild(d); }
    fact(msg.phaseEnd, formatDate(r.scadenza_fase));
    if (r.fase) { fact(phaseLabel(r.fase), euros(r.importo_cent)); }
    var next = r.prossima_fase;
    if (next && next.fase) {
      var from = next.dal || next.data_inizio || next.decorrenza;
      fact(msg.next + (from ? ' (' + msg.nextFrom + ' ' + formatDate(from) + ')' : ''), phaseLabel(next.fase) + (typeof next.importo_cent === 'number' ? ': ' + euros(next.importo_cent) : ''));
    }
    if (typeof r.punti === 'number') { fact(msg.points, String(r.punti)); }
    body.appendChild(dl);
    if (r.fasi && r.fasi.length) {
      body.appendChild(el('h3', 'h5 mt-4', msg.timelineTitle));
      var wrap = el('div', 'table-responsive');
      wrap.tabIndex = 0;
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', msg.timelineTitle);
      var table = el('table', 'table table-sm portale-table mb-0');
      var thead = el('thead');
      var hr = el('tr');
      [msg.timelineFrom, msg.timelineTo, msg.timelineAmount].forEach(function (h, i) { var th = el('th', i === 2 ? 'text-end' : '', h); th.scope = 'col'; hr.appendChild(th); });
      thead.appendChild(hr);
      table.appendChild(thead);
      var tb = el('tbody');
      r.fasi.forEach(function (f) {
        var tr = el('tr', f.fase === r.fase && f.importo_cent === r.importo_cent ? 'table-primary' : '');
        var th = el('th', '', formatDate(f.data_inizio));
        th.scope = 'row';
        tr.appendChild(th);
        tr.appendChild(el('td', '', f.data_fine ? formatDate(f.data_fine) : msg.timelineOpen));
        var amount = el('td', 'text-end text-nowrap', euros(f.importo_cent));
        tr.appendChild(amount);
        tr.title = phaseLabel(f.fase) + (f.maggiorazione_percento ? ' (+' + f.maggiorazione_percento + ' %)' : '');
        tb.appendChild(tr);
      });
      table.appendChild(tb);
      wrap.appendChild(table);
      body.appendChild(wrap);
    }
    var dls = r.scadenze ? Object.keys(msg.deadlines).filter(function (k) { return r.scadenze[k]; }) : [];
    if (dls.length) {
      body.appendChild(el('h3', 'h5 mt-4', msg.deadlinesTitle));
      var ul = el('ul', 'mb-0');
      dls.forEach(function (k) { ul.appendChild(el('li', '', msg.deadlines[k] + ' ' + formatDate(r.scadenze[k]))); });
      body.appendChild(ul);
    }
    if (r.avvisi && r.avvisi.length) {
      var warn = el('div', 'alert alert-warning mt-4 mb-0');
      warn.appendChild(el('h3', 'h5', msg.warningsTitle));
      r.avvisi.forEach(function (a) { var p = el('p', 'mb-1', a); p.lang = 'it'; warn.appendChild(p); });
      body.appendChild(warn);
    }
    if (r.spiegazione && r.spiegazione.length) {
      body.appendChild(el('h3', 'h5 mt-4', msg.explanation));
      var ol = el('ol', 'mb-0');
      ol.lang = 'it'; // the engine explains in Italian
      r.spiegazione.forEach(function (step) { ol.appendChild(el('li', '', typeof step === 'string' ? step : (step.testo || step.descrizione || JSON.stringify(step)))); });
      body.appendChild(ol);
    }
    card.appendChild(body);
    result.appendChild(card);
    result.hidden = false;
    result.focus();
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var v = validate();
    if (v.errors) { result.hidden = true; showErrors(v.errors); return; }
    errorsBox.hidden = true;
    status.textContent = msg.loading;
    fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(v.body)
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) { return { ok: res.ok, data: data }; });
    }).then(function (r) {
      status.textContent = '';
      if (r.ok && r.data && typeof r.data.importo_cent === 'number') { showResult(r.data); return; }
      var text = r.data && r.data.errore && r.data.errore.messaggio ? r.data.errore.messaggio : msg.network;
      result.hidden = true;
      showErrors([{ text: text }]);
    }).catch(function () {
      status.textContent = '';
      result.hidden = true;
      showErrors([{ text: msg.network }]);
    });
  });
})();
