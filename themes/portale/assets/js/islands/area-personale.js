// Island "area-personale": shows who is signed in (GET /api/v1/me), or keeps the sign-in
// button. The personal-area views (statement, fines, payments) mount their own islands.
(function () {
  'use strict';
  var root = document.querySelector('[data-island="area-personale"]');
  if (!root) { return; }
  var it = document.documentElement.lang === 'it';
  fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (res) { return res.ok ? res.json() : null; })
    .then(function (s) {
      if (!s || !s.nome) { return; } // 401: not signed in, the button stays
      var p = document.createElement('p');
      p.className = 'lead';
      p.textContent = (it ? 'Hai effettuato l\u2019accesso come ' : 'You are signed in as ') + s.nome + ' ' + s.cognome + '.';
      root.replaceChildren(p);
      document.querySelectorAll("[data-portale-login]").forEach(function (el) { el.hidden = true; });
    })
    .catch(function () { /* offline or API unavailable: the sign-in button stays */ });
})();
