// What the statement and the detail page both say about a verbale: its state in plain words,
// the payment links and code, the towed vehicle, the collector's link.
import * as format from './format.js';
import { el, append, badge, link, fill, apiVerbale } from './vista.js';

var kinds = { riduzione_30: 'primary', misura_ridotta: 'primary', meta_massimo: 'warning', maggiorata: 'danger', pagato: 'success', rateizzato: 'secondary', coattivo: 'danger', ricorso: 'secondary', archiviato: 'secondary' };

export function statusBadge(v, msg) {
  return badge(msg.fasi[v.fase] || v.fase, kinds[v.fase]);
}

export function where(v) {
  return format.dateTime(v.data_ora) + ' \u2013 ' + v.luogo;
}

export function violations(v) {
  var ul = el('ul', 'portale-ap-violations');
  (v.violazioni || []).forEach(function (x) {
    ul.appendChild(el('li', '', x.descrizione + ' (art. ' + x.articolo + ' c. ' + x.comma + ')'));
  });
  return ul;
}

// The phase in plain words: "Entro il 30/11/2026 paghi 155,87 € (−30 %)", "Dal 01/12/2026: 222,67 €".
export function phase(v, msg) {
  var box = el('div', 'portale-ap-phase');
  var amount = format.euro(v.importo_cent);
  switch (v.fase) {
    case 'riduzione_30':
    case 'misura_ridotta':
    case 'meta_massimo':
    case 'maggiorata':
      box.appendChild(el('p', 'portale-ap-due', v.scadenza_fase
        ? fill(msg.dueBy, { data: format.date(v.scadenza_fase), importo: amount }) + (v.fase === 'riduzione_30' ? ' ' + msg.discount : '')
        : fill(msg.dueNow, { importo: amount })));
      if (v.prossima_fase) {
        box.appendChild(el('p', 'portale-ap-next', fill(msg.nextFrom, { data: format.date(v.prossima_fase.data_inizio), importo: format.euro(v.prossima_fase.importo_cent) })));
      }
      break;
    case 'pagato':
      box.appendChild(el('p', 'portale-ap-due', v.pagamento
        ? fill(msg.paidOn, { data: format.date(v.pagamento.data), importo: format.euro(v.pagamento.importo_cent) })
        : msg.paid));
      break;
    case 'rateizzato':
      box.appendChild(el('p', 'portale-ap-due', fill(msg.instalments, { importo: amount })));
      break;
    case 'coattivo':
      box.appendChild(el('p', 'portale-ap-due', fill(msg.coercive, { importo: amount, ente: (v.coattivo && v.coattivo.ente) || msg.collector, riferimento: (v.coattivo && v.coattivo.riferimento) || '' })));
      break;
    case 'ricorso':
      box.appendChild(el('p', 'portale-ap-due', msg.appeal));
      break;
    default:
      box.appendChild(el('p', 'portale-ap-due', msg.archived));
  }
  return box;
}

// The ways to pay or the documents of a verbale: the notice PDF and its code, the quietanza,
// the collector's statement.
export function actions(v, msg) {
  var box = el('div', 'portale-ap-actions');
  if (v.pagabile && v.nav) {
    var code = el('p', 'portale-ap-nav');
    append(code, msg.navLabel + ' ', el('strong', 'portale-ap-code', format.nav(v.nav)));
    append(box, code, payButton(v, msg),
      link(apiVerbale(v.numero, '/avviso.pdf'), msg.noticePdf, 'btn btn-outline-primary btn-sm me-2 mb-2'));
  }
  if (v.fase === 'pagato') {
    box.appendChild(link(apiVerbale(v.numero, '/quietanza.pdf'), msg.receiptPdf, 'btn btn-outline-primary btn-sm me-2 mb-2'));
  }
  if (v.fase === 'coattivo' && v.coattivo && v.coattivo.link) {
    var a = link(v.coattivo.link, fill(msg.collectorLink, { ente: v.coattivo.ente || msg.collector }), 'btn btn-outline-primary btn-sm me-2 mb-2');
    a.rel = 'noopener';
    box.appendChild(a);
  }
  return box.childNodes.length ? box : null;
}

// payButton starts a pagoPA payment of today's amount and goes to the checkout;
// whether it was paid is learnt later from the receipt, never from coming back.
function payButton(v, msg) {
  var wrap = el('span', 'portale-ap-pay');
  var button = el('button', 'btn btn-primary btn-sm me-2 mb-2', msg.payNow);
  button.type = 'button';
  var problem = el('span', 'd-block text-danger small');
  problem.setAttribute('role', 'alert');
  button.addEventListener('click', function () {
    button.disabled = true;
    problem.textContent = '';
    fetch(apiVerbale(v.numero, '/pagamento'), {
      method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' }
    }).then(function (res) {
      return res.json().then(function (d) { return { ok: res.ok, data: d }; });
    }).then(function (r) {
      if (r.ok && r.data.redirect_url) { location.assign(r.data.redirect_url); return; }
      problem.textContent = (r.data && r.data.errore && r.data.errore.messaggio) || msg.payError;
      button.disabled = false;
    }, function () {
      problem.textContent = msg.payError;
      button.disabled = false;
    });
  });
  append(wrap, button, problem);
  return wrap;
}

// Accessory sanctions (a towed vehicle: where and when to collect it).
export function accessory(v, msg) {
  if (!v.sanzioni_accessorie || !v.sanzioni_accessorie.length) { return null; }
  var box = el('div', 'portale-ap-accessory alert alert-warning');
  v.sanzioni_accessorie.forEach(function (s) {
    var p = el('p', 'mb-1');
    append(p, el('strong', '', (msg.accessori[s.tipo] || s.tipo) + (s.dal ? ' ' + fill(msg.since, { data: format.date(s.dal) }) : '') + ': '), s.descrizione);
    box.appendChild(p);
    if (s.deposito) { box.appendChild(el('p', 'mb-1', msg.depot + ' ' + s.deposito)); }
    if (s.orari) { box.appendChild(el('p', 'mb-1', msg.hours + ' ' + s.orari)); }
    if (s.al) { box.appendChild(el('p', 'mb-1', fill(msg.until, { data: format.date(s.al) }))); }
  });
  return box;
}

export function notes(v) {
  if (!v.avvisi || !v.avvisi.length) { return null; }
  var ul = el('ul', 'portale-ap-notes');
  v.avvisi.forEach(function (a) { ul.appendChild(el('li', '', a)); });
  return ul;
}
