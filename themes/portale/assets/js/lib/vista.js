// The view of a personal-area island: one place for the states every island shows —
// loading (a live status line), signed out (the page's own text and the sign-in button),
// consent needed, errors (the API's errore.messaggio in a role="alert" region) — and the
// same-origin requests to /api/v1/me/….

// el("p", "lead", "text") → <p class="lead">text</p>; text always goes in as text, never as HTML.
export function el(tag, cls, text) {
  var node = document.createElement(tag);
  if (cls) { node.className = cls; }
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  return node;
}

// Appends nodes and strings, skipping empty ones; returns the parent.
export function append(parent) {
  for (var i = 1; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined || c === '' || c === false) { continue; }
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return parent;
}

// [[term, value], …] → <dl class="portale-facts">; pairs without a value are left out.
export function facts(pairs) {
  var dl = el('dl', 'portale-facts portale-ap-facts');
  pairs.forEach(function (p) {
    if (p[1] === null || p[1] === undefined || p[1] === '') { return; }
    var pair = el('div');
    var dd = el('dd');
    append(dd, p[1]);
    append(pair, el('dt', '', p[0]), dd);
    dl.appendChild(pair);
  });
  return dl;
}

// A status label; kind is one of the badge colours of the theme (primary, success, danger, secondary, warning).
export function badge(text, kind) {
  return el('span', 'badge portale-ap-badge portale-ap-badge-' + (kind || 'secondary'), text);
}

export function link(href, text, cls) {
  var a = el('a', cls || '', text);
  a.href = href;
  return a;
}

// fill("Entro il {data} paghi {importo}", {data: "30/11/2026", importo: "155,87 €"}).
export function fill(template, values) {
  return String(template || '').replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
}

// The API address of one of the citizen's verbali; the number may hold "/", written %2F.
export function apiVerbale(numero, suffix) {
  return '/api/v1/me/verbali/' + encodeURIComponent(numero) + (suffix || '');
}

export function view(root) {
  var msg = JSON.parse(root.getAttribute('data-messages') || '{}');
  var here = location.pathname + location.search;
  var fallback = root.querySelector('[data-ap-fallback]');
  var status = el('p', 'portale-ap-status');
  status.setAttribute('role', 'status');
  var alert = el('div', 'portale-ap-alert');
  alert.setAttribute('role', 'alert');
  var content = el('div', 'portale-ap-content');
  root.append(status, alert, content);
  document.querySelectorAll('[data-portale-login] a').forEach(function (a) {
    a.href = '/auth/login?next=' + encodeURIComponent(here);
  });

  function say(text) { status.textContent = text || ''; }
  function fail(text) {
    alert.replaceChildren();
    if (text) { alert.appendChild(el('div', 'alert alert-danger', text)); }
  }
  function code(r) { return r.data && r.data.errore ? r.data.errore.codice : ''; }
  function errorText(r) {
    if (r.status === 0) { return msg.network; }
    return (r.data && r.data.errore && r.data.errore.messaggio) || msg.error;
  }

  // fetch on the portal's own origin with the session cookie; never rejects: {status, data}
  // with status 0 when the network or the server cannot be reached.
  function request(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      if (res.status === 204) { return { status: 204, data: null }; }
      return res.json().then(function (d) { return { status: res.status, data: d }; },
        function () { return { status: res.status, data: null }; });
    }, function () { return { status: 0, data: null }; });
  }

  function signedOut() {
    content.replaceChildren();
    if (fallback) { fallback.hidden = false; }
  }

  function consentNeeded() {
    if (fallback) { fallback.hidden = true; }
    var box = el('div', 'portale-ap-consent');
    append(box, el('p', '', msg.consentNeeded),
      link('/auth/consenso?next=' + encodeURIComponent(here), msg.consentAction, 'btn btn-primary'));
    content.replaceChildren(box);
  }

  // Shows the state of a refused request: signed out, consent needed, or the API's message.
  function refused(r) {
    say('');
    if (r.status === 401) { signedOut(); return; }
    if (r.status === 403 && code(r) === 'CONSENSO_RICHIESTO') { consentNeeded(); return; }
    fail(errorText(r));
  }

  // GETs one or more addresses together; render receives their answers once all succeeded.
  function load(urls, render) {
    var list = [].concat(urls);
    say(msg.loading);
    fail('');
    root.setAttribute('aria-busy', 'true');
    return Promise.all(list.map(function (u) { return request('GET', u); })).then(function (rs) {
      root.removeAttribute('aria-busy');
      var bad = rs.filter(function (r) { return r.status !== 200; })[0];
      if (bad) { refused(bad); return; }
      say('');
      if (fallback) { fallback.hidden = true; }
      content.replaceChildren();
      render.apply(null, rs.map(function (r) { return r.data; }));
    });
  }

  // Marks a form field invalid with the message in its error box (id + "-err"), or clears it.
  function fieldError(field, text) {
    var box = document.getElementById(field.id + '-err');
    field.classList.toggle('is-invalid', !!text);
    if (text) { field.setAttribute('aria-invalid', 'true'); } else { field.removeAttribute('aria-invalid'); }
    if (box) { box.textContent = text || ''; }
  }

  return { msg: msg, root: root, content: content, here: here, say: say, fail: fail, code: code, errorText: errorText, request: request, refused: refused, load: load, fieldError: fieldError };
}
