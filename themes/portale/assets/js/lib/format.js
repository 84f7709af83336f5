// Formats shared by the personal-area islands, the only copy: amounts in integer euro cents,
// civil dates (YYYY-MM-DD), instants (RFC 3339, shown in Europe/Rome) and pagoPA notice codes.

function english() { return document.documentElement.lang === 'en'; }

// 123456 → "1.234,56 €" (Italian pages) or "€1,234.56" (English pages), like the money.html partial.
export function euro(cents) {
  if (typeof cents !== 'number' || !isFinite(cents)) { return ''; }
  var en = english();
  var abs = Math.abs(Math.round(cents));
  var units = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, en ? ',' : '.');
  var n = units + (en ? '.' : ',') + String(abs % 100).padStart(2, '0');
  return (cents < 0 ? '\u2212' : '') + (en ? '\u20ac' + n : n + '\u00a0\u20ac');
}

// "2026-11-30" → "30/11/2026"; anything else is returned as it is.
export function date(iso) {
  var p = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  return p ? p[3] + '/' + p[2] + '/' + p[1] : (iso || '');
}

var clock = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });

// "2026-11-24T23:40:00+01:00" → "24/11/2026, 23:40" (time in Turin).
export function dateTime(rfc3339) {
  var d = new Date(rfc3339);
  return isNaN(d.getTime()) ? (rfc3339 || '') : clock.format(d);
}

// "301000000000000144" → "3010 0000 0000 0001 44": the notice code in groups of four, as printed on the notice.
export function nav(code) {
  return String(code || '').replace(/(\d{4})(?=\d)/g, '$1 ');
}
