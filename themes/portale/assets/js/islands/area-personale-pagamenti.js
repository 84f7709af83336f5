// Island "area-personale-pagamenti" (/area-personale/pagamenti/): payments other departments
// of the City ask for (GET /api/v1/me/richieste-pagamento), with the pagoPA notice code.
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-pagamenti"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;
  var kinds = { da_pagare: 'primary', pagata: 'success', annullata: 'secondary' };

  v.load('/api/v1/me/richieste-pagamento', function (d) {
    var total = el('div', 'portale-ap-total');
    append(total, el('p', 'mb-1', msg.requestsTotal), el('p', 'portale-ap-amount', f.euro(d.totale_da_pagare_cent)));
    v.content.appendChild(total);
    if (!d.richieste.length) {
      v.content.appendChild(el('p', 'portale-ap-empty', msg.noRequests));
      return;
    }
    var wrap = el('div', 'table-responsive');
    var t = el('table', 'table portale-table portale-ap-table');
    t.appendChild(el('caption', '', msg.requestsCaption));
    var hr = el('tr');
    [msg.subject, msg.office, msg.dueDate, msg.amount, msg.state, msg.navColumn].forEach(function (text, i) {
      var th = el('th', i === 3 ? 'text-end' : '', text);
      th.scope = 'col';
      hr.appendChild(th);
    });
    var thead = el('thead');
    thead.appendChild(hr);
    var tbody = el('tbody');
    d.richieste.forEach(function (x) {
      var tr = el('tr');
      var th = el('th', '', x.oggetto);
      th.scope = 'row';
      var state = el('td');
      append(state, ap.badge(msg.requestStates[x.stato] || x.stato, kinds[x.stato]), x.scaduta && x.stato === 'da_pagare' ? el('span', 'd-block small', msg.overdue) : null);
      append(tr, th, el('td', '', x.ufficio), el('td', 'text-nowrap', f.date(x.scadenza)), el('td', 'text-end text-nowrap', f.euro(x.importo_cent)), state,
        el('td', 'text-nowrap portale-ap-code', x.nav && x.stato === 'da_pagare' ? f.nav(x.nav) : '\u2013'));
      tbody.appendChild(tr);
    });
    append(t, thead, tbody);
    wrap.appendChild(t);
    v.content.appendChild(wrap);
  });
})();
