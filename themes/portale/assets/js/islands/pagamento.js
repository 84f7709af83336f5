// Island "pagamento" (/area-personale/pagamento/?id=…): where the checkout sends a citizen back.
// The outcome comes from GET /api/v1/me/pagamenti/{id}, which only the receipt recorded by the
// City makes "pagato" (the checkout reports "annullato" and "errore" itself); the address the
// citizen returns to proves nothing. While pagoPA has not confirmed, the island asks again.
(function () {
  'use strict';
  var root = document.querySelector('[data-island="pagamento"]');
  if (!root) { return; }
  var en = document.documentElement.lang === 'en';
  var area = en ? '/en/area-personale/' : '/area-personale/';
  var msg = en ? {
    waiting: 'Waiting for pagoPA to confirm the payment…', slow: 'The confirmation has not arrived yet. Look at your fines in a few minutes: you do not need to pay again.',
    okTitle: 'Payment received', ok: 'You paid {importo} on {data} for fine no. {numero}.', receipt: 'Download the receipt (PDF)', email: 'If we have your email address, the receipt is also sent to you by email.',
    cancelled: 'You cancelled the payment: you have paid nothing.', failed: 'The payment did not go through: you have been charged nothing. You can try again from your fines.',
    fines: 'Back to your fines', login: 'Sign in with SPID or CIE to see the outcome of your payment.', loginButton: 'Sign in with SPID or CIE',
    consent: 'Accept the privacy notice to see your payments.', consentButton: 'Read the privacy notice', noId: 'This page shows the outcome of a payment: open it from pagoPA at the end of a payment.',
    network: 'The service is not answering. Try again in a few minutes.'
  } : {
    waiting: 'Aspettiamo la conferma del pagamento da pagoPA…', slow: 'La conferma non è ancora arrivata. Guarda le tue multe tra qualche minuto: non devi pagare di nuovo.',
    okTitle: 'Pagamento ricevuto', ok: 'Hai pagato {importo} il {data} per il verbale n. {numero}.', receipt: 'Scarica la ricevuta (PDF)', email: 'Se conosciamo il tuo indirizzo email, ti mandiamo la ricevuta anche per email.',
    cancelled: 'Hai annullato il pagamento: non hai pagato nulla.', failed: 'Il pagamento non è andato a buon fine: non ti è stato addebitato nulla. Puoi riprovare dalle tue multe.',
    fines: 'Torna alle tue multe', login: "Entra con SPID o CIE per vedere l'esito del tuo pagamento.", loginButton: 'Entra con SPID o CIE',
    consent: "Accetta l'informativa privacy per vedere i tuoi pagamenti.", consentButton: "Leggi l'informativa", noId: "Questa pagina mostra l'esito di un pagamento: la apri da pagoPA alla fine del pagamento.",
    network: 'Il servizio non risponde. Riprova tra qualche minuto.'
  };
  var here = location.pathname + location.search;
  var id = new URLSearchParams(location.search).get('id');

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function link(href, text, cls) { var a = el('a', cls || '', text); a.href = href; return a; }
  function fill(t, v) { return t.replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  function euro(c) {
    var abs = Math.abs(Math.round(c));
    var units = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, en ? ',' : '.');
    var n = units + (en ? '.' : ',') + String(abs % 100).padStart(2, '0');
    return en ? '\u20ac' + n : n + '\u00a0\u20ac';
  }
  var clock = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  function instant(s) { var d = new Date(s); return isNaN(d.getTime()) ? (s || '') : clock.format(d); }

  var box = el('div');
  box.setAttribute('aria-live', 'polite');
  root.replaceChildren(box);
  function show() {
    box.replaceChildren.apply(box, arguments);
  }
  function alertBox(kind) {
    var a = el('div', 'alert alert-' + kind);
    a.setAttribute('role', kind === 'success' || kind === 'info' ? 'status' : 'alert');
    for (var i = 1; i < arguments.length; i++) { a.appendChild(arguments[i]); }
    return a;
  }
  var back = function () { return link(area, msg.fines, 'btn btn-outline-primary'); };

  if (!id) { show(el('p', '', msg.noId), back()); return; }
  var tries = 0;
  function poll() {
    fetch('/api/v1/me/pagamenti/' + encodeURIComponent(id), { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().then(function (d) { return { status: r.status, data: d }; }, function () { return { status: r.status, data: null }; });
    }).then(function (r) {
      if (r.status === 401) {
        show(el('p', '', msg.login), link('/auth/login?next=' + encodeURIComponent(here), msg.loginButton, 'btn btn-primary'));
        return;
      }
      if (r.status === 403) {
        show(el('p', '', msg.consent), link('/auth/consenso?next=' + encodeURIComponent(here), msg.consentButton, 'btn btn-primary'));
        return;
      }
      if (r.status !== 200) {
        show(alertBox('danger', el('p', 'mb-0', r.data && r.data.errore ? r.data.errore.messaggio : msg.network)), back());
        return;
      }
      var p = r.data;
      if (p.stato === 'in_corso') {
        tries++;
        if (tries === 1) { show(el('p', '', msg.waiting)); }
        if (tries < 30) { setTimeout(poll, 2000); } else { show(alertBox('warning', el('p', 'mb-0', msg.slow)), back()); }
        return;
      }
      if (p.stato === 'pagato') {
        var ok = alertBox('success', el('h2', 'h5', msg.okTitle),
          el('p', 'mb-1', fill(msg.ok, { importo: euro(p.pagato_cent), data: instant(p.pagato_il), numero: p.numero })),
          el('p', 'mb-0', msg.email));
        var actions = el('p', 'mt-3');
        if (p.quietanza_url) { actions.appendChild(link(p.quietanza_url, msg.receipt, 'btn btn-primary me-2')); }
        actions.appendChild(back());
        show(ok, actions);
        return;
      }
      show(alertBox(p.stato === 'annullato' ? 'info' : 'danger', el('p', 'mb-0', p.stato === 'annullato' ? msg.cancelled : msg.failed)), back());
    }, function () {
      show(alertBox('danger', el('p', 'mb-0', msg.network)), back());
    });
  }
  poll();
})();
