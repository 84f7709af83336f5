#!/usr/bin/env bash
# Lighthouse 12.2.3 (pinned: the last release that runs on Node 20) in its
# default mobile mode, against `portale demo` on loopback, for the pages issue 9
# names: home, a service page, the FAQ and the calculator. Prints the four
# category scores of each page. Lighthouse is installed in a temporary folder,
# not in the project's dependencies; Chromium is Debian's.
#   bench/lighthouse/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
chrome=${CHROMIUM:-/usr/bin/chromium}
work=$(mktemp -d)
addr=127.0.0.1:18480
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

npm install --silent --no-audit --no-fund --prefix "$work/lh" lighthouse@12.2.3 >/dev/null
make -s build
bin/portale demo --data "$work/demo" --addr "$addr" > "$work/demo.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -sf "http://$addr/api/v1/health" >/dev/null && break; sleep 1; done
curl -sf "http://$addr/api/v1/health" >/dev/null || {
  echo "portale demo did not answer http://$addr/api/v1/health within 120 s; its log:" >&2
  tail -20 "$work/demo.log" >&2
  exit 1
}

printf '%-28s %6s %6s %6s %6s\n' page perf a11y bp seo
for page in / /servizi/pagare-una-multa/ /faq/ /calcola/; do
  CHROME_PATH=$chrome "$work/lh/node_modules/.bin/lighthouse" "http://$addr$page" --quiet \
    --output=json --output-path="$work/report.json" \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$work/profile" \
    --only-categories=performance,accessibility,best-practices,seo
  node -e '
    const r = require(process.argv[1]);
    // A report counts only if Lighthouse loaded the page it was asked for.
    if (r.runtimeError) {
      console.error(`${process.argv[2]}: Lighthouse runtime error ${r.runtimeError.code}: ${r.runtimeError.message}`);
      process.exit(1);
    }
    if (r.finalDisplayedUrl !== r.requestedUrl) {
      console.error(`${process.argv[2]}: Lighthouse scored ${r.finalDisplayedUrl}, not ${r.requestedUrl} (a redirect?)`);
      process.exit(1);
    }
    const s = k => Math.round(r.categories[k].score * 100);
    console.log(process.argv[2].padEnd(28), ...["performance","accessibility","best-practices","seo"].map(k => String(s(k)).padStart(6)));
  ' "$work/report.json" "$page"
done
