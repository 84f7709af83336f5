// Island "area-personale-scadenze" (/area-personale/scadenze/): when the licence, the identity
// document and the permits expire (GET /api/v1/me/scadenze), with the three reminders of each.
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-scadenze"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;

  v.load('/api/v1/me/scadenze', function (d) {
    if (!d.scadenze.length) {
      v.content.appendChild(el('p', 'portale-ap-empty', msg.noDeadlines));
      return;
    }
    var ul = el('ul', 'portale-ap-cards');
    d.scadenze.forEach(function (s) {
      var art = el('article', 'card portale-ap-card');
      var body = el('div', 'card-body');
      var head = el('div', 'portale-ap-card-head');
      append(head, el('h2', 'h5 card-title mb-0', s.descrizione), s.scaduto ? ap.badge(msg.expired, 'danger') : s.giorni_mancanti <= 30 ? ap.badge(msg.expiringSoon, 'warning') : null);
      var when = s.scaduto ? ap.fill(msg.expiredOn, { data: f.date(s.scadenza) })
        : ap.fill(msg.expiresOn, { data: f.date(s.scadenza) }) + ' (' + ap.fill(msg.inDays, { giorni: s.giorni_mancanti }) + ')';
      var reminders = el('ul', 'portale-ap-reminders');
      s.promemoria.forEach(function (p) {
        reminders.appendChild(el('li', '', ap.fill(p.dovuto ? msg.reminderDue : msg.reminderLater, { giorni: p.giorni_prima, data: f.date(p.data) })));
      });
      append(body, head, el('p', 'portale-ap-due', when), ap.facts([[msg.reference, s.riferimento]]), el('p', 'mb-1', msg.remindersTitle), reminders);
      art.appendChild(body);
      var li = el('li');
      li.appendChild(art);
      ul.appendChild(li);
    });
    v.content.appendChild(ul);
  });
})();
