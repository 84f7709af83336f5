// Island "area-personale-permessi" (/area-personale/permessi/): the citizen's permits
// (GET /api/v1/me/permessi) with their state, and "Chiedi il rinnovo"
// (POST /api/v1/me/permessi/{id}/rinnovo) once the renewal can be asked for.
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-permessi"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;
  var kinds = { valido: 'success', in_scadenza: 'warning', scaduto: 'danger' };

  function renewal(p) {
    var box = el('div', 'portale-ap-renewal');
    if (p.rinnovo_richiesto_il) {
      box.appendChild(el('p', 'mb-0', ap.fill(msg.renewalAsked, { data: f.dateTime(p.rinnovo_richiesto_il) })));
    } else if (p.rinnovabile) {
      var b = el('button', 'btn btn-primary btn-sm', msg.renew);
      b.type = 'button';
      b.setAttribute('aria-label', ap.fill(msg.renewLabel, { permesso: p.descrizione }));
      b.addEventListener('click', function () {
        b.disabled = true;
        v.say(msg.sending);
        v.request('POST', '/api/v1/me/permessi/' + encodeURIComponent(p.id) + '/rinnovo').then(function (r) {
          if (r.status !== 200) { b.disabled = false; v.refused(r); return; }
          v.fail('');
          v.say(ap.fill(msg.renewalDone, { permesso: r.data.descrizione }));
          var fresh = card(r.data);
          var old = box.closest('li');
          old.replaceWith(fresh);
          fresh.querySelector('h2').focus();
        });
      });
      box.appendChild(b);
    } else {
      box.appendChild(el('p', 'mb-0', ap.fill(msg.renewableFrom, { data: f.date(p.rinnovabile_dal) })));
    }
    return box;
  }

  function card(p) {
    var li = el('li');
    var art = el('article', 'card portale-ap-card');
    var body = el('div', 'card-body');
    var head = el('div', 'portale-ap-card-head');
    var h = el('h2', 'h5 card-title mb-0', p.descrizione);
    h.id = 'ap-permesso-' + p.id.replace(/[^A-Za-z0-9_-]/g, '');
    h.tabIndex = -1;
    art.setAttribute('aria-labelledby', h.id);
    append(head, h, ap.badge(msg.stati[p.stato] || p.stato, kinds[p.stato]));
    var expiry = f.date(p.scadenza) + ' (' + (p.giorni_mancanti >= 0 ? ap.fill(msg.inDays, { giorni: p.giorni_mancanti }) : ap.fill(msg.daysAgo, { giorni: -p.giorni_mancanti })) + ')';
    append(body, head, ap.facts([[msg.category, p.categoria], [msg.plates, (p.targhe || []).join(', ')], [msg.validFrom, f.date(p.valido_dal)], [msg.expiry, expiry]]), renewal(p));
    art.appendChild(body);
    li.appendChild(art);
    return li;
  }

  v.load('/api/v1/me/permessi', function (d) {
    if (!d.permessi.length) {
      v.content.appendChild(el('p', 'portale-ap-empty', msg.noPermits));
      return;
    }
    var ul = el('ul', 'portale-ap-cards');
    d.permessi.forEach(function (p) { ul.appendChild(card(p)); });
    v.content.appendChild(ul);
  });
})();
