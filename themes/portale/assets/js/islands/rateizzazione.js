// Island "rateizzazione" (/simula-rate/): asks POST /api/v1/calcolo/rateizzazione whether a fine
// can be paid in instalments and shows the plan. The page explains the rules without JavaScript.
(function () {
  'use strict';
  var root = document.querySelector('[data-island="rateizzazione"]');
  if (!root) { return; }
  var lang = document.documentElement.lang || 'it';
  var locale = lang === 'it' ? 'it-IT' : 'en-GB';
  var msg = JSON.parse(root.getAttribute('data-messages'));
  var form = root.querySelector('[data-rate-form]');
  var errorsBox = root.querySelector('[data-rate-errors]');
  var status = root.querySelector('[data-rate-status]');
  var result = root.querySelector('[data-rate-result]');
  var money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR', useGrouping: 'always' });
  form.hidden = false;

  function euros(c) { return money.format(c / 100); }
  function formatDate(iso) {
    var p = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    return p ? new Date(+p[1], +p[2] - 1, +p[3]).toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric' }) : (iso || '');
  }
  function parseCents(text) {
    var s = String(text).trim().replace(/\s|€/g, '');
    if (lang === 'it') { s = s.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.'); } else { s = s.replace(/,(?=\d{3}(\D|$))/g, ''); }
    return /^\d+(\.\d{1,2})?$/.test(s) ? Math.round(parseFloat(s) * 100) : NaN;
  }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined) { n.textContent = text; }
    return n;
  }
  function setError(field, text) {
    field.classList.toggle('is-invalid', !!text);
    if (text) { field.setAttribute('aria-invalid', 'true'); } else { field.removeAttribute('aria-invalid'); }
    form.querySelector('#' + field.id + '-err').textContent = text || '';
  }
  function showErrors(errors) {
    errorsBox.replaceChildren(el('h2', 'h5', msg.errorsTitle));
    var ul = el('ul', 'mb-0');
    errors.forEach(function (err) {
      var li = el('li');
      if (err.field) {
        var a = el('a', '', form.querySelector('label[for="' + err.field.id + '"]').textContent + ': ' + err.text);
        a.href = '#' + err.field.id;
        a.addEventListener('click', function (ev) { ev.preventDefault(); err.field.focus(); });
        li.appendChild(a);
      } else { li.textContent = err.text; }
      ul.appendChild(li);
    });
    errorsBox.appendChild(ul);
    errorsBox.hidden = false;
    errorsBox.focus();
  }

  function validate() {
    var e = form.elements, errors = [];
    form.querySelectorAll('.is-invalid').forEach(function (f) { setError(f, ''); });
    function fail(f, t) { setError(f, t); errors.push({ field: f, text: t }); }
    var importo = parseCents(e.importo.value), reddito = parseCents(e.reddito.value);
    if (!e.importo.value.trim()) { fail(e.importo, msg.required); } else if (isNaN(importo)) { fail(e.importo, msg.amount); }
    if (!e.reddito.value.trim()) { fail(e.reddito, msg.required); } else if (isNaN(reddito)) { fail(e.reddito, msg.amount); }
    var fam = e.familiari.value.trim() === '' ? 0 : Number(e.familiari.value.trim());
    if (!/^\d*$/.test(e.familiari.value.trim())) { fail(e.familiari, msg.integer); }
    var body = { importo_cent: importo, reddito_cent: reddito, familiari_conviventi: fam };
    var rate = e.rate.value.trim();
    if (rate !== '') {
      if (!/^\d+$/.test(rate)) { fail(e.rate, msg.integer); } else if (+rate < 2) { fail(e.rate, msg.count); } else { body.rate = +rate; }
    }
    return errors.length ? { errors: errors } : { body: body };
  }

  function fact(dl, dt, dd) { var d = el('div'); d.appendChild(el('dt', '', dt)); d.appendChild(el('dd', '', dd)); dl.appendChild(d); }

  function showResult(r) {
    result.replaceChildren();
    var card = el('div', 'card shadow-sm rounded border');
    var body = el('div', 'card-body');
    body.appendChild(el('h2', 'h4', msg.resultTitle));
    body.appendChild(el('p', 'lead fw-semibold', r.ammissibile ? msg.yes : msg.no));
    if (r.motivo) { var m = el('p', '', r.motivo); m.lang = 'it'; body.appendChild(m); }
    var dl = el('dl', 'portale-facts mt-3');
    if (r.ammissibile) { fact(dl, msg.max, String(r.max_rate)); }
    if (typeof r.soglia_reddito_cent === 'number') { fact(dl, msg.threshold, euros(r.soglia_reddito_cent)); }
    if (typeof r.tasso_annuo_punti_base === 'number') { fact(dl, msg.rate, (r.tasso_annuo_punti_base / 100).toLocaleString(locale, { minimumFractionDigits: 2 }) + ' %'); }
    if (typeof r.totale_cent === 'number') { fact(dl, msg.total, euros(r.totale_cent) + (typeof r.totale_interessi_cent === 'number' ? ' (' + msg.totalInterest + ' ' + euros(r.totale_interessi_cent) + ')' : '')); }
    body.appendChild(dl);
    if (r.piano && r.piano.length) {
      body.appendChild(el('h3', 'h5 mt-4', msg.plan));
      var wrap = el('div', 'table-responsive');
      wrap.tabIndex = 0;
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', msg.plan);
      var table = el('table', 'table table-sm portale-table mb-0');
      var tr = el('tr');
      [msg.number, msg.due, msg.capital, msg.interest, msg.instalment].forEach(function (h, i) { var th = el('th', i > 1 ? 'text-end' : '', h); th.scope = 'col'; tr.appendChild(th); });
      var thead = el('thead'); thead.appendChild(tr); table.appendChild(thead);
      var tb = el('tbody');
      r.piano.forEach(function (p) {
        var row = el('tr');
        var th = el('th', '', String(p.numero)); th.scope = 'row'; row.appendChild(th);
        row.appendChild(el('td', 'text-nowrap', formatDate(p.scadenza)));
        row.appendChild(el('td', 'text-end text-nowrap', euros(p.capitale_cent)));
        row.appendChild(el('td', 'text-end text-nowrap', euros(p.interessi_cent)));
        row.appendChild(el('td', 'text-end text-nowrap', euros(p.importo_cent)));
        tb.appendChild(row);
      });
      table.appendChild(tb); wrap.appendChild(table); body.appendChild(wrap);
    }
    if (r.spiegazione && r.spiegazione.length) {
      body.appendChild(el('h3', 'h5 mt-4', msg.explanation));
      var ol = el('ol', 'mb-0');
      ol.lang = 'it';
      r.spiegazione.forEach(function (s) { ol.appendChild(el('li', '', s)); });
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
    fetch(root.getAttribute('data-endpoint'), {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(v.body)
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) { return { ok: res.ok, data: data }; });
    }).then(function (r) {
      status.textContent = '';
      if (r.ok && r.data && typeof r.data.ammissibile === 'boolean') { showResult(r.data); return; }
      result.hidden = true;
      showErrors([{ text: r.data && r.data.errore && r.data.errore.messaggio ? r.data.errore.messaggio : msg.network }]);
    }).catch(function () {
      status.textContent = '';
      result.hidden = true;
      showErrors([{ text: msg.network }]);
    });
  });
})();
