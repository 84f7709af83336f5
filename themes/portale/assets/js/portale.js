// Site-wide progressive enhancements. Every page works without this file.
(function () {
  'use strict';

  // Mobile menu: the toggler opens the navigation panel; Escape, the close button or the overlay
  // close it and focus goes back to the toggler. Without JavaScript the footer lists the sections.
  var toggler = document.querySelector('.custom-navbar-toggler[aria-controls]');
  var panel = toggler && document.getElementById(toggler.getAttribute('aria-controls'));
  if (panel) {
    var focusable = function () { return panel.querySelectorAll('.close-menu, .menu-wrapper a'); };
    var close = function () {
      panel.classList.remove('expanded', 'portale-open');
      toggler.setAttribute('aria-expanded', 'false');
      toggler.focus();
    };
    toggler.addEventListener('click', function () {
      panel.classList.add('portale-open');
      window.requestAnimationFrame(function () { panel.classList.add('expanded'); });
      toggler.setAttribute('aria-expanded', 'true');
      var first = panel.querySelector('.menu-wrapper a');
      if (first) { first.focus(); }
    });
    panel.querySelector('.close-menu').addEventListener('click', close);
    panel.querySelector('.overlay').addEventListener('click', close);
    panel.addEventListener('keydown', function (e) {
      // Only the open mobile panel keeps the focus inside: on a wide screen the menu is part of
      // the page and Tab must go on to the content (WCAG 2.1.2, no keyboard trap).
      if (!panel.classList.contains('portale-open')) { return; }
      if (e.key === 'Escape') { close(); return; }
      if (e.key !== 'Tab') { return; }
      var items = focusable();
      var firstItem = items[0], lastItem = items[items.length - 1];
      if (e.shiftKey && document.activeElement === firstItem) { e.preventDefault(); lastItem.focus(); }
      else if (!e.shiftKey && document.activeElement === lastItem) { e.preventDefault(); firstItem.focus(); }
    });
  }

  // "Stampa" buttons are hidden in the HTML and shown only when they can work.
  document.querySelectorAll('[data-portale-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });

  // Feedback component: one step at a time, answer sent as JSON.
  document.querySelectorAll('[data-portale-feedback]').forEach(function (form) {
    var more = form.querySelector('[data-feedback-step="2"]');
    form.elements.pagina.value = location.pathname;
    var status = form.querySelector('[data-feedback-status]');
    var stars = form.querySelectorAll('input[name="voto"]');
    var branches = form.querySelectorAll('[data-feedback-branch]');
    form.querySelectorAll('[data-feedback-nojs-hint]').forEach(function (p) { p.hidden = true; });
    more.hidden = true;

    function rating() {
      var checked = form.querySelector('input[name="voto"]:checked');
      return checked ? parseInt(checked.value, 10) : 0;
    }
    stars.forEach(function (star) {
      star.addEventListener('change', function () {
        var value = rating();
        form.querySelectorAll('.portale-stars label').forEach(function (label, i) {
          label.classList.toggle('is-on', i < value);
        });
        branches.forEach(function (fs) {
          var show = (fs.getAttribute('data-feedback-branch') === 'positive') === (value >= 4);
          fs.hidden = !show;
          fs.disabled = !show;
        });
        more.hidden = false;
        status.textContent = '';
      });
    });

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var value = rating();
      if (!value) {
        status.textContent = status.getAttribute('data-msg-required');
        stars[0].focus();
        return;
      }
      var reason = form.querySelector('input[name^="motivo_"]:checked:not(:disabled)');
      var body = {
        pagina: form.elements.pagina.value,
        lingua: form.elements.lingua.value,
        voto: value,
        motivo: reason ? reason.value : '',
        commento: form.elements.commento.value.trim()
      };
      fetch(form.getAttribute('action'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(body)
      }).then(function (res) {
        if (!res.ok) { throw new Error(String(res.status)); }
        more.hidden = true;
        form.querySelector('.portale-stars').disabled = true;
        status.textContent = status.getAttribute('data-msg-thanks');
      }).catch(function () {
        status.textContent = status.getAttribute('data-msg-error');
      });
    });
  });
})();

// Offline reading (B12): the service worker caches pages and assets, never API responses.
(function () {
  'use strict';
  var sw = document.body.getAttribute('data-sw');
  if (sw && 'serviceWorker' in navigator) {
    window.addEventListener('load', function () { navigator.serviceWorker.register(sw, { scope: '/' }); });
  }
  // Closed FAQ answers would not print: open them for printing.
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
})();
