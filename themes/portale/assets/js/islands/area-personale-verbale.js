// Island "area-personale-verbale" (/area-personale/multe/dettaglio/?numero=…): one verbale in
// full (GET /api/v1/me/verbali/{numero}) — the three amounts with their deadlines, the appeal
// deadlines, the images, the pagoPA notice code and the data of its QR code, and for the owner
// who must name the driver the link to do it.
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-verbale"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;
  var numero = new URLSearchParams(location.search).get('numero');

  function section(title) {
    var s = el('section', 'portale-ap-section');
    s.appendChild(el('h3', 'h5', title));
    return s;
  }

  // The three amounts, with the deadline of each as far as the verbale's phase tells it.
  function amounts(x) {
    var order = ['riduzione_30', 'misura_ridotta', 'meta_massimo'];
    var cents = [x.importi.riduzione_30_cent, x.importi.misura_ridotta_cent, x.importi.meta_massimo_cent];
    var now = order.indexOf(x.fase);
    var wrap = el('div', 'table-responsive');
    var table = el('table', 'table portale-table portale-ap-table');
    append(table, el('caption', '', msg.amountsCaption));
    var thead = el('thead');
    var hr = el('tr');
    [msg.amountsPhase, msg.amountsWhen, msg.amountsAmount].forEach(function (t, i) {
      var th = el('th', i === 2 ? 'text-end' : '', t);
      th.scope = 'col';
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    var tbody = el('tbody');
    order.forEach(function (name, i) {
      var tr = el('tr', i === now ? 'table-primary' : '');
      var th = el('th', '', msg.amountRows[name]);
      th.scope = 'row';
      var when = '';
      if (now === -1) { when = msg.whenNotApplicable; } else if (i < now) { when = msg.whenPast; } else if (i === now) {
        when = x.scadenza_fase ? ap.fill(msg.whenUntil, { data: f.date(x.scadenza_fase) }) : msg.whenToday;
      } else if (i === now + 1 && x.prossima_fase) { when = ap.fill(msg.whenFrom, { data: f.date(x.prossima_fase.data_inizio) }); } else { when = msg.whenLater; }
      var amount = cents[i] === null || cents[i] === undefined ? msg.noDiscount : f.euro(cents[i]);
      append(tr, th, el('td', '', when), el('td', 'text-end text-nowrap', amount));
      tbody.appendChild(tr);
    });
    append(table, thead, tbody);
    wrap.appendChild(table);
    return wrap;
  }

  function render(x) {
    var head = el('div', 'portale-ap-card-head');
    append(head, el('h2', 'h3 mb-0', ap.fill(msg.verbaleTitle, { numero: x.numero })), ap.verbale.statusBadge(x, msg));
    var today = el('p', 'portale-ap-today');
    append(today, msg.today + ' ', el('strong', '', f.euro(x.importo_cent)));
    append(v.content, head, today, ap.verbale.phase(x, msg), ap.verbale.accessory(x, msg), ap.verbale.notes(x));

    append(v.content, ap.facts([
      [msg.dateTime, f.dateTime(x.data_ora)], [msg.place, x.luogo], [msg.plate, x.targa], [msg.role, x.ruolo ? msg.ruoli[x.ruolo === 'trasgressore e obbligato' ? 'entrambi' : x.ruolo] || x.ruolo : ''],
      [msg.points, x.punti ? String(x.punti) : ''], [msg.costs, typeof x.spese_cent === 'number' ? f.euro(x.spese_cent) : '']
    ]));

    var viol = section(msg.violations);
    viol.appendChild(ap.verbale.violations(x));
    v.content.appendChild(viol);

    if (x.importi) {
      var am = section(msg.amountsTitle);
      am.appendChild(amounts(x));
      v.content.appendChild(am);
    }

    var pay = section(msg.payTitle);
    var actions = ap.verbale.actions(x, msg);
    if (actions) { pay.appendChild(actions); } else { pay.appendChild(el('p', '', msg.notPayable)); }
    if (x.nav && !x.pagabile) { pay.appendChild(ap.facts([[msg.navLabel, f.nav(x.nav)]])); }
    if (x.qr_pagopa) {
      var qr = el('p', 'portale-ap-qr');
      append(qr, msg.qrLabel + ' ', el('code', '', x.qr_pagopa));
      pay.appendChild(qr);
    }
    v.content.appendChild(pay);

    // The owner must name the driver (art. 126-bis): the deadline, the fine for missing it, the form.
    if (x.comunicazione_conducente) {
      var cc = x.comunicazione_conducente;
      var driver = section(msg.apc_driverTitle);
      if (cc.protocollo) {
        // Already named: the tracking number and the state, and where to follow it.
        append(driver, el('p', 'portale-ap-driver-named', ap.fill(msg.apc_driverNamed, { protocollo: cc.protocollo, stato: (msg.apc_stati && msg.apc_stati[cc.stato]) || cc.stato })),
          ap.link(msg.comunicazioniURL, msg.apc_driverFollow));
      } else {
        append(driver, el('p', '', ap.fill(msg.apc_deadline, { data: f.date(cc.scadenza), min: f.euro(cc.sanzione_minima_cent), max: f.euro(cc.sanzione_massima_cent) })),
          ap.link(msg.comunicazioniURL + '?tipo=conducente&numero=' + encodeURIComponent(x.numero), msg.apc_driverAction, 'btn btn-primary btn-sm portale-ap-driver-link'));
      }
      v.content.appendChild(driver);
    }

    if (x.scadenze) {
      var dl = section(msg.deadlinesTitle);
      dl.appendChild(ap.facts(Object.keys(msg.deadlines).map(function (k) { return [msg.deadlines[k], x.scadenze[k] ? f.date(x.scadenze[k]) : '']; })));
      v.content.appendChild(dl);
    }

    if (x.immagini && x.immagini.length) {
      var img = section(msg.imagesTitle);
      var ul = el('ul');
      x.immagini.forEach(function (src, i) {
        var li = el('li');
        li.appendChild(ap.link(src, ap.fill(msg.image, { n: i + 1 })));
        ul.appendChild(li);
      });
      img.appendChild(ul);
      v.content.appendChild(img);
    }
    document.title = ap.fill(msg.verbaleTitle, { numero: x.numero }) + ' \u2013 ' + document.title;
  }

  if (!numero) {
    v.fail(msg.noNumber);
    return;
  }
  v.load(ap.apiVerbale(numero), render);
})();
