// Island "area-personale-coattiva" (/area-personale/riscossione/): the verbali in the coercive
// phase (GET /api/v1/me/posizioni-coattive), each with the collector's "Estratto conto on line".
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-coattiva"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;

  v.load('/api/v1/me/posizioni-coattive', function (d) {
    if (!d.posizioni.length) {
      v.content.appendChild(el('p', 'portale-ap-empty', msg.noCoercive));
      return;
    }
    var total = el('div', 'portale-ap-total');
    append(total, el('p', 'mb-1', msg.coerciveTotal), el('p', 'portale-ap-amount', f.euro(d.totale_cent)));
    v.content.appendChild(total);
    var ul = el('ul', 'portale-ap-cards');
    d.posizioni.forEach(function (x) {
      var art = el('article', 'card portale-ap-card');
      var body = el('div', 'card-body');
      var a = ap.link(x.link, ap.fill(msg.collectorLink, { ente: x.ente }), 'btn btn-outline-primary btn-sm');
      a.rel = 'noopener';
      append(body, el('h2', 'h5 card-title', ap.fill(msg.verbaleTitle, { numero: x.numero })),
        ap.facts([[msg.whenWhere, f.dateTime(x.data_ora) + ' \u2013 ' + x.luogo], [msg.plate, x.targa], [msg.collector, x.ente], [msg.reference, x.riferimento], [msg.amount, f.euro(x.importo_cent)]]),
        el('p', '', ap.fill(msg.coerciveHow, { ente: x.ente })), a);
      art.appendChild(body);
      var li = el('li');
      li.appendChild(art);
      ul.appendChild(li);
    });
    v.content.appendChild(ul);
  });
})();
