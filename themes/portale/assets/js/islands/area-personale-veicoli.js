// Island "area-personale-veicoli" (/area-personale/veicoli/): the citizen's vehicles
// (GET /api/v1/me/veicoli), adding one by plate (POST, checked in the vehicle registries: a
// refusal is shown next to the field) and removing one after a confirmation (DELETE).
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-veicoli"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var list = el('div', 'portale-ap-list');
  var form;

  function removeCell(x) {
    var td = el('td', 'text-end');
    var remove = el('button', 'btn btn-outline-danger btn-sm', msg.remove);
    remove.type = 'button';
    remove.setAttribute('aria-label', ap.fill(msg.removeLabel, { targa: x.targa }));
    remove.addEventListener('click', function () { confirmRemove(td, x); });
    td.appendChild(remove);
    return td;
  }

  // The confirmation step: the question, then "Sì, togli" or "Annulla".
  function confirmRemove(td, x) {
    var q = el('p', 'mb-2', ap.fill(msg.removeQuestion, { targa: x.targa }));
    q.tabIndex = -1;
    var yes = el('button', 'btn btn-danger btn-sm me-2', msg.removeYes);
    yes.type = 'button';
    var no = el('button', 'btn btn-outline-secondary btn-sm', msg.cancel);
    no.type = 'button';
    td.replaceChildren(q, yes, no);
    q.focus();
    no.addEventListener('click', function () {
      var fresh = removeCell(x);
      td.replaceWith(fresh);
      fresh.querySelector('button').focus();
    });
    yes.addEventListener('click', function () {
      yes.disabled = true;
      v.request('DELETE', '/api/v1/me/veicoli/' + encodeURIComponent(x.targa)).then(function (r) {
        if (r.status !== 204) { yes.disabled = false; v.refused(r); return; }
        v.fail('');
        v.say(ap.fill(msg.removed, { targa: x.targa }));
        refresh(function () { list.querySelector('h2').focus(); });
      });
    });
  }

  function table(items) {
    var wrap = el('div', 'table-responsive');
    var t = el('table', 'table portale-table portale-ap-table');
    t.appendChild(el('caption', '', msg.vehiclesCaption));
    var hr = el('tr');
    [msg.plate, msg.vehicle, msg.origin, msg.actions].forEach(function (text, i) {
      var th = el('th', i === 3 ? 'text-end' : '', text);
      th.scope = 'col';
      hr.appendChild(th);
    });
    var thead = el('thead');
    thead.appendChild(hr);
    var tbody = el('tbody');
    items.forEach(function (x) {
      var tr = el('tr');
      var th = el('th', 'text-nowrap', x.targa);
      th.scope = 'row';
      append(tr, th, el('td', '', x.descrizione), el('td', '', msg.origins[x.origine] || x.origine), removeCell(x));
      tbody.appendChild(tr);
    });
    append(t, thead, tbody);
    wrap.appendChild(t);
    return wrap;
  }

  function show(d) {
    var h = el('h2', 'h4', msg.vehiclesTitle);
    h.tabIndex = -1;
    list.replaceChildren(h, d.veicoli.length ? table(d.veicoli) : el('p', 'portale-ap-empty', msg.noVehicles));
  }

  function refresh(then) {
    v.request('GET', '/api/v1/me/veicoli').then(function (r) {
      if (r.status !== 200) { v.refused(r); return; }
      show(r.data);
      if (then) { then(); }
    });
  }

  function addForm() {
    form = el('form', 'portale-ap-form');
    form.noValidate = true;
    var h = el('h2', 'h4', msg.addTitle);
    var group = el('div', 'mb-3');
    var label = el('label', 'form-label', msg.plateLabel);
    label.htmlFor = 'ap-targa';
    var input = el('input', 'form-control portale-ap-plate');
    input.id = 'ap-targa';
    input.name = 'targa';
    input.autocomplete = 'off';
    input.setAttribute('autocapitalize', 'characters');
    input.setAttribute('aria-describedby', 'ap-targa-hint ap-targa-err');
    var hint = el('small', 'form-text d-block', msg.plateHint);
    hint.id = 'ap-targa-hint';
    var err = el('div', 'invalid-feedback');
    err.id = 'ap-targa-err';
    append(group, label, input, hint, err);
    var submit = el('button', 'btn btn-primary', msg.add);
    submit.type = 'submit';
    append(form, h, el('p', '', msg.addIntro), group, submit);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var targa = input.value.trim();
      if (!targa) { v.fieldError(input, msg.plateRequired); input.focus(); return; }
      v.fieldError(input, '');
      submit.disabled = true;
      v.say(msg.checking);
      v.request('POST', '/api/v1/me/veicoli', { targa: targa }).then(function (r) {
        submit.disabled = false;
        if (r.status === 200 || r.status === 201) {
          v.fail('');
          input.value = '';
          v.say(ap.fill(r.status === 201 ? msg.added : msg.already, { targa: r.data.targa }));
          refresh();
          return;
        }
        if (r.status === 401 || v.code(r) === 'CONSENSO_RICHIESTO') { v.refused(r); return; }
        v.say('');
        v.fieldError(input, v.errorText(r));
        input.focus();
      });
    });
    return form;
  }

  v.load('/api/v1/me/veicoli', function (d) {
    show(d);
    append(v.content, list, addForm());
  });
})();
