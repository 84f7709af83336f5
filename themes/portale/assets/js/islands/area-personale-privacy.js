// Island "area-personale-privacy" (/area-personale/privacy/): the consent to the privacy notice
// (GET /api/v1/me/consenso) and its withdrawal after a confirmation (DELETE).
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-privacy"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;
  var consentURL = '/auth/consenso?next=' + encodeURIComponent(v.here);

  function show(c) {
    var box = el('div', 'portale-ap-consent');
    var state = el('p', 'lead');
    state.tabIndex = -1;
    if (c.dato) {
      state.textContent = ap.fill(msg.consentGiven, { versione: c.versione, data: f.dateTime(c.dato_il) });
    } else if (c.revocato_il) {
      state.textContent = ap.fill(msg.consentWithdrawn, { data: f.dateTime(c.revocato_il) });
    } else {
      state.textContent = msg.consentMissing;
    }
    append(box, state, el('p', '', msg.consentWhat));
    var notice = el('p');
    notice.appendChild(ap.link(c.informativa_url || msg.privacyURL, msg.readNotice));
    box.appendChild(notice);
    if (c.dato) {
      var withdraw = el('button', 'btn btn-outline-danger', msg.withdraw);
      withdraw.type = 'button';
      withdraw.addEventListener('click', function () { confirm(box, withdraw); });
      box.appendChild(withdraw);
    } else {
      box.appendChild(ap.link(consentURL, msg.consentAction, 'btn btn-primary'));
    }
    v.content.replaceChildren(box);
    return state;
  }

  // The confirmation step before withdrawing.
  function confirm(box, withdraw) {
    var ask = el('div', 'portale-ap-confirm');
    var q = el('p', '', msg.withdrawQuestion);
    q.tabIndex = -1;
    var yes = el('button', 'btn btn-danger me-2', msg.withdrawYes);
    yes.type = 'button';
    var no = el('button', 'btn btn-outline-secondary', msg.cancel);
    no.type = 'button';
    append(ask, q, yes, no);
    withdraw.replaceWith(ask);
    q.focus();
    no.addEventListener('click', function () {
      ask.replaceWith(withdraw);
      withdraw.focus();
    });
    yes.addEventListener('click', function () {
      yes.disabled = true;
      v.request('DELETE', '/api/v1/me/consenso').then(function (r) {
        if (r.status !== 200) { yes.disabled = false; v.refused(r); return; }
        v.fail('');
        v.say(msg.withdrawn);
        show(r.data).focus();
      });
    });
  }

  v.load('/api/v1/me/consenso', show);
})();
