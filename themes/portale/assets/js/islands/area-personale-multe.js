// Island "area-personale-multe" (/area-personale/multe/): the statement of fines
// (GET /api/v1/me/estratto-conto) — today's total, then each verbale with its phase in plain
// words, the amount due today and how to pay it or get its documents.
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-multe"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;

  var seq = 0;

  function card(x) {
    var id = 'ap-verbale-' + (++seq);
    var art = el('article', 'card portale-ap-card');
    art.setAttribute('aria-labelledby', id);
    var body = el('div', 'card-body');
    var head = el('div', 'portale-ap-card-head');
    var h = el('h3', 'h5 card-title mb-0', ap.fill(msg.verbaleTitle, { numero: x.numero }));
    h.id = id;
    append(head, h, ap.verbale.statusBadge(x, msg));
    var today = el('p', 'portale-ap-today');
    append(today, msg.today + ' ', el('strong', '', f.euro(x.importo_cent)));
    append(body, head, today, ap.verbale.phase(x, msg),
      ap.facts([[msg.whenWhere, ap.verbale.where(x)], [msg.plate, x.targa], [msg.violations, ap.verbale.violations(x)], [msg.points, x.punti ? String(x.punti) : '']]),
      ap.verbale.accessory(x, msg), ap.verbale.notes(x), ap.verbale.actions(x, msg),
      ap.link(msg.detailURL + '?numero=' + encodeURIComponent(x.numero), ap.fill(msg.detailLink, { numero: x.numero }), 'portale-ap-detail-link'));
    art.appendChild(body);
    var li = el('li');
    li.appendChild(art);
    return li;
  }

  function group(title, list, empty) {
    var section = el('section', 'portale-ap-group');
    section.appendChild(el('h2', 'h4', title));
    if (!list.length) {
      section.appendChild(el('p', 'portale-ap-empty', empty));
      return section;
    }
    var ul = el('ul', 'portale-ap-cards');
    list.forEach(function (x) { ul.appendChild(card(x)); });
    section.appendChild(ul);
    return section;
  }

  v.load('/api/v1/me/estratto-conto', function (st) {
    var total = el('div', 'portale-ap-total');
    append(total, el('p', 'mb-1', msg.totalToday), el('p', 'portale-ap-amount', f.euro(st.totale_cent)), el('p', 'small mb-0', ap.fill(msg.asOf, { data: f.date(st.data) })));
    var due = st.verbali.filter(function (x) { return x.importo_cent > 0; });
    var other = st.verbali.filter(function (x) { return !(x.importo_cent > 0); });
    append(v.content, total, group(msg.toPay, due, msg.noFinesToPay));
    if (other.length) { v.content.appendChild(group(msg.closed, other, '')); }
  });
})();
