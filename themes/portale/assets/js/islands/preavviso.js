// Island "preavviso" (/paga-preavviso/): pay a pre-notice at once, without an account (A4, A13).
// Finds it with POST /api/v1/preavvisi/cerca (fine number and plate, or the notice code; the
// QR printed on the pre-notice opens the page with ?nav=…), shows what is due today, starts the
// payment with POST /api/v1/preavvisi/pagamento and sends the payer to the checkout. Back from
// it (?id=…), the outcome comes from GET /api/v1/preavvisi/pagamenti/{id}: only the receipt
// recorded by the City makes it "pagato", never the address the payer returns to.
(function () {
  'use strict';
  var root = document.querySelector('[data-island="preavviso"]');
  if (!root) { return; }
  var en = document.documentElement.lang === 'en';
  var msg = en ? {
    how: 'How do you want to find the pre-notice?', byNumber: 'Fine number and number plate', byNAV: 'Notice code (18 digits)',
    numero: 'Fine number', numeroHint: 'At the top of the pre-notice, e.g. 2026/PM/000108.', targa: 'Number plate', targaHint: 'As on the vehicle, e.g. GH482KL.',
    nav: 'Notice code', navHint: 'The 18 digits under the QR code; spaces do not matter.', search: 'Find the pre-notice', searching: 'Searching…',
    errorsTitle: 'Check these fields', required: 'Fill in this field.', navDigits: 'The notice code has 18 digits.', network: 'The service is not answering. Try again in a few minutes.',
    found: 'Your pre-notice', fine: 'Fine no.', when: 'Date and time', where: 'Place', violation: 'Violation',
    payBy: 'If you pay by {data}', payNow: 'If you pay today', reduced: 'The minimum reduced by 30 %, with no notification costs.', noCosts: 'No notification costs.',
    next: 'From {data} you will pay {importo}.', paid: 'This pre-notice has already been paid.', notPayable: 'This pre-notice cannot be paid online today.',
    pay: 'Pay {importo} with pagoPA', starting: 'Taking you to pagoPA…', outcome: 'Payment outcome',
    waiting: 'Waiting for pagoPA to confirm the payment…', slow: 'The confirmation has not arrived yet. Reload this page in a few minutes: you do not need to pay again.',
    okTitle: 'Payment received', ok: 'You paid {importo} on {data}. Your reference is {id}.', okFine: 'Fine no. {numero}, notice code {nav}.',
    account: 'Create your account', accountText: 'Sign in with SPID or CIE: in your personal area you see the fines in your name, your payments and their receipts.', login: 'Sign in with SPID or CIE',
    cancelled: 'You cancelled the payment: you have paid nothing.', failed: 'The payment did not go through: you have been charged nothing.', again: 'Try again',
    unknown: 'We cannot find this payment. Start again from the pre-notice.', other: 'Find another pre-notice'
  } : {
    how: 'Come vuoi cercare il preavviso?', byNumber: 'Numero del verbale e targa', byNAV: 'Codice avviso (18 cifre)',
    numero: 'Numero del verbale', numeroHint: 'In alto sul preavviso, ad esempio 2026/PM/000108.', targa: 'Targa', targaHint: 'Come sul veicolo, ad esempio GH482KL.',
    nav: 'Codice avviso', navHint: 'Le 18 cifre sotto il codice QR; gli spazi non contano.', search: 'Cerca il preavviso', searching: 'Ricerca in corso…',
    errorsTitle: 'Controlla questi campi', required: 'Compila questo campo.', navDigits: 'Il codice avviso ha 18 cifre.', network: 'Il servizio non risponde. Riprova tra qualche minuto.',
    found: 'Il tuo preavviso', fine: 'Verbale n.', when: 'Data e ora', where: 'Luogo', violation: 'Violazione',
    payBy: 'Se paghi entro il {data}', payNow: 'Se paghi oggi', reduced: 'Il minimo ridotto del 30 %, senza spese di notifica.', noCosts: 'Senza spese di notifica.',
    next: 'Dal {data} pagherai {importo}.', paid: 'Questo preavviso è già pagato.', notPayable: 'Oggi questo preavviso non si può pagare online.',
    pay: 'Paga {importo} con pagoPA', starting: 'Ti portiamo a pagoPA…', outcome: 'Esito del pagamento',
    waiting: 'Aspettiamo la conferma del pagamento da pagoPA…', slow: 'La conferma non è ancora arrivata. Ricarica questa pagina tra qualche minuto: non devi pagare di nuovo.',
    okTitle: 'Pagamento ricevuto', ok: 'Hai pagato {importo} il {data}. Il tuo riferimento è {id}.', okFine: 'Verbale n. {numero}, codice avviso {nav}.',
    account: 'Crea il tuo account', accountText: "Entra con SPID o CIE: nell'area personale vedi le multe intestate a te, i tuoi pagamenti e le ricevute.", login: 'Entra con SPID o CIE',
    cancelled: 'Hai annullato il pagamento: non hai pagato nulla.', failed: 'Il pagamento non è andato a buon fine: non ti è stato addebitato nulla.', again: 'Riprova',
    unknown: 'Non troviamo questo pagamento. Riparti dal preavviso.', other: 'Cerca un altro preavviso'
  };
  var page = location.pathname;
  var params = new URLSearchParams(location.search);

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function append(parent) {
    for (var i = 1; i < arguments.length; i++) { if (arguments[i]) { parent.appendChild(arguments[i]); } }
    return parent;
  }
  function fill(t, v) { return t.replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function euro(c) {
    var abs = Math.abs(Math.round(c));
    var units = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, en ? ',' : '.');
    var n = units + (en ? '.' : ',') + String(abs % 100).padStart(2, '0');
    return en ? '\u20ac' + n : n + '\u00a0\u20ac';
  }
  function day(iso) {
    var p = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    return p ? p[3] + '/' + p[2] + '/' + p[1] : (iso || '');
  }
  var clock = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  function instant(s) { var d = new Date(s); return isNaN(d.getTime()) ? (s || '') : clock.format(d); }
  function grouped(nav) { return String(nav || '').replace(/(\d{4})(?=\d)/g, '$1 '); }
  function request(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      return r.json().then(function (d) { return { status: r.status, data: d }; }, function () { return { status: r.status, data: null }; });
    });
  }
  function errorText(r) { return r && r.data && r.data.errore ? r.data.errore.messaggio : msg.network; }

  var status = el('p', 'visually-hidden');
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  var view = el('div');
  root.replaceChildren(view, status);
  function say(text) { status.textContent = text; }
  function alertBox(kind, text) {
    var box = el('div', 'alert alert-' + kind, text);
    box.setAttribute('role', 'alert');
    return box;
  }
  // A new section of the flow: its heading takes the focus, so keyboard and screen reader
  // users land on what changed.
  function section(title) {
    var s = el('section', 'mt-4');
    var h = el('h2', 'h3', title);
    h.tabIndex = -1;
    s.appendChild(h);
    return s;
  }
  function show(s) {
    view.replaceChildren(s);
    s.querySelector('h2').focus();
  }

  function field(id, label, hint, attrs) {
    var box = el('div', 'form-group mb-4');
    var l = el('label', 'form-label active', label);
    l.htmlFor = id;
    var input = el('input', 'form-control');
    input.id = id;
    input.name = id.replace('preavviso-', '');
    input.type = 'text';
    input.autocomplete = 'off';
    input.setAttribute('aria-describedby', id + '-hint ' + id + '-err');
    Object.keys(attrs || {}).forEach(function (k) { input.setAttribute(k, attrs[k]); });
    var small = el('small', 'form-text', hint);
    small.id = id + '-hint';
    var err = el('div', 'invalid-feedback');
    err.id = id + '-err';
    append(box, l, input, small, err);
    return { box: box, input: input, err: err, label: label };
  }
  function radio(value, label, checked) {
    var box = el('div', 'form-check');
    var input = el('input');
    input.type = 'radio';
    input.name = 'modo';
    input.id = 'preavviso-modo-' + value;
    input.value = value;
    input.checked = checked;
    var l = el('label', '', label);
    l.htmlFor = input.id;
    append(box, input, l);
    return box;
  }

  function searchForm(prefillNAV) {
    var form = el('form', 'mt-4');
    form.noValidate = true;
    var errors = el('div', 'alert alert-danger');
    errors.setAttribute('role', 'alert');
    errors.tabIndex = -1;
    errors.hidden = true;
    var fs = el('fieldset', 'mb-4');
    append(fs, el('legend', 'h5', msg.how), radio('numero', msg.byNumber, !prefillNAV), radio('nav', msg.byNAV, !!prefillNAV));
    var numero = field('preavviso-numero', msg.numero, msg.numeroHint, { autocapitalize: 'characters' });
    var targa = field('preavviso-targa', msg.targa, msg.targaHint, { autocapitalize: 'characters' });
    var nav = field('preavviso-nav', msg.nav, msg.navHint, { inputmode: 'numeric' });
    nav.input.value = prefillNAV || '';
    var submit = el('button', 'btn btn-primary btn-lg', msg.search);
    submit.type = 'submit';
    append(form, errors, fs, numero.box, targa.box, nav.box, submit);
    function mode() { return form.elements.modo.value; }
    function sync() {
      var byNAV = mode() === 'nav';
      numero.box.hidden = targa.box.hidden = byNAV;
      nav.box.hidden = !byNAV;
    }
    fs.addEventListener('change', sync);
    sync();
    function setError(f, text) {
      f.input.classList.toggle('is-invalid', !!text);
      if (text) { f.input.setAttribute('aria-invalid', 'true'); } else { f.input.removeAttribute('aria-invalid'); }
      f.err.textContent = text || '';
    }
    function showErrors(list) {
      errors.replaceChildren(el('h2', 'h5', msg.errorsTitle));
      var ul = el('ul', 'mb-0');
      list.forEach(function (e) {
        var li = el('li');
        if (e.field) {
          var a = el('a', '', e.field.label + ': ' + e.text);
          a.href = '#' + e.field.input.id;
          a.addEventListener('click', function (ev) { ev.preventDefault(); e.field.input.focus(); });
          li.appendChild(a);
        } else { li.textContent = e.text; }
        ul.appendChild(li);
      });
      errors.appendChild(ul);
      errors.hidden = false;
      errors.focus();
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      [numero, targa, nav].forEach(function (f) { setError(f, ''); });
      errors.hidden = true;
      var list = [], body;
      function fail(f, t) { setError(f, t); list.push({ field: f, text: t }); }
      if (mode() === 'nav') {
        var code = nav.input.value.replace(/\s/g, '');
        if (!code) { fail(nav, msg.required); } else if (!/^\d{18}$/.test(code)) { fail(nav, msg.navDigits); }
        body = { nav: code };
      } else {
        if (!numero.input.value.trim()) { fail(numero, msg.required); }
        if (!targa.input.value.trim()) { fail(targa, msg.required); }
        body = { numero: numero.input.value.trim(), targa: targa.input.value.trim() };
      }
      if (list.length) { showErrors(list); return; }
      submit.disabled = true;
      say(msg.searching);
      request('POST', '/api/v1/preavvisi/cerca', body).then(function (r) {
        submit.disabled = false;
        say('');
        if (r.status !== 200) { showErrors([{ text: errorText(r) }]); return; }
        showPreavviso(r.data);
      }, function () {
        submit.disabled = false;
        showErrors([{ text: msg.network }]);
      });
    });
    return form;
  }

  function facts(pairs) {
    var dl = el('dl', 'portale-facts');
    pairs.forEach(function (p) { append(dl, el('dt', '', p[0]), el('dd', '', p[1])); });
    return dl;
  }

  function searchAgain() {
    var a = el('a', 'd-inline-block mt-3', msg.other);
    a.href = page;
    return a;
  }

  function showPreavviso(p) {
    var s = section(msg.found);
    var violations = (p.violazioni || []).map(function (v) { return 'art. ' + v.articolo + (v.comma ? ' c. ' + v.comma : '') + (v.descrizione ? ' — ' + v.descrizione : ''); }).join('; ');
    s.appendChild(facts([[msg.fine, p.numero], [msg.when, instant(p.data_ora)], [msg.where, p.luogo], [msg.violation, violations]]));
    if (p.fase === 'pagato') {
      append(s, alertBox('success', msg.paid), searchAgain());
      show(s);
      return;
    }
    append(s, el('p', 'mb-1', p.scadenza_fase ? fill(msg.payBy, { data: day(p.scadenza_fase) }) : msg.payNow),
      el('p', 'h2 mb-2', euro(p.importo_cent)),
      el('p', '', p.fase === 'riduzione_30' ? msg.reduced : msg.noCosts));
    if (p.prossima_fase) {
      s.appendChild(el('p', '', fill(msg.next, { data: day(p.prossima_fase.data_inizio), importo: euro(p.prossima_fase.importo_cent) })));
    }
    if (!p.pagabile) {
      append(s, alertBox('warning', msg.notPayable), searchAgain());
      show(s);
      return;
    }
    var pay = el('button', 'btn btn-primary btn-lg', fill(msg.pay, { importo: euro(p.importo_cent) }));
    pay.type = 'button';
    var problem = el('div');
    pay.addEventListener('click', function () {
      pay.disabled = true;
      say(msg.starting);
      request('POST', '/api/v1/preavvisi/pagamento', { nav: p.nav }).then(function (r) {
        if (r.status === 201 && r.data.redirect_url) { location.assign(r.data.redirect_url); return; }
        pay.disabled = false;
        problem.replaceChildren(alertBox('danger', errorText(r)));
      }, function () {
        pay.disabled = false;
        problem.replaceChildren(alertBox('danger', msg.network));
      });
    });
    append(s, problem, pay, el('br'), searchAgain());
    show(s);
  }

  function showOutcome(id) {
    var s = section(msg.outcome);
    var body = el('div');
    s.appendChild(body);
    show(s);
    var tries = 0;
    function again(nav) {
      var a = el('a', 'btn btn-outline-primary', msg.again);
      a.href = page + (nav ? '?nav=' + encodeURIComponent(nav) : '');
      return a;
    }
    function poll() {
      request('GET', '/api/v1/preavvisi/pagamenti/' + encodeURIComponent(id)).then(function (r) {
        if (r.status !== 200) { body.replaceChildren(alertBox('danger', r.status === 404 ? msg.unknown : errorText(r)), again('')); return; }
        var p = r.data;
        if (p.stato === 'in_corso') {
          tries++;
          if (tries === 1) { body.replaceChildren(el('p', '', msg.waiting)); say(msg.waiting); }
          if (tries < 30) { setTimeout(poll, 2000); } else { body.replaceChildren(alertBox('warning', msg.slow)); }
          return;
        }
        if (p.stato === 'pagato') {
          var ok = alertBox('success');
          append(ok, el('h3', 'h5', msg.okTitle),
            el('p', 'mb-1', fill(msg.ok, { importo: euro(p.pagato_cent), data: instant(p.pagato_il), id: p.id })),
            el('p', 'mb-0', fill(msg.okFine, { numero: p.numero, nav: grouped(p.nav) })));
          var acc = el('section', 'mt-4');
          var login = el('a', 'btn btn-primary', msg.login);
          login.href = '/auth/login?next=' + encodeURIComponent(en ? '/en/area-personale/' : '/area-personale/');
          append(acc, el('h3', 'h4', msg.account), el('p', '', msg.accountText), login);
          body.replaceChildren(ok, acc);
          return;
        }
        body.replaceChildren(alertBox(p.stato === 'annullato' ? 'info' : 'danger', p.stato === 'annullato' ? msg.cancelled : msg.failed), again(p.nav));
      }, function () {
        body.replaceChildren(alertBox('danger', msg.network));
      });
    }
    poll();
  }

  if (params.get('id')) {
    showOutcome(params.get('id'));
  } else {
    // The QR printed on the pre-notice opens the page with its notice code: search at once.
    var fromQR = (params.get('nav') || '').replace(/\s/g, '');
    var form = searchForm(fromQR);
    view.appendChild(form);
    if (fromQR) { form.requestSubmit(); }
  }
})();
