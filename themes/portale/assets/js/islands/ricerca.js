// Island "ricerca" (/cerca/): searches the pagefind index built after the Hugo build.
// pagefind runs WebAssembly: the server's CSP must allow it ('wasm-unsafe-eval' in script-src).
(function () {
  'use strict';
  var root = document.querySelector('[data-island="ricerca"]');
  if (!root) { return; }
  var form = root.querySelector('[data-search-form]');
  var input = form.querySelector('input[type="search"]');
  var status = root.querySelector('[data-search-status]');
  var list = root.querySelector('[data-search-results]');
  var bundle = root.getAttribute('data-bundle');
  var engine = null;
  form.hidden = false;

  function load() {
    if (!engine) {
      engine = import(bundle + 'pagefind.js').then(function (pf) { return pf.init().then(function () { return pf; }); });
    }
    return engine;
  }
  // Pagefind excerpts are HTML with <mark>: keep the text, drop the markup.
  function text(html) {
    var doc = new DOMParser().parseFromString('<p>' + html + '</p>', 'text/html');
    return doc.body.textContent || '';
  }

  function run(query) {
    list.replaceChildren();
    if (!query) { status.textContent = ''; return; }
    load().then(function (pf) { return pf.search(query); }).then(function (search) {
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (items) {
      status.textContent = items.length ? root.getAttribute('data-msg-count').replace(/\d+/, String(items.length)) : root.getAttribute('data-msg-none');
      items.forEach(function (d) {
        var li = document.createElement('li');
        li.className = 'mb-3';
        var a = document.createElement('a');
        a.href = d.url;
        a.className = 'h5 d-inline-block mb-1';
        a.textContent = (d.meta && d.meta.title) || d.url;
        var p = document.createElement('p');
        p.className = 'mb-0';
        p.textContent = text(d.excerpt || '');
        li.appendChild(a);
        li.appendChild(p);
        list.appendChild(li);
      });
    }).catch(function () {
      status.textContent = root.getAttribute('data-msg-unavailable');
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var q = input.value.trim();
    history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : location.pathname);
    run(q);
  });
  var initial = new URLSearchParams(location.search).get('q');
  if (initial) { input.value = initial; run(initial); }
})();
