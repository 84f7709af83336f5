// Island "area-personale-rateizzazioni" (/area-personale/rateizzazioni/): the citizen's
// instalment plans (GET /api/v1/me/rateizzazioni) — state, the office's counter-proposal to
// accept or refuse (POST …/{id}/accetta, …/rifiuta), the instalments with due date, amount and
// pagoPA notice code, the attached documents and the upload of new ones (POST …/{id}/allegati) —
// and "Chiedi una rateizzazione": the eligible fines of the statement (GET
// /api/v1/me/estratto-conto), income and household, the number of instalments, with
// eligibility and schedule recomputed as they change (POST /api/v1/calcolo/rateizzazione,
// debounced), then the proposal (POST /api/v1/me/rateizzazioni).
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-rateizzazioni"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;
  var m = ap.moduli;
  var kinds = { proposta: 'primary', controproposta: 'warning', approvata: 'success', respinta: 'danger', decaduta: 'danger' };
  var live = { proposta: true, controproposta: true, approvata: true };
  var list = el('section', 'portale-ap-group');
  var ask = el('section', 'portale-ap-group');
  var state = { st: null, plans: [] };

  function heading(tag, cls, text, id) {
    var h = el(tag, cls, text);
    h.tabIndex = -1;
    if (id) { h.id = id; }
    return h;
  }

  // The instalments of a plan (or of a counter-proposal, without notice codes).
  function instalmentTable(caption, rate, withNotice, planId) {
    // It may scroll sideways on a phone: a named region that takes the focus, for the keyboard.
    var wrap = el('div', 'table-responsive');
    wrap.tabIndex = 0;
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('aria-label', caption);
    var t = el('table', 'table portale-table portale-ap-table');
    t.appendChild(el('caption', '', caption));
    var hr = el('tr');
    var cols = [msg.apr_colNumber, msg.apr_colDue, msg.apr_colCapital, msg.apr_colInterest, msg.apr_colAmount];
    if (withNotice) { cols.push(msg.apr_colNotice, msg.apr_colState); }
    cols.forEach(function (text, i) {
      var th = el('th', i >= 2 && i <= 4 ? 'text-end' : '', text);
      th.scope = 'col';
      hr.appendChild(th);
    });
    var thead = el('thead');
    thead.appendChild(hr);
    var tbody = el('tbody');
    rate.forEach(function (r) {
      var tr = el('tr');
      var th = el('th', '', String(r.numero));
      th.scope = 'row';
      append(tr, th, el('td', 'text-nowrap', f.date(r.scadenza)), el('td', 'text-end text-nowrap', f.euro(r.capitale_cent)),
        el('td', 'text-end text-nowrap', f.euro(r.interessi_cent)), el('td', 'text-end text-nowrap', f.euro(r.importo_cent)));
      if (withNotice) {
        var cell = el('td', '', r.pagata
          ? ap.fill(msg.apr_paidOn, { data: f.dateTime(r.pagata_il) })
          : (state.st && r.scadenza < state.st.data ? msg.apr_overdue : msg.apr_toPay));
        if (r.pagabile && planId) { cell.appendChild(payInstalment(planId, r)); }
        append(tr, el('td', 'portale-ap-code', f.nav(r.nav)), cell);
      }
      tbody.appendChild(tr);
    });
    append(t, thead, tbody);
    wrap.appendChild(t);
    return wrap;
  }

  // "Paga con pagoPA" on an instalment: the portal starts the payment and the checkout takes
  // over; the instalment shows paid when the receipt arrives, never from coming back.
  function payInstalment(planId, r) {
    var wrap = el('div', 'mt-1');
    var button = el('button', 'btn btn-primary btn-sm', msg.apr_payInstalment);
    button.type = 'button';
    button.setAttribute('aria-label', ap.fill(msg.apr_payInstalmentLabel, { numero: r.numero, id: planId }));
    var problem = el('span', 'd-block text-danger small');
    problem.setAttribute('role', 'alert');
    button.addEventListener('click', function () {
      button.disabled = true;
      problem.textContent = '';
      v.request('POST', '/api/v1/me/rateizzazioni/' + planId + '/rate/' + r.numero + '/pagamento').then(function (res) {
        if (res.status === 201 && res.data && res.data.redirect_url) { location.assign(res.data.redirect_url); return; }
        problem.textContent = v.errorText(res);
        button.disabled = false;
      });
    });
    append(wrap, button, problem);
    return wrap;
  }

  function attachments(p) {
    var box = el('div', 'portale-ap-section');
    box.appendChild(el('h4', 'h6', msg.apr_attachmentsTitle));
    if (p.allegati.length) {
      var ul = el('ul', 'portale-ap-files');
      p.allegati.forEach(function (a) {
        var li = el('li');
        append(li, ap.link(a.url, a.nome), ' (' + m.size(a.dimensione) + ', ' + f.dateTime(a.caricato_il) + ')');
        ul.appendChild(li);
      });
      box.appendChild(ul);
    } else {
      box.appendChild(el('p', 'portale-ap-empty', msg.apr_noAttachments));
    }
    if (p.stato === 'proposta' || p.stato === 'controproposta') { box.appendChild(uploadForm(p)); }
    return box;
  }

  // One document at a time, multipart field "file"; the portal judges its type and says why not.
  function uploadForm(p) {
    var form = el('form', 'portale-ap-upload');
    form.noValidate = true;
    var fl = m.field({ id: 'apr-file-' + p.id, name: 'file', type: 'file', label: ap.fill(msg.apr_uploadLabel, { id: p.id }), hint: msg.apr_uploadHint, accept: '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg' });
    var submit = el('button', 'btn btn-outline-primary btn-sm', msg.apr_upload);
    submit.type = 'submit';
    append(form, fl.group, submit);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var file = fl.input.files[0];
      if (!file) { v.fieldError(fl.input, msg.apr_fileRequired); fl.input.focus(); return; }
      if (file.size > m.maxFileSize) { v.fieldError(fl.input, msg.apr_fileTooBig); fl.input.focus(); return; }
      v.fieldError(fl.input, '');
      var data = new FormData();
      data.append('file', file, file.name);
      submit.disabled = true;
      v.say(msg.apr_uploading);
      m.postForm('/api/v1/me/rateizzazioni/' + p.id + '/allegati', data).then(function (r) {
        submit.disabled = false;
        if (r.status === 201) {
          v.fail('');
          refresh(function () {
            v.say(ap.fill(msg.apr_uploaded, { nome: r.data.nome, id: p.id }));
            var h = document.getElementById('apr-plan-' + p.id);
            if (h) { h.focus(); }
          });
          return;
        }
        if (r.status === 401 || v.code(r) === 'CONSENSO_RICHIESTO') { v.refused(r); return; }
        v.say('');
        v.fieldError(fl.input, v.errorText(r));
        fl.input.focus();
      });
    });
    return form;
  }

  // The office's counter-proposal: its note and schedule, "Accetta" or "Rifiuta" (after a confirmation).
  function counter(p) {
    var c = p.controproposta;
    var box = el('div', 'portale-ap-counter alert alert-warning');
    append(box, el('h4', 'h6', msg.apr_counterTitle), el('p', '', c.nota),
      ap.facts([[msg.apr_counterRate, String(c.rate)], [msg.apr_counterFirst, f.date(c.prima_scadenza)]]),
      instalmentTable(ap.fill(msg.apr_counterCaption, { id: p.id }), c.piano, false),
      el('p', '', ap.fill(msg.apr_counterHow, { data: f.date(c.prima_scadenza) })));
    var buttons = el('div', 'portale-ap-decide');
    function decide(action, done) {
      v.say(msg.apr_sending);
      v.request('POST', '/api/v1/me/rateizzazioni/' + p.id + '/' + action).then(function (r) {
        if (r.status !== 200) { v.refused(r); reset(); return; }
        v.fail('');
        refresh(function () {
          proposalForm(); // a refused plan frees its fines
          v.say(ap.fill(done, { id: p.id }));
          var h = document.getElementById('apr-plan-' + p.id);
          if (h) { h.focus(); }
        });
      });
    }
    function reset() {
      var accept = el('button', 'btn btn-primary btn-sm me-2', msg.apr_accept);
      accept.type = 'button';
      accept.setAttribute('aria-label', ap.fill(msg.apr_acceptLabel, { id: p.id }));
      var refuse = el('button', 'btn btn-outline-danger btn-sm', msg.apr_refuse);
      refuse.type = 'button';
      refuse.setAttribute('aria-label', ap.fill(msg.apr_refuseLabel, { id: p.id }));
      buttons.replaceChildren(accept, refuse);
      accept.addEventListener('click', function () { accept.disabled = true; refuse.disabled = true; decide('accetta', msg.apr_accepted); });
      refuse.addEventListener('click', function () {
        var q = el('p', 'mb-2', msg.apr_refuseQuestion);
        q.tabIndex = -1;
        var yes = el('button', 'btn btn-danger btn-sm me-2', msg.apr_refuseYes);
        yes.type = 'button';
        var no = el('button', 'btn btn-outline-secondary btn-sm', msg.cancel);
        no.type = 'button';
        buttons.replaceChildren(q, yes, no);
        q.focus();
        no.addEventListener('click', function () { reset(); buttons.querySelector('button').focus(); });
        yes.addEventListener('click', function () { yes.disabled = true; no.disabled = true; decide('rifiuta', msg.apr_refused); });
      });
    }
    reset();
    box.appendChild(buttons);
    return box;
  }

  function planCard(p) {
    var li = el('li');
    var art = el('article', 'card portale-ap-card');
    var body = el('div', 'card-body');
    var head = el('div', 'portale-ap-card-head');
    var h = heading('h3', 'h5 card-title mb-0', ap.fill(msg.apr_planTitle, { id: p.id }), 'apr-plan-' + p.id);
    art.setAttribute('aria-labelledby', h.id);
    append(head, h, ap.badge(msg.apr_stati[p.stato] || p.stato, kinds[p.stato]));
    var waiting = (p.in_attesa_di || []).map(function (u) { return msg.apr_offices[u] || u; }).join(', ');
    append(body, head, el('p', 'mb-2', msg.apr_statoText[p.stato] || ''), ap.facts([
      [msg.apr_fines, p.verbali.join(', ')], [msg.apr_total, f.euro(p.totale_cent)], [msg.apr_count, String(p.rate)],
      [msg.apr_proposedOn, f.dateTime(p.proposta_il)], [msg.apr_income, f.euro(p.reddito_cent)], [msg.apr_household, String(p.familiari_conviventi)],
      [msg.apr_waitingFor, p.stato === 'proposta' ? waiting : ''], [msg.apr_decidedOn, p.decisa_il ? f.dateTime(p.decisa_il) : ''],
      [msg.apr_reason, p.motivo || ''], [msg.apr_lapsedOn, p.decaduta_il ? f.dateTime(p.decaduta_il) : ''],
      [msg.apr_lapsedBalance, typeof p.saldo_decadenza_cent === 'number' ? f.euro(p.saldo_decadenza_cent) : '']
    ]));
    if (p.controproposta) { body.appendChild(counter(p)); }
    if (p.piano.length) {
      var sec = el('div', 'portale-ap-section');
      append(sec, el('h4', 'h6', msg.apr_scheduleTitle), instalmentTable(ap.fill(msg.apr_scheduleCaption, { id: p.id }), p.piano, true, p.id));
      if (p.stato === 'approvata') { sec.appendChild(el('p', 'small', msg.apr_howToPay)); }
      body.appendChild(sec);
    }
    body.appendChild(attachments(p));
    art.appendChild(body);
    li.appendChild(art);
    return li;
  }

  function showPlans() {
    var h = heading('h2', 'h4', msg.apr_plansTitle, 'apr-plans');
    if (!state.plans.length) {
      list.replaceChildren(h, el('p', 'portale-ap-empty', msg.apr_noPlans));
      return;
    }
    var ul = el('ul', 'portale-ap-cards');
    state.plans.forEach(function (p) { ul.appendChild(planCard(p)); });
    list.replaceChildren(h, ul);
  }

  // The fines a proposal may include: payable today, within the 30 days of art. 202-bis and in
  // no live plan.
  function eligible() {
    var busy = {};
    state.plans.forEach(function (p) {
      if (live[p.stato]) { p.verbali.forEach(function (n) { busy[n] = true; }); }
    });
    return state.st.verbali.filter(function (x) {
      var by = x.scadenze && x.scadenze.richiesta_rateizzazione;
      return x.pagabile && x.fase !== 'rateizzato' && by && by >= state.st.data && !busy[x.numero];
    });
  }

  // The first instalment falls a month after the office approves: approving today is the guess.
  // addDays is the civil date n days after iso (YYYY-MM-DD).
  function addDays(iso, n) {
    var p = iso.split('-').map(Number);
    return new Date(Date.UTC(p[0], p[1] - 1, p[2] + n)).toISOString().slice(0, 10);
  }

  function firstDue() {
    var p = state.st.data.split('-').map(Number);
    var y = p[0], mo = p[1] + 1;
    if (mo > 12) { y++; mo = 1; }
    var last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    return y + '-' + String(mo).padStart(2, '0') + '-' + String(Math.min(p[2], last)).padStart(2, '0');
  }

  function proposalForm() {
    var fines = eligible();
    var h = heading('h2', 'h4', msg.apr_askTitle, 'apr-ask');
    if (!fines.length) {
      ask.replaceChildren(h, el('p', 'portale-ap-empty', msg.apr_noEligible));
      return;
    }
    var form = el('form', 'portale-ap-form portale-ap-proposal');
    form.noValidate = true;
    var errors = m.errorSummary(msg.apr_errorsTitle);
    var fs = el('fieldset', 'mb-3');
    append(fs, el('legend', 'h5', msg.apr_finesLegend), el('p', 'small', msg.apr_finesHint));
    var boxes = fines.map(function (x) {
      var c = m.choice('checkbox', 'verbali', x.numero, ap.fill(msg.apr_fineChoice, {
        numero: x.numero, importo: f.euro(x.importo_cent), data: f.date(x.scadenze.richiesta_rateizzazione) }), 'apr-v-' + x.numero.replace(/[^A-Za-z0-9]/g, '-'));
      c.input.dataset.cents = String(x.importo_cent);
      fs.appendChild(c.group);
      return c.input;
    });
    var finesErr = el('div', 'invalid-feedback d-block');
    finesErr.id = 'apr-verbali-err';
    fs.appendChild(finesErr);
    var reddito = m.field({ id: 'apr-reddito', label: msg.apr_incomeLabel, hint: msg.apr_incomeHint, inputMode: 'decimal', autocomplete: 'off', required: true });
    var familiari = m.field({ id: 'apr-familiari', label: msg.apr_householdLabel, hint: msg.apr_householdHint, inputMode: 'numeric', autocomplete: 'off' });
    familiari.input.value = '0';
    var rate = m.field({ id: 'apr-rate', label: msg.apr_countLabel, hint: msg.apr_countHint, inputMode: 'numeric', autocomplete: 'off', required: true });
    // The first due date is the citizen's choice, from tomorrow to 90 days ahead; left empty it is
    // a month after the approval.
    var first = m.field({ id: 'apr-prima', type: 'date', label: msg.apr_firstLabel, hint: msg.apr_firstHint, autocomplete: 'off' });
    first.input.min = addDays(state.st.data, 1);
    first.input.max = addDays(state.st.data, 90);
    var submit = el('button', 'btn btn-primary', msg.apr_submit);
    submit.type = 'submit';

    // The live answer: one sentence announced politely, the details and the schedule beside it.
    var result = el('div', 'portale-ap-live');
    var sentence = el('p', 'portale-ap-live-summary fw-semibold');
    sentence.setAttribute('aria-live', 'polite');
    sentence.id = 'apr-live';
    var details = el('div', 'portale-ap-live-details');
    append(result, el('h3', 'h5', msg.apr_liveTitle), sentence, details);
    sentence.textContent = msg.apr_liveEmpty;

    append(form, el('p', '', msg.apr_askIntro), errors.box, fs, reddito.group, familiari.group, rate.group, first.group, result, submit);
    ask.replaceChildren(h, form);

    function read() {
      var chosen = boxes.filter(function (b) { return b.checked; });
      return {
        verbali: chosen.map(function (b) { return b.value; }),
        cents: chosen.reduce(function (s, b) { return s + Number(b.dataset.cents); }, 0),
        reddito: m.parseCents(reddito.input.value),
        familiari: familiari.input.value.trim() === '' ? 0 : (/^\d+$/.test(familiari.input.value.trim()) ? Number(familiari.input.value.trim()) : NaN),
        rate: /^\d+$/.test(rate.input.value.trim()) ? Number(rate.input.value.trim()) : NaN,
        rateTyped: rate.input.value.trim() !== '',
        first: /^\d{4}-\d{2}-\d{2}$/.test(first.input.value) ? first.input.value : ''
      };
    }

    var timer = null;
    var asked = 0;
    var maxRate = 0;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(compute, 400);
    }
    function compute(withoutRate) {
      var d = read();
      if (!d.verbali.length || isNaN(d.reddito) || isNaN(d.familiari)) {
        sentence.textContent = msg.apr_liveEmpty;
        details.replaceChildren();
        return;
      }
      var body = { importo_cent: d.cents, reddito_cent: d.reddito, familiari_conviventi: d.familiari, data_prima_rata: d.first || firstDue() };
      if (!withoutRate && !isNaN(d.rate)) { body.rate = d.rate; }
      var n = ++asked;
      result.setAttribute('aria-busy', 'true');
      v.request('POST', '/api/v1/calcolo/rateizzazione', body).then(function (r) {
        if (n !== asked) { return; }
        result.removeAttribute('aria-busy');
        if (r.status === 400 && v.code(r) === 'RATE_NON_VALIDE' && body.rate !== undefined) {
          v.fieldError(rate.input, v.errorText(r));
          compute(true);
          return;
        }
        if (r.status !== 200) {
          sentence.textContent = v.errorText(r);
          details.replaceChildren();
          return;
        }
        if (body.rate !== undefined || !d.rateTyped) { v.fieldError(rate.input, ''); }
        showLive(r.data, d);
      });
    }
    function showLive(x, d) {
      maxRate = x.ammissibile ? x.max_rate : 0;
      rate.hint.textContent = maxRate ? ap.fill(msg.apr_countHintMax, { max: maxRate }) : msg.apr_countHint;
      var pairs = [[msg.apr_liveTotal, f.euro(d.cents)]];
      if (typeof x.soglia_reddito_cent === 'number') { pairs.push([msg.apr_liveLimit, f.euro(x.soglia_reddito_cent)]); }
      if (!x.ammissibile) {
        sentence.textContent = msg.apr_liveNo + ' ' + (x.motivo || '');
        details.replaceChildren(ap.facts(pairs));
        return;
      }
      pairs.push([msg.apr_liveMax, String(x.max_rate)], [msg.apr_liveRate, (x.tasso_annuo_punti_base / 100).toFixed(2).replace('.', document.documentElement.lang === 'en' ? '.' : ',') + ' %']);
      if (!x.piano || !x.piano.length) {
        sentence.textContent = ap.fill(msg.apr_liveYes, { max: x.max_rate });
        details.replaceChildren(ap.facts(pairs));
        return;
      }
      pairs.push([msg.apr_liveInterest, f.euro(x.totale_interessi_cent)], [msg.apr_liveGrand, f.euro(x.totale_cent)]);
      sentence.textContent = ap.fill(msg.apr_livePlan, { rate: x.rate, importo: f.euro(x.piano[0].importo_cent), interessi: f.euro(x.totale_interessi_cent), totale: f.euro(x.totale_cent) });
      details.replaceChildren(ap.facts(pairs), instalmentTable(ap.fill(msg.apr_liveCaption, { data: f.date(x.piano[0].scadenza) }), x.piano, false), el('p', 'small', msg.apr_liveNote));
    }
    form.addEventListener('input', later);
    form.addEventListener('change', later);

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearTimeout(timer);
      var d = read();
      var problems = [];
      [reddito.input, familiari.input, rate.input].forEach(function (x) { v.fieldError(x, ''); });
      finesErr.textContent = '';
      function bad(field, text) {
        if (field === boxes[0]) { finesErr.textContent = text; } else { v.fieldError(field, text); }
        problems.push({ field: field, text: text });
      }
      if (!d.verbali.length) { bad(boxes[0], msg.apr_finesRequired); }
      if (reddito.input.value.trim() === '') { bad(reddito.input, msg.apr_required); } else if (isNaN(d.reddito)) { bad(reddito.input, msg.apr_amountInvalid); }
      if (isNaN(d.familiari)) { bad(familiari.input, msg.apr_integer); }
      if (!d.rateTyped) { bad(rate.input, msg.apr_required); } else if (isNaN(d.rate) || d.rate < 2 || (maxRate && d.rate > maxRate)) {
        bad(rate.input, maxRate ? ap.fill(msg.apr_countRange, { max: maxRate }) : msg.apr_integer);
      }
      if (problems.length) { errors.show(problems); return; }
      errors.clear();
      submit.disabled = true;
      v.say(msg.apr_sending);
      var proposal = { verbali: d.verbali, rate: d.rate, reddito_cent: d.reddito, familiari_conviventi: d.familiari };
      if (d.first) { proposal.data_prima_rata = d.first; }
      v.request('POST', '/api/v1/me/rateizzazioni', proposal).then(function (r) {
        submit.disabled = false;
        v.say('');
        if (r.status === 201) {
          v.fail('');
          state.plans = [r.data].concat(state.plans);
          showPlans();
          proposalForm();
          var ok = el('div', 'alert alert-success portale-ap-done');
          ok.tabIndex = -1;
          append(ok, el('p', 'fw-semibold mb-1', ap.fill(msg.apr_proposed, { id: r.data.id, stato: msg.apr_stati[r.data.stato] || r.data.stato })), el('p', 'mb-0', msg.apr_proposedNext));
          list.prepend(ok);
          ok.focus();
          return;
        }
        if (r.status === 401 || v.code(r) === 'CONSENSO_RICHIESTO') { v.refused(r); return; }
        var field = { VERBALI_MANCANTI: boxes[0], REDDITO_TROPPO_ALTO: reddito.input, DICHIARAZIONE_NON_VALIDA: reddito.input, RATE_NON_VALIDE: rate.input, DATA_PRIMA_RATA_NON_VALIDA: first.input }[v.code(r)];
        if (field === boxes[0]) { finesErr.textContent = v.errorText(r); } else if (field) { v.fieldError(field, v.errorText(r)); }
        errors.show([{ field: field || null, text: v.errorText(r) }]);
      });
    });
  }

  function refresh(then) {
    v.request('GET', '/api/v1/me/rateizzazioni').then(function (r) {
      if (r.status !== 200) { v.refused(r); return; }
      state.plans = r.data.rateizzazioni;
      showPlans();
      if (then) { then(); }
    });
  }

  v.load(['/api/v1/me/rateizzazioni', '/api/v1/me/estratto-conto'], function (d, st) {
    state.plans = d.rateizzazioni;
    state.st = st;
    showPlans();
    proposalForm();
    append(v.content, list, ask);
  });
})();
