// Forms of the personal-area islands that send something to the office (instalment plans,
// communications): a field with its label, hint and error box; the error summary that lists
// what to fix, is announced and takes the focus; multipart uploads; amounts typed in euro.
import { el, append } from './vista.js';

var seq = 0;

// field({id, label, hint, tag, type, options, ...}) → {group, input}: a labelled control with its
// hint (id + "-hint") and error box (id + "-err"), both tied to it by aria-describedby, so
// view.fieldError can mark it. tag is "input" (default), "select" or "textarea"; options are
// [[value, text], …] for a select.
export function field(o) {
  var id = o.id || 'ap-f' + (++seq);
  var group = el('div', 'mb-3 portale-ap-field');
  var label = el('label', 'form-label', o.label);
  label.htmlFor = id;
  var tag = o.tag || 'input';
  var input = el(tag, tag === 'select' ? 'form-select' : 'form-control');
  input.id = id;
  input.name = o.name || id;
  if (tag === 'input') { input.type = o.type || 'text'; }
  if (tag === 'textarea') { input.rows = o.rows || 4; }
  (o.options || []).forEach(function (p) {
    var opt = el('option', '', p[1]);
    opt.value = p[0];
    input.appendChild(opt);
  });
  ['autocomplete', 'inputMode', 'accept', 'multiple', 'maxLength'].forEach(function (k) {
    if (o[k] !== undefined) { input[k] = o[k]; }
  });
  if (o.required) { input.setAttribute('aria-required', 'true'); }
  var described = [];
  var hint = null;
  if (o.hint) {
    hint = el('small', 'form-text d-block', o.hint);
    hint.id = id + '-hint';
    described.push(hint.id);
  }
  var err = el('div', 'invalid-feedback');
  err.id = id + '-err';
  described.push(err.id);
  input.setAttribute('aria-describedby', described.join(' '));
  append(group, label, input, hint, err);
  return { group: group, input: input, hint: hint };
}

// A radio button or a checkbox with its label.
export function choice(type, name, value, text, id) {
  var wrap = el('div', 'form-check');
  var input = el('input', 'form-check-input');
  input.type = type;
  input.name = name;
  input.value = value;
  input.id = id || 'ap-c' + (++seq);
  var l = el('label', 'form-check-label', text);
  l.htmlFor = input.id;
  append(wrap, input, l);
  return { group: wrap, input: input };
}

// errorSummary(title) → {box, show(errors), clear()}: the box lives in the form from the start
// (an empty live region is what screen readers need to announce what appears in it); show
// lists [{field, text}, …], each linked to its field, and moves the focus to the list.
export function errorSummary(title) {
  var box = el('div', 'portale-ap-errors');
  box.tabIndex = -1;
  box.setAttribute('aria-live', 'assertive');
  function clear() {
    box.replaceChildren();
    box.className = 'portale-ap-errors';
  }
  function show(errors) {
    clear();
    if (!errors.length) { return; }
    box.className = 'portale-ap-errors alert alert-danger';
    var ul = el('ul', 'mb-0');
    errors.forEach(function (e) {
      var li = el('li');
      if (e.field && e.field.id) {
        var label = document.querySelector('label[for="' + e.field.id + '"]');
        var a = el('a', '', (label ? label.textContent + ': ' : '') + e.text);
        a.href = '#' + e.field.id;
        a.addEventListener('click', function (ev) { ev.preventDefault(); e.field.focus(); });
        li.appendChild(a);
      } else {
        li.textContent = e.text;
      }
      ul.appendChild(li);
    });
    append(box, el('p', 'fw-semibold mb-1', title), ul);
    box.focus();
  }
  return { box: box, show: show, clear: clear };
}

// POSTs a FormData (multipart/form-data) with the session cookie; like view.request it never
// rejects: {status, data}, status 0 when the portal cannot be reached.
export function postForm(url, data) {
  return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' }, body: data }).then(function (res) {
    return res.json().then(function (d) { return { status: res.status, data: d }; },
      function () { return { status: res.status, data: null }; });
  }, function () { return { status: 0, data: null }; });
}

// The largest file the office accepts (PDF, PNG or JPEG): checked here only to spare the
// upload; the type is judged by the portal from the content.
export var maxFileSize = 5 * 1024 * 1024;

// "1.234,56", "1234.56 €" → 123456 cents; NaN when it is not an amount. Italian pages read
// "," as the decimal mark, English ones ".".
export function parseCents(text) {
  var s = String(text).trim().replace(/\s|\u20ac/g, '');
  if (document.documentElement.lang === 'en') { s = s.replace(/,(?=\d{3}(\D|$))/g, ''); } else { s = s.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.'); }
  return /^\d+(\.\d{1,2})?$/.test(s) ? Math.round(parseFloat(s) * 100) : NaN;
}

// 1536000 → "1,5 MB", 20480 → "20 kB".
export function size(bytes) {
  var en = document.documentElement.lang === 'en';
  if (bytes >= 1024 * 1024) { return (Math.round(bytes / 104857.6) / 10).toString().replace('.', en ? '.' : ',') + ' MB'; }
  return Math.max(1, Math.round(bytes / 1024)) + ' kB';
}
