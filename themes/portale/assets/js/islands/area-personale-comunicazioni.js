// Island "area-personale-comunicazioni" (/area-personale/comunicazioni/): what the citizen sent
// to the Polizia Municipale and the driver identifications that name them
// (GET /api/v1/me/comunicazioni) — tracking number, state, the office's reply, the document to
// download, "Conferma" for the named driver, the licence image for the owner — and the forms to
// name the driver of a fine (POST /api/v1/me/verbali/{numero}/conducente, then …/patente), to
// contest a fine (POST /api/v1/me/contestazioni, multipart with attachments) and to ask for a
// document (POST /api/v1/me/richieste-documento). ?tipo=conducente&numero=… (from a fine's
// detail page) opens the driver form on that fine.
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-comunicazioni"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;
  var m = ap.moduli;
  var kinds = { in_attesa_conferma: 'warning', confermata: 'primary', ricevuta: 'primary', in_lavorazione: 'secondary', accolta: 'success', respinta: 'danger' };
  var query = new URLSearchParams(location.search);
  var state = { st: null, list: [] };
  var list = el('section', 'portale-ap-group');
  var compose = el('section', 'portale-ap-group');
  var accept = '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg';

  function heading(tag, cls, text, id) {
    var h = el(tag, cls, text);
    h.tabIndex = -1;
    if (id) { h.id = id; }
    return h;
  }

  function refresh(then) {
    v.request('GET', '/api/v1/me/comunicazioni').then(function (r) {
      if (r.status !== 200) { v.refused(r); return; }
      state.list = r.data.comunicazioni;
      showList();
      if (then) { then(); }
    });
  }

  function focusCard(id) {
    var h = document.getElementById('apc-com-' + id);
    if (h) { h.focus(); }
  }

  // A refusal the page can show: signed out or consent needed take the whole page.
  function whole(r) { return r.status === 401 || v.code(r) === 'CONSENSO_RICHIESTO'; }

  // The licence image of a driver identification, multipart field "patente": it can be sent
  // again until the office decides.
  function licenceForm(c, sent) {
    var form = el('form', 'portale-ap-upload');
    form.noValidate = true;
    var fl = m.field({ id: 'apc-patente-' + c.id, name: 'patente', type: 'file', accept: accept,
      label: sent ? msg.apc_licenceAgain : msg.apc_licenceLabel, hint: msg.apc_fileHint });
    var submit = el('button', 'btn btn-outline-primary btn-sm', msg.apc_upload);
    submit.type = 'submit';
    append(form, fl.group, submit);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var file = fl.input.files[0];
      if (!file) { v.fieldError(fl.input, msg.apc_fileRequired); fl.input.focus(); return; }
      if (file.size > m.maxFileSize) { v.fieldError(fl.input, msg.apc_fileTooBig); fl.input.focus(); return; }
      v.fieldError(fl.input, '');
      submit.disabled = true;
      v.say(msg.apc_sending);
      sendLicence(c.numero, file).then(function (r) {
        submit.disabled = false;
        if (r.status === 200) {
          v.fail('');
          refresh(function () { v.say(ap.fill(msg.apc_licenceSent, { protocollo: c.protocollo })); focusCard(c.id); });
          return;
        }
        if (whole(r)) { v.refused(r); return; }
        v.say('');
        v.fieldError(fl.input, v.errorText(r));
        fl.input.focus();
      });
    });
    return form;
  }

  function sendLicence(numero, file) {
    var data = new FormData();
    data.append('patente', file, file.name);
    return m.postForm(ap.apiVerbale(numero, '/conducente/patente'), data);
  }

  // The named driver confirms with their own login that they were driving.
  function confirmBox(c) {
    var box = el('div', 'portale-ap-confirm alert alert-warning');
    var b = el('button', 'btn btn-primary btn-sm', msg.apc_confirm);
    b.type = 'button';
    b.setAttribute('aria-label', ap.fill(msg.apc_confirmLabel, { protocollo: c.protocollo }));
    b.addEventListener('click', function () {
      b.disabled = true;
      v.say(msg.apc_sending);
      v.request('POST', '/api/v1/me/comunicazioni/' + c.id + '/conferma').then(function (r) {
        if (r.status !== 200) { b.disabled = false; v.refused(r); return; }
        v.fail('');
        refresh(function () { v.say(ap.fill(msg.apc_confirmed, { protocollo: c.protocollo })); focusCard(c.id); });
      });
    });
    append(box, el('p', '', ap.fill(msg.apc_confirmText, { numero: c.numero })), b);
    return box;
  }

  function card(c) {
    var li = el('li');
    var art = el('article', 'card portale-ap-card');
    var body = el('div', 'card-body');
    var head = el('div', 'portale-ap-card-head');
    var h = heading('h3', 'h5 card-title mb-0', ap.fill(msg.apc_title, { tipo: msg.apc_tipi[c.tipo] || c.tipo, protocollo: c.protocollo }), 'apc-com-' + c.id);
    art.setAttribute('aria-labelledby', h.id);
    append(head, h, ap.badge(msg.apc_stati[c.stato] || c.stato, kinds[c.stato]));
    var explain = c.ruolo === 'conducente' ? msg.apc_asDriver : (msg.apc_statoText[c.stato] || '');
    var verbale = null;
    if (c.numero) {
      verbale = ap.link(msg.detailURL + '?numero=' + encodeURIComponent(c.numero), c.numero);
    }
    var files = null;
    if (c.file.length) {
      files = el('ul');
      c.file.forEach(function (x) { files.appendChild(el('li', '', x.nome + ' (' + (msg.apc_fileRoles[x.ruolo] || x.ruolo) + ', ' + m.size(x.dimensione) + ')')); });
    }
    append(body, head, el('p', 'mb-2', explain), ap.facts([
      [msg.apc_protocol, c.protocollo], [msg.apc_kind, c.sottotipo ? (msg.apc_sottotipi[c.sottotipo] || c.sottotipo) : ''],
      [msg.apc_fine, verbale], [msg.apc_sentOn, f.dateTime(c.creata_il)], [msg.apc_confirmedOn, c.confermata_il ? f.dateTime(c.confermata_il) : ''],
      [msg.apc_decidedOn, c.decisa_il ? f.dateTime(c.decisa_il) : ''], [msg.apc_reply, c.risposta || ''], [msg.apc_files, files]
    ]));
    if (c.documento_disponibile) {
      body.appendChild(ap.link('/api/v1/me/comunicazioni/' + c.id + '/documento', msg.apc_download, 'btn btn-outline-primary btn-sm mb-2'));
    }
    if (c.ruolo === 'conducente' && c.stato === 'in_attesa_conferma') { body.appendChild(confirmBox(c)); }
    if (c.ruolo === 'mittente' && c.tipo === 'dati_conducente' && (c.stato === 'in_attesa_conferma' || c.stato === 'confermata')) {
      var sent = c.file.some(function (x) { return x.ruolo === 'patente'; });
      if (!sent) { body.appendChild(el('p', 'small', msg.apc_licenceMissing)); }
      body.appendChild(licenceForm(c, sent));
    }
    art.appendChild(body);
    li.appendChild(art);
    return li;
  }

  function showList() {
    var h = heading('h2', 'h4', msg.apc_listTitle, 'apc-list');
    if (!state.list.length) {
      list.replaceChildren(h, el('p', 'portale-ap-empty', msg.apc_none));
      return;
    }
    var ul = el('ul', 'portale-ap-cards');
    state.list.forEach(function (c) { ul.appendChild(card(c)); });
    list.replaceChildren(h, ul);
  }

  // The fines whose owner must still name the driver: comunicazione_conducente in the
  // statement and no identification alive for them.
  function driverFines() {
    var named = {};
    state.list.forEach(function (c) {
      if (c.tipo === 'dati_conducente' && c.ruolo === 'mittente' && c.stato !== 'respinta') { named[c.numero] = true; }
    });
    return state.st.verbali.filter(function (x) { return x.comunicazione_conducente && !named[x.numero]; });
  }

  function fineOptions(fines) {
    return [['', msg.apc_chooseFine]].concat(fines.map(function (x) {
      return [x.numero, ap.fill(msg.apc_fineOption, { numero: x.numero, targa: x.targa, data: f.date(String(x.data_ora).slice(0, 10)) })];
    }));
  }

  // A form of the "Nuova comunicazione" section: its fields by name, the error summary, the
  // required fields checked before sending, the API's refusal next to the field it concerns.
  function sender(form, errors) {
    var fields = {};
    function add(name, fl) { fields[name] = fl.input; return fl.group; }
    function check() {
      var problems = [];
      Object.keys(fields).forEach(function (k) {
        var x = fields[k];
        v.fieldError(x, '');
        if (x.disabled || x.getAttribute('aria-required') !== 'true') { return; }
        if (x.type === 'file' ? !x.files.length : !x.value.trim()) {
          v.fieldError(x, msg.apc_required);
          problems.push({ field: x, text: msg.apc_required });
        }
      });
      Object.keys(fields).forEach(function (k) {
        var x = fields[k];
        if (x.type !== 'file' || x.disabled) { return; }
        [].forEach.call(x.files, function (file) {
          if (file.size > m.maxFileSize) {
            var text = ap.fill(msg.apc_fileNamedTooBig, { nome: file.name });
            v.fieldError(x, text);
            problems.push({ field: x, text: text });
          }
        });
      });
      if (problems.length) { errors.show(problems); return false; }
      errors.clear();
      return true;
    }
    function refused(r, byCode) {
      if (whole(r)) { v.refused(r); return; }
      var name = byCode[v.code(r)];
      var field = name ? fields[name] : null;
      if (field) { v.fieldError(field, v.errorText(r)); }
      errors.show([{ field: field, text: v.errorText(r) }]);
    }
    function value(name) { return fields[name].value.trim(); }
    return { add: add, fields: fields, check: check, refused: refused, value: value };
  }

  // After a communication is sent: the tracking number, said and focused, above the list.
  function done(c, extra) {
    refresh(function () {
      var ok = el('div', 'alert alert-success portale-ap-done');
      ok.tabIndex = -1;
      append(ok, el('p', 'fw-semibold mb-1', ap.fill(msg.apc_sent, { protocollo: c.protocollo, stato: msg.apc_stati[c.stato] || c.stato })),
        el('p', 'mb-0', extra || msg.apc_sentNext));
      list.prepend(ok);
      ok.focus();
      showCompose(null);
    });
  }

  function driverForm(numero) {
    var fines = driverFines();
    var box = el('div');
    var earlier = state.list.filter(function (c) {
      return numero && c.tipo === 'dati_conducente' && c.ruolo === 'mittente' && c.numero === numero && c.stato !== 'respinta';
    })[0];
    if (earlier) {
      box.appendChild(el('p', 'alert alert-info', ap.fill(msg.apc_alreadyNamed, { numero: numero, protocollo: earlier.protocollo })));
    }
    if (!fines.length) {
      box.appendChild(el('p', 'portale-ap-empty', msg.apc_noDriverFines));
      return box;
    }
    var form = el('form', 'portale-ap-form portale-ap-driver');
    form.noValidate = true;
    var errors = m.errorSummary(msg.apc_errorsTitle);
    var s = sender(form, errors);
    var deadline = el('div', 'portale-ap-deadline alert alert-info');
    deadline.setAttribute('aria-live', 'polite');
    var fine = m.field({ id: 'apc-d-numero', tag: 'select', label: msg.apc_fineLabel, hint: msg.apc_driverFineHint, options: fineOptions(fines), required: true });
    function showDeadline() {
      var x = fines.filter(function (y) { return y.numero === fine.input.value; })[0];
      deadline.hidden = !x;
      deadline.textContent = x ? ap.fill(msg.apc_deadline, { data: f.date(x.comunicazione_conducente.scadenza),
        min: f.euro(x.comunicazione_conducente.sanzione_minima_cent), max: f.euro(x.comunicazione_conducente.sanzione_massima_cent) }) : '';
    }
    fine.input.addEventListener('change', showDeadline);
    if (numero && fines.some(function (x) { return x.numero === numero; })) { fine.input.value = numero; }
    showDeadline();
    var cats = ['AM', 'A1', 'A2', 'A', 'B1', 'B', 'BE', 'C1', 'C1E', 'C', 'CE', 'D1', 'D1E', 'D', 'DE'];
    append(form, el('p', '', msg.apc_driverIntro), errors.box, s.add('numero', fine), deadline,
      s.add('codice_fiscale', m.field({ id: 'apc-d-cf', label: msg.apc_cfLabel, hint: msg.apc_cfHint, autocomplete: 'off', required: true, maxLength: 16 })),
      s.add('numero_patente', m.field({ id: 'apc-d-patente', label: msg.apc_licenceNumber, hint: msg.apc_licenceNumberHint, autocomplete: 'off', required: true })),
      s.add('categoria', m.field({ id: 'apc-d-categoria', tag: 'select', label: msg.apc_category, hint: msg.apc_categoryHint, required: true,
        options: [['', msg.apc_chooseCategory]].concat(cats.map(function (c) { return [c, c]; })) })),
      s.add('rilasciata_il', m.field({ id: 'apc-d-rilascio', type: 'date', label: msg.apc_issued, hint: msg.apc_dateHint, required: true })),
      s.add('scade_il', m.field({ id: 'apc-d-scadenza', type: 'date', label: msg.apc_expires, hint: msg.apc_dateHint, required: true })),
      s.add('email', m.field({ id: 'apc-d-email', type: 'email', label: msg.apc_emailLabel, hint: msg.apc_emailHint, autocomplete: 'email' })),
      s.add('patente', m.field({ id: 'apc-d-file', type: 'file', accept: accept, label: msg.apc_licenceLabel, hint: msg.apc_licenceHint })));
    var submit = el('button', 'btn btn-primary', msg.apc_sendDriver);
    submit.type = 'submit';
    form.appendChild(submit);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!s.check()) { return; }
      var body = { codice_fiscale: s.value('codice_fiscale').toUpperCase(), numero_patente: s.value('numero_patente').toUpperCase(),
        categoria: s.value('categoria'), rilasciata_il: s.value('rilasciata_il'), scade_il: s.value('scade_il') };
      if (s.value('email')) { body.email = s.value('email'); }
      var numero = s.value('numero');
      var file = s.fields.patente.files[0];
      submit.disabled = true;
      v.say(msg.apc_sending);
      v.request('POST', ap.apiVerbale(numero, '/conducente'), body).then(function (r) {
        submit.disabled = false;
        v.say('');
        if (r.status !== 201) {
          s.refused(r, { CODICE_FISCALE_NON_VALIDO: 'codice_fiscale', NUMERO_PATENTE_NON_VALIDO: 'numero_patente', CATEGORIA_NON_VALIDA: 'categoria',
            DATA_NON_VALIDA: 'rilasciata_il', DATE_INCOERENTI: 'scade_il', PATENTE_NON_VALIDA: 'scade_il', CONDUCENTE_GIA_COMUNICATO: 'numero',
            CONDUCENTE_NON_RICHIESTO: 'numero', NON_OBBLIGATO: 'numero', VERBALE_NON_TROVATO: 'numero' });
          return;
        }
        var c = r.data;
        if (!file) { done(c, msg.apc_licenceLater); return; }
        v.say(msg.apc_sending);
        sendLicence(numero, file).then(function (u) {
          v.say('');
          // The identification is recorded either way; a refused image is said, to send again from its card.
          done(c, u.status === 200 ? msg.apc_sentNext : ap.fill(msg.apc_licenceRefused, { motivo: v.errorText(u) }));
        });
      });
    });
    box.appendChild(form);
    return box;
  }

  // The four kinds of contestation, each with its own fields; the deed of sale or the theft
  // report is required.
  function contestForm(numero) {
    var box = el('div');
    if (!state.st.verbali.length) {
      box.appendChild(el('p', 'portale-ap-empty', msg.apc_noFines));
      return box;
    }
    var form = el('form', 'portale-ap-form portale-ap-contest');
    form.noValidate = true;
    var errors = m.errorSummary(msg.apc_errorsTitle);
    var s = sender(form, errors);
    var fine = m.field({ id: 'apc-c-numero', tag: 'select', label: msg.apc_fineLabel, hint: msg.apc_contestFineHint, options: fineOptions(state.st.verbali), required: true });
    if (numero) { fine.input.value = numero; }
    var types = ['cambio_proprieta', 'targa_errata', 'veicolo_rubato', 'altro'];
    var fs = el('fieldset', 'mb-3');
    fs.appendChild(el('legend', 'h5', msg.apc_contestLegend));
    var radios = types.map(function (t, i) {
      var c = m.choice('radio', 'tipo', t, msg.apc_sottotipi[t], 'apc-c-tipo-' + t);
      c.input.checked = i === 0;
      c.group.appendChild(el('small', 'form-text d-block', msg.apc_contestHints[t]));
      fs.appendChild(c.group);
      return c.input;
    });
    var parts = {
      cambio_proprieta: [
        s.add('data_vendita', m.field({ id: 'apc-c-vendita', type: 'date', label: msg.apc_saleDate, hint: msg.apc_saleDateHint, required: true })),
        s.add('acquirente', m.field({ id: 'apc-c-acquirente', label: msg.apc_buyer, hint: msg.apc_buyerHint, required: true })),
        s.add('acquirente_codice_fiscale', m.field({ id: 'apc-c-acquirente-cf', label: msg.apc_buyerCF, hint: msg.apc_optional, autocomplete: 'off', maxLength: 16 })),
        s.add('note', m.field({ id: 'apc-c-note', tag: 'textarea', label: msg.apc_notes, hint: msg.apc_optional }))],
      targa_errata: [
        s.add('targa_veicolo', m.field({ id: 'apc-c-targa', label: msg.apc_yourPlate, hint: msg.apc_yourPlateHint, autocomplete: 'off', required: true })),
        s.add('descrizione_targa', m.field({ id: 'apc-c-descrizione-targa', tag: 'textarea', label: msg.apc_whyNot, hint: msg.apc_whyNotHint, required: true }))],
      veicolo_rubato: [
        s.add('data_furto', m.field({ id: 'apc-c-furto', type: 'date', label: msg.apc_theftDate, hint: msg.apc_dateHint, required: true })),
        s.add('data_denuncia', m.field({ id: 'apc-c-denuncia', type: 'date', label: msg.apc_reportDate, hint: msg.apc_dateHint, required: true })),
        s.add('autorita', m.field({ id: 'apc-c-autorita', label: msg.apc_authority, hint: msg.apc_authorityHint, required: true })),
        s.add('numero_denuncia', m.field({ id: 'apc-c-numero-denuncia', label: msg.apc_reportNumber, hint: msg.apc_optional }))],
      altro: [
        s.add('descrizione_altro', m.field({ id: 'apc-c-descrizione-altro', tag: 'textarea', label: msg.apc_reason, hint: msg.apc_reasonHint, required: true, maxLength: 4000 }))]
    };
    var groups = {};
    types.forEach(function (t) {
      groups[t] = el('div', 'portale-ap-kind');
      parts[t].forEach(function (g) { groups[t].appendChild(g); });
    });
    var files = m.field({ id: 'apc-c-file', type: 'file', accept: accept, multiple: true, label: msg.apc_attachments, hint: msg.apc_attachmentsHint });
    var filesGroup = s.add('allegati', files);
    var email = s.add('email', m.field({ id: 'apc-c-email', type: 'email', label: msg.apc_emailLabel, hint: msg.apc_emailHint, autocomplete: 'email' }));
    function tipo() { return radios.filter(function (r) { return r.checked; })[0].value; }
    // Only the chosen kind's fields are shown and sent; the attachment is required for two kinds.
    function sync() {
      var t = tipo();
      types.forEach(function (k) {
        groups[k].hidden = k !== t;
        groups[k].querySelectorAll('input, textarea, select').forEach(function (x) { x.disabled = k !== t; });
      });
      var need = t === 'cambio_proprieta' || t === 'veicolo_rubato';
      if (need) { files.input.setAttribute('aria-required', 'true'); } else { files.input.removeAttribute('aria-required'); }
      files.hint.textContent = need ? msg.apc_attachmentsRequired : msg.apc_attachmentsHint;
    }
    radios.forEach(function (r) { r.addEventListener('change', sync); });
    append(form, el('p', '', msg.apc_contestIntro), errors.box, s.add('numero', fine), fs);
    types.forEach(function (t) { form.appendChild(groups[t]); });
    append(form, filesGroup, email);
    var submit = el('button', 'btn btn-primary', msg.apc_sendContest);
    submit.type = 'submit';
    form.appendChild(submit);
    sync();
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!s.check()) { return; }
      var t = tipo();
      var d = {};
      var names = { cambio_proprieta: ['data_vendita', 'acquirente', 'acquirente_codice_fiscale', 'note'], targa_errata: ['targa_veicolo', 'descrizione_targa'],
        veicolo_rubato: ['data_furto', 'data_denuncia', 'autorita', 'numero_denuncia'], altro: ['descrizione_altro'] }[t];
      names.forEach(function (n) {
        var val = s.value(n);
        if (val) { d[n.replace(/_(targa|altro)$/, '')] = n === 'acquirente_codice_fiscale' || n === 'targa_veicolo' ? val.toUpperCase().replace(/\s/g, '') : val; }
      });
      var body = { tipo: t, numero: s.value('numero'), dettagli: d };
      if (s.value('email')) { body.email = s.value('email'); }
      var chosen = [].slice.call(files.input.files);
      var sending;
      if (chosen.length) {
        var data = new FormData();
        data.append('dati', JSON.stringify(body));
        chosen.forEach(function (file) { data.append('allegati', file, file.name); });
        sending = m.postForm('/api/v1/me/contestazioni', data);
      } else {
        sending = v.request('POST', '/api/v1/me/contestazioni', body);
      }
      submit.disabled = true;
      v.say(msg.apc_sending);
      sending.then(function (r) {
        submit.disabled = false;
        v.say('');
        if (r.status === 201) { done(r.data); return; }
        var desc = t === 'altro' ? 'descrizione_altro' : 'descrizione_targa';
        s.refused(r, { ALLEGATO_MANCANTE: 'allegati', TIPO_FILE_NON_AMMESSO: 'allegati', FILE_TROPPO_GRANDE: 'allegati', TROPPI_ALLEGATI: 'allegati', FILE_VUOTO: 'allegati',
          RICHIESTA_TROPPO_GRANDE: 'allegati', ACQUIRENTE_MANCANTE: 'acquirente', AUTORITA_MANCANTE: 'autorita', TARGA_NON_VALIDA: 'targa_veicolo',
          CODICE_FISCALE_NON_VALIDO: 'acquirente_codice_fiscale', DESCRIZIONE_MANCANTE: desc, DESCRIZIONE_TROPPO_LUNGA: desc,
          DATA_NON_VALIDA: t === 'veicolo_rubato' ? 'data_furto' : 'data_vendita', DATE_INCOERENTI: t === 'veicolo_rubato' ? 'data_furto' : 'data_vendita',
          VERBALE_NON_TROVATO: 'numero' });
      });
    });
    box.appendChild(form);
    return box;
  }

  function documentForm() {
    var form = el('form', 'portale-ap-form portale-ap-request');
    form.noValidate = true;
    var errors = m.errorSummary(msg.apc_errorsTitle);
    var s = sender(form, errors);
    var types = ['copia_verbale', 'rapporto_incidente', 'certificato'];
    var fs = el('fieldset', 'mb-3');
    fs.appendChild(el('legend', 'h5', msg.apc_documentLegend));
    var radios = types.map(function (t, i) {
      var c = m.choice('radio', 'tipo_documento', t, msg.apc_sottotipi[t], 'apc-r-tipo-' + t);
      c.input.checked = i === 0;
      fs.appendChild(c.group);
      return c.input;
    });
    var groups = {
      copia_verbale: [s.add('numero', m.field({ id: 'apc-r-numero', tag: 'select', label: msg.apc_fineLabel, hint: msg.apc_copyHint, options: fineOptions(state.st.verbali), required: true }))],
      rapporto_incidente: [
        s.add('data_incidente', m.field({ id: 'apc-r-data', type: 'date', label: msg.apc_accidentDate, hint: msg.apc_dateHint, required: true })),
        s.add('luogo', m.field({ id: 'apc-r-luogo', label: msg.apc_accidentPlace, hint: msg.apc_accidentPlaceHint, required: true }))],
      certificato: [s.add('descrizione', m.field({ id: 'apc-r-descrizione', tag: 'textarea', label: msg.apc_certificate, hint: msg.apc_certificateHint, required: true }))]
    };
    var wraps = {};
    types.forEach(function (t) {
      wraps[t] = el('div', 'portale-ap-kind');
      groups[t].forEach(function (g) { wraps[t].appendChild(g); });
    });
    function tipo() { return radios.filter(function (r) { return r.checked; })[0].value; }
    function sync() {
      types.forEach(function (k) {
        wraps[k].hidden = k !== tipo();
        wraps[k].querySelectorAll('input, textarea, select').forEach(function (x) { x.disabled = k !== tipo(); });
      });
    }
    radios.forEach(function (r) { r.addEventListener('change', sync); });
    append(form, el('p', '', msg.apc_documentIntro), errors.box, fs);
    types.forEach(function (t) { form.appendChild(wraps[t]); });
    form.appendChild(s.add('email', m.field({ id: 'apc-r-email', type: 'email', label: msg.apc_emailLabel, hint: msg.apc_emailHint, autocomplete: 'email' })));
    var submit = el('button', 'btn btn-primary', msg.apc_sendRequest);
    submit.type = 'submit';
    form.appendChild(submit);
    sync();
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!s.check()) { return; }
      var t = tipo();
      var body = { tipo: t };
      ({ copia_verbale: ['numero'], rapporto_incidente: ['data_incidente', 'luogo'], certificato: ['descrizione'] })[t].forEach(function (n) { body[n] = s.value(n); });
      if (s.value('email')) { body.email = s.value('email'); }
      submit.disabled = true;
      v.say(msg.apc_sending);
      v.request('POST', '/api/v1/me/richieste-documento', body).then(function (r) {
        submit.disabled = false;
        v.say('');
        if (r.status === 201) { done(r.data); return; }
        s.refused(r, { LUOGO_MANCANTE: 'luogo', DESCRIZIONE_MANCANTE: 'descrizione', DESCRIZIONE_TROPPO_LUNGA: 'descrizione', DATA_NON_VALIDA: 'data_incidente', VERBALE_NON_TROVATO: 'numero' });
      });
    });
    return form;
  }

  // "Nuova comunicazione": the kind first, then its form.
  function showCompose(pick) {
    var h = heading('h2', 'h4', msg.apc_newTitle, 'apc-new');
    var fs = el('fieldset', 'mb-3 portale-ap-kinds');
    fs.appendChild(el('legend', 'h5', msg.apc_whatLegend));
    var area = el('div', 'portale-ap-compose');
    var radios = ['conducente', 'contestazione', 'documento'].map(function (k) {
      var c = m.choice('radio', 'apc-kind', k, msg.apc_kinds[k], 'apc-kind-' + k);
      fs.appendChild(c.group);
      c.input.addEventListener('change', function () { show(k, null); });
      return c.input;
    });
    function show(k, numero) {
      radios.forEach(function (r) { r.checked = r.value === k; });
      area.replaceChildren(heading('h3', 'h5', msg.apc_kinds[k], 'apc-form-title'),
        k === 'conducente' ? driverForm(numero) : k === 'contestazione' ? contestForm(numero) : documentForm());
    }
    compose.replaceChildren(h, el('p', '', msg.apc_newIntro), fs, area);
    if (pick) { show(pick.kind, pick.numero); }
  }

  v.load(['/api/v1/me/comunicazioni', '/api/v1/me/estratto-conto'], function (d, st) {
    state.list = d.comunicazioni;
    state.st = st;
    showList();
    var tipo = query.get('tipo');
    var pick = { conducente: 'conducente', contestazione: 'contestazione', documento: 'documento' }[tipo];
    showCompose(pick ? { kind: pick, numero: query.get('numero') } : null);
    append(v.content, list, compose);
    if (pick) {
      var t = document.getElementById('apc-form-title');
      if (t) { t.focus(); }
    }
  });
})();
