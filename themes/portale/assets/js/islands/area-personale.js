// Island "area-personale" (/area-personale/): who is signed in (GET /api/v1/me), what they owe
// today for fines (GET /api/v1/me/estratto-conto) and their next deadlines
// (GET /api/v1/me/scadenze, with the fines' own). Signed out, the page's text and the
// sign-in button stay; the cards to each section are in the page itself.
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;

  function greeting(me) {
    var box = el('div', 'portale-ap-hello');
    var form = el('form');
    form.method = 'post';
    form.action = '/auth/logout';
    form.appendChild(el('button', 'btn btn-outline-primary btn-sm', msg.logout));
    append(box, el('p', 'lead mb-0', ap.fill(msg.hello, { nome: me.nome + ' ' + me.cognome })), form);
    return box;
  }

  function deadlines(st, sc) {
    var items = [];
    st.verbali.forEach(function (x) {
      if (x.scadenza_fase && x.importo_cent > 0) {
        items.push({ when: x.scadenza_fase, text: ap.fill(msg.fineDeadline, { numero: x.numero, importo: f.euro(x.importo_cent) }), href: msg.detailURL + '?numero=' + encodeURIComponent(x.numero) });
      }
    });
    sc.scadenze.forEach(function (s) {
      if (!s.scaduto) { items.push({ when: s.scadenza, text: s.descrizione + ' ' + s.riferimento, href: msg.deadlinesURL }); }
    });
    items.sort(function (a, b) { return a.when < b.when ? -1 : a.when > b.when ? 1 : 0; });
    var section = el('section', 'portale-ap-group');
    section.appendChild(el('h2', 'h4', msg.nextDeadlines));
    if (!items.length) {
      section.appendChild(el('p', 'portale-ap-empty', msg.noDeadlines));
      return section;
    }
    var ul = el('ul', 'portale-ap-deadlines');
    items.slice(0, 5).forEach(function (it) {
      var li = el('li');
      append(li, el('strong', 'portale-ap-when', f.date(it.when)), ' ', ap.link(it.href, it.text));
      ul.appendChild(li);
    });
    section.appendChild(ul);
    return section;
  }

  v.say(msg.loading);
  v.request('GET', '/api/v1/me').then(function (r) {
    if (r.status !== 200) { v.refused(r); return; }
    root.querySelector('[data-ap-fallback]').hidden = true;
    v.content.before(greeting(r.data));
    v.load(['/api/v1/me/estratto-conto', '/api/v1/me/scadenze'], function (st, sc) {
      var total = el('div', 'portale-ap-total');
      append(total, el('p', 'mb-1', msg.totalToday), el('p', 'portale-ap-amount', f.euro(st.totale_cent)),
        ap.link(msg.finesURL, st.totale_cent > 0 ? msg.seeFines : msg.noFinesToPay));
      append(v.content, total, deadlines(st, sc));
    });
  });
})();
