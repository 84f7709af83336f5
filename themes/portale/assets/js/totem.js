// Kiosk behaviour (B9): stay inside /totem/, and go back to the start after a period of inactivity
// so that the next person never sees what the previous one was reading.
(function () {
  'use strict';
  var body = document.body;
  var home = body.getAttribute('data-totem-home') || '/totem/';
  var idle = (parseInt(body.getAttribute('data-totem-idle'), 10) || 120) * 1000;
  var prefix = home.replace(/\/$/, '');   // "/totem" or "/en/totem"
  var lang = prefix.indexOf('/en/') === 0 ? '/en' : '';

  // Keep internal links inside the kiosk: /servizi/x/ → /totem/servizi/x/ (and /en/… → /en/totem/…).
  document.querySelectorAll('main a[href^="/"]').forEach(function (a) {
    var href = a.getAttribute('href');
    if (/^\/(en\/)?totem\//.test(href) || /^\/(api|auth|cms|backoffice|vendor|images|css|js)\//.test(href)) { return; }
    var rest = lang && href.indexOf(lang + '/') === 0 ? href.slice(lang.length) : href;
    // News articles have no kiosk page: the kiosk's news page shows the latest in full.
    var news = /^\/notizie\/([^\/]+)\/$/.exec(rest);
    if (news && news[1] !== 'page') { rest = '/notizie/#' + news[1]; }
    a.setAttribute('href', prefix + rest);
  });
  // Links that leave the site would leave the kiosk: show them as text.
  document.querySelectorAll('main a[href^="http"], main a[href^="mailto:"], main a[href^="tel:"]').forEach(function (a) {
    var span = document.createElement('span');
    span.textContent = a.textContent;
    a.replaceWith(span);
  });

  var timer;
  function reset() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (location.pathname !== home) { location.assign(home); } else { window.scrollTo(0, 0); }
    }, idle);
  }
  ['pointerdown', 'keydown', 'scroll', 'touchstart'].forEach(function (t) { window.addEventListener(t, reset, { passive: true }); });
  reset();
})();
