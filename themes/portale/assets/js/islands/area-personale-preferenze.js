// Island "area-personale-preferenze" (/area-personale/preferenze/): how notifications arrive,
// by PEC (with the address) or by post (GET and PUT /api/v1/me/preferenze).
(function () {
  'use strict';
  var ap = window.portaleAreaPersonale;
  var root = document.querySelector('[data-island="area-personale-preferenze"]');
  if (!root || !ap) { return; }
  var v = ap.view(root);
  var msg = v.msg;
  var el = ap.el;
  var append = ap.append;
  var f = ap.format;
  var current = el('p', 'lead portale-ap-current');

  function describe(p) {
    var text = p.canale === 'pec' ? ap.fill(msg.nowPec, { pec: p.pec }) : msg.nowPost;
    if (p.predefinita) { text += ' ' + msg.byDefault; } else if (p.aggiornata_il) { text += ' ' + ap.fill(msg.chosenOn, { data: f.dateTime(p.aggiornata_il) }); }
    current.textContent = text;
  }

  function radio(value, label, checked) {
    var wrap = el('div', 'form-check');
    var input = el('input', 'form-check-input');
    input.type = 'radio';
    input.name = 'canale';
    input.value = value;
    input.id = 'ap-canale-' + value;
    input.checked = checked;
    var l = el('label', 'form-check-label', label);
    l.htmlFor = input.id;
    append(wrap, input, l);
    return wrap;
  }

  v.load('/api/v1/me/preferenze', function (p) {
    describe(p);
    var form = el('form', 'portale-ap-form');
    form.noValidate = true;
    var fs = el('fieldset', 'mb-3');
    append(fs, el('legend', 'h5', msg.channelLegend), radio('posta', msg.channelPost, p.canale !== 'pec'), radio('pec', msg.channelPec, p.canale === 'pec'));
    var group = el('div', 'mb-3');
    var label = el('label', 'form-label', msg.pecLabel);
    label.htmlFor = 'ap-pec';
    var input = el('input', 'form-control');
    input.type = 'email';
    input.id = 'ap-pec';
    input.name = 'pec';
    input.autocomplete = 'email';
    input.value = p.pec || '';
    input.setAttribute('aria-describedby', 'ap-pec-hint ap-pec-err');
    var hint = el('small', 'form-text d-block', msg.pecHint);
    hint.id = 'ap-pec-hint';
    var err = el('div', 'invalid-feedback');
    err.id = 'ap-pec-err';
    append(group, label, input, hint, err);
    var submit = el('button', 'btn btn-primary', msg.save);
    submit.type = 'submit';
    append(form, fs, group, submit);

    function sync() {
      var pec = form.elements.canale.value === 'pec';
      group.hidden = !pec;
      input.disabled = !pec;
    }
    form.querySelectorAll('input[name="canale"]').forEach(function (r) { r.addEventListener('change', sync); });
    sync();

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var canale = form.elements.canale.value;
      var body = { canale: canale };
      if (canale === 'pec') { body.pec = input.value.trim(); }
      v.fieldError(input, '');
      v.fail('');
      submit.disabled = true;
      v.say(msg.saving);
      v.request('PUT', '/api/v1/me/preferenze', body).then(function (r) {
        submit.disabled = false;
        if (r.status === 200) {
          describe(r.data);
          v.say(msg.saved);
          return;
        }
        var c = v.code(r);
        if (c === 'PEC_MANCANTE' || c === 'PEC_NON_VALIDA') {
          v.say('');
          v.fieldError(input, v.errorText(r));
          input.focus();
          return;
        }
        v.refused(r);
      });
    });
    append(v.content, current, form);
  });
})();
