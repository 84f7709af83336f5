// Island "area-personale-patente" (/area-personale/patente/): the licence and its points
// (GET /api/v1/me/patente), with each movement and the verbale behind it.
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-patente"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;

  function movements(list) {
    var wrap = el('div', 'table-responsive');
    var table = el('table', 'table portale-table portale-ap-table');
    table.appendChild(el('caption', '', msg.movementsCaption));
    var hr = el('tr');
    [msg.movDate, msg.movWhat, msg.movPoints, msg.movBalance].forEach(function (t, i) {
      var th = el('th', i >= 2 ? 'text-end' : '', t);
      th.scope = 'col';
      hr.appendChild(th);
    });
    var thead = el('thead');
    thead.appendChild(hr);
    var tbody = el('tbody');
    list.forEach(function (m) {
      var tr = el('tr');
      var th = el('th', 'text-nowrap', f.date(m.data));
      th.scope = 'row';
      var what = el('td');
      what.appendChild(el('span', '', m.descrizione));
      if (m.verbale) {
        var p = el('span', 'd-block small');
        if (m.verbale.data_ora) {
          append(p, f.dateTime(m.verbale.data_ora) + ', ' + m.verbale.luogo + ' \u2013 ',
            ap.link(msg.detailURL + '?numero=' + encodeURIComponent(m.verbale.numero), ap.fill(msg.verbaleTitle, { numero: m.verbale.numero })));
        } else {
          p.textContent = ap.fill(msg.verbaleTitle, { numero: m.verbale.numero });
        }
        what.appendChild(p);
      }
      append(tr, th, what, el('td', 'text-end', (m.punti > 0 ? '+' : m.punti < 0 ? '\u2212' : '') + Math.abs(m.punti)), el('td', 'text-end', String(m.saldo_dopo)));
      tbody.appendChild(tr);
    });
    append(table, thead, tbody);
    wrap.appendChild(table);
    return wrap;
  }

  v.load('/api/v1/me/patente', function (d) {
    if (!d.patente) {
      v.content.appendChild(el('p', 'portale-ap-empty', msg.noLicence));
      return;
    }
    var p = d.patente;
    if (d.punti) {
      var total = el('div', 'portale-ap-total');
      append(total, el('p', 'mb-1', msg.pointsBalance), el('p', 'portale-ap-amount', ap.fill(msg.pointsValue, { punti: d.punti.saldo })),
        d.punti.prossimo_bonus ? el('p', 'small mb-0', ap.fill(msg.nextBonus, { data: f.date(d.punti.prossimo_bonus) })) : null);
      v.content.appendChild(total);
      if (d.punti.revisione) { v.content.appendChild(el('div', 'alert alert-danger', msg.revision)); }
    }
    if (p.scaduta) { v.content.appendChild(el('div', 'alert alert-warning', ap.fill(msg.licenceExpired, { data: f.date(p.scadenza) }))); }
    v.content.appendChild(el('h2', 'h4', msg.licenceTitle));
    v.content.appendChild(ap.facts([
      [msg.licenceNumber, p.numero], [msg.licenceCategory, p.categoria], [msg.licenceIssued, f.date(p.rilasciata_il)],
      [msg.licenceExpiry, f.date(p.scadenza)], [msg.newDriver, p.neopatentato ? ap.fill(msg.newDriverUntil, { data: f.date(p.neopatentato_fino_al) }) : '']
    ]));
    if (d.punti) {
      v.content.appendChild(el('h2', 'h4', msg.movementsTitle));
      if (d.punti.movimenti.length) { v.content.appendChild(movements(d.punti.movimenti)); } else { v.content.appendChild(el('p', 'portale-ap-empty', msg.noMovements)); }
    }
  });
})();
