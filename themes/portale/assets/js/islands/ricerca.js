// Island "ricerca" (/cerca/): searches with pagefind when the site was
// indexed with it (/pagefind/pagefind.js, one index per language, chosen by
// the page's lang); otherwise the page index Hugo builds with the site
// (search-index.json, one per language), where words are matched without
// accents and case and a word in the title weighs more than one in the text.
(function () {
  'use strict';
  var root = document.querySelector('[data-island="ricerca"]');
  if (!root) { return; }
  var form = root.querySelector('[data-search-form]');
  var input = form.querySelector('input[type="search"]');
  var status = root.querySelector('[data-search-status]');
  var list = root.querySelector('[data-search-results]');
  var index = null;
  form.hidden = false;

  function fold(s) {
    return (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }
  function load() {
    if (!index) {
      index = fetch(root.getAttribute('data-index'), { credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (pages) {
          return pages.map(function (p) {
            return { page: p, title: fold(p.t), desc: fold(p.d), text: fold(p.x) };
          });
        });
    }
    return index;
  }
  function score(entry, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i], s = 0;
      if (entry.title.indexOf(w) >= 0) { s += 10; }
      if (entry.desc.indexOf(w) >= 0) { s += 4; }
      if (entry.text.indexOf(w) >= 0) { s += 1; }
      if (!s) { return 0; }
      total += s;
    }
    return total;
  }
  // excerpt shows the text around the first word found.
  function excerpt(entry, words) {
    var text = entry.page.x || entry.page.d || '';
    var at = entry.text.indexOf(words[0]);
    if (at < 0) { return entry.page.d || text.slice(0, 200); }
    var from = Math.max(0, at - 80);
    return (from ? '… ' : '') + text.slice(from, from + 220).trim() + ' …';
  }

  // pagefind's library, loaded once; null when the site has no pagefind index.
  var pagefind = null;
  function loadPagefind() {
    if (!pagefind) {
      var url = root.getAttribute('data-pagefind');
      pagefind = (url ? import(url) : Promise.reject(new Error('no pagefind')))
        .then(function (pf) { return pf.options({ excerptLength: 30 }).then(function () { return pf; }); })
        .catch(function () { return null; });
    }
    return pagefind;
  }
  // plain is an excerpt's text: pagefind marks the words found with <mark>.
  function plain(html) {
    return new DOMParser().parseFromString(html || '', 'text/html').body.textContent;
  }
  function withPagefind(pf, query) {
    return pf.search(query).then(function (s) {
      return Promise.all(s.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (found) {
      root.setAttribute('data-search-engine', 'pagefind');
      return found.map(function (d) { return { url: d.url, title: (d.meta && d.meta.title) || d.url, text: plain(d.excerpt) }; });
    });
  }
  function withIndex(query) {
    var words = fold(query).split(/[^a-z0-9]+/).filter(function (w) { return w.length > 1; });
    if (!words.length) { return Promise.resolve([]); }
    return load().then(function (entries) {
      root.setAttribute('data-search-engine', 'indice');
      return entries
        .map(function (e) { return { e: e, s: score(e, words) }; })
        .filter(function (r) { return r.s > 0; })
        .sort(function (a, b) { return b.s - a.s; })
        .slice(0, 20)
        .map(function (r) { return { url: r.e.page.u, title: r.e.page.t, text: excerpt(r.e, words) }; });
    });
  }

  function run(query) {
    list.replaceChildren();
    if (!fold(query).replace(/[^a-z0-9]/g, '')) { status.textContent = ''; return; }
    loadPagefind().then(function (pf) {
      return pf ? withPagefind(pf, query) : withIndex(query);
    }).then(function (found) {
      status.textContent = found.length
        ? root.getAttribute('data-msg-count').replace(/\d+/, String(found.length))
        : root.getAttribute('data-msg-none');
      found.forEach(function (r) {
        var li = document.createElement('li');
        li.className = 'mb-3';
        var a = document.createElement('a');
        a.href = r.url;
        a.className = 'h5 d-inline-block mb-1';
        a.textContent = r.title;
        var p = document.createElement('p');
        p.className = 'mb-0';
        p.textContent = r.text;
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
